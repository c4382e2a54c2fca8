"""Fixtures of the web API tests: a copy of the demo store with a frozen line, one app."""

from __future__ import annotations

import shutil
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

#: The frozen ceasefire line the web store holds.
WEB_LINE = "web-line"
#: A token for the apps that need one.
TOKEN = "t0ken-for-the-web-tests-0123456789"


def _client(app: Any, **kwargs: Any) -> Any:
    """A Starlette TestClient on a loopback base URL (its import warns under new Starlette)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # StarletteDeprecationWarning: httpx -> httpx2
        from fastapi.testclient import TestClient
    return TestClient(app, base_url="http://127.0.0.1", **kwargs)


@pytest.fixture(scope="session")
def make_client() -> Any:
    """``make_client(app, **kwargs)``: a test client on a loopback base URL."""
    return _client


@pytest.fixture(scope="session")
def web_line() -> str:
    """Name of the frozen line in :func:`web_store`."""
    return WEB_LINE


@pytest.fixture(scope="session")
def token() -> str:
    """The token of :func:`token_app`."""
    return TOKEN


@pytest.fixture(scope="session")
def web_store(demo_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the demo store with the line of a mid-2025 snapshot frozen."""
    from garant.frontline.ceasefire import freeze
    from garant.store.duckdb import DuckDBStore

    path = tmp_path_factory.mktemp("web") / "web.duckdb"
    shutil.copyfile(demo_store, path)
    with DuckDBStore(path) as store:
        dates = sorted(store.timeline()["date"])
        freeze(store, dates[-12], name=WEB_LINE, note="web tests")
    return path


@pytest.fixture(scope="session")
def web_app(web_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The app over :func:`web_store` (no token, loopback, no background prefetch)."""
    from garant.web.app import create_app

    app = create_app(str(web_store), prefetch=False, reports_dir=tmp_path_factory.mktemp("reports"))
    yield app
    app.state.garant.close()


@pytest.fixture(scope="session")
def client(web_app: Any) -> Any:
    """A test client of :func:`web_app`."""
    return _client(web_app)


@pytest.fixture(scope="session")
def token_app(web_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """An app bound beyond loopback with a token and a small front end of its own."""
    from garant.web.app import create_app

    root = tmp_path_factory.mktemp("static-root")
    static = root / "static"
    static.mkdir()
    (static / "index.html").write_text("<!doctype html><title>garant test</title>ok")
    (root / "secret.txt").write_text("not for the web")
    app = create_app(
        str(web_store),
        token=TOKEN,
        host="0.0.0.0",
        static_dir=static,
        reports_dir=tmp_path_factory.mktemp("reports-token"),
        preload=False,
        prefetch=False,
    )
    yield app
    app.state.garant.close()


@pytest.fixture(scope="session")
def token_client(token_app: Any) -> Any:
    """A test client of :func:`token_app`."""
    return _client(token_app)
