"""Sea routes on a multi-resolution H3 grid over the Black Sea water and the Danube.

The grid holds the H3 cells of resolution :data:`GRID_RES` (7: ~5.2 km2 cells,
~2.4 km between neighbour centres) whose centre lies in
:func:`garant.sea.geography.water`, refined near ports, straits and the Danube
mouths (:data:`REFINE_RADIUS_KM`: resolution 8 within 20 km, 9 within 5 km, ~0.35 km
between centres) so harbours and straits narrower than a res-7 cell are resolved.
Each cell is joined to the cells within :data:`LINK_FACTOR` times the neighbour
spacing of the coarser of the two (the ring-2 neighbours at equal resolution: the
ring-2 links cut the hexagonal zig-zag); a link is kept when its 1/4, 1/2 and 3/4
points are on water, so a spit narrower than ~1 km can be crossed. Each edge weighs
the geodesic distance between the cell centres in km.

The Danube fairways (:func:`garant.sea.geography.fairways`) enter the graph as
chains of river nodes (ids ``"danube:NNNN"``, after the H3 cells) every ~1 km; a
fairway's sea end is joined to the water cells within :data:`JOIN_KM`. Izmail and
Reni snap to the fairway, so their routes follow the Kiliia arm and the Bystre
mouth or the Sulina channel, whichever costs less, and the river leg is drawn and
counted (:attr:`Route.river_km`).

The grid is built once per process and cached (:func:`grid`, ~1.5 s); a route is
one :func:`scipy.sparse.csgraph.dijkstra` call on it. An endpoint is a bundled
port (``garant/data/sea/ports.toml``, by id or name) or a ``(lon, lat)`` pair and
snaps to the nearest node (the Bosphorus is narrower than a cell). A point farther
than ``max_snap_km`` from it is on land and raises
:class:`~garant.errors.DataError`. A few lagoons and estuaries (Razelm, the
Southern Bug at Mykolaiv) join the sea through channels narrower than a cell and
form separate grid components: a route from them raises
:class:`~garant.errors.DataError` ("no sea path").

Least-cost routes (:func:`route`) minimise ``distance_km + (weight * exposure +
penalty) * distance_km / NOMINAL_STEP_KM`` over the edges (each edge charges the
mean of its two cells); cells may be ``blocked``. The returned line is the node
positions with each sea stretch pulled tight: a vertex is dropped while the
straight segment that skips it stays on water (and, for weighted routes, within
~3 km of the least-cost cells, so the line keeps their cost); river stretches are
kept as they are.
"""

from __future__ import annotations

import functools
import itertools
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
from garant.frontline.line import to_metric
from garant.sea.geography import fairways, territorial_seas, water

__all__ = [
    "GRID_RES",
    "JOIN_KM",
    "KNOT_KMH",
    "LINK_FACTOR",
    "NOMINAL_STEP_KM",
    "REFINE_RADIUS_KM",
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
"""H3 resolution of the open-sea grid (finer near ports and straits)."""

NOMINAL_STEP_KM = round(h3.average_hexagon_edge_length(GRID_RES, unit="km") * math.sqrt(3), 3)
"""Mean distance between neighbour cell centres at :data:`GRID_RES`, km (~2.4 km):
the unit per-step weights (exposure, penalties) are expressed in."""

REFINE_RADIUS_KM: tuple[tuple[int, float], ...] = ((8, 20.0), (9, 5.0))
"""(H3 resolution, radius in km): cells of that resolution within the radius of
a port, a strait line or a fairway's sea end (coarser rings first)."""

LINK_FACTOR = 2.3
"""Cells are linked within this many neighbour spacings of the coarser cell: the
ring-2 neighbours (<= 2.14 spacings in this region) but not ring 3 (>= 2.49)."""

JOIN_KM = 2.0
"""A fairway's sea end is joined to the water cells within this distance, km."""

KNOT_KMH = 1.852
"""One knot in km/h."""

_EARTH_KM = 6371.0088
_RIVER_STEP_DEG = 0.01
_RIVER_PREFIX = "danube:"

_GEOD = Geod(ellps="WGS84")
_SMOOTH_STEP_DEG = 0.01
_CORRIDOR_DEG = 0.03
_TIGHT_CORRIDOR_DEG = 0.012  # ~1 km: penalised or blocked cells are sharp-edged

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
    coo : scipy.sparse.coo_matrix
        :attr:`graph` in coordinate form (both directions), for re-weighting.
    res : ndarray of int8
        H3 resolution of each cell; 0 for the Danube fairway nodes.
    """

    cells: NDArray[np.str_]
    lon: NDArray[np.float64]
    lat: NDArray[np.float64]
    graph: sp.csr_matrix
    nato_territorial: NDArray[np.bool_]
    tree: KDTree
    coo: sp.coo_matrix
    res: NDArray[np.int8]

    @property
    def size(self) -> int:
        """Number of nodes (cells and fairway nodes)."""
        return len(self.cells)

    @property
    def river(self) -> NDArray[np.bool_]:
        """Whether each node is a Danube fairway node rather than a sea cell."""
        return np.asarray(self.res == 0)

    def polygons(self, idx: NDArray[np.int64]) -> NDArray[np.object_]:
        """Hexagons of the given nodes (fairway nodes give their point), EPSG:4326."""
        out = np.empty(len(idx), dtype=object)
        for k, i in enumerate(idx):
            if self.res[i] == 0:
                out[k] = shapely.Point(self.lon[i], self.lat[i])
            else:
                ring = [(x, y) for y, x in h3.cell_to_boundary(str(self.cells[i]))]
                out[k] = shapely.Polygon(ring)
        return out

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
def straits() -> dict[str, LineString]:
    """Return the strait reference lines of ``ports.toml`` (``[straits.*]``) by id.

    Raises
    ------
    ConfigError
        If a strait has fewer than two valid ``[lon, lat]`` points.
    """
    text = resources.files("garant.data").joinpath("sea").joinpath("ports.toml").read_text("utf-8")
    raw = tomllib.loads(text).get("straits", {})
    out: dict[str, LineString] = {}
    for sid, entry in raw.items():
        try:
            xy = np.asarray(entry["points"], dtype=np.float64)
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"ports.toml: strait {sid!r}: bad or missing points ({exc})") from exc
        if xy.ndim != 2 or xy.shape[1] != 2 or len(xy) < 2 or not np.isfinite(xy).all():
            raise ConfigError(f"ports.toml: strait {sid!r}: needs at least two [lon, lat] points")
        out[sid] = LineString(xy)
    return out


def _refine_sites() -> BaseGeometry:
    """Ports at sea, strait lines and the fairways' sea ends: where the grid is refined."""
    river_ids = {"izmail", "reni"}
    pts = [Point(p.sea_lon, p.sea_lat) for p in ports().values() if p.id not in river_ids]
    pts += [Point(f.line.coords[-1]) for f in fairways().values() if f.sea_end]
    return shapely.union_all([*pts, *straits().values()])


def _zones() -> list[tuple[int, BaseGeometry]]:
    """(resolution, water area) of each refinement ring, coarsest first."""
    poly = water()
    sites = to_metric(_refine_sites())
    out: list[tuple[int, BaseGeometry]] = []
    for res, radius_km in REFINE_RADIUS_KM:
        zone = to_metric(sites.buffer(radius_km * 1000.0), inverse=True).intersection(poly)
        shapely.prepare(zone)
        out.append((res, zone))
    return out


def _cells_in(area: BaseGeometry, res: int) -> tuple[list[str], NDArray[np.float64]]:
    """H3 cells of a resolution whose centre lies in a (multi)polygon, and their (lat, lon).

    Candidates are the cells of each part's convex hull (few vertices: fast in H3),
    kept when :func:`shapely.contains_xy` puts their centre in ``area``; this is
    the centre containment of :func:`h3.polygon_to_cells` on ``area`` itself.
    """
    cells: list[str] = []
    for part in getattr(area, "geoms", [area]):
        if part.is_empty or part.geom_type != "Polygon":
            continue
        hull = part.convex_hull
        if hull.geom_type != "Polygon":
            continue
        shell = [(y, x) for x, y in hull.exterior.coords]
        cells.extend(h3.polygon_to_cells(h3.LatLngPoly(shell), res))
    cells = sorted(set(cells))
    if not cells:
        return [], np.empty((0, 2))
    ll = np.asarray([h3.cell_to_latlng(c) for c in cells], dtype=np.float64)
    ok = shapely.contains_xy(area, ll[:, 1], ll[:, 0])
    return [c for c, keep in zip(cells, ok, strict=True) if keep], ll[ok]


def _sea_cells() -> tuple[NDArray[np.str_], NDArray[np.int8], NDArray[np.float64]]:
    """The multi-resolution sea cells (sorted), their resolutions and (lat, lon) centres."""
    zones = _zones()
    levels: list[tuple[int, BaseGeometry]] = [(GRID_RES, water()), *zones]
    cells: list[str] = []
    res: list[int] = []
    centres: list[NDArray[np.float64]] = []
    for k, (lev, area) in enumerate(levels):
        cs, ll = _cells_in(area, lev)
        if k + 1 < len(levels) and cs:
            keep = ~shapely.contains_xy(levels[k + 1][1], ll[:, 1], ll[:, 0])
            cs = [c for c, kept in zip(cs, keep, strict=True) if kept]
            ll = ll[keep]
        cells.extend(cs)
        res.extend([lev] * len(cs))
        centres.append(ll)
    order = np.argsort(np.asarray(cells))
    return (
        np.asarray(cells)[order],
        np.asarray(res, dtype=np.int8)[order],
        np.vstack(centres)[order],
    )


def _river_nodes() -> tuple[NDArray[np.float64], NDArray[np.int64], list[int]]:
    """Fairway nodes (lon, lat), their chain edges (pairs of node indices) and sea ends."""
    index: dict[tuple[float, float], int] = {}
    xy: list[tuple[float, float]] = []
    edges: list[tuple[int, int]] = []
    ends: list[int] = []

    def node(x: float, y: float) -> int:
        key = (round(x, 6), round(y, 6))
        if key not in index:
            index[key] = len(xy)
            xy.append((x, y))
        return index[key]

    for f in fairways().values():
        pts = shapely.get_coordinates(shapely.segmentize(f.line, _RIVER_STEP_DEG))
        ids = [node(float(x), float(y)) for x, y in pts]
        edges.extend((a, b) for a, b in itertools.pairwise(ids) if a != b)
        if f.sea_end:
            ends.append(ids[-1])
    return np.asarray(xy, dtype=np.float64), np.asarray(edges, dtype=np.int64), ends


@functools.cache
def _inner_water() -> BaseGeometry:
    """Water farther than the longest link (~5.6 km) from any land (a negative buffer)."""
    longest_km = LINK_FACTOR * _spacing_km(GRID_RES) * 1.05
    # degrees of longitude are shortest at the north of the box (47.5 N: ~75 km)
    inner = water().buffer(-longest_km / 75.0)
    shapely.prepare(inner)
    return inner


_WGS84_A_KM = 6378.137
_WGS84_E2 = 6.69437999014e-3


def _short_distance_km(
    lon1: NDArray[np.float64],
    lat1: NDArray[np.float64],
    lon2: NDArray[np.float64],
    lat2: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Ellipsoidal distance for short segments (< ~10 km), km.

    The local flat-earth approximation with the WGS84 meridional and normal radii
    of curvature at the mid-latitude: relative error ~1e-6 at these lengths,
    ~20 times faster than :meth:`pyproj.Geod.inv`.
    """
    phi = np.radians(0.5 * (lat1 + lat2))
    w2 = 1.0 - _WGS84_E2 * np.sin(phi) ** 2
    m = _WGS84_A_KM * (1.0 - _WGS84_E2) / w2**1.5
    n = _WGS84_A_KM / np.sqrt(w2)
    dy = np.radians(lat2 - lat1) * m
    dx = np.radians(lon2 - lon1) * n * np.cos(phi)
    return np.asarray(np.hypot(dx, dy))


def _spacing_km(res: int) -> float:
    """Mean distance between neighbour cell centres at an H3 resolution, km."""
    return float(h3.average_hexagon_edge_length(res, unit="km")) * math.sqrt(3)


def _sea_links(
    xyz: NDArray[np.float64], res: NDArray[np.int8]
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Candidate links between sea cells (each pair once), before the water test."""
    levels = sorted(int(r) for r in np.unique(res))
    groups = {r: np.flatnonzero(res == r) for r in levels}
    trees = {r: KDTree(xyz[groups[r]]) for r in levels}
    rows: list[NDArray[np.int64]] = []
    cols: list[NDArray[np.int64]] = []
    for a in levels:
        for b in levels:
            if b > a:
                continue
            radius = LINK_FACTOR * _spacing_km(b) / _EARTH_KM  # chord ~ arc
            if a == b:
                p = trees[a].query_pairs(radius, output_type="ndarray")
                rows.append(groups[a][p[:, 0]])
                cols.append(groups[a][p[:, 1]])
            else:
                m = trees[a].sparse_distance_matrix(trees[b], radius, output_type="ndarray")
                rows.append(groups[a][m["i"]])
                cols.append(groups[b][m["j"]])
    return np.concatenate(rows), np.concatenate(cols)


@functools.cache
def grid() -> SeaGrid:
    """Build (once) and return the sea grid with the Danube fairway nodes.

    Returns
    -------
    SeaGrid
    """
    poly = water()
    cells, res, centres = _sea_cells()
    sea_lat, sea_lon = centres[:, 0].copy(), centres[:, 1].copy()
    r, c = _sea_links(_unit_vectors(sea_lon, sea_lat), res)
    # a link must not cross land: sample it at 1/4, 1/2 and 3/4 -- unless both ends
    # are farther from land than the longest link, so that no point of it can be
    inner = shapely.contains_xy(_inner_water(), sea_lon, sea_lat)
    test = np.flatnonzero(~(inner[r] & inner[c]))
    ok = np.ones(len(r), dtype=bool)
    for t in (0.25, 0.5, 0.75):
        x = sea_lon[r[test]] + t * (sea_lon[c[test]] - sea_lon[r[test]])
        y = sea_lat[r[test]] + t * (sea_lat[c[test]] - sea_lat[r[test]])
        ok[test] &= shapely.contains_xy(poly, x, y)
    r, c = r[ok], c[ok]

    n_sea = len(cells)
    sea_tree = KDTree(_unit_vectors(sea_lon, sea_lat))
    river_xy, river_edges, ends = _river_nodes()
    join_r: list[int] = []
    join_c: list[int] = []
    for e in ends:
        v = _unit_vectors(river_xy[[e], 0], river_xy[[e], 1])[0]
        near = sea_tree.query_ball_point(v, JOIN_KM / _EARTH_KM)
        near = near if near else [int(sea_tree.query(v)[1])]
        join_r.extend([n_sea + e] * len(near))
        join_c.extend(int(j) for j in near)
    r = np.concatenate([r, n_sea + river_edges[:, 0], np.asarray(join_r, dtype=np.int64)])
    c = np.concatenate([c, n_sea + river_edges[:, 1], np.asarray(join_c, dtype=np.int64)])
    lon = np.concatenate([sea_lon, river_xy[:, 0]])
    lat = np.concatenate([sea_lat, river_xy[:, 1]])
    ids = np.asarray(
        [*cells, *(f"{_RIVER_PREFIX}{i:04d}" for i in range(len(river_xy)))], dtype=np.str_
    )
    all_res = np.concatenate([res, np.zeros(len(river_xy), dtype=np.int8)])

    d_km = _short_distance_km(lon[r], lat[r], lon[c], lat[c])
    n = len(ids)
    w = sp.coo_matrix((np.maximum(d_km, 1e-3), (r, c)), shape=(n, n))
    graph = (w + w.T).tocsr()
    nato_mask = shapely.contains_xy(_nato_waters(), lon, lat)
    logger.info(
        "sea grid: %d cells (res %s), %d fairway nodes, %d edges",
        n_sea,
        ",".join(str(int(x)) for x in np.unique(res)),
        len(river_xy),
        len(r),
    )
    return SeaGrid(
        ids,
        lon,
        lat,
        graph,
        nato_mask,
        KDTree(_unit_vectors(lon, lat)),
        graph.tocoo(),
        all_res,
    )


@dataclass(frozen=True, slots=True)
class Route:
    """A sea route between two endpoints.

    Attributes
    ----------
    origin, destination : str
        Port ids, or ``"lon,lat"`` for points.
    length_km : float
        Geodesic length of :attr:`line` plus any undrawn river legs, km.
    sea_length_km : float
        Geodesic length of :attr:`line` at sea (without the fairway stretches), km.
    speed_kn : float
        Speed the transit time is computed at, knots.
    transit_h : float
        ``length_km / (speed_kn * 1.852)``, hours.
    nato_territorial_share : float
        Geodesic share of :attr:`line` inside NATO members' territorial seas, in [0, 1].
    exposure : float
        Exposure along the grid path in nominal steps: the sum over its edges of
        the mean exposure of the two cells times the edge length over
        :data:`NOMINAL_STEP_KM` (0 without exposure).
    cells : tuple of str
        The nodes of the grid path (H3 cells, ``"danube:NNNN"`` fairway nodes),
        origin to destination.
    line : LineString
        EPSG:4326, from the origin (its sea start) to the destination, river
        stretches included.
    river_km : float
        Length on the Danube fairways (drawn) plus any undrawn river legs, km.
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
    river_km: float = 0.0

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
                "river_km": round(self.river_km, 3),
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


def _visible_from(
    xy: NDArray[np.float64], i: int, area: BaseGeometry, *, exact: bool = False
) -> int:
    """Return the furthest index j > i whose straight segment from ``xy[i]`` stays in ``area``.

    Segments are sampled every ~1 km; with ``exact`` the chosen one is also checked
    whole (stepping back while it leaves ``area``).
    """
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
    if exact:
        while len(visible) and not area.covers(LineString([xy[i], xy[js[visible[-1]]]])):
            visible = visible[:-1]
    # neighbouring cell centres are always joined, even where the sampling grazes a coast
    return int(js[visible[-1]]) if len(visible) else i + 1


def _pull_tight(
    xy: NDArray[np.float64], area: BaseGeometry, *, exact: bool = False
) -> NDArray[np.float64]:
    """Keep the fewest cell centres such that each straight leg stays in ``area`` (greedy)."""
    if len(xy) <= 2:
        return xy
    keep = [0]
    i = 0
    while i < len(xy) - 1:
        i = _visible_from(xy, i, area, exact=exact)
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
    penalty: Sequence[float] | NDArray[np.float64] | None = None,
    blocked: Sequence[bool] | NDArray[np.bool_] | None = None,
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
    penalty : array of float, optional
        Extra cost per cell in km per nominal grid step (:data:`NOMINAL_STEP_KM`),
        >= 0, aligned with :attr:`SeaGrid.cells`; an edge charges the mean of its
        two cells times its length over the nominal step. Used for mined water and
        for steps outside NATO territorial seas (:func:`garant.sea.corridor.plan_route`).
    blocked : array of bool, optional
        Cells that may not be entered (e.g. mine areas to avoid), aligned with
        :attr:`SeaGrid.cells`; the endpoints' own cells are always allowed.

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
    exp = _cell_array(exposure, g.size, "exposure")
    pen = _cell_array(penalty, g.size, "penalty")
    block: NDArray[np.bool_] | None = None
    if blocked is not None:
        block = np.asarray(blocked, dtype=bool)
        if block.shape != (g.size,):
            raise DataError(f"blocked: shape {block.shape}, expected ({g.size},) (one per cell)")
    a_label, a_lon, a_lat, a_river, a = _endpoint(origin, g, max_snap_km)
    b_label, b_lon, b_lat, b_river, b = _endpoint(destination, g, max_snap_km)

    weighted = (exp is not None and exposure_weight > 0) or pen is not None
    graph = g.graph
    if weighted or block is not None:
        coo = g.coo
        scale = coo.data / NOMINAL_STEP_KM
        cost = coo.data.copy()
        if exp is not None and exposure_weight > 0:
            cost += exposure_weight * 0.5 * (exp[coo.row] + exp[coo.col]) * scale
        if pen is not None:
            cost += 0.5 * (pen[coo.row] + pen[coo.col]) * scale
        keep = np.ones(len(cost), dtype=bool)
        if block is not None:
            keep = _unblocked_edges(g, block, (a, b))
        graph = sp.csr_matrix((cost[keep], (coo.row[keep], coo.col[keep])), shape=graph.shape)
    dist, pred = dijkstra(graph, directed=True, indices=a, return_predecessors=True)
    if not math.isfinite(dist[b]):
        raise DataError(f"no sea path from {a_label!r} to {b_label!r} on the grid")
    path = [b]
    while path[-1] != a:
        path.append(int(pred[path[-1]]))
    path.reverse()
    idx = np.asarray(path)

    centres = np.column_stack([g.lon[idx], g.lat[idx]])
    area: BaseGeometry = water()
    if weighted or block is not None:
        # keep the smoothed line near the least-cost cells so it keeps their cost
        width = _CORRIDOR_DEG if pen is None and block is None else _TIGHT_CORRIDOR_DEG
        corridor = LineString(centres).buffer(width) if len(centres) > 1 else area
        area = corridor.intersection(area)
        if block is not None and block.any():
            area = area.difference(_blocked_area(g, block, corridor))
        shapely.prepare(area)
    exact = block is not None and bool(block.any())
    smooth, river_km = _smooth(
        centres, g.res[idx] == 0, area, (a_lon, a_lat), (b_lon, b_lat), exact=exact
    )
    xy = np.vstack([[a_lon, a_lat], smooth, [b_lon, b_lat]])
    if len(xy) == 3 and np.allclose(xy[0], xy[-1]):
        xy = xy[[0, -1]]
    line = LineString(xy)
    line_km = _line_length_km(xy)
    sea_km = max(0.0, line_km - river_km)
    share = _share_inside(line, _nato_waters())
    length_km = line_km + a_river + b_river
    total_exposure = 0.0
    if exp is not None and len(idx) > 1:
        d_km = np.asarray(g.graph[idx[:-1], idx[1:]]).ravel()
        total_exposure = float(
            (0.5 * (exp[idx[:-1]] + exp[idx[1:]]) * d_km).sum() / NOMINAL_STEP_KM
        )
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
        river_km=river_km + a_river + b_river,
    )


def _smooth(
    centres: NDArray[np.float64],
    river: NDArray[np.bool_],
    area: BaseGeometry,
    start: tuple[float, float],
    end: tuple[float, float],
    *,
    exact: bool = False,
) -> tuple[NDArray[np.float64], float]:
    """Pull each sea stretch of a path tight; keep river stretches; return their length.

    The river length runs from the endpoint (when it snaps to a fairway node)
    through the fairway nodes; the join from a fairway's sea end to the first sea
    cell counts as sea.
    """
    cuts = np.flatnonzero(np.diff(river.astype(np.int8))) + 1
    pieces: list[NDArray[np.float64]] = []
    river_km = 0.0
    for k, run in enumerate(np.split(np.arange(len(centres)), cuts)):
        pts = centres[run]
        if not river[run[0]]:
            pieces.append(_pull_tight(pts, area, exact=exact))
            continue
        pieces.append(pts)
        leg = pts
        if k == 0:
            leg = np.vstack([[start], leg])
        if run[-1] == len(centres) - 1:
            leg = np.vstack([leg, [end]])
        river_km += _line_length_km(leg)
    return np.vstack(pieces), river_km


def _cell_array(
    values: Sequence[float] | NDArray[np.float64] | None, n: int, name: str
) -> NDArray[np.float64] | None:
    """Validate a per-cell non-negative array (or None)."""
    if values is None:
        return None
    out = np.asarray(values, dtype=np.float64)
    if out.shape != (n,):
        raise DataError(f"{name}: shape {out.shape}, expected ({n},) (one per cell)")
    if not np.all(np.isfinite(out)) or np.any(out < 0):
        raise DataError(f"{name}: values must be finite and >= 0")
    return out


def _unblocked_edges(
    g: SeaGrid, block: NDArray[np.bool_], ends: tuple[int, int]
) -> NDArray[np.bool_]:
    """Mask of the edges of ``g.coo`` that neither touch nor jump over a blocked cell.

    A ring-2 link between two free cells may pass over a blocked one: such links
    (both ends next to a blocked cell) are dropped when their midpoint's nearest
    node is blocked. The endpoints' own cells are never blocked.
    """
    stop = block.copy()
    stop[list(ends)] = False
    coo = g.coo
    keep = ~(stop[coo.row] | stop[coo.col])
    near = (g.graph @ stop.astype(np.float64)) > 0
    check = np.flatnonzero(keep & near[coo.row] & near[coo.col])
    if len(check):
        mid_lon = 0.5 * (g.lon[coo.row[check]] + g.lon[coo.col[check]])
        mid_lat = 0.5 * (g.lat[coo.row[check]] + g.lat[coo.col[check]])
        _, nearest = g.tree.query(_unit_vectors(mid_lon, mid_lat))
        keep[check[stop[nearest]]] = False
    return np.asarray(keep)


def _blocked_area(g: SeaGrid, block: NDArray[np.bool_], near: BaseGeometry) -> BaseGeometry:
    """Union of the hexagons of the blocked cells whose centres lie in ``near``'s box."""
    x0, y0, x1, y1 = near.bounds
    sel = np.flatnonzero(block & (g.lon >= x0) & (g.lon <= x1) & (g.lat >= y0) & (g.lat <= y1))
    return shapely.union_all(g.polygons(sel)) if len(sel) else shapely.Polygon()


def shortest_route(origin: Endpoint, destination: Endpoint, *, speed_kn: float = 12.0) -> Route:
    """Return the shortest sea route between two endpoints (see :func:`route`)."""
    return route(origin, destination, speed_kn=speed_kn)
