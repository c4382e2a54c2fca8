"""Raid simulation: one night's attack against placed defences, Monte Carlo.

A **raid** is a set of waves; a wave launches ``count`` threats of one type
from a launch point at targets (protected assets), spread evenly over a launch
window. Each threat is a **track** along a planned route (:mod:`garant.air.routes`,
with a dog-leg around defended envelopes for drones and cruise missiles). The
geometry — routes, the time windows each track spends inside each unit's
envelope, and the engagement opportunities — is deterministic for a scenario
and computed once (:attr:`RaidScenario.geometry`); the randomness is in kills,
losses to electronic warfare, decoy discrimination and hits
(:mod:`garant.air._kernel` describes the engagement model).

The engine works on plain arrays (:class:`ThreatParams`, :class:`UnitParams`)
so that it can be tested and benchmarked on its own;
:func:`threat_params_from_catalog` and :func:`unit_params_from_catalog` build
them from the catalogue (:mod:`garant.air.catalog`).

Modelling choices (documented assumptions):

- altitude is not modelled; a unit that cannot engage a class has range 0;
- an engagement resolves at once (no interceptor fly-out time); a fire channel
  stays busy for ``look_time_h`` after each engagement, and the same unit may
  re-engage a track ``look_time_h`` later while the track is still inside its
  envelope, at most ``max_engagements`` times (shoot-look-shoot);
- an opportunity missed because every channel is busy is not queued: the unit
  tries again at its next look;
- losses to background electronic warfare (``ew_p``) happen before any kinetic
  engagement; a kill by a unit of kind ``ew`` also counts as lost to EW;
- a leaked threat hits its target with ``hit_p`` (default 1: every leaker
  hits); decoys never hit;
- ready rounds are reloaded from a unit's reserve ``reload_h`` after they run
  out, so a long raid can use reserves; between nights a campaign tops ready
  rounds up from the reserve (:mod:`garant.air.campaign`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from garant.air import _kernel
from garant.air.classes import THREAT_CLASSES
from garant.air.routes import (
    DOGLEG_CLASSES,
    EngagementWindows,
    Routes,
    engagement_windows,
    lonlat_to_km,
    plan_routes,
)
from garant.errors import DataError

if TYPE_CHECKING:
    from garant.air.catalog import Catalog

__all__ = [
    "DEFAULT_CHANNELS",
    "RaidGeometry",
    "RaidResults",
    "RaidScenario",
    "ThreatParams",
    "UnitParams",
    "Wave",
    "describe",
    "simulate_raids",
    "simulate_reference",
    "threat_params_from_catalog",
    "unit_params_from_catalog",
]

logger = logging.getLogger(__name__)

Engine = Literal["numba", "python"]
Estimate = Literal["value", "low", "high"]
SeedLike = int | np.random.Generator | None

_N_CLASSES = len(THREAT_CLASSES)
_CLASS_INDEX = {c: i for i, c in enumerate(THREAT_CLASSES)}

#: Fire channels (tracks engaged at once) per defence kind, used by
#: :func:`unit_params_from_catalog` because the catalogue has no such field.
#: Assumptions: a Patriot or SAMP/T radar guides missiles at up to ~9-10
#: targets at once (manufacturers' figures), IRIS-T SLM and NASAMS at several
#: (fire-and-forget missiles; 6 assumed); short-range systems, guns and mobile
#: fire groups engage one or two targets at a time; a fighter pair two.
DEFAULT_CHANNELS: Mapping[str, int] = {
    "sam_long": 8,
    "sam_medium": 6,
    "sam_short": 2,
    "gun": 1,
    "mobile_fire_group": 1,
    "interceptor_drone": 2,
    "ew": 4,
    "fighter": 2,
    "isr": 1,
}


def _rng(rng: SeedLike) -> np.random.Generator:
    return np.random.default_rng(rng)


def _vector(values: Any, n: int, field_name: str, dtype: Any = np.float64) -> NDArray[Any]:
    arr = np.asarray(values)
    if arr.ndim == 0:
        arr = np.full(n, arr)
    if arr.shape != (n,):
        raise DataError(f"{field_name}: expected {n} values, got shape {arr.shape}")
    if dtype is np.int64:
        if arr.size and not np.all(np.isfinite(arr.astype(np.float64))):
            raise DataError(f"{field_name}: values must be finite")
        if arr.size and not np.array_equal(arr.astype(np.float64), np.round(arr.astype(float))):
            raise DataError(f"{field_name}: values must be whole numbers")
    out = arr.astype(dtype)
    out.setflags(write=False)
    return out


def _check(ok: bool, field_name: str, problem: str) -> None:
    if not ok:
        raise DataError(f"{field_name}: {problem}")


def _class_table(values: Any, n: int, field_name: str) -> NDArray[np.float64]:
    """An (n, C) table from an array or from one {class: value} mapping per row."""
    if isinstance(values, Sequence) and values and isinstance(values[0], Mapping):
        if len(values) != n:
            raise DataError(f"{field_name}: expected {n} rows, got {len(values)}")
        out = np.zeros((n, _N_CLASSES))
        for i, row in enumerate(values):
            for cls, v in row.items():
                if cls not in _CLASS_INDEX:
                    raise DataError(f"{field_name}: unknown threat class {cls!r}")
                out[i, _CLASS_INDEX[cls]] = float(v)
    else:
        out = np.asarray(values, dtype=np.float64)
        if out.ndim == 1 and n == 1:
            out = out[None, :]
        if out.shape != (n, _N_CLASSES):
            raise DataError(
                f"{field_name}: expected shape ({n}, {_N_CLASSES}) over THREAT_CLASSES, "
                f"got {out.shape}"
            )
    out = np.array(out, dtype=np.float64)
    out.setflags(write=False)
    return out


def _names(values: Sequence[str], field_name: str) -> tuple[str, ...]:
    names = tuple(str(v) for v in values)
    dup = sorted({v for v in names if names.count(v) > 1})
    if dup:
        raise DataError(f"{field_name}: duplicate names {', '.join(map(repr, dup))}")
    return names


@dataclass(frozen=True, eq=False)
class ThreatParams:
    """Parameters of threat types (weapons), one entry per type.

    Attributes
    ----------
    name : tuple of str
        Threat ids (e.g. ``"shahed-136"``).
    threat_class : tuple of str
        Class of each threat, one of :data:`garant.air.classes.THREAT_CLASSES`.
    speed_kmh : numpy.ndarray
        Cruise ground speed, km/h (> 0).
    range_km : numpy.ndarray
        Maximum path length, km (> 0).
    unit_cost_usd : numpy.ndarray
        Cost of one threat, USD (>= 0).
    is_decoy : numpy.ndarray of bool
        Decoys draw fire but never hit.
    """

    name: tuple[str, ...]
    threat_class: tuple[str, ...]
    speed_kmh: NDArray[np.float64]
    range_km: NDArray[np.float64]
    unit_cost_usd: NDArray[np.float64]
    is_decoy: NDArray[np.bool_]

    def __post_init__(self) -> None:
        n = len(self.name)
        _check(n > 0, "threats", "no threat types given")
        object.__setattr__(self, "name", _names(self.name, "threats.name"))
        cls = tuple(self.threat_class)
        _check(len(cls) == n, "threats.threat_class", f"expected {n} classes, got {len(cls)}")
        bad = [c for c in cls if c not in _CLASS_INDEX]
        _check(not bad, "threats.threat_class", f"unknown class {bad[:1]}")
        object.__setattr__(self, "threat_class", cls)
        for fname in ("speed_kmh", "range_km", "unit_cost_usd"):
            arr = _vector(getattr(self, fname), n, f"threats.{fname}")
            _check(bool(np.isfinite(arr).all()), f"threats.{fname}", "values must be finite")
            object.__setattr__(self, fname, arr)
        _check(bool((self.speed_kmh > 0).all()), "threats.speed_kmh", "speeds must be > 0")
        _check(bool((self.range_km > 0).all()), "threats.range_km", "ranges must be > 0")
        _check(bool((self.unit_cost_usd >= 0).all()), "threats.unit_cost_usd", "must be >= 0")
        object.__setattr__(self, "is_decoy", _vector(self.is_decoy, n, "threats.is_decoy", bool))

    @classmethod
    def make(
        cls,
        name: Sequence[str],
        threat_class: Sequence[str],
        *,
        speed_kmh: ArrayLike,
        range_km: ArrayLike,
        unit_cost_usd: ArrayLike,
        is_decoy: ArrayLike | None = None,
    ) -> ThreatParams:
        """Build from sequences or scalars; ``is_decoy`` defaults to class ``decoy_uav``."""
        decoy = (
            [c == "decoy_uav" for c in threat_class]
            if is_decoy is None
            else np.broadcast_to(np.asarray(is_decoy, dtype=bool), (len(name),))
        )
        return cls(
            name=tuple(name),
            threat_class=tuple(threat_class),
            speed_kmh=np.asarray(speed_kmh, dtype=np.float64),
            range_km=np.asarray(range_km, dtype=np.float64),
            unit_cost_usd=np.asarray(unit_cost_usd, dtype=np.float64),
            is_decoy=np.asarray(decoy, dtype=bool),
        )

    def index(self, name: str) -> int:
        """Index of threat type ``name``."""
        try:
            return self.name.index(name)
        except ValueError:
            raise DataError(f"threat: unknown threat type {name!r}") from None

    @property
    def class_index(self) -> NDArray[np.int64]:
        """Index of each type's class in :data:`THREAT_CLASSES`."""
        return np.array([_CLASS_INDEX[c] for c in self.threat_class], dtype=np.int64)


@dataclass(frozen=True, eq=False)
class UnitParams:
    """Parameters of unit types (defences), one entry per type.

    Tables by class are over :data:`garant.air.classes.THREAT_CLASSES`, in order.

    Attributes
    ----------
    name : tuple of str
        Defence ids (e.g. ``"patriot-pac3"``).
    range_km : numpy.ndarray, shape (K, C)
        Envelope radius per threat class, km (0: cannot engage).
    pk : numpy.ndarray, shape (K, C)
        Single-shot kill probability per class, in [0, 1].
    magazine : numpy.ndarray of int
        Ready rounds per fire unit (>= 0).
    shots_per_engagement : numpy.ndarray of int
        Rounds fired at one track per engagement (>= 1).
    cost_per_shot_usd : numpy.ndarray
        Cost of one round, USD (>= 0).
    reload_h : numpy.ndarray
        Time to reload ready rounds from the reserve, h (>= 0).
    channels : numpy.ndarray of int
        Tracks one fire unit can engage at once (>= 1).
    reserve : numpy.ndarray of int
        Reserve rounds per fire unit at the start, reloaded after the ready
        rounds run out (>= 0).
    shoots : numpy.ndarray of bool
        False for units that only see (ISR); they never engage.
    is_ew : numpy.ndarray of bool
        Electronic-warfare units: their "kills" count as lost to EW.
    """

    name: tuple[str, ...]
    range_km: NDArray[np.float64]
    pk: NDArray[np.float64]
    magazine: NDArray[np.int64]
    shots_per_engagement: NDArray[np.int64]
    cost_per_shot_usd: NDArray[np.float64]
    reload_h: NDArray[np.float64]
    channels: NDArray[np.int64]
    reserve: NDArray[np.int64]
    shoots: NDArray[np.bool_]
    is_ew: NDArray[np.bool_]

    def __post_init__(self) -> None:
        k = len(self.name)
        _check(k > 0, "units", "no unit types given (at least one is required)")
        object.__setattr__(self, "name", _names(self.name, "units.name"))
        rng_t = _class_table(self.range_km, k, "units.range_km")
        pk_t = _class_table(self.pk, k, "units.pk")
        _check(
            bool(np.isfinite(rng_t).all() & (rng_t >= 0).all()), "units.range_km", "must be >= 0"
        )
        _check(
            bool(np.isfinite(pk_t).all() and ((pk_t >= 0) & (pk_t <= 1)).all()),
            "units.pk",
            f"kill probabilities must lie in [0, 1] (got {pk_t.min():g}..{pk_t.max():g})",
        )
        object.__setattr__(self, "range_km", rng_t)
        object.__setattr__(self, "pk", pk_t)
        for fname in ("magazine", "shots_per_engagement", "channels", "reserve"):
            arr = _vector(getattr(self, fname), k, f"units.{fname}", np.int64)
            object.__setattr__(self, fname, arr)
        for fname in ("cost_per_shot_usd", "reload_h"):
            arr = _vector(getattr(self, fname), k, f"units.{fname}")
            _check(bool(np.isfinite(arr).all() and (arr >= 0).all()), f"units.{fname}", "< 0")
            object.__setattr__(self, fname, arr)
        _check(bool((self.magazine >= 0).all()), "units.magazine", "must be >= 0")
        _check(bool((self.reserve >= 0).all()), "units.reserve", "must be >= 0")
        _check(bool((self.shots_per_engagement >= 1).all()), "units.shots_per_engagement", "< 1")
        _check(bool((self.channels >= 1).all()), "units.channels", "must be >= 1")
        object.__setattr__(self, "shoots", _vector(self.shoots, k, "units.shoots", bool))
        object.__setattr__(self, "is_ew", _vector(self.is_ew, k, "units.is_ew", bool))

    @classmethod
    def make(
        cls,
        name: Sequence[str],
        *,
        range_km: ArrayLike | Sequence[Mapping[str, float]],
        pk: ArrayLike | Sequence[Mapping[str, float]],
        magazine: ArrayLike,
        cost_per_shot_usd: ArrayLike,
        shots_per_engagement: ArrayLike = 1,
        reload_h: ArrayLike = 1.0,
        channels: ArrayLike = 1,
        reserve: ArrayLike = 0,
        shoots: ArrayLike = True,
        is_ew: ArrayLike = False,
    ) -> UnitParams:
        """Build from sequences, scalars (broadcast) and {class: value} tables."""
        k = len(name)

        def vec(v: ArrayLike) -> NDArray[Any]:
            a = np.asarray(v)
            return np.broadcast_to(a, (k,)).copy() if a.ndim == 0 else a

        return cls(
            name=tuple(name),
            range_km=range_km,  # type: ignore[arg-type]  # normalised in __post_init__
            pk=pk,  # type: ignore[arg-type]
            magazine=vec(magazine),
            shots_per_engagement=vec(shots_per_engagement),
            cost_per_shot_usd=vec(cost_per_shot_usd),
            reload_h=vec(reload_h),
            channels=vec(channels),
            reserve=vec(reserve),
            shoots=vec(shoots),
            is_ew=vec(is_ew),
        )

    def index(self, name: str) -> int:
        """Index of unit type ``name``."""
        try:
            return self.name.index(name)
        except ValueError:
            raise DataError(f"unit_types: unknown unit type {name!r}") from None


@dataclass(frozen=True)
class Wave:
    """A wave of one threat type from one launch point.

    Attributes
    ----------
    threat : str
        Threat type (a name in :class:`ThreatParams`).
    count : int
        Threats launched (>= 0).
    launch_lonlat : tuple of float
        Launch point (lon, lat), degrees.
    targets : tuple of str
        Target names, assigned round-robin; empty: all the scenario's targets.
    start_h : float
        Launch of the first threat, hours after the raid starts (>= 0).
    duration_h : float
        Launches are spread evenly over this window, h (>= 0).
    """

    threat: str
    count: int
    launch_lonlat: tuple[float, float]
    targets: tuple[str, ...] = ()
    start_h: float = 0.0
    duration_h: float = 0.0


@dataclass(frozen=True, eq=False)
class RaidGeometry:
    """The deterministic part of a raid: tracks, routes, windows and events.

    Attributes
    ----------
    track_type, track_class, track_target, track_wave : numpy.ndarray of int64
        Threat type, class (index in THREAT_CLASSES), target and wave of each track.
    track_decoy : numpy.ndarray of bool
        Whether each track is a decoy.
    track_cost_usd : numpy.ndarray
        Cost of each track's threat, USD.
    launch_time_h, arrival_time_h : numpy.ndarray
        Launch and (unhindered) arrival time of each track, h.
    unit_type : numpy.ndarray of int64
        Type of each placed unit (index in UnitParams).
    routes : Routes
        One route per track.
    windows : EngagementWindows
        Times each track spends inside each shooting unit's envelope.
    ev_track, ev_unit : numpy.ndarray of int64
        Engagement opportunities (attempts), in time order.
    ev_time : numpy.ndarray
        Time of each opportunity, h.
    """

    track_type: NDArray[np.int64]
    track_class: NDArray[np.int64]
    track_target: NDArray[np.int64]
    track_wave: NDArray[np.int64]
    track_decoy: NDArray[np.bool_]
    track_cost_usd: NDArray[np.float64]
    launch_time_h: NDArray[np.float64]
    arrival_time_h: NDArray[np.float64]
    unit_type: NDArray[np.int64]
    routes: Routes
    windows: EngagementWindows
    ev_track: NDArray[np.int64]
    ev_unit: NDArray[np.int64]
    ev_time: NDArray[np.float64]

    @property
    def n_tracks(self) -> int:
        """Number of tracks."""
        return int(self.track_type.shape[0])


@dataclass(frozen=True, eq=False)
class RaidScenario:
    """A night's raid against placed units.

    Attributes
    ----------
    threats : ThreatParams
        Threat types.
    units : UnitParams
        Unit types.
    unit_types : tuple of str
        Type of each placed unit (names in ``units``); may be empty.
    unit_lonlat : numpy.ndarray, shape (U, 2)
        Position of each placed unit, degrees.
    target_names : tuple of str
        Targets (protected assets), at least one.
    target_lonlat : numpy.ndarray, shape (A, 2)
        Target positions, degrees.
    waves : tuple of Wave
        The raid.
    ew_p : mapping of str to float
        Probability that a threat of a class is lost to background electronic
        warfare (default 0).
    hit_p : mapping of str to float
        Probability that a leaked threat of a class hits its target (default 1).
    decoy_discrimination_p : float
        Probability that a decoy is recognised and not engaged (default 0).
    look_time_h : float
        Time a fire channel is busy per engagement and between shoot-look-shoot
        attempts, h (default 1 min; an assumption: fly-out plus kill assessment).
    max_engagements : int
        Engagements of one track by one unit per envelope pass (default 2:
        shoot-look-shoot).
    dogleg : bool
        Let drones and cruise missiles dog-leg around envelopes.
    """

    threats: ThreatParams
    units: UnitParams
    unit_types: tuple[str, ...]
    unit_lonlat: NDArray[np.float64]
    target_names: tuple[str, ...]
    target_lonlat: NDArray[np.float64]
    waves: tuple[Wave, ...]
    ew_p: Mapping[str, float] = field(default_factory=dict)
    hit_p: Mapping[str, float] = field(default_factory=dict)
    decoy_discrimination_p: float = 0.0
    look_time_h: float = 1.0 / 60.0
    max_engagements: int = 2
    dogleg: bool = True

    def __post_init__(self) -> None:
        ut = tuple(self.unit_types)
        for t in ut:
            self.units.index(t)
        object.__setattr__(self, "unit_types", ut)
        ul = np.asarray(self.unit_lonlat, dtype=np.float64).reshape(-1, 2)
        _check(ul.shape[0] == len(ut), "unit_lonlat", f"{ul.shape[0]} points for {len(ut)} units")
        object.__setattr__(self, "unit_lonlat", ul)
        names = _names(self.target_names, "target_names")
        _check(len(names) > 0, "target_names", "at least one target is required")
        object.__setattr__(self, "target_names", names)
        tl = np.asarray(self.target_lonlat, dtype=np.float64).reshape(-1, 2)
        _check(tl.shape[0] == len(names), "target_lonlat", f"{tl.shape[0]} points for {len(names)}")
        object.__setattr__(self, "target_lonlat", tl)
        waves = tuple(self.waves)
        _check(len(waves) > 0, "waves", "a raid needs at least one wave")
        for i, w in enumerate(waves):
            self.threats.index(w.threat)
            _check(
                isinstance(w.count, int | np.integer) and w.count >= 0,
                f"waves[{i}].count",
                f"must be a whole number >= 0, got {w.count!r}",
            )
            _check(w.start_h >= 0 and w.duration_h >= 0, f"waves[{i}]", "times must be >= 0")
            for t in w.targets:
                _check(t in names, f"waves[{i}].targets", f"unknown target {t!r}")
        object.__setattr__(self, "waves", waves)
        for fname in ("ew_p", "hit_p"):
            table = dict(getattr(self, fname))
            for c, p in table.items():
                _check(c in _CLASS_INDEX, fname, f"unknown threat class {c!r}")
                _check(0.0 <= float(p) <= 1.0, f"{fname}[{c}]", f"{p} outside [0, 1]")
            object.__setattr__(self, fname, table)
        p = self.decoy_discrimination_p
        _check(0.0 <= p <= 1.0, "decoy_discrimination_p", f"{p} outside [0, 1]")
        _check(self.look_time_h > 0, "look_time_h", "must be > 0")
        _check(self.max_engagements >= 1, "max_engagements", "must be >= 1")

    @property
    def n_units(self) -> int:
        """Number of placed units."""
        return len(self.unit_types)

    def class_vector(self, table: Mapping[str, float], default: float) -> NDArray[np.float64]:
        """A per-class vector over THREAT_CLASSES from a {class: value} table."""
        out = np.full(_N_CLASSES, default, dtype=np.float64)
        for c, v in table.items():
            out[_CLASS_INDEX[c]] = float(v)
        return out

    @cached_property
    def geometry(self) -> RaidGeometry:
        """Tracks, routes, engagement windows and opportunities (computed once)."""
        return _build_geometry(self)


def _build_geometry(sc: RaidScenario) -> RaidGeometry:
    th, un = sc.threats, sc.units
    cls_idx = th.class_index
    target_pos = {n: i for i, n in enumerate(sc.target_names)}
    t_type, t_target, t_wave, t_time, launch = [], [], [], [], []
    for w_i, w in enumerate(sc.waves):
        k = th.index(w.threat)
        tg = [target_pos[t] for t in (w.targets or sc.target_names)]
        n = int(w.count)
        t_type.append(np.full(n, k, dtype=np.int64))
        t_target.append(np.array([tg[i % len(tg)] for i in range(n)], dtype=np.int64))
        t_wave.append(np.full(n, w_i, dtype=np.int64))
        t_time.append(w.start_h + w.duration_h * np.arange(n) / max(n, 1))
        launch.append(np.repeat(np.asarray(w.launch_lonlat, dtype=float).reshape(1, 2), n, 0))
    track_type = np.concatenate(t_type)
    track_target = np.concatenate(t_target)
    track_class = cls_idx[track_type]
    launch_km = lonlat_to_km(np.concatenate(launch)) if track_type.size else np.zeros((0, 2))
    target_km_all = lonlat_to_km(sc.target_lonlat)
    target_km = target_km_all[track_target]
    unit_type = np.array([un.index(t) for t in sc.unit_types], dtype=np.int64)
    unit_km = lonlat_to_km(sc.unit_lonlat) if unit_type.size else np.zeros((0, 2))
    shooting = un.shoots[unit_type] if unit_type.size else np.zeros(0, dtype=bool)
    # envelope radius of every unit against every track's class, (T, U)
    radius = un.range_km[unit_type][:, track_class].T * shooting[None, :]
    speed = th.speed_kmh[track_type]
    launch_time = np.concatenate(t_time)
    # a clearer message than plan_routes' for a target out of range
    direct = np.hypot(*(target_km - launch_km).T) if track_type.size else np.zeros(0)
    far = direct > th.range_km[track_type]
    if far.any():
        j = int(np.argmax(far))
        w = sc.waves[int(np.concatenate(t_wave)[j])]
        raise DataError(
            f"waves: {w.threat} from {w.launch_lonlat} to "
            f"{sc.target_names[track_target[j]]} is {direct[j]:.0f} km, beyond its range of "
            f"{th.range_km[track_type[j]]:.0f} km"
        )
    can_dogleg = np.array([THREAT_CLASSES[c] in DOGLEG_CLASSES for c in track_class], dtype=bool)
    routes = plan_routes(
        launch_km,
        target_km,
        unit_km,
        radius,
        range_km=th.range_km[track_type],
        dogleg=sc.dogleg,
        can_dogleg=can_dogleg,
    )
    win = engagement_windows(routes, unit_km, radius, speed_kmh=speed, launch_time_h=launch_time)
    ev_track, ev_unit, ev_time = _opportunities(win, sc.look_time_h, sc.max_engagements)
    return RaidGeometry(
        track_type=track_type,
        track_class=track_class,
        track_target=track_target,
        track_wave=np.concatenate(t_wave),
        track_decoy=th.is_decoy[track_type],
        track_cost_usd=th.unit_cost_usd[track_type],
        launch_time_h=launch_time,
        arrival_time_h=launch_time + routes.length_km / speed,
        unit_type=unit_type,
        routes=routes,
        windows=win,
        ev_track=ev_track,
        ev_unit=ev_unit,
        ev_time=ev_time,
    )


def _opportunities(
    win: EngagementWindows, look_h: float, max_engagements: int
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64]]:
    """Expand windows into engagement attempts every ``look_h``, in time order."""
    dur = win.t_out_h - win.t_in_h
    n_att = np.minimum(max_engagements, 1 + np.floor(dur / look_h).astype(np.int64))
    n_att = np.maximum(n_att, 1)
    rep = np.repeat(np.arange(win.n), n_att)
    start = np.repeat(np.cumsum(n_att) - n_att, n_att)
    attempt = np.arange(rep.size) - start
    t = win.t_in_h[rep] + attempt * look_h
    track = win.track[rep]
    unit = win.unit[rep]
    order = np.lexsort((track, unit, t))
    return (
        np.ascontiguousarray(track[order], dtype=np.int64),
        np.ascontiguousarray(unit[order], dtype=np.int64),
        np.ascontiguousarray(t[order], dtype=np.float64),
    )


def describe(values: ArrayLike, labels: Sequence[str], *, name: str = "label") -> pd.DataFrame:
    """Mean and 5th/50th/95th percentiles over runs (axis 0), one row per label.

    Parameters
    ----------
    values : array_like, shape (runs, len(labels))
        Values per run.
    labels : sequence of str
        Column labels.
    name : str
        Name of the label column.

    Returns
    -------
    pandas.DataFrame
        Columns ``name, mean, p5, p50, p95`` (NaN runs are ignored).
    """
    arr = np.asarray(values, dtype=np.float64).reshape(-1, len(labels))
    valid = ~np.isnan(arr).all(axis=0) if arr.shape[0] else np.zeros(arr.shape[1], dtype=bool)
    mean = np.full(arr.shape[1], np.nan)
    pct = np.full((3, arr.shape[1]), np.nan)
    if valid.any():
        sub = arr[:, valid]
        mean[valid] = np.nanmean(sub, axis=0)
        pct[:, valid] = np.nanpercentile(sub, [5, 50, 95], axis=0)
    return pd.DataFrame(
        {name: list(labels), "mean": mean, "p5": pct[0], "p50": pct[1], "p95": pct[2]}
    )


@dataclass(frozen=True, eq=False)
class RaidResults:
    """Outcomes of Monte Carlo raids; arrays over runs (axis 0).

    Attributes
    ----------
    unit_types : tuple of str
        Unit type names (columns of ``shots``).
    target_names : tuple of str
        Targets (columns of ``hits``).
    launched, destroyed, lost_ew, leaked : numpy.ndarray of int64, shape (R, C)
        Per threat class (over THREAT_CLASSES): launched; destroyed by fire;
        lost to electronic warfare; leaked (not neutralised).
    hits : numpy.ndarray of int64, shape (R, A)
        Hits on each target.
    shots : numpy.ndarray of int64, shape (R, K)
        Interceptors (rounds) spent per unit type.
    rounds_left : numpy.ndarray of int64, shape (R, U)
        Rounds (ready + reserve) each placed unit holds at the end.
    reserve_left : numpy.ndarray of int64, shape (R, U)
        The reserve part of ``rounds_left``.
    defender_cost_usd, attacker_cost_usd : numpy.ndarray, shape (R,)
        Cost of the interceptors spent; cost of the threats launched.
    unit_type_index : numpy.ndarray of int64, shape (U,)
        Type of each placed unit.
    """

    unit_types: tuple[str, ...]
    target_names: tuple[str, ...]
    launched: NDArray[np.int64]
    destroyed: NDArray[np.int64]
    lost_ew: NDArray[np.int64]
    leaked: NDArray[np.int64]
    hits: NDArray[np.int64]
    shots: NDArray[np.int64]
    rounds_left: NDArray[np.int64]
    reserve_left: NDArray[np.int64]
    defender_cost_usd: NDArray[np.float64]
    attacker_cost_usd: NDArray[np.float64]
    unit_type_index: NDArray[np.int64]

    @property
    def n_runs(self) -> int:
        """Number of Monte Carlo runs."""
        return int(self.launched.shape[0])

    @property
    def classes(self) -> tuple[str, ...]:
        """Threat classes (columns of the per-class arrays)."""
        return THREAT_CLASSES

    @property
    def neutralised(self) -> NDArray[np.int64]:
        """Destroyed or lost to EW, per run and class."""
        return self.destroyed + self.lost_ew

    @property
    def cost_exchange_ratio(self) -> NDArray[np.float64]:
        """Defender cost / attacker cost per run (NaN where nothing was launched).

        Above 1 the defender spends more on interceptors than the attacker on
        the threats it launched.
        """
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(
                self.attacker_cost_usd > 0,
                self.defender_cost_usd
                / np.where(self.attacker_cost_usd > 0, self.attacker_cost_usd, 1),
                np.nan,
            )

    @property
    def rounds_left_by_type(self) -> NDArray[np.int64]:
        """Rounds left per unit type (summed over its units), shape (R, K)."""
        out = np.zeros((self.n_runs, len(self.unit_types)), dtype=np.int64)
        for i, k in enumerate(self.unit_type_index.tolist()):
            out[:, k] += self.rounds_left[:, i]
        return out

    def summary(self) -> pd.DataFrame:
        """Distributions per threat class and in total.

        Returns
        -------
        pandas.DataFrame
            Columns ``class, metric, mean, p5, p50, p95``. For each class
            launched in any run (and ``all``): ``launched``, ``destroyed``,
            ``lost_ew``, ``neutralised``, ``leaked``, ``neutralised_rate``; for
            ``all`` also ``hits``, ``shots``, ``defender_cost_usd``,
            ``attacker_cost_usd``, ``cost_exchange_ratio``.
        """
        used = [i for i in range(_N_CLASSES) if self.launched[:, i].any()]
        frames = []
        per_class = {
            "launched": self.launched,
            "destroyed": self.destroyed,
            "lost_ew": self.lost_ew,
            "neutralised": self.neutralised,
            "leaked": self.leaked,
        }
        labels = [THREAT_CLASSES[i] for i in used] + ["all"]
        for metric, arr in per_class.items():
            vals = np.column_stack([arr[:, used], arr.sum(axis=1)])
            frames.append(describe(vals, labels, name="class").assign(metric=metric))
        with np.errstate(divide="ignore", invalid="ignore"):
            launched = np.column_stack([self.launched[:, used], self.launched.sum(axis=1)])
            neut = np.column_stack([self.neutralised[:, used], self.neutralised.sum(axis=1)])
            rate = np.where(launched > 0, neut / np.where(launched > 0, launched, 1), np.nan)
        frames.append(describe(rate, labels, name="class").assign(metric="neutralised_rate"))
        totals = {
            "hits": self.hits.sum(axis=1),
            "shots": self.shots.sum(axis=1),
            "defender_cost_usd": self.defender_cost_usd,
            "attacker_cost_usd": self.attacker_cost_usd,
            "cost_exchange_ratio": self.cost_exchange_ratio,
        }
        for metric, arr in totals.items():
            frames.append(describe(arr[:, None], ["all"], name="class").assign(metric=metric))
        out = pd.concat(frames, ignore_index=True)
        return out[["class", "metric", "mean", "p5", "p50", "p95"]]

    def hits_summary(self) -> pd.DataFrame:
        """Hits per target: columns ``target, mean, p5, p50, p95``."""
        return describe(self.hits, self.target_names, name="target")

    def units_summary(self) -> pd.DataFrame:
        """Per unit type: ``unit_type, metric (shots, rounds_left), mean, p5, p50, p95``."""
        a = describe(self.shots, self.unit_types, name="unit_type").assign(metric="shots")
        b = describe(self.rounds_left_by_type, self.unit_types, name="unit_type").assign(
            metric="rounds_left"
        )
        out = pd.concat([a, b], ignore_index=True)
        return out[["unit_type", "metric", "mean", "p5", "p50", "p95"]]


def _seeds(gen: np.random.Generator, n: int) -> NDArray[np.uint64]:
    return gen.integers(0, np.iinfo(np.int64).max, size=n, dtype=np.int64).astype(np.uint64)


def _initial_state(
    sc: RaidScenario, n_runs: int, rounds: ArrayLike | None, reserve: ArrayLike | None
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    ut = sc.geometry.unit_type
    u = ut.shape[0]
    out = []
    for fname, given, default in (
        ("rounds", rounds, sc.units.magazine[ut]),
        ("reserve", reserve, sc.units.reserve[ut]),
    ):
        arr = np.asarray(default if given is None else given)
        if arr.ndim == 1:
            arr = np.broadcast_to(arr, (n_runs, arr.shape[0]))
        if arr.shape != (n_runs, u):
            raise DataError(f"{fname}: expected shape ({u},) or ({n_runs}, {u}), got {arr.shape}")
        if not np.array_equal(arr, np.round(arr)) or (arr < 0).any():
            raise DataError(f"{fname}: rounds must be whole numbers >= 0")
        out.append(np.array(arr, dtype=np.int64, order="C"))
    return out[0], out[1]


def run_batch(
    sc: RaidScenario,
    *,
    active: NDArray[np.bool_],
    ready: NDArray[np.int64],
    reserve: NDArray[np.int64],
    seeds: NDArray[np.uint64],
    engine: Engine = "numba",
) -> RaidResults:
    """Simulate one raid per row from a given state (the engine behind the public API).

    Parameters
    ----------
    sc : RaidScenario
        The scenario (its geometry is computed once and cached).
    active : numpy.ndarray of bool, shape (R, T)
        Which tracks are launched in each run.
    ready, reserve : numpy.ndarray of int64, shape (R, U)
        Ready and reserve rounds of each placed unit; updated in place.
    seeds : numpy.ndarray of uint64, shape (R,)
        One seed per run.
    engine : {"numba", "python"}
        The compiled kernel or the pure-Python reference loop.

    Returns
    -------
    RaidResults
        The outcomes (``rounds_left`` is ``ready + reserve`` after the raid).
    """
    g = sc.geometry
    un = sc.units
    n_runs = seeds.shape[0]
    k = len(un.name)
    n_t = len(sc.target_names)
    launched = np.zeros((n_runs, _N_CLASSES), dtype=np.int64)
    destroyed = np.zeros_like(launched)
    lost_ew = np.zeros_like(launched)
    leaked = np.zeros_like(launched)
    hits = np.zeros((n_runs, n_t), dtype=np.int64)
    shots = np.zeros((n_runs, k), dtype=np.int64)
    fn = _kernel.raid_batch_numba if engine == "numba" else _kernel.raid_batch_python
    fn(
        g.track_class,
        g.track_decoy,
        g.track_target,
        g.ev_track,
        g.ev_unit,
        g.ev_time,
        g.unit_type,
        np.ascontiguousarray(un.pk),
        np.ascontiguousarray(un.shots_per_engagement),
        np.ascontiguousarray(un.channels),
        np.ascontiguousarray(un.reload_h),
        np.ascontiguousarray(un.magazine),
        np.ascontiguousarray(un.is_ew),
        float(sc.look_time_h),
        sc.class_vector(sc.ew_p, 0.0),
        sc.class_vector(sc.hit_p, 1.0),
        float(sc.decoy_discrimination_p),
        np.ascontiguousarray(active, dtype=np.bool_),
        ready,
        reserve,
        np.ascontiguousarray(seeds, dtype=np.uint64),
        launched,
        destroyed,
        lost_ew,
        leaked,
        hits,
        shots,
    )
    return RaidResults(
        unit_types=un.name,
        target_names=sc.target_names,
        launched=launched,
        destroyed=destroyed,
        lost_ew=lost_ew,
        leaked=leaked,
        hits=hits,
        shots=shots,
        rounds_left=ready + reserve,
        reserve_left=reserve.copy(),
        defender_cost_usd=shots @ un.cost_per_shot_usd,
        attacker_cost_usd=active.astype(np.float64) @ g.track_cost_usd,
        unit_type_index=g.unit_type,
    )


def _simulate(
    sc: RaidScenario,
    n_runs: int,
    rng: SeedLike,
    rounds: ArrayLike | None,
    reserve: ArrayLike | None,
    engine: Engine,
) -> RaidResults:
    if not isinstance(n_runs, int | np.integer) or n_runs < 1:
        raise DataError(f"n_runs: must be a whole number >= 1, got {n_runs!r}")
    gen = _rng(rng)
    ready, res = _initial_state(sc, int(n_runs), rounds, reserve)
    seeds = _seeds(gen, int(n_runs))
    active = np.ones((int(n_runs), sc.geometry.n_tracks), dtype=bool)
    return run_batch(sc, active=active, ready=ready, reserve=res, seeds=seeds, engine=engine)


def simulate_raids(
    scenario: RaidScenario,
    n_runs: int,
    *,
    rng: SeedLike = None,
    rounds: ArrayLike | None = None,
    reserve: ArrayLike | None = None,
) -> RaidResults:
    """Monte Carlo of a raid with the compiled (numba, parallel) kernel.

    Parameters
    ----------
    scenario : RaidScenario
        The raid and the placed units.
    n_runs : int
        Number of independent raids simulated.
    rng : int or numpy.random.Generator, optional
        Seed or generator; the same seed gives identical results whatever the
        number of threads.
    rounds, reserve : array_like, shape (U,) or (n_runs, U), optional
        Ready and reserve rounds of each placed unit at the start (default: the
        types' ``magazine`` and ``reserve``).

    Returns
    -------
    RaidResults
        Outcome distributions.
    """
    return _simulate(scenario, n_runs, rng, rounds, reserve, "numba")


def simulate_reference(
    scenario: RaidScenario,
    n_runs: int,
    *,
    rng: SeedLike = None,
    rounds: ArrayLike | None = None,
    reserve: ArrayLike | None = None,
) -> RaidResults:
    """The same Monte Carlo as :func:`simulate_raids`, as a plain Python loop.

    The benchmark baseline and the test oracle: same model and geometry,
    different random stream (results agree in distribution, not draw for draw).
    Same parameters and result as :func:`simulate_raids`.
    """
    return _simulate(scenario, n_runs, rng, rounds, reserve, "python")


# --- catalogue adapters ------------------------------------------------------------


def _q(quantity: Any, estimate: Estimate) -> float:
    return float(getattr(quantity, estimate))


def threat_params_from_catalog(
    catalog: Catalog, ids: Sequence[str], *, estimate: Estimate = "value"
) -> ThreatParams:
    """Threat parameters for catalogue threats.

    Parameters
    ----------
    catalog : garant.air.catalog.Catalog
        The catalogue (e.g. :func:`garant.air.catalog.load_catalog`).
    ids : sequence of str
        Threat ids in the catalogue.
    estimate : {"value", "low", "high"}
        Which end of each quantity's uncertainty range to use.

    Returns
    -------
    ThreatParams
        One entry per id, in order.
    """
    missing = [i for i in ids if i not in catalog.threats]
    if missing:
        raise DataError(f"threats: unknown threat id {missing[0]!r} in the catalogue")
    ts = [catalog.threats[i] for i in ids]
    return ThreatParams.make(
        list(ids),
        [t.threat_class for t in ts],
        speed_kmh=[_q(t.speed_kmh, estimate) for t in ts],
        range_km=[_q(t.range_km, estimate) for t in ts],
        unit_cost_usd=[_q(t.unit_cost_usd, estimate) for t in ts],
        is_decoy=[bool(t.is_decoy) for t in ts],
    )


def unit_params_from_catalog(
    catalog: Catalog,
    ids: Sequence[str],
    *,
    estimate: Estimate = "value",
    channels: Mapping[str, int] | None = None,
    reserve: Mapping[str, int] | None = None,
) -> UnitParams:
    """Unit-type parameters for catalogue defences.

    Parameters
    ----------
    catalog : garant.air.catalog.Catalog
        The catalogue.
    ids : sequence of str
        Defence ids in the catalogue.
    estimate : {"value", "low", "high"}
        Which end of each quantity's range to use (for ranges and kill
        probabilities; ``"low"`` is the pessimistic defence).
    channels : mapping of str to int, optional
        Fire channels per defence id (default :data:`DEFAULT_CHANNELS` by kind).
    reserve : mapping of str to int, optional
        Reserve rounds per fire unit, per defence id (default 0).

    Returns
    -------
    UnitParams
        One entry per id, in order; ``magazine`` is rounded to whole rounds.
    """
    missing = [i for i in ids if i not in catalog.defences]
    if missing:
        raise DataError(f"units: unknown defence id {missing[0]!r} in the catalogue")
    ds = [catalog.defences[i] for i in ids]
    ch = dict(channels or {})
    rs = dict(reserve or {})
    rng_rows = [{c: _q(q, estimate) for c, q in d.range_km.items()} for d in ds]
    pk_rows = [{c: _q(q, estimate) for c, q in d.pk.items()} for d in ds]
    return UnitParams.make(
        list(ids),
        range_km=[r if d.shoots else {} for r, d in zip(rng_rows, ds, strict=True)],
        pk=[p if d.shoots else {} for p, d in zip(pk_rows, ds, strict=True)],
        magazine=[round(_q(d.magazine, estimate)) for d in ds],
        cost_per_shot_usd=[_q(d.cost_per_shot_usd, estimate) for d in ds],
        shots_per_engagement=[int(d.shots_per_engagement) for d in ds],
        reload_h=[_q(d.reload_h, estimate) for d in ds],
        channels=[
            int(ch.get(i, DEFAULT_CHANNELS.get(d.kind, 1))) for i, d in zip(ids, ds, strict=True)
        ],
        reserve=[int(rs.get(i, 0)) for i in ids],
        shoots=[bool(d.shoots) for d in ds],
        is_ew=[d.kind == "ew" for d in ds],
    )
