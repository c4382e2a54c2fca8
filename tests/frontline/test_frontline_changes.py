"""Changes between snapshots: invariants (hypothesis) and descriptions."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import box

from garant.frontline.changes import (
    changed_windows,
    changes_between,
    describe,
    describe_changes,
    split_changes,
)
from garant.frontline.measures import FrontlineGeography, area_km2

LAND = box(30.0, 47.0, 34.0, 50.0)


def _geo() -> FrontlineGeography:
    west, east = box(30.0, 47.0, 32.0, 50.0), box(32.0, 47.0, 34.0, 50.0)
    oblasts = gpd.GeoDataFrame(
        {"iso": ["UA-01", "UA-02"], "name": ["West", "East"]}, geometry=[west, east], crs=4326
    )
    towns = gpd.GeoDataFrame(
        {"name": ["Pokrovsk", "Hamlet"], "population": [60_000, 300]},
        geometry=gpd.points_from_xy([32.0, 33.5], [48.5, 49.5]),
        crs=4326,
    )
    return FrontlineGeography(LAND, gpd.GeoDataFrame(geometry=[], crs=4326), oblasts, towns)


GEO = _geo()

# Random occupied territory: a union of a few boxes and discs around the square,
# some reaching outside 'Ukraine'.
_coord = st.floats(29.5, 34.5, allow_nan=False)
_lat = st.floats(46.5, 50.5, allow_nan=False)
_size = st.floats(0.05, 1.5, allow_nan=False)


@st.composite
def territories(draw: st.DrawFn) -> shapely.Geometry:
    n = draw(st.integers(1, 5))
    parts = []
    for _ in range(n):
        x, y, w, h = draw(_coord), draw(_lat), draw(_size), draw(_size)
        if draw(st.booleans()):
            parts.append(box(x, y, x + w, y + h))
        else:
            parts.append(shapely.Point(x, y).buffer(w / 2, quad_segs=draw(st.integers(2, 8))))
    # Densify like DeepState's boundaries: a long edge that is straight in lon/lat
    # is curved in EPSG:6933, so areas of split pieces would not add up exactly.
    return shapely.segmentize(shapely.union_all(parts), 0.01)


@st.composite
def pairs(draw: st.DrawFn) -> tuple[shapely.Geometry, shapely.Geometry]:
    before = draw(territories())
    if draw(st.booleans()):
        return before, draw(territories())
    # A local edit: add and cut a little, as a day on the front does.
    x, y, w = draw(_coord), draw(_lat), draw(st.floats(0.01, 0.5))
    after = shapely.difference(
        shapely.union(before, box(x, y, x + w, y + w)),
        shapely.Point(draw(_coord), draw(_lat)).buffer(draw(st.floats(0.01, 0.3))),
    )
    return before, shapely.segmentize(after, 0.01)


def _land_km2(g: shapely.Geometry) -> float:
    return area_km2(shapely.intersection(g, LAND))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pairs())
def test_area_balance_and_disjointness(pair: tuple[shapely.Geometry, shapely.Geometry]) -> None:
    before, after = pair
    ch = changes_between(before, after, geography=GEO, min_area_km2=0.0)
    gained = ch.loc[ch["kind"] == "gained", "area_km2"].sum()
    lost = ch.loc[ch["kind"] == "lost", "area_km2"].sum()
    delta = _land_km2(after) - _land_km2(before)
    assert delta == pytest.approx(gained - lost, rel=1e-7, abs=2e-3)
    assert (ch["area_km2"] >= 0).all()
    g = shapely.union_all(ch.geometry[ch["kind"] == "gained"].to_numpy())
    lo = shapely.union_all(ch.geometry[ch["kind"] == "lost"].to_numpy())
    assert area_km2(shapely.intersection(g, lo)) == pytest.approx(0.0, abs=1e-6)
    # Clipped to land.
    assert area_km2(shapely.difference(shapely.union(g, lo), LAND)) == pytest.approx(0, abs=1e-6)


@settings(max_examples=60, deadline=None)
@given(pairs())
def test_windowed_split_equals_plain_difference(
    pair: tuple[shapely.Geometry, shapely.Geometry],
) -> None:
    before, after = pair
    gained, lost = split_changes(before, after)
    assert shapely.symmetric_difference(gained, shapely.difference(after, before)).area < 1e-12
    assert shapely.symmetric_difference(lost, shapely.difference(before, after)).area < 1e-12


@settings(max_examples=30, deadline=None)
@given(territories())
def test_no_change_against_itself(geom: shapely.Geometry) -> None:
    assert len(changed_windows(geom, geom)) == 0
    assert len(changes_between(geom, geom, geography=GEO, min_area_km2=0.0)) == 0
    # Same geometry, other vertex order: still no change.
    assert len(changes_between(geom, shapely.normalize(geom), geography=GEO)) == 0


def test_change_rows_are_annotated() -> None:
    before = box(31.0, 48.0, 32.0, 49.0)
    after = shapely.union(
        shapely.difference(before, box(31.0, 48.0, 31.1, 48.1)), box(32.0, 48.4, 32.1, 48.6)
    )
    ch = changes_between(before, after, geography=GEO)
    assert list(ch["kind"]) == ["gained", "lost"]
    row = ch.iloc[0]
    assert row["settlement"] == "Pokrovsk"
    assert row["centroid_lon"] == pytest.approx(32.05, abs=1e-6)
    assert row["area_km2"] == pytest.approx(area_km2(box(32.0, 48.4, 32.1, 48.6)), rel=1e-9)
    assert describe(row) == f"+{row['area_km2']:.1f} km² near Pokrovsk"
    lost = ch.iloc[1].to_dict()
    lost["sector"] = "Pokrovsk"
    assert describe(lost).startswith("\u2212")
    assert "km from Pokrovsk (Pokrovsk sector)" in describe(lost)
    assert len(describe_changes(ch)) == 2


def test_min_area_drops_slivers() -> None:
    before = box(31.0, 48.0, 32.0, 49.0)
    after = shapely.union(before, box(32.0, 48.0, 32.0005, 48.0005))  # ~0.002 km²
    assert len(changes_between(before, after, geography=GEO)) == 0
    assert len(changes_between(before, after, geography=GEO, min_area_km2=0.0)) == 1


def test_empty_inputs() -> None:
    g = box(31.0, 48.0, 32.0, 49.0)
    gained, lost = split_changes(shapely.Polygon(), g)
    assert gained.equals(g)
    assert lost.is_empty
    assert np.isclose(area_km2(gained), area_km2(g))
