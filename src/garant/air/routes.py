"""Routes of threats and their engagement geometry.

A **route** is a polyline from a launch point to a target point, flown at the
threat's speed. Every route here has three vertices — launch, turn point,
target — so that routes can be stacked in one array; a direct route has its
turn point at the midpoint. :func:`plan_routes` may move the turn point sideways
(a *dog-leg*) to keep the threat out of the defended envelopes, as one-way
attack drones do around defended cities.

The **engagement geometry** of a (route, unit) pair is the set of time windows
in which the track is inside the unit's envelope for the threat's class: a
circle of radius ``range_km`` around the unit. Altitude is not modelled; a
unit that cannot engage a class has a range of 0 for it.

All planar coordinates are kilometres in :data:`garant.frontline.line.METRIC_CRS`
(a Lambert azimuthal equal-area projection centred on Ukraine, scale error below
0.5 % over the country); :func:`lonlat_to_km` and :func:`km_to_lonlat` convert
from and to EPSG:4326.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pyproj
from numpy.typing import ArrayLike, NDArray

from garant.errors import DataError

__all__ = [
    "DOGLEG_CLASSES",
    "DOGLEG_FRACTIONS",
    "DOGLEG_OFFSETS",
    "EngagementWindows",
    "Routes",
    "engagement_windows",
    "km_to_lonlat",
    "lonlat_to_km",
    "plan_routes",
    "route_exposure_km",
]

logger = logging.getLogger(__name__)

#: Threat classes that fly a chosen path and may dog-leg around envelopes;
#: ballistic, aeroballistic, anti-ship, anti-radiation missiles and glide bombs
#: fly (nearly) straight at their target.
DOGLEG_CLASSES: frozenset[str] = frozenset(
    {"strike_uav", "decoy_uav", "recon_uav", "loitering", "cruise"}
)
#: Candidate turn points: fractions of the way from launch to target ...
DOGLEG_FRACTIONS: tuple[float, ...] = (0.25, 0.5, 0.75)
#: ... and sideways offsets, as fractions of the direct distance (both sides).
DOGLEG_OFFSETS: tuple[float, ...] = (0.1, 0.2, 0.3, 0.45)

_EPS_KM = 1e-6
_BLOCK_ELEMENTS = 2_000_000  # routes x candidates x units evaluated at once


@lru_cache(maxsize=1)
def _transformers() -> tuple[pyproj.Transformer, pyproj.Transformer]:
    from garant.frontline.line import METRIC_CRS

    fwd = pyproj.Transformer.from_crs(4326, METRIC_CRS, always_xy=True)
    inv = pyproj.Transformer.from_crs(METRIC_CRS, 4326, always_xy=True)
    return fwd, inv


def _points(values: ArrayLike, field: str) -> NDArray[np.float64]:
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim == 1 and arr.shape[0] == 2:
        arr = arr[None, :]
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise DataError(f"{field}: expected an (n, 2) array of points, got shape {arr.shape}")
    if not np.isfinite(arr).all():
        raise DataError(f"{field}: coordinates must be finite")
    return arr


def lonlat_to_km(lonlat: ArrayLike) -> NDArray[np.float64]:
    """Project (lon, lat) points to kilometres in the metric CRS.

    Parameters
    ----------
    lonlat : array_like, shape (n, 2) or (2,)
        Longitude and latitude, degrees (EPSG:4326).

    Returns
    -------
    numpy.ndarray, shape (n, 2)
        x and y, km, in :data:`garant.frontline.line.METRIC_CRS`.
    """
    pts = _points(lonlat, "lonlat")
    if (np.abs(pts[:, 1]) > 90).any() or (np.abs(pts[:, 0]) > 180).any():
        raise DataError("lonlat: longitude must lie in [-180, 180] and latitude in [-90, 90]")
    x, y = _transformers()[0].transform(pts[:, 0], pts[:, 1])
    return np.column_stack([x, y]) / 1000.0


def km_to_lonlat(xy_km: ArrayLike) -> NDArray[np.float64]:
    """Project metric-CRS points (km) back to (lon, lat) degrees.

    Parameters
    ----------
    xy_km : array_like, shape (n, 2) or (2,)
        x and y, km, in :data:`garant.frontline.line.METRIC_CRS`.

    Returns
    -------
    numpy.ndarray, shape (n, 2)
        Longitude and latitude, degrees (EPSG:4326).
    """
    pts = _points(xy_km, "xy_km") * 1000.0
    lon, lat = _transformers()[1].transform(pts[:, 0], pts[:, 1])
    return np.column_stack([lon, lat])


@dataclass(frozen=True, eq=False)
class Routes:
    """Planned routes, one per track.

    Attributes
    ----------
    waypoints_km : numpy.ndarray, shape (n, 3, 2)
        Launch point, turn point and target, km in the metric CRS.
    length_km : numpy.ndarray, shape (n,)
        Path length, km.
    exposure_km : numpy.ndarray, shape (n,)
        Path length inside envelopes summed over units (a track inside two
        overlapping envelopes counts twice), km; divide by the speed for hours.
    dogleg : numpy.ndarray of bool, shape (n,)
        Whether the turn point was moved off the direct line.
    """

    waypoints_km: NDArray[np.float64]
    length_km: NDArray[np.float64]
    exposure_km: NDArray[np.float64]
    dogleg: NDArray[np.bool_]

    @property
    def n(self) -> int:
        """Number of routes."""
        return int(self.length_km.shape[0])

    def segment_lengths_km(self) -> NDArray[np.float64]:
        """Lengths of the two legs of every route, km, shape (n, 2)."""
        d = np.diff(self.waypoints_km, axis=1)
        return np.asarray(np.hypot(d[..., 0], d[..., 1]))


@dataclass(frozen=True, eq=False)
class EngagementWindows:
    """Time windows in which tracks are inside unit envelopes (flattened).

    Attributes
    ----------
    track, unit : numpy.ndarray of int64, shape (w,)
        Track (route) and unit index of each window.
    t_in_h, t_out_h : numpy.ndarray, shape (w,)
        Times the track enters and leaves the envelope, hours after the raid
        starts; ``t_in_h < t_out_h``. The window ends at the target if the
        target is inside the envelope.
    """

    track: NDArray[np.int64]
    unit: NDArray[np.int64]
    t_in_h: NDArray[np.float64]
    t_out_h: NDArray[np.float64]

    @property
    def n(self) -> int:
        """Number of windows."""
        return int(self.track.shape[0])


def _segment_circle(
    p0: NDArray[np.float64],
    p1: NDArray[np.float64],
    centre: NDArray[np.float64],
    radius: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.bool_]]:
    """Fractions ``s`` of segments p0→p1 inside circles (broadcasting).

    Returns ``s_in``, ``s_out`` (clipped to [0, 1]) and ``valid`` (the segment
    crosses the open disc: ``s_in < s_out`` and ``radius > 0``).
    """
    dx = p1[..., 0] - p0[..., 0]
    dy = p1[..., 1] - p0[..., 1]
    fx = p0[..., 0] - centre[..., 0]
    fy = p0[..., 1] - centre[..., 1]
    a = dx * dx + dy * dy
    b = 2.0 * (fx * dx + fy * dy)
    c = fx * fx + fy * fy - radius * radius
    disc = b * b - 4.0 * a * c
    ok = (disc > 0.0) & (a > 0.0) & (radius > 0.0)
    root = np.sqrt(np.where(ok, disc, 0.0))
    a2 = np.where(a > 0.0, 2.0 * a, 1.0)
    s_in = np.clip((-b - root) / a2, 0.0, 1.0)
    s_out = np.clip((-b + root) / a2, 0.0, 1.0)
    valid = ok & (s_out > s_in)
    return s_in, s_out, valid


def route_exposure_km(
    waypoints_km: NDArray[np.float64],
    unit_km: NDArray[np.float64],
    radius_km: NDArray[np.float64],
) -> NDArray[np.float64]:
    """Path length inside envelopes, summed over units, km.

    Parameters
    ----------
    waypoints_km : numpy.ndarray, shape (..., 3, 2)
        Polylines (launch, turn point, target), km.
    unit_km : numpy.ndarray, shape (m, 2)
        Unit positions, km.
    radius_km : numpy.ndarray, shape (..., m)
        Envelope radius of each unit against each route's threat, km (0: none);
        broadcast against the leading dimensions of ``waypoints_km``.

    Returns
    -------
    numpy.ndarray, shape (...)
        Exposure, km.
    """
    total = np.zeros(waypoints_km.shape[:-2], dtype=np.float64)
    centre = unit_km.reshape((1,) * (waypoints_km.ndim - 2) + unit_km.shape)
    for seg in (0, 1):
        p0 = waypoints_km[..., seg, None, :]
        p1 = waypoints_km[..., seg + 1, None, :]
        s_in, s_out, valid = _segment_circle(p0, p1, centre, radius_km)
        seg_len = np.hypot(p1[..., 0] - p0[..., 0], p1[..., 1] - p0[..., 1])
        total += np.where(valid, (s_out - s_in) * seg_len, 0.0).sum(axis=-1)
    return total


def _candidates(launch: NDArray[np.float64], target: NDArray[np.float64]) -> NDArray[np.float64]:
    """Candidate polylines, shape (n, 1 + 2·F·O, 3, 2); candidate 0 is direct."""
    d = target - launch
    perp = np.column_stack([-d[:, 1], d[:, 0]])  # length = direct distance
    turns = [launch + 0.5 * d]
    for f in DOGLEG_FRACTIONS:
        for o in DOGLEG_OFFSETS:
            for side in (1.0, -1.0):
                turns.append(launch + f * d + side * o * perp)
    turn = np.stack(turns, axis=1)  # (n, K, 2)
    k = turn.shape[1]
    lau = np.broadcast_to(launch[:, None, :], turn.shape)
    tgt = np.broadcast_to(target[:, None, :], turn.shape)
    out = np.stack([lau, turn, tgt], axis=2)
    assert out.shape == (launch.shape[0], k, 3, 2)
    return out


def plan_routes(
    launch_km: ArrayLike,
    target_km: ArrayLike,
    unit_km: ArrayLike,
    radius_km: ArrayLike,
    *,
    range_km: ArrayLike,
    dogleg: bool = True,
    can_dogleg: ArrayLike | None = None,
) -> Routes:
    """Plan one route per track, with an optional dog-leg around envelopes.

    For every track whose threat may dog-leg, the candidates are the direct
    route and turn points at :data:`DOGLEG_FRACTIONS` of the way, offset
    sideways by :data:`DOGLEG_OFFSETS` of the direct distance; the route with
    the least exposure (path length inside envelopes, i.e. time inside them at
    constant speed) among those no longer than the threat's range is chosen,
    the shorter one on ties, and the direct route unless a dog-leg strictly
    reduces the exposure.

    Parameters
    ----------
    launch_km, target_km : array_like, shape (n, 2)
        Launch and target points, km in the metric CRS.
    unit_km : array_like, shape (m, 2)
        Unit positions, km (m may be 0).
    radius_km : array_like, shape (n, m) or (m,)
        Envelope radius of each unit against each track's threat class, km
        (0 where the unit cannot engage it).
    range_km : array_like, shape (n,) or scalar
        Maximum path length of each track, km.
    dogleg : bool
        Allow dog-legs at all.
    can_dogleg : array_like of bool, shape (n,), optional
        Which tracks may dog-leg (default: all).

    Returns
    -------
    Routes
        The planned routes.

    Raises
    ------
    DataError
        On mismatched shapes, non-finite or negative radii and ranges, a
        target equal to its launch point, or a target beyond the threat's range.
    """
    launch = _points(launch_km, "launch_km")
    target = _points(target_km, "target_km")
    n = launch.shape[0]
    if target.shape[0] != n:
        raise DataError(f"target_km: {target.shape[0]} points for {n} launch points")
    units = np.asarray(unit_km, dtype=np.float64).reshape(-1, 2)
    m = units.shape[0]
    radius = np.asarray(radius_km, dtype=np.float64)
    if radius.ndim == 1:
        radius = np.broadcast_to(radius, (n, radius.shape[0]))
    if radius.shape != (n, m):
        raise DataError(f"radius_km: expected shape ({n}, {m}), got {radius.shape}")
    if not np.isfinite(radius).all() or (radius < 0).any():
        raise DataError("radius_km: radii must be finite and >= 0")
    rng_km = np.broadcast_to(np.asarray(range_km, dtype=np.float64), (n,))
    if not (rng_km > 0).all():
        raise DataError("range_km: ranges must be > 0")
    allow = (
        np.ones(n, dtype=bool)
        if can_dogleg is None
        else np.broadcast_to(np.asarray(can_dogleg, dtype=bool), (n,))
    )
    direct = np.hypot(*(target - launch).T)
    if (direct <= _EPS_KM).any():
        i = int(np.argmax(direct <= _EPS_KM))
        raise DataError(f"target_km: route {i} has its target at its launch point")
    too_far = direct > rng_km * (1 + 1e-9)
    if too_far.any():
        i = int(np.argmax(too_far))
        raise DataError(
            f"range_km: route {i} target is {direct[i]:.0f} km from launch, "
            f"beyond the threat's range of {rng_km[i]:.0f} km"
        )

    cand = _candidates(launch, target)
    k = cand.shape[1]
    waypoints = cand[:, 0].copy()
    exposure = np.zeros(n)
    chosen_dogleg = np.zeros(n, dtype=bool)
    block = max(1, _BLOCK_ELEMENTS // max(1, k * max(m, 1)))
    for start in range(0, n, block):
        sl = slice(start, min(n, start + block))
        c = cand[sl] if dogleg else cand[sl, :1]
        exp = route_exposure_km(c, units, radius[sl, None, :])  # (b, K)
        legs = np.diff(c, axis=2)
        length = np.hypot(legs[..., 0], legs[..., 1]).sum(axis=-1)  # (b, K)
        feasible = length <= rng_km[sl, None] * (1 + 1e-9)
        feasible[:, 1:] &= allow[sl, None]
        feasible[:, 0] = True
        # lexicographic: least exposure, then shortest; direct unless strictly better
        exp_rounded = np.where(feasible, np.round(exp, 6), np.inf)
        best_exp = exp_rounded.min(axis=1)
        tie = exp_rounded == best_exp[:, None]
        best = np.argmin(np.where(tie, length, np.inf), axis=1)
        best = np.where(exp_rounded[:, 0] <= best_exp, 0, best)
        rows = np.arange(c.shape[0])
        waypoints[sl] = c[rows, best]
        exposure[sl] = exp[rows, best]
        chosen_dogleg[sl] = best != 0
    legs = np.diff(waypoints, axis=1)
    length_km = np.hypot(legs[..., 0], legs[..., 1]).sum(axis=-1)
    logger.debug("planned %d routes, %d with a dog-leg", n, int(chosen_dogleg.sum()))
    return Routes(
        waypoints_km=waypoints, length_km=length_km, exposure_km=exposure, dogleg=chosen_dogleg
    )


def engagement_windows(
    routes: Routes,
    unit_km: ArrayLike,
    radius_km: ArrayLike,
    *,
    speed_kmh: ArrayLike,
    launch_time_h: ArrayLike,
) -> EngagementWindows:
    """Time windows in which each track is inside each unit's envelope.

    A track that leaves an envelope at its turn point and re-enters it at once
    gets one window; one that leaves and comes back later gets two.

    Parameters
    ----------
    routes : Routes
        The tracks' routes.
    unit_km : array_like, shape (m, 2)
        Unit positions, km.
    radius_km : array_like, shape (n, m) or (m,)
        Envelope radius of each unit against each track, km (0: none).
    speed_kmh : array_like, shape (n,) or scalar
        Ground speed of each track, km/h (> 0).
    launch_time_h : array_like, shape (n,) or scalar
        Launch time of each track, hours after the raid starts.

    Returns
    -------
    EngagementWindows
        All windows, ordered by track then unit.
    """
    n = routes.n
    units = np.asarray(unit_km, dtype=np.float64).reshape(-1, 2)
    m = units.shape[0]
    radius = np.asarray(radius_km, dtype=np.float64)
    if radius.ndim == 1:
        radius = np.broadcast_to(radius, (n, radius.shape[0]))
    if radius.shape != (n, m):
        raise DataError(f"radius_km: expected shape ({n}, {m}), got {radius.shape}")
    speed = np.broadcast_to(np.asarray(speed_kmh, dtype=np.float64), (n,))
    if not (speed > 0).all():
        raise DataError("speed_kmh: speeds must be > 0")
    t0 = np.broadcast_to(np.asarray(launch_time_h, dtype=np.float64), (n,))
    wp = routes.waypoints_km
    seg_len = routes.segment_lengths_km()  # (n, 2)
    cum = np.column_stack([np.zeros(n), seg_len[:, 0]])
    d_in = np.empty((2, n, m))
    d_out = np.empty((2, n, m))
    ok = np.empty((2, n, m), dtype=bool)
    for seg in (0, 1):
        s_in, s_out, valid = _segment_circle(
            wp[:, seg, None, :], wp[:, seg + 1, None, :], units[None, :, :], radius
        )
        d_in[seg] = cum[:, seg, None] + s_in * seg_len[:, seg, None]
        d_out[seg] = cum[:, seg, None] + s_out * seg_len[:, seg, None]
        ok[seg] = valid
    joined = ok[0] & ok[1] & (np.abs(d_out[0] - d_in[1]) <= _EPS_KM)
    # merge contiguous windows: the first absorbs the second
    d_out0 = np.where(joined, d_out[1], d_out[0])
    ok1 = ok[1] & ~joined
    tracks, units_idx, a, b = [], [], [], []
    for din, dout, valid in ((d_in[0], d_out0, ok[0]), (d_in[1], d_out[1], ok1)):
        ti, ui = np.nonzero(valid)
        tracks.append(ti)
        units_idx.append(ui)
        a.append(t0[ti] + din[ti, ui] / speed[ti])
        b.append(t0[ti] + dout[ti, ui] / speed[ti])
    track = np.concatenate(tracks).astype(np.int64)
    unit = np.concatenate(units_idx).astype(np.int64)
    t_in = np.concatenate(a)
    t_out = np.concatenate(b)
    order = np.lexsort((t_in, unit, track))
    return EngagementWindows(
        track=track[order], unit=unit[order], t_in_h=t_in[order], t_out_h=t_out[order]
    )
