"""``garant ingest api`` against a fake transport (no network)."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

import garant.sources
from garant.cli.main import app
from garant.sources import DeepStateClient

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "api"
runner = CliRunner()


def _use_transport(monkeypatch: pytest.MonkeyPatch, handler) -> None:  # type: ignore[no-untyped-def]
    def factory(*args: object, **kwargs: object) -> DeepStateClient:
        return DeepStateClient(
            "https://deepstatemap.live/api",
            retries=2,
            transport=httpx.MockTransport(handler),
            sleep=lambda s: None,
        )

    monkeypatch.setattr(garant.sources, "DeepStateClient", factory)


def test_offline_is_one_clear_line(
    monkeypatch: pytest.MonkeyPatch, demo_store: Path, tmp_path: Path
) -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("Name or service not known", request=request)

    _use_transport(monkeypatch, down)
    store = tmp_path / "s.duckdb"
    shutil.copy(demo_store, store)
    before = store.read_bytes()
    res = runner.invoke(app, ["ingest", "api", "--store", str(store)])
    assert res.exit_code == 5
    assert "unreachable" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    assert "Traceback" not in res.stderr
    assert store.read_bytes() == before


def test_no_new_versions_is_a_noop(
    monkeypatch: pytest.MonkeyPatch, demo_store: Path, tmp_path: Path
) -> None:
    history = (FIXTURES / "history_public.json").read_bytes()

    def recorded(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/history/public":
            return httpx.Response(200, content=history)
        return httpx.Response(404)

    _use_transport(monkeypatch, recorded)
    store = tmp_path / "s.duckdb"
    shutil.copy(demo_store, store)
    res = runner.invoke(app, ["ingest", "api", "--store", str(store)])
    assert res.exit_code == 0, res.stderr
    assert "0 added" in res.stdout
