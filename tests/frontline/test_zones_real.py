"""Zones of the real mid-2025 line of contact: who lives within drone and artillery reach."""

from __future__ import annotations

from pathlib import Path

import pytest
import shapely

from garant.frontline.line import line_of_contact
from garant.frontline.zones import danger_bands, demilitarised_zone
from garant.sources import geography
from garant.sources.archive import read_archive_file


@pytest.fixture(scope="module")
def mid_2025(shared_data: Path) -> tuple[shapely.Geometry, shapely.Geometry]:
    snap = read_archive_file(shared_data / "deepstatemap" / "deepstatemap_data_20250616.geojson")
    land = geography.ukraine()
    occ = shapely.intersection(snap.occupied, land)
    return occ, line_of_contact(occ, ukraine=land, boundary=geography.ukraine_boundary())


@pytest.mark.shared
def test_danger_bands_of_the_2025_line(mid_2025: tuple[shapely.Geometry, shapely.Geometry]) -> None:
    occ, line = mid_2025
    bands = danger_bands(
        line, occ, ukraine=geography.ukraine(), settlements=geography.settlements()
    )
    names = [set(s.split(", ")) for s in bands["largest_settlements"]]
    assert "Kherson" in names[0]  # across the Dnipro from the occupied left bank
    assert {"Kharkiv", "Zaporizhzhya", "Sumy"} <= names[1]
    within_40 = int(bands["population"].iloc[:2].sum())
    assert 3_000_000 < within_40 < 6_000_000
    # disjoint, additive, on held land only
    union = shapely.union_all(bands.geometry.values)
    assert bands["area_km2"].sum() == pytest.approx(geography.equal_area_km2(union)[0], rel=1e-6)
    assert geography.equal_area_km2(shapely.intersection(union, occ))[0] < 1.0
    assert 60_000 < bands["area_km2"].sum() < 70_000


@pytest.mark.shared
def test_dmz_of_the_2025_line(mid_2025: tuple[shapely.Geometry, shapely.Geometry]) -> None:
    occ, line = mid_2025
    dmz = demilitarised_zone(
        line,
        width_km=15,
        ukraine=geography.ukraine(),
        occupied=occ,
        settlements=geography.settlements(),
    )
    assert list(dmz["side"]) == ["russian", "ukrainian"]
    # ~1,200 km of line x 15 km a side, less what the sea and the border cut off
    assert 10_000 < dmz["area_km2"].iloc[0] < 18_000
    assert 10_000 < dmz["area_km2"].iloc[1] < 18_000
    assert "Horlivka" in dmz["largest_settlements"].iloc[0]
    assert "Kherson" in dmz["largest_settlements"].iloc[1]
    assert (dmz["population"] > 100_000).all()
