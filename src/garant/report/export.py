"""Write layers and tables to files other tools read: QGIS, Google Earth, pandas, the web.

Layers (GeoDataFrames) go to GeoJSON (RFC 7946), GeoParquet, GeoPackage or KML;
tables (DataFrames, e.g. the daily series) to CSV or JSON. Every layer is written
in EPSG:4326 (lon, lat) and every write is atomic (:mod:`garant._io`): a failed
export never leaves a half-written file in place of a good one.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import math
import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from garant._io import atomic_path, write_text_atomic
from garant.errors import ConfigError, DataError

__all__ = [
    "LAYER_FORMATS",
    "TABLE_FORMATS",
    "export_layer",
    "export_table",
    "layer_format",
    "table_format",
]

log = logging.getLogger(__name__)

#: Layer format -> file suffixes that select it.
LAYER_FORMATS: dict[str, tuple[str, ...]] = {
    "geojson": (".geojson", ".json"),
    "parquet": (".parquet", ".geoparquet"),
    "gpkg": (".gpkg",),
    "kml": (".kml",),
}
#: Table format -> file suffixes that select it.
TABLE_FORMATS: dict[str, tuple[str, ...]] = {
    "csv": (".csv",),
    "json": (".json",),
}

_ALIASES = {"geoparquet": "parquet", "geopackage": "gpkg"}
_COORD_DECIMALS = 6  # ~0.1 m at the equator
#: Columns whose value names a KML placemark, first present wins.
_KML_NAME_COLUMNS = ("name", "label", "title", "settlement", "sector", "kind")
#: KML colours (aabbggrr) per value of a ``kind`` column; others use the default.
_KML_KIND_COLOURS = {
    "gained": ("ff1c1ce3", "801c1ce3"),  # red: territory Russia gained
    "lost": ("ffb4771f", "80b4771f"),  # blue: territory Russia lost
    "occupied": ("ff1c1ce3", "501c1ce3"),
}
_KML_DEFAULT_COLOURS = ("ff1c1ce3", "601c1ce3")


def _resolve_format(
    path: Path, format: str | None, formats: dict[str, tuple[str, ...]], what: str
) -> str:
    supported = ", ".join(f"{k} ({'/'.join(v)})" for k, v in formats.items())
    if format is not None:
        fmt = _ALIASES.get(format.lower(), format.lower())
        if fmt not in formats:
            raise ConfigError(f"{path}: unknown {what} format {format!r}; supported: {supported}")
        return fmt
    suffix = path.suffix.lower()
    for fmt, suffixes in formats.items():
        if suffix in suffixes:
            return fmt
    raise ConfigError(
        f"{path}: cannot infer the {what} format from suffix {suffix or '(none)'!r}; "
        f"supported: {supported}"
    )


def layer_format(path: str | Path, format: str | None = None) -> str:
    """Return the layer format key for ``path`` (or validate ``format``).

    Raises
    ------
    ConfigError
        Unknown format or suffix; the message lists the supported ones.
    """
    return _resolve_format(Path(path), format, LAYER_FORMATS, "layer")


def table_format(path: str | Path, format: str | None = None) -> str:
    """Return the table format key for ``path`` (or validate ``format``).

    Raises
    ------
    ConfigError
        Unknown format or suffix; the message lists the supported ones.
    """
    return _resolve_format(Path(path), format, TABLE_FORMATS, "table")


# --------------------------------------------------------------------------- helpers


def _iso(value: Any) -> Any:
    """Return dates and timestamps as ISO strings, missing values as None, others as-is."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, np.datetime64) and np.isnat(value):
        return None
    if isinstance(value, pd.Timestamp):
        if pd.isna(value):
            return None
        if value == value.normalize() and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, np.datetime64):
        return _iso(pd.Timestamp(value))
    return value


def _is_temporal(series: pd.Series) -> bool:
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return True
    if series.dtype == object:
        sample = series.dropna()
        return bool(len(sample)) and all(
            isinstance(v, dt.date | dt.datetime | dt.time | pd.Timestamp) for v in sample
        )
    return False


def _dates_to_iso(df: pd.DataFrame, *, only_objects: bool) -> pd.DataFrame:
    """Copy of ``df`` with temporal columns as ISO strings.

    With ``only_objects`` only object columns holding Python dates/times are
    converted (for formats that store datetime64 natively).
    """
    out = df.copy()
    geom = out.geometry.name if isinstance(out, gpd.GeoDataFrame) else None
    for col in out.columns:
        if col == geom or not _is_temporal(out[col]):
            continue
        if only_objects and out[col].dtype != object:
            continue
        out[col] = pd.Series([_iso(v) for v in out[col]], index=out.index, dtype=object)
    return out


def _to_4326(gdf: gpd.GeoDataFrame, path: Path) -> gpd.GeoDataFrame:
    if not isinstance(gdf, gpd.GeoDataFrame):
        raise DataError(f"{path}: expected a GeoDataFrame, got {type(gdf).__name__}")
    if gdf.crs is None:
        raise DataError(f"{path}: layer has no CRS; set one (garant stores EPSG:4326)")
    out = gdf if gdf.crs.to_epsg() == 4326 else gdf.to_crs(4326)
    return out


# --------------------------------------------------------------------------- layer writers


def _write_geojson(gdf: gpd.GeoDataFrame, path: Path, layer: str) -> None:
    import pyogrio

    data = _dates_to_iso(gdf, only_objects=False)
    with atomic_path(path) as tmp:
        pyogrio.write_dataframe(
            data,
            tmp,
            layer=layer,
            driver="GeoJSON",
            layer_options={
                "RFC7946": "YES",
                "COORDINATE_PRECISION": str(_COORD_DECIMALS),
                "WRITE_NAME": "NO",
            },
        )


def _write_parquet(gdf: gpd.GeoDataFrame, path: Path) -> None:
    with atomic_path(path) as tmp:
        gdf.to_parquet(tmp, index=False, compression="zstd", schema_version="1.1.0")


def _write_gpkg(gdf: gpd.GeoDataFrame, path: Path, layer: str) -> None:
    import pyogrio

    data = _dates_to_iso(gdf, only_objects=True)
    with atomic_path(path) as tmp:
        if path.exists():
            # add (or replace) one layer: work on a copy, then swap it in
            shutil.copy2(path, tmp)
            existing = {str(name) for name, _ in pyogrio.list_layers(tmp)}
            log.debug(
                "%s: %s layer %r", path, "replacing" if layer in existing else "adding", layer
            )
        pyogrio.write_dataframe(
            data,
            tmp,
            layer=layer,
            driver="GPKG",
            layer_options={"OVERWRITE": "YES"},
        )


def _kml_polygons(geom: BaseGeometry) -> list[shapely.Polygon]:
    if isinstance(geom, shapely.Polygon):
        return [geom]
    if isinstance(geom, shapely.MultiPolygon):
        return list(geom.geoms)
    return []


def _kml_coords(coords: Iterable[Sequence[float]]) -> list[tuple[float, float]]:
    return [(round(c[0], _COORD_DECIMALS), round(c[1], _COORD_DECIMALS)) for c in coords]


def _kml_add_geometry(container: Any, geom: BaseGeometry) -> list[Any]:
    """Add ``geom`` to a simplekml container (Document or MultiGeometry); return new features."""
    out: list[Any] = []
    if isinstance(geom, shapely.GeometryCollection | shapely.MultiLineString | shapely.MultiPoint):
        for part in geom.geoms:
            out.extend(_kml_add_geometry(container, part))
        return out
    if isinstance(geom, shapely.Polygon | shapely.MultiPolygon):
        for poly in _kml_polygons(geom):
            out.append(
                container.newpolygon(
                    outerboundaryis=_kml_coords(poly.exterior.coords),
                    innerboundaryis=[_kml_coords(r.coords) for r in poly.interiors],
                )
            )
    elif isinstance(geom, shapely.LineString | shapely.LinearRing):
        out.append(container.newlinestring(coords=_kml_coords(geom.coords)))
    elif isinstance(geom, shapely.Point):
        out.append(container.newpoint(coords=_kml_coords(geom.coords)))
    return out


def _kml_value(value: Any) -> str:
    value = _iso(value)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, float):
        return f"{value:,.3f}".rstrip("0").rstrip(".")
    return str(value)


def _kml_style(kind: str) -> Any:
    import simplekml

    line_colour, fill_colour = _KML_KIND_COLOURS.get(kind, _KML_DEFAULT_COLOURS)
    style = simplekml.Style()
    style.linestyle.color = line_colour
    style.linestyle.width = 2
    style.polystyle.color = fill_colour
    return style


def _write_kml(gdf: gpd.GeoDataFrame, path: Path, layer: str, name_column: str | None) -> None:
    import simplekml

    geom_col = gdf.geometry.name
    attrs = [c for c in gdf.columns if c != geom_col]
    if name_column is not None and name_column not in attrs:
        raise DataError(f"{path}: name column {name_column!r} not in the layer ({attrs})")
    name_cols = [name_column] if name_column else [c for c in _KML_NAME_COLUMNS if c in attrs]
    styles: dict[str, Any] = {}  # one shared style per value of ``kind``
    kml = simplekml.Kml(name=layer)
    doc = kml.document
    doc.name = layer
    for i, row in enumerate(gdf.itertuples(index=False)):
        values = dict(zip(gdf.columns, row, strict=True))
        geom = values[geom_col]
        if geom is None or geom.is_empty:
            continue
        name = next((v for v in (_kml_value(values[c]) for c in name_cols) if v), "")
        description = "<br/>".join(
            f"<b>{html.escape(str(c))}</b>: {html.escape(_kml_value(values[c]))}" for c in attrs
        )
        kind = str(values.get("kind", "")).lower()
        style = styles.get(kind) or styles.setdefault(kind, _kml_style(kind))
        is_single = isinstance(geom, shapely.Polygon | shapely.LineString | shapely.Point)
        target = doc if is_single else doc.newmultigeometry()
        features = _kml_add_geometry(target, geom)
        styled = [target] if not is_single else features
        for feat in styled:
            feat.name = name or f"{layer} {i + 1}"
            feat.description = description
            feat.style = style
    write_text_atomic(path, kml.kml(format=True))


# --------------------------------------------------------------------------- public API


def export_layer(
    gdf: gpd.GeoDataFrame,
    path: str | Path,
    *,
    format: str | None = None,
    layer: str | None = None,
    name_column: str | None = None,
) -> Path:
    """Write a layer to a GIS file, atomically, in EPSG:4326.

    Parameters
    ----------
    gdf : geopandas.GeoDataFrame
        The layer; any CRS (reprojected to EPSG:4326), which must be set.
    path : str or pathlib.Path
        The file to write; its folder is created if missing.
    format : {"geojson", "parquet", "gpkg", "kml"}, optional
        The format; inferred from the suffix when omitted (``.geojson``/``.json``,
        ``.parquet``/``.geoparquet``, ``.gpkg``, ``.kml``).

        - ``geojson``: RFC 7946 (no ``crs`` member), coordinates rounded to
          6 decimals (about 0.1 m), dates and timestamps as ISO 8601 strings.
        - ``parquet``: GeoParquet 1.1 (pyarrow, zstd), dates kept as typed values.
        - ``gpkg``: GeoPackage for QGIS, one named layer; writing to an existing
          file adds the layer (or replaces a layer of the same name) on a copy
          that then replaces the file.
        - ``kml``: for Google Earth; one placemark per row (polygons, lines,
          points; multi-part geometries as MultiGeometry), named from ``name_column``
          (default: the first non-empty of ``name``, ``label``, ``title``,
          ``settlement``, ``sector``, ``kind``), the attributes in the description.
    layer : str, optional
        Layer name (GeoPackage layer, KML document name); default: the file stem.
    name_column : str, optional
        KML only: the column that names placemarks.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ConfigError
        Unknown format or suffix (the message lists the supported ones).
    DataError
        ``gdf`` is not a GeoDataFrame, has no CRS, or lacks ``name_column``.
    """
    target = Path(path)
    fmt = layer_format(target, format)
    data = _to_4326(gdf, target)
    layer_name = layer or target.stem
    target.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "geojson":
        _write_geojson(data, target, layer_name)
    elif fmt == "parquet":
        _write_parquet(data, target)
    elif fmt == "gpkg":
        _write_gpkg(data, target, layer_name)
    else:
        _write_kml(data, target, layer_name, name_column)
    log.info("exported %d features to %s (%s)", len(data), target, fmt)
    return target


def export_table(df: pd.DataFrame, path: str | Path, *, format: str | None = None) -> Path:
    """Write a table (e.g. the daily series) to CSV or JSON, atomically.

    Parameters
    ----------
    df : pandas.DataFrame
        The table; a geometry column, if any, is written as WKT.
    path : str or pathlib.Path
        The file to write; its folder is created if missing.
    format : {"csv", "json"}, optional
        Inferred from the suffix (``.csv``, ``.json``) when omitted. CSV has a
        header row and no index; JSON is a list of records. Dates and timestamps
        are ISO 8601 strings (a date for midnight timestamps), missing values are
        empty (CSV) or ``null`` (JSON).

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ConfigError
        Unknown format or suffix (the message lists the supported ones).
    """
    target = Path(path)
    fmt = table_format(target, format)
    data = pd.DataFrame(df).copy()
    if isinstance(df, gpd.GeoDataFrame):
        geom = df.geometry.name
        data[geom] = shapely.to_wkt(np.asarray(df.geometry.values), rounding_precision=6)
        data = pd.DataFrame(data)
    data = _dates_to_iso(data, only_objects=False)
    target.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        text = data.to_csv(index=False, lineterminator="\n")
    else:
        text = data.to_json(orient="records", date_format="iso", force_ascii=False, indent=1)
        text = (text or "[]") + "\n"
    write_text_atomic(target, text)
    log.info("exported %d rows to %s (%s)", len(data), target, fmt)
    return target
