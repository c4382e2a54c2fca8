"""Derived frontline data and ceasefire lines in the store."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from garant.errors import DataError, NotFoundError, StoreError
from garant.model import Snapshot
from garant.store import Store

MakeSnaps = Callable[..., list[Snapshot]]
Derived = Callable[..., Any]


def test_replace_derived_round_trip(
    store: Store, make_snaps: MakeSnaps, derived_for: Derived
) -> None:
    ids = store.add_snapshots(make_snaps(4)).added_ids
    assert store.snapshots_without_measures() == list(ids)
    measures, oblasts, lines, changes = derived_for(store, ids)
    store.replace_derived(measures, oblasts, lines, changes)
    assert store.snapshots_without_measures() == []

    m = store.measures()
    assert list(m["snapshot_id"]) == list(ids)
    assert {"revision", "source_ref", "date", "source"} <= set(m.columns)
    assert list(m["occupied_km2"]) == pytest.approx(list(measures["occupied_km2"]))
    assert m["grey_zone_km2"].isna().tolist() == [False, True, False, True]
    assert m["prev_snapshot_id"].isna().tolist() == [True, False, False, False]
    assert m["on_timeline"].all()
    assert m["date"].iloc[0] == measures["date"].iloc[0]

    ob = store.oblast_measures(snapshot_id=ids[1])
    assert list(ob["oblast_iso"]) == ["UA-09", "UA-14"]
    assert len(store.oblast_measures()) == 8

    ln = store.lines([ids[0], ids[3]])
    assert isinstance(ln, gpd.GeoDataFrame)
    assert ln.crs.to_epsg() == 4326
    assert list(ln["snapshot_id"]) == [ids[0], ids[3]]
    assert ln.geometry.iloc[1] == lines.geometry.iloc[3]
    assert len(store.lines()) == 4

    ch = store.changes()
    assert len(ch) == 3
    assert ch.crs.to_epsg() == 4326
    assert list(ch["kind"]) == ["gained"] * 3
    assert ch.geometry.iloc[0] == changes.geometry.iloc[0]
    assert ch["change_id"].is_unique
    d1 = measures["date"].iloc[1]
    assert len(store.changes(since=d1, until=d1)) == 1
    assert len(store.changes(since=d1 + dt.timedelta(days=1))) == 2
    assert len(store.changes(until=d1 - dt.timedelta(days=1))) == 0


def test_replace_derived_for_some_snapshots(
    store: Store, make_snaps: MakeSnaps, derived_for: Derived
) -> None:
    ids = store.add_snapshots(make_snaps(4)).added_ids
    store.replace_derived(*derived_for(store, ids))
    # recompute the last two snapshots only
    m, ob, ln, ch = derived_for(store, ids)
    last = list(ids[2:])
    m2 = m[m["snapshot_id"].isin(last)].assign(occupied_km2=7.0)
    ob2 = ob[ob["snapshot_id"].isin(last)]
    ln2 = ln[ln["snapshot_id"].isin(last)]
    ch2 = ch[ch["to_snapshot_id"].isin(last)]
    store.replace_derived(m2, ob2, ln2, ch2, snapshot_ids=last)
    out = store.measures()
    assert list(out["occupied_km2"]) == [1000.0, 1001.0, 7.0, 7.0]
    assert len(store.changes()) == 3
    assert len(store.oblast_measures()) == 8
    # an empty replacement clears those snapshots' rows
    store.replace_derived(m2.iloc[:0], ob2.iloc[:0], ln2.iloc[:0], ch2.iloc[:0], snapshot_ids=last)
    assert store.snapshots_without_measures() == last
    assert len(store.changes()) == 1


def test_replace_derived_names_missing_columns(
    store: Store, make_snaps: MakeSnaps, derived_for: Derived
) -> None:
    ids = store.add_snapshots(make_snaps(2)).added_ids
    m, ob, ln, ch = derived_for(store, ids)
    with pytest.raises(DataError, match=r"measures lacks columns \['line_km', 'on_timeline'\]"):
        store.replace_derived(m.drop(columns=["line_km", "on_timeline"]), ob, ln, ch)
    with pytest.raises(
        DataError,
        match=r"oblast_measures lacks columns \['oblast_name'\]; "
        r"changes lacks columns \['sector'\]",
    ):
        store.replace_derived(m, ob.drop(columns="oblast_name"), ln, ch.drop(columns="sector"))
    plain = pd.DataFrame(ln.drop(columns="geometry"))
    with pytest.raises(DataError, match=r"lines lacks columns \['geometry'\]"):
        store.replace_derived(m, ob, plain, ch)
    assert store.measures().empty


def test_replace_derived_checks_rows(
    store: Store, make_snaps: MakeSnaps, derived_for: Derived
) -> None:
    ids = store.add_snapshots(make_snaps(3)).added_ids
    m, ob, ln, ch = derived_for(store, ids)
    with pytest.raises(DataError, match=r"measures.snapshot_id has ids outside snapshot_ids"):
        store.replace_derived(m, ob, ln, ch, snapshot_ids=[ids[0]])
    bad = ch.copy()
    bad.loc[0, "kind"] = "stolen"
    with pytest.raises(DataError, match=r"changes.kind has \['stolen'\]"):
        store.replace_derived(m, ob, ln, bad)
    with pytest.raises(DataError, match=r"unknown snapshot ids \[999\]"):
        store.replace_derived(m.assign(prev_snapshot_id=999), ob, ln, ch)
    with pytest.raises(DataError, match="measures has duplicate keys"):
        store.replace_derived(pd.concat([m, m.iloc[:1]]), ob, ln, ch)
    assert store.measures().empty


def test_replace_derived_failure_keeps_old_rows(
    store: Store, make_snaps: MakeSnaps, derived_for: Derived
) -> None:
    ids = store.add_snapshots(make_snaps(3)).added_ids
    m, ob, ln, ch = derived_for(store, ids)
    store.replace_derived(m, ob, ln, ch)
    broken = m.assign(occupied_km2="lots")  # fails inside the transaction, after the deletes
    with pytest.raises(StoreError, match="write failed, rolled back"):
        store.replace_derived(broken, ob, ln, ch)
    assert list(store.measures()["occupied_km2"]) == [1000.0, 1001.0, 1002.0]
    assert len(store.changes()) == 2


def test_lines_in_another_crs_are_stored_in_4326(
    store: Store, make_snaps: MakeSnaps, derived_for: Derived
) -> None:
    ids = store.add_snapshots(make_snaps(1)).added_ids
    m, ob, ln, ch = derived_for(store, ids)
    store.replace_derived(m, ob, ln.to_crs(3857), ch)
    back = store.lines().geometry.iloc[0]
    assert back.equals_exact(ln.geometry.iloc[0], tolerance=1e-9)


def test_ceasefire_line_round_trip(store: Store, make_snaps: MakeSnaps) -> None:
    ids = store.add_snapshots(make_snaps(2)).added_ids
    line = shapely.LineString([(37.0, 48.0), (37.5, 48.2), (38.0, 48.1)])
    occupied = shapely.box(37.0, 47.5, 38.5, 48.2)
    store.save_ceasefire_line("cf-2025-03-01", dt.date(2025, 3, 1), ids[0], line, occupied, "test")
    row, line_back, occ_back = store.load_ceasefire_line("cf-2025-03-01")
    assert row["name"] == "cf-2025-03-01"
    assert row["date"] == dt.date(2025, 3, 1)
    assert row["snapshot_id"] == ids[0]
    assert row["note"] == "test"
    assert row["created_at"].utcoffset() == dt.timedelta(0)
    assert line_back == line
    assert occ_back == occupied
    listing = store.ceasefire_lines()
    assert list(listing["name"]) == ["cf-2025-03-01"]
    assert listing.crs.to_epsg() == 4326
    assert listing.geometry.iloc[0] == line

    with pytest.raises(DataError, match="exists already"):
        store.save_ceasefire_line("cf-2025-03-01", dt.date(2025, 3, 2), ids[1], line, occupied)
    moved = shapely.LineString([(37.0, 48.1), (38.0, 48.3)])
    store.save_ceasefire_line(
        "cf-2025-03-01", dt.date(2025, 3, 2), ids[1], moved, occupied, replace=True
    )
    row, line_back, _ = store.load_ceasefire_line("cf-2025-03-01")
    assert (row["date"], row["snapshot_id"], line_back) == (dt.date(2025, 3, 2), ids[1], moved)
    assert len(store.ceasefire_lines()) == 1

    with pytest.raises(NotFoundError, match=r"'nope': unknown \(known: cf-2025-03-01\)"):
        store.load_ceasefire_line("nope")


def test_ceasefire_line_validation(store: Store, make_snaps: MakeSnaps) -> None:
    ids = store.add_snapshots(make_snaps(1)).added_ids
    line = shapely.LineString([(37.0, 48.0), (38.0, 48.1)])
    occupied = shapely.box(37.0, 47.5, 38.5, 48.2)
    day = dt.date(2025, 3, 1)
    with pytest.raises(NotFoundError, match="snapshot 77"):
        store.save_ceasefire_line("a", day, 77, line, occupied)
    with pytest.raises(DataError, match="the line is a Polygon"):
        store.save_ceasefire_line("a", day, ids[0], occupied, occupied)
    with pytest.raises(DataError, match="occupied territory is empty"):
        store.save_ceasefire_line("a", day, ids[0], line, shapely.Polygon())
    with pytest.raises(DataError, match="name is empty"):
        store.save_ceasefire_line("  ", day, ids[0], line, occupied)
    with pytest.raises(NotFoundError, match="none saved yet"):
        store.load_ceasefire_line("a")


def test_watch_state_round_trips(store: Store, make_snaps: MakeSnaps) -> None:
    from garant.watch import WatchStore

    assert isinstance(store, WatchStore)
    ids = store.add_snapshots(make_snaps(1)).added_ids
    taken = dt.datetime(2025, 3, 1, 18, 30, tzinfo=dt.UTC)
    assert store.watch_versions() == set()
    store.record_watch_version(1740853800, taken, ids[0])
    store.record_watch_version(1740853800, taken, ids[0])  # idempotent
    store.record_watch_version(1740940200, taken + dt.timedelta(days=1), None)
    assert store.watch_versions() == {1740853800, 1740940200}
    assert store.watch_alerts_sent("cf").empty
    store.record_watch_alert("cf", "k2", "file", dt.date(2025, 3, 2))
    store.record_watch_alert("cf", "k1", "webhook", dt.date(2025, 3, 1))
    store.record_watch_alert("cf", "k1", "webhook", dt.date(2025, 3, 1))  # idempotent
    store.record_watch_alert("other", "k1", "file", dt.date(2025, 3, 1))
    sent = store.watch_alerts_sent("cf")
    assert list(sent.columns) == ["alert_key", "sink", "date", "sent_at"]
    assert sorted(zip(sent["alert_key"], sent["sink"], strict=True)) == [
        ("k1", "webhook"),
        ("k2", "file"),
    ]
    assert str(sent["sent_at"].dt.tz) == "UTC"
    assert sent["sent_at"].is_monotonic_increasing
