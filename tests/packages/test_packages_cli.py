"""``garant assess`` and ``garant compare`` (registered here as in garant.cli.main)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from garant.cli import assess as assess_cli
from garant.errors import ConfigError, NotFoundError
from garant.packages.assess import assess_packages

runner = CliRunner()
app = typer.Typer()
app.command(name="assess")(assess_cli.assess)
app.command(name="compare")(assess_cli.compare)

SMALL = ["--runs", "100", "--air-runs", "5", "--seed", "2"]


def test_compare_json_matches_the_api() -> None:
    names = ["no-guarantees", "sky-shield-only"]
    res = runner.invoke(app, ["compare", *names, *SMALL, "-f", "json"])
    assert res.exit_code == 0, res.stderr
    rows = json.loads(res.stdout)
    assert [r["package"] for r in rows] == names
    api = assess_packages(names, n_runs=100, air_runs=5, rng=2).table()
    for row, (_, expected) in zip(rows, api.iterrows(), strict=True):
        assert row["p_deterred"] == pytest.approx(expected["p_deterred"])
        assert row["verdict"] == expected["verdict"]
        assert row["cost_usd_per_year"] == pytest.approx(expected["cost_usd_per_year"])


def test_compare_table_names_half_measures() -> None:
    res = runner.invoke(app, ["compare", "sky-shield-only", *SMALL])
    assert res.exit_code == 0, res.stderr
    assert "Guarantee packages" in res.stdout
    api = assess_packages(["sky-shield-only"], n_runs=100, air_runs=5, rng=2)
    assert ("half-measures" in res.stdout) == api.assessments[0].half_measure


def test_assess_writes_the_report(tmp_path: Path) -> None:
    out = tmp_path / "report"
    res = runner.invoke(
        app, ["assess", "no-guarantees", *SMALL, "--out", str(out), "--no-pdf", "-f", "csv"]
    )
    assert res.exit_code == 0, res.stderr
    assert (out / "report.html").is_file()
    df = pd.read_csv(io.StringIO(res.stdout))
    assert list(df["package"]) == ["no-guarantees"]


def test_bad_input(tmp_path: Path) -> None:
    res = runner.invoke(app, ["compare", "nope", *SMALL])
    assert res.exit_code == NotFoundError.exit_code
    assert "guarantee package 'nope' not found" in res.stderr
    res = runner.invoke(app, ["assess", "no-guarantees", "--lang", "fr", *SMALL])
    assert res.exit_code == ConfigError.exit_code
    assert "--lang: 'fr'" in res.stderr
    res = runner.invoke(app, ["compare", "no-guarantees", "-f", "xml", *SMALL])
    assert res.exit_code == ConfigError.exit_code
    bad = tmp_path / "bad.toml"
    bad.write_text('name = "bad"\n\n[sea]\npreset = "no-mission"\n', encoding="utf-8")
    res = runner.invoke(app, ["compare", str(bad), *SMALL])
    assert res.exit_code == ConfigError.exit_code
    assert "bad.toml:4: sea.preset: sea mission 'no-mission' deploys no ships" in res.stderr
