"""The ceasefire watch on the real daily archive: freeze 2025-01-15, watch to 2025-03-01."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import shapely

from garant.frontline.ceasefire import detect_violations, freeze, watch
from garant.sources import geography
from garant.sources.archive import read_archive_file
from garant.store import open_store

FREEZE = dt.date(2025, 1, 15)
LATER = [dt.date(2025, 1, 22), dt.date(2025, 2, 5), dt.date(2025, 2, 19), dt.date(2025, 3, 1)]
# Where the front moved in Jan-Feb 2025 (Pokrovsk, Toretsk, Kurakhove, Velyka Novosilka axes).
PLAUSIBLE = {
    "Pokrovsk",
    "Myrnohrad",
    "Selydove",
    "Novohrodivka",
    "Kurakhove",
    "Toretsk",
    "Velyka Novosilka",
    "Chasiv Yar",
}


def _archive(shared: Path, day: dt.date) -> Path:
    # the archive file of day D+1 holds the state of day D
    name = f"deepstatemap_data_{(day + dt.timedelta(days=1)):%Y%m%d}.geojson"
    return shared / "deepstatemap" / name


@pytest.mark.shared
def test_freeze_and_watch_early_2025(shared_data: Path, tmp_path: Path) -> None:
    snaps = [read_archive_file(_archive(shared_data, d)) for d in [FREEZE, *LATER]]
    assert [s.date for s in snaps] == [FREEZE, *LATER]
    with open_store(tmp_path / "g.duckdb") as store:
        store.add_snapshots(snaps)
        cf = freeze(store, FREEZE)
        assert 1000 < cf.length_km < 1500  # the 2025 line is ~1,200 km long
        rep = watch(store, cf.name, until=dt.date(2025, 3, 1))

    assert rep.checked_dates == tuple(LATER)
    assert rep.alerts, "the front moved in Jan-Feb 2025"
    assert all(a.area_km2 > 0 for a in rep.alerts)
    assert all(a.area_km2 >= 1.0 and a.depth_km >= 0.5 for a in rep.alerts)
    russian = [a for a in rep.alerts if a.direction == "russian_advance"]
    assert sum(a.area_km2 for a in rep.latest() if a in russian) > 200
    assert {a.settlement for a in russian} & PLAUSIBLE
    assert "Pokrovsk" in {a.sector for a in russian}
    # by 1 March, the incursions of 22 January grew: most latest alerts are old series
    assert any(a.trend == "growing" and a.first_seen == LATER[0] for a in rep.latest())
    text = rep.to_text()
    assert "Russian advance" in text
    assert "(Pokrovsk sector)" in text


@pytest.mark.shared
def test_frozen_line_has_no_violation_against_itself_on_real_data(shared_data: Path) -> None:
    snap = read_archive_file(_archive(shared_data, FREEZE))
    land = geography.ukraine()
    from garant.frontline.line import line_of_contact

    occ = shapely.intersection(snap.occupied, land)
    line = line_of_contact(occ, ukraine=land, boundary=geography.ukraine_boundary())
    later = [(FREEZE + dt.timedelta(days=1), 1, snap.occupied)]  # unclipped: sea parts differ
    assert detect_violations(occ, line, later, geography=geography) == []
