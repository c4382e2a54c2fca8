"""The raid engagement model: a numba kernel and its pure-Python reference.

Both functions implement the same model on the same precomputed geometry; the
reference is the straightforward per-threat/per-event Python loop used as the
benchmark baseline and as the test oracle. They draw from different random
streams, so they agree in distribution, not draw for draw.

The model, for one raid (see :mod:`garant.air.raids` for the parameters):

1. Each launched track is lost to electronic warfare with ``ew_p[class]``
   (before any kinetic engagement); each decoy is recognised as a decoy with
   ``disc_p`` and then never engaged.
2. Engagement opportunities ``(track, unit, time)`` are visited in time order
   (outer layers come first as tracks fly inwards). A unit engages if the track
   is still flying, the unit has a ready round and a free fire channel (a
   channel stays busy for ``look_h`` after each engagement: the look of
   shoot-look-shoot). It fires ``min(shots_per_engagement, ready)`` rounds,
   each killing with ``pk[type, class]`` (a kill by an electronic-warfare
   unit counts as lost to EW). When its ready rounds run out and it
   holds reserve rounds it reloads ``reload_h`` later.
3. Tracks still flying at the end leak; a leaked non-decoy hits its target
   with ``hit_p[class]``.

Random numbers come from a splitmix64 stream per raid, seeded from the master
generator up front, so that results do not depend on how raids are split over
threads.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

import numba
import numpy as np
from numpy.typing import NDArray

__all__ = ["raid_batch_numba", "raid_batch_python"]

logger = logging.getLogger(__name__)

_F = TypeVar("_F", bound=Callable[..., Any])

_FLYING = 0
_DESTROYED = 1
_LOST_EW = 2
_NOT_LAUNCHED = 3

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_INV53 = 1.0 / 9007199254740992.0


def _jit(**options: Any) -> Callable[[_F], _F]:
    """``numba.njit`` with an on-disk cache, without one where none is writable."""

    def deco(fn: _F) -> _F:
        try:
            return numba.njit(cache=True, **options)(fn)
        except RuntimeError as exc:  # no writable cache locator (read-only install)
            logger.debug("numba cache unavailable for %s: %s", fn.__name__, exc)
            return numba.njit(cache=False, **options)(fn)

    return deco


@_jit()
def _uniform(state: np.uint64) -> tuple[np.uint64, float]:  # pragma: no cover - jitted
    """Advance a splitmix64 state; return it and a uniform draw in [0, 1)."""
    state = state + _GOLDEN
    z = state
    z = (z ^ (z >> _S30)) * _MIX1
    z = (z ^ (z >> _S27)) * _MIX2
    z = z ^ (z >> _S31)
    return state, float(z >> _S11) * _INV53


@_jit(parallel=True)
def raid_batch_numba(  # pragma: no cover - jitted
    track_class: NDArray[np.int64],
    track_decoy: NDArray[np.bool_],
    track_target: NDArray[np.int64],
    ev_track: NDArray[np.int64],
    ev_unit: NDArray[np.int64],
    ev_time: NDArray[np.float64],
    unit_type: NDArray[np.int64],
    pk: NDArray[np.float64],
    shots_per_engagement: NDArray[np.int64],
    channels: NDArray[np.int64],
    reload_h: NDArray[np.float64],
    magazine: NDArray[np.int64],
    unit_is_ew: NDArray[np.bool_],
    look_h: float,
    ew_p: NDArray[np.float64],
    hit_p: NDArray[np.float64],
    disc_p: float,
    active: NDArray[np.bool_],
    ready: NDArray[np.int64],
    reserve: NDArray[np.int64],
    seeds: NDArray[np.uint64],
    launched: NDArray[np.int64],
    destroyed: NDArray[np.int64],
    lost_ew: NDArray[np.int64],
    leaked: NDArray[np.int64],
    hits: NDArray[np.int64],
    shots: NDArray[np.int64],
) -> None:
    """Simulate raids in parallel; state (``ready``, ``reserve``) and outputs in place.

    Shapes: tracks T, events E, units U, unit types K, classes C, targets A,
    raids R. ``active`` (R, T); ``ready``/``reserve`` (R, U); ``seeds`` (R,);
    outputs ``launched``/``destroyed``/``lost_ew``/``leaked`` (R, C), ``hits``
    (R, A), ``shots`` (R, K), all zero on entry.
    """
    n_raids = seeds.shape[0]
    n_tracks = track_class.shape[0]
    n_events = ev_track.shape[0]
    n_units = unit_type.shape[0]
    max_ch = 1
    for k in range(channels.shape[0]):
        max_ch = max(max_ch, channels[k])
    for r in numba.prange(n_raids):
        s = seeds[r]
        status = np.empty(n_tracks, dtype=np.int8)
        ignored = np.zeros(n_tracks, dtype=np.bool_)
        for j in range(n_tracks):
            if not active[r, j]:
                status[j] = _NOT_LAUNCHED
                continue
            c = track_class[j]
            launched[r, c] += 1
            status[j] = _FLYING
            p = ew_p[c]
            if p > 0.0:
                s, u = _uniform(s)
                if u < p:
                    status[j] = _LOST_EW
                    lost_ew[r, c] += 1
                    continue
            if track_decoy[j] and disc_p > 0.0:
                s, u = _uniform(s)
                if u < disc_p:
                    ignored[j] = True
        busy = np.zeros((n_units, max_ch), dtype=np.float64)
        reload_at = np.full(n_units, np.inf)
        for e in range(n_events):
            j = ev_track[e]
            if status[j] != _FLYING or ignored[j]:
                continue
            i = ev_unit[e]
            t = ev_time[e]
            k = unit_type[i]
            if ready[r, i] == 0:
                if reload_at[i] <= t:
                    n_load = min(magazine[k], reserve[r, i])
                    ready[r, i] = n_load
                    reserve[r, i] -= n_load
                    reload_at[i] = np.inf
                if ready[r, i] == 0:
                    continue
            ch = -1
            for q in range(channels[k]):
                if busy[i, q] <= t:
                    ch = q
                    break
            if ch < 0:
                continue
            busy[i, ch] = t + look_h
            n_fire = min(shots_per_engagement[k], ready[r, i])
            ready[r, i] -= n_fire
            shots[r, k] += n_fire
            c = track_class[j]
            p = pk[k, c]
            for _ in range(n_fire):
                if p >= 1.0:
                    status[j] = _DESTROYED
                    break
                if p > 0.0:
                    s, u = _uniform(s)
                    if u < p:
                        status[j] = _DESTROYED
                        break
            if status[j] == _DESTROYED:
                if unit_is_ew[k]:
                    status[j] = _LOST_EW
                    lost_ew[r, c] += 1
                else:
                    destroyed[r, c] += 1
            if ready[r, i] == 0 and reserve[r, i] > 0 and reload_at[i] == np.inf:
                reload_at[i] = t + reload_h[k]
        for j in range(n_tracks):
            if status[j] != _FLYING:
                continue
            c = track_class[j]
            leaked[r, c] += 1
            if track_decoy[j]:
                continue
            p = hit_p[c]
            if p >= 1.0:
                hits[r, track_target[j]] += 1
            elif p > 0.0:
                s, u = _uniform(s)
                if u < p:
                    hits[r, track_target[j]] += 1


def raid_batch_python(
    track_class: NDArray[np.int64],
    track_decoy: NDArray[np.bool_],
    track_target: NDArray[np.int64],
    ev_track: NDArray[np.int64],
    ev_unit: NDArray[np.int64],
    ev_time: NDArray[np.float64],
    unit_type: NDArray[np.int64],
    pk: NDArray[np.float64],
    shots_per_engagement: NDArray[np.int64],
    channels: NDArray[np.int64],
    reload_h: NDArray[np.float64],
    magazine: NDArray[np.int64],
    unit_is_ew: NDArray[np.bool_],
    look_h: float,
    ew_p: NDArray[np.float64],
    hit_p: NDArray[np.float64],
    disc_p: float,
    active: NDArray[np.bool_],
    ready: NDArray[np.int64],
    reserve: NDArray[np.int64],
    seeds: NDArray[np.uint64],
    launched: NDArray[np.int64],
    destroyed: NDArray[np.int64],
    lost_ew: NDArray[np.int64],
    leaked: NDArray[np.int64],
    hits: NDArray[np.int64],
    shots: NDArray[np.int64],
) -> None:
    """The same model as :func:`raid_batch_numba`, one threat and one event at a time.

    A plain Python loop with a :class:`numpy.random.Generator` per raid (seeded
    with the raid's seed); same arguments, same in-place outputs.
    """
    classes = track_class.tolist()
    decoys = track_decoy.tolist()
    targets = track_target.tolist()
    events = list(zip(ev_track.tolist(), ev_unit.tolist(), ev_time.tolist(), strict=True))
    types = unit_type.tolist()
    pk_l = pk.tolist()
    spe = shots_per_engagement.tolist()
    ch_l = channels.tolist()
    rel = reload_h.tolist()
    mag = magazine.tolist()
    is_ew = unit_is_ew.tolist()
    ewp = ew_p.tolist()
    hitp = hit_p.tolist()
    inf = float("inf")
    for r in range(seeds.shape[0]):
        gen = np.random.default_rng(int(seeds[r]))
        flying = []
        status: dict[int, str] = {}
        for j, c in enumerate(classes):
            if not active[r, j]:
                continue
            launched[r, c] += 1
            if ewp[c] > 0 and gen.random() < ewp[c]:
                lost_ew[r, c] += 1
                status[j] = "ew"
                continue
            if decoys[j] and disc_p > 0 and gen.random() < disc_p:
                status[j] = "ignored"
            else:
                status[j] = "flying"
            flying.append(j)
        rdy = ready[r].tolist()
        res = reserve[r].tolist()
        busy = [[0.0] * ch_l[types[i]] for i in range(len(types))]
        reload_at = [inf] * len(types)
        for j, i, t in events:
            if status.get(j) != "flying":
                continue
            k = types[i]
            if rdy[i] == 0:
                if reload_at[i] <= t:
                    n_load = min(mag[k], res[i])
                    rdy[i] = n_load
                    res[i] -= n_load
                    reload_at[i] = inf
                if rdy[i] == 0:
                    continue
            free = [q for q, b in enumerate(busy[i]) if b <= t]
            if not free:
                continue
            busy[i][free[0]] = t + look_h
            n_fire = min(spe[k], rdy[i])
            rdy[i] -= n_fire
            shots[r, k] += n_fire
            c = classes[j]
            for _ in range(n_fire):
                if gen.random() < pk_l[k][c]:
                    if is_ew[k]:
                        status[j] = "ew"
                        lost_ew[r, c] += 1
                    else:
                        status[j] = "destroyed"
                        destroyed[r, c] += 1
                    break
            if rdy[i] == 0 and res[i] > 0 and reload_at[i] == inf:
                reload_at[i] = t + rel[k]
        for j in flying:
            if status[j] in ("destroyed", "ew"):
                continue
            c = classes[j]
            leaked[r, c] += 1
            if not decoys[j] and gen.random() < hitp[c]:
                hits[r, targets[j]] += 1
        ready[r] = rdy
        reserve[r] = res
