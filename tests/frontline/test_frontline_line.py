"""Line of contact and measures on a synthetic square 'Ukraine'."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely
from shapely.geometry import LineString, box

from garant.errors import DataError
from garant.frontline.line import (
    ContactLineBuilder,
    line_length_km,
    line_of_contact,
    part_lengths_km,
    segment_lengths_m,
)
from garant.frontline.measures import (
    UKRAINE_OFFICIAL_AREA_KM2,
    FrontlineGeography,
    area_km2,
    measure_snapshot,
    oblast_areas,
)

LAND = box(30.0, 47.0, 34.0, 50.0)  # east edge = "Russian border", south edge = "coast"


def _geo() -> FrontlineGeography:
    x0, y0, x1, y1 = LAND.bounds
    boundary = gpd.GeoDataFrame(
        {"kind": ["russia", "coast", "poland"]},
        geometry=[
            LineString([(x1, y0), (x1, y1)]),
            LineString([(x0, y0), (x1, y0)]),
            LineString([(x0, y0), (x0, y1), (x1, y1)]),
        ],
        crs=4326,
    )
    west, east = box(x0, y0, 32.0, y1), box(32.0, y0, x1, y1)
    oblasts = gpd.GeoDataFrame(
        {"iso": ["UA-01", "UA-02"], "name": ["West Oblast", "East Oblast"]},
        geometry=[west, east],
        crs=4326,
    )
    oblasts["area_km2"] = [area_km2(west), area_km2(east)]
    towns = gpd.GeoDataFrame(
        {"name": ["Bigtown", "Hamlet"], "population": [50_000, 200]},
        geometry=gpd.points_from_xy([33.0, 32.6], [48.0, 48.4]),
        crs=4326,
    )
    return FrontlineGeography(LAND, boundary, oblasts, towns)


def _km2_6933(geom: shapely.Geometry) -> float:
    return float(gpd.GeoSeries([geom], crs=4326).to_crs(6933).area.iloc[0]) / 1e6


def test_line_excludes_border_and_coast() -> None:
    occ = box(32.5, 46.9, 34.2, 48.5)  # touches (and overshoots) the border and the coast
    geo = _geo()
    line = line_of_contact(occ, ukraine=LAND, boundary=geo.boundary, tolerance_km=3.0)
    xy = shapely.get_coordinates(line)
    assert len(xy) > 0
    geod = pyproj.Geod(ellps="WGS84")
    # No vertex within the tolerance of the border (x = 34) or of the coast (y = 47).
    assert geod.inv(xy[:, 0], xy[:, 1], np.full(len(xy), 34.0), xy[:, 1])[2].min() > 2_500
    assert geod.inv(xy[:, 0], xy[:, 1], xy[:, 0], np.full(len(xy), 47.0))[2].min() > 2_500
    # What is left: the west edge (x = 32.5) and the north edge (y = 48.5).
    west = geod.line_length([32.5, 32.5], [47.0, 48.5]) / 1000
    north = geod.line_length([32.5, 34.0], [48.5, 48.5]) / 1000
    # Minus the 3 km band at each end and at most one ~1.1 km segment per end.
    assert west + north - 6.0 - 2.3 <= line_length_km(line) <= west + north - 6.0
    assert line.geom_type == "MultiLineString"
    assert len(line.geoms) == 1  # merged into one piece


def test_line_of_island_is_closed_ring_and_slivers_dropped() -> None:
    builder = ContactLineBuilder(LAND, tolerance_km=3.0, min_piece_km=3.5)
    island = box(31.0, 48.0, 31.5, 48.5)
    _line, km = builder.line_and_length(island)
    assert km == pytest.approx(line_length_km(shapely.boundary(island)), rel=1e-3)
    tiny = box(31.0, 48.0, 31.005, 48.005)  # ~1.5 km around: a sliver
    assert builder(tiny).is_empty
    assert builder(shapely.Polygon()).is_empty


def test_line_rejects_negative_tolerance() -> None:
    with pytest.raises(DataError, match="tolerance_km"):
        ContactLineBuilder(LAND, tolerance_km=-1.0)


def test_segment_lengths_match_geodesic() -> None:
    rng = np.random.default_rng(1)
    lon = np.cumsum(rng.uniform(-0.05, 0.05, 500)) + 35.0
    lat = np.cumsum(rng.uniform(-0.05, 0.05, 500)) / 3 + 48.0
    exact = pyproj.Geod(ellps="WGS84").inv(lon[:-1], lat[:-1], lon[1:], lat[1:])[2]
    np.testing.assert_allclose(segment_lengths_m(lon, lat), exact, rtol=1e-6)
    ml = shapely.MultiLineString([np.column_stack([lon[:200], lat[:200]]), [(30, 47), (30, 48)]])
    assert part_lengths_km(ml)[1] == pytest.approx(111.2, abs=0.2)


def test_measures_of_known_square() -> None:
    geo = _geo()
    occ = box(33.0, 48.0, 35.0, 49.0)  # half of it outside 'Ukraine'
    grey = box(32.5, 48.0, 33.5, 49.0)
    m = measure_snapshot({"occupied": occ, "grey_zone": grey}, geography=geo)
    inside = box(33.0, 48.0, 34.0, 49.0)
    assert m["occupied_km2"] == pytest.approx(_km2_6933(inside), rel=1e-9)
    assert m["occupied_pct"] == pytest.approx(m["occupied_km2"] / UKRAINE_OFFICIAL_AREA_KM2 * 100)
    assert m["grey_zone_km2"] == pytest.approx(_km2_6933(box(32.5, 48.0, 33.0, 49.0)), rel=1e-9)
    assert m["liberated_km2"] is None
    assert m["line_km"] == pytest.approx(line_length_km(m["line"]))
    assert m["line_km"] > 0


def test_measures_need_occupied() -> None:
    with pytest.raises(DataError, match="no occupied territory"):
        measure_snapshot({"grey_zone": box(31, 48, 32, 49)}, geography=_geo())


def test_oblast_areas() -> None:
    geo = _geo()
    occ = box(32.5, 48.0, 33.5, 49.0)  # east oblast only
    ob = oblast_areas(occ, geo.oblasts)
    assert list(ob.columns) == ["oblast_iso", "oblast_name", "occupied_km2", "occupied_pct"]
    assert ob.loc[0, "occupied_km2"] == 0.0
    assert ob.loc[1, "occupied_km2"] == pytest.approx(_km2_6933(occ), rel=1e-9)
    assert ob.loc[1, "occupied_pct"] == pytest.approx(
        ob.loc[1, "occupied_km2"] / geo.oblasts["area_km2"].iloc[1] * 100
    )


def test_nearest_settlement_prefers_large_town_within_15_km() -> None:
    geo = _geo()
    names, dist = geo.nearest_settlement(
        np.array([32.62, 33.05, 31.0]), np.array([48.4, 48.0, 47.5])
    )
    # Next to the hamlet, but Bigtown (>= 1,000) is ~30 km away: the hamlet wins.
    assert names[0] == "Hamlet"
    assert names[1] == "Bigtown"
    assert dist[1] == pytest.approx(3.7, abs=0.2)
    assert names[2] == "Hamlet"  # nothing big within 15 km: nearest of any size
