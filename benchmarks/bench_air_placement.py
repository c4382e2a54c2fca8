"""Benchmark: garant's MCLP (HiGHS MILP) vs spopt's MCLP (PuLP + CBC) on the same instance.

Usage::

    python benchmarks/bench_air_placement.py [--candidates 1000] [--demand 5000] [--k 30]
                                             [--radius-km 50] [--seed 7] [--skip-spopt]

The instance, reproducible from the seed:

- demand: Ukraine's settlements (GeoNames, bundled), the ``--demand`` most populous kept
  and every smaller one folded into the nearest kept one, weight = population;
- candidates: ``--candidates`` points drawn uniformly over Ukraine's land (in garant's
  equal-area metric CRS, so uniform per km²);
- a site covers a settlement within ``--radius-km`` (geodesic, WGS84).

In one run it times (a) garant: ``solve_mclp`` with HiGHS (build = reductions, greedy
warm start and model; solve = HiGHS), (b) garant's greedy heuristic, (c) spopt:
``MCLP.from_cost_matrix`` on the dense geodesic distance matrix (build) and ``.solve``
with PuLP's bundled CBC (solve). The dense matrix itself is computed once, outside the
timings, and checked to give spopt the same coverage as garant. Prints objectives,
times and ratios (spopt / garant).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from dataclasses import dataclass

import numpy as np
import pyproj
import shapely
from scipy.spatial import cKDTree

from garant.air.placement import coverage_matrix, solve_mclp
from garant.frontline.line import METRIC_CRS
from garant.sources.geography import settlements, ukraine


def _unit_xyz(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    lam, phi = np.radians(lon), np.radians(lat)
    return np.column_stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)])


def demand_points(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The n most populous settlements, the others' population folded into the nearest."""
    s = settlements().sort_values(["population", "geonameid"], ascending=[False, True])
    lon = s.geometry.x.to_numpy()
    lat = s.geometry.y.to_numpy()
    pop = s["population"].to_numpy(dtype=float)
    n = min(n, len(s))
    w = pop[:n].copy()
    if len(s) > n:
        _, nearest = cKDTree(_unit_xyz(lon[:n], lat[:n])).query(_unit_xyz(lon[n:], lat[n:]))
        np.add.at(w, nearest, pop[n:])
    return lon[:n], lat[:n], w


def candidate_points(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """n points uniform (per km²) over Ukraine's land."""
    fwd = pyproj.Transformer.from_crs(4326, METRIC_CRS, always_xy=True)
    inv = pyproj.Transformer.from_crs(METRIC_CRS, 4326, always_xy=True)
    land = shapely.transform(ukraine(), lambda c: np.column_stack(fwd.transform(c[:, 0], c[:, 1])))
    shapely.prepare(land)
    x0, y0, x1, y1 = land.bounds
    xs: list[np.ndarray] = []
    ys: list[np.ndarray] = []
    got = 0
    while got < n:
        x = rng.uniform(x0, x1, 4 * n)
        y = rng.uniform(y0, y1, 4 * n)
        keep = shapely.contains_xy(land, x, y)
        xs.append(x[keep])
        ys.append(y[keep])
        got += int(keep.sum())
    lon, lat = inv.transform(np.concatenate(xs)[:n], np.concatenate(ys)[:n])
    return np.asarray(lon), np.asarray(lat)


def dense_distances_km(
    clon: np.ndarray, clat: np.ndarray, dlon: np.ndarray, dlat: np.ndarray
) -> np.ndarray:
    """Geodesic (WGS84) distances, demand × candidates, km."""
    geod = pyproj.Geod(ellps="WGS84")
    out = np.empty((dlon.size, clon.size))
    for i in range(dlon.size):
        _, _, d = geod.inv(np.full(clon.size, dlon[i]), np.full(clon.size, dlat[i]), clon, clat)
        out[i] = np.asarray(d) / 1000.0
    return out


@dataclass(frozen=True)
class SpoptRun:
    build_s: float
    solve_s: float
    chosen: list[int]
    objective_reported: float


def run_spopt(dist_km: np.ndarray, w: np.ndarray, radius_km: float, k: int) -> SpoptRun:
    import pulp
    from spopt.locate import MCLP

    t0 = time.perf_counter()
    model = MCLP.from_cost_matrix(dist_km, w, service_radius=radius_km, p_facilities=k)
    t1 = time.perf_counter()
    model.solve(pulp.PULP_CBC_CMD(msg=False), results=False)
    t2 = time.perf_counter()
    chosen = [j for j, v in enumerate(model.fac_vars) if (v.value() or 0) > 0.5]
    return SpoptRun(t1 - t0, t2 - t1, chosen, float(pulp.value(model.problem.objective)))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--candidates", type=int, default=1000)
    ap.add_argument("--demand", type=int, default=5000)
    ap.add_argument("--k", type=int, default=30)
    ap.add_argument("--radius-km", type=float, default=50.0)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--skip-spopt", action="store_true")
    args = ap.parse_args(argv)

    rng = np.random.default_rng(args.seed)
    dlon, dlat, w = demand_points(args.demand)
    clon, clat = candidate_points(args.candidates, rng)
    t0 = time.perf_counter()
    cov = coverage_matrix(clon, clat, dlon, dlat, radius_km=args.radius_km)
    cov_s = time.perf_counter() - t0
    print(
        f"instance: {clon.size} candidate sites x {dlon.size} settlements "
        f"(population {w.sum():,.0f}), K={args.k}, radius {args.radius_km:g} km, "
        f"seed {args.seed}; coverage pairs {cov.nnz:,} (built in {cov_s:.3f} s, KD-tree + geodesic)"
    )

    res = solve_mclp(cov, w, args.k)
    greedy = solve_mclp(cov, w, args.k, solver="greedy")
    rows = [
        ("garant HiGHS", res.objective, res.build_time_s, res.solve_time_s, res.status),
        ("garant greedy", greedy.objective, greedy.build_time_s, greedy.solve_time_s, "heuristic"),
    ]

    sp_res = None
    if not args.skip_spopt:
        t0 = time.perf_counter()
        dist = dense_distances_km(clon, clat, dlon, dlat)
        dist_s = time.perf_counter() - t0
        same = np.array_equal(dist <= args.radius_km, cov.toarray() > 0)
        print(
            f"dense distance matrix for spopt: {dist.shape} in {dist_s:.2f} s (not timed below); "
            f"same coverage as garant: {same}"
        )
        if not same:
            print("coverage differs between the dense matrix and garant's: aborting")
            return 1
        sp_res = run_spopt(dist, w, args.radius_km, args.k)
        sp_obj = float(w[np.asarray(cov[:, sp_res.chosen].sum(axis=1)).ravel() > 0].sum())
        note = f"{len(sp_res.chosen)} sites; reported objective {sp_res.objective_reported:,.0f}"
        rows.append(("spopt MCLP (CBC)", sp_obj, sp_res.build_s, sp_res.solve_s, note))

    print()
    print(f"{'method':<18} {'objective':>14} {'share':>7} {'build s':>9} {'solve s':>9}  notes")
    for name, obj, build, solve, note in rows:
        share = obj / w.sum()
        print(f"{name:<18} {obj:>14,.0f} {share:>7.2%} {build:>9.3f} {solve:>9.3f}  {note}")
    print()
    print(f"garant HiGHS: optimal={res.optimal}, MIP gap={res.mip_gap}, {len(res.chosen)} sites")
    print(f"greedy / HiGHS objective: {greedy.objective / res.objective:.5f}")
    if sp_res is not None:
        sp_obj = rows[2][1]
        sp_build, sp_solve = sp_res.build_s, sp_res.solve_s
        g_build, g_solve = res.build_time_s, res.solve_time_s
        print(f"objective garant - spopt: {res.objective - sp_obj:+,.0f} (>= 0 is the target)")
        print(f"solve time spopt / garant: {sp_solve / max(g_solve, 1e-9):.1f}x")
        print(f"build time spopt / garant: {sp_build / max(g_build, 1e-9):.1f}x")
        total = (sp_build + sp_solve) / max(g_build + g_solve, 1e-9)
        print(f"build + solve spopt / garant: {total:.1f}x")
        ok = res.objective >= sp_obj - 1e-6 * max(1.0, abs(sp_obj)) and g_solve < sp_solve
        print(f"target met (objective >= spopt's and shorter solve): {ok}")
    if not math.isfinite(res.objective):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
