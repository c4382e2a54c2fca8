"""Charts of the frontline: occupied area over time, monthly changes, and a map.

Matplotlib with the Agg canvas and :class:`matplotlib.figure.Figure` objects
only (no ``pyplot``: no global figure state, safe in threads and web workers).
PNGs are deterministic for the same inputs: fixed size and dpi, and no software
or time stamp in the metadata. Every file is written atomically.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from matplotlib import dates as mdates
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, PathPatch, Rectangle
from matplotlib.path import Path as MplPath
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter, MaxNLocator
from matplotlib.transforms import Bbox
from shapely.geometry.base import BaseGeometry

from garant._io import atomic_path
from garant.errors import DataError

__all__ = [
    "ATTRIBUTION",
    "frontline_map",
    "monthly_changes_chart",
    "occupied_area_chart",
]

log = logging.getLogger(__name__)

#: Attribution printed on every map.
ATTRIBUTION = (
    "Data: DeepStateMap (deepstatemap.live); Natural Earth; "
    "© OpenStreetMap contributors/geoBoundaries (ODbL)"
)
#: Days without a snapshot from which a gap counts as a stretch of monthly-only data.
LONG_GAP_DAYS = 7

DPI = 150
# Russian gains red, Russian losses (Ukrainian gains) blue, as DeepStateMap does.
GAINED = "#c62828"
LOST = "#1f5fa8"
NET = "#222222"
OCCUPIED_FILL = "#e57373"
OCCUPIED_EDGE = "#b71c1c"
LINE = "#7f0000"
UKRAINE_FILL = "#fbf8ef"
NEIGHBOUR_FILL = "#dcdcdc"
SEA = "#dfeaf2"
GAP_FILL = "#d9d9d9"
TEXT = "#222222"
MUTED = "#6b6b6b"

#: Equal-area projection centred on Ukraine, used to draw the map (metres).
MAP_CRS = pyproj.CRS.from_proj4(
    "+proj=laea +lat_0=48.5 +lon_0=31.5 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs"
)

_RC = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 11,
    "axes.labelsize": 9,
    "axes.edgecolor": "#888888",
    "axes.spines.top": False,
    "xtick.color": "#444444",
    "ytick.color": "#444444",
    "svg.hashsalt": "garant",
}


# --------------------------------------------------------------------------- plumbing


def _new_figure(width_in: float, height_in: float, *, constrained: bool = True) -> Figure:
    fig = Figure(
        figsize=(width_in, height_in), dpi=DPI, layout="constrained" if constrained else None
    )
    FigureCanvasAgg(fig)
    return fig


def _save(fig: Figure, path: str | Path) -> Path:
    """Write ``fig`` to a PNG atomically, without time or software stamps."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(target, suffix=".png") as tmp:
        fig.savefig(tmp, format="png", dpi=DPI, metadata={"Software": None}, facecolor="white")
    log.info("wrote chart %s", target)
    return target


def _require(df: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise DataError(f"{what}: missing columns {missing} (has {list(df.columns)})")
    if df.empty:
        raise DataError(f"{what}: no rows to plot")


def _thousands(x: float, _pos: object = None) -> str:
    return f"{x:,.0f}"


def _signed(x: float, decimals: int = 1) -> str:
    """Format with an explicit sign and a true minus sign."""
    s = f"{abs(x):,.{decimals}f}"
    if round(x, decimals) > 0:
        return "+" + s
    if round(x, decimals) < 0:
        return "−" + s
    return s


# --------------------------------------------------------------------------- time series


def _gap_spans(dates: pd.Series) -> list[tuple[pd.Timestamp, pd.Timestamp, int]]:
    """(previous date, date, missing days) for each gap of one or more missing days."""
    d = pd.to_datetime(dates).reset_index(drop=True)
    missing = (d.diff().dt.days - 1).fillna(0).astype(int)
    return [(d[i - 1], d[i], int(missing[i])) for i in np.flatnonzero(missing.to_numpy() > 0)]


def occupied_area_chart(
    daily_series: pd.DataFrame, path: str | Path, *, title: str | None = None
) -> Path:
    """Plot occupied area over time, with a panel of daily net change below.

    The top panel shows ``occupied_km2`` (left axis) and the same curve as a
    share of Ukraine (right axis, from ``occupied_pct``). Missing days are shaded
    grey; stretches of ``LONG_GAP_DAYS`` or more missing days (monthly snapshots
    only, or no data) are hatched and the curve is dashed across them. When the
    series has ``net_km2`` or the 7-/30-day rates, a lower panel shows the daily
    net change (red: Russian gain, blue: Russian loss) and the rolling rates.

    Parameters
    ----------
    daily_series : pandas.DataFrame
        Columns ``date`` and ``occupied_km2`` (km²); optional ``occupied_pct``
        (% of Ukraine), ``net_km2`` (km²), ``net_7d_km2_per_day`` and
        ``net_30d_km2_per_day`` (km²/day). One row per snapshot day; gaps are found
        from the dates themselves.
    path : str or pathlib.Path
        The PNG to write.
    title : str, optional
        Chart title (default: "Russian-occupied territory of Ukraine").

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    DataError
        A required column is missing or the series is empty.
    """
    _require(daily_series, ("date", "occupied_km2"), "daily series")
    df = daily_series.copy()
    df["date"] = pd.to_datetime(df["date"])
    df = df.sort_values("date").reset_index(drop=True)
    rates = [c for c in ("net_7d_km2_per_day", "net_30d_km2_per_day") if c in df.columns]
    has_lower = ("net_km2" in df.columns and df["net_km2"].notna().any()) or any(
        df[c].notna().any() for c in rates
    )
    fig = _new_figure(10, 6.2 if has_lower else 4.6)
    with _rc_context():
        if has_lower:
            ax, ax2 = fig.subplots(
                2, 1, sharex=True, gridspec_kw={"height_ratios": [2.3, 1], "hspace": 0.04}
            )
        else:
            ax, ax2 = fig.subplots(1, 1), None
        _area_panel(ax, df)
        if ax2 is not None:
            _rate_panel(ax2, df, rates)
        fig.suptitle(
            title or "Russian-occupied territory of Ukraine",
            x=0.01,
            ha="left",
            fontsize=12,
            fontweight="bold",
            color=TEXT,
        )
        last = df.iloc[-1]
        ax.set_title(
            f"{last['date']:%d %b %Y}: {last['occupied_km2']:,.0f} km²"
            + (
                f" ({last['occupied_pct']:.2f} % of Ukraine)"
                if "occupied_pct" in df.columns and pd.notna(last["occupied_pct"])
                else ""
            ),
            loc="left",
            fontsize=9,
            color=MUTED,
        )
        bottom = ax2 if ax2 is not None else ax
        locator = mdates.AutoDateLocator(minticks=5, maxticks=12)
        bottom.xaxis.set_major_locator(locator)
        bottom.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        return _save(fig, path)


def _rc_context() -> Any:
    import matplotlib as mpl

    return mpl.rc_context(_RC)  # type: ignore[arg-type]


def _scaler(factor: float) -> Any:
    def scale(values: Any) -> Any:
        return np.asarray(values, dtype=float) * factor

    return scale


def _area_panel(ax: Axes, df: pd.DataFrame) -> None:
    dates, km2 = df["date"], df["occupied_km2"].astype(float)
    x = np.asarray(mdates.date2num(dates.dt.to_pydatetime()), dtype=float)
    y = km2.to_numpy(dtype=float)
    breaks: list[int] = []  # insert a NaN before these indices: no solid line across
    shaded_short = shaded_long = False
    for start, end, n in _gap_spans(dates):
        long = n >= LONG_GAP_DAYS
        x0, x1 = (float(v) for v in mdates.date2num([start.to_pydatetime(), end.to_pydatetime()]))
        ax.axvspan(
            x0,
            x1,
            facecolor=GAP_FILL,
            alpha=0.55 if long else 0.8,
            hatch="////" if long else None,
            edgecolor="#b0b0b0" if long else "none",
            linewidth=0,
            zorder=0,
        )
        shaded_long |= long
        shaded_short |= not long
        if long:
            breaks.append(int(np.searchsorted(x, x1)))
    xs = np.insert(x, breaks, np.nan)
    ys = np.insert(y, breaks, np.nan)
    # dashed underneath bridges the long gaps; solid on top where the data are dense
    ax.plot(x, y, color=OCCUPIED_EDGE, lw=1.0, ls=(0, (3, 2)), alpha=0.7, zorder=2)
    ax.plot(
        xs,
        ys,
        color=OCCUPIED_EDGE,
        lw=1.8,
        zorder=3,
        marker="o" if len(df) < 40 else None,
        ms=3,
    )
    ax.xaxis_date()
    lo, hi = float(km2.min()), float(km2.max())
    pad = max((hi - lo) * 0.12, hi * 0.002, 1.0)
    ax.set_ylim(lo - pad, hi + pad)
    ax.set_xlim(x[0], x[-1] if len(x) > 1 else x[0] + 1.0)
    ax.set_ylabel("Occupied area (km²)")
    ax.yaxis.set_major_formatter(FuncFormatter(_thousands))
    ax.yaxis.set_major_locator(MaxNLocator(6))
    ax.grid(axis="y", color="#e6e6e6", lw=0.8)
    ax.set_axisbelow(True)
    if "occupied_pct" in df.columns:
        ratio = (df["occupied_pct"].astype(float) / km2).replace([np.inf, -np.inf], np.nan).median()
        if pd.notna(ratio) and ratio > 0:
            r = float(ratio)
            sec = ax.secondary_yaxis("right", functions=(_scaler(r), _scaler(1.0 / r)))
            sec.set_ylabel("Share of Ukraine (%)")
            sec.yaxis.set_major_formatter(FuncFormatter(lambda y, _p: f"{y:.2f}"))
    handles: list[Any] = [Line2D([], [], color=OCCUPIED_EDGE, lw=1.8, label="Occupied area")]
    if shaded_short:
        handles.append(Patch(facecolor=GAP_FILL, alpha=0.8, label="Missing day(s)"))
    if shaded_long:
        handles.append(
            Patch(
                facecolor=GAP_FILL,
                alpha=0.55,
                hatch="////",
                edgecolor="#b0b0b0",
                label=f"Monthly snapshots only / no data (≥ {LONG_GAP_DAYS} days)",
            )
        )
    ax.legend(handles=handles, loc="upper left", frameon=False, fontsize=8)


def _rate_panel(ax: Axes, df: pd.DataFrame, rates: list[str]) -> None:
    dates = df["date"]
    if "net_km2" in df.columns:
        net = df["net_km2"].astype(float)
        gap = (dates.diff().dt.days.fillna(1)).clip(lower=1)
        daily = net / gap  # km² per day, spreading a multi-day change over its days
        colours = np.where(daily.to_numpy() >= 0, GAINED, LOST)
        width = 0.8 if len(df) < 400 else 1.0
        ax.bar(dates, daily, width=width, color=colours, alpha=0.45, linewidth=0, label="_daily")
    styles = {
        "net_7d_km2_per_day": ("7-day mean", 1.4, "-"),
        "net_30d_km2_per_day": ("30-day mean", 1.8, "-"),
    }
    colours_line = {"net_7d_km2_per_day": "#555555", "net_30d_km2_per_day": NET}
    for col in rates:
        label, lw, ls = styles[col]
        ax.plot(dates, df[col].astype(float), color=colours_line[col], lw=lw, ls=ls, label=label)
    ax.axhline(0, color="#888888", lw=0.8)
    ax.set_ylabel("Net change\n(km²/day)")
    ax.grid(axis="y", color="#e6e6e6", lw=0.8)
    ax.set_axisbelow(True)
    handles: list[Any] = []
    if "net_km2" in df.columns:
        handles += [
            Patch(facecolor=GAINED, alpha=0.45, label="Russian gain"),
            Patch(facecolor=LOST, alpha=0.45, label="Russian loss"),
        ]
    handles += [h for h in ax.get_lines() if not str(h.get_label()).startswith("_")]
    ax.legend(handles=handles, loc="upper left", frameon=False, fontsize=8, ncols=len(handles))
    vals = [df[c].astype(float) for c in rates]
    if "net_km2" in df.columns:
        vals.append(df["net_km2"].astype(float) / dates.diff().dt.days.fillna(1).clip(lower=1))
    allv = pd.concat(vals).dropna() if vals else pd.Series(dtype=float)
    if len(allv):
        lim = max(float(allv.abs().quantile(0.995)) * 1.15, 1.0)
        ax.set_ylim(-lim, lim * 1.25)  # headroom for the legend


def monthly_changes_chart(
    monthly: pd.DataFrame, path: str | Path, *, title: str | None = None
) -> Path:
    """Bar chart of territory gained and lost per month, with the net as a marker.

    Gains (Russian) are red bars above zero, losses blue bars below zero, the net
    a black diamond. Months covered on fewer days than they have (``days_covered``)
    are drawn paler and marked with an asterisk.

    Parameters
    ----------
    monthly : pandas.DataFrame
        Columns ``month`` ('YYYY-MM'), ``gained_km2``, ``lost_km2`` (both ≥ 0, km²)
        and ``net_km2`` (km²); optional ``days_covered``.
    path : str or pathlib.Path
        The PNG to write.
    title : str, optional
        Chart title (default: "Territory gained and lost per month").

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    DataError
        A required column is missing or the table is empty.
    """
    _require(monthly, ("month", "gained_km2", "lost_km2", "net_km2"), "monthly summary")
    df = monthly.sort_values("month").reset_index(drop=True)
    months = df["month"].astype(str).tolist()
    x = np.arange(len(df))
    gained = df["gained_km2"].astype(float).to_numpy()
    lost = df["lost_km2"].astype(float).abs().to_numpy()
    net = df["net_km2"].astype(float).to_numpy()
    partial = np.zeros(len(df), dtype=bool)
    if "days_covered" in df.columns:
        days_in = pd.PeriodIndex(months, freq="M").days_in_month.to_numpy()
        partial = df["days_covered"].astype(float).to_numpy() < days_in
    alpha = np.where(partial, 0.45, 0.9)
    fig = _new_figure(max(6.0, min(12.0, 2.5 + 0.32 * len(df))), 4.8)
    with _rc_context():
        ax = fig.subplots()
        for i in range(len(df)):
            ax.bar(x[i], gained[i], width=0.72, color=GAINED, alpha=alpha[i], linewidth=0)
            ax.bar(x[i], -lost[i], width=0.72, color=LOST, alpha=alpha[i], linewidth=0)
        ax.scatter(
            x, net, marker="D", s=22, color=NET, zorder=4, edgecolors="white", linewidths=0.6
        )
        ax.axhline(0, color="#666666", lw=0.8)
        ax.set_xticks(x)
        labels = [f"{m}*" if p else m for m, p in zip(months, partial, strict=True)]
        step = max(1, math.ceil(len(df) / 40))
        ax.set_xticklabels(
            [lab if i % step == 0 else "" for i, lab in enumerate(labels)],
            rotation=60 if len(df) > 8 else 0,
            ha="right" if len(df) > 8 else "center",
            rotation_mode="anchor",
            fontsize=8,
        )
        ax.set_xlim(-0.6, len(df) - 0.4)
        top = max(float(np.nanmax(gained)), float(np.nanmax(net)), 1.0)
        bottom = max(float(np.nanmax(lost)), float(-np.nanmin(net)), 1.0)
        ax.set_ylim(-bottom * 1.15, top * 1.3)
        ax.yaxis.set_major_formatter(
            FuncFormatter(lambda v, _p: _thousands(v) if v >= 0 else "−" + _thousands(-v))
        )
        ax.set_ylabel("km² per month")
        ax.spines["right"].set_visible(False)
        ax.grid(axis="y", color="#e6e6e6", lw=0.8)
        ax.set_axisbelow(True)
        handles: list[Any] = [
            Patch(facecolor=GAINED, alpha=0.9, label="Gained by Russia"),
            Patch(facecolor=LOST, alpha=0.9, label="Lost by Russia"),
            Line2D([], [], marker="D", ls="none", color=NET, markeredgecolor="white", label="Net"),
        ]
        if partial.any():
            handles.append(
                Patch(facecolor="#999999", alpha=0.45, label="* month not fully covered")
            )
        ax.legend(handles=handles, loc="upper left", frameon=False, fontsize=8, ncols=len(handles))
        ax.set_title(
            title or "Territory gained and lost per month",
            loc="left",
            fontsize=12,
            fontweight="bold",
            color=TEXT,
        )
        return _save(fig, path)


# --------------------------------------------------------------------------- map


def _as_series(obj: Any, name: str) -> gpd.GeoSeries:
    """A GeoSeries in EPSG:4326 from a geometry, a GeoSeries or a GeoDataFrame."""
    if obj is None:
        return gpd.GeoSeries([], crs=4326)
    if isinstance(obj, BaseGeometry):
        return gpd.GeoSeries([obj], crs=4326)
    if isinstance(obj, gpd.GeoDataFrame):
        obj = obj.geometry
    if isinstance(obj, gpd.GeoSeries):
        if obj.crs is None:
            raise DataError(f"map layer {name!r} has no CRS; expected EPSG:4326")
        return obj.to_crs(4326)
    raise DataError(
        f"map layer {name!r}: expected a geometry or GeoDataFrame, got {type(obj).__name__}"
    )


def _scale_bar(ax: Axes, width_m: float) -> Rectangle:
    """Draw a scale bar in the lower left (axes in metres); return its background patch.

    The map is equal-area and centred on Ukraine, so the scale is true within a
    few per cent across the front.
    """
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    nice = [10, 20, 25, 50, 100, 200, 250, 500, 1000]
    km = max(n for n in nice if n * 1000 <= max(width_m / 5, 10_000))
    bar = km * 1000.0
    bx, by = x0 + (x1 - x0) * 0.035, y0 + (y1 - y0) * 0.04
    h = (y1 - y0) * 0.008
    pad_x, pad_y = (x1 - x0) * 0.012, (y1 - y0) * 0.012
    back = Rectangle(
        (bx - pad_x, by - pad_y),
        bar + 4 * pad_x,
        h + (y1 - y0) * 0.03 + 2 * pad_y,
        facecolor="white",
        edgecolor="#bbbbbb",
        lw=0.6,
        alpha=0.88,
        zorder=19,
    )
    ax.add_patch(back)
    for i in range(4):
        ax.add_patch(
            Rectangle(
                (bx + i * bar / 4, by),
                bar / 4,
                h,
                facecolor=TEXT if i % 2 == 0 else "white",
                edgecolor=TEXT,
                lw=0.6,
                zorder=20,
            )
        )
    ty = by + h + (y1 - y0) * 0.006
    for frac, text in ((0.0, "0"), (0.5, f"{km / 2:g}"), (1.0, f"{km:g} km")):
        ax.text(
            bx + frac * bar, ty, text, ha="center", va="bottom", fontsize=7, color=TEXT, zorder=20
        )
    return back


def _boxes_overlap(a: Bbox, boxes: list[Bbox]) -> bool:
    return any(a.overlaps(b) for b in boxes)


def _place_labels(
    fig: Figure, ax: Axes, items: list[tuple[float, float, str, str]], avoid: list[Bbox]
) -> int:
    """Greedy label placement: try offsets around each point, keep the first that fits.

    ``items`` are (x, y, text, colour) in data coordinates, most important first.
    Labels that overlap an earlier label, an ``avoid`` box or the axes edge are
    moved; those that fit nowhere are dropped. The boxes of placed labels are
    appended to ``avoid``. Returns the number placed.
    """
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    frame = ax.get_window_extent(renderer)
    placed = avoid  # placed labels are appended, for the caller's later labels
    base = [(10, 10), (10, -12), (-10, 10), (-10, -12), (16, 0), (-16, 0), (0, 18), (0, -20)]
    # spread labels outwards: prefer offsets pointing away from the middle of the cluster
    mx = float(np.mean([it[0] for it in items])) if items else 0.0
    my = float(np.mean([it[1] for it in items])) if items else 0.0
    n = 0
    for x, y, text, colour in items:
        px, py = ax.transData.transform((x, y)) - ax.transData.transform((mx, my))
        norm = math.hypot(px, py) or 1.0
        ranked = sorted(base, key=lambda o: -(o[0] * px + o[1] * py) / norm)
        for dx, dy in [(dx * k, dy * k) for k in (1.0, 2.4, 4.0) for dx, dy in ranked]:
            ann = ax.annotate(
                text,
                (x, y),
                xytext=(dx, dy),
                textcoords="offset points",
                ha="left" if dx > 0 else "right" if dx < 0 else "center",
                va="bottom" if dy > 0 else "top" if dy < 0 else "center",
                fontsize=7.5,
                fontweight="bold",
                color=colour,
                zorder=30,
                bbox={
                    "boxstyle": "round,pad=0.25",
                    "fc": "white",
                    "ec": colour,
                    "lw": 0.6,
                    "alpha": 0.92,
                },
                arrowprops={
                    "arrowstyle": "-",
                    "color": colour,
                    "lw": 0.7,
                    "shrinkA": 0,
                    "shrinkB": 2,
                },
            )
            # the text's own extent (without the leader line), padded for its box
            ann.update_positions(renderer)  # resolve the offset before measuring
            box = Text.get_window_extent(ann, renderer).padded(5)
            inside = (
                box.x0 >= frame.x0 + 2
                and box.x1 <= frame.x1 - 2
                and box.y0 >= frame.y0 + 2
                and box.y1 <= frame.y1 - 2
            )
            if inside and not _boxes_overlap(box.expanded(1.04, 1.1), placed):
                placed.append(box)
                n += 1
                break
            ann.remove()
    return n


def _change_label(row: Any) -> str:
    sign = "+" if str(row.kind) == "gained" else "−"
    place = row.settlement if isinstance(row.settlement, str) and row.settlement else None
    where = (
        f" near {place}"
        if place
        else (f" ({row.sector})" if isinstance(getattr(row, "sector", None), str) else "")
    )
    return f"{sign}{row.area_km2:,.1f} km²{where}"


def frontline_map(
    occupied: BaseGeometry | gpd.GeoSeries | gpd.GeoDataFrame,
    line: BaseGeometry | gpd.GeoSeries | gpd.GeoDataFrame | None,
    changes: gpd.GeoDataFrame | None,
    countries: gpd.GeoDataFrame,
    oblasts: gpd.GeoDataFrame | None,
    path: str | Path,
    *,
    title: str,
    subtitle: str | None = None,
    n_labels: int = 6,
    attribution: str = ATTRIBUTION,
) -> Path:
    """Draw a map of the front: occupied territory, line of contact, recent changes.

    The main panel is zoomed to the line of contact (or the occupied territory)
    in an equal-area projection centred on Ukraine (:data:`MAP_CRS`); an inset
    shows all of Ukraine with the zoomed extent. Neighbours are grey, Ukraine
    light, oblast borders thin, occupied territory red and hatched, the line of
    contact bold; gains (red) and losses (blue) are filled and ringed so that
    even small ones show, and the ``n_labels`` largest are labelled
    ("+4.2 km² near Pokrovsk") without overlapping. A scale bar and the
    attribution sit at the bottom.

    Parameters
    ----------
    occupied : shapely geometry, GeoSeries or GeoDataFrame
        Occupied territory, (Multi)Polygon, EPSG:4326 (if a bare geometry).
    line : shapely geometry, GeoSeries or GeoDataFrame or None
        Line of contact, (Multi)LineString, EPSG:4326.
    changes : geopandas.GeoDataFrame or None
        Changes to highlight, columns ``kind`` ('gained'/'lost'), ``area_km2``
        (km²), ``settlement`` (may be empty), ``sector`` (optional).
    countries : geopandas.GeoDataFrame
        Countries with ``iso_a3``; ``UKR`` is drawn light, the others grey.
    oblasts : geopandas.GeoDataFrame or None
        Oblast polygons; their borders are drawn thin.
    path : str or pathlib.Path
        The PNG to write.
    title : str
        Map title.
    subtitle : str, optional
        A second line under the title (e.g. the date and the measures).
    n_labels : int
        How many of the largest changes to label.
    attribution : str
        Data attribution printed at the bottom.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    DataError
        A layer has no CRS or the wrong type, or ``countries`` lacks ``iso_a3``.
    """
    if "iso_a3" not in countries.columns:
        raise DataError(f"countries: missing column 'iso_a3' (has {list(countries.columns)})")
    occ = _as_series(occupied, "occupied").to_crs(MAP_CRS)
    loc = _as_series(line, "line").to_crs(MAP_CRS)
    ctry = countries.to_crs(MAP_CRS)
    ukr = ctry[ctry["iso_a3"] == "UKR"]
    others = ctry[ctry["iso_a3"] != "UKR"]
    obl = oblasts.to_crs(MAP_CRS) if oblasts is not None and len(oblasts) else None
    chg = changes.to_crs(MAP_CRS) if changes is not None and len(changes) else None

    focus = loc if len(loc) and not loc.is_empty.all() else occ
    if not len(focus) or focus.is_empty.all():
        focus = ukr.geometry
    fx0, fy0, fx1, fy1 = focus.total_bounds
    aspect = 1.25  # width / height of the main panel
    cx, cy = (fx0 + fx1) / 2, (fy0 + fy1) / 2
    w, h = (fx1 - fx0) * 1.12 + 60_000, (fy1 - fy0) * 1.12 + 60_000
    w, h = max(w, h * aspect), max(h, w / aspect)
    view = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)

    fig = _new_figure(10, 8.6, constrained=False)
    with _rc_context():
        ax = fig.add_axes((0.0, 0.05, 1.0, 0.85))
        ax.set_facecolor(SEA)
        _draw_base(ax, others, ukr, obl, occ, loc)
        handles: list[Any] = [
            Patch(
                facecolor=OCCUPIED_FILL,
                edgecolor=OCCUPIED_EDGE,
                hatch="///",
                alpha=0.55,
                label="Occupied by Russia",
            ),
            Line2D([], [], color=LINE, lw=2.2, label="Line of contact"),
        ]
        items: list[tuple[float, float, str, str]] = []
        if chg is not None:
            for kind, colour, label in (
                ("gained", GAINED, "Gained by Russia"),
                ("lost", LOST, "Lost by Russia"),
            ):
                part = chg[chg["kind"] == kind]
                if part.empty:
                    continue
                _fill(ax, part.geometry, facecolor=colour, edgecolor=colour, lw=0.8, zorder=6)
                pts = part.geometry.representative_point()
                size = 10 + 18 * np.sqrt(part["area_km2"].astype(float).clip(lower=0).to_numpy())
                ax.scatter(
                    pts.x,
                    pts.y,
                    s=np.minimum(size, 220),
                    facecolors="none",
                    edgecolors=colour,
                    linewidths=1.1,
                    zorder=7,
                )
                handles.append(
                    Line2D(
                        [],
                        [],
                        marker="o",
                        ls="none",
                        markerfacecolor="none",
                        markeredgecolor=colour,
                        markersize=7,
                        label=label,
                    )
                )
            top = chg.sort_values("area_km2", ascending=False).head(n_labels)
            for row in top.itertuples():
                p = row.geometry.representative_point()
                colour = GAINED if row.kind == "gained" else LOST
                items.append((p.x, p.y, _change_label(row), colour))
        ax.set_xlim(view[0], view[2])
        ax.set_ylim(view[1], view[3])
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
        for s in ax.spines.values():
            s.set_visible(True)
            s.set_color("#888888")
        scale = _scale_bar(ax, view[2] - view[0])
        leg = ax.legend(
            handles=handles,
            loc="lower right",
            fontsize=8,
            framealpha=0.92,
            edgecolor="#bbbbbb",
            title="Legend",
            title_fontsize=8,
        )
        leg.set_zorder(40)

        inset = ax.inset_axes((0.0, 0.70, 0.30, 0.30))
        _draw_inset(inset, others, ukr, occ, loc, view)

        map_header(fig, title, subtitle, attribution)
        fig.canvas.draw()
        boxes = [leg.get_window_extent(), inset.get_window_extent(), scale.get_window_extent()]
        placed = _place_labels(fig, ax, items, boxes)
        if placed < len(items):
            log.info("map: placed %d of %d change labels", placed, len(items))
        _oblast_labels(fig, ax, obl, boxes)
        return _save(fig, path)


def map_header(fig: Figure, title: str, subtitle: str | None, attribution: str) -> None:
    """Title, subtitle, attribution and projection note of a map figure (one layout for all).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure.
    title : str
        Bold title, top left.
    subtitle : str, optional
        Grey line under the title (omitted when empty).
    attribution : str
        Data credits, bottom left.
    """
    fig.text(0.012, 0.965, title, fontsize=14, fontweight="bold", color=TEXT, va="center")
    if subtitle:
        fig.text(0.012, 0.925, subtitle, fontsize=9.5, color=MUTED, va="center")
    fig.text(0.012, 0.025, attribution, fontsize=7, color=MUTED, va="center")
    fig.text(
        0.988,
        0.025,
        "Equal-area projection centred on 48.5° N, 31.5° E",
        fontsize=7,
        color=MUTED,
        va="center",
        ha="right",
    )


def _polygon_path(geom: BaseGeometry) -> MplPath | None:
    """One compound path of all rings of a (Multi)Polygon (holes by even-odd winding)."""
    polys = [
        g for g in shapely.get_parts(geom) if isinstance(g, shapely.Polygon) and not g.is_empty
    ]
    if not polys:
        return None
    paths = [
        MplPath(np.asarray(ring.coords)[:, :2], closed=True)
        for poly in polys
        for ring in (poly.exterior, *poly.interiors)
    ]
    return MplPath.make_compound_path(*paths)


def _fill(ax: Axes, geoms: Iterable[BaseGeometry], **style: Any) -> None:
    """Draw polygons (one PathPatch each) on ``ax``."""
    for geom in geoms:
        if geom is None or geom.is_empty:
            continue
        path = _polygon_path(geom)
        if path is not None:
            ax.add_patch(PathPatch(path, **style))


def _lines(ax: Axes, geoms: Iterable[BaseGeometry], **style: Any) -> None:
    """Draw the linear parts (and polygon boundaries) of ``geoms`` as one collection."""
    segs: list[np.ndarray] = []
    for geom in geoms:
        if geom is None or geom.is_empty:
            continue
        if geom.geom_type in ("Polygon", "MultiPolygon"):
            geom = geom.boundary
        for part in shapely.get_parts(geom):
            if isinstance(part, shapely.LineString | shapely.LinearRing) and not part.is_empty:
                segs.append(np.asarray(part.coords)[:, :2])
    if segs:
        ax.add_collection(LineCollection(segs, **style), autolim=False)


def _draw_base(
    ax: Axes,
    others: gpd.GeoDataFrame,
    ukr: gpd.GeoDataFrame,
    obl: gpd.GeoDataFrame | None,
    occ: gpd.GeoSeries,
    loc: gpd.GeoSeries,
) -> None:
    _fill(ax, others.geometry, facecolor=NEIGHBOUR_FILL, edgecolor="white", lw=0.8, zorder=1)
    _fill(ax, ukr.geometry, facecolor=UKRAINE_FILL, edgecolor="none", zorder=2)
    _fill(ax, occ, facecolor=OCCUPIED_FILL, edgecolor="none", alpha=0.55, zorder=3)
    _fill(
        ax, occ, facecolor="none", edgecolor=OCCUPIED_EDGE, hatch="///", lw=0, alpha=0.4, zorder=3
    )
    _lines(ax, occ, colors=OCCUPIED_EDGE, linewidths=0.5, alpha=0.6, zorder=3.5)
    if obl is not None:
        _lines(ax, obl.geometry, colors="#8c8c8c", linewidths=0.5, linestyles=(0, (5, 3)), zorder=4)
    _lines(ax, ukr.geometry, colors="#555555", linewidths=0.9, zorder=4)
    _lines(ax, loc, colors="white", linewidths=4.2, alpha=0.85, zorder=5, capstyle="round")
    _lines(ax, loc, colors=LINE, linewidths=2.2, zorder=5.1, capstyle="round")


def _oblast_labels(fig: Figure, ax: Axes, obl: gpd.GeoDataFrame | None, boxes: list[Bbox]) -> None:
    """Label oblasts (grey italics) where the label fits in the view, clear of ``boxes``."""
    if obl is None:
        return
    name_col = next((c for c in ("name", "oblast_name", "shapeName") if c in obl.columns), None)
    if name_col is None:
        return
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    frame = ax.get_window_extent(renderer).padded(-6)
    for name, geom in zip(obl[name_col], obl.geometry, strict=True):
        if geom is None or geom.is_empty:
            continue
        p = geom.representative_point()
        short = str(name).replace(" Oblast", "").replace("Autonomous Republic of ", "")
        text = ax.text(
            p.x,
            p.y,
            short,
            fontsize=7,
            color="#7a7a7a",
            style="italic",
            ha="center",
            va="center",
            zorder=4.5,
            path_effects=[patheffects.withStroke(linewidth=2, foreground="white", alpha=0.7)],
        )
        box = text.get_window_extent(renderer)
        fits = (
            frame.x0 <= box.x0 and box.x1 <= frame.x1 and frame.y0 <= box.y0 and box.y1 <= frame.y1
        )
        if not fits or _boxes_overlap(box.padded(2), boxes):
            text.remove()
        else:
            boxes.append(box)


def _draw_inset(
    inset: Axes,
    others: gpd.GeoDataFrame,
    ukr: gpd.GeoDataFrame,
    occ: gpd.GeoSeries,
    loc: gpd.GeoSeries,
    view: tuple[float, ...],
) -> None:
    inset.set_facecolor(SEA)
    inset.set_anchor("NW")
    _fill(inset, others.geometry, facecolor=NEIGHBOUR_FILL, edgecolor="white", lw=0.4)
    _fill(inset, ukr.geometry, facecolor=UKRAINE_FILL, edgecolor="#555555", lw=0.5)
    _fill(inset, occ, facecolor=OCCUPIED_FILL, edgecolor="none", alpha=0.85)
    _lines(inset, loc, colors=LINE, linewidths=0.8)
    bx0, by0, bx1, by1 = ukr.total_bounds if len(ukr) else np.array(view)
    bx0, by0 = min(bx0, view[0]), min(by0, view[1])
    bx1, by1 = max(bx1, view[2]), max(by1, view[3])
    mx, my = (bx1 - bx0) * 0.06, (by1 - by0) * 0.08
    inset.set_xlim(bx0 - mx, bx1 + mx)
    inset.set_ylim(by0 - my, by1 + my)
    inset.set_aspect("equal")
    inset.add_patch(
        Rectangle(
            (view[0], view[1]),
            view[2] - view[0],
            view[3] - view[1],
            facecolor="none",
            edgecolor=TEXT,
            lw=1.0,
            zorder=10,
        )
    )
    inset.set_xticks([])
    inset.set_yticks([])
    for s in inset.spines.values():
        s.set_visible(True)
        s.set_color("#666666")
        s.set_linewidth(0.8)
