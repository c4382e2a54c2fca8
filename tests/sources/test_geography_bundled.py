"""The bundled data files: attribution, size, readability, demo history format."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from importlib.resources import files
from pathlib import Path

import pytest
import shapely
from shapely.geometry import shape

from garant.errors import DataError
from garant.sources import geography as geo

DATA = Path(str(files("garant") / "data"))
SKIP = {"ATTRIBUTION.md"}


def _bundled() -> list[Path]:
    return sorted(
        p
        for p in DATA.rglob("*")
        if p.is_file() and p.name not in SKIP and "__pycache__" not in p.parts
    )


def test_every_bundled_file_is_attributed() -> None:
    text = (DATA / "ATTRIBUTION.md").read_text(encoding="utf-8")
    missing = []
    for p in _bundled():
        rel = p.relative_to(DATA).as_posix()
        if p.parent.name == "raw" and p.name.endswith(".geojson.gz"):
            rel = "demo/raw/<unix-ts>.geojson.gz"
        if f"`{rel}`" not in text:
            missing.append(rel)
    assert not missing, f"not listed in ATTRIBUTION.md: {missing}"


def test_bundled_data_is_small() -> None:
    total = sum(p.stat().st_size for p in _bundled())
    assert total < 4.5 * 2**20


def test_missing_or_corrupt_file_raises_data_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"nope\.parquet"):
        geo._read_parquet(tmp_path / "nope.parquet", ("iso",))
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"not a parquet file")
    with pytest.raises(DataError, match=r"bad\.parquet"):
        geo._read_parquet(bad, ("iso",))


def test_archive_monthly_has_one_valid_multipolygon_per_month() -> None:
    with gzip.open(DATA / "demo" / "archive-monthly.geojson.gz", "rt", encoding="utf-8") as f:
        fc = json.load(f)
    assert fc["type"] == "FeatureCollection"
    dates = [feat["properties"]["date"] for feat in fc["features"]]
    assert dates == sorted(dates)
    assert dates[0] == "2024-07-08"
    months = [d[:7] for d in dates]
    assert len(set(months)) == len(months) == 26
    for feat in fc["features"]:
        dt.date.fromisoformat(feat["properties"]["date"])
        geom = shape(feat["geometry"])
        assert geom.geom_type == "MultiPolygon"
        assert geom.is_valid
    occupied_km2 = geo.equal_area_km2(shape(fc["features"][0]["geometry"]))[0]
    assert occupied_km2 == pytest.approx(109_361, rel=0.001)


def test_raw_versions_are_trimmed_feature_collections() -> None:
    paths = sorted((DATA / "demo" / "raw").glob("*.geojson.gz"))
    assert len(paths) == 27
    months = [
        dt.datetime.fromtimestamp(int(p.name.split(".")[0]), dt.UTC).strftime("%Y-%m")
        for p in paths
    ]
    assert months[0] == "2022-04"
    assert months[-1] == "2024-06"
    assert len(set(months)) == 27
    with gzip.open(paths[-1], "rt", encoding="utf-8") as f:
        fc = json.load(f)
    assert fc["type"] == "FeatureCollection"
    region = shapely.box(21, 44, 41, 53)
    for feat in fc["features"]:
        assert set(feat["properties"]) <= {"name", "fill"}
        geom = shape(feat["geometry"])
        assert geom.intersects(region)
        assert not shapely.has_z(geom) or geom.geom_type == "GeometryCollection"
    assert any(feat["geometry"]["type"] == "Point" for feat in fc["features"])
