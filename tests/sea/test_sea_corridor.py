"""Tests for garant.sea.corridor: cell exposure, exposure-, mine- and NATO-aware routes.

The module fixtures build the sea grid (~2 s) and the threat exposure (~1 s) once;
the tests that use the exposure are marked slow.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import Geod
from shapely.geometry import LineString, box
from shapely.geometry.base import BaseGeometry

from garant.air.presets import demo_occupied
from garant.errors import DataError
from garant.sea.corridor import (
    DEFAULT_MINE_WEIGHT_KM,
    DEFAULT_SYSTEMS,
    RouteAssessment,
    cell_exposure,
    mined_cells,
    plan_route,
)
from garant.sea.geography import territorial_seas
from garant.sea.routing import NOMINAL_STEP_KM, SeaGrid, grid, shortest_route
from garant.sea.threats import exposed, launch_area, load_sea_threats, route_in_mine_areas_km
from garant.sources.geography import countries

GEOD = Geod(ellps="WGS84")

# weight 5 km per grid step inside one system's reach: a clear but bounded detour
WEIGHT = 5.0


@dataclass(frozen=True)
class Setup:
    grid: SeaGrid
    occupied: BaseGeometry
    launch: BaseGeometry
    one: np.ndarray  # exposure to bastion_p alone
    two: np.ndarray  # exposure to the default cost systems (bastion_p, bal)


@pytest.fixture(scope="module")
def setup() -> Setup:
    g = grid()
    occupied = demo_occupied()
    c = countries()
    russia = c.loc[c["iso_a3"] == "RUS", "geometry"].iloc[0]
    launch = launch_area(occupied, russia)
    return Setup(
        grid=g,
        occupied=occupied,
        launch=launch,
        one=cell_exposure(launch, ["bastion_p"]),
        two=cell_exposure(launch, list(DEFAULT_SYSTEMS)),
    )


@pytest.fixture(scope="module")
def plans(setup: Setup) -> tuple[RouteAssessment, RouteAssessment]:
    """Odesa -> Bosphorus planned without and with the exposure cost."""
    base = plan_route("odesa", "bosphorus", occupied=setup.occupied, exposure_weight=0.0)
    safe = plan_route("odesa", "bosphorus", occupied=setup.occupied, exposure_weight=WEIGHT)
    return base, safe


@pytest.mark.slow
def test_cell_exposure_is_aligned_non_negative_and_counts_systems(setup: Setup) -> None:
    n = setup.grid.size
    assert setup.one.shape == (n,)
    assert setup.two.shape == (n,)
    assert np.all(np.isfinite(setup.two))
    assert np.all(setup.one >= 0)
    assert np.all(setup.two >= setup.one)
    assert np.all(setup.two <= len(DEFAULT_SYSTEMS))
    # integer counts of systems
    assert np.array_equal(setup.two, np.round(setup.two))
    # no systems: nothing is exposed
    assert not np.any(cell_exposure(setup.launch, []))


@pytest.mark.slow
def test_cell_near_sevastopol_is_exposed_and_bosphorus_is_not(setup: Setup) -> None:
    g = setup.grid
    sev, d_sev = g.nearest(33.45, 44.55)
    bos, d_bos = g.nearest(29.13, 41.23)
    assert d_sev < 10
    assert d_bos < 10
    assert setup.one[sev] == 1
    assert setup.two[sev] == 2
    assert setup.one[bos] == 0
    assert setup.two[bos] == 0


@pytest.mark.slow
def test_zero_weight_plan_is_the_shortest_route(
    plans: tuple[RouteAssessment, RouteAssessment],
) -> None:
    base, _ = plans
    ref = shortest_route("odesa", "bosphorus")
    assert base.route.length_km == pytest.approx(ref.length_km, rel=1e-9)
    assert base.route.cells == ref.cells
    assert base.exposure_weight == 0.0
    assert base.systems == DEFAULT_SYSTEMS


@pytest.mark.slow
def test_weighted_plan_is_longer_and_less_exposed(
    setup: Setup, plans: tuple[RouteAssessment, RouteAssessment]
) -> None:
    base, safe = plans
    g = setup.grid
    # the smoothed lines may differ by a fraction of a grid step
    assert safe.route.length_km >= base.route.length_km - 1.0
    # on the grid itself: the least-cost path never carries more cost-system exposure
    index = {c: i for i, c in enumerate(g.cells)}

    def path_exposure(cells: tuple[str, ...]) -> float:
        # length-weighted, in nominal steps: the mean of each edge's ends x km / step
        idx = np.asarray([index[c] for c in cells])
        d_km = np.asarray(g.graph[idx[:-1], idx[1:]]).ravel()
        mean = 0.5 * (setup.two[idx[:-1]] + setup.two[idx[1:]])
        return float((mean * d_km).sum() / NOMINAL_STEP_KM)

    exp_base = path_exposure(base.route.cells)
    exp_safe = path_exposure(safe.route.cells)
    assert exp_safe <= exp_base
    assert safe.route.exposure == pytest.approx(exp_safe)
    # and along the reported line, per cost system, exposure time does not grow
    eb = base.exposure.set_index("system")["exposure_h"]
    es = safe.exposure.set_index("system")["exposure_h"]
    for s in DEFAULT_SYSTEMS:
        assert es[s] <= eb[s] + 0.05, s
    assert sum(es[s] for s in DEFAULT_SYSTEMS) < sum(eb[s] for s in DEFAULT_SYSTEMS)


@pytest.mark.slow
def test_exposure_table_has_one_row_per_system(
    plans: tuple[RouteAssessment, RouteAssessment],
) -> None:
    catalogue = load_sea_threats()
    for a in plans:
        t = a.exposure
        assert sorted(t["system"]) == sorted(catalogue)
        assert list(t.columns) == ["system", "name", "range_km", "exposure_h", "exposure_share"]
        assert (t["exposure_h"] >= 0).all()
        assert (t["exposure_share"] >= 0).all()
        assert (t["exposure_share"] <= 1.0).all()
        assert (t["exposure_h"] <= a.route.transit_h).all()
        js = a.to_json()
        assert len(js["exposure"]) == len(catalogue)  # type: ignore[arg-type]


@pytest.mark.slow
def test_exposure_share_never_exceeds_one(
    plans: tuple[RouteAssessment, RouteAssessment],
) -> None:
    for a in plans:
        assert (a.exposure["exposure_share"] <= 1.0).all()


def test_unknown_system_is_a_data_error_listing_known_ones() -> None:
    with pytest.raises(DataError, match="no_such_missile") as err:
        plan_route(
            "odesa",
            "bosphorus",
            occupied=demo_occupied(),
            exposure_weight=WEIGHT,
            systems=["bastion_p", "no_such_missile"],
        )
    msg = str(err.value)
    for known in load_sea_threats():
        assert known in msg


# --- mine areas and NATO waters -------------------------------------------------

# a box across the direct line Odesa -> Bosphorus, west of it a ~20 km gap to the coast
MINE_BOX = (29.9, 44.0, 31.5, 45.5)


def _mines(avoid: bool) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"id": ["m1"], "kind": ["declared"], "source": ["test"], "avoid": [avoid]},
        geometry=[box(*MINE_BOX)],
        crs="EPSG:4326",
    )


@pytest.fixture(scope="module")
def mine_plans() -> dict[str, RouteAssessment]:
    occupied = demo_occupied()
    return {
        "free": plan_route(
            "odesa", "bosphorus", occupied=occupied, mine_areas=_mines(False), mine_weight_km=0.0
        ),
        "weighted": plan_route("odesa", "bosphorus", occupied=occupied, mine_areas=_mines(False)),
        "avoid": plan_route("odesa", "bosphorus", occupied=occupied, mine_areas=_mines(True)),
    }


def test_mine_km_is_the_route_length_inside_the_areas(
    mine_plans: dict[str, RouteAssessment],
) -> None:
    free = mine_plans["free"]
    ref = route_in_mine_areas_km(free.route.line, _mines(False))
    assert free.mine_km == pytest.approx(ref)
    # the direct line crosses the whole box: over 1.5 degrees of latitude (~167 km)
    assert free.mine_km > 100
    assert free.to_json()["mine_km"] == free.mine_km
    assert free.mine_weight_km == 0.0


def test_mined_water_is_avoided_at_a_cost(mine_plans: dict[str, RouteAssessment]) -> None:
    free, weighted, avoid = mine_plans["free"], mine_plans["weighted"], mine_plans["avoid"]
    assert weighted.mine_km < 0.1 * free.mine_km
    assert weighted.route.length_km > free.route.length_km
    assert weighted.mine_weight_km == DEFAULT_MINE_WEIGHT_KM
    # an area to avoid is never entered
    assert avoid.mine_km == pytest.approx(0.0, abs=1e-6)
    assert not avoid.route.line.intersects(box(*MINE_BOX).buffer(-1e-6))


def test_no_mine_areas_means_zero_mine_km() -> None:
    a = plan_route("odesa", "constanta", occupied=demo_occupied(), mine_areas=None)
    assert a.mine_km == 0.0
    empty = _mines(False).iloc[0:0]
    b = plan_route("odesa", "constanta", occupied=demo_occupied(), mine_areas=empty)
    assert b.mine_km == 0.0
    assert b.route.cells == a.route.cells


def test_nato_waters_weight_hugs_romanian_and_bulgarian_waters() -> None:
    occupied = demo_occupied()
    base = plan_route("odesa", "bosphorus", occupied=occupied)
    hug = plan_route("odesa", "bosphorus", occupied=occupied, nato_waters_weight=3.0)
    assert hug.nato_waters_weight == 3.0
    assert hug.route.nato_territorial_share > base.route.nato_territorial_share + 0.4
    assert hug.route.length_km > base.route.length_km
    # it passes through Romanian and Bulgarian territorial seas
    ts = territorial_seas().set_index("iso_a3").geometry
    for iso in ("ROU", "BGR"):
        inside_km = GEOD.geometry_length(hug.route.line.intersection(ts[iso])) / 1000
        assert inside_km > 100, iso


def test_mined_cells_touch_the_polygons_and_avoid_implies_mined() -> None:
    g = grid()
    mined, avoid = mined_cells(_mines(True))
    assert avoid.shape == mined.shape == (g.size,)
    assert (mined >= avoid).all()
    # every cell whose centre is inside the box is mined; cells far outside are not
    inside = shapely.contains_xy(box(*MINE_BOX), g.lon, g.lat)
    assert mined[inside].all()
    far = ~shapely.contains_xy(box(*MINE_BOX).buffer(0.1), g.lon, g.lat)
    assert not mined[far].any()
    m2, a2 = mined_cells(_mines(False))
    assert np.array_equal(m2, mined)
    assert not a2.any()


def test_bad_mine_layers_and_weights_are_data_errors() -> None:
    occupied = demo_occupied()
    with pytest.raises(DataError, match="CRS"):
        mined_cells(_mines(False).to_crs(3857))
    lines = gpd.GeoDataFrame(
        {"id": ["l"]}, geometry=[LineString([(30, 44), (31, 45)])], crs="EPSG:4326"
    )
    with pytest.raises(DataError, match="Polygon"):
        mined_cells(lines)
    for kwargs in ({"mine_weight_km": -1.0}, {"nato_waters_weight": float("nan")}):
        with pytest.raises(DataError, match=">= 0"):
            plan_route("odesa", "constanta", occupied=occupied, **kwargs)  # type: ignore[arg-type]


@pytest.mark.slow
def test_cell_exposure_matches_the_threats_module_oracle(setup: Setup) -> None:
    # the fast R-tree distance must count exactly what threats.exposed counts
    g = setup.grid
    sample = np.arange(0, g.size, 53)
    pts = np.column_stack([g.lon[sample], g.lat[sample]])
    oracle = np.sum([exposed(pts, setup.launch, s) for s in DEFAULT_SYSTEMS], axis=0)
    assert np.array_equal(setup.two[sample], oracle)
    assert 0 < oracle.mean() < len(DEFAULT_SYSTEMS)  # some exposed, some not
