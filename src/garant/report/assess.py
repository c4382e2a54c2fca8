"""The guarantee-package report: packages side by side, in English or German.

:func:`write_assessment_report` takes a :class:`garant.packages.results.Comparison`
and writes one HTML page with its images and tables next to it (and a PDF of it
where WeasyPrint is installed):

* ``report.html``: the plain-language summary (findings and caveats generated from
  the numbers, :func:`plain_summary`), the comparison table, the charts, the maps
  side by side, each package's calculus, sensitivity, costs and exposure, and the
  calculus itself with its parameters and their provenance;
* ``p_deterred.png``, ``net_utility.png``, ``cost_vs_deterrence.png``,
  ``tornado_<package>.png``, ``map_line.png``, ``map_<land|air|sea>_<package>.png``
  (:mod:`garant.report.assess_charts`);
* ``comparison.csv``, ``calculus.csv``, ``tornado.csv``, ``costs.csv``,
  ``exposure.csv``, ``inputs.csv``, ``parameters.csv``
  (:meth:`~garant.packages.results.Comparison.to_frames`);
* ``report.pdf`` (optional).

Everything is rendered into a staging folder and moved into place only when all of
it succeeded (the HTML and PDF last), so a failure leaves no half-written report.

Translations: the templates and the messages in this module are English; the German
catalogue ``report/locale/de.toml`` maps each English message to its translation
(Jinja2's i18n extension with new-style gettext). Numbers are formatted for the
language with :mod:`babel.numbers` (``1,234.5`` / ``1.234,5``).
"""

from __future__ import annotations

import functools
import logging
import re
import tomllib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import numpy as np
import pandas as pd

from garant._io import staged_files
from garant.errors import ConfigError, DataError
from garant.report.assess_charts import (
    VERDICT_COLORS,
    ChartLocale,
    cost_chart,
    line_map,
    net_utility_chart,
    p_deterred_chart,
    package_maps,
    tornado_chart,
)
from garant.report.export import export_table

if TYPE_CHECKING:
    from garant.packages.results import Comparison, PackageAssessment

__all__ = [
    "HTML_NAME",
    "LANGUAGES",
    "PDF_NAME",
    "locale_for",
    "pdf_available",
    "plain_summary",
    "write_assessment_report",
]

log = logging.getLogger(__name__)

#: Languages the report speaks.
LANGUAGES: tuple[str, ...] = ("en", "de")
#: Name of the HTML page.
HTML_NAME = "report.html"
#: Name of the PDF.
PDF_NAME = "report.pdf"
#: Where the message catalogues live (``<lang>.toml``, a ``[messages]`` table).
LOCALE_DIR = Path(__file__).parent / "locale"
#: P(deterred) within this distance of the threshold makes a verdict fragile.
FRAGILE_MARGIN = 0.1


# ----------------------------------------------------------------------------- language


@functools.lru_cache(maxsize=8)
def _catalogue(lang: str) -> dict[str, str]:
    path = LOCALE_DIR / f"{lang}.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: message catalogue for language {lang!r} missing") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    messages = data.get("messages", {})
    if not isinstance(messages, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in messages.items()
    ):
        raise ConfigError(f"{path}: messages: must be a table of strings")
    return dict(messages)


def _check_lang(lang: str) -> str:
    if lang not in LANGUAGES:
        raise ConfigError(f"lang {lang!r}: not one of {', '.join(LANGUAGES)}")
    return lang


def locale_for(lang: str) -> ChartLocale:
    """The translations and number formats of a report language.

    Parameters
    ----------
    lang : {"en", "de"}
        The language.

    Returns
    -------
    ChartLocale

    Raises
    ------
    ConfigError
        ``lang`` is not one of :data:`LANGUAGES`, or its catalogue is unreadable.
    """
    _check_lang(lang)
    if lang == "en":
        return ChartLocale("en")
    messages = _catalogue(lang)

    def gettext(message: str) -> str:
        text = messages.get(message)
        if text is None:
            log.warning("no %s translation for %r", lang, message)
            return message
        return text

    return ChartLocale(lang, gettext)


# ----------------------------------------------------------------------------- numbers


def _draws(calculus: Any, metric: str) -> np.ndarray:
    """Per-draw values of a calculus output."""
    for attr in ("outputs", "draws"):
        table = getattr(calculus, attr, None)
        if table is not None and metric in table:
            return np.asarray(table[metric], dtype=float)
    value = getattr(calculus, metric, None)
    if value is None:
        raise DataError(f"calculus result: no per-draw values of {metric!r}")
    return np.asarray(value, dtype=float)


def _base_value(a: PackageAssessment) -> float:
    """Net utility with every parameter central (for the tornado's axis)."""
    t = a.tornado
    for key in ("base_value", "base", "metric_at_value"):
        if key in t.attrs:
            return float(t.attrs[key])
        if key in t.columns and len(t):
            return float(t[key].iloc[0])
    return float(np.median(_draws(a.calculus, "net_utility")))


def _verdict_label(verdict: str, loc: ChartLocale) -> str:
    labels = {
        "deterrent": loc._("Deters in most draws"),
        "half-measure": loc._("Half-measure"),
        "no guarantee": loc._("No guarantee"),
    }
    return labels.get(verdict, verdict)


def _join(names: Sequence[str], loc: ChartLocale) -> str:
    if len(names) <= 1:
        return "".join(names)
    return loc._("%(first)s and %(last)s", first=", ".join(names[:-1]), last=names[-1])


# ----------------------------------------------------------------------------- summary


def _flips(tornado: pd.DataFrame) -> pd.DataFrame:
    """Rows whose low and high ends put the net utility on opposite sides of zero."""
    if tornado.empty or tornado.attrs.get("metric", "net_utility") != "net_utility":
        return tornado.iloc[0:0]
    lo = tornado["metric_at_low"].to_numpy(dtype=float)
    hi = tornado["metric_at_high"].to_numpy(dtype=float)
    return tornado.loc[np.sign(lo) * np.sign(hi) < 0]


def plain_summary(comparison: Comparison, *, lang: str = "en") -> tuple[list[str], list[str]]:
    """Findings and caveats in plain language, generated from the numbers.

    Findings: the packages ranked by P(deterred); which deter in most draws
    (P(deterred) at or above the half-measure threshold) and whether by denial or by
    punishment; which are half-measures (cost money or people, P(deterred) below the
    threshold) and which offer no guarantee; the cheapest package that deters; which
    assumptions decide the answer (the parameter with the widest tornado swing, with
    the packages for which it is the widest, and the parameters that alone flip a
    package's verdict within their range). Caveats: what P(deterred) means, the
    parameters that are assumptions, fragile verdicts (within :data:`FRAGILE_MARGIN` of
    the threshold), the data behind the line, the model's simplifications.

    Parameters
    ----------
    comparison : garant.packages.results.Comparison
        The packages assessed.
    lang : {"en", "de"}
        The language.

    Returns
    -------
    tuple of (list of str, list of str)
        The findings and the caveats, one sentence or two each.

    Raises
    ------
    ConfigError
        ``lang`` is not supported.
    DataError
        The comparison holds no package.
    """
    loc = locale_for(lang)
    items = list(comparison.assessments)
    if not items:
        raise DataError("assessment report: no package to summarise")
    findings: list[str] = []
    caveats: list[str] = []
    threshold = float(items[0].half_measure_threshold)
    t_txt = loc.pct(threshold)

    ranked = sorted(items, key=lambda a: a.p_deterred, reverse=True)
    findings.append(
        loc._(
            "Ranked by P(deterred), the share of draws in which attacking does not pay: "
            "%(ranking)s.",
            ranking="; ".join(f"{a.name} {loc.pct(a.p_deterred)}" for a in ranked),
        )
    )
    deterring = [a for a in items if a.verdict == "deterrent"]
    if deterring:
        for a in deterring:
            means = dict(zip(*[a.calculus.summary()[c] for c in ("metric", "mean")], strict=True))
            esc = float(means.get("expected_escalation_cost", 0.0))
            losses = float(means.get("expected_losses_cost", 0.0))
            how = (
                loc._("mainly by punishment (the risk of fighting the guarantors)")
                if esc > losses
                else loc._("mainly by denial (the losses and the risk of failing at the line)")
            )
            findings.append(
                loc._(
                    "%(name)s deters in most draws (P(deterred) %(p)s, threshold %(t)s), %(how)s.",
                    name=a.name,
                    p=loc.pct(a.p_deterred),
                    t=t_txt,
                    how=how,
                )
            )
    else:
        findings.append(
            loc._(
                "No package deters in most draws: P(deterred) stays below %(t)s for all.",
                t=t_txt,
            )
        )
    for a in items:
        if a.verdict == "half-measure":
            findings.append(
                loc._(
                    "%(name)s is a half-measure: it costs %(cost)s a year and %(people)s "
                    "personnel including rotation, but deters in only %(p)s of draws.",
                    name=a.name,
                    cost=loc.usd(a.cost_usd_per_year),
                    people=loc.num(a.personnel_with_rotation, 0),
                    p=loc.pct(a.p_deterred),
                )
            )
        elif a.verdict == "no guarantee":
            pays = float(np.mean(_draws(a.calculus, "net_utility") > 0))
            findings.append(
                loc._(
                    "%(name)s commits no forces: a renewed offensive pays in %(p)s of draws.",
                    name=a.name,
                    p=loc.pct(pays),
                )
            )
    costly = [a for a in deterring if a.cost_usd_per_year > 0]
    if len(costly) > 1:
        cheapest = min(costly, key=lambda a: a.cost_usd_per_year)
        findings.append(
            loc._(
                "The cheapest package that deters in most draws is %(name)s at %(cost)s a year.",
                name=cheapest.name,
                cost=loc.usd(cheapest.cost_usd_per_year),
            )
        )
    tops: dict[str, list[str]] = {}
    for a in items:
        if not a.tornado.empty:
            top = str(a.tornado.sort_values("swing", ascending=False).iloc[0]["parameter"])
            tops.setdefault(top, []).append(a.name)
    if tops:
        order = sorted(tops.items(), key=lambda kv: -len(kv[1]))  # stable: first seen first
        findings.append(
            loc._(
                "The assumption with the widest swing in the sensitivity analysis: %(list)s.",
                list="; ".join(
                    loc._("%(param)s for %(names)s", param=param, names=_join(names, loc))
                    for param, names in order
                ),
            )
        )
    for a in items:
        flips = _flips(a.tornado.sort_values("swing", ascending=False))
        if flips.empty:
            continue
        names = [str(p) for p in flips["parameter"].head(3)]
        message = (
            loc._(
                "For %(name)s the verdict turns on %(params)s: moved alone within its range, "
                "it flips whether attacking pays.",
                name=a.name,
                params=names[0],
            )
            if len(names) == 1
            else loc._(
                "For %(name)s the verdict turns on %(params)s: each alone, moved within its "
                "range, flips whether attacking pays.",
                name=a.name,
                params=_join(names, loc),
            )
        )
        findings.append(message)

    caveats.append(
        loc._(
            "P(deterred) is the share of %(n)s Monte Carlo draws per package (seed %(seed)s) "
            "in which a renewed offensive does not pay under this model. It is not a "
            "forecast of decisions in Moscow.",
            n=loc.num(comparison.n_runs, 0),
            seed=str(comparison.seed),
        )
    )
    caveats.append(
        loc._(
            "Most behavioural parameters (credibility of a response, cost of escalation, "
            "the critical force ratio) have no public measurement: they are assumptions "
            "with wide ranges, listed with their provenance below."
        )
    )
    fragile = [a.name for a in items if abs(a.p_deterred - threshold) < FRAGILE_MARGIN]
    if fragile:
        caveats.append(
            loc._(
                "The verdict is fragile for %(names)s: P(deterred) lies within %(m)s of the "
                "threshold.",
                names=_join(fragile, loc),
                m=loc.pct(FRAGILE_MARGIN),
            )
        )
    sources = sorted({a.front.source for a in items if a.front is not None})
    if sources:
        caveats.append(
            loc._("The line of contact comes from %(sources)s.", sources="; ".join(sources))
        )
    caveats.append(
        loc._(
            "The calculus assumes a single rational decision-maker weighing one offensive, "
            "counts combat power in soldiers and leaves out a Ukrainian counter-offensive."
        )
    )
    caveats.append(
        loc._(
            "The land, air and sea models are simplifications; their own reports list "
            "their assumptions. Sources and provenance are quoted in their original language."
        )
    )
    return findings, caveats


# ----------------------------------------------------------------------------- tables


def _metric_labels(loc: ChartLocale) -> dict[str, str]:
    return {
        "local_force_ratio": loc._("Local force ratio (attacker : defender)"),
        "defender_multiplier": loc._("Defender multiplier (air shield, US backstop)"),
        "p_success": loc._("P(offensive succeeds)"),
        "expected_area_km2": loc._("Expected area taken (km²)"),
        "expected_gain": loc._("Expected gain"),
        "expected_casualties": loc._("Expected attacker casualties"),
        "expected_losses_cost": loc._("Expected cost of losses"),
        "p_coalition_engaged": loc._("P(coalition forces engaged)"),
        "p_coalition_responds": loc._("P(guarantors respond | engaged)"),
        "expected_escalation_cost": loc._("Expected cost of escalation"),
        "sanctions_cost": loc._("Cost of sanctions"),
        "net_utility": loc._("Net utility (> 0: attacking pays)"),
        "deterred": loc._("P(deterred)"),
    }


def _input_labels(loc: ChartLocale) -> dict[str, str]:
    return {
        "line_km": loc._("Line of contact (km)"),
        "ukraine_troops_on_line": loc._("Ukrainian troops on the line"),
        "coalition_troops_deployed": loc._("Coalition troops deployed in Ukraine"),
        "coalition_troops_forward": loc._("Coalition troops forward at the line"),
        "tripwire": loc._("Tripwire (coalition troops in the path of an offensive)"),
        "share_of_line_reached_6h": loc._("Share of the line reached within 6 h"),
        "air_neutralised_share": loc._("Share of missiles and drones neutralised"),
        "air_engages_russian_weapons": loc._("Air mission shoots down Russian weapons"),
        "sea_mission": loc._("Maritime mission"),
        "sea_exposure_h": loc._("Escort exposure to anti-ship missiles per transit (h)"),
        "us_backstop_intel": loc._("US backstop: intelligence"),
        "us_backstop_air_defence": loc._("US backstop: air defence"),
        "us_backstop_logistics": loc._("US backstop: logistics"),
        "commitment": loc._("Commitment"),
        "occupied_gain_km2_per_month_observed": loc._(
            "Observed occupied gain (km² per month, last 12 months)"
        ),
    }


def _commitment_label(value: str, loc: ChartLocale) -> str:
    labels = {
        "none": loc._("none"),
        "coalition": loc._("coalition commitment"),
        "nato_article5": loc._("NATO Article 5"),
    }
    return labels.get(value, value)


def _value(v: Any, loc: ChartLocale, *, share: bool = False) -> str:
    if isinstance(v, bool | np.bool_):
        return loc._("yes") if v else loc._("no")
    if isinstance(v, int | float | np.integer | np.floating):
        x = float(v)
        if share:
            return loc.pct(x, 1)
        return loc.num(x, 0 if abs(x) >= 100 or float(x).is_integer() else 2)
    return "" if v is None else str(v)


def _metric_value(metric: str, v: Any, loc: ChartLocale) -> str:
    if metric.startswith("p_") or metric == "deterred":
        return loc.pct(v, 1)
    if metric in ("expected_area_km2", "expected_casualties"):
        return loc.num(v, 0)
    return loc.num(v, 2)


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9_-]+", "_", name.lower()).strip("_") or "package"


def _records(df: pd.DataFrame, loc: ChartLocale) -> list[dict[str, str]]:
    return [{str(k): _value(v, loc) for k, v in row.items()} for row in df.to_dict("records")]


def _package_context(
    a: PackageAssessment, loc: ChartLocale, *, tornado_png: str | None, maps: dict[str, str]
) -> dict[str, Any]:
    metric_labels = _metric_labels(loc)
    summary = [
        {
            "metric": metric_labels.get(str(r["metric"]), str(r["metric"])),
            **{s: _metric_value(str(r["metric"]), r[s], loc) for s in ("mean", "p5", "p50", "p95")},
        }
        for r in a.calculus.summary().to_dict("records")
    ]
    labels = _input_labels(loc)
    inputs = []
    for key, v in a.inputs.as_dict().items():
        if key == "package":
            continue
        shown = (
            _commitment_label(str(v), loc)
            if key == "commitment"
            else _value(v, loc, share=key.startswith("share_") or key.endswith("_share"))
        )
        inputs.append({"label": labels.get(key, key), "value": shown})
    tornado = []
    for t in a.tornado.sort_values("swing", ascending=False).head(8).to_dict("records"):
        tornado.append(
            {
                "parameter": str(t["parameter"]),
                "low_value": loc.num(t["low_value"], 3),
                "high_value": loc.num(t["high_value"], 3),
                "at_low": loc.num(t["metric_at_low"], 2),
                "at_high": loc.num(t["metric_at_high"], 2),
                "swing": loc.num(t["swing"], 2),
            }
        )
    costs = []
    for r in a.costs.to_dict("records") if not a.costs.empty else []:
        costs.append(
            {
                "component": str(r.get("component", "")),
                "item": str(r.get("item", "")),
                "quantity": _value(r.get("quantity"), loc),
                "unit": str(r.get("unit", "")),
                "usd_per_year": loc.usd(r.get("usd_per_year")),
                "personnel_deployed": loc.num(r.get("personnel_deployed"), 0),
                "personnel_with_rotation": loc.num(r.get("personnel_with_rotation"), 0),
                "provenance": str(r.get("provenance", "")),
            }
        )
    exposure = []
    for r in a.exposure.to_dict("records") if not a.exposure.empty else []:
        exposure.append(
            {
                "component": str(r.get("component", "")),
                "force": str(r.get("force", "")),
                "location": str(r.get("location", "")),
                "threat_class": str(r.get("threat_class", "")),
                "systems": _value(r.get("systems"), loc),
                "warning": loc.num(r.get("min_warning_time_min"), 0),
                "detail": str(r.get("detail", "")),
            }
        )
    p = a.package
    components = {
        "land": p.land.preset if p.land else "",
        "air": (" + ".join([p.air.preset, *p.air.addons]) if p.air else ""),
        "sea": p.sea.preset if p.sea else "",
    }
    backstop = [
        label
        for on, label in (
            (p.us_backstop.intelligence, loc._("intelligence")),
            (p.us_backstop.air_defence, loc._("air defence")),
            (p.us_backstop.logistics, loc._("logistics")),
        )
        if on
    ]
    return {
        "name": a.name,
        "slug": _slug(a.name),
        "title": p.label,
        "description": p.description,
        "verdict": a.verdict,
        "verdict_label": _verdict_label(a.verdict, loc),
        "verdict_color": VERDICT_COLORS.get(a.verdict, "#6b6b6b"),
        "commitment": _commitment_label(str(p.commitment), loc),
        "components": components,
        "backstop": ", ".join(backstop) if backstop else loc._("none"),
        "p_deterred": loc.pct(a.p_deterred),
        "summary": summary,
        "inputs": inputs,
        "tornado": tornado,
        "tornado_png": tornado_png,
        "costs": costs,
        "cost_usd_per_year": loc.usd(a.cost_usd_per_year),
        "personnel_deployed": loc.num(a.personnel_deployed, 0),
        "personnel_with_rotation": loc.num(a.personnel_with_rotation, 0),
        "exposure": exposure,
        "maps": maps,
        "sources": list(p.sources),
        "assumptions": list(p.assumptions),
    }


def _comparison_rows(comparison: Comparison, loc: ChartLocale) -> list[dict[str, str]]:
    rows = []
    for a in comparison.assessments:
        h = a.headline()
        rows.append(
            {
                "name": a.name,
                "verdict": a.verdict,
                "verdict_label": _verdict_label(a.verdict, loc),
                "verdict_color": VERDICT_COLORS.get(a.verdict, "#6b6b6b"),
                "p_deterred": loc.pct(h["p_deterred"], 1),
                "nu_p5": loc.num(h["net_utility_p5"], 2),
                "nu_p50": loc.num(h["net_utility_p50"], 2),
                "nu_p95": loc.num(h["net_utility_p95"], 2),
                "p_success": loc.pct(h["p_success"], 1),
                "p_engaged": loc.pct(h["p_coalition_engaged"], 1),
                "cost": loc.usd(h["cost_usd_per_year"]),
                "personnel": loc.num(h["personnel_deployed"], 0),
                "personnel_rotation": loc.num(h["personnel_with_rotation"], 0),
                "line_km": loc.num(h.get("line_km"), 0),
                "commitment": _commitment_label(str(h.get("commitment", "")), loc),
            }
        )
    return rows


def _parameter_rows(parameters: pd.DataFrame, loc: ChartLocale) -> list[dict[str, str]]:
    rows = []
    for r in parameters.to_dict("records"):
        rows.append(
            {
                "name": str(r.get("name", "")),
                "description": str(r.get("description", "") or ""),
                "value": loc.num(r.get("value"), 3),
                "low": loc.num(r.get("low"), 3),
                "high": loc.num(r.get("high"), 3),
                "unit": str(r.get("unit", "")),
                "provenance": str(r.get("provenance", "")),
            }
        )
    return rows


# ----------------------------------------------------------------------------- rendering


def pdf_available() -> bool:
    """Whether WeasyPrint can be imported (and so a PDF written).

    Returns
    -------
    bool
    """
    try:
        import weasyprint  # type: ignore[import-not-found,unused-ignore]  # noqa: F401
    except (ImportError, OSError):  # OSError: its system libraries are missing
        return False
    return True


def _write_pdf(html_path: Path, pdf_path: Path) -> None:
    import weasyprint  # type: ignore[import-not-found,unused-ignore]

    weasyprint.HTML(filename=str(html_path), base_url=str(html_path.parent)).write_pdf(
        str(pdf_path)
    )


def _environment(loc: ChartLocale) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(Path(__file__).parent / "templates")),
        autoescape=jinja2.select_autoescape(["html", "j2"], default=True),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )

    def ngettext(singular: str, plural: str, n: int) -> str:
        return loc.gettext(singular if n == 1 else plural)

    env.install_gettext_callables(  # type: ignore[attr-defined]
        loc.gettext, ngettext, newstyle=True
    )
    return env


def render_html(context: dict[str, Any], *, lang: str) -> str:
    """Render the report page from a prepared context.

    Parameters
    ----------
    context : dict
        The template's variables (built by :func:`write_assessment_report`).
    lang : {"en", "de"}
        The language.

    Returns
    -------
    str
        The HTML.
    """
    loc = locale_for(lang)
    return _environment(loc).get_template("assess.html.j2").render(lang=lang, **context)


def write_assessment_report(
    comparison: Comparison,
    out_dir: str | Path,
    *,
    lang: str = "en",
    pdf: bool | None = None,
    progress: Callable[[str], None] | None = None,
) -> Path:
    """Write the side-by-side report of guarantee packages.

    Parameters
    ----------
    comparison : garant.packages.results.Comparison
        From :func:`garant.packages.assess.assess_packages`.
    out_dir : str or pathlib.Path
        The folder (created if missing); other files in it are left alone.
    lang : {"en", "de"}
        The report's language.
    pdf : bool, optional
        ``None``: write ``report.pdf`` when WeasyPrint is installed, otherwise log a
        note and skip it; ``True``: write it, and fail if WeasyPrint is missing;
        ``False``: never.
    progress : callable, optional
        Called with a short note before each step (for a CLI spinner).

    Returns
    -------
    pathlib.Path
        The HTML page (``report.html``).

    Raises
    ------
    ConfigError
        ``lang`` is not supported, or ``pdf=True`` without WeasyPrint.
    DataError
        The comparison holds no package.
    """
    loc = locale_for(lang)
    items = list(comparison.assessments)
    if not items:
        raise DataError("assessment report: no package to write")
    want_pdf = pdf_available() if pdf is None else pdf
    if pdf is True and not pdf_available():
        raise ConfigError(
            "pdf=True: weasyprint is not installed or its system libraries are missing "
            "(pip install weasyprint)"
        )
    if pdf is None and not want_pdf:
        log.info("report.pdf skipped: weasyprint is not installed")

    def step(note: str) -> None:
        log.debug("assessment report: %s", note)
        if progress is not None:
            progress(note)

    out = Path(out_dir)
    threshold = float(items[0].half_measure_threshold)
    findings, caveats = plain_summary(comparison, lang=lang)
    table = comparison.table()
    frame = pd.DataFrame(
        {
            "package": [a.name for a in items],
            "p_deterred": [a.p_deterred for a in items],
            "verdict": [a.verdict for a in items],
            "cost_usd_per_year": [a.cost_usd_per_year for a in items],
            "personnel_with_rotation": [a.personnel_with_rotation for a in items],
        }
    )
    with staged_files(out, last=(HTML_NAME, PDF_NAME)) as stage:
        step("charts")
        charts = {
            "p_deterred": p_deterred_chart(
                frame, stage / "p_deterred.png", threshold=threshold, loc=loc
            ).name,
            "net_utility": net_utility_chart(
                {a.name: _draws(a.calculus, "net_utility") for a in items},
                stage / "net_utility.png",
                loc=loc,
            ).name,
            "cost": cost_chart(
                frame, stage / "cost_vs_deterrence.png", threshold=threshold, loc=loc
            ).name,
        }
        tornados: dict[str, str | None] = {}
        for a in items:
            if a.tornado.empty:
                tornados[a.name] = None
                continue
            is_nu = a.tornado.attrs.get("metric", "net_utility") == "net_utility"
            tornados[a.name] = tornado_chart(
                a.tornado,
                stage / f"tornado_{_slug(a.name)}.png",
                base_value=_base_value(a),
                title=(
                    loc._("%(name)s: which assumptions decide the net utility", name=a.name)
                    if is_nu
                    else loc._("%(name)s: which assumptions decide P(deterred)", name=a.name)
                ),
                loc=loc,
                net_utility=is_nu,
            ).name
        step("maps")
        fronts = [a.front for a in items if a.front is not None]
        line_png = (
            line_map(fronts[0], stage / "map_line.png", title=loc._("The line guarded"), loc=loc)
            if fronts
            else None
        )
        maps = {
            a.name: {
                kind: p.name
                for kind, p in package_maps(a, stage, slug=_slug(a.name), loc=loc).items()
            }
            for a in items
        }
        step("tables")
        for key, df in comparison.to_frames().items():
            export_table(df, stage / f"{key}.csv")
        step("page")
        context = {
            "title": loc._("Security guarantees for Ukraine: packages compared"),
            "findings": findings,
            "caveats": caveats,
            "threshold": loc.pct(threshold),
            "comparison": _comparison_rows(comparison, loc),
            "charts": charts,
            "line_map": line_png.name if line_png is not None else None,
            "line_source": fronts[0].source if fronts else "",
            "packages": [
                _package_context(a, loc, tornado_png=tornados[a.name], maps=maps[a.name])
                for a in items
            ],
            "parameters": _parameter_rows(comparison.parameters, loc),
            "n_runs": loc.num(comparison.n_runs, 0),
            "seed": str(comparison.seed),
            "n_columns": len(table),
        }
        context["files"] = sorted(
            [p.relative_to(stage).as_posix() for p in stage.rglob("*") if p.is_file()]
            + [HTML_NAME]
            + ([PDF_NAME] if want_pdf else [])
        )
        html = render_html(context, lang=lang)
        (stage / HTML_NAME).write_text(html, encoding="utf-8")
        if want_pdf:
            step("pdf")
            _write_pdf(stage / HTML_NAME, stage / PDF_NAME)
    log.info("wrote assessment report %s", out / HTML_NAME)
    return out / HTML_NAME
