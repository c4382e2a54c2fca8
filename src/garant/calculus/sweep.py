"""Parameter sweeps of the calculus: P(deterred) over a grid of parameter values.

A sweep fixes one or more calculus parameters at every point of a grid (the
Cartesian product of evenly spaced values per parameter) and runs the Monte
Carlo of :func:`garant.calculus.montecarlo.run_calculus` at each point, the
other parameters sampled as usual. Every point uses the same seed, so the
points differ only by the swept values (common random numbers), and each point
equals a plain :func:`run_calculus` with those parameters fixed
(``value = low = high``). One point is one task of
:func:`garant.execution.run_tasks`, so a sweep runs serially, on threads,
processes or a Dask cluster with identical numbers.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from numpy.typing import NDArray
from pydantic import ValidationError

from garant._io import atomic_path
from garant.calculus.inputs import CalculusInputs
from garant.calculus.model import PARAMETERS
from garant.calculus.montecarlo import run_calculus
from garant.calculus.params import CalculusParameters, CalculusQuantity
from garant.errors import ConfigError, DataError, NotFoundError
from garant.execution import Executor, as_seed_sequence, run_tasks

__all__ = [
    "MAX_GRID_POINTS",
    "SWEEP_METRICS",
    "ParamRange",
    "SweepResult",
    "fix_parameters",
    "parse_param_range",
    "sweep",
    "sweep_chart",
    "write_sweep_chart",
]

#: The statistics reported per grid point, in column order.
SWEEP_METRICS: tuple[str, ...] = (
    "p_deterred",
    "net_utility_mean",
    "net_utility_p5",
    "net_utility_p50",
    "net_utility_p95",
    "p_success",
)

#: The largest grid :func:`sweep` accepts (points).
MAX_GRID_POINTS = 100_000

_SPEC = re.compile(r"^\s*(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*=(?P<rest>.*)$")


@dataclass(frozen=True)
class ParamRange:
    """Evenly spaced values of one swept parameter.

    Attributes
    ----------
    name : str
        The calculus parameter.
    low, high : float
        The first and last value (in the parameter's unit).
    n : int
        Number of values (>= 1; with 1, ``low`` must equal ``high``).
    """

    name: str
    low: float
    high: float
    n: int

    def __post_init__(self) -> None:
        if self.n < 1:
            raise ConfigError(f"--param {self.name}: N {self.n} must be at least 1")
        if not (math.isfinite(self.low) and math.isfinite(self.high)):
            raise ConfigError(f"--param {self.name}: LOW and HIGH must be finite numbers")
        if self.n == 1 and self.low != self.high:
            raise ConfigError(
                f"--param {self.name}: N is 1 but LOW {self.low:g} != HIGH {self.high:g}"
            )

    def values(self) -> NDArray[np.float64]:
        """The ``n`` values from ``low`` to ``high`` (both included).

        Returns
        -------
        numpy.ndarray
        """
        return np.linspace(self.low, self.high, self.n)


def parse_param_range(text: str) -> ParamRange:
    """Parse ``NAME=LOW:HIGH:N`` (the CLI's ``--param``).

    Parameters
    ----------
    text : str
        E.g. ``"critical_force_ratio=2:4:5"``.

    Returns
    -------
    ParamRange

    Raises
    ------
    ConfigError
        Not of the form ``NAME=LOW:HIGH:N``, a number that does not parse, N
        not a positive integer.
    """
    m = _SPEC.match(text)
    parts = m.group("rest").split(":") if m else []
    if m is None or len(parts) != 3:
        raise ConfigError(
            f"--param {text!r}: expected NAME=LOW:HIGH:N (e.g. escalation_cost=1:5:9)"
        )
    name = m.group("name")
    try:
        low, high = float(parts[0]), float(parts[1])
    except ValueError:
        raise ConfigError(f"--param {text!r}: LOW and HIGH must be numbers") from None
    try:
        n = int(parts[2])
    except ValueError:
        raise ConfigError(f"--param {text!r}: N must be a whole number") from None
    return ParamRange(name=name, low=low, high=high, n=n)


def _fixed(q: CalculusQuantity, name: str, value: float) -> CalculusQuantity:
    body = q.model_dump()
    body.update(value=value, low=value, high=value, distribution="triangular")
    try:
        return CalculusQuantity.model_validate(body)
    except ValidationError as exc:
        problem = str(exc.errors()[0].get("msg", "invalid")).removeprefix("Value error, ")
        raise DataError(f"--param {name}: value {value:g} {q.unit}: {problem}") from None


def fix_parameters(params: CalculusParameters, values: Mapping[str, float]) -> CalculusParameters:
    """Return the parameters with some fixed at a value (``value = low = high``).

    Parameters
    ----------
    params : CalculusParameters
        The parameters.
    values : mapping of str to float
        Parameter name to its fixed value (in the parameter's unit).

    Returns
    -------
    CalculusParameters
        A copy; a fixed parameter is constant in the Monte Carlo.

    Raises
    ------
    NotFoundError
        A name that is not a parameter.
    ConfigError
        A parameter the model does not read (a decision rule).
    DataError
        A value the parameter cannot take (negative, a probability above 1).
    """
    quantities = dict(params.quantities)
    for name, value in values.items():
        if name not in params:
            raise NotFoundError(
                f"--param {name}: unknown calculus parameter (known: {', '.join(PARAMETERS)})"
            )
        if name not in PARAMETERS:
            raise ConfigError(
                f"--param {name}: a decision rule, not an input of the model; "
                "sweeping it cannot change P(deterred)"
            )
        quantities[name] = _fixed(params[name], name, float(value))
    return CalculusParameters(quantities=quantities, files=params.files)


@dataclass(frozen=True)
class SweepResult:
    """The outcome of :func:`sweep`.

    Attributes
    ----------
    package : str
        The package swept.
    ranges : tuple of ParamRange
        The swept parameters, in grid order (the last varies fastest).
    frame : pandas.DataFrame
        One row per grid point: one column per swept parameter, then
        :data:`SWEEP_METRICS`.
    n_runs : int
        Monte Carlo draws per point.
    seed : int
        The seed every point used.
    """

    package: str
    ranges: tuple[ParamRange, ...]
    frame: pd.DataFrame = field(repr=False)
    n_runs: int
    seed: int

    @property
    def names(self) -> tuple[str, ...]:
        """The swept parameters' names."""
        return tuple(r.name for r in self.ranges)


def _point(
    inputs: CalculusInputs,
    params: CalculusParameters,
    names: tuple[str, ...],
    n_runs: int,
    seed: int,
    values: tuple[float, ...],
) -> tuple[float, ...]:
    fixed = fix_parameters(params, dict(zip(names, values, strict=True)))
    head = run_calculus(inputs, fixed, n_runs=n_runs, rng=seed).headline()
    return (
        head["p_deterred"],
        head["net_utility"],
        head["net_utility_p5"],
        head["net_utility_p50"],
        head["net_utility_p95"],
        head["p_success"],
    )


def _seed(rng: int | np.random.Generator) -> int:
    seq = as_seed_sequence(rng)  # validates the type and sign
    if isinstance(rng, np.random.Generator):
        return int(seq.generate_state(1, np.uint64)[0] >> np.uint64(1))
    return int(rng)


def sweep(
    inputs: CalculusInputs,
    params: CalculusParameters,
    ranges: Sequence[ParamRange],
    *,
    n_runs: int = 2000,
    rng: int | np.random.Generator = 0,
    executor: str | Executor = "serial",
    max_workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> SweepResult:
    """Run the calculus' Monte Carlo at every point of a parameter grid.

    Parameters
    ----------
    inputs : CalculusInputs
        The package's facts.
    params : CalculusParameters
        The parameters; the swept ones are fixed at each point, the others
        sampled.
    ranges : sequence of ParamRange
        One range per swept parameter (at least one, no name twice).
    n_runs : int, default 2000
        Draws per point (>= 1).
    rng : int or numpy.random.Generator, default 0
        Seed, the same at every point (common random numbers).
    executor : str or Executor, default "serial"
        One task per point (:func:`garant.execution.run_tasks`).
    max_workers : int, optional
        See :func:`garant.execution.run_tasks`.
    progress : callable, optional
        ``progress(done, total)`` over the points.

    Returns
    -------
    SweepResult
        The same numbers whatever the executor and its number of workers.

    Raises
    ------
    ConfigError
        No range, a parameter twice, ``n_runs`` below 1, a grid above
        :data:`MAX_GRID_POINTS`, a decision rule swept, an invalid executor.
    NotFoundError
        An unknown parameter.
    DataError
        A grid value the parameter cannot take.
    """
    if not ranges:
        raise ConfigError("sweep: give at least one --param NAME=LOW:HIGH:N")
    names = tuple(r.name for r in ranges)
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ConfigError(f"--param {dup[0]}: given twice")
    if n_runs < 1:
        raise ConfigError(f"--runs {n_runs}: must be at least 1")
    size = math.prod(r.n for r in ranges)
    if size > MAX_GRID_POINTS:
        raise ConfigError(
            f"sweep: {size:,} grid points is more than {MAX_GRID_POINTS:,} (lower an N)"
        )
    axes = [r.values() for r in ranges]
    for r, axis in zip(ranges, axes, strict=True):  # fail before any work
        fix_parameters(params, {r.name: float(axis[0])})
        fix_parameters(params, {r.name: float(axis[-1])})
    seed = _seed(rng)
    points = [tuple(float(v) for v in p) for p in itertools.product(*axes)]
    results = run_tasks(
        functools.partial(_point, inputs, params, names, n_runs, seed),
        points,
        executor=executor,
        max_workers=max_workers,
        progress=progress,
    )
    frame = pd.DataFrame(points, columns=list(names))
    stats = pd.DataFrame(results, columns=list(SWEEP_METRICS))
    frame = pd.concat([frame, stats], axis=1)
    return SweepResult(
        package=inputs.package, ranges=tuple(ranges), frame=frame, n_runs=n_runs, seed=seed
    )


def _unit(params: CalculusParameters | None, name: str) -> str:
    if params is None or name not in params:
        return name
    return f"{name} ({params[name].unit})"


def sweep_chart(result: SweepResult, params: CalculusParameters | None = None) -> Figure:
    """Draw a sweep: a line for one parameter, a heatmap for two.

    Parameters
    ----------
    result : SweepResult
        With one or two swept parameters.
    params : CalculusParameters, optional
        For the units on the axes.

    Returns
    -------
    matplotlib.figure.Figure
        One parameter: P(deterred) (left axis) and the net utility's median
        with its 5-95 % band (right axis). Two: P(deterred) as a heatmap over
        the grid.

    Raises
    ------
    ConfigError
        More than two swept parameters.
    """
    names = result.names
    df = result.frame
    fig = Figure(figsize=(7.5, 4.8), dpi=120, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    title = f"{result.package}: P(deterred), {result.n_runs:,} draws per point"
    if len(names) == 1:
        x = df[names[0]].to_numpy()
        ax.plot(x, df["p_deterred"], color="#1f4e79", marker="o", lw=2, label="P(deterred)")
        ax.set_ylim(-0.02, 1.02)
        ax.set_ylabel("P(deterred)")
        ax.set_xlabel(_unit(params, names[0]))
        ax.grid(alpha=0.3)
        ax2 = ax.twinx()
        ax2.fill_between(
            x, df["net_utility_p5"], df["net_utility_p95"], color="#c55a11", alpha=0.15
        )
        ax2.plot(x, df["net_utility_p50"], color="#c55a11", lw=1.5, ls="--")
        ax2.axhline(0.0, color="#c55a11", lw=0.8, alpha=0.6)
        ax2.set_ylabel("attacker's net utility: median, 5-95 %", color="#c55a11")
    elif len(names) == 2:
        xs, ys = result.ranges[1].values(), result.ranges[0].values()
        grid = df["p_deterred"].to_numpy().reshape(len(ys), len(xs))
        mesh = ax.pcolormesh(
            _edges(xs), _edges(ys), grid, vmin=0.0, vmax=1.0, cmap="RdYlGn", shading="flat"
        )
        fig.colorbar(mesh, ax=ax, label="P(deterred)")
        ax.set_xlabel(_unit(params, names[1]))
        ax.set_ylabel(_unit(params, names[0]))
    else:
        raise ConfigError(f"sweep chart: {len(names)} parameters swept; a chart shows 1 or 2")
    ax.set_title(title, fontsize=10)
    return fig


def _edges(values: NDArray[np.float64]) -> NDArray[np.float64]:
    if len(values) == 1:
        return np.array([values[0] - 0.5, values[0] + 0.5])
    mid = (values[:-1] + values[1:]) / 2
    first = values[0] - (mid[0] - values[0])
    last = values[-1] + (values[-1] - mid[-1])
    return np.concatenate([[first], mid, [last]])


def write_sweep_chart(
    result: SweepResult, path: str | Path, params: CalculusParameters | None = None
) -> Path:
    """Write :func:`sweep_chart` to a PNG file atomically.

    Parameters
    ----------
    result : SweepResult
        With one or two swept parameters.
    path : str or pathlib.Path
        The PNG file (its folder is created).
    params : CalculusParameters, optional
        For the units on the axes.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    ConfigError
        More than two swept parameters, or a path not ending in ``.png``.
    """
    target = Path(path)
    if target.suffix.lower() != ".png":
        raise ConfigError(f"--out {target}: the chart is a PNG (name it *.png)")
    fig = sweep_chart(result, params)
    target.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(target, suffix=".png") as tmp:
        fig.savefig(tmp, format="png", metadata={"Software": None}, facecolor="white")
    return target
