"""Raw DeepStateMap map versions -> snapshots (synthetic and real data)."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path
from typing import Any

import numpy as np
import pyproj
import pytest
import shapely

from garant.errors import DataError, GeometryRepairedWarning, NotFoundError, SourceError
from garant.model import POINT_COLUMNS
from garant.sources import parse_map_version, read_map_version_file, read_raw_folder
from garant.sources.archive import read_archive_file

T0 = dt.datetime(2024, 8, 1, 20, 40, 7, tzinfo=dt.UTC)


def square(x: float, y: float, d: float = 0.1, z: bool = False) -> list[list[list[float]]]:
    ring = [[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]
    return [[[*p, 0.0] if z else p for p in ring]]


def feature(name: str | None, geometry: dict[str, Any], **props: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": {"name": name, **props}, "geometry": geometry}


def fc(*features: dict[str, Any]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}


def version() -> dict[str, Any]:
    return fc(
        feature(
            "Окуповано /// Occupied /// geoJSON.status.occupied\n",
            {"type": "Polygon", "coordinates": square(37.0, 47.0, z=True)},
        ),
        feature(
            "Окуповано /// Occupied",
            {
                "type": "GeometryCollection",
                "geometries": [
                    {"type": "Polygon", "coordinates": square(37.05, 47.05)},
                    {"type": "Polygon", "coordinates": square(38.0, 48.0)},
                ],
            },
        ),
        feature(
            "Окупований Крим /// Occupied Crimea\xa0/// geoJSON.territories.crimea",
            {"type": "Polygon", "coordinates": square(34.0, 45.0, 0.5)},
        ),
        feature(
            "Статус невідомий /// Unknown status",
            {"type": "Polygon", "coordinates": square(37.2, 47.2)},
        ),
        feature(
            "Звільнено 25.03 /// Liberated 25.03",
            {"type": "Polygon", "coordinates": square(36.0, 49.0)},
        ),
        feature(
            "Придністров'я.\n///\nTransnistria.",
            {"type": "Polygon", "coordinates": square(29.5, 47.0)},
        ),
        feature("Something new", {"type": "Polygon", "coordinates": square(30.0, 50.0)}),
        feature(
            "Напрямок удару /// Direction of attack\n",
            {"type": "Point", "coordinates": [37.5, 48.0, 0]},
        ),
        feature(
            "10-й танковий полк ///10th tank regiment\xa0/// geoJSON.units.regiment.10-tank",
            {"type": "Point", "coordinates": [37.6, 48.1, 0]},
        ),
        feature("Київ///Kyiv", {"type": "Point", "coordinates": [30.5, 50.45, 0]}),
    )


def test_parse_map_version_kinds_points_and_notes() -> None:
    snap = parse_map_version(
        version(), source="deepstatemap-api", source_ref="1722544807", taken_at=T0
    )
    assert snap.date == dt.date(2024, 8, 1)
    assert snap.source == "deepstatemap-api"
    assert set(snap.layers) == {
        "occupied",
        "occupied_pre2022",
        "grey_zone",
        "liberated",
        "foreign",
        "other",
    }
    occ = snap.layers["occupied"]
    assert not occ.has_z
    assert occ.is_valid
    assert len(shapely.get_parts(occ)) == 2  # two overlapping squares dissolved + one apart
    assert snap.layers["occupied_pre2022"].area == pytest.approx(0.25)
    pts = snap.points
    assert list(pts.columns[:4]) == list(POINT_COLUMNS)
    assert pts.crs.to_epsg() == 4326
    assert sorted(pts["kind"]) == ["attack_direction", "label", "unit"]
    assert not any(g.has_z for g in pts.geometry)
    unit = pts[pts["kind"] == "unit"].iloc[0]
    assert (unit["key"], unit["name_uk"], unit["name_en"]) == (
        "geoJSON.units.regiment.10-tank",
        "10-й танковий полк",
        "10th tank regiment",
    )
    assert any("unrecognised layer names" in n and "Something new" in n for n in snap.notes)


def test_same_content_same_hash_other_order() -> None:
    a = parse_map_version(version(), source="deepstatemap-raw", source_ref="a", taken_at=T0)
    v = version()
    v["features"].reverse()
    b = parse_map_version(v, source="deepstatemap-raw", source_ref="b", taken_at=T0)
    assert a.content_hash == b.content_hash


def test_line_in_polygon_layer_is_an_error() -> None:
    v = version()
    v["features"].append(
        feature(
            "Окуповано /// Occupied", {"type": "LineString", "coordinates": [[37, 47], [38, 48]]}
        )
    )
    with pytest.raises(
        DataError, match=r"ref1: feature 10 .*LineString in polygon layer 'occupied'"
    ):
        parse_map_version(v, source="deepstatemap-raw", source_ref="ref1", taken_at=T0)


def test_bow_tie_is_repaired_with_warning_and_note() -> None:
    bow = [[[37.0, 47.0], [37.2, 47.2], [37.2, 47.0], [37.0, 47.2], [37.0, 47.0]]]
    v = fc(feature("Окуповано /// Occupied", {"type": "Polygon", "coordinates": bow}))
    with pytest.warns(GeometryRepairedWarning, match="bow: repaired invalid polygons"):
        snap = parse_map_version(v, source="deepstatemap-raw", source_ref="bow", taken_at=T0)
    assert snap.layers["occupied"].is_valid
    assert snap.layers["occupied"].area == pytest.approx(0.02)
    assert any("repaired" in n for n in snap.notes)


def test_empty_snapshot_is_an_error() -> None:
    v = fc(
        feature(
            "Статус невідомий /// Unknown status",
            {"type": "Polygon", "coordinates": square(37, 47)},
        )
    )
    with pytest.raises(DataError, match="x: empty snapshot"):
        parse_map_version(v, source="deepstatemap-raw", source_ref="x", taken_at=T0)


def test_swapped_coordinates_are_an_error() -> None:
    v = fc(
        feature(
            "Окуповано /// Occupied",
            {"type": "Polygon", "coordinates": [[[p[1], p[0]] for p in square(37.0, 47.0)[0]]]},
        )
    )
    with pytest.raises(DataError, match="outside the region of Ukraine"):
        parse_map_version(v, source="deepstatemap-raw", source_ref="x", taken_at=T0)


def test_future_date_is_an_error() -> None:
    future = dt.datetime.now(dt.UTC) + dt.timedelta(days=3)
    with pytest.raises(DataError, match="is in the future"):
        parse_map_version(version(), source="deepstatemap-raw", source_ref="x", taken_at=future)


def test_not_a_feature_collection() -> None:
    with pytest.raises(DataError, match=r"x: not a GeoJSON FeatureCollection \(type 'Feature'\)"):
        parse_map_version(
            {"type": "Feature"}, source="deepstatemap-raw", source_ref="x", taken_at=T0
        )
    with pytest.raises(DataError, match="not a GeoJSON FeatureCollection"):
        parse_map_version([1, 2], source="deepstatemap-raw", source_ref="x", taken_at=T0)


# ------------------------------------------------------------------------- files


def write(path: Path, obj: Any, *, gz: bool = False) -> Path:
    data = json.dumps(obj).encode()
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def test_read_file_plain_and_gzip(tmp_path: Path) -> None:
    a = read_map_version_file(write(tmp_path / "1722544807.geojson", version()))
    b = read_map_version_file(write(tmp_path / "1722544807.geojson.gz", version(), gz=True))
    assert a.taken_at == T0
    assert a.date == T0.date()
    assert a.source_ref == "1722544807.geojson"
    assert a.content_hash == b.content_hash


def test_bad_files(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"map\.geojson: bad file name"):
        read_map_version_file(write(tmp_path / "map.geojson", version()))
    bad = tmp_path / "1722544807.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": [}')
    with pytest.raises(DataError, match=r"1722544807\.geojson: malformed JSON at line 1"):
        read_map_version_file(bad)
    bad.write_text(json.dumps(version())[:500])
    with pytest.raises(DataError, match=r"1722544807\.geojson: truncated JSON"):
        read_map_version_file(bad)
    gz = tmp_path / "1722544808.geojson.gz"
    gz.write_bytes(gzip.compress(json.dumps(version()).encode())[:300])
    with pytest.raises(DataError, match=r"1722544808\.geojson\.gz: truncated gzip stream"):
        read_map_version_file(gz)
    with pytest.raises(NotFoundError, match="no such file"):
        read_map_version_file(tmp_path / "1722544809.geojson")


def test_read_folder(tmp_path: Path) -> None:
    write(tmp_path / "1722544807.geojson", version())
    write(tmp_path / "1720000000.geojson.gz", version(), gz=True)
    (tmp_path / "README.md").write_text("notes")
    done: list[int] = []
    snaps = list(read_raw_folder(tmp_path, progress=done.append))
    assert [s.source_ref for s in snaps] == ["1720000000.geojson.gz", "1722544807.geojson"]
    assert done == [1, 1]
    write(tmp_path / "1722544807.geojson.gz", version(), gz=True)
    with pytest.raises(
        DataError, match=r"duplicate map version 1722544807 \(also .*1722544807\.geojson\)"
    ):
        list(read_raw_folder(tmp_path))
    (tmp_path / "1722544807.geojson.gz").unlink()
    (tmp_path / "notes.csv").write_text("x")
    with pytest.raises(DataError, match=r"notes\.csv: unexpected file name"):
        list(read_raw_folder(tmp_path))
    with pytest.raises(NotFoundError, match="no such folder"):
        list(read_raw_folder(tmp_path / "absent"))
    with pytest.raises(SourceError, match="not a folder"):
        list(read_raw_folder(tmp_path / "README.md"))


# --------------------------------------------------------------------- real data

_TO_6933 = pyproj.Transformer.from_crs(4326, 6933, always_xy=True)


def area_km2(geom: shapely.Geometry) -> float:
    def fwd(c: np.ndarray) -> np.ndarray:
        x, y = _TO_6933.transform(c[:, 0], c[:, 1])
        return np.column_stack([x, y])

    return float(shapely.transform(geom, fwd).area) / 1e6


def test_real_version_2022_with_repairs(shared_data: Path) -> None:
    with pytest.warns(GeometryRepairedWarning):
        snap = read_map_version_file(shared_data / "deepstatemap-raw" / "1648989208.geojson")
    assert snap.date == dt.date(2022, 4, 3)
    assert {"occupied", "occupied_pre2022", "liberated", "grey_zone"} <= set(snap.layers)
    assert any("fill colour" in n for n in snap.notes)


def test_real_version_points(shared_data: Path) -> None:
    snap = read_map_version_file(shared_data / "deepstatemap-raw" / "1754077960.geojson")
    counts = snap.points["kind"].value_counts()
    assert counts["attack_direction"] > 20
    assert counts["unit"] > 100
    assert counts["label"] >= 3
    assert not any("unrecognised" in n for n in snap.notes)
    assert 100_000 < area_km2(snap.occupied) < 130_000


@pytest.mark.slow
def test_raw_occupied_matches_daily_archive(shared_data: Path) -> None:
    """A version of the evening of day D equals the archive file of D + 1 (within 0.5 %)."""
    ne = json.loads((shared_data / "geo" / "ne_10m_admin0_region.geojson").read_text())
    ukraine = next(
        shapely.geometry.shape(f["geometry"])
        for f in ne["features"]
        if f["properties"]["ISO_A3"] == "UKR"
    )
    compared = 0
    for path in sorted((shared_data / "deepstatemap-raw").glob("*.geojson")):
        if int(path.stem) < 1719792000:  # before 2024-07-01: no archive yet
            continue
        raw = read_map_version_file(path)
        file_day = raw.taken_at.date() + dt.timedelta(days=1)
        archive = shared_data / "deepstatemap" / f"deepstatemap_data_{file_day:%Y%m%d}.geojson"
        if not archive.exists():
            continue
        arch = read_archive_file(archive)
        assert arch.date == raw.date
        a_raw = area_km2(shapely.intersection(raw.occupied, ukraine))
        a_arch = area_km2(shapely.intersection(arch.occupied, ukraine))
        assert a_raw == pytest.approx(a_arch, rel=0.005), path.name
        compared += 1
    assert compared == 13  # 2024-08 .. 2025-08 (2024-07-01 predates the archive)
