"""Normalisation, observed rates, the baseline model and the backtest on synthetic data."""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from garant.air.calibration import (
    BACKTEST_COLUMNS,
    NORMALISED_COLUMNS,
    UnknownWeaponWarning,
    apportion,
    backtest,
    backtest_score,
    fit_baseline,
    nights_by_class,
    normalise_records,
    observed_rates,
    pooled_rates,
)
from garant.air.classes import THREAT_CLASSES
from garant.errors import DataError, NotFoundError
from garant.sources.attacks import read_attack_records

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "air" / "attacks_quirks.csv"


class StubCatalog:
    """Tiny class lookup for synthetic weapon names."""

    classes = {  # noqa: RUF012
        "Alpha-1": "strike_uav",
        "Beta-2": "cruise",
        "Gamma-3": "ballistic",
        "Delta-4": "recon_uav",
        "Mystery": "unknown",
    }

    def class_of(self, model_name: str) -> str:
        return self.classes.get(model_name, "unknown")

    def is_known_model(self, model_name: str) -> bool:
        return model_name in self.classes


def _records(rows: list[tuple[str, str, int | None, int | None, int]]) -> pd.DataFrame:
    """Typed records from (date, model, launched, destroyed, not_reach_goal)."""
    return pd.DataFrame(
        {
            "line": range(2, len(rows) + 2),
            "date": [dt.date.fromisoformat(r[0]) for r in rows],
            "model": [r[1] for r in rows],
            "models": [r[1].split(" and ") for r in rows],
            "launched": pd.array([r[2] for r in rows], dtype="Int64"),
            "destroyed": pd.array([r[3] for r in rows], dtype="Int64"),
            "not_reach_goal": [r[4] for r in rows],
            "launched_details": [None] * len(rows),
        }
    )


def test_normalise_fixture() -> None:
    records = read_attack_records(FIXTURE)
    with pytest.warns(UnknownWeaponWarning, match=r"Zeta-9") as caught:
        frame, report = normalise_records(records, StubCatalog())
    assert caught[0].filename == __file__  # stacklevel=2 points at the caller
    assert list(frame.columns) == list(NORMALISED_COLUMNS)
    # line 3: bundle by launched_details {'Beta-2': 6, 'Gamma-3': 4}, 8 destroyed
    line3 = frame[frame["line"] == 3].set_index("threat_class")
    assert line3.loc["cruise", "launched"] == 6
    assert line3.loc["ballistic", "launched"] == 4
    assert line3["destroyed"].sum() == 8
    # line 7: same bundle without details -> split evenly (9 -> 5 + 4)
    line7 = frame[frame["line"] == 7].set_index("threat_class")
    assert sorted(line7["launched"]) == [4, 5]
    assert line7["destroyed"].sum() == 6
    assert report.bundles_by_details == 1
    assert report.bundles_even == 1
    # lines 5 (no launched) and 6 (no destroyed) are dropped and reported
    assert report.dropped_lines == (5, 6)
    assert report.unknown_tokens == {"Zeta-9": 1}
    assert report.unrecognised_tokens == ("Zeta-9",)
    assert (frame["neutralised"] == frame["destroyed"] + frame["not_reach_goal"]).all()
    assert frame["month"].unique().tolist() == ["2031-05"]


def test_unknown_counted_and_reported() -> None:
    records = _records(
        [
            ("2024-01-01", "Mystery", 4, 2, 0),  # deliberate alias of unknown: no warning
            ("2024-01-02", "Nobody-7 and Alpha-1", 10, 8, 0),
            ("2024-01-03", "Nobody-7", 2, 2, 0),
        ]
    )
    with pytest.warns(UnknownWeaponWarning) as caught:
        frame, report = normalise_records(records, StubCatalog())
    assert len(caught) == 1
    message = str(caught[0].message)
    assert "'Nobody-7' (2)" in message
    assert "Mystery" not in message
    assert report.unknown_tokens == {"Mystery": 1, "Nobody-7": 2}
    assert report.unknown_launched == 4 + 5 + 2
    assert "unknown" in report.summary()
    assert frame.loc[frame["threat_class"] == "strike_uav", "launched"].sum() == 5


def test_same_class_bundle_kept_whole_and_clipping() -> None:
    records = _records(
        [
            ("2024-01-01", "Beta-2 and Beta-2", 7, 5, 0),
            ("2024-01-02", "Alpha-1", 16, 15, 11),  # destroyed + nrg > launched
        ]
    )
    frame, report = normalise_records(records, StubCatalog())
    assert report.bundles_same_class == 1
    assert frame["launched"].tolist() == [7, 16]
    assert report.clipped_lines == (3,)
    assert frame["neutralised"].tolist() == [5, 16]


def test_catalogue_returning_bad_class_is_an_error() -> None:
    class Bad:
        def class_of(self, model_name: str) -> str:
            return "spaceship"

    with pytest.raises(DataError, match="spaceship"):
        normalise_records(_records([("2024-01-01", "A", 1, 1, 0)]), Bad())


def test_missing_columns() -> None:
    with pytest.raises(DataError, match="missing column"):
        normalise_records(pd.DataFrame({"date": []}), StubCatalog())


@given(
    st.integers(0, 500),
    st.lists(st.integers(0, 100), min_size=1, max_size=5).filter(lambda w: sum(w) > 0),
)
def test_apportion_sums_and_bounds(total: int, weights: list[int]) -> None:
    parts = apportion(total, weights)
    assert sum(parts) == total
    assert all(p >= 0 for p in parts)
    if total <= sum(weights):
        assert all(p <= w for p, w in zip(parts, weights, strict=True))


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 50), st.integers(0, 50), st.integers(0, 50)),
        min_size=1,
        max_size=6,
    )
)
def test_split_bundles_keep_counts_consistent(counts: list[tuple[int, int, int]]) -> None:
    rows = []
    for i, (a, b, c) in enumerate(counts):
        launched = a + b + c
        rows.append((f"2024-01-{i + 1:02d}", "Alpha-1 and Beta-2 and Gamma-3", launched, a + b, c))
    frame, _ = normalise_records(_records(rows), StubCatalog())
    assert (frame["neutralised"] <= frame["launched"]).all()
    assert (frame[["launched", "destroyed", "not_reach_goal"]] >= 0).all().all()
    per_line = frame.groupby("line")[["launched", "destroyed", "not_reach_goal"]].sum()
    assert per_line["launched"].tolist() == [a + b + c for a, b, c in counts]
    assert per_line["destroyed"].tolist() == [a + b for a, b, _ in counts]
    rates = observed_rates(frame)
    assert rates["observed_rate"].between(0, 1).all()


def _synthetic_history(rng: np.random.Generator, *, months: int = 24) -> pd.DataFrame:
    """A normalised frame with known per-class probabilities (one night a day)."""
    truth = {"strike_uav": 0.88, "cruise": 0.75, "ballistic": 0.2}
    rows = []
    start = pd.Timestamp("2023-01-01")
    for day in range(int(months * 30.4)):
        date = (start + pd.Timedelta(days=day)).date()
        for cls, p in truth.items():
            if cls != "strike_uav" and day % 5:
                continue
            n = int(rng.integers(5, 200 if cls == "strike_uav" else 30))
            k = int(rng.binomial(n, p))
            rows.append((date, cls, n, k, 0, k, 2 + len(rows), cls))
    frame = pd.DataFrame(
        rows,
        columns=[
            "date",
            "threat_class",
            "launched",
            "destroyed",
            "not_reach_goal",
            "neutralised",
            "line",
            "model",
        ],
    )
    frame["month"] = pd.to_datetime(frame["date"]).dt.strftime("%Y-%m")
    return frame[list(NORMALISED_COLUMNS)]


def test_fit_recovers_constant_rates() -> None:
    frame = _synthetic_history(np.random.default_rng(1))
    model = fit_baseline(frame, until="2025-01-01")
    assert model.classes == ("strike_uav", "cruise", "ballistic")
    assert model.effective_pk("strike_uav", 80) == pytest.approx(0.88, abs=0.01)
    assert model.effective_pk("cruise", 15) == pytest.approx(0.75, abs=0.03)
    assert model.predict_rate("ballistic", "2025-03", 10) == pytest.approx(0.2, abs=0.04)
    table = model.to_frame()
    assert table["threat_class"].tolist() == list(model.classes)
    assert {"intercept", "size_slope", "trend_per_month", "n_nights", "status"} <= set(table)
    with pytest.raises(NotFoundError, match="aeroballistic"):
        model.effective_pk("aeroballistic", 3)


def test_simulated_baseline_reproduces_observed_rates() -> None:
    """Binomial draws at the model's probabilities give back the observed rates."""
    frame = _synthetic_history(np.random.default_rng(2))
    model = fit_baseline(frame, until="2025-01-01", half_life_months=None)
    nights = nights_by_class(frame)
    rng = np.random.default_rng(7)
    for cls in model.classes:
        g = nights[nights["threat_class"] == cls]
        t = (g["date"] - pd.Timestamp(model.until)).dt.days.to_numpy() / 30.4375
        p = model.rates(cls, t, g["launched"].to_numpy())
        sims = rng.binomial(g["launched"].to_numpy()[None, :], p[None, :], size=(200, len(g)))
        simulated = sims.sum(axis=1) / g["launched"].sum()
        observed = g["neutralised"].sum() / g["launched"].sum()
        se = simulated.std()
        assert abs(simulated.mean() - observed) < 3 * se / np.sqrt(200) + 0.005


def test_fit_needs_data() -> None:
    frame = _synthetic_history(np.random.default_rng(3), months=2)
    with pytest.raises(DataError, match="no launches before"):
        fit_baseline(frame, until="2020-01-01")


def test_pooled_floor_for_sparse_class() -> None:
    frame = _synthetic_history(np.random.default_rng(4))
    extra = frame.iloc[:1].assign(threat_class="guided_bomb", launched=3, neutralised=3)
    model = fit_baseline(pd.concat([frame, extra]), until="2025-01-01")
    assert model.params["guided_bomb"].status == "pooled"
    assert 0.5 < model.effective_pk("guided_bomb", 3) < 1.0


def test_backtest_columns_and_no_peeking() -> None:
    frame = _synthetic_history(np.random.default_rng(5))
    result = backtest(frame, split="2024-07-01")
    assert tuple(result.columns) == BACKTEST_COLUMNS
    assert result["month"].min() == "2024-07"
    assert result["launched"].dtype == np.int64
    for col in ("observed_rate", "predicted_rate", "naive_rate"):
        assert result[col].between(0, 1).all()
    assert result["class"].tolist() == sorted(
        result["class"], key=lambda c: THREAT_CLASSES.index(c)
    )
    # perturbing outcomes after the split changes observed rates, never the forecasts
    after = pd.to_datetime(frame["date"]) >= pd.Timestamp("2024-07-01")
    perturbed = frame.copy()
    perturbed.loc[after, "neutralised"] = 0
    again = backtest(perturbed, split="2024-07-01")
    pd.testing.assert_series_equal(result["naive_rate"], again["naive_rate"])
    pd.testing.assert_series_equal(result["predicted_rate"], again["predicted_rate"])
    assert (again["observed_rate"] == 0).all()
    short = backtest(frame, split="2024-07-01", horizon_months=2)
    assert sorted(short["month"].unique()) == ["2024-07", "2024-08"]


def test_backtest_score() -> None:
    result = pd.DataFrame(
        {
            "class": ["a", "a", "b"],
            "month": ["2024-01", "2024-02", "2024-01"],
            "launched": [100, 300, 50],
            "observed_rate": [0.8, 0.9, 0.5],
            "predicted_rate": [0.85, 0.88, 0.5],
            "naive_rate": [0.7, 0.7, np.nan],
        }
    )
    score = backtest_score(result).set_index("class")
    assert score.loc["a", "mae_model"] == pytest.approx((100 * 0.05 + 300 * 0.02) / 400)
    assert score.loc["a", "mae_naive"] == pytest.approx((100 * 0.1 + 300 * 0.2) / 400)
    assert score.loc["all", "months"] == 2  # b has no naive forecast: not scored
    assert score.loc["a", "improvement_pct"] > 0


def test_observed_and_pooled_rates() -> None:
    frame = _synthetic_history(np.random.default_rng(6), months=3)
    monthly = observed_rates(frame)
    assert monthly["observed_rate"].between(0, 1).all()
    pooled = pooled_rates(frame, start="2023-02-01", end="2023-03-01")
    assert pooled["month"].unique().tolist() == ["all"]
    feb = monthly[monthly["month"] == "2023-02"].reset_index(drop=True)
    assert pooled["observed_rate"].tolist() == pytest.approx(feb["observed_rate"].tolist())
    with pytest.raises(ValueError, match="by must be"):
        observed_rates(frame, by="week")


def test_backtest_reads_a_file(tmp_path: Path) -> None:
    lines = ["time_start,time_end,model,launched,destroyed,not_reach_goal"]
    for i in range(60):
        day = dt.date(2024, 1, 1) + dt.timedelta(days=i)
        lines.append(f"{day} 20:00,{day} 23:00,Alpha-1,{20 + i % 7}.0,{15 + i % 5}.0,1.0")
    path = tmp_path / "attacks_small.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = backtest(path, split="2024-02-01", catalog=StubCatalog())
    assert result["class"].unique().tolist() == ["strike_uav"]
    assert result["month"].tolist() == ["2024-02"]
