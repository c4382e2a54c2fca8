"""Map of a land force: the line by sector, candidate bases and reach isochrones.

Drawn like :func:`garant.report.charts.frontline_map` (same equal-area projection,
colours, base layers and scale bar; Agg canvas, no pyplot, deterministic PNG written
atomically).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
from matplotlib import colormaps, patheffects
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from garant.errors import DataError
from garant.report.charts import (
    ATTRIBUTION,
    MAP_CRS,
    OCCUPIED_EDGE,
    OCCUPIED_FILL,
    SEA,
    TEXT,
    _as_series,
    _draw_base,
    _fill,
    _lines,
    _new_figure,
    _rc_context,
    _save,
    _scale_bar,
    map_header,
)

if TYPE_CHECKING:
    from garant.land.bases import FrontLike

__all__ = ["land_map"]

log = logging.getLogger(__name__)

_BASE_COLOUR = "#1a237e"
_ISO_CMAP = "YlGn_r"
_SECTOR_CMAP = "tab20"


def _isochrone_layers(isochrones: gpd.GeoDataFrame | None) -> list[tuple[float, Any]]:
    """(hours, geometry) per reaction time, largest first: the ``any`` rows or a union."""
    if isochrones is None or len(isochrones) == 0:
        return []
    for col in ("hours", "geometry"):
        if col not in isochrones.columns:
            raise DataError(f"isochrones: missing column {col!r} (has {list(isochrones.columns)})")
    iso = isochrones.to_crs(MAP_CRS) if isochrones.crs is not None else None
    if iso is None:
        raise DataError("map layer 'isochrones' has no CRS; expected EPSG:4326")
    if "base_id" in iso.columns and (iso["base_id"] == "any").any():
        iso = iso[iso["base_id"] == "any"]
    merged = iso.dissolve(by="hours")
    return sorted(
        ((float(h), g) for h, g in zip(merged.index, merged.geometry, strict=True)),
        key=lambda t: -t[0],
    )


def land_map(
    front: FrontLike,
    bases: gpd.GeoDataFrame,
    isochrones: gpd.GeoDataFrame | None,
    path: str | Path,
    *,
    title: str | None = None,
    subtitle: str | None = None,
) -> Path:
    """Draw Ukraine, occupied territory, the line by sector, bases and reach isochrones.

    Parameters
    ----------
    front : FrontLike
        The front: ``occupied``, ``line`` and, if it has them, ``sectors`` (a
        GeoDataFrame with ``sector`` and geometry: each sector gets its own colour)
        and ``date``.
    bases : geopandas.GeoDataFrame
        ``base_id``, ``name`` and Point geometry (EPSG:4326), e.g.
        :func:`garant.land.bases.load_bases`.
    isochrones : geopandas.GeoDataFrame or None
        :func:`garant.land.reach.reach_isochrones` (``hours``, geometry; the
        ``base_id == "any"`` rows are drawn if present, else the union per T).
    path : str or pathlib.Path
        The PNG to write.
    title, subtitle : str, optional
        Title (default "Land force: bases and reach") and a second line (default
        the front's date and line length).

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    DataError
        A layer lacks a CRS or columns, or ``bases`` is empty.
    """
    from garant.sources.geography import countries, oblasts

    if len(bases) == 0 or "name" not in bases.columns:
        raise DataError("bases: nothing to draw (need rows with 'name' and a geometry)")
    if bases.crs is None:
        raise DataError("map layer 'bases' has no CRS; expected EPSG:4326")
    ctry = countries().to_crs(MAP_CRS)
    ukr = ctry[ctry["iso_a3"] == "UKR"]
    others = ctry[ctry["iso_a3"] != "UKR"]
    obl = oblasts().to_crs(MAP_CRS)
    occ = _as_series(front.occupied, "occupied").to_crs(MAP_CRS)
    line = _as_series(front.line, "line").to_crs(MAP_CRS)
    sectors = getattr(front, "sectors", None)
    pts = bases.to_crs(MAP_CRS)
    layers = _isochrone_layers(isochrones)

    x0, y0, x1, y1 = ukr.total_bounds
    pad_x, pad_y = (x1 - x0) * 0.04, (y1 - y0) * 0.06
    view = (x0 - pad_x, y0 - pad_y, x1 + pad_x, y1 + pad_y)

    fig = _new_figure(12, 7.4, constrained=False)
    with _rc_context():
        ax = fig.add_axes((0.0, 0.05, 0.8, 0.85))
        ax.set_facecolor(SEA)
        _draw_base(ax, others, ukr, obl, occ, gpd.GeoSeries([], crs=MAP_CRS))
        handles: list[Any] = [
            Patch(
                facecolor=OCCUPIED_FILL,
                edgecolor=OCCUPIED_EDGE,
                hatch="///",
                alpha=0.55,
                label="Occupied by Russia",
            )
        ]
        cmap = colormaps[_ISO_CMAP]
        n = max(len(layers), 1)
        for k, (hours, geom) in enumerate(layers):
            colour = cmap(0.15 + 0.7 * (n - 1 - k) / max(n - 1, 1))
            _fill(ax, [geom], facecolor=colour, edgecolor="none", alpha=0.35, zorder=2.5)
            _lines(ax, [geom], colors=[colour], linewidths=0.8, zorder=2.6)
            handles.append(Patch(facecolor=colour, alpha=0.5, label=f"Reached within {hours:g} h"))

        if sectors is not None and len(sectors) and "sector" in sectors.columns:
            sec = sectors.to_crs(MAP_CRS)
            scm = colormaps[_SECTOR_CMAP]
            for i, (name, geom) in enumerate(zip(sec["sector"], sec.geometry, strict=True)):
                colour = scm(i % scm.N)
                _lines(ax, [geom], colors="white", linewidths=4.0, zorder=5, capstyle="round")
                _lines(ax, [geom], colors=[colour], linewidths=2.4, zorder=5.1, capstyle="round")
                handles.append(Line2D([], [], color=colour, lw=2.4, label=f"Sector {name}"))
        else:
            _lines(ax, line, colors="white", linewidths=4.0, zorder=5, capstyle="round")
            _lines(ax, line, colors="#7f0000", linewidths=2.2, zorder=5.1, capstyle="round")
            handles.append(Line2D([], [], color="#7f0000", lw=2.2, label="Line of contact"))

        xs, ys = pts.geometry.x.to_numpy(), pts.geometry.y.to_numpy()
        ax.scatter(
            xs, ys, marker="s", s=34, color=_BASE_COLOUR, edgecolors="white", lw=0.8, zorder=8
        )
        for name, x, y in zip(pts["name"], xs, ys, strict=True):
            ax.annotate(
                str(name),
                (float(x), float(y)),
                xytext=(5, 4),
                textcoords="offset points",
                fontsize=7.5,
                color=TEXT,
                zorder=9,
                path_effects=[patheffects.withStroke(linewidth=2.2, foreground="white")],
            )
        handles.append(
            Line2D(
                [],
                [],
                marker="s",
                ls="none",
                color=_BASE_COLOUR,
                markersize=6,
                label="Candidate base",
            )
        )
        ax.set_xlim(view[0], view[2])
        ax.set_ylim(view[1], view[3])
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
        for s in ax.spines.values():
            s.set_visible(True)
            s.set_color("#888888")
        _scale_bar(ax, view[2] - view[0])
        leg = ax.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(1.01, 1.0),
            fontsize=7.5,
            framealpha=0.92,
            edgecolor="#bbbbbb",
        )
        leg.set_zorder(40)
        date = getattr(front, "date", None)
        sub = subtitle
        if sub is None:
            when = f"{date.isoformat()}: " if date is not None else ""
            sub = f"{when}line of contact {float(front.length_km):,.0f} km; {len(pts)} bases"
        map_header(fig, title or "Land force: bases and reach", sub, ATTRIBUTION)
        log.info("land map: %d bases, %d isochrone layers", len(pts), len(layers))
        return _save(fig, path)
