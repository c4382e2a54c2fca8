"""Factories for the store tests: small synthetic snapshots near lon 37, lat 48."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from garant.model import Snapshot
from garant.store import Store, open_store

TODAY = dt.date(2030, 1, 1)
DAY0 = dt.date(2025, 3, 1)


def make_snapshot(
    day: dt.date = DAY0,
    *,
    source: str = "archive",
    shift: float = 0.0,
    pre2022: bool = True,
    grey: bool = False,
    n_points: int = 0,
    notes: tuple[str, ...] = (),
) -> Snapshot:
    """A valid snapshot; ``shift`` (degrees) moves the east edge of the occupied box."""
    layers = {"occupied": shapely.Polygon([(37.0, 48.0), (37.5 + shift, 48.0), (37.4, 48.6)])}
    if pre2022:
        layers["occupied_pre2022"] = shapely.box(37.3, 47.6, 38.2, 48.3)
    if grey:
        layers["grey_zone"] = shapely.box(36.8, 48.0, 37.0, 48.4)
    points = None
    if n_points:
        points = gpd.GeoDataFrame(
            {
                "kind": ["attack_direction", "unit"] * n_points,
                "key": [f"k{i}" for i in range(2 * n_points)],
                "name_uk": ["Напрямок", None] * n_points,
                "name_en": ["Direction", "Unit"] * n_points,
            },
            geometry=[shapely.Point(37.0 + 0.01 * i, 48.0) for i in range(2 * n_points)],
            crs=4326,
        )
    return Snapshot.build(
        date=day,
        taken_at=dt.datetime(day.year, day.month, day.day, 18, 30, tzinfo=dt.UTC),
        source=source,
        source_ref=f"{source}-{day.isoformat()}-{shift}",
        layers=layers,
        points=points,
        notes=notes,
        today=TODAY,
    )


def make_series(n: int, *, start: dt.date = DAY0, source: str = "archive") -> list[Snapshot]:
    """``n`` daily snapshots with slightly different territory."""
    return [
        make_snapshot(start + dt.timedelta(days=i), source=source, shift=0.01 * i) for i in range(n)
    ]


def make_derived(
    store: Store, ids: Sequence[int]
) -> tuple[pd.DataFrame, pd.DataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Plausible derived frames for the given snapshot ids (in date order)."""
    snaps = store.snapshots().set_index("snapshot_id").loc[list(ids)]
    rows, oblasts, lines, changes = [], [], [], []
    prev: int | None = None
    for k, (label, s) in enumerate(snaps.iterrows()):
        sid = int(label)  # type: ignore[call-overload]
        rows.append(
            {
                "snapshot_id": sid,
                "date": s["date"],
                "source": s["source"],
                "occupied_km2": 1000.0 + k,
                "occupied_pct": 0.17 + k / 1e4,
                "grey_zone_km2": None if k % 2 else 12.5,
                "liberated_km2": None,
                "line_km": 120.0 + k,
                "prev_snapshot_id": prev,
                "gap_days": None if prev is None else 1,
                "gained_km2": None if prev is None else 1.0,
                "lost_km2": None if prev is None else 0.0,
                "net_km2": None if prev is None else 1.0,
                "on_timeline": True,
            }
        )
        for iso, name in (("UA-14", "Donetsk Oblast"), ("UA-09", "Luhansk Oblast")):
            oblasts.append(
                {
                    "snapshot_id": sid,
                    "oblast_iso": iso,
                    "oblast_name": name,
                    "occupied_km2": 500.0 + k,
                    "occupied_pct": 19.0,
                }
            )
        lines.append(
            {
                "snapshot_id": sid,
                "length_km": 120.0 + k,
                "geometry": shapely.LineString([(37.0, 48.0), (37.5 + 0.01 * k, 48.0)]),
            }
        )
        if prev is not None:
            changes.append(
                {
                    "from_snapshot_id": prev,
                    "to_snapshot_id": sid,
                    "from_date": snaps.loc[prev, "date"],
                    "to_date": s["date"],
                    "kind": "gained",
                    "area_km2": 1.0,
                    "centroid_lon": 37.5,
                    "centroid_lat": 48.1,
                    "settlement": "Pokrovsk",
                    "settlement_distance_km": 3.2,
                    "sector": "Pokrovsk",
                    "geometry": shapely.box(37.5, 48.0, 37.51, 48.01),
                }
            )
        prev = sid
    geo_cols = ["from_snapshot_id", "to_snapshot_id", "from_date", "to_date", "kind",
                "area_km2", "centroid_lon", "centroid_lat", "settlement",
                "settlement_distance_km", "sector", "geometry"]  # fmt: skip
    ch = pd.DataFrame(changes, columns=geo_cols)
    return (
        pd.DataFrame(rows),
        pd.DataFrame(oblasts),
        gpd.GeoDataFrame(pd.DataFrame(lines), geometry="geometry", crs=4326),
        gpd.GeoDataFrame(ch, geometry="geometry", crs=4326),
    )


@pytest.fixture
def make_snap() -> Callable[..., Snapshot]:
    """:func:`make_snapshot`."""
    return make_snapshot


@pytest.fixture
def make_snaps() -> Callable[..., list[Snapshot]]:
    """:func:`make_series`."""
    return make_series


@pytest.fixture
def derived_for() -> Callable[
    [Store, Sequence[int]],
    tuple[pd.DataFrame, pd.DataFrame, gpd.GeoDataFrame, gpd.GeoDataFrame],
]:
    """:func:`make_derived`."""
    return make_derived


@pytest.fixture
def store(store_path: Path | str) -> Iterator[Store]:
    """An open, empty store: a DuckDB file, or a PostGIS schema (the test runs for both)."""
    with open_store(store_path) as st:
        yield st
