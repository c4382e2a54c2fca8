"""Zones around a ceasefire line: a demilitarised strip and distance bands, with population.

A **zone** is a polygon derived from a (frozen) line of contact: the strip of a
demilitarised zone on either side of the line, or a *danger band* on the
Ukrainian-held side at a given distance from occupied territory. Every zone is
clipped to Ukraine's land (no sea, no Russia) and carries the population of the
settlements inside it.

Distances are measured in the frontline's metric CRS
(:data:`garant.frontline.line.METRIC_CRS`, a Lambert azimuthal equal-area
projection centred on Ukraine: scale error < 0.5 %), areas in the equal-area
EPSG:6933; inputs and outputs are EPSG:4326.
All functions are pure: geometries and GeoDataFrames in, GeoDataFrames out.
"""

from __future__ import annotations

import itertools
import logging
import math
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

from garant.errors import DataError
from garant.frontline.line import to_metric
from garant.sources.geography import equal_area_km2

__all__ = [
    "DEFAULT_BANDS_KM",
    "MAX_WIDTH_KM",
    "SNAP_KM",
    "danger_bands",
    "demilitarised_zone",
    "population_in",
]

logger = logging.getLogger(__name__)

#: Default danger-band edges (km from occupied territory). Assumptions, not
#: doctrine: 9 km ~ the practical reach of FPV strike drones (most FPV strikes
#: are within ~10 km of the line), 40 km ~ tube artillery with extended-range
#: shells and 122/220 mm MLRS (Grad ~20-40 km, Uragan ~35 km), 60 km+ ~
#: "HIMARS-class" long-range rockets, Lancet loitering munitions and glide bombs
#: (UMPK, 40-70 km from the release point). See :func:`danger_bands`.
DEFAULT_BANDS_KM: tuple[float, ...] = (0.0, 9.0, 40.0, 60.0)
#: Largest half-width of a demilitarised strip accepted, km.
MAX_WIDTH_KM = 200.0
#: Settlements up to this far outside every zone count in the nearest one, km
#: (GeoNames points vs Natural Earth's 1:10m coast and rivers; see population_in).
SNAP_KM = 2.0
_QUAD_SEGS = 16  # buffer arc resolution: 16 segments per quarter circle (<0.5 % area error)


# --------------------------------------------------------------------------- population


def population_in(
    zone_geoms: Sequence[BaseGeometry] | npt.NDArray[np.object_] | gpd.GeoSeries,
    settlements: gpd.GeoDataFrame,
    *,
    snap_km: float = 0.0,
) -> npt.NDArray[np.int64]:
    """Total population of the settlements inside each zone.

    Parameters
    ----------
    zone_geoms : sequence of shapely (Multi)Polygons
        Zones in EPSG:4326 (may be empty geometries).
    settlements : geopandas.GeoDataFrame
        Points in EPSG:4326 with an integer ``population`` column (missing
        values count as 0).
    snap_km : float, default 0
        A settlement inside no zone but within ``snap_km`` of one counts in the
        nearest zone. Use it when the zones are clipped to a generalised land
        polygon: GeoNames points of coastal and riverside towns can fall up to
        ~2 km outside Natural Earth's 1:10m land (Kherson's lies in the Dnipro).

    Returns
    -------
    numpy.ndarray
        int64, one total per zone. A settlement counts in every zone that
        covers its point (a point exactly on a shared edge counts in both).

    Notes
    -----
    One STRtree query for all settlements: O((n + m) log m). Populations are
    whatever ``settlements`` says; for the bundled GeoNames table these are
    mostly pre-2022 figures, not the wartime population.
    """
    zones = np.asarray(list(zone_geoms), dtype=object)
    return _sum_by_zone(zones, settlements, snap_km=snap_km)[0]


def _sum_by_zone(
    zones: npt.NDArray[np.object_], settlements: gpd.GeoDataFrame, *, snap_km: float = 0.0
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.intp]]:
    """Population and count per zone, plus the (settlement, zone) index pairs."""
    n = len(zones)
    if "population" not in settlements.columns:
        raise DataError("settlements: no 'population' column")
    if not (math.isfinite(snap_km) and snap_km >= 0):
        raise DataError(f"snap_km={snap_km!r}: must be a finite number >= 0")
    if n == 0 or len(settlements) == 0:
        return np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64), np.zeros((2, 0), np.intp)
    pts = np.asarray(settlements.geometry.values, dtype=object)
    pairs = shapely.STRtree(zones).query(pts, predicate="intersects")
    if snap_km > 0:
        loose = np.setdiff1d(np.arange(len(pts)), pairs[0])
        if loose.size:
            zones_m = np.array([to_metric(z) for z in zones], dtype=object)
            pts_m = np.array([to_metric(p) for p in pts[loose]], dtype=object)
            near = shapely.STRtree(zones_m).query_nearest(
                pts_m, max_distance=snap_km * 1000.0, all_matches=False
            )
            snapped = np.vstack([loose[near[0]], near[1]])
            pairs = np.hstack([pairs, snapped])
    pop = settlements["population"].fillna(0).to_numpy(dtype=np.int64)
    totals = np.bincount(pairs[1], weights=pop[pairs[0]], minlength=n)
    counts = np.bincount(pairs[1], minlength=n)
    return np.rint(totals).astype(np.int64), counts.astype(np.int64), pairs


# --------------------------------------------------------------------------- validation


def _check_line(line: BaseGeometry) -> None:
    if line is None or line.is_empty:
        raise DataError("line of contact: empty geometry (nothing to draw zones around)")
    if line.geom_type not in ("LineString", "MultiLineString", "GeometryCollection"):
        raise DataError(f"line of contact: geometry type {line.geom_type}, expected lines")


def _check_polygonal(geom: BaseGeometry, name: str) -> None:
    if geom is None or geom.is_empty:
        raise DataError(f"{name}: empty geometry")
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        raise DataError(f"{name}: geometry type {geom.geom_type}, expected polygons")


def _check_bands(bands_km: Sequence[float]) -> tuple[float, ...]:
    edges = tuple(float(b) for b in bands_km)
    if len(edges) < 2:
        raise DataError(f"bands_km={list(edges)}: need at least two edges (inner and outer km)")
    if not all(math.isfinite(b) for b in edges):
        raise DataError(f"bands_km={list(edges)}: edges must be finite numbers of km")
    if edges[0] < 0:
        raise DataError(f"bands_km={list(edges)}: the first edge must be >= 0 km")
    if any(b <= a for a, b in itertools.pairwise(edges)):
        raise DataError(f"bands_km={list(edges)}: edges must be strictly increasing")
    if edges[-1] > 1000:
        raise DataError(f"bands_km={list(edges)}: the outer edge exceeds 1000 km")
    return edges


def _polygonal(geom: BaseGeometry) -> BaseGeometry:
    """Keep only the polygonal parts of an overlay result (drop slivers of lines/points)."""
    if geom.is_empty or geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.MultiPolygon()


def _label(a: float, b: float) -> str:
    return f"{a:g}–{b:g} km"


def _largest_names(
    settlements: gpd.GeoDataFrame, pairs: npt.NDArray[np.intp], zone: int, k: int
) -> str:
    idx = pairs[0][pairs[1] == zone]
    if idx.size == 0:
        return ""
    sub = settlements.iloc[idx]
    sub = sub.sort_values("population", ascending=False, kind="stable").head(k)
    return ", ".join(str(n) for n in sub["name"])


# --------------------------------------------------------------------------- zones


def demilitarised_zone(
    line: BaseGeometry,
    *,
    width_km: float,
    ukraine: BaseGeometry,
    occupied: BaseGeometry,
    settlements: gpd.GeoDataFrame,
) -> gpd.GeoDataFrame:
    """A demilitarised strip ``width_km`` on each side of the line of contact.

    The strip is the set of land points within ``width_km`` of the line
    (a round-capped buffer in :data:`~garant.frontline.line.METRIC_CRS`), clipped to Ukraine's
    land and split by the occupied territory into a Russian-held and a
    Ukrainian-held side.

    Parameters
    ----------
    line : shapely (Multi)LineString
        The (frozen) line of contact, EPSG:4326.
    width_km : float
        Half-width of the strip, km (0 < width_km <= 200).
    ukraine : shapely (Multi)Polygon
        Ukraine's land, EPSG:4326.
    occupied : shapely (Multi)Polygon
        Occupied territory on the line's date, EPSG:4326 (tells the sides apart).
    settlements : geopandas.GeoDataFrame
        Points with ``name`` and ``population`` (EPSG:4326).

    Returns
    -------
    geopandas.GeoDataFrame
        Two rows, ``side`` 'russian' then 'ukrainian', with ``width_km``,
        ``area_km2`` (EPSG:6933), ``population`` and ``n_settlements`` (the
        settlements inside), ``largest_settlements`` (up to three names) and
        ``geometry`` (EPSG:4326).

    Raises
    ------
    DataError
        ``width_km`` not in (0, 200], an empty line, or empty/non-polygonal
        ``ukraine`` / ``occupied``.
    """
    if not (isinstance(width_km, int | float) and math.isfinite(width_km)):
        raise DataError(f"width_km={width_km!r}: not a finite number of km")
    if width_km <= 0 or width_km > MAX_WIDTH_KM:
        raise DataError(f"width_km={width_km:g}: must be > 0 and <= {MAX_WIDTH_KM:g} km")
    _check_line(line)
    _check_polygonal(ukraine, "ukraine")
    _check_polygonal(occupied, "occupied territory")
    strip_m = to_metric(line).buffer(width_km * 1000.0, quad_segs=_QUAD_SEGS)
    strip = shapely.intersection(to_metric(strip_m, inverse=True), ukraine)
    russian = _polygonal(shapely.intersection(strip, occupied))
    ukrainian = _polygonal(shapely.difference(strip, occupied))
    geoms = np.array([russian, ukrainian], dtype=object)
    pop, count, pairs = _sum_by_zone(geoms, settlements, snap_km=SNAP_KM)
    logger.debug("DMZ ±%g km: populations %s", width_km, pop.tolist())
    return gpd.GeoDataFrame(
        {
            "side": ["russian", "ukrainian"],
            "width_km": [float(width_km)] * 2,
            "area_km2": equal_area_km2(geoms),
            "population": pop,
            "n_settlements": count,
            "largest_settlements": [_largest_names(settlements, pairs, i, 3) for i in range(2)],
        },
        geometry=list(geoms),
        crs=4326,
    )


def danger_bands(
    line: BaseGeometry,
    occupied: BaseGeometry,
    *,
    bands_km: Sequence[float] = DEFAULT_BANDS_KM,
    ukraine: BaseGeometry,
    settlements: gpd.GeoDataFrame,
    hostile: BaseGeometry | None = None,
    n_largest: int = 3,
) -> gpd.GeoDataFrame:
    """Distance bands from occupied territory on the Ukrainian-held side.

    Band *i* holds the Ukrainian-held land (Ukraine's land minus occupied
    territory) whose distance to the nearest occupied point or point of the line
    is in ``[bands_km[i], bands_km[i+1])``. The bands are disjoint and their
    union is the held land within ``bands_km[-1]`` of occupied territory.

    Default edges are planning assumptions, not measured reach (see
    :data:`DEFAULT_BANDS_KM`): 0–9 km ~ FPV drones, 9–40 km ~ tube artillery
    and MLRS, 40–60 km ~ HIMARS-class rockets, loitering munitions and glide
    bombs. Pass your own edges to model other threats.

    Parameters
    ----------
    line : shapely (Multi)LineString
        Line of contact, EPSG:4326 (not empty).
    occupied : shapely (Multi)Polygon
        Occupied territory, EPSG:4326; distances are measured from it (so
        occupied coasts, e.g. the Kinburn spit, also project danger).
    bands_km : sequence of float
        Band edges, km, >= 0 and strictly increasing (at least two).
    ukraine : shapely (Multi)Polygon
        Ukraine's land, EPSG:4326.
    settlements : geopandas.GeoDataFrame
        Points with ``name`` and ``population``, EPSG:4326.
    hostile : shapely geometry, optional
        More territory to measure from (e.g. Russia's land, for cross-border
        fire on Sumy and Kharkiv); default: occupied territory and line only.
    n_largest : int
        How many settlement names to list per band.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per band: ``band`` (e.g. '0–9 km'), ``inner_km``, ``outer_km``,
        ``area_km2`` (EPSG:6933), ``population``, ``n_settlements``,
        ``largest_settlements`` (comma-separated names, largest first) and
        ``geometry`` (EPSG:4326).

    Raises
    ------
    DataError
        Edges not increasing / negative / fewer than two, an empty line, or
        empty/non-polygonal ``ukraine`` / ``occupied``.
    """
    edges = _check_bands(bands_km)
    _check_line(line)
    _check_polygonal(ukraine, "ukraine")
    _check_polygonal(occupied, "occupied territory")
    parts = [occupied, line] if hostile is None or hostile.is_empty else [occupied, line, hostile]
    source_m = to_metric(shapely.union_all(parts))
    held = _polygonal(shapely.difference(ukraine, occupied))
    shapely.prepare(held)

    def reach(km: float) -> BaseGeometry:
        if km <= 0:  # occupied territory itself: no held land in it
            return shapely.Polygon()
        return to_metric(source_m.buffer(km * 1000.0, quad_segs=_QUAD_SEGS), inverse=True)

    reaches = [shapely.intersection(reach(km), held) for km in edges]
    geoms = np.array(
        [_polygonal(shapely.difference(reaches[i + 1], reaches[i])) for i in range(len(edges) - 1)],
        dtype=object,
    )
    xy = shapely.get_coordinates(settlements.geometry.values)
    held_towns = settlements[~shapely.contains_xy(occupied, xy[:, 0], xy[:, 1])]
    pop, count, pairs = _sum_by_zone(geoms, held_towns, snap_km=SNAP_KM)
    n = len(geoms)
    return gpd.GeoDataFrame(
        {
            "band": [_label(edges[i], edges[i + 1]) for i in range(n)],
            "inner_km": list(edges[:-1]),
            "outer_km": list(edges[1:]),
            "area_km2": equal_area_km2(geoms),
            "population": pop,
            "n_settlements": count,
            "largest_settlements": [
                _largest_names(held_towns, pairs, i, n_largest) for i in range(n)
            ],
        },
        geometry=list(geoms),
        crs=4326,
    )
