"""Sea geography of the Black Sea mission: water, territorial seas, approximate EEZs.

The water polygon is the box lon 27–42, lat 40.5–47.5 minus the land of the
bundled countries (:func:`garant.sources.geography.countries`, Natural Earth
1:10m), keeping the connected part that holds the Black Sea (the Sea of Azov
joins it through the Kerch Strait). At 1:10m the Bosphorus is a thin sliver that
connects the Sea of Marmara; the water is cut at the Bosphorus northern entrance
(south of lat :data:`BOSPHORUS_CUT_LAT` and west of lon 29.6), so Marmara is out
of scope. The Kerch Strait (~4 km) and the Bosphorus (~0.7 km) are narrower than
the grid cells; ports and the Bosphorus entrance therefore snap to the nearest
water cell (:mod:`garant.sea.routing`).

Territorial seas are 12 nautical-mile (22.224 km) buffers of each littoral
state's land, built in the metric CRS :data:`garant.frontline.line.METRIC_CRS`,
clipped to the water and to that state's approximate EEZ (so neighbours do not
overlap). The EEZs are an **approximation**: a nearest-coast (Voronoi) partition
of the water by country, not the delimited boundaries (e.g. the 2009 ICJ
Romania v. Ukraine judgment). The coast of Crimea is labelled as the bundled
country data label it (Ukraine).

The river ports Izmail and Reni reach the sea along the Danube fairways of
``garant/data/sea/danube.toml`` (:func:`fairways`): approximate polylines of the
main Danube, the Kiliia arm with the Bystre mouth, and the Tulcea arm with the
Sulina channel, which :mod:`garant.sea.routing` joins to the sea grid.
"""

from __future__ import annotations

import functools
import logging
import math
import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Geod
from shapely.geometry import LineString, MultiPoint, Polygon, box
from shapely.geometry.base import BaseGeometry

from garant.errors import ConfigError
from garant.frontline.line import METRIC_CRS, to_metric
from garant.sources.geography import countries

__all__ = [
    "BBOX",
    "BOSPHORUS_CUT_LAT",
    "LITTORAL",
    "NATO_LITTORAL",
    "TERRITORIAL_SEA_KM",
    "Fairway",
    "eez_approx",
    "fairways",
    "parse_fairways",
    "territorial_seas",
    "water",
    "water_metric",
]

logger = logging.getLogger(__name__)

BBOX: tuple[float, float, float, float] = (27.0, 40.5, 42.0, 47.5)
"""The box (lon_min, lat_min, lon_max, lat_max) in degrees the water is cut from."""

BOSPHORUS_CUT_LAT = 41.20
"""Latitude in degrees south of which (west of lon 29.6) the water is dropped."""

TERRITORIAL_SEA_KM = 12 * 1.852
"""Breadth of the territorial sea: 12 nautical miles in km (UNCLOS art. 3)."""

LITTORAL: tuple[str, ...] = ("BGR", "GEO", "ROU", "RUS", "TUR", "UKR")
"""ISO 3166 alpha-3 codes of the littoral states of the Black Sea and Azov."""

NATO_LITTORAL: frozenset[str] = frozenset({"BGR", "ROU", "TUR"})
"""The littoral states that are NATO members."""

_COAST_STEP_M = 2_000.0


@functools.cache
def water() -> Polygon:
    """Return the water polygon of the Black Sea and the Sea of Azov.

    Returns
    -------
    shapely Polygon
        EPSG:4326 (lon, lat), degrees. Cached; do not mutate.
    """
    land = shapely.union_all(countries().geometry.to_numpy())
    sea = box(*BBOX).difference(land).difference(box(BBOX[0], BBOX[1], 29.6, BOSPHORUS_CUT_LAT))
    parts = list(getattr(sea, "geoms", [sea]))
    main = max(parts, key=lambda g: g.area)
    if not isinstance(main, Polygon):  # pragma: no cover - a difference of polygons
        raise TypeError(f"water: expected a Polygon, got {main.geom_type}")
    logger.debug("water: kept 1 of %d parts (%.2f deg2)", len(parts), main.area)
    shapely.prepare(main)
    return main


@functools.cache
def water_metric() -> BaseGeometry:
    """Return :func:`water` projected to :data:`~garant.frontline.line.METRIC_CRS` (m)."""
    return to_metric(water())


def _coast_points() -> tuple[np.ndarray, np.ndarray]:
    """Return points along each littoral state's coast (metric, m) and their country codes."""
    wm = water_metric()
    near_water = wm.buffer(500.0)
    c = countries()
    xs: list[np.ndarray] = []
    labels: list[str] = []
    for iso, geom in zip(c["iso_a3"], c.geometry, strict=True):
        if iso not in LITTORAL:
            continue
        coast = to_metric(geom).boundary.intersection(near_water)
        if coast.is_empty:
            continue
        pts = shapely.get_coordinates(shapely.segmentize(coast, _COAST_STEP_M))
        xs.append(pts)
        labels.extend([iso] * len(pts))
    return np.vstack(xs), np.asarray(labels)


@functools.cache
def eez_approx() -> gpd.GeoDataFrame:
    """Partition the water by the nearest coast: approximate EEZs.

    Each piece of water belongs to the littoral state whose coast is nearest
    (a Voronoi partition of points every 2 km along the coasts). This is an
    approximation of the delimited EEZs, good to tens of km near borders.

    Returns
    -------
    GeoDataFrame
        Columns ``iso_a3``, ``area_km2`` (in the metric CRS, an equal-area LAEA)
        and ``geometry`` (EPSG:4326), one row per littoral state with water.
    """
    pts, labels = _coast_points()
    wm = water_metric()
    cells = shapely.voronoi_polygons(MultiPoint(pts), extend_to=wm.envelope)
    cell_geoms = np.asarray(list(cells.geoms), dtype=object)
    # voronoi_polygons does not keep the input order: match cells to points.
    tree = shapely.STRtree(np.asarray(shapely.points(pts), dtype=object))
    idx = tree.query(cell_geoms, predicate="contains")
    owner = np.empty(len(cell_geoms), dtype=object)
    owner[idx[0]] = labels[idx[1]]
    rows = []
    for iso in sorted(set(labels)):
        part = shapely.union_all(cell_geoms[owner == iso]).intersection(wm)
        if part.is_empty:
            continue
        rows.append({"iso_a3": iso, "area_km2": part.area / 1e6, "geometry": part})
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs=METRIC_CRS).to_crs(4326)
    return gdf.reset_index(drop=True)


@functools.cache
def territorial_seas() -> gpd.GeoDataFrame:
    """Return the 12 nm territorial seas of the littoral states.

    Returns
    -------
    GeoDataFrame
        Columns ``iso_a3``, ``nato`` (bool), ``area_km2`` and ``geometry``
        (EPSG:4326): each state's land buffered by 22.224 km in the metric CRS,
        clipped to the water and to the state's approximate EEZ.
    """
    wm = water_metric()
    eez = eez_approx().to_crs(METRIC_CRS).set_index("iso_a3").geometry
    c = countries().set_index("iso_a3").geometry
    rows = []
    for iso in eez.index:
        band = to_metric(c[iso]).buffer(TERRITORIAL_SEA_KM * 1000.0)
        part = band.intersection(wm).intersection(eez[iso])
        if part.is_empty:
            continue
        rows.append(
            {
                "iso_a3": iso,
                "nato": iso in NATO_LITTORAL,
                "area_km2": part.area / 1e6,
                "geometry": part,
            }
        )
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs=METRIC_CRS).to_crs(4326)
    return gdf.reset_index(drop=True)


_GEOD = Geod(ellps="WGS84")


@dataclass(frozen=True, slots=True)
class Fairway:
    """A river fairway to the sea (approximate polyline).

    Attributes
    ----------
    id : str
        Key in ``danube.toml`` (``"bystre"``).
    name : str
        Display name.
    line : LineString
        Waypoints in the direction of the current, EPSG:4326 degrees.
    sea_end : bool
        Whether the last point joins the sea grid.
    published_km : float or None
        The fairway length published by the cited source, km, if any.
    source : str
        Where the waypoints (and ``published_km``) come from.
    assumption : str
        What was read off or approximated ("" if nothing).
    """

    id: str
    name: str
    line: LineString
    sea_end: bool
    published_km: float | None
    source: str
    assumption: str

    @property
    def length_km(self) -> float:
        """Geodesic length of :attr:`line`, km."""
        return float(_GEOD.geometry_length(self.line)) / 1000.0


def parse_fairways(text: str, where: str = "danube.toml") -> dict[str, Fairway]:
    """Parse a fairway table (the format of the bundled ``danube.toml``).

    Parameters
    ----------
    text : str
        TOML text with a ``[fairways.<id>]`` table per fairway: ``name``,
        ``points`` (at least two ``[lon, lat]`` pairs), ``source``, optional
        ``sea_end`` (bool), ``published_km`` (> 0) and ``assumption``.
    where : str
        File name used in error messages.

    Returns
    -------
    dict of str to Fairway

    Raises
    ------
    ConfigError
        Not TOML, no fairways, a missing field, or a bad point or length.
    """
    try:
        raw = tomllib.loads(text).get("fairways")
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: not valid TOML ({exc})") from None
    if not isinstance(raw, dict) or not raw:
        raise ConfigError(f"{where}: no [fairways.<id>] tables")
    return {fid: _fairway(fid, entry, where) for fid, entry in raw.items()}


def _fairway(fid: str, entry: Any, where: str) -> Fairway:
    at = f"{where}: fairway {fid!r}"
    if not isinstance(entry, dict):
        raise ConfigError(f"{at}: expected a table")
    for key in ("name", "points", "source"):
        if key not in entry:
            raise ConfigError(f"{at}: missing field {key!r}")
    pts = entry["points"]
    try:
        xy = np.asarray(pts, dtype=np.float64)
    except (TypeError, ValueError):
        raise ConfigError(f"{at}: points must be [lon, lat] pairs") from None
    if xy.ndim != 2 or xy.shape[1] != 2 or len(xy) < 2:
        raise ConfigError(f"{at}: points must be at least two [lon, lat] pairs")
    if not (
        np.isfinite(xy).all() and (np.abs(xy[:, 0]) <= 180).all() and (np.abs(xy[:, 1]) <= 90).all()
    ):
        raise ConfigError(f"{at}: a point is not a valid lon/lat")
    published = entry.get("published_km")
    if published is not None and not (
        isinstance(published, int | float) and math.isfinite(published) and published > 0
    ):
        raise ConfigError(f"{at}: published_km {published!r} must be a number > 0")
    return Fairway(
        id=fid,
        name=str(entry["name"]),
        line=LineString(xy),
        sea_end=bool(entry.get("sea_end", False)),
        published_km=None if published is None else float(published),
        source=str(entry["source"]),
        assumption=str(entry.get("assumption", "")),
    )


@functools.cache
def fairways() -> dict[str, Fairway]:
    """Return the bundled Danube fairways (``garant/data/sea/danube.toml``) by id.

    Returns
    -------
    dict of str to Fairway

    Raises
    ------
    ConfigError
        If the bundled file is malformed.
    """
    text = resources.files("garant.data").joinpath("sea").joinpath("danube.toml").read_text("utf-8")
    return parse_fairways(text)
