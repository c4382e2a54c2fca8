"""``garant``: the command line entry point."""

from __future__ import annotations

from collections import Counter
from typing import Annotated

import typer

from garant.cli import air as air_cli
from garant.cli import assess as assess_cli
from garant.cli import ceasefire as ceasefire_cli
from garant.cli import frontline as frontline_cli
from garant.cli import land as land_cli
from garant.cli import sea as sea_cli
from garant.cli import serve as serve_cli
from garant.cli import sweep as sweep_cli
from garant.cli import watch as watch_cli
from garant.cli._common import (
    StoreOpt,
    console,
    err_console,
    handle_errors,
    open_cli_store,
    progress_bars,
    setup_logging,
)

app = typer.Typer(
    name="garant",
    help="Plan, test and monitor security guarantees for a ceasefire in Ukraine.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(frontline_cli.app, name="frontline")
app.add_typer(ceasefire_cli.app, name="ceasefire")
app.add_typer(air_cli.app, name="air")
app.add_typer(sea_cli.app, name="sea")
app.add_typer(land_cli.app, name="land")
app.command(name="assess")(assess_cli.assess)
app.command(name="compare")(assess_cli.compare)
app.command(name="serve")(serve_cli.serve)
app.command(name="sweep")(sweep_cli.sweep)
app.command(name="watch")(watch_cli.watch)


@app.callback()
def _main(
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log details.")] = False,
) -> None:
    setup_logging(verbose)


@app.command()
@handle_errors
def ingest(
    source: Annotated[
        str,
        typer.Argument(
            help="'demo' (bundled history), 'api' (live DeepStateMap), a folder or a file."
        ),
    ],
    store: StoreOpt = None,
    no_update: Annotated[
        bool, typer.Option("--no-update", help="Store snapshots without measuring them.")
    ] = False,
) -> None:
    """Ingest DeepStateMap snapshots and update the frontline measures."""
    from garant.ingest import ingest as run_ingest

    with (
        open_cli_store(store) as st,
        progress_bars(f"reading {source}", "measuring") as (advance, advance_m),
    ):
        result = run_ingest(
            source, store=st, progress=advance, measure_progress=advance_m, update=not no_update
        )
    for text, n in _collapse_notes(result.notes)[:20]:
        err_console.print(f"note: {text}" + (f" ({n} snapshots)" if n > 1 else ""), highlight=False)
    console.print(result.summary(), highlight=False)


@app.command()
@handle_errors
def info(store: StoreOpt = None) -> None:
    """Show what the store holds."""
    with open_cli_store(store, read_only=True) as st:
        snaps = st.snapshots()
        console.print(f"store: {st.path} (schema v{st.schema_version})", highlight=False)
        if snaps.empty:
            console.print("no snapshots yet: run `garant ingest demo`")
            return
        by = snaps.groupby("source").agg(
            snapshots=("snapshot_id", "count"), first=("date", "min"), last=("date", "max")
        )
        for src, row in by.iterrows():
            console.print(
                f"  {src}: {row['snapshots']} snapshots, {row['first']} .. {row['last']}",
                highlight=False,
            )


def _collapse_notes(notes: tuple[str, ...]) -> list[tuple[str, int]]:
    """Group notes that differ only by the file they name ("file: text")."""
    counts: Counter[str] = Counter()
    first: dict[str, str] = {}
    for note in notes:
        text = note.split(": ", 1)[1] if ": " in note else note
        counts[text] += 1
        first.setdefault(text, note)
    return [(first[t] if n == 1 else t, n) for t, n in counts.most_common()]


def main() -> None:  # pragma: no cover - console script shim
    """Run the CLI."""
    app()
