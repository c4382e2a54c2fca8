"""Which assumptions decide the answer: a one-at-a-time tornado of the calculus.

Each sampled parameter in turn is set to its ``low`` and its ``high`` while the
others stay at their point ``value``; the metric is evaluated at both ends and
the parameters are sorted by the swing between them (largest first). For the
per-draw outputs of the model (``net_utility``, ``p_success`` ...) this is one
deterministic evaluation per end. For ``metric="p_deterred"``, a share over
draws, the other parameters are sampled instead (``n_runs`` draws from ``rng``,
the same draws at both ends of every parameter: common random numbers), since
at fixed values the attacker is either deterred or not.
"""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from garant.calculus.inputs import CalculusInputs
from garant.calculus.model import OUTPUTS, evaluate
from garant.calculus.montecarlo import sample
from garant.calculus.params import CalculusParameters
from garant.errors import ConfigError
from garant.execution import Executor, run_tasks

__all__ = ["TORNADO_COLUMNS", "TORNADO_METRICS", "tornado"]

#: Metrics :func:`tornado` accepts: every per-draw output and ``p_deterred``.
TORNADO_METRICS: tuple[str, ...] = (*OUTPUTS, "p_deterred")

#: Columns of the tornado table.
TORNADO_COLUMNS: list[str] = [
    "parameter",
    "group",
    "unit",
    "low_value",
    "high_value",
    "metric_at_low",
    "metric_at_high",
    "swing",
]


def _metric(inputs: CalculusInputs, draws: dict[str, NDArray[np.float64]], metric: str) -> float:
    out = evaluate(inputs, draws)
    if metric == "p_deterred":
        return float(out["deterred"].mean())
    return float(out[metric].mean())


def _ends(
    inputs: CalculusInputs,
    base: dict[str, NDArray[np.float64]],
    metric: str,
    task: tuple[str, float, float],
) -> tuple[float, float]:
    name, low, high = task
    at = []
    for v in (low, high):
        draws = dict(base)
        draws[name] = np.full_like(base[name], v)
        at.append(_metric(inputs, draws, metric))
    return at[0], at[1]


def tornado(
    inputs: CalculusInputs,
    params: CalculusParameters,
    *,
    metric: str = "net_utility",
    n_runs: int = 2000,
    rng: int | np.random.Generator = 0,
    executor: str | Executor = "serial",
) -> pd.DataFrame:
    """One-at-a-time sensitivity of a calculus metric to each sampled parameter.

    Parameters
    ----------
    inputs : CalculusInputs
        The package's facts.
    params : CalculusParameters
        The parameters.
    metric : str, default "net_utility"
        One of :data:`TORNADO_METRICS`.
    n_runs : int, default 2000
        Draws of the other parameters; used only for ``"p_deterred"``.
    rng : int or numpy.random.Generator, default 0
        Seed of those draws; used only for ``"p_deterred"``.
    executor : str or Executor, default "serial"
        See :func:`garant.execution.run_tasks` (one task per parameter).

    Returns
    -------
    pandas.DataFrame
        One row per sampled parameter: ``parameter, group, unit, low_value,
        high_value, metric_at_low, metric_at_high, swing`` (``|at_high −
        at_low|``), sorted by swing, largest first (ties by name).
        ``attrs["metric"]`` names the metric and ``attrs["base"]`` holds its
        value with every parameter at its point value (for ``p_deterred``: with
        all sampled).

    Raises
    ------
    ConfigError
        An unknown metric, or ``n_runs`` < 1 for ``"p_deterred"``.
    """
    if metric not in TORNADO_METRICS:
        raise ConfigError(f"tornado metric {metric!r} is not one of {', '.join(TORNADO_METRICS)}")
    if metric == "p_deterred":
        if n_runs < 1:
            raise ConfigError(f"n_runs {n_runs} must be at least 1")
        base = sample(params, n_runs, rng)
    else:
        base = {n: np.array([v]) for n, v in params.values().items()}
    names = params.sampled_names
    tasks = [(n, float(params[n].low), float(params[n].high)) for n in names]
    ends = run_tasks(functools.partial(_ends, inputs, base, metric), tasks, executor=executor)
    rows = [
        {
            "parameter": n,
            "group": params[n].group,
            "unit": params[n].unit,
            "low_value": lo,
            "high_value": hi,
            "metric_at_low": at_lo,
            "metric_at_high": at_hi,
            "swing": abs(at_hi - at_lo),
        }
        for (n, lo, hi), (at_lo, at_hi) in zip(tasks, ends, strict=True)
    ]
    df = pd.DataFrame(rows, columns=TORNADO_COLUMNS)
    df = df.sort_values(["swing", "parameter"], ascending=[False, True], kind="stable")
    df = df.reset_index(drop=True)
    df.attrs["metric"] = metric
    df.attrs["base"] = _metric(inputs, base, metric)
    return df
