"""Raw map versions and the daily archive agree where they overlap (real data)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pandas as pd
import pytest

from garant.ingest import ingest
from garant.store import open_store

# Raw map versions (unix time) from the overlap, and the archive file holding the same state.
PAIRS = {
    "1722544807": "20240802",  # 2024-08-01 evening
    "1735766502": "20250102",  # 2025-01-01
    "1748806839": "20250602",  # 2025-06-01
}


@pytest.fixture(scope="module")
def overlap_store(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("overlap")
    raw, arc = root / "raw", root / "archive"
    raw.mkdir()
    arc.mkdir()
    for ts, day in PAIRS.items():
        shutil.copy(shared_data / "deepstatemap-raw" / f"{ts}.geojson", raw)
        shutil.copy(shared_data / "deepstatemap" / f"deepstatemap_data_{day}.geojson", arc)
    path = root / "garant.duckdb"
    with open_store(path) as store:
        ingest(raw, store=store)
        ingest(arc, store=store)
    return path


def test_same_dates_from_both_sources(overlap_store: Path) -> None:
    with open_store(overlap_store, read_only=True) as store:
        m = store.measures()
    by = m.pivot_table(index="date", columns="source", values="occupied_km2")
    assert list(by.columns) == ["archive", "deepstatemap-raw"]
    assert len(by.dropna()) == len(PAIRS)
    assert [pd.Timestamp(d).date() for d in by.index] == [
        dt.date(2024, 8, 1),
        dt.date(2025, 1, 1),
        dt.date(2025, 6, 1),
    ]


def test_occupied_area_and_line_agree(overlap_store: Path) -> None:
    with open_store(overlap_store, read_only=True) as store:
        m = store.measures()
    area = m.pivot_table(index="date", columns="source", values="occupied_km2")
    rel = (area["deepstatemap-raw"] - area["archive"]).abs() / area["archive"]
    assert (rel < 0.0005).all(), rel  # within 0.05 %
    line = m.pivot_table(index="date", columns="source", values="line_km")
    rel_line = (line["deepstatemap-raw"] - line["archive"]).abs() / line["archive"]
    assert (rel_line < 0.02).all(), rel_line


def test_grey_zone_measured_apart(overlap_store: Path) -> None:
    with open_store(overlap_store, read_only=True) as store:
        m = store.measures()
    raw = m[m["source"] == "deepstatemap-raw"]
    arc = m[m["source"] == "archive"]
    assert (raw["grey_zone_km2"] > 0).all()  # DeepState's grey zone, not in occupied
    assert arc["grey_zone_km2"].isna().all()  # the archive has no grey zone


def test_timeline_prefers_the_archive(overlap_store: Path) -> None:
    with open_store(overlap_store, read_only=True) as store:
        tl = store.timeline()
    assert set(tl["source"]) == {"archive"}
