from __future__ import annotations

import numpy as np
import pytest

from garant.air.campaign import _resupply, simulate_campaign
from garant.air.raids import RaidScenario, ThreatParams, UnitParams, Wave
from garant.errors import DataError

KYIV = (30.52, 50.45)
LAUNCH = (33.0, 51.6)


def scenario(n_drones=60, *, magazine=8, reserve=16, placed=2) -> RaidScenario:
    threats = ThreatParams.make(
        ["shahed", "kh101"],
        ["strike_uav", "cruise"],
        speed_kmh=[185.0, 750.0],
        range_km=[2000.0, 4000.0],
        unit_cost_usd=[50e3, 13e6],
    )
    units = UnitParams.make(
        ["sam", "awacs"],
        range_km=[{"strike_uav": 40, "cruise": 60}, {"strike_uav": 300}],
        pk=[{"strike_uav": 0.8, "cruise": 0.7}, {"strike_uav": 0.0}],
        magazine=[magazine, 0],
        reserve=[reserve, 0],
        cost_per_shot_usd=[5e5, 0.0],
        channels=[4, 1],
        reload_h=[0.5, 1.0],
        shoots=[True, False],
    )
    return RaidScenario(
        threats=threats,
        units=units,
        unit_types=("sam",) * placed + ("awacs",),
        unit_lonlat=np.array([KYIV] * placed + [(29.0, 50.0)]),
        target_names=("kyiv",),
        target_lonlat=np.array([KYIV]),
        waves=(
            Wave("shahed", n_drones, LAUNCH, duration_h=4.0),
            Wave("kh101", 4, (36.0, 49.0), start_h=3.0),
        ),
    )


def test_campaign_invariants_and_shapes():
    sc = scenario()
    c = simulate_campaign(sc, 10, 50, rng=1, resupply={"sam": 10}, resupply_every_nights=3)
    assert c.launched.shape == (50, 10, len(c.launched[0, 0]))
    np.testing.assert_array_equal(c.neutralised + c.leaked, c.launched)
    assert (c.rounds_left >= 0).all()
    # rounds are conserved: start + resupply - shots = left
    start = 2 * (8 + 16)
    delivered = np.array([10 * ((n + 1) // 3) for n in range(10)])  # after the fighting
    spent = np.cumsum(c.shots[:, :, 0], axis=1)
    before_resupply = np.concatenate([[0], delivered[:-1]])
    np.testing.assert_array_equal(c.rounds_left[:, :, 0], start + before_resupply - spent)
    assert np.isnan(c.nights_until_dry[:, 1]).all()  # awacs: not a shooting type
    assert c.deployed.tolist() == [True, False]


def test_same_seed_same_campaign():
    sc = scenario()
    a = simulate_campaign(sc, 5, 30, rng=7, raid_fraction=[0.5, 1.0])
    b = simulate_campaign(sc, 5, 30, rng=7, raid_fraction=[0.5, 1.0])
    d = simulate_campaign(sc, 5, 30, rng=8, raid_fraction=[0.5, 1.0])
    np.testing.assert_array_equal(a.leaked, b.leaked)
    np.testing.assert_array_equal(a.rounds_left, b.rounds_left)
    assert not np.array_equal(a.leaked, d.leaked)


def test_raid_fraction_sets_the_raid_size():
    sc = scenario(n_drones=60)
    half = simulate_campaign(sc, 3, 20, rng=2, raid_fraction=0.5)
    assert (half.launched.sum(axis=2) == 30 + 2).all()
    mixed = simulate_campaign(sc, 6, 40, rng=2, raid_fraction=[0.25, 1.0])
    sizes = set(mixed.launched.sum(axis=2).ravel().tolist())
    assert sizes == {15 + 1, 60 + 4}
    none = simulate_campaign(sc, 2, 5, rng=2, raid_fraction=0.0)
    assert none.launched.sum() == 0
    assert np.isinf(none.nights_until_dry[:, 0]).all()


def test_bigger_raids_drain_magazines_sooner():
    small = simulate_campaign(scenario(n_drones=20), 40, 60, rng=3)
    big = simulate_campaign(scenario(n_drones=80), 40, 60, rng=3)
    s = np.median(small.nights_until_any_dry)
    b = np.median(big.nights_until_any_dry)
    assert b < s
    assert np.isfinite(big.nights_until_all_dry).all()


def test_resupply_extends_the_campaign():
    sc = scenario(n_drones=10, reserve=40)
    base = simulate_campaign(sc, 30, 60, rng=4)
    every3 = simulate_campaign(sc, 30, 60, rng=4, resupply={"sam": 15}, resupply_every_nights=3)
    nightly = simulate_campaign(sc, 30, 60, rng=4, resupply={"sam": 15}, resupply_every_nights=1)
    b = np.median(base.nights_until_dry[:, 0])
    w = np.median(every3.nights_until_dry[:, 0])
    n = np.median(nightly.nights_until_dry[:, 0])
    assert b < w < n
    assert every3.shots[:, :, 0].sum() > base.shots[:, :, 0].sum()


def test_resupply_goes_to_the_emptiest_units():
    ready = np.array([[0, 4, 1], [3, 0, 0]], dtype=np.int64)
    reserve = np.zeros_like(ready)
    _resupply(ready, reserve, np.array([0, 0, 0]), np.array([5]))
    # 1 each, the remainder 2 to the units holding the fewest rounds
    assert reserve.tolist() == [[2, 1, 2], [1, 2, 2]]
    assert ready.tolist() == [[0, 4, 1], [3, 0, 0]]


def test_summaries():
    c = simulate_campaign(scenario(), 8, 40, rng=6, resupply={"sam": 4}, resupply_every_nights=2)
    s = c.summary()
    assert list(s.columns) == ["night", "class", "metric", "mean", "p5", "p50", "p95"]
    assert sorted(set(s["night"])) == list(range(1, 9))
    d = c.dry_summary()
    assert list(d["unit_type"]) == ["sam", "any", "all"]
    assert ((d["dry_share"] >= 0) & (d["dry_share"] <= 1)).all()
    never = simulate_campaign(scenario(n_drones=0), 3, 10, rng=6, raid_fraction=0.0)
    dn = never.dry_summary()
    assert np.isinf(dn["p50"]).all()
    assert np.isinf(dn["mean"]).all()
    assert (dn["dry_share"] == 0).all()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"nights": 0}, "nights"),
        ({"n_runs": -1}, "n_runs"),
        ({"raid_fraction": 1.5}, "raid_fraction"),
        ({"raid_fraction": []}, "raid_fraction"),
        ({"resupply": {"tank": 5}}, "unknown unit type"),
        ({"resupply": {"sam": -5}}, r"resupply\[sam\]"),
        ({"resupply_every_nights": 0}, "resupply_every_nights"),
        ({"rounds": [1, 2]}, "rounds"),
    ],
)
def test_bad_campaign_input(kwargs, match):
    args = {"nights": 3, "n_runs": 5} | kwargs
    with pytest.raises(DataError, match=match):
        simulate_campaign(scenario(), args.pop("nights"), args.pop("n_runs"), rng=1, **args)
