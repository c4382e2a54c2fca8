"""``garant sea route``."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from garant.cli.main import app

runner = CliRunner()


def test_route_json_and_exposure_weight() -> None:
    res = runner.invoke(app, ["sea", "route", "--from", "odesa", "--to", "bosphorus", "-f", "json"])
    assert res.exit_code == 0, res.stderr
    direct = json.loads(res.stdout)
    assert 550 < direct["length_km"] < 700
    assert direct["feature"]["geometry"]["type"] == "LineString"
    res = runner.invoke(
        app,
        ["sea", "route", "--from", "odesa", "--to", "bosphorus", "--exposure-weight", "5",
         "-f", "json"],
    )  # fmt: skip
    assert res.exit_code == 0, res.stderr
    avoid = json.loads(res.stdout)
    assert avoid["length_km"] >= direct["length_km"]

    def hours(r: dict, system: str) -> float:  # type: ignore[type-arg]
        return next(e["exposure_h"] for e in r["exposure"] if e["system"] == system)

    assert hours(avoid, "bastion_p") <= hours(direct, "bastion_p")
    assert avoid["nato_territorial_share"] >= direct["nato_territorial_share"]


def test_route_bad_input() -> None:
    res = runner.invoke(app, ["sea", "route", "--from", "atlantis", "--to", "bosphorus"])
    assert res.exit_code == 3
    assert "atlantis" in res.stderr
    res = runner.invoke(
        app, ["sea", "route", "--from", "odesa", "--to", "varna", "--exposure-weight", "1",
              "--systems", "s-500"],
    )  # fmt: skip
    assert res.exit_code == 2
    assert "s-500" in res.stderr


def test_plan_writes_report(tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "sea"
    res = runner.invoke(
        app, ["sea", "plan", "international-escort", "--out", str(out), "-f", "json"]
    )
    assert res.exit_code == 0, res.stderr
    rows = json.loads(res.stdout)
    assert any(r["metric"] == "montreux_violations" for r in rows)
    assert (out / "sea.html").exists()


def test_plan_unknown_preset(tmp_path) -> None:  # type: ignore[no-untyped-def]
    res = runner.invoke(app, ["sea", "plan", "armada", "--out", str(tmp_path / "x")])
    assert res.exit_code == 3
    assert "armada" in res.stderr
