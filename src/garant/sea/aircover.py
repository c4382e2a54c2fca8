"""Air cover over a Black Sea corridor: fighter patrol stations and the aircraft to hold them.

Which part of a route lies within reach of the Russian air threats a fighter can
engage (cruise missiles such as Kalibr, strike drones such as Shahed: the sea threat
catalogue's systems whose air-catalogue class the fighter engages), how many combat
air patrol (CAP) stations cover that part, and how many aircraft hold them round the
clock.

* Stations: candidate points every ``step_km`` along the route; demand: the route's
  threatened stretches (weighted by length). The fewest stations that cover all the
  demand any allowed candidate can cover are found with the maximal covering location
  problem (:func:`garant.air.placement.solve_mclp`, HiGHS), raising ``k`` until the
  coverage stops growing. A station covers what lies within the fighter's engagement
  radius (the air catalogue's ``range_km`` of the fighter for the threat classes).
* Aircraft per station: ``aircraft_per_station × (sortie_h + turnaround_h) /
  time_on_station_h / availability``, with ``time_on_station_h = sortie_h − 2 ×
  distance_from_base / transit_speed`` (RAND's sortie-rate model: a sortie cycle is the
  flight time plus the ground turnaround). Turnaround and unit cost come from the air
  catalogue's fighter entry, the rest from ``[air_cover]`` of
  ``garant/data/sea/mission.toml`` (:class:`garant.sea.sizing.AirCoverParams`).
  A station farther from the base than the sortie allows needs air-to-air refuelling:
  it is reported as unreachable and no aircraft are counted for it.

The functions are pure: the route and the launch area come in as geometries.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from shapely.geometry import LineString, Point
from shapely.geometry.base import BaseGeometry

from garant.air.catalog import Catalog, Defence, default_catalog
from garant.air.placement import coverage_matrix, solve_mclp, standoff_mask
from garant.errors import DataError, NotFoundError
from garant.sea.sizing import MissionParams, default_mission_params
from garant.sea.threats import BLACK_SEA_CRS, _segments, _to_lonlat, exposed, load_sea_threats

__all__ = [
    "DEFAULT_BASE",
    "DEFAULT_DEFENCE",
    "AirBase",
    "AirCover",
    "air_cover",
    "engageable_systems",
]

logger = logging.getLogger(__name__)

_GEOD = pyproj.Geod(ellps="WGS84")


@dataclass(frozen=True)
class AirBase:
    """An air base the fighters fly from.

    Attributes
    ----------
    name : str
        Display name.
    lon, lat : float
        Position, degrees (EPSG:4326).
    source : str
        Where the position comes from.
    """

    name: str
    lon: float
    lat: float
    source: str = ""

    def __post_init__(self) -> None:
        if not str(self.name).strip():
            raise DataError("air base: empty name")
        lon, lat = float(self.lon), float(self.lat)
        if not (
            math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90
        ):
            raise DataError(
                f"air base {self.name!r}: position ({self.lon}, {self.lat}) is not lon/lat"
            )


#: NATO's air base on the Romanian coast (57th Air Base, Mihail Kogălniceanu).
DEFAULT_BASE = AirBase(
    "Mihail Kogălniceanu (RoAF 57th Air Base)",
    28.48833,
    44.36222,
    "Aerodrome reference point 44°21′44″N 28°29′18″E (Romanian AIP via Wikipedia, "
    "'Mihail Kogălniceanu International Airport', ICAO LRCK)",
)

#: Fighter of the air catalogue used by default.
DEFAULT_DEFENCE = "f16_patrol"


def _defence(defence: str, catalog: Catalog) -> Defence:
    if defence not in catalog.defences:
        fighters = sorted(k for k, d in catalog.defences.items() if d.kind == "fighter")
        raise NotFoundError(f"unknown defence {defence!r} (fighters: {', '.join(fighters)})")
    d = catalog.defences[defence]
    if d.kind != "fighter":
        raise DataError(
            f"defence {defence!r} is a {d.kind}, not a fighter: only fighters fly CAP stations"
        )
    return d


def engageable_systems(
    defence: str = DEFAULT_DEFENCE, *, catalog: Catalog | None = None
) -> list[str]:
    """Sea threat systems whose air-catalogue class the fighter can engage.

    Parameters
    ----------
    defence : str
        Id of a fighter in the air catalogue (``kind = "fighter"``).
    catalog : Catalog, optional
        Defaults to :func:`garant.air.catalog.default_catalog`.

    Returns
    -------
    list of str
        Ids of :func:`garant.sea.threats.load_sea_threats`, in catalogue order
        (e.g. ``["kalibr", "shahed_136"]`` for an F-16 patrol).

    Raises
    ------
    NotFoundError
        Unknown defence.
    DataError
        The defence is not a fighter.
    """
    cat = catalog or default_catalog()
    d = _defence(defence, cat)
    out = []
    for sid, s in load_sea_threats().items():
        t = cat.threats.get(s.air_threat or "")
        if t is not None and t.threat_class in d.range_km:
            out.append(sid)
    return out


@dataclass(frozen=True)
class AirCover:
    """Fighter patrol stations over a corridor and the aircraft to hold them.

    Attributes
    ----------
    defence, defence_name : str
        The fighter (air catalogue id and name).
    systems : tuple of str
        Sea threat systems counted.
    radius_km : float
        Engagement radius of one station: the fighter's smallest ``range_km`` over
        the counted systems' threat classes.
    route_km, threatened_km : float
        The route's length and the part within reach of at least one counted system.
    reach : pandas.DataFrame
        One row per counted system: ``system``, ``name``, ``threat_class``,
        ``range_km``, ``reach_km`` (route length within its range), ``reach_share``.
    stations : pandas.DataFrame
        One row per station: ``station``, ``lon``, ``lat``, ``covers_km`` (threatened
        route it covers on its own), ``base``, ``base_distance_km``,
        ``time_on_station_h``, ``reachable`` (a sortie leaves time on station) and
        ``aircraft`` (fractional aircraft to hold it round the clock; 0 when
        unreachable).
    covered_km : float
        Threatened route length within reach of a station.
    standoff_km : float
        Candidates closer than this to the launch area were excluded.
    aircraft_needed : int
        Aircraft to assign: the stations' fractional aircraft summed, rounded up.
    unit_cost_usd : tuple of float
        One aircraft's cost (value, low, high), USD, from the air catalogue.
    solver : str
        ``"highs"`` or ``"greedy"`` (:func:`garant.air.placement.solve_mclp`).
    optimal : bool
        Whether the last placement was proven optimal.
    """

    defence: str
    defence_name: str
    systems: tuple[str, ...]
    radius_km: float
    route_km: float
    threatened_km: float
    reach: pd.DataFrame = field(compare=False, repr=False)
    stations: pd.DataFrame = field(compare=False, repr=False)
    covered_km: float
    standoff_km: float
    aircraft_needed: int
    unit_cost_usd: tuple[float, float, float]
    solver: str
    optimal: bool

    @property
    def stations_needed(self) -> int:
        """Number of CAP stations."""
        return len(self.stations)

    @property
    def threatened_share(self) -> float:
        """Share of the route within reach of a counted system."""
        return self.threatened_km / self.route_km if self.route_km > 0 else 0.0

    @property
    def covered_share(self) -> float:
        """Share of the threatened route covered by a station (1 when nothing is threatened)."""
        return self.covered_km / self.threatened_km if self.threatened_km > 0 else 1.0

    @property
    def unreachable_stations(self) -> int:
        """Stations a sortie cannot reach and hold without air-to-air refuelling."""
        return int((~self.stations["reachable"].astype(bool)).sum()) if len(self.stations) else 0

    @property
    def cost_usd(self) -> tuple[float, float, float]:
        """Capital cost of the aircraft (value, low, high), USD."""
        n = self.aircraft_needed
        return (n * self.unit_cost_usd[0], n * self.unit_cost_usd[1], n * self.unit_cost_usd[2])

    def station_circles(self) -> gpd.GeoSeries:
        """Each station's engagement circle, EPSG:4326 (for maps)."""
        pts = gpd.GeoSeries(
            [Point(x, y) for x, y in zip(self.stations["lon"], self.stations["lat"], strict=True)],
            crs="EPSG:4326",
        )
        if pts.empty:
            return pts
        return pts.to_crs(BLACK_SEA_CRS).buffer(self.radius_km * 1000.0, 64).to_crs("EPSG:4326")

    def summary(self) -> list[tuple[str, object, str]]:
        """Headline rows ``(metric, value, unit)`` for a mission summary."""
        cost = self.cost_usd
        return [
            ("air_cover_defence", self.defence, ""),
            ("air_cover_systems", ", ".join(self.systems), ""),
            ("air_threatened_km", self.threatened_km, "km"),
            ("air_threatened_share", self.threatened_share, "share"),
            ("cap_radius_km", self.radius_km, "km"),
            ("cap_stations", self.stations_needed, "stations"),
            ("cap_covered_share", self.covered_share, "share"),
            ("cap_unreachable_stations", self.unreachable_stations, "stations"),
            ("cap_aircraft_needed", self.aircraft_needed, "aircraft"),
            ("cap_aircraft_cost_usd", cost[0], "USD"),
            ("cap_aircraft_cost_low_usd", cost[1], "USD"),
            ("cap_aircraft_cost_high_usd", cost[2], "USD"),
        ]


def _samples(line: BaseGeometry, step_km: float) -> tuple[np.ndarray, np.ndarray]:
    """Midpoints (lon, lat) and lengths (km) of the route cut into pieces of at most ``step_km``.

    The cut is made in :data:`garant.sea.threats.BLACK_SEA_CRS` (distance error below
    about 1 % over the sea).
    """
    if not isinstance(line, LineString | shapely.MultiLineString) or line.is_empty:
        kind = getattr(line, "geom_type", type(line).__name__)
        raise DataError(f"route_line: expected a non-empty LineString, got {kind}")
    m, ln = _segments(line, step_km)
    keep = ln > 0
    if not keep.any():
        raise DataError("route_line: no segment of positive length")
    lon, lat = _to_lonlat().transform(m[keep, 0], m[keep, 1])
    return np.column_stack([lon, lat]), ln[keep]


def _check_positive(name: str, value: float) -> float:
    x = float(value)
    if not (math.isfinite(x) and x > 0):
        raise DataError(f"{name} {value!r} must be a positive finite number")
    return x


def air_cover(
    route_line: BaseGeometry,
    launch_geom: BaseGeometry,
    *,
    defence: str = DEFAULT_DEFENCE,
    systems: Sequence[str] | None = None,
    bases: Sequence[AirBase] = (DEFAULT_BASE,),
    standoff_km: float = 0.0,
    step_km: float = 10.0,
    params: MissionParams | None = None,
    catalog: Catalog | None = None,
) -> AirCover:
    """Fighter patrol (CAP) stations to cover a route, and the aircraft to hold them.

    Parameters
    ----------
    route_line : LineString or MultiLineString
        The route, EPSG:4326.
    launch_geom : BaseGeometry
        Russian-held land the threats come from, EPSG:4326
        (:func:`garant.sea.threats.launch_area`).
    defence : str
        A fighter of the air catalogue (``kind = "fighter"``), e.g. ``"f16_patrol"``.
    systems : sequence of str, optional
        Sea threat systems to cover; each must be engageable by the fighter. Default:
        :func:`engageable_systems`.
    bases : sequence of AirBase
        Where the aircraft fly from; each station uses the nearest.
    standoff_km : float
        Keep stations at least this far from the launch area, km (>= 0).
    step_km : float
        Spacing of demand samples and candidate stations along the route, km (> 0).
    params : MissionParams, optional
        ``air_cover`` section; defaults to :func:`garant.sea.sizing.default_mission_params`.
    catalog : Catalog, optional
        Defaults to :func:`garant.air.catalog.default_catalog`.

    Returns
    -------
    AirCover

    Raises
    ------
    NotFoundError
        Unknown defence or system.
    DataError
        Not a line, a defence that is not a fighter or cannot engage a listed
        system's class, no base, a negative stand-off or a non-positive step.
    """
    cat = catalog or default_catalog()
    d = _defence(defence, cat)
    p = (params or default_mission_params()).air_cover
    step = _check_positive("step_km", step_km)
    standoff = float(standoff_km)
    if not (math.isfinite(standoff) and standoff >= 0):
        raise DataError(f"standoff_km {standoff_km!r} must be a finite number >= 0")
    if not bases:
        raise DataError("bases: at least one air base is needed")
    sea = load_sea_threats()
    chosen = list(systems) if systems is not None else engageable_systems(defence, catalog=cat)
    if not chosen:
        raise DataError(f"defence {defence!r} engages none of the sea threat systems")
    classes: dict[str, str] = {}
    for sid in chosen:
        if sid not in sea:
            raise NotFoundError(f"unknown threat system {sid!r} (known: {', '.join(sea)})")
        t = cat.threats.get(sea[sid].air_threat or "")
        if t is None or t.threat_class not in d.range_km:
            cls = t.threat_class if t is not None else "none"
            raise DataError(
                f"defence {defence!r} cannot engage system {sid!r} (threat class {cls}; "
                f"it engages {', '.join(d.range_km)})"
            )
        classes[sid] = t.threat_class
    radius = min(d.range_km[c].value for c in classes.values())

    mids, lens = _samples(route_line, step)
    route_km = float(lens.sum())
    reach_rows = []
    threatened = np.zeros(len(lens), dtype=bool)
    for sid in chosen:
        inside = exposed(mids, launch_geom, sid)
        threatened |= inside
        km = float(lens[inside].sum())
        reach_rows.append(
            {
                "system": sid,
                "name": sea[sid].name,
                "threat_class": classes[sid],
                "range_km": sea[sid].range_km.value,
                "reach_km": km,
                "reach_share": km / route_km if route_km > 0 else 0.0,
            }
        )
    threatened_km = float(lens[threatened].sum())
    stations, covered_km, solver, optimal = _place(
        mids, lens, threatened, radius, launch_geom, standoff
    )
    rows = []
    turnaround = d.reload_h.value
    for i, (lon, lat, covers) in enumerate(stations):
        dist = [_GEOD.inv(b.lon, b.lat, lon, lat)[2] / 1000.0 for b in bases]
        j = int(np.argmin(dist))
        on_station = p.sortie_h.value - 2.0 * dist[j] / p.transit_speed_kmh.value
        reachable = on_station > 0
        aircraft = (
            p.aircraft_per_station.value
            * (p.sortie_h.value + turnaround)
            / on_station
            / p.availability.value
            if reachable
            else 0.0
        )
        rows.append(
            {
                "station": i + 1,
                "lon": lon,
                "lat": lat,
                "covers_km": covers,
                "base": bases[j].name,
                "base_distance_km": dist[j],
                "time_on_station_h": max(on_station, 0.0),
                "reachable": reachable,
                "aircraft": aircraft,
            }
        )
    frame = pd.DataFrame(
        rows,
        columns=[
            "station",
            "lon",
            "lat",
            "covers_km",
            "base",
            "base_distance_km",
            "time_on_station_h",
            "reachable",
            "aircraft",
        ],
    )
    total = float(frame["aircraft"].sum()) if len(frame) else 0.0
    needed = max(0, math.ceil(total - 1e-9))
    cost = d.unit_cost_usd
    unit = (cost.value, cost.low, cost.high) if cost is not None else (math.nan,) * 3
    logger.info(
        "air cover: %.0f of %.0f km threatened, %d stations of %.0f km, %d %s",
        threatened_km,
        route_km,
        len(frame),
        radius,
        needed,
        defence,
    )
    return AirCover(
        defence=defence,
        defence_name=d.name,
        systems=tuple(chosen),
        radius_km=float(radius),
        route_km=route_km,
        threatened_km=threatened_km,
        reach=pd.DataFrame(reach_rows),
        stations=frame,
        covered_km=covered_km,
        standoff_km=standoff,
        aircraft_needed=needed,
        unit_cost_usd=unit,
        solver=solver,
        optimal=optimal,
    )


def _place(
    mids: np.ndarray,
    lens: np.ndarray,
    threatened: np.ndarray,
    radius_km: float,
    launch_geom: BaseGeometry,
    standoff_km: float,
) -> tuple[list[tuple[float, float, float]], float, str, bool]:
    """Fewest stations (among the route samples) covering the coverable threatened length."""
    demand = mids[threatened]
    weights = lens[threatened]
    if len(demand) == 0:
        return [], 0.0, "none", True
    cov = coverage_matrix(mids[:, 0], mids[:, 1], demand[:, 0], demand[:, 1], radius_km=radius_km)
    excluded: list[int] = []
    if standoff_km > 0:
        mask = standoff_mask(mids[:, 0], mids[:, 1], launch_geom, standoff_km=standoff_km)
        excluded = [int(j) for j in np.flatnonzero(mask)]
    allowed = np.ones(len(mids), dtype=bool)
    allowed[excluded] = False
    if not allowed.any():
        return [], 0.0, "none", True
    coverable = np.asarray(cov[:, allowed].sum(axis=1)).ravel() > 0
    target = float(weights[coverable].sum())
    if target <= 0:
        return [], 0.0, "none", True
    n_allowed = int(allowed.sum())
    k = 1
    while True:
        res = solve_mclp(cov, weights, k, excluded=excluded, allow_fewer=True)
        if res.objective >= target * (1.0 - 1e-9) or k >= n_allowed:
            break
        k += 1
    covered = float(weights[res.covered].sum())
    out = []
    csc = cov.tocsc()
    for j in res.chosen:
        rows = csc[:, [j]].nonzero()[0]
        out.append((float(mids[j, 0]), float(mids[j, 1]), float(weights[rows].sum())))
    out.sort(key=lambda s: -s[1])  # north to south: from Ukraine towards the Bosphorus
    return out, covered, res.solver, res.optimal
