"""Snapshots in the store: round trip, idempotent ingest, revisions, rollback, timeline."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from garant.errors import DataError, NotFoundError, StoreError
from garant.model import Snapshot
from garant.store import IngestResult, Store, open_store

MakeSnap = Callable[..., Snapshot]
MakeSnaps = Callable[..., list[Snapshot]]


def test_round_trip_keeps_geometry_points_and_hash(store: Store, make_snap: MakeSnap) -> None:
    snap = make_snap(grey=True, n_points=3, notes=("repaired something",))
    result = store.add_snapshots([snap])
    assert result == IngestResult(added_ids=(1,), revised_ids=(), unchanged=0)
    back = store.load_snapshot(1)
    assert back.content_hash == snap.content_hash
    assert (back.date, back.source, back.source_ref) == (snap.date, snap.source, snap.source_ref)
    assert back.taken_at == snap.taken_at
    assert back.taken_at.utcoffset() == dt.timedelta(0)
    assert back.notes == snap.notes
    assert set(back.layers) == set(snap.layers)
    for kind, geom in snap.layers.items():
        assert shapely.equals_exact(back.layers[kind], geom, tolerance=0), kind
    assert back.occupied.equals(snap.occupied)
    assert back.polygon_hash == snap.polygon_hash
    assert len(back.points) == 6
    assert back.points.crs.to_epsg() == 4326
    assert list(back.points["key"]) == list(snap.points["key"])
    assert list(back.points["name_uk"]) == list(snap.points["name_uk"])
    assert list(back.points.geometry) == list(snap.points.geometry)
    row = store.snapshots().iloc[0]
    assert row["revision"] == 1
    assert row["content_hash"] == snap.content_hash
    assert row["polygon_hash"] == snap.polygon_hash
    assert row["notes"] == ["repaired something"]
    assert row["date"] == snap.date


def test_snapshot_without_points_round_trips(store: Store, make_snap: MakeSnap) -> None:
    store.add_snapshots([make_snap(pre2022=False)])
    back = store.load_snapshot(1)
    assert back.points.empty
    assert list(back.layers) == ["occupied"]


def test_reingest_is_a_noop(store: Store, make_snaps: MakeSnaps) -> None:
    snaps = make_snaps(5)
    first = store.add_snapshots(snaps)
    assert len(first.added_ids) == 5
    before = store.snapshots()
    again = store.add_snapshots(snaps)
    assert again == IngestResult(added_ids=(), revised_ids=(), unchanged=5)
    assert again.summary() == "5 snapshots: 0 added, 0 revised, 5 unchanged"
    after = store.snapshots()
    assert after.drop(columns="notes").equals(before.drop(columns="notes"))


def test_changed_content_becomes_a_new_revision(store: Store, make_snap: MakeSnap) -> None:
    day = dt.date(2025, 3, 1)
    store.add_snapshots([make_snap(day), make_snap(day + dt.timedelta(days=1))])
    res = store.add_snapshots([make_snap(day, shift=0.2)])
    assert res.added_ids == ()
    assert res.revised_ids == (3,)
    snaps = store.snapshots()
    assert len(snaps) == 3
    assert sorted(snaps[snaps["date"] == day]["revision"]) == [1, 2]
    # the old revision is kept, unchanged
    assert store.load_snapshot(1).layers["occupied"].equals(make_snap(day).layers["occupied"])
    assert store.find_snapshot(day) == 3
    # re-sending either revision is a no-op
    again = store.add_snapshots([make_snap(day), make_snap(day, shift=0.2)])
    assert again.unchanged == 2
    assert len(store.snapshots()) == 3


def test_revisions_within_one_batch(store: Store, make_snap: MakeSnap) -> None:
    day = dt.date(2025, 3, 1)
    batch = [make_snap(day), make_snap(day, shift=0.1), make_snap(day), make_snap(day, shift=0.2)]
    res = store.add_snapshots(batch)
    assert (res.added_ids, res.revised_ids, res.unchanged) == ((1,), (2, 3), 1)
    assert list(store.snapshots()["revision"]) == [1, 2, 3]


def test_failure_mid_batch_leaves_store_unchanged(
    store: Store, make_snaps: MakeSnaps, derived_for: Callable[..., Any]
) -> None:
    ids = store.add_snapshots(make_snaps(3)).added_ids
    store.replace_derived(*derived_for(store, ids))
    before = (store.snapshots(), store.measures(), store.changes(), store.lines())
    seen: list[int] = []

    def generator() -> Iterator[Snapshot]:
        # more than one write chunk (128) goes through before the failure
        yield from make_snaps(300, start=dt.date(2024, 1, 1))
        raise RuntimeError("reader broke halfway")

    with pytest.raises(RuntimeError, match="reader broke halfway"):
        store.add_snapshots(generator(), progress=seen.append)
    assert len(seen) == 300
    after = (store.snapshots(), store.measures(), store.changes(), store.lines())
    assert len(after[0]) == 3
    for b, a in zip(before, after, strict=True):
        assert a.drop(columns=[c for c in ("notes", "geometry") if c in a]).equals(
            b.drop(columns=[c for c in ("notes", "geometry") if c in b])
        )
    assert store.snapshots_without_measures() == []
    # the store still works, and the failed batch can be retried
    res = store.add_snapshots(make_snaps(300, start=dt.date(2024, 1, 1)))
    assert len(res.added_ids) == 300


def test_non_snapshot_item_is_a_data_error_and_rolls_back(
    store: Store, make_snap: MakeSnap
) -> None:
    with pytest.raises(DataError, match="expected Snapshot objects, got dict"):
        store.add_snapshots([make_snap(), {"date": "2025-01-01"}])  # type: ignore[list-item]
    assert store.snapshots().empty


def test_timeline_prefers_sources_by_priority(store: Store, make_snap: MakeSnap) -> None:
    d1, d2, d3 = dt.date(2025, 3, 1), dt.date(2025, 3, 2), dt.date(2025, 3, 3)
    store.add_snapshots(
        [
            make_snap(d1, source="demo"),
            make_snap(d1, source="archive"),
            make_snap(d2, source="deepstatemap-api"),
            make_snap(d2, source="deepstatemap-api", shift=0.1),  # revision 2
            make_snap(d3, source="file"),
        ]
    )
    tl = store.timeline()
    assert list(tl["date"]) == [d1, d2, d3]
    assert list(tl["source"]) == ["archive", "deepstatemap-api", "file"]
    assert list(tl["revision"]) == [1, 2, 1]
    assert list(tl["snapshot_id"]) == [2, 4, 5]
    tl2 = store.timeline(priority=["demo", "archive"])
    assert list(tl2["source"]) == ["demo", "deepstatemap-api", "file"]  # unlisted rank last
    assert store.find_snapshot(d1) == 2
    assert store.find_snapshot("2025-03-01", source="demo") == 1
    assert store.find_snapshot(d2) == 4
    assert store.latest_date() == d3


def test_find_snapshot_names_date_and_range(store: Store, make_snap: MakeSnap) -> None:
    with pytest.raises(NotFoundError, match="holds no snapshots"):
        store.find_snapshot(dt.date(2025, 3, 1))
    store.add_snapshots([make_snap(dt.date(2025, 3, 1)), make_snap(dt.date(2025, 3, 5))])
    with pytest.raises(
        NotFoundError,
        match=r"no snapshot for 2025-03-03 \(store covers 2025-03-01 \.\. 2025-03-05; "
        r"nearest before: 2025-03-01, after: 2025-03-05\)",
    ):
        store.find_snapshot(dt.date(2025, 3, 3))
    with pytest.raises(NotFoundError, match="from demo"):
        store.find_snapshot(dt.date(2025, 3, 1), source="demo")
    with pytest.raises(DataError, match="not a date"):
        store.find_snapshot("March 1st")


def test_load_occupied_matches_snapshot(store: Store, make_snaps: MakeSnaps) -> None:
    snaps = make_snaps(4)
    ids = store.add_snapshots(snaps).added_ids
    occ = store.load_occupied([ids[2], ids[0]])
    assert list(occ) == [ids[2], ids[0]]
    assert occ[ids[0]].equals(snaps[0].occupied)
    assert occ[ids[2]].equals(snaps[2].occupied)
    assert store.load_occupied([]) == {}
    with pytest.raises(NotFoundError, match=r"snapshots 98, 99: not in .*ids 1\.\.4"):
        store.load_occupied([ids[0], 98, 99])
    with pytest.raises(NotFoundError, match="snapshot 42"):
        store.load_snapshot(42)


def test_snapshots_filter_by_source(store: Store, make_snap: MakeSnap) -> None:
    store.add_snapshots([make_snap(source="demo"), make_snap(source="archive")])
    assert list(store.snapshots(source="demo")["source"]) == ["demo"]
    assert store.snapshots(source="file").empty
    cols = list(store.snapshots().columns)
    assert cols[:3] == ["snapshot_id", "date", "source"]
    assert str(store.snapshots()["taken_at"].dt.tz) == "UTC"


def test_nested_transaction_joins_and_rolls_back(store: Store, make_snap: MakeSnap) -> None:
    def add_two_then_fail() -> None:
        with store.transaction():
            store.add_snapshots([make_snap(dt.date(2025, 3, 1))])
            store.add_snapshots([make_snap(dt.date(2025, 3, 2))])
            raise ValueError("boom")

    def swallow_inner_failure() -> None:
        with store.transaction():
            store.add_snapshots([make_snap(dt.date(2025, 3, 1))])
            with contextlib.suppress(DataError):
                store.add_snapshots([object()])  # type: ignore[list-item]

    with pytest.raises(ValueError, match="boom"):
        add_two_then_fail()
    assert store.snapshots().empty
    # an inner failure swallowed by the caller still rolls back the whole transaction
    with pytest.raises(StoreError, match="nested block"):
        swallow_inner_failure()
    assert store.snapshots().empty
    with store.transaction():
        store.add_snapshots([make_snap(dt.date(2025, 3, 1))])
        store.add_snapshots([make_snap(dt.date(2025, 3, 2))])
    assert len(store.snapshots()) == 2


_POOL = [
    (dt.date(2025, 3, 1) + dt.timedelta(days=d), shift, src)
    for d in range(3)
    for shift in (0.0, 0.1)
    for src in ("archive", "demo")
]


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(picks=st.lists(st.sampled_from(_POOL), max_size=10))
def test_ingest_is_idempotent_property(
    new_store_location: Callable[[], Path | str],
    make_snap: MakeSnap,
    picks: list[tuple[dt.date, float, str]],
) -> None:
    snaps = [make_snap(d, source=s, shift=sh) for d, sh, s in picks]
    with open_store(new_store_location()) as store:
        first = store.add_snapshots(snaps)
        distinct = {(s.source, s.date, s.content_hash) for s in snaps}
        assert len(first.added_ids) + len(first.revised_ids) == len(distinct)
        assert first.total == len(snaps)
        again = store.add_snapshots(reversed(snaps))
        assert again.unchanged == len(snaps)
        assert len(store.snapshots()) == len(distinct)
        tl = store.timeline()
        assert len(tl) == len({s.date for s in snaps})
        assert tl["date"].is_monotonic_increasing
