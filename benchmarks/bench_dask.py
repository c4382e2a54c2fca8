"""Benchmark: a calculus sweep on Dask with 1 and 2 workers, against a serial baseline.

Usage::

    python benchmarks/bench_dask.py [--package coalition-2025] [--grid 8] [--runs 50000]
                                    [--mc-runs 2000000] [--workers 1,2] [--seed 0]

Two workloads, each run serially in this process (the baseline) and on a local
Dask cluster (``LocalCluster(processes=True, threads_per_worker=1)``) of each
worker count:

- ``sweep``: :func:`garant.calculus.sweep.sweep` over a ``grid x grid`` grid of
  ``escalation_cost`` x ``critical_force_ratio`` with ``--runs`` draws per point
  (one task per point);
- ``monte-carlo``: one :func:`garant.calculus.montecarlo.run_calculus` of
  ``--mc-runs`` draws in chunks of 65,536 (one task per chunk).

Cluster start-up is timed separately and a warm-up task runs before the clock
starts (workers import garant once). Prints seconds, speed-ups over serial and
over one worker, and checks that every run gives bit-identical numbers.
"""

from __future__ import annotations

import argparse
import functools
import os
import time
from collections.abc import Callable
from typing import Any

import numpy as np


def _time(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def _warm_up(ex: Any) -> list[Any]:
    return list(ex.map(abs, [-1]))  # starts the cluster; workers import on first task


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--package", default="coalition-2025")
    ap.add_argument("--grid", type=int, default=8, help="points per swept parameter")
    ap.add_argument("--runs", type=int, default=50_000, help="draws per sweep point")
    ap.add_argument("--mc-runs", type=int, default=2_000_000, help="draws of the big Monte Carlo")
    ap.add_argument("--workers", default="1,2", help="worker counts, comma-separated")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    counts = [int(w) for w in args.workers.split(",") if w.strip()]

    from garant.calculus.montecarlo import run_calculus
    from garant.calculus.params import load_parameters
    from garant.calculus.sweep import ParamRange, sweep
    from garant.execution import DaskExecutor
    from garant.packages.assess import assess_package

    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"machine: {cpus} CPUs available; package {args.package}")
    inputs = assess_package(args.package, n_runs=1, tornado_runs=1, air_runs=20).inputs
    params = load_parameters()
    ranges = [
        ParamRange("escalation_cost", 0.5, 5.0, args.grid),
        ParamRange("critical_force_ratio", 2.0, 4.0, args.grid),
    ]
    points = args.grid**2

    def run_sweep(ex: Any) -> Any:
        return sweep(inputs, params, ranges, n_runs=args.runs, rng=args.seed, executor=ex).frame

    def run_mc(ex: Any) -> Any:
        res = run_calculus(
            inputs, params, n_runs=args.mc_runs, rng=args.seed, executor=ex, chunk_size=65_536
        )
        return res.outputs["net_utility"]

    workloads: dict[str, Callable[[Any], Any]] = {"sweep": run_sweep, "monte-carlo": run_mc}
    print(
        f"sweep: {points} points x {args.runs:,} draws; "
        f"monte-carlo: {args.mc_runs:,} draws in {-(-args.mc_runs // 65_536)} chunks"
    )
    times: dict[tuple[str, str], float] = {}
    results: dict[tuple[str, str], Any] = {}
    for name, fn in workloads.items():
        times[(name, "serial")], results[(name, "serial")] = _time(functools.partial(fn, "serial"))
    for n in counts:
        with DaskExecutor(n_workers=n) as ex:
            t_start, _ = _time(functools.partial(_warm_up, ex))
            print(f"dask {n} worker(s): cluster start + warm-up {t_start:.2f} s")
            for name, fn in workloads.items():
                key = (name, f"dask-{n}")
                times[key], results[key] = _time(functools.partial(fn, ex))

    print()
    print(f"{'workload':<12} {'executor':<10} {'seconds':>8} {'vs serial':>10} {'vs 1 worker':>12}")
    identical = True
    for name in workloads:
        base = times[(name, "serial")]
        one = times.get((name, "dask-1"))
        for label in ["serial", *(f"dask-{n}" for n in counts)]:
            t = times[(name, label)]
            vs1 = f"{one / t:>11.2f}x" if one and label.startswith("dask") else f"{'':>12}"
            print(f"{name:<12} {label:<10} {t:>8.2f} {base / t:>9.2f}x {vs1}")
            a, b = results[(name, "serial")], results[(name, label)]
            same = a.equals(b) if hasattr(a, "equals") else np.array_equal(a, b)
            identical = identical and bool(same)
    print()
    print(f"identical results across serial and every worker count: {identical}")
    if 1 in counts and 2 in counts:
        s = times[("sweep", "dask-1")] / times[("sweep", "dask-2")]
        print(
            f"note: 2 workers ran the sweep {s:.2f}x as fast as 1 on this {cpus}-CPU machine. "
            "Each point is an independent task of about 15 KB of input and six numbers "
            "out, so on a cluster the speed-up grows with the number of workers until the "
            "points run out or the scheduler's per-task overhead (about a millisecond) "
            "dominates: keep a task above ~0.1 s (more draws per point) and the grid above "
            "a few tasks per worker. The numbers never change with the number of workers."
        )
    return 0 if identical else 1


if __name__ == "__main__":
    raise SystemExit(main())
