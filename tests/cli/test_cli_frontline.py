"""End-to-end CLI tests on the bundled demo history."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from garant.cli.main import app
from garant.errors import DataError

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    res = runner.invoke(app, list(args))
    return res.exit_code, res.stdout, res.stderr


@pytest.fixture
def store_copy(demo_store: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "copy.duckdb"
    shutil.copy(demo_store, dst)
    return dst


def test_ingest_demo(tmp_path: Path) -> None:
    path = tmp_path / "garant.duckdb"
    code, out, err = invoke("ingest", "demo", "--store", str(path))
    assert code == 0, out + err
    assert "53 added" in out


def test_reingest_is_a_noop(store_copy: Path) -> None:
    code, out, err = invoke("ingest", "demo", "--store", str(store_copy))
    assert code == 0, err
    assert " 0 added, 0 revised" in out


def test_info(demo_store: Path) -> None:
    code, out, _ = invoke("info", "--store", str(demo_store))
    assert code == 0
    assert "demo" in out


def test_monthly_json(demo_store: Path) -> None:
    code, out, err = invoke("frontline", "monthly", "--store", str(demo_store), "--format", "json")
    assert code == 0, err
    rows = json.loads(out)
    assert len(rows) > 30
    first = rows[0]
    for col in (
        "month",
        "gained_km2",
        "lost_km2",
        "net_km2",
        "occupied_km2_end",
        "occupied_pct_end",
    ):
        assert col in first
    # Occupied share stays in a plausible band over the whole history.
    assert all(15 < r["occupied_pct_end"] < 30 for r in rows)


def test_monthly_csv_header(demo_store: Path) -> None:
    code, out, _ = invoke("frontline", "monthly", "--store", str(demo_store), "--format", "csv")
    assert code == 0
    assert out.splitlines()[0].startswith(
        "month,gained_km2,lost_km2,net_km2,occupied_km2_end,occupied_pct_end"
    )


def test_measures_json(demo_store: Path) -> None:
    code, out, err = invoke("frontline", "measures", "--store", str(demo_store), "-f", "json")
    assert code == 0, err
    (m,) = json.loads(out)
    assert 100_000 < m["occupied_km2"] < 130_000
    assert m["line_km"] > 800


def test_changes_geojson(demo_store: Path) -> None:
    code, out, err = invoke(
        "frontline", "changes", "--since", "2025-01-01", "--until", "2025-06-01",
        "--store", str(demo_store), "--format", "geojson",
    )  # fmt: skip
    assert code == 0, err
    fc = json.loads(out)
    assert fc["type"] == "FeatureCollection"
    assert fc["features"], "the front moved between January and June 2025"
    kinds = {f["properties"]["kind"] for f in fc["features"]}
    assert "gained" in kinds


@pytest.mark.parametrize("suffix", [".gpkg", ".geojson", ".kml", ".parquet"])
def test_export_line(demo_store: Path, tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"line{suffix}"
    code, _, err = invoke(
        "frontline", "export", "line", "--out", str(out), "--store", str(demo_store)
    )
    assert code == 0, err
    assert out.stat().st_size > 0


def test_report(demo_store: Path, tmp_path: Path) -> None:
    code, _, err = invoke("frontline", "report", "--store", str(demo_store), "--out", str(tmp_path))
    assert code == 0, err
    html = (tmp_path / "frontline.html").read_text()
    assert "603,628" in html


def test_ceasefire_freeze_and_watch(store_copy: Path) -> None:
    code, out, err = invoke("ceasefire", "freeze", "2025-01-01", "--store", str(store_copy))
    assert code == 0, err
    assert "froze" in out
    code, out, err = invoke("ceasefire", "watch", "--store", str(store_copy), "--format", "json")
    assert code == 0, err
    rep = json.loads(out)
    assert rep["alerts"], "Russia advanced after January 2025"
    code, out, err = invoke("ceasefire", "zones", "--store", str(store_copy), "-f", "json")
    assert code == 0, err


# --- bad input: one line, non-zero exit, nothing changed -------------------------------------


def test_missing_source(tmp_path: Path) -> None:
    code, _, err = invoke("ingest", str(tmp_path / "nope"), "--store", str(tmp_path / "s.duckdb"))
    assert code != 0
    assert "nope" in err
    assert "Traceback" not in err


def test_bad_date(demo_store: Path) -> None:
    code, _, err = invoke(
        "frontline", "measures", "--date", "2025-13-01", "--store", str(demo_store)
    )
    assert code == 2
    assert "2025-13-01" in err


def test_unknown_format(demo_store: Path) -> None:
    code, _, err = invoke("frontline", "monthly", "--format", "xml", "--store", str(demo_store))
    assert code == 2
    assert "xml" in err


def test_corrupt_store(tmp_path: Path) -> None:
    bad = tmp_path / "bad.duckdb"
    bad.write_bytes(b"this is not a database" * 100)
    before = bad.read_bytes()
    code, _, err = invoke("frontline", "monthly", "--store", str(bad))
    assert code == 6
    assert str(bad) in err
    assert bad.read_bytes() == before


def test_malformed_file_leaves_store_unchanged(store_copy: Path, tmp_path: Path) -> None:
    folder = tmp_path / "archive"
    folder.mkdir()
    (folder / "deepstatemap_data_20250101.geojson").write_text('{"type": "FeatureCollection", "fea')
    before = invoke("info", "--store", str(store_copy))[1]
    code, _, err = invoke("ingest", str(folder), "--store", str(store_copy))
    assert code == 2
    assert "deepstatemap_data_20250101.geojson" in err
    assert invoke("info", "--store", str(store_copy))[1] == before


def test_unknown_date_names_range(demo_store: Path) -> None:
    code, _, err = invoke(
        "frontline", "measures", "--date", "1999-01-01", "--store", str(demo_store)
    )
    assert code == 3
    assert "1999-01-01" in err


def test_failure_while_measuring_rolls_back_the_snapshots(
    store_copy: Path, tmp_path: Path, shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import garant.frontline.engine as engine

    folder = tmp_path / "archive"
    folder.mkdir()
    shutil.copy(shared_data / "deepstatemap" / "deepstatemap_data_20250301.geojson", folder)

    def boom(*args: object, **kwargs: object) -> None:
        raise DataError("simulated failure while measuring")

    monkeypatch.setattr(engine, "update_frontline", boom)
    before = invoke("info", "--store", str(store_copy))[1]
    code, _, err = invoke("ingest", str(folder), "--store", str(store_copy))
    assert code == 2
    assert "simulated failure" in err
    assert invoke("info", "--store", str(store_copy))[1] == before
