"""``garant air ...`` commands."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from garant.cli.main import app

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    res = runner.invoke(app, list(args))
    return res.exit_code, res.stdout, res.stderr


def test_backtest_csv_columns(shared_data: Path) -> None:
    records = shared_data / "air" / "missile_attacks_daily.csv"
    code, out, err = invoke("air", "backtest", "--records", str(records), "--split", "2025-01-01")
    assert code == 0, err
    df = pd.read_csv(io.StringIO(out))
    assert list(df.columns) == [
        "class",
        "month",
        "launched",
        "observed_rate",
        "predicted_rate",
        "naive_rate",
    ]
    assert {"strike_uav", "cruise", "ballistic"} <= set(df["class"])
    assert (df["month"] >= "2025-01").all()
    assert df[["observed_rate", "predicted_rate", "naive_rate"]].stack().between(0, 1).all()


def test_backtest_bad_split(shared_data: Path) -> None:
    records = shared_data / "air" / "missile_attacks_daily.csv"
    code, _, err = invoke("air", "backtest", "--records", str(records), "--split", "2025-02-30")
    assert code == 2
    assert "2025-02-30" in err


def test_backtest_missing_records(tmp_path: Path) -> None:
    code, _, err = invoke(
        "air", "backtest", "--records", str(tmp_path / "nope.csv"), "--split", "2025-01-01"
    )
    assert code != 0
    assert "nope.csv" in err
    assert "Traceback" not in err


def test_rates_json(shared_data: Path) -> None:
    records = shared_data / "air" / "missile_attacks_daily.csv"
    code, out, err = invoke("air", "rates", "--records", str(records), "--format", "json")
    assert code == 0, err
    rows = json.loads(out)
    assert {r["threat_class"] for r in rows} >= {"strike_uav", "cruise", "ballistic"}
    assert "Unknown UAV" in err  # unknown names are counted and reported


def test_catalog_lists_every_number_with_a_basis() -> None:
    code, out, err = invoke("air", "catalog", "defences", "--format", "json")
    assert code == 0, err
    rows = json.loads(out)
    assert rows
    assert all(r["source"] or r["assumption"] for r in rows)


def test_catalog_unknown_kind() -> None:
    code, _, err = invoke("air", "catalog", "missiles")
    assert code == 2
    assert "missiles" in err


def _points_csv(path: Path, rows: list[tuple[float, float, float]]) -> Path:
    lines = ["lon,lat,weight", *(f"{lon},{lat},{w}" for lon, lat, w in rows)]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_place_json(tmp_path: Path) -> None:
    cand = _points_csv(tmp_path / "c.csv", [(30.5, 50.45, 0), (24.0, 49.8, 0), (30.7, 46.5, 0)])
    dem = _points_csv(
        tmp_path / "d.csv",
        [(30.52, 50.45, 3000), (24.03, 49.84, 700), (30.73, 46.48, 1000), (30.6, 50.4, 50)],
    )
    code, out, err = invoke(
        "air", "place", "--candidates", str(cand), "--demand", str(dem),
        "--k", "2", "--radius-km", "30",
    )  # fmt: skip
    assert code == 0, err
    res = json.loads(out)
    assert res["objective"] == 3000 + 1000 + 50
    assert res["solver"] == "highs"
    assert "solve_time_s" in res


def test_place_k_too_large(tmp_path: Path) -> None:
    cand = _points_csv(tmp_path / "c.csv", [(30.5, 50.45, 0)])
    dem = _points_csv(tmp_path / "d.csv", [(30.52, 50.45, 3000)])
    code, _, err = invoke(
        "air", "place", "--candidates", str(cand), "--demand", str(dem),
        "--k", "5", "--radius-km", "30",
    )  # fmt: skip
    assert code == 2
    assert "k" in err.lower()
    assert "Traceback" not in err


def test_assess_writes_report(tmp_path: Path) -> None:
    out = tmp_path / "air"
    code, stdout, err = invoke(
        "air", "assess", "ukraine-today", "sky-shield", "--runs", "5", "--nights", "2",
        "--out", str(out), "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    rows = json.loads(stdout)
    assert [r["package"] for r in rows] == ["ukraine-today", "sky-shield"]
    assert (out / "air.html").exists()
    assert rows[1]["neutralised_cruise"] > rows[0]["neutralised_cruise"]


def test_assess_unknown_preset(tmp_path: Path) -> None:
    code, _, err = invoke("air", "assess", "iron-dome", "--out", str(tmp_path / "x"))
    assert code != 0
    assert "iron-dome" in err
