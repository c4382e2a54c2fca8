"""Pure violation detection: synthetic occupied territory on a fake geography."""

from __future__ import annotations

import datetime as dt
import json
import re

import geopandas as gpd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, box

from garant.errors import DataError
from garant.frontline.ceasefire import AlertReport, detect_violations
from garant.frontline.sectors import Sectors, SectorSpec
from garant.sources.geography import equal_area_km2

# Frozen occupied territory: a block east of lon 36; the line of contact is its
# west edge. Land is a larger box that stops at lon 39.5 (east of it: "Russia").
LAT_KM = 111.2  # km per degree of latitude
LON_KM = 74.4  # km per degree of longitude at 48° N
X0 = 36.0
FROZEN = box(X0, 47.0, 40.0, 49.0)
LINE = shapely.segmentize(LineString([(X0, 47.0), (X0, 49.0)]), 0.005)
LAND = box(30.0, 45.0, 39.5, 52.0)
D0 = dt.date(2025, 1, 15)


class FakeGeography:
    """The part of garant.sources.geography the watch uses, on synthetic land."""

    def __init__(self) -> None:
        self.towns = gpd.GeoDataFrame(
            {"name": ["Westtown", "Hamlet", "Easttown"], "population": [50_000, 600, 20_000]},
            geometry=gpd.points_from_xy([35.80, 35.99, 36.5], [48.0, 48.30, 48.5]),
            crs=4326,
        )

    def ukraine(self) -> shapely.Polygon:
        return LAND

    def ukraine_boundary(self) -> gpd.GeoDataFrame:
        return gpd.GeoDataFrame(
            {"kind": ["russia"], "length_km": [1.0]}, geometry=[LAND.boundary], crs=4326
        )

    def settlements(
        self, *, min_population: int = 0, include_sections: bool = False
    ) -> gpd.GeoDataFrame:
        return self.towns[self.towns["population"] >= min_population].reset_index(drop=True)


GEO = FakeGeography()


def bite(lat: float, width_km: float, depth_km: float) -> shapely.Polygon:
    """A rectangle west of the line: width along it, depth across it."""
    return box(X0 - depth_km / LON_KM, lat, X0, lat + width_km / LAT_KM)


def day(n: int) -> dt.date:
    return D0 + dt.timedelta(days=n)


def watch(*laters: shapely.Geometry, **kw: float) -> list:
    snaps = [(day(i + 1), i + 1, g) for i, g in enumerate(laters)]
    return detect_violations(FROZEN, LINE, snaps, geography=GEO, **kw)


def test_frozen_line_has_no_violation_against_itself() -> None:
    assert watch(FROZEN, FROZEN, FROZEN) == []


def test_one_bite_is_one_russian_alert_with_its_area_and_depth() -> None:
    b = bite(48.0, 2.0, 1.5)
    [a] = watch(shapely.union(FROZEN, b))
    assert a.direction == "russian_advance"
    assert a.area_km2 == pytest.approx(equal_area_km2(b)[0], rel=1e-6)
    assert a.area_km2 == pytest.approx(3.0, rel=0.02)
    assert a.depth_km == pytest.approx(1.5, rel=0.02)
    assert a.trend == "new"
    assert a.severity == "minor"
    assert a.series_id == 1
    assert a.first_seen == a.date == day(1)
    assert a.centroid_lon < X0
    assert a.geometry.equals_exact(b, 1e-9) or a.geometry.symmetric_difference(b).area < 1e-12
    # 10,000+ town within 15 km wins over the nearer hamlet
    assert a.settlement == "Westtown"
    assert 10 < a.settlement_distance_km < 20
    assert a.sector is None


def test_regained_ground_is_a_ukrainian_advance() -> None:
    hole = box(X0, 48.0, X0 + 3.0 / LON_KM, 48.0 + 2.0 / LAT_KM)
    [a] = watch(shapely.difference(FROZEN, hole))
    assert a.direction == "ukrainian_advance"
    assert a.area_km2 == pytest.approx(6.0, rel=0.02)
    assert a.depth_km == pytest.approx(3.0, rel=0.02)
    assert a.severity == "major"  # 3 km deep >= MAJOR_DEPTH_KM


def test_a_held_bite_is_stable_not_new_each_day() -> None:
    later = shapely.union(FROZEN, bite(48.0, 2.0, 1.5))
    alerts = watch(later, later, later, later)
    assert [a.trend for a in alerts] == ["new", "stable", "stable", "stable"]
    assert {a.series_id for a in alerts} == {1}
    assert {a.first_seen for a in alerts} == {day(1)}


def test_a_growing_incursion_is_one_growing_series() -> None:
    stages = [shapely.union(FROZEN, bite(48.0, 2.0, d)) for d in (1.0, 1.5, 2.5, 4.0)]
    alerts = watch(*stages)
    assert [a.trend for a in alerts] == ["new", "growing", "growing", "growing"]
    assert {a.series_id for a in alerts} == {1}
    assert [a.severity for a in alerts] == ["minor", "minor", "major", "major"]
    assert alerts[-1].depth_km == pytest.approx(4.0, rel=0.02)


def test_a_retreating_incursion_shrinks_and_then_ends() -> None:
    stages = [shapely.union(FROZEN, bite(48.0, 3.0, d)) for d in (3.0, 2.0, 2.0)]
    alerts = watch(*stages, FROZEN)
    # the trend compares with the area TREND_WINDOW (3) snapshots back
    assert [a.trend for a in alerts] == ["new", "shrinking", "shrinking"]
    assert all(a.date != day(4) for a in alerts)


def test_two_places_are_two_series_and_merge_when_they_meet() -> None:
    south, north = bite(48.0, 2.0, 1.0), bite(48.05, 2.0, 1.0)
    joined = box(X0 - 1.5 / LON_KM, 48.0, X0, 48.05 + 2.0 / LAT_KM)
    alerts = watch(shapely.union_all([FROZEN, south, north]), shapely.union(FROZEN, joined))
    first = [a for a in alerts if a.date == day(1)]
    second = [a for a in alerts if a.date == day(2)]
    assert len(first) == 2
    assert len({a.series_id for a in first}) == 2
    [merged] = second
    assert merged.trend == "growing"
    assert merged.series_id in {a.series_id for a in first}


def test_changes_outside_land_are_not_violations() -> None:
    # occupied grows east of lon 39.5 (outside Ukraine's land) and over "sea"
    east = box(39.6, 46.0, 40.5, 49.5)
    assert watch(shapely.union(FROZEN, east)) == []


def test_tolerance_filters_small_and_shallow_changes() -> None:
    small = shapely.union(FROZEN, bite(48.0, 0.5, 1.0))  # 0.5 km²
    shallow = shapely.union(FROZEN, bite(48.0, 10.0, 0.3))  # 3 km², 0.3 km deep
    assert watch(small) == []
    assert watch(shallow) == []
    assert len(watch(small, min_area_km2=0.2)) == 1
    assert len(watch(shallow, min_depth_km=0.2)) == 1


def test_sectors_name_the_alerts() -> None:
    sectors = Sectors(
        (
            SectorSpec(name="North", anchors=[(36.0, 48.8)], source="test"),
            SectorSpec(name="South", anchors=[(36.0, 47.2)], source="test"),
        )
    )
    later = shapely.union_all([FROZEN, bite(48.6, 2.0, 1.0), bite(47.3, 2.0, 1.0)])
    alerts = detect_violations(FROZEN, LINE, [(day(1), 7, later)], geography=GEO, sectors=sectors)
    assert sorted(a.sector for a in alerts) == ["North", "South"]
    assert {a.snapshot_id for a in alerts} == {7}


def test_bad_input() -> None:
    later = [(day(1), 1, FROZEN)]
    with pytest.raises(DataError, match="min_area_km2"):
        detect_violations(FROZEN, LINE, later, geography=GEO, min_area_km2=-1)
    with pytest.raises(DataError, match="min_depth_km"):
        detect_violations(FROZEN, LINE, later, geography=GEO, min_depth_km=float("nan"))
    with pytest.raises(DataError, match="frozen line"):
        detect_violations(FROZEN, LineString(), later, geography=GEO)
    with pytest.raises(DataError, match="duplicate dates"):
        detect_violations(FROZEN, LINE, later * 2, geography=GEO)


def test_report_outputs() -> None:
    stages = [shapely.union(FROZEN, bite(48.0, 2.0, d)) for d in (1.5, 2.6)]
    alerts = watch(*stages)
    rep = AlertReport("cf", D0, 1.0, 0.5, (day(1), day(2)), tuple(alerts))
    js = rep.to_json()
    json.dumps(js)  # serialisable
    assert js["ceasefire"] == {"name": "cf", "date": "2025-01-15"}
    assert js["checked"] == {"from": "2025-01-16", "to": "2025-01-17", "n_snapshots": 2}
    assert js["tolerance"] == {"min_area_km2": 1.0, "min_depth_km": 0.5}
    assert len(js["alerts"]) == 2
    assert js["alerts"][0]["geometry"]["type"] == "Polygon"
    lines = rep.to_text(every=True).splitlines()
    assert len(lines) == 3
    assert re.fullmatch(
        r"2025-01-17  Russian advance  \+5\.\d km², 2\.\d km deep, near Westtown, growing, MAJOR",
        lines[2],
    )
    # By default one line per place: its latest state and when it was first seen.
    short = rep.to_text().splitlines()
    assert len(short) == 2
    assert short[1] == lines[2] + " (first seen 2025-01-16)"
    df = rep.to_frame()
    assert df.crs.to_epsg() == 4326
    assert list(df.columns[:3]) == ["date", "snapshot_id", "direction"]
    assert len(df) == 2
    assert rep.latest() == (alerts[1],)
    empty = AlertReport("cf", D0, 1.0, 0.5, (day(1),), ())
    assert "no violation" in empty.to_text()
    assert empty.to_frame().empty


# --------------------------------------------------------------------------- properties

lat_st = st.floats(47.2, 48.7)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lat=lat_st,
    width_km=st.floats(0.2, 8.0),
    depth_km=st.floats(0.01, 0.4),
    jitter=st.floats(-0.0005, 0.0005),
)
def test_perturbation_below_tolerance_has_no_violation(
    lat: float, width_km: float, depth_km: float, jitter: float
) -> None:
    # a shallow redraw (< 0.5 km deep) anywhere along the line, plus a tiny
    # shift of the frozen territory's far (eastern, off-land) edge
    later = shapely.union(box(X0, 47.0, 40.0 + jitter, 49.0), bite(lat, width_km, depth_km))
    assert watch(later) == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lat=lat_st, width_km=st.floats(0.3, 3.0), area_km2=st.floats(0.01, 0.9))
def test_small_bites_below_area_tolerance_have_no_violation(
    lat: float, width_km: float, area_km2: float
) -> None:
    assert watch(shapely.union(FROZEN, bite(lat, width_km, area_km2 / width_km))) == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lat=lat_st, width_km=st.floats(0.8, 8.0), depth_km=st.floats(0.6, 6.0))
def test_any_bite_beyond_tolerance_is_reported_once_per_day(
    lat: float, width_km: float, depth_km: float
) -> None:
    b = bite(lat, width_km, depth_km)
    if width_km * depth_km < 1.1:
        return
    later = shapely.union(FROZEN, b)
    alerts = watch(later, later)
    assert len(alerts) == 2
    assert all(a.area_km2 > 0 for a in alerts)
    assert alerts[0].area_km2 == pytest.approx(equal_area_km2(b)[0], rel=1e-6)
    assert alerts[0].depth_km == pytest.approx(depth_km, rel=0.03, abs=0.03)
    assert [a.trend for a in alerts] == ["new", "stable"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lat=lat_st, width_km=st.floats(1.0, 5.0), depth_km=st.floats(1.0, 5.0))
def test_changes_behind_the_frozen_line_are_not_russian_advances(
    lat: float, width_km: float, depth_km: float
) -> None:
    # Re-drawing inside frozen occupied territory (a pocket behind the line
    # changing shape) never counts as a Russian advance.
    inner = box(37.0, lat, 37.0 + depth_km / LON_KM, lat + width_km / LAT_KM)
    alerts = watch(shapely.difference(FROZEN, inner), FROZEN)
    assert all(a.direction == "ukrainian_advance" for a in alerts)
    assert all(a.depth_km > 70 for a in alerts)  # measured from the frozen line
