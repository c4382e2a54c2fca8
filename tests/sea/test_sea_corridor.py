"""Tests for garant.sea.corridor: cell exposure and exposure-aware route planning.

The module fixtures build the sea grid (~5 s) and the threat exposure (~8 s) once,
so the tests that use them are marked slow.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from shapely.geometry.base import BaseGeometry

from garant.air.presets import demo_occupied
from garant.errors import DataError
from garant.sea.corridor import DEFAULT_SYSTEMS, RouteAssessment, cell_exposure, plan_route
from garant.sea.routing import SeaGrid, grid, shortest_route
from garant.sea.threats import launch_area, load_sea_threats
from garant.sources.geography import countries

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
    exp_base = setup.two[[index[c] for c in base.route.cells]].sum()
    exp_safe = setup.two[[index[c] for c in safe.route.cells]].sum()
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
