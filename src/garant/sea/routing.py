"""Sea routes on an H3 grid over the Black Sea water.

The grid is every H3 cell of resolution :data:`GRID_RES` (7: ~5.2 km2 cells,
~2.6 km between neighbour centres) whose centre lies in
:func:`garant.sea.geography.water`, joined to its water cells within two steps
(the ring-2 links cut the hexagonal zig-zag; a link is kept when its 1/4, 1/2
and 3/4 points are on water, so a spit narrower than ~1 km can be crossed); each edge
weighs the geodesic distance between the cell centres in km. The grid is built
once and cached (:func:`grid`); a route is one
:func:`scipy.sparse.csgraph.dijkstra` call on it.

An endpoint is a bundled port (``garant/data/sea/ports.toml``, by id or name) or
a ``(lon, lat)`` pair, and snaps to the nearest water cell (the Bosphorus and
the harbours are narrower than a cell). A point farther than ``max_snap_km``
from the water is on land and raises :class:`~garant.errors.DataError`. Danube
ports (Izmail, Reni) start at their river mouth; their ``river_km`` is added to
the length but the river leg is not drawn. A few lagoons and estuaries
(Razelm, the Southern Bug at Mykolaiv) join the sea through channels narrower
than a cell and form separate grid components: a route from them raises
:class:`~garant.errors.DataError` ("no sea path").

Exposure-aware routes (:func:`route`) minimise ``distance_km + weight *
exposure``, where ``exposure`` is any non-negative per-cell array (hours or km
of exposure charged per cell crossed; each edge charges the mean of its two
cells). The returned line is the cell centres pulled tight: a vertex is dropped
while the straight segment that skips it stays on water (and, for exposure-aware
routes, within ~3 km of the least-cost cells, so the line keeps their exposure).
"""

from __future__ import annotations

import functools
import logging
import math
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

import h3
import numpy as np
import scipy.sparse as sp
import shapely
from numpy.typing import NDArray
from pyproj import Geod
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import KDTree
from shapely.geometry import LineString, Point, mapping
from shapely.geometry.base import BaseGeometry
from shapely.ops import nearest_points

from garant.errors import ConfigError, DataError, NotFoundError
from garant.sea.geography import territorial_seas, water

__all__ = [
    "GRID_RES",
    "KNOT_KMH",
    "Port",
    "Route",
    "SeaGrid",
    "grid",
    "port",
    "ports",
    "route",
    "shortest_route",
]

logger = logging.getLogger(__name__)

GRID_RES = 7
"""H3 resolution of the sea grid."""

KNOT_KMH = 1.852
"""One knot in km/h."""

_GEOD = Geod(ellps="WGS84")
_SMOOTH_STEP_DEG = 0.01
_CORRIDOR_DEG = 0.03

Endpoint = str | tuple[float, float]


@dataclass(frozen=True, slots=True)
class Port:
    """A port or reference point.

    Attributes
    ----------
    id : str
        Lower-case key (``"odesa"``).
    name : str
        Display name.
    country : str
        ISO 3166 alpha-3 code.
    lon, lat : float
        The port, EPSG:4326 degrees.
    sea_lon, sea_lat : float
        Where the sea leg starts (the port itself, or a river mouth), degrees.
    river_km : float
        Length of the river leg to the sea access point, km (0 for seaports).
    source : str
        Citation of the coordinates.
    """

    id: str
    name: str
    country: str
    lon: float
    lat: float
    sea_lon: float
    sea_lat: float
    river_km: float
    source: str


@functools.cache
def ports() -> dict[str, Port]:
    """Return the bundled ports by id.

    Returns
    -------
    dict of str to Port

    Raises
    ------
    ConfigError
        If ``ports.toml`` misses a field or has a bad value.
    """
    text = resources.files("garant.data").joinpath("sea").joinpath("ports.toml").read_text("utf-8")
    raw = tomllib.loads(text).get("ports", {})
    out: dict[str, Port] = {}
    for pid, entry in raw.items():
        try:
            lon, lat = float(entry["lon"]), float(entry["lat"])
            p = Port(
                id=pid,
                name=str(entry["name"]),
                country=str(entry["country"]),
                lon=lon,
                lat=lat,
                sea_lon=float(entry.get("sea_lon", lon)),
                sea_lat=float(entry.get("sea_lat", lat)),
                river_km=float(entry.get("river_km", 0.0)),
                source=str(entry["source"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"ports.toml: port {pid!r}: bad or missing field {exc}") from exc
        if not (-180 <= lon <= 180 and -90 <= lat <= 90) or p.river_km < 0:
            raise ConfigError(f"ports.toml: port {pid!r}: coordinates or river_km out of range")
        out[pid] = p
    return out


def _norm(name: str) -> str:
    return "".join(ch for ch in name.casefold() if ch.isalnum())


def port(name: str) -> Port:
    """Look up a bundled port by id or name (case, spaces and accents tolerated).

    Raises
    ------
    NotFoundError
        If no port has that id or name; the message lists the known ids.
    """
    key = _norm(name)
    for p in ports().values():
        if key in (_norm(p.id), _norm(p.name)) or key == _norm(
            p.name.replace("ț", "t").replace("Ț", "T")
        ):
            return p
    raise NotFoundError(f"unknown port {name!r}; known: {', '.join(sorted(ports()))}")


@dataclass(frozen=True, slots=True)
class SeaGrid:
    """The H3 grid over the water and its adjacency graph.

    Attributes
    ----------
    cells : ndarray of str
        H3 cell ids, shape (n,).
    lon, lat : ndarray of float
        Cell centres, degrees, shape (n,).
    graph : scipy.sparse.csr_matrix
        Symmetric adjacency, edge weight the geodesic centre distance in km.
    nato_territorial : ndarray of bool
        Whether each cell centre lies in a NATO member's territorial sea.
    tree : scipy.spatial.KDTree
        The cell centres as unit vectors, for nearest-cell look-ups.
    """

    cells: NDArray[np.str_]
    lon: NDArray[np.float64]
    lat: NDArray[np.float64]
    graph: sp.csr_matrix
    nato_territorial: NDArray[np.bool_]
    tree: KDTree

    @property
    def size(self) -> int:
        """Number of cells."""
        return len(self.cells)

    def nearest(self, lon: float, lat: float) -> tuple[int, float]:
        """Return the index of the water cell nearest to a point and its distance in km."""
        _, found = self.tree.query(_unit_vectors(np.asarray([lon]), np.asarray([lat]))[0])
        i = int(found)
        _, _, d_m = _GEOD.inv(lon, lat, float(self.lon[i]), float(self.lat[i]))
        return i, float(d_m) / 1000.0


def _unit_vectors(lon: NDArray[np.float64], lat: NDArray[np.float64]) -> NDArray[np.float64]:
    """Return points on the unit sphere for lon/lat in degrees, shape (n, 3)."""
    lo, la = np.radians(lon), np.radians(lat)
    return np.column_stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])


@functools.cache
def grid() -> SeaGrid:
    """Build (once) and return the sea grid.

    Returns
    -------
    SeaGrid
    """
    poly = water()
    shell = [(y, x) for x, y in poly.exterior.coords]
    holes = [[(y, x) for x, y in ring.coords] for ring in poly.interiors]
    cells = np.asarray(sorted(h3.polygon_to_cells(h3.LatLngPoly(shell, *holes), GRID_RES)))
    index = {c: i for i, c in enumerate(cells)}
    centres = np.asarray([h3.cell_to_latlng(c) for c in cells], dtype=np.float64)
    lat, lon = centres[:, 0].copy(), centres[:, 1].copy()
    rows: list[int] = []
    cols: list[int] = []
    for i, c in enumerate(cells):
        for nb in h3.grid_disk(c, 2):
            j = index.get(nb)
            if j is not None and j > i:
                rows.append(i)
                cols.append(j)
    r, cidx = np.asarray(rows), np.asarray(cols)
    # a ring-2 edge must not cross land: sample it at 1/4, 1/2 and 3/4
    ok = np.ones(len(r), dtype=bool)
    for t in (0.25, 0.5, 0.75):
        x = lon[r] + t * (lon[cidx] - lon[r])
        y = lat[r] + t * (lat[cidx] - lat[r])
        ok &= shapely.contains_xy(poly, x, y)
    r, cidx = r[ok], cidx[ok]
    _, _, d_m = _GEOD.inv(lon[r], lat[r], lon[cidx], lat[cidx])
    n = len(cells)
    w = sp.coo_matrix((d_m / 1000.0, (r, cidx)), shape=(n, n))
    graph = (w + w.T).tocsr()
    nato_mask = shapely.contains_xy(_nato_waters(), lon, lat)
    logger.info("sea grid: %d cells at res %d, %d edges", n, GRID_RES, len(r))
    return SeaGrid(cells, lon, lat, graph, nato_mask, KDTree(_unit_vectors(lon, lat)))


@dataclass(frozen=True, slots=True)
class Route:
    """A sea route between two endpoints.

    Attributes
    ----------
    origin, destination : str
        Port ids, or ``"lon,lat"`` for points.
    length_km : float
        Geodesic length of :attr:`line` plus any river legs, km.
    sea_length_km : float
        Geodesic length of :attr:`line`, km.
    speed_kn : float
        Speed the transit time is computed at, knots.
    transit_h : float
        ``length_km / (speed_kn * 1.852)``, hours.
    nato_territorial_share : float
        Geodesic share of :attr:`line` inside NATO members' territorial seas, in [0, 1].
    exposure : float
        Sum of the per-cell exposure along the grid path (0 without exposure).
    cells : tuple of str
        The H3 cells of the grid path, origin to destination.
    line : LineString
        EPSG:4326, from the sea start of the origin to that of the destination.
    """

    origin: str
    destination: str
    length_km: float
    sea_length_km: float
    speed_kn: float
    transit_h: float
    nato_territorial_share: float
    exposure: float
    cells: tuple[str, ...]
    line: LineString

    def as_feature(self) -> dict[str, object]:
        """Return the route as a GeoJSON Feature (EPSG:4326) with its measures as properties."""
        return {
            "type": "Feature",
            "geometry": mapping(self.line),
            "properties": {
                "origin": self.origin,
                "destination": self.destination,
                "length_km": round(self.length_km, 3),
                "sea_length_km": round(self.sea_length_km, 3),
                "speed_kn": self.speed_kn,
                "transit_h": round(self.transit_h, 3),
                "nato_territorial_share": round(self.nato_territorial_share, 4),
                "exposure": self.exposure,
                "n_cells": len(self.cells),
            },
        }


def _endpoint(ep: Endpoint, g: SeaGrid, max_snap_km: float) -> tuple[str, float, float, float, int]:
    """Resolve an endpoint to (label, sea lon, sea lat, river km, cell index)."""
    if isinstance(ep, str):
        p = port(ep)
        label, lon, lat, river_km = p.id, p.sea_lon, p.sea_lat, p.river_km
    else:
        lon, lat = float(ep[0]), float(ep[1])
        if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180):
            raise DataError(f"endpoint ({lon}, {lat}): not a valid lon/lat")
        if not -90 <= lat <= 90:
            raise DataError(f"endpoint ({lon}, {lat}): latitude out of range")
        label, river_km = f"{lon:.4f},{lat:.4f}", 0.0
    i, d_km = g.nearest(lon, lat)
    if d_km > max_snap_km:
        wd_km = _distance_to_water_km(lon, lat)
        where = "on land" if not water().contains(Point(lon, lat)) else "off the sea grid"
        raise DataError(
            f"endpoint {label!r} ({lon:.4f}, {lat:.4f}) is {where}: {wd_km:.1f} km from the "
            f"Black Sea water, {d_km:.1f} km from the nearest sea cell "
            f"(max_snap_km={max_snap_km:g})"
        )
    return label, lon, lat, river_km, i


def _distance_to_water_km(lon: float, lat: float) -> float:
    """Geodesic distance in km from a point to the nearest point of the water polygon."""
    w = water()
    pt = Point(lon, lat)
    if w.contains(pt):
        return 0.0
    near = nearest_points(w, pt)[0]
    _, _, d = _GEOD.inv(lon, lat, near.x, near.y)
    return float(d) / 1000.0


def _visible_from(xy: NDArray[np.float64], i: int, area: BaseGeometry) -> int:
    """Return the furthest index j > i whose straight segment from ``xy[i]`` stays in ``area``."""
    js = np.arange(i + 1, len(xy))
    d = xy[js] - xy[i]
    n = np.maximum(2, (np.hypot(d[:, 0], d[:, 1]) / _SMOOTH_STEP_DEG).astype(np.int64) + 1)
    seg = np.repeat(np.arange(len(js)), n)
    start = np.repeat(np.cumsum(n) - n, n)
    t = (np.arange(int(n.sum())) - start) / np.repeat(n - 1, n)
    x = xy[i, 0] + t * d[seg, 0]
    y = xy[i, 1] + t * d[seg, 1]
    ok = shapely.contains_xy(area, x, y)
    bad = np.zeros(len(js), dtype=bool)
    np.logical_or.at(bad, seg, ~ok)
    visible = np.flatnonzero(~bad)
    # neighbouring cell centres are always joined, even where the sampling grazes a coast
    return int(js[visible[-1]]) if len(visible) else i + 1


def _pull_tight(xy: NDArray[np.float64], area: BaseGeometry) -> NDArray[np.float64]:
    """Keep the fewest cell centres such that each straight leg stays in ``area`` (greedy)."""
    if len(xy) <= 2:
        return xy
    keep = [0]
    i = 0
    while i < len(xy) - 1:
        i = _visible_from(xy, i, area)
        keep.append(i)
    return xy[keep]


@functools.cache
def _nato_waters() -> BaseGeometry:
    ts = territorial_seas()
    geom = shapely.union_all(ts.geometry[ts["nato"]].to_numpy())
    shapely.prepare(geom)
    return geom


def _share_inside(line: LineString, area: BaseGeometry) -> float:
    """Geodesic share of a line's length that lies inside an area, in [0, 1]."""
    total = _GEOD.geometry_length(line)
    if total <= 0:
        return float(area.contains(Point(line.coords[0])))
    inside = line.intersection(area)
    return min(1.0, float(_GEOD.geometry_length(inside)) / total) if not inside.is_empty else 0.0


def _line_length_km(xy: NDArray[np.float64]) -> float:
    if len(xy) < 2:
        return 0.0
    return float(_GEOD.line_length(xy[:, 0], xy[:, 1])) / 1000.0


def route(
    origin: Endpoint,
    destination: Endpoint,
    *,
    exposure_weight: float = 0.0,
    exposure: Sequence[float] | NDArray[np.float64] | None = None,
    speed_kn: float = 12.0,
    max_snap_km: float = 10.0,
) -> Route:
    """Find the least-cost sea route between two endpoints.

    Parameters
    ----------
    origin, destination : str or (float, float)
        A bundled port id or name, or a (lon, lat) point in degrees.
    exposure_weight : float
        Weight of the exposure in the cost (km of detour accepted per unit of
        exposure), >= 0.
    exposure : array of float, optional
        Non-negative exposure per grid cell, aligned with :attr:`SeaGrid.cells`
        (shape ``(grid().size,)``).
    speed_kn : float
        Transit speed in knots, > 0.
    max_snap_km : float
        Largest distance in km from an endpoint to the nearest water cell.

    Returns
    -------
    Route

    Raises
    ------
    NotFoundError
        Unknown port name.
    DataError
        A point on land or too far from the sea grid, no sea path between the
        endpoints, a negative weight or exposure, a non-positive speed, or an
        exposure array of the wrong shape.
    """
    if not (math.isfinite(exposure_weight) and exposure_weight >= 0):
        raise DataError(f"exposure_weight {exposure_weight}: must be a finite number >= 0")
    if not (math.isfinite(speed_kn) and speed_kn > 0):
        raise DataError(f"speed_kn {speed_kn}: must be a finite number > 0")
    if not (math.isfinite(max_snap_km) and max_snap_km >= 0):
        raise DataError(f"max_snap_km {max_snap_km}: must be a finite number >= 0")
    g = grid()
    exp: NDArray[np.float64] | None = None
    if exposure is not None:
        exp = np.asarray(exposure, dtype=np.float64)
        if exp.shape != (g.size,):
            raise DataError(f"exposure: shape {exp.shape}, expected ({g.size},) (one per cell)")
        if not np.all(np.isfinite(exp)) or np.any(exp < 0):
            raise DataError("exposure: values must be finite and >= 0")
    a_label, a_lon, a_lat, a_river, a = _endpoint(origin, g, max_snap_km)
    b_label, b_lon, b_lat, b_river, b = _endpoint(destination, g, max_snap_km)

    graph = g.graph
    if exp is not None and exposure_weight > 0:
        coo = graph.tocoo()
        cost = coo.data + exposure_weight * 0.5 * (exp[coo.row] + exp[coo.col])
        graph = sp.csr_matrix((cost, (coo.row, coo.col)), shape=graph.shape)
    dist, pred = dijkstra(graph, directed=False, indices=a, return_predecessors=True)
    if not math.isfinite(dist[b]):
        raise DataError(f"no sea path from {a_label!r} to {b_label!r} on the grid")
    path = [b]
    while path[-1] != a:
        path.append(int(pred[path[-1]]))
    path.reverse()
    idx = np.asarray(path)

    centres = np.column_stack([g.lon[idx], g.lat[idx]])
    area: BaseGeometry = water()
    if exp is not None and exposure_weight > 0:
        # keep the smoothed line near the least-cost cells so it keeps their exposure
        corridor = LineString(centres).buffer(_CORRIDOR_DEG) if len(centres) > 1 else area
        area = corridor.intersection(area)
        shapely.prepare(area)
    smooth = _pull_tight(centres, area)
    xy = np.vstack([[a_lon, a_lat], smooth, [b_lon, b_lat]])
    if len(xy) == 3 and np.allclose(xy[0], xy[-1]):
        xy = xy[[0, -1]]
    line = LineString(xy)
    sea_km = _line_length_km(xy)
    share = _share_inside(line, _nato_waters())
    length_km = sea_km + a_river + b_river
    total_exposure = float(exp[idx].sum()) if exp is not None else 0.0
    logger.debug("route %s -> %s: %.1f km, %d cells", a_label, b_label, length_km, len(idx))
    return Route(
        origin=a_label,
        destination=b_label,
        length_km=length_km,
        sea_length_km=sea_km,
        speed_kn=float(speed_kn),
        transit_h=length_km / (speed_kn * KNOT_KMH),
        nato_territorial_share=share,
        exposure=total_exposure,
        cells=tuple(str(c) for c in g.cells[idx]),
        line=line,
    )


def shortest_route(origin: Endpoint, destination: Endpoint, *, speed_kn: float = 12.0) -> Route:
    """Return the shortest sea route between two endpoints (see :func:`route`)."""
    return route(origin, destination, speed_kn=speed_kn)
