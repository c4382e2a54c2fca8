"""Benchmark: garant's frontline pipeline vs a straightforward geopandas baseline.

Usage::

    python benchmarks/bench_frontline.py [--data PATH] [--limit N] [--skip-baseline]

On the daily archive (``shared/data/deepstatemap``, 769 files) it times, in one run:

(a) garant: read every file, ingest into a fresh DuckDB store, then
    ``update_frontline`` (all measures, oblast areas, lines of contact and daily
    changes with settlements and sectors), for all files but the last;
(b) the baseline: for each file ``geopandas.read_file``, ``dissolve``, area in
    EPSG:6933, and ``geopandas.overlay(..., how="difference")`` both ways with
    the previous file;
(c) adding the last day to the full store: ingest it and ``update_frontline``.

Peak memory is the process's ``ru_maxrss`` after (a) and (c) (before the
baseline runs). Prints a table; the ratio is baseline / garant.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd

from garant.frontline.engine import update_frontline
from garant.frontline.measures import FrontlineGeography
from garant.frontline.sectors import load_sectors
from garant.model import Snapshot
from garant.sources.archive import read_archive_file
from garant.store import open_store


def _default_data() -> Path:
    root = Path(
        os.environ.get(
            "GARANT_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"
        )
    )
    return root / "deepstatemap"


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _snapshots(files: list[Path], spent: list[float]) -> Iterator[Snapshot]:
    """Read the files one by one; add the time spent reading to ``spent[0]``."""
    for f in files:
        t = time.perf_counter()
        snap = read_archive_file(f)
        spent[0] += time.perf_counter() - t
        yield snap


def run_garant(files: list[Path], store_path: Path) -> dict[str, float]:
    geo = FrontlineGeography.load()
    sectors = load_sectors()
    geo.line_builder  # noqa: B018  build the cached helpers outside the timings
    geo.oblast_tree  # noqa: B018
    out: dict[str, float] = {}
    read_s = [0.0]
    t0 = time.perf_counter()
    with open_store(store_path) as store:
        store.add_snapshots(_snapshots(files[:-1], read_s))
        t1 = time.perf_counter()
        r = update_frontline(store, geography=geo, sectors=sectors)
        t2 = time.perf_counter()
        out.update(
            read_s=read_s[0],
            read_ingest_s=t1 - t0,
            update_s=t2 - t1,
            total_s=t2 - t0,
            snapshots=float(r.updated),
            computed=float(r.computed),
            changes=float(r.changes),
        )
        # (c) one new day on the full store
        t3 = time.perf_counter()
        store.add_snapshots([read_archive_file(files[-1])])
        t4 = time.perf_counter()
        r1 = update_frontline(store, geography=geo, sectors=sectors)
        t5 = time.perf_counter()
        out.update(
            new_day_ingest_s=t4 - t3,
            new_day_update_s=t5 - t4,
            new_day_updated=float(r1.updated),
        )
    out["peak_mb"] = _maxrss_mb()
    return out


def run_baseline(files: list[Path]) -> dict[str, float]:
    t0 = time.perf_counter()
    prev: gpd.GeoDataFrame | None = None
    total_gained = total_lost = 0.0
    for f in files:
        df = gpd.read_file(f)[["geometry"]].dissolve()
        _ = df.to_crs(6933).area.sum() / 1e6
        if prev is not None:
            gained = gpd.overlay(df, prev, how="difference")
            lost = gpd.overlay(prev, df, how="difference")
            total_gained += gained.to_crs(6933).area.sum() / 1e6
            total_lost += lost.to_crs(6933).area.sum() / 1e6
        prev = df
    return {"total_s": time.perf_counter() - t0, "gained_km2": total_gained, "lost_km2": total_lost}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=_default_data(), help="archive folder")
    ap.add_argument("--limit", type=int, default=0, help="use only the first N files")
    ap.add_argument("--skip-baseline", action="store_true")
    args = ap.parse_args(argv)
    files = sorted(args.data.glob("deepstatemap_data_*.geojson"))
    if args.limit:
        files = files[: args.limit]
    if len(files) < 3:
        print(f"{args.data}: need at least 3 archive files, found {len(files)}", file=sys.stderr)
        return 2
    print(f"archive: {args.data} ({len(files)} files)")
    with tempfile.TemporaryDirectory() as tmp:
        g = run_garant(files, Path(tmp) / "bench.duckdb")
    b = None if args.skip_baseline else run_baseline(files[:-1])

    rows = [
        (
            "garant (a): read + ingest",
            f"{g['read_ingest_s']:.2f} s  (read + validate + hash {g['read_s']:.2f} s, "
            f"store {g['read_ingest_s'] - g['read_s']:.2f} s)",
        ),
        ("garant (a): update_frontline", f"{g['update_s']:.2f} s"),
        (
            "garant (a): total",
            f"{g['total_s']:.2f} s  ({int(g['snapshots'])} snapshots, "
            f"{int(g['computed'])} with geometry work, {int(g['changes'])} changes)",
        ),
    ]
    if b is not None:
        rows += [
            ("baseline (b): read_file+dissolve+area+overlay x2", f"{b['total_s']:.2f} s"),
            (
                "ratio baseline / garant total",
                f"{b['total_s'] / g['total_s']:.1f}x  (target >= 10x)",
            ),
            (
                "ratio baseline / update_frontline",
                f"{b['total_s'] / g['update_s']:.1f}x  (the frontline work alone)",
            ),
        ]
    rows += [
        (
            "(c) add one day: update_frontline",
            f"{g['new_day_update_s'] * 1000:.0f} ms  (target < 200 ms; "
            f"{int(g['new_day_updated'])} snapshot written)",
        ),
        ("(c) add one day: ingest", f"{g['new_day_ingest_s'] * 1000:.0f} ms"),
        ("peak memory (ru_maxrss, garant)", f"{g['peak_mb']:.0f} MB  (target < 1536 MB)"),
    ]
    width = max(len(r[0]) for r in rows)
    print("-" * (width + 40))
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
