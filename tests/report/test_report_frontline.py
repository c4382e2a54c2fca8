from __future__ import annotations

import base64
import datetime as dt
import re
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from garant.errors import ConfigError, DataError
from garant.report import charts
from garant.report.frontline import REPORT_FILES, write_frontline_report

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _inputs() -> dict[str, Any]:
    dates = pd.date_range("2025-01-01", "2025-03-31", freq="D").drop(pd.Timestamp("2025-02-10"))
    km2 = 112_000.0 + 4.25 * np.arange(len(dates))
    daily = pd.DataFrame(
        {
            "date": dates,
            "occupied_km2": km2,
            "occupied_pct": km2 / 603_628 * 100,
            "gained_km2": 5.0,
            "lost_km2": 0.75,
            "net_km2": 4.25,
            "gap_days": 0,
            "net_7d_km2_per_day": 4.25,
            "net_30d_km2_per_day": 4.25,
            "source": "archive",
        }
    )
    monthly = pd.DataFrame(
        {
            "month": ["2025-01", "2025-02", "2025-03"],
            "gained_km2": [155.0, 135.0, 155.0],
            "lost_km2": [23.25, 20.25, 23.25],
            "net_km2": [131.75, 114.75, 131.75],
            "occupied_km2_end": [112_127.5, 112_242.25, 112_374.0],
            "occupied_pct_end": [18.575, 18.594, 18.616],
            "days_covered": [31, 27, 31],
        }
    )
    validation = pd.DataFrame(
        {
            "month": ["2025-01", "2025-02"],
            "published_km2": [326.0, 120.0],
            "garant_km2": [131.75, 114.75],
            "diff_km2": [-194.25, -5.25],
            "diff_pct": [-59.6, -4.4],
            "note": ["DeepState counts the grey zone as gained", None],
        }
    )
    pts = [(37.18, 48.28, "Pokrovsk", "gained", 4.2), (36.3, 48.0, "<Velyka>", "lost", 1.3)]
    changes = gpd.GeoDataFrame(
        {
            "from_date": [dt.date(2025, 3, 20), dt.date(2025, 3, 25)],
            "to_date": [dt.date(2025, 3, 21), dt.date(2025, 3, 26)],
            "kind": [p[3] for p in pts],
            "area_km2": [p[4] for p in pts],
            "centroid_lon": [p[0] for p in pts],
            "centroid_lat": [p[1] for p in pts],
            "settlement": [p[2] for p in pts],
            "settlement_distance_km": [2.5, 4.0],
            "sector": ["Pokrovsk", "Huliaipole"],
        },
        geometry=[shapely.Point(x, y).buffer(0.02) for x, y, *_ in pts],
        crs=4326,
    )
    ukr = shapely.Polygon(
        [
            (22.2, 48.2),
            (24.0, 51.5),
            (33.0, 52.3),
            (40.2, 49.6),
            (38.0, 47.0),
            (33.5, 44.4),
            (30.0, 45.8),
        ]
    )
    countries = gpd.GeoDataFrame(
        {"iso_a3": ["RUS", "UKR"], "name": ["Russia", "Ukraine"]},
        geometry=[shapely.box(33.0, 44.0, 45.0, 56.0).difference(ukr), ukr],
        crs=4326,
    )
    oblasts = gpd.GeoDataFrame(
        {"oblast_iso": ["UA-14", "UA-23"], "name": ["Donetsk Oblast", "Zaporizhia Oblast"]},
        geometry=[
            shapely.box(34, 40, 45, 55).intersection(ukr),
            shapely.box(20, 40, 34, 55).intersection(ukr),
        ],
        crs=4326,
    )
    oblasts_table = pd.DataFrame(
        {
            "oblast_iso": ["UA-14", "UA-23"],
            "oblast_name": ["Donetsk Oblast", "Zaporizhia Oblast"],
            "occupied_km2": [21_987.6, 19_432.1],
            "occupied_pct": [82.95, 71.55],
        }
    )
    occupied = shapely.Polygon(
        [(37.0, 50.3), (40.2, 49.6), (38.0, 47.0), (33.5, 46.5), (34.5, 47.5), (37.2, 48.2)]
    )
    line = shapely.LineString([(37.0, 50.3), (37.2, 48.2), (34.5, 47.5), (33.5, 46.5)])
    meta = {
        "latest_date": dt.date(2025, 3, 31),
        "first_date": dt.date(2025, 1, 1),
        "recent_since": dt.date(2025, 3, 1),
        "n_snapshots": len(dates),
        "sources": ["archive"],
        "measures": {
            "occupied_km2": float(km2[-1]),
            "occupied_pct": float(km2[-1] / 603_628 * 100),
            "line_length_km": 1187.4,
        },
        "denominator_km2": 603_628,
        "validation_text": (
            "DeepState's monthly totals include areas it later re-classified & <b>revised</b>."
        ),
    }
    return {
        "daily": daily,
        "monthly": monthly,
        "validation": validation,
        "changes": changes,
        "oblasts_table": oblasts_table,
        "occupied": occupied,
        "line": line,
        "countries": countries,
        "oblasts": oblasts,
        "meta": meta,
    }


def _leftovers(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(".garant-tmp-")]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_frontline_report(tmp_path_factory.mktemp("report") / "out", **_inputs())


def test_report_files(report: Path) -> None:
    assert report.name == "frontline.html"
    folder = report.parent
    assert sorted(p.name for p in folder.iterdir()) == sorted(REPORT_FILES)
    for name in REPORT_FILES:
        if name.endswith(".png"):
            assert (folder / name).read_bytes().startswith(PNG_MAGIC)
    monthly = pd.read_csv(folder / "frontline_monthly.csv")
    assert monthly["net_km2"].tolist() == [131.75, 114.75, 131.75]
    daily = pd.read_csv(folder / "frontline_daily.csv")
    assert daily["date"].iloc[0] == "2025-01-01"
    changes = gpd.read_file(folder / "frontline_changes.geojson")
    assert sorted(changes["settlement"]) == ["<Velyka>", "Pokrovsk"]


def test_report_html_has_the_key_numbers(report: Path) -> None:
    html = report.read_text(encoding="utf-8")
    inputs = _inputs()
    latest_km2 = inputs["meta"]["measures"]["occupied_km2"]
    assert f"{latest_km2:,.0f} km²" in html  # 112,374 km²
    assert "18.62 %" in html
    assert "603,628 km²" in html
    assert "2025-03-31" in html
    assert "1,187 km" in html
    assert "+131.8" in html
    assert "−194.2" in html
    assert "326.0" in html
    assert "DeepState counts the grey zone as gained" in html
    assert "re-classified &amp; &lt;b&gt;revised&lt;/b&gt;" in html  # autoescaped
    assert "&lt;Velyka&gt;" in html
    assert "<Velyka>" not in html
    assert "Pokrovsk" in html
    assert "4.20" in html
    assert "Donetsk Oblast" in html
    assert "21,987.6" in html
    assert "82.95" in html
    assert "DeepStateMap" in html
    assert "Natural Earth" in html
    assert "OpenStreetMap" in html
    assert "+29.8 km²" in html  # last 7 days: 7 × 4.25


def test_report_is_self_contained(report: Path) -> None:
    html = report.read_text(encoding="utf-8")
    uris = re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
    assert len(uris) == 3
    for uri in uris:
        assert base64.b64decode(uri).startswith(PNG_MAGIC)
    assert "http://" not in html.replace("http://www.w3.org", "")
    assert '<link rel="stylesheet"' not in html
    assert "<script" not in html


def test_report_is_reproducible(report: Path, tmp_path: Path) -> None:
    again = write_frontline_report(tmp_path, **_inputs())
    assert again.read_bytes() == report.read_bytes()


def test_failed_report_keeps_the_previous_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    first = write_frontline_report(out, **_inputs())
    (out / "notes.txt").write_text("mine")
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("map failed")

    monkeypatch.setattr(charts, "frontline_map", broken)
    inputs = _inputs()
    inputs["meta"]["measures"]["occupied_km2"] = 1.0
    with pytest.raises(RuntimeError, match="map failed"):
        write_frontline_report(out, **inputs)
    after = {p.name: p.read_bytes() for p in out.iterdir()}
    assert after == before
    assert first.exists()
    assert _leftovers(out) == []


def test_failed_first_report_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("chart failed")

    monkeypatch.setattr(charts, "monthly_changes_chart", broken)
    with pytest.raises(RuntimeError):
        write_frontline_report(tmp_path / "out", **_inputs())
    assert list((tmp_path / "out").iterdir()) == []


def test_report_in_ukrainian(tmp_path: Path) -> None:
    html = write_frontline_report(tmp_path, lang="uk", **_inputs()).read_text(encoding="utf-8")
    assert '<html lang="uk">' in html
    assert "Окупована площа" in html
    assert "603,628" in html


def test_report_without_changes_or_measures(tmp_path: Path) -> None:
    inputs = _inputs()
    inputs["changes"] = inputs["changes"].iloc[:0]
    inputs["meta"] = {}
    html = write_frontline_report(tmp_path, **inputs).read_text(encoding="utf-8")
    assert "No changes in this period." in html
    assert "112,374 km²" in html  # latest from the daily series
    assert (tmp_path / "frontline_changes.csv").exists()


def test_report_rejects_bad_input(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="'fr'"):
        write_frontline_report(tmp_path, lang="fr", **_inputs())
    inputs = _inputs()
    inputs["monthly"] = inputs["monthly"].drop(columns="net_km2")
    with pytest.raises(DataError, match="net_km2"):
        write_frontline_report(tmp_path, **inputs)
    assert list(tmp_path.iterdir()) == []
