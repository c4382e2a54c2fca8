"""The sea report: a map, a throughput chart, the Montreux findings and tables of a mission.

:func:`write_sea_report` takes a :class:`garant.sea.plan.MissionPlan` and writes,
atomically (everything is rendered into a staging folder and moved into place when
all succeeded, the HTML last):

* ``sea_map.png``: the Black Sea with the littoral states, occupied territory
  (hatched), NATO members' territorial seas, the reach of the coastal anti-ship
  missiles (Bastion-P, Bal) clipped to the water, the mine danger areas, the
  fighter patrol (CAP) stations with their engagement circles, the route and the
  ports;
* ``sea_throughput.png``: the modelled tonnes a month against the recorded history
  (Black Sea Grain Initiative, Ukrainian corridor);
* ``sea_summary.csv``, ``sea_findings.csv``, ``sea_exposure.csv``, ``sea_history.csv``,
  and with air cover ``sea_air_cover.csv`` (the stations) and ``sea_air_reach.csv``
  (the route's length within reach of each air threat); with mine areas
  ``sea_mine_areas.geojson`` (the layer used);
* ``sea.html``: a self-contained page (images embedded, Jinja2 with autoescape).
"""

from __future__ import annotations

import base64
import logging
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from garant._io import staged_files
from garant.report.charts import (
    MUTED,
    NEIGHBOUR_FILL,
    OCCUPIED_EDGE,
    SEA,
    TEXT,
    _fill,
    _lines,
    _new_figure,
    _rc_context,
    _save,
)
from garant.report.export import export_table

if TYPE_CHECKING:
    from garant.sea.plan import MissionPlan

__all__ = ["SEA_HTML", "sea_map", "throughput_chart", "write_sea_report"]

log = logging.getLogger(__name__)

#: Name of the HTML page.
SEA_HTML = "sea.html"
#: Threat systems drawn as rings on the map.
MAP_SYSTEMS: tuple[str, ...] = ("bastion_p", "bal")
_RING_COLORS = {"bastion_p": "#c62828", "bal": "#ef6c00"}
_ROUTE = "#1f5fa8"
_NATO = "#7fb3e6"
_MINES = "#6a1b9a"
_CAP = "#00897b"
_EXTENT = (27.2, 42.0, 40.7, 47.6)  # lon_min, lon_max, lat_min, lat_max


def _data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def sea_map(plan: MissionPlan, path: Path) -> Path:
    """Map of the mission: water, states, occupied land, threat rings, NATO waters, route.

    Parameters
    ----------
    plan : MissionPlan
        From :func:`garant.sea.plan.plan_mission`.
    path : pathlib.Path
        The PNG (written atomically).

    Returns
    -------
    pathlib.Path
    """
    from garant.sea.corridor import _russia
    from garant.sea.geography import territorial_seas, water
    from garant.sea.routing import ports
    from garant.sea.threats import launch_area, load_sea_threats, reach_polygon
    from garant.sources.geography import countries

    sea = water()
    launch = launch_area(plan.occupied, _russia())
    catalogue = load_sea_threats()
    ts = territorial_seas()
    nato = ts.loc[ts["nato"].astype(bool), "geometry"]
    lon0, lon1, lat0, lat1 = _EXTENT
    with _rc_context():
        fig = _new_figure(10.0, 6.6)
        ax = fig.add_subplot()
        ax.set_facecolor("white")
        _fill(ax, countries().geometry, facecolor=NEIGHBOUR_FILL, edgecolor="#9e9e9e", lw=0.5)
        _fill(ax, [sea], facecolor=SEA, edgecolor="#7a9bb5", lw=0.5)
        _fill(ax, nato, facecolor=_NATO, edgecolor="none", alpha=0.55)
        _fill(
            ax,
            [plan.occupied],
            facecolor="none",
            edgecolor=OCCUPIED_EDGE,
            hatch="////",
            lw=0.6,
        )
        handles: list[Any] = [
            Patch(facecolor=_NATO, alpha=0.55, label="NATO territorial seas (12 nm)"),
            Patch(facecolor="none", edgecolor=OCCUPIED_EDGE, hatch="////", label="Occupied"),
        ]
        for sid in MAP_SYSTEMS:
            ring = reach_polygon(launch, sid, clip=sea)
            color = _RING_COLORS[sid]
            _fill(ax, [ring], facecolor=color, edgecolor="none", alpha=0.12)
            _lines(ax, [ring], colors=color, linewidths=1.0, linestyles="--")
            sys_ = catalogue[sid]
            handles.append(
                Line2D(
                    [],
                    [],
                    color=color,
                    ls="--",
                    label=f"{sys_.name} reach ({sys_.range_km.value:.0f} km)",
                )
            )
        if plan.mine_areas is not None and len(plan.mine_areas):
            _fill(
                ax,
                plan.mine_areas.geometry,
                facecolor=_MINES,
                edgecolor=_MINES,
                alpha=0.45,
                lw=0.6,
                zorder=4,
            )
            handles.append(
                Patch(
                    facecolor=_MINES,
                    alpha=0.45,
                    label=(
                        f"Mine danger areas ({len(plan.mine_areas)}; route {plan.mine_km:.1f} km)"
                    ),
                )
            )
        cover = plan.air_cover
        if cover is not None and cover.stations_needed:
            _lines(ax, list(cover.station_circles()), colors=_CAP, linewidths=0.9, linestyles=":")
            st = cover.stations
            ax.plot(st["lon"], st["lat"], "^", color=_CAP, ms=6, zorder=6)
            handles.append(
                Line2D(
                    [],
                    [],
                    color=_CAP,
                    marker="^",
                    ls=":",
                    label=(
                        f"CAP stations: {cover.stations_needed} × {cover.radius_km:.0f} km, "
                        f"{cover.aircraft_needed} aircraft"
                    ),
                )
            )
        line = plan.assessment.route.line
        for part in getattr(line, "geoms", [line]):
            xy = np.asarray(part.coords)
            ax.plot(xy[:, 0], xy[:, 1], color=_ROUTE, lw=2.2, zorder=5)
        handles.append(
            Line2D(
                [],
                [],
                color=_ROUTE,
                lw=2.2,
                label=f"Route {plan.assessment.route.length_km:,.0f} km",
            )
        )
        for p in ports().values():
            if not (lon0 <= p.lon <= lon1 and lat0 <= p.lat <= lat1):
                continue
            ax.plot(p.lon, p.lat, "o", color=TEXT, ms=3.5, zorder=6)
            ax.annotate(
                p.name,
                (p.lon, p.lat),
                xytext=(4, 3),
                textcoords="offset points",
                fontsize=7,
                color=TEXT,
                zorder=7,
            )
        ax.set_xlim(lon0, lon1)
        ax.set_ylim(lat0, lat1)
        ax.set_aspect(1.0 / math.cos(math.radians((lat0 + lat1) / 2)))
        ax.set_xlabel("Longitude (°E)")
        ax.set_ylabel("Latitude (°N)")
        ax.set_title(f"{plan.name}: route, threat rings, mines, air cover and NATO waters")
        ax.legend(handles=handles, loc="lower right", fontsize=7, frameon=True)
        ax.text(
            0.01,
            0.01,
            f"Occupied territory: {plan.occupied_source}; Natural Earth"
            + (
                "; mine areas: UKHO NtM 2503(P)/23, NAVAREA III"
                if plan.mine_areas is not None
                else ""
            ),
            transform=ax.transAxes,
            fontsize=6,
            color=MUTED,
        )
        return _save(fig, path)


def throughput_chart(plan: MissionPlan, path: Path) -> Path:
    """Modelled tonnes a month against each recorded period; PNG, atomic.

    Parameters
    ----------
    plan : MissionPlan
        From :func:`garant.sea.plan.plan_mission`.
    path : pathlib.Path
        The PNG.

    Returns
    -------
    pathlib.Path
    """
    h = plan.history.dropna(subset=["recorded_t_per_month"])
    model_mt = plan.throughput.tonnes_per_month / 1e6
    with _rc_context():
        fig = _new_figure(9.0, 0.9 + 0.32 * max(len(h), 1))
        ax = fig.add_subplot()
        y = np.arange(len(h))
        colors = ["#8e6bbf" if op == "bsgi" else "#2e7d32" for op in h["operation"]]
        ax.barh(y, h["recorded_t_per_month"].to_numpy(dtype=float) / 1e6, color=colors)
        ax.set_yticks(y, list(h["name"]), fontsize=7)
        ax.invert_yaxis()
        ax.axvline(model_mt, color=_ROUTE, lw=2, ls="--")
        ax.legend(
            handles=[
                Patch(facecolor="#8e6bbf", label="Recorded: Black Sea Grain Initiative"),
                Patch(facecolor="#2e7d32", label="Recorded: Ukrainian corridor"),
                Line2D([], [], color=_ROUTE, lw=2, ls="--", label="Model"),
            ],
            loc="lower right",
            fontsize=7,
            frameon=True,
        )
        ax.set_xlabel("Million tonnes a month")
        ax.set_title(f"{plan.name}: model {model_mt:.1f} Mt/month (dashed) vs recorded")
        ax.grid(axis="x", color="#e0e0e0", lw=0.6)
        ax.set_axisbelow(True)
        return _save(fig, path)


def _environment() -> jinja2.Environment:
    folder = Path(__file__).parent / "templates"
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)),
        autoescape=jinja2.select_autoescape(["html", "j2"], default=True),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def _fmt(v: Any) -> str:
    if isinstance(v, bool) or not isinstance(v, int | float | np.integer | np.floating):
        return str(v)
    x = float(v)
    if math.isnan(x):
        return "–"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:.2f}"


def write_sea_report(plan: MissionPlan, out_dir: str | Path) -> Path:
    """Write the sea report of a mission.

    Parameters
    ----------
    plan : MissionPlan
        From :func:`garant.sea.plan.plan_mission`.
    out_dir : str or pathlib.Path
        The folder (created if missing); other files in it are left alone.

    Returns
    -------
    pathlib.Path
        The HTML page (``sea.html``).
    """
    out = Path(out_dir)
    with staged_files(out, last=(SEA_HTML,)) as stage:
        map_png = sea_map(plan, stage / "sea_map.png")
        chart_png = throughput_chart(plan, stage / "sea_throughput.png")
        summary = plan.summary()
        export_table(summary, stage / "sea_summary.csv")
        export_table(plan.findings_frame(), stage / "sea_findings.csv")
        export_table(plan.assessment.exposure, stage / "sea_exposure.csv")
        export_table(plan.history, stage / "sea_history.csv")
        cover = plan.air_cover
        if cover is not None:
            export_table(cover.stations, stage / "sea_air_cover.csv")
            export_table(cover.reach, stage / "sea_air_reach.csv")
        mines: list[dict[str, Any]] = []
        if plan.mine_areas is not None:
            (stage / "sea_mine_areas.geojson").write_text(
                plan.mine_areas.to_json(drop_id=True), encoding="utf-8"
            )
            mines = [
                {"id": r.id, "name": r.name, "kind": r.kind, "avoid": r.avoid, "source": r.source}
                for r in plan.mine_areas.itertuples()
            ]
        m = plan.mission
        context = {
            "title": f"Black Sea mission: {m.name}",
            "mission": m,
            "summary": [
                {"metric": r.metric, "value": _fmt(r.value), "unit": r.unit}
                for r in summary.itertuples()
            ],
            "findings": [f.__dict__ for f in plan.findings],
            "ships": [s.model_dump() for s in m.ships],
            "exposure": [
                {k: _fmt(v) for k, v in row.items()}
                for row in plan.assessment.exposure.to_dict("records")
            ],
            "history": [
                {
                    "name": r["name"],
                    "recorded": _fmt(r["recorded_t_per_month"]),
                    "model": _fmt(r["model_t_per_month"]),
                    "ratio": _fmt(r["ratio_t"]),
                    "source": r["source"],
                }
                for r in plan.history.to_dict("records")
            ],
            "air_cover": None
            if cover is None
            else {
                "defence": cover.defence_name,
                "systems": ", ".join(cover.systems),
                "radius_km": _fmt(cover.radius_km),
                "threatened_km": _fmt(cover.threatened_km),
                "threatened_share": f"{cover.threatened_share:.0%}",
                "covered_share": f"{cover.covered_share:.0%}",
                "stations_needed": cover.stations_needed,
                "unreachable": cover.unreachable_stations,
                "aircraft_needed": cover.aircraft_needed,
                "cost": " – ".join(f"{c / 1e9:.2f}" for c in cover.cost_usd[1:]),
                "cost_value": f"{cover.cost_usd[0] / 1e9:.2f}",
                "stations": [
                    {k: _fmt(v) for k, v in row.items()}
                    for row in cover.stations.to_dict("records")
                ],
                "reach": [
                    {k: _fmt(v) for k, v in row.items()} for row in cover.reach.to_dict("records")
                ],
            },
            "mines": mines,
            "mine_km": _fmt(plan.mine_km),
            "mcm": {
                "mined_km": _fmt(plan.mcm.mined_length_km),
                "to_clear": plan.mcm.vessels_to_clear,
                "to_keep": plan.mcm.vessels_to_keep_open,
                "vessel_days": _fmt(plan.mcm.vessel_days),
            },
            "map": _data_uri(map_png),
            "chart": _data_uri(chart_png),
            "files": sorted(p.name for p in stage.iterdir()),
        }
        html = _environment().get_template("sea.html.j2").render(**context)
        (stage / SEA_HTML).write_text(html, encoding="utf-8")
    log.info("wrote sea report %s", out / SEA_HTML)
    return out / SEA_HTML
