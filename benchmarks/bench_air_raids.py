"""Benchmark: the numba raid kernel vs a straightforward per-threat Python loop.

Usage::

    python benchmarks/bench_air_raids.py [--raids 10000] [--baseline-raids 30] [--seed 1]

The scenario (issue 3, item 7): one night's raid of 600 drones (450 Shahed-type
strike drones, 150 Gerbera-type decoys) and 60 missiles (40 Kh-101-type cruise,
20 Iskander-M-type ballistic) from Russian launch areas at eleven Ukrainian
targets, against 40 fire units (Patriot, SAMP/T, IRIS-T SLM, NASAMS, Gepard,
mobile fire groups). The unit and threat numbers are illustrative round values
(the benchmark does not depend on the catalogue).

In one run it times:

(a) the geometry (routes with dog-legs, engagement windows), computed once;
(b) the numba kernel's first call on one raid (JIT compile, or loading it from
    numba's on-disk cache), printed separately and excluded from (c);
(c) ``simulate_raids`` on ``--raids`` raids (parallel over raids);
(d) ``simulate_reference`` (the pure-Python loop of the same model) on
    ``--baseline-raids`` raids, scaled per raid.

It prints both per-raid times and the ratio, and checks that the two agree on
the mean neutralisation rate per class.
"""

from __future__ import annotations

import argparse
import time

import numba
import numpy as np

from garant.air import _kernel
from garant.air.raids import (
    RaidScenario,
    ThreatParams,
    UnitParams,
    Wave,
    simulate_raids,
    simulate_reference,
)

TARGETS = {  # (lon, lat)
    "Kyiv": (30.52, 50.45),
    "Lviv": (24.03, 49.84),
    "Odesa": (30.73, 46.48),
    "Dnipro": (35.05, 48.46),
    "Kharkiv": (36.23, 49.99),
    "Zaporizhzhia": (35.14, 47.84),
    "Vinnytsia": (28.47, 49.23),
    "Kremenchuk": (33.42, 49.07),
    "Rivne NPP": (25.89, 51.33),
    "Khmelnytskyi NPP": (26.65, 50.30),
    "South Ukraine NPP": (31.22, 47.81),
}
LAUNCH = {
    "Kursk": (36.19, 51.73),
    "Oryol": (36.07, 52.97),
    "Bryansk": (34.36, 53.24),
    "Primorsko-Akhtarsk": (38.17, 46.05),
    "Chauda": (35.83, 45.00),
    "Millerovo": (40.40, 48.92),
    "Caspian": (47.50, 45.50),
    "Belgorod": (36.58, 50.60),
}


def build_scenario() -> RaidScenario:
    threats = ThreatParams.make(
        ["shahed", "gerbera", "kh101", "iskander-m"],
        ["strike_uav", "decoy_uav", "cruise", "ballistic"],
        speed_kmh=[185.0, 160.0, 750.0, 6000.0],
        range_km=[2000.0, 1500.0, 4500.0, 500.0],
        unit_cost_usd=[50e3, 10e3, 13e6, 3e6],
    )
    uav = ("strike_uav", "decoy_uav")
    units = UnitParams.make(
        ["patriot", "samp-t", "iris-t-slm", "nasams", "gepard", "mobile-fire-group"],
        range_km=[
            {"cruise": 100, "ballistic": 40, **dict.fromkeys(uav, 60)},
            {"cruise": 100, "ballistic": 30, **dict.fromkeys(uav, 60)},
            {"cruise": 40, **dict.fromkeys(uav, 40)},
            {"cruise": 30, **dict.fromkeys(uav, 30)},
            {"cruise": 3.5, **dict.fromkeys(uav, 4.0)},
            {"cruise": 1.5, **dict.fromkeys(uav, 2.5)},
        ],
        pk=[
            {"cruise": 0.85, "ballistic": 0.75, **dict.fromkeys(uav, 0.9)},
            {"cruise": 0.85, "ballistic": 0.6, **dict.fromkeys(uav, 0.9)},
            {"cruise": 0.85, **dict.fromkeys(uav, 0.9)},
            {"cruise": 0.8, **dict.fromkeys(uav, 0.85)},
            {"cruise": 0.1, **dict.fromkeys(uav, 0.35)},
            {"cruise": 0.05, **dict.fromkeys(uav, 0.2)},
        ],
        magazine=[16, 32, 24, 18, 40, 100],
        reserve=[16, 16, 8, 6, 0, 0],
        cost_per_shot_usd=[4.0e6, 2.5e6, 4.5e5, 1.0e6, 5e3, 500.0],
        shots_per_engagement=[2, 2, 1, 1, 1, 1],
        channels=[8, 10, 6, 6, 1, 1],
        reload_h=[1.0, 1.0, 0.5, 0.5, 0.25, 0.1],
    )
    rng = np.random.default_rng(0)
    names = list(TARGETS)
    placements = (  # (unit type, target, how many)
        [("patriot", "Kyiv", 3), ("patriot", "Lviv", 1), ("patriot", "Odesa", 1)]
        + [("patriot", "Dnipro", 1), ("samp-t", "Kyiv", 1), ("samp-t", "Odesa", 1)]
        + [("iris-t-slm", t, 1) for t in names[:6]]
        + [("nasams", t, 1) for t in names[2:8]]
        + [("gepard", t, 1) for t in names[:10]]
        + [("mobile-fire-group", t, 1) for t in names[:10]]
    )
    unit_types, unit_lonlat = [], []
    for kind, target, n in placements:
        for _ in range(n):
            lon, lat = TARGETS[target]
            unit_types.append(kind)
            unit_lonlat.append((lon + rng.normal(0, 0.08), lat + rng.normal(0, 0.05)))
    assert len(unit_types) == 40, len(unit_types)
    far = [t for t in names if t not in ("Kharkiv", "Dnipro", "Zaporizhzhia")]
    waves = (
        Wave("shahed", 150, LAUNCH["Kursk"], duration_h=4.0),
        Wave("shahed", 150, LAUNCH["Primorsko-Akhtarsk"], duration_h=4.0),
        Wave("shahed", 100, LAUNCH["Oryol"], tuple(far), duration_h=3.0),
        Wave("shahed", 50, LAUNCH["Chauda"], ("Odesa", "South Ukraine NPP"), duration_h=2.0),
        Wave("gerbera", 80, LAUNCH["Bryansk"], ("Kyiv", "Vinnytsia", "Kremenchuk"), 0.5, 3.0),
        Wave("gerbera", 70, LAUNCH["Millerovo"], ("Dnipro", "Zaporizhzhia", "Kharkiv"), 0.5, 3.0),
        Wave("kh101", 40, LAUNCH["Caspian"], tuple(far), start_h=4.0, duration_h=0.5),
        Wave("iskander-m", 20, LAUNCH["Belgorod"], ("Kyiv", "Kharkiv", "Dnipro"), 6.0, 0.2),
    )
    return RaidScenario(
        threats=threats,
        units=units,
        unit_types=tuple(unit_types),
        unit_lonlat=np.array(unit_lonlat),
        target_names=tuple(names),
        target_lonlat=np.array(list(TARGETS.values())),
        waves=waves,
        ew_p={"strike_uav": 0.1, "decoy_uav": 0.1},
        decoy_discrimination_p=0.2,
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--raids", type=int, default=10_000)
    ap.add_argument("--baseline-raids", type=int, default=30)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    sc = build_scenario()
    t0 = time.perf_counter()
    g = sc.geometry
    t_geom = time.perf_counter() - t0
    print(
        f"scenario: {g.n_tracks} threats, {sc.n_units} fire units, {len(sc.target_names)} "
        f"targets; {int(g.routes.dogleg.sum())} dog-legs, {g.windows.n} envelope windows, "
        f"{g.ev_time.size} engagement opportunities per raid"
    )
    print(f"geometry (once per scenario):       {t_geom:8.3f} s")

    t0 = time.perf_counter()
    simulate_raids(sc, 1, rng=0)
    t_jit = time.perf_counter() - t0
    stats = _kernel.raid_batch_numba.stats
    how = "loaded from cache" if stats.cache_hits else "compiled"
    print(f"numba first call ({how}):  {t_jit:8.3f} s   (excluded)")

    t0 = time.perf_counter()
    res = simulate_raids(sc, args.raids, rng=args.seed)
    t_numba = time.perf_counter() - t0
    t0 = time.perf_counter()
    ref = simulate_reference(sc, args.baseline_raids, rng=args.seed)
    t_py = time.perf_counter() - t0

    per_numba = t_numba / args.raids
    per_py = t_py / args.baseline_raids
    print(
        f"numba kernel: {args.raids} raids in  {t_numba:8.3f} s   "
        f"({per_numba * 1e3:.4f} ms/raid, {numba.get_num_threads()} threads)"
    )
    print(
        f"Python loop:  {args.baseline_raids} raids in  {t_py:8.3f} s   "
        f"({per_py * 1e3:.4f} ms/raid; {per_py * args.raids:.1f} s for {args.raids} raids)"
    )
    print(f"speed-up (per raid): {per_py / per_numba:8.1f}x")

    print("\nmean neutralisation rate per class (numba vs Python loop):")
    for c, name in enumerate(res.classes):
        n = res.launched[:, c].sum()
        if n:
            a = res.neutralised[:, c].sum() / n
            b = ref.neutralised[:, c].sum() / ref.launched[:, c].sum()
            print(f"  {name:12s} {a:6.3f}  {b:6.3f}")
    s = res.summary()
    cer = s[(s["class"] == "all") & (s["metric"] == "cost_exchange_ratio")].iloc[0]
    hits = s[(s["class"] == "all") & (s["metric"] == "hits")].iloc[0]
    print(
        f"hits per raid: mean {hits['mean']:.1f} (p5 {hits['p5']:.0f}, p95 {hits['p95']:.0f}); "
        f"cost-exchange ratio (defender/attacker): mean {cer['mean']:.2f}"
    )


if __name__ == "__main__":
    main()
