"""The daily archive: folder, unified .geojson.gz and single files."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from garant.errors import DataError, NotFoundError
from garant.sources import read_archive, read_archive_file
from garant.sources.archive import ARCHIVE_NOTE


def multipolygon(x: float = 37.0, y: float = 47.0, d: float = 0.5) -> dict[str, Any]:
    ring = [[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]
    far = [[p[0] - 3, p[1] - 2] for p in ring]
    return {"type": "MultiPolygon", "coordinates": [[ring], [far]]}


def daily(geometry: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "name": "deepstatemap_data",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
        "features": [{"type": "Feature", "properties": {}, "geometry": geometry or multipolygon()}],
    }


def unified(dates: list[str]) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "id": str(i),
                "type": "Feature",
                "properties": {"date": d},
                "geometry": multipolygon(37.0 + i * 0.01),
            }
            for i, d in enumerate(dates)
        ],
    }


def write(path: Path, obj: Any, *, gz: bool = False) -> Path:
    data = json.dumps(obj).encode()
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def test_date_convention(tmp_path: Path) -> None:
    snap = read_archive_file(write(tmp_path / "deepstatemap_data_20240708.geojson", daily()))
    assert snap.taken_at == dt.datetime(2024, 7, 8, 3, tzinfo=dt.UTC)
    assert snap.date == dt.date(2024, 7, 7)
    assert snap.source == "archive"
    assert snap.source_ref == "deepstatemap_data_20240708.geojson"
    assert set(snap.layers) == {"occupied"}
    assert snap.notes == (ARCHIVE_NOTE,)


def test_folder_sorted_with_progress_and_readme(tmp_path: Path) -> None:
    write(tmp_path / "deepstatemap_data_20240710.geojson", daily(multipolygon(37.1)))
    write(tmp_path / "deepstatemap_data_20240708.geojson.gz", daily(), gz=True)
    (tmp_path / "README.md").write_text("about")
    (tmp_path / "SHA256SUMS").write_text("x")
    done: list[int] = []
    snaps = list(read_archive(tmp_path, progress=done.append))
    assert [s.date for s in snaps] == [dt.date(2024, 7, 7), dt.date(2024, 7, 9)]
    assert done == [1, 1]


def test_folder_errors(tmp_path: Path) -> None:
    write(tmp_path / "deepstatemap_data_20240708.geojson", daily())
    write(tmp_path / "deepstatemap_data_20240708.geojson.gz", daily(), gz=True)
    with pytest.raises(
        DataError, match=r"duplicate date 2024-07-08 \(also deepstatemap_data_20240708\.geojson\)"
    ):
        list(read_archive(tmp_path))
    (tmp_path / "deepstatemap_data_20240708.geojson.gz").unlink()
    write(tmp_path / "deepstatemap_20240709.geojson", daily())
    with pytest.raises(DataError, match=r"deepstatemap_20240709\.geojson: unexpected file name"):
        list(read_archive(tmp_path))
    with pytest.raises(NotFoundError, match="no such file"):
        list(read_archive(tmp_path / "missing"))


def test_bad_daily_files(tmp_path: Path) -> None:
    f = tmp_path / "deepstatemap_data_20240708.geojson"
    f.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature",, }]}')
    with pytest.raises(DataError, match=r"20240708\.geojson: malformed JSON at line 1, column 63"):
        read_archive_file(f)
    f.write_text(json.dumps(daily())[:300])
    with pytest.raises(DataError, match=r"20240708\.geojson: truncated JSON"):
        read_archive_file(f)
    write(f, {"type": "Feature", "properties": {}, "geometry": multipolygon()})
    with pytest.raises(DataError, match=r"20240708\.geojson: not a GeoJSON FeatureCollection"):
        read_archive_file(f)
    write(f, daily({"type": "LineString", "coordinates": [[37, 47], [38, 48]]}))
    with pytest.raises(
        DataError, match=r"20240708\.geojson: layer 'occupied' has geometry type LineString"
    ):
        read_archive_file(f)
    write(f, {"type": "FeatureCollection", "features": []})
    with pytest.raises(DataError, match=r"20240708\.geojson: empty snapshot"):
        read_archive_file(f)
    swapped = multipolygon()
    swapped["coordinates"] = [[[[y, x] for x, y in poly[0]]] for poly in swapped["coordinates"]]
    write(f, daily(swapped))
    with pytest.raises(DataError, match="outside the region of Ukraine"):
        read_archive_file(f)
    future = tmp_path / "deepstatemap_data_20990102.geojson"
    write(future, daily())
    with pytest.raises(DataError, match="date 2099-01-01 is in the future"):
        read_archive_file(future)
    with pytest.raises(DataError, match=r"bad date '20241399' in file name"):
        read_archive_file(write(tmp_path / "deepstatemap_data_20241399.geojson", daily()))
    gz = tmp_path / "deepstatemap_data_20240709.geojson.gz"
    gz.write_bytes(gzip.compress(json.dumps(daily()).encode())[:200])
    with pytest.raises(DataError, match=r"20240709\.geojson\.gz: truncated gzip stream"):
        read_archive_file(gz)


def test_bow_tie_repaired(tmp_path: Path) -> None:
    from garant.errors import GeometryRepairedWarning

    bow = {
        "type": "Polygon",
        "coordinates": [[[37, 47], [37.2, 47.2], [37.2, 47], [37, 47.2], [37, 47]]],
    }
    f = write(tmp_path / "deepstatemap_data_20240708.geojson", daily(bow))
    with pytest.warns(GeometryRepairedWarning):
        snap = read_archive_file(f)
    assert snap.layers["occupied"].is_valid
    assert any("repaired" in n for n in snap.notes)


def test_unified_layout(tmp_path: Path) -> None:
    path = write(
        tmp_path / "deepstate-map-data.geojson.gz",
        unified(["2024-07-09", "2024-07-08", "2024-07-10"]),
        gz=True,
    )
    snaps = list(read_archive(path))
    assert [s.date for s in snaps] == [
        dt.date(2024, 7, 7),
        dt.date(2024, 7, 8),
        dt.date(2024, 7, 9),
    ]
    assert snaps[0].source_ref == "deepstate-map-data.geojson.gz#2024-07-08"
    # the slow path (a feature without date) names the feature
    obj = unified(["2024-07-08", "2024-07-09"])
    del obj["features"][1]["properties"]["date"]
    with pytest.raises(DataError, match="feature 1 has no 'date' property"):
        list(read_archive(write(tmp_path / "u.geojson.gz", obj, gz=True)))


def test_unified_duplicate_dates(tmp_path: Path) -> None:
    path = write(tmp_path / "u.geojson", unified(["2024-07-08", "2024-07-09", "2024-07-08"]))
    with pytest.raises(
        DataError, match=r"u\.geojson: duplicate date 2024-07-08 \(features 0 and 2\)"
    ):
        list(read_archive(path))
    path = write(tmp_path / "v.geojson", unified(["2024-07-08", "July 9"]))
    with pytest.raises(DataError, match=r"feature 1: bad date property 'July 9'"):
        list(read_archive(path))


def test_fast_and_slow_paths_agree(tmp_path: Path) -> None:
    from garant.sources import archive

    path = write(tmp_path / "deepstatemap_data_20240708.geojson", daily())
    fast = read_archive_file(path)
    slow = archive._snapshot(
        archive._feature_geometry(daily()["features"][0], "x"),
        dt.date(2024, 7, 8),
        source="archive",
        source_ref=path.name,
    )
    assert fast.content_hash == slow.content_hash


def test_real_archive_sample(shared_data: Path) -> None:
    folder = shared_data / "deepstatemap"
    first = read_archive_file(folder / "deepstatemap_data_20240708.geojson")
    assert first.date == dt.date(2024, 7, 7)
    assert first.layers["occupied"].geom_type == "MultiPolygon"


@pytest.mark.slow
def test_real_archive_folder(shared_data: Path) -> None:
    snaps = list(read_archive(shared_data / "deepstatemap"))
    assert len(snaps) == 769
    dates = [s.date for s in snaps]
    assert dates == sorted(dates)
    assert dates[0] == dt.date(2024, 7, 7)
    assert dates[-1] == dt.date(2026, 8, 21)
    assert len({s.polygon_hash for s in snaps}) == 769 - 113
