"""``garant sea ...``: routes and their exposure in the Black Sea."""

from __future__ import annotations

import json
import sys
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

app = typer.Typer(help="The Black Sea mission: routes, exposure, rules.", no_args_is_help=True)


@app.command()
@handle_errors
def route(
    origin: Annotated[str, typer.Option("--from", help="Port id or name, e.g. odesa.")],
    destination: Annotated[str, typer.Option("--to", help="Port id or name, e.g. bosphorus.")],
    exposure_weight: Annotated[
        float,
        typer.Option("--exposure-weight", help="km of detour per grid step within reach."),
    ] = 0.0,
    systems: Annotated[
        str, typer.Option("--systems", help="Threat systems counted in the cost (comma-separated).")
    ] = "bastion_p,bal",
    speed_kn: Annotated[float, typer.Option("--speed-kn", help="Convoy speed, knots.")] = 12.0,
    store: StoreOpt = None,
    date: Annotated[
        str | None, typer.Option("--date", help="Frontline date (default latest).")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, json or geojson.")] = "table",
) -> None:
    """The route between two ports: length, transit time, NATO waters, exposure per threat."""
    from garant.sea.corridor import plan_route

    check_format(fmt, ("table", "json", "geojson"))
    with err_console.status("building the sea grid and routing"):
        if store is not None:
            from garant.air.placement import occupied_from_store

            with open_cli_store(store, read_only=True) as st:
                occupied = occupied_from_store(st, parse_date(date, name="--date"))
        else:
            from garant.air.presets import demo_occupied

            occupied = demo_occupied()
        res = plan_route(
            origin,
            destination,
            occupied=occupied,
            exposure_weight=exposure_weight,
            systems=[s.strip() for s in systems.split(",") if s.strip()],
            speed_kn=speed_kn,
        )
    if fmt == "geojson":
        feature = res.route.as_feature()
        sys.stdout.write(json.dumps({"type": "FeatureCollection", "features": [feature]}) + "\n")
        return
    if fmt == "json":
        sys.stdout.write(json.dumps(res.to_json(), indent=2, default=str) + "\n")
        return
    r = res.route
    console.print(
        f"{r.origin} → {r.destination}: {r.length_km:,.0f} km, {r.transit_h:.1f} h at "
        f"{r.speed_kn:g} kn, {r.nato_territorial_share:.0%} in NATO territorial waters",
        highlight=False,
    )
    emit_frame(pd.DataFrame(res.exposure), "table", title="Exposure per threat system")


@app.command()
@handle_errors
def plan(
    mission: Annotated[str, typer.Argument(help="Preset (turkiye-littoral, ...) or a TOML file.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Report folder.")] = Path("sea-report"),
    store: StoreOpt = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, csv or json.")] = "table",
) -> None:
    """Plan a Black Sea mission: route, exposure, Montreux, MCM, escorts, throughput."""
    from garant.report.sea import write_sea_report
    from garant.sea.plan import plan_mission

    with err_console.status(f"planning {mission}"):
        if store is not None:
            with open_cli_store(store, read_only=True) as st:
                result = plan_mission(mission, store=st)
        else:
            result = plan_mission(mission)
        path = write_sea_report(result, out)
    emit_frame(pd.DataFrame(result.summary()), fmt, title=f"Sea mission {mission}")
    err_console.print(f"wrote {path}", highlight=False)


@app.command()
@handle_errors
def montreux(
    mission: Annotated[
        str, typer.Argument(help="Preset (international-escort, ...) or a TOML file.")
    ],
    days: Annotated[
        float | None,
        typer.Option("--days", help="Days in the Black Sea (default: the mission's days_in_sea)."),
    ] = None,
    turkey_closed: Annotated[
        bool | None,
        typer.Option(
            "--turkey-closed/--turkey-open",
            help="Türkiye keeps the Straits closed to warships (Art. 19); default: the mission's.",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table or json.")] = "table",
) -> None:
    """Check a mission's warships against the Montreux Convention (no routing)."""
    from garant.sea.montreux import check_mission
    from garant.sea.plan import load_mission

    check_format(fmt, ("table", "json"))
    m = load_mission(mission)
    n_days = m.days_in_sea if days is None else days
    closed = m.turkey_closed if turkey_closed is None else turkey_closed
    findings = (
        check_mission([s.to_ship() for s in m.ships], days_in_sea=n_days, turkey_closed=closed)
        if m.ships
        else []
    )
    frame = pd.DataFrame(
        [[f.status, f.rule, f.article, f.message] for f in findings],
        columns=["status", "rule", "article", "message"],
    )
    if fmt == "json":
        out = {
            "mission": m.name,
            "ships": len(m.ships),
            "non_littoral_ships": sum(not s.to_ship().littoral for s in m.ships),
            "days_in_sea": n_days,
            "turkey_closed": closed,
            "violations": int((frame["status"] == "violation").sum()),
            "constraints": int((frame["status"] == "constraint").sum()),
            "findings": frame.to_dict("records"),
        }
        sys.stdout.write(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
        return
    if not m.ships:
        console.print(
            f"{m.name}: no warships, so the Convention's limits do not apply.", highlight=False
        )
        return
    emit_frame(
        frame,
        "table",
        title=f"Montreux: {m.name} ({len(m.ships)} ships, {n_days:g} days, "
        f"Straits {'closed' if closed else 'open'})",
    )
