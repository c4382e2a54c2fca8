"""The line of contact: the boundary of occupied territory inside Ukraine.

The *line of contact* is the boundary of occupied territory without the stretches
that follow Ukraine's outer boundary (the state border with Russia, and the
coast of the Black Sea and the Sea of Azov). DeepState draws its polygons to its
own trace of the border and the coast, which differs from Natural Earth's by up
to about 3 km (the Crimean coast, the Syvash, the Azov shore, the Russian border
along the Mius in Donetsk oblast), so the boundary is kept only where it runs deeper
inside Ukraine than :data:`LINE_TOLERANCE_KM` (see :func:`line_of_contact`).

All geometries are EPSG:4326 (lon, lat); lengths are geodesic (WGS84) in km; the
tolerance band is built in :data:`METRIC_CRS`, a Lambert azimuthal equal-area
projection centred on Ukraine (scale error below 0.5 % over the country).
"""

from __future__ import annotations

import threading
from typing import cast

import numpy as np
import pyproj
import shapely
from geopandas import GeoDataFrame
from shapely.geometry import MultiLineString
from shapely.geometry.base import BaseGeometry

from garant.errors import DataError
from garant.frontline._hashindex import HashIndex

__all__ = [
    "LINE_MIN_PIECE_KM",
    "LINE_TOLERANCE_KM",
    "METRIC_CRS",
    "ContactLineBuilder",
    "line_length_km",
    "line_of_contact",
    "part_lengths_km",
    "segment_lengths_m",
    "to_metric",
]

#: Metric CRS for distances and buffers over Ukraine (Lambert azimuthal
#: equal-area centred at 32° E, 48.5° N; metres).
METRIC_CRS = "+proj=laea +lat_0=48.5 +lon_0=32 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs"

#: Boundary vertices closer than this to Ukraine's outer boundary (or outside
#: Ukraine) are not line of contact, km. Chosen from the data: on the 2024-2026
#: archive, DeepState's trace of the coast and of the Russian border departs
#: from Natural Earth's by up to ~2.4 km on the Crimean and Azov coasts and the
#: Syvash and up to ~3 km along the Mius (Donetsk oblast border); with 2.5 km an
#: 11 km phantom piece of "front" stays on the Mius, with 3 km it goes. Real
#: front vertices that close to the border occur only where an occupied pocket
#: meets the border (Vovchansk, Dvorichna, Sumy oblast), which costs ~3 km of
#: line per meeting point. Total length changes by ~1.5 % per km of tolerance.
LINE_TOLERANCE_KM = 3.0
#: Pieces of line shorter than this after removing the border and coast are
#: dropped as slivers (coastal bumps that stick out of the tolerance band), km.
LINE_MIN_PIECE_KM = 3.5

_SEGMENT_DEG = 0.01  # ~1 km: longest boundary segment classified as a whole
_TO_METRIC = pyproj.Transformer.from_crs(4326, METRIC_CRS, always_xy=True)
_FROM_METRIC = pyproj.Transformer.from_crs(METRIC_CRS, 4326, always_xy=True)


def to_metric(geom: BaseGeometry, *, inverse: bool = False) -> BaseGeometry:
    """Project a geometry between EPSG:4326 and :data:`METRIC_CRS`.

    Parameters
    ----------
    geom : BaseGeometry
        Geometry in EPSG:4326 (or in :data:`METRIC_CRS` with ``inverse=True``).
    inverse : bool
        Project from the metric CRS back to EPSG:4326.

    Returns
    -------
    BaseGeometry
        The projected geometry (metres, or lon/lat with ``inverse=True``).
    """
    tr = _FROM_METRIC if inverse else _TO_METRIC

    def _f(c: np.ndarray) -> np.ndarray:
        x, y = tr.transform(c[:, 0], c[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geom, _f)


_WGS84_A = 6_378_137.0
_WGS84_E2 = 6.694379990141317e-3


def segment_lengths_m(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Ellipsoidal (WGS84) length of the segments between consecutive points, metres.

    Each segment is measured with the meridional and prime-vertical radii of
    curvature at its mid-latitude, the short-distance form of the geodesic. For
    segments up to ~10 km it agrees with the exact geodesic (GeographicLib, via
    :class:`pyproj.Geod`) to better than one part in 10⁶ (tested), and it is
    many times faster, which matters for measuring a line of contact every day.

    Parameters
    ----------
    lon, lat : numpy.ndarray
        Vertices in degrees (EPSG:4326).

    Returns
    -------
    numpy.ndarray
        ``len(lon) - 1`` lengths, metres.
    """
    phi = np.radians(lat)
    lam = np.radians(lon)
    mid = 0.5 * (phi[1:] + phi[:-1])
    s2 = np.sin(mid) ** 2
    w = np.sqrt(1.0 - _WGS84_E2 * s2)
    m = _WGS84_A * (1.0 - _WGS84_E2) / w**3
    n = _WGS84_A / w
    dphi = np.diff(phi)
    dlam = np.diff(lam)
    return np.asarray(np.hypot(m * dphi, n * np.cos(mid) * dlam), dtype=float)


def part_lengths_km(line: BaseGeometry) -> np.ndarray:
    """Geodesic length of each part of a (multi)line on the WGS84 ellipsoid.

    Parameters
    ----------
    line : BaseGeometry
        LineString or MultiLineString in EPSG:4326.

    Returns
    -------
    numpy.ndarray
        One length per part (:func:`shapely.get_parts` order), km; see
        :func:`segment_lengths_m` for the method.
    """
    if line is None or line.is_empty:
        return np.zeros(0)
    parts = shapely.get_parts(line)
    xy, idx = shapely.get_coordinates(parts, return_index=True)
    same = idx[1:] == idx[:-1]
    seg = segment_lengths_m(xy[:, 0], xy[:, 1])
    return np.bincount(idx[1:][same], weights=seg[same], minlength=len(parts)) / 1000.0


def line_length_km(line: BaseGeometry) -> float:
    """Geodesic length of a (multi)line on the WGS84 ellipsoid.

    Parameters
    ----------
    line : BaseGeometry
        LineString or MultiLineString in EPSG:4326.

    Returns
    -------
    float
        Length in km (0 for an empty geometry).
    """
    return float(part_lengths_km(line).sum())


_KEY_MUL = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F], dtype=np.uint64)


def _vertex_keys(xy: np.ndarray) -> np.ndarray:
    """64-bit hash of each vertex's exact coordinates (bit pattern; -0.0 as 0.0)."""
    u = np.ascontiguousarray(xy + 0.0).view(np.uint64).reshape(-1, 2)
    return np.asarray((u[:, 0] * _KEY_MUL[0]) ^ (u[:, 1] * _KEY_MUL[1]), dtype=np.uint64)


class ContactLineBuilder:
    """Compute lines of contact against one fixed geography (cached band).

    Building the tolerance band (Ukraine shrunk by ``tolerance_km``) costs tens
    of milliseconds; the builder does it once so that each line then costs about a
    millisecond per thousand boundary vertices.

    Parameters
    ----------
    ukraine : BaseGeometry
        Ukraine's land territory, EPSG:4326.
    boundary : GeoDataFrame, optional
        Ukraine's outer boundary (state borders and coast), EPSG:4326; defaults to
        the boundary of ``ukraine``. Boundary vertices of the occupied territory
        within ``tolerance_km`` of it are dropped.
    tolerance_km : float
        Width of the band along the outer boundary, km.
    min_piece_km : float
        Pieces of line shorter than this are dropped, km.
    """

    def __init__(
        self,
        ukraine: BaseGeometry,
        boundary: GeoDataFrame | None = None,
        *,
        tolerance_km: float = LINE_TOLERANCE_KM,
        min_piece_km: float = LINE_MIN_PIECE_KM,
    ) -> None:
        if tolerance_km < 0 or min_piece_km < 0:
            raise DataError(
                f"line of contact: tolerance_km={tolerance_km} and min_piece_km={min_piece_km} "
                "must be non-negative"
            )
        self.tolerance_km = tolerance_km
        self.min_piece_km = min_piece_km
        # Densify before projecting: a long edge that is straight in lon/lat (a
        # parallel) is curved in the metric CRS.
        land_m = to_metric(shapely.segmentize(ukraine, _SEGMENT_DEG))
        if boundary is not None and len(boundary):
            outer = shapely.union_all(boundary.to_crs(4326).geometry.to_numpy())
            outer_m = to_metric(shapely.segmentize(outer, _SEGMENT_DEG))
            band = outer_m.buffer(tolerance_km * 1000.0, quad_segs=4)
            core = land_m.difference(band)
        else:
            core = land_m.buffer(-tolerance_km * 1000.0, quad_segs=4)
        shapely.prepare(core)
        # One point query builds GEOS's lazy point locator now, so that threads
        # can then share the prepared band (read only).
        x0, y0, x1, y1 = core.bounds
        shapely.contains_xy(core, 0.5 * (x0 + x1), 0.5 * (y0 + y1))
        self._core = core
        # Per thread: keep_mask of its last call (index of vertex keys, vertices,
        # answers); consecutive snapshots share almost all vertices.
        self._local = threading.local()

    def keep_mask(self, xy_lonlat: np.ndarray) -> np.ndarray:
        """Return which vertices lie inside Ukraine, off the tolerance band.

        Parameters
        ----------
        xy_lonlat : numpy.ndarray
            (n, 2) array of lon/lat vertices.

        Returns
        -------
        numpy.ndarray
            Boolean array, True for vertices that can be on the line of contact.
        """
        xy = np.ascontiguousarray(xy_lonlat, dtype=float).reshape(-1, 2)
        # One complex number per vertex: exact comparison of both coordinates at once.
        cxy = xy.view(np.complex128).reshape(-1)
        keys = _vertex_keys(xy)
        memo: tuple[HashIndex, np.ndarray, np.ndarray] | None = getattr(self._local, "memo", None)
        if memo is not None and len(xy) and len(memo[1]):
            # Consecutive snapshots share almost all vertices: reuse their answers
            # (exact coordinate match; the hash only finds the candidate).
            m_index, m_cxy, m_keep = memo
            pos = m_index.find(keys)
            at = np.maximum(pos, 0)
            hit = (pos >= 0) & (m_cxy[at] == cxy)
            out = m_keep[at] & hit
            todo = np.flatnonzero(~hit)
        else:
            out = np.zeros(len(xy), dtype=bool)
            todo = np.arange(len(xy))
        if len(todo):
            x, y = _TO_METRIC.transform(xy[todo, 0], xy[todo, 1])
            out[todo] = np.asarray(shapely.contains_xy(self._core, x, y), dtype=bool)
        self._local.memo = (HashIndex(keys), cxy, out)
        return out

    def line_and_length(self, occupied: BaseGeometry) -> tuple[MultiLineString, float]:
        """Return the line of contact of ``occupied`` and its geodesic length.

        Parameters
        ----------
        occupied : BaseGeometry
            Occupied territory, (Multi)Polygon in EPSG:4326.

        Returns
        -------
        line : MultiLineString
            EPSG:4326 (empty if there is none).
        length_km : float
            Geodesic length, km.
        """
        if occupied is None or occupied.is_empty:
            return MultiLineString(), 0.0
        rings = shapely.get_rings(shapely.get_parts(occupied))
        # Long segments are split so that a segment that runs from the border
        # into the interior keeps its interior part (DeepState's are short anyway).
        rings = shapely.segmentize(rings, _SEGMENT_DEG)
        xy, ring = shapely.get_coordinates(rings, return_index=True)
        if len(xy) < 2:
            return MultiLineString(), 0.0
        keep = self.keep_mask(xy)
        # Segment i joins vertices i and i+1 of the same ring (rings are closed, so
        # the closing segment is included; line_merge joins runs across the seam).
        seg_ok = keep[:-1] & keep[1:] & (ring[:-1] == ring[1:])
        if not seg_ok.any():
            return MultiLineString(), 0.0
        # A run of consecutive kept segments is a linestring. Runs are separated
        # by at least one dropped segment, so each vertex is in at most one run.
        n = len(xy)
        in_run = np.zeros(n, dtype=bool)
        in_run[:-1] = seg_ok
        in_run[1:] |= seg_ok
        starts = np.zeros(n, dtype=np.int64)
        starts[:-1] = seg_ok
        starts[1:-1] &= ~seg_ok[:-1]
        vidx = np.flatnonzero(in_run)
        run = (np.cumsum(starts) - 1)[vidx]
        lines = np.asarray(shapely.linestrings(xy[vidx], indices=run), dtype=object)
        merged = shapely.line_merge(shapely.multilinestrings(lines))
        parts = shapely.get_parts(merged)
        pxy, pidx = shapely.get_coordinates(parts, return_index=True)
        same = pidx[1:] == pidx[:-1]
        seg_m = segment_lengths_m(pxy[:, 0], pxy[:, 1])
        lengths = np.bincount(pidx[1:][same], weights=seg_m[same], minlength=len(parts)) / 1000.0
        keep_part = lengths >= self.min_piece_km
        line = cast(MultiLineString, shapely.multilinestrings(parts[keep_part]))
        return line, float(lengths[keep_part].sum())

    def __call__(self, occupied: BaseGeometry) -> MultiLineString:
        """Return the line of contact of ``occupied`` (EPSG:4326)."""
        return self.line_and_length(occupied)[0]


def line_of_contact(
    occupied: BaseGeometry,
    *,
    ukraine: BaseGeometry,
    boundary: GeoDataFrame | None = None,
    tolerance_km: float = LINE_TOLERANCE_KM,
    min_piece_km: float = LINE_MIN_PIECE_KM,
) -> MultiLineString:
    """Boundary of occupied territory inside Ukraine, without the border and the coast.

    A boundary segment of the occupied territory belongs to the line of contact
    when both of its ends lie inside Ukraine's land and farther than
    ``tolerance_km`` from Ukraine's outer boundary (the state borders and the
    coast); segments longer than ~1 km are split first. What is left is merged
    (:func:`shapely.line_merge`) and pieces shorter than ``min_piece_km`` are
    dropped. The Dnipro section (the left bank
    held by Russia from Kherson to the Kakhovka reservoir) is part of the line;
    where an occupied pocket meets the Russian border (Kharkiv and Sumy oblasts)
    the line stops ``tolerance_km`` short of the border. Working on vertices
    instead of clipping keeps this at about a millisecond per thousand vertices;
    the error is at most one segment (< 1 km) at each end of each piece.

    Parameters
    ----------
    occupied : BaseGeometry
        Occupied territory, (Multi)Polygon in EPSG:4326 (clipped or not).
    ukraine : BaseGeometry
        Ukraine's land territory, EPSG:4326.
    boundary : GeoDataFrame, optional
        Ukraine's outer boundary (borders and coast), EPSG:4326; defaults to the
        boundary of ``ukraine``.
    tolerance_km : float
        Width of the band along the outer boundary, km (default
        :data:`LINE_TOLERANCE_KM`).
    min_piece_km : float
        Drop pieces shorter than this, km (default :data:`LINE_MIN_PIECE_KM`).

    Returns
    -------
    MultiLineString
        The line of contact, EPSG:4326 (empty if there is none).

    Notes
    -----
    For many snapshots build a :class:`ContactLineBuilder` once and call it.
    """
    builder = ContactLineBuilder(
        ukraine, boundary, tolerance_km=tolerance_km, min_piece_km=min_piece_km
    )
    return builder(occupied)
