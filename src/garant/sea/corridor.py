"""Least-cost routes: the sea grid, the threat catalogue, mine areas and the frontline together.

:func:`plan_route` charges each grid step, per nominal step (~2.4 km), for the
coastal missile systems that reach it (``exposure_weight``), for mine areas
(``mine_weight_km``; areas flagged ``avoid`` are impassable) and for water outside
NATO members' territorial seas (``nato_waters_weight``, the littoral route), and
reports the exposure time to every threat system and the length in mine areas.
The per-cell exposure and mine masks are cached per launch area and mine layer,
so repeated calls (several packages, several missions) cost ~0.2-0.3 s each.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

from garant.errors import DataError
from garant.sea.routing import Route, grid, route
from garant.sea.threats import (
    BLACK_SEA_CRS,
    exposure_time_h,
    launch_area,
    load_sea_threats,
    route_in_mine_areas_km,
)

__all__ = [
    "DEFAULT_MINE_WEIGHT_KM",
    "DEFAULT_SYSTEMS",
    "RouteAssessment",
    "cell_exposure",
    "mined_cells",
    "plan_route",
]

#: Threat systems counted in the routing cost by default: the coastal anti-ship
#: missiles that define the danger zone for merchant shipping.
DEFAULT_SYSTEMS: tuple[str, ...] = ("bastion_p", "bal")

DEFAULT_MINE_WEIGHT_KM = 25.0
"""Default extra cost, km per nominal grid step (~2.4 km), of water in a mine area.

An assumption, not a published figure: about ten times the step itself, so a route
accepts a detour of up to ~10 km per km it would otherwise sail through a declared
danger area, yet still crosses one when there is no way round (a port inside it)."""


def _russia() -> BaseGeometry:
    from garant.sources.geography import countries

    c = countries()
    return c.loc[c["iso_a3"] == "RUS", "geometry"].iloc[0]


def cell_exposure(launch_geom: BaseGeometry, systems: Sequence[str]) -> np.ndarray:
    """Number of the given threat systems that reach each cell of the sea grid (cached).

    See :func:`_cell_exposure`; the result is cached per launch geometry and systems
    (computing it takes seconds on the full grid) and returned as a read-only array.
    """
    return _cell_exposure_cached(shapely.to_wkb(launch_geom), tuple(systems))


@functools.lru_cache(maxsize=8)
def _cell_exposure_cached(launch_wkb: bytes, systems: tuple[str, ...]) -> np.ndarray:
    out = _cell_exposure(shapely.from_wkb(launch_wkb), systems)
    out.setflags(write=False)
    return out


def _cell_exposure(launch_geom: BaseGeometry, systems: Sequence[str]) -> np.ndarray:
    """Number of the given threat systems that reach each cell of the sea grid.

    Equivalent to summing :func:`garant.sea.threats.exposed` over the systems, but
    the distance from each cell to the launch area is computed once, with an
    R-tree of the launch area's boundary segments in
    :data:`~garant.sea.threats.BLACK_SEA_CRS`.

    Parameters
    ----------
    launch_geom : BaseGeometry
        Russian-held land (occupied Ukraine and Russia's coast), EPSG:4326.
    systems : sequence of str
        Threat system ids of the sea catalogue.

    Returns
    -------
    numpy.ndarray
        Float array aligned with ``grid().cells``.
    """
    g = grid()
    out = np.zeros(g.size)
    if not systems:
        return out
    d_km = _distance_km(g.lon, g.lat, launch_geom)
    catalogue = load_sea_threats()
    for s in systems:
        out += d_km <= catalogue[s].range_km.value
    return out


def _distance_km(
    lon: NDArray[np.float64], lat: NDArray[np.float64], area: BaseGeometry
) -> NDArray[np.float64]:
    """Distance from points to an area (0 inside), km, in the threats' metric CRS."""
    fwd = Transformer.from_crs("EPSG:4326", BLACK_SEA_CRS, always_xy=True)
    x, y = fwd.transform(lon, lat)
    area_m = shapely.transform(area, lambda xy: np.column_stack(fwd.transform(xy[:, 0], xy[:, 1])))
    segs: list[NDArray[np.object_]] = []
    for part in shapely.get_parts(area_m.boundary):
        c = shapely.get_coordinates(part)
        if len(c) > 1:
            segs.append(np.asarray(shapely.linestrings(np.stack([c[:-1], c[1:]], axis=1))))
    if not segs:
        raise DataError("launch_geom: empty or not a geometry")
    tree = shapely.STRtree(np.concatenate(segs))
    pts = shapely.points(x, y)
    _, dist_m = tree.query_nearest(pts, return_distance=True, all_matches=False)
    shapely.prepare(area_m)
    inside = shapely.contains_xy(area_m, x, y)
    return np.where(inside, 0.0, np.asarray(dist_m) / 1000.0)


@dataclass(frozen=True)
class RouteAssessment:
    """A route and its exposure to each threat system.

    Attributes
    ----------
    route : Route
        Length, transit time, NATO territorial share and the line.
    exposure : pandas.DataFrame
        Columns ``system``, ``name``, ``range_km``, ``exposure_h`` (hours within
        reach at the route's speed) and ``exposure_share`` (of the transit time).
    exposure_weight : float
        The weight used in the routing cost (km per grid step within reach of one
        system).
    systems : tuple of str
        The systems counted in the routing cost.
    mine_km : float
        Length of the route (its line, river legs included) inside the mine
        areas passed to :func:`plan_route`, km (0 without mine areas).
    mine_weight_km : float
        The mine weight used in the routing cost (0 without mine areas).
    nato_waters_weight : float
        The weight used for steps outside NATO territorial seas.
    """

    route: Route
    exposure: pd.DataFrame
    exposure_weight: float
    systems: tuple[str, ...]
    mine_km: float = 0.0
    mine_weight_km: float = 0.0
    nato_waters_weight: float = 0.0

    def to_json(self) -> dict[str, object]:
        """A JSON-serialisable summary (the route as a GeoJSON Feature)."""
        r = self.route
        return {
            "origin": str(r.origin),
            "destination": str(r.destination),
            "length_km": r.length_km,
            "transit_h": r.transit_h,
            "speed_kn": r.speed_kn,
            "nato_territorial_share": r.nato_territorial_share,
            "exposure_weight": self.exposure_weight,
            "mine_km": self.mine_km,
            "mine_weight_km": self.mine_weight_km,
            "nato_waters_weight": self.nato_waters_weight,
            "cost_systems": list(self.systems),
            "exposure": self.exposure.to_dict("records"),
            "feature": r.as_feature(),
        }


def mined_cells(mine_areas: gpd.GeoDataFrame) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """Grid cells that intersect mine areas, and those of them to avoid altogether.

    A cell is mined when its hexagon intersects a mine-area polygon. Rows whose
    optional boolean column ``avoid`` is true make their cells impassable.

    Parameters
    ----------
    mine_areas : geopandas.GeoDataFrame
        Polygons in EPSG:4326 (:func:`garant.sea.threats.load_mine_areas`).

    Returns
    -------
    mined, avoid : numpy.ndarray of bool
        Aligned with ``grid().cells``; ``avoid`` implies ``mined``.

    Raises
    ------
    DataError
        If the layer is not in EPSG:4326 or holds non-polygon geometry.
    """
    if mine_areas.crs is not None and mine_areas.crs.to_epsg() != 4326:
        raise DataError(f"mine_areas: CRS {mine_areas.crs} is not EPSG:4326")
    geoms = [geom for geom in mine_areas.geometry if geom is not None and not geom.is_empty]
    bad = [geom.geom_type for geom in geoms if geom.geom_type not in ("Polygon", "MultiPolygon")]
    if bad:
        raise DataError(f"mine_areas: expected Polygon/MultiPolygon geometry, got {bad[0]}")
    avoid_flags = (
        [bool(v) for v in mine_areas["avoid"].fillna(False)]
        if "avoid" in mine_areas.columns
        else [False] * len(mine_areas)
    )
    pairs = [
        (shapely.to_wkb(geom), flag)
        for geom, flag in zip(mine_areas.geometry, avoid_flags, strict=True)
        if geom is not None and not geom.is_empty
    ]
    return _mined_cells_cached(tuple(pairs))


@functools.lru_cache(maxsize=8)
def _mined_cells_cached(
    pairs: tuple[tuple[bytes, bool], ...],
) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    g = grid()
    mined = np.zeros(g.size, dtype=bool)
    avoid = np.zeros(g.size, dtype=bool)
    for wkb, flag in pairs:
        hit = _cells_touching(shapely.from_wkb(wkb))
        mined |= hit
        if flag:
            avoid |= hit
    mined.setflags(write=False)
    avoid.setflags(write=False)
    return mined, avoid


def _cells_touching(area: BaseGeometry) -> NDArray[np.bool_]:
    """Cells of the grid whose hexagon (fairway nodes: point) intersects ``area`` (EPSG:4326)."""
    g = grid()
    x0, y0, x1, y1 = area.bounds
    pad = 0.05  # degrees: more than a res-7 cell's circumradius (~1.4 km)
    sel = np.flatnonzero(
        (g.lon >= x0 - pad) & (g.lon <= x1 + pad) & (g.lat >= y0 - pad) & (g.lat <= y1 + pad)
    )
    out = np.zeros(g.size, dtype=bool)
    if len(sel) == 0:
        return out
    shapely.prepare(area)
    out[sel] = shapely.intersects(area, g.polygons(sel))
    return out


def plan_route(
    origin: str | tuple[float, float],
    destination: str | tuple[float, float],
    *,
    occupied: BaseGeometry,
    exposure_weight: float = 0.0,
    systems: Sequence[str] = DEFAULT_SYSTEMS,
    speed_kn: float = 12.0,
    mine_areas: gpd.GeoDataFrame | None = None,
    mine_weight_km: float = DEFAULT_MINE_WEIGHT_KM,
    nato_waters_weight: float = 0.0,
) -> RouteAssessment:
    """Route between two ports, avoiding the reach of Russian strike systems and mines.

    The cost of each grid step is its length plus, per nominal step (~2.4 km,
    :data:`garant.sea.routing.NOMINAL_STEP_KM`), ``exposure_weight`` times the
    number of ``systems`` that reach it, ``mine_weight_km`` if it is in a mine
    area and ``nato_waters_weight`` if it lies outside NATO members' territorial
    seas; with all weights 0 this is the shortest route. Mine areas flagged
    ``avoid`` are impassable. Exposure times are then reported for every system
    of the catalogue, and the length inside mine areas as ``mine_km``.

    Parameters
    ----------
    origin, destination : str or (lon, lat)
        Port ids/names (see :func:`garant.sea.routing.ports`) or points at sea.
    occupied : BaseGeometry
        Occupied territory of Ukraine (from the frontline store), EPSG:4326.
    exposure_weight : float
        km of detour accepted per nominal grid step inside one system's reach, >= 0.
    systems : sequence of str
        Systems counted in the cost.
    speed_kn : float
        Convoy speed, knots.
    mine_areas : geopandas.GeoDataFrame, optional
        Mine danger areas (:func:`garant.sea.threats.load_mine_areas`), with an
        optional boolean column ``avoid``.
    mine_weight_km : float
        km of detour accepted per nominal grid step inside a mine area, >= 0
        (default :data:`DEFAULT_MINE_WEIGHT_KM`, an assumption).
    nato_waters_weight : float
        km of detour accepted per nominal grid step outside NATO territorial seas,
        >= 0; a few km makes a Bosphorus route hug Bulgarian and Romanian waters.

    Returns
    -------
    RouteAssessment

    Raises
    ------
    DataError
        Unknown threat system, a negative or non-finite weight, a bad mine layer,
        or no sea path (e.g. all ways blocked by mine areas to avoid).
    """
    catalogue = load_sea_threats()
    unknown = [s for s in systems if s not in catalogue]
    if unknown:
        raise DataError(
            f"unknown threat system(s) {unknown} (known: {', '.join(sorted(catalogue))})"
        )
    for name, value in (
        ("mine_weight_km", mine_weight_km),
        ("nato_waters_weight", nato_waters_weight),
    ):
        if not (math.isfinite(value) and value >= 0):
            raise DataError(f"{name} {value}: must be a finite number >= 0")
    launch = launch_area(occupied, _russia())
    exposure = cell_exposure(launch, systems) if exposure_weight > 0 else None
    penalty: NDArray[np.float64] | None = None
    blocked: NDArray[np.bool_] | None = None
    use_mines = mine_areas is not None and len(mine_areas) > 0
    if use_mines and mine_areas is not None:
        mined, avoid = mined_cells(mine_areas)
        if mine_weight_km > 0 and mined.any():
            penalty = mine_weight_km * mined.astype(np.float64)
        if avoid.any():
            blocked = avoid
    if nato_waters_weight > 0:
        outside = nato_waters_weight * (~grid().nato_territorial).astype(np.float64)
        penalty = outside if penalty is None else penalty + outside
    r = route(
        origin,
        destination,
        exposure_weight=exposure_weight,
        exposure=exposure,
        speed_kn=speed_kn,
        penalty=penalty,
        blocked=blocked,
    )
    rows = []
    for sid, sys_ in catalogue.items():
        # The line is sampled in 1 km steps and smoothed, so its exposed length can
        # exceed the routed length by a hair: never report more than the transit.
        hours = min(exposure_time_h(r.line, speed_kn, launch, sid), r.transit_h)
        rows.append(
            {
                "system": sid,
                "name": sys_.name,
                "range_km": sys_.range_km.value,
                "exposure_h": hours,
                "exposure_share": hours / r.transit_h if r.transit_h > 0 else 0.0,
            }
        )
    mine_km = 0.0
    if use_mines and mine_areas is not None:
        mine_km = min(route_in_mine_areas_km(r.line, mine_areas), r.length_km)
    return RouteAssessment(
        route=r,
        exposure=pd.DataFrame(rows),
        exposure_weight=exposure_weight,
        systems=tuple(systems),
        mine_km=mine_km,
        mine_weight_km=mine_weight_km if use_mines else 0.0,
        nato_waters_weight=nato_waters_weight,
    )
