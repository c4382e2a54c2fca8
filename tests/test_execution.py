from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pytest

from garant.errors import ConfigError
from garant.execution import (
    SEED_BLOCK,
    as_seed_sequence,
    chunked_monte_carlo,
    run_tasks,
    spawn_seeds,
)


def _square(x: int) -> int:
    return x * x


def _normals(n: int, gen: np.random.Generator, *, scale: float = 1.0) -> np.ndarray:
    return gen.normal(0.0, scale, size=(n, 2))


@pytest.mark.parametrize("executor", ["serial", "threads", "processes"])
def test_run_tasks_preserves_order(executor: str) -> None:
    tasks = list(range(23))
    assert run_tasks(_square, tasks, executor=executor, max_workers=2) == [t * t for t in tasks]


def test_run_tasks_reports_progress_in_order() -> None:
    seen: list[tuple[int, int]] = []
    run_tasks(_square, [1, 2, 3], progress=lambda d, t: seen.append((d, t)))
    assert seen == [(0, 3), (1, 3), (2, 3), (3, 3)]


def test_run_tasks_empty() -> None:
    assert run_tasks(_square, [], executor="threads") == []


def test_run_tasks_accepts_executor_objects() -> None:
    class Recording:
        def __init__(self) -> None:
            self.calls = 0

        def map(self, fn: Callable[..., Any], *its: Iterable[Any]) -> Iterator[Any]:
            self.calls += 1
            return map(fn, *its)

    rec = Recording()
    assert run_tasks(_square, [2, 3], executor=rec) == [4, 9]
    assert rec.calls == 1
    with ThreadPoolExecutor(2) as pool:
        assert run_tasks(_square, [4, 5], executor=pool) == [16, 25]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"executor": "spark"}, "executor 'spark'"),
        ({"executor": object()}, "no map"),
        ({"max_workers": 0}, "max_workers 0"),
    ],
)
def test_run_tasks_rejects_bad_settings(kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        run_tasks(_square, [1], **kwargs)


def test_spawn_seeds_prefix_stable_and_independent() -> None:
    a = [g.random() for g in spawn_seeds(7, 3)]
    b = [g.random() for g in spawn_seeds(7, 5)]
    assert a == b[:3]
    assert len(set(b)) == 5
    assert [g.random() for g in spawn_seeds(8, 3)] != a


def test_spawn_seeds_same_seed_sequence_twice() -> None:
    seq = np.random.SeedSequence(11)
    a = [g.random() for g in spawn_seeds(seq, 2)]
    assert [g.random() for g in spawn_seeds(seq, 2)] == a


def test_generator_seed_is_deterministic() -> None:
    a = chunked_monte_carlo(_normals, 50, rng=np.random.default_rng(3))
    b = chunked_monte_carlo(_normals, 50, rng=np.random.default_rng(3))
    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("bad", [None, 1.5, True, -1, "0"])
def test_bad_rng(bad: Any) -> None:
    with pytest.raises(ConfigError, match="rng"):
        as_seed_sequence(bad)


def test_spawn_seeds_negative() -> None:
    with pytest.raises(ConfigError, match="number of seeds"):
        spawn_seeds(0, -1)


def test_chunked_monte_carlo_invariant_to_chunking_and_executor() -> None:
    n = 3 * SEED_BLOCK + 17
    fn = functools.partial(_normals, scale=2.0)
    ref = chunked_monte_carlo(fn, n, rng=42)
    assert ref.shape == (n, 2)
    for chunk_size, executor, workers in [
        (1, "serial", None),
        (SEED_BLOCK, "threads", 3),
        (10_000, "threads", 2),
        (2 * SEED_BLOCK, "processes", 2),
    ]:
        got = chunked_monte_carlo(
            fn, n, rng=42, chunk_size=chunk_size, executor=executor, max_workers=workers
        )
        np.testing.assert_array_equal(got, ref)
    assert not np.array_equal(chunked_monte_carlo(fn, n, rng=43), ref)
    # the runs are not one repeated block
    assert not np.array_equal(ref[:SEED_BLOCK], ref[SEED_BLOCK : 2 * SEED_BLOCK])


def test_chunked_monte_carlo_progress_counts_chunks() -> None:
    seen: list[tuple[int, int]] = []
    chunked_monte_carlo(
        _normals,
        3 * SEED_BLOCK,
        rng=0,
        chunk_size=SEED_BLOCK,
        progress=lambda d, t: seen.append((d, t)),
    )
    assert seen[-1] == (3, 3)


@pytest.mark.parametrize(("n", "chunk"), [(0, 10), (10, 0)])
def test_chunked_monte_carlo_rejects_bad_sizes(n: int, chunk: int) -> None:
    with pytest.raises(ConfigError):
        chunked_monte_carlo(_normals, n, rng=0, chunk_size=chunk)
