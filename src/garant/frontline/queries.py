"""Store-facing queries of the frontline: what the CLI, the web app and notebooks call.

Each function takes an open store and returns pandas/GeoPandas objects; the
computation itself lives in the pure modules (measures, line, changes, series).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import pandas as pd

from garant.errors import ConfigError, NotFoundError

if TYPE_CHECKING:
    from garant.store import Store

__all__ = [
    "LAYERS",
    "changes",
    "changes_by_sector",
    "layer",
    "measures_at",
    "monthly",
    "oblasts_at",
    "series",
    "validation",
]

#: Layers that ``layer`` (and ``garant frontline export``) can produce.
LAYERS: tuple[str, ...] = (
    "occupied",
    "occupied_pre2022",
    "grey_zone",
    "liberated",
    "line",
    "sectors",
    "points",
    "changes",
    "oblasts",
)


def _timeline_measures(store: Store) -> pd.DataFrame:
    m = store.measures()
    if m.empty:
        raise NotFoundError(
            f"{store.path}: the store holds no measured snapshots; run `garant ingest demo` "
            "(or a folder / api) first"
        )
    return m


def series(
    store: Store, *, since: dt.date | None = None, until: dt.date | None = None
) -> pd.DataFrame:
    """Daily series of occupied area, gains, losses and 7-/30-day rates.

    Returns
    -------
    pandas.DataFrame
        See :func:`garant.frontline.series.daily_series`.
    """
    from garant.frontline.series import daily_series

    df = daily_series(_timeline_measures(store))
    dates = pd.to_datetime(df["date"]).dt.date
    if since is not None:
        df = df[dates >= since]
        dates = pd.to_datetime(df["date"]).dt.date
    if until is not None:
        df = df[dates <= until]
    return df.reset_index(drop=True)


def monthly(store: Store) -> pd.DataFrame:
    """Monthly summary like DeepState's monthly posts (see ``series.monthly_summary``)."""
    from garant.frontline.series import monthly_summary

    return monthly_summary(_timeline_measures(store))


def validation(store: Store) -> pd.DataFrame:
    """Garant's monthly figures against DeepState's published ones."""
    from garant.frontline.validation import validate_against_deepstate

    return validate_against_deepstate(monthly(store))


def _snapshot_for(store: Store, date: dt.date | None) -> tuple[int, dt.date]:
    """The timeline snapshot describing ``date``: the latest one on or before it.

    Returns the snapshot id and the snapshot's own date (which may be earlier
    than ``date`` where days are missing or the history is monthly).
    """
    tl = store.timeline()
    if tl.empty:
        raise NotFoundError(
            f"{store.path}: the store holds no snapshots; run `garant ingest` first"
        )
    dates = pd.to_datetime(tl["date"]).dt.date
    if date is None:
        row = tl.iloc[-1]
        return int(row["snapshot_id"]), pd.Timestamp(row["date"]).date()
    earlier = tl[dates <= date]
    if earlier.empty:
        raise NotFoundError(
            f"no snapshot on or before {date.isoformat()} (the store covers "
            f"{dates.min().isoformat()} .. {dates.max().isoformat()})"
        )
    row = earlier.iloc[-1]
    return int(row["snapshot_id"]), pd.Timestamp(row["date"]).date()


def measures_at(store: Store, date: dt.date | None = None) -> dict[str, Any]:
    """The measures of the timeline snapshot for ``date`` (default: the latest)."""
    sid, _ = _snapshot_for(store, date)
    m = _timeline_measures(store)
    row = m[m["snapshot_id"] == sid]
    if row.empty:
        raise NotFoundError(f"snapshot {sid}: not measured yet; run `garant ingest` again")
    return {str(k): v for k, v in row.iloc[0].to_dict().items()}


def oblasts_at(store: Store, date: dt.date | None = None) -> pd.DataFrame:
    """Occupied km² and % per oblast at ``date`` (default: the latest)."""
    sid, _ = _snapshot_for(store, date)
    df = store.oblast_measures(snapshot_id=sid)
    return df.sort_values("occupied_km2", ascending=False).reset_index(drop=True)


def changes(
    store: Store,
    *,
    since: dt.date,
    until: dt.date | None = None,
    min_area_km2: float = 0.01,
) -> gpd.GeoDataFrame:
    """Change polygons between the snapshots for ``since`` and ``until`` (net change).

    Parameters
    ----------
    store : Store
    since, until : datetime.date
        The two dates (``until`` defaults to the latest snapshot).
    min_area_km2 : float
        Drop slivers smaller than this.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per gained or lost polygon, largest first.
    """
    from garant.frontline.changes import changes_between
    from garant.frontline.sectors import load_sectors

    if min_area_km2 < 0:
        raise ConfigError(f"--min-area: {min_area_km2} km² is negative")
    sid0, d0 = _snapshot_for(store, since)
    sid1, d1 = _snapshot_for(store, until)
    if d1 < d0:
        raise ConfigError(f"--until {d1} is before --since {d0}")
    occ = store.load_occupied([sid0, sid1])
    gdf = changes_between(
        occ[sid0],
        occ[sid1],
        sectors=load_sectors(),
        min_area_km2=min_area_km2,
    )
    gdf.insert(0, "from_date", d0)
    gdf.insert(1, "to_date", d1)
    return gdf.sort_values("area_km2", ascending=False).reset_index(drop=True)


def changes_by_sector(changes_gdf: gpd.GeoDataFrame) -> pd.DataFrame:
    """Sum change polygons by sector of the front.

    Parameters
    ----------
    changes_gdf : geopandas.GeoDataFrame
        Output of :func:`changes` (columns ``sector``, ``kind``, ``area_km2``).

    Returns
    -------
    pandas.DataFrame
        Columns ``sector``, ``gained_km2``, ``lost_km2``, ``net_km2``,
        ``n_changes`` and ``largest`` (the place of the largest change), sorted
        by net Russian gain, largest first.
    """
    cols = ["sector", "gained_km2", "lost_km2", "net_km2", "n_changes", "largest"]
    if changes_gdf.empty:
        return pd.DataFrame(columns=cols)
    df = pd.DataFrame(changes_gdf.drop(columns="geometry"))
    area = df.pivot_table(
        index="sector", columns="kind", values="area_km2", aggfunc="sum", fill_value=0.0
    )
    out = pd.DataFrame(
        {
            "gained_km2": area.get("gained", pd.Series(0.0, index=area.index)),
            "lost_km2": area.get("lost", pd.Series(0.0, index=area.index)),
        }
    )
    out["net_km2"] = out["gained_km2"] - out["lost_km2"]
    out["n_changes"] = df.groupby("sector").size()
    top = df.sort_values("area_km2", ascending=False).drop_duplicates("sector")
    out["largest"] = top.set_index("sector")["settlement"]
    out = out.reset_index().sort_values("net_km2", ascending=False).reset_index(drop=True)
    return out[cols]


def layer(store: Store, name: str, *, date: dt.date | None = None) -> gpd.GeoDataFrame:
    """One layer at a date, as a GeoDataFrame in EPSG:4326 (for export).

    Parameters
    ----------
    name : str
        One of :data:`LAYERS`.
    date : datetime.date, optional
        Default: the latest snapshot. For ``changes``, the changes stored for
        that day.
    """
    from garant.sources import geography

    if name not in LAYERS:
        raise ConfigError(f"layer {name!r}: unknown (expected one of {', '.join(LAYERS)})")
    sid, d = _snapshot_for(store, date)
    if name == "oblasts":
        obl = geography.oblasts()
        tab = store.oblast_measures(snapshot_id=sid)[["oblast_iso", "occupied_km2", "occupied_pct"]]
        out = obl.merge(tab, left_on="iso", right_on="oblast_iso", how="left")
        out.insert(0, "date", d)
        return gpd.GeoDataFrame(out, geometry="geometry", crs=4326)
    if name in ("line", "sectors"):
        lines = store.lines([sid])
        if name == "line":
            lines.insert(0, "date", d)
            return lines
        from garant.frontline.sectors import line_by_sector, load_sectors

        geom = lines.geometry.iloc[0]
        out = line_by_sector(geom, load_sectors())
        out.insert(0, "date", d)
        return out
    if name == "changes":
        return store.changes(since=d, until=d)
    snap = store.load_snapshot(sid)
    if name == "points":
        pts = snap.points.copy()
        pts.insert(0, "date", d)
        return pts
    if name == "occupied":
        geom = snap.occupied
    elif name in snap.layers:
        geom = snap.layers[name]
    else:
        raise NotFoundError(
            f"layer {name!r}: not in the snapshot of {d} ({snap.source}: "
            f"{', '.join(sorted(snap.layers))})"
        )
    km2 = float(geography.equal_area_km2([geom])[0])
    return gpd.GeoDataFrame(
        {"date": [d], "kind": [name], "source": [snap.source], "area_km2": [km2]},
        geometry=[geom],
        crs=4326,
    )


def report_inputs(store: Store, *, recent_days: int = 30) -> dict[str, Any]:
    """Gather everything the frontline report shows, from the store.

    Parameters
    ----------
    store : Store
    recent_days : int
        The "recent changes" window before the latest snapshot, days.

    Returns
    -------
    dict
        Keyword arguments of :func:`garant.report.frontline.write_frontline_report`
        (except ``out_dir`` and ``lang``).
    """
    from garant.frontline.validation import EXPLANATION
    from garant.sources import geography

    daily = series(store)
    month = monthly(store)
    valid = validation(store)
    sid, latest = _snapshot_for(store, None)
    tl = store.timeline()
    dates = pd.to_datetime(tl["date"]).dt.date
    start = latest - dt.timedelta(days=recent_days)
    earlier = tl[dates <= start]
    if earlier.empty:
        earlier = tl.iloc[[0]]
    since = pd.Timestamp(earlier.iloc[-1]["date"]).date()
    recent = changes(store, since=since, until=latest, min_area_km2=0.1)
    snap = store.load_snapshot(sid)
    line = store.lines([sid]).geometry.iloc[0]
    snaps = store.snapshots()
    meta = {
        "latest_date": latest,
        "recent_since": since,
        "store": str(store.path),
        "sources": sorted(snaps["source"].unique().tolist()),
        "n_snapshots": len(snaps),
        "first_date": pd.Timestamp(tl["date"].min()).date(),
        "measures": measures_at(store, latest),
        "denominator_km2": geography.UKRAINE_OFFICIAL_AREA_KM2,
        "validation_text": EXPLANATION,
    }
    return {
        "daily": daily,
        "monthly": month,
        "validation": valid,
        "changes": recent,
        "oblasts_table": oblasts_at(store, latest),
        "occupied": snap.occupied,
        "line": line,
        "countries": geography.countries(),
        "oblasts": geography.oblasts(),
        "meta": meta,
    }
