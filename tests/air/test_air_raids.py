from __future__ import annotations

from types import SimpleNamespace

import numba
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from garant.air.classes import THREAT_CLASSES
from garant.air.raids import (
    RaidScenario,
    ThreatParams,
    UnitParams,
    Wave,
    simulate_raids,
    simulate_reference,
    threat_params_from_catalog,
    unit_params_from_catalog,
)
from garant.errors import DataError

KYIV = (30.52, 50.45)
BILA_TSERKVA = (30.11, 49.80)
LAUNCH = (33.0, 51.6)  # ~215 km north-east of Kyiv
CI = {c: i for i, c in enumerate(THREAT_CLASSES)}
UAV = ("strike_uav", "decoy_uav")


def threats() -> ThreatParams:
    return ThreatParams.make(
        ["shahed", "gerbera", "kh101"],
        ["strike_uav", "decoy_uav", "cruise"],
        speed_kmh=[185.0, 160.0, 750.0],
        range_km=[2000.0, 800.0, 4000.0],
        unit_cost_usd=[50e3, 10e3, 13e6],
    )


def units(
    *, pk_sam=0.8, pk_gun=0.3, mag_sam=16, mag_gun=60, channels=(6, 1), reserve=(0, 0)
) -> UnitParams:
    return UnitParams.make(
        ["sam", "gun"],
        range_km=[{"cruise": 60, **dict.fromkeys(UAV, 40)}, {"cruise": 3, **dict.fromkeys(UAV, 4)}],
        pk=[
            {"cruise": pk_sam, **dict.fromkeys(UAV, pk_sam)},
            dict.fromkeys((*UAV, "cruise"), pk_gun),
        ],
        magazine=[mag_sam, mag_gun],
        cost_per_shot_usd=[1e6, 2e3],
        shots_per_engagement=[2, 1],
        channels=list(channels),
        reserve=list(reserve),
        reload_h=[0.5, 0.1],
    )


def scenario(
    *,
    n_drones=40,
    n_decoys=10,
    n_cruise=5,
    placed=(("sam", KYIV), ("gun", (30.45, 50.50)), ("gun", (30.60, 50.42))),
    unit_params=None,
    **kw,
) -> RaidScenario:
    return RaidScenario(
        threats=threats(),
        units=unit_params or units(),
        unit_types=tuple(t for t, _ in placed),
        unit_lonlat=np.array([p for _, p in placed], dtype=float).reshape(-1, 2),
        target_names=("kyiv", "bila-tserkva"),
        target_lonlat=np.array([KYIV, BILA_TSERKVA]),
        waves=(
            Wave("shahed", n_drones, LAUNCH, duration_h=3.0),
            Wave("gerbera", n_decoys, LAUNCH, ("kyiv",), start_h=0.5, duration_h=1.0),
            Wave("kh101", n_cruise, (36.0, 49.0), ("kyiv",), start_h=2.0, duration_h=0.2),
        ),
        **kw,
    )


def check_invariants(r, sc):
    g = sc.geometry
    np.testing.assert_array_equal(r.neutralised + r.leaked, r.launched)
    assert (r.destroyed >= 0).all()
    assert (r.lost_ew >= 0).all()
    assert (r.leaked >= 0).all()
    # hits only from leaked non-decoys
    non_decoy_leaks = r.leaked.sum(axis=1) - r.leaked[:, CI["decoy_uav"]]
    assert (r.hits.sum(axis=1) <= non_decoy_leaks).all()
    # no shots beyond magazines (ready + reserve)
    stock = sc.units.magazine[g.unit_type] + sc.units.reserve[g.unit_type]
    per_type = np.bincount(g.unit_type, weights=stock, minlength=len(sc.units.name))
    assert (r.shots <= per_type[None, :]).all()
    assert (r.rounds_left >= 0).all()
    np.testing.assert_array_equal(
        r.rounds_left_by_type + r.shots, np.broadcast_to(per_type, r.shots.shape)
    )


@settings(max_examples=25, deadline=None)
@given(
    n_drones=st.integers(0, 60),
    n_decoys=st.integers(0, 20),
    n_cruise=st.integers(0, 8),
    pk=st.floats(0.0, 1.0),
    mag=st.integers(0, 20),
    ew=st.floats(0.0, 1.0),
    disc=st.floats(0.0, 1.0),
    hit=st.floats(0.0, 1.0),
    seed=st.integers(0, 2**32),
)
def test_kills_never_exceed_the_raid(n_drones, n_decoys, n_cruise, pk, mag, ew, disc, hit, seed):
    sc = scenario(
        n_drones=n_drones,
        n_decoys=n_decoys,
        n_cruise=n_cruise,
        unit_params=units(pk_sam=pk, pk_gun=pk / 2, mag_sam=mag, mag_gun=mag, reserve=(mag, 0)),
        ew_p={"strike_uav": ew},
        decoy_discrimination_p=disc,
        hit_p={"strike_uav": hit},
    )
    r = simulate_raids(sc, 20, rng=seed)
    check_invariants(r, sc)
    launched = r.launched[0]
    assert launched[CI["strike_uav"]] == n_drones
    assert launched[CI["decoy_uav"]] == n_decoys
    assert launched[CI["cruise"]] == n_cruise


def test_decoys_never_hit():
    sc = scenario(n_drones=0, n_decoys=30, n_cruise=0, placed=())
    r = simulate_raids(sc, 50, rng=1)
    assert r.leaked[:, CI["decoy_uav"]].min() == 30
    assert r.hits.sum() == 0


def test_zero_units_everything_leaks():
    sc = scenario(placed=())
    r = simulate_raids(sc, 30, rng=2)
    np.testing.assert_array_equal(r.leaked, r.launched)
    assert r.shots.sum() == 0
    assert r.defender_cost_usd.sum() == 0
    # every non-decoy leaker hits (hit_p defaults to 1), round-robin over the targets
    assert r.hits.sum(axis=1).tolist() == [45] * 30
    assert r.hits[0].tolist() == [20 + 10 * 0 + 5, 20]


def test_perfect_defence_nothing_leaks():
    u = units(pk_sam=1.0, mag_sam=1000, channels=(50, 1))
    sc = scenario(unit_params=u, placed=(("sam", KYIV), ("sam", BILA_TSERKVA)))
    r = simulate_raids(sc, 20, rng=3)
    assert r.leaked.sum() == 0
    assert r.hits.sum() == 0
    np.testing.assert_array_equal(r.destroyed, r.launched)
    # pk = 1: each engagement fires one salvo of 2 and kills
    assert (r.shots[:, 0] == 2 * r.launched.sum(axis=1)).all()


def test_empty_magazines_do_not_fire():
    u = units(mag_sam=0, mag_gun=0)
    r = simulate_raids(scenario(unit_params=u), 10, rng=4)
    assert r.shots.sum() == 0
    np.testing.assert_array_equal(r.leaked, r.launched)


def test_magazines_deplete_and_reserves_reload_in_a_long_raid():
    u = units(pk_sam=0.0, mag_sam=4, reserve=(6, 0), channels=(1, 1))
    sc = scenario(unit_params=u, placed=(("sam", KYIV),))
    r = simulate_raids(sc, 10, rng=5)
    assert (r.shots[:, 0] == 10).all()  # 4 ready + 6 reserve, all spent on misses
    assert (r.rounds_left == 0).all()
    no_reserve = simulate_raids(sc, 10, rng=5, reserve=[0])
    assert (no_reserve.shots[:, 0] == 4).all()
    partial = simulate_raids(sc, 10, rng=5, rounds=[1], reserve=[0])
    assert (partial.shots[:, 0] == 1).all()


def test_ew_losses():
    sc = scenario(ew_p={"strike_uav": 1.0, "decoy_uav": 1.0, "cruise": 1.0})
    r = simulate_raids(sc, 10, rng=6)
    np.testing.assert_array_equal(r.lost_ew, r.launched)
    assert r.shots.sum() == 0


def test_ew_unit_kills_count_as_lost_to_ew():
    u = UnitParams.make(
        ["jammer"],
        range_km=[{"strike_uav": 80}],
        pk=[{"strike_uav": 1.0}],
        magazine=[10_000],
        cost_per_shot_usd=[0.0],
        channels=[100],
        is_ew=[True],
    )
    sc = scenario(unit_params=u, placed=(("jammer", KYIV),), n_decoys=0, n_cruise=0)
    r = simulate_raids(sc, 5, rng=7)
    assert (r.lost_ew[:, CI["strike_uav"]] == 40).all()
    assert r.destroyed.sum() == 0


def test_recognised_decoys_draw_no_fire():
    sc = scenario(n_drones=0, n_cruise=0, decoy_discrimination_p=1.0)
    r = simulate_raids(sc, 10, rng=8)
    assert r.shots.sum() == 0
    fooled = simulate_raids(scenario(n_drones=0, n_cruise=0), 10, rng=8)
    assert fooled.shots.sum() > 0


def test_non_shooting_units_never_engage():
    u = UnitParams.make(
        ["awacs"],
        range_km=[{"strike_uav": 300}],
        pk=[{"strike_uav": 1.0}],
        magazine=[100],
        cost_per_shot_usd=[1.0],
        shoots=[False],
    )
    sc = scenario(unit_params=u, placed=(("awacs", KYIV),))
    r = simulate_raids(sc, 5, rng=9)
    assert r.shots.sum() == 0
    assert sc.geometry.windows.n == 0


def results_equal(a, b):
    for name in ("launched", "destroyed", "lost_ew", "leaked", "hits", "shots", "rounds_left"):
        if not np.array_equal(getattr(a, name), getattr(b, name)):
            return False
    return True


def test_same_seed_same_results_and_different_seed_differs():
    sc = scenario()
    a = simulate_raids(sc, 200, rng=42)
    b = simulate_raids(sc, 200, rng=np.random.default_rng(42))
    c = simulate_raids(sc, 200, rng=43)
    assert results_equal(a, b)
    assert not results_equal(a, c)
    ra = simulate_reference(sc, 5, rng=42)
    rb = simulate_reference(sc, 5, rng=42)
    assert results_equal(ra, rb)


def test_results_do_not_depend_on_thread_count():
    sc = scenario()
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = simulate_raids(sc, 300, rng=11)
        numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
        many = simulate_raids(sc, 300, rng=11)
    finally:
        numba.set_num_threads(before)
    assert results_equal(one, many)


def test_kernel_and_reference_agree_in_distribution():
    sc = scenario(
        ew_p={"strike_uav": 0.1},
        decoy_discrimination_p=0.3,
        hit_p={"strike_uav": 0.7},
        unit_params=units(mag_sam=10, reserve=(4, 0), channels=(2, 1)),
    )
    fast = simulate_raids(sc, 4000, rng=1)
    slow = simulate_reference(sc, 400, rng=2)
    metrics = {
        "destroyed": (fast.destroyed, slow.destroyed),
        "lost_ew": (fast.lost_ew, slow.lost_ew),
        "leaked": (fast.leaked, slow.leaked),
        "hits": (fast.hits, slow.hits),
        "shots": (fast.shots, slow.shots),
    }
    for name, (a, b) in metrics.items():
        se = np.sqrt(a.var(axis=0) / a.shape[0] + b.var(axis=0) / b.shape[0])
        diff = np.abs(a.mean(axis=0) - b.mean(axis=0))
        assert (diff <= 4.5 * se + 1e-9).all(), (name, a.mean(axis=0), b.mean(axis=0))
    assert fast.destroyed.sum() > 0
    assert fast.leaked.sum() > 0


def test_costs_and_summary():
    sc = scenario()
    r = simulate_raids(sc, 100, rng=12)
    np.testing.assert_allclose(r.attacker_cost_usd, 40 * 50e3 + 10 * 10e3 + 5 * 13e6)
    np.testing.assert_allclose(r.defender_cost_usd, r.shots @ np.array([1e6, 2e3]))
    np.testing.assert_allclose(r.cost_exchange_ratio, r.defender_cost_usd / r.attacker_cost_usd)
    s = r.summary()
    assert list(s.columns) == ["class", "metric", "mean", "p5", "p50", "p95"]
    assert set(s["class"]) == {"strike_uav", "decoy_uav", "cruise", "all"}
    row = s[(s["class"] == "strike_uav") & (s["metric"] == "launched")].iloc[0]
    assert row["mean"] == row["p5"] == row["p95"] == 40
    rate = s[(s["class"] == "all") & (s["metric"] == "neutralised_rate")].iloc[0]
    assert rate["mean"] == pytest.approx(r.neutralised.sum() / r.launched.sum())
    assert (s["p5"] <= s["p50"]).all()
    assert (s["p50"] <= s["p95"]).all()
    assert list(r.hits_summary()["target"]) == ["kyiv", "bila-tserkva"]
    us = r.units_summary()
    assert isinstance(us, pd.DataFrame)
    assert set(us["metric"]) == {"shots", "rounds_left"}


def test_dogleg_reduces_exposure_in_the_scenario():
    # a SAM half-way along the path: drones fly round it
    placed = (("sam", (31.76, 51.03)),)
    with_dl = scenario(placed=placed, n_decoys=0, n_cruise=0)
    without = scenario(placed=placed, n_decoys=0, n_cruise=0, dogleg=False)
    assert with_dl.geometry.routes.exposure_km.sum() < without.geometry.routes.exposure_km.sum()
    assert with_dl.geometry.routes.dogleg.all()
    assert (with_dl.geometry.routes.length_km <= 2000).all()
    r = simulate_raids(with_dl, 50, rng=1)
    assert r.shots.sum() == 0  # nothing passes through the envelope


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: scenario(n_drones=-1), r"waves\[0\]\.count"),
        (lambda: units(pk_sam=1.5), "units.pk"),
        (lambda: units(pk_gun=-0.1), "units.pk"),
        (lambda: units(mag_sam=-1), "units.magazine"),
        (lambda: units(channels=(0, 1)), "units.channels"),
        (
            lambda: ThreatParams.make(["a"], ["cruise"], speed_kmh=0, range_km=1, unit_cost_usd=1),
            "threats.speed_kmh",
        ),
        (
            lambda: ThreatParams.make(["a"], ["cruise"], speed_kmh=1, range_km=-1, unit_cost_usd=1),
            "threats.range_km",
        ),
        (
            lambda: ThreatParams.make(["a"], ["laser"], speed_kmh=1, range_km=1, unit_cost_usd=1),
            "threats.threat_class",
        ),
        (
            lambda: ThreatParams.make(
                ["a", "b"], ["cruise", "cruise"], speed_kmh=[1, 2, 3], range_km=1, unit_cost_usd=1
            ),
            "threats.speed_kmh",
        ),
        (
            lambda: UnitParams.make([], range_km=[], pk=[], magazine=[], cost_per_shot_usd=[]),
            "units",
        ),
        (
            lambda: UnitParams.make(
                ["a"],
                range_km=np.zeros((1, 3)),
                pk=[{"cruise": 1}],
                magazine=1,
                cost_per_shot_usd=1,
            ),
            "units.range_km",
        ),
        (
            lambda: UnitParams.make(
                ["a"],
                range_km=[{"cruise": 1}],
                pk=[{"cruise": 1}],
                magazine=1.5,
                cost_per_shot_usd=1,
            ),
            "units.magazine",
        ),
        (lambda: scenario(placed=(("tank", KYIV),)), "unit_types"),
        (lambda: scenario(ew_p={"strike_uav": 2.0}), "ew_p"),
        (lambda: scenario(hit_p={"drone": 0.5}), "hit_p"),
        (lambda: scenario(decoy_discrimination_p=-0.1), "decoy_discrimination_p"),
        (lambda: scenario(look_time_h=0.0), "look_time_h"),
    ],
)
def test_bad_input_raises_data_error(make, match):
    with pytest.raises(DataError, match=match):
        make()


def test_bad_input_at_simulation_time():
    sc = scenario()
    with pytest.raises(DataError, match="n_runs"):
        simulate_raids(sc, 0, rng=1)
    with pytest.raises(DataError, match="rounds"):
        simulate_raids(sc, 5, rng=1, rounds=[1, 2])
    with pytest.raises(DataError, match="reserve"):
        simulate_raids(sc, 5, rng=1, reserve=[-1, 0, 0])
    short = RaidScenario(
        threats=ThreatParams.make(
            ["x"], ["ballistic"], speed_kmh=6000, range_km=100, unit_cost_usd=1
        ),
        units=units(),
        unit_types=(),
        unit_lonlat=np.zeros((0, 2)),
        target_names=("kyiv",),
        target_lonlat=np.array([KYIV]),
        waves=(Wave("x", 1, LAUNCH),),
    )
    with pytest.raises(DataError, match="beyond its range"):
        simulate_raids(short, 1, rng=1)


def _q(v):
    return SimpleNamespace(value=v, low=v * 0.5, high=min(v * 1.5, 1.0) if v <= 1 else v * 1.5)


def fake_catalog():
    threat = SimpleNamespace(
        threat_class="strike_uav",
        is_decoy=False,
        speed_kmh=_q(185.0),
        cruise_altitude_m=_q(1000.0),
        range_km=_q(2000.0),
        unit_cost_usd=_q(50e3),
    )
    decoy = SimpleNamespace(**{**vars(threat), "threat_class": "decoy_uav", "is_decoy": True})
    sam = SimpleNamespace(
        kind="sam_medium",
        range_km={"strike_uav": _q(40.0), "cruise": _q(40.0)},
        pk={"strike_uav": _q(0.9), "cruise": _q(0.8)},
        magazine=_q(24.0),
        reload_h=_q(0.5),
        cost_per_shot_usd=_q(450e3),
        shots_per_engagement=1,
        shoots=True,
    )
    isr = SimpleNamespace(
        kind="isr",
        range_km={},
        pk={},
        magazine=_q(0.0),
        reload_h=_q(1.0),
        cost_per_shot_usd=_q(0.0),
        shots_per_engagement=1,
        shoots=False,
    )
    return SimpleNamespace(
        threats={"shahed-136": threat, "gerbera": decoy}, defences={"iris-t-slm": sam, "e-3": isr}
    )


def test_adapters_on_a_catalogue_shaped_object():
    cat = fake_catalog()
    th = threat_params_from_catalog(cat, ["shahed-136", "gerbera"])
    assert th.threat_class == ("strike_uav", "decoy_uav")
    assert th.is_decoy.tolist() == [False, True]
    low = threat_params_from_catalog(cat, ["shahed-136"], estimate="low")
    assert low.speed_kmh[0] == pytest.approx(92.5)
    un = unit_params_from_catalog(cat, ["iris-t-slm", "e-3"], channels={"e-3": 1})
    assert un.range_km[0, CI["strike_uav"]] == 40.0
    assert un.pk[0, CI["cruise"]] == 0.8
    assert un.channels.tolist() == [6, 1]
    assert un.shoots.tolist() == [True, False]
    assert un.magazine.tolist() == [24, 0]
    with pytest.raises(DataError, match="unknown threat id"):
        threat_params_from_catalog(cat, ["kalibr"])
    with pytest.raises(DataError, match="unknown defence id"):
        unit_params_from_catalog(cat, ["patriot"])


def test_adapters_on_the_bundled_catalogue():
    catalog_mod = pytest.importorskip("garant.air.catalog")
    try:
        cat = catalog_mod.load_catalog()
    except Exception as exc:  # the catalogue is written in parallel; skip until it loads
        pytest.skip(f"catalogue does not load yet: {exc}")
    tids = list(cat.threats)[:5]
    dids = list(cat.defences)[:5]
    th = threat_params_from_catalog(cat, tids)
    un = unit_params_from_catalog(cat, dids)
    assert len(th.name) == len(tids)
    assert un.range_km.shape == (len(dids), len(THREAT_CLASSES))
    assert ((un.pk >= 0) & (un.pk <= 1)).all()


def test_jit_falls_back_without_a_writable_cache(monkeypatch):
    from garant.air import _kernel

    calls = []
    real = numba.njit

    def fake_njit(*args, cache=False, **kwargs):
        calls.append(cache)
        if cache:
            raise RuntimeError("cannot cache function: no locator available")
        return real(*args, cache=False, **kwargs)

    monkeypatch.setattr(_kernel.numba, "njit", fake_njit)

    def add_one(x):
        return x + 1

    assert _kernel._jit()(add_one)(1) == 2
    assert calls == [True, False]
