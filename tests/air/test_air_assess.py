"""The air assessment: baseline calibration, package effects, reproducibility, report."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from shapely.geometry import box

from garant.air.assess import AirAssessment, assess_air, assess_air_many, build_scenario
from garant.air.assets import load_assets
from garant.air.catalog import default_catalog
from garant.air.classes import THREAT_CLASSES
from garant.air.presets import load_defaults, load_package
from garant.air.raids import simulate_raids

OCCUPIED = box(35.5, 46.0, 40.0, 49.5)
RUNS, NIGHTS = 40, 4


@pytest.fixture(scope="module")
def assets():  # type: ignore[no-untyped-def]
    return load_assets()


@pytest.fixture(scope="module")
def results(assets) -> dict[str, AirAssessment]:  # type: ignore[no-untyped-def]
    kw = {"n_runs": RUNS, "nights": NIGHTS, "rng": 7, "occupied": OCCUPIED, "assets": assets}
    return {
        name: assess_air(name, **kw)  # type: ignore[arg-type]
        for name in ("ukraine-today", "recon-only", "sky-shield", "sky-shield+us-backstop")
    }


def test_ukraine_today_reproduces_baseline_rates(assets) -> None:  # type: ignore[no-untyped-def]
    """Without explicit units the raid neutralises effective_pk per class (MC error)."""
    pkg = load_package("ukraine-today", assets=assets)
    model = load_defaults().baseline.model()
    sc = build_scenario(pkg, catalog=default_catalog(), assets=assets, raid_fraction=1.0)
    res = simulate_raids(sc, 400, rng=1)
    launched = res.launched.sum(axis=0)
    neut = res.neutralised.sum(axis=0)
    drones = 468  # strike drones and decoys in the default raid, per night
    for cls, size in (("strike_uav", drones), ("decoy_uav", drones), ("cruise", 21)):
        i = THREAT_CLASSES.index(cls)
        p = model.effective_pk("strike_uav" if cls == "decoy_uav" else cls, size)
        se = np.sqrt(p * (1 - p) / launched[i])
        assert neut[i] / launched[i] == pytest.approx(p, abs=4 * se)
    assert res.shots.sum() == 0


def test_campaign_rate_matches_launch_weighted_baseline(results) -> None:  # type: ignore[no-untyped-def]
    a = results["ukraine-today"]
    rates = a.rates().set_index("class")
    c = a.campaign
    for cls in ("strike_uav", "cruise"):
        i = THREAT_CLASSES.index(cls)
        n = c.launched[:, :, i].sum()
        p = a.baseline_p[cls]
        pooled = c.neutralised[:, :, i].sum() / n
        assert pooled == pytest.approx(p, abs=4 * np.sqrt(p * (1 - p) / n) + 0.01)
        assert rates.loc[cls, "baseline_p"] == p


def test_sky_shield_beats_ukraine_today(results) -> None:  # type: ignore[no-untyped-def]
    today = results["ukraine-today"].rates().set_index("class")
    sky = results["sky-shield"].rates().set_index("class")
    for cls in ("strike_uav", "cruise"):
        assert sky.loc[cls, "rate_mean"] > today.loc[cls, "rate_mean"] + 0.02
    h_today, h_sky = results["ukraine-today"].headline(), results["sky-shield"].headline()
    assert h_sky["hits_protected_per_night"] < h_today["hits_protected_per_night"]
    assert h_sky["interceptors_per_night"] > 0
    assert h_sky["west_covered_area_share"] > 0.2
    assert h_today["west_covered_area_share"] == 0


def test_recon_only_sees_but_does_not_shoot(results) -> None:  # type: ignore[no-untyped-def]
    today, recon = results["ukraine-today"], results["recon-only"]
    np.testing.assert_array_equal(recon.campaign.neutralised, today.campaign.neutralised)
    assert recon.campaign.shots.sum() == 0
    h = recon.headline()
    assert h["west_covered_area_share"] == 0
    assert h["west_detected_area_share"] > 0.5
    assert today.headline()["west_detected_area_share"] == 0


def test_us_backstop_adds_ballistic_defence(results) -> None:  # type: ignore[no-untyped-def]
    sky = results["sky-shield"].rates().set_index("class")
    both = results["sky-shield+us-backstop"].rates().set_index("class")
    assert both.loc["ballistic", "rate_mean"] > sky.loc["ballistic", "rate_mean"]
    assert "patriot_pac3" in set(results["sky-shield+us-backstop"].units["defence_id"])


def test_same_seed_same_results(assets, results) -> None:  # type: ignore[no-untyped-def]
    again = assess_air(
        "sky-shield", n_runs=RUNS, nights=NIGHTS, rng=7, occupied=OCCUPIED, assets=assets
    )
    first = results["sky-shield"]
    np.testing.assert_array_equal(again.campaign.neutralised, first.campaign.neutralised)
    np.testing.assert_array_equal(again.campaign.rounds_left, first.campaign.rounds_left)
    assert again.summary().equals(first.summary())


def test_summary_and_invariants(results) -> None:  # type: ignore[no-untyped-def]
    a = results["sky-shield"]
    s = a.summary()
    assert {"package", "metric", "class", "mean", "p5", "p50", "p95"} == set(s.columns)
    assert {"neutralised_rate", "hits", "cost_exchange", "nights_until_dry"} <= set(s["metric"])
    c = a.campaign
    assert (c.neutralised + c.leaked == c.launched).all()
    costs = a.costs()
    assert (costs["defender_usd"] >= costs["interceptors_usd"]).all()
    stock = a.stock_by_night()
    assert set(stock["night"]) == set(range(1, NIGHTS + 1))
    assert results["ukraine-today"].stock_by_night().empty


def test_addon_alone_cannot_be_assessed(assets) -> None:  # type: ignore[no-untyped-def]
    from garant.errors import ConfigError

    with pytest.raises(ConfigError, match="add-on"):
        assess_air("us-backstop", n_runs=2, nights=1, occupied=OCCUPIED, assets=assets)


def test_report_is_written_atomically(tmp_path: Path, results) -> None:  # type: ignore[no-untyped-def]
    from garant.report.air import AIR_HTML, write_air_report

    out = tmp_path / "report"
    page = write_air_report([results["ukraine-today"], results["sky-shield"]], out)
    assert page == out / AIR_HTML
    names = {p.name for p in out.iterdir()}
    assert {
        "air.html",
        "air_neutralisation.png",
        "air_stock.png",
        "air_costs.png",
        "air_map_sky-shield.png",
        "air_headline.csv",
        "air_summary.csv",
    } <= names
    assert not [n for n in names if n.startswith(".")]  # no staging leftovers
    html = page.read_text(encoding="utf-8")
    assert "data:image/png;base64," in html
    assert "sky-shield" in html


def test_report_failure_leaves_folder_untouched(tmp_path: Path, results, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import garant.report.air as air_report

    out = tmp_path / "report"
    out.mkdir()
    (out / "keep.txt").write_text("x", encoding="utf-8")

    def boom(*_a: object, **_k: object) -> None:
        raise RuntimeError("chart failed")

    monkeypatch.setattr(air_report, "cost_chart", boom)
    with pytest.raises(RuntimeError):
        air_report.write_air_report(results["sky-shield"], out)
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]


def test_assess_many_compares(assets) -> None:  # type: ignore[no-untyped-def]
    table = assess_air_many(
        ["ukraine-today", "recon-only"], n_runs=4, nights=1, rng=0, occupied=OCCUPIED, assets=assets
    )
    assert list(table["package"]) == ["ukraine-today", "recon-only"]
    assert "neutralised_strike_uav" in table.columns
