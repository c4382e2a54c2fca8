"""The air assessment: what a package protects, against which raid, at what cost, how long.

:func:`assess_air` takes an air package (:mod:`garant.air.presets`), places its units
(keeping the stand-off from Russian-held territory), measures the coverage of the zone
west of the Dnipro and of the protected assets (:mod:`garant.air.coverage`), builds the
night's raid (:func:`build_scenario`) and flies a Monte Carlo campaign
(:func:`garant.air.campaign.simulate_campaign`). The result, :class:`AirAssessment`, gives
neutralised and leaked threats per class, hits on protected assets, interceptors spent,
defender and attacker costs with the cost-exchange ratio, and the nights until magazines
run dry, as distributions over runs. :func:`assess_air_many` compares packages side by
side.

Ukraine's baseline defence
--------------------------
The calibrated baseline (:class:`garant.air.calibration.BaselineModel`) enters the raid as
the scenario's background loss probability per class (``RaidScenario.ew_p``): each
threat of class *c* is neutralised with ``effective_pk(c, n_c)`` before any explicit unit
engages it, *n_c* being the night's raid size of the class (decoys count with the strike
drones, as in the records). This is the simplest layer that reproduces the calibrated
rates exactly when no other unit is present (tested), needs no invented positions or
magazines for Ukraine's hundreds of fire units, and keeps explicit units strictly
additive: a package can only add kills to the baseline, never take them away. Its
limits: the baseline is the same everywhere (not spatial), it acts before the explicit
units (so they spend missiles only on what it missed), its kills are reported in the
simulation's ``lost_ew`` column (together with the kills of any EW unit a package
deploys), and Ukraine's own stocks do not run dry (the calibrated rates already reflect
how Ukraine rationed them). With a campaign whose nights fly a random share of the raid,
the probability is the launch-weighted mean of ``effective_pk`` over the sample of
shares, so that the campaign's pooled rate equals the calibrated expectation.
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

from garant.air.calibration import BaselineModel
from garant.air.campaign import CampaignResults, simulate_campaign
from garant.air.classes import THREAT_CLASSES
from garant.air.coverage import (
    CoverageResult,
    Unit,
    asset_coverage,
    hex_grid,
    named_zone,
    zone_coverage,
)
from garant.air.presets import (
    AirDefaults,
    AirPackage,
    CampaignSpec,
    effective_campaign,
    effective_raid,
    load_defaults,
    load_package,
    resolve_location,
    resolve_units,
)
from garant.air.raids import (
    RaidScenario,
    UnitParams,
    Wave,
    describe,
    threat_params_from_catalog,
    unit_params_from_catalog,
)
from garant.air.routes import lonlat_to_km
from garant.errors import ConfigError

if TYPE_CHECKING:
    import geopandas as gpd

    from garant.air.catalog import Catalog
    from garant.store import Store

__all__ = [
    "COVERAGE_CLASSES",
    "HEADLINE_CLASSES",
    "AirAssessment",
    "assess_air",
    "assess_air_many",
    "baseline_probabilities",
    "build_scenario",
    "package_units",
]

logger = logging.getLogger(__name__)

Estimate = Literal["value", "low", "high"]

#: Classes whose coverage is measured (engagement ranges differ by class).
COVERAGE_CLASSES: tuple[str, ...] = ("strike_uav", "cruise", "ballistic")
#: Classes shown in headlines and charts (when launched).
HEADLINE_CLASSES: tuple[str, ...] = (
    "strike_uav",
    "decoy_uav",
    "cruise",
    "ballistic",
    "aeroballistic",
)
_NO_UNIT = "(none)"
_DEFAULT_RUNS = 200
_CLASS_INDEX = {c: i for i, c in enumerate(THREAT_CLASSES)}


# ----------------------------------------------------------------------------- the scenario


def _fractions(campaign: CampaignSpec | None) -> NDArray[np.float64]:
    if campaign is None or campaign.raid_fraction is None:
        return np.ones(1)
    f = campaign.raid_fraction
    return np.atleast_1d(np.asarray(f, dtype=np.float64))


def baseline_probabilities(
    class_counts: Mapping[str, int],
    model: BaselineModel,
    *,
    class_map: Mapping[str, str] | None = None,
    raid_fraction: Sequence[float] | NDArray[np.float64] | float = 1.0,
) -> dict[str, float]:
    """Ukraine's baseline neutralisation probability per class for a raid.

    Parameters
    ----------
    class_counts : mapping of str to int
        Threats per class in the full raid.
    model : garant.air.calibration.BaselineModel
        The calibrated baseline.
    class_map : mapping of str to str, optional
        Classes the model counts within another (``{"decoy_uav": "strike_uav"}``); the
        raid size of the model class includes them.
    raid_fraction : float or sequence of float
        Share of the raid flown on a night, or a sample of shares: the probability is
        the launch-weighted mean ``sum(f * p(f * n)) / sum(f)`` over the sample.

    Returns
    -------
    dict of str to float
        Probability per class launched; 0 (logged) for a class the model does not know.
    """
    cmap = dict(class_map or {})
    sizes: dict[str, float] = {}
    for c, n in class_counts.items():
        m = cmap.get(c, c)
        sizes[m] = sizes.get(m, 0.0) + float(n)
    f = np.atleast_1d(np.asarray(raid_fraction, dtype=np.float64))
    weights = f if f.sum() > 0 else np.ones_like(f)
    out: dict[str, float] = {}
    for c, n in class_counts.items():
        if n <= 0:
            continue
        m = cmap.get(c, c)
        if m not in model.params:
            logger.warning("baseline: no calibrated rate for class %r; taken as 0", m)
            out[c] = 0.0
            continue
        sizes_f = np.maximum(f * sizes[m], 1.0)
        p = model.rates(m, np.zeros_like(sizes_f), sizes_f)
        out[c] = float(np.sum(weights * p) / np.sum(weights))
    return out


def package_units(
    package: AirPackage,
    units: pd.DataFrame,
    catalog: Catalog,
    *,
    estimate: Estimate = "value",
) -> tuple[UnitParams, list[Unit]]:
    """Unit types for the raid engine and units for coverage, with the package's overrides.

    Parameters
    ----------
    package : AirPackage
        For ``reserve`` and ``shoots``.
    units : pandas.DataFrame
        From :func:`garant.air.presets.resolve_units`.
    catalog : garant.air.catalog.Catalog
        The catalogue.
    estimate : {"value", "low", "high"}
        Which end of each quantity's range.

    Returns
    -------
    (UnitParams, list of Unit)
        A unit type ``"(none)"`` that never engages stands in when the package deploys
        nothing (the engine needs one type). A defence whose ``shoots`` is overridden
        to false engages nothing and detects within its engagement radius (largest
        over classes) unless the catalogue gives a detection range.
    """
    ids = list(dict.fromkeys(units["defence_id"]))
    if not ids:
        params = UnitParams.make(
            [_NO_UNIT],
            range_km=np.zeros((1, len(THREAT_CLASSES))),
            pk=np.zeros((1, len(THREAT_CLASSES))),
            magazine=0,
            cost_per_shot_usd=0.0,
            shoots=False,
        )
        return params, []
    base = unit_params_from_catalog(catalog, ids, estimate=estimate, reserve=package.reserve)
    silent = np.array([not package.shoots.get(i, True) for i in ids])
    if silent.any():
        keep = ~silent[:, None]
        base = UnitParams.make(
            list(base.name),
            range_km=base.range_km * keep,
            pk=base.pk * keep,
            magazine=np.where(silent, 0, base.magazine),
            cost_per_shot_usd=base.cost_per_shot_usd,
            shots_per_engagement=base.shots_per_engagement,
            reload_h=base.reload_h,
            channels=base.channels,
            reserve=np.where(silent, 0, base.reserve),
            shoots=base.shoots & ~silent,
            is_ew=base.is_ew,
        )
    cov: list[Unit] = []
    for uid, did, ulon, ulat in zip(
        units["unit_id"].astype(str),
        units["defence_id"].astype(str),
        units["lon"].to_numpy(dtype=float),
        units["lat"].to_numpy(dtype=float),
        strict=True,
    ):
        d = catalog.defences[did]
        rng = {c: float(getattr(q, estimate)) for c, q in d.range_km.items()}
        shoots = bool(d.shoots) and package.shoots.get(d.id, True)
        detect = float(getattr(d.detect_range_km, estimate)) if d.detect_range_km else 0.0
        if not shoots and not detect and rng:
            detect = max(rng.values())
        cov.append(
            Unit(
                unit_id=uid,
                defence_id=d.id,
                lon=float(ulon),
                lat=float(ulat),
                range_km=rng,
                shoots=shoots,
                detect_range_km=detect,
            )
        )
    return base, cov


def _waves(
    package: AirPackage,
    defaults: AirDefaults,
    catalog: Catalog,
    assets: gpd.GeoDataFrame,
    estimate: Estimate,
) -> tuple[list[Wave], list[str], NDArray[np.float64]]:
    raid = effective_raid(package, defaults)
    label = package.label if package.raid is not None else "presets/_defaults.toml"
    targets: dict[str, tuple[float, float]] = {}

    def target(name: str) -> str:
        asset_id, lon, lat = resolve_location(name, assets)
        key = asset_id or name
        targets.setdefault(key, (lon, lat))
        return key

    raid_targets = [target(t) for t in raid.targets]
    waves: list[Wave] = []
    for i, w in enumerate(raid.waves):
        threat = catalog.threats[w.threat]
        reach = float(getattr(threat.range_km, estimate))
        names = [target(t) for t in w.targets] if w.targets else raid_targets
        n_areas = len(w.launch_areas)
        for j, area_id in enumerate(w.launch_areas):
            count = w.count // n_areas + (1 if j < w.count % n_areas else 0)
            if count == 0:
                continue
            area = catalog.launch_areas[area_id]
            launch = lonlat_to_km(np.array([[area.lon, area.lat]]))
            pts = lonlat_to_km(np.array([targets[n] for n in names]))
            dist = np.hypot(*(pts - launch).T)
            in_range = [n for n, d in zip(names, dist, strict=True) if d <= reach]
            if not in_range:
                raise ConfigError(
                    f"{label}: raid.waves[{i}]: no target within the {reach:.0f} km range of "
                    f"{w.threat} from {area_id} (nearest {dist.min():.0f} km)"
                )
            waves.append(
                Wave(
                    threat=w.threat,
                    count=count,
                    launch_lonlat=(area.lon, area.lat),
                    targets=tuple(in_range),
                    start_h=w.start_h,
                    duration_h=w.duration_h,
                )
            )
    names = list(targets)
    return waves, names, np.array([targets[n] for n in names], dtype=np.float64)


def build_scenario(
    package: AirPackage,
    *,
    catalog: Catalog,
    assets: gpd.GeoDataFrame,
    baseline_model: BaselineModel | None = None,
    estimate: Estimate = "value",
    units: pd.DataFrame | None = None,
    occupied: BaseGeometry | None = None,
    defaults: AirDefaults | None = None,
    raid_fraction: Sequence[float] | NDArray[np.float64] | float | None = None,
) -> RaidScenario:
    """The night's raid against the package's units, with Ukraine's baseline layer.

    Parameters
    ----------
    package : AirPackage
        The package (add-ons merged).
    catalog : garant.air.catalog.Catalog
        Threats, launch areas and defences.
    assets : geopandas.GeoDataFrame
        For targets and named locations (:func:`garant.air.assets.load_assets`).
    baseline_model : garant.air.calibration.BaselineModel, optional
        Ukraine's calibrated defence (default: the parameters stored in the defaults);
        ignored when ``package.baseline`` is false.
    estimate : {"value", "low", "high"}
        Which end of each catalogue quantity's range.
    units : pandas.DataFrame, optional
        Placed units (:func:`garant.air.presets.resolve_units`); resolved here when
        not given (with ``occupied``).
    occupied : shapely geometry, optional
        Russian-held territory for the stand-off when ``units`` is not given.
    defaults : AirDefaults, optional
        Default raid, campaign and baseline (:func:`garant.air.presets.load_defaults`).
    raid_fraction : float or sequence, optional
        Shares of the raid flown per night, for the baseline's launch-weighted mean
        (default: the package's campaign sample).

    Returns
    -------
    garant.air.raids.RaidScenario
        ``ew_p`` holds the baseline probability per class
        (:func:`baseline_probabilities`); ``hit_p`` and decoy discrimination come from
        the raid.

    Raises
    ------
    ConfigError
        A wave has no target within range from one of its launch areas, or the
        stand-off is broken.
    """
    defaults = defaults or load_defaults()
    if units is None:
        units = resolve_units(package, assets=assets, occupied=occupied, catalog=catalog)
    waves, target_names, target_lonlat = _waves(package, defaults, catalog, assets, estimate)
    threat_ids = list(dict.fromkeys(w.threat for w in waves))
    threats = threat_params_from_catalog(catalog, threat_ids, estimate=estimate)
    params, _ = package_units(package, units, catalog, estimate=estimate)
    ew_p: dict[str, float] = {}
    if package.baseline:
        counts: dict[str, int] = {}
        for w in waves:
            c = catalog.threats[w.threat].threat_class
            counts[c] = counts.get(c, 0) + w.count
        model = baseline_model or defaults.baseline.model()
        frac = (
            _fractions(effective_campaign(package, defaults))
            if raid_fraction is None
            else raid_fraction
        )
        ew_p = baseline_probabilities(
            counts, model, class_map=defaults.baseline.class_map, raid_fraction=frac
        )
    raid = effective_raid(package, defaults)
    return RaidScenario(
        threats=threats,
        units=params,
        unit_types=tuple(units["defence_id"]),
        unit_lonlat=units[["lon", "lat"]].to_numpy(dtype=np.float64).reshape(-1, 2),
        target_names=tuple(target_names),
        target_lonlat=target_lonlat,
        waves=tuple(waves),
        ew_p=ew_p,
        hit_p=dict(raid.hit_p),
        decoy_discrimination_p=raid.decoy_discrimination_p,
    )


# ----------------------------------------------------------------------------- the result


def _q(q: Any, estimate: str) -> float:
    return float(getattr(q, estimate)) if q is not None else 0.0


@dataclass(frozen=True, eq=False)
class AirAssessment:
    """An air package's results: coverage, a campaign, costs and stocks.

    Attributes
    ----------
    package : AirPackage
        The package assessed (add-ons merged).
    units : pandas.DataFrame
        Placed units (:func:`garant.air.presets.resolve_units`).
    scenario : garant.air.raids.RaidScenario
        The night's raid (full size).
    baseline_p : mapping of str to float
        Ukraine's baseline neutralisation probability per class (empty without it).
    coverage : mapping of str to CoverageResult
        Coverage of the zone west of the Dnipro per class of :data:`COVERAGE_CLASSES`.
    assets : geopandas.GeoDataFrame
        The protected assets (raid targets and the package's ``protect``) with
        ``protected`` (listed in ``protect``), ``n_units_<class>``, ``n_detect``,
        ``hits_mean`` and ``hits_p95`` (hits per night).
    campaign : garant.air.campaign.CampaignResults
        The Monte Carlo campaign.
    baseline_cost_usd : mapping of str to float
        Cost to Ukraine of one baseline neutralisation per class (USD).
    operating_usd_per_night : float
        The package's running cost per night (USD; 0 if not given).
    occupied : shapely geometry or None
        The Russian-held territory used for the stand-off and the map.
    occupied_source : str
        Where it came from (``store <path> <date>``, ``bundled demo``, ``given``).
    seed : int or None
        The seed.
    estimate : str
        Which end of the catalogue ranges was used.
    coverage_units : tuple of Unit
        The units as :mod:`garant.air.coverage` sees them (ranges, detection).
    """

    package: AirPackage
    units: pd.DataFrame
    scenario: RaidScenario
    baseline_p: Mapping[str, float]
    coverage: Mapping[str, CoverageResult]
    assets: gpd.GeoDataFrame
    campaign: CampaignResults
    baseline_cost_usd: Mapping[str, float] = field(default_factory=dict)
    operating_usd_per_night: float = 0.0
    occupied: BaseGeometry | None = None
    occupied_source: str = ""
    seed: int | None = None
    estimate: str = "value"
    coverage_units: tuple[Unit, ...] = ()

    @property
    def name(self) -> str:
        """The package name."""
        return self.package.name

    @property
    def nights(self) -> int:
        """Nights per campaign."""
        return self.campaign.nights

    @property
    def n_runs(self) -> int:
        """Monte Carlo runs."""
        return self.campaign.n_runs

    @property
    def classes_launched(self) -> tuple[str, ...]:
        """Classes launched in the raid, in THREAT_CLASSES order."""
        used = self.campaign.launched.sum(axis=(0, 1)) > 0
        return tuple(c for c, u in zip(THREAT_CLASSES, used, strict=True) if u)

    # -- per-run campaign totals -----------------------------------------------------

    def neutralised_rate(self) -> NDArray[np.float64]:
        """Share neutralised per run and class over the campaign, shape (R, C) (NaN: none)."""
        launched = self.campaign.launched.sum(axis=1).astype(float)
        neut = self.campaign.neutralised.sum(axis=1).astype(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(launched > 0, neut / np.where(launched > 0, launched, 1), np.nan)

    def baseline_kills(self) -> NDArray[np.float64]:
        """Neutralisations by the baseline layer per run and class over the campaign (R, C).

        The simulation's ``lost_ew`` (it also holds the kills of EW units a package
        deploys; no preset deploys any).
        """
        return self.campaign.lost_ew.sum(axis=1).astype(float)

    def costs(self) -> pd.DataFrame:
        """Costs over the campaign per run, USD.

        Returns
        -------
        pandas.DataFrame
            One row per run: ``interceptors_usd`` (the package's units),
            ``baseline_usd`` (Ukraine's baseline kills at its cost per kill),
            ``operating_usd``, ``defender_usd`` (interceptors + baseline),
            ``attacker_usd`` (threats launched), ``cost_exchange`` (defender /
            attacker), ``cost_exchange_with_operations`` ((defender + operating) /
            attacker), ``package_exchange`` ((interceptors + operating) / attacker cost of
            the threats the package's units destroyed).
        """
        c = self.campaign
        interceptors = c.defender_cost_usd.sum(axis=1)
        per_kill = np.array([self.baseline_cost_usd.get(k, 0.0) for k in THREAT_CLASSES])
        baseline = self.baseline_kills() @ per_kill if self.baseline_p else np.zeros(c.n_runs)
        operating = np.full(c.n_runs, self.operating_usd_per_night * c.nights)
        attacker = c.attacker_cost_usd.sum(axis=1)
        unit_cost = np.zeros(len(THREAT_CLASSES))  # mean cost of a threat of each class
        th = self.scenario.threats
        for cls in set(th.threat_class):
            mask = np.array([tc == cls for tc in th.threat_class])
            unit_cost[_CLASS_INDEX[cls]] = float(th.unit_cost_usd[mask].mean())
        destroyed_value = c.destroyed.sum(axis=1).astype(float) @ unit_cost
        with np.errstate(divide="ignore", invalid="ignore"):
            defender = interceptors + baseline
            ratio = np.where(attacker > 0, defender / np.where(attacker > 0, attacker, 1), np.nan)
            ratio_ops = np.where(
                attacker > 0, (defender + operating) / np.where(attacker > 0, attacker, 1), np.nan
            )
            pkg = np.where(
                destroyed_value > 0,
                (interceptors + operating) / np.where(destroyed_value > 0, destroyed_value, 1),
                np.nan,
            )
        return pd.DataFrame(
            {
                "interceptors_usd": interceptors,
                "baseline_usd": baseline,
                "operating_usd": operating,
                "defender_usd": defender,
                "attacker_usd": attacker,
                "cost_exchange": ratio,
                "cost_exchange_with_operations": ratio_ops,
                "package_exchange": pkg,
            }
        )

    # -- tables ----------------------------------------------------------------------

    def rates(self) -> pd.DataFrame:
        """Neutralisation per class launched.

        Returns
        -------
        pandas.DataFrame
            ``class, launched_per_night, baseline_p, rate_mean, rate_p5, rate_p50,
            rate_p95, leaked_per_night`` (rates over the campaign, per run; per-night
            counts are means over runs and nights).
        """
        rate = self.neutralised_rate()
        idx = [_CLASS_INDEX[c] for c in self.classes_launched]
        d = describe(rate[:, idx], list(self.classes_launched), name="class")
        c = self.campaign
        return pd.DataFrame(
            {
                "class": list(self.classes_launched),
                "launched_per_night": c.launched[:, :, idx].mean(axis=(0, 1)),
                "baseline_p": [self.baseline_p.get(k, 0.0) for k in self.classes_launched],
                "rate_mean": d["mean"].to_numpy(),
                "rate_p5": d["p5"].to_numpy(),
                "rate_p50": d["p50"].to_numpy(),
                "rate_p95": d["p95"].to_numpy(),
                "leaked_per_night": c.leaked[:, :, idx].mean(axis=(0, 1)),
            }
        )

    def stock_by_night(self) -> pd.DataFrame:
        """Rounds left per deployed shooting type at the end of each night.

        Returns
        -------
        pandas.DataFrame
            ``night, unit_type, mean, p5, p50, p95`` (rounds, before that night's
            resupply).
        """
        c = self.campaign
        types = [t for t, d in zip(c.unit_types, c.deployed, strict=True) if d]
        if not types:
            return pd.DataFrame(columns=["night", "unit_type", "mean", "p5", "p50", "p95"])
        frames = []
        for night in range(c.nights):
            vals = c.rounds_left[:, night][:, c.deployed]
            frames.append(describe(vals, types, name="unit_type").assign(night=night + 1))
        out = pd.concat(frames, ignore_index=True)
        return out[["night", "unit_type", "mean", "p5", "p50", "p95"]]

    def hits_by_target(self) -> pd.DataFrame:
        """Hits per night on each target: ``target, name, protected, mean, p5, p50, p95``."""
        c = self.campaign
        per_night = c.hits.mean(axis=1)  # (R, A): mean hits per night of each run
        d = describe(per_night, list(c.target_names), name="target")
        names = dict(zip(self.assets["asset_id"], self.assets["name"], strict=False))
        prot = set(self.assets.loc[self.assets["protected"], "asset_id"])
        d.insert(1, "name", [names.get(t, t) for t in c.target_names])
        d.insert(2, "protected", [t in prot for t in c.target_names])
        return d

    def headline(self) -> dict[str, Any]:
        """The headline numbers as a flat dict (means over runs; p5/p95 where useful)."""
        rates = self.rates().set_index("class")
        costs = self.costs()
        c = self.campaign
        hits = c.hits.sum(axis=2).mean(axis=1)  # (R,) hits per night
        prot_mask = np.array(
            [
                t in set(self.assets.loc[self.assets["protected"], "asset_id"])
                for t in c.target_names
            ]
        )
        hits_prot = c.hits[:, :, prot_mask].sum(axis=2).mean(axis=1)
        out: dict[str, Any] = {"package": self.name, "units": len(self.units)}
        for cls in HEADLINE_CLASSES:
            if cls in rates.index:
                row = rates.loc[cls]
                for col, suffix in (("rate_mean", ""), ("rate_p5", "_p5"), ("rate_p95", "_p95")):
                    out[f"neutralised_{cls}{suffix}"] = float(np.asarray(row[col], dtype=float))
        out["hits_per_night"] = float(hits.mean())
        out["hits_protected_per_night"] = float(hits_prot.mean())
        out["interceptors_per_night"] = float(c.shots.sum(axis=2).mean())
        for col in ("cost_exchange", "cost_exchange_with_operations", "package_exchange"):
            vals = costs[col].to_numpy(dtype=float)
            out[col] = float(np.nanmean(vals)) if np.isfinite(vals).any() else math.nan
        out["defender_usd_per_night"] = float(costs["defender_usd"].mean() / c.nights)
        out["attacker_usd_per_night"] = float(costs["attacker_usd"].mean() / c.nights)
        dry = c.nights_until_any_dry
        out["dry_share"] = float(np.isfinite(dry).mean()) if c.deployed.any() else math.nan
        out["nights_until_dry_p50"] = (
            float(np.percentile(np.where(np.isinf(dry), c.nights + 1, dry), 50))
            if c.deployed.any()
            else math.nan
        )
        if np.isfinite(out["nights_until_dry_p50"]) and out["nights_until_dry_p50"] > c.nights:
            out["nights_until_dry_p50"] = math.inf
        cov = self.coverage.get("cruise")
        if cov is not None:
            out["west_covered_area_share"] = cov.covered_area_share
            out["west_covered_population_share"] = cov.covered_population_share
            out["west_detected_area_share"] = cov.detected_area_share
            out["west_detected_population_share"] = cov.detected_population_share
        out["protected_assets_covered"] = int(
            self.assets.loc[self.assets["protected"], "n_units_cruise"].gt(0).sum()
        )
        out["protected_assets"] = int(self.assets["protected"].sum())
        out["nights"] = c.nights
        out["runs"] = c.n_runs
        return out

    def summary(self) -> pd.DataFrame:
        """Every result as a long table.

        Returns
        -------
        pandas.DataFrame
            ``package, metric, class, mean, p5, p50, p95``: per class the neutralised
            share over the campaign (``neutralised_rate``) and per-night counts
            (``launched``, ``neutralised``, ``leaked``); in total (class ``all``)
            ``hits`` and ``hits_protected`` per night, ``interceptors`` per night, the
            cost columns of :meth:`costs` over the campaign, and
            ``nights_until_dry`` (``inf`` = not within the campaign); and the coverage
            shares of the zone west of the Dnipro per class (``mean`` only).
        """
        c = self.campaign
        frames = []
        rate = self.neutralised_rate()
        idx = [_CLASS_INDEX[k] for k in self.classes_launched]
        labels = list(self.classes_launched)
        frames.append(
            describe(rate[:, idx], labels, name="class").assign(metric="neutralised_rate")
        )
        for metric, arr in (
            ("launched", c.launched),
            ("neutralised", c.neutralised),
            ("leaked", c.leaked),
        ):
            per_night = arr[:, :, idx].mean(axis=1)
            frames.append(describe(per_night, labels, name="class").assign(metric=metric))
        prot = set(self.assets.loc[self.assets["protected"], "asset_id"])
        mask = np.array([t in prot for t in c.target_names])
        totals = {
            "hits": c.hits.sum(axis=2).mean(axis=1),
            "hits_protected": c.hits[:, :, mask].sum(axis=2).mean(axis=1),
            "interceptors": c.shots.sum(axis=2).mean(axis=1),
        }
        costs = self.costs()
        for col in costs.columns:
            totals[col] = costs[col].to_numpy(dtype=float)
        if c.deployed.any():
            dry = c.nights_until_any_dry
            totals["nights_until_dry"] = np.where(np.isinf(dry), c.nights + 1.0, dry)
        for metric, vals in totals.items():
            frames.append(describe(vals[:, None], ["all"], name="class").assign(metric=metric))
        out = pd.concat(frames, ignore_index=True)
        if c.deployed.any():
            sel = out["metric"] == "nights_until_dry"
            for col in ("mean", "p5", "p50", "p95"):
                out.loc[sel, col] = out.loc[sel, col].where(out.loc[sel, col] <= c.nights, np.inf)
        cov_rows = []
        for cls, cov in self.coverage.items():
            for metric, v in (
                ("west_covered_area_share", cov.covered_area_share),
                ("west_covered_population_share", cov.covered_population_share),
                ("west_detected_area_share", cov.detected_area_share),
                ("west_detected_population_share", cov.detected_population_share),
            ):
                cov_rows.append({"class": cls, "metric": metric, "mean": v})
        out = pd.concat([out, pd.DataFrame(cov_rows)], ignore_index=True)
        out.insert(0, "package", self.name)
        return out[["package", "metric", "class", "mean", "p5", "p50", "p95"]]


# ----------------------------------------------------------------------------- assessing


@functools.lru_cache(maxsize=4)
def _west_grid(resolution: int) -> gpd.GeoDataFrame:
    """The H3 grid of the zone west of the Dnipro with population (cached; not mutated)."""
    return hex_grid(named_zone("west_of_dnipro"), resolution=resolution)


def _occupied(
    store: Store | None, occupied: BaseGeometry | None, package: AirPackage
) -> tuple[BaseGeometry | None, str]:
    if occupied is not None:
        return occupied, "given"
    if store is not None:
        from garant.air.placement import occupied_from_store

        timeline = store.timeline()
        date = str(pd.to_datetime(timeline["date"]).max().date()) if len(timeline) else ""
        return occupied_from_store(store), f"store {store.path} ({date})"
    from garant.air.presets import demo_occupied

    return demo_occupied(), "bundled demo history (latest snapshot)"


def assess_air(
    package_or_name: AirPackage | str | Path,
    *,
    store: Store | None = None,
    occupied: BaseGeometry | None = None,
    n_runs: int = _DEFAULT_RUNS,
    nights: int | None = None,
    rng: int | None = 0,
    out_dir: str | Path | None = None,
    catalog: Catalog | None = None,
    assets: gpd.GeoDataFrame | None = None,
    baseline_model: BaselineModel | None = None,
    estimate: Estimate = "value",
    resolution: int = 5,
    raid_fraction: float | Sequence[float] | None = None,
) -> AirAssessment:
    """Assess an air package: coverage, a Monte Carlo campaign, costs and stocks.

    Parameters
    ----------
    package_or_name : AirPackage, str or pathlib.Path
        A package, a preset name (``"sky-shield"``, ``"sky-shield+us-backstop"``) or a
        package file.
    store : garant.store.Store, optional
        An open frontline store: its latest occupied territory sets the stand-off
        (default: the bundled demo history's latest snapshot).
    occupied : shapely geometry, optional
        Russian-held territory to use instead (EPSG:4326).
    n_runs : int
        Monte Carlo campaigns.
    nights : int, optional
        Nights per campaign (default: the package's, 28).
    rng : int, optional
        Seed; the same seed gives the same results.
    out_dir : str or pathlib.Path, optional
        Also write the report there (:func:`garant.report.air.write_air_report`).
    catalog : garant.air.catalog.Catalog, optional
        Default: the bundled catalogue.
    assets : geopandas.GeoDataFrame, optional
        Default: :func:`garant.air.assets.load_assets`.
    baseline_model : garant.air.calibration.BaselineModel, optional
        Ukraine's baseline (default: the stored calibration).
    estimate : {"value", "low", "high"}
        Which end of each catalogue quantity's range.
    resolution : int
        H3 resolution of the coverage grid (5: ~250 km² cells).
    raid_fraction : float or sequence of float, optional
        Shares of the raid flown per night (default: the package's sample; 1: the
        full raid every night).

    Returns
    -------
    AirAssessment

    Raises
    ------
    NotFoundError
        Unknown preset or file.
    ConfigError
        Invalid package, or a stand-off violation.
    """
    if catalog is None:
        from garant.air.catalog import default_catalog

        catalog = default_catalog()
    if assets is None:
        from garant.air.assets import load_assets

        assets = load_assets()
    if isinstance(package_or_name, AirPackage):
        package = package_or_name
    else:
        package = load_package(package_or_name, catalog=catalog, assets=assets)
    if package.addon:
        raise ConfigError(
            f"{package.label}: {package.name!r} is an add-on; assess it with a package, "
            f"e.g. 'sky-shield+{package.name}'"
        )
    defaults = load_defaults()
    occ, occ_source = _occupied(store, occupied, package)
    units = resolve_units(package, assets=assets, occupied=occ, catalog=catalog)
    campaign_spec = effective_campaign(package, defaults)
    frac: Any = campaign_spec.raid_fraction if raid_fraction is None else raid_fraction
    frac_arr = np.atleast_1d(np.asarray(1.0 if frac is None else frac, dtype=np.float64))
    scenario = build_scenario(
        package,
        catalog=catalog,
        assets=assets,
        baseline_model=baseline_model,
        estimate=estimate,
        units=units,
        defaults=defaults,
        raid_fraction=frac_arr,
    )
    _, cov_units = package_units(package, units, catalog, estimate=estimate)

    # protected assets: the raid's targets and the package's list
    prot_ids = [resolve_location(p, assets)[0] for p in package.protect]
    wanted = list(dict.fromkeys([*scenario.target_names, *prot_ids]))
    table = assets[assets["asset_id"].isin(wanted)].copy()
    table["protected"] = table["asset_id"].isin(prot_ids)
    for cls in COVERAGE_CLASSES:
        ac = asset_coverage(cov_units, table, threat_class=cls)
        table[f"n_units_{cls}"] = ac["n_units"].to_numpy()
        if cls == "cruise":
            table["n_detect"] = ac["n_detect"].to_numpy()
            table["nearest_km"] = ac["nearest_km"].to_numpy()

    grid = _west_grid(resolution)
    coverage = {cls: zone_coverage(cov_units, grid, threat_class=cls) for cls in COVERAGE_CLASSES}
    resupply = {
        k: int(v) for k, v in campaign_spec.resupply.items() if k in scenario.units.name and v > 0
    }
    camp = simulate_campaign(
        scenario,
        nights=int(nights or campaign_spec.nights or 28),
        n_runs=int(n_runs),
        rng=rng,
        raid_fraction=frac_arr,
        resupply=resupply,
        resupply_every_nights=int(campaign_spec.resupply_every_nights or 7),
    )
    per_night = camp.hits.mean(axis=1)
    hits = describe(per_night, list(camp.target_names), name="asset_id").set_index("asset_id")
    table["hits_mean"] = table["asset_id"].map(hits["mean"]).astype(float)
    table["hits_p95"] = table["asset_id"].map(hits["p95"]).astype(float)
    base_cost = {c: _q(q, estimate) for c, q in defaults.baseline.cost_per_neutralised_usd.items()}
    operating = _q(package.costs.operating_usd_per_night, estimate)
    result = AirAssessment(
        package=package,
        units=units,
        scenario=scenario,
        baseline_p=dict(scenario.ew_p),
        coverage=coverage,
        assets=table.reset_index(drop=True),
        campaign=camp,
        baseline_cost_usd=base_cost,
        operating_usd_per_night=operating,
        occupied=occ,
        occupied_source=occ_source,
        seed=rng,
        estimate=estimate,
        coverage_units=tuple(cov_units),
    )
    logger.info("assessed air package %s: %d units, %d runs", package.name, len(units), n_runs)
    if out_dir is not None:
        from garant.report.air import write_air_report

        write_air_report(result, out_dir)
    return result


def assess_air_many(
    names: Sequence[AirPackage | str | Path],
    *,
    out_dir: str | Path | None = None,
    **kwargs: Any,
) -> pd.DataFrame:
    """Assess several packages with the same settings and compare their headlines.

    Parameters
    ----------
    names : sequence
        Packages, preset names or files.
    out_dir : str or pathlib.Path, optional
        Write one comparative report there (:func:`garant.report.air.write_air_report`).
    **kwargs
        Passed to :func:`assess_air` (``store``, ``n_runs``, ``nights``, ``rng`` ...).

    Returns
    -------
    pandas.DataFrame
        One row per package: the :meth:`AirAssessment.headline` columns.
    """
    if not names:
        raise ConfigError("assess_air_many: no packages given")
    results = [assess_air(n, **kwargs) for n in names]
    if out_dir is not None:
        from garant.report.air import write_air_report

        write_air_report(results, out_dir)
    return pd.DataFrame([r.headline() for r in results])
