"""The land report: requirement against pledges, basing, reach, exposure and history.

:func:`write_land_report` takes a :class:`garant.land.assess.LandAssessment` and
writes, atomically (staged, then moved into place, the HTML last):

* ``land_map.png``: Ukraine, occupied territory, the line by sector, the bases and
  their reach isochrones (:func:`garant.report.land_map.land_map`);
* ``land_gap.png``: required against pledged deployed troops by capability;
* ``land_history.png``: troops the historical missions' densities imply for the line;
* ``land_summary.csv``, ``land_gap.csv``, ``land_pledges.csv``, ``land_sectors.csv``
  (the requirement per sector or city), ``land_reach.csv``, ``land_exposure.csv``,
  ``land_history.csv``;
* ``land.html``: a self-contained page (images embedded, Jinja2 with autoescape).
"""

from __future__ import annotations

import base64
import logging
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import numpy as np

from garant._io import staged_files
from garant.report.charts import MUTED, TEXT, _new_figure, _rc_context, _save
from garant.report.export import export_table

if TYPE_CHECKING:
    import pandas as pd

    from garant.land.assess import LandAssessment

__all__ = ["LAND_HTML", "gap_chart", "history_chart", "write_land_report"]

log = logging.getLogger(__name__)

#: Name of the HTML page.
LAND_HTML = "land.html"
_REQUIRED = "#1f5fa8"
_PLEDGED = "#2e7d32"


def _data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _fmt(v: Any) -> str:
    if isinstance(v, bool) or not isinstance(v, int | float | np.integer | np.floating):
        return str(v)
    x = float(v)
    if math.isnan(x):
        return "–"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:.2f}"


def gap_chart(gap: pd.DataFrame, path: str | Path, *, title: str | None = None) -> Path:
    """Bar chart of required against pledged troops by capability.

    Parameters
    ----------
    gap : pandas.DataFrame
        :func:`garant.land.pledges.pledge_gap` (the ``total`` row is left out).
    path : str or pathlib.Path
        The PNG to write.
    title : str, optional
        Chart title.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    df = gap[gap["capability"] != "total"]
    with _rc_context():
        fig = _new_figure(8.0, 4.2)
        ax = fig.add_subplot()
        y = np.arange(len(df))
        ax.barh(y - 0.2, df["required"], height=0.4, color=_REQUIRED, label="required (deployed)")
        ax.barh(y + 0.2, df["pledged"], height=0.4, color=_PLEDGED, label="pledged")
        ax.set_yticks(y, [str(c).replace("_", " ") for c in df["capability"]])
        ax.invert_yaxis()
        ax.set_xlabel("troops", color=TEXT)
        ax.xaxis.set_major_formatter(_thousands())
        ax.legend(loc="lower right", frameon=False)
        ax.set_title(title or "Requirement and pledges by capability", color=TEXT, loc="left")
        return _save(fig, path)


def history_chart(history: pd.DataFrame, path: str | Path, *, pledged: float | None = None) -> Path:
    """Troops each historical mission's density implies for the line (log scale).

    Parameters
    ----------
    history : pandas.DataFrame
        :func:`garant.land.sizing.historical_comparison`.
    path : str or pathlib.Path
        The PNG to write.
    pledged : float, optional
        Pledged troops, drawn as a vertical line.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    cols = [
        ("implied_by_line", "per km of line", "#1f5fa8"),
        ("implied_by_area", "per km² of area", "#ef6c00"),
        ("implied_by_population", "per 1,000 inhabitants", "#6a1b9a"),
    ]
    with _rc_context():
        fig = _new_figure(8.0, 4.2)
        ax = fig.add_subplot()
        n = len(history)
        y = np.arange(n)
        for k, (col, label, color) in enumerate(cols):
            vals = history[col].to_numpy(dtype=float)
            ax.barh(
                y + (k - 1) * 0.27,
                np.where(np.isfinite(vals), vals, 0.0),
                height=0.27,
                color=color,
                label=label,
            )
        ax.set_xscale("log")
        ax.set_yticks(y, [str(m).upper().replace("_", " ") for m in history["mission"]])
        ax.invert_yaxis()
        if pledged is not None and pledged > 0:
            ax.axvline(pledged, color=MUTED, linestyle="--", linewidth=1.2)
            ax.annotate(f"pledged {pledged:,.0f}", (pledged, n - 0.5), color=MUTED, fontsize=8)
        ax.set_xlabel("troops implied for Ukraine's line (log scale)", color=TEXT)
        ax.legend(loc="lower right", frameon=False, fontsize=8)
        ax.set_title("The same troop density as ...", color=TEXT, loc="left")
        return _save(fig, path)


def _thousands() -> Any:
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda x, _pos: f"{x:,.0f}")


def _environment() -> jinja2.Environment:
    folder = Path(__file__).parent / "templates"
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)),
        autoescape=jinja2.select_autoescape(["html", "j2"], default=True),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def _records(df: pd.DataFrame, cols: list[str] | None = None) -> list[dict[str, str]]:
    view = df if cols is None else df[[c for c in cols if c in df.columns]]
    view = view.drop(columns=[c for c in ("geometry",) if c in view.columns])
    return [{str(k): _fmt(v) for k, v in row.items()} for row in view.to_dict("records")]


def write_land_report(assessment: LandAssessment, out_dir: str | Path) -> Path:
    """Write the land report of an assessment.

    Parameters
    ----------
    assessment : LandAssessment
        From :func:`garant.land.assess.assess_land`.
    out_dir : str or pathlib.Path
        The folder (created if missing); other files in it are left alone.

    Returns
    -------
    pathlib.Path
        The HTML page (``land.html``).
    """
    from garant.report.land_map import land_map

    a = assessment
    out = Path(out_dir)
    with staged_files(out, last=(LAND_HTML,)) as stage:
        map_png = land_map(
            a.front,
            a.bases,
            a.isochrones,
            stage / "land_map.png",
            title=f"Land force: {a.force.name}",
        )
        gap_png = gap_chart(
            a.gap, stage / "land_gap.png", title=f"{a.force.name}: requirement and pledges"
        )
        hist_png = history_chart(
            a.history, stage / "land_history.png", pledged=a.headline()["pledged_troops"]
        )
        summary = a.summary()
        export_table(summary, stage / "land_summary.csv")
        export_table(a.gap, stage / "land_gap.csv")
        export_table(a.pledges.to_frame(), stage / "land_pledges.csv")
        export_table(a.requirement.table, stage / "land_sectors.csv")
        export_table(a.reach, stage / "land_reach.csv")
        export_table(a.exposure, stage / "land_exposure.csv")
        export_table(a.history, stage / "land_history.csv")
        req = a.requirement
        context = {
            "title": f"Land force: {a.force.name}",
            "force": a.force,
            "front": a.front,
            "requirement": {
                "label": req.label,
                "deployed": _fmt(req.deployed_troops),
                "deployed_range": f"{_fmt(req.deployed_low)} – {_fmt(req.deployed_high)}",
                "total": _fmt(req.total_troops_with_rotation),
                "total_range": f"{_fmt(req.total_low)} – {_fmt(req.total_high)}",
                "provenance": req.provenance,
            },
            "summary": [
                {"metric": r.metric, "value": _fmt(r.value), "unit": r.unit}
                for r in summary.itertuples()
            ],
            "gap": _records(a.gap),
            "pledges": _records(
                a.pledges.to_frame(), ["country", "troops", "low", "high", "provenance"]
            ),
            "sectors": _records(req.table),
            "reach": _records(
                a.reach,
                ["name", "line_km", "standoff_km", "road_km", "time_to_line_h", "mean_time_h"]
                + [c for c in a.reach.columns if str(c).startswith("share_")],
            ),
            "reach_notes": list(a.reach.attrs.get("provenance", [])),
            "exposure": _records(
                a.exposure,
                [
                    "name",
                    "hostile_km",
                    "n_systems_in_range",
                    "classes_in_range",
                    "min_warning_min",
                    "min_warning_system",
                    "exposure_score",
                    "exposure_rank",
                ],
            ),
            "history": _records(
                a.history,
                [
                    "name",
                    "troops",
                    "line_km",
                    "troops_per_km",
                    "troops_per_1000km2",
                    "troops_per_1000_inhabitants",
                    "implied_by_line",
                    "implied_by_area",
                    "implied_by_population",
                ],
            ),
            "map": _data_uri(map_png),
            "gap_chart": _data_uri(gap_png),
            "history_chart": _data_uri(hist_png),
            "files": [*sorted(p.name for p in stage.iterdir()), LAND_HTML],
        }
        html = _environment().get_template("land.html.j2").render(**context)
        (stage / LAND_HTML).write_text(html, encoding="utf-8")
    log.info("wrote land report %s", out / LAND_HTML)
    return out / LAND_HTML
