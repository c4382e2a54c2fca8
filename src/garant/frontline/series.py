"""Time series of the measures: daily rows, rolling rates, monthly summaries.

Input is the store's measures frame (:meth:`garant.store.Store.measures`): one
row per snapshot with ``date``, ``occupied_km2``, ``occupied_pct``,
``gained_km2``, ``lost_km2``, ``net_km2``, ``gap_days`` and ``on_timeline``.
Only timeline rows are used (one snapshot per date). Days without a snapshot are
not invented: a snapshot after a gap carries the whole gap's change in its
``net_km2`` (``gap_days`` > 1), and rates are taken over the calendar span
actually covered, which is reported next to them.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from garant.errors import DataError

__all__ = ["daily_series", "monthly_summary"]

_REQUIRED = ("date", "occupied_km2", "occupied_pct", "gained_km2", "lost_km2", "net_km2")


def _timeline(measures_df: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in _REQUIRED if c not in measures_df.columns]
    if missing:
        raise DataError(f"measures frame lacks columns {missing}")
    df = measures_df
    if "on_timeline" in df.columns:
        df = df[df["on_timeline"].astype(bool)]
    df = df.copy()
    df["date"] = pd.to_datetime(df["date"]).dt.normalize()
    if df["date"].duplicated().any():
        dup = sorted({d.date().isoformat() for d in df.loc[df["date"].duplicated(), "date"]})
        raise DataError(f"measures frame has several timeline rows for dates {dup[:5]}")
    return df.sort_values("date").reset_index(drop=True)


def _rate(dates: pd.Series, occ: np.ndarray, window_days: int) -> tuple[np.ndarray, np.ndarray]:
    """Net change per day over the last ``window_days`` calendar days.

    The start is the latest snapshot on or before ``date − window_days``; the
    rate is the change of occupied area divided by the actual span, which is
    returned too (longer than the window after a gap in the data).
    """
    days = dates.to_numpy(dtype="datetime64[D]").astype(np.int64)
    start = np.searchsorted(days, days - window_days, side="right") - 1
    ok = start >= 0
    span = np.full(len(days), np.nan)
    rate = np.full(len(days), np.nan)
    span[ok] = days[ok] - days[start[ok]]
    rate[ok] = (occ[ok] - occ[start[ok]]) / span[ok]
    return rate, span


def daily_series(measures_df: pd.DataFrame) -> pd.DataFrame:
    """One row per timeline date with the day's change and rolling net rates.

    Parameters
    ----------
    measures_df : pandas.DataFrame
        The store's measures (:meth:`garant.store.Store.measures`).

    Returns
    -------
    pandas.DataFrame
        Columns ``date`` (datetime64, midnight), ``snapshot_id`` (if given),
        ``occupied_km2``, ``occupied_pct`` (of 603,628 km²), ``gained_km2``,
        ``lost_km2``, ``net_km2`` (since the previous snapshot, km²),
        ``gap_days`` (days since it), ``net_7d_km2_per_day`` and
        ``net_30d_km2_per_day`` (change of occupied area per calendar day, from
        the latest snapshot at least 7 / 30 days earlier; NaN near the start),
        ``span_7d_days`` and ``span_30d_days`` (the span those rates cover: 7 /
        30 when the data are complete, more across gaps or monthly-only
        stretches).
    """
    df = _timeline(measures_df)
    occ = df["occupied_km2"].to_numpy(dtype=float)
    cols = ["date"]
    if "snapshot_id" in df.columns:
        cols.append("snapshot_id")
    cols += ["occupied_km2", "occupied_pct", "gained_km2", "lost_km2", "net_km2"]
    out = df[cols].copy()
    if "gap_days" in df.columns:
        out["gap_days"] = df["gap_days"]
    else:
        gap = df["date"].diff().dt.days
        out["gap_days"] = gap
    for w in (7, 30):
        rate, span = _rate(df["date"], occ, w)
        out[f"net_{w}d_km2_per_day"] = rate
        out[f"span_{w}d_days"] = span
    return out


def monthly_summary(measures_df: pd.DataFrame) -> pd.DataFrame:
    """Monthly gains and losses, like DeepState's monthly posts.

    A snapshot belongs to the calendar month of its date. A month's net change
    runs from the last snapshot of the previous month to the last snapshot of
    the month; gained and lost are the sums of the daily changes of the month's
    snapshots (each measured from the previous timeline snapshot), so
    ``net_km2 = gained_km2 − lost_km2``.

    Parameters
    ----------
    measures_df : pandas.DataFrame
        The store's measures (:meth:`garant.store.Store.measures`).

    Returns
    -------
    pandas.DataFrame
        Columns ``month`` (``"YYYY-MM"``), ``gained_km2``, ``lost_km2``,
        ``net_km2`` (km²; NaN for the first month of the data, which has no
        starting point), ``occupied_km2_end``, ``occupied_pct_end`` (of the
        official 603,628 km²) at the month's last snapshot, ``days_covered``
        (calendar days of the month with a snapshot), ``days_in_month``,
        ``from_date`` and ``to_date`` (the snapshots the net change runs between).
    """
    df = _timeline(measures_df)
    if df.empty:
        return pd.DataFrame(
            columns=[
                "month",
                "gained_km2",
                "lost_km2",
                "net_km2",
                "occupied_km2_end",
                "occupied_pct_end",
                "days_covered",
                "days_in_month",
                "from_date",
                "to_date",
            ]
        )
    df["month"] = df["date"].dt.strftime("%Y-%m")
    rows = []
    prev_end: pd.Series | None = None
    for month, g in df.groupby("month", sort=True):
        last = g.iloc[-1]
        first_day = dt.date.fromisoformat(f"{month}-01")
        days_in_month = int(pd.Timestamp(first_day).days_in_month)
        if prev_end is None:
            gained = lost = net = np.nan
            from_date = None
        else:
            gained = float(g["gained_km2"].fillna(0.0).sum())
            lost = float(g["lost_km2"].fillna(0.0).sum())
            net = float(last["occupied_km2"] - prev_end["occupied_km2"])
            from_date = prev_end["date"].date()
        rows.append(
            {
                "month": month,
                "gained_km2": gained,
                "lost_km2": lost,
                "net_km2": net,
                "occupied_km2_end": float(last["occupied_km2"]),
                "occupied_pct_end": float(last["occupied_pct"]),
                "days_covered": int(g["date"].nunique()),
                "days_in_month": days_in_month,
                "from_date": from_date,
                "to_date": last["date"].date(),
            }
        )
        prev_end = last
    return pd.DataFrame(rows)
