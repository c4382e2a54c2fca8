"""Load on the web API: a bounded burst of concurrent requests against ``garant serve``.

Starts ``garant serve`` on a free loopback port (the bundled demo history, or --store),
waits until /api/health answers, sends N requests (default 2,000) with C in flight at
once (default 32) through one httpx.AsyncClient, spread over the read endpoints the map
uses (dates, frontline layers at several zooms, measures, changes, base layers,
ceasefire lines and alerts, packages, health), then stops the server. Prints the latency
distribution (p50/p95/p99/max), the throughput, the answers by status, and exits 1 if
any answer was a 5xx or a request failed.

    .venv/bin/python benchmarks/bench_web_load.py [--requests 2000] [--concurrency 32]
        [--store FILE] [--seed 0]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np

#: Runs ``garant serve`` (its implementation, whether or not main.py registers it yet).
_SERVE = (
    "import sys, typer; from garant.cli.serve import serve; "
    "app = typer.Typer(); app.command()(serve); app(sys.argv[1:])"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """A ``garant serve`` child process on loopback."""

    base: str
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_server(store: str | None, *, timeout_s: float = 180.0) -> Server:
    """Start ``garant serve`` (the demo when ``store`` is None) and wait for /api/health."""
    port = free_port()
    args = [sys.executable, "-c", _SERVE, "--host", "127.0.0.1", "--port", str(port)]
    args += ["--store", store] if store else ["--demo"]
    log = Path(tempfile.mkstemp(prefix="garant-serve-", suffix=".log")[1])
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    with log.open("wb") as fh:
        proc = subprocess.Popen(args, stdout=fh, stderr=subprocess.STDOUT, env=env)
    server = Server(f"http://127.0.0.1:{port}", proc, log)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"garant serve exited ({proc.returncode}): {log.read_text()}")
        try:
            if httpx.get(f"{server.base}/api/health", timeout=2.0).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"garant serve did not answer within {timeout_s:.0f} s")


def request_mix(base: str, n: int, seed: int) -> list[str]:
    """``n`` paths over the read endpoints, dates and zooms drawn with ``seed``."""
    dates = httpx.get(f"{base}/api/dates", timeout=30).json()
    days = [d["date"] if isinstance(d, dict) else str(d) for d in _list(dates)]
    lines = [c["name"] for c in _list(httpx.get(f"{base}/api/ceasefire", timeout=30).json())]
    rng = random.Random(seed)
    recent = days[-10:] or ["2024-06-01"]
    paths = []
    for _ in range(n):
        day = rng.choice(recent if rng.random() < 0.7 else days or recent)
        kind = rng.random()
        if kind < 0.35:
            paths.append(f"/api/frontline/{day}?z={rng.choice([5, 6, 7, 8])}")
        elif kind < 0.50:
            paths.append(f"/api/measures/{day}")
        elif kind < 0.60:
            paths.append("/api/dates")
        elif kind < 0.68:
            paths.append(f"/api/changes?since={rng.choice(days or recent)}&z=6")
        elif kind < 0.76:
            paths.append(f"/api/base/{rng.choice(['oblasts', 'settlements'])}")
        elif kind < 0.82:
            paths.append("/api/monthly")
        elif kind < 0.88:
            paths.append("/api/packages")
        elif kind < 0.93 and lines:
            paths.append(f"/api/ceasefire/{rng.choice(lines)}/alerts")
        elif kind < 0.97:
            paths.append("/api/ceasefire")
        else:
            paths.append("/api/health")
    return paths


def _list(value: Any) -> list[Any]:
    if isinstance(value, dict):
        for key in ("dates", "lines", "items", "packages"):
            if isinstance(value.get(key), list):
                return list(value[key])
        return []
    return list(value)


@dataclass
class LoadResult:
    """Latencies (s), statuses and failures of a burst."""

    latencies_s: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    wall_s: float = 0.0

    @property
    def server_errors(self) -> int:
        return sum(n for s, n in self.statuses.items() if s >= 500)

    def report(self, concurrency: int) -> str:
        lat = np.asarray(self.latencies_s) * 1000.0
        n = len(lat)
        p50, p95, p99 = np.percentile(lat, [50, 95, 99]) if n else (np.nan,) * 3
        rows = [
            f"requests: {n + len(self.failures)} ({concurrency} in flight), "
            f"wall {self.wall_s:.2f} s, throughput {n / self.wall_s:,.0f} req/s",
            f"latency ms: p50 {p50:.1f}, p95 {p95:.1f}, p99 {p99:.1f}, "
            f"max {lat.max() if n else float('nan'):.1f}",
            "status: " + ", ".join(f"{s}: {c}" for s, c in sorted(self.statuses.items())),
            f"5xx: {self.server_errors}, failed requests: {len(self.failures)}",
        ]
        return "\n".join(rows)


async def _burst(base: str, paths: list[str], concurrency: int, timeout_s: float) -> LoadResult:
    result = LoadResult()
    queue: asyncio.Queue[str] = asyncio.Queue()
    for p in paths:
        queue.put_nowait(p)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=timeout_s) as client:

        async def worker() -> None:
            while True:
                try:
                    path = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                t0 = time.perf_counter()
                try:
                    r = await client.get(path, headers={"Accept-Encoding": "gzip"})
                    await r.aread()
                except httpx.HTTPError as exc:
                    result.failures.append(f"{path}: {type(exc).__name__}")
                    continue
                result.latencies_s.append(time.perf_counter() - t0)
                result.statuses[r.status_code] += 1

        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        result.wall_s = time.perf_counter() - t0
    return result


def run_load(
    base: str,
    paths: list[str],
    concurrency: int,
    *,
    request_timeout_s: float = 60.0,
    total_timeout_s: float = 900.0,
) -> LoadResult:
    """Send ``paths`` with ``concurrency`` in flight; the whole burst is bounded in time."""
    return asyncio.run(
        asyncio.wait_for(_burst(base, paths, concurrency, request_timeout_s), total_timeout_s)
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--store", default=None, help="Store file (default: the bundled demo).")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--warmup", type=int, default=50, help="Requests before measuring.")
    args = ap.parse_args()
    t0 = time.perf_counter()
    server = start_server(args.store)
    print(f"garant serve on {server.base} (started in {time.perf_counter() - t0:.1f} s)")
    try:
        paths = request_mix(server.base, args.warmup + args.requests, args.seed)
        run_load(server.base, paths[: args.warmup], args.concurrency)
        result = run_load(server.base, paths[args.warmup :], args.concurrency)
    finally:
        server.stop()
    print(result.report(args.concurrency))
    print(f"({os.cpu_count()} CPUs; the server is one uvicorn worker process)")
    return 1 if result.server_errors or result.failures else 0


if __name__ == "__main__":
    sys.exit(main())
