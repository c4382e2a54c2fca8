"""Reach: distance and time from bases to the line, shares, isochrones, road networks."""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyproj
import pytest
import shapely
from shapely.geometry.base import BaseGeometry

from garant.errors import ConfigError, DataError
from garant.land.bases import default_movement, load_bases, make_bases, resolve_bases
from garant.land.catalog import LandQuantity
from garant.land.geometry import Front, front_at
from garant.land.reach import (
    ANY_BASE,
    network_reach,
    reach_isochrones,
    reach_table,
    sample_line,
    sector_reach,
    share_column,
)

GEOD = pyproj.Geod(ellps="WGS84")


@dataclass(frozen=True)
class FakeFront:
    line: BaseGeometry
    occupied: BaseGeometry
    length_km: float


def _meridian_front(lon: float = 35.0, lat0: float = 48.0, lat1: float = 49.0) -> FakeFront:
    line = shapely.LineString([(lon, lat0), (lon, lat1)])
    occupied = shapely.box(lon, lat0, lon + 1.0, lat1)
    return FakeFront(line, occupied, GEOD.geometry_length(line) / 1000.0)


def _dense_times(
    base: tuple[float, float], line: BaseGeometry, factor: float, speed: float
) -> tuple[np.ndarray, float]:
    """Oracle: times to 20,000 points spaced evenly along a two-point geodesic line."""
    (x0, y0), (x1, y1) = shapely.get_coordinates(line)
    pts = np.array(GEOD.npts(x0, y0, x1, y1, 20_000))
    _, _, d = GEOD.inv(np.full(len(pts), base[0]), np.full(len(pts), base[1]), pts[:, 0], pts[:, 1])
    return np.asarray(d) / 1000.0 * factor / speed, float(np.min(d)) / 1000.0


@pytest.fixture(scope="module")
def demo_front() -> Front:
    return front_at()


# ----------------------------------------------------------------------------- sampling


def test_sample_line_weights_sum_to_the_geodesic_length() -> None:
    line = shapely.MultiLineString([[(30, 48), (31, 48.5), (32, 48.2)], [(34, 47), (34, 48)]])
    s = sample_line(line, 2.0)
    # garant measures lines vertex to vertex (frontline.line.part_lengths_km); with
    # 100 km segments that short-distance form is within 1e-5 of the geodesic
    assert s.length_km == pytest.approx(GEOD.geometry_length(line) / 1000.0, rel=1e-4)
    # consecutive samples on the first part lie about 2 km apart, never more than 2 km
    _, _, d = GEOD.inv(s.lon[:-1], s.lat[:-1], s.lon[1:], s.lat[1:])
    first = np.asarray(d)[: int(s.weight_km.size * 0.5)] / 1000.0
    assert first.max() <= 2.0 * 1.01
    # samples lie on the line (densified like a real line of contact: ~1 km segments)
    dense = shapely.segmentize(line, 0.01)
    on = sample_line(dense, 2.0)
    assert np.all(shapely.dwithin(dense, shapely.points(on.lon, on.lat), 1e-5))


def test_sample_line_empty_and_bad_spacing() -> None:
    assert len(sample_line(shapely.LineString())) == 0
    assert len(sample_line(None)) == 0
    for bad in (0.0, -1.0, math.nan):
        with pytest.raises(ConfigError, match="spacing_km"):
            sample_line(shapely.LineString([(30, 48), (31, 48)]), bad)


# ----------------------------------------------------------------------------- reach_table


def test_reach_table_against_a_dense_geodesic_oracle() -> None:
    front = _meridian_front()
    base = (34.0, 48.5)
    bases = resolve_bases([base])
    table = reach_table(bases, front, road_factor=1.3, speed_kmh=25.0, hours=(1, 3, 5))
    row = table.iloc[0]
    times, nearest_km = _dense_times(base, front.line, 1.3, 25.0)
    assert row["line_km"] == pytest.approx(nearest_km, rel=1e-3)
    assert row["road_km"] == pytest.approx(nearest_km * 1.3, rel=1e-3)
    assert row["time_to_line_h"] == pytest.approx(nearest_km * 1.3 / 25.0, rel=1e-3)
    assert row["mean_time_h"] == pytest.approx(times.mean(), rel=2e-3)
    for h in (1, 3, 5):
        assert row[share_column(h)] == pytest.approx((times <= h).mean(), abs=0.01)
    # the base is west of the occupied box: the stand-off is the distance to its edge
    assert row["standoff_km"] == pytest.approx(nearest_km, rel=5e-3)


def test_reach_table_any_row_takes_the_nearest_base_per_point() -> None:
    front = _meridian_front()
    bases = resolve_bases([(34.5, 48.1), (34.5, 48.9)])
    table = reach_table(bases, front, road_factor=1.2, speed_kmh=30.0, hours=(2,))
    per_base = table[table["base_id"] != ANY_BASE]
    anyrow = table[table["base_id"] == ANY_BASE].iloc[0]
    t0, _ = _dense_times((34.5, 48.1), front.line, 1.2, 30.0)
    t1, _ = _dense_times((34.5, 48.9), front.line, 1.2, 30.0)
    best = np.minimum(t0, t1)
    assert anyrow["share_2h"] == pytest.approx((best <= 2).mean(), abs=0.01)
    assert anyrow["share_2h"] > per_base["share_2h"].max()
    assert anyrow["time_to_line_h"] == pytest.approx(per_base["time_to_line_h"].min())
    assert anyrow["line_km"] == pytest.approx(per_base["line_km"].min())


def test_reach_table_default_movement_and_bounds(demo_front: Front) -> None:
    mv = default_movement()
    bases = load_bases(names=["Kharkiv", "Lviv", "Dnipro"])
    table = reach_table(bases, demo_front).set_index("base_id")
    expected = table["line_km"] * mv.road_factor.value / mv.march_speed_kmh.value
    np.testing.assert_allclose(table["time_to_line_h"], expected, rtol=1e-9)
    assert (table["time_to_line_h_low"] < table["time_to_line_h"]).all()
    assert (table["time_to_line_h"] < table["time_to_line_h_high"]).all()
    rows = table.to_dict("index")
    assert rows["kharkiv"]["line_km"] < rows["lviv"]["line_km"]
    shares = table[[share_column(h) for h in (1, 3, 6, 12)]].to_numpy()
    assert np.all(np.diff(shares, axis=1) >= 0)  # more time, more line
    assert table.attrs["line_km"] == pytest.approx(demo_front.length_km, rel=1e-6)
    assert any("road_factor" in p for p in table.attrs["provenance"])
    assert set(table["method"]) == {"road_factor"}


def test_reach_table_accepts_quantities() -> None:
    q = LandQuantity(value=2.0, low=1.5, high=3.0, unit="ratio", assumption="test")
    front = _meridian_front()
    bases = resolve_bases([(34.0, 48.5)])
    a = reach_table(bases, front, road_factor=q, speed_kmh=20.0).iloc[0]
    assert a["time_to_line_h"] == pytest.approx(a["line_km"] * 2.0 / 20.0)
    assert a["time_to_line_h_high"] == pytest.approx(a["line_km"] * 3.0 / 20.0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"hours": ()}, "at least one"),
        ({"hours": (1, -2)}, "-2 is not a positive"),
        ({"hours": (math.nan,)}, "not a positive"),
        ({"hours": ("soon",)}, "must be numbers"),
        ({"road_factor": 0.9}, "road_factor"),
        ({"speed_kmh": 0.0}, "speed_kmh"),
        ({"speed_kmh": "fast"}, "speed_kmh"),
        ({"spacing_km": 0.0}, "spacing_km"),
    ],
)
def test_reach_table_bad_settings(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        reach_table(resolve_bases([(34.0, 48.5)]), _meridian_front(), **kwargs)  # type: ignore[arg-type]


def test_reach_table_without_a_line() -> None:
    front = FakeFront(shapely.LineString(), shapely.Polygon(), 0.0)
    with pytest.raises(DataError, match="no line of contact"):
        reach_table(resolve_bases([(34.0, 48.5)]), front)


def test_reach_table_without_bases() -> None:
    with pytest.raises(DataError, match="no base given"):
        reach_table(make_bases([]), _meridian_front())


# ----------------------------------------------------------------------------- sectors


def test_sector_reach_splits_the_line() -> None:
    north = shapely.LineString([(35.0, 48.5), (35.0, 49.0)])
    south = shapely.LineString([(35.0, 48.0), (35.0, 48.5)])
    sectors = gpd.GeoDataFrame({"sector": ["N", "S"]}, geometry=[north, south], crs=4326)
    bases = resolve_bases([{"base_id": "b", "name": "b", "lon": 34.5, "lat": 48.9}])
    out = sector_reach(bases, sectors, road_factor=1.0, speed_kmh=40.0, hours=(1,), spacing_km=0.25)
    assert list(out["sector"]) == ["N", "S"]
    tn, _ = _dense_times((34.5, 48.9), north, 1.0, 40.0)
    ts, _ = _dense_times((34.5, 48.9), south, 1.0, 40.0)
    assert out.loc[0, "share_1h"] == pytest.approx((tn <= 1).mean(), abs=0.01)
    assert out.loc[1, "share_1h"] == pytest.approx((ts <= 1).mean(), abs=0.01)
    assert out.loc[0, "time_h"] == pytest.approx(tn.min(), rel=1e-3)
    assert set(out["nearest_base"]) == {"b"}


def test_sector_reach_needs_a_sector_column() -> None:
    sectors = gpd.GeoDataFrame({"name": ["N"]}, geometry=[shapely.LineString()], crs=4326)
    with pytest.raises(DataError, match="'sector'"):
        sector_reach(resolve_bases([(34.0, 48.0)]), sectors)


# ----------------------------------------------------------------------------- isochrones


def test_isochrone_radius_and_area() -> None:
    bases = load_bases(names=["Kropyvnytskyi"])  # central Ukraine: a 1 h circle stays inside
    iso = reach_isochrones(bases, hours=(1, 3), road_factor=1.25, speed_kmh=25.0)
    one = iso[(iso["hours"] == 1) & (iso["base_id"] == "kropyvnytskyi")].iloc[0]
    assert one["radius_km"] == pytest.approx(25.0 / 1.25)
    r = 25.0 / 1.25
    assert one["area_km2"] == pytest.approx(math.pi * r**2, rel=0.01)
    three = iso[(iso["hours"] == 3) & (iso["base_id"] == "kropyvnytskyi")].iloc[0]
    assert three.geometry.buffer(1e-9).contains(one.geometry)
    assert list(iso["hours"]) == sorted(iso["hours"], reverse=True)


def test_isochrones_leave_out_occupied_territory_and_union(demo_front: Front) -> None:
    bases = load_bases(names=["Zaporizhzhia", "Dnipro"])
    iso = reach_isochrones(bases, hours=(6,), front=demo_front)
    anyrow = iso[iso["base_id"] == ANY_BASE].iloc[0]
    overlap = shapely.intersection(anyrow.geometry, demo_front.occupied)
    assert shapely.area(overlap) < 1e-6
    per_base = iso[iso["base_id"] != ANY_BASE]
    assert anyrow["area_km2"] >= per_base["area_km2"].max()
    assert anyrow["area_km2"] <= per_base["area_km2"].sum() + 1e-6


def test_isochrones_bad_settings() -> None:
    bases = load_bases(names=["Kyiv"])
    with pytest.raises(ConfigError, match="n_vertices"):
        reach_isochrones(bases, n_vertices=3)
    with pytest.raises(ConfigError, match="hours"):
        reach_isochrones(bases, hours=(0,))


# ----------------------------------------------------------------------------- road network


def _write_graph(tmp_path: Path, *, ab_speed: float | None = None) -> Path:
    nx = pytest.importorskip("networkx")
    g = nx.MultiDiGraph()
    nodes = {"A": (34.0, 48.1), "B": (35.0, 48.1), "C": (35.0, 48.0), "D": (35.0, 48.2)}
    for n, (x, y) in nodes.items():
        g.add_node(n, x=x, y=y)

    def link(u: str, v: str, length_m: float, speed: float | None = None) -> None:
        for a, b in ((u, v), (v, u)):
            attrs = {"length": length_m}
            if speed is not None:
                attrs["speed_kph"] = speed
            g.add_edge(a, b, **attrs)

    link("A", "B", 100_000.0, ab_speed)  # a detour: the geodesic is about 74 km
    for other in ("C", "D"):
        _, _, d = GEOD.inv(*nodes["B"], *nodes[other])
        link("B", other, float(d))
    path = tmp_path / "roads.graphml"
    nx.write_graphml(g, path)
    return path


def _read_graph(path: Path) -> object:
    nx = pytest.importorskip("networkx")
    return nx.read_graphml(path)


def test_network_reach_uses_the_graph(tmp_path: Path) -> None:
    graph = _read_graph(_write_graph(tmp_path))
    front = _meridian_front(lat0=48.0, lat1=48.2)
    bases = resolve_bases([(34.0, 48.1)])
    out = network_reach(graph, bases, front, hours=(4, 5), speed_kmh=25.0)
    row = out.iloc[0]
    # 100 km on the graph at 25 km/h, plus the off-graph leg to the nearest sample (< 1 km)
    assert 4.0 <= row["time_to_line_h"] <= 4.0 + 1.0 / 25.0
    assert row["share_4h"] == 0.0
    assert 0.0 < row["share_5h"] <= 1.0
    assert row["snap_km"] == pytest.approx(0.0, abs=1e-6)
    assert set(out["method"]) == {"network"}
    assert out.iloc[-1]["base_id"] == ANY_BASE


def test_network_reach_edge_speed_limit(tmp_path: Path) -> None:
    graph = _read_graph(_write_graph(tmp_path, ab_speed=10.0))
    front = _meridian_front(lat0=48.0, lat1=48.2)
    out = network_reach(graph, resolve_bases([(34.0, 48.1)]), front, hours=(12,), speed_kmh=25.0)
    assert 10.0 <= out.iloc[0]["time_to_line_h"] <= 10.0 + 1.0 / 25.0


def test_network_reach_far_from_the_graph_is_unreachable(tmp_path: Path) -> None:
    graph = _read_graph(_write_graph(tmp_path))
    front = _meridian_front(lat0=48.0, lat1=48.2)
    out = network_reach(graph, resolve_bases([(30.0, 50.0)]), front, hours=(100,))
    assert math.isinf(out.iloc[0]["time_to_line_h"])
    assert out.iloc[0]["share_100h"] == 0.0


def test_network_reach_graph_without_lengths(tmp_path: Path) -> None:
    nx = pytest.importorskip("networkx")
    g = nx.Graph()
    g.add_node(1, x=34.0, y=48.1)
    g.add_node(2, x=35.0, y=48.1)
    g.add_edge(1, 2)
    with pytest.raises(DataError, match="no numeric 'length'"):
        network_reach(g, resolve_bases([(34.0, 48.1)]), _meridian_front())


def test_network_reach_node_without_coordinates() -> None:
    nx = pytest.importorskip("networkx")
    g = nx.Graph()
    g.add_node(1, x=34.0)
    with pytest.raises(DataError, match="'x' \\(lon\\) and 'y' \\(lat\\)"):
        network_reach(g, resolve_bases([(34.0, 48.1)]), _meridian_front())


def test_network_reach_empty_graph_and_not_a_graph() -> None:
    nx = pytest.importorskip("networkx")
    with pytest.raises(DataError, match="no nodes"):
        network_reach(nx.Graph(), resolve_bases([(34.0, 48.1)]), _meridian_front())
    with pytest.raises(ConfigError, match="expected a GraphML path or a networkx graph"):
        network_reach(42, resolve_bases([(34.0, 48.1)]), _meridian_front())


def test_network_reach_from_a_path_needs_osmnx(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write_graph(tmp_path)
    monkeypatch.setitem(sys.modules, "osmnx", None)  # import osmnx -> ImportError
    with pytest.raises(ConfigError, match="install osmnx"):
        network_reach(path, resolve_bases([(34.0, 48.1)]), _meridian_front())
