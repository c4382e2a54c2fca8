"""The HTML frontline report: measures, charts, map, tables, validation.

:func:`write_frontline_report` renders what the frontline module computed into one
self-contained HTML page (images embedded as base64 PNGs), with the charts, the
map and the tables also written next to it as PNG and CSV files. Everything is
rendered into a staging folder first and moved into place only when all of it
succeeded, so a failure never leaves a half-written report over a good one.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import geopandas as gpd
import jinja2
import pandas as pd
from shapely.geometry.base import BaseGeometry

from garant._io import staged_files, write_text_atomic
from garant.errors import ConfigError, DataError
from garant.report import charts
from garant.report.export import export_layer, export_table

__all__ = ["DEFAULT_DENOMINATOR_KM2", "LANGUAGES", "REPORT_FILES", "write_frontline_report"]

log = logging.getLogger(__name__)

#: Ukraine's official area (km², incl. Crimea and Sevastopol), the denominator of
#: the occupied share unless ``meta["denominator_km2"]`` says otherwise.
DEFAULT_DENOMINATOR_KM2 = 603_628.0
#: How many changes the "top changes" table lists, and how many the map labels.
TOP_CHANGES = 15
MAP_LABELS = 6
#: Window of "recent" changes before the latest date, days.
RECENT_DAYS = 30

HTML_NAME = "frontline.html"
#: Every file the report writes into ``out_dir`` (the HTML last).
REPORT_FILES: tuple[str, ...] = (
    "frontline_area.png",
    "frontline_monthly.png",
    "frontline_map.png",
    "frontline_daily.csv",
    "frontline_monthly.csv",
    "frontline_validation.csv",
    "frontline_changes.csv",
    "frontline_changes.geojson",
    "frontline_oblasts.csv",
    HTML_NAME,
)

_SOURCES_EN = (
    "Occupied territory: DeepStateMap (deepstatemap.live), daily archive via "
    "cyterat/deepstate-map-data (GPL-3.0) and map versions via the DeepStateMap API; "
    "DeepStateMap publishes no open-data licence.",
    "Country borders: Natural Earth 1:10m admin-0 (public domain).",
    "Oblast borders: geoBoundaries UKR ADM1 (Runfola et al. 2020), "
    "© OpenStreetMap contributors, ODbL 1.0.",
)
_SOURCES_UK = (
    "Окупована територія: DeepStateMap (deepstatemap.live), щоденний архів "
    "cyterat/deepstate-map-data (GPL-3.0) та версії мапи через API DeepStateMap; "
    "DeepStateMap не публікує відкритої ліцензії на дані.",
    "Державні кордони: Natural Earth 1:10m admin-0 (суспільне надбання).",
    "Межі областей: geoBoundaries UKR ADM1 (Runfola et al. 2020), "
    "© учасники OpenStreetMap, ODbL 1.0.",
)

#: UI strings per language.
LANGUAGES: dict[str, dict[str, Any]] = {
    "en": {
        "title": "Line of contact in Ukraine",
        "lead": "Russian-occupied territory of Ukraine as mapped by DeepStateMap, as of",
        "coverage": "data",
        "snapshots": "snapshots",
        "latest": "Latest measures",
        "occupied_area": "Occupied area",
        "share_of": "of Ukraine's",
        "denominator_note": (
            "Shares are of Ukraine's official area of {denominator} km² (including Crimea "
            "and Sevastopol). Areas are computed in an equal-area projection (EPSG:6933); "
            "occupied territory includes areas occupied before 2022 and excludes the grey "
            "zone."
        ),
        "change_7d": "Net change, last 7 days",
        "change_30d": "Net change, last 30 days",
        "line_length": "Length of the line of contact",
        "grey_zone": "Grey zone",
        "map": "Map of the front",
        "map_caption": (
            "Occupied territory (red, hatched), the line of contact (dark red) and the "
            "territory gained (red) or lost (blue) by Russia in the last 30 days; the "
            "largest changes are labelled"
        ),
        "over_time": "Occupied area over time",
        "area_caption": (
            "Occupied area (left axis, km²; right axis, share of Ukraine). Grey: days "
            "without a snapshot; hatched: stretches with monthly snapshots only or no data. "
            "Lower panel: daily net change and its 7- and 30-day means (km²/day)."
        ),
        "monthly": "Monthly gains and losses",
        "monthly_caption": (
            "Territory gained (red) and lost (blue) by Russia per calendar month, with the "
            "net change; * marks months not covered on every day."
        ),
        "month": "Month",
        "gained": "Gained",
        "lost": "Lost",
        "net": "Net",
        "occupied_end": "Occupied at month end",
        "share_end": "Share at month end",
        "days_covered": "Days covered",
        "validation": "Validation against DeepState's published figures",
        "published": "DeepState published",
        "difference": "Difference",
        "note": "Note",
        "no_validation": "No published figures to compare with.",
        "top_changes": "Largest changes",
        "period": "Between",
        "kind": "Change",
        "kind_gained": "gained by Russia",
        "kind_lost": "lost by Russia",
        "area": "Area",
        "near": "Near",
        "distance": "Distance",
        "sector": "Sector",
        "lat_lon": "Lat, lon",
        "no_changes": "No changes in this period.",
        "oblasts": "Occupied area by oblast",
        "oblast": "Oblast",
        "oblast_share": "Share of the oblast",
        "sources": "Data sources and attribution",
        "source_list": _SOURCES_EN,
        "files_note": "The tables and images of this report are also saved as files:",
        "store_sources": "Snapshot sources in the store",
        "footer": "Made with garant. Data: DeepStateMap; Natural Earth; "
        "© OpenStreetMap contributors/geoBoundaries.",
        "map_title": "Line of contact on {date}",
        "map_subtitle": "Occupied: {km2} km² ({pct} % of {den} km²) · changes since {since}",
    },
    "uk": {
        "title": "Лінія зіткнення в Україні",
        "lead": "Окупована Росією територія України за даними DeepStateMap, станом на",
        "coverage": "дані",
        "snapshots": "знімків",
        "latest": "Останні показники",
        "occupied_area": "Окупована площа",
        "share_of": "від площі України",
        "denominator_note": (
            "Частки — від офіційної площі України {denominator} км² (з Кримом і "
            "Севастополем). Площі обчислено в рівновеликій проєкції (EPSG:6933); окупована "
            "територія включає окуповане до 2022 року і не включає сіру зону."
        ),
        "change_7d": "Зміна за 7 днів",
        "change_30d": "Зміна за 30 днів",
        "line_length": "Довжина лінії зіткнення",
        "grey_zone": "Сіра зона",
        "map": "Мапа фронту",
        "map_caption": (
            "Окупована територія (червона, заштрихована), лінія зіткнення (темно-червона) "
            "та територія, яку Росія захопила (червона) або втратила (синя) за останні "
            "30 днів; найбільші зміни підписано"
        ),
        "over_time": "Окупована площа в часі",
        "area_caption": (
            "Окупована площа (ліва вісь, км²; права вісь, частка України). Сірим — дні без "
            "знімка; штрихуванням — періоди лише з місячними знімками або без даних. "
            "Нижня панель: щоденна зміна та її 7- і 30-денні середні (км²/день)."
        ),
        "monthly": "Зміни за місяцями",
        "monthly_caption": (
            "Територія, яку Росія захопила (червоне) і втратила (синє) за календарний "
            "місяць, та чиста зміна; * — місяці, не покриті щодня."
        ),
        "month": "Місяць",
        "gained": "Захоплено",
        "lost": "Втрачено",
        "net": "Чиста зміна",
        "occupied_end": "Окуповано на кінець місяця",
        "share_end": "Частка на кінець місяця",
        "days_covered": "Днів з даними",
        "validation": "Перевірка за опублікованими даними DeepState",
        "published": "Опубліковано DeepState",
        "difference": "Різниця",
        "note": "Примітка",
        "no_validation": "Немає опублікованих даних для порівняння.",
        "top_changes": "Найбільші зміни",
        "period": "Між",
        "kind": "Зміна",
        "kind_gained": "захоплено Росією",
        "kind_lost": "втрачено Росією",
        "area": "Площа",
        "near": "Поблизу",
        "distance": "Відстань",
        "sector": "Напрямок",
        "lat_lon": "Шир., довг.",
        "no_changes": "Змін за цей період немає.",
        "oblasts": "Окупована площа за областями",
        "oblast": "Область",
        "oblast_share": "Частка області",
        "sources": "Джерела даних",
        "source_list": _SOURCES_UK,
        "files_note": "Таблиці та зображення звіту також збережено у файлах:",
        "store_sources": "Джерела знімків у сховищі",
        "footer": "Створено garant. Дані: DeepStateMap; Natural Earth; "
        "© учасники OpenStreetMap/geoBoundaries.",
        "map_title": "Лінія зіткнення на {date}",
        "map_subtitle": "Окуповано: {km2} км² ({pct} % від {den} км²) · зміни з {since}",
    },
}


# --------------------------------------------------------------------------- formatting


def _missing(v: Any) -> bool:
    if v is None:
        return True
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _fmt_km2(v: Any, decimals: int = 1) -> str:
    return "—" if _missing(v) else f"{float(v):,.{decimals}f}"


def _fmt_pct(v: Any, decimals: int = 2) -> str:
    return "—" if _missing(v) else f"{float(v):.{decimals}f}"


def _fmt_signed(v: Any, decimals: int = 1) -> str:
    if _missing(v):
        return "—"
    x = round(float(v), decimals)
    s = f"{abs(x):,.{decimals}f}"
    return "+" + s if x > 0 else "−" + s if x < 0 else s


def _sign_class(v: Any) -> str:
    if _missing(v) or float(v) == 0:
        return ""
    return "gained" if float(v) > 0 else "lost"


def _fmt_int(v: Any) -> str:
    return "—" if _missing(v) else f"{int(v):d}"


def _fmt_coord(v: Any) -> str:
    return "—" if _missing(v) else f"{float(v):.4f}"


def _dash(v: Any) -> str:
    return "—" if _missing(v) or str(v).strip() == "" else str(v)


def _as_date(v: Any) -> dt.date | None:
    if _missing(v):
        return None
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    return pd.Timestamp(v).date()


def _environment() -> jinja2.Environment:
    folder = resources.files("garant.report") / "templates"
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        km2=_fmt_km2,
        pct=_fmt_pct,
        signed=_fmt_signed,
        signclass=_sign_class,
        int_or_dash=_fmt_int,
        coord=_fmt_coord,
        dash=_dash,
    )
    return env


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts, dates as ISO strings."""
    out = []
    for row in df.to_dict(orient="records"):
        rec: dict[str, Any] = {}
        for k, v in row.items():
            if isinstance(v, pd.Timestamp | dt.date):
                d = _as_date(v)
                v = d.isoformat() if d else None
            rec[str(k)] = v
        out.append(rec)
    return out


def _png_data_uri(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


# --------------------------------------------------------------------------- content


def _latest_measures(
    daily: pd.DataFrame, meta: Mapping[str, Any], denominator: float
) -> tuple[dt.date, float, float, dict[str, Any]]:
    """(latest date, occupied km², occupied %, all measures) from meta or the series."""
    measures: dict[str, Any] = dict(meta.get("measures") or {})
    last = daily.sort_values("date").iloc[-1] if len(daily) else None
    latest = _as_date(meta.get("latest_date")) or (
        _as_date(last["date"]) if last is not None else None
    )
    if latest is None:
        raise DataError("frontline report: no latest date (empty daily series and no meta)")
    km2: Any = measures.get("occupied_km2")
    if _missing(km2) and last is not None:
        km2 = last["occupied_km2"]
    if _missing(km2):
        raise DataError(f"frontline report: no occupied area for {latest}")
    pct: Any = measures.get("occupied_pct")
    if _missing(pct):
        pct = float(km2) / denominator * 100.0
    return latest, float(km2), float(pct), measures


def _extra_cards(
    daily: pd.DataFrame, measures: Mapping[str, Any], t: Mapping[str, Any]
) -> list[dict[str, str]]:
    cards: list[dict[str, str]] = []
    if len(daily):
        s = daily.sort_values("date")
        dates = pd.to_datetime(s["date"])
        km2 = s["occupied_km2"].astype(float)
        for days, key in ((7, "change_7d"), (30, "change_30d")):
            ref = km2[dates <= dates.iloc[-1] - pd.Timedelta(days=days)]
            if len(ref):
                d = float(km2.iloc[-1] - ref.iloc[-1])
                cards.append(
                    {"value": f"{_fmt_signed(d)} km²", "label": t[key], "css": _sign_class(d)}
                )
    length = measures.get("line_length_km")
    if not _missing(length):
        cards.append({"value": f"{_fmt_km2(length, 0)} km", "label": t["line_length"], "css": ""})
    grey: Any = measures.get("grey_zone_km2")
    if not _missing(grey) and float(grey) > 0:
        cards.append({"value": f"{_fmt_km2(grey, 0)} km²", "label": t["grey_zone"], "css": ""})
    return cards


def _recent_changes(
    changes: gpd.GeoDataFrame | None, latest: dt.date, since: dt.date | None
) -> gpd.GeoDataFrame | None:
    if changes is None or changes.empty:
        return changes
    if "to_date" not in changes.columns:
        return changes
    start = since or latest - dt.timedelta(days=RECENT_DAYS)
    to = pd.to_datetime(changes["to_date"]).dt.date
    out = changes[(to > start) & (to <= latest)]
    return gpd.GeoDataFrame(out, geometry=changes.geometry.name, crs=changes.crs)


def _change_rows(changes: gpd.GeoDataFrame | None, t: Mapping[str, Any]) -> list[dict[str, Any]]:
    if changes is None or changes.empty:
        return []
    top = changes.sort_values("area_km2", ascending=False).head(TOP_CHANGES)
    cols = [
        "from_date",
        "to_date",
        "kind",
        "area_km2",
        "settlement",
        "settlement_distance_km",
        "sector",
        "centroid_lat",
        "centroid_lon",
    ]
    frame = pd.DataFrame({c: top[c] if c in top.columns else None for c in cols})
    rows = _records(frame)
    for r in rows:
        r["kind_label"] = t.get(f"kind_{r['kind']}", r["kind"])
    return rows


def _source_lines(meta: Mapping[str, Any], t: Mapping[str, Any]) -> list[str]:
    lines = [str(s) for s in t["source_list"]]
    used = meta.get("sources")
    if used:
        names = ", ".join(str(s) for s in used)
        where = f" ({meta['store']})" if meta.get("store") else ""
        lines.append(f"{t['store_sources']}{where}: {names}.")
    return lines


def _check_columns(df: pd.DataFrame, columns: tuple[str, ...], name: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise DataError(f"frontline report: {name} lacks columns {missing}")


# --------------------------------------------------------------------------- public API


def write_frontline_report(
    out_dir: str | Path,
    *,
    daily: pd.DataFrame,
    monthly: pd.DataFrame,
    validation: pd.DataFrame,
    changes: gpd.GeoDataFrame | None,
    oblasts_table: pd.DataFrame,
    occupied: BaseGeometry | gpd.GeoSeries | gpd.GeoDataFrame,
    line: BaseGeometry | gpd.GeoSeries | gpd.GeoDataFrame | None,
    countries: gpd.GeoDataFrame,
    oblasts: gpd.GeoDataFrame | None,
    meta: Mapping[str, Any],
    lang: str = "en",
) -> Path:
    """Write the frontline report: ``frontline.html`` with charts, map and tables.

    The HTML is self-contained (images embedded as base64 PNGs, styles inline); the
    PNGs and the tables (CSV, and the recent changes as GeoJSON) are written next to
    it (:data:`REPORT_FILES`). All files are rendered into a staging folder inside
    ``out_dir`` and moved into place only when everything succeeded, the HTML last;
    other files in ``out_dir`` are left alone.

    Parameters
    ----------
    out_dir : str or pathlib.Path
        The folder to write to (created if missing).
    daily : pandas.DataFrame
        Daily series: ``date``, ``occupied_km2``, ``occupied_pct``, and optionally
        ``net_km2``, ``net_7d_km2_per_day``, ``net_30d_km2_per_day`` (km², %, km²/day).
    monthly : pandas.DataFrame
        ``month`` ('YYYY-MM'), ``gained_km2``, ``lost_km2``, ``net_km2``,
        ``occupied_km2_end``, ``occupied_pct_end``, ``days_covered``.
    validation : pandas.DataFrame
        ``month``, ``published_km2``, ``garant_km2``, ``diff_km2``, ``diff_pct``,
        ``note`` (may be empty).
    changes : geopandas.GeoDataFrame or None
        Changes (``from_date``, ``to_date``, ``kind`` 'gained'/'lost', ``area_km2``,
        ``centroid_lon``, ``centroid_lat``, ``settlement``,
        ``settlement_distance_km``, ``sector``); those ending in the recent window
        (after ``meta["recent_since"]``, default the last 30 days) are shown.
    oblasts_table : pandas.DataFrame
        ``oblast_iso``, ``oblast_name``, ``occupied_km2``, ``occupied_pct`` (share of
        the oblast).
    occupied, line : shapely geometry or GeoSeries/GeoDataFrame
        The latest occupied territory ((Multi)Polygon) and line of contact
        ((Multi)LineString), EPSG:4326.
    countries, oblasts : geopandas.GeoDataFrame
        Base geography for the map (``countries`` with ``iso_a3``).
    meta : Mapping
        Optional keys: ``latest_date``, ``first_date``, ``recent_since`` (dates),
        ``n_snapshots`` (int), ``measures`` (dict with ``occupied_km2``,
        ``occupied_pct``, ``line_length_km``, ``grey_zone_km2``), ``denominator_km2``
        (default 603,628), ``validation_text`` (the general paragraph explaining the
        differences to DeepState's figures), ``title``, ``sources`` (the snapshot
        sources in the store, e.g. ``["archive"]``), ``store`` (its path),
        ``generated`` (a string printed in the footer; omitted by default so
        that the report is reproducible). Other keys are ignored.
    lang : {"en", "uk"}
        Language of the report text.

    Returns
    -------
    pathlib.Path
        The path of ``frontline.html``.

    Raises
    ------
    ConfigError
        Unknown ``lang``.
    DataError
        A table lacks required columns, or there is no latest measure.
    """
    if lang not in LANGUAGES:
        raise ConfigError(
            f"report language {lang!r} is not supported; use one of {list(LANGUAGES)}"
        )
    t = LANGUAGES[lang]
    _check_columns(daily, ("date", "occupied_km2"), "daily")
    _check_columns(monthly, ("month", "gained_km2", "lost_km2", "net_km2"), "monthly")
    _check_columns(validation, ("month", "published_km2", "garant_km2"), "validation")
    _check_columns(oblasts_table, ("oblast_name", "occupied_km2", "occupied_pct"), "oblasts_table")
    denominator = float(meta.get("denominator_km2") or DEFAULT_DENOMINATOR_KM2)
    latest, occ_km2, occ_pct, measures = _latest_measures(daily, meta, denominator)
    recent_since = _as_date(meta.get("recent_since"))
    recent = _recent_changes(changes, latest, recent_since)
    since = recent_since or latest - dt.timedelta(days=RECENT_DAYS)
    first_date = _as_date(meta.get("first_date")) or (
        _as_date(pd.to_datetime(daily["date"]).min()) if len(daily) else None
    )
    title = str(meta.get("title") or t["title"])
    out = Path(out_dir)

    with staged_files(out, last=(HTML_NAME,)) as stage:
        area_png = charts.occupied_area_chart(daily, stage / "frontline_area.png")
        monthly_png = charts.monthly_changes_chart(monthly, stage / "frontline_monthly.png")
        map_png = charts.frontline_map(
            occupied,
            line,
            recent,
            countries,
            oblasts,
            stage / "frontline_map.png",
            title=t["map_title"].format(date=latest.isoformat()),
            subtitle=t["map_subtitle"].format(
                km2=_fmt_km2(occ_km2, 0),
                pct=_fmt_pct(occ_pct),
                den=_fmt_km2(denominator, 0),
                since=since.isoformat(),
            ),
            n_labels=MAP_LABELS,
        )
        export_table(daily, stage / "frontline_daily.csv")
        export_table(monthly, stage / "frontline_monthly.csv")
        export_table(validation, stage / "frontline_validation.csv")
        export_table(oblasts_table, stage / "frontline_oblasts.csv")
        if recent is not None and len(recent):
            table = pd.DataFrame(recent.drop(columns=recent.geometry.name))
            export_table(table, stage / "frontline_changes.csv")
            export_layer(recent, stage / "frontline_changes.geojson", layer="changes")
        else:
            export_table(
                pd.DataFrame(columns=["from_date", "to_date", "kind", "area_km2"]),
                stage / "frontline_changes.csv",
            )
        files = sorted(p.name for p in stage.iterdir() if p.name != HTML_NAME)
        context = {
            "lang": lang,
            "t": t,
            "title": title,
            "latest_date": latest.isoformat(),
            "first_date": first_date.isoformat() if first_date else None,
            "recent_since": since.isoformat(),
            "n_snapshots": meta.get("n_snapshots"),
            "denominator_km2": denominator,
            "summary": {
                "occupied_km2": occ_km2,
                "occupied_pct": occ_pct,
                "extra": _extra_cards(daily, measures, t),
            },
            "images": {
                "area": _png_data_uri(area_png),
                "monthly": _png_data_uri(monthly_png),
                "map": _png_data_uri(map_png),
            },
            "monthly": _records(monthly.sort_values("month", ascending=False)),
            "validation": _records(validation.sort_values("month", ascending=False)),
            "validation_text": meta.get("validation_text"),
            "changes": _change_rows(recent, t),
            "oblasts": _records(
                oblasts_table.sort_values("occupied_km2", ascending=False).assign(
                    oblast_iso=oblasts_table.get("oblast_iso", "")
                )
            ),
            "sources": _source_lines(meta, t),
            "files": files,
            "generated": meta.get("generated"),
        }
        html = _environment().get_template("frontline.html.j2").render(**context)
        write_text_atomic(stage / HTML_NAME, html)
    path = out / HTML_NAME
    log.info("wrote frontline report %s", path)
    return path
