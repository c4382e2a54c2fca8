"""``garant assess`` and ``garant compare``: guarantee packages side by side.

Registered as top-level commands in :mod:`garant.cli.main`::

    app.command(name="assess")(assess_cli.assess)
    app.command(name="compare")(assess_cli.compare)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import pandas as pd
import typer

from garant.cli._common import (
    StoreOpt,
    check_format,
    console,
    emit_frame,
    err_console,
    handle_errors,
    open_cli_store,
    progress_bar,
)

if TYPE_CHECKING:
    from garant.packages.results import Comparison

__all__ = ["assess", "compare", "comparison_frame"]

PackagesArg = Annotated[
    list[str] | None,
    typer.Argument(
        help="Guarantee packages: bundled presets (no-guarantees, coalition-2025, "
        "sky-shield-only, robust-100k, nato-membership) or TOML files. Default: every preset.",
        show_default=False,
    ),
]
RunsOpt = Annotated[int, typer.Option("--runs", help="Monte Carlo draws of the calculus.")]
AirRunsOpt = Annotated[int, typer.Option("--air-runs", help="Monte Carlo runs per air campaign.")]
SeedOpt = Annotated[int, typer.Option("--seed", help="Random seed (same seed, same result).")]
ExecutorOpt = Annotated[
    str, typer.Option("--executor", help="serial, threads, processes or dask (the Monte Carlo).")
]
SchedulerOpt = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        help="Dask scheduler address tcp://HOST:PORT (implies --executor dask).",
        show_default=False,
    ),
]
WorkersOpt = Annotated[
    int | None,
    typer.Option(
        "--workers",
        help="Workers of threads/processes or the local Dask cluster (default: CPUs).",
        show_default=False,
    ),
]

#: Columns of the terminal table, with their headers.
_COLUMNS = {
    "package": "package",
    "p_deterred": "P(det.)",
    "net_utility_p50": "U p50",
    "net_utility_p5": "U p5",
    "net_utility_p95": "U p95",
    "p_success": "P(succ.)",
    "p_coalition_engaged": "P(eng.)",
    "cost_usd_per_year": "bn $/yr",
    "personnel_deployed": "pers.",
    "personnel_with_rotation": "w/ rot.",
    "verdict": "verdict",
}


def _names(packages: list[str] | None) -> list[str]:
    from garant.packages.loader import preset_order

    return list(packages) if packages else preset_order()


@contextmanager
def _maybe_store(store: str | None) -> Iterator[Any]:
    if store is None:
        yield None
        return
    with open_cli_store(store, read_only=True) as st:
        yield st


def _run(
    names: list[str],
    *,
    store: str | None,
    runs: int,
    air_runs: int,
    seed: int,
    executor: str,
    scheduler: str | None = None,
    workers: int | None = None,
    after: Callable[[Comparison], Any] | None = None,
) -> tuple[Comparison, Any]:
    from garant.execution import open_executor
    from garant.packages.assess import assess_packages

    with (
        open_executor(executor, workers=workers, scheduler=scheduler) as ex,
        _maybe_store(store) as st,
        progress_bar("assessing packages", total=len(names)) as advance,
    ):

        def progress(done: int, total: int) -> None:
            if done:
                advance(1)

        comparison = assess_packages(
            names,
            store=st,
            n_runs=runs,
            rng=seed,
            executor=ex,
            air_runs=air_runs,
            progress=progress,
        )
        extra = after(comparison) if after is not None else None
    return comparison, extra


def comparison_frame(comparison: Comparison, fmt: str) -> pd.DataFrame:
    """The comparison table as printed: all columns for csv/json, a short view for tables.

    Parameters
    ----------
    comparison : Comparison
    fmt : str
        ``table``, ``csv`` or ``json``.

    Returns
    -------
    pandas.DataFrame
    """
    df = comparison.table()
    if fmt != "table":
        return df
    view = df[[c for c in _COLUMNS if c in df.columns]].copy()
    view["cost_usd_per_year"] = view["cost_usd_per_year"] / 1e9
    for col in ("personnel_deployed", "personnel_with_rotation"):
        view[col] = [f"{v:,.0f}" for v in view[col]]
    return view.rename(columns=_COLUMNS)


@handle_errors
def assess(
    packages: PackagesArg = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Report folder.")] = Path(
        "out/assessment"
    ),
    lang: Annotated[str, typer.Option("--lang", help="Report language: en or de.")] = "en",
    runs: RunsOpt = 2000,
    air_runs: AirRunsOpt = 200,
    seed: SeedOpt = 0,
    executor: ExecutorOpt = "serial",
    scheduler: SchedulerOpt = None,
    workers: WorkersOpt = None,
    pdf: Annotated[
        bool | None,
        typer.Option("--pdf/--no-pdf", help="Also write report.pdf (default: if weasyprint is)."),
    ] = None,
    store: StoreOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")] = "table",
) -> None:
    """Assess guarantee packages and write the side-by-side report (HTML, PDF if possible)."""
    from garant.report.assess import write_assessment_report

    check_format(fmt)
    if lang not in ("en", "de"):
        from garant.errors import ConfigError

        raise ConfigError(f"--lang: {lang!r} is not one of en, de")
    names = _names(packages)
    comparison, path = _run(
        names,
        store=store,
        runs=runs,
        air_runs=air_runs,
        seed=seed,
        executor=executor,
        scheduler=scheduler,
        workers=workers,
        after=lambda c: write_assessment_report(c, out, lang=lang, pdf=pdf),
    )
    emit_frame(comparison_frame(comparison, fmt), fmt, title="Guarantee packages", floatfmt=",.2f")
    err_console.print(f"wrote {path}", highlight=False)


@handle_errors
def compare(
    packages: PackagesArg = None,
    runs: RunsOpt = 2000,
    air_runs: AirRunsOpt = 200,
    seed: SeedOpt = 0,
    executor: ExecutorOpt = "serial",
    scheduler: SchedulerOpt = None,
    workers: WorkersOpt = None,
    store: StoreOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")] = "table",
) -> None:
    """Print the comparison of guarantee packages (no report)."""
    check_format(fmt)
    comparison, _ = _run(
        _names(packages),
        store=store,
        runs=runs,
        air_runs=air_runs,
        seed=seed,
        executor=executor,
        scheduler=scheduler,
        workers=workers,
    )
    emit_frame(comparison_frame(comparison, fmt), fmt, title="Guarantee packages", floatfmt=",.2f")
    if fmt == "table":
        half = [a.name for a in comparison.assessments if a.half_measure]
        if half:
            console.print(
                f"half-measures (cost money or people, P(deterred) below "
                f"{comparison.assessments[0].half_measure_threshold:g}): {', '.join(half)}",
                highlight=False,
            )
