"""Web API: guarantee package presets, their TOML, validation, ceasefire lines and alerts."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from shapely.geometry import shape

from garant.frontline.ceasefire import load_ceasefire, watch
from garant.packages.loader import load_guarantee_package, preset_order
from garant.store.duckdb import DuckDBStore


def _preset_text(name: str) -> str:
    return resources.files("garant").joinpath("data", "packages", f"{name}.toml").read_text("utf-8")


def test_package_list(client: Any) -> None:
    body = client.get("/api/packages").json()
    assert [p["name"] for p in body] == preset_order()
    for p in body:
        pkg = load_guarantee_package(p["name"])
        assert p["description"] == pkg.description
        assert p["components"]["air"] == (pkg.air.preset if pkg.air else None)


def test_one_package(client: Any) -> None:
    body = client.get("/api/packages/coalition-2025").json()
    assert body["toml"] == _preset_text("coalition-2025")
    assert body["package"]["name"] == "coalition-2025"
    land = load_guarantee_package("coalition-2025").land
    assert land is not None
    assert body["package"]["land"]["preset"] == land.preset


def test_unknown_package_is_404(client: Any) -> None:
    r = client.get("/api/packages/not-a-package")
    assert r.status_code == 404
    assert "bundled:" in r.json()["detail"]


@pytest.mark.parametrize("name", preset_order())
def test_every_preset_validates(client: Any, name: str) -> None:
    body = client.post("/api/packages/validate", json={"toml": _preset_text(name)}).json()
    assert body == {"ok": True, "errors": [], "package": body["package"]}
    assert body["package"]["name"] == name


@pytest.mark.parametrize(
    ("toml", "error"),
    [
        ("name = 'x'\ncolour = 'red'\n", "package.toml:2: colour: unknown field"),
        ("name = 'X Y'\n", "package.toml:1: name: 'X Y' is not a valid name"),
        (
            "name = 'x'\n[air]\npreset = 'no-such-air'\n",
            "package.toml:3: air.preset: unknown air preset 'no-such-air'",
        ),
        (
            "name = 'x'\n[ceasefire]\ndate = 2099-01-01\n",
            "package.toml:3: ceasefire.date: 2099-01-01 is after the latest snapshot",
        ),
        (
            "name = 'x'\n[ceasefire]\nline = 'no-such-line'\n",
            "ceasefire line 'no-such-line': unknown",
        ),
        ("name = \n", "package.toml: not valid TOML"),
    ],
)
def test_validation_errors(client: Any, toml: str, error: str) -> None:
    body = client.post("/api/packages/validate", json={"toml": toml}).json()
    assert body["ok"] is False
    assert any(e.startswith(error) or error in e for e in body["errors"]), body["errors"]
    assert all("\n" not in e for e in body["errors"])
    assert all("/tmp" not in e and "garant-pkg-" not in e for e in body["errors"])


def test_several_problems_are_listed(client: Any) -> None:
    toml = "name = 'x'\n[air]\npreset = 'no-such-air'\naddons = ['nor-this']\n"
    body = client.post("/api/packages/validate", json={"toml": toml}).json()
    assert len(body["errors"]) == 2
    assert body["errors"][0].startswith("package.toml:3: air.preset")
    assert body["errors"][1].startswith("package.toml:4: air.addons[0]")


def test_a_known_frozen_line_validates(client: Any, web_line: str) -> None:
    toml = f"name = 'x'\n[ceasefire]\nline = '{web_line}'\n"
    assert client.post("/api/packages/validate", json={"toml": toml}).json()["ok"] is True


def test_ceasefire_list(client: Any, web_line: str) -> None:
    body = client.get("/api/ceasefire").json()
    assert [c["name"] for c in body] == [web_line]
    assert body[0]["length_km"] > 100
    assert body[0]["note"] == "web tests"


def test_ceasefire_geojson(client: Any, web_store: Path, web_line: str) -> None:
    r = client.get(f"/api/ceasefire/{web_line}.geojson")
    assert r.status_code == 200
    fc = r.json()
    kinds = [f["properties"]["kind"] for f in fc["features"]]
    assert kinds.count("ceasefire_line") == 1
    assert kinds.count("frozen_occupied") == 1
    assert kinds.count("dmz") == 2
    assert kinds.count("danger_band") >= 2
    with DuckDBStore(web_store, read_only=True) as st:
        cf = load_ceasefire(st, web_line)
    line = next(f for f in fc["features"] if f["properties"]["kind"] == "ceasefire_line")
    assert line["properties"]["length_km"] == pytest.approx(cf.length_km)
    assert shape(line["geometry"]).hausdorff_distance(cf.line) < 1e-5
    assert fc["date"] == cf.date.isoformat()
    assert fc["dmz_width_km"] == 15.0


def test_ceasefire_alerts(client: Any, web_store: Path, web_line: str) -> None:
    with DuckDBStore(web_store, read_only=True) as st:
        dates = sorted(st.timeline()["date"])
        until = dates[-9]  # three snapshots after the freeze: quick
        report = watch(st, web_line, until=until)
    body = client.get(f"/api/ceasefire/{web_line}/alerts?until={until}").json()
    assert body["n_alerts"] == len(report.alerts) > 0
    assert body["checked"]["n_snapshots"] == report.n_snapshots == 3
    assert len(body["latest"]) == len(report.latest())
    big = max(a.area_km2 for a in report.alerts)
    stricter = client.get(
        f"/api/ceasefire/{web_line}/alerts?until={until}&min_area_km2={big + 1}"
    ).json()
    assert stricter["n_alerts"] == 0


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/ceasefire/nope.geojson", 404),
        ("/api/ceasefire/nope/alerts", 404),
        ("/api/ceasefire/web-line/alerts?since=2026-01-01&until=2025-01-01", 400),
        ("/api/ceasefire/web-line/alerts?since=never", 400),
        ("/api/ceasefire/web-line.geojson?width_km=0", 422),
        ("/api/ceasefire/web-line.geojson?width_km=1000", 422),
    ],
)
def test_ceasefire_bad_input(client: Any, url: str, status: int) -> None:
    r = client.get(url)
    assert r.status_code == status
    assert "\n" not in r.json()["detail"]
