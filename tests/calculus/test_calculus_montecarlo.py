from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from garant.calculus.inputs import CalculusInputs
from garant.calculus.model import OUTPUTS
from garant.calculus.montecarlo import run_calculus, sample
from garant.calculus.params import default_parameters, load_parameters
from garant.errors import ConfigError

INPUTS = CalculusInputs(
    package="mc",
    line_km=1100.0,
    ukraine_troops_on_line=250_000.0,
    air_neutralised_share=0.9,
    air_engages_russian_weapons=True,
    commitment="coalition",
    occupied_gain_km2_per_month_observed=400.0,
)


def test_sample_ranges_and_moments() -> None:
    p = default_parameters()
    d = sample(p, 20_000, 5)
    for name in p:
        q = p[name]
        assert d[name].shape == (20_000,)
        assert (d[name] >= q.low).all(), name
        assert (d[name] <= q.high).all(), name
        if not q.sampled:
            assert (d[name] == q.value).all()
        elif q.distribution == "triangular":
            mean = (q.low + q.value + q.high) / 3
            assert d[name].mean() == pytest.approx(mean, rel=0.02, abs=1e-3), name
        else:
            logs = np.log(d[name])
            assert logs.mean() == pytest.approx((np.log(q.low) + np.log(q.high)) / 2, abs=0.05)
    assert any(q.distribution == "loguniform" for q in p.quantities.values())


def test_sample_degenerate_range_and_bad_n(tmp_path: Path) -> None:
    path = tmp_path / "o.toml"
    path.write_text("[parameters.sanctions_cost]\nlow = 0.2\nvalue = 0.2\nhigh = 0.2\n")
    d = sample(load_parameters(path), 10, 0)
    assert (d["sanctions_cost"] == 0.2).all()
    with pytest.raises(ConfigError):
        sample(default_parameters(), -1, 0)


def test_same_seed_same_result_whatever_executor() -> None:
    p = default_parameters()
    ref = run_calculus(INPUTS, p, 700, 3)
    for kw in (
        {"executor": "threads", "chunk_size": 1, "max_workers": 2},
        {"executor": "processes", "chunk_size": 300, "max_workers": 2},
    ):
        got = run_calculus(INPUTS, p, 700, 3, **kw)  # type: ignore[arg-type]
        for k in OUTPUTS:
            np.testing.assert_array_equal(got.outputs[k], ref.outputs[k])
    other = run_calculus(INPUTS, p, 700, 4)
    assert not np.array_equal(other.outputs["net_utility"], ref.outputs["net_utility"])


def test_result_tables() -> None:
    p = default_parameters()
    r = run_calculus(INPUTS, p, 1000, 0)
    assert r.n_runs == 1000
    assert r.package == "mc"
    s = r.summary().set_index("metric")
    assert list(s.index) == list(OUTPUTS)
    assert s.loc["deterred", "mean"] == pytest.approx(r.p_deterred)
    assert r.p_deterred == pytest.approx(float((r.outputs["net_utility"] < 0).mean()))
    net = s.loc["net_utility"]
    assert net["p5"] <= net["p50"] <= net["p95"]
    assert net["mean"] == pytest.approx(r.outputs["net_utility"].mean())
    f = r.frame()
    assert len(f) == 1000
    assert {"run", *p, *OUTPUTS} <= set(f.columns)
    # draws are the sampled parameters of each run: recompute one run
    from garant.calculus.model import evaluate

    row = f.iloc[17]
    again = evaluate(INPUTS, {n: row[n] for n in p})
    assert float(again["net_utility"]) == pytest.approx(row["net_utility"])
    h = r.headline()
    assert h["p_deterred"] == r.p_deterred
    assert h["net_utility_p5"] == pytest.approx(net["p5"])
    assert r.classify(cost_usd_per_year=1e9, personnel_deployed=0) in (
        "deterrent",
        "half-measure",
    )


def test_nato_deters_more_than_nothing() -> None:
    p = default_parameters()
    nothing = run_calculus(
        CalculusInputs("none", 1100.0, 250_000.0, air_neutralised_share=0.87), p, 2000, 0
    )
    nato = run_calculus(
        CalculusInputs(
            "nato", 1100.0, 250_000.0, air_neutralised_share=0.87, commitment="nato_article5"
        ),
        p,
        2000,
        0,
    )
    assert nato.p_deterred > nothing.p_deterred


def test_bad_runs_and_seed() -> None:
    with pytest.raises(ConfigError, match="n_runs"):
        run_calculus(INPUTS, default_parameters(), 0, 0)
    with pytest.raises(ConfigError, match="rng"):
        run_calculus(INPUTS, default_parameters(), 10, 1.5)  # type: ignore[arg-type]
