"""Exposure-aware routes: the sea grid, the threat catalogue and the frontline together."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from garant.errors import DataError
from garant.sea.routing import Route, grid, route
from garant.sea.threats import exposed, exposure_time_h, launch_area, load_sea_threats

__all__ = ["DEFAULT_SYSTEMS", "RouteAssessment", "cell_exposure", "plan_route"]

#: Threat systems counted in the routing cost by default: the coastal anti-ship
#: missiles that define the danger zone for merchant shipping.
DEFAULT_SYSTEMS: tuple[str, ...] = ("bastion_p", "bal")


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
    pts = np.column_stack([g.lon, g.lat])
    out = np.zeros(len(pts))
    for s in systems:
        out += exposed(pts, launch_geom, s)
    return out


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
    """

    route: Route
    exposure: pd.DataFrame
    exposure_weight: float
    systems: tuple[str, ...]

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
            "cost_systems": list(self.systems),
            "exposure": self.exposure.to_dict("records"),
            "feature": r.as_feature(),
        }


def plan_route(
    origin: str | tuple[float, float],
    destination: str | tuple[float, float],
    *,
    occupied: BaseGeometry,
    exposure_weight: float = 0.0,
    systems: Sequence[str] = DEFAULT_SYSTEMS,
    speed_kn: float = 12.0,
) -> RouteAssessment:
    """Route between two ports, avoiding the reach of Russian strike systems.

    The cost of each grid step is its length plus ``exposure_weight`` times the
    number of ``systems`` that reach it; with weight 0 this is the shortest route.
    Exposure times are then reported for every system of the catalogue.

    Parameters
    ----------
    origin, destination : str or (lon, lat)
        Port ids/names (see :func:`garant.sea.routing.ports`) or points at sea.
    occupied : BaseGeometry
        Occupied territory of Ukraine (from the frontline store), EPSG:4326.
    exposure_weight : float
        km of detour accepted per grid step (~1.5 km) inside one system's reach.
    systems : sequence of str
        Systems counted in the cost.
    speed_kn : float
        Convoy speed, knots.

    Returns
    -------
    RouteAssessment
    """
    catalogue = load_sea_threats()
    unknown = [s for s in systems if s not in catalogue]
    if unknown:
        raise DataError(
            f"unknown threat system(s) {unknown} (known: {', '.join(sorted(catalogue))})"
        )
    launch = launch_area(occupied, _russia())
    exposure = cell_exposure(launch, systems) if exposure_weight > 0 else None
    r = route(
        origin, destination, exposure_weight=exposure_weight, exposure=exposure, speed_kn=speed_kn
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
    return RouteAssessment(
        route=r,
        exposure=pd.DataFrame(rows),
        exposure_weight=exposure_weight,
        systems=tuple(systems),
    )
