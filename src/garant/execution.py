"""The one execution layer for Monte Carlo runs and parameter sweeps.

Everything in garant that runs many independent tasks goes through
:func:`run_tasks` (and :func:`chunked_monte_carlo` on top of it), so that a later
issue can scale out by adding one executor (e.g. Dask) behind the same
interface.

Executors
---------
``"serial"``
    A plain loop in this process (the default; no pickling).
``"threads"``
    :class:`concurrent.futures.ThreadPoolExecutor` (numpy releases the GIL in
    its vectorised kernels).
``"processes"``
    :class:`concurrent.futures.ProcessPoolExecutor`; the function and the tasks
    must be picklable (module-level functions, :func:`functools.partial`).
``"dask"``
    A Dask ``distributed`` local cluster (``LocalCluster(processes=True,
    threads_per_worker=1)`` with ``max_workers`` workers, default the CPU
    count), started on first use, shared by later calls with the same worker
    count and closed when the interpreter exits (or by :func:`close_dask`).
a scheduler address (``"tcp://HOST:PORT"``)
    An existing Dask cluster: a client is connected on first use, shared by
    later calls and closed at exit. The workers must be able to import
    ``garant`` (the same version as here).
an object with ``map``
    Anything satisfying :class:`Executor` (``map(fn, iterable)`` returning the
    results in order), e.g. an existing ``concurrent.futures`` executor or a
    :class:`DaskExecutor`, which is used and not shut down. A
    ``distributed.Client`` is accepted too (wrapped in a :class:`DaskExecutor`;
    not closed).

:func:`open_executor` turns the CLI's ``--executor``/``--workers``/``--scheduler``
into one executor for the duration of a command.

Reproducibility
---------------
Random streams are derived with :class:`numpy.random.SeedSequence`:
:func:`spawn_seeds` makes independent child generators, and
:func:`chunked_monte_carlo` draws in fixed blocks of :data:`SEED_BLOCK` runs,
one child generator per block. The result therefore depends only on ``rng``
and ``n_runs`` - not on the executor, the number of workers or ``chunk_size``
(which only decides how many blocks one task carries). The random generators
travel with the tasks, so a Dask cluster of any size gives the same numbers.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import logging
import math
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any, Protocol, TypeVar, runtime_checkable

import numpy as np
from numpy.typing import NDArray

from garant.errors import ConfigError, GarantError

__all__ = [
    "DASK_SCHEMES",
    "EXECUTORS",
    "SEED_BLOCK",
    "DaskExecutor",
    "Executor",
    "as_seed_sequence",
    "chunked_monte_carlo",
    "close_dask",
    "is_scheduler_address",
    "open_executor",
    "run_tasks",
    "spawn_seeds",
]

log = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

#: Names of the built-in executors.
EXECUTORS: tuple[str, ...] = ("serial", "threads", "processes", "dask")

#: URL schemes of Dask scheduler addresses accepted as an executor.
DASK_SCHEMES: tuple[str, ...] = ("tcp://", "tls://", "inproc://", "ucx://", "ws://", "wss://")

#: Seconds to wait for a Dask scheduler to answer before giving up.
DASK_CONNECT_TIMEOUT_S = 10.0

_POLL_S = 2.0  # how often a waiting result checks that a local cluster still has workers
_NO_WORKERS_S = 6.0  # a local cluster without workers for this long has failed

#: Runs per random block in :func:`chunked_monte_carlo` (each block has its own
#: child generator, so chunking never changes the draws).
SEED_BLOCK = 256


@runtime_checkable
class Executor(Protocol):
    """Anything that maps a function over an iterable, results in input order."""

    def map(self, fn: Callable[..., Any], *iterables: Iterable[Any]) -> Iterator[Any]:
        """Apply ``fn`` to every item and yield the results in order."""
        ...


def _default_workers() -> int:
    return max(1, min(32, os.cpu_count() or 1))


def run_tasks(
    fn: Callable[[T], R],
    tasks: Sequence[T],
    *,
    executor: str | Executor = "serial",
    max_workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[R]:
    """Apply ``fn`` to every task and return the results in task order.

    Parameters
    ----------
    fn : callable
        A function of one task. Must be picklable for ``"processes"``.
    tasks : sequence
        The tasks.
    executor : {"serial", "threads", "processes", "dask"}, address or Executor
        Where to run (see the module docstring); default ``"serial"``.
    max_workers : int, optional
        Workers for ``"threads"``/``"processes"`` (default: the CPU count, at
        most the number of tasks) and for the local ``"dask"`` cluster
        (default: the CPU count). Ignored for ``"serial"``, scheduler
        addresses and executor objects.
    progress : callable, optional
        Called as ``progress(done, total)`` after each task's result arrives (in
        task order) and once with ``(0, total)`` before the first.

    Returns
    -------
    list
        ``[fn(t) for t in tasks]``, in the same order.

    Raises
    ------
    ConfigError
        ``executor`` is an unknown name or an object without ``map``,
        ``max_workers`` is below 1, or a Dask scheduler cannot be reached.
    GarantError
        A Dask cluster lost the workers running the tasks.
    """
    if max_workers is not None and max_workers < 1:
        raise ConfigError(f"max_workers {max_workers} must be at least 1")
    items = list(tasks)
    total = len(items)
    if progress is not None:
        progress(0, total)
    if total == 0:
        return []
    workers = min(max_workers or _default_workers(), total)
    if isinstance(executor, str) and (executor == "dask" or is_scheduler_address(executor)):
        shared = _shared_dask(executor, max_workers or _default_workers())
        try:
            return _collect(shared.map(fn, items), total, progress)
        except GarantError as exc:
            if "every worker is gone" in str(exc) or "was lost" in str(exc):
                _drop_shared(shared)  # the next call starts afresh
            raise
    if _is_dask_client(executor):
        return _collect(DaskExecutor(client=executor).map(fn, items), total, progress)
    if isinstance(executor, str):
        if executor not in EXECUTORS:
            raise ConfigError(
                f"executor {executor!r} is not one of {', '.join(EXECUTORS)} "
                "or a Dask scheduler address (tcp://HOST:PORT)"
            )
        if executor == "serial" or workers == 1:
            return _collect(map(fn, items), total, progress)
        pool: ThreadPoolExecutor | ProcessPoolExecutor
        if executor == "threads":
            pool = ThreadPoolExecutor(max_workers=workers)
        else:
            pool = ProcessPoolExecutor(max_workers=workers)
        with pool:
            return _collect(pool.map(fn, items), total, progress)
    if not isinstance(executor, Executor):
        raise ConfigError(
            f"executor {type(executor).__name__} has no map(fn, tasks); "
            f"use one of {', '.join(EXECUTORS)} or an object with map"
        )
    return _collect(executor.map(fn, items), total, progress)


def _collect(
    results: Iterable[R], total: int, progress: Callable[[int, int], None] | None
) -> list[R]:
    out: list[R] = []
    for r in results:
        out.append(r)
        if progress is not None:
            progress(len(out), total)
    return out


# ----------------------------------------------------------------------------- Dask


def is_scheduler_address(value: object) -> bool:
    """Whether ``value`` looks like a Dask scheduler address (``tcp://HOST:PORT``).

    Parameters
    ----------
    value : object
        Anything.

    Returns
    -------
    bool
        True for a string starting with one of :data:`DASK_SCHEMES`.
    """
    return isinstance(value, str) and value.startswith(DASK_SCHEMES)


def _is_dask_client(value: object) -> bool:
    cls = type(value)
    return cls.__name__ == "Client" and cls.__module__.startswith("distributed")


class DaskExecutor:
    """Run tasks on Dask ``distributed``: an existing cluster or a local one.

    The client (and for a local cluster the cluster) is created on the first
    :meth:`map`, not in the constructor. Use it as a context manager, or call
    :meth:`close`; a client passed in is never closed.

    Parameters
    ----------
    scheduler : str, optional
        Address of a running scheduler (``tcp://HOST:PORT``). None: start a
        ``LocalCluster(n_workers, processes=True, threads_per_worker=1)``.
    n_workers : int, optional
        Workers of the local cluster (default: the CPU count). Ignored with a
        scheduler address or a client.
    client : distributed.Client, optional
        Use this client as it is (``scheduler`` and ``n_workers`` must then be
        None).
    timeout_s : float, default :data:`DASK_CONNECT_TIMEOUT_S`
        Seconds to wait for the scheduler.

    Raises
    ------
    ConfigError
        ``n_workers`` below 1, ``timeout_s`` not positive, a scheduler that is
        not an address, or a client together with a scheduler or worker count.

    Notes
    -----
    Results come back in task order and depend only on the tasks, never on the
    number of workers: every random stream travels inside its task
    (:func:`chunked_monte_carlo`).
    """

    def __init__(
        self,
        scheduler: str | None = None,
        *,
        n_workers: int | None = None,
        client: Any = None,
        timeout_s: float = DASK_CONNECT_TIMEOUT_S,
    ) -> None:
        if n_workers is not None and n_workers < 1:
            raise ConfigError(f"dask: n_workers {n_workers} must be at least 1")
        if not timeout_s > 0:
            raise ConfigError(f"dask: timeout_s {timeout_s} must be positive")
        if scheduler is not None and not is_scheduler_address(scheduler):
            raise ConfigError(
                f"dask scheduler {scheduler!r}: not an address "
                f"(expected one of {', '.join(DASK_SCHEMES)} followed by HOST:PORT)"
            )
        if client is not None and (scheduler is not None or n_workers is not None):
            raise ConfigError("dask: give a client or a scheduler/worker count, not both")
        self._scheduler = scheduler
        self._n_workers = n_workers
        self._timeout_s = float(timeout_s)
        self._client: Any = client
        self._owns_client = client is None
        self._cluster: Any = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        where = self._scheduler or f"local cluster, {self._n_workers or 'cpu-count'} workers"
        state = "started" if self._client is not None else "not started"
        return f"DaskExecutor({where}, {state})"

    def __enter__(self) -> DaskExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def scheduler(self) -> str | None:
        """The scheduler address given (None for a local cluster or a client)."""
        return self._scheduler

    @property
    def started(self) -> bool:
        """Whether the client exists (created by the first :meth:`map`)."""
        return self._client is not None

    @property
    def client(self) -> Any:
        """The ``distributed.Client``, connected (and the local cluster started) on first use.

        Raises
        ------
        ConfigError
            The scheduler cannot be reached within the timeout.
        """
        with self._lock:
            if self._client is None:
                self._client = self._connect()
            return self._client

    def _connect(self) -> Any:
        from distributed import Client, LocalCluster

        if self._scheduler is not None:
            try:
                client = Client(self._scheduler, timeout=self._timeout_s)
            except (OSError, TimeoutError) as exc:
                reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                raise ConfigError(
                    f"dask scheduler {self._scheduler}: cannot connect within "
                    f"{self._timeout_s:g} s ({reason})"
                ) from None
            log.info("connected to the Dask scheduler at %s", self._scheduler)
            return client
        n = self._n_workers or _default_workers()
        self._cluster = LocalCluster(
            n_workers=n,
            processes=True,
            threads_per_worker=1,
            # no dashboard; the scheduler's small HTTP API on a free port (never 8787,
            # which another cluster may hold)
            dashboard_address=":0",
            scheduler_kwargs={"dashboard": False},
            silence_logs=logging.CRITICAL,
        )
        log.info("started a local Dask cluster with %d workers", n)
        return Client(self._cluster, timeout=self._timeout_s)

    def n_workers(self) -> int:
        """The number of workers the scheduler knows now (starts the client).

        Returns
        -------
        int
        """
        return len(self.client.scheduler_info()["workers"])

    def map(self, fn: Callable[..., Any], *iterables: Iterable[Any]) -> Iterator[Any]:
        """Submit ``fn`` over the items and yield the results in input order.

        Parameters
        ----------
        fn : callable
            Picklable (module-level function or :func:`functools.partial`).
        *iterables : iterable
            As for the builtin :func:`map`.

        Returns
        -------
        iterator
            The results, in order; a task's own exception is raised as is.

        Raises
        ------
        GarantError
            A worker died or the scheduler went away while tasks were pending.
        """
        client = self.client
        futures = client.map(fn, *iterables, pure=False)
        return self._results(client, futures)

    def _results(self, client: Any, futures: list[Any]) -> Iterator[Any]:
        from distributed import CancelledError, KilledWorker
        from distributed.comm.core import CommClosedError

        where = self._scheduler or "local cluster"
        try:
            for i, fut in enumerate(futures):
                try:
                    yield self._wait(client, fut, f"task {i + 1} of {len(futures)}")
                except (KilledWorker, CommClosedError, CancelledError) as exc:
                    raise GarantError(
                        f"dask ({where}): task {i + 1} of {len(futures)} was lost "
                        f"({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})"
                    ) from None
        except BaseException:
            with contextlib.suppress(Exception):
                client.cancel(futures)
            raise

    def _wait(self, client: Any, fut: Any, what: str) -> Any:
        """A future's result; a local cluster left without workers is an error, not a hang."""
        from distributed import TimeoutError as DaskTimeoutError

        idle_s = 0.0
        while True:
            try:
                return fut.result(timeout=_POLL_S)
            except (TimeoutError, DaskTimeoutError):
                if self._cluster is None:  # a remote cluster may gain workers later
                    continue
                workers = len(client.scheduler_info()["workers"])
                idle_s = idle_s + _POLL_S if workers == 0 else 0.0
                if idle_s >= _NO_WORKERS_S:
                    raise GarantError(
                        f"dask (local cluster): {what}: every worker is gone; a worker dies "
                        "when it cannot load the task (the function must be importable "
                        "in a fresh process) or runs out of memory"
                    ) from None

    def close(self) -> None:
        """Close the client and the local cluster this executor started. Idempotent."""
        with self._lock:
            client, cluster = self._client, self._cluster
            self._cluster = None
            if self._owns_client:
                self._client = None
        if self._owns_client and client is not None:
            with contextlib.suppress(Exception):
                client.close()
        if cluster is not None:
            with contextlib.suppress(Exception):
                cluster.close()


_SHARED_LOCK = threading.Lock()
_SHARED: dict[str, DaskExecutor] = {}


def _shared_dask(executor: str, n_workers: int) -> DaskExecutor:
    """The process-wide executor for ``"dask"`` (by worker count) or an address."""
    key = executor if executor != "dask" else f"dask:{n_workers}"
    with _SHARED_LOCK:
        found = _SHARED.get(key)
        if found is None:
            if executor == "dask":
                # one local cluster at a time: a new worker count replaces the old one
                for old in [k for k in _SHARED if k.startswith("dask:")]:
                    _SHARED.pop(old).close()
                found = DaskExecutor(n_workers=n_workers)
            else:
                found = DaskExecutor(executor)
            _SHARED[key] = found
        return found


def _drop_shared(ex: DaskExecutor) -> None:
    with _SHARED_LOCK:
        for key in [k for k, v in _SHARED.items() if v is ex]:
            del _SHARED[key]
    ex.close()


def close_dask() -> None:
    """Close the shared Dask clients and local cluster of ``executor="dask"``/addresses.

    Called automatically when the interpreter exits; safe to call at any time
    (the next use starts them again).
    """
    with _SHARED_LOCK:
        shared = list(_SHARED.values())
        _SHARED.clear()
    for ex in shared:
        ex.close()


atexit.register(close_dask)


@contextlib.contextmanager
def open_executor(
    executor: str = "serial", *, workers: int | None = None, scheduler: str | None = None
) -> Iterator[str | Executor]:
    """Turn ``--executor``/``--workers``/``--scheduler`` into an executor for one command.

    Parameters
    ----------
    executor : {"serial", "threads", "processes", "dask"}, default "serial"
        The executor's name.
    workers : int, optional
        Worker count for ``threads``, ``processes`` and the local ``dask``
        cluster (default: the CPU count). Ignored for ``serial``.
    scheduler : str, optional
        A Dask scheduler address (``tcp://HOST:PORT``); implies ``dask`` and
        excludes ``workers`` (the cluster has its own).

    Yields
    ------
    str or Executor
        ``"serial"``, or a pool / :class:`DaskExecutor` that is shut down when
        the block ends.

    Raises
    ------
    ConfigError
        An unknown executor, a worker count below 1, ``--scheduler`` with
        ``threads``/``processes`` or with ``--workers``, a bad address.
    """
    if executor not in EXECUTORS:
        raise ConfigError(f"--executor: {executor!r} is not one of {', '.join(EXECUTORS)}")
    if workers is not None and workers < 1:
        raise ConfigError(f"--workers: {workers} must be at least 1")
    if scheduler is not None:
        if executor in ("threads", "processes"):
            raise ConfigError(f"--scheduler {scheduler}: needs --executor dask, not {executor}")
        if workers is not None:
            raise ConfigError(
                f"--scheduler {scheduler}: --workers applies to a local cluster only "
                "(the scheduler's cluster has its own workers)"
            )
        executor = "dask"
    if executor == "serial":
        yield "serial"
        return
    n = workers or _default_workers()
    pool: ThreadPoolExecutor | ProcessPoolExecutor | DaskExecutor
    if executor == "threads":
        pool = ThreadPoolExecutor(max_workers=n)
    elif executor == "processes":
        pool = ProcessPoolExecutor(max_workers=n)
    else:
        pool = DaskExecutor(scheduler, n_workers=None if scheduler else n)
    try:
        yield pool
    finally:
        if isinstance(pool, DaskExecutor):
            pool.close()
        else:
            pool.shutdown(wait=True, cancel_futures=True)


# ----------------------------------------------------------------------------- seeds


def as_seed_sequence(
    rng: int | np.random.Generator | np.random.SeedSequence,
) -> np.random.SeedSequence:
    """Turn a seed or generator into a :class:`numpy.random.SeedSequence`.

    Parameters
    ----------
    rng : int, numpy.random.Generator or numpy.random.SeedSequence
        A non-negative integer seed; a generator (four 63-bit words are drawn
        from it, which advances it); or a seed sequence (used as is).

    Returns
    -------
    numpy.random.SeedSequence

    Raises
    ------
    ConfigError
        ``rng`` is of another type (``bool``, ``None``, a float) or a negative
        integer.
    """
    if isinstance(rng, np.random.SeedSequence):
        return rng
    if isinstance(rng, np.random.Generator):
        words = rng.integers(0, 2**63, size=4, dtype=np.int64)
        return np.random.SeedSequence([int(w) for w in words])
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, (bool, np.bool_)):
        if int(rng) < 0:
            raise ConfigError(f"rng seed {int(rng)} must be >= 0")
        return np.random.SeedSequence(int(rng))
    raise ConfigError(
        f"rng must be an int seed, a numpy Generator or a SeedSequence, not {type(rng).__name__}"
    )


def spawn_seeds(
    rng: int | np.random.Generator | np.random.SeedSequence, n: int
) -> list[np.random.Generator]:
    """Make ``n`` independent generators from one seed.

    Parameters
    ----------
    rng : int, numpy.random.Generator or numpy.random.SeedSequence
        See :func:`as_seed_sequence`.
    n : int
        How many generators (>= 0).

    Returns
    -------
    list of numpy.random.Generator
        Child ``i`` is the same for the same ``rng`` whatever ``n`` is (as
        long as ``i < n``).

    Raises
    ------
    ConfigError
        ``n`` is negative or ``rng`` is invalid.
    """
    if n < 0:
        raise ConfigError(f"number of seeds {n} must be >= 0")
    seq = as_seed_sequence(rng)
    # Spawn from a copy so that calling twice with the same SeedSequence gives
    # the same children (SeedSequence.spawn is stateful).
    base = np.random.SeedSequence(seq.entropy, spawn_key=seq.spawn_key, pool_size=seq.pool_size)
    return [np.random.default_rng(child) for child in base.spawn(n)]


def _run_blocks(
    fn: Callable[[int, np.random.Generator], NDArray[Any]],
    blocks: Sequence[tuple[int, np.random.Generator]],
) -> NDArray[Any]:
    parts = [np.asarray(fn(size, gen)) for size, gen in blocks]
    return np.concatenate(parts, axis=0)


def chunked_monte_carlo(
    fn: Callable[[int, np.random.Generator], NDArray[Any]],
    n_runs: int,
    *,
    rng: int | np.random.Generator | np.random.SeedSequence,
    chunk_size: int = 1024,
    executor: str | Executor = "serial",
    max_workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> NDArray[Any]:
    """Run a vectorised Monte Carlo function in chunks and concatenate the results.

    Parameters
    ----------
    fn : callable
        ``fn(n, generator) -> array`` whose first axis has length ``n`` (the
        runs). Must be picklable for ``"processes"``.
    n_runs : int
        Total number of runs (>= 1).
    rng : int, numpy.random.Generator or numpy.random.SeedSequence
        The seed; the runs are drawn in blocks of :data:`SEED_BLOCK`, block
        ``i`` with child ``i`` of :func:`spawn_seeds`.
    chunk_size : int, default 1024
        Runs per task, rounded up to whole blocks. It affects only the number of
        tasks, never the result.
    executor, max_workers, progress
        As in :func:`run_tasks` (progress counts chunks).

    Returns
    -------
    numpy.ndarray
        The blocks' results concatenated along axis 0, in run order; the same
        for the same ``rng`` and ``n_runs`` whatever the executor, the number
        of workers and ``chunk_size``.

    Raises
    ------
    ConfigError
        ``n_runs`` or ``chunk_size`` is below 1, or the executor is invalid.
    """
    if n_runs < 1:
        raise ConfigError(f"n_runs {n_runs} must be at least 1")
    if chunk_size < 1:
        raise ConfigError(f"chunk_size {chunk_size} must be at least 1")
    n_blocks = math.ceil(n_runs / SEED_BLOCK)
    gens = spawn_seeds(rng, n_blocks)
    sizes = [SEED_BLOCK] * n_blocks
    sizes[-1] = n_runs - SEED_BLOCK * (n_blocks - 1)
    blocks = list(zip(sizes, gens, strict=True))
    per_chunk = math.ceil(chunk_size / SEED_BLOCK)
    chunks = [blocks[i : i + per_chunk] for i in range(0, n_blocks, per_chunk)]
    parts = run_tasks(
        functools.partial(_run_blocks, fn),
        chunks,
        executor=executor,
        max_workers=max_workers,
        progress=progress,
    )
    return np.concatenate(parts, axis=0)
