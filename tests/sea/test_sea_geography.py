"""Tests of garant.sea.geography: water, territorial seas, approximate EEZs."""

from __future__ import annotations

import pytest
import shapely
from shapely.geometry import Point

from garant.sea.geography import (
    LITTORAL,
    NATO_LITTORAL,
    eez_approx,
    territorial_seas,
    water,
    water_metric,
)
from garant.sources.geography import countries


def test_water_is_one_valid_polygon_of_the_right_size() -> None:
    w = water()
    assert w.geom_type == "Polygon"
    assert w.is_valid
    # Black Sea ~436,000 km2 + Sea of Azov ~39,000 km2, coastline at 1:10m
    assert 430_000 < water_metric().area / 1e6 < 490_000


@pytest.mark.parametrize(
    ("lon", "lat", "inside"),
    [
        (34.0, 43.5, True),  # open Black Sea
        (36.5, 46.0, True),  # Sea of Azov
        (29.13, 41.3, True),  # off the Bosphorus
        (28.5, 40.8, False),  # Sea of Marmara, cut off
        (31.0, 48.0, False),  # Ukraine, inland
    ],
)
def test_water_holds_the_seas_and_not_land(lon: float, lat: float, inside: bool) -> None:
    assert water().contains(Point(lon, lat)) is inside


def test_water_does_not_overlap_land() -> None:
    land = shapely.union_all(countries().geometry.to_numpy())
    assert water().intersection(land).area < 1e-9


def test_eez_partitions_the_water() -> None:
    eez = eez_approx()
    assert set(eez["iso_a3"]) == set(LITTORAL)
    total = shapely.union_all(eez.geometry.to_numpy())
    assert total.symmetric_difference(water()).area < 1e-3 * water().area
    # the pieces do not overlap: their areas add up to the water's
    assert eez["area_km2"].sum() == pytest.approx(water_metric().area / 1e6, rel=1e-3)
    by_iso = eez.set_index("iso_a3")["area_km2"]
    # published EEZ areas: Turkey ~172,000 km2, Romania ~29,700 km2 (approximation)
    assert 140_000 < by_iso["TUR"] < 200_000
    assert 20_000 < by_iso["ROU"] < 40_000


def test_territorial_seas_are_12_nm_bands_labelled_by_country() -> None:
    ts = territorial_seas()
    assert set(ts["iso_a3"]) == set(LITTORAL)
    assert set(ts.loc[ts["nato"], "iso_a3"]) == NATO_LITTORAL
    for geom in ts.geometry:
        assert geom.difference(water()).area < 1e-6
    by_iso = ts.set_index("iso_a3").geometry
    # 10 km off Constanța is Romanian territorial sea, 40 km off is not
    assert by_iso["ROU"].contains(Point(28.80, 44.12))
    assert not by_iso["ROU"].contains(Point(29.15, 44.12))
    # neighbours do not overlap
    geoms = list(ts.geometry)
    for i in range(len(geoms)):
        for j in range(i + 1, len(geoms)):
            assert geoms[i].intersection(geoms[j]).area < 1e-6
