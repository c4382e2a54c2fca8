"""Real data: a few days of the DeepState archive against published figures."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from garant.frontline.changes import changes_between, describe_changes
from garant.frontline.engine import update_frontline
from garant.frontline.measures import FrontlineGeography, measure_snapshot, oblast_areas
from garant.frontline.sectors import line_by_sector, load_sectors
from garant.frontline.series import monthly_summary
from garant.sources.archive import read_archive_file
from garant.store import open_store

pytestmark = pytest.mark.shared


def _day(shared: Path, yyyymmdd: str):  # type: ignore[no-untyped-def]
    return read_archive_file(shared / "deepstatemap" / f"deepstatemap_data_{yyyymmdd}.geojson")


@pytest.fixture(scope="module")
def geo() -> FrontlineGeography:
    return FrontlineGeography.load()


def test_end_of_september_2025_share_and_line(shared_data: Path, geo: FrontlineGeography) -> None:
    snap = _day(shared_data, "20251001")  # downloaded 1 Oct 03:00 UTC: the map of 30 Sep
    assert snap.date == dt.date(2025, 9, 30)
    m = measure_snapshot(snap.layers, geography=geo)
    # DeepState: 19.04 % on 1 Oct 2025. garant clips to Ukraine's territory incl.
    # inland waters (the Syvash, the Azov shore), as DeepState measures.
    assert m["occupied_pct"] == pytest.approx(19.04, abs=0.02)
    # Published: ~1,250 km (Syrskyi, Sep 2025), with the Dnipro section.
    assert 1_150 <= m["line_km"] <= 1_450
    by_sector = line_by_sector(m["line"], load_sectors())
    assert by_sector["length_km"].sum() == pytest.approx(m["line_km"], rel=1e-3)
    assert 200 <= float(by_sector.set_index("sector").loc["Dnipro", "length_km"]) <= 350
    ob = oblast_areas(snap.occupied, geo.oblasts).set_index("oblast_iso")
    assert ob.loc["UA-09", "occupied_pct"] > 97  # Luhansk
    assert 70 <= ob.loc["UA-14", "occupied_pct"] <= 85  # Donetsk


def test_changes_of_one_day(shared_data: Path, geo: FrontlineGeography) -> None:
    before, after = _day(shared_data, "20250917"), _day(shared_data, "20250918")
    ch = changes_between(before.occupied, after.occupied, geography=geo, sectors=load_sectors())
    m0 = measure_snapshot(before.layers, geography=geo)["occupied_km2"]
    m1 = measure_snapshot(after.layers, geography=geo)["occupied_km2"]
    net = (
        ch.loc[ch["kind"] == "gained", "area_km2"].sum()
        - ch.loc[ch["kind"] == "lost", "area_km2"].sum()
    )
    assert net == pytest.approx(m1 - m0, abs=0.05)  # slivers < 0.01 km² are left out
    assert ch["sector"].notna().all()
    assert ch["settlement"].notna().all()
    assert (ch["settlement_distance_km"] < 40).all()
    assert all(" km²" in s for s in describe_changes(ch))


def test_engine_on_a_month_end(shared_data: Path, geo: FrontlineGeography, tmp_path: Path) -> None:
    files = ["20250831", "20250901", "20250929", "20250930", "20251001"]
    with open_store(tmp_path / "s.duckdb") as store:
        store.add_snapshots(_day(shared_data, f) for f in files)
        update_frontline(store, geography=geo)
        ms = monthly_summary(store.measures()).set_index("month")
    # 2025-08-31 -> 2025-09-30 (dates are file date - 1): DeepState published 259 km².
    assert ms.loc["2025-09", "net_km2"] == pytest.approx(259, rel=0.05)
