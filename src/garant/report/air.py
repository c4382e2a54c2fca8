"""The air report: coverage maps, charts, tables and a short HTML page for air packages.

:func:`write_air_report` takes one or several :class:`garant.air.assess.AirAssessment`
(compared side by side) and writes, atomically (everything is rendered into a staging
folder and moved into place when all succeeded, the HTML last):

* ``air_map_<package>.png``: coverage of the zone west of the Dnipro against cruise
  missiles, with the units' envelopes, the protected assets and the occupied territory;
* ``air_neutralisation.png``: share neutralised per threat class and package, with the
  5th-95th percentile range over runs as error bars;
* ``air_stock.png``: interceptor rounds left per night and unit type;
* ``air_costs.png``: defender and attacker cost per night and the cost-exchange ratio;
* ``air_headline.csv``, ``air_summary.csv``, ``air_units.csv``, ``air_assets.csv``,
  ``air_hits.csv``: the tables;
* ``air.html``: a self-contained page (images embedded, Jinja2 with autoescape).
"""

from __future__ import annotations

import base64
import logging
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import numpy as np
import pandas as pd

from garant._io import staged_files
from garant.air.classes import THREAT_CLASS_LABELS
from garant.errors import DataError
from garant.report.charts import MUTED, TEXT, _new_figure, _rc_context, _save
from garant.report.export import export_table

if TYPE_CHECKING:
    from garant.air.assess import AirAssessment

__all__ = ["AIR_HTML", "write_air_report"]

log = logging.getLogger(__name__)

#: Name of the HTML page.
AIR_HTML = "air.html"
_COLORS = ("#6b6b6b", "#8e6bbf", "#1f5fa8", "#2e7d32", "#ef6c00", "#c62828", "#00897b")
_CHART_CLASSES = ("strike_uav", "decoy_uav", "cruise", "ballistic", "aeroballistic")


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9_-]+", "_", name.lower()).strip("_") or "package"


def _pct(v: Any, decimals: int = 1) -> str:
    try:
        x = float(v)
    except (TypeError, ValueError):
        return "–"
    return "–" if math.isnan(x) else f"{100 * x:.{decimals}f} %"


def _num(v: Any, decimals: int = 1) -> str:
    try:
        x = float(v)
    except (TypeError, ValueError):
        return "–"
    if math.isnan(x):
        return "–"
    if math.isinf(x):
        return "not within the campaign"
    return f"{x:,.{decimals}f}"


def _usd(v: Any) -> str:
    try:
        x = float(v)
    except (TypeError, ValueError):
        return "–"
    if math.isnan(x):
        return "–"
    return f"${x / 1e6:,.1f}M"


def _data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


# ----------------------------------------------------------------------------- charts


def neutralisation_chart(assessments: Sequence[AirAssessment], path: Path) -> Path:
    """Share neutralised per class and package, with p5-p95 error bars; PNG, atomic.

    Parameters
    ----------
    assessments : sequence of AirAssessment
        The packages.
    path : pathlib.Path
        The PNG.

    Returns
    -------
    pathlib.Path
    """
    classes = [c for c in _CHART_CLASSES if any(c in a.classes_launched for a in assessments)]
    if not classes:
        raise DataError("neutralisation chart: no threat launched")
    n = len(assessments)
    width = 0.8 / n
    with _rc_context():
        fig = _new_figure(9.0, 4.2)
        ax = fig.add_subplot()
        x = np.arange(len(classes))
        for i, a in enumerate(assessments):
            r = a.rates().set_index("class").reindex(classes)
            mean = r["rate_mean"].to_numpy(dtype=float)
            lo = np.clip(mean - r["rate_p5"].to_numpy(dtype=float), 0, None)
            hi = np.clip(r["rate_p95"].to_numpy(dtype=float) - mean, 0, None)
            pos = x - 0.4 + width * (i + 0.5)
            ax.bar(pos, mean, width * 0.92, color=_COLORS[i % len(_COLORS)], label=a.name)
            ax.errorbar(pos, mean, yerr=[lo, hi], fmt="none", ecolor=TEXT, lw=0.8, capsize=2)
        ax.set_xticks(
            x, [THREAT_CLASS_LABELS.get(c, c).replace(" (", "\n(") for c in classes], fontsize=8
        )
        ax.set_ylim(0, 1.25)
        ax.yaxis.set_major_formatter(lambda v, _p: f"{100 * v:.0f} %")
        ax.set_ylabel("Share neutralised over the campaign")
        ax.set_title("Threats neutralised by class (bars: mean; whiskers: 5th-95th pct of runs)")
        ax.legend(frameon=True, fontsize=8, loc="upper right", ncol=2)
        ax.grid(axis="y", color="#e0e0e0", lw=0.6)
        ax.set_axisbelow(True)
        return _save(fig, path)


def stock_chart(assessments: Sequence[AirAssessment], path: Path) -> Path:
    """Interceptor rounds left per night and unit type (mean, p5-p95 band); PNG, atomic.

    Parameters
    ----------
    assessments : sequence of AirAssessment
        The packages (those without shooting units are noted, not drawn).
    path : pathlib.Path
        The PNG.

    Returns
    -------
    pathlib.Path
    """
    with _rc_context():
        fig = _new_figure(9.0, 4.2)
        ax = fig.add_subplot()
        k = 0
        for a in assessments:
            s = a.stock_by_night()
            for unit_type, g in s.groupby("unit_type", sort=False):
                color = _COLORS[k % len(_COLORS)]
                k += 1
                ax.plot(g["night"], g["mean"], color=color, lw=1.6, label=f"{a.name}: {unit_type}")
                ax.fill_between(g["night"], g["p5"], g["p95"], color=color, alpha=0.15, lw=0)
        if k == 0:
            ax.text(
                0.5,
                0.5,
                "No explicit shooting units: Ukraine's baseline stocks are not modelled",
                ha="center",
                va="center",
                transform=ax.transAxes,
                color=MUTED,
            )
        else:
            ax.legend(frameon=False, fontsize=7, ncol=2)
        ax.set_xlabel("Night")
        ax.set_ylabel("Rounds left (ready + reserve)")
        ax.set_ylim(bottom=0)
        ax.set_title("Interceptor stock at the end of each night (before weekly resupply)")
        ax.grid(axis="y", color="#e0e0e0", lw=0.6)
        return _save(fig, path)


def cost_chart(assessments: Sequence[AirAssessment], path: Path) -> Path:
    """Defender vs attacker cost per night and the cost-exchange ratio; PNG, atomic.

    Parameters
    ----------
    assessments : sequence of AirAssessment
        The packages.
    path : pathlib.Path
        The PNG.

    Returns
    -------
    pathlib.Path
    """
    names = [a.name for a in assessments]
    parts: dict[str, list[float]] = {
        "interceptors_usd": [],
        "baseline_usd": [],
        "operating_usd": [],
        "attacker_usd": [],
    }
    ratio: list[float] = []
    lo: list[float] = []
    hi: list[float] = []
    for a in assessments:
        c = a.costs()
        for col, vals in parts.items():
            vals.append(float(c[col].mean()) / a.nights / 1e6)
        r = c["cost_exchange_with_operations"].to_numpy(dtype=float)
        m = float(np.nanmean(r)) if np.isfinite(r).any() else 0.0
        ratio.append(m)
        lo.append(max(m - float(np.nanpercentile(r, 5)), 0.0) if np.isfinite(r).any() else 0.0)
        hi.append(max(float(np.nanpercentile(r, 95)) - m, 0.0) if np.isfinite(r).any() else 0.0)
    with _rc_context():
        fig = _new_figure(9.0, 4.0)
        ax1, ax2 = fig.subplots(1, 2, width_ratios=[1.6, 1])
        x = np.arange(len(names))
        bottom = np.zeros(len(names))
        for label, col, color in (
            ("Package interceptors", "interceptors_usd", "#1f5fa8"),
            ("Ukraine's baseline (assumed cost per kill)", "baseline_usd", "#8e6bbf"),
            ("Package operations", "operating_usd", "#9e9e9e"),
        ):
            v = np.array(parts[col])
            ax1.bar(x - 0.2, v, 0.38, bottom=bottom, color=color, label=label)
            bottom += v
        ax1.bar(x + 0.2, parts["attacker_usd"], 0.38, color="#c62828", label="Attacker (threats)")
        ax1.set_xticks(x, names, fontsize=8, rotation=10)
        ax1.set_ylabel("USD million per night (mean)")
        ax1.set_title("Defender vs attacker cost per night")
        ax1.legend(frameon=True, fontsize=7, loc="upper left")
        ax1.set_ylim(0, max([*parts["attacker_usd"], *bottom.tolist(), 1.0]) * 1.45)
        ax2.bar(x, ratio, 0.6, color="#444444")
        ax2.errorbar(x, ratio, yerr=[lo, hi], fmt="none", ecolor=TEXT, lw=0.8, capsize=3)
        ax2.axhline(1.0, color="#c62828", lw=0.8, ls="--")
        ax2.set_xticks(x, names, fontsize=8, rotation=10)
        ax2.set_title("Cost-exchange ratio\n(defender incl. operations / attacker)")
        for ax in (ax1, ax2):
            ax.grid(axis="y", color="#e0e0e0", lw=0.6)
            ax.set_axisbelow(True)
        return _save(fig, path)


# ----------------------------------------------------------------------------- the report


def _environment() -> jinja2.Environment:
    folder = Path(__file__).parent / "templates"
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)),
        autoescape=jinja2.select_autoescape(["html", "j2"], default=True),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["pct"] = _pct
    env.filters["num"] = _num
    env.filters["usd"] = _usd
    return env


def _headline_rows(a: AirAssessment) -> list[dict[str, str]]:
    h = a.headline()
    rows = [
        ("Strike drones neutralised", _pct(h.get("neutralised_strike_uav"))),
        ("Decoys neutralised", _pct(h.get("neutralised_decoy_uav"))),
        ("Cruise missiles neutralised", _pct(h.get("neutralised_cruise"))),
        ("Ballistic missiles neutralised", _pct(h.get("neutralised_ballistic"))),
        ("Hits on all raid targets per night", _num(h["hits_per_night"], 2)),
        (
            "Hits on the package's protected assets per night",
            _num(h["hits_protected_per_night"], 2),
        ),
        ("Interceptors fired by the package per night", _num(h["interceptors_per_night"], 1)),
        ("Cost-exchange ratio (defender / attacker)", _num(h["cost_exchange"], 2)),
        ("… including the package's operating cost", _num(h["cost_exchange_with_operations"], 2)),
        ("Package cost per $ of threats it destroyed", _num(h["package_exchange"], 2)),
        ("Nights until a unit type runs dry (median)", _num(h["nights_until_dry_p50"], 0)),
        ("West of the Dnipro covered vs cruise (area)", _pct(h.get("west_covered_area_share"))),
        (
            "West of the Dnipro covered vs cruise (population)",
            _pct(h.get("west_covered_population_share")),
        ),
        ("West of the Dnipro seen (detection, area)", _pct(h.get("west_detected_area_share"))),
        (
            "Protected assets inside an engagement envelope",
            f"{h['protected_assets_covered']} of {h['protected_assets']}",
        ),
    ]
    return [{"label": k, "value": v} for k, v in rows]


def write_air_report(
    assessments: AirAssessment | Sequence[AirAssessment],
    out_dir: str | Path,
    *,
    title: str | None = None,
) -> Path:
    """Write the air report for one or several packages.

    Parameters
    ----------
    assessments : AirAssessment or sequence of AirAssessment
        From :func:`garant.air.assess.assess_air`; several are compared side by side.
    out_dir : str or pathlib.Path
        The folder (created if missing); other files in it are left alone.
    title : str, optional
        Page title.

    Returns
    -------
    pathlib.Path
        The HTML page (``air.html``).

    Raises
    ------
    DataError
        No assessment given.
    """
    from garant.air.coverage import coverage_map

    items = [assessments] if not isinstance(assessments, Sequence) else list(assessments)
    if not items:
        raise DataError("air report: no assessment to write")
    out = Path(out_dir)
    names = [a.name for a in items]
    page_title = title or "Air packages: " + ", ".join(names)
    with staged_files(out, last=(AIR_HTML,)) as stage:
        maps = {}
        for a in items:
            cov = a.coverage["cruise"]
            maps[a.name] = coverage_map(
                cov,
                stage / f"air_map_{_slug(a.name)}.png",
                units=list(a.coverage_units),
                assets=a.assets,
                occupied=a.occupied,
                title=f"{a.name}: coverage against cruise missiles west of the Dnipro",
            )
        neut = neutralisation_chart(items, stage / "air_neutralisation.png")
        stock = stock_chart(items, stage / "air_stock.png")
        costs = cost_chart(items, stage / "air_costs.png")
        export_table(pd.DataFrame([a.headline() for a in items]), stage / "air_headline.csv")
        export_table(pd.concat([a.summary() for a in items]), stage / "air_summary.csv")
        export_table(
            pd.concat([a.units.assign(package=a.name) for a in items]), stage / "air_units.csv"
        )
        assets = pd.concat(
            [pd.DataFrame(a.assets.drop(columns="geometry")).assign(package=a.name) for a in items]
        )
        export_table(assets, stage / "air_assets.csv")
        export_table(
            pd.concat([a.hits_by_target().assign(package=a.name) for a in items]),
            stage / "air_hits.csv",
        )
        context = {
            "title": page_title,
            "packages": [
                {
                    "name": a.name,
                    "description": a.package.description,
                    "sources": a.package.sources,
                    "assumptions": a.package.assumptions,
                    "headline": _headline_rows(a),
                    "map": _data_uri(maps[a.name]),
                    "units": a.units.groupby(["defence_id", "location", "role"], sort=False)
                    .agg(
                        count=("unit_id", "size"),
                        moved_km=("moved_km", "first"),
                        hostile_km=("hostile_km", "first"),
                    )
                    .reset_index()
                    .to_dict("records"),
                    "rates": a.rates().to_dict("records"),
                    "occupied_source": a.occupied_source,
                    "standoff_km": a.package.standoff_km,
                    "nights": a.nights,
                    "runs": a.n_runs,
                    "seed": a.seed,
                }
                for a in items
            ],
            "images": {
                "neutralisation": _data_uri(neut),
                "stock": _data_uri(stock),
                "costs": _data_uri(costs),
            },
            "raid": items[0].package.raid or _default_raid(),
            "class_labels": THREAT_CLASS_LABELS,
            "files": sorted(p.name for p in stage.iterdir()),
        }
        html = _environment().get_template("air.html.j2").render(**context)
        (stage / AIR_HTML).write_text(html, encoding="utf-8")
    log.info("wrote air report %s", out / AIR_HTML)
    return out / AIR_HTML


def _default_raid() -> Any:
    from garant.air.presets import load_defaults

    return load_defaults().raid
