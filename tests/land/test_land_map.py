"""The land map: line by sector, bases and reach isochrones."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from shapely.geometry.base import BaseGeometry

from garant.errors import DataError
from garant.land.bases import load_bases
from garant.land.geometry import Front, front_at
from garant.land.reach import reach_isochrones
from garant.report.land_map import land_map

PNG = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class FakeFront:
    line: BaseGeometry
    occupied: BaseGeometry
    length_km: float


@pytest.fixture(scope="module")
def demo_front() -> Front:
    return front_at()


def test_land_map_is_a_deterministic_png(demo_front: Front, tmp_path: Path) -> None:
    bases = load_bases(names=["Kyiv", "Dnipro", "Odesa"])
    iso = reach_isochrones(bases, hours=(3, 6), front=demo_front, n_vertices=48)
    a = land_map(demo_front, bases, iso, tmp_path / "a.png", title="Test")
    b = land_map(demo_front, bases, iso, tmp_path / "sub" / "b.png", title="Test")
    assert a.read_bytes()[:8] == PNG
    assert a.stat().st_size > 20_000
    assert a.read_bytes() == b.read_bytes()
    assert not list(tmp_path.glob("*.tmp*"))


def test_land_map_without_sectors_or_isochrones(tmp_path: Path) -> None:
    square = shapely.box(36.0, 47.5, 37.5, 48.5)
    front = FakeFront(shapely.LineString([(36.0, 47.5), (36.0, 48.5)]), square, 111.0)
    bases = load_bases(names=["Dnipro"])
    out = land_map(front, bases, None, tmp_path / "m.png")
    assert out.read_bytes()[:8] == PNG


def test_land_map_refuses_empty_bases(demo_front: Front, tmp_path: Path) -> None:
    bases = load_bases(names=["Kyiv"]).iloc[0:0]
    with pytest.raises(DataError, match="bases: nothing to draw"):
        land_map(demo_front, bases, None, tmp_path / "m.png")
    assert not (tmp_path / "m.png").exists()


def test_land_map_refuses_bases_without_crs(demo_front: Front, tmp_path: Path) -> None:
    bases = load_bases(names=["Kyiv"]).set_crs(None, allow_override=True)
    with pytest.raises(DataError, match="'bases' has no CRS"):
        land_map(demo_front, bases, None, tmp_path / "m.png")


def test_land_map_refuses_isochrones_without_hours(demo_front: Front, tmp_path: Path) -> None:
    bases = load_bases(names=["Kyiv"])
    iso = gpd.GeoDataFrame({"t": [1.0]}, geometry=[shapely.box(30, 50, 31, 51)], crs=4326)
    with pytest.raises(DataError, match="isochrones: missing column 'hours'"):
        land_map(demo_front, bases, iso, tmp_path / "m.png")
