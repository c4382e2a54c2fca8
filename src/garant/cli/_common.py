"""Shared plumbing of the CLI: the store option, errors, output formats, progress."""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

import pandas as pd
import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from garant.errors import ConfigError, GarantError

P = ParamSpec("P")
R = TypeVar("R")

console = Console()
err_console = Console(stderr=True)

StoreOpt = Annotated[
    str | None,
    typer.Option(
        "--store",
        help="Store file (default: $GARANT_STORE or ~/.local/share/garant/garant.duckdb).",
        show_default=False,
    ),
]
FORMATS = ("table", "csv", "json")
FormatOpt = Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")]


def handle_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn a :class:`GarantError` into a one-line message and its exit code."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except GarantError as exc:
            err_console.print(f"[bold red]garant: error:[/] {exc}", highlight=False, soft_wrap=True)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            err_console.print("garant: interrupted; the store is unchanged by the open transaction")
            raise typer.Exit(130) from None

    return wrapper


def parse_date(value: str | None, *, name: str) -> dt.date | None:
    """Parse an ISO date option, with a one-line error naming the option."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{name}: {value!r} is not a date (expected YYYY-MM-DD)") from None


def check_format(fmt: str, allowed: tuple[str, ...] = FORMATS) -> str:
    """Validate a ``--format`` value."""
    if fmt not in allowed:
        raise ConfigError(
            f"--format: unknown format {fmt!r} (expected one of {', '.join(allowed)})"
        )
    return fmt


@contextmanager
def open_cli_store(store: str | None, *, read_only: bool = False) -> Iterator[Any]:
    """Open the store named by ``--store`` (or the default)."""
    from garant.store import open_store

    st = open_store(store, read_only=read_only)
    try:
        yield st
    finally:
        st.close()


@contextmanager
def progress_bar(description: str, total: int | None = None) -> Iterator[Callable[[int], None]]:
    """A Rich progress bar on stderr; yields an ``advance(n)`` callback."""
    with progress_bars(description, total=total) as (advance,):
        yield advance


@contextmanager
def progress_bars(
    *descriptions: str, total: int | None = None
) -> Iterator[tuple[Callable[[int], None], ...]]:
    """Several Rich progress bars in one display; yields one callback per bar.

    A bar appears when its callback is first called, so steps show up in order.
    """
    columns = [
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    ]
    with Progress(*columns, console=err_console, transient=False) as prog:
        tasks: dict[str, Any] = {}

        def make(desc: str) -> Callable[[int], None]:
            def advance(n: int = 1) -> None:
                if desc not in tasks:
                    tasks[desc] = prog.add_task(desc, total=total)
                prog.advance(tasks[desc], n)

            return advance

        yield tuple(make(d) for d in descriptions)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | pd.Timestamp):
        return value.isoformat()
    if isinstance(value, float) and value != value:  # NaN
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def emit_frame(
    df: pd.DataFrame, fmt: str, *, title: str | None = None, floatfmt: str = ",.1f"
) -> None:
    """Print a DataFrame as a Rich table, CSV or JSON records."""
    fmt = check_format(fmt)
    df = df.drop(columns=[c for c in ("geometry",) if c in df.columns])
    if fmt == "csv":
        sys.stdout.write(df.to_csv(index=False, date_format="%Y-%m-%d"))
        return
    if fmt == "json":
        records = [{k: _jsonable(v) for k, v in row.items()} for row in df.to_dict("records")]
        sys.stdout.write(json.dumps(records, indent=2, ensure_ascii=False) + "\n")
        return
    table = Table(title=title, show_lines=False)
    for col in df.columns:
        numeric = pd.api.types.is_numeric_dtype(df[col])
        table.add_column(str(col), justify="right" if numeric else "left")
    for row in df.itertuples(index=False):
        cells = []
        for v in row:
            if isinstance(v, float):
                cells.append("" if v != v else format(v, floatfmt))
            elif isinstance(v, dt.date | pd.Timestamp):
                cells.append(v.strftime("%Y-%m-%d"))
            else:
                cells.append(str(v))
        table.add_row(*cells)
    console.print(table)


def emit_record(record: dict[str, Any], fmt: str, *, title: str | None = None) -> None:
    """Print one record: a two-column table, or CSV/JSON like :func:`emit_frame`."""
    fmt = check_format(fmt)
    if fmt != "table":
        emit_frame(pd.DataFrame([record]), fmt)
        return
    table = Table(title=title)
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key, value in record.items():
        if isinstance(value, float):
            text = "" if value != value else f"{value:,.2f}"
        elif isinstance(value, dt.date | pd.Timestamp):
            text = value.strftime("%Y-%m-%d")
        else:
            text = str(value)
        table.add_row(str(key), text)
    console.print(table)


def setup_logging(verbose: bool) -> None:
    """Configure logging for the CLI only (the library configures nothing)."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


def out_path(value: str) -> Path:
    """Resolve an output path option."""
    return Path(value).expanduser()
