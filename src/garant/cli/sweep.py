"""``garant sweep``: P(deterred) of one package over a grid of calculus parameters.

Registered as a top-level command in :mod:`garant.cli.main`::

    app.command(name="sweep")(sweep_cli.sweep)
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from garant.cli._common import (
    StoreOpt,
    check_format,
    emit_frame,
    err_console,
    handle_errors,
    open_cli_store,
    progress_bar,
)

__all__ = ["sweep"]


@handle_errors
def sweep(
    package: Annotated[
        str, typer.Argument(help="A guarantee package: a bundled preset or a TOML file.")
    ],
    param: Annotated[
        list[str],
        typer.Option(
            "--param",
            "-p",
            help="NAME=LOW:HIGH:N: N evenly spaced values of a calculus parameter "
            "(repeat for a grid).",
        ),
    ],
    runs: Annotated[int, typer.Option("--runs", help="Monte Carlo draws per grid point.")] = 2000,
    air_runs: Annotated[
        int, typer.Option("--air-runs", help="Monte Carlo runs per air campaign.")
    ] = 200,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same result).")] = 0,
    executor: Annotated[
        str, typer.Option("--executor", help="serial, threads, processes or dask.")
    ] = "serial",
    scheduler: Annotated[
        str | None,
        typer.Option(
            "--scheduler",
            help="Dask scheduler address tcp://HOST:PORT (implies --executor dask).",
            show_default=False,
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            help="Workers of threads/processes or the local Dask cluster (default: CPUs).",
            show_default=False,
        ),
    ] = None,
    parameters: Annotated[
        list[Path] | None,
        typer.Option("--parameters", help="Calculus parameter override files (TOML)."),
    ] = None,
    store: StoreOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")] = "table",
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Chart (PNG) of 1 or 2 swept parameters."),
    ] = None,
) -> None:
    """Sweep calculus parameters for a package: P(deterred) and net utility per grid point."""
    from garant.calculus.params import load_parameters
    from garant.calculus.sweep import (
        MAX_GRID_POINTS,
        fix_parameters,
        parse_param_range,
        write_sweep_chart,
    )
    from garant.calculus.sweep import (
        sweep as run_sweep,
    )
    from garant.errors import ConfigError
    from garant.execution import open_executor
    from garant.packages.assess import assess_package

    check_format(fmt)
    ranges = [parse_param_range(p) for p in param]
    params = load_parameters(parameters)
    for r in ranges:  # refuse bad names and values before the package is assessed
        fix_parameters(params, {r.name: r.low})
        fix_parameters(params, {r.name: r.high})
    if out is not None and (len(ranges) > 2 or out.suffix.lower() != ".png"):
        raise ConfigError(f"--out {out}: a PNG chart of 1 or 2 swept parameters")
    if runs < 1 or air_runs < 1:
        raise ConfigError(f"--runs {runs}, --air-runs {air_runs}: must be at least 1")
    points = 1
    for r in ranges:
        points *= r.n
    if points > MAX_GRID_POINTS:
        raise ConfigError(f"sweep: {points:,} grid points is more than {MAX_GRID_POINTS:,}")
    with open_executor(executor, workers=workers, scheduler=scheduler) as ex:
        with err_console.status(f"assessing {package}"):
            if store is not None:
                with open_cli_store(store, read_only=True) as st:
                    inputs = assess_package(
                        package, store=st, n_runs=1, tornado_runs=1, air_runs=air_runs, rng=seed
                    ).inputs
            else:
                inputs = assess_package(
                    package, n_runs=1, tornado_runs=1, air_runs=air_runs, rng=seed
                ).inputs
        with progress_bar("sweeping", total=points) as advance:

            def progress(done: int, total: int) -> None:
                if done:
                    advance(1)

            result = run_sweep(
                inputs, params, ranges, n_runs=runs, rng=seed, executor=ex, progress=progress
            )
    emit_frame(
        result.frame,
        fmt,
        title=f"{result.package}: sweep, {runs:,} draws per point",
        floatfmt=",.3f",
    )
    if out is not None:
        path = write_sweep_chart(result, out, params)
        err_console.print(f"wrote {path}", highlight=False)
