"""Charts and maps of the guarantee-package report, in English or German.

Every chart takes a :class:`ChartLocale` that translates its labels and formats its
numbers for the report's language (``1,234.5`` in English, ``1.234,5`` in German,
with :mod:`babel.numbers`). The charts:

* :func:`p_deterred_chart`: P(deterred) per package, coloured by verdict, with the
  half-measure threshold;
* :func:`net_utility_chart`: the distribution of the attacker's net utility over the
  Monte Carlo draws per package (violins with a box for p5-p50-p95); below zero an
  attack does not pay;
* :func:`tornado_chart`: one-at-a-time sensitivity of a metric to each parameter;
* :func:`cost_chart`: cost per year against P(deterred), marker area by personnel;
* :func:`package_maps`: the maps of one package (land basing and reach, air coverage,
  the sea corridor), reusing the land, air and sea map code, and :func:`line_map`,
  the line of contact and the occupied territory.

Matplotlib with the Agg canvas only (no ``pyplot``), deterministic PNGs, every file
written atomically (through :func:`garant.report.charts._save`).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from babel import Locale
from babel.numbers import format_compact_currency, format_decimal, format_percent
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from garant.errors import DataError
from garant.report.charts import MUTED, TEXT, _new_figure, _rc_context, _save

if TYPE_CHECKING:
    from garant.land.geometry import Front

__all__ = [
    "VERDICT_COLORS",
    "ChartLocale",
    "cost_chart",
    "line_map",
    "net_utility_chart",
    "p_deterred_chart",
    "package_maps",
    "tornado_chart",
]

log = logging.getLogger(__name__)

#: Colour of each verdict (:attr:`garant.packages.results.PackageAssessment.verdict`).
VERDICT_COLORS: dict[str, str] = {
    "deterrent": "#2e7d32",
    "half-measure": "#ef6c00",
    "no guarantee": "#c62828",
}
_PACKAGE_COLORS = ("#1f5fa8", "#8e6bbf", "#2e7d32", "#ef6c00", "#c62828", "#00897b", "#6b6b6b")
#: Net utilities beyond this (in either direction) put the distribution chart on a symlog axis.
SYMLOG_ABOVE = 10.0
_LOW = "#1f5fa8"
_HIGH = "#c62828"
_GRID = "#e0e0e0"


def _identity(message: str) -> str:
    return message


@dataclass(frozen=True)
class ChartLocale:
    """Language of a chart: its translations and its number formats.

    Parameters
    ----------
    lang : str
        A babel locale identifier (``"en"``, ``"de"``).
    gettext : callable
        Translates an English message (identity by default).
    """

    lang: str = "en"
    gettext: Callable[[str], str] = field(default=_identity, repr=False)

    def _(self, message: str, **values: Any) -> str:
        """Translate ``message`` and fill its ``%(name)s`` placeholders.

        Parameters
        ----------
        message : str
            The English message.
        **values
            Values of the placeholders (already formatted).

        Returns
        -------
        str
        """
        text = self.gettext(message)
        return text % values if values else text

    def num(self, value: Any, decimals: int = 1) -> str:
        """Format a number with grouping and ``decimals`` decimals ("–" if missing).

        Parameters
        ----------
        value : Any
            The number.
        decimals : int
            Decimals shown.

        Returns
        -------
        str
        """
        x = _float(value)
        if x is None:
            return "–"
        if math.isinf(x):
            return "∞" if x > 0 else "−∞"
        pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
        return str(format_decimal(x, format=pattern, locale=self.lang))

    def pct(self, value: Any, decimals: int = 0) -> str:
        """Format a share in [0, 1] as a percentage in the locale's style.

        Parameters
        ----------
        value : Any
            The share.
        decimals : int
            Decimals of the percentage.

        Returns
        -------
        str
        """
        x = _float(value)
        if x is None or math.isinf(x):
            return "–"
        base = Locale.parse(self.lang).percent_formats[None].pattern
        pattern = base.replace("0", "0." + "0" * decimals, 1) if decimals > 0 else base
        return str(format_percent(x, format=pattern, locale=self.lang))

    def usd(self, value: Any) -> str:
        """Format an amount in US dollars compactly ("$1.2B", "1,2 Mrd. $").

        Parameters
        ----------
        value : Any
            The amount, USD.

        Returns
        -------
        str
        """
        x = _float(value)
        if x is None or math.isinf(x):
            return "–"
        digits = 0 if abs(x) < 1e3 else 1
        return str(format_compact_currency(x, "USD", locale=self.lang, fraction_digits=digits))


def _float(value: Any) -> float | None:
    if value is None or isinstance(value, bool | str):
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(x) else x


def _horizontal() -> dict[str, Any]:
    """Keyword for horizontal violins (``orientation`` from Matplotlib 3.10, ``vert`` before)."""
    import matplotlib

    major, minor = (int(x) for x in matplotlib.__version__.split(".")[:2])
    return {"orientation": "horizontal"} if (major, minor) >= (3, 10) else {"vert": False}


def _style_axis(ax: Any, axis: str = "x") -> None:
    ax.grid(axis=axis, color=_GRID, lw=0.6)
    ax.set_axisbelow(True)


# ----------------------------------------------------------------------------- charts


def p_deterred_chart(
    frame: pd.DataFrame, path: str | Path, *, threshold: float, loc: ChartLocale
) -> Path:
    """Horizontal bars of P(deterred) per package, coloured by verdict; PNG, atomic.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per package: ``package``, ``p_deterred`` (in [0, 1]) and ``verdict``
        (a key of :data:`VERDICT_COLORS`).
    path : str or pathlib.Path
        The PNG.
    threshold : float
        P(deterred) below which a costly package is a half-measure (drawn dashed).
    loc : ChartLocale
        Language and number formats.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    DataError
        Missing columns or no rows.
    """
    _need(frame, ("package", "p_deterred", "verdict"), "P(deterred) chart")
    names = [str(n) for n in frame["package"]]
    p = frame["p_deterred"].to_numpy(dtype=float)
    colors = [VERDICT_COLORS.get(str(v), MUTED) for v in frame["verdict"]]
    with _rc_context():
        fig = _new_figure(9.0, 1.2 + 0.45 * len(names))
        ax = fig.add_subplot()
        y = np.arange(len(names))
        ax.barh(y, p, 0.62, color=colors)
        for yi, pi in enumerate(p):
            ax.text(min(pi, 1.0) + 0.01, yi, loc.pct(pi), va="center", fontsize=8, color=TEXT)
        ax.axvline(threshold, color=TEXT, lw=1.0, ls="--")
        ax.set_yticks(y, names)
        ax.invert_yaxis()
        ax.set_xlim(0, 1.12)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: loc.pct(v)))
        ax.set_xlabel(loc._("Share of Monte Carlo draws in which attacking does not pay"))
        ax.set_title(loc._("P(deterred) by package"))
        handles = [
            Patch(color=VERDICT_COLORS["deterrent"], label=loc._("Deters in most draws")),
            Patch(color=VERDICT_COLORS["half-measure"], label=loc._("Half-measure")),
            Patch(color=VERDICT_COLORS["no guarantee"], label=loc._("No guarantee")),
            Line2D(
                [],
                [],
                color=TEXT,
                ls="--",
                label=loc._("Threshold %(p)s", p=loc.pct(threshold)),
            ),
        ]
        ax.legend(handles=handles, fontsize=7, loc="lower right", frameon=True)
        _style_axis(ax)
        return _save(fig, path)


def net_utility_chart(
    draws: Mapping[str, np.ndarray], path: str | Path, *, loc: ChartLocale
) -> Path:
    """Distribution of the attacker's net utility per package (violins and boxes); PNG, atomic.

    Parameters
    ----------
    draws : mapping of str to numpy.ndarray
        Net utility per Monte Carlo draw, by package (in units of the objective's value).
        Beyond :data:`SYMLOG_ABOVE` the axis is symmetric-logarithmic.
    path : str or pathlib.Path
        The PNG.
    loc : ChartLocale
        Language and number formats.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    DataError
        No package, or a package without finite draws.
    """
    if not draws:
        raise DataError("net utility chart: no package")
    names = list(draws)
    data = []
    for name in names:
        v = np.asarray(draws[name], dtype=float)
        v = v[np.isfinite(v)]
        if v.size == 0:
            raise DataError(f"net utility chart: package {name!r} has no finite draws")
        data.append(v)
    with _rc_context():
        fig = _new_figure(9.0, 1.4 + 0.55 * len(names))
        ax = fig.add_subplot()
        pos = np.arange(1, len(names) + 1)
        lo = min(float(np.percentile(v, 0.5)) for v in data)
        hi = max(float(np.percentile(v, 99.5)) for v in data)
        spread = [v if np.ptp(v) > 0 else v + np.linspace(-1e-9, 1e-9, v.size) for v in data]
        parts = ax.violinplot(spread, positions=pos, showextrema=False, widths=0.8, **_horizontal())
        bodies: list[Any] = list(parts["bodies"])  # type: ignore[call-overload,unused-ignore]
        for i, body in enumerate(bodies):
            body.set_facecolor(_PACKAGE_COLORS[i % len(_PACKAGE_COLORS)])
            body.set_edgecolor("none")
            body.set_alpha(0.45)
        for y, v in zip(pos, data, strict=True):
            p5, p50, p95 = np.percentile(v, [5, 50, 95])
            ax.plot([p5, p95], [y, y], color=TEXT, lw=1.2)
            ax.plot([p50], [y], "o", color=TEXT, ms=4)
        ax.axvline(0.0, color="#c62828", lw=1.0, ls="--")
        if max(abs(lo), abs(hi)) > SYMLOG_ABOVE:
            # long tails (e.g. the escalation cost): linear near zero, logarithmic beyond
            ax.set_xscale("symlog", linthresh=1.0)
            ax.set_xlim(min(lo, 0.0) * 1.3 - 0.1, max(hi, 0.0) * 1.3 + 0.1)
            decimals = 0
        else:
            pad = 0.05 * max(hi - lo, 1e-6)
            ax.set_xlim(min(lo, 0.0) - pad, max(hi, 0.0) + pad)
            decimals = 2
        ax.text(
            0.01,
            1.01,
            "◀ " + loc._("attack does not pay"),
            transform=ax.transAxes,
            fontsize=7,
            color=MUTED,
            va="bottom",
        )
        ax.text(
            0.99,
            1.01,
            loc._("attack pays") + " ▶",
            transform=ax.transAxes,
            fontsize=7,
            color=MUTED,
            ha="right",
            va="bottom",
        )
        ax.set_yticks(pos, names)
        ax.invert_yaxis()
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: loc.num(v, decimals)))
        ax.set_xlabel(
            loc._("Attacker's net utility (units of the objective's value)")
            if decimals
            else loc._(
                "Attacker's net utility (units of the objective's value; logarithmic beyond ±1)"
            )
        )
        ax.set_title(
            loc._("Net utility of a renewed offensive (violin: draws; line: p5–p95; dot: median)"),
            pad=14,
        )
        _style_axis(ax)
        return _save(fig, path)


def tornado_chart(
    tornado: pd.DataFrame,
    path: str | Path,
    *,
    base_value: float,
    title: str,
    loc: ChartLocale,
    top: int = 10,
    net_utility: bool = True,
) -> Path:
    """Tornado of a one-at-a-time sensitivity analysis; PNG, atomic.

    Each bar spans the metric with the parameter at its low and at its high end (the
    others at their central values), widest first; the vertical line is the metric
    with every parameter central, the red dashed line zero (the verdict flips there
    when the metric is the net utility).

    Parameters
    ----------
    tornado : pandas.DataFrame
        ``parameter``, ``low_value``, ``high_value``, ``metric_at_low``,
        ``metric_at_high``, ``swing`` (from :func:`garant.calculus.sensitivity.tornado`).
    path : str or pathlib.Path
        The PNG.
    base_value : float
        The metric with every parameter at its central value.
    title : str
        The chart title (already translated).
    loc : ChartLocale
        Language and number formats.
    top : int
        How many parameters to show (the widest swings).
    net_utility : bool
        The metric is the net utility (zero drawn, numbers as such); otherwise
        P(deterred) (a share, no zero line).

    Returns
    -------
    pathlib.Path

    Raises
    ------
    DataError
        Missing columns or no rows.
    """
    cols = ("parameter", "low_value", "high_value", "metric_at_low", "metric_at_high", "swing")
    _need(tornado, cols, "tornado chart")
    t = tornado.sort_values("swing", ascending=False, kind="stable").head(top)
    n = len(t)
    with _rc_context():
        fig = _new_figure(9.0, 1.3 + 0.38 * n)
        ax = fig.add_subplot()
        y = np.arange(n)
        low = t["metric_at_low"].to_numpy(dtype=float)
        high = t["metric_at_high"].to_numpy(dtype=float)
        ax.barh(y, low - base_value, 0.6, left=base_value, color=_LOW)
        ax.barh(y, high - base_value, 0.6, left=base_value, color=_HIGH, alpha=0.8)
        labels = []
        for r in t.itertuples():
            d = _decimals(max(abs(float(r.low_value)), abs(float(r.high_value))))  # type: ignore[arg-type]
            labels.append(
                f"{r.parameter}\n[{loc.num(r.low_value, d)} – {loc.num(r.high_value, d)}]"
            )
        ax.set_yticks(y, labels, fontsize=7)
        ax.invert_yaxis()
        ax.axvline(base_value, color=TEXT, lw=1.0)
        if net_utility:
            ax.axvline(0.0, color="#c62828", lw=0.9, ls="--")
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: loc.num(v, 2)))
            ax.set_xlabel(loc._("Net utility with the parameter at its low / high end"))
        else:
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: loc.pct(v)))
            ax.set_xlabel(loc._("P(deterred) with the parameter at its low / high end"))
        ax.set_title(title)
        ax.legend(
            handles=[
                Patch(color=_LOW, label=loc._("Parameter at its low end")),
                Patch(color=_HIGH, alpha=0.8, label=loc._("Parameter at its high end")),
                Line2D([], [], color=TEXT, label=loc._("All parameters central")),
            ],
            fontsize=7,
            loc="best",
            frameon=True,
        )
        _style_axis(ax)
        return _save(fig, path)


def _decimals(value: Any) -> int:
    x = _float(value)
    if x is None or x == 0:
        return 0
    return 0 if abs(x) >= 100 else 1 if abs(x) >= 10 else 2 if abs(x) >= 0.1 else 3


def cost_chart(
    frame: pd.DataFrame, path: str | Path, *, threshold: float, loc: ChartLocale
) -> Path:
    """Cost per year against P(deterred), marker area by personnel; PNG, atomic.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per package: ``package``, ``cost_usd_per_year``, ``p_deterred``,
        ``personnel_with_rotation`` and ``verdict``.
    path : str or pathlib.Path
        The PNG.
    threshold : float
        The half-measure threshold (dashed line).
    loc : ChartLocale
        Language and number formats.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    DataError
        Missing columns or no rows.
    """
    cols = ("package", "cost_usd_per_year", "p_deterred", "personnel_with_rotation", "verdict")
    _need(frame, cols, "cost chart")
    cost_bn = frame["cost_usd_per_year"].to_numpy(dtype=float) / 1e9
    p = frame["p_deterred"].to_numpy(dtype=float)
    people = np.nan_to_num(frame["personnel_with_rotation"].to_numpy(dtype=float))
    top = max(float(people.max()), 1.0)
    sizes = 40 + 900 * np.sqrt(people / top)
    with _rc_context():
        fig = _new_figure(9.0, 4.8)
        ax = fig.add_subplot()
        ax.scatter(
            cost_bn,
            p,
            s=sizes,
            c=[VERDICT_COLORS.get(str(v), MUTED) for v in frame["verdict"]],
            alpha=0.7,
            edgecolors=TEXT,
            linewidths=0.6,
            zorder=3,
        )
        for name, x, yv, n, s in zip(frame["package"], cost_bn, p, people, sizes, strict=True):
            ax.annotate(
                f"{name}\n{loc.num(n, 0)} " + loc._("personnel"),
                (x, yv),
                xytext=(math.sqrt(s) / 2 + 3, 0),
                va="center",
                textcoords="offset points",
                fontsize=7,
                color=TEXT,
            )
        ax.axhline(threshold, color=TEXT, lw=0.9, ls="--")
        ax.set_ylim(-0.05, 1.1)
        xmax = max(float(np.nanmax(cost_bn)) if np.isfinite(cost_bn).any() else 0.0, 1.0)
        ax.set_xlim(-0.05 * xmax, 1.3 * xmax)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: loc.pct(v)))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: loc.num(v, 0)))
        ax.set_xlabel(loc._("Cost to the guarantors, billion USD per year"))
        ax.set_ylabel(loc._("P(deterred)"))
        ax.set_title(loc._("Cost against deterrence (marker area: personnel incl. rotation)"))
        _style_axis(ax, "both")
        return _save(fig, path)


def _need(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(f"{what}: missing columns {missing} (has {list(frame.columns)})")
    if frame.empty:
        raise DataError(f"{what}: no rows to plot")


# ----------------------------------------------------------------------------- maps


def line_map(front: Front, path: str | Path, *, title: str, loc: ChartLocale) -> Path:
    """The line of contact and the occupied territory (the frontline map); PNG, atomic.

    Parameters
    ----------
    front : garant.land.geometry.Front
        The line the packages guard.
    path : str or pathlib.Path
        The PNG.
    title : str
        Map title (already translated).
    loc : ChartLocale
        Language and number formats.

    Returns
    -------
    pathlib.Path
    """
    from garant.report.charts import frontline_map
    from garant.sources import geography

    when = front.date.isoformat() if front.date is not None else "–"
    subtitle = loc._(
        "Line of contact %(date)s: %(km)s km; source: %(source)s",
        date=when,
        km=loc.num(front.length_km, 0),
        source=front.source,
    )
    return frontline_map(
        front.occupied,
        front.line,
        None,
        geography.countries(),
        geography.oblasts(),
        path,
        title=title,
        subtitle=subtitle,
        n_labels=0,
    )


def package_maps(
    assessment: Any, folder: str | Path, *, slug: str, loc: ChartLocale
) -> dict[str, Path]:
    """Draw the maps of one package's components into ``folder``.

    ``land``: bases, reach and the line (land-B's ``garant.report.land_map.land_map``
    where it is installed); ``air``: coverage against cruise missiles west of the
    Dnipro (:func:`garant.air.coverage.coverage_map`); ``sea``: the corridor, the
    threat rings and NATO waters (:func:`garant.report.sea.sea_map`). A component the
    package lacks gets no map.

    Parameters
    ----------
    assessment : garant.packages.results.PackageAssessment
        The package's results (``land``, ``air``, ``sea``, ``front``).
    folder : str or pathlib.Path
        Where the PNGs go (``map_<kind>_<slug>.png``).
    slug : str
        File-name-safe package name.
    loc : ChartLocale
        Language and number formats.

    Returns
    -------
    dict of str to pathlib.Path
        By component (``land``, ``air``, ``sea``), the maps drawn.
    """
    out = Path(folder)
    maps: dict[str, Path] = {}
    name = assessment.package.name
    land = getattr(assessment, "land", None)
    if land is not None:
        drawn = _land_map(land, out / f"map_land_{slug}.png", name=name, loc=loc)
        if drawn is not None:
            maps["land"] = drawn
    air = getattr(assessment, "air", None)
    if air is not None and "cruise" in air.coverage:
        from garant.air.coverage import coverage_map

        maps["air"] = coverage_map(
            air.coverage["cruise"],
            out / f"map_air_{slug}.png",
            units=list(air.coverage_units),
            assets=air.assets,
            occupied=air.occupied,
            title=loc._("%(name)s: air coverage against cruise missiles", name=name),
        )
    sea = getattr(assessment, "sea", None)
    if sea is not None:
        from garant.report.sea import sea_map

        maps["sea"] = sea_map(sea, out / f"map_sea_{slug}.png")
    return maps


def _land_map(land: Any, path: Path, *, name: str, loc: ChartLocale) -> Path | None:
    try:
        from garant.land.reach import reach_isochrones  # type: ignore[import-not-found,unused-ignore]
        from garant.report.land_map import land_map  # type: ignore[import-not-found,unused-ignore]
    except ImportError:  # land-B's map is not there yet
        log.info("land map skipped for %s: garant.report.land_map is not installed", name)
        return None
    bases = getattr(land, "bases", None)
    if bases is None or len(bases) == 0:
        return None
    isochrones = reach_isochrones(bases, (1, 3, 6), front=land.front)
    title = loc._("%(name)s: land bases and reach", name=name)
    front = land.front
    subtitle = loc._(
        "%(date)s: line of contact %(km)s km; %(n)s bases",
        date=front.date.isoformat() if front.date is not None else "–",
        km=loc.num(front.length_km, 0),
        n=loc.num(len(bases), 0),
    )
    result: Path = land_map(front, bases, isochrones, path, title=title, subtitle=subtitle)
    return result
