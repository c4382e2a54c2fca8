"""Base geography read from the bundled files: areas, oblasts, boundary, settlements."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod
from shapely.geometry import MultiPolygon, box

from garant.errors import DataError
from garant.sources import geography as geo

POKROVSK = (37.17706, 48.28014)


def test_ukraine_is_valid_multipolygon_of_expected_area() -> None:
    ua = geo.ukraine()
    assert isinstance(ua, MultiPolygon)
    assert ua.is_valid
    assert geo.ukraine_area_km2() == pytest.approx(599_100, rel=0.005)
    # Natural Earth's generalised polygon is within 1 % of the official area
    assert geo.ukraine_area_km2() == pytest.approx(geo.UKRAINE_OFFICIAL_AREA_KM2, rel=0.01)


def test_countries_has_ukraine_and_its_neighbours() -> None:
    c = geo.countries()
    assert list(c.columns) == ["iso_a3", "name", "geometry"]
    assert c.crs.to_epsg() == 4326
    assert {"UKR", "RUS", "BLR", "MDA", "ROU", "HUN", "SVK", "POL"} <= set(c["iso_a3"])
    assert len(c) == 11
    assert c.geometry.is_valid.all()


def test_land_only_oblasts_partition_ukraine() -> None:
    ob = geo.oblasts()
    assert list(ob.columns) == ["iso", "name", "name_osm", "area_km2", "geometry"]
    assert len(ob) == 27
    assert ob["iso"].is_unique
    assert ob["iso"].str.fullmatch(r"UA-\d\d").all()
    assert ob["area_km2"].sum() == pytest.approx(geo.ukraine_area_km2(), rel=0.001)
    np.testing.assert_allclose(geo.equal_area_km2(ob.geometry), ob["area_km2"], rtol=1e-9)
    names = set(ob["name"])
    assert {"Odesa Oblast", "Zaporizhzhia Oblast", "Kyiv City", "Sevastopol City"} <= names


def test_oblasts_with_waters_are_larger_and_edge_matched() -> None:
    full = geo.oblasts(land_only=False)
    assert len(full) == 27
    assert full["area_km2"].sum() == pytest.approx(640_100, rel=0.005)
    # coverage simplification keeps neighbours edge-matched: no overlaps
    union_km2 = geo.equal_area_km2(shapely.union_all(full.geometry.values))[0]
    assert union_km2 == pytest.approx(full["area_km2"].sum(), rel=1e-4)


def test_oblasts_returns_a_copy() -> None:
    a = geo.oblasts()
    a.loc[0, "name"] = "changed"
    assert geo.oblasts().loc[0, "name"] != "changed"


def test_boundary_parts_cover_ukraines_boundary() -> None:
    b = geo.ukraine_boundary()
    assert list(b["kind"]) == list(geo.BOUNDARY_KINDS)
    lengths = dict(zip(b["kind"], b["length_km"], strict=True))
    # Natural Earth 1:10m lines: Russia 1,524 km (published 1,974 km land border),
    # coast 2,900 km (published 2,782 km)
    assert lengths["russia"] > 1_500
    assert lengths["coast"] > 1_000
    assert 1_400 < lengths["coast"] < 3_500
    assert lengths["hungary"] == pytest.approx(100, rel=0.3)
    np.testing.assert_allclose(geo.geodesic_length_km(b.geometry), b["length_km"], rtol=1e-9)
    boundary = geo.ukraine().boundary
    parts = shapely.union_all(b.geometry.values)
    assert boundary.difference(parts.buffer(1e-6)).length == pytest.approx(0, abs=1e-6)
    assert parts.difference(boundary.buffer(1e-6)).length == pytest.approx(0, abs=1e-6)
    # the parts do not overlap
    assert sum(g.length for g in b.geometry) == pytest.approx(boundary.length, rel=1e-9)


def test_kyiv_is_large_and_in_kyiv_city() -> None:
    s = geo.settlements(min_population=1_000_000)
    kyiv = s[s["name"] == "Kyiv"]
    assert len(kyiv) == 1
    assert kyiv["population"].iloc[0] > 2_500_000
    assert kyiv["oblast_iso"].iloc[0] == "UA-30"
    assert kyiv["name_uk"].iloc[0] == "Київ"
    ua30 = geo.oblasts().set_index("iso").geometry["UA-30"]
    assert ua30.contains(kyiv.geometry.iloc[0])


def test_settlements_filters_and_columns() -> None:
    s = geo.settlements()
    assert {"name", "name_uk", "population", "oblast_iso", "geonameid", "geometry"} <= set(
        s.columns
    )
    assert s.crs.to_epsg() == 4326
    assert s["geonameid"].is_unique
    assert not s["is_section"].any()
    assert set(s["oblast_iso"]) <= set(geo.oblasts()["iso"])
    every = geo.settlements(include_sections=True)
    assert len(every) > len(s) > 5_000
    # sections are left out so that sums are plausible (Ukraine ~41 M in 2021)
    assert 30e6 < s["population"].sum() < 42e6
    big = geo.settlements(min_population=100_000)
    assert (big["population"] >= 100_000).all()
    assert {"Kharkiv", "Odesa", "Dnipro", "Lviv"} <= set(big["name"])


def test_nearest_settlement_finds_pokrovsk() -> None:
    res = geo.nearest_settlement(np.array([POKROVSK]), min_population=10_000)
    assert res["name"].iloc[0] == "Pokrovsk"
    assert res["distance_km"].iloc[0] < 2.0


def test_nearest_settlement_geoseries_keeps_index_and_measures_geodesically() -> None:
    pts = gpd.GeoSeries.from_xy([30.5238, 30.5238], [50.45466, 50.55466], crs=4326, index=[7, 9])
    res = geo.nearest_settlement(pts, min_population=2_000_000)
    assert isinstance(res, pd.DataFrame)
    assert list(res.index) == [7, 9]
    assert list(res["name"]) == ["Kyiv", "Kyiv"]
    assert res["distance_km"].iloc[0] == pytest.approx(0, abs=1e-6)
    _, _, d_m = Geod(ellps="WGS84").inv(30.5238, 50.55466, 30.5238, 50.45466)
    assert res["distance_km"].iloc[1] == pytest.approx(d_m / 1000, rel=1e-9)


def test_nearest_settlement_empty_and_bad_input() -> None:
    assert len(geo.nearest_settlement(np.zeros((0, 2)))) == 0
    with pytest.raises(DataError, match="non-finite"):
        geo.nearest_settlement(np.array([[np.nan, 48.0]]))
    with pytest.raises(DataError, match="lon/lat"):
        geo.nearest_settlement(np.zeros((2, 3)))


def test_equal_area_of_one_degree_box_matches_geodesic_area() -> None:
    cell = box(30.0, 48.0, 31.0, 49.0)
    area_m2, _ = Geod(ellps="WGS84").geometry_area_perimeter(cell)
    assert geo.equal_area_km2(cell)[0] == pytest.approx(abs(area_m2) / 1e6, rel=1e-3)


def test_equal_area_handles_none_empty_and_other_crs() -> None:
    cell = box(30.0, 48.0, 31.0, 49.0)
    got = geo.equal_area_km2([cell, None, shapely.Polygon()])
    assert got[0] > 8_000
    assert list(got[1:]) == [0.0, 0.0]
    projected = gpd.GeoSeries([cell], crs=4326).to_crs(3035)
    assert geo.equal_area_km2(projected)[0] == pytest.approx(got[0], rel=1e-6)
    assert geo.equal_area_km2([]).shape == (0,)


boxes = st.tuples(
    st.floats(22.0, 40.0), st.floats(44.0, 52.0), st.floats(0.01, 1.0), st.floats(0.01, 1.0)
)


@settings(max_examples=50, deadline=None)
@given(b=boxes, split=st.floats(0.05, 0.95))
def test_equal_area_is_additive_and_non_negative(
    b: tuple[float, float, float, float], split: float
) -> None:
    x, y, w, h = b
    whole = box(x, y, x + w, y + h)
    left = box(x, y, x + w * split, y + h)
    right = box(x + w * split, y, x + w, y + h)
    a_whole, a_left, a_right = geo.equal_area_km2([whole, left, right])
    assert a_left >= 0
    assert a_right >= 0
    assert a_left + a_right == pytest.approx(a_whole, rel=1e-9)


def test_geodesic_length_of_a_meridian_degree() -> None:
    line = shapely.LineString([(30.0, 48.0), (30.0, 49.0)])
    assert geo.geodesic_length_km(line)[0] == pytest.approx(111.2, abs=0.2)
    assert list(geo.geodesic_length_km([None, shapely.Point(1, 2)])) == [0.0, 0.0]
