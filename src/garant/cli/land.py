"""``garant land ...``: size a land force, its basing and reach, presets and assessment."""

from __future__ import annotations

import json
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from garant.cli._common import (
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
from garant.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Iterator

    from garant.land.geometry import Front

app = typer.Typer(
    help="Land forces: sizing, pledges, basing, reaction time, exposure.", no_args_is_help=True
)

_FORMATS = ("table", "json")
DateOpt = Annotated[
    str | None, typer.Option("--date", help="Line of contact of this date (default latest).")
]
CeasefireOpt = Annotated[
    str | None, typer.Option("--ceasefire", help="A frozen ceasefire line in the store.")
]
FormatOpt = Annotated[str, typer.Option("--format", "-f", help="table or json.")]


@contextmanager
def _front(store: str | None, date: str | None, ceasefire: str | None) -> Iterator[Front]:
    from garant.land.geometry import front_at

    day = parse_date(date, name="--date")
    if store is None:
        if ceasefire is not None:
            raise ConfigError("--ceasefire: needs --store (ceasefire lines live in a store)")
        yield front_at(None, day)
        return
    with open_cli_store(store, read_only=True) as st:
        yield front_at(st, day, ceasefire)


def _hours(text: str) -> tuple[float, ...]:
    try:
        hours = tuple(float(h) for h in text.split(",") if h.strip())
    except ValueError:
        raise ConfigError(f"--hours: {text!r} is not a comma-separated list of hours") from None
    if not hours or any(not h > 0 for h in hours):
        raise ConfigError(f"--hours: {text!r} (expected positive hours, e.g. 1,3,6)")
    return hours


def _json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, indent=2, default=str, allow_nan=False) + "\n")


def _clean(value: Any) -> Any:
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


@app.command()
@handle_errors
def size(
    mission: Annotated[
        str | None,
        typer.Option(
            "--mission", "-m", help="observation, tripwire, reassurance or forward_defence."
        ),
    ] = None,
    missions: Annotated[
        Path | None, typer.Option("--missions", help="TOML overrides of the mission catalogue.")
    ] = None,
    date: DateOpt = None,
    ceasefire: CeasefireOpt = None,
    store: StoreOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """Troops each mission type needs along the line (all types unless --mission)."""
    from garant.land.sizing import load_missions, size_force

    check_format(fmt, _FORMATS)
    cat = load_missions(overrides=missions)
    ids = [mission] if mission else list(cat.missions)
    with _front(store, date, ceasefire) as front:
        reqs = [size_force(m, front, missions=cat) for m in ids]
    if fmt == "json":
        _json(_clean({"front": _front_json(front), "requirements": [r.to_dict() for r in reqs]}))
        return
    console.print(
        f"Line of contact: {front.source}, {front.length_km:,.0f} km, {front.n_sectors} sectors",
        highlight=False,
    )
    import pandas as pd

    rows = [
        {
            "mission": r.mission,
            "deployed": r.deployed_troops,
            "deployed_low": r.deployed_low,
            "deployed_high": r.deployed_high,
            "with_rotation": r.total_troops_with_rotation,
            "rotation_low": r.total_low,
            "rotation_high": r.total_high,
        }
        for r in reqs
    ]
    emit_frame(pd.DataFrame(rows), fmt, title="Troops required", floatfmt=",.0f")
    if len(reqs) == 1:
        emit_frame(reqs[0].table, fmt, title=f"{reqs[0].label}: by sector", floatfmt=",.0f")


def _front_json(front: Front) -> dict[str, Any]:
    return {
        "date": front.date,
        "source": front.source,
        "length_km": front.length_km,
        "sectors": front.sectors.drop(columns="geometry").to_dict(orient="records"),
    }


@app.command()
@handle_errors
def basing(
    preset: Annotated[
        str | None, typer.Option("--preset", "-p", help="Use this land preset's bases.")
    ] = None,
    hours: Annotated[str, typer.Option("--hours", help="Reaction times, h.")] = "1,3,6,12",
    date: DateOpt = None,
    ceasefire: CeasefireOpt = None,
    store: StoreOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """Distance, reaction time and exposure of each base (all catalogue bases unless --preset)."""
    from garant.land.assess import force_bases
    from garant.land.bases import check_bases, load_bases
    from garant.land.exposure import base_exposure
    from garant.land.presets import load_force
    from garant.land.reach import reach_table

    check_format(fmt, _FORMATS)
    hs = _hours(hours)
    force = load_force(preset) if preset else None
    with (
        err_console.status("measuring reach and exposure"),
        _front(store, date, ceasefire) as front,
    ):
        if force is not None:
            bases = force_bases(force, front)
            move = force.movement
            reach = reach_table(
                bases, front, road_factor=move.road_factor, speed_kmh=move.march_speed_kmh, hours=hs
            )
        else:
            bases = load_bases()
            check_bases(bases, front)
            reach = reach_table(bases, front, hours=hs)
        exposure = base_exposure(bases, front)
    if fmt == "json":
        _json(
            _clean(
                {
                    "front": _front_json(front),
                    "reach": reach.to_dict(orient="records"),
                    "reach_parameters": reach.attrs,
                    "exposure": exposure.to_dict(orient="records"),
                }
            )
        )
        return
    shares = [c for c in reach.columns if str(c).startswith("share_")]
    cols = ["name", "line_km", "standoff_km", "time_to_line_h", "mean_time_h", *shares]
    emit_frame(reach[cols], fmt, title="Reach of the line", floatfmt=",.2f")
    ecols = ["name", "hostile_km", "n_systems_in_range", "min_warning_min", "exposure_score"]
    emit_frame(exposure[ecols], fmt, title="Exposure of the bases", floatfmt=",.1f")


@app.command()
@handle_errors
def presets() -> None:
    """List the bundled land presets."""
    from garant.land.presets import list_land_presets, load_force

    for name in list_land_presets():
        force = load_force(name)
        console.print(f"[bold]{name}[/] ({force.mission}): {force.description}", highlight=False)


@app.command()
@handle_errors
def assess(
    force: Annotated[
        str, typer.Argument(help="A land preset (garant land presets) or a TOML file.")
    ],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write the report here.")] = None,
    date: DateOpt = None,
    ceasefire: CeasefireOpt = None,
    store: StoreOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """Requirement, pledges and gap, reach and exposure of a land force; optional report."""
    from garant.land.assess import assess_land

    check_format(fmt, _FORMATS)
    with err_console.status(f"assessing {force}"), _front(store, date, ceasefire) as front:
        result = assess_land(force, front=front)
    if out is not None:
        from garant.report.land import write_land_report

        page = write_land_report(result, out)
        err_console.print(f"wrote {page}", highlight=False)
    head = result.headline()
    if fmt == "json":
        _json(
            _clean(
                {
                    "headline": head,
                    "gap": result.gap.to_dict(orient="records"),
                    "requirement": result.requirement.to_dict(),
                }
            )
        )
        return
    emit_record(head, fmt, title=f"Land force {result.force.name}")
    emit_frame(result.gap, fmt, title="Requirement and pledges by capability", floatfmt=",.0f")
