"""Coverage on an H3 grid: grids, zones, units, assets, the coverage map."""

from __future__ import annotations

import functools
from pathlib import Path

import geopandas as gpd
import h3
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from garant.air.coverage import (
    CoverageResult,
    Unit,
    asset_coverage,
    coverage_map,
    hex_grid,
    named_zone,
    unit_coverage,
    units_from_catalog,
    zone_coverage,
    zone_west_of_dnipro,
)
from garant.errors import ConfigError, DataError, NotFoundError
from garant.sources.geography import equal_area_km2, oblasts, settlements, ukraine

KYIV = (30.5238, 50.4547)


@functools.cache
def _kyiv_region_grid() -> gpd.GeoDataFrame:
    """Kyiv oblast and city at resolution 6 (~850 cells)."""
    obl = oblasts()
    zone = shapely.union_all(obl.loc[obl["iso"].isin(["UA-30", "UA-32"]), "geometry"].to_numpy())
    return hex_grid(zone, resolution=6)


@functools.cache
def _ukraine_grid() -> gpd.GeoDataFrame:
    return hex_grid(ukraine(), resolution=6)


def _unit(uid: str, r: float, lon: float = KYIV[0], lat: float = KYIV[1], **kw: object) -> Unit:
    return Unit(uid, "test", lon, lat, {"cruise": r}, **kw)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------------- grid


def test_grid_area_matches_zone() -> None:
    for zone, grid in ((ukraine(), _ukraine_grid()), (None, _kyiv_region_grid())):
        if zone is None:
            obl = oblasts()
            zone = shapely.union_all(
                obl.loc[obl["iso"].isin(["UA-30", "UA-32"]), "geometry"].to_numpy()
            )
        assert list(grid.columns) == ["h3", "geometry", "area_km2", "population"]
        assert grid["h3"].is_unique
        assert grid["area_km2"].sum() == pytest.approx(equal_area_km2(zone)[0], rel=0.02)


def test_grid_west_of_dnipro_area() -> None:
    zone = zone_west_of_dnipro()
    grid = hex_grid(zone, resolution=5, population=False)
    assert grid["area_km2"].sum() == pytest.approx(equal_area_km2(zone)[0], rel=0.02)
    assert 0.5 < equal_area_km2(zone)[0] / equal_area_km2(ukraine())[0] < 0.6


def test_cell_area_agrees_with_equal_area_projection() -> None:
    grid = _kyiv_region_grid()
    ea = equal_area_km2(grid.geometry)
    assert np.allclose(ea, grid["area_km2"], rtol=0.01)


def test_grid_population_is_complete() -> None:
    # every settlement of Ukraine lands in a cell of the national grid
    assert _ukraine_grid()["population"].sum() == settlements()["population"].sum()


def test_grid_errors() -> None:
    with pytest.raises(DataError, match="empty"):
        hex_grid(shapely.Polygon())
    with pytest.raises(DataError, match="resolution"):
        hex_grid(ukraine(), resolution=16)
    with pytest.raises(DataError, match="cells at resolution 12"):
        hex_grid(ukraine(), resolution=12)


# ---------------------------------------------------------------------------------- zones


@pytest.mark.parametrize(
    ("town", "west"),
    [
        ("Lviv", True),
        ("Vinnytsya", True),
        ("Odesa", True),
        ("Kyiv", True),  # the centre is on the right bank
        ("Cherkasy", True),
        ("Svitlovodsk", True),
        ("Nikopol", True),
        ("Beryslav", True),
        ("Kharkiv", False),
        ("Poltava", False),
        ("Brovary", False),
        ("Kremenchuk", False),  # left bank
        ("Enerhodar", False),
        ("Nova Kakhovka", False),
        ("Oleshky", False),
        ("Zaporizhzhya", False),  # main city on the left bank
    ],
)
def test_west_of_dnipro_sides(town: str, west: bool) -> None:
    pts = settlements()
    p = pts.loc[pts["name"] == town].sort_values("population").geometry.iloc[-1]
    assert zone_west_of_dnipro().contains(p) is west


def test_dnipro_city_on_the_border() -> None:
    # Dnipro spans both banks: its GeoNames point (historic centre, right bank) is west,
    # ~1 km from the approximated river line
    pts = settlements()
    p = pts.loc[pts["name"] == "Dnipro"].sort_values("population").geometry.iloc[-1]
    zone = zone_west_of_dnipro()
    assert zone.contains(p)
    assert zone.boundary.distance(p) < 0.05  # degrees, ~5 km


def test_named_zones() -> None:
    occupied = shapely.box(36.0, 47.0, 41.0, 50.0)
    held = named_zone("held", occupied=occupied)
    full = named_zone("ukraine")
    assert equal_area_km2(held)[0] < equal_area_km2(full)[0]
    assert not held.intersects(shapely.Point(38.0, 48.5))
    west = named_zone("west_of_dnipro", occupied=gpd.GeoSeries([occupied], crs=4326))
    assert equal_area_km2(west)[0] == pytest.approx(equal_area_km2(zone_west_of_dnipro())[0])
    with pytest.raises(ConfigError, match="needs the occupied territory"):
        named_zone("held")
    with pytest.raises(ConfigError, match="unknown"):
        named_zone("moon")


# ------------------------------------------------------------------------------ coverage


def test_kyiv_40km_covers_kyiv_population() -> None:
    res = zone_coverage([_unit("kyiv", 40.0)], _ukraine_grid(), threat_class="cruise")
    assert isinstance(res, CoverageResult)
    assert res.covered_population >= 2_950_000
    assert res.covered_population < 4_500_000
    # a 40 km disc is ~5,027 km²; the cell-centre criterion keeps it within a few %
    assert res.covered_area_km2 == pytest.approx(np.pi * 40**2, rel=0.05)
    assert 0 < res.covered_area_share < 0.02
    row = res.per_unit.iloc[0]
    assert row["covered_population"] == res.covered_population
    assert row["unique_area_km2"] == pytest.approx(res.covered_area_km2)


def test_zero_range_and_other_class_cover_nothing() -> None:
    grid = _kyiv_region_grid()
    for res in (
        zone_coverage([_unit("a", 0.0)], grid, threat_class="cruise"),
        zone_coverage([_unit("a", 50.0)], grid, threat_class="ballistic"),
    ):
        assert res.covered_area_km2 == 0.0
        assert res.covered_population == 0
        assert not res.cells["covered"].any()


def test_isr_detects_but_does_not_engage() -> None:
    isr = Unit("awacs", "isr", *KYIV, {"cruise": 300.0}, shoots=False, detect_range_km=100.0)
    res = zone_coverage([isr], _kyiv_region_grid(), threat_class="cruise")
    assert res.covered_area_km2 == 0.0
    assert res.detected_area_km2 > 20_000
    assert res.detected_population >= 2_950_000
    assert res.per_unit.loc[0, "range_km"] == 0.0


def test_redundancy_and_unique_contributions() -> None:
    units = [_unit("a", 30.0), _unit("b", 30.0, lon=30.9), _unit("c", 20.0, lat=50.1)]
    res = zone_coverage(units, _kyiv_region_grid(), threat_class="cruise")
    cells = res.cells
    area = cells["area_km2"]
    assert res.covered_area_km2 == pytest.approx(area[cells["redundancy"] > 0].sum())
    # each unit's covered area summed = redundancy-weighted area
    assert res.per_unit["covered_area_km2"].sum() == pytest.approx(
        (area * cells["redundancy"]).sum()
    )
    assert res.per_unit["unique_area_km2"].sum() == pytest.approx(
        area[cells["redundancy"] == 1].sum()
    )
    assert cells["redundancy"].max() >= 2
    by_r = res.redundancy_area_km2()
    assert by_r.sum() == pytest.approx(res.total_area_km2)
    s = res.summary()
    assert s["covered_area_share"] == pytest.approx(res.covered_area_share, abs=1e-4)


@settings(max_examples=25, deadline=None)
@given(
    r1=st.floats(0.0, 120.0, allow_nan=False),
    extra=st.floats(0.0, 80.0, allow_nan=False),
    dlon=st.floats(-0.8, 0.8),
    dlat=st.floats(-0.6, 0.6),
)
def test_coverage_monotone_in_range(r1: float, extra: float, dlon: float, dlat: float) -> None:
    grid = _kyiv_region_grid()
    lon, lat = KYIV[0] + dlon, KYIV[1] + dlat
    small = zone_coverage([_unit("u", r1, lon, lat)], grid, threat_class="cruise")
    large = zone_coverage([_unit("u", r1 + extra, lon, lat)], grid, threat_class="cruise")
    assert not (small.cells["covered"] & ~large.cells["covered"]).any()
    assert small.covered_area_km2 <= large.covered_area_km2
    assert small.covered_population <= large.covered_population
    assert 0.0 <= small.covered_area_share <= 1.0


# ------------------------------------------------------------------------------ assets


def _assets() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"asset_id": ["near", "far", "edge"], "weight": [1.0, 2.0, 3.0]},
        geometry=[shapely.Point(30.6, 50.45), shapely.Point(24.0, 49.8), shapely.Point(30.5, 50.7)],
        crs=4326,
    )


def test_unit_coverage_table() -> None:
    units = [_unit("a", 40.0), Unit("isr", "isr", 24.1, 49.8, {}, shoots=False, detect_range_km=50)]
    table = unit_coverage(units, _assets(), threat_class="cruise")
    assert list(table.columns) == ["unit_id", "defence_id", "asset_id", "distance_km", "range_km"]
    assert list(table["asset_id"]) == ["near", "edge"]
    # geodesic: 0.0762° of longitude at 50.45° N ≈ 5.4 km
    assert table["distance_km"].iloc[0] == pytest.approx(5.41, abs=0.05)
    assert (table["distance_km"] <= table["range_km"]).all()
    detect = unit_coverage(units, _assets(), threat_class="cruise", mode="detect")
    assert list(detect["asset_id"]) == ["far"]
    cov = asset_coverage(units, _assets(), threat_class="cruise")
    assert list(cov["n_units"]) == [1, 0, 1]
    assert list(cov["n_detect"]) == [0, 1, 0]
    assert np.isnan(cov["nearest_km"].iloc[1])


def test_unit_coverage_empty_and_errors() -> None:
    empty = unit_coverage([_unit("a", 0.0)], _assets(), threat_class="cruise")
    assert empty.empty
    assert "distance_km" in empty.columns
    with pytest.raises(DataError, match="threat_class 'rocks'"):
        unit_coverage([_unit("a", 1.0)], _assets(), threat_class="rocks")
    with pytest.raises(DataError, match=r"duplicate unit_id \['a'\]"):
        zone_coverage(
            [_unit("a", 1.0), _unit("a", 2.0)], _kyiv_region_grid(), threat_class="cruise"
        )
    with pytest.raises(DataError, match="range_km"):
        _unit("bad", -1.0)
    with pytest.raises(DataError, match="unknown threat class 'drones'"):
        Unit("bad", "x", 30.0, 50.0, {"drones": 1.0})
    with pytest.raises(DataError, match="position"):
        _unit("bad", 1.0, lon=200.0)


def test_units_from_catalog() -> None:
    try:
        from garant.air.catalog import load_catalog

        catalog = load_catalog()
    except Exception as exc:  # the catalogue is maintained elsewhere
        pytest.skip(f"catalogue not loadable: {exc}")
    shooter = next(d for d in catalog.defences.values() if d.shoots and d.range_km)
    units = units_from_catalog([("u1", shooter.id, 30.5, 50.45)], catalog=catalog)
    tc, q = next(iter(shooter.range_km.items()))
    assert units[0].engagement_range_km(tc) == pytest.approx(q.value)
    with pytest.raises(NotFoundError, match="no_such_defence"):
        units_from_catalog([("u2", "no_such_defence", 30.5, 50.45)], catalog=catalog)


# ---------------------------------------------------------------------------------- map


def test_coverage_map_writes_png(tmp_path: Path) -> None:
    units = [
        _unit("a", 30.0),
        Unit("isr", "isr", 30.2, 50.9, {}, shoots=False, detect_range_km=60.0),
    ]
    res = zone_coverage(units, _kyiv_region_grid(), threat_class="cruise")
    assets = gpd.GeoDataFrame(
        {
            "asset_id": ["npp", "town"],
            "name": ["Test NPP", "Town"],
            "kind": ["npp", "settlement"],
            "status": ["occupied", "operating"],
            "population": [0, 500_000],
        },
        geometry=[shapely.Point(30.3, 50.2), shapely.Point(30.8, 50.6)],
        crs=4326,
    )
    out = coverage_map(
        res,
        tmp_path / "maps" / "cov.png",
        units=units,
        assets=assets,
        occupied=shapely.box(30.9, 50.0, 31.3, 50.3),
        title="Test coverage",
    )
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 50_000
    assert not list((tmp_path / "maps").glob(".garant-tmp-*"))


def test_h3_cells_are_resolution_6() -> None:
    assert {h3.get_resolution(c) for c in _kyiv_region_grid()["h3"]} == {6}
