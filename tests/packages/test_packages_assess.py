"""Assessing guarantee packages: components, calculus inputs, the bill, the comparison."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from garant.errors import ConfigError, DataError, NotFoundError
from garant.packages.assess import (
    ComponentCache,
    air_neutralised_share,
    assess_package,
    assess_packages,
    land_troops,
    observed_gain_km2_per_month,
)
from garant.packages.loader import load_package_defaults, preset_order
from garant.packages.results import Comparison

RUNS, AIR_RUNS, SEED = 300, 20, 3


@pytest.fixture(scope="module")
def comparison() -> Comparison:
    return assess_packages(preset_order(), n_runs=RUNS, air_runs=AIR_RUNS, rng=SEED)


def test_table_one_row_per_package(comparison: Comparison) -> None:
    t = comparison.table()
    assert list(t["package"]) == preset_order()
    expected_cols = {
        "p_deterred", "net_utility_p5", "net_utility_p50", "net_utility_p95", "p_success",
        "p_coalition_engaged", "cost_usd_per_year", "personnel_deployed",
        "personnel_with_rotation", "half_measure", "verdict",
    }  # fmt: skip
    assert expected_cols <= set(t.columns)
    assert t["p_deterred"].between(0, 1).all()
    assert (t["net_utility_p5"] <= t["net_utility_p50"]).all()
    assert (t["net_utility_p50"] <= t["net_utility_p95"]).all()
    for a in comparison.assessments:
        assert a.p_deterred == pytest.approx(float(a.calculus.outputs["deterred"].mean()))
        assert a.half_measure == (a.verdict == "half-measure")
        expected = (
            "deterrent"
            if a.p_deterred >= a.half_measure_threshold
            else ("half-measure" if a.cost_usd_per_year > 0 else "no guarantee")
        )
        assert a.verdict == expected
    frames = comparison.to_frames()
    assert set(frames) == {
        "comparison", "calculus", "tornado", "costs", "exposure", "inputs", "parameters"
    }  # fmt: skip
    assert set(frames["tornado"]["package"]) == set(comparison.names)
    assert len(frames["inputs"]) == len(comparison.names)
    assert not frames["parameters"].empty
    assert comparison["coalition-2025"].name == "coalition-2025"
    with pytest.raises(KeyError):
        comparison["nope"]


def test_no_guarantees_is_ukraine_alone(comparison: Comparison) -> None:
    a = comparison["no-guarantees"]
    assert (a.land, a.air, a.sea) == (None, None, None)
    assert a.cost_usd_per_year == 0
    assert a.personnel_deployed == 0
    assert a.costs.empty
    assert a.exposure.empty
    i = a.inputs
    assert i.coalition_troops_deployed == 0
    assert not i.tripwire
    assert not i.sea_mission
    assert not i.air_engages_russian_weapons
    assert i.commitment == "none"
    # The air shield is Ukraine's own defence, computed like any air assessment.
    assert a.baseline_air is not None
    assert a.baseline_air.name == "ukraine-today"
    rates = a.baseline_air.rates()
    rates = rates[rates["class"] != "decoy_uav"]
    w = rates["launched_per_night"].to_numpy()
    expected = float((rates["rate_mean"].to_numpy() * w).sum() / w.sum())
    assert i.air_neutralised_share == pytest.approx(expected)
    assert i.ukraine_troops_on_line == load_package_defaults().troops_on_line.value


def test_coalition_inputs_and_bill(comparison: Comparison) -> None:
    a = comparison["coalition-2025"]
    assert a.land is not None
    assert a.air is not None
    assert a.sea is not None
    h = a.land.headline()
    deployed, rotated = land_troops(a.land)
    assert deployed == pytest.approx(h["pledged_troops"])  # the force offered, not the need
    assert 25_000 <= deployed <= 30_000
    assert rotated == pytest.approx(deployed * h["total_troops"] / h["deployed_troops"])
    i = a.inputs
    assert i.coalition_troops_deployed == deployed
    assert i.coalition_troops_forward == 0  # reassurance: held back
    assert i.tripwire is False
    assert i.share_of_line_reached_6h == pytest.approx(h["share_of_line_reached_6h"])
    assert i.air_engages_russian_weapons  # Sky Shield fires
    assert i.sea_mission
    assert i.sea_exposure_h == pytest.approx(float(a.sea.assessment.exposure["exposure_h"].max()))
    assert i.line_km == pytest.approx(a.front.length_km)
    # The bill, recomputed from the defaults.
    d = load_package_defaults().costs
    assert d.land_usd_per_troop_year
    assert d.air_nights_per_year
    assert d.sea_usd_per_ship_year
    expected = (
        deployed * d.land_usd_per_troop_year.value
        + a.air.operating_usd_per_night * d.air_nights_per_year.value
        + len(a.sea.mission.ships) * d.sea_usd_per_ship_year.value
    )
    assert a.cost_usd_per_year == pytest.approx(expected)
    assert set(a.costs["component"]) == {"land", "air", "sea"}
    assert a.costs["provenance"].str.len().gt(20).all()
    assert a.personnel_with_rotation > a.personnel_deployed > deployed
    assert set(a.exposure["component"]) == {"land", "air", "sea"}
    assert (a.exposure.loc[a.exposure["component"] == "air", "distance_km"] >= 200).all()


def test_packages_differ_as_built(comparison: Comparison) -> None:
    nato, coalition = comparison["nato-membership"], comparison["coalition-2025"]
    assert nato.inputs.commitment == "nato_article5"
    assert nato.inputs.tripwire
    robust = comparison["robust-100k"]
    assert robust.inputs.coalition_troops_forward == robust.inputs.coalition_troops_deployed
    assert robust.inputs.coalition_troops_deployed == pytest.approx(100_000)
    sky = comparison["sky-shield-only"]
    assert sky.land is None
    assert sky.inputs.air_engages_russian_weapons
    # Same components: the very same cached objects.
    assert nato.air is coalition.air
    assert nato.sea is coalition.sea
    # Common random numbers: every package's calculus sees the same parameter draws.
    for name in coalition.calculus.draws:
        np.testing.assert_array_equal(coalition.calculus.draws[name], sky.calculus.draws[name])


def test_cache_computes_each_component_once() -> None:
    cache = ComponentCache()
    names = ["coalition-2025", "nato-membership"]
    assess_packages(names, n_runs=50, air_runs=5, rng=1, cache=cache)
    # front, land, air, sea, gain computed once; the second package hits them all
    assert cache.misses == 5
    assert cache.hits == 5
    off = ComponentCache(enabled=False)
    assess_packages(names, n_runs=50, air_runs=5, rng=1, cache=off)
    assert off.hits == 0
    assert off.misses == 10


def test_same_seed_same_result() -> None:
    a = assess_package("sky-shield-only", n_runs=200, air_runs=10, rng=7)
    b = assess_package("sky-shield-only", n_runs=200, air_runs=10, rng=7)
    c = assess_package("sky-shield-only", n_runs=200, air_runs=10, rng=8)
    pd.testing.assert_frame_equal(a.summary(), b.summary())
    pd.testing.assert_frame_equal(a.tornado, b.tornado)
    assert not a.summary().equals(c.summary())


def test_observed_gain_from_the_demo_history() -> None:
    from garant.frontline.measures import area_km2
    from garant.sources.archive import read_archive
    from garant.sources.demo import demo_root

    snaps = sorted(
        (s.date, area_km2(s.occupied))
        for s in read_archive(demo_root() / "archive-monthly.geojson.gz", source="demo")
    )
    (d1, a1) = snaps[-1]
    (d0, a0) = next(s for s in reversed(snaps) if (d1 - s[0]).days >= 365)
    expected = max(0.0, (a1 - a0) / ((d1 - d0).days / (365.25 / 12)))
    assert observed_gain_km2_per_month() == pytest.approx(expected)
    assert observed_gain_km2_per_month(until=snaps[0][0]) == 0  # one snapshot: no change
    assert observed_gain_km2_per_month(months=1) >= 0
    with pytest.raises(ConfigError, match="months 0"):
        observed_gain_km2_per_month(months=0)


@pytest.mark.slow
def test_observed_gain_from_a_store(demo_store: Path) -> None:
    from garant.frontline.queries import monthly
    from garant.store import open_store

    with open_store(demo_store, read_only=True) as st:
        m = monthly(st)
        net = pd.to_numeric(m["net_km2"], errors="coerce").dropna().tail(12)
        assert observed_gain_km2_per_month(st) == pytest.approx(max(0.0, float(net.mean())))
        until = dt.date(2025, 6, 30)
        net = pd.to_numeric(m.loc[m["month"] <= "2025-06", "net_km2"], errors="coerce")
        assert observed_gain_km2_per_month(st, until=until) == pytest.approx(
            max(0.0, float(net.dropna().tail(12).mean()))
        )
        a = assess_package("sky-shield-only", store=st, n_runs=50, air_runs=5)
        assert a.front is not None
        assert "store" in a.front.source


def test_bad_input(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        assess_package("nope")
    with pytest.raises(ConfigError, match="at least 1"):
        assess_package("no-guarantees", n_runs=0)
    with pytest.raises(ConfigError, match="rng"):
        assess_package("no-guarantees", rng=-1)
    with pytest.raises(ConfigError, match="no guarantee packages"):
        assess_packages([])
    with pytest.raises(ConfigError, match="given twice"):
        assess_packages(["no-guarantees", "no-guarantees"])
    late = tmp_path / "late.toml"
    late.write_text('name = "late"\n\n[ceasefire]\ndate = 2099-01-01\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"late.toml:4: ceasefire.date: 2099-01-01 is after"):
        assess_package(late, n_runs=10, air_runs=2)
    early = tmp_path / "early.toml"
    early.write_text('name = "early"\n\n[ceasefire]\ndate = 2020-01-01\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"early.toml:4: ceasefire.date: .*2020-01-01"):
        assess_package(early, n_runs=10, air_runs=2)
    frozen = tmp_path / "frozen.toml"
    frozen.write_text('name = "frozen"\n\n[ceasefire]\nline = "x"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"frozen.toml:4: ceasefire.line: .*needs a store"):
        assess_package(frozen, n_runs=10, air_runs=2)


def test_air_share_is_a_weighted_mean(comparison: Comparison) -> None:
    air = comparison["sky-shield-only"].air
    assert air is not None
    share = air_neutralised_share(air)
    rates = air.rates()
    kept = rates[rates["class"] != "decoy_uav"]
    assert kept["rate_mean"].min() - 1e-12 <= share <= kept["rate_mean"].max() + 1e-12
    assert not math.isnan(share)
