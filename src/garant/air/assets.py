"""Protected assets: settlements, nuclear power plants, ports, energy sites, user layers.

An *asset* is something worth protecting, with a position and a **weight** in
"population-equivalent": a settlement weighs its population; a facility weighs what its
kind is worth (``[kinds]`` in ``garant/data/air/assets.toml``, each weight with the
assumption behind it) or its own ``weight``. The weights are a modelling choice, not a
measurement: edit the TOML, pass ``weights={"npp": ...}``, or load your own file.

:func:`load_assets` combines the bundled facilities with the bundled settlements (GeoNames);
:func:`read_asset_layer` reads any user layer (GeoJSON, GeoPackage, Shapefile, CSV with
lon/lat) into the same table. Every table is a GeoDataFrame in EPSG:4326 with the columns
of :data:`ASSET_COLUMNS`.
"""

from __future__ import annotations

import logging
import math
import os
import tomllib
from collections.abc import Mapping
from importlib.resources import files
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from garant.errors import DataError, NotFoundError
from garant.sources.geography import settlements

__all__ = [
    "ASSET_COLUMNS",
    "ASSET_KINDS",
    "ASSET_STATUSES",
    "DEFAULT_MIN_POPULATION",
    "asset_kind_weights",
    "load_assets",
    "read_asset_layer",
]

logger = logging.getLogger(__name__)

#: Kinds of asset. ``settlement`` weighs its population; the others take their weight from
#: the ``[kinds]`` table of the asset file.
ASSET_KINDS: tuple[str, ...] = (
    "settlement",
    "npp",
    "port",
    "power_thermal",
    "power_hydro",
    "substation",
    "government",
    "other",
)
#: States of a facility: ``occupied`` means under Russian control (still listed, flagged).
ASSET_STATUSES: tuple[str, ...] = ("operating", "damaged", "occupied", "unknown")
#: Columns of every asset table, in order.
ASSET_COLUMNS: tuple[str, ...] = (
    "asset_id",
    "name",
    "kind",
    "weight",
    "population",
    "status",
    "source",
    "geometry",
)
#: Settlements below this population are left out by default (of the 5,244 bundled GeoNames
#: places with >= 500 inhabitants, the 416 with >= 10,000 hold 75 % of the listed population).
DEFAULT_MIN_POPULATION = 10_000

_ENTRY_KEYS = {
    "id",
    "name",
    "kind",
    "status",
    "lon",
    "lat",
    "source",
    "capacity_mw",
    "note",
    "weight",
    "weight_assumption",
}
_REQUIRED = ("id", "name", "kind", "lon", "lat", "source")
_GEONAMES_SOURCE = "GeoNames (geonames.org, CC BY 4.0), geonameid {}"
_LON_NAMES = ("lon", "lng", "long", "longitude", "x")
_LAT_NAMES = ("lat", "latitude", "y")


def _bundled_path() -> Any:
    return files("garant") / "data" / "air" / "assets.toml"


def _read_toml(path: str | os.PathLike[str] | None) -> tuple[str, dict[str, Any]]:
    if path is None:
        res = _bundled_path()
        label = "garant/data/air/assets.toml"
        try:
            text = res.read_text(encoding="utf-8")
        except OSError as exc:  # pragma: no cover - broken installation
            raise DataError(f"{label}: cannot read ({exc})") from exc
    else:
        p = Path(path)
        label = str(p)
        if not p.is_file():
            raise NotFoundError(f"{label}: asset file not found")
        try:
            text = p.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise DataError(f"{label}: cannot read ({exc})") from exc
    try:
        return label, tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DataError(f"{label}: not valid TOML ({exc})") from exc


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _parse_kinds(label: str, doc: dict[str, Any], problems: list[str]) -> dict[str, float]:
    kinds = doc.get("kinds", {})
    weights: dict[str, float] = {}
    if not isinstance(kinds, dict):
        problems.append(f"{label}: [kinds] must be a table")
        return weights
    for kind, spec in kinds.items():
        where = f"{label}: kinds.{kind}"
        if kind not in ASSET_KINDS or kind == "settlement":
            allowed = [k for k in ASSET_KINDS if k != "settlement"]
            problems.append(f"{where}: unknown kind (allowed: {allowed})")
            continue
        if not isinstance(spec, dict):
            problems.append(f"{where}: must be a table with weight and assumption")
            continue
        unknown = set(spec) - {"weight", "assumption", "source"}
        if unknown:
            problems.append(f"{where}: unknown keys {sorted(unknown)}")
        w: Any = spec.get("weight")
        if not _is_number(w) or w < 0:
            problems.append(f"{where}: weight must be a number >= 0, got {w!r}")
            continue
        if not (spec.get("assumption") or spec.get("source")):
            problems.append(f"{where}: weight {w} needs an 'assumption' or a 'source'")
        weights[kind] = float(w)
    return weights


def _parse_entries(
    label: str, doc: dict[str, Any], weights: Mapping[str, float], problems: list[str]
) -> list[dict[str, Any]]:
    entries = doc.get("asset", [])
    if not isinstance(entries, list):
        problems.append(f"{label}: 'asset' must be an array of tables ([[asset]])")
        return []
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            problems.append(f"{label}: asset entry {i} is not a table")
            continue
        ident = entry.get("id")
        where = f"{label}: asset {ident!r} (entry {i})" if ident else f"{label}: asset entry {i}"
        before = len(problems)
        unknown = set(entry) - _ENTRY_KEYS
        if unknown:
            problems.append(f"{where}: unknown keys {sorted(unknown)}")
        missing = [k for k in _REQUIRED if entry.get(k) in (None, "")]
        if missing:
            problems.append(f"{where}: missing {missing}")
        if ident is not None:
            if not isinstance(ident, str) or not ident.replace("_", "").isalnum():
                problems.append(f"{where}: id must be letters, digits and '_'")
            elif ident in seen:
                problems.append(f"{where}: duplicate id")
            seen.add(str(ident))
        kind = entry.get("kind")
        if kind is not None and (kind not in ASSET_KINDS or kind == "settlement"):
            allowed = [k for k in ASSET_KINDS if k != "settlement"]
            problems.append(f"{where}: unknown kind {kind!r} (allowed: {allowed})")
        status = entry.get("status", "operating")
        if status not in ASSET_STATUSES:
            problems.append(f"{where}: unknown status {status!r} (allowed: {list(ASSET_STATUSES)})")
        lon, lat = entry.get("lon"), entry.get("lat")
        if lon is not None and (not _is_number(lon) or not -180 <= lon <= 180):
            problems.append(f"{where}: lon must be a number in [-180, 180], got {lon!r}")
        if lat is not None and (not _is_number(lat) or not -90 <= lat <= 90):
            problems.append(f"{where}: lat must be a number in [-90, 90], got {lat!r}")
        if "capacity_mw" in entry and (
            not _is_number(entry["capacity_mw"]) or entry["capacity_mw"] < 0
        ):
            problems.append(f"{where}: capacity_mw must be a number >= 0")
        weight: Any = entry.get("weight")
        if weight is not None:
            if not _is_number(weight) or weight < 0:
                problems.append(f"{where}: weight must be a number >= 0, got {weight!r}")
            elif not entry.get("weight_assumption"):
                problems.append(f"{where}: an own weight needs a 'weight_assumption'")
        elif kind in ASSET_KINDS and kind not in weights:
            problems.append(f"{where}: kind {kind!r} has no weight in [kinds] and none is given")
        if len(problems) > before:
            continue
        rows.append(
            {
                "asset_id": str(ident),
                "name": str(entry["name"]),
                "kind": str(kind),
                "weight": float(weight) if weight is not None else float(weights[str(kind)]),
                "population": 0,
                "status": str(status),
                "source": " ".join(str(entry["source"]).split()),
                "geometry": shapely.Point(float(lon), float(lat)),  # type: ignore[arg-type]
            }
        )
    return rows


def asset_kind_weights(path: str | os.PathLike[str] | None = None) -> dict[str, float]:
    """The weight of each asset kind, population-equivalent.

    Parameters
    ----------
    path : str or os.PathLike, optional
        An asset file (TOML, the bundled schema); default: the bundled file.

    Returns
    -------
    dict of str to float
        Kind to weight (``settlement`` is absent: a settlement weighs its population).

    Raises
    ------
    DataError
        The ``[kinds]`` table is malformed (every problem is listed).
    """
    label, doc = _read_toml(path)
    problems: list[str] = []
    weights = _parse_kinds(label, doc, problems)
    if problems:
        raise DataError("; ".join(problems))
    return weights


def _empty_assets() -> gpd.GeoDataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in ASSET_COLUMNS[:-1]})
    return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries([], crs=4326), crs=4326)


def _frame(rows: list[dict[str, Any]]) -> gpd.GeoDataFrame:
    if not rows:
        return _empty_assets()
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs=4326)
    gdf["weight"] = gdf["weight"].astype(float)
    gdf["population"] = gdf["population"].astype(np.int64)
    return gdf[list(ASSET_COLUMNS)]


def load_assets(
    path: str | os.PathLike[str] | None = None,
    *,
    include_settlements: bool = True,
    min_population: int = DEFAULT_MIN_POPULATION,
    weights: Mapping[str, float] | None = None,
    include_occupied: bool = True,
) -> gpd.GeoDataFrame:
    """The protected assets: facilities from an asset file plus settlements.

    Parameters
    ----------
    path : str or os.PathLike, optional
        Asset file (TOML) in the schema of the bundled ``garant/data/air/assets.toml``
        (``[kinds.<kind>]`` with ``weight`` and ``assumption``; ``[[asset]]`` entries with
        ``id``, ``name``, ``kind``, ``lon``, ``lat``, ``source``, optional ``status``,
        ``capacity_mw``, ``note``, ``weight`` + ``weight_assumption``). Default: the bundled
        file (4 NPPs, 6 ports, 10 power plants, the Kyiv government quarter).
    include_settlements : bool, default True
        Add the bundled GeoNames settlements (``kind='settlement'``, weight = population).
    min_population : int
        Settlements with fewer inhabitants are left out.
    weights : mapping of str to float, optional
        Weights per kind that replace the file's ``[kinds]`` weights (population-equivalent).
        Entries with their own ``weight`` keep it.
    include_occupied : bool, default True
        Keep facilities whose status is ``occupied`` (e.g. Zaporizhzhia NPP).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns :data:`ASSET_COLUMNS`: ``asset_id`` (settlements ``geonames:<id>``), ``name``,
        ``kind``, ``weight`` (population-equivalent), ``population`` (inhabitants, 0 for
        facilities), ``status``, ``source``, ``geometry`` (Point, EPSG:4326). Facilities
        first, then settlements by decreasing population.

    Raises
    ------
    NotFoundError
        ``path`` does not exist.
    DataError
        The file is malformed: unknown kind or status, missing or out-of-range
        coordinates, negative weight, duplicate id... All problems are listed, each naming
        the file and the entry.
    """
    label, doc = _read_toml(path)
    problems: list[str] = []
    version = doc.get("schema_version", 1)
    if version != 1:
        problems.append(f"{label}: schema_version {version!r} is not supported (expected 1)")
    kind_weights = _parse_kinds(label, doc, problems)
    if weights:
        for kind, w in weights.items():
            if kind not in ASSET_KINDS or kind == "settlement":
                problems.append(f"weights: unknown kind {kind!r}")
            elif not _is_number(w) or w < 0:
                problems.append(f"weights: {kind} must be a number >= 0, got {w!r}")
            else:
                kind_weights[kind] = float(w)
    unknown_top = set(doc) - {"schema_version", "kinds", "asset"}
    if unknown_top:
        problems.append(f"{label}: unknown top-level keys {sorted(unknown_top)}")
    rows = _parse_entries(label, doc, kind_weights, problems)
    if problems:
        raise DataError("; ".join(problems))
    facilities = _frame(rows)
    if weights:
        own = {
            str(e.get("id"))
            for e in doc.get("asset", [])
            if isinstance(e, dict) and e.get("weight") is not None
        }
        mask = ~facilities["asset_id"].isin(own)
        facilities.loc[mask, "weight"] = facilities.loc[mask, "kind"].map(kind_weights)
    if not include_occupied:
        facilities = facilities[facilities["status"] != "occupied"].reset_index(drop=True)
    logger.debug("read %d facilities from %s", len(facilities), label)
    if not include_settlements:
        return facilities
    towns = settlements(min_population=int(min_population))
    towns = towns.sort_values(["population", "geonameid"], ascending=[False, True])
    town_rows = gpd.GeoDataFrame(
        {
            "asset_id": [f"geonames:{g}" for g in towns["geonameid"]],
            "name": towns["name"].astype(str).to_numpy(),
            "kind": "settlement",
            "weight": towns["population"].to_numpy(dtype=float),
            "population": towns["population"].to_numpy(dtype=np.int64),
            "status": "operating",
            "source": [_GEONAMES_SOURCE.format(g) for g in towns["geonameid"]],
        },
        geometry=towns.geometry.to_numpy(),
        crs=4326,
    )
    out = pd.concat([facilities, town_rows[list(ASSET_COLUMNS)]], ignore_index=True)
    return gpd.GeoDataFrame(out, geometry="geometry", crs=4326)


# ----------------------------------------------------------------------------- user layers


def _pick(columns: list[str], wanted: str | None, candidates: tuple[str, ...]) -> str | None:
    if wanted is not None:
        return wanted if wanted in columns else None
    lower = {c.lower(): c for c in columns}
    return next((lower[c] for c in candidates if c in lower), None)


def _read_csv_points(
    path: Path, lon_column: str | None, lat_column: str | None
) -> gpd.GeoDataFrame:
    try:
        df = pd.read_csv(path)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise DataError(f"{path}: cannot read as CSV ({exc})") from exc
    cols = [str(c) for c in df.columns]
    lon = _pick(cols, lon_column, _LON_NAMES)
    lat = _pick(cols, lat_column, _LAT_NAMES)
    if lon is None or lat is None:
        raise DataError(
            f"{path}: no longitude/latitude columns (looked for "
            f"{lon_column or '/'.join(_LON_NAMES)} and {lat_column or '/'.join(_LAT_NAMES)}; "
            f"has {cols})"
        )
    x = pd.to_numeric(df[lon], errors="coerce").to_numpy(dtype=float)
    y = pd.to_numeric(df[lat], errors="coerce").to_numpy(dtype=float)
    bad = ~(np.isfinite(x) & np.isfinite(y)) | (np.abs(x) > 180) | (np.abs(y) > 90)
    if bad.any():
        rows = (np.flatnonzero(bad) + 2).tolist()[:5]  # +2: header line, 1-based
        raise DataError(
            f"{path}: missing or invalid coordinates in columns {lon}/{lat} "
            f"on line(s) {rows}{' ...' if bad.sum() > 5 else ''}"
        )
    return gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(x, y), crs=4326)


def read_asset_layer(
    path: str | os.PathLike[str],
    *,
    weight_column: str | None = "weight",
    name_column: str | None = None,
    id_column: str | None = None,
    kind: str | None = None,
    kind_column: str | None = None,
    lon_column: str | None = None,
    lat_column: str | None = None,
    source: str | None = None,
) -> gpd.GeoDataFrame:
    """Read a user-supplied layer of assets into the asset table.

    Parameters
    ----------
    path : str or os.PathLike
        GeoJSON, GeoPackage, Shapefile or any OGR format (read with pyogrio), or a CSV
        with longitude/latitude columns (WGS84). Layers in another CRS are reprojected to
        EPSG:4326; polygons and lines are represented by a point inside them.
    weight_column : str or None, default "weight"
        Column with each asset's weight (population-equivalent, >= 0). ``None``: every
        asset weighs 1.
    name_column : str, optional
        Column with names (default: ``name`` if present, else the id).
    id_column : str, optional
        Column with ids (default: ``id``/``asset_id`` if present, else ``<file stem>:<row>``).
    kind : str, optional
        Kind of every asset (one of :data:`ASSET_KINDS`; default ``other``), unless
        ``kind_column`` is given.
    kind_column : str, optional
        Column with each asset's kind.
    lon_column, lat_column : str, optional
        CSV coordinate columns (default: the first of lon/lng/longitude/x and lat/latitude/y,
        any case).
    source : str, optional
        Source recorded on every row (default: the file name); a ``source`` column wins.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns :data:`ASSET_COLUMNS`; ``population`` is the weight for settlements, else 0.

    Raises
    ------
    NotFoundError
        The file does not exist.
    DataError
        Unreadable file, missing columns (the message lists those present), missing or
        invalid coordinates, negative or non-numeric weights, unknown kinds.
    """
    p = Path(path)
    if not p.is_file():
        raise NotFoundError(f"{p}: asset layer not found")
    if p.suffix.lower() in (".csv", ".txt"):
        gdf = _read_csv_points(p, lon_column, lat_column)
    else:
        try:
            gdf = gpd.read_file(p)
        except Exception as exc:  # pyogrio raises its own DataSourceError and others
            raise DataError(f"{p}: cannot read as a vector layer ({exc})") from exc
        if gdf.crs is None:
            logger.info("%s: no CRS, assuming EPSG:4326", p)
            gdf = gdf.set_crs(4326)
        elif gdf.crs.to_epsg() != 4326:
            gdf = gdf.to_crs(4326)
    if gdf.empty:
        raise DataError(f"{p}: no features")
    cols = [str(c) for c in gdf.columns if c != gdf.geometry.name]
    geoms = gdf.geometry.to_numpy()
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if empty.any():
        raise DataError(f"{p}: feature(s) {np.flatnonzero(empty)[:5].tolist()} have no geometry")
    not_point = shapely.get_type_id(geoms) != 0
    if not_point.any():
        logger.info("%s: %d non-point features represented by a point", p, int(not_point.sum()))
        geoms = np.where(not_point, shapely.point_on_surface(geoms), geoms)

    def column(name: str | None, what: str) -> pd.Series | None:
        if name is None:
            return None
        if name not in cols:
            raise DataError(f"{p}: no {what} column {name!r} (has {cols})")
        return gdf[name]

    n = len(gdf)
    w = column(weight_column, "weight")
    if w is None:
        weight = np.ones(n)
    else:
        weight = pd.to_numeric(w, errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(weight) | (weight < 0)
        if bad.any():
            idx = np.flatnonzero(bad)[:5].tolist()
            vals = [w.iloc[i] for i in idx]
            raise DataError(
                f"{p}: column {weight_column!r} must hold numbers >= 0; "
                f"feature(s) {idx} have {vals}"
            )
    ids = column(id_column or _pick(cols, None, ("asset_id", "id")), "id")
    asset_id = (
        ids.astype(str).to_numpy() if ids is not None else [f"{p.stem}:{i}" for i in range(n)]
    )
    if len(set(asset_id)) != n:
        raise DataError(f"{p}: ids are not unique")
    names = column(name_column or _pick(cols, None, ("name",)), "name")
    name = names.astype(str).to_numpy() if names is not None else np.asarray(asset_id)
    kinds = column(kind_column, "kind")
    if kinds is not None:
        kind_arr = kinds.astype(str).to_numpy()
    else:
        kind_arr = np.full(n, kind or "other", dtype=object)
    unknown = sorted(set(kind_arr) - set(ASSET_KINDS))
    if unknown:
        raise DataError(f"{p}: unknown kind(s) {unknown} (allowed: {list(ASSET_KINDS)})")
    src_col = _pick(cols, None, ("source",))
    src = gdf[src_col].astype(str).to_numpy() if src_col else np.full(n, source or p.name)
    population = np.where(kind_arr == "settlement", np.round(weight), 0).astype(np.int64)
    stat_col = _pick(cols, None, ("status",))
    status = gdf[stat_col].astype(str).to_numpy() if stat_col else np.full(n, "unknown")
    out = gpd.GeoDataFrame(
        {
            "asset_id": asset_id,
            "name": name,
            "kind": kind_arr,
            "weight": weight,
            "population": population,
            "status": status,
            "source": src,
        },
        geometry=geoms,
        crs=4326,
    )
    logger.debug("read %d assets from %s", n, p)
    return out[list(ASSET_COLUMNS)]
