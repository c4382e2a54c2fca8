"""Tests of garant.sea.threats: the sea threat catalogue, exposure and mine areas."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod
from shapely.geometry import LineString, Point, Polygon

from garant.errors import ConfigError, DataError, NotFoundError
from garant.sea import threats as t

GEOD = Geod(ellps="WGS84")
SEVASTOPOL = (33.52, 44.62)
ODESA = (30.73, 46.48)
CONSTANTA = (28.65, 44.17)
BOSPHORUS = (29.1, 41.25)


# -- catalogue -----------------------------------------------------------------------


def test_bundled_catalogue_has_the_systems_with_sourced_numbers() -> None:
    cat = t.load_sea_threats()
    for sid in (
        "bastion_p",
        "bal",
        "kh_22",
        "kh_32",
        "kalibr",
        "shahed_136",
        "lancet",
        "naval_drone",
        "strike_aircraft",
    ):
        s = cat[sid]
        for q in (s.range_km, s.speed_kmh):
            assert q.low <= q.value <= q.high
            assert q.provenance
        assert s.basing
    assert cat["bastion_p"].range_km.value == 300
    assert cat["bal"].range_km.low == 120
    assert cat["bal"].range_km.high == 260
    assert "aircraft" in cat["kh_22"].basing


def test_catalogue_links_to_air_catalogue() -> None:
    from garant.air.catalog import default_catalog

    air = default_catalog()
    for s in t.load_sea_threats().values():
        if s.air_threat is not None:
            assert s.air_threat in air.threats, s.id


def test_unknown_system_is_not_found() -> None:
    with pytest.raises(NotFoundError, match="unknown threat system 'exocet'"):
        t.get_sea_threat("exocet")
    with pytest.raises(NotFoundError):
        t.exposure_km([ODESA], Point(SEVASTOPOL), "exocet")


def _write(tmp_path: Path, text: str, name: str = "user.toml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_user_catalogue_overrides_and_extends(tmp_path: Path) -> None:
    q = 'unit = "km", assumption = "test"'
    p = _write(
        tmp_path,
        f"""
[systems.bal]
name = "Bal, longer"
category = "coastal_missile"
basing = ["crimea"]
range_km = {{ value = 280, low = 200, high = 300, {q} }}
speed_kmh = {{ value = 900, low = 900, high = 900, unit = "km/h", assumption = "test" }}

[systems.new_one]
name = "New"
category = "naval_drone"
basing = ["russian_coast"]
range_km = {{ value = 50, low = 40, high = 60, {q} }}
speed_kmh = {{ value = 50, low = 40, high = 60, unit = "km/h", assumption = "test" }}
""",
    )
    cat = t.load_sea_threats(p)
    assert cat["bal"].range_km.value == 280
    assert cat["new_one"].category == "naval_drone"
    assert "bastion_p" in cat


@pytest.mark.parametrize(
    ("body", "match"),
    [
        ('[systems.x]\nname = "x"\ncategory = "laser"\nbasing = ["crimea"]\n', "category"),
        ("[systems]\n", "no \\[systems"),
        ("nope = 1\n[systems.x]\nname = 'x'\n", "unknown top-level key 'nope'"),
        ("[systems.x\n", "not valid TOML"),
    ],
)
def test_bad_user_catalogue(tmp_path: Path, body: str, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        t.load_sea_threats(_write(tmp_path, body))


def test_bad_basing_and_unit(tmp_path: Path) -> None:
    body = """
[systems.x]
name = "x"
category = "coastal_missile"
basing = ["moon"]
range_km = { value = 1, low = 1, high = 1, unit = "m", assumption = "t" }
speed_kmh = { value = 1, low = 1, high = 1, unit = "km/h", assumption = "t" }
"""
    with pytest.raises(ConfigError, match=r"systems\.x\.basing.*'moon'.*systems\.x\.range_km"):
        t.load_sea_threats(_write(tmp_path, body))


def test_missing_user_catalogue(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        t.load_sea_threats(tmp_path / "absent.toml")


# -- distances and exposure -------------------------------------------------------------


def test_distance_matches_geodesic_for_a_point_launch_area() -> None:
    pts = np.array([ODESA, CONSTANTA, BOSPHORUS, (37.8, 44.7)])
    got = t.distance_km(pts, Point(SEVASTOPOL))
    _, _, d_m = GEOD.inv(
        np.full(len(pts), SEVASTOPOL[0]), np.full(len(pts), SEVASTOPOL[1]), pts[:, 0], pts[:, 1]
    )
    np.testing.assert_allclose(got, np.asarray(d_m) / 1000.0, rtol=0.01)


def test_distance_is_zero_inside_the_launch_area() -> None:
    crimea_box = shapely.box(32.5, 44.4, 36.6, 46.2)
    assert t.distance_km([(34.0, 45.0)], crimea_box)[0] == 0.0


def test_exposure_and_exposed_against_bastion() -> None:
    la = Point(SEVASTOPOL)
    pts = [(32.0, 45.5), BOSPHORUS]  # ~150 km and ~530 km from Sevastopol
    depth = t.exposure_km(pts, la, "bastion_p")
    assert depth[0] > 0 > depth[1]
    d = t.distance_km(pts, la)
    np.testing.assert_allclose(depth, 300.0 - d)
    np.testing.assert_array_equal(t.exposed(pts, la, "bastion_p"), depth >= 0)
    # a single (lon, lat) pair is accepted
    assert t.exposed(ODESA, la, "kalibr").tolist() == [True]


@settings(max_examples=30, deadline=None)
@given(
    lon=st.floats(min_value=27.5, max_value=41.5),
    lat=st.floats(min_value=41.0, max_value=47.0),
    sid=st.sampled_from(sorted(t.load_sea_threats())),
)
def test_exposure_is_ordered_by_range_bound(lon: float, lat: float, sid: str) -> None:
    la = Point(SEVASTOPOL)
    lo, mid, hi = (
        t.exposure_km([(lon, lat)], la, sid, bound=b)[0] for b in ("low", "value", "high")
    )
    assert lo <= mid <= hi


@pytest.mark.parametrize(
    "points",
    [np.zeros((3, 3)), [(np.nan, 45.0)], [(200.0, 45.0)], [(30.0, 95.0)]],
)
def test_bad_points(points: Any) -> None:
    with pytest.raises(DataError, match="points_lonlat"):
        t.distance_km(points, Point(SEVASTOPOL))


def test_empty_launch_area() -> None:
    with pytest.raises(DataError, match="launch_geom"):
        t.distance_km([ODESA], Polygon())


def test_bad_bound() -> None:
    with pytest.raises(DataError, match="bound"):
        t.exposure_km([ODESA], Point(SEVASTOPOL), "bal", bound="max")  # type: ignore[arg-type]


def _line_away_from(origin: tuple[float, float], azimuth: float, length_km: float) -> LineString:
    lon, lat, _ = GEOD.fwd(origin[0], origin[1], azimuth, length_km * 1000.0)
    return LineString([origin, (lon, lat)])


@pytest.mark.parametrize(("sid", "range_km"), [("bal", 260.0), ("lancet", 40.0)])
def test_exposure_time_of_a_route_leaving_the_launch_point(sid: str, range_km: float) -> None:
    # Sevastopol due west-south-west over the sea, 450 km: exposed for `range_km`.
    route = _line_away_from(SEVASTOPOL, 250.0, 450.0)
    hours = t.exposure_time_h(route, 10.0, Point(SEVASTOPOL), sid)
    expected = range_km / (10.0 * t.KNOT_KMH)
    assert hours == pytest.approx(expected, rel=0.02)
    # twice the speed, half the time
    assert t.exposure_time_h(route, 20.0, Point(SEVASTOPOL), sid) == pytest.approx(hours / 2)


def test_exposure_time_covers_the_whole_route_for_long_range_systems() -> None:
    route = LineString([ODESA, CONSTANTA, BOSPHORUS])
    _, _, d1 = GEOD.inv(*ODESA, *CONSTANTA)
    _, _, d2 = GEOD.inv(*CONSTANTA, *BOSPHORUS)
    hours = t.exposure_time_h(route, 12.0, Point(SEVASTOPOL), "kalibr")
    assert hours == pytest.approx((d1 + d2) / 1000.0 / (12 * t.KNOT_KMH), rel=0.01)


@pytest.mark.parametrize("speed", [0.0, -5.0, float("nan")])
def test_exposure_time_bad_speed(speed: float) -> None:
    with pytest.raises(DataError, match="speed_kn"):
        t.exposure_time_h(LineString([ODESA, CONSTANTA]), speed, Point(SEVASTOPOL), "bal")


def test_exposure_time_not_a_line() -> None:
    with pytest.raises(DataError, match="route_line"):
        t.exposure_time_h(Point(ODESA), 10.0, Point(SEVASTOPOL), "bal")


def test_launch_area_keeps_russia_near_the_black_sea_only() -> None:
    occupied = shapely.box(32.5, 44.4, 36.6, 46.2)
    russia = shapely.box(36.6, 43.3, 60.0, 60.0)
    la = t.launch_area(occupied, russia)
    minx, miny, maxx, maxy = la.bounds
    assert (minx, miny) == (32.5, 43.3)
    assert maxx <= t.BLACK_SEA_BBOX[2]
    assert maxy <= t.BLACK_SEA_BBOX[3]
    assert t.launch_area(occupied).equals(occupied)
    with pytest.raises(DataError):
        t.launch_area(Polygon(), None)


def test_real_geography_exposure() -> None:
    """Bundled geography and the demo's occupied territory (no store, ~1 s)."""
    from garant.air.presets import demo_occupied
    from garant.sources.geography import countries

    c = countries()
    la = t.launch_area(demo_occupied(), c.loc[c.iso_a3 == "RUS"].geometry.iloc[0])
    d = t.distance_km([ODESA, CONSTANTA, BOSPHORUS], la)
    assert 40 < d[0] < 90  # Odesa - Kinburn spit
    assert 280 < d[1] < 380  # Constanta - Crimea
    assert 450 < d[2] < 600  # Bosphorus - Crimea
    assert t.exposed([ODESA, CONSTANTA], la, "bal").tolist() == [True, False]
    route = LineString([ODESA, (30.2, 45.3), (29.0, 44.2), BOSPHORUS])
    hours = {s: t.exposure_time_h(route, 10.0, la, s) for s in ("lancet", "bal", "kh_22")}
    assert hours["lancet"] < hours["bal"] < hours["kh_22"]


# -- mine danger areas -------------------------------------------------------------------


def _square(lon: float, lat: float, d: float = 0.2) -> dict[str, Any]:
    ring = [[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def _feature(geom: Any, **props: Any) -> dict[str, Any]:
    return {"type": "Feature", "geometry": geom, "properties": props}


def _layer(tmp_path: Path, features: list[Any]) -> Path:
    p = tmp_path / "mines.geojson"
    p.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return p


def test_load_mine_areas(tmp_path: Path) -> None:
    p = _layer(
        tmp_path,
        [
            _feature(_square(30.8, 46.2), kind="declared", source="NAVAREA III 123/23", id="a"),
            _feature(_square(29.8, 45.0), kind="drifting", source="Romanian Navy", name="b"),
        ],
    )
    gdf = t.load_mine_areas(p)
    assert list(gdf.columns) == ["id", "name", "kind", "source", "avoid", "note", "geometry"]
    assert gdf["kind"].tolist() == ["declared", "drifting"]
    assert gdf["avoid"].tolist() == [False, False]
    assert gdf["id"].tolist() == ["a", "1"]
    assert str(gdf.crs) == "EPSG:4326"


def test_empty_mine_layer(tmp_path: Path) -> None:
    gdf = t.load_mine_areas(_layer(tmp_path, []))
    assert len(gdf) == 0
    assert "kind" in gdf.columns


bowtie = {"type": "Polygon", "coordinates": [[[30, 45], [31, 46], [31, 45], [30, 46], [30, 45]]]}


@pytest.mark.parametrize(
    ("feature", "match"),
    [
        (_feature(_square(30, 45), kind="rumoured", source="x"), "feature 0 .*kind 'rumoured'"),
        (_feature(_square(30, 45), kind="declared"), "feature 0 .*source"),
        (_feature(_square(30, 45), kind="declared", source="  "), "source"),
        (
            _feature({"type": "Point", "coordinates": [30, 45]}, kind="declared", source="x"),
            "Point",
        ),
        (_feature(bowtie, kind="declared", source="x"), "invalid polygon"),
        (_feature(_square(300, 45), kind="declared", source="x"), "outside lon/lat"),
        ({"type": "Nope"}, "not a GeoJSON Feature"),
        (_feature(_square(30, 45), kind="declared", source="x", avoid="yes"), "avoid 'yes'"),
    ],
)
def test_bad_mine_feature(tmp_path: Path, feature: Any, match: str) -> None:
    p = _layer(tmp_path, [feature])
    with pytest.raises(DataError, match=match) as exc:
        t.load_mine_areas(p)
    assert "mines.geojson" in str(exc.value)


def test_bad_mine_files(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError):
        t.load_mine_areas(tmp_path / "none.geojson")
    p = tmp_path / "x.geojson"
    p.write_text("{not json")
    with pytest.raises(DataError, match="not valid JSON"):
        t.load_mine_areas(p)
    p.write_text(json.dumps({"type": "Feature"}))
    with pytest.raises(DataError, match="FeatureCollection"):
        t.load_mine_areas(p)
    f = _feature(_square(30, 45), kind="declared", source="x", id="k")
    with pytest.raises(DataError, match="feature 1 \\(id 'k'\\): duplicate id"):
        t.load_mine_areas(_layer(tmp_path, [f, f]))


def test_avoid_and_note(tmp_path: Path) -> None:
    gdf = t.load_mine_areas(
        _layer(
            tmp_path,
            [_feature(_square(30, 45), kind="declared", source="x", avoid=True, note="drawn")],
        )
    )
    assert gdf["avoid"].tolist() == [True]
    assert gdf["note"].tolist() == ["drawn"]


def test_bundled_mine_areas() -> None:
    from garant.sea.geography import water

    gdf = t.load_mine_areas()
    assert t.load_mine_areas(t.BUNDLED_MINE_AREAS).equals(gdf)
    assert len(gdf) >= 5
    assert set(gdf["kind"]) <= set(t.MINE_KINDS)
    # every area cites a published warning (positions as published, no invented areas)
    assert gdf["source"].str.contains("Notice to Mariners|NAVAREA", regex=True).all()
    assert gdf["id"].is_unique
    # the declared areas lie in the north-western Black Sea, mostly at sea
    minx, miny, maxx, maxy = gdf.total_bounds
    assert minx > 29.0
    assert miny > 45.0
    assert maxx < 34.0
    assert maxy < 47.0
    sea = water()
    wet = [g.intersection(sea).area / g.area for g in gdf.geometry]
    assert np.median(wet) > 0.9
    # the Odesa approaches area of the UKHO notice: 46 14.8 N 30 37.6 E is a corner
    odesa = gdf.set_index("id").loc["ukho-2503-23-3", "geometry"]
    corner = (30 + 37.6 / 60, 46 + 14.8 / 60)
    assert Point(corner).distance(odesa.exterior) < 1e-4


def test_route_in_mine_areas(tmp_path: Path) -> None:
    gdf = t.load_mine_areas(
        _layer(tmp_path, [_feature(_square(30.0, 44.9, 0.2), kind="drifting", source="x")])
    )
    route = LineString([(29.5, 45.0), (30.5, 45.0)])
    _, _, d_m = GEOD.inv(30.0, 45.0, 30.2, 45.0)
    assert t.route_in_mine_areas_km(route, gdf) == pytest.approx(d_m / 1000.0, abs=1.0)
    assert t.route_in_mine_areas_km(route, []) == 0.0
    assert t.route_in_mine_areas_km(LineString([(31, 44), (31.5, 44)]), gdf) == 0.0


def test_exposure_frame_has_a_column_per_system() -> None:
    pts = [(32.0, 45.5), BOSPHORUS]
    frame = t.exposure_frame(pts, Point(SEVASTOPOL))
    assert list(frame.columns[:3]) == ["lon", "lat", "distance_km"]
    assert set(t.load_sea_threats()) <= set(frame.columns)
    assert frame["bal"].tolist() == [True, False]
    assert frame["kalibr"].tolist() == [True, True]
    one = t.exposure_frame(ODESA, Point(SEVASTOPOL), ["lancet"], bound="high")
    assert list(one.columns) == ["lon", "lat", "distance_km", "lancet"]
    assert not one["lancet"].iloc[0]


@pytest.mark.parametrize("bound", ["low", "value", "high"])
def test_reach_polygon_matches_range(bound: t.Bound) -> None:
    ring = t.reach_polygon(Point(SEVASTOPOL), "bal", bound=bound)
    r_km = getattr(t.get_sea_threat("bal").range_km, bound)
    inside = GEOD.fwd(*SEVASTOPOL, 250.0, (r_km - 5) * 1000.0)[:2]
    outside = GEOD.fwd(*SEVASTOPOL, 250.0, (r_km + 5) * 1000.0)[:2]
    assert ring.contains(Point(inside))
    assert not ring.contains(Point(outside))


def test_reach_polygon_clip() -> None:
    sea = shapely.box(28.0, 41.0, 41.5, 46.5)
    ring = t.reach_polygon(Point(SEVASTOPOL), "kalibr", clip=sea)
    assert ring.symmetric_difference(sea).area < 1e-6
