"""Check garant's monthly figures against the ones DeepState published.

DeepState posts a monthly summary on the first day of the next month: the area
Russia occupied during the month (net, km²) and the share of Ukraine occupied.
:data:`PUBLISHED_MONTHLY` holds some of those figures with the article that
reports them; :func:`validate_against_deepstate` lines them up with
:func:`garant.frontline.series.monthly_summary`.

Expected differences, in order of size:

* **Clipping.** garant clips the occupied polygons to Ukraine's territory
  including inland and coastal waters (:func:`garant.sources.geography.ukraine_territory`),
  which removes only the few km² that overshoot the state border (about 55 km²
  in 2025) and keeps the Syvash and the Azov shore that DeepState's polygons
  cover: the share then matches DeepState's to 0.01 points. Clipping to Natural
  Earth's land instead would lower it by about 0.3 points (1,750 km²).
* **Month boundaries and the date convention.** The daily archive's file of day
  D is downloaded at 03:00 UTC and holds DeepState's update of the evening of
  D − 1, so garant dates it D − 1 (see :mod:`garant.sources.archive`); a month
  then runs from the file of its 1st to the file of the next month's 1st.
  :func:`compare_date_conventions` tests the other reading (date = file date).
* **Missing days.** When the last day of a month is missing from the archive
  (2025-03-31, 2025-04-01), the month ends at the last snapshot before it.
* **The grey zone** is not in the archive (DeepState counts only territory it
  marks occupied, so this mostly does not matter for its totals).
* **Rounding and revisions.** DeepState rounds to whole km² and sometimes
  redraws past areas (e.g. re-surveyed border strips), which a net figure taken
  from maps picks up while a hand count may not.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from garant.frontline.series import monthly_summary

__all__ = [
    "EXPLANATION",
    "PUBLISHED_MONTHLY",
    "PUBLISHED_SHARE",
    "PublishedFigure",
    "compare_date_conventions",
    "validate_against_deepstate",
]


@dataclass(frozen=True)
class PublishedFigure:
    """One figure DeepState published.

    Attributes
    ----------
    month : str
        ``"YYYY-MM"``, the month the figure covers.
    value : float
        Net area Russia occupied during the month (km²), or the share of
        Ukraine occupied at the month's end (%).
    source : str
        URL of an article reporting DeepState's post.
    note : str
        Context (who reported it, rounding).
    """

    month: str
    value: float
    source: str
    note: str = ""


_NPRAVDA_2025_02 = "https://n-pravda.in.ua/uk/news/v-deepstate-otsenili-tempyi-nastupleniya-1"
_KI_2025_10 = (
    "https://kyivindependent.com/"
    "russian-territorial-gains-in-ukraine-drop-sharply-in-september-monitoring-group-says"
)

#: Net Russian gains per month as published by DeepState, km².
PUBLISHED_MONTHLY: tuple[PublishedFigure, ...] = (
    PublishedFigure(
        "2024-08",
        363.0,
        _NPRAVDA_2025_02,
        "DeepState, 1 Feb 2025: monthly gains rose from 363 km² in August to 730 in November",
    ),
    PublishedFigure(
        "2024-11",
        730.0,
        _NPRAVDA_2025_02,
        "DeepState, 1 Feb 2025 (Reuters/Agentstvo quoted ~600 km² mid-month)",
    ),
    PublishedFigure(
        "2025-01",
        325.0,
        _NPRAVDA_2025_02,
        "DeepState, 1 Feb 2025: 325 km² in January, the least since August 2024",
    ),
    PublishedFigure(
        "2025-03",
        133.0,
        "https://www.pravda.com.ua/eng/news/2025/04/1/7505499/",
        "DeepState on Telegram, 1 Apr 2025",
    ),
    PublishedFigure(
        "2025-08",
        464.0,
        "https://www.pravda.com.ua/news/2025/09/1/7528792/",
        "DeepState, 1 Sep 2025: 464 km², 19 % of Ukraine occupied",
    ),
    PublishedFigure(
        "2025-09",
        259.0,
        _KI_2025_10,
        "DeepState, 1 Oct 2025: 259 km², 44 % less than August; also CNN, 1 Oct 2025",
    ),
)

#: Share of Ukraine occupied at a month's end as published by DeepState, %.
PUBLISHED_SHARE: tuple[PublishedFigure, ...] = (
    PublishedFigure(
        "2025-09",
        19.04,
        _KI_2025_10,
        "DeepState, 1 Oct 2025: 0.04 % taken in September, 19.04 % in total",
    ),
)


#: Why garant's figures differ from DeepState's, for reports (plain text).
EXPLANATION: str = (
    "garant measures DeepStateMap's occupied polygons (occupied since 2022, Crimea and "
    "CADR/CALR) clipped to Ukraine's territory including inland and coastal waters, in an "
    "equal-area projection, as a share of the official 603,628 km². A month runs from the "
    "last snapshot of the previous month to the last snapshot of the month; the daily "
    "archive's file of day D holds DeepState's update of the evening of D − 1 and is dated "
    "so. Differences come from missing days at month ends (the month then ends or starts "
    "a day off), from DeepState's rounding and later redrawing of past areas, and from the "
    "grey zone, which the daily archive does not carry (DeepState counts only what it marks "
    "occupied). With only monthly snapshots (the bundled demo) a missing first-of-month file "
    "shifts a whole month."
)


def validate_against_deepstate(
    monthly_df: pd.DataFrame,
    *,
    published: tuple[PublishedFigure, ...] = PUBLISHED_MONTHLY,
    share: tuple[PublishedFigure, ...] = PUBLISHED_SHARE,
) -> pd.DataFrame:
    """Compare garant's monthly net gains (and end-of-month share) with DeepState's.

    Parameters
    ----------
    monthly_df : pandas.DataFrame
        Output of :func:`garant.frontline.series.monthly_summary`.
    published : tuple of PublishedFigure
        Net monthly gains, km² (default :data:`PUBLISHED_MONTHLY`).
    share : tuple of PublishedFigure
        End-of-month occupied shares, % (default :data:`PUBLISHED_SHARE`).

    Returns
    -------
    pandas.DataFrame
        Columns ``month``, ``measure`` (``net_km2`` or ``occupied_pct``),
        ``published_km2`` (the published value: km², or % for the share),
        ``garant_km2`` (garant's value, same unit), ``diff_km2`` (garant −
        published), ``diff_pct`` (relative difference, % of the published
        value), ``days_covered`` (days of the month with a snapshot), ``note``
        and ``source``. Months outside the data give NaN.
    """
    by_month = (
        {str(r["month"]): r for r in monthly_df.to_dict("records")} if len(monthly_df) else {}
    )
    rows = []
    for measure, figures, column in (
        ("net_km2", published, "net_km2"),
        ("occupied_pct", share, "occupied_pct_end"),
    ):
        for f in figures:
            rec = by_month.get(f.month)
            value = float(rec[column]) if rec is not None else np.nan
            days = int(rec["days_covered"]) if rec is not None else 0
            note = f.note
            if rec is not None and days < int(rec["days_in_month"]):
                note += f"; garant has {days} of {int(rec['days_in_month'])} days of the month"
            rows.append(
                {
                    "month": f.month,
                    "measure": measure,
                    "published_km2": f.value,
                    "garant_km2": value,
                    "diff_km2": value - f.value,
                    "diff_pct": (value - f.value) / f.value * 100.0,
                    "days_covered": days,
                    "note": note,
                    "source": f.source,
                }
            )
    return pd.DataFrame(rows)


def compare_date_conventions(measures_df: pd.DataFrame) -> pd.DataFrame:
    """Validate with the archive's dates read two ways.

    garant dates an archive file D − 1 (the evening update it holds); the other
    reading dates it D (the download day). Shifting every date by one day and
    recomputing the monthly summary shows which reading matches DeepState's
    monthly posts better.

    Parameters
    ----------
    measures_df : pandas.DataFrame
        The store's measures, dated with garant's convention (file date − 1).

    Returns
    -------
    pandas.DataFrame
        :func:`validate_against_deepstate` rows for both conventions, with a
        ``convention`` column (``"file date - 1"`` / ``"file date"``).
    """
    out = []
    for label, shift in (("file date - 1", 0), ("file date", 1)):
        df = measures_df.copy()
        df["date"] = pd.to_datetime(df["date"]) + pd.Timedelta(days=shift)
        v = validate_against_deepstate(monthly_summary(df))
        v.insert(0, "convention", label)
        out.append(v)
    return pd.concat(out, ignore_index=True)
