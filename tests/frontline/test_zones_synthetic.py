"""Demilitarised strip, danger bands and population on synthetic geometry."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, box

from garant.errors import DataError
from garant.frontline.zones import danger_bands, demilitarised_zone, population_in
from garant.sources.geography import equal_area_km2

LON_KM = 74.4  # km per degree of longitude at 48° N
X0 = 36.0
LAND = box(30.0, 45.0, 39.5, 52.0)
OCCUPIED = shapely.intersection(box(X0, 47.0, 40.0, 49.0), LAND)
LINE = shapely.segmentize(LineString([(X0, 47.0), (X0, 49.0)]), 0.005)
LINE_KM = 2.0 * 111.2


def towns() -> gpd.GeoDataFrame:
    # west of the line at 5, 20, 50 and 100 km; one behind the line, 4 km east
    west = [5.0, 20.0, 50.0, 100.0]
    return gpd.GeoDataFrame(
        {
            "name": ["A5", "B20", "C50", "D100", "Occ4"],
            "population": [1_000, 20_000, 300_000, 4_000_000, 7_000],
        },
        geometry=gpd.points_from_xy(
            [X0 - d / LON_KM for d in west] + [X0 + 4 / LON_KM], [48.0] * 5
        ),
        crs=4326,
    )


def test_dmz_has_two_sides_of_the_right_size() -> None:
    dmz = demilitarised_zone(
        LINE, width_km=10, ukraine=LAND, occupied=OCCUPIED, settlements=towns()
    )
    assert list(dmz["side"]) == ["russian", "ukrainian"]
    assert dmz.crs.to_epsg() == 4326
    rus, ukr = dmz.geometry
    assert rus.within(OCCUPIED.buffer(1e-9))
    assert shapely.intersection(ukr, OCCUPIED).area < 1e-12
    # the Russian side is the 10 km band east of the line; the Ukrainian side adds the caps
    assert dmz["area_km2"].iloc[0] == pytest.approx(LINE_KM * 10, rel=0.01)
    assert dmz["area_km2"].sum() == pytest.approx(2 * LINE_KM * 10 + math.pi * 100, rel=0.01)
    assert dmz["population"].tolist() == [7_000, 1_000]
    assert dmz["n_settlements"].tolist() == [1, 1]
    assert dmz["largest_settlements"].tolist() == ["Occ4", "A5"]


def test_dmz_is_clipped_to_land() -> None:
    line = LineString([(39.0, 47.0), (39.0, 49.0)])  # 37 km from the land's east edge
    occ = shapely.intersection(box(39.0, 47.0, 40.0, 49.0), LAND)
    dmz = demilitarised_zone(line, width_km=60, ukraine=LAND, occupied=occ, settlements=towns())
    assert shapely.union_all(dmz.geometry.values).within(LAND.buffer(1e-9))


def test_bands_are_disjoint_additive_and_hold_the_right_towns() -> None:
    bands = danger_bands(LINE, OCCUPIED, ukraine=LAND, settlements=towns())
    assert list(bands["band"]) == ["0–9 km", "9–40 km", "40–60 km"]
    assert bands["inner_km"].tolist() == [0, 9, 40]
    assert bands["outer_km"].tolist() == [9, 40, 60]
    geoms = bands.geometry.values
    for i in range(3):
        for j in range(i + 1, 3):
            assert equal_area_km2(shapely.intersection(geoms[i], geoms[j]))[0] < 1e-6
        assert equal_area_km2(shapely.intersection(geoms[i], OCCUPIED))[0] < 1e-6
    union_km2 = equal_area_km2(shapely.union_all(geoms))[0]
    assert bands["area_km2"].sum() == pytest.approx(union_km2, rel=1e-9)
    assert bands["population"].tolist() == [1_000, 20_000, 300_000]
    assert bands["n_settlements"].tolist() == [1, 1, 1]
    assert bands["largest_settlements"].tolist() == ["A5", "B20", "C50"]
    # the 0-9 km band west of the line is ~9 km wide (plus round ends and the north/south
    # sides of the occupied block, which also border held land)
    assert bands["area_km2"].iloc[0] > LINE_KM * 9


def test_hostile_territory_adds_danger() -> None:
    russia = box(39.5, 45.0, 42.0, 52.0)
    plain = danger_bands(LINE, OCCUPIED, ukraine=LAND, settlements=towns())
    more = danger_bands(LINE, OCCUPIED, ukraine=LAND, settlements=towns(), hostile=russia)
    assert more["area_km2"].sum() > plain["area_km2"].sum()


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.floats(0.5, 120.0), min_size=1, max_size=4, unique=True))
def test_bands_partition_the_reach(edges: list[float]) -> None:
    cuts = [0.0, *sorted(edges)]
    if min(np.diff(cuts)) < 0.1:
        return
    # Settlements up to 2 km outside a zone are snapped into it: keep edges away
    # from the towns' distances so the expected count is unambiguous.
    if any(abs(c - d) < 2.5 for c in cuts for d in (5.0, 20.0, 50.0, 100.0)):
        return
    bands = danger_bands(LINE, OCCUPIED, bands_km=cuts, ukraine=LAND, settlements=towns())
    union_km2 = equal_area_km2(shapely.union_all(bands.geometry.values))[0]
    assert bands["area_km2"].sum() == pytest.approx(union_km2, rel=1e-6)
    assert (bands["area_km2"] > 0).all()
    assert (
        bands["population"].sum()
        == towns()["population"].iloc[:4][np.array([5.0, 20.0, 50.0, 100.0]) < cuts[-1]].sum()
    )


def test_population_in_counts_points_in_each_zone() -> None:
    zones = [box(0, 0, 1, 1), box(1, 0, 2, 1), shapely.Polygon()]
    pts = gpd.GeoDataFrame(
        {"population": [10, 20, 40, 80]},
        geometry=gpd.points_from_xy([0.5, 1.5, 1.0, 5.0], [0.5, 0.5, 0.5, 5.0]),
        crs=4326,
    )
    # the point on the shared edge counts in both; the far one in none
    assert population_in(zones, pts).tolist() == [50, 60, 0]
    assert population_in([], pts).tolist() == []
    assert population_in(zones, pts.iloc[:0]).tolist() == [0, 0, 0]


def test_population_in_snaps_points_just_outside() -> None:
    zone = box(36.0, 48.0, 36.1, 48.1)
    pts = gpd.GeoDataFrame(
        {"population": [5, 7]},
        geometry=gpd.points_from_xy([36.1 + 1.0 / LON_KM, 36.1 + 5.0 / LON_KM], [48.05, 48.05]),
        crs=4326,
    )
    assert population_in([zone], pts).tolist() == [0]
    assert population_in([zone], pts, snap_km=2.0).tolist() == [5]


@pytest.mark.parametrize("width", [0, -1, 200.5, float("nan"), float("inf")])
def test_dmz_rejects_a_bad_width(width: float) -> None:
    with pytest.raises(DataError, match="width_km"):
        demilitarised_zone(
            LINE, width_km=width, ukraine=LAND, occupied=OCCUPIED, settlements=towns()
        )


@pytest.mark.parametrize(
    ("edges", "why"),
    [
        ((0,), "at least two"),
        ((0, 9, 9), "strictly increasing"),
        ((9, 0), "strictly increasing"),
        ((-1, 5), ">= 0"),
        ((0, float("nan")), "finite"),
    ],
)
def test_bands_reject_bad_edges(edges: tuple[float, ...], why: str) -> None:
    with pytest.raises(DataError, match=why):
        danger_bands(LINE, OCCUPIED, bands_km=edges, ukraine=LAND, settlements=towns())


def test_empty_line_is_rejected() -> None:
    with pytest.raises(DataError, match="empty"):
        demilitarised_zone(
            LineString(), width_km=5, ukraine=LAND, occupied=OCCUPIED, settlements=towns()
        )
    with pytest.raises(DataError, match="empty"):
        danger_bands(shapely.MultiLineString(), OCCUPIED, ukraine=LAND, settlements=towns())
    with pytest.raises(DataError, match="occupied"):
        danger_bands(LINE, shapely.Polygon(), ukraine=LAND, settlements=towns())
