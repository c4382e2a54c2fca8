"""Store-facing frontline queries on the bundled demo history."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import geopandas as gpd
import pytest

from garant.errors import ConfigError, NotFoundError
from garant.frontline import queries
from garant.store import open_store


@pytest.fixture
def store(demo_store: Path):  # type: ignore[no-untyped-def]
    with open_store(demo_store, read_only=True) as st:
        yield st


@pytest.mark.parametrize("name", [n for n in queries.LAYERS if n != "liberated"])
def test_every_layer_is_a_geodataframe(store, name: str) -> None:  # type: ignore[no-untyped-def]
    # 2024-01-01 comes from a raw map version: every layer kind is there.
    gdf = queries.layer(store, name, date=dt.date(2024, 1, 1))
    assert isinstance(gdf, gpd.GeoDataFrame)
    assert gdf.crs.to_epsg() == 4326
    if name != "changes":
        assert len(gdf) > 0
        assert gdf.geometry.is_valid.all()


def test_unknown_layer(store) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError, match="'nope'"):
        queries.layer(store, "nope")


def test_layer_missing_from_archive_snapshot(store) -> None:  # type: ignore[no-untyped-def]
    # Archive snapshots carry no grey zone: a clear error, not an empty file.
    with pytest.raises(NotFoundError, match="grey_zone"):
        queries.layer(store, "grey_zone", date=dt.date(2025, 6, 30))


def test_as_of_lookup_uses_the_latest_snapshot_before(store) -> None:  # type: ignore[no-untyped-def]
    m = queries.measures_at(store, dt.date(2025, 6, 15))
    assert m["date"] == dt.date(2025, 5, 31)


def test_changes_net_equals_area_difference(store) -> None:  # type: ignore[no-untyped-def]
    d0, d1 = dt.date(2025, 1, 31), dt.date(2025, 6, 30)
    gdf = queries.changes(store, since=d0, until=d1, min_area_km2=0.0)
    net = (
        gdf.loc[gdf.kind == "gained", "area_km2"].sum()
        - gdf.loc[gdf.kind == "lost", "area_km2"].sum()
    )
    a0 = queries.measures_at(store, d0)["occupied_km2"]
    a1 = queries.measures_at(store, d1)["occupied_km2"]
    assert net == pytest.approx(a1 - a0, abs=0.5)


def test_changes_by_sector_adds_up(store) -> None:  # type: ignore[no-untyped-def]
    gdf = queries.changes(store, since=dt.date(2025, 1, 31), until=dt.date(2025, 6, 30))
    by = queries.changes_by_sector(gdf)
    assert by["gained_km2"].sum() == pytest.approx(gdf.loc[gdf.kind == "gained", "area_km2"].sum())
    assert by["n_changes"].sum() == len(gdf)
    assert "Pokrovsk" in set(by["sector"])
    assert list(by["net_km2"]) == sorted(by["net_km2"], reverse=True)


def test_changes_until_before_since(store) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError, match="before"):
        queries.changes(store, since=dt.date(2025, 6, 30), until=dt.date(2025, 1, 31))


def test_report_inputs_complete(store) -> None:  # type: ignore[no-untyped-def]
    inputs = queries.report_inputs(store)
    assert inputs["meta"]["latest_date"] == dt.date(2026, 7, 31)
    assert len(inputs["validation"]) >= 6
    assert inputs["oblasts_table"]["occupied_km2"].sum() > 100_000
