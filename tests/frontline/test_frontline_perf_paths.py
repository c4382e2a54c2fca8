"""The fast paths of the frontline pipeline give exactly what the plain ones give.

Covers: both HashIndex back ends, the vectorised clipping, the parts form of
``split_changes``, the line of contact against a straightforward reference,
the occupied geometries handed from ``add_snapshots`` to ``update_frontline``
and the direct checkpoint of large transactions.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, MultiLineString, box
from shapely.geometry.base import BaseGeometry

import garant.store.duckdb as store_duckdb
from garant.frontline._hashindex import HashIndex
from garant.frontline.changes import clip_parts, split_change_parts, split_changes
from garant.frontline.engine import update_frontline
from garant.frontline.line import _TO_METRIC, ContactLineBuilder, part_lengths_km
from garant.frontline.measures import FrontlineGeography, area_km2, clip_to, clip_to_each
from garant.frontline.sectors import Sectors, SectorSpec
from garant.ingest import ingest
from garant.model import Snapshot
from garant.store import open_store

LAND = box(30.0, 47.0, 34.0, 50.0)
D0 = dt.date(2025, 3, 1)
SECTORS = Sectors((SectorSpec(name="Middle", anchors=[(33.0, 48.5)], source="test"),))


def _geo() -> FrontlineGeography:
    west, east = box(30.0, 47.0, 32.0, 50.0), box(32.0, 47.0, 34.0, 50.0)
    oblasts = gpd.GeoDataFrame(
        {"iso": ["UA-01", "UA-02"], "name": ["West", "East"]}, geometry=[west, east], crs=4326
    )
    oblasts["area_km2"] = [area_km2(west), area_km2(east)]
    towns = gpd.GeoDataFrame(
        {"name": ["Northtown"], "population": [20_000]},
        geometry=gpd.points_from_xy([32.0], [49.0]),
        crs=4326,
    )
    boundary = gpd.GeoDataFrame(
        {"kind": ["russia"]}, geometry=[LineString([(34, 47), (34, 50)])], crs=4326
    )
    return FrontlineGeography(LAND, boundary, oblasts, towns)


def _territory(day: int) -> BaseGeometry:
    """Creeps west by day, with a salient across the oblast line and a pocket."""
    x = 32.6 - 0.03 * day
    g: BaseGeometry = box(x, 47.2, 34.5, 49.0 + 0.01 * (day % 3))
    if day % 2:
        g = shapely.union(g, box(x - 0.7, 48.0, x, 48.1 + 0.01 * day))
    if day >= 3:
        g = shapely.difference(g, box(33.5, 48.5, 33.6, 48.6))
    return shapely.segmentize(g, 0.004)


def _snap(day: int) -> Snapshot:
    return Snapshot.build(
        date=D0 + dt.timedelta(days=day),
        taken_at=dt.datetime(2025, 3, 1, tzinfo=dt.UTC) + dt.timedelta(days=day, hours=20),
        source="archive",
        source_ref=f"archive-{day}",
        layers={"occupied": _territory(day)},
        today=dt.date(2030, 1, 1),
    )


@settings(max_examples=40, deadline=None)
@given(
    keys=st.lists(st.integers(0, 2**64 - 1), max_size=300),
    other=st.lists(st.integers(0, 2**64 - 1), max_size=50),
)
def test_frontline_perf_hashindex_back_ends_agree(keys: list[int], other: list[int]) -> None:
    k = np.array(keys, dtype=np.uint64)
    q = np.array(other + keys[::2], dtype=np.uint64)
    fast, plain = HashIndex(k).find(q), HashIndex(k, use_pandas=False).find(q)
    assert fast.dtype == plain.dtype == np.int64
    assert np.array_equal(fast >= 0, plain >= 0)
    found = fast >= 0
    # Duplicated keys may answer different positions, holding the same key.
    assert np.array_equal(k[fast[found]], k[plain[found]])
    assert np.array_equal(HashIndex(k).contains(q), np.isin(q, k))


def test_frontline_perf_clip_to_each_matches_clip_to() -> None:
    big = shapely.segmentize(shapely.Point(32.0, 48.0).buffer(1.0), 0.05)
    small = np.array(
        [
            box(31.9, 47.9, 32.1, 48.1),  # inside
            box(32.8, 47.9, 33.2, 48.1),  # across the edge
            box(35.0, 47.0, 35.1, 47.1),  # outside
            shapely.Polygon(),  # empty
        ],
        dtype=object,
    )
    got = clip_to_each(small, big)
    want = [clip_to(s, big) for s in small]
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert (g.is_empty and w.is_empty) or shapely.equals_exact(g, w, tolerance=0)
    per_pair = clip_to_each(small[:2], np.array([big, box(31.0, 47.0, 33.0, 48.0)]))
    assert shapely.equals_exact(per_pair[1], clip_to(small[1], box(31.0, 47.0, 33.0, 48.0)), 0)
    assert len(clip_to_each(np.zeros(0, dtype=object), big)) == 0


def test_frontline_perf_split_parts_match_split_changes() -> None:
    geo = _geo()
    for d in range(5):
        before, after = _territory(d), _territory(d + 1)
        gained, lost = split_changes(before, after)
        gp, lp = split_change_parts(before, after)
        for whole, parts in ((gained, gp), (lost, lp)):
            want = shapely.get_parts(whole)
            assert len(parts) == len(want)
            assert all(shapely.equals_exact(a, b, 0) for a, b in zip(parts, want, strict=True))
            clipped_a, clipped_b = clip_parts(parts, geo), clip_parts(whole, geo)
            assert len(clipped_a) == len(clipped_b)
            assert all(
                shapely.equals_exact(a, b, 0) for a, b in zip(clipped_a, clipped_b, strict=True)
            )
    empty_g, empty_l = split_change_parts(_territory(1), _territory(1))
    assert len(empty_g) == len(empty_l) == 0


def _reference_line(builder: ContactLineBuilder, occupied: BaseGeometry) -> MultiLineString:
    """The line of contact computed plainly: every vertex tested, runs by repeat."""
    rings = shapely.segmentize(shapely.get_rings(shapely.get_parts(occupied)), 0.01)
    xy, ring = shapely.get_coordinates(rings, return_index=True)
    x, y = _TO_METRIC.transform(xy[:, 0], xy[:, 1])
    keep = np.asarray(shapely.contains_xy(builder._core, x, y), dtype=bool)
    seg_ok = keep[:-1] & keep[1:] & (ring[:-1] == ring[1:])
    d = np.diff(np.r_[0, seg_ok.astype(np.int8), 0])
    begins, ends = np.flatnonzero(d == 1), np.flatnonzero(d == -1)
    if len(begins) == 0:
        return MultiLineString()
    lines = [shapely.linestrings(xy[b : e + 1]) for b, e in zip(begins, ends, strict=True)]
    merged = shapely.line_merge(MultiLineString(lines))
    parts = shapely.get_parts(merged)
    lengths = part_lengths_km(merged)
    return MultiLineString(list(parts[lengths >= builder.min_piece_km]))


def test_frontline_perf_line_matches_reference() -> None:
    builder = _geo().line_builder
    for d in range(6):  # consecutive days: the vertex memo is reused
        occ = _territory(d)
        line, km = builder.line_and_length(occ)
        ref = _reference_line(builder, occ)
        assert isinstance(line, MultiLineString)
        assert shapely.equals_exact(line, ref, tolerance=0)
        assert km == pytest.approx(float(part_lengths_km(ref).sum()), rel=1e-12)
    empty, km0 = builder.line_and_length(box(36.0, 47.0, 37.0, 48.0))  # outside Ukraine
    assert empty.is_empty
    assert km0 == 0.0


def _assert_same_derived(a: store_duckdb.DuckDBStore, b: store_duckdb.DuckDBStore) -> None:
    """Every derived table of two stores is the same, exactly (geometry by WKB)."""
    meta = ["source_ref", "revision"]
    pd.testing.assert_frame_equal(a.measures().drop(columns=meta), b.measures().drop(columns=meta))
    pd.testing.assert_frame_equal(a.oblast_measures(), b.oblast_measures())
    la, lb = a.lines(), b.lines()
    pd.testing.assert_frame_equal(la.drop(columns="geometry"), lb.drop(columns="geometry"))
    assert list(shapely.to_wkb(la.geometry.values)) == list(shapely.to_wkb(lb.geometry.values))
    ca, cb = a.changes(), b.changes()
    assert len(ca) > 0
    cols = ["change_id", "geometry"]
    pd.testing.assert_frame_equal(ca.drop(columns=cols), cb.drop(columns=cols))
    assert list(shapely.to_wkb(ca.geometry.values)) == list(shapely.to_wkb(cb.geometry.values))


def test_frontline_perf_given_occupied_equals_stored(tmp_path: Path) -> None:
    geo = _geo()
    snaps = [_snap(d) for d in range(6)]
    with open_store(tmp_path / "a.duckdb") as a, open_store(tmp_path / "b.duckdb") as b:
        a.add_snapshots(snaps)
        update_frontline(a, geography=geo, sectors=SECTORS)
        held: dict[int, BaseGeometry] = {}
        b.add_snapshots(snaps[:4])
        b.add_snapshots(snaps[4:], occupied=held)
        assert sorted(held) == sorted(int(i) for i in b.snapshots()["snapshot_id"])[4:]
        for sid, geom in b.load_occupied(list(held)).items():
            assert shapely.equals_exact(held[sid], geom, tolerance=0)
        # Snapshots 0-3 come from the store, 4-5 from ``held``.
        r = update_frontline(b, geography=geo, sectors=SECTORS, occupied=held)
        assert r.updated == 6
        _assert_same_derived(a, b)


def test_frontline_perf_large_commit_checkpoints(tmp_path: Path) -> None:
    folder = tmp_path / "archive"
    folder.mkdir()
    path = tmp_path / "s.duckdb"
    wal = path.with_name(path.name + ".wal")
    with open_store(path) as store:
        old = store_duckdb._DIRECT_CHECKPOINT_BYTES
        try:
            store_duckdb._DIRECT_CHECKPOINT_BYTES = 1  # every write counts as large
            store.add_snapshots([_snap(0), _snap(1)])
            assert not wal.exists() or wal.stat().st_size == 0
            store_duckdb._DIRECT_CHECKPOINT_BYTES = 1 << 40  # nothing is large
            store.add_snapshots([_snap(2)])
            assert wal.exists()
            assert wal.stat().st_size > 0
        finally:
            store_duckdb._DIRECT_CHECKPOINT_BYTES = old
        threshold = store.sql("SELECT current_setting('checkpoint_threshold') AS t")["t"][0]
        assert threshold == "16.0 MiB"  # restored after the large commit
        assert len(store.snapshots()) == 3
    with open_store(path, read_only=True) as store:
        assert len(store.snapshots()) == 3


def test_frontline_perf_ingest_archive_folder(shared_data: Path, tmp_path: Path) -> None:
    """``ingest`` (one transaction, geometries kept) equals add + update done apart."""
    files = sorted((shared_data / "deepstatemap").glob("deepstatemap_data_*.geojson"))[:6]
    if len(files) < 6:
        pytest.skip("needs 6 daily archive files")
    folder = tmp_path / "archive"
    folder.mkdir()
    for f in files[:5]:
        (folder / f.name).symlink_to(f.resolve())
    from garant.sources.archive import read_archive_file

    with open_store(tmp_path / "a.duckdb") as a, open_store(tmp_path / "b.duckdb") as b:
        a.add_snapshots(read_archive_file(f) for f in files)
        update_frontline(a)
        assert ingest(folder, store=b).measured == 5
        assert ingest(files[5], store=b).measured == 1
        _assert_same_derived(a, b)
