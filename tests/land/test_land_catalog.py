"""LandQuantity units and the front (garant.land.catalog, garant.land.geometry)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
import shapely
from pydantic import ValidationError

from garant.errors import ConfigError, DataError, NotFoundError
from garant.frontline.line import line_length_km
from garant.land.catalog import LAND_UNITS, LandQuantity, read_toml
from garant.land.geometry import demo_snapshot_dates, front_at, front_from_occupied


def test_land_quantity_accepts_land_units() -> None:
    q = LandQuantity(value=1.6, low=1.2, high=2.6, unit="persons/km", source="x")
    assert q.provenance == "x"
    assert "persons/km" in LAND_UNITS


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"value": 1.5, "low": 0.2, "high": 1.9, "unit": "share"}, "above 1"),
        ({"value": 1.0, "low": 0.0, "high": 2.0, "unit": "knots"}, "unit 'knots'"),
        ({"value": -1.0, "low": -2.0, "high": 0.0, "unit": "persons"}, "outside"),
        ({"value": 3.0, "low": 1.0, "high": 2.0, "unit": "ratio"}, "outside its range"),
    ],
)
def test_land_quantity_rejects_bad_values(kwargs: dict[str, object], fragment: str) -> None:
    with pytest.raises(ValidationError, match=fragment):
        LandQuantity(**kwargs, assumption="test")  # type: ignore[arg-type]


def test_read_toml_errors(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="not found"):
        read_toml(tmp_path / "missing.toml", "missions.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("x = [", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        read_toml(bad, "missions.toml")


def test_front_from_demo_has_line_and_sectors() -> None:
    front = front_at()
    assert front.date == max(demo_snapshot_dates())
    assert front.length_km == pytest.approx(line_length_km(front.line))
    assert front.length_km > 500
    # The sectors split the line: their lengths add up to (nearly) all of it.
    assert front.sectors["length_km"].sum() == pytest.approx(front.length_km, rel=0.02)
    assert front.n_sectors == len(front.sectors) > 3
    assert "demo" in front.source


def test_front_at_date_picks_earlier_snapshot() -> None:
    dates = demo_snapshot_dates()
    day = dates[3] + dt.timedelta(days=1)
    assert front_at(date=day.isoformat()).date == dates[3]


def test_front_before_history_is_an_error() -> None:
    with pytest.raises(DataError, match="before the bundled demo"):
        front_at(date=dt.date(2020, 1, 1))


def test_front_bad_date_and_ceasefire_without_store() -> None:
    with pytest.raises(ConfigError, match="not an ISO date"):
        front_at(date="yesterday")
    with pytest.raises(ConfigError, match="needs a store"):
        front_at(ceasefire="ceasefire-2025-01-01")


def test_front_without_occupied_territory_is_an_error() -> None:
    with pytest.raises(DataError, match="no occupied territory"):
        front_from_occupied(shapely.Polygon())
    # A square deep inside Russia has no line of contact inside Ukraine.
    far = shapely.box(45.0, 55.0, 46.0, 56.0)
    with pytest.raises(DataError, match="no line of contact"):
        front_from_occupied(far)


def test_front_from_store(demo_store: Path) -> None:
    from garant.store import open_store

    with open_store(demo_store, read_only=True) as st:
        front = front_at(st)
        latest = pd.Timestamp(st.timeline()["date"].max()).date()
        assert front.date == latest
        assert front.length_km > 500
        assert front.source.startswith("store")
        with pytest.raises(DataError, match="before the first snapshot"):
            front_at(st, dt.date(2000, 1, 1))


def test_front_from_empty_store(store_path: Path) -> None:
    from garant.store import open_store

    with open_store(store_path) as st, pytest.raises(DataError, match="no snapshots"):
        front_at(st)
