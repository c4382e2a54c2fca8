"""Calibration and backtest on the real Air Force records (../shared/data/air)."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from garant.air.calibration import (
    backtest,
    backtest_score,
    fit_baseline,
    nights_by_class,
    normalise_records,
    observed_rates,
)
from garant.sources.attacks import read_attack_records

pytestmark = pytest.mark.shared


@pytest.fixture(scope="module")
def records(shared_data: Path) -> pd.DataFrame:
    return read_attack_records(shared_data / "air" / "missile_attacks_daily.csv")


@pytest.fixture(scope="module")
def normalised(records: pd.DataFrame) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the catalogue knows every weapon name
        frame, _ = normalise_records(records)
    return frame


def test_totals_match_provenance(records: pd.DataFrame) -> None:
    assert len(records) == 2845
    assert int(records["launched"].sum()) == 55_275
    assert int(records["destroyed"].sum()) == 34_882
    assert int(records["launched"].isna().sum()) == 3
    assert int(records["destroyed"].isna().sum()) == 6
    assert sum(len(m) > 1 for m in records["models"]) == 39
    assert records["time_start"].min() == pd.Timestamp("2022-09-28")
    assert records["time_start"].max() == pd.Timestamp("2025-08-31 20:30")


def test_normalised_keeps_counts(records: pd.DataFrame) -> None:
    frame, report = normalise_records(records)
    complete = records.dropna(subset=["launched", "destroyed"])
    assert frame["launched"].sum() == complete["launched"].sum()
    assert frame["destroyed"].sum() == complete["destroyed"].sum()
    assert len(report.dropped_lines) == 9
    assert report.clipped_lines == (880,)
    assert set(report.unknown_tokens) == {"Unknown UAV", "Unknown Missile"}
    assert report.unrecognised_tokens == ()
    assert {"strike_uav", "cruise", "ballistic"} <= set(frame["threat_class"])


def test_reporting_change_lost_locally(records: pd.DataFrame) -> None:
    """Drones lost locally are reported apart from 2024-07-10 to the night of 2025-07-22."""
    assert records.loc[records["not_reach_goal_reported"], "date"].min().isoformat() == (
        "2024-07-10"
    )
    shahed = records[records["model"] == "Shahed-136/131"]
    lost = shahed[shahed["not_reach_goal"] > 0]
    assert lost["date"].min().isoformat() == "2024-07-10"
    assert lost["date"].max().isoformat() == "2025-07-22"

    # afterwards "destroyed" is "shot down or suppressed": its share jumps back up
    def destroyed_share(start: str, end: str) -> float:
        dates = pd.to_datetime(shahed["date"])
        part = shahed[(dates >= start) & (dates < end)]
        return float(part["destroyed"].sum() / part["launched"].sum())

    assert destroyed_share("2025-07-01", "2025-07-23") < 0.55
    assert destroyed_share("2025-07-23", "2025-09-01") > 0.8


def test_strike_uav_rates_plausible(normalised: pd.DataFrame) -> None:
    rates = observed_rates(normalised)
    assert rates["observed_rate"].between(0, 1).all()
    uav = rates[(rates["threat_class"] == "strike_uav") & (rates["month"] >= "2024-01")]
    assert len(uav) == 20
    assert uav["observed_rate"].between(0.75, 0.99).all()
    assert uav["observed_rate"].between(0.75, 0.95).mean() >= 0.75


def test_simulated_baseline_reproduces_fit_window(normalised: pd.DataFrame) -> None:
    """Binomial draws at effective probabilities reproduce the (recency-weighted) rates."""
    model = fit_baseline(normalised, until="2025-09-01")
    nights = nights_by_class(normalised)
    rng = np.random.default_rng(20250901)
    for cls in ("strike_uav", "cruise", "ballistic"):
        g = nights[nights["threat_class"] == cls]
        age = (pd.Timestamp(model.until) - g["date"]).dt.days.to_numpy() / 30.4375
        w = 0.5 ** (age / 36.0)
        m = g["launched"].to_numpy()
        p = model.rates(cls, -age, m)
        draws = rng.binomial(m[None, :], p[None, :], size=(100, len(g)))
        simulated = (draws * w).sum(axis=1) / (w * m).sum()
        observed = (w * g["neutralised"].to_numpy()).sum() / (w * m).sum()
        tolerance = 4 * simulated.std() / np.sqrt(100) + 0.003
        assert abs(simulated.mean() - observed) < tolerance, cls
        # and the last six months of the fit window within a few points
        recent = g["date"] >= pd.Timestamp("2025-03-01")
        sim_recent = draws[:, recent.to_numpy()].sum(axis=1) / m[recent.to_numpy()].sum()
        obs_recent = g.loc[recent, "neutralised"].sum() / m[recent.to_numpy()].sum()
        assert abs(sim_recent.mean() - obs_recent) < 0.12, cls


def test_backtest_never_uses_data_after_split(normalised: pd.DataFrame) -> None:
    split = pd.Timestamp("2025-01-01")
    base = backtest(normalised, split="2025-01-01")
    after = pd.to_datetime(normalised["date"]) >= split
    perturbed = normalised.copy()
    perturbed.loc[after, "neutralised"] = perturbed.loc[after, "launched"]
    again = backtest(perturbed, split="2025-01-01")
    pd.testing.assert_series_equal(base["predicted_rate"], again["predicted_rate"])
    pd.testing.assert_series_equal(base["naive_rate"], again["naive_rate"])
    assert (again["observed_rate"] == 1).all()


@pytest.mark.parametrize("split", ["2024-01-01", "2024-07-01", "2025-01-01", "2025-03-01"])
def test_model_beats_naive_pooled(normalised: pd.DataFrame, split: str) -> None:
    score = backtest_score(backtest(normalised, split=split)).set_index("class")
    assert score.loc["all", "mae_model"] < score.loc["all", "mae_naive"]
    assert score.loc["strike_uav", "mae_model"] < score.loc["strike_uav", "mae_naive"]
    assert score.loc["all", "improvement_pct"] > 10
