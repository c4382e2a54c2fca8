"""Web API: running an assessment, its report files and its map layers."""

from __future__ import annotations

import re
from typing import Any

import pytest
import shapely
from pyproj import Geod
from shapely.geometry import Point, Polygon, shape

from garant.sources.geography import ukraine

CUSTOM = """name = "web-custom"
title = "Custom from the browser"
commitment = "coalition"
"""


@pytest.fixture(scope="module")
def run(client: Any) -> dict[str, Any]:
    """One small run: a bundled package with land, air and sea, and a package TOML."""
    r = client.post(
        "/api/assessments",
        json={"packages": ["coalition-2025"], "toml": CUSTOM, "runs": 50, "air_runs": 5},
    )
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


@pytest.fixture(scope="module")
def layers(client: Any, run: dict[str, Any]) -> dict[str, Any]:
    r = client.get(f"/api/assessments/{run['id']}/layers")
    assert r.status_code == 200
    body: dict[str, Any] = r.json()
    return body


def _layer(fc: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return [f for f in fc["features"] if f["properties"]["layer"] == name]


@pytest.mark.slow
def test_run_summary(client: Any, run: dict[str, Any]) -> None:
    assert re.fullmatch(r"[0-9a-f]{24}", run["id"])
    assert run["report_url"] == f"/reports/{run['id']}/report.html"
    assert [row["package"] for row in run["table"]] == ["coalition-2025", "web-custom"]
    assert run["packages"] == ["coalition-2025", "web-custom"]
    for row in run["table"]:
        assert 0.0 <= row["p_deterred"] <= 1.0
    assert "report.html" in run["files"]
    again = client.get(f"/api/assessments/{run['id']}").json()
    assert again == run
    listed = client.get("/api/assessments").json()
    assert run["id"] in [r["id"] for r in listed]


@pytest.mark.slow
def test_report_files(client: Any, run: dict[str, Any]) -> None:
    r = client.get(run["report_url"])
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in r.headers["content-security-policy"]
    assert "Custom from the browser" in r.text
    png = next(f for f in run["files"] if f.endswith(".png"))
    assert client.get(f"/reports/{run['id']}/{png}").content[:4] == b"\x89PNG"
    assert client.get(f"/reports/{run['id']}/nope.png").status_code == 404


@pytest.mark.slow
def test_layers_of_the_land_force(layers: dict[str, Any]) -> None:
    fc = layers["packages"]["coalition-2025"]
    bases = _layer(fc, "bases")
    reach = _layer(fc, "reach")
    assert bases
    assert reach
    land = ukraine()
    for b in bases:
        assert land.contains(shape(b["geometry"]))
    # Every base lies inside its own reach isochrone.
    for b in bases:
        mine = [r for r in reach if r["properties"]["base_id"] == b["properties"]["base_id"]]
        assert mine
        assert all(shape(r["geometry"]).buffer(1e-3).contains(shape(b["geometry"])) for r in mine)
    assert not layers["packages"]["web-custom"]["features"]


@pytest.mark.slow
def test_layers_of_the_air_mission(layers: dict[str, Any]) -> None:
    fc = layers["packages"]["coalition-2025"]
    units = _layer(fc, "air_units")
    circles = _layer(fc, "air_coverage")
    assert units
    assert circles
    assert sum(c["properties"]["units"] for c in circles) <= len(units)
    geod = Geod(ellps="WGS84")
    for c in circles:
        poly = shape(c["geometry"])
        assert isinstance(poly, Polygon)
        centre = poly.centroid
        x, y = poly.exterior.coords[0]
        _, _, d_m = geod.inv(centre.x, centre.y, x, y)
        assert d_m / 1000 == pytest.approx(c["properties"]["range_km"], rel=0.02)


@pytest.mark.slow
def test_layers_of_the_sea_mission(layers: dict[str, Any]) -> None:
    from garant.sea.geography import water

    fc = layers["packages"]["coalition-2025"]
    route = _layer(fc, "sea_route")
    rings = _layer(fc, "threat_rings")
    assert len(route) == 1
    line = shape(route[0]["geometry"])
    odesa = Point(30.74, 46.48)
    assert min(Point(line.coords[0]).distance(odesa), Point(line.coords[-1]).distance(odesa)) < 0.2
    assert rings
    sea = water()
    for ring in rings:
        g = shape(ring["geometry"])
        assert g.area > 0
        assert shapely.difference(g, sea.buffer(0.01)).area < 1e-3 * g.area
    assert _layer(fc, "cap_stations")


@pytest.mark.slow
def test_one_assessment_at_a_time(client: Any, web_app: Any) -> None:
    lock = web_app.state.garant.assess_lock
    assert lock.acquire(blocking=False)
    try:
        r = client.post("/api/assessments", json={"packages": ["no-guarantees"], "runs": 10})
    finally:
        lock.release()
    assert r.status_code == 429


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({}, 422, "give packages"),
        ({"packages": []}, 422, "give packages"),
        ({"packages": ["no-guarantees", "no-guarantees"]}, 422, "twice"),
        ({"packages": ["no-such-package"], "runs": 10}, 404, "no-such-package"),
        ({"packages": ["../../pyproject"], "runs": 10}, 404, "unknown"),
        ({"packages": ["no-guarantees"], "runs": 20_001}, 422, "runs"),
        ({"packages": ["no-guarantees"], "lang": "fr"}, 422, "lang"),
        ({"packages": ["no-guarantees"], "seed": -1}, 422, "seed"),
        ({"packages": ["a"] * 11}, 422, "packages"),
        ({"toml": "name = 'x'\n[sea]\npreset = '/etc/passwd'\n", "runs": 10}, 400, "sea.preset"),
        ({"toml": "name = 'x'\n[ceasefire]\ndate = 1990-01-01\n", "runs": 10}, 400, "1990-01-01"),
    ],
)
def test_bad_assessment_requests(
    client: Any, body: dict[str, Any], status: int, words: str
) -> None:
    r = client.post("/api/assessments", json=body)
    assert r.status_code == status, r.text
    detail = r.json()["detail"]
    assert words in detail
    assert "\n" not in detail


@pytest.mark.parametrize("run_id", ["nope", "0123456789abcdef01234567", "../../etc"])
def test_unknown_runs_are_404(client: Any, run_id: str) -> None:
    assert client.get(f"/api/assessments/{run_id}").status_code == 404
    assert client.get(f"/api/assessments/{run_id}/layers").status_code == 404


def test_errors_do_not_show_server_paths(client: Any, web_store: Any) -> None:
    r = client.post(
        "/api/assessments", json={"toml": "name = 'x'\n[ceasefire]\ndate = 1990-01-01\n"}
    )
    assert r.status_code == 400
    assert "web.duckdb" in r.json()["detail"]
    assert str(web_store.parent) not in r.json()["detail"]
