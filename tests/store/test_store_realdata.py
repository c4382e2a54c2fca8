"""The store on a few real daily-archive files (../shared/data/deepstatemap)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import shapely

from garant.model import Snapshot
from garant.store import open_store

FILES = (
    "deepstatemap_data_20240708.geojson",
    "deepstatemap_data_20240709.geojson",
    "deepstatemap_data_20250402.geojson",
)


def _archive_snapshot(path: Path) -> Snapshot:
    """A snapshot from one daily-archive file (the real reader lives in garant.sources)."""
    fc = json.loads(path.read_text())
    geom = shapely.from_geojson(json.dumps(fc["features"][0]["geometry"]))
    file_day = dt.datetime.strptime(path.stem.rsplit("_", 1)[1], "%Y%m%d").date()
    return Snapshot.build(
        date=file_day - dt.timedelta(days=1),  # the morning download holds the evening update
        taken_at=dt.datetime.combine(file_day, dt.time(3), tzinfo=dt.UTC),
        source="archive",
        source_ref=path.name,
        layers={"occupied": geom},
    )


@pytest.mark.shared
def test_real_snapshots_round_trip_and_spatial_sql(shared_data: Path, tmp_path: Path) -> None:
    snaps = [_archive_snapshot(shared_data / "deepstatemap" / f) for f in FILES]
    path = tmp_path / "real.duckdb"
    with open_store(path) as store:
        res = store.add_snapshots(snaps)
        assert len(res.added_ids) == 3
        assert store.add_snapshots(snaps).unchanged == 3
        for sid, snap in zip(res.added_ids, snaps, strict=True):
            back = store.load_snapshot(sid)
            assert back.content_hash == snap.content_hash
            assert back.layers["occupied"] == snap.layers["occupied"]  # exact coordinates
        occ = store.load_occupied(res.added_ids)
        assert occ[res.added_ids[0]].equals(snaps[0].occupied)
        assert store.find_snapshot(dt.date(2024, 7, 7)) == res.added_ids[0]
    # the file answers spatial SQL; PROVENANCE.md: 109,361 km² (EPSG:6933) in the 2024-07-08 file
    with open_store(path, read_only=True) as store:
        df = store.sql(
            "SELECT s.source_ref, ST_NPoints(l.geom) AS n, "
            "ST_Area(ST_Transform(l.geom, 'EPSG:4326', 'EPSG:6933', always_xy := true)) / 1e6 "
            "AS area_km2 FROM layers l JOIN snapshots s USING (snapshot_id) ORDER BY s.date"
        )
    assert list(df["source_ref"]) == list(FILES)
    assert df["area_km2"].iloc[0] == pytest.approx(109_361, abs=1)
    assert list(df["n"]) == [shapely.get_num_coordinates(s.occupied) for s in snaps]
