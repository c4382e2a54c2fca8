"""Monte Carlo over the calculus parameters: sample, evaluate, summarise.

Each sampled parameter (:attr:`CalculusParameters.sampled_names`) is drawn
independently: triangular with mode ``value`` between ``low`` and ``high``
(a parameter with ``low == high`` is constant), or log-uniform between ``low``
and ``high`` where its ``distribution`` says so. Parameters that are not sampled
(decision rules) keep their value. The runs go through
:func:`garant.execution.chunked_monte_carlo`, so the result depends only on the
seed and the number of runs, not on the executor or the chunking.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from garant.calculus.inputs import CalculusInputs
from garant.calculus.model import OUTPUTS, PARAMETERS, Classification, classify, evaluate
from garant.calculus.params import CalculusParameters
from garant.errors import ConfigError
from garant.execution import Executor, chunked_monte_carlo

__all__ = ["SUMMARY_METRICS", "CalculusResult", "run_calculus", "sample"]

#: The outputs :meth:`CalculusResult.summary` reports, in order.
SUMMARY_METRICS: tuple[str, ...] = OUTPUTS


def sample(
    params: CalculusParameters, n: int, rng: int | np.random.Generator
) -> dict[str, NDArray[np.float64]]:
    """Draw ``n`` values of every parameter.

    Parameters
    ----------
    params : CalculusParameters
        The parameters.
    n : int
        Number of draws (>= 0).
    rng : int or numpy.random.Generator
        Seed or generator; parameters are drawn in file order.

    Returns
    -------
    dict of str to numpy.ndarray
        One array of length ``n`` per parameter (sampled ones drawn, the others
        constant at their value).

    Raises
    ------
    ConfigError
        ``n`` is negative.
    """
    if n < 0:
        raise ConfigError(f"number of draws {n} must be >= 0")
    gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    out: dict[str, NDArray[np.float64]] = {}
    for name, q in params.quantities.items():
        if not q.sampled or q.low == q.high:
            out[name] = np.full(n, float(q.value))
        elif q.distribution == "loguniform":
            out[name] = np.exp(gen.uniform(np.log(q.low), np.log(q.high), size=n))
        else:
            out[name] = gen.triangular(q.low, q.value, q.high, size=n)
    return out


def _chunk(
    inputs: CalculusInputs, params: CalculusParameters, n: int, gen: np.random.Generator
) -> NDArray[np.float64]:
    draws = sample(params, n, gen)
    outputs = evaluate(inputs, draws)
    cols = [draws[p] for p in params] + [outputs[o] for o in OUTPUTS]
    return np.column_stack(cols)


@dataclass(frozen=True)
class CalculusResult:
    """The Monte Carlo of the calculus for one package.

    Attributes
    ----------
    inputs : CalculusInputs
        The package's facts.
    params : CalculusParameters
        The parameters sampled.
    draws : dict of str to numpy.ndarray
        The parameter values per run.
    outputs : dict of str to numpy.ndarray
        The model's outputs per run (:data:`garant.calculus.model.OUTPUTS`).
    n_runs : int
        Number of runs.
    """

    inputs: CalculusInputs
    params: CalculusParameters
    draws: dict[str, NDArray[np.float64]] = field(repr=False)
    outputs: dict[str, NDArray[np.float64]] = field(repr=False)
    n_runs: int

    @property
    def package(self) -> str:
        """The package name."""
        return self.inputs.package

    @property
    def p_deterred(self) -> float:
        """P(deterred): the share of runs in which attacking does not pay."""
        return float(self.outputs["deterred"].mean())

    def summary(self) -> pd.DataFrame:
        """Mean and percentiles of every output.

        Returns
        -------
        pandas.DataFrame
            One row per metric (:data:`SUMMARY_METRICS`, ``deterred``'s mean
            being P(deterred)): ``package, metric, mean, p5, p50, p95``.
        """
        rows = []
        for m in SUMMARY_METRICS:
            v = self.outputs[m]
            p5, p50, p95 = np.percentile(v, [5, 50, 95])
            rows.append(
                {
                    "package": self.package,
                    "metric": m,
                    "mean": float(v.mean()),
                    "p5": float(p5),
                    "p50": float(p50),
                    "p95": float(p95),
                }
            )
        return pd.DataFrame(rows, columns=["package", "metric", "mean", "p5", "p50", "p95"])

    def frame(self) -> pd.DataFrame:
        """Every run as a row: the parameters drawn, then the outputs.

        Returns
        -------
        pandas.DataFrame
            Columns ``run``, one per parameter, one per output.
        """
        data: dict[str, Any] = {"run": np.arange(self.n_runs)}
        data.update(self.draws)
        data.update(self.outputs)
        return pd.DataFrame(data)

    def classify(self, *, cost_usd_per_year: float, personnel_deployed: float) -> Classification:
        """Label the package (see :func:`garant.calculus.model.classify`).

        Parameters
        ----------
        cost_usd_per_year : float
            What the package costs per year (USD).
        personnel_deployed : float
            Personnel it deploys (persons).

        Returns
        -------
        {"deterrent", "half-measure", "no guarantee"}
        """
        return classify(
            self.p_deterred,
            cost_usd_per_year=cost_usd_per_year,
            personnel_deployed=personnel_deployed,
            threshold=self.params.half_measure_threshold,
        )

    def headline(self) -> dict[str, float]:
        """P(deterred) and the means of the main outputs as a flat dict.

        Returns
        -------
        dict of str to float
            ``p_deterred``, ``net_utility_p5/p50/p95`` and the mean of
            ``p_success``, ``expected_gain``, ``expected_casualties``,
            ``expected_losses_cost``, ``p_coalition_engaged``,
            ``p_coalition_responds``, ``expected_escalation_cost``,
            ``net_utility``.
        """
        net = self.outputs["net_utility"]
        p5, p50, p95 = np.percentile(net, [5, 50, 95])
        out = {"p_deterred": self.p_deterred}
        for m in (
            "p_success",
            "expected_gain",
            "expected_casualties",
            "expected_losses_cost",
            "p_coalition_engaged",
            "p_coalition_responds",
            "expected_escalation_cost",
            "net_utility",
        ):
            out[m] = float(self.outputs[m].mean())
        out.update(
            {
                "net_utility_p5": float(p5),
                "net_utility_p50": float(p50),
                "net_utility_p95": float(p95),
            }
        )
        return out


def run_calculus(
    inputs: CalculusInputs,
    params: CalculusParameters,
    n_runs: int = 2000,
    rng: int | np.random.Generator = 0,
    executor: str | Executor = "serial",
    *,
    chunk_size: int = 4096,
    max_workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> CalculusResult:
    """Propagate the parameters' uncertainty through the calculus for one package.

    Parameters
    ----------
    inputs : CalculusInputs
        The package's facts.
    params : CalculusParameters
        The parameters (:func:`garant.calculus.params.load_parameters`).
    n_runs : int, default 2000
        Number of runs (>= 1).
    rng : int or numpy.random.Generator, default 0
        Seed; the same seed gives the same result whatever the executor and
        chunking.
    executor : str or Executor, default "serial"
        See :func:`garant.execution.run_tasks`.
    chunk_size, max_workers, progress
        See :func:`garant.execution.chunked_monte_carlo`.

    Returns
    -------
    CalculusResult

    Raises
    ------
    ConfigError
        ``n_runs`` < 1, an invalid executor or seed, or a parameter the model
        needs is missing.
    """
    missing = [p for p in PARAMETERS if p not in params]
    if missing:
        raise ConfigError(f"calculus parameters: missing {', '.join(missing)}")
    table = chunked_monte_carlo(
        functools.partial(_chunk, inputs, params),
        n_runs,
        rng=rng,
        chunk_size=chunk_size,
        executor=executor,
        max_workers=max_workers,
        progress=progress,
    )
    names = list(params)
    draws = {n: np.ascontiguousarray(table[:, i]) for i, n in enumerate(names)}
    outputs = {o: np.ascontiguousarray(table[:, len(names) + j]) for j, o in enumerate(OUTPUTS)}
    return CalculusResult(inputs=inputs, params=params, draws=draws, outputs=outputs, n_runs=n_runs)
