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
"""

from __future__ import annotations

import functools
import logging

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry import MultiPoint, Polygon, box
from shapely.geometry.base import BaseGeometry

from garant.frontline.line import METRIC_CRS, to_metric
from garant.sources.geography import countries

__all__ = [
    "BBOX",
    "BOSPHORUS_CUT_LAT",
    "LITTORAL",
    "NATO_LITTORAL",
    "TERRITORIAL_SEA_KM",
    "eez_approx",
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
