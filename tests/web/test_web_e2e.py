"""End-to-end tests of the web app in headless Chromium (Debian's, driven by Playwright).

The tests start ``garant.web.app.create_app`` on a free loopback port (uvicorn in a
thread) over a copy of the demo store, load the built front end, and check what is on
the screen: the slider moves the date and the measures, layers toggle (checked on the
map's pixels), a package validates, runs and links to its report, its layers appear, a
link reproduces the view and the map exports as a PNG. Screenshots and the PNG go to
``$GARANT_ARTIFACTS`` (default ``test-artifacts/web/``).

Needs: ``/usr/bin/chromium`` (``apt-get install chromium``; or ``$GARANT_CHROMIUM``), the
Python ``playwright`` package (never ``playwright install``: the system browser is used)
and the built front end (``cd web && npm ci && npm run build``); skipped otherwise.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import socket
import struct
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from shapely.geometry import shape

from garant.frontline.ceasefire import freeze
from garant.frontline.queries import measures_at
from garant.store import open_store
from garant.store.duckdb import DuckDBStore

REPO = Path(__file__).resolve().parents[2]
STATIC = REPO / "src" / "garant" / "web" / "static"
CHROMIUM = Path(os.environ.get("GARANT_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(os.environ.get("GARANT_ARTIFACTS", REPO / "test-artifacts")) / "web"
# Software WebGL and no calls home (this machine has no network beyond loopback).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
    "--ignore-gpu-blocklist",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORT = {"width": 1100, "height": 720}
READY_MS = 60_000
CEASEFIRE = "e2e-line"

if not CHROMIUM.exists():
    pytest.skip(
        f"Chromium not found at {CHROMIUM} (apt-get install chromium)", allow_module_level=True
    )
if not (STATIC / "index.html").exists():
    pytest.skip(
        "front end not built: run `npm ci && npm run build` in web/", allow_module_level=True
    )
playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="Python package playwright not installed"
)
uvicorn = pytest.importorskip("uvicorn", reason="uvicorn not installed")
web_app = pytest.importorskip("garant.web.app", reason="garant.web.app not available")

pytestmark = pytest.mark.slow


# --------------------------------------------------------------------------- fixtures


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(demo_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL of the app served by uvicorn in a thread on a free loopback port."""
    store = tmp_path_factory.mktemp("web-e2e") / "garant.duckdb"
    shutil.copy(demo_store, store)  # a copy: a ceasefire line is frozen in it
    with open_store(store) as st:
        assert isinstance(st, DuckDBStore)
        freeze(st, measures_at(st)["date"], name=CEASEFIRE)
    app = web_app.create_app(str(store))
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", ws="none")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, name="garant-e2e-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not srv.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail(f"the web app did not start on 127.0.0.1:{port}")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=15)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium."""
    with playwright_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def console_errors() -> list[str]:
    """JavaScript and console errors of the test's page (a test may drop expected ones)."""
    return []


@pytest.fixture
def page(browser: Any, console_errors: list[str]) -> Iterator[Any]:
    """A fresh page; fails the test on any JavaScript error or console error."""
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    pg = context.new_page()
    pg.on("pageerror", lambda exc: console_errors.append(f"page error: {exc}"))
    pg.on(
        "console",
        lambda msg: console_errors.append(f"console: {msg.text}") if msg.type == "error" else None,
    )
    yield pg
    context.close()
    assert not console_errors, console_errors


@pytest.fixture(scope="module")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="module")
def dates(server: str) -> list[str]:
    answer = httpx.get(f"{server}/api/dates", timeout=30).json()
    return list(answer["dates"])


# --------------------------------------------------------------------------- helpers


def _open(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("body[data-ready='true']", timeout=READY_MS)
    _idle(page)


def _idle(page: Any) -> None:
    """Wait until the map has drawn everything it was given."""
    page.evaluate(
        """() => new Promise((resolve) => {
            const map = window.garantApp.map;
            map.once('idle', resolve);
            map.triggerRepaint();
        })"""
    )


def _pixel(page: Any, lon: float, lat: float) -> list[int]:
    """RGBA of the map canvas at a geographic point."""
    return list(
        page.evaluate(
            """([lon, lat]) => {
                const map = window.garantApp.map;
                const canvas = map.getCanvas();
                const p = map.project([lon, lat]);
                const ratio = canvas.width / canvas.clientWidth;
                const copy = document.createElement('canvas');
                copy.width = canvas.width;
                copy.height = canvas.height;
                const ctx = copy.getContext('2d');
                ctx.drawImage(canvas, 0, 0);
                const x = Math.round(p.x * ratio);
                const y = Math.round(p.y * ratio);
                return Array.from(ctx.getImageData(x, y, 1, 1).data);
            }""",
            [lon, lat],
        )
    )


def _source_features(page: Any, source: str) -> list[dict[str, Any]]:
    """Features of a GeoJSON source on the map (as the page holds them)."""
    data = page.evaluate(
        "async (name) => await window.garantApp.map.getSource(name).getData()", source
    )
    return list(data.get("features", []))


def _inside_occupied(server: str, date: str) -> tuple[float, float]:
    """A point well inside the largest occupied polygon of a date (from the API)."""
    fc = httpx.get(f"{server}/api/frontline/{date}?z=6", timeout=30).json()
    occupied = [
        shape(f["geometry"]) for f in fc["features"] if f["properties"]["kind"] == "occupied"
    ]
    assert occupied, "the API returned no occupied territory"
    polys = [g for geom in occupied for g in getattr(geom, "geoms", [geom])]
    largest = max(polys, key=lambda g: g.area)
    point = largest.buffer(-0.3).representative_point()
    return float(point.x), float(point.y)


def _thousands(value: float) -> str:
    """How the page writes a number of at least 100 (rounded, with thousands commas)."""
    return f"{math.floor(value + 0.5):,}"


def _text(page: Any, selector: str) -> str:
    return str(page.locator(selector).inner_text()).strip()


# --------------------------------------------------------------------------- tests


def test_slider_moves_date_and_measures(
    page: Any, server: str, dates: list[str], artifacts: Path
) -> None:
    _open(page, f"{server}/")
    first, last = dates[0], dates[-1]
    assert _text(page, "#date-label") == last
    kinds = {f["properties"]["kind"] for f in _source_features(page, "frontline")}
    assert {"occupied", "line"} <= kinds
    shown_last = _text(page, "#measures dd[data-measure='occupied_km2']")
    page.screenshot(path=str(artifacts / "01-loaded.png"))

    # Drag the slider to the start: the date, the map's snapshot and the measures follow.
    page.locator("#slider").fill("0")
    page.wait_for_function(f"document.getElementById('date-label').textContent === '{first}'")
    expected = httpx.get(f"{server}/api/measures/{first}", timeout=30).json()
    cell = page.locator("#measures dd[data-measure='occupied_km2']")
    playwright_api.expect(cell).to_have_text(f"{_thousands(expected['occupied_km2'])} km²")
    assert _text(page, "#measures dd[data-measure='occupied_km2']") != shown_last
    assert f"date={first}" in page.evaluate("window.location.hash")

    # One day forward: the chosen date moves; the map shows the snapshot on or before it.
    page.click("#step-fwd")
    day2 = page.evaluate("window.garantApp.view.date")
    assert day2 > first
    assert _text(page, "#date-label") == day2
    if day2 not in dates:
        playwright_api.expect(page.locator("#date-shown")).to_contain_text(first)

    # One month forward from there, then play until the date changes, then pause.
    page.click("#month-fwd")
    after_month = _text(page, "#date-label")
    assert after_month[:7] > day2[:7]
    page.click("#play")
    page.wait_for_function(
        f"document.getElementById('date-label').textContent > '{after_month}'", timeout=20_000
    )
    page.click("#play")
    playwright_api.expect(page.locator("#play")).to_have_attribute("aria-pressed", "false")
    _idle(page)
    page.screenshot(path=str(artifacts / "02-slider-moved.png"))


def test_layers_toggle_on_the_map(
    page: Any, server: str, dates: list[str], artifacts: Path
) -> None:
    last = dates[-1]
    lon, lat = _inside_occupied(server, last)
    # Only the occupied territory, so the pixel under the point is its fill or the land.
    _open(page, f"{server}/#date={last}&layers=occupied")
    assert page.locator(".city-label").count() > 0
    assert not page.locator(".city-label").first.is_visible()  # settlements are off
    on = _pixel(page, lon, lat)
    assert on[0] - on[1] > 30, f"occupied fill not drawn at {lon:.2f},{lat:.2f}: {on}"

    page.uncheck("#layers input[data-layer='occupied']")
    _idle(page)
    off = _pixel(page, lon, lat)
    assert abs(off[0] - off[1]) < 15, f"occupied fill still drawn: {off}"
    assert "occupied" not in page.evaluate("window.location.hash")

    page.check("#layers input[data-layer='line']")
    _idle(page)
    drawn = page.evaluate(
        "window.garantApp.map.queryRenderedFeatures({layers: ['frontline-line']}).length"
    )
    assert drawn > 0

    # Gains and losses since the first date: the map's layer and the panel's list.
    page.fill("#changes-since", dates[0])
    page.check("#layers input[data-layer='changes']")
    api = httpx.get(
        f"{server}/api/changes",
        params={"since": dates[0], "until": last, "z": 5},
        timeout=60,
    ).json()
    expected_items = min(8, len(api["features"])) or 1  # an empty period shows one note
    playwright_api.expect(page.locator("#changes-list li")).to_have_count(
        expected_items, timeout=30_000
    )
    assert len(_source_features(page, "changes")) == len(api["features"])
    hash_ = page.evaluate("window.location.hash")
    assert "changes" in hash_
    assert f"since={dates[0]}" in hash_
    # The frozen ceasefire line and its zones.
    page.check("#layers input[data-layer='ceasefire']")
    playwright_api.expect(page.locator("#ceasefire-select")).to_have_value(CEASEFIRE)
    page.wait_for_function(
        "window.garantApp.map.getSource('ceasefire').serialize().data.features?.length > 0",
        timeout=60_000,
    )
    _idle(page)
    for layer in ("cf-line", "cf-fill"):
        n = page.evaluate(
            f"window.garantApp.map.queryRenderedFeatures({{layers: ['{layer}']}}).length"
        )
        assert n > 0, f"{layer} not drawn"
    hash_ = page.evaluate("window.location.hash")
    assert f"cf={CEASEFIRE}" in hash_
    page.screenshot(path=str(artifacts / "03-layers.png"))

    # The link reproduces the view: same layers checked after a reload.
    _open(page, f"{server}/{hash_}")
    assert not page.is_checked("#layers input[data-layer='occupied']")
    assert page.is_checked("#layers input[data-layer='changes']")
    assert page.is_checked("#layers input[data-layer='line']")
    assert page.is_checked("#layers input[data-layer='ceasefire']")


def test_package_validate_run_report_and_layers(page: Any, server: str, artifacts: Path) -> None:
    presets = httpx.get(f"{server}/api/packages", timeout=30).json()
    assert "coalition-2025" in str(presets)
    _open(page, f"{server}/#layers=occupied,line,bases,air,sea")
    page.select_option("#package-select", "coalition-2025")
    editor = page.locator("#package-toml")
    playwright_api.expect(editor).to_have_value(
        re.compile(r'name = "coalition-2025"'), timeout=20_000
    )
    original = editor.input_value()

    page.click("#validate")
    playwright_api.expect(page.locator("#validate-result")).to_have_text("✓ valid", timeout=20_000)

    # A bad value is reported with the field it is in.
    broken = original.replace('commitment = "coalition"', 'commitment = "maybe"')
    assert broken != original
    editor.fill(broken)
    page.click("#validate")
    result = page.locator("#validate-result")
    playwright_api.expect(result).to_contain_text("✗", timeout=20_000)
    playwright_api.expect(result).to_contain_text("commitment")

    # Run the preset with a few draws: report link, result table, package layers.
    editor.fill(original)
    page.fill("#runs", "20")
    page.fill("#air-runs", "5")
    page.click("#run")
    link = page.locator("#report-link")
    playwright_api.expect(link).to_be_visible(timeout=240_000)
    href = str(link.get_attribute("href"))
    assert "/reports/" in href
    assert href.endswith("/report.html")
    report = httpx.get(href, timeout=30)
    assert report.status_code == 200
    assert "coalition" in report.text.lower()
    rows = page.locator("#run-result tbody tr")
    playwright_api.expect(rows).to_have_count(1)
    assert "coalition-2025" in rows.first.inner_text()

    page.wait_for_function(
        "Number(window.garantApp.map.getContainer().dataset.packageFeatures || 0) > 0",
        timeout=60_000,
    )
    features = _source_features(page, "package")
    assert {f["properties"]["package"] for f in features} == {"coalition-2025"}
    groups = {f["properties"]["_group"] for f in features}
    assert "bases" in groups
    _idle(page)
    rendered = page.evaluate(
        """window.garantApp.map.queryRenderedFeatures({layers: [
            'pkg-bases-point', 'pkg-bases-fill', 'pkg-bases-line']}).length"""
    )
    assert rendered > 0
    hash_ = page.evaluate("window.location.hash")
    assert "run=" in hash_
    assert "pkg=coalition-2025" in hash_
    page.screenshot(path=str(artifacts / "04-package.png"))

    # The link brings the package layers back.
    _open(page, f"{server}/{hash_}")
    page.wait_for_function(
        "Number(window.garantApp.map.getContainer().dataset.packageFeatures || 0) > 0",
        timeout=60_000,
    )
    assert page.input_value("#package-select") == "coalition-2025"


def test_export_png(page: Any, server: str, dates: list[str], artifacts: Path) -> None:
    _open(page, f"{server}/#date={dates[-1]}")
    with page.expect_download() as download_info:
        page.click("#export-png")
    download = download_info.value
    assert download.suggested_filename == f"garant-{dates[-1]}.png"
    target = artifacts / "05-export.png"
    download.save_as(str(target))
    data = target.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    canvas = page.evaluate(
        "[window.garantApp.map.getCanvas().width, window.garantApp.map.getCanvas().height]"
    )
    assert [width, height] == canvas


def test_run_sends_token_and_body_and_shows_errors(
    page: Any, server: str, console_errors: list[str]
) -> None:
    """The Run button's request (intercepted, never reaches the server) and an error shown."""
    _open(page, f"{server}/")
    page.select_option("#package-select", "sky-shield-only")
    playwright_api.expect(page.locator("#package-toml")).to_have_value(
        re.compile(r'name = "sky-shield-only"'), timeout=20_000
    )
    seen: list[dict[str, Any]] = []

    def refuse(route: Any) -> None:
        request = route.request
        seen.append({"auth": request.headers.get("authorization"), "body": request.post_data_json})
        route.fulfill(
            status=401,
            content_type="application/json",
            body='{"detail": "POST /api/assessments: missing or wrong token"}',
        )

    page.route("**/api/assessments", refuse)
    page.fill("#token", "s3cret-token-0123456789")
    page.dispatch_event("#token", "change")
    page.fill("#runs", "99999")  # clamped to the API's 20000
    page.fill("#air-runs", "7")
    page.fill("#seed", "42")
    page.select_option("#lang", "de")
    page.click("#run")
    result = page.locator("#run-result")
    playwright_api.expect(result).to_contain_text("missing or wrong token")
    playwright_api.expect(result).to_contain_text("enter the server's token")
    assert seen == [
        {
            "auth": "Bearer s3cret-token-0123456789",
            "body": {
                "lang": "de",
                "runs": 20000,
                "air_runs": 7,
                "seed": 42,
                "packages": ["sky-shield-only"],
            },
        }
    ]
    # An edited package is sent as TOML text instead of a preset name.
    page.fill("#package-toml", page.input_value("#package-toml") + "\n# edited\n")
    page.click("#run")
    playwright_api.expect(page.locator("#run")).to_be_enabled()
    assert len(seen) == 2
    assert "packages" not in seen[1]["body"]
    assert seen[1]["body"]["toml"].endswith("# edited\n")
    # The browser logs each refused request; those two are expected.
    refused = [e for e in console_errors if "status of 401" in e]
    assert len(refused) == 2
    console_errors[:] = [e for e in console_errors if e not in refused]
