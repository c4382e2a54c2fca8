"""The incremental engine against a temporary store with synthetic snapshots."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, box

from garant.frontline.engine import update_frontline
from garant.frontline.measures import FrontlineGeography, area_km2, measure_snapshot
from garant.frontline.sectors import Sectors, SectorSpec
from garant.model import Snapshot
from garant.store import open_store

LAND = box(30.0, 47.0, 34.0, 50.0)
D0 = dt.date(2025, 3, 1)


def _geo() -> FrontlineGeography:
    west, east = box(30.0, 47.0, 32.0, 50.0), box(32.0, 47.0, 34.0, 50.0)
    oblasts = gpd.GeoDataFrame(
        {"iso": ["UA-01", "UA-02"], "name": ["West", "East"]}, geometry=[west, east], crs=4326
    )
    oblasts["area_km2"] = [area_km2(west), area_km2(east)]
    towns = gpd.GeoDataFrame(
        {"name": ["Northtown", "Southtown"], "population": [20_000, 5_000]},
        geometry=gpd.points_from_xy([32.0, 32.0], [49.0, 47.5]),
        crs=4326,
    )
    boundary = gpd.GeoDataFrame(
        {"kind": ["russia"]}, geometry=[LineString([(34, 47), (34, 50)])], crs=4326
    )
    return FrontlineGeography(LAND, boundary, oblasts, towns)


SECTORS = Sectors(
    (
        SectorSpec(name="North", anchors=[(33.0, 49.5)], source="test"),
        SectorSpec(name="South", anchors=[(33.0, 47.5)], source="test"),
    )
)


def _territory(day: int) -> shapely.Geometry:
    """Occupied territory on day ``day``: creeps west, day 2 equals day 1."""
    x = 33.0 - 0.02 * (day if day != 2 else 1)
    g = box(x, 47.0, 34.5, 49.0)
    if day >= 3:
        g = shapely.union(g, box(x - 0.05, 48.0, x, 48.1))  # a salient across the oblast line?
    if day >= 4:
        g = shapely.difference(g, box(33.5, 48.5, 33.6, 48.6))  # a Ukrainian pocket
    return shapely.segmentize(g, 0.01)


def _snap(day: int, *, source: str = "archive", grey: bool = False) -> Snapshot:
    layers = {"occupied": _territory(day)}
    if grey:
        layers["grey_zone"] = box(32.5, 48.0, 33.2, 48.5)
    return Snapshot.build(
        date=D0 + dt.timedelta(days=day),
        taken_at=dt.datetime(2025, 3, 1, tzinfo=dt.UTC) + dt.timedelta(days=day, hours=20),
        source=source,
        source_ref=f"{source}-{day}",
        layers=layers,
        today=dt.date(2030, 1, 1),
    )


def test_engine_incremental_matches_full(store_path: Path) -> None:
    geo = _geo()
    with open_store(store_path) as store:
        store.add_snapshots([_snap(d) for d in (0, 1, 2, 3, 5)])
        r = update_frontline(store, geography=geo, sectors=SECTORS)
        assert r.updated == 5
        assert r.reused == 1
        assert r.computed == 4
        m = store.measures().set_index("date")
        # Day 2 repeats day 1: copied, no change.
        day2 = m.loc[D0 + dt.timedelta(days=2)]
        assert day2["net_km2"] == 0
        assert day2["gap_days"] == 1
        # Incremental areas agree with measuring each snapshot from scratch.
        for day in (0, 1, 3, 5):
            full = measure_snapshot({"occupied": _territory(day)}, geography=geo)
            row = m.loc[D0 + dt.timedelta(days=day)]
            assert row["occupied_km2"] == pytest.approx(full["occupied_km2"], rel=1e-9)
            assert row["line_km"] == pytest.approx(full["line_km"], rel=1e-9)
        # net = change of occupied area; gained/lost add up.
        tl = m.sort_index()
        diff = tl["occupied_km2"].diff().iloc[1:].to_numpy()
        np.testing.assert_allclose(tl["net_km2"].iloc[1:].to_numpy(), diff, atol=1e-6)
        assert tl.loc[D0 + dt.timedelta(days=5), "gap_days"] == 2
        ch = store.changes()
        assert set(ch["kind"]) == {"gained", "lost"}
        assert set(ch["sector"]) <= {"North", "South"}
        assert set(ch["settlement"]) <= {"Northtown", "Southtown"}
        ob = store.oblast_measures()
        per_snap = ob.groupby("snapshot_id")["occupied_km2"].sum()
        by_id = store.measures().set_index("snapshot_id")["occupied_km2"]
        np.testing.assert_allclose(per_snap.sort_index(), by_id.sort_index(), rtol=1e-9)
        assert len(store.lines()) == 5

        # Nothing to do the second time.
        assert update_frontline(store, geography=geo, sectors=SECTORS).updated == 0

        # A new day and a day inserted in the gap: only they and the successor change.
        store.add_snapshots([_snap(6), _snap(4)])
        r2 = update_frontline(store, geography=geo, sectors=SECTORS)
        ids = store.timeline().set_index("date")["snapshot_id"]
        expect = {int(ids[D0 + dt.timedelta(days=d)]) for d in (4, 5, 6)}
        assert set(r2.snapshot_ids) == expect
        inc = store.measures().set_index("snapshot_id").sort_index()
        inc_changes = store.changes()

        r3 = update_frontline(store, geography=geo, sectors=SECTORS, full=True)
        assert r3.full
        assert r3.updated == 7
        full = store.measures().set_index("snapshot_id").sort_index()
        cols = ["occupied_km2", "line_km", "gained_km2", "lost_km2", "net_km2", "gap_days"]
        np.testing.assert_allclose(
            inc[cols].to_numpy(dtype=float), full[cols].to_numpy(dtype=float), rtol=1e-9, atol=1e-9
        )
        assert len(store.changes()) == len(inc_changes)


def test_engine_off_timeline_and_grey_zone(store_path: Path) -> None:
    geo = _geo()
    with open_store(store_path) as store:
        store.add_snapshots([_snap(0), _snap(1), _snap(1, source="file", grey=True)])
        r = update_frontline(store, geography=geo, sectors=SECTORS)
        assert r.updated == 3
        m = store.measures().set_index("source_ref")
        off = m.loc["file-1"]
        assert not off["on_timeline"]
        assert np.isnan(off["prev_snapshot_id"])
        assert np.isnan(off["net_km2"])
        expect = area_km2(shapely.difference(box(32.5, 48.0, 33.2, 48.5), _territory(1)))
        assert off["grey_zone_km2"] == pytest.approx(expect)
        assert np.isnan(m.loc["archive-1", "grey_zone_km2"])
        assert bool(m.loc["archive-1", "on_timeline"])
        # Changes only along the timeline.
        assert set(store.changes()["to_snapshot_id"]) == {int(m.loc["archive-1", "snapshot_id"])}


def test_engine_empty_store(store_path: Path) -> None:
    with open_store(store_path) as store:
        r = update_frontline(store, geography=_geo(), sectors=SECTORS)
        assert r.updated == 0
        assert "up to date" in r.summary()
