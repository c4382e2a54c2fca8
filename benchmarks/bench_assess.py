"""Benchmark: the full demo assessment of every guarantee package preset.

Usage::

    python benchmarks/bench_assess.py [--cores 2] [--runs 2000] [--air-runs 200]
                                      [--seed 0] [--report DIR] [--skip-baseline]

What ``garant assess`` does on the bundled demo history, timed in fresh processes (cold:
imports, numba compilation, the sea grid and every component included), each pinned to
``--cores`` CPUs where the system allows it:

- ``cached``: :func:`garant.packages.assess.assess_packages` on all presets, each land,
  air and sea component computed once and shared between packages (the default);
- ``uncached`` (the baseline): the same with the component cache switched off, every
  package recomputing its components;
- ``threads``: cached, with the calculus' Monte Carlo on the ``threads`` executor.

With ``--report DIR`` the cached run also writes the HTML report and its time is shown
separately. Prints seconds per variant, the ratios to the cached run, and whether the
cached run meets the 60 s target. Every variant gives the same P(deterred) per package
(checked): caching and executors change the time, not the result.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

TARGET_S = 60.0


def _child(args: argparse.Namespace) -> None:
    if args.cores and hasattr(os, "sched_setaffinity"):
        cpus = sorted(os.sched_getaffinity(0))[: args.cores]
        os.sched_setaffinity(0, cpus)
    t0 = time.perf_counter()
    from garant.packages.assess import assess_packages
    from garant.packages.loader import preset_order

    t_import = time.perf_counter() - t0
    t1 = time.perf_counter()
    comparison = assess_packages(
        preset_order(),
        n_runs=args.runs,
        air_runs=args.air_runs,
        rng=args.seed,
        executor="threads" if args.child == "threads" else "serial",
        cache=args.child != "uncached",
    )
    t_assess = time.perf_counter() - t1
    t_report = 0.0
    if args.report and args.child == "cached":
        from garant.report.assess import write_assessment_report

        t2 = time.perf_counter()
        write_assessment_report(comparison, args.report, lang="en", pdf=False)
        t_report = time.perf_counter() - t2
    out = {
        "variant": args.child,
        "import_s": t_import,
        "assess_s": t_assess,
        "report_s": t_report,
        "p_deterred": {a.name: a.p_deterred for a in comparison.assessments},
        "cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
    }
    sys.stdout.write(json.dumps(out) + "\n")


def _run(variant: str, args: argparse.Namespace) -> dict[str, object]:
    cmd = [
        sys.executable,
        __file__,
        "--child",
        variant,
        "--cores",
        str(args.cores),
        "--runs",
        str(args.runs),
        "--air-runs",
        str(args.air_runs),
        "--seed",
        str(args.seed),
    ]
    if args.report:
        cmd += ["--report", args.report]
    t0 = time.perf_counter()
    res = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    if res.returncode != 0:
        sys.stderr.write(res.stderr)
        raise SystemExit(f"{variant}: failed (exit {res.returncode})")
    out: dict[str, object] = json.loads(res.stdout.strip().splitlines()[-1])
    out["wall_s"] = wall
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cores", type=int, default=2, help="CPUs per run (0: all)")
    p.add_argument("--runs", type=int, default=2000, help="calculus draws per package")
    p.add_argument("--air-runs", type=int, default=200, help="runs per air campaign")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--report", default=None, help="also write the report to this folder")
    p.add_argument("--skip-baseline", action="store_true", help="only the cached run")
    p.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        _child(args)
        return
    variants = ["cached"] if args.skip_baseline else ["cached", "uncached", "threads"]
    results = {v: _run(v, args) for v in variants}
    base = results["cached"]
    print(
        f"full demo assessment of every preset: {args.runs} calculus draws, "
        f"{args.air_runs} air runs, {base['cpus']} CPUs per run"
    )
    print(f"{'variant':<10} {'wall s':>8} {'assess s':>9} {'import s':>9} {'ratio':>7}")
    for v, r in results.items():
        ratio = float(r["assess_s"]) / float(base["assess_s"])  # type: ignore[arg-type]
        print(
            f"{v:<10} {r['wall_s']:>8.1f} {r['assess_s']:>9.1f} {r['import_s']:>9.1f} {ratio:>7.2f}"
        )
    if args.report:
        print(f"report written in {base['report_s']:.1f} s to {args.report}")
    same = all(r["p_deterred"] == base["p_deterred"] for r in results.values())
    print(f"same P(deterred) in every variant: {same}")
    total = float(base["wall_s"])  # type: ignore[arg-type]
    verdict = "meets" if total < TARGET_S else "MISSES"
    print(f"cached run, whole process: {total:.1f} s ({verdict} the {TARGET_S:.0f} s target)")
    if not same:
        raise SystemExit("variants disagree")


if __name__ == "__main__":
    main()
