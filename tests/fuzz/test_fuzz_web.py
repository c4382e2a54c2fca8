"""Fuzz the web API (src/garant/web) through FastAPI's test client.

Inputs: every GET route of the OpenAPI schema with random path segments and query
values (dates, numbers, zooms, names with slashes, dots, percent signs, unicode);
POST bodies for package validation (bundled package TOML, mutated line by line) and for
assessments (any JSON, wrong types, out-of-range numbers, unknown presets so that no
assessment actually runs), raw non-JSON bodies and wrong content types. Property: no
5xx answer, and every error is JSON ``{"detail": <one line>}``. Skipped while the web
app is absent.
"""

from __future__ import annotations

import os
import shutil
import warnings
from collections.abc import Iterator
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("garant.web.app", reason="the web app (src/garant/web) is not there yet")

pytestmark = pytest.mark.fuzz

EXAMPLES = int(os.environ.get("GARANT_FUZZ_EXAMPLES", "100"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
LINE = "fuzz-line"


@pytest.fixture(scope="module")
def client(demo_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A test client of the app over a copy of the demo store with a frozen line."""
    from garant.frontline.ceasefire import freeze
    from garant.store.duckdb import DuckDBStore
    from garant.web.app import create_app

    path = tmp_path_factory.mktemp("fuzz-web") / "web.duckdb"
    shutil.copyfile(demo_store, path)
    with DuckDBStore(path) as store:
        freeze(store, sorted(store.timeline()["date"])[-6], name=LINE)
    app = create_app(str(path), prefetch=False, reports_dir=tmp_path_factory.mktemp("rep"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the TestClient import warns under new Starlette
        from fastapi.testclient import TestClient
    with TestClient(app, base_url="http://127.0.0.1", raise_server_exceptions=False) as c:
        yield c
    app.state.garant.close()


def _routes() -> list[tuple[str, list[str], list[str]]]:
    """``(path, path params, query params)`` of every GET route of the API."""
    # The schema only, from the router (no store needed): the same routes create_app wires.
    from fastapi import FastAPI
    from fastapi.openapi.utils import get_openapi

    from garant.web import app as web_app

    probe = FastAPI()
    for module in (
        web_app.routes_frontline,
        web_app.routes_base,
        web_app.routes_ceasefire,
        web_app.routes_packages,
        web_app.routes_assess,
    ):
        probe.include_router(module.router)
    probe.include_router(web_app.routes_assess.reports_router)
    spec = get_openapi(title="probe", version="0", routes=probe.routes)
    out = []
    for path, ops in sorted(spec["paths"].items()):
        op = ops.get("get")
        if op is None:
            continue
        params = op.get("parameters", [])
        out.append(
            (
                path,
                [p["name"] for p in params if p["in"] == "path"],
                [p["name"] for p in params if p["in"] == "query"],
            )
        )
    return out


ROUTES = _routes()
segments = st.sampled_from(
    [
        "2024-06-01",
        "2025-02-30",
        "1900-01-01",
        "latest",
        LINE,
        "coalition-2025",
        "oblasts",
        "settlements",
        "report.html",
        "..",
        "%2e%2e",
        "a/b",
        "",
        " ",
        "null",
        "0",
        "-1",
        "9" * 30,
    ]
) | st.text(min_size=1, max_size=20)
values = (
    st.sampled_from(["0", "7", "14", "15", "-1", "1e309", "nan", "inf", "2024-06-01", "x", ""])
    | st.integers(-(2**40), 2**40).map(str)
    | st.floats(allow_nan=True, allow_infinity=True).map(repr)
    | st.text(max_size=12)
)


def check(response: Any) -> None:
    assert response.status_code < 500, (response.status_code, response.text[:300])
    if response.status_code >= 400:
        detail = response.json()["detail"]
        assert isinstance(detail, str)
        assert detail.strip()
        assert "\n" not in detail


@FUZZ
@given(data=st.data())
def test_get_routes(client: Any, data: st.DataObject) -> None:
    path, path_params, query_params = data.draw(st.sampled_from(ROUTES))
    url = path
    for name in path_params:
        url = url.replace("{" + name + "}", quote(data.draw(segments), safe=""))
    query = data.draw(
        st.dictionaries(st.sampled_from(query_params or ["x"]), values, max_size=len(query_params))
    )
    check(client.get(url, params=query))


PACKAGE_TEXTS = [
    p.read_text(encoding="utf-8")
    for p in sorted(files("garant").joinpath("data", "packages").iterdir(), key=lambda p: p.name)
    if p.name.endswith(".toml") and not p.name.startswith("_")
]


@st.composite
def package_texts(draw: st.DrawFn) -> str:
    lines = draw(st.sampled_from(PACKAGE_TEXTS)).splitlines()
    for _ in range(draw(st.integers(0, 3))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.integers(0, 3))
        if op == 0:
            del lines[i]
        elif op == 1:
            lines.insert(i, lines[i])
        elif op == 2:
            lines[i] = lines[i][: draw(st.integers(0, len(lines[i])))]
        else:
            lines[i] = draw(st.text(max_size=30))
    return "\n".join(lines)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=10,
)


@FUZZ
@given(toml=package_texts() | st.text(max_size=200), wrap=st.integers(0, 9))
def test_validate_package(client: Any, toml: str, wrap: int) -> None:
    body: Any = {"toml": toml}
    if wrap == 0:
        body = {"toml": toml, "extra": 1}
    elif wrap == 1:
        body = [toml]
    check(client.post("/api/packages/validate", json=body))


assessment_bodies = (
    st.fixed_dictionaries(
        {"packages": st.lists(st.text(max_size=12), max_size=3).map(lambda p: [*p, "no-such-pkg"])},
        optional={
            "toml": st.text(max_size=60) | json_values,
            "lang": st.sampled_from(["en", "de", "fr", ""]) | json_values,
            "runs": st.integers(-5, 30_000) | json_values,
            "air_runs": st.integers(-5, 2000) | json_values,
            "seed": st.integers(-(2**40), 2**40) | json_values,
        },
    )
    | json_values
)


@FUZZ
@given(body=assessment_bodies)
def test_assessment_bodies(client: Any, body: Any) -> None:
    check(client.post("/api/assessments", json=body))


@FUZZ
@given(
    raw=st.binary(max_size=200),
    ctype=st.sampled_from(
        ["application/json", "text/plain", "", "application/x-www-form-urlencoded"]
    ),
    path=st.sampled_from(["/api/packages/validate", "/api/assessments", "/api/dates"]),
)
def test_raw_bodies(client: Any, raw: bytes, ctype: str, path: str) -> None:
    headers = {"Content-Type": ctype} if ctype else {}
    check(client.post(path, content=raw, headers=headers))
