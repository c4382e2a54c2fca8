from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from garant.calculus.inputs import CalculusInputs
from garant.calculus.model import evaluate
from garant.calculus.params import default_parameters, load_parameters
from garant.calculus.sensitivity import TORNADO_COLUMNS, tornado
from garant.errors import ConfigError

INPUTS = CalculusInputs(
    package="t",
    line_km=1100.0,
    ukraine_troops_on_line=250_000.0,
    air_neutralised_share=0.9,
    air_engages_russian_weapons=True,
    commitment="coalition",
    occupied_gain_km2_per_month_observed=400.0,
)


def test_tornado_table_is_sorted_and_consistent() -> None:
    p = default_parameters()
    t = tornado(INPUTS, p)
    assert list(t.columns) == TORNADO_COLUMNS
    assert set(t["parameter"]) == set(p.sampled_names)
    assert (np.diff(t["swing"].to_numpy()) <= 0).all()
    np.testing.assert_allclose(t["swing"], (t["metric_at_high"] - t["metric_at_low"]).abs())
    assert t.attrs["metric"] == "net_utility"
    assert t.attrs["base"] == pytest.approx(float(evaluate(INPUTS, p.values())["net_utility"]))
    # recompute one row independently
    row = t.iloc[0]
    v = p.values()
    v[row["parameter"]] = row["low_value"]
    assert float(evaluate(INPUTS, v)["net_utility"]) == pytest.approx(row["metric_at_low"])
    # no sea mission, no Article 5: the sea rate and the Article 5 terms change nothing
    idle = dict(zip(t["parameter"], t["swing"], strict=True))
    for name in (
        "sea_engagement_rate_per_h",
        "credibility_article5_uplift",
        "article5_cost_factor",
    ):
        assert idle[name] == 0.0
    assert (t["swing"].iloc[:3] > 0).all()


def test_widening_a_range_moves_it_up(tmp_path: Path) -> None:
    t0 = tornado(INPUTS, default_parameters())
    before = dict(zip(t0["parameter"], t0["swing"], strict=True))
    name = "sanctions_cost"
    path = tmp_path / "wide.toml"
    path.write_text(f"[parameters.{name}]\nlow = 0.0\nhigh = 50.0\n")
    wide = tornado(INPUTS, load_parameters(path))
    assert wide["parameter"].iloc[0] == name
    after = dict(zip(wide["parameter"], wide["swing"], strict=True))
    assert after[name] > before[name]


def test_p_deterred_tornado_uses_common_draws() -> None:
    p = default_parameters()
    a = tornado(INPUTS, p, metric="p_deterred", n_runs=400, rng=9)
    b = tornado(INPUTS, p, metric="p_deterred", n_runs=400, rng=9, executor="threads")
    assert a.equals(b)
    assert ((a["metric_at_low"] >= 0) & (a["metric_at_high"] <= 1)).all()
    # more escalation cost can only deter more
    esc = a[a["parameter"] == "escalation_cost"].iloc[0]
    assert esc["metric_at_high"] >= esc["metric_at_low"]
    assert 0 <= a.attrs["base"] <= 1


def test_bad_metric_and_runs() -> None:
    with pytest.raises(ConfigError, match="tornado metric 'utility'"):
        tornado(INPUTS, default_parameters(), metric="utility")
    with pytest.raises(ConfigError, match="n_runs"):
        tornado(INPUTS, default_parameters(), metric="p_deterred", n_runs=0)
