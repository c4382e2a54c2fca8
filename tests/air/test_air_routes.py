from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from garant.air.routes import (
    engagement_windows,
    km_to_lonlat,
    lonlat_to_km,
    plan_routes,
    route_exposure_km,
)
from garant.errors import DataError


def test_lonlat_round_trip():
    pts = np.array([[30.52, 50.45], [24.03, 49.84], [36.23, 49.99]])
    back = km_to_lonlat(lonlat_to_km(pts))
    np.testing.assert_allclose(back, pts, atol=1e-9)


def test_lonlat_distance_is_metric():
    # Kyiv - Lviv is ~468 km on the ellipsoid
    a, b = lonlat_to_km([[30.52, 50.45], [24.03, 49.84]])
    assert np.hypot(*(a - b)) == pytest.approx(468, rel=0.01)


def test_dogleg_avoids_a_blocking_envelope():
    r = plan_routes([[0, 0]], [[400, 0]], [[200, 0]], [[30.0]], range_km=1000)
    assert r.dogleg[0]
    assert r.exposure_km[0] == pytest.approx(0.0)
    direct = plan_routes([[0, 0]], [[400, 0]], [[200, 0]], [[30.0]], range_km=1000, dogleg=False)
    assert not direct.dogleg[0]
    assert direct.exposure_km[0] == pytest.approx(60.0)
    assert direct.length_km[0] == pytest.approx(400.0)


def test_dogleg_needs_range_and_permission():
    tight = plan_routes([[0, 0]], [[400, 0]], [[200, 0]], [[30.0]], range_km=400.5)
    assert not tight.dogleg[0]
    assert tight.length_km[0] == pytest.approx(400.0)
    banned = plan_routes(
        [[0, 0]], [[400, 0]], [[200, 0]], [[30.0]], range_km=1000, can_dogleg=[False]
    )
    assert not banned.dogleg[0]


def test_no_dogleg_when_nothing_to_avoid():
    r = plan_routes([[0, 0]], [[400, 0]], [[200, 200]], [[30.0]], range_km=1000)
    assert not r.dogleg[0]
    assert r.exposure_km[0] == 0.0


@settings(max_examples=40, deadline=None)
@given(
    n_units=st.integers(0, 6),
    seed=st.integers(0, 10_000),
    slack=st.floats(1.0, 2.0),
)
def test_routes_never_exceed_range_and_never_add_exposure(n_units, seed, slack):
    rng = np.random.default_rng(seed)
    launch = rng.uniform(-500, 500, (5, 2))
    target = rng.uniform(-500, 500, (5, 2))
    units = rng.uniform(-500, 500, (n_units, 2))
    radius = rng.uniform(0, 150, (5, n_units))
    rng_km = np.hypot(*(target - launch).T) * slack + 1e-3
    r = plan_routes(launch, target, units, radius, range_km=rng_km)
    d = plan_routes(launch, target, units, radius, range_km=rng_km, dogleg=False)
    assert (r.length_km <= rng_km * (1 + 1e-9)).all()
    assert (r.exposure_km <= d.exposure_km + 1e-9).all()
    np.testing.assert_allclose(
        r.exposure_km, route_exposure_km(r.waypoints_km, units, radius), atol=1e-9
    )


def test_window_of_a_straight_pass():
    r = plan_routes([[0, 0]], [[400, 0]], [[200, 0]], [[30.0]], range_km=1000, dogleg=False)
    w = engagement_windows(r, [[200, 0]], [[30.0]], speed_kmh=100.0, launch_time_h=1.0)
    assert w.n == 1
    assert w.t_in_h[0] == pytest.approx(1.0 + 1.7)
    assert w.t_out_h[0] == pytest.approx(1.0 + 2.3)


def test_window_ends_at_a_defended_target_and_merges_at_the_turn():
    r = plan_routes([[0, 0]], [[400, 0]], [[400, 0], [200, 0]], [[50.0, 30.0]], range_km=1e4)
    w = engagement_windows(
        r, [[400, 0], [200, 0]], [[50.0, 30.0]], speed_kmh=200.0, launch_time_h=0.0
    )
    arrival = r.length_km[0] / 200.0
    at_target = w.unit == 0
    assert at_target.sum() == 1
    assert w.t_out_h[at_target][0] == pytest.approx(arrival)
    # the direct route's middle vertex lies inside the middle envelope: one window, not two
    d = plan_routes([[0, 0]], [[400, 0]], [[200, 0]], [[30.0]], range_km=1e4, dogleg=False)
    wd = engagement_windows(d, [[200, 0]], [[30.0]], speed_kmh=200.0, launch_time_h=0.0)
    assert wd.n == 1
    assert wd.t_out_h[0] - wd.t_in_h[0] == pytest.approx(60.0 / 200.0)


def test_zero_radius_gives_no_window():
    r = plan_routes([[0, 0]], [[400, 0]], [[200, 0]], [[0.0]], range_km=1000)
    w = engagement_windows(r, [[200, 0]], [[0.0]], speed_kmh=100.0, launch_time_h=0.0)
    assert w.n == 0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"target_km": [[400, 0], [1, 1]]}, "target_km"),
        ({"radius_km": [[-1.0]]}, "radius_km"),
        ({"radius_km": [[1.0, 2.0]]}, "radius_km"),
        ({"range_km": 100.0}, "range_km"),
        ({"range_km": 0.0}, "range_km"),
        ({"target_km": [[0, 0]]}, "target_km"),
        ({"launch_km": [[0, 0, 0]]}, "launch_km"),
    ],
)
def test_plan_routes_rejects_bad_input(kwargs, match):
    args = {
        "launch_km": [[0, 0]],
        "target_km": [[400, 0]],
        "unit_km": [[200, 0]],
        "radius_km": [[30.0]],
        "range_km": 1000.0,
    } | kwargs
    rng_km = args.pop("range_km")
    with pytest.raises(DataError, match=match):
        plan_routes(**args, range_km=rng_km)


def test_windows_reject_bad_speed():
    r = plan_routes([[0, 0]], [[400, 0]], [[200, 0]], [[30.0]], range_km=1000)
    with pytest.raises(DataError, match="speed_kmh"):
        engagement_windows(r, [[200, 0]], [[30.0]], speed_kmh=0.0, launch_time_h=0.0)
