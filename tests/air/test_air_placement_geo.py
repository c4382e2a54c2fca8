"""Geographic placement: coverage by distance, stand-off, files, the store."""

from __future__ import annotations

import json
import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, Polygon, box

from garant.air.placement import (
    PlacementWarning,
    coverage_matrix,
    hostile_territory,
    occupied_from_store,
    place,
    place_from_files,
    read_points,
    standoff_mask,
)
from garant.errors import ConfigError, DataError, NotFoundError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "air"
CANDIDATES = FIXTURES / "placement_candidates.csv"
DEMAND = FIXTURES / "placement_demand.geojson"
GEOD = pyproj.Geod(ellps="WGS84")


def geodesic_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    return float(GEOD.inv(lon1, lat1, lon2, lat2)[2]) / 1000.0


def haversine_km(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def points(lonlat: list[tuple[float, float]], **cols: list[object]) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(cols, geometry=[Point(x, y) for x, y in lonlat], crs=4326)  # type: ignore[arg-type]


# -- coverage ----------------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    radius_km=st.floats(5.0, 400.0),
)
def test_coverage_matches_naive_geodesic(seed: int, radius_km: float) -> None:
    rng = np.random.default_rng(seed)
    clon, clat = rng.uniform(22, 40, 15), rng.uniform(44, 52.5, 15)
    dlon, dlat = rng.uniform(22, 40, 40), rng.uniform(44, 52.5, 40)
    cov = coverage_matrix(clon, clat, dlon, dlat, radius_km=radius_km).toarray() > 0
    assert cov.shape == (40, 15)
    for i in range(40):
        for j in range(15):
            d = geodesic_km(dlon[i], dlat[i], clon[j], clat[j])
            assert cov[i, j] == (d <= radius_km), (i, j, d)
            h = haversine_km(dlon[i], dlat[i], clon[j], clat[j])
            if abs(h - radius_km) > 0.006 * radius_km:  # sphere vs ellipsoid: < 0.6 %
                assert cov[i, j] == (h <= radius_km)


def test_coverage_far_apart_and_empty() -> None:
    cov = coverage_matrix([24.0], [49.8], [36.2], [50.0], radius_km=100)
    assert cov.nnz == 0
    assert coverage_matrix([], [], [30.0], [50.0], radius_km=10).shape == (1, 0)


@pytest.mark.parametrize("radius_km", [0.0, -5.0, math.nan, math.inf])
def test_bad_radius(radius_km: float) -> None:
    with pytest.raises(ConfigError, match="radius_km"):
        coverage_matrix([24.0], [49.8], [24.0], [49.8], radius_km=radius_km)


# -- place -------------------------------------------------------------------------------


def test_place_on_fixture_files() -> None:
    res = place_from_files(CANDIDATES, DEMAND, k=3, radius_km=100)
    assert res.optimal
    assert res.radius_km == 100
    assert len(res.chosen) == 3
    assert res.sites is not None
    names = set(res.sites["name"])
    assert "Kyiv" in names  # Kyiv, Bila Tserkva, Zhytomyr: the heaviest cluster
    assert res.sites["covers_weight"].gt(0).all()
    data = json.loads(res.to_json())
    assert {s["name"] for s in data["sites"]} == names
    assert all({"index", "lon", "lat", "covers_weight"} <= set(s) for s in data["sites"])
    # the brute-force optimum over all 3-subsets of the 10 candidates
    cands = read_points(CANDIDATES)
    dem = read_points(DEMAND, weight="weight")
    cov = coverage_matrix(
        cands.geometry.x, cands.geometry.y, dem.geometry.x, dem.geometry.y, radius_km=100
    ).toarray()
    w = dem["weight"].to_numpy()
    from itertools import combinations

    best = max(w[cov[:, list(c)].any(axis=1) > 0].sum() for c in combinations(range(10), 3))
    assert res.objective == pytest.approx(best)


def test_place_reprojects_other_crs() -> None:
    cands = read_points(CANDIDATES)
    dem = read_points(DEMAND, weight="weight")
    a = place(cands, dem, k=2, radius_km=80)
    b = place(cands.to_crs(3035), dem.to_crs(32636), k=2, radius_km=80)
    assert a.chosen == b.chosen
    assert a.objective == pytest.approx(b.objective)
    assert b.sites is not None
    assert b.sites.crs.to_epsg() == 4326


def test_place_greedy() -> None:
    res = place_from_files(CANDIDATES, DEMAND, k=2, radius_km=100, solver="greedy")
    assert res.solver == "greedy"
    assert res.objective > 0


def test_place_without_crs() -> None:
    cands = read_points(CANDIDATES).set_crs(None, allow_override=True)
    with pytest.raises(DataError, match="candidates: no CRS"):
        place(cands, read_points(DEMAND), k=1, radius_km=50)


def test_place_non_points() -> None:
    dem = read_points(DEMAND)
    dem.loc[0, "geometry"] = box(24, 49, 25, 50)
    with pytest.raises(DataError, match="demand: 1 geometries are not points"):
        place(read_points(CANDIDATES), dem, k=1, radius_km=50)


def test_place_empty_candidates() -> None:
    empty = read_points(CANDIDATES).iloc[0:0]
    with pytest.raises(DataError, match="candidates: empty candidate set"):
        place(empty, read_points(DEMAND), k=1, radius_km=50)


def test_place_missing_weight_column() -> None:
    with pytest.raises(DataError, match="demand: no weight column 'population'"):
        place(read_points(CANDIDATES), read_points(DEMAND), k=1, radius_km=50, weight="population")


def test_place_negative_weight() -> None:
    dem = read_points(DEMAND)
    dem.loc[2, "weight"] = -5
    with pytest.raises(DataError, match="demand column 'weight': 1 negative values"):
        place(read_points(CANDIDATES), dem, k=1, radius_km=50)


def test_place_k_too_large() -> None:
    with pytest.raises(ConfigError, match="k=11 is larger than the 10 available"):
        place_from_files(CANDIDATES, DEMAND, k=11, radius_km=50)
    with pytest.warns(PlacementWarning, match="placing 10"):
        res = place_from_files(CANDIDATES, DEMAND, k=11, radius_km=50, allow_fewer=True)
    assert res.k == 10


def test_place_bad_radius() -> None:
    with pytest.raises(ConfigError, match="radius_km=0"):
        place_from_files(CANDIDATES, DEMAND, k=1, radius_km=0)


# -- stand-off ---------------------------------------------------------------------------


EAST = box(36.0, 44.0, 42.0, 53.0)  # a synthetic "hostile" block east of 36° E


def test_standoff_mask_matches_geodesic_distance() -> None:
    rng = np.random.default_rng(11)
    lon, lat = rng.uniform(22, 41, 150), rng.uniform(45, 52, 150)
    mask = standoff_mask(lon, lat, EAST, standoff_km=200)
    # naive: geodesic distance to a densely sampled edge (the west edge, lon 36)
    edge_lat = np.linspace(44, 53, 1801)  # every 0.5 km
    for x, y, m in zip(lon, lat, mask, strict=True):
        if x >= 36:
            assert m
            continue
        d = min(GEOD.inv(np.full(edge_lat.size, x), np.full(edge_lat.size, y),
                         np.full(edge_lat.size, 36.0), edge_lat)[2]) / 1000.0  # fmt: skip
        if abs(d - 200) > 0.5:
            assert m == (d < 200), (x, y, d)


def test_standoff_zero_flags_only_inside() -> None:
    mask = standoff_mask([35.9, 36.5], [49.0, 49.0], EAST, standoff_km=0)
    assert mask.tolist() == [False, True]


def test_place_with_standoff() -> None:
    res = place_from_files(
        CANDIDATES, DEMAND, k=3, radius_km=100, standoff_from=EAST, standoff_km=200
    )
    cands = read_points(CANDIDATES)
    kharkiv = int(np.flatnonzero(cands["name"] == "Kharkiv")[0])
    assert res.n_excluded_standoff == 1  # Kharkiv, inside the block
    assert res.n_excluded == 1
    assert kharkiv not in res.chosen
    assert res.standoff_km == 200
    near = place_from_files(
        CANDIDATES, DEMAND, k=2, radius_km=100, standoff_from=EAST, standoff_km=600
    )
    # Kyiv (~400 km from lon 36) and Odesa (~420 km) fall inside 600 km as well
    assert near.n_excluded_standoff >= 3
    assert {"Kyiv", "Kharkiv"}.isdisjoint(set(near.sites["name"]))  # type: ignore[index]


def test_standoff_excludes_everything() -> None:
    everywhere = box(20, 40, 45, 56)
    with pytest.raises(DataError, match="all 10 candidate sites are within the 10 km stand-off"):
        place_from_files(
            CANDIDATES, DEMAND, k=1, radius_km=100, standoff_from=everywhere, standoff_km=10
        )


def test_standoff_needs_territory() -> None:
    with pytest.raises(ConfigError, match="no territory to stand off from"):
        place_from_files(CANDIDATES, DEMAND, k=1, radius_km=50, standoff_km=200)
    with pytest.raises(ConfigError, match="standoff_km=-1"):
        place_from_files(CANDIDATES, DEMAND, k=1, radius_km=50, standoff_from=EAST, standoff_km=-1)


def test_hostile_territory() -> None:
    occupied = Polygon([(37.5, 47.0), (38.5, 47.0), (38.5, 48.0), (37.5, 48.0)])
    hostile = hostile_territory(occupied)
    assert hostile.is_valid
    assert hostile.contains(Point(37.6, 55.75))  # Moscow
    assert hostile.contains(Point(27.56, 53.9))  # Minsk
    assert hostile.contains(Point(38.0, 47.5))  # the occupied block
    assert not hostile.contains(Point(30.52, 50.45))  # Kyiv
    assert not hostile_territory(None).contains(Point(38.0, 47.5))
    with pytest.raises(ConfigError, match="XYZ not in the bundled countries"):
        hostile_territory(None, countries=("RUS", "XYZ"))


def test_occupied_from_store(demo_store: Path) -> None:
    from garant.store import open_store

    with open_store(demo_store, read_only=True) as store:
        tl = store.timeline()
        first, last = tl["date"].iloc[0], tl["date"].iloc[-1]
        latest = occupied_from_store(store)
        assert latest.equals(
            store.load_occupied([int(tl["snapshot_id"].iloc[-1])])[int(tl["snapshot_id"].iloc[-1])]
        )
        on_first = occupied_from_store(store, str(first))
        assert not on_first.is_empty
        assert occupied_from_store(store, last).equals(latest)
        with pytest.raises(NotFoundError, match="no snapshot on or before 2000-01-01"):
            occupied_from_store(store, "2000-01-01")
        with pytest.raises(DataError, match="expected YYYY-MM-DD"):
            occupied_from_store(store, "yesterday")
        hostile = hostile_territory(latest)
        assert shapely.area(hostile) > shapely.area(latest)


# -- files -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "header", [("lon", "lat"), ("Longitude", "Latitude"), ("x", "y"), ("LNG", "lat")]
)
def test_read_csv_coordinate_columns(tmp_path: Path, header: tuple[str, str]) -> None:
    path = tmp_path / "pts.csv"
    path.write_text(f"id,{header[0]},{header[1]},weight\n1,30.5,50.4,10\n2,24.0,49.8,3\n")
    gdf = read_points(path, weight="weight")
    assert gdf.crs.to_epsg() == 4326
    assert gdf.geometry.x.tolist() == [30.5, 24.0]
    assert gdf["weight"].tolist() == [10.0, 3.0]
    assert list(gdf.columns) == ["id", "weight", "geometry"]


def test_read_missing_file(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match=r"nope\.csv: no such file"):
        read_points(tmp_path / "nope.csv")


def test_read_csv_missing_columns(tmp_path: Path) -> None:
    path = tmp_path / "pts.csv"
    path.write_text("name,east,north\nA,30,50\n")
    with pytest.raises(DataError, match=r"pts\.csv: missing coordinate columns.*found: name, east"):
        read_points(path)


def test_read_csv_bad_coordinates(tmp_path: Path) -> None:
    path = tmp_path / "pts.csv"
    path.write_text("lon,lat\n30,50\n200,50\nabc,49\n")
    with pytest.raises(DataError, match=r"2 rows without valid lon/lat.*first on line 3"):
        read_points(path)


def test_read_csv_empty(tmp_path: Path) -> None:
    path = tmp_path / "pts.csv"
    path.write_text("")
    with pytest.raises(DataError, match="empty CSV file"):
        read_points(path)
    path.write_text("lon,lat\n")
    with pytest.raises(DataError, match="no points"):
        read_points(path)


def test_read_csv_weight_problems(tmp_path: Path) -> None:
    path = tmp_path / "demand.csv"
    path.write_text("lon,lat,pop\n30,50,10\n31,50,-1\n")
    with pytest.raises(DataError, match=r"demand\.csv: no weight column 'weight' \(columns: pop\)"):
        read_points(path, weight="weight")
    with pytest.raises(DataError, match=r"demand\.csv column 'pop': 1 negative values"):
        read_points(path, weight="pop")
    path.write_text("lon,lat,pop\n30,50,10\n31,50,\n")
    with pytest.raises(DataError, match="NaN or infinite"):
        read_points(path, weight="pop")


def test_read_malformed_geojson(tmp_path: Path) -> None:
    path = tmp_path / "bad.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [')
    with pytest.raises(DataError, match=r"bad\.geojson: not a readable geojson file"):
        read_points(path)


def test_read_geojson_with_polygons(tmp_path: Path) -> None:
    path = tmp_path / "areas.geojson"
    gpd.GeoDataFrame({"w": [1]}, geometry=[box(30, 50, 31, 51)], crs=4326).to_file(path)
    with pytest.raises(DataError, match="geometries are not points"):
        read_points(path)


def test_read_unsupported_format(tmp_path: Path) -> None:
    path = tmp_path / "pts.xlsx"
    path.write_bytes(b"PK")
    with pytest.raises(DataError, match=r"unsupported format \.xlsx"):
        read_points(path)


def test_read_fixtures() -> None:
    cands = read_points(CANDIDATES)
    dem = read_points(DEMAND, weight="weight")
    assert len(cands) == 10
    assert len(dem) == 18
    assert dem.crs.to_epsg() == 4326
