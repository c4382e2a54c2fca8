"""Benchmark: routing on the whole Black Sea H3 grid (issue 4: "answers in under a second").

Usage::

    python benchmarks/bench_sea_routing.py [--pairs 20] [--plan-pairs 20] [--weight 5]
                                           [--seed 7] [--skip-networkx] [--skip-searoute]

In one run, after building the sea grid once (build time reported separately, with its
cells per H3 resolution and the Danube fairway nodes), it times for ``--pairs`` port
pairs drawn (reproducibly, from ``--seed``) from :func:`garant.sea.routing.ports`:

- ``shortest_route(a, b)``;
- ``route(a, b, exposure_weight=W, exposure=E)`` with E the per-cell count of the
  default cost systems (``garant.sea.corridor.DEFAULT_SYSTEMS``) within reach of the
  demo's Russian-held coast, computed once (its time reported separately);
- ``plan_route(a, b, occupied=..., exposure_weight=W)`` for the first ``--plan-pairs``
  pairs: E is cached per launch area, the exposure time to every catalogue system is
  computed per call; the first call (which computes E) is reported on its own;
- ``plan_route`` with an illustrative mine box (``mine_areas``) and with
  ``nato_waters_weight=3`` (the littoral route), Odesa -> Bosphorus;
- baseline: networkx's ``single_source_dijkstra(G, a, b)`` (stops at the target) on
  the same grid graph, unweighted and exposure-weighted, built once outside the timings;
  its path cost is checked against scipy's on the same graph;
- the ``searoute`` package's route for the same pairs (length compared with garant's
  sea leg, i.e. without the river legs to Izmail and Reni).

Prints median, p95 and max per operation in ms, and ratios networkx / garant.
"""

from __future__ import annotations

import argparse
import itertools
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import dijkstra
from shapely.geometry import box

from garant.air.presets import demo_occupied
from garant.sea.corridor import (
    DEFAULT_SYSTEMS,
    _cell_exposure_cached,
    cell_exposure,
    plan_route,
)
from garant.sea.routing import Port, SeaGrid, grid, ports, route, shortest_route
from garant.sea.threats import launch_area
from garant.sources.geography import countries


def pick_pairs(n: int, seed: int) -> list[tuple[Port, Port]]:
    """Draw ``n`` distinct unordered port pairs, reproducibly."""
    ps = sorted(ports().values(), key=lambda p: p.id)
    allpairs = list(itertools.combinations(ps, 2))
    rng = random.Random(seed)
    return rng.sample(allpairs, min(n, len(allpairs)))


def stats_ms(times_s: Sequence[float]) -> tuple[float, float, float]:
    """Median, 95th percentile and max of durations, in ms."""
    a = np.asarray(times_s) * 1000.0
    return float(np.median(a)), float(np.percentile(a, 95)), float(a.max())


def timed(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, float]:
    """Call ``fn(*args, **kwargs)`` once; return its result and the wall time in s."""
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t0


def weighted_graph(g: SeaGrid, weight: float, exposure: np.ndarray) -> sp.csr_matrix:
    """The grid graph with garant's exposure cost (distance + W x mean end exposure)."""
    coo = g.graph.tocoo()
    cost = coo.data + weight * 0.5 * (exposure[coo.row] + exposure[coo.col])
    return sp.csr_matrix((cost, (coo.row, coo.col)), shape=g.graph.shape)


def report(label: str, times_s: Sequence[float]) -> tuple[float, float, float]:
    """Print one timing line; return (median, p95, max) in ms."""
    med, p95, mx = stats_ms(times_s)
    print(f"  {label:<42} median {med:9.1f}  p95 {p95:9.1f}  max {mx:9.1f}  (n={len(times_s)})")
    return med, p95, mx


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the results."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--pairs", type=int, default=20)
    ap.add_argument("--plan-pairs", type=int, default=20)
    ap.add_argument("--weight", type=float, default=5.0, help="km per step per system")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--skip-networkx", action="store_true")
    ap.add_argument("--skip-searoute", action="store_true")
    args = ap.parse_args(argv)

    g, t_build = timed(grid)
    per_res = ", ".join(
        f"res {r}: {int((g.res == r).sum())}" for r in np.unique(g.res[~g.river]).tolist()
    )
    print(
        f"sea grid build: {t_build:.2f} s  ({g.size} nodes: {per_res}, "
        f"{int(g.river.sum())} Danube fairway nodes; {g.graph.nnz // 2} edges)"
    )

    occupied = demo_occupied()
    c = countries()
    russia = c.loc[c["iso_a3"] == "RUS", "geometry"].iloc[0]
    launch, t_launch = timed(launch_area, occupied, russia)
    exposure, t_exp = timed(cell_exposure, launch, list(DEFAULT_SYSTEMS))
    print(
        f"launch area: {t_launch:.2f} s; cell_exposure {list(DEFAULT_SYSTEMS)}: {t_exp:.2f} s "
        f"({(exposure > 0).mean():.0%} of cells exposed)"
    )

    pairs = pick_pairs(args.pairs, args.seed)
    # warm the per-process caches (water, NATO waters) outside the timings
    shortest_route(pairs[0][0].id, pairs[0][1].id)

    t_short: list[float] = []
    t_weighted: list[float] = []
    lengths: list[tuple[str, str, float, float, float]] = []
    for a, b in pairs:
        r, t = timed(shortest_route, a.id, b.id)
        t_short.append(t)
        rw, t = timed(route, a.id, b.id, exposure_weight=args.weight, exposure=exposure)
        t_weighted.append(t)
        lengths.append((a.id, b.id, r.sea_length_km, r.length_km, rw.length_km))

    _cell_exposure_cached.cache_clear()  # so the first plan_route computes E itself
    t_plan: list[float] = []
    t_plan_first = 0.0
    for k, (a, b) in enumerate(pairs[: args.plan_pairs]):
        _, t = timed(plan_route, a.id, b.id, occupied=occupied, exposure_weight=args.weight)
        if k == 0:
            t_plan_first = t
        else:
            t_plan.append(t)
    mines = gpd.GeoDataFrame(
        {"id": ["box"], "kind": ["declared"], "source": ["benchmark"], "avoid": [False]},
        geometry=[box(29.9, 44.0, 31.5, 45.5)],
        crs="EPSG:4326",
    )
    t_mines: list[float] = []
    t_nato: list[float] = []
    for _ in range(5):
        am, t = timed(plan_route, "odesa", "bosphorus", occupied=occupied, mine_areas=mines)
        t_mines.append(t)
        an, t = timed(plan_route, "odesa", "bosphorus", occupied=occupied, nato_waters_weight=3.0)
        t_nato.append(t)

    # the core of garant's route(): scipy's full single-source Dijkstra, no early stop
    wgraph = weighted_graph(g, args.weight, exposure)
    ends = [
        (g.nearest(a.sea_lon, a.sea_lat)[0], g.nearest(b.sea_lon, b.sea_lat)[0]) for a, b in pairs
    ]
    t_core = [timed(lambda i=i: dijkstra(g.graph, directed=False, indices=i))[1] for i, _ in ends]

    print(f"\ntimes in ms, {len(pairs)} port pairs, exposure weight {args.weight}:")
    m_short = report("garant shortest_route", t_short)
    m_weighted = report(f"garant route(exposure_weight={args.weight})", t_weighted)
    if args.plan_pairs:
        print(f"  {'garant plan_route, first call (computes E)':<42} {t_plan_first * 1000:9.1f}")
    if t_plan:
        report("garant plan_route, later calls", t_plan)
    report("  route core: scipy dijkstra (full graph)", t_core)
    report("garant plan_route, mine box", t_mines)
    report("garant plan_route, nato_waters_weight=3", t_nato)
    print(
        f"  mine box: mine_km {am.mine_km:.1f}, length {am.route.length_km:.1f} km; "
        f"littoral: NATO share {an.route.nato_territorial_share:.2f}, "
        f"length {an.route.length_km:.1f} km"
    )

    if not args.skip_networkx:
        try:
            import networkx as nx
        except ImportError:
            print("networkx not installed: baseline skipped")
        else:
            gx, t_nx_build = timed(nx.from_scipy_sparse_array, g.graph)
            gw, _ = timed(nx.from_scipy_sparse_array, wgraph)
            print(f"  (networkx graph build: {t_nx_build * 1000:.0f} ms, outside the timings)")
            t_nx: list[float] = []
            t_nxw: list[float] = []
            worst = 0.0
            for i, j in ends:
                (cost, _), t = timed(nx.single_source_dijkstra, gx, i, j)
                t_nx.append(t)
                ref = dijkstra(g.graph, directed=False, indices=i)[j]
                worst = max(worst, abs(cost - ref))
                _, t = timed(nx.single_source_dijkstra, gw, i, j)
                t_nxw.append(t)
            m_nx = report("networkx dijkstra (stops at target)", t_nx)
            m_nxw = report("networkx dijkstra, weighted graph", t_nxw)
            print(f"  networkx vs scipy path cost: max |diff| {worst:.2e} km")
            print(
                f"  ratio networkx / garant (median): shortest {m_nx[0] / m_short[0]:.2f}, "
                f"weighted {m_nxw[0] / m_weighted[0]:.2f}"
            )

    if not args.skip_searoute:
        try:
            import searoute as sr
        except ImportError:
            print("searoute not installed: comparison skipped")
        else:
            print(
                "\nlengths, km: garant's sea leg vs searoute's, with the straight legs from the"
                "\nendpoints to its (coarse) network appended ('sr+ends', compared) and without"
                "\n('sr net'); garant's total adds the river legs; 'exposed W' is the total"
                "\nlength of the exposure-weighted route"
            )
            print(
                f"  {'from':<13}{'to':<13}{'garant':>9}{'sr+ends':>9}{'diff':>9}{'diff%':>8}"
                f"{'sr net':>9}{'total':>9}{'exposed W':>11}"
            )
            diffs: list[float] = []
            t_sr: list[float] = []
            by_id = ports()
            for a_id, b_id, sea_km, total_km, w_km in lengths:
                pa, pb = by_id[a_id], by_id[b_id]
                a_xy, b_xy = [pa.sea_lon, pa.sea_lat], [pb.sea_lon, pb.sea_lat]
                feat, t = timed(sr.searoute, a_xy, b_xy, units="km", append_orig_dest=True)
                t_sr.append(t)
                s_km = float(feat["properties"]["length"])
                net_km = float(sr.searoute(a_xy, b_xy, units="km")["properties"]["length"])
                d = sea_km - s_km
                pct = d / s_km * 100.0 if s_km > 0 else float("nan")
                if s_km > 0:
                    diffs.append(pct)
                print(
                    f"  {a_id:<13}{b_id:<13}{sea_km:9.1f}{s_km:9.1f}{d:9.1f}{pct:7.1f}%"
                    f"{net_km:9.1f}{total_km:9.1f}{w_km:11.1f}"
                )
            if diffs:
                print(
                    f"  garant - searoute(+ends): median {statistics.median(diffs):+.1f} %, "
                    f"min {min(diffs):+.1f} %, max {max(diffs):+.1f} %"
                )
            report("searoute.searoute (append_orig_dest)", t_sr)
    print("\nDanube river legs (drawn on the fairways), km:")
    for pid, dest in (("izmail", "odesa"), ("izmail", "bosphorus"), ("reni", "constanta")):
        r = shortest_route(pid, dest)
        print(f"  {pid:<8} -> {dest:<10} river {r.river_km:6.1f}  sea {r.sea_length_km:6.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
