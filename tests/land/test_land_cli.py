"""``garant land`` commands (garant.cli.land)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from garant.cli.land import app

runner = CliRunner()


def test_size_json_lists_every_mission() -> None:
    res = runner.invoke(app, ["size", "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    missions = [r["mission"] for r in data["requirements"]]
    assert missions == ["observation", "tripwire", "reassurance", "forward_defence"]
    assert data["front"]["length_km"] > 500


def test_size_one_mission_table() -> None:
    res = runner.invoke(app, ["size", "--mission", "tripwire"])
    assert res.exit_code == 0, res.output
    assert "Troops required" in res.stdout


def test_basing_json() -> None:
    res = runner.invoke(
        app, ["basing", "--preset", "observer-mission", "--hours", "2,6", "-f", "json"]
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert "share_2h" in data["reach"][0]
    assert len(data["exposure"]) == 5


def test_presets_and_assess(tmp_path: Path) -> None:
    res = runner.invoke(app, ["presets"])
    assert res.exit_code == 0
    assert "robust-100k" in res.stdout
    res = runner.invoke(app, ["assess", "observer-mission", "-f", "json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["headline"]["pledged_troops"] == 1500


def test_cli_errors_are_one_line() -> None:
    for args, code in (
        (["size", "--mission", "siege"], 3),
        (["size", "--date", "20-01-01"], 2),
        (["size", "--format", "xml"], 2),
        (["basing", "--hours", "0"], 2),
        (["size", "--ceasefire", "x"], 2),
        (["assess", "no-such"], 3),
    ):
        res = runner.invoke(app, args)
        assert res.exit_code == code, (args, res.output)
        assert "garant: error:" in res.output
