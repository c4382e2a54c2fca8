"""Crash safety: ``garant ingest`` and ``garant assess`` killed (SIGKILL) at random points.

Each trial starts the command in a subprocess, waits until it has imported the
CLI, lets it work for a random time (seeded) within the length of an
uninterrupted run, and kills it. Then:

- ingest: the store opens, holds exactly the rows it held before the run or
  exactly the rows of an uninterrupted run (never a part), and a re-run
  completes with the same measures as the uninterrupted run;
- assess: every file of the report folder is byte-identical to the good report
  that was there before or to the complete new one; a new page only with all
  its new files (the page moves last); the store it read is intact; a re-run
  writes the same report as an uninterrupted run and removes the temporaries
  the killed run left behind.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from garant.cli import assess as assess_cli
from garant.ingest import ingest
from garant.store.duckdb import DuckDBStore

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)"),
]

TRIALS = int(os.environ.get("GARANT_CRASH_TRIALS", "6"))
TABLES = ("snapshots", "layers", "points", "measures", "oblast_measures", "lines", "changes")
DEMO_RAW = Path(__file__).resolve().parents[1] / "src" / "garant" / "data" / "demo" / "raw"
# The child prints a marker once the CLI is imported, so that the kill lands in the work.
CHILD = (
    "import sys\n"
    "from garant.cli.main import app\n"
    "print('ready', file=sys.stderr, flush=True)\n"
    "app(prog_name='garant')\n"
)
TMP_PREFIX = ".garant-tmp-"


def _start(args: Sequence[str], cwd: Path) -> tuple[subprocess.Popen[bytes], float]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert proc.stderr is not None
    line = proc.stderr.readline()
    assert line.strip() == b"ready", line
    return proc, time.perf_counter()


def _run_to_end(args: Sequence[str], cwd: Path) -> float:
    """Run uninterrupted; return the seconds from 'ready' to the exit."""
    proc, t0 = _start(args, cwd)
    _, err = proc.communicate(timeout=300)
    took = time.perf_counter() - t0
    assert proc.returncode == 0, err.decode(errors="replace")[-2000:]
    return took


def _kill_after(args: Sequence[str], cwd: Path, delay_s: float) -> bool:
    """Start, wait ``delay_s`` after 'ready', SIGKILL; True if it was still running."""
    proc, _ = _start(args, cwd)
    try:
        proc.wait(timeout=delay_s)
        finished = True
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        finished = False
    assert proc.stderr is not None
    proc.stderr.close()
    return not finished


def _counts(path: Path) -> dict[str, int]:
    with DuckDBStore(path) as st:  # read-write: what the next command does
        return {t: int(st.sql(f"SELECT count(*) AS n FROM {t}")["n"].iloc[0]) for t in TABLES}


def _measures(path: Path) -> pd.DataFrame:
    with DuckDBStore(path, read_only=True) as st:
        # ids are left out: a killed transaction may have used up sequence values
        # (never rolled back, as in PostgreSQL), so a re-run's ids can be higher
        df = st.sql(
            "SELECT s.date, s.source_ref, m.* EXCLUDE (snapshot_id, prev_snapshot_id) "
            "FROM measures m JOIN snapshots s USING (snapshot_id) ORDER BY s.date, s.source_ref"
        )
    return df


def _copy_store(src: Path, dst: Path) -> None:
    for f in src.parent.glob(src.name + "*"):  # the file and any .wal
        shutil.copy2(f, dst.parent / f.name.replace(src.name, dst.name, 1))


def test_ingest_killed_at_random_points(tmp_path: Path) -> None:
    files = sorted(DEMO_RAW.glob("*.geojson*"))[:8]
    assert len(files) == 8
    first, full = tmp_path / "first", tmp_path / "full"
    first.mkdir()
    full.mkdir()
    for i, f in enumerate(files):
        shutil.copy2(f, full / f.name)
        if i < 3:
            shutil.copy2(f, first / f.name)
    before = tmp_path / "before.duckdb"
    with DuckDBStore(before) as st:
        ingest(first, store=st)
    before_counts = _counts(before)

    ref = tmp_path / "ref.duckdb"
    _copy_store(before, ref)
    took = _run_to_end(["ingest", str(full), "--store", str(ref)], tmp_path)
    after_counts = _counts(ref)
    assert after_counts["snapshots"] == before_counts["snapshots"] + 5
    ref_measures = _measures(ref)

    rng = np.random.default_rng(20250824)
    killed = 0
    for trial in range(TRIALS):
        path = tmp_path / f"trial{trial}.duckdb"
        _copy_store(before, path)
        delay = float(rng.uniform(0.0, 0.85 * took))
        killed += _kill_after(["ingest", str(full), "--store", str(path)], tmp_path, delay)
        counts = _counts(path)
        assert counts in (before_counts, after_counts), (trial, delay, counts)
        with DuckDBStore(path) as st:  # the re-run completes ...
            ingest(full, store=st)
        assert _counts(path) == after_counts, (trial, delay)
        # ... with the same result
        pd.testing.assert_frame_equal(_measures(path), ref_measures, obj=f"trial {trial}")
    assert killed >= min(2, TRIALS)  # kills landed while it was working


def _digest(folder: Path) -> dict[str, str]:
    return {
        f.relative_to(folder).as_posix(): hashlib.sha256(f.read_bytes()).hexdigest()
        for f in sorted(folder.rglob("*"))
        if f.is_file()
    }


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob(TMP_PREFIX + "*"))


def test_assess_killed_at_random_points(tmp_path: Path, demo_store: Path) -> None:
    app = typer.Typer()
    app.callback()(lambda: None)
    app.command(name="assess")(assess_cli.assess)
    store = tmp_path / "store.duckdb"
    _copy_store(demo_store, store)
    store_counts = _counts(store)

    def args(seed: int, out: Path) -> list[str]:
        return [
            *("assess", "no-guarantees", "--runs", "300", "--air-runs", "2"),
            *("--seed", str(seed), "--out", str(out), "--no-pdf", "--store", str(store)),
        ]

    old, new = tmp_path / "old", tmp_path / "new"
    res = CliRunner().invoke(app, args(1, old))  # in-process: same code, no start-up
    assert res.exit_code == 0, res.stderr
    took = _run_to_end(args(2, new), tmp_path)
    old_files, new_files = _digest(old), _digest(new)
    assert set(old_files) == set(new_files)
    assert "report.html" in old_files
    assert old_files["report.html"] != new_files["report.html"]
    changed = {n for n in old_files if old_files[n] != new_files[n]}
    assert len(changed) > 1  # the page and some tables/charts depend on the seed

    rng = np.random.default_rng(19910824)
    for trial in range(TRIALS):
        out = tmp_path / f"trial{trial}"
        shutil.copytree(old, out)
        delay = float(rng.uniform(0.0, took))
        _kill_after(args(2, out), tmp_path, delay)
        got = {n: h for n, h in _digest(out).items() if TMP_PREFIX not in n}
        assert set(got) == set(old_files), (trial, delay)
        for name, h in got.items():  # every file complete: the old one or the new one
            assert h in (old_files[name], new_files[name]), (trial, delay, name)
        if got["report.html"] != old_files["report.html"]:
            assert got == new_files, (trial, delay)  # the page moves last: all new
        elif got != old_files:
            # killed while the staged files were being renamed into place (a window
            # of a few renames): the stage is still there for the next run to clear
            assert _leftovers(out), (trial, delay)
        assert _counts(store) == store_counts  # the store it read is intact
        # the re-run completes, writes the uninterrupted run's report, cleans up
        res = CliRunner().invoke(app, args(2, out))
        assert res.exit_code == 0, res.stderr
        assert _digest(out) == new_files, (trial, delay)
        assert _leftovers(out) == [], (trial, delay)


def test_stale_temporaries_of_dead_writers_are_removed(tmp_path: Path) -> None:
    from garant._io import remove_stale_temporaries, write_text_atomic

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    pid = int(dead.stdout)
    stage = tmp_path / f"{TMP_PREFIX}{pid}-abc"
    stage.mkdir()
    (stage / "half.png").write_bytes(b"\x89PNG")
    (tmp_path / f"{TMP_PREFIX}{pid}-x.csv").write_text("a,b\n1,")
    mine = tmp_path / f"{TMP_PREFIX}{os.getpid()}-y.csv"
    mine.write_text("in progress")
    legacy = tmp_path / f"{TMP_PREFIX}nopid.csv"
    legacy.write_text("?")
    removed = remove_stale_temporaries(tmp_path)
    assert sorted(p.name for p in removed) == sorted(
        [f"{TMP_PREFIX}{pid}-abc", f"{TMP_PREFIX}{pid}-x.csv"]
    )
    assert sorted(_leftovers(tmp_path)) == sorted([mine.name, legacy.name])
    assert remove_stale_temporaries(tmp_path / "missing") == []
    # every atomic write clears what killed writers left in its folder
    (tmp_path / f"{TMP_PREFIX}{pid}-z.txt").write_text("half")
    write_text_atomic(tmp_path / "a.txt", "whole")
    assert (tmp_path / "a.txt").read_text() == "whole"
    assert sorted(_leftovers(tmp_path)) == sorted([mine.name, legacy.name])
