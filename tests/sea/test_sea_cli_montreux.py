"""``garant sea montreux``: a mission's warships against the Montreux Convention."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from garant.cli.main import app
from garant.sea.montreux import check_mission
from garant.sea.plan import load_mission

runner = CliRunner()


def _json(*args: str) -> dict[str, Any]:
    res = runner.invoke(app, ["sea", "montreux", *args, "-f", "json"])
    assert res.exit_code == 0, res.stderr
    out: dict[str, Any] = json.loads(res.stdout)
    return out


def test_preset_json_matches_check_mission() -> None:
    out = _json("international-escort")
    m = load_mission("international-escort")
    expected = check_mission(
        [s.to_ship() for s in m.ships], days_in_sea=m.days_in_sea, turkey_closed=m.turkey_closed
    )
    assert [f["rule"] for f in out["findings"]] == [f.rule for f in expected]
    assert [f["status"] for f in out["findings"]] == [f.status for f in expected]
    assert out["days_in_sea"] == m.days_in_sea
    assert out["turkey_closed"] is True
    assert out["violations"] == sum(f.status == "violation" for f in expected) > 0
    assert out["non_littoral_ships"] == sum(not s.to_ship().littoral for s in m.ships)


def test_days_and_straits_options_change_the_findings() -> None:
    closed = _json("international-escort")
    opened = _json("international-escort", "--turkey-open", "--days", "14")
    assert opened["turkey_closed"] is False
    assert opened["days_in_sea"] == 14.0
    assert opened["violations"] < closed["violations"]
    stay = {f["rule"]: f["status"] for f in opened["findings"]}["max_stay"]
    assert stay == "ok"  # 14 days is within the 21-day limit


def test_table_output_and_no_ships() -> None:
    res = runner.invoke(app, ["sea", "montreux", "turkiye-littoral"])
    assert res.exit_code == 0, res.stderr
    assert "max_stay" in res.stdout
    res = runner.invoke(app, ["sea", "montreux", "no-mission"])
    assert res.exit_code == 0, res.stderr
    assert "no warships" in res.stdout
    assert _json("no-mission")["findings"] == []


def test_mission_file(tmp_path: Path) -> None:
    text = (
        Path(__file__)
        .parents[2]
        .joinpath("src/garant/data/sea/presets/turkiye-littoral.toml")
        .read_text(encoding="utf-8")
    )
    path = tmp_path / "m.toml"
    path.write_text(text.replace('flag_iso = "ROU"', 'flag_iso = "FRA"', 1), encoding="utf-8")
    out = _json(str(path))
    assert out["non_littoral_ships"] == 1


def test_errors(tmp_path: Path) -> None:
    res = runner.invoke(app, ["sea", "montreux", "armada"])
    assert res.exit_code == 3
    assert "armada" in res.stderr
    bad = tmp_path / "bad.toml"
    bad.write_text("name = [", encoding="utf-8")
    res = runner.invoke(app, ["sea", "montreux", str(bad)])
    assert res.exit_code == 2
    assert "bad.toml: not valid TOML" in res.stderr
    res = runner.invoke(app, ["sea", "montreux", "international-escort", "--days", "0"])
    assert res.exit_code == 2
    assert "days_in_sea" in res.stderr
    res = runner.invoke(app, ["sea", "montreux", "international-escort", "-f", "csv"])
    assert res.exit_code == 2
    assert "--format" in res.stderr
