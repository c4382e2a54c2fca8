"""freeze / watch / zones_for against a real DuckDB store with synthetic snapshots."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import box

from garant.errors import ConfigError, GarantError, NotFoundError
from garant.frontline.ceasefire import freeze, load_ceasefire, watch, zones_for
from garant.model import Snapshot
from garant.store import DuckDBStore, open_store

LAT_KM = 111.2
LON_KM = 74.4
X0 = 36.0
FROZEN = shapely.segmentize(box(X0, 47.0, 40.0, 49.0), 0.01)
LAND = box(30.0, 45.0, 39.5, 52.0)
D0 = dt.date(2025, 1, 15)


class FakeGeography:
    def ukraine(self) -> shapely.Polygon:
        return LAND

    def ukraine_boundary(self) -> gpd.GeoDataFrame:
        return gpd.GeoDataFrame(
            {"kind": ["russia"], "length_km": [1.0]}, geometry=[LAND.boundary], crs=4326
        )

    def settlements(
        self, *, min_population: int = 0, include_sections: bool = False
    ) -> gpd.GeoDataFrame:
        towns = gpd.GeoDataFrame(
            {"name": ["Westtown", "Easttown"], "population": [50_000, 20_000]},
            geometry=gpd.points_from_xy([35.8, 36.5], [48.0, 48.5]),
            crs=4326,
        )
        return towns[towns["population"] >= min_population].reset_index(drop=True)


GEO = FakeGeography()


def bite(lat: float, width_km: float, depth_km: float) -> shapely.Polygon:
    return box(X0 - depth_km / LON_KM, lat, X0, lat + width_km / LAT_KM)


def snap(date: dt.date, occupied: shapely.Geometry) -> Snapshot:
    return Snapshot.build(
        date=date,
        taken_at=dt.datetime.combine(date, dt.time(20), tzinfo=dt.UTC),
        source="file",
        source_ref=f"synthetic-{date}",
        layers={"occupied": occupied},
        today=dt.date(2030, 1, 1),
    )


@pytest.fixture
def store(store_path: Path) -> Iterator[DuckDBStore]:
    occ = [
        FROZEN,
        shapely.union(FROZEN, bite(48.0, 2.0, 1.0)),
        shapely.union(FROZEN, bite(48.0, 2.0, 2.0)),
        shapely.union(FROZEN, bite(48.0, 2.0, 2.0)),
    ]
    with open_store(store_path) as st:
        st.add_snapshots([snap(D0 + dt.timedelta(days=i), g) for i, g in enumerate(occ)])
        yield st


def test_freeze_saves_the_line_and_the_occupied_territory(store: DuckDBStore) -> None:
    cf = freeze(store, D0, note="test", geography=GEO)
    assert cf.name == "ceasefire-2025-01-15"
    assert cf.date == D0
    assert cf.length_km > 200  # west edge 222 km plus parts of the north/south edges
    assert cf.occupied.within(LAND.buffer(1e-9))
    loaded = load_ceasefire(store, cf.name)
    assert loaded.date == D0
    assert loaded.snapshot_id == cf.snapshot_id
    assert loaded.note == "test"
    assert loaded.line.equals_exact(cf.line, 1e-7)
    assert cf.name in list(store.ceasefire_lines()["name"])


def test_freeze_refuses_a_date_without_snapshot_and_a_duplicate_name(
    store: DuckDBStore,
) -> None:
    with pytest.raises(NotFoundError, match="2025-02-01"):
        freeze(store, dt.date(2025, 2, 1), geography=GEO)
    freeze(store, D0, name="cf", geography=GEO)
    with pytest.raises(GarantError):
        freeze(store, D0, name="cf", geography=GEO)
    cf = freeze(store, D0 + dt.timedelta(days=1), name="cf", replace=True, geography=GEO)
    assert load_ceasefire(store, "cf").date == cf.date


def test_watch_reports_every_later_snapshot(store: DuckDBStore) -> None:
    freeze(store, D0, name="cf", geography=GEO)
    rep = watch(store, "cf", geography=GEO)
    assert rep.n_snapshots == 3
    # growing over the last TREND_WINDOW (3) snapshots, though unchanged on the last day
    assert [a.trend for a in rep.alerts] == ["new", "growing", "growing"]
    assert {a.settlement for a in rep.alerts} == {"Westtown"}
    assert all(a.sector for a in rep.alerts)  # bundled sectors catalogue
    assert rep.to_json()["checked"]["from"] == "2025-01-16"
    d2 = D0 + dt.timedelta(days=2)
    only = watch(store, "cf", since=d2, until=d2, geography=GEO)
    assert only.checked_dates == (d2,)
    assert [a.trend for a in only.alerts] == ["new"]  # the series starts in the window


def test_watch_bad_input(store: DuckDBStore) -> None:
    freeze(store, D0, name="cf", geography=GEO)
    with pytest.raises(ConfigError, match="since"):
        watch(store, "cf", since=dt.date(2025, 2, 1), until=dt.date(2025, 1, 20), geography=GEO)
    with pytest.raises(NotFoundError):
        watch(store, "nope", geography=GEO)
    late = watch(store, "cf", since=dt.date(2026, 1, 1), geography=GEO)
    assert late.alerts == ()
    assert "no later snapshot" in late.to_text()


def test_zones_for_a_frozen_line(store: DuckDBStore) -> None:
    freeze(store, D0, name="cf", geography=GEO)
    dmz, bands = zones_for(store, "cf", width_km=5.0, bands_km=(0, 9, 40), geography=GEO)
    assert list(dmz["side"]) == ["russian", "ukrainian"]
    assert (dmz["area_km2"] > 0).all()
    assert list(bands["band"]) == ["0–9 km", "9–40 km"]
    assert bands["population"].tolist() == [0, 50_000]  # Westtown is 15 km west of the line
    assert bands["largest_settlements"].tolist() == ["", "Westtown"]
