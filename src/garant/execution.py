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
an object with ``map``
    Anything satisfying :class:`Executor` (``map(fn, iterable)`` returning the
    results in order), e.g. an existing ``concurrent.futures`` executor, which
    is used and not shut down.

Reproducibility
---------------
Random streams are derived with :class:`numpy.random.SeedSequence`:
:func:`spawn_seeds` makes independent child generators, and
:func:`chunked_monte_carlo` draws in fixed blocks of :data:`SEED_BLOCK` runs,
one child generator per block. The result therefore depends only on ``rng``
and ``n_runs`` - not on the executor, the number of workers or ``chunk_size``
(which only decides how many blocks one task carries).
"""

from __future__ import annotations

import functools
import math
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any, Protocol, TypeVar, runtime_checkable

import numpy as np
from numpy.typing import NDArray

from garant.errors import ConfigError

__all__ = [
    "EXECUTORS",
    "SEED_BLOCK",
    "Executor",
    "as_seed_sequence",
    "chunked_monte_carlo",
    "run_tasks",
    "spawn_seeds",
]

T = TypeVar("T")
R = TypeVar("R")

#: Names of the built-in executors.
EXECUTORS: tuple[str, ...] = ("serial", "threads", "processes")

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
    executor : {"serial", "threads", "processes"} or Executor, default "serial"
        Where to run (see the module docstring).
    max_workers : int, optional
        Workers for ``"threads"``/``"processes"`` (default: the CPU count, at
        most the number of tasks). Ignored for ``"serial"`` and for executor
        objects.
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
        ``executor`` is an unknown name or an object without ``map``, or
        ``max_workers`` is below 1.
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
    if isinstance(executor, str):
        if executor not in EXECUTORS:
            raise ConfigError(f"executor {executor!r} is not one of {', '.join(EXECUTORS)}")
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
