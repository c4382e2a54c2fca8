"""``garant ceasefire ...``: freeze a line, watch it, draw its zones."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from garant.cli._common import (
    FormatOpt,
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

app = typer.Typer(help="Freeze the line of contact and watch it.", no_args_is_help=True)

NameOpt = Annotated[
    str | None, typer.Option("--name", help="Ceasefire line name (default: the latest frozen).")
]


def _resolve_name(st: object, name: str | None) -> str:
    if name is not None:
        return name
    lines = st.ceasefire_lines()  # type: ignore[attr-defined]
    if lines.empty:
        raise ConfigError("no ceasefire line frozen yet: run `garant ceasefire freeze DATE`")
    return str(lines.sort_values("created_at").iloc[-1]["name"])


@app.command()
@handle_errors
def freeze(
    date: Annotated[str, typer.Argument(help="YYYY-MM-DD: the day whose line is frozen.")],
    store: StoreOpt = None,
    name: Annotated[str | None, typer.Option("--name", help="Default: ceasefire-DATE.")] = None,
    note: Annotated[str, typer.Option("--note")] = "",
    replace: Annotated[
        bool, typer.Option("--replace", help="Overwrite a line of that name.")
    ] = False,
) -> None:
    """Freeze the line of contact at a date as a ceasefire line."""
    from garant.frontline.ceasefire import freeze as do_freeze

    d = parse_date(date, name="DATE")
    assert d is not None
    with open_cli_store(store) as st:
        line = do_freeze(st, d, name=name, note=note, replace=replace)
    console.print(
        f"froze {line.name}: line of contact of {line.date}, {line.length_km:,.0f} km",
        highlight=False,
    )


@app.command("list")
@handle_errors
def list_lines(store: StoreOpt = None, fmt: FormatOpt = "table") -> None:
    """List the frozen ceasefire lines."""
    with open_cli_store(store, read_only=True) as st:
        df = st.ceasefire_lines()
    cols = [c for c in df.columns if c not in ("geometry", "occupied_geom")]
    emit_frame(pd.DataFrame(df[cols]), fmt, title="Ceasefire lines")


@app.command()
@handle_errors
def watch(
    store: StoreOpt = None,
    name: NameOpt = None,
    since: Annotated[str | None, typer.Option("--since")] = None,
    until: Annotated[str | None, typer.Option("--until")] = None,
    min_area_km2: Annotated[float, typer.Option("--min-area", help="Tolerance, km².")] = 1.0,
    min_depth_km: Annotated[float, typer.Option("--min-depth", help="Tolerance, km.")] = 0.5,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
    every: Annotated[
        bool, typer.Option("--every-date", help="Text: list each place on every date.")
    ] = False,
) -> None:
    """Report every change beyond tolerance since the line was frozen."""
    from garant.frontline.ceasefire import watch as do_watch

    check_format(fmt, ("text", "json"))
    with (
        err_console.status("checking every snapshot since the freeze"),
        open_cli_store(store, read_only=True) as st,
    ):
        rep = do_watch(
            st,
            _resolve_name(st, name),
            since=parse_date(since, name="--since"),
            until=parse_date(until, name="--until"),
            min_area_km2=min_area_km2,
            min_depth_km=min_depth_km,
        )
    if fmt == "json":
        sys.stdout.write(json.dumps(rep.to_json(), indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(rep.to_text(every=every) + "\n")


@app.command()
@handle_errors
def zones(
    store: StoreOpt = None,
    name: NameOpt = None,
    width_km: Annotated[float, typer.Option("--width", help="DMZ half-width, km.")] = 15.0,
    bands: Annotated[str, typer.Option("--bands", help="Band edges in km.")] = "0,9,40,60",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write zones to a file.")] = None,
    fmt: FormatOpt = "table",
) -> None:
    """Demilitarised strip and danger bands of a ceasefire line, with population."""
    from garant.frontline.ceasefire import zones_for

    try:
        edges = tuple(float(x) for x in bands.split(","))
    except ValueError:
        raise ConfigError(f"--bands: {bands!r} is not a comma-separated list of km") from None
    with open_cli_store(store, read_only=True) as st:
        dmz, danger = zones_for(st, _resolve_name(st, name), width_km=width_km, bands_km=edges)
    emit_frame(pd.DataFrame(dmz.drop(columns="geometry")), fmt, title=f"DMZ ±{width_km:g} km")
    emit_frame(pd.DataFrame(danger.drop(columns="geometry")), fmt, title="Danger bands")
    if out is not None:
        from garant.report.export import export_layer

        both = pd.concat([dmz.assign(zone="dmz"), danger.assign(zone="band")], ignore_index=True)
        import geopandas as gpd

        path = export_layer(
            gpd.GeoDataFrame(both, geometry="geometry", crs=4326), out, layer="zones"
        )
        console.print(f"wrote {path}", highlight=False)
