"""The Dask executor of :mod:`garant.execution`: local clusters, addresses, clients."""

from __future__ import annotations

import math
import os
import socket
import sys
from collections.abc import Iterator

import numpy as np
import pytest

pytest.importorskip("distributed")
import dask

from garant.calculus.inputs import CalculusInputs
from garant.calculus.montecarlo import run_calculus
from garant.calculus.params import default_parameters
from garant.errors import ConfigError, GarantError
from garant.execution import (
    EXECUTORS,
    DaskExecutor,
    Executor,
    as_seed_sequence,
    chunked_monte_carlo,
    close_dask,
    is_scheduler_address,
    open_executor,
    run_tasks,
)

# Dask workers are fresh processes that cannot import this test module
# (importmode=importlib), so the tasks are functions of the standard library, numpy
# and garant.

INPUTS = CalculusInputs(
    package="dask",
    line_km=1100.0,
    ukraine_troops_on_line=250_000.0,
    air_neutralised_share=0.9,
    air_engages_russian_weapons=True,
    commitment="coalition",
    occupied_gain_km2_per_month_observed=400.0,
)


def _square(x: int) -> int:  # for the local pools only
    return x * x


def _normals(n: int, gen: np.random.Generator) -> np.ndarray:
    return gen.normal(0.0, 1.0, size=(n, 3))


@pytest.fixture(scope="module")
def two_workers() -> Iterator[DaskExecutor]:
    with DaskExecutor(n_workers=2) as ex:
        yield ex


def test_dask_is_a_named_executor() -> None:
    assert "dask" in EXECUTORS
    assert is_scheduler_address("tcp://10.0.0.1:8786")
    assert not is_scheduler_address("dask")
    assert not is_scheduler_address(8786)
    ex = DaskExecutor(n_workers=1)
    assert isinstance(ex, Executor)
    assert not ex.started  # lazy: nothing started before the first map
    ex.close()
    ex.close()  # idempotent


@pytest.mark.slow
def test_same_seed_same_numbers_whatever_the_worker_count(two_workers: DaskExecutor) -> None:
    p = default_parameters()
    ref = run_calculus(INPUTS, p, 3000, 11)
    try:
        # "dask": the shared local cluster, here with one worker
        got1 = run_calculus(INPUTS, p, 3000, 11, "dask", chunk_size=256, max_workers=1)
    finally:
        close_dask()
    got2 = run_calculus(INPUTS, p, 3000, 11, two_workers, chunk_size=512)
    assert two_workers.n_workers() == 2
    for got in (got1, got2):
        for name in ref.outputs:
            assert np.array_equal(got.outputs[name], ref.outputs[name]), name
        for name in ref.draws:
            assert np.array_equal(got.draws[name], ref.draws[name]), name
    if sys.platform.startswith("linux"):  # the tasks really ran in other processes
        pids = set(run_tasks(os.readlink, ["/proc/self"] * 40, executor=two_workers))
        assert str(os.getpid()) not in pids


@pytest.mark.slow
def test_run_tasks_order_progress_and_errors(two_workers: DaskExecutor) -> None:
    seen: list[tuple[int, int]] = []
    tasks = list(range(17))
    out = run_tasks(
        math.factorial, tasks, executor=two_workers, progress=lambda d, t: seen.append((d, t))
    )
    assert out == [math.prod(range(1, t + 1)) for t in tasks]
    assert seen == [(i, 17) for i in range(18)]
    # a task's own error comes back as it is
    with pytest.raises(ConfigError, match="rng seed -2 must be >= 0"):
        run_tasks(as_seed_sequence, [1, -2, 3], executor=two_workers)


@pytest.mark.slow
def test_scheduler_address_and_client(two_workers: DaskExecutor) -> None:
    p = default_parameters()
    ref = run_calculus(INPUTS, p, 700, 9).outputs["net_utility"]

    def mc(executor: object) -> np.ndarray:
        res = run_calculus(INPUTS, p, 700, 9, executor, chunk_size=256)  # type: ignore[arg-type]
        return res.outputs["net_utility"]

    client = two_workers.client
    addr = client.scheduler.address
    assert is_scheduler_address(addr)
    try:
        assert np.array_equal(mc(addr), ref)  # an address string: a shared client
        assert np.array_equal(mc(client), ref)  # a distributed.Client
        with open_executor("serial", scheduler=addr) as ex:  # --scheduler implies dask
            assert isinstance(ex, DaskExecutor)
            assert ex.scheduler == addr
            assert run_tasks(abs, [-3, 4], executor=ex) == [3, 4]
        assert not ex.started  # closed by open_executor
    finally:
        close_dask()
    assert client.status == "running"  # a client passed in is not closed
    assert two_workers.n_workers() == 2  # nor the cluster behind the address


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_unreachable_scheduler_is_one_config_error() -> None:
    addr = f"tcp://127.0.0.1:{_free_port()}"
    ex = DaskExecutor(addr, timeout_s=0.5)
    with pytest.raises(ConfigError, match=f"dask scheduler {addr}: cannot connect") as err:
        run_tasks(abs, [1], executor=ex)
    assert "\n" not in str(err.value)


def test_bad_settings() -> None:
    with pytest.raises(ConfigError, match="not an address"):
        DaskExecutor("localhost:8786")
    with pytest.raises(ConfigError, match="n_workers 0"):
        DaskExecutor(n_workers=0)
    with pytest.raises(ConfigError, match="timeout_s"):
        DaskExecutor(timeout_s=0)
    with pytest.raises(ConfigError, match="not both"):
        DaskExecutor("tcp://127.0.0.1:1", client=object())
    with pytest.raises(ConfigError, match="--executor: 'spark'"), open_executor("spark"):
        pass
    with pytest.raises(ConfigError, match="--workers: 0"), open_executor("threads", workers=0):
        pass
    with (
        pytest.raises(ConfigError, match="needs --executor dask"),
        open_executor("processes", scheduler="tcp://127.0.0.1:1"),
    ):
        pass
    with (
        pytest.raises(ConfigError, match="local cluster only"),
        open_executor("dask", scheduler="tcp://127.0.0.1:1", workers=2),
    ):
        pass
    with pytest.raises(ConfigError, match="or a Dask scheduler address"):
        run_tasks(_square, [1], executor="cluster")


def test_chunked_monte_carlo_on_local_pools_matches_serial() -> None:
    ref = chunked_monte_carlo(_normals, 1000, rng=4)
    with open_executor("threads", workers=2) as ex:
        assert np.array_equal(chunked_monte_carlo(_normals, 1000, rng=4, executor=ex), ref)


def test_open_executor_pools_and_serial() -> None:
    with open_executor("serial", workers=3) as ex:
        assert ex == "serial"
    for name in ("threads", "processes"):
        with open_executor(name, workers=2) as ex:
            assert run_tasks(_square, [1, 2, 3], executor=ex) == [1, 4, 9]
    with open_executor("dask", workers=1) as ex:
        assert isinstance(ex, DaskExecutor)
        assert not ex.started
    assert not ex.started  # closed, never started


@pytest.mark.slow
def test_a_lost_worker_is_one_garant_error() -> None:
    lost = r"dask \(local cluster\): task 1 of 2 was lost"
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 0}),
        DaskExecutor(n_workers=1) as ex,
        pytest.raises(GarantError, match=lost),
    ):
        run_tasks(os._exit, [3, 3], executor=ex)
