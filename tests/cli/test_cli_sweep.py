"""``garant sweep`` (registered here on a small app, as cli/main.py does)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from garant.cli import sweep as sweep_cli

app = typer.Typer()


@app.callback()
def _root() -> None:
    """Test app."""


app.command(name="sweep")(sweep_cli.sweep)
runner = CliRunner()

BASE = ["sweep", "no-guarantees", "--air-runs", "2", "--runs", "400", "--seed", "3"]


@pytest.mark.slow
def test_sweep_json_csv_chart_and_dask(tmp_path: Path) -> None:
    chart = tmp_path / "sweep.png"
    args = [*BASE, "--param", "critical_force_ratio=2:4:5"]
    res = runner.invoke(app, [*args, "-f", "json", "--out", str(chart)])
    assert res.exit_code == 0, res.stderr
    rows = json.loads(res.stdout)
    assert [r["critical_force_ratio"] for r in rows] == [2.0, 2.5, 3.0, 3.5, 4.0]
    p = np.array([r["p_deterred"] for r in rows])
    assert ((p >= 0) & (p <= 1)).all()
    # a higher critical force ratio only makes the attack harder, draw by draw
    assert (np.diff(p) >= 0).all()
    assert (np.diff([r["p_success"] for r in rows]) < 0).all()
    assert chart.read_bytes()[:4] == b"\x89PNG"
    assert f"wrote {chart}" in res.stderr.replace("\n", "")
    csv = runner.invoke(app, [*args, "-f", "csv", "--executor", "dask", "--workers", "1"])
    assert csv.exit_code == 0, csv.stderr
    df = pd.read_csv(io.StringIO(csv.stdout))
    assert df["p_deterred"].tolist() == p.tolist()  # the same numbers on a Dask cluster
    assert df["net_utility_p50"].tolist() == [r["net_utility_p50"] for r in rows]


@pytest.mark.parametrize(
    ("extra", "code", "needle"),
    [
        (["--param", "critical_force_ratio=2:4"], 2, "expected NAME=LOW:HIGH:N"),
        (["--param", "nerve=1:2:3"], 3, "nerve: unknown calculus parameter"),
        (["--param", "p_engaged_air=0:2:3"], 2, "p_engaged_air: value 2"),
        (["--param", "escalation_cost=1:2:3", "--out", "x.pdf"], 2, "--out x.pdf"),
        (
            [
                *("--param", "escalation_cost=1:2:2", "--param", "sanctions_cost=0:1:2"),
                *("--param", "casualty_aversion=1:2:2", "--out", "x.png"),
            ],
            2,
            "a PNG chart of 1 or 2",
        ),
        (["--param", "escalation_cost=1:2:3", "-f", "xml"], 2, "--format"),
        (["--param", "escalation_cost=1:2:3", "--runs", "0"], 2, "--runs 0"),
        (["--param", "escalation_cost=1:2:3", "--executor", "gpu"], 2, "--executor: 'gpu'"),
        (
            [
                *("--param", "escalation_cost=1:2:3", "--executor", "threads"),
                *("--scheduler", "tcp://127.0.0.1:1"),
            ],
            2,
            "needs --executor dask",
        ),
        (["--param", "escalation_cost=1:2:3", "--workers", "0"], 2, "--workers: 0"),
        (["--param", "escalation_cost=1:400:400", "--param", "sanctions_cost=0:1:400"], 2, "grid"),
    ],
)
def test_sweep_bad_options_are_one_line(extra: list[str], code: int, needle: str) -> None:
    res = runner.invoke(app, [*BASE, *extra])
    assert res.exit_code == code, res.stderr
    assert needle in res.stderr
    assert res.stderr.count("garant: error:") == 1


def test_sweep_unknown_package() -> None:
    res = runner.invoke(app, ["sweep", "atlantis", "--param", "escalation_cost=1:2:2"])
    assert res.exit_code == 3, res.stderr
    assert "atlantis" in res.stderr
