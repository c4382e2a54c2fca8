"""Tests of garant.sea.routing: ports, the H3 sea grid, shortest and exposure-aware routes."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod

from garant.errors import DataError, NotFoundError
from garant.sea.geography import water
from garant.sea.routing import (
    LINK_FACTOR,
    NOMINAL_STEP_KM,
    SeaGrid,
    grid,
    port,
    ports,
    route,
    shortest_route,
)

GEOD = Geod(ellps="WGS84")


@pytest.fixture(scope="module")
def sea_grid() -> SeaGrid:
    return grid()


def test_ports_have_sources_and_lie_near_the_water() -> None:
    ps = ports()
    for pid in ("odesa", "chornomorsk", "pivdennyi", "izmail", "reni", "constanta", "bosphorus"):
        assert pid in ps
    for p in ps.values():
        assert p.source
        assert p.river_km >= 0
        if p.id in ("izmail", "reni"):
            continue  # river ports: they snap to the Danube fairway (test_sea_grid_refine)
        # the sea start is within a few km of the 1:10m water
        d = water().distance(shapely.Point(p.sea_lon, p.sea_lat))
        assert d < 0.1, p.id


def test_port_lookup_by_name_is_lenient() -> None:
    assert port("Constanța").id == "constanta"
    assert port("constanta").id == "constanta"
    assert port("ODESA").id == "odesa"


def test_unknown_port_lists_the_known_ones() -> None:
    with pytest.raises(NotFoundError, match=r"unknown port 'atlantis'.*odesa"):
        port("atlantis")
    with pytest.raises(NotFoundError, match="atlantis"):
        shortest_route("odesa", "atlantis")


def test_grid_cells_are_on_water_and_edges_are_short(sea_grid: SeaGrid) -> None:
    assert sea_grid.size > 50_000
    sea = ~sea_grid.river
    assert shapely.contains_xy(water(), sea_grid.lon[sea], sea_grid.lat[sea]).all()
    w = sea_grid.graph
    assert (w != w.T).nnz == 0
    # res-7 links between 0.94 and 2.3 neighbour spacings (~2.4 km): ring 1 and ring 2
    coo = w.tocoo()
    coarse = (sea_grid.res[coo.row] == 7) & (sea_grid.res[coo.col] == 7)
    assert coo.data[coarse].min() > 0.9 * NOMINAL_STEP_KM
    assert coo.data[coarse].max() < 1.01 * LINK_FACTOR * NOMINAL_STEP_KM
    # no link anywhere is longer than a coarse ring-2 link
    assert coo.data.max() < 1.01 * LINK_FACTOR * NOMINAL_STEP_KM  # sphere vs ellipsoid
    assert coo.data.min() > 0


def test_odesa_to_bosphorus_is_about_600_to_700_km(sea_grid: SeaGrid) -> None:
    r = shortest_route("odesa", "bosphorus", speed_kn=12.0)
    assert 580 < r.length_km < 700
    assert r.transit_h == pytest.approx(r.length_km / (12 * 1.852))
    assert r.line.coords[0] == (ports()["odesa"].lon, ports()["odesa"].lat)
    assert r.line.coords[-1] == (ports()["bosphorus"].lon, ports()["bosphorus"].lat)
    # never shorter than the geodesic between the two ports
    direct_km = GEOD.inv(30.75, 46.49, 29.13, 41.23)[2] / 1000
    assert r.length_km >= direct_km - 1e-6
    assert 0 <= r.nato_territorial_share <= 1


def _assert_on_water(r_cells: tuple[str, ...], sea_grid: SeaGrid, line: shapely.LineString) -> None:
    idx = np.searchsorted(sea_grid.cells, np.asarray(r_cells))
    assert (sea_grid.cells[idx] == np.asarray(r_cells)).all()
    sea = idx[~sea_grid.river[idx]]
    assert shapely.contains_xy(water(), sea_grid.lon[sea], sea_grid.lat[sea]).all()
    # the smoothed legs between the first and last sea cell stay on water
    sea_xy = np.column_stack([sea_grid.lon[sea], sea_grid.lat[sea]])
    coords = np.asarray(line.coords)
    first = int(np.flatnonzero((np.abs(coords - sea_xy[0]) < 1e-9).all(axis=1))[0])
    last = int(np.flatnonzero((np.abs(coords - sea_xy[-1]) < 1e-9).all(axis=1))[-1])
    inner = shapely.LineString(coords[first : last + 1]) if last > first else None
    if inner is not None and inner.length > 0:
        assert inner.difference(water().buffer(0.01)).length < 1e-6


@pytest.mark.parametrize(
    ("a", "b"),
    [("chornomorsk", "novorossiysk"), ("pivdennyi", "varna"), ("reni", "sevastopol")],
)
def test_routes_stay_on_water(a: str, b: str, sea_grid: SeaGrid) -> None:
    r = shortest_route(a, b)
    _assert_on_water(r.cells, sea_grid, r.line)


def test_river_ports_add_their_river_leg() -> None:
    r = shortest_route("reni", "constanta")
    assert r.river_km > 100  # Reni is ~128 km up the Danube from Sulina
    assert r.length_km == pytest.approx(r.sea_length_km + r.river_km)
    assert r.length_km == pytest.approx(GEOD.geometry_length(r.line) / 1000)
    sea = shortest_route("odesa", "constanta")
    assert sea.river_km == 0
    assert sea.sea_length_km == pytest.approx(sea.length_km)


def test_a_hugging_corridor_costs_more_distance_and_gains_nato_share(sea_grid: SeaGrid) -> None:
    # exposure: 1 per cell outside NATO territorial seas
    exposure = (~sea_grid.nato_territorial).astype(float)
    plain = route("odesa", "bosphorus")
    hug = route("odesa", "bosphorus", exposure_weight=5.0, exposure=exposure)
    assert hug.length_km >= plain.length_km
    assert hug.nato_territorial_share > plain.nato_territorial_share + 0.3
    unweighted = route("odesa", "bosphorus", exposure_weight=1e-9, exposure=exposure)
    assert hug.exposure < unweighted.exposure
    _assert_on_water(hug.cells, sea_grid, hug.line)


def test_zero_weight_ignores_exposure(sea_grid: SeaGrid) -> None:
    exposure = np.linspace(0, 100, sea_grid.size)
    a = route("odesa", "constanta")
    b = route("odesa", "constanta", exposure_weight=0.0, exposure=exposure)
    assert a.cells == b.cells
    assert b.exposure > 0


def test_a_port_on_land_is_named_with_its_distance_to_water(sea_grid: SeaGrid) -> None:
    kyiv = (30.52, 50.45)
    with pytest.raises(DataError, match=r"30\.5200, 50\.4500.*on land: \d+\.\d km from"):
        shortest_route(kyiv, "odesa")


def test_no_sea_path_from_a_lagoon_cut_off_on_the_grid(sea_grid: SeaGrid) -> None:
    # Razelm lagoon (Romania): its channel to the sea is narrower than a cell
    with pytest.raises(DataError, match="no sea path"):
        shortest_route((28.88, 44.70), "constanta")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"exposure_weight": -1.0},
        {"speed_kn": 0.0},
        {"speed_kn": -5.0},
        {"max_snap_km": -1.0},
        {"exposure_weight": float("nan")},
    ],
)
def test_bad_numbers_are_rejected(kwargs: dict[str, float]) -> None:
    with pytest.raises(DataError):
        route("odesa", "constanta", **kwargs)  # type: ignore[arg-type]


def test_bad_exposure_arrays_are_rejected(sea_grid: SeaGrid) -> None:
    with pytest.raises(DataError, match="shape"):
        route("odesa", "constanta", exposure_weight=1.0, exposure=np.ones(3))
    neg = np.zeros(sea_grid.size)
    neg[0] = -1.0
    with pytest.raises(DataError, match=">= 0"):
        route("odesa", "constanta", exposure_weight=1.0, exposure=neg)


def test_bad_coordinates_are_rejected() -> None:
    with pytest.raises(DataError, match="latitude"):
        shortest_route((30.0, 95.0), "odesa")
    with pytest.raises(DataError, match="lon/lat"):
        shortest_route((float("inf"), 45.0), "odesa")


@settings(max_examples=15, deadline=None)
@given(
    lon=st.floats(30.0, 38.0),
    lat=st.floats(42.5, 44.0),
)
def test_routes_from_open_sea_points_are_at_least_geodesic(lon: float, lat: float) -> None:
    r = shortest_route((lon, lat), "bosphorus")
    direct_km = GEOD.inv(lon, lat, 29.13, 41.23)[2] / 1000
    assert r.length_km >= direct_km - 1e-6
    # on open water the pulled-tight route is close to the geodesic
    assert r.length_km < 1.15 * direct_km + 10


def test_searoute_comparison_odesa_bosphorus() -> None:
    searoute = pytest.importorskip("searoute")
    ref = searoute.searoute([30.75, 46.49], [29.13, 41.23])
    ref_km = float(ref["properties"]["length"])
    ours = shortest_route("odesa", "bosphorus").length_km
    assert abs(ours - ref_km) / ref_km < 0.10


def test_the_sea_of_azov_is_reached_through_the_kerch_strait(sea_grid: SeaGrid) -> None:
    r = shortest_route("sevastopol", (37.0, 46.5))  # off Berdyansk
    assert 400 < r.length_km < 520
    _assert_on_water(r.cells, sea_grid, r.line)


def test_a_route_to_the_same_port_is_empty() -> None:
    r = shortest_route("odesa", "odesa")
    assert r.length_km == 0
    assert r.transit_h == 0
    assert len(r.cells) == 1


def test_route_as_geojson_feature() -> None:
    f = shortest_route("odesa", "constanta").as_feature()
    assert f["type"] == "Feature"
    geometry = f["geometry"]
    assert isinstance(geometry, dict)
    assert geometry["type"] == "LineString"
    props = f["properties"]
    assert isinstance(props, dict)
    assert props["origin"] == "odesa"
    assert props["length_km"] > 250
