"""Assess guarantee packages: components, the deterrence calculus, the coalition's bill.

:func:`assess_package` takes a package (:mod:`garant.packages.schema`), assesses its
components with their modules (the ground force with :func:`garant.land.assess.assess_land`,
the air mission with :func:`garant.air.assess.assess_air`, the maritime mission with
:func:`garant.sea.plan.plan_mission`), turns them into :class:`~garant.calculus.inputs.
CalculusInputs`, runs the deterrence calculus (:func:`garant.calculus.montecarlo.
run_calculus`) and its sensitivity analysis (:func:`garant.calculus.sensitivity.tornado`),
and adds up the coalition's side: cost per year, personnel deployed and with rotation, and
the exposure of its forces. :func:`assess_packages` does this for several packages and
returns a :class:`~garant.packages.results.Comparison`.

From components to calculus inputs
----------------------------------
* ``line_km``: the guarded line's length (:func:`garant.land.geometry.front_at`).
* ``ukraine_troops_on_line``: the package's ``[ukraine] troops_on_line`` or the default.
* ``coalition_troops_deployed``: the troops the ground force brings (its pledges or
  ``troops``, :func:`land_troops`; 0 without one);
  ``coalition_troops_forward`` = deployed × ``forward_share`` (1 for a
  ``forward_defence`` mission, 0 otherwise, unless the package sets it).
* ``tripwire``: the package's ``[land] tripwire``, or true for ``observation``,
  ``tripwire`` and ``forward_defence`` missions.
* ``share_of_line_reached_6h``: from the ground force's reach table.
* ``air_neutralised_share``: mean share of the night's missiles and drones (decoys left
  out) neutralised by the package's air mission including Ukraine's baseline, weighted
  by launches per class; without an air mission, Ukraine's own air defence alone
  (``[ukraine] air``).
* ``air_engages_russian_weapons``: the package's setting, or whether the air mission's
  units fired at all in the simulated campaign (a mission that only watches does not).
* ``sea_mission``, ``sea_exposure_h``: whether there is a sea mission, and the longest
  time per transit that the route is within reach of one of the Russian systems
  (:attr:`garant.sea.plan.MissionPlan.assessment`).
* ``occupied_gain_km2_per_month_observed``: :func:`observed_gain_km2_per_month`.

The coalition's bill
--------------------
Land: deployed troops × ``land_usd_per_troop_year``; personnel with rotation from the
ground force's sizing. Air: the air package's operating cost per night ×
``air_nights_per_year``; personnel: units × ``air_personnel_per_unit`` (× the rotation
factor). Sea: warships × ``sea_usd_per_ship_year``; personnel: warships ×
``sea_personnel_per_ship`` (× the rotation factor). Each line carries the provenance of
its numbers (:meth:`~garant.packages.results.PackageAssessment.costs`). Interceptors are
not in the bill: under a ceasefire the mission stands guard; what a renewed campaign
would cost is in the air assessment.

Randomness and caching
----------------------
Every package's calculus uses the same seed, so all packages see the same parameter
draws (common random numbers: differences between packages are the packages', not
noise). Component assessments are cached in a :class:`ComponentCache`: an air, sea or
land preset used by two packages is computed once.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import math
import threading
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
import pandas as pd

from garant.errors import ConfigError, DataError
from garant.packages.loader import (
    check_against_history,
    load_guarantee_package,
    load_package_defaults,
    package_where,
)
from garant.packages.results import Comparison, PackageAssessment
from garant.packages.schema import GuaranteePackage, PackageDefaults, PackageQuantity

if TYPE_CHECKING:
    from garant.air.assess import AirAssessment
    from garant.calculus.inputs import CalculusInputs
    from garant.calculus.params import CalculusParameters
    from garant.execution import Executor
    from garant.land.assess import LandAssessment
    from garant.land.geometry import Front
    from garant.sea.plan import MissionPlan
    from garant.store import Store

__all__ = [
    "TRIPWIRE_MISSIONS",
    "ComponentCache",
    "air_neutralised_share",
    "assess_package",
    "assess_packages",
    "calculus_inputs",
    "coalition_costs",
    "coalition_exposure",
    "land_troops",
    "observed_gain_km2_per_month",
]

logger = logging.getLogger(__name__)

#: Land mission types whose troops stand within reach of the line (a tripwire).
TRIPWIRE_MISSIONS: tuple[str, ...] = ("observation", "tripwire", "forward_defence")
#: The land mission type whose troops all fight at the line.
FORWARD_MISSION = "forward_defence"
#: Threat classes left out of the air shield's share (decoys carry no warhead).
_NOT_THREATS = ("decoy_uav",)
_DAYS_PER_MONTH = 365.25 / 12.0

T = TypeVar("T")


# ----------------------------------------------------------------------------- the cache


@dataclass
class ComponentCache:
    """Component assessments computed once per key (thread-safe).

    Attributes
    ----------
    enabled : bool
        False: compute every time (the benchmark's baseline).
    hits, misses : int
        Look-ups answered from the cache, and computed.
    """

    enabled: bool = True
    hits: int = 0
    misses: int = 0
    _store: dict[Hashable, Any] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The value for ``key``, computed with ``compute()`` the first time.

        Parameters
        ----------
        key : hashable
            What identifies the computation (kind, preset, settings).
        compute : callable
            Computes the value.

        Returns
        -------
        object
        """
        if not self.enabled:
            self.misses += 1
            return compute()
        with self._lock:
            if key in self._store:
                self.hits += 1
                return self._store[key]
        value = compute()
        with self._lock:
            self.misses += 1
            self._store.setdefault(key, value)
            return self._store[key]


# ----------------------------------------------------------------------------- history


@functools.cache
def _demo_areas() -> tuple[tuple[dt.date, float], ...]:
    from garant.frontline.measures import area_km2
    from garant.sources.demo import demo_monthly_occupied

    return tuple((d, float(area_km2(occ))) for d, occ in demo_monthly_occupied())


def _latest_date(store: Store | None) -> tuple[dt.date | None, str]:
    if store is None:
        areas = _demo_areas()
        return (areas[-1][0] if areas else None), "the bundled demo history"
    tl = store.timeline()
    if tl.empty:
        return None, f"store {store.path}"
    return pd.Timestamp(tl["date"].max()).date(), f"store {store.path}"


def observed_gain_km2_per_month(
    store: Store | None = None, *, until: dt.date | None = None, months: int = 12
) -> float:
    """Mean monthly gain of occupied territory over the last ``months`` months of history.

    With a store: the mean of the monthly net changes (:func:`garant.frontline.queries.
    monthly`) of the last ``months`` complete months ending at or before ``until``.
    Without one: the bundled demo history's monthly snapshots, (area at the last snapshot
    on or before ``until`` − area at the last snapshot at least ``months`` months
    earlier, or the first) / months elapsed. A net loss counts as 0.

    Parameters
    ----------
    store : Store, optional
        The frontline store; None: the bundled demo history.
    until : datetime.date, optional
        The end of the window (default: the latest snapshot).
    months : int, default 12
        The window, months (>= 1).

    Returns
    -------
    float
        km² per month (>= 0); 0 when the history is too short to measure a change.

    Raises
    ------
    ConfigError
        ``months`` is below 1.
    """
    if months < 1:
        raise ConfigError(f"months {months}: must be at least 1")
    if store is None:
        areas = [a for a in _demo_areas() if until is None or a[0] <= until]
        if len(areas) < 2:
            return 0.0
        end_date, end_area = areas[-1]
        start_limit = end_date - dt.timedelta(days=round(months * _DAYS_PER_MONTH))
        earlier = [a for a in areas if a[0] <= start_limit]
        start_date, start_area = earlier[-1] if earlier else areas[0]
        elapsed = (end_date - start_date).days / _DAYS_PER_MONTH
        if elapsed <= 0:
            return 0.0
        return max(0.0, (end_area - start_area) / elapsed)
    from garant.frontline.queries import monthly

    m = monthly(store)
    if m.empty:
        return 0.0
    if until is not None:
        m = m[m["month"] <= until.strftime("%Y-%m")]
    net = pd.to_numeric(m["net_km2"], errors="coerce").dropna().tail(months)
    if net.empty:
        return 0.0
    return max(0.0, float(net.mean()))


# ----------------------------------------------------------------------------- components


def _store_key(store: Store | None) -> str:
    return (
        "demo" if store is None else f"{type(store).__name__}:{getattr(store, 'path', id(store))}"
    )


def _ceasefire_key(package: GuaranteePackage) -> tuple[str | None, str | None]:
    cf = package.ceasefire
    return (cf.date.isoformat() if cf.date else None, cf.line)


def _front(package: GuaranteePackage, store: Store | None, cache: ComponentCache) -> Front:
    from garant.land.geometry import front_at

    date, line = _ceasefire_key(package)
    return cache.get(
        ("front", _store_key(store), date, line),
        lambda: front_at(store=store, date=date, ceasefire=line),
    )


def _land(
    package: GuaranteePackage, front: Front, store: Store | None, cache: ComponentCache
) -> LandAssessment | None:
    comp = package.land
    if comp is None:
        return None
    from garant.land.assess import assess_land

    def compute() -> LandAssessment:
        force: Any = comp.preset
        if comp.troops is not None:
            from garant.land.presets import load_force

            force = load_force(comp.preset).model_copy(update={"troops": comp.troops})
        return assess_land(force, store=store, front=front)

    key = ("land", _store_key(store), comp.preset, comp.troops, _ceasefire_key(package))
    return cache.get(key, compute)


def _air(
    ref: str,
    addons: Sequence[str],
    store: Store | None,
    cache: ComponentCache,
    n_runs: int,
    seed: int,
) -> AirAssessment:
    from garant.air.assess import assess_air
    from garant.air.presets import load_package

    def compute() -> AirAssessment:
        pkg = load_package(ref, addons=list(addons)) if addons else ref
        return assess_air(pkg, store=store, n_runs=n_runs, rng=seed)

    return cache.get(("air", _store_key(store), ref, tuple(addons), n_runs, seed), compute)


def _sea(
    package: GuaranteePackage, store: Store | None, cache: ComponentCache
) -> MissionPlan | None:
    if package.sea is None:
        return None
    from garant.sea.plan import plan_mission

    ref = package.sea.preset
    return cache.get(("sea", _store_key(store), ref), lambda: plan_mission(ref, store=store))


# ----------------------------------------------------------------------------- inputs


def air_neutralised_share(air: AirAssessment) -> float:
    """Launch-weighted mean share of the night's missiles and drones neutralised.

    Decoys are left out (they carry no warhead). Ukraine's baseline defence is included
    when the air package includes it.

    Parameters
    ----------
    air : AirAssessment

    Returns
    -------
    float
        In [0, 1]; 0 when nothing is launched.
    """
    rates = air.rates()
    rates = rates[~rates["class"].isin(_NOT_THREATS)]
    launched = rates["launched_per_night"].to_numpy(dtype=float)
    rate = np.nan_to_num(rates["rate_mean"].to_numpy(dtype=float))
    total = float(launched.sum())
    if total <= 0:
        return 0.0
    return float(np.clip((rate * launched).sum() / total, 0.0, 1.0))


def _air_engages(air: AirAssessment | None) -> bool:
    if air is None or air.units.empty:
        return False
    return bool(air.campaign.shots.sum() > 0)


def _sea_exposure_h(sea: MissionPlan | None) -> float:
    if sea is None:
        return 0.0
    exp = sea.assessment.exposure
    return float(exp["exposure_h"].max()) if not exp.empty else 0.0


def _mission_type(land: LandAssessment) -> str:
    force = land.force
    for attr in ("mission", "mission_type"):
        v = getattr(force, attr, None)
        if isinstance(v, str):
            return v
    return str(getattr(land.requirement, "mission", ""))


def land_troops(land: LandAssessment) -> tuple[float, float]:
    """Troops a ground force brings: deployed, and needed with rotation.

    The force's troops are what it offers (its pledges, or its ``troops``), not the
    requirement its mission is sized to (that and the gap stay in the land
    assessment). Rotation uses the requirement's ratio of total to deployed troops
    (the mission's rotation factor).

    Parameters
    ----------
    land : LandAssessment

    Returns
    -------
    (float, float)
        Deployed troops and troops with rotation.
    """
    h = land.headline()
    required = float(h.get("deployed_troops", 0.0) or 0.0)
    offered = float(h.get("pledged_troops", 0.0) or 0.0)
    if offered <= 0:
        offered = float(getattr(land.force, "troops", None) or required)
    total_required = float(h.get("total_troops", required) or required)
    ratio = total_required / required if required > 0 else 1.0
    return offered, offered * ratio


def calculus_inputs(
    package: GuaranteePackage,
    *,
    front: Front,
    land: LandAssessment | None,
    air_shield: AirAssessment,
    coalition_air: AirAssessment | None,
    sea: MissionPlan | None,
    occupied_gain_km2_per_month: float,
    defaults: PackageDefaults | None = None,
) -> CalculusInputs:
    """Turn a package's component assessments into the calculus inputs.

    See the module docstring for each input.

    Parameters
    ----------
    package : GuaranteePackage
    front : Front
        The guarded line.
    land : LandAssessment or None
        The ground force.
    air_shield : AirAssessment
        The air defence the attacker faces (the package's air mission, or Ukraine's own).
    coalition_air : AirAssessment or None
        The coalition's air mission (None: none).
    sea : MissionPlan or None
        The maritime mission.
    occupied_gain_km2_per_month : float
        Observed gain (:func:`observed_gain_km2_per_month`).
    defaults : PackageDefaults, optional
        Default: :func:`~garant.packages.loader.load_package_defaults`.

    Returns
    -------
    CalculusInputs
    """
    from garant.calculus.inputs import CalculusInputs

    d = defaults or load_package_defaults()
    troops_q = package.ukraine.troops_on_line or d.troops_on_line
    deployed = forward = reach = 0.0
    tripwire = False
    if land is not None and package.land is not None:
        h = land.headline()
        deployed = land_troops(land)[0]
        reach = float(np.clip(np.nan_to_num(h.get("share_of_line_reached_6h", 0.0)), 0.0, 1.0))
        mission = _mission_type(land)
        share = package.land.forward_share
        if share is None:
            share = 1.0 if mission == FORWARD_MISSION else 0.0
        forward = deployed * share
        tripwire = (
            package.land.tripwire
            if package.land.tripwire is not None
            else mission in TRIPWIRE_MISSIONS
        )
    engages = (
        package.air.engages_russian_weapons
        if package.air is not None and package.air.engages_russian_weapons is not None
        else _air_engages(coalition_air)
    )
    us = package.us_backstop
    return CalculusInputs(
        package=package.name,
        line_km=float(front.length_km),
        ukraine_troops_on_line=float(troops_q.value),
        coalition_troops_deployed=deployed,
        coalition_troops_forward=forward,
        tripwire=bool(tripwire),
        share_of_line_reached_6h=reach,
        air_neutralised_share=air_neutralised_share(air_shield),
        air_engages_russian_weapons=bool(engages),
        sea_mission=sea is not None,
        sea_exposure_h=_sea_exposure_h(sea),
        us_backstop_intel=us.intelligence,
        us_backstop_air_defence=us.air_defence,
        us_backstop_logistics=us.logistics,
        commitment=package.commitment,
        occupied_gain_km2_per_month_observed=float(occupied_gain_km2_per_month),
    )


# ----------------------------------------------------------------------------- the bill


def _prov(q: PackageQuantity | Any) -> str:
    if q is None:
        return ""
    text = getattr(q, "source", None) or getattr(q, "assumption", None) or ""
    kind = "source" if getattr(q, "source", None) else "assumption"
    return f"{kind}: {text}" if text else ""


def _cost(package: GuaranteePackage, d: PackageDefaults, name: str) -> PackageQuantity:
    q = getattr(package.costs, name) or getattr(d.costs, name)
    assert q is not None  # PackageDefaults guarantees every cost is set
    return q


_COST_COLUMNS = [
    "component",
    "item",
    "quantity",
    "unit",
    "usd_per_year",
    "personnel_deployed",
    "personnel_with_rotation",
    "provenance",
]


def coalition_costs(
    package: GuaranteePackage,
    *,
    land: LandAssessment | None,
    air: AirAssessment | None,
    sea: MissionPlan | None,
    defaults: PackageDefaults | None = None,
) -> pd.DataFrame:
    """The coalition's bill per year and its personnel, line by line.

    Parameters
    ----------
    package : GuaranteePackage
        Its ``[costs]`` override the defaults.
    land, air, sea : component assessments or None
        The coalition's ground force, air mission and maritime mission.
    defaults : PackageDefaults, optional
        Default: :func:`~garant.packages.loader.load_package_defaults`.

    Returns
    -------
    pandas.DataFrame
        component, item, quantity, unit, usd_per_year, personnel_deployed,
        personnel_with_rotation, provenance (one row per component present).
    """
    d = defaults or load_package_defaults()
    rows: list[dict[str, Any]] = []
    if land is not None:
        deployed, total = land_troops(land)
        q = _cost(package, d, "land_usd_per_troop_year")
        rows.append(
            {
                "component": "land",
                "item": f"{package.land.preset if package.land else ''}: troops deployed",
                "quantity": deployed,
                "unit": "troops",
                "usd_per_year": deployed * q.value,
                "personnel_deployed": deployed,
                "personnel_with_rotation": total,
                "provenance": f"cost per troop-year {q.value:,.0f} USD ({_prov(q)}); "
                "troops offered; rotation as in the land sizing",
            }
        )
    if air is not None:
        nights = _cost(package, d, "air_nights_per_year")
        per_unit = _cost(package, d, "air_personnel_per_unit")
        rot = _cost(package, d, "air_rotation_factor")
        units = float(len(air.units))
        op_q = air.package.costs.operating_usd_per_night
        rows.append(
            {
                "component": "air",
                "item": f"{air.name}: units on station",
                "quantity": units,
                "unit": "units",
                "usd_per_year": air.operating_usd_per_night * nights.value,
                "personnel_deployed": units * per_unit.value,
                "personnel_with_rotation": units * per_unit.value * rot.value,
                "provenance": (
                    f"operating cost {air.operating_usd_per_night:,.0f} USD/night "
                    f"({_prov(op_q) or 'not given by the air package: 0'}) × "
                    f"{nights.value:g} nights; {per_unit.value:g} personnel per unit "
                    f"({_prov(per_unit)}); rotation × {rot.value:g} ({_prov(rot)})"
                ),
            }
        )
    if sea is not None:
        ship_cost = _cost(package, d, "sea_usd_per_ship_year")
        crew = _cost(package, d, "sea_personnel_per_ship")
        rot = _cost(package, d, "sea_rotation_factor")
        ships = float(len(sea.mission.ships))
        rows.append(
            {
                "component": "sea",
                "item": f"{sea.name}: warships",
                "quantity": ships,
                "unit": "ships",
                "usd_per_year": ships * ship_cost.value,
                "personnel_deployed": ships * crew.value,
                "personnel_with_rotation": ships * crew.value * rot.value,
                "provenance": (
                    f"{ship_cost.value:,.0f} USD per ship-year ({_prov(ship_cost)}); "
                    f"{crew.value:g} crew per ship ({_prov(crew)}); rotation × "
                    f"{rot.value:g} ({_prov(rot)})"
                ),
            }
        )
    return pd.DataFrame(rows, columns=_COST_COLUMNS)


# ----------------------------------------------------------------------------- exposure

_EXPOSURE_COLUMNS = [
    "component",
    "force",
    "location",
    "distance_km",
    "threat",
    "min_warning_time_min",
    "exposure_h",
    "detail",
]


def coalition_exposure(
    *, land: LandAssessment | None, air: AirAssessment | None, sea: MissionPlan | None
) -> pd.DataFrame:
    """Which of the coalition's forces are within reach of which Russian weapons.

    Parameters
    ----------
    land, air, sea : component assessments or None

    Returns
    -------
    pandas.DataFrame
        component, force, location, distance_km (from Russian-held territory),
        threat, min_warning_time_min, exposure_h (sea: hours per transit within
        reach), detail.
    """
    rows: list[dict[str, Any]] = []
    if land is not None:
        for _, r in land.exposure.iterrows():
            rows.append(
                {
                    "component": "land",
                    "force": f"{land.force.name} base",
                    "location": str(r["name"]),
                    "distance_km": float(r["hostile_km"]),
                    "threat": str(r["classes_in_range"]),
                    "min_warning_time_min": float(r["min_warning_min"]),
                    "exposure_h": math.nan,
                    "detail": (
                        f"{int(r['n_systems_in_range'])} systems in range; shortest warning: "
                        f"{r['min_warning_system']}; exposure score "
                        f"{float(r['exposure_score']):.0f}"
                    ),
                }
            )
    if air is not None and not air.units.empty:
        for (defence, location), g in air.units.groupby(["defence_id", "location"], sort=False):
            rows.append(
                {
                    "component": "air",
                    "force": f"{len(g)} × {defence}",
                    "location": str(location),
                    "distance_km": float(g["hostile_km"].min()),
                    "threat": "missiles and drones in flight",
                    "min_warning_time_min": math.nan,
                    "exposure_h": math.nan,
                    "detail": f"stand-off {air.package.standoff_km:g} km kept",
                }
            )
    if sea is not None:
        for _, r in sea.assessment.exposure.iterrows():
            if float(r["exposure_h"]) <= 0:
                continue
            rows.append(
                {
                    "component": "sea",
                    "force": f"{sea.name} escorts",
                    "location": f"{sea.assessment.route.origin} -> "
                    f"{sea.assessment.route.destination}",
                    "distance_km": math.nan,
                    "threat": str(r["name"]),
                    "min_warning_time_min": math.nan,
                    "exposure_h": float(r["exposure_h"]),
                    "detail": f"range {float(r['range_km']):g} km; "
                    f"{float(r['exposure_share']):.0%} of the transit",
                }
            )
    return pd.DataFrame(rows, columns=_EXPOSURE_COLUMNS)


# ----------------------------------------------------------------------------- assessment


def _seed(rng: int | np.random.Generator) -> int:
    if isinstance(rng, np.random.Generator):
        return int(rng.integers(0, 2**31 - 1))
    if isinstance(rng, bool) or not isinstance(rng, (int, np.integer)) or int(rng) < 0:
        raise ConfigError(f"rng {rng!r}: must be a non-negative int seed or a numpy Generator")
    return int(rng)


def assess_package(
    package_or_name: GuaranteePackage | str | Path,
    *,
    store: Store | None = None,
    n_runs: int = 2000,
    rng: int | np.random.Generator = 0,
    executor: str | Executor = "serial",
    air_runs: int = 200,
    tornado_runs: int | None = None,
    params: CalculusParameters | None = None,
    cache: ComponentCache | None = None,
) -> PackageAssessment:
    """Assess one guarantee package.

    Parameters
    ----------
    package_or_name : GuaranteePackage, str or pathlib.Path
        A package, a bundled preset name or a TOML file.
    store : Store, optional
        The frontline store (line, occupied territory, history); None: the bundled demo.
    n_runs : int, default 2000
        Monte Carlo draws of the calculus (>= 1).
    rng : int or numpy.random.Generator, default 0
        Seed: the same seed gives the same result.
    executor : {"serial", "threads", "processes"} or Executor
        Where the calculus' Monte Carlo runs (:mod:`garant.execution`).
    air_runs : int, default 200
        Monte Carlo runs of each air campaign (>= 1).
    tornado_runs : int, optional
        Draws per point of the sensitivity analysis (default: ``n_runs``).
    params : CalculusParameters, optional
        Default: :func:`garant.calculus.params.load_parameters`.
    cache : ComponentCache, optional
        Shared component results (default: a new cache).

    Returns
    -------
    PackageAssessment

    Raises
    ------
    NotFoundError
        An unknown package.
    ConfigError
        An invalid package (file, line and field named), a ceasefire date after the
        latest snapshot, a frozen line without a store, bad run counts.
    DataError
        No line to cover.
    """
    from garant.calculus.montecarlo import run_calculus
    from garant.calculus.params import load_parameters
    from garant.calculus.sensitivity import tornado

    if n_runs < 1 or air_runs < 1 or (tornado_runs is not None and tornado_runs < 1):
        raise ConfigError(
            f"n_runs {n_runs}, air_runs {air_runs}, tornado_runs {tornado_runs}: must be at least 1"
        )
    package = (
        package_or_name
        if isinstance(package_or_name, GuaranteePackage)
        else load_guarantee_package(package_or_name)
    )
    seed = _seed(rng)
    cache = cache if cache is not None else ComponentCache()
    params = params if params is not None else load_parameters()
    defaults = load_package_defaults()

    latest, history = _latest_date(store)
    check_against_history(package, latest=latest, has_store=store is not None, history=history)

    try:
        front = _front(package, store, cache)
    except DataError as exc:
        loc = ("ceasefire", "line" if package.ceasefire.line else "date")
        if package.ceasefire.line is None and package.ceasefire.date is None:
            raise
        raise DataError(f"{package_where(package, loc)}: {exc}") from exc
    land = _land(package, front, store, cache)
    air = (
        _air(package.air.preset, package.air.addons, store, cache, air_runs, seed)
        if package.air is not None
        else None
    )
    baseline_air = (
        air if air is not None else _air(package.ukraine.air, (), store, cache, air_runs, seed)
    )
    sea = _sea(package, store, cache)
    gain = cache.get(
        ("gain", _store_key(store), front.date),
        lambda: observed_gain_km2_per_month(store, until=front.date),
    )

    inputs = calculus_inputs(
        package,
        front=front,
        land=land,
        air_shield=baseline_air,
        coalition_air=air,
        sea=sea,
        occupied_gain_km2_per_month=gain,
        defaults=defaults,
    )
    result = run_calculus(inputs, params, n_runs=n_runs, rng=seed, executor=executor)
    sens = tornado(inputs, params, metric="net_utility", n_runs=tornado_runs or n_runs, rng=seed)
    costs = coalition_costs(package, land=land, air=air, sea=sea, defaults=defaults)
    return PackageAssessment(
        package=package,
        land=land,
        air=air,
        sea=sea,
        inputs=inputs,
        calculus=result,
        tornado=sens,
        cost_usd_per_year=float(costs["usd_per_year"].sum()),
        personnel_deployed=float(costs["personnel_deployed"].sum()),
        personnel_with_rotation=float(costs["personnel_with_rotation"].sum()),
        exposure=coalition_exposure(land=land, air=air, sea=sea),
        front=front,
        costs=costs,
        baseline_air=baseline_air if air is None else None,
        half_measure_threshold=params.half_measure_threshold,
        seed=seed,
    )


def assess_packages(
    names: Sequence[GuaranteePackage | str | Path],
    *,
    store: Store | None = None,
    n_runs: int = 2000,
    rng: int | np.random.Generator = 0,
    executor: str | Executor = "serial",
    air_runs: int = 200,
    tornado_runs: int | None = None,
    params: CalculusParameters | None = None,
    cache: ComponentCache | bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> Comparison:
    """Assess several packages the same way and line them up.

    Parameters
    ----------
    names : sequence of GuaranteePackage, str or Path
        Packages (preset names or files); at least one, no name twice.
    store, n_runs, rng, executor, air_runs, tornado_runs, params
        As for :func:`assess_package` (one seed for all packages: common random numbers).
    cache : ComponentCache or bool, default True
        A cache to share, True for a new one, False to compute every component for
        every package (the benchmark's baseline).
    progress : callable, optional
        Called as ``progress(done, total)`` after each package (and once with 0).

    Returns
    -------
    Comparison

    Raises
    ------
    ConfigError
        No packages, or a package given twice; errors of :func:`assess_package`.
    """
    from garant.calculus.params import load_parameters

    if not names:
        raise ConfigError("no guarantee packages to assess (give at least one)")
    packages = [n if isinstance(n, GuaranteePackage) else load_guarantee_package(n) for n in names]
    seen: set[str] = set()
    for p in packages:
        if p.name in seen:
            raise ConfigError(f"package {p.name!r}: given twice")
        seen.add(p.name)
    seed = _seed(rng)
    params = params if params is not None else load_parameters()
    shared = cache if isinstance(cache, ComponentCache) else ComponentCache(enabled=bool(cache))
    total = len(packages)
    if progress is not None:
        progress(0, total)
    out: list[PackageAssessment] = []
    for i, p in enumerate(packages, 1):
        out.append(
            assess_package(
                p,
                store=store,
                n_runs=n_runs,
                rng=seed,
                executor=executor,
                air_runs=air_runs,
                tornado_runs=tornado_runs,
                params=params,
                cache=shared,
            )
        )
        if progress is not None:
            progress(i, total)
    return Comparison(assessments=out, n_runs=n_runs, seed=seed, parameters=params.table())
