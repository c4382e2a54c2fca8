"""Daily series and monthly summaries on a synthetic measures frame."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from garant.errors import DataError
from garant.frontline.series import daily_series, monthly_summary
from garant.frontline.validation import (
    PUBLISHED_MONTHLY,
    compare_date_conventions,
    validate_against_deepstate,
)


def _measures(dates: list[dt.date], nets: list[float], lost: float = 1.0) -> pd.DataFrame:
    occ = 1000.0 + np.cumsum([0.0, *nets[1:]])
    rows = []
    for i, (d, n) in enumerate(zip(dates, nets, strict=True)):
        first = i == 0
        rows.append(
            {
                "snapshot_id": i + 1,
                "date": d,
                "occupied_km2": occ[i],
                "occupied_pct": occ[i] / 603_628 * 100,
                "gained_km2": None if first else n + lost,
                "lost_km2": None if first else lost,
                "net_km2": None if first else n,
                "gap_days": None if first else (d - dates[i - 1]).days,
                "on_timeline": True,
            }
        )
    # An off-timeline row (another source on the same day) is ignored.
    rows.append({**rows[1], "snapshot_id": 99, "occupied_km2": -1.0, "on_timeline": False})
    return pd.DataFrame(rows)


def test_monthly_summary_telescopes() -> None:
    d0 = dt.date(2025, 1, 30)
    dates = [d0 + dt.timedelta(days=i) for i in range(40) if i not in (10, 11)]  # a gap
    nets = [float(i % 5) for i in range(len(dates))]
    m = _measures(dates, nets)
    ms = monthly_summary(m)
    assert list(ms["month"]) == ["2025-01", "2025-02", "2025-03"]
    assert np.isnan(ms.loc[0, "net_km2"])  # no starting point
    feb = ms.loc[1]
    feb_rows = m[(pd.to_datetime(m["date"]).dt.month == 2) & m["on_timeline"]]
    assert feb["net_km2"] == pytest.approx(feb_rows["net_km2"].sum())
    assert feb["net_km2"] == pytest.approx(feb["gained_km2"] - feb["lost_km2"])
    assert feb["days_covered"] == 26
    assert feb["days_in_month"] == 28
    assert feb["from_date"] == dt.date(2025, 1, 31)
    assert feb["to_date"] == dt.date(2025, 2, 28)
    assert ms.loc[2, "occupied_km2_end"] == pytest.approx(m["occupied_km2"].iloc[len(dates) - 1])


def test_daily_series_rates_over_calendar_days() -> None:
    dates = [dt.date(2025, 1, d) for d in (1, 2, 3, 4, 5, 6, 7, 8, 20, 21)]
    nets = [0, 7, 7, 7, 7, 7, 7, 7, 120, 10]
    ds = daily_series(_measures(dates, [float(n) for n in nets]))
    assert len(ds) == 10  # off-timeline row dropped
    assert ds.loc[7, "net_7d_km2_per_day"] == pytest.approx(7.0)
    assert ds.loc[7, "span_7d_days"] == 7
    assert np.isnan(ds.loc[3, "net_7d_km2_per_day"])
    # After the gap the rate runs from the last snapshot before it, over 12 days.
    assert ds.loc[8, "span_7d_days"] == 12
    assert ds.loc[8, "net_7d_km2_per_day"] == pytest.approx(120 / 12)
    assert ds.loc[9, "gap_days"] == 1


def test_series_checks_input() -> None:
    with pytest.raises(DataError, match="lacks columns"):
        daily_series(pd.DataFrame({"date": []}))
    m = _measures([dt.date(2025, 1, 1), dt.date(2025, 1, 2)], [0.0, 1.0])
    m.loc[2, "on_timeline"] = True
    with pytest.raises(DataError, match="several timeline rows"):
        monthly_summary(m)


def test_validate_against_deepstate_lines_up_months() -> None:
    dates = [dt.date(2024, 7, 31), dt.date(2024, 8, 15), dt.date(2024, 8, 31)]
    ms = monthly_summary(_measures(dates, [0.0, 200.0, 163.0], lost=0.0))
    v = validate_against_deepstate(ms)
    aug = v[(v["month"] == "2024-08") & (v["measure"] == "net_km2")].iloc[0]
    assert aug["published_km2"] == 363.0
    assert aug["garant_km2"] == pytest.approx(363.0)
    assert aug["diff_km2"] == pytest.approx(0.0)
    assert "garant has 2 of 31 days" in aug["note"]
    assert aug["source"].startswith("https://")
    assert v["garant_km2"].isna().sum() == len(v) - 1
    assert all(f.source.startswith("https://") for f in PUBLISHED_MONTHLY)
    both = compare_date_conventions(_measures(dates, [0.0, 200.0, 163.0]))
    assert set(both["convention"]) == {"file date - 1", "file date"}
