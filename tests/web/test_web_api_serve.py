"""``garant serve``: refuses to serve beyond loopback without a token; starts uvicorn."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from garant.cli.serve import resolve_store, serve


@pytest.fixture(scope="module")
def cli() -> typer.Typer:
    app = typer.Typer()
    app.command()(serve)
    return app


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    import uvicorn

    calls: list[dict[str, Any]] = []

    def fake_run(app: Any, **kwargs: Any) -> None:
        calls.append({"app": app, **kwargs})
        app.state.garant.close()

    monkeypatch.setattr(uvicorn, "run", fake_run)
    return calls


def test_beyond_loopback_needs_a_token(
    cli: typer.Typer, started: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GARANT_TOKEN", raising=False)
    r = CliRunner().invoke(cli, ["--host", "0.0.0.0"])
    assert r.exit_code == 2
    assert "needs a token" in r.output
    assert not started


def test_a_short_token_is_refused(cli: typer.Typer, started: list[dict[str, Any]]) -> None:
    r = CliRunner().invoke(cli, ["--host", "0.0.0.0", "--token", "abc"])
    assert r.exit_code == 2
    assert "at least 16 characters" in r.output
    assert not started


def test_bad_port(cli: typer.Typer, started: list[dict[str, Any]]) -> None:
    r = CliRunner().invoke(cli, ["--port", "70000"])
    assert r.exit_code == 2
    assert not started


def test_missing_store(cli: typer.Typer, started: list[dict[str, Any]], tmp_path: Path) -> None:
    r = CliRunner().invoke(cli, ["--store", str(tmp_path / "none.duckdb")])
    assert r.exit_code != 0
    assert "no such store" in r.output
    assert not started


def test_serves_a_store_with_the_token_from_the_environment(
    cli: typer.Typer,
    started: list[dict[str, Any]],
    web_store: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GARANT_TOKEN", "x" * 20)
    r = CliRunner().invoke(cli, ["--store", str(web_store), "--host", "0.0.0.0", "--port", "9999"])
    assert r.exit_code == 0, r.output
    assert len(started) == 1
    call = started[0]
    assert call["host"] == "0.0.0.0"
    assert call["port"] == 9999
    state = call["app"].state.garant
    assert state.token == "x" * 20
    assert state.store_path == web_store


def test_resolve_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert resolve_store("x.duckdb", demo=True) is None
    assert resolve_store("x.duckdb", demo=False) == "x.duckdb"
    monkeypatch.setenv("GARANT_STORE", str(tmp_path / "absent.duckdb"))
    assert resolve_store(None, demo=False) is None
    present = tmp_path / "present.duckdb"
    present.write_bytes(b"")
    monkeypatch.setenv("GARANT_STORE", str(present))
    assert resolve_store(None, demo=False) == str(present)
