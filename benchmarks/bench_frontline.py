"""Benchmark: garant's frontline pipeline vs a straightforward geopandas baseline.

Usage::

    python benchmarks/bench_frontline.py [--data PATH] [--limit N] [--skip-baseline]

On the daily archive (``shared/data/deepstatemap``, 769 files) it times, in one run:

(a) garant: ``garant.ingest.ingest(folder, store=...)`` on a fresh DuckDB store,
    exactly what ``garant ingest FOLDER`` runs: read every file, store the
    snapshots and ``update_frontline`` (all measures, oblast areas, lines of
    contact and daily changes with settlements and sectors) in one transaction,
    for all files but the last. The total is that call's wall time; reading and
    the frontline update are timed inside it (by wrapping the functions it
    calls), the rest is storing (inserts and the commit);
(b) the baseline: for each file ``geopandas.read_file``, ``dissolve``, area in
    EPSG:6933, and ``geopandas.overlay(..., how="difference")`` both ways with
    the previous file;
(c) adding the last day to the full store: ``ingest(file, store=...)``.

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
from typing import Any

import geopandas as gpd

import garant.ingest
from garant.frontline import engine
from garant.frontline.measures import FrontlineGeography
from garant.ingest import ingest
from garant.model import Snapshot
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


class _Timed:
    """Time spent inside ``garant.ingest``'s reading and frontline update, seconds.

    Wraps the two functions :func:`garant.ingest.ingest` calls, so that the
    benchmark runs exactly the user's workflow and still reports its parts.
    """

    def __init__(self) -> None:
        self.read_s = 0.0
        self.update_s = 0.0
        self._saved: tuple[Any, Any] | None = None

    def __enter__(self) -> _Timed:
        read_source = garant.ingest.read_source
        update_frontline = engine.update_frontline

        def timed_read(*args: Any, **kwargs: Any) -> Iterator[Snapshot]:
            it = read_source(*args, **kwargs)
            while True:
                t = time.perf_counter()
                try:
                    snap = next(it)
                except StopIteration:
                    self.read_s += time.perf_counter() - t
                    return
                self.read_s += time.perf_counter() - t
                yield snap

        def timed_update(*args: Any, **kwargs: Any) -> engine.UpdateResult:
            t = time.perf_counter()
            try:
                return update_frontline(*args, **kwargs)
            finally:
                self.update_s += time.perf_counter() - t

        self._saved = (read_source, update_frontline)
        garant.ingest.read_source = timed_read
        engine.update_frontline = timed_update
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._saved is not None
        garant.ingest.read_source, engine.update_frontline = self._saved


def run_garant(files: list[Path], work: Path) -> dict[str, float]:
    """Run ``garant.ingest.ingest`` (read + store + update, one transaction) as users do."""
    t = time.perf_counter()
    geo = FrontlineGeography.coerce(None)  # the process-wide default ``ingest`` uses
    geo.line_builder  # noqa: B018  build the cached helpers outside the timings
    geo.oblast_tree  # noqa: B018
    setup_s = time.perf_counter() - t
    folder = work / "archive"
    folder.mkdir()
    for f in files[:-1]:
        (folder / f.name).symlink_to(f.resolve())
    out: dict[str, float] = {"setup_s": setup_s}
    with open_store(work / "bench.duckdb") as store:
        with _Timed() as tm:
            t0 = time.perf_counter()
            summary = ingest(folder, store=store)
            t1 = time.perf_counter()
        out.update(
            read_s=tm.read_s,
            update_s=tm.update_s,
            store_s=(t1 - t0) - tm.read_s - tm.update_s,
            total_s=t1 - t0,
            snapshots=float(summary.measured),
            changes=float(summary.changes),
        )
        # (c) one new day on the full store, as ``garant ingest FILE`` does
        with _Timed() as tm:
            t2 = time.perf_counter()
            day = ingest(files[-1], store=store)
            t3 = time.perf_counter()
        out.update(
            new_day_total_s=t3 - t2,
            new_day_read_s=tm.read_s,
            new_day_update_s=tm.update_s,
            new_day_updated=float(day.measured),
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
        g = run_garant(files, Path(tmp))
    b = None if args.skip_baseline else run_baseline(files[:-1])

    rows = [
        ("garant (a): read + validate + hash", f"{g['read_s']:.2f} s"),
        ("garant (a): store (insert + commit)", f"{g['store_s']:.2f} s"),
        ("garant (a): update_frontline", f"{g['update_s']:.2f} s"),
        (
            "garant (a): total  garant.ingest.ingest(folder)",
            f"{g['total_s']:.2f} s  ({int(g['snapshots'])} snapshots measured, "
            f"{int(g['changes'])} changes)",
        ),
        ("garant: geography setup (once per process)", f"{g['setup_s']:.2f} s  (not in total)"),
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
            "(c) add one day: ingest(file) total",
            f"{g['new_day_total_s'] * 1000:.0f} ms  (target < 200 ms; "
            f"read {g['new_day_read_s'] * 1000:.0f} ms, "
            f"update_frontline {g['new_day_update_s'] * 1000:.0f} ms, "
            f"{int(g['new_day_updated'])} snapshot measured)",
        ),
        ("peak memory (ru_maxrss, garant)", f"{g['peak_mb']:.0f} MB  (target < 1536 MB)"),
    ]
    width = max(len(r[0]) for r in rows)
    print("-" * (width + 40))
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
