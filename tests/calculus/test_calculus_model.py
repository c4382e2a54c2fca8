from __future__ import annotations

import dataclasses
import itertools
from typing import Any

import numpy as np
import pytest

from garant.calculus.inputs import CalculusInputs
from garant.calculus.model import OUTPUTS, PARAMETERS, classify, evaluate
from garant.calculus.montecarlo import sample
from garant.calculus.params import default_parameters
from garant.errors import ConfigError, DataError

BASE = CalculusInputs(
    package="test",
    line_km=1100.0,
    ukraine_troops_on_line=250_000.0,
    air_neutralised_share=0.87,
    occupied_gain_km2_per_month_observed=400.0,
)


def _draws(n: int = 500, seed: int = 1) -> dict[str, np.ndarray]:
    return sample(default_parameters(), n, seed)


def _with(**kw: Any) -> CalculusInputs:
    return dataclasses.replace(BASE, **kw)


def test_outputs_shape_and_identity() -> None:
    d = _draws()
    out = evaluate(BASE, d)
    assert tuple(out) == OUTPUTS
    assert all(v.shape == (500,) for v in out.values())
    net = (
        out["expected_gain"]
        - out["expected_losses_cost"]
        - out["expected_escalation_cost"]
        - out["sanctions_cost"]
    )
    np.testing.assert_allclose(out["net_utility"], net)
    np.testing.assert_array_equal(out["deterred"], (out["net_utility"] < 0).astype(float))
    assert ((out["p_success"] >= 0) & (out["p_success"] <= 1)).all()
    assert ((out["expected_gain"] >= out["p_success"]) & (out["expected_gain"] <= 1)).all()


def test_scalars_broadcast() -> None:
    out = evaluate(BASE, default_parameters().values())
    assert out["net_utility"].shape == ()


def test_critical_ratio_gives_even_odds() -> None:
    # choose attacker troops so that the local ratio is exactly the critical ratio
    v = default_parameters().values()
    defenders = BASE.ukraine_troops_on_line  # no coalition, air at the baseline, no US
    v["air_neutralised_share_baseline"] = BASE.air_neutralised_share
    v["attacker_troops"] = v["critical_force_ratio"] * defenders / v["attacker_concentration"]
    out = evaluate(BASE, v)
    assert out["local_force_ratio"] == pytest.approx(v["critical_force_ratio"])
    assert out["p_success"] == pytest.approx(0.5)
    # twice the ratio: 1 / (1 + 2**-k)
    v["attacker_troops"] *= 2
    k = v["success_steepness"]
    assert evaluate(BASE, v)["p_success"] == pytest.approx(1 / (1 + 2.0**-k))


@pytest.mark.parametrize(
    "more",
    [
        {"ukraine_troops_on_line": 300_000.0},
        {"coalition_troops_deployed": 50_000.0, "coalition_troops_forward": 50_000.0},
        {"coalition_troops_deployed": 50_000.0, "share_of_line_reached_6h": 0.8},
        {"air_neutralised_share": 0.95},
        {"us_backstop_intel": True},
        {"us_backstop_logistics": True},
    ],
)
def test_more_defence_lowers_p_success(more: dict[str, Any]) -> None:
    d = _draws()
    before = evaluate(BASE, d)
    after = evaluate(_with(**more), d)
    assert (after["p_success"] <= before["p_success"]).all()
    assert (after["p_success"] < before["p_success"]).any()
    assert (after["expected_gain"] <= before["expected_gain"] + 1e-12).all()


def test_p_success_decreases_along_a_troop_sweep() -> None:
    d = _draws(200)
    ps = [
        evaluate(_with(ukraine_troops_on_line=u), d)["p_success"]
        for u in np.linspace(100_000, 600_000, 6)
    ]
    assert all((a > b).all() for a, b in itertools.pairwise(ps))


def test_stronger_defence_costs_the_attacker_more() -> None:
    d = _draws()
    before = evaluate(BASE, d)
    after = evaluate(
        _with(coalition_troops_deployed=40_000.0, coalition_troops_forward=40_000.0), d
    )
    assert (after["expected_casualties"] > before["expected_casualties"]).all()
    assert (after["expected_losses_cost"] > before["expected_losses_cost"]).all()


def test_commitment_orders_escalation_cost_in_every_draw() -> None:
    d = _draws(2000)
    contact = {"tripwire": True, "coalition_troops_deployed": 5000.0}
    cost = {
        c: evaluate(_with(commitment=c, **contact), d)["expected_escalation_cost"]
        for c in ("none", "coalition", "nato_article5")
    }
    assert (cost["nato_article5"] >= cost["coalition"]).all()
    assert (cost["coalition"] >= cost["none"]).all()
    assert cost["nato_article5"].mean() > cost["coalition"].mean() > cost["none"].mean()
    # without contact, only Article 5 engages
    quiet = {
        c: evaluate(_with(commitment=c), d)["p_coalition_engaged"]
        for c in ("none", "coalition", "nato_article5")
    }
    assert (quiet["none"] == 0).all()
    assert (quiet["coalition"] == 0).all()
    assert (quiet["nato_article5"] == 1).all()


def test_contact_channels_raise_engagement() -> None:
    d = _draws()
    p0 = evaluate(_with(commitment="coalition"), d)["p_coalition_engaged"]
    tw = evaluate(_with(commitment="coalition", tripwire=True), d)["p_coalition_engaged"]
    np.testing.assert_allclose(tw, d["p_engaged_tripwire"])
    air = evaluate(_with(commitment="coalition", air_engages_russian_weapons=True), d)
    np.testing.assert_allclose(air["p_coalition_engaged"], d["p_engaged_air"])
    sea = [
        evaluate(_with(sea_mission=True, sea_exposure_h=h), d)["p_coalition_engaged"]
        for h in (0.0, 5.0, 50.0)
    ]
    np.testing.assert_array_equal(sea[0], p0)
    assert (sea[1] < sea[2]).all()
    np.testing.assert_allclose(sea[1], 1 - np.exp(-5.0 * d["sea_engagement_rate_per_h"]))
    both = evaluate(_with(tripwire=True, air_engages_russian_weapons=True), d)
    expected = 1 - (1 - d["p_engaged_tripwire"]) * (1 - d["p_engaged_air"])
    np.testing.assert_allclose(both["p_coalition_engaged"], expected)


def test_us_backstop_raises_response() -> None:
    d = _draws()
    none = evaluate(_with(commitment="coalition"), d)["p_coalition_responds"]
    full = evaluate(
        _with(
            commitment="coalition",
            us_backstop_intel=True,
            us_backstop_air_defence=True,
            us_backstop_logistics=True,
        ),
        d,
    )["p_coalition_responds"]
    np.testing.assert_allclose(full, none + (1 - none) * d["us_backstop_credibility_uplift"])


def test_inputs_baseline_overrides_parameter() -> None:
    d = _draws()
    own = evaluate(_with(air_neutralised_share_baseline=0.87), d)["defender_multiplier"]
    np.testing.assert_allclose(own, 1.0)
    param = evaluate(BASE, d)["defender_multiplier"]
    assert not np.allclose(param, 1.0)


def test_missing_parameter_and_bad_shapes() -> None:
    v = dict(default_parameters().values())
    del v["escalation_cost"]
    with pytest.raises(ConfigError, match="escalation_cost"):
        evaluate(BASE, v)
    d = _draws(5)
    d["sanctions_cost"] = np.zeros(3)
    with pytest.raises(DataError, match="broadcast"):
        evaluate(BASE, d)
    assert "half_measure_threshold" not in PARAMETERS


@pytest.mark.parametrize(
    ("p", "cost", "people", "expected"),
    [
        (0.6, 1e9, 1000.0, "deterrent"),
        (0.5, 0.0, 0.0, "deterrent"),
        (0.49, 1e9, 0.0, "half-measure"),
        (0.1, 0.0, 5.0, "half-measure"),
        (0.1, 0.0, 0.0, "no guarantee"),
    ],
)
def test_classify(p: float, cost: float, people: float, expected: str) -> None:
    assert classify(p, cost_usd_per_year=cost, personnel_deployed=people) == expected


def test_classify_threshold_and_bad_values() -> None:
    assert classify(0.6, cost_usd_per_year=1.0, personnel_deployed=0, threshold=0.7) == (
        "half-measure"
    )
    with pytest.raises(DataError, match="p_deterred"):
        classify(1.2, cost_usd_per_year=0, personnel_deployed=0)
    with pytest.raises(DataError, match="cost_usd_per_year"):
        classify(0.2, cost_usd_per_year=-1, personnel_deployed=0)
    with pytest.raises(DataError, match="threshold"):
        classify(0.2, cost_usd_per_year=0, personnel_deployed=0, threshold=2)
