"""``garant watch``: poll DeepStateMap, ingest new map versions, deliver ceasefire alerts."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from garant.cli._common import StoreOpt, console, err_console, handle_errors, open_cli_store
from garant.errors import ConfigError


def _default_ceasefire(store: str | None) -> str | None:
    """The most recently frozen ceasefire line of the store, if any."""
    with open_cli_store(store) as st:
        lines = st.ceasefire_lines()
    if lines.empty:
        return None
    return str(lines.sort_values("created_at").iloc[-1]["name"])


@handle_errors
def watch(
    every: Annotated[
        str, typer.Option("--every", help="Time between polls: 30s, 15m, 1h30m, 1d.")
    ] = "15m",
    store: StoreOpt = None,
    webhook: Annotated[
        str | None, typer.Option("--webhook", help="POST each new alert as JSON to this URL.")
    ] = None,
    alerts_file: Annotated[
        Path | None, typer.Option("--alerts-file", help="Append each new alert as a JSON line.")
    ] = None,
    ceasefire: Annotated[
        str | None,
        typer.Option("--ceasefire", help="Ceasefire line to check (default: latest frozen)."),
    ] = None,
    once: Annotated[bool, typer.Option("--once", help="Poll once and exit.")] = False,
    min_area_km2: Annotated[float, typer.Option("--min-area", help="Tolerance, km².")] = 1.0,
    min_depth_km: Annotated[float, typer.Option("--min-depth", help="Tolerance, km.")] = 0.5,
    api: Annotated[
        str | None, typer.Option("--api", help="API root (default: the live DeepStateMap API).")
    ] = None,
) -> None:
    """Poll the DeepStateMap API, ingest new map versions and deliver new ceasefire alerts.

    Survives network failures (logs, backs off, goes on) and restarts: the store
    remembers which versions were ingested and which alerts were delivered.
    """
    from garant.sources.api import DEFAULT_BASE_URL, DeepStateClient
    from garant.watch import FileSink, PollResult, Sink, WebhookSink, parse_duration, run_watch

    every_s = parse_duration(every)
    sinks: list[Sink] = []
    if webhook is not None:
        sinks.append(WebhookSink(webhook))
    if alerts_file is not None:
        sinks.append(FileSink(alerts_file))
    name = ceasefire if ceasefire is not None else _default_ceasefire(store)
    if sinks and name is None:
        raise ConfigError(
            "no ceasefire line to check: freeze one (`garant ceasefire freeze DATE`) "
            "or drop --webhook/--alerts-file"
        )
    base = api or DEFAULT_BASE_URL

    def report(result: PollResult) -> None:
        console.print(f"watch: {result.summary()}", highlight=False)
        for error in result.errors:
            err_console.print(f"watch: {error}", highlight=False)

    what = f"ceasefire line {name}" if name else "no ceasefire line"
    err_console.print(f"watching {base} every {every} ({what})", highlight=False)
    try:
        run_watch(
            store,
            every_s=every_s,
            client_factory=lambda: DeepStateClient(base),
            ceasefire=name,
            sinks=sinks,
            once=once,
            min_area_km2=min_area_km2,
            min_depth_km=min_depth_km,
            on_poll=report,
        )
    finally:
        for sink in sinks:
            sink.close()
