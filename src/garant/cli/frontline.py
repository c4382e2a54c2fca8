"""``garant frontline ...``: measures, series, changes, exports and the report."""

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
    emit_record,
    err_console,
    handle_errors,
    open_cli_store,
    parse_date,
)

app = typer.Typer(
    help="The line of contact: measures, changes, exports, report.", no_args_is_help=True
)

DateOpt = Annotated[str | None, typer.Option("--date", help="YYYY-MM-DD (default: latest).")]


@app.command()
@handle_errors
def measures(store: StoreOpt = None, date: DateOpt = None, fmt: FormatOpt = "table") -> None:
    """Occupied area, share of Ukraine (of 603,628 km²), grey zone and line length at a date."""
    from garant.frontline import queries

    with open_cli_store(store, read_only=True) as st:
        m = queries.measures_at(st, parse_date(date, name="--date"))
    emit_record(m, fmt, title="Measures (share of Ukraine's official 603,628 km²)")


@app.command()
@handle_errors
def oblasts(store: StoreOpt = None, date: DateOpt = None, fmt: FormatOpt = "table") -> None:
    """Occupied km² and % per oblast at a date."""
    from garant.frontline import queries

    with open_cli_store(store, read_only=True) as st:
        df = queries.oblasts_at(st, parse_date(date, name="--date"))
    emit_frame(df, fmt, title="Occupied territory per oblast")


@app.command()
@handle_errors
def series(
    store: StoreOpt = None,
    since: Annotated[str | None, typer.Option("--since")] = None,
    until: Annotated[str | None, typer.Option("--until")] = None,
    fmt: FormatOpt = "table",
) -> None:
    """Daily series: occupied km², gains, losses, net, 7- and 30-day rates."""
    from garant.frontline import queries

    with open_cli_store(store, read_only=True) as st:
        df = queries.series(
            st, since=parse_date(since, name="--since"), until=parse_date(until, name="--until")
        )
    emit_frame(df, fmt, title="Daily series")


@app.command()
@handle_errors
def monthly(store: StoreOpt = None, fmt: FormatOpt = "table") -> None:
    """Monthly gains, losses and net change, like DeepState's monthly posts."""
    from garant.frontline import queries

    with open_cli_store(store, read_only=True) as st:
        df = queries.monthly(st)
    cols = ["month", "gained_km2", "lost_km2", "net_km2", "occupied_km2_end", "occupied_pct_end"]
    rest = [c for c in df.columns if c not in cols]
    shown = df[cols] if fmt == "table" else df[cols + rest]
    emit_frame(shown, fmt, title="Monthly change (km²; % of Ukraine's official 603,628 km²)")


@app.command()
@handle_errors
def validate(store: StoreOpt = None, fmt: FormatOpt = "table") -> None:
    """Compare garant's monthly figures with DeepState's published ones."""
    from garant.frontline import queries

    with open_cli_store(store, read_only=True) as st:
        df = queries.validation(st)
    if fmt != "table":
        emit_frame(df, fmt)
        return
    main_cols = [c for c in df.columns if c not in ("note", "source")]
    emit_frame(df[main_cols], fmt, title="garant vs DeepState's published figures", floatfmt=",.2f")
    for i, row in enumerate(df.itertuples(index=False), start=1):
        console.print(f"[{i}] {row.month}: {row.note} ({row.source})", highlight=False)


@app.command()
@handle_errors
def changes(
    since: Annotated[str, typer.Option("--since", help="YYYY-MM-DD")],
    until: Annotated[
        str | None, typer.Option("--until", help="YYYY-MM-DD (default: latest)")
    ] = None,
    store: StoreOpt = None,
    min_area_km2: Annotated[float, typer.Option("--min-area", help="Smallest change, km².")] = 0.1,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="table, csv, json or geojson.")
    ] = "table",
) -> None:
    """Gained and lost polygons between two dates, with place and sector."""
    from garant.frontline import queries

    check_format(fmt, ("table", "csv", "json", "geojson"))
    with open_cli_store(store, read_only=True) as st:
        gdf = queries.changes(
            st,
            since=parse_date(since, name="--since"),  # type: ignore[arg-type]
            until=parse_date(until, name="--until"),
            min_area_km2=min_area_km2,
        )
    if fmt == "geojson":
        out = gdf.copy()
        for col in ("from_date", "to_date"):
            if col in out.columns:
                out[col] = out[col].map(lambda d: d.isoformat())
        sys.stdout.write(out.to_json(drop_id=True, to_wgs84=True) + "\n")
        return
    if fmt == "table" and not gdf.empty:
        gained = gdf.loc[gdf["kind"] == "gained", "area_km2"].sum()
        lost = gdf.loc[gdf["kind"] == "lost", "area_km2"].sum()
        console.print(
            f"Russian gains {gained:,.1f} km², losses {lost:,.1f} km², "
            f"net {gained - lost:+,.1f} km²",
            highlight=False,
        )
    cols = [c for c in gdf.columns if c != "geometry"]
    title = "Changes"
    if fmt == "table":
        cols = [
            c
            for c in ("kind", "area_km2", "settlement", "settlement_distance_km", "sector")
            if c in gdf.columns
        ]
        if not gdf.empty:
            title = f"Changes {gdf['from_date'].iloc[0]} → {gdf['to_date'].iloc[0]}"
    emit_frame(pd.DataFrame(gdf[cols]), fmt, title=title, floatfmt=",.2f")
    if fmt == "table" and not gdf.empty:
        emit_frame(queries.changes_by_sector(gdf), fmt, title="By sector of the front")


@app.command()
@handle_errors
def export(
    layer: Annotated[str, typer.Argument(help="occupied, grey_zone, line, sectors, changes, ...")],
    out: Annotated[Path, typer.Option("--out", "-o", help=".geojson, .parquet, .gpkg or .kml")],
    store: StoreOpt = None,
    date: DateOpt = None,
) -> None:
    """Write one layer at a date to GeoJSON, GeoParquet, GeoPackage or KML."""
    from garant.frontline import queries
    from garant.report.export import export_layer

    with open_cli_store(store, read_only=True) as st:
        gdf = queries.layer(st, layer, date=parse_date(date, name="--date"))
    path = export_layer(gdf, out, layer=layer)
    console.print(f"wrote {len(gdf)} features to {path}", highlight=False)


@app.command()
@handle_errors
def report(
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("report"),
    store: StoreOpt = None,
    lang: Annotated[str, typer.Option("--lang", help="Report language.")] = "en",
) -> None:
    """Write the HTML frontline report with charts, map and validation."""
    from garant.frontline.queries import report_inputs
    from garant.report.frontline import write_frontline_report

    with (
        err_console.status("gathering measures, changes and validation"),
        open_cli_store(store, read_only=True) as st,
    ):
        inputs = report_inputs(st)
    with err_console.status(f"drawing charts and the map, writing {out}"):
        path = write_frontline_report(out, lang=lang, **inputs)
    console.print(f"wrote {path}", highlight=False)


def _dump(obj: object) -> None:
    sys.stdout.write(json.dumps(obj, indent=2, ensure_ascii=False, default=str) + "\n")
