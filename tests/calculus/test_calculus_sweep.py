from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from garant.calculus.inputs import CalculusInputs
from garant.calculus.montecarlo import run_calculus
from garant.calculus.params import default_parameters, load_parameters
from garant.calculus.sweep import (
    MAX_GRID_POINTS,
    SWEEP_METRICS,
    ParamRange,
    fix_parameters,
    parse_param_range,
    sweep,
    sweep_chart,
    write_sweep_chart,
)
from garant.errors import ConfigError, DataError, NotFoundError

INPUTS = CalculusInputs(
    package="sweep",
    line_km=1100.0,
    ukraine_troops_on_line=250_000.0,
    coalition_troops_deployed=30_000.0,
    coalition_troops_forward=10_000.0,
    air_neutralised_share=0.9,
    air_engages_russian_weapons=True,
    commitment="coalition",
    occupied_gain_km2_per_month_observed=400.0,
)


def test_parse_param_range() -> None:
    r = parse_param_range(" escalation_cost = 1:5:5")
    assert r == ParamRange("escalation_cost", 1.0, 5.0, 5)
    assert r.values().tolist() == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert parse_param_range("a=2:2:1").values().tolist() == [2.0]
    assert parse_param_range("a=-1e-1:3.5:2").values().tolist() == [-0.1, 3.5]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("escalation_cost", "expected NAME=LOW:HIGH:N"),
        ("escalation_cost=1:5", "expected NAME=LOW:HIGH:N"),
        ("=1:5:3", "expected NAME=LOW:HIGH:N"),
        ("escalation_cost=a:5:3", "LOW and HIGH must be numbers"),
        ("escalation_cost=1:5:2.5", "N must be a whole number"),
        ("escalation_cost=1:5:0", "N 0 must be at least 1"),
        ("escalation_cost=1:5:1", "N is 1 but LOW 1 != HIGH 5"),
        ("escalation_cost=nan:5:3", "must be finite"),
    ],
)
def test_parse_param_range_errors(text: str, problem: str) -> None:
    with pytest.raises(ConfigError, match=problem) as err:
        parse_param_range(text)
    assert "\n" not in str(err.value)


def test_fix_parameters_and_its_errors() -> None:
    p = default_parameters()
    fixed = fix_parameters(p, {"escalation_cost": 7.5, "p_engaged_tripwire": 0.25})
    q = fixed["escalation_cost"]
    assert (q.value, q.low, q.high, q.distribution) == (7.5, 7.5, 7.5, "triangular")
    assert fixed["p_engaged_tripwire"].value == 0.25
    assert p["escalation_cost"].low != 7.5  # the original is untouched
    assert fixed["escalation_cost"].provenance == p["escalation_cost"].provenance
    with pytest.raises(NotFoundError, match="--param nerve: unknown calculus parameter"):
        fix_parameters(p, {"nerve": 1.0})
    with pytest.raises(ConfigError, match="half_measure_threshold: a decision rule"):
        fix_parameters(p, {"half_measure_threshold": 0.4})
    with pytest.raises(DataError, match=r"--param p_engaged_tripwire: value 1\.5 probability"):
        fix_parameters(p, {"p_engaged_tripwire": 1.5})
    with pytest.raises(DataError, match="--param escalation_cost: value -1"):
        fix_parameters(p, {"escalation_cost": -1.0})


def test_each_point_equals_a_plain_run_with_the_parameter_fixed(tmp_path: Path) -> None:
    p = default_parameters()
    ranges = [ParamRange("escalation_cost", 0.5, 4.5, 3), ParamRange("sanctions_cost", 0, 0.2, 2)]
    res = sweep(INPUTS, p, ranges, n_runs=600, rng=5)
    df = res.frame
    assert list(df.columns) == ["escalation_cost", "sanctions_cost", *SWEEP_METRICS]
    assert len(df) == 6
    assert df["escalation_cost"].tolist() == [0.5, 0.5, 2.5, 2.5, 4.5, 4.5]  # last fastest
    assert df["sanctions_cost"].tolist() == [0.0, 0.2] * 3
    assert res.names == ("escalation_cost", "sanctions_cost")
    assert (res.n_runs, res.seed, res.package) == (600, 5, "sweep")
    # independently: the same parameters fixed through an override file
    row = df.iloc[3]
    path = tmp_path / "fixed.toml"
    path.write_text(
        "[parameters.escalation_cost]\nvalue = 2.5\nlow = 2.5\nhigh = 2.5\n"
        'distribution = "triangular"\n'
        "[parameters.sanctions_cost]\nvalue = 0.2\nlow = 0.2\nhigh = 0.2\n"
    )
    plain = run_calculus(INPUTS, load_parameters(path), n_runs=600, rng=5)
    net = plain.outputs["net_utility"]
    assert row["p_deterred"] == plain.p_deterred
    assert row["net_utility_mean"] == pytest.approx(net.mean())
    assert row["net_utility_p5"] == pytest.approx(np.percentile(net, 5))
    assert row["net_utility_p50"] == pytest.approx(np.median(net))
    assert row["net_utility_p95"] == pytest.approx(np.percentile(net, 95))
    assert row["p_success"] == pytest.approx(plain.outputs["p_success"].mean())


def test_common_random_numbers_make_the_sweep_monotone() -> None:
    # a higher escalation cost only lowers the attacker's net utility, draw by draw
    res = sweep(
        INPUTS, default_parameters(), [ParamRange("escalation_cost", 0.2, 6, 7)], n_runs=800
    )
    df = res.frame
    assert (np.diff(df["p_deterred"]) >= 0).all()
    assert (np.diff(df["net_utility_mean"]) < 0).all()
    assert df["p_success"].nunique() == 1  # denial does not depend on escalation
    assert (df["net_utility_p5"] <= df["net_utility_p50"]).all()
    assert (df["net_utility_p50"] <= df["net_utility_p95"]).all()


def test_same_seed_same_numbers_whatever_the_executor() -> None:
    p = default_parameters()
    ranges = [ParamRange("critical_force_ratio", 2, 4, 3), ParamRange("escalation_cost", 1, 3, 2)]
    ref = sweep(INPUTS, p, ranges, n_runs=300, rng=np.random.default_rng(8))
    seen: list[int] = []
    for kw in ({"executor": "threads", "max_workers": 2}, {"executor": "processes"}):
        got = sweep(
            INPUTS,
            p,
            ranges,
            n_runs=300,
            rng=np.random.default_rng(8),
            progress=lambda d, t: seen.append(d),
            **kw,
        )
        assert got.frame.equals(ref.frame)
        assert got.seed == ref.seed
    assert seen[-1] == 6
    other = sweep(INPUTS, p, ranges, n_runs=300, rng=9)
    assert not other.frame.equals(ref.frame)


def test_sweep_errors() -> None:
    p = default_parameters()
    r = ParamRange("escalation_cost", 1, 2, 2)
    with pytest.raises(ConfigError, match="at least one --param"):
        sweep(INPUTS, p, [])
    with pytest.raises(ConfigError, match="--param escalation_cost: given twice"):
        sweep(INPUTS, p, [r, r])
    with pytest.raises(ConfigError, match="--runs 0"):
        sweep(INPUTS, p, [r], n_runs=0)
    big = [ParamRange("escalation_cost", 1, 2, 400), ParamRange("sanctions_cost", 0, 1, 400)]
    assert MAX_GRID_POINTS < 400 * 400
    with pytest.raises(ConfigError, match="160,000 grid points"):
        sweep(INPUTS, p, big)
    with pytest.raises(DataError, match=r"p_engaged_air: value 1\.2"):
        sweep(INPUTS, p, [ParamRange("p_engaged_air", 0.2, 1.2, 3)])
    with pytest.raises(ConfigError, match="rng seed -1"):
        sweep(INPUTS, p, [r], rng=-1)
    with pytest.raises(ConfigError, match="executor 'gpu'"):
        sweep(INPUTS, p, [r], executor="gpu")


def test_charts(tmp_path: Path) -> None:
    p = default_parameters()
    one = sweep(INPUTS, p, [ParamRange("escalation_cost", 0.5, 4, 4)], n_runs=200)
    two = sweep(
        INPUTS,
        p,
        [ParamRange("escalation_cost", 0.5, 4, 3), ParamRange("critical_force_ratio", 2, 4, 4)],
        n_runs=200,
    )
    fig = sweep_chart(one, p)
    assert fig.axes[0].get_xlabel() == "escalation_cost (utility)"
    assert len(fig.axes) == 2  # P(deterred) and the net utility's axis
    fig2 = sweep_chart(two, p)
    mesh = fig2.axes[0].collections[0]
    grid = np.asarray(mesh.get_array())
    assert grid.shape == (3, 4)  # rows: the first parameter, columns: the second
    assert grid[1, 2] == two.frame["p_deterred"].iloc[1 * 4 + 2]
    path = write_sweep_chart(two, tmp_path / "sub" / "sweep.png", p)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    three = sweep(
        INPUTS,
        p,
        [
            ParamRange(n, 1, 1, 1)
            for n in ("escalation_cost", "sanctions_cost", "casualty_aversion")
        ],
        n_runs=50,
    )
    with pytest.raises(ConfigError, match="3 parameters swept"):
        sweep_chart(three)
    with pytest.raises(ConfigError, match=r"--out .*sweep\.pdf: the chart is a PNG"):
        write_sweep_chart(one, tmp_path / "sweep.pdf")
    assert sorted(f.name for f in tmp_path.iterdir()) == ["sub"]
