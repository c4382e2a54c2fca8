"""Tests of the multi-resolution sea grid and the Danube fairways (garant.sea.routing)."""

from __future__ import annotations

import time

import h3
import numpy as np
import pytest
import shapely
from pyproj import Geod
from scipy.sparse.csgraph import connected_components

from garant.errors import ConfigError
from garant.sea.geography import fairways, parse_fairways, water
from garant.sea.routing import (
    JOIN_KM,
    REFINE_RADIUS_KM,
    SeaGrid,
    grid,
    ports,
    shortest_route,
    straits,
)

GEOD = Geod(ellps="WGS84")


@pytest.fixture(scope="module")
def sea_grid() -> SeaGrid:
    return grid()


def _km(lon0: float, lat0: float, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    return np.asarray(GEOD.inv(np.full(len(lon), lon0), np.full(len(lat), lat0), lon, lat)[2]) / 1e3


def test_cells_are_finer_near_ports_and_coarse_offshore(sea_grid: SeaGrid) -> None:
    sea = ~sea_grid.river
    finest, r_fine = REFINE_RADIUS_KM[-1]
    for pid in ("odesa", "constanta", "bosphorus", "varna"):
        p = ports()[pid]
        d = _km(p.lon, p.lat, sea_grid.lon, sea_grid.lat)
        near = sea & (d < r_fine - 1.0)
        assert near.any(), pid
        assert (sea_grid.res[near] == finest).all(), pid
    # the middle of the sea stays at the coarse resolution
    i, _ = sea_grid.nearest(34.0, 43.0)
    assert sea_grid.res[i] == 7
    # the resolutions stored are those of the H3 ids
    sample = np.flatnonzero(sea)[::997]
    assert all(h3.get_resolution(str(sea_grid.cells[j])) == sea_grid.res[j] for j in sample)


def test_the_kerch_strait_is_refined(sea_grid: SeaGrid) -> None:
    line = straits()["kerch"]
    mid = line.interpolate(0.5, normalized=True)
    i, d_km = sea_grid.nearest(mid.x, mid.y)
    assert d_km < 1.0
    assert sea_grid.res[i] == REFINE_RADIUS_KM[-1][0]


def test_cells_do_not_overlap_across_resolutions(sea_grid: SeaGrid) -> None:
    # no fine cell's centre lies in a coarser cell that is also in the grid
    fine = np.flatnonzero(sea_grid.res > 7)
    coarse_ids = set(sea_grid.cells[sea_grid.res == 7])
    parents = {h3.cell_to_parent(str(c), 7) for c in sea_grid.cells[fine]}
    # parents of fine cells may exist only at the ring's rim (H3 children do not nest
    # exactly): a small share at most
    assert len(parents & coarse_ids) < 0.25 * len(parents)


def test_sea_and_fairways_form_one_main_component(sea_grid: SeaGrid) -> None:
    _, labels = connected_components(sea_grid.graph, directed=False)
    main = np.bincount(labels).argmax()
    assert (labels[sea_grid.river] == main).all()
    assert np.mean(labels == main) > 0.99
    for pid in ports():
        p = ports()[pid]
        assert labels[sea_grid.nearest(p.sea_lon, p.sea_lat)[0]] == main, pid


def test_fairways_are_joined_to_the_sea_near_their_end(sea_grid: SeaGrid) -> None:
    coo = sea_grid.coo
    river = sea_grid.river
    join = river[coo.row] & ~river[coo.col]
    assert join.any()
    assert coo.data[join].max() <= JOIN_KM * 1.01
    n_sea_ends = sum(f.sea_end for f in fairways().values())
    assert len(np.unique(coo.row[join])) == n_sea_ends


def test_fairway_lengths_match_published_kilometres() -> None:
    fw = fairways()
    assert {"danube_reni", "kiliia", "bystre", "sulina"} <= set(fw)
    for f in fw.values():
        assert f.source
        if f.published_km is not None:
            # the polylines cut the river's smaller bends: up to a quarter short
            assert 0.75 * f.published_km < f.length_km < 1.05 * f.published_km, f.id


def test_izmail_routes_follow_the_danube_fairway() -> None:
    r = shortest_route("izmail", "odesa")
    assert r.cells[0].startswith("danube:")
    # along the Kiliia arm and out through the Bystre mouth: Izmail lies ~90 km up
    # the deep-water fairway (Delta-Pilot: Vilkovo km 20.6, Izmail Chatal km 116)
    assert 70 < r.river_km < 110
    bystre_end = fairways()["bystre"].line.coords[-1]
    assert min(shapely.Point(c).distance(shapely.Point(bystre_end)) for c in r.line.coords) < 1e-9
    # the river stretch is drawn: the line leaves the water polygon on it
    assert r.line.difference(water().buffer(0.01)).length > 0.5
    assert r.length_km == pytest.approx(GEOD.geometry_length(r.line) / 1000)


def test_reni_routes_to_the_south_use_the_sulina_channel() -> None:
    r = shortest_route("reni", "constanta")
    sulina_end = fairways()["sulina"].line.coords[-1]
    assert min(shapely.Point(c).distance(shapely.Point(sulina_end)) for c in r.line.coords) < 1e-9
    # Reni is at Danube km ~128 from Sulina; the polyline cuts bends
    assert 110 < r.river_km < 150
    # shorter than via the Kiliia arm and the Bystre mouth
    via_kiliia = sum(fairways()[k].length_km for k in ("danube_reni", "kiliia", "bystre"))
    assert r.river_km < via_kiliia


def test_repeated_routes_are_fast(sea_grid: SeaGrid) -> None:
    shortest_route("odesa", "bosphorus")
    t0 = time.perf_counter()
    for a, b in (("odesa", "bosphorus"), ("izmail", "varna"), ("constanta", "novorossiysk")):
        shortest_route(a, b)
    # generous bound for a loaded CI machine; the benchmark reports ~0.1-0.2 s each
    assert (time.perf_counter() - t0) / 3 < 3.0


def test_grid_is_cached() -> None:
    assert grid() is grid()


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("fairways = 3", "no \\[fairways"),
        ("[x", "not valid TOML"),
        ('[fairways.a]\nname = "A"\nsource = "s"', "missing field 'points'"),
        ('[fairways.a]\nname = "A"\npoints = [[1, 2]]\nsource = "s"', "at least two"),
        ('[fairways.a]\nname = "A"\npoints = [[1, 2], [3]]\nsource = "s"', "pairs"),
        ('[fairways.a]\nname = "A"\npoints = [[1, 2], [300, 4]]\nsource = "s"', "lon/lat"),
        (
            '[fairways.a]\nname = "A"\npoints = [[1, 2], [3, 4]]\nsource = "s"\npublished_km = -1',
            "published_km",
        ),
        ('[fairways.a]\nname = "A"\npoints = [[1, 2], [3, 4]]', "missing field 'source'"),
    ],
)
def test_bad_fairway_tables_are_config_errors(text: str, match: str) -> None:
    with pytest.raises(ConfigError, match=match) as err:
        parse_fairways(text, "my.toml")
    assert str(err.value).startswith("my.toml")
    assert "\n" not in str(err.value)


def test_a_good_fairway_table_parses() -> None:
    fw = parse_fairways(
        '[fairways.a]\nname = "A"\npoints = [[28.0, 45.0], [29.0, 45.0]]\n'
        'source = "s"\nsea_end = true\npublished_km = 80.0\n'
    )
    a = fw["a"]
    assert a.sea_end
    assert a.published_km == 80.0
    # one degree of longitude at 45 N is ~78.8 km on the ellipsoid
    expected_km = GEOD.inv(28.0, 45.0, 29.0, 45.0)[2] / 1000
    assert a.length_km == pytest.approx(expected_km)
