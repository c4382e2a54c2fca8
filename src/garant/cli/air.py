"""``garant air ...``: catalogues, records, backtest, placement and assessment."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from typing import Annotated

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
    parse_date,
)
from garant.errors import ConfigError

app = typer.Typer(help="The air shield: catalogues, backtest, placement, assessment.")

RecordsOpt = Annotated[
    Path, typer.Option("--records", help="Air Force attack records (missile_attacks_daily.csv).")
]
OverridesOpt = Annotated[
    list[Path] | None,
    typer.Option("--catalog", help="TOML file(s) overriding catalogue entries (repeatable)."),
]


@app.command()
@handle_errors
def catalog(
    kind: Annotated[str, typer.Argument(help="threats, launch_areas, defences or all.")] = "all",
    overrides: OverridesOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")] = "table",
) -> None:
    """Every number of the air catalogues with its range and source or assumption."""
    from garant.air.catalog import load_catalog

    if kind not in ("threats", "launch_areas", "defences", "all"):
        raise ConfigError(f"catalog: unknown kind {kind!r} (threats, launch_areas, defences, all)")
    cat = load_catalog(overrides=overrides or None)
    df = cat.to_frame(kind)  # type: ignore[arg-type]
    if fmt == "table":
        df = df.assign(basis=df["source"].fillna("").where(df["source"].notna(), "ASSUMPTION"))
        df = df[["kind", "id", "field", "value", "low", "high", "unit", "basis"]]
    emit_frame(df, fmt, title="Air catalogue (every number with its basis)", floatfmt=",.3g")


@app.command()
@handle_errors
def rates(
    records: RecordsOpt,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")] = "table",
) -> None:
    """Observed neutralisation rate per weapon class and month."""
    from garant.air.calibration import UnknownWeaponWarning, normalise_records, observed_rates
    from garant.sources.attacks import read_attack_records

    with warnings.catch_warnings():
        # Unknown weapon names are counted in the report printed below.
        warnings.simplefilter("ignore", UnknownWeaponWarning)
        norm, report = normalise_records(read_attack_records(records))
    emit_frame(observed_rates(norm), fmt, title="Observed (destroyed + not reached) / launched")
    err_console.print(f"note: {report.summary()}", highlight=False)


@app.command()
@handle_errors
def backtest(
    records: RecordsOpt,
    split: Annotated[str, typer.Option("--split", help="YYYY-MM-DD: fit before, test after.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="csv, json or table.")] = "csv",
    score: Annotated[bool, typer.Option("--score", help="Also print the scores (stderr).")] = False,
) -> None:
    """Fit the baseline before the split and forecast every class and month after it."""
    from garant.air.calibration import backtest as run_backtest
    from garant.air.calibration import backtest_score

    d = parse_date(split, name="--split")
    assert d is not None
    df = run_backtest(records, split=d)
    emit_frame(df, fmt, title=f"Backtest, split {d}", floatfmt=".4f")
    if score:
        sc = backtest_score(df)
        err_console.print(sc.to_string(index=False), highlight=False)


@app.command()
@handle_errors
def place(
    candidates: Annotated[Path, typer.Option("--candidates", help="GeoJSON or CSV points.")],
    demand: Annotated[Path, typer.Option("--demand", help="GeoJSON or CSV points + weight.")],
    k: Annotated[int, typer.Option("--k", help="Number of units to place.")],
    radius_km: Annotated[float, typer.Option("--radius-km", help="Coverage radius, km.")],
    weight: Annotated[str, typer.Option("--weight", help="Demand weight column.")] = "weight",
    standoff_km: Annotated[
        float,
        typer.Option("--standoff-km", help="Minimum distance from Russian-held territory, km."),
    ] = 0.0,
    store: StoreOpt = None,
    date: Annotated[
        str | None, typer.Option("--date", help="Frontline date for the stand-off.")
    ] = None,
    solver: Annotated[str, typer.Option("--solver", help="highs or greedy.")] = "highs",
    time_limit_s: Annotated[
        float | None, typer.Option("--time-limit", help="Solver time limit, s.")
    ] = 120.0,
    fmt: Annotated[str, typer.Option("--format", "-f", help="json or table.")] = "json",
) -> None:
    """Choose K sites that cover the most demand (maximal covering location, HiGHS)."""
    from garant.air.placement import hostile_territory, occupied_from_store, place_from_files

    check_format(fmt, ("json", "table"))
    hostile = None
    if standoff_km > 0:
        with open_cli_store(store, read_only=True) as st:
            occ = occupied_from_store(st, parse_date(date, name="--date"))
        hostile = hostile_territory(occ)
    res = place_from_files(
        candidates,
        demand,
        k=k,
        radius_km=radius_km,
        weight=weight,
        standoff_from=hostile,
        standoff_km=standoff_km,
        solver=solver,
        time_limit_s=time_limit_s,
    )
    if fmt == "json":
        sys.stdout.write(res.to_json() + "\n")
        return
    console.print(
        f"objective {res.objective:,.1f} of {res.total_weight:,.1f} "
        f"({res.coverage_share:.1%}); {res.solver}, optimal={res.optimal}, "
        f"solved in {res.solve_time_s:.3f} s; {res.n_excluded_standoff} candidates excluded "
        "by stand-off",
        highlight=False,
    )
    if res.sites is not None:
        emit_frame(pd.DataFrame(res.sites.drop(columns="geometry")), "table", title="Chosen sites")


@app.command()
@handle_errors
def presets() -> None:
    """List the bundled air packages."""
    from garant.air.presets import list_presets, load_package

    for name in list_presets():
        pkg = load_package(name, check=False)
        console.print(f"[bold]{name}[/]: {pkg.description}", highlight=False)


@app.command()
@handle_errors
def assess(
    packages: Annotated[
        list[str],
        typer.Argument(help="Presets (e.g. sky-shield, sky-shield+us-backstop) or TOML files."),
    ],
    out: Annotated[Path, typer.Option("--out", "-o", help="Report folder.")] = Path("air-report"),
    store: StoreOpt = None,
    runs: Annotated[int, typer.Option("--runs", help="Monte Carlo campaigns.")] = 200,
    nights: Annotated[int | None, typer.Option("--nights", help="Nights per campaign.")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")] = "table",
) -> None:
    """Coverage, a Monte Carlo campaign and costs for air packages; writes charts and maps."""
    from garant.air.assess import assess_air_many

    if runs < 1:
        raise ConfigError(f"--runs: {runs} (expected at least 1)")
    if nights is not None and nights < 1:
        raise ConfigError(f"--nights: {nights} (expected at least 1)")
    kwargs: dict[str, object] = {"n_runs": runs, "nights": nights, "rng": seed}
    with err_console.status(f"assessing {', '.join(packages)}"):
        if store is not None:
            with open_cli_store(store, read_only=True) as st:
                df = assess_air_many(packages, out_dir=out, store=st, **kwargs)
        else:
            df = assess_air_many(packages, out_dir=out, **kwargs)
    if fmt == "table":
        table = df.set_index(df.columns[0]).T
        shown = table.map(_human)
        shown.insert(0, "measure", table.index)
        emit_frame(shown.reset_index(drop=True), fmt, title="Air packages (means; p5/p95)")
    else:
        emit_frame(df, fmt)
    err_console.print(f"wrote {out / 'air.html'}", highlight=False)


def _human(value: object) -> str:
    """Numbers for a comparison table: shares and ratios with 3 decimals, money grouped."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, int | float):
        v = float(value)
        if v in (float("inf"), float("-inf")):
            return "never" if v > 0 else "-inf"
        return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3f}".rstrip("0").rstrip(".")
    return str(value)
