"""Tests of garant.sea.aircover: CAP stations over a corridor and the aircraft to hold them."""

from __future__ import annotations

import math

import numpy as np
import pyproj
import pytest
import shapely
from shapely.geometry import LineString, Point

from garant.air.catalog import default_catalog
from garant.errors import DataError, NotFoundError
from garant.sea import aircover as ac
from garant.sea.sizing import default_mission_params
from garant.sea.threats import distance_km, load_sea_threats

GEOD = pyproj.Geod(ellps="WGS84")
#: A launch point far enough east that Kalibr and Shahed reach the whole test route.
FAR_EAST = Point(38.0, 44.5)


def _route(lon0: float, lon1: float, lat: float = 43.0) -> LineString:
    return LineString([(lon0, lat), (lon1, lat)])


def test_engageable_systems_follow_the_catalogues() -> None:
    cat = default_catalog()
    fighter = cat.defences["f16_patrol"]
    expected = [
        sid
        for sid, s in load_sea_threats().items()
        if s.air_threat and cat.threats[s.air_threat].threat_class in fighter.range_km
    ]
    got = ac.engageable_systems("f16_patrol")
    assert got == expected
    assert "kalibr" in got
    assert "bal" not in got  # an anti-ship missile: the catalogue's fighters do not engage it


def test_stations_cover_a_straight_route() -> None:
    line = _route(29.0, 34.0)  # about 406 km along 43 N
    res = ac.air_cover(line, FAR_EAST, defence="f16_patrol")
    _, _, d_m = GEOD.inv(29.0, 43.0, 34.0, 43.0)
    assert res.route_km == pytest.approx(d_m / 1000.0, rel=0.01)
    assert res.threatened_km == pytest.approx(res.route_km)
    assert res.covered_share == pytest.approx(1.0)
    r = default_catalog().defences["f16_patrol"].range_km["cruise"].value
    assert res.radius_km == r
    # a straight line of length L needs ceil(L / 2r) circles of radius r
    assert res.stations_needed == math.ceil(res.route_km / (2 * r))
    # every threatened sample lies within r of a station
    samples = np.linspace(29.0, 34.0, 200)
    st = res.stations
    for lon in samples:
        d = GEOD.inv(np.full(len(st), lon), np.full(len(st), 43.0), st["lon"], st["lat"])[2]
        assert d.min() / 1000.0 <= r + 6.0  # half a sample step of slack
    assert res.optimal


def test_aircraft_arithmetic() -> None:
    res = ac.air_cover(_route(29.0, 31.0), FAR_EAST)
    p = default_mission_params().air_cover
    turnaround = default_catalog().defences["f16_patrol"].reload_h.value
    total = 0.0
    b = ac.DEFAULT_BASE
    for row in res.stations.to_dict("records"):
        dist = GEOD.inv(b.lon, b.lat, row["lon"], row["lat"])[2] / 1000.0
        assert row["base_distance_km"] == pytest.approx(dist)
        on = p.sortie_h.value - 2 * dist / p.transit_speed_kmh.value
        assert row["time_on_station_h"] == pytest.approx(on)
        n = p.aircraft_per_station.value * (p.sortie_h.value + turnaround) / on
        assert row["aircraft"] == pytest.approx(n / p.availability.value)
        total += float(row["aircraft"])
    assert res.aircraft_needed == math.ceil(total)
    unit = default_catalog().defences["f16_patrol"].unit_cost_usd
    assert unit is not None
    assert res.cost_usd[0] == pytest.approx(res.aircraft_needed * unit.value)
    names = [m for m, _, _ in res.summary()]
    assert "cap_aircraft_needed" in names
    assert "air_threatened_share" in names


def test_only_the_threatened_part_is_covered() -> None:
    launch = Point(40.0, 47.0)
    line = _route(28.0, 12.0)  # westwards, leaving Shahed's reach on the way
    res = ac.air_cover(line, launch, systems=["shahed_136"], step_km=5.0)
    lon = np.linspace(28.0, 12.0, 4001)
    pts = np.column_stack([lon, np.full_like(lon, 43.0)])
    inside = distance_km(pts, launch) <= load_sea_threats()["shahed_136"].range_km.value
    seg = GEOD.inv(pts[:-1, 0], pts[:-1, 1], pts[1:, 0], pts[1:, 1])[2] / 1000.0
    expected = float(seg[inside[:-1] & inside[1:]].sum())
    assert 0 < res.threatened_share < 1
    assert res.threatened_km == pytest.approx(expected, abs=10.0)
    assert res.stations_needed == math.ceil(res.threatened_km / (2 * res.radius_km))
    assert res.reach.set_index("system").loc["shahed_136", "reach_km"] == pytest.approx(
        res.threatened_km
    )


def test_unreachable_stations_need_refuelling() -> None:
    far = ac.AirBase("far away", 2.0, 50.0, "test")
    res = ac.air_cover(_route(29.0, 31.0), FAR_EAST, bases=[far])
    assert res.unreachable_stations == res.stations_needed > 0
    assert res.aircraft_needed == 0
    assert not res.stations["reachable"].any()


def test_nearest_base_is_used() -> None:
    near = ac.AirBase("near", 30.0, 43.5, "test")
    res = ac.air_cover(_route(29.0, 31.0), FAR_EAST, bases=[ac.DEFAULT_BASE, near])
    assert set(res.stations["base"]) == {"near"}


def test_standoff_leaves_part_uncovered() -> None:
    # launch area right at the start of the route: no station may sit within 250 km
    launch = shapely.box(28.6, 42.9, 28.9, 43.1)
    line = _route(29.0, 33.0)
    free = ac.air_cover(line, launch)
    kept = ac.air_cover(line, launch, standoff_km=250.0)
    assert free.covered_share == pytest.approx(1.0)
    assert kept.covered_share < 1.0
    xy = kept.stations[["lon", "lat"]].to_numpy(dtype=float)
    assert (distance_km(xy, launch) >= 250.0).all()


def test_station_circles() -> None:
    res = ac.air_cover(_route(29.0, 31.0), FAR_EAST)
    circles = res.station_circles()
    assert len(circles) == res.stations_needed
    row = res.stations.iloc[0]
    assert circles.iloc[0].contains(Point(row.lon, row.lat))
    lon, lat, _ = GEOD.fwd(row.lon, row.lat, 90.0, (res.radius_km + 3) * 1000.0)
    assert not circles.iloc[0].contains(Point(lon, lat))
    lon, lat, _ = GEOD.fwd(row.lon, row.lat, 90.0, (res.radius_km - 3) * 1000.0)
    assert circles.iloc[0].contains(Point(lon, lat))


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"defence": "mig_29"}, NotFoundError, "unknown defence 'mig_29'"),
        ({"defence": "patriot_pac3"}, DataError, "not a fighter"),
        ({"systems": ["bal"]}, DataError, "cannot engage system 'bal'"),
        ({"systems": ["s500"]}, NotFoundError, "unknown threat system 's500'"),
        ({"systems": []}, DataError, "engages none"),
        ({"step_km": 0.0}, DataError, "step_km"),
        ({"standoff_km": -1.0}, DataError, "standoff_km"),
        ({"bases": []}, DataError, "at least one air base"),
    ],
)
def test_bad_input(kwargs: dict[str, object], error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        ac.air_cover(_route(29.0, 30.0), FAR_EAST, **kwargs)  # type: ignore[arg-type]


def test_bad_route_and_base() -> None:
    with pytest.raises(DataError, match="expected a non-empty LineString, got Point"):
        ac.air_cover(Point(30.0, 43.0), FAR_EAST)
    with pytest.raises(DataError, match="air base 'x'"):
        ac.AirBase("x", 200.0, 43.0)
    with pytest.raises(DataError, match="empty name"):
        ac.AirBase(" ", 20.0, 43.0)
