"""How fast a land force reaches the line of contact from its bases.

Default model (:func:`reach_table`): a column drives from its base to a point of the
line over a road ``road_factor`` times longer than the geodesic, at the rate of march
``march_speed_kmh`` (both :class:`~garant.land.catalog.LandQuantity` with a range; the
bundled values come from ``garant/data/land/bases.toml``, see
:func:`garant.land.bases.default_movement`)::

    time_h = geodesic_km(base, point) * road_factor / march_speed_kmh

The line is sampled every ``spacing_km`` (about 2 km); each sample stands for its share
of the line's geodesic length, so "share of the line reached within T hours" is a
length-weighted share. A combined row ``any`` takes, for each point, the nearest base.

With a real road network (:func:`network_reach`, a user-supplied OSM GraphML read by
osmnx) the times are shortest paths on the graph instead.

:func:`reach_isochrones` draws the area a column reaches within each T (geodesic
circles of radius ``speed * T / road_factor``), clipped to Ukraine's unoccupied
territory, for maps.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

from garant.errors import ConfigError, DataError
from garant.land.bases import FrontLike, _require_bases, default_movement
from garant.land.catalog import LandQuantity

__all__ = [
    "ANY_BASE",
    "DEFAULT_HOURS",
    "DEFAULT_SPACING_KM",
    "LineSamples",
    "network_reach",
    "reach_isochrones",
    "reach_table",
    "sample_line",
    "sector_reach",
    "share_column",
]

logger = logging.getLogger(__name__)

#: Default reaction times, hours.
DEFAULT_HOURS: tuple[float, ...] = (1.0, 3.0, 6.0, 12.0)
#: Default spacing of the points sampled along the line, km.
DEFAULT_SPACING_KM = 2.0
#: ``base_id`` of the combined row (the nearest base to each point of the line).
ANY_BASE = "any"
#: Farthest a base or a point of the line may lie from the nearest node of a road
#: graph to count as connected to it, km.
MAX_SNAP_KM = 10.0

_GEOD = pyproj.Geod(ellps="WGS84")


def share_column(hours: float) -> str:
    """Name of the column with the share of the line reached within ``hours``.

    Parameters
    ----------
    hours : float
        Reaction time, h.

    Returns
    -------
    str
        ``"share_6h"``, ``"share_1.5h"``.
    """
    return f"share_{hours:g}h"


@dataclass(frozen=True)
class LineSamples:
    """Points along a line, each standing for a piece of its length.

    Attributes
    ----------
    lon, lat : numpy.ndarray
        The points, degrees (EPSG:4326).
    weight_km : numpy.ndarray
        Geodesic length of line each point stands for, km (sums to the line's length).
    """

    lon: np.ndarray
    lat: np.ndarray
    weight_km: np.ndarray

    @property
    def length_km(self) -> float:
        """Total length represented, km."""
        return float(self.weight_km.sum())

    def __len__(self) -> int:
        return int(self.lon.size)


def sample_line(line: BaseGeometry | None, spacing_km: float = DEFAULT_SPACING_KM) -> LineSamples:
    """Sample a (multi)line about every ``spacing_km``.

    Each part is cut into ``ceil(length / spacing_km)`` equal pieces (lengths in
    garant's metric projection); a sample sits at the middle of each piece and
    carries the piece's share of the part's geodesic length.

    Parameters
    ----------
    line : shapely geometry or None
        (Multi)LineString, EPSG:4326; other geometry types contribute their linear
        parts only.
    spacing_km : float
        Largest spacing between samples, km (> 0).

    Returns
    -------
    LineSamples
        Empty for an empty or missing line.

    Raises
    ------
    ConfigError
        ``spacing_km`` is not a positive finite number.
    """
    from garant.frontline.line import part_lengths_km, to_metric

    if not (math.isfinite(spacing_km) and spacing_km > 0):
        raise ConfigError(f"spacing_km {spacing_km!r}: must be a positive number of km")
    empty = LineSamples(np.zeros(0), np.zeros(0), np.zeros(0))
    if line is None or line.is_empty:
        return empty
    parts = [
        p
        for p in shapely.get_parts(line)
        if p.geom_type in ("LineString", "LinearRing") and not p.is_empty
    ]
    if not parts:
        return empty
    geo_km = part_lengths_km(shapely.multilinestrings(parts))
    xs: list[np.ndarray] = []
    ws: list[np.ndarray] = []
    for part, km in zip(parts, geo_km, strict=True):
        metric = cast(shapely.LineString, to_metric(part))
        n = max(1, math.ceil(metric.length / 1000.0 / spacing_km))
        at = (np.arange(n) + 0.5) / n
        pts = shapely.line_interpolate_point(metric, at, normalized=True)
        xs.append(shapely.get_coordinates(pts))
        ws.append(np.full(n, km / n))
    xy = np.vstack(xs)
    back = pyproj.Transformer.from_crs(_metric_crs(), 4326, always_xy=True)
    lon, lat = back.transform(xy[:, 0], xy[:, 1])
    return LineSamples(
        np.asarray(lon, dtype=float), np.asarray(lat, dtype=float), np.concatenate(ws)
    )


def _hours(hours: Sequence[float]) -> tuple[float, ...]:
    try:
        out = tuple(float(h) for h in hours)
    except (TypeError, ValueError):
        raise ConfigError(f"hours {hours!r}: must be numbers") from None
    if not out:
        raise ConfigError("hours: give at least one reaction time")
    bad = [h for h in out if not (math.isfinite(h) and h > 0)]
    if bad:
        raise ConfigError(f"hours {list(out)}: {bad[0]:g} is not a positive number of hours")
    return tuple(sorted(set(out)))


def _quantity(q: LandQuantity | float | None, default: LandQuantity, name: str) -> LandQuantity:
    if q is None:
        return default
    if isinstance(q, LandQuantity):
        return q
    try:
        x = float(q)
    except (TypeError, ValueError):
        raise ConfigError(f"{name} {q!r}: must be a number or a LandQuantity") from None
    if not (math.isfinite(x) and x > 0):
        raise ConfigError(f"{name} {x:g}: must be a positive number")
    return LandQuantity(
        value=x, low=x, high=x, unit=default.unit, assumption=f"{name} given by the user"
    )


def _movement(
    road_factor: LandQuantity | float | None, speed_kmh: LandQuantity | float | None
) -> tuple[LandQuantity, LandQuantity]:
    mv = default_movement()
    factor = _quantity(road_factor, mv.road_factor, "road_factor")
    speed = _quantity(speed_kmh, mv.march_speed_kmh, "speed_kmh")
    if factor.low < 1.0:
        raise ConfigError(f"road_factor {factor.low:g}: below 1 (a road is never shorter)")
    if speed.low <= 0.0:
        raise ConfigError(f"speed_kmh {speed.low:g}: must be above 0")
    return factor, speed


def _front_line(front: FrontLike) -> BaseGeometry:
    line = getattr(front, "line", None)
    if line is None or line.is_empty:
        raise DataError("front: no line of contact to cover")
    return line


def _nearest_on_line(line: BaseGeometry, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """(n, 2) lon/lat of the point of ``line`` nearest to each point (metric projection)."""
    from garant.frontline.line import to_metric

    metric = to_metric(line)
    tr = pyproj.Transformer.from_crs(4326, _metric_crs(), always_xy=True)
    x, y = tr.transform(lon, lat)
    pts = shapely.points(np.asarray(x), np.asarray(y))
    near = shapely.get_point(shapely.shortest_line(pts, metric), 1)
    xy = shapely.get_coordinates(near)
    back = pyproj.Transformer.from_crs(_metric_crs(), 4326, always_xy=True)
    blon, blat = back.transform(xy[:, 0], xy[:, 1])
    return np.column_stack([np.asarray(blon), np.asarray(blat)])


def _metric_crs() -> str:
    from garant.frontline.line import METRIC_CRS

    return METRIC_CRS


def _geodesic_km(lon0: np.ndarray, lat0: np.ndarray, lon1: np.ndarray, lat1: np.ndarray) -> Any:
    _, _, d = _GEOD.inv(lon0, lat0, lon1, lat1)
    return np.asarray(d, dtype=float) / 1000.0


def _distance_matrix_km(bases: gpd.GeoDataFrame, s: LineSamples) -> np.ndarray:
    """Geodesic distance from each base (rows) to each sample (columns), km."""
    blon = bases["lon"].to_numpy(dtype=float)
    blat = bases["lat"].to_numpy(dtype=float)
    gl, gs = np.meshgrid(blon, s.lon, indexing="ij")
    ga, gb = np.meshgrid(blat, s.lat, indexing="ij")
    return np.asarray(_geodesic_km(gl.ravel(), ga.ravel(), gs.ravel(), gb.ravel())).reshape(
        len(bases), len(s)
    )


def _standoff_km(bases: gpd.GeoDataFrame, front: FrontLike) -> np.ndarray:
    from garant.air.placement import hostile_territory
    from garant.air.presets import standoff_distances_km

    hostile = hostile_territory(front.occupied)
    return standoff_distances_km(
        bases["lon"].to_numpy(dtype=float), bases["lat"].to_numpy(dtype=float), hostile
    )


def _shares(times_h: np.ndarray, weight_km: np.ndarray, hours: tuple[float, ...]) -> dict[str, Any]:
    total = float(weight_km.sum())
    out: dict[str, Any] = {}
    for h in hours:
        reached = float(weight_km[times_h <= h].sum())
        out[share_column(h)] = reached / total if total > 0 else 0.0
    return out


def _mean(times_h: np.ndarray, weight_km: np.ndarray) -> float:
    ok = np.isfinite(times_h)
    if not ok.any() or weight_km[ok].sum() <= 0:
        return math.inf
    return float(np.average(times_h[ok], weights=weight_km[ok]))


def _table(
    bases: gpd.GeoDataFrame,
    front: FrontLike,
    samples: LineSamples,
    times_h: np.ndarray,
    hours: tuple[float, ...],
    *,
    method: str,
    extra: dict[str, np.ndarray] | None = None,
) -> pd.DataFrame:
    """The per-base rows and the ``any`` row from a (bases x samples) time matrix."""
    line = _front_line(front)
    blon = bases["lon"].to_numpy(dtype=float)
    blat = bases["lat"].to_numpy(dtype=float)
    near = _nearest_on_line(line, blon, blat)
    line_km = np.asarray(_geodesic_km(blon, blat, near[:, 0], near[:, 1]), dtype=float)
    standoff = _standoff_km(bases, front)
    rows: list[dict[str, Any]] = []
    for i in range(len(bases)):
        t = times_h[i]
        row: dict[str, Any] = {
            "base_id": str(bases["base_id"].iloc[i]),
            "name": str(bases["name"].iloc[i]),
            "lon": blon[i],
            "lat": blat[i],
            "line_km": line_km[i],
            "nearest_lon": near[i, 0],
            "nearest_lat": near[i, 1],
            "standoff_km": float(standoff[i]),
            "time_to_line_h": float(np.min(t)) if t.size else math.inf,
            "mean_time_h": _mean(t, samples.weight_km),
        }
        for k, v in (extra or {}).items():
            row[k] = float(v[i])
        row.update(_shares(t, samples.weight_km, hours))
        rows.append(row)
    best = times_h.min(axis=0) if len(bases) else np.full(len(samples), np.inf)
    j = int(np.argmin(line_km))
    any_row: dict[str, Any] = {
        "base_id": ANY_BASE,
        "name": "any base",
        "lon": math.nan,
        "lat": math.nan,
        "line_km": float(line_km.min()),
        "nearest_lon": near[j, 0],
        "nearest_lat": near[j, 1],
        "standoff_km": float(np.min(standoff)),
        "time_to_line_h": float(best.min()) if best.size else math.inf,
        "mean_time_h": _mean(best, samples.weight_km),
    }
    for k, v in (extra or {}).items():
        any_row[k] = float(np.min(v))
    any_row.update(_shares(best, samples.weight_km, hours))
    rows.append(any_row)
    out = pd.DataFrame(rows)
    out["method"] = method
    out.attrs["line_km"] = samples.length_km
    out.attrs["n_samples"] = len(samples)
    return out


def reach_table(
    bases: gpd.GeoDataFrame,
    front: FrontLike,
    *,
    road_factor: LandQuantity | float | None = None,
    speed_kmh: LandQuantity | float | None = None,
    hours: Sequence[float] = DEFAULT_HOURS,
    spacing_km: float = DEFAULT_SPACING_KM,
) -> pd.DataFrame:
    """Distance and time from each base to the line, and the share of line reached.

    Parameters
    ----------
    bases : geopandas.GeoDataFrame
        From :func:`garant.land.bases.load_bases` (``base_id``, ``name``, ``lon``,
        ``lat``).
    front : FrontLike
        The front (its ``line`` and ``occupied``).
    road_factor : LandQuantity or float, optional
        Road over geodesic distance (default: the bundled ``movement.road_factor``).
    speed_kmh : LandQuantity or float, optional
        Rate of march, km/h (default: the bundled ``movement.march_speed_kmh``).
    hours : sequence of float
        Reaction times T, h.
    spacing_km : float
        Spacing of the samples along the line, km.

    Returns
    -------
    pandas.DataFrame
        One row per base, then the row ``base_id == "any"`` (each point of the line
        served by its nearest base). Columns: ``base_id``, ``name``, ``lon``, ``lat``;
        ``line_km`` (geodesic distance to the nearest point of the line) and that
        point's ``nearest_lon``/``nearest_lat``; ``standoff_km`` (distance from
        Russian-held territory: occupied Ukraine, Russia, Belarus); ``road_km``
        (``line_km * road_factor``); ``time_to_line_h`` (to the nearest point, with
        the quantities' values) and ``time_to_line_h_low``/``_high`` (fastest: low
        factor and high speed; slowest: high factor and low speed);
        ``mean_time_h`` (length-weighted mean time to all of the line);
        ``share_<T>h`` (share of the line's length reached within T hours) for each
        T; ``method`` (``"road_factor"``). ``attrs`` holds the parameters and their
        provenance.

    Raises
    ------
    DataError
        The front has no line, or the bases table is empty or lacks columns.
    ConfigError
        Bad hours, spacing, road factor or speed.
    """
    _require_bases(bases)
    line = _front_line(front)
    hs = _hours(hours)
    factor, speed = _movement(road_factor, speed_kmh)
    samples = sample_line(line, spacing_km)
    dist = _distance_matrix_km(bases, samples)
    times = dist * factor.value / speed.value
    out = _table(bases, front, samples, times, hs, method="road_factor")
    line_km = out["line_km"].to_numpy(dtype=float)
    out["road_km"] = line_km * factor.value
    out["time_to_line_h"] = line_km * factor.value / speed.value  # exact, not sampled
    out["time_to_line_h_low"] = line_km * factor.low / speed.high
    out["time_to_line_h_high"] = line_km * factor.high / speed.low
    cols = list(out.columns)
    for name, after in (
        ("road_km", "standoff_km"),
        ("time_to_line_h_low", "time_to_line_h"),
        ("time_to_line_h_high", "time_to_line_h_low"),
    ):
        cols.remove(name)
        cols.insert(cols.index(after) + 1, name)
    out = out[cols]
    out.attrs.update(
        road_factor=factor.value,
        march_speed_kmh=speed.value,
        spacing_km=spacing_km,
        hours=list(hs),
        provenance=[f"road_factor: {factor.provenance}", f"march_speed_kmh: {speed.provenance}"],
    )
    return out


def sector_reach(
    bases: gpd.GeoDataFrame,
    sectors: gpd.GeoDataFrame,
    *,
    road_factor: LandQuantity | float | None = None,
    speed_kmh: LandQuantity | float | None = None,
    hours: Sequence[float] = DEFAULT_HOURS,
    spacing_km: float = DEFAULT_SPACING_KM,
) -> pd.DataFrame:
    """Share of each sector of the line that some base reaches within each T.

    Parameters
    ----------
    bases : geopandas.GeoDataFrame
        As for :func:`reach_table`.
    sectors : geopandas.GeoDataFrame
        The line by sector (``Front.sectors``: ``sector``, ``length_km``, geometry).
    road_factor, speed_kmh, hours, spacing_km
        As for :func:`reach_table`.

    Returns
    -------
    pandas.DataFrame
        One row per sector: ``sector``, ``length_km``, ``nearest_base`` (the base
        with the shortest time to the sector), ``time_h`` (its time to the nearest
        point of the sector), ``share_<T>h`` for each T.

    Raises
    ------
    DataError
        ``sectors`` lacks ``sector``, or the bases table is empty.
    ConfigError
        Bad hours, spacing, road factor or speed.
    """
    _require_bases(bases)
    if "sector" not in sectors.columns:
        raise DataError(f"sectors: missing column 'sector' (has {list(sectors.columns)})")
    hs = _hours(hours)
    factor, speed = _movement(road_factor, speed_kmh)
    rows: list[dict[str, Any]] = []
    for name, geom in zip(sectors["sector"], sectors.geometry, strict=True):
        s = sample_line(geom, spacing_km)
        if not len(s):
            continue
        times = _distance_matrix_km(bases, s) * factor.value / speed.value
        per_base = times.min(axis=1)
        k = int(np.argmin(per_base))
        row: dict[str, Any] = {
            "sector": str(name),
            "length_km": s.length_km,
            "nearest_base": str(bases["base_id"].iloc[k]),
            "time_h": float(per_base[k]),
        }
        row.update(_shares(times.min(axis=0), s.weight_km, hs))
        rows.append(row)
    cols = ["sector", "length_km", "nearest_base", "time_h", *map(share_column, hs)]
    return pd.DataFrame(rows, columns=cols)


def _circle(lon: float, lat: float, radius_km: float, n: int) -> shapely.Polygon:
    az = np.linspace(0.0, 360.0, n, endpoint=False)
    plon, plat, _ = _GEOD.fwd(np.full(n, lon), np.full(n, lat), az, np.full(n, radius_km * 1000.0))
    return shapely.Polygon(np.column_stack([plon, plat]))


def reach_isochrones(
    bases: gpd.GeoDataFrame,
    hours: Sequence[float] = DEFAULT_HOURS,
    *,
    front: FrontLike | None = None,
    road_factor: LandQuantity | float | None = None,
    speed_kmh: LandQuantity | float | None = None,
    n_vertices: int = 144,
) -> gpd.GeoDataFrame:
    """The area a column from each base reaches within each T, for maps.

    Geodesic circles of radius ``speed_kmh * T / road_factor`` around each base,
    clipped to Ukraine's land (:func:`garant.sources.geography.ukraine`) minus the
    front's occupied territory.

    Parameters
    ----------
    bases : geopandas.GeoDataFrame
        As for :func:`reach_table`.
    hours : sequence of float
        Reaction times T, h.
    front : FrontLike, optional
        Its occupied territory is cut out.
    road_factor, speed_kmh : LandQuantity or float, optional
        As for :func:`reach_table`.
    n_vertices : int
        Vertices of each circle (>= 8).

    Returns
    -------
    geopandas.GeoDataFrame
        One row per base and T, then one ``base_id == "any"`` row per T (the union):
        ``base_id``, ``name``, ``hours``, ``radius_km``, ``area_km2`` (equal-area),
        ``geometry`` ((Multi)Polygon, EPSG:4326). Sorted by T, largest first, so that
        drawing in order leaves the shortest times on top.

    Raises
    ------
    DataError
        The bases table is empty or lacks columns.
    ConfigError
        Bad hours, road factor, speed or ``n_vertices``.
    """
    from garant.sources.geography import equal_area_km2, ukraine

    _require_bases(bases)
    hs = _hours(hours)
    if int(n_vertices) < 8:
        raise ConfigError(f"n_vertices {n_vertices}: at least 8")
    factor, speed = _movement(road_factor, speed_kmh)
    area: BaseGeometry = ukraine()
    if front is not None and front.occupied is not None and not front.occupied.is_empty:
        area = shapely.difference(area, front.occupied)
    shapely.prepare(area)
    rows: list[dict[str, Any]] = []
    for h in sorted(hs, reverse=True):
        radius = speed.value * h / factor.value
        pieces = []
        for bid, name, x, y in zip(
            bases["base_id"], bases["name"], bases["lon"], bases["lat"], strict=True
        ):
            geom = shapely.intersection(_circle(float(x), float(y), radius, int(n_vertices)), area)
            pieces.append(geom)
            rows.append(
                {
                    "base_id": str(bid),
                    "name": str(name),
                    "hours": h,
                    "radius_km": radius,
                    "geometry": geom,
                }
            )
        rows.append(
            {
                "base_id": ANY_BASE,
                "name": "any base",
                "hours": h,
                "radius_km": radius,
                "geometry": shapely.union_all(pieces),
            }
        )
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs=4326)
    gdf.insert(4, "area_km2", equal_area_km2(gdf.geometry))
    return gdf


# ----------------------------------------------------------------------------- road network


def _load_graph(graph: Any) -> Any:
    if isinstance(graph, str | Path):
        try:
            import osmnx as ox
        except ImportError:
            raise ConfigError(
                f"{graph}: reading an OSM road graph needs osmnx; install osmnx "
                "(pip install osmnx) or pass a networkx graph"
            ) from None
        path = Path(graph)
        if not path.is_file():
            from garant.errors import NotFoundError

            raise NotFoundError(f"{path}: road graph file not found")
        return ox.load_graphml(path)
    if not hasattr(graph, "nodes") or not hasattr(graph, "edges"):
        raise ConfigError(
            f"graph: expected a GraphML path or a networkx graph, got {type(graph).__name__}"
        )
    return graph


def _edge_hours(data: dict[str, Any], speed_kmh: float, label: str) -> float:
    try:
        length_m = float(data["length"])
    except (KeyError, TypeError, ValueError):
        raise DataError(f"road graph: edge {label} has no numeric 'length' (m)") from None
    if not (math.isfinite(length_m) and length_m >= 0):
        raise DataError(f"road graph: edge {label} has length {length_m!r}")
    v = speed_kmh
    if data.get("speed_kph") is not None:
        try:
            limit = float(data["speed_kph"])
        except (TypeError, ValueError):
            limit = math.nan
        if math.isfinite(limit) and limit > 0:
            v = min(v, limit)
    return length_m / 1000.0 / v


def network_reach(
    graph: str | Path | Any,
    bases: gpd.GeoDataFrame,
    front: FrontLike,
    hours: Sequence[float] = DEFAULT_HOURS,
    *,
    speed_kmh: LandQuantity | float | None = None,
    spacing_km: float = DEFAULT_SPACING_KM,
    max_snap_km: float = MAX_SNAP_KM,
) -> pd.DataFrame:
    """Like :func:`reach_table`, with shortest paths on a real road network.

    Each base and each sample of the line is snapped to the nearest node of the
    graph; the legs from a base to its node and from a node to the point of the line
    are driven straight at ``speed_kmh``; on the graph an edge takes
    ``length / min(speed_kmh, speed_kph)`` (``speed_kph`` if the edge has one, as
    ``osmnx.add_edge_speeds`` sets it). A point or base farther than ``max_snap_km``
    from every node is unreachable (time ``inf``).

    Parameters
    ----------
    graph : path or networkx graph
        A GraphML file as written by osmnx (``osmnx.save_graphml``; read with
        ``osmnx.load_graphml``, so osmnx must be installed), or a networkx graph
        whose nodes have ``x`` (lon) and ``y`` (lat) in degrees and whose edges have
        ``length`` in metres.
    bases : geopandas.GeoDataFrame
        As for :func:`reach_table`.
    front : FrontLike
        The front.
    hours : sequence of float
        Reaction times T, h.
    speed_kmh : LandQuantity or float, optional
        Rate of march (default: the bundled ``movement.march_speed_kmh``).
    spacing_km : float
        Spacing of the samples along the line, km.
    max_snap_km : float
        Largest distance from a point to the graph, km.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`reach_table` except ``road_km`` and the low/high
        times, plus ``snap_km`` (distance from the base to its node); ``method`` is
        ``"network"``.

    Raises
    ------
    ConfigError
        A path but osmnx is not installed; networkx missing; a graph that is not one.
    NotFoundError
        The GraphML file does not exist.
    DataError
        The graph has no nodes, a node without coordinates or an edge without a
        length; or the front has no line.
    """
    try:
        import networkx as nx
    except ImportError:  # pragma: no cover - networkx comes with the scientific stack
        raise ConfigError("network reach needs networkx; install networkx") from None
    from scipy.spatial import cKDTree

    _require_bases(bases)
    line = _front_line(front)
    hs = _hours(hours)
    speed = _quantity(speed_kmh, default_movement().march_speed_kmh, "speed_kmh")
    g = _load_graph(graph)
    nodes = list(g.nodes)
    if not nodes:
        raise DataError("road graph: no nodes")
    try:
        nlon = np.array([float(g.nodes[n]["x"]) for n in nodes])
        nlat = np.array([float(g.nodes[n]["y"]) for n in nodes])
    except (KeyError, TypeError, ValueError):
        raise DataError("road graph: every node needs numeric 'x' (lon) and 'y' (lat)") from None
    tr = pyproj.Transformer.from_crs(4326, _metric_crs(), always_xy=True)
    nx_m, ny_m = tr.transform(nlon, nlat)
    tree = cKDTree(np.column_stack([nx_m, ny_m]))

    def snap(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x, y = tr.transform(lon, lat)
        _, idx = tree.query(np.column_stack([np.asarray(x), np.asarray(y)]))
        idx = np.asarray(idx, dtype=int)
        return idx, np.asarray(_geodesic_km(lon, lat, nlon[idx], nlat[idx]), dtype=float)

    weighted = nx.Graph() if not g.is_directed() else nx.DiGraph()
    weighted.add_nodes_from(nodes)
    for u, v, data in g.edges(data=True):
        w = _edge_hours(data, speed.value, f"{u}-{v}")
        if weighted.has_edge(u, v) and weighted[u][v]["h"] <= w:
            continue
        weighted.add_edge(u, v, h=w)

    samples = sample_line(line, spacing_km)
    s_idx, s_snap = snap(samples.lon, samples.lat)
    b_idx, b_snap = snap(bases["lon"].to_numpy(dtype=float), bases["lat"].to_numpy(dtype=float))
    times = np.full((len(bases), len(samples)), np.inf)
    for i in range(len(bases)):
        if b_snap[i] > max_snap_km:
            logger.warning(
                "network reach: base %s is %.1f km from the graph",
                bases["base_id"].iloc[i],
                b_snap[i],
            )
            continue
        dist = nx.single_source_dijkstra_path_length(weighted, nodes[int(b_idx[i])], weight="h")
        on_graph = np.array([dist.get(nodes[int(k)], np.inf) for k in s_idx], dtype=float)
        legs = (b_snap[i] + s_snap) / speed.value
        t = on_graph + legs
        t[s_snap > max_snap_km] = np.inf
        times[i] = t
    out = _table(bases, front, samples, times, hs, method="network", extra={"snap_km": b_snap})
    out.attrs.update(
        march_speed_kmh=speed.value,
        spacing_km=spacing_km,
        hours=list(hs),
        n_nodes=len(nodes),
        provenance=[f"march_speed_kmh: {speed.provenance}", "road network: user graph"],
    )
    return out
