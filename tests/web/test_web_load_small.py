"""A small burst of concurrent requests against ``garant serve`` on loopback: no 5xx.

The full benchmark is benchmarks/bench_web_load.py (2,000 requests, 32 in flight, with
the latency distribution); this variant sends 200 and checks only correctness.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_web_load.py"


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("garant_bench_web_load", BENCH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_burst_of_200_has_no_server_error(web_store: Path, tmp_path: Path) -> None:
    bench = _bench()
    store = tmp_path / "load.duckdb"
    shutil.copyfile(web_store, store)
    server = bench.start_server(str(store))
    try:
        paths = bench.request_mix(server.base, 200, seed=1)
        result = bench.run_load(server.base, paths, 16, total_timeout_s=300.0)
    finally:
        server.stop()
    assert server.process.returncode is not None  # the server stopped
    assert not result.failures, result.failures[:5]
    assert result.server_errors == 0, result.statuses
    assert sum(result.statuses.values()) == 200
    assert result.statuses[200] > 150, result.statuses  # the mix is mostly valid reads
    assert any("/alerts" in p for p in paths)  # the frozen line's alerts were asked for
