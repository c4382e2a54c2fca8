from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from PIL import Image

from garant.errors import DataError
from garant.report import charts

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data.startswith(PNG_MAGIC)
    with Image.open(path) as im:
        im.verify()
    with Image.open(path) as im:
        return im.size


def _png_text_chunks(path: Path) -> bytes:
    with Image.open(path) as im:
        return repr(im.info).encode()


def _daily() -> pd.DataFrame:
    """Monthly snapshots for a year, then daily data with two missing days."""
    monthly = pd.date_range("2023-07-01", "2024-06-01", freq="MS")
    daily = pd.date_range("2024-07-01", "2024-09-30", freq="D")
    daily = daily.drop([pd.Timestamp("2024-08-18"), pd.Timestamp("2024-08-19")])
    dates = monthly.append(daily)
    km2 = 108_000 + np.cumsum(
        np.r_[0, np.diff(dates).astype("timedelta64[D]").astype(float)] * 12.5
    )
    df = pd.DataFrame({"date": dates, "occupied_km2": km2})
    df["occupied_pct"] = df["occupied_km2"] / 603_628 * 100
    df["net_km2"] = df["occupied_km2"].diff().fillna(0.0)
    df["net_7d_km2_per_day"] = 12.5
    df["net_30d_km2_per_day"] = 12.5
    df["source"] = ["deepstatemap-raw"] * len(monthly) + ["archive"] * len(daily)
    return df


def _monthly() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "month": ["2024-07", "2024-08", "2024-09", "2024-10"],
            "gained_km2": [410.0, 480.5, 300.0, 20.0],
            "lost_km2": [5.0, 0.0, 60.0, 90.0],
            "net_km2": [405.0, 480.5, 240.0, -70.0],
            "occupied_km2_end": [1.0, 2.0, 3.0, 4.0],
            "occupied_pct_end": [0.1, 0.2, 0.3, 0.4],
            "days_covered": [31, 29, 30, 12],
        }
    )


def test_occupied_area_chart_writes_a_png(tmp_path: Path) -> None:
    path = charts.occupied_area_chart(_daily(), tmp_path / "area.png")
    assert path == tmp_path / "area.png"
    assert _png_size(path) == (1500, 930)


def test_occupied_area_chart_without_rates(tmp_path: Path) -> None:
    df = _daily()[["date", "occupied_km2"]].tail(5)
    path = charts.occupied_area_chart(df, tmp_path / "area.png", title="Five days")
    assert _png_size(path) == (1500, 690)


def test_occupied_area_chart_single_day(tmp_path: Path) -> None:
    df = pd.DataFrame({"date": [dt.date(2025, 1, 1)], "occupied_km2": [112_000.0]})
    assert _png_size(charts.occupied_area_chart(df, tmp_path / "a.png"))[0] == 1500


def test_gap_spans_find_missing_days() -> None:
    spans = charts._gap_spans(
        pd.Series(pd.to_datetime(["2025-01-01", "2025-01-02", "2025-01-05", "2025-02-05"]))
    )
    assert [n for _, _, n in spans] == [2, 30]
    assert spans[0][0] == pd.Timestamp("2025-01-02")


def test_charts_are_deterministic_and_unstamped(tmp_path: Path) -> None:
    a = charts.occupied_area_chart(_daily(), tmp_path / "a.png")
    b = charts.occupied_area_chart(_daily(), tmp_path / "b.png")
    assert a.read_bytes() == b.read_bytes()
    info = _png_text_chunks(a)
    assert b"Software" not in info
    assert b"matplotlib" not in a.read_bytes().lower()


def test_monthly_changes_chart(tmp_path: Path) -> None:
    path = charts.monthly_changes_chart(_monthly(), tmp_path / "m.png")
    w, h = _png_size(path)
    assert (w, h) == (900, 720)
    many = pd.concat([_monthly()] * 12, ignore_index=True)
    many["month"] = pd.period_range("2022-03", periods=len(many), freq="M").astype(str)
    assert _png_size(charts.monthly_changes_chart(many, tmp_path / "m2.png"))[0] == 1800


def test_missing_columns_raise(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="occupied_km2"):
        charts.occupied_area_chart(pd.DataFrame({"date": [1]}), tmp_path / "x.png")
    with pytest.raises(DataError, match="no rows"):
        charts.monthly_changes_chart(_monthly().iloc[:0], tmp_path / "x.png")
    assert list(tmp_path.iterdir()) == []


def test_failed_chart_keeps_previous_png(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = charts.monthly_changes_chart(_monthly(), tmp_path / "m.png")
    before = path.read_bytes()

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(charts.Figure, "savefig", broken)
    with pytest.raises(OSError, match="disk full"):
        charts.monthly_changes_chart(_monthly(), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.png"]


def _geography() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
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
    rus = shapely.box(33.0, 44.0, 45.0, 56.0).difference(ukr)
    blr = shapely.box(23.0, 51.3, 32.0, 56.0).difference(ukr)
    countries = gpd.GeoDataFrame(
        {"iso_a3": ["BLR", "RUS", "UKR"], "name": ["Belarus", "Russia", "Ukraine"]},
        geometry=[blr, rus, ukr],
        crs=4326,
    )
    west, east = (
        shapely.box(20, 40, 34, 55).intersection(ukr),
        shapely.box(34, 40, 45, 55).intersection(ukr),
    )
    oblasts = gpd.GeoDataFrame(
        {"oblast_iso": ["UA-01", "UA-02"], "name": ["Western Oblast", "Eastern Oblast"]},
        geometry=[west, east],
        crs=4326,
    )
    return countries, oblasts


def _front() -> tuple[shapely.Polygon, shapely.LineString, gpd.GeoDataFrame]:
    occupied = shapely.Polygon(
        [(37.0, 50.3), (40.2, 49.6), (38.0, 47.0), (33.5, 46.5), (34.5, 47.5), (37.2, 48.2)]
    )
    line = shapely.LineString([(37.0, 50.3), (37.2, 48.2), (34.5, 47.5), (33.5, 46.5)])
    pts = [
        (37.18, 48.28, "Pokrovsk", "gained", 4.2),
        (36.3, 48.0, "Velykomykhailivka", "lost", 12.6),
        (37.6, 49.7, "Kupiansk", "gained", 2.1),
        (35.8, 47.6, None, "gained", 0.4),
    ]
    changes = gpd.GeoDataFrame(
        {
            "from_date": [dt.date(2025, 1, 1)] * 4,
            "to_date": [dt.date(2025, 1, 31)] * 4,
            "kind": [p[3] for p in pts],
            "area_km2": [p[4] for p in pts],
            "settlement": [p[2] for p in pts],
            "sector": ["Pokrovsk", "Huliaipole", "Kupiansk", "Orikhiv"],
        },
        geometry=[shapely.Point(x, y).buffer(0.02 * np.sqrt(a)) for x, y, _, _, a in pts],
        crs=4326,
    )
    return occupied, line, changes


def test_change_label_text() -> None:
    _, _, changes = _front()
    rows = list(changes.itertuples())
    assert charts._change_label(rows[0]) == "+4.2 km² near Pokrovsk"
    assert charts._change_label(rows[1]) == "−12.6 km² near Velykomykhailivka"
    assert charts._change_label(rows[3]) == "+0.4 km² (Orikhiv)"


def test_frontline_map(tmp_path: Path) -> None:
    countries, oblasts = _geography()
    occupied, line, changes = _front()
    path = charts.frontline_map(
        occupied,
        line,
        changes,
        countries,
        oblasts,
        tmp_path / "map.png",
        title="Test front",
        subtitle="1 Jan",
    )
    assert _png_size(path) == (1500, 1290)
    again = charts.frontline_map(
        occupied,
        line,
        changes,
        countries,
        oblasts,
        tmp_path / "map2.png",
        title="Test front",
        subtitle="1 Jan",
    )
    assert again.read_bytes() == path.read_bytes()


def test_frontline_map_without_changes_or_line(tmp_path: Path) -> None:
    countries, _ = _geography()
    occupied, _, _ = _front()
    path = charts.frontline_map(
        gpd.GeoDataFrame(geometry=[occupied], crs=4326),
        None,
        None,
        countries,
        None,
        tmp_path / "m.png",
        title="x",
    )
    assert _png_size(path) == (1500, 1290)


def test_frontline_map_rejects_bad_layers(tmp_path: Path) -> None:
    countries, oblasts = _geography()
    occupied, line, changes = _front()
    with pytest.raises(DataError, match="iso_a3"):
        charts.frontline_map(
            occupied,
            line,
            changes,
            countries.drop(columns="iso_a3"),
            oblasts,
            tmp_path / "m.png",
            title="x",
        )
    with pytest.raises(DataError, match="no CRS"):
        charts.frontline_map(
            gpd.GeoSeries([occupied]),
            line,
            changes,
            countries,
            oblasts,
            tmp_path / "m.png",
            title="x",
        )


def test_charts_do_not_use_pyplot() -> None:
    assert "matplotlib.pyplot" not in charts.__dict__
    src = Path(charts.__file__).read_text()
    assert "pyplot" not in src.replace("(no ``pyplot``", "")
    assert isinstance(sys.modules["garant.report.charts"], type(sys))


@pytest.mark.shared
def test_frontline_map_real_data(shared_data: Path, tmp_path: Path) -> None:
    geo = shared_data / "geo"
    countries = gpd.read_file(geo / "ne_10m_admin0_region.geojson")[["ISO_A3", "NAME", "geometry"]]
    countries = countries.rename(columns={"ISO_A3": "iso_a3", "NAME": "name"})
    oblasts = gpd.read_file(geo / "geoBoundaries-UKR-ADM1_simplified.geojson").rename(
        columns={"shapeName": "name"}
    )
    occupied = gpd.read_file(shared_data / "deepstatemap" / "deepstatemap_data_20250801.geojson")
    before = gpd.read_file(shared_data / "deepstatemap" / "deepstatemap_data_20250702.geojson")
    gained = shapely.difference(occupied.geometry.iloc[0], before.geometry.iloc[0])
    parts = gpd.GeoDataFrame(geometry=list(shapely.get_parts(gained)), crs=4326)
    parts["area_km2"] = parts.to_crs(6933).area / 1e6
    parts = parts[parts["area_km2"] > 1].assign(kind="gained", settlement=None, sector="front")
    ukr = countries[countries["iso_a3"] == "UKR"].geometry.iloc[0]
    line = occupied.geometry.iloc[0].boundary.difference(ukr.boundary.buffer(0.05))
    path = charts.frontline_map(
        occupied, line, parts, countries, oblasts, tmp_path / "real.png", title="July 2025"
    )
    assert _png_size(path) == (1500, 1290)
