"""Named sectors of the front, defined by anchor points.

A *sector* is a named stretch of the line of contact ("the Pokrovsk direction").
Each sector has one or more anchor points; a place belongs to the sector of its
nearest anchor, measured in :data:`garant.frontline.line.METRIC_CRS`, i.e. the
sectors are the cells of a Voronoi partition of the anchors. The bundled
catalogue is ``garant/data/sectors.toml``; users can pass their own file to
:func:`load_sectors`.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from shapely.geometry.base import BaseGeometry

from garant.errors import ConfigError
from garant.frontline.line import _TO_METRIC, part_lengths_km, to_metric

__all__ = ["SectorSpec", "Sectors", "line_by_sector", "load_sectors"]


class SectorSpec(BaseModel):
    """One sector as written in the catalogue (unknown keys are rejected).

    Attributes
    ----------
    name : str
        Display name, e.g. ``"Pokrovsk"``.
    anchors : list of (lon, lat)
        Anchor points in EPSG:4326 degrees, inside the region of Ukraine.
    source : str
        Where the name and the extent come from.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    anchors: list[tuple[float, float]] = Field(min_length=1)
    source: str = Field(min_length=1)

    @field_validator("anchors")
    @classmethod
    def _in_region(cls, v: list[tuple[float, float]]) -> list[tuple[float, float]]:
        for lon, lat in v:
            if not (20.0 <= lon <= 42.0 and 43.0 <= lat <= 53.5):
                raise ValueError(
                    f"anchor ({lon}, {lat}) is outside the region of Ukraine (lon, lat order?)"
                )
        return v


class _Catalogue(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = 1
    sector: list[SectorSpec] = Field(min_length=1)


@dataclass(frozen=True, eq=False)
class Sectors:
    """A validated set of sectors with a nearest-anchor lookup.

    Attributes
    ----------
    specs : tuple of SectorSpec
        The sectors, in catalogue order.
    path : str
        Where they were loaded from (for messages).
    """

    specs: tuple[SectorSpec, ...]
    path: str = "<memory>"

    def __post_init__(self) -> None:
        names = [s.name for s in self.specs]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise ConfigError(f"{self.path}: duplicate sector names {dup}")
        lonlat = np.array([a for s in self.specs for a in s.anchors], dtype=float)
        owner = np.array([i for i, s in enumerate(self.specs) for _ in s.anchors])
        x, y = _TO_METRIC.transform(lonlat[:, 0], lonlat[:, 1])
        object.__setattr__(self, "_xy", np.column_stack([x, y]))
        object.__setattr__(self, "_owner", owner)

    @property
    def names(self) -> list[str]:
        """Sector names in catalogue order."""
        return [s.name for s in self.specs]

    def assign(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """Return the sector name of each point (nearest anchor, metric distance).

        Parameters
        ----------
        lon, lat : numpy.ndarray
            Coordinates in EPSG:4326 degrees.

        Returns
        -------
        numpy.ndarray
            Object array of sector names, one per point.
        """
        lon = np.atleast_1d(np.asarray(lon, dtype=float))
        lat = np.atleast_1d(np.asarray(lat, dtype=float))
        if lon.size == 0:
            return np.array([], dtype=object)
        x, y = _TO_METRIC.transform(lon, lat)
        xy: np.ndarray = self._xy  # type: ignore[attr-defined]
        d2 = (x[:, None] - xy[None, :, 0]) ** 2 + (y[:, None] - xy[None, :, 1]) ** 2
        idx = self._owner[np.argmin(d2, axis=1)]  # type: ignore[attr-defined]
        return np.array(self.names, dtype=object)[idx]

    @cached_property
    def _cells(self) -> gpd.GeoDataFrame:
        return self._build_cells()

    def cells(self) -> gpd.GeoDataFrame:
        """Voronoi cells of the sectors (EPSG:4326), one row per sector.

        Returns
        -------
        geopandas.GeoDataFrame
            Columns ``sector`` and ``geometry``; cells are clipped to a box
            2,000 km around the anchors (far larger than Ukraine) and densified
            every 5 km so that their edges stay straight in the metric CRS.
        """
        return self._cells.copy()

    def _build_cells(self) -> gpd.GeoDataFrame:
        xy: np.ndarray = self._xy  # type: ignore[attr-defined]
        pts = shapely.multipoints(xy)
        x0, y0 = xy.min(axis=0) - 2e6
        x1, y1 = xy.max(axis=0) + 2e6
        extent = shapely.box(x0, y0, x1, y1)
        if len(xy) == 1:
            cells = [extent]
        else:
            vor = shapely.voronoi_polygons(pts, extend_to=extent)
            cells = [shapely.intersection(c, extent) for c in shapely.get_parts(vor)]
        # voronoi_polygons does not keep input order: match cells to anchors.
        anchor_owner: np.ndarray = self._owner  # type: ignore[attr-defined]
        owner = np.empty(len(cells), dtype=int)
        pts_arr = shapely.points(xy)
        for i, c in enumerate(cells):
            owner[i] = anchor_owner[int(np.flatnonzero(shapely.intersects(c, pts_arr))[0])]
        geoms = []
        for k in range(len(self.specs)):
            cell = shapely.union_all([cells[i] for i in np.flatnonzero(owner == k)])
            geoms.append(to_metric(shapely.segmentize(cell, 5000.0), inverse=True))
        return gpd.GeoDataFrame({"sector": self.names}, geometry=geoms, crs=4326)


def _format_errors(path: str, err: ValidationError, raw: dict[str, Any]) -> str:
    parts = []
    for e in err.errors():
        loc = list(e["loc"])
        where = ""
        if len(loc) >= 2 and loc[0] == "sector" and isinstance(loc[1], int):
            try:
                name = raw["sector"][loc[1]].get("name", "?")
            except (KeyError, IndexError, AttributeError, TypeError):
                name = "?"
            where = f"sector[{loc[1]}] ({name!r})"
            loc = loc[2:]
        field = ".".join(str(x) for x in loc)
        where = f"{where}.{field}" if where and field else (where or field)
        parts.append(f"{where}: {e['msg']}")
    return f"{path}: " + "; ".join(parts)


def load_sectors(path: str | Path | None = None) -> Sectors:
    """Load and validate a sector catalogue.

    Parameters
    ----------
    path : str or Path, optional
        A TOML file with ``[[sector]]`` tables (``name``, ``anchors``,
        ``source``); defaults to the bundled ``garant/data/sectors.toml``.

    Returns
    -------
    Sectors

    Raises
    ------
    ConfigError
        The file is missing, is not TOML, has unknown keys, anchors outside the
        region of Ukraine, or duplicate names. The message names the file and the
        field.
    """
    if path is None:
        ref = resources.files("garant").joinpath("data/sectors.toml")
        label = "garant/data/sectors.toml"
        text = ref.read_text(encoding="utf-8")
    else:
        label = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"{label}: cannot read sector catalogue ({exc.strerror})") from exc
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{label}: not valid TOML ({exc})") from exc
    try:
        cat = _Catalogue.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(_format_errors(label, exc, raw)) from None
    return Sectors(specs=tuple(cat.sector), path=label)


def line_by_sector(line: BaseGeometry, sectors: Sectors | None = None) -> gpd.GeoDataFrame:
    """Split a line of contact into sectors.

    Every vertex goes to the sector of its nearest anchor; a segment whose ends
    fall in two sectors is cut at the Voronoi edge.

    Parameters
    ----------
    line : BaseGeometry
        The line of contact, (Multi)LineString in EPSG:4326.
    sectors : Sectors, optional
        Defaults to the bundled catalogue.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``sector``, ``length_km`` (geodesic) and ``geometry``
        (MultiLineString, EPSG:4326), one row per sector that the line crosses,
        in catalogue order.
    """
    sectors = sectors or load_sectors()
    rows: list[dict[str, Any]] = []
    if line is not None and not line.is_empty:
        cells = sectors.cells()
        for name, cell in zip(cells["sector"], cells.geometry, strict=True):
            piece = shapely.intersection(line, cell)
            if piece.is_empty:
                continue
            piece = shapely.line_merge(
                shapely.multilinestrings(
                    [p for p in shapely.get_parts(piece) if p.geom_type == "LineString"]
                )
            )
            length = float(part_lengths_km(piece).sum())
            if length > 0:
                rows.append({"sector": name, "length_km": length, "geometry": piece})
    if not rows:
        return gpd.GeoDataFrame(
            {"sector": [], "length_km": []}, geometry=gpd.GeoSeries([], crs=4326), crs=4326
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=4326)
