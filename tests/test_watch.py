"""``garant watch`` against a fake DeepStateMap API and a fake webhook served on loopback."""

from __future__ import annotations

import gzip
import json
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from garant.cli import watch as watch_cli
from garant.errors import ConfigError, NotFoundError, OfflineError, SourceError
from garant.frontline.ceasefire import freeze
from garant.frontline.ceasefire import watch as check_line
from garant.sources.api import DeepStateClient
from garant.store import open_store
from garant.watch import (
    FileSink,
    PollResult,
    WebhookSink,
    alert_key,
    parse_duration,
    poll_once,
    run_watch,
)

RAW = files("garant") / "data" / "demo" / "raw"
V1, V2, V3, V4 = 1709329057, 1712089235, 1714602710, 1717225039  # 2024-03-01 .. 2024-06-01


def version_bytes(vid: int) -> bytes:
    return gzip.decompress(RAW.joinpath(f"{vid}.geojson.gz").read_bytes())


class FakeAPI(ThreadingHTTPServer):
    """``/api/history/public`` and ``/api/history/<id>/geojson`` from ``versions``."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _APIHandler)
        self.versions: dict[int, bytes] = {}
        self.mode = "ok"  # ok | 503 | drop
        self.requests = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/api"


class _APIHandler(BaseHTTPRequestHandler):
    server: FakeAPI

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        api = self.server
        api.requests += 1
        if api.mode == "drop":
            self.close_connection = True
            return  # no answer at all: the client sees a broken connection
        if api.mode == "503":
            self._send(503, b'{"message": "busy"}')
            return
        parts = self.path.strip("/").split("/")
        if self.path == "/api/history/public":
            items = [{"id": v, "description": "", "createdAt": None} for v in sorted(api.versions)]
            self._send(200, json.dumps(items).encode())
        elif len(parts) == 4 and parts[3] == "geojson" and int(parts[2]) in api.versions:
            self._send(200, api.versions[int(parts[2])])
        else:
            self._send(404, b'{"message": "Not Found"}')

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class FakeWebhook(ThreadingHTTPServer):
    """Records every POST; answers 500 to the next ``fail_next`` requests."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _HookHandler)
        self.received: list[dict[str, Any]] = []
        self.keys: list[str] = []
        self.fail_next = 0
        self.requests = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook"


class _HookHandler(BaseHTTPRequestHandler):
    server: FakeWebhook

    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        hook = self.server
        hook.requests += 1
        body = self.rfile.read(int(self.headers["Content-Length"]))
        status = 204
        if hook.fail_next > 0:
            hook.fail_next -= 1
            status = 500
        else:
            hook.received.append(json.loads(body))
            hook.keys.append(self.headers["Idempotency-Key"])
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()


def _serve(server: ThreadingHTTPServer) -> Iterator[Any]:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def api() -> Iterator[FakeAPI]:
    yield from _serve(FakeAPI())


@pytest.fixture
def hook() -> Iterator[FakeWebhook]:
    yield from _serve(FakeWebhook())


def client_factory(base: str) -> Any:
    return lambda: DeepStateClient(base, retries=2, backoff_s=0.0, sleep=lambda s: None)


def poll(path: Path, base: str, **kwargs: Any) -> PollResult:
    (result,) = run_watch(
        path, every_s=60.0, client_factory=client_factory(base), once=True, **kwargs
    )
    return result


@pytest.fixture(scope="module")
def frozen_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store the watch filled from V1 and V2, with a ceasefire frozen on V1's date."""
    path = tmp_path_factory.mktemp("watch") / "frozen.duckdb"
    server = FakeAPI()
    for srv in _serve(server):
        srv.versions[V1] = version_bytes(V1)
        first = poll(path, srv.base)
        assert first.ingested == (V1,)
        assert first.added == 1
        with open_store(path) as st:
            freeze(st, st.latest_date(), name="cf")  # type: ignore[arg-type]
        srv.versions[V2] = version_bytes(V2)
        second = poll(path, srv.base)
        assert second.ingested == (V2,)
    return path


@pytest.fixture
def store(frozen_store: Path, tmp_path: Path) -> Path:
    path = tmp_path / "garant.duckdb"
    shutil.copy(frozen_store, path)
    return path


def latest_keys(path: Path) -> set[str]:
    """The alerts of the latest date, computed without the watch machinery."""
    with open_store(path, read_only=True) as st:
        return {alert_key(a) for a in check_line(st, "cf").latest()}


@pytest.mark.slow
def test_alerts_once_despite_duplicates_and_restarts(
    store: Path, api: FakeAPI, hook: FakeWebhook, tmp_path: Path
) -> None:
    api.versions.update({v: version_bytes(v) for v in (V1, V2, V3)})
    lines = tmp_path / "alerts" / "alerts.jsonl"

    def sinks() -> list[Any]:  # new sink objects each time: a restarted process
        return [WebhookSink(hook.url, retries=1), FileSink(lines)]

    first = poll(store, api.base, ceasefire="cf", sinks=sinks())
    assert first.ingested == (V3,)
    assert first.added == 1
    expected = latest_keys(store)
    assert expected, "the demo's April 2024 advances violate a line frozen in March"
    assert set(hook.keys) == expected
    assert len(hook.keys) == len(expected)
    assert first.delivered == {"webhook": len(expected), "file": len(expected)}
    written = [json.loads(x) for x in lines.read_text(encoding="utf-8").splitlines()]
    assert [d["key"] for d in written] == [d["key"] for d in hook.received]
    assert all(d["event"] == "ceasefire_violation" and d["ceasefire"] == "cf" for d in written)
    assert all(d["alert"]["geometry"]["type"] in ("Polygon", "MultiPolygon") for d in written)

    # A restart (new sinks, store reopened) meets the same content under a new version id.
    api.versions[V3 + 60] = api.versions[V3]
    dup = poll(store, api.base, ceasefire="cf", sinks=sinks())
    assert dup.ingested == (V3 + 60,)
    assert dup.duplicates == 1
    assert dup.added == 0
    assert dup.alerts_new == 0
    assert dup.delivered == {"webhook": 0, "file": 0}
    assert len(hook.keys) == len(expected)
    assert len(lines.read_text(encoding="utf-8").splitlines()) == len(expected)

    # A new day brings its own alerts, delivered once.
    api.versions[V4] = version_bytes(V4)
    later = poll(store, api.base, ceasefire="cf", sinks=sinks())
    assert later.ingested == (V4,)
    new_keys = latest_keys(store)
    assert set(hook.keys) == expected | new_keys
    assert len(hook.keys) == len(expected | new_keys)


@pytest.mark.slow
def test_network_failures_back_off_and_recover(store: Path, api: FakeAPI) -> None:
    api.versions.update({v: version_bytes(v) for v in (V1, V2, V3)})
    api.mode = "drop"
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 1:
            api.mode = "503"
        elif len(sleeps) == 2:
            api.mode = "ok"

    results = run_watch(
        store, every_s=10.0, client_factory=client_factory(api.base), max_polls=4, sleep=sleep
    )
    assert sleeps[:2] == [20.0, 40.0]  # backoff doubles per failed poll
    assert sleeps[2:] == [10.0]  # back to the period after a success
    assert [r.ingested for r in results] == [(V3,), ()]
    api.mode = "drop"
    with pytest.raises(OfflineError, match=r"127\.0\.0\.1"):
        poll(store, api.base)
    api.mode = "503"
    with pytest.raises(SourceError, match="503"):
        poll(store, api.base)


def test_version_failing_midway_is_retried(store: Path, api: FakeAPI) -> None:
    api.versions.update({V1: version_bytes(V1), V2: version_bytes(V2)})
    api.versions[V3] = version_bytes(V3)[:5000]  # truncated answer
    bad = poll(store, api.base)
    assert bad.ingested == ()
    assert len(bad.errors) == 1
    assert str(V3) in bad.errors[0]
    api.versions[V3] = version_bytes(V3)
    good = poll(store, api.base)
    assert good.ingested == (V3,)
    assert not good.errors


@pytest.mark.slow
def test_webhook_failures_retry_then_catch_up(
    store: Path, api: FakeAPI, hook: FakeWebhook, tmp_path: Path
) -> None:
    api.versions.update({v: version_bytes(v) for v in (V1, V2, V3)})
    lines = tmp_path / "alerts.jsonl"
    hook.fail_next = 10**6  # down for this poll (every retry fails)
    sleeps: list[float] = []
    down = [WebhookSink(hook.url, retries=3, backoff_s=0.5, sleep=sleeps.append), FileSink(lines)]
    first = poll(store, api.base, ceasefire="cf", sinks=down)
    expected = latest_keys(store)
    assert first.delivered == {"webhook": 0, "file": len(expected)}
    assert len(first.errors) == 1
    assert hook.url in first.errors[0]
    assert sleeps == [0.5, 1.0]
    assert hook.requests == 3
    assert not hook.keys
    hook.fail_next = 1  # one more failure, then up: the retry inside the same send succeeds
    up = [WebhookSink(hook.url, retries=3, backoff_s=0.0), FileSink(lines)]
    second = poll(store, api.base, ceasefire="cf", sinks=up)
    assert second.delivered == {"webhook": len(expected), "file": 0}
    assert set(hook.keys) == expected
    assert len(hook.keys) == len(expected)
    assert len(lines.read_text(encoding="utf-8").splitlines()) == len(expected)


def test_unknown_ceasefire_is_not_retried(store: Path, api: FakeAPI) -> None:
    api.versions[V1] = version_bytes(V1)
    with pytest.raises(NotFoundError, match="nope"):
        run_watch(
            store,
            every_s=1.0,
            client_factory=client_factory(api.base),
            ceasefire="nope",
            max_polls=5,
            sleep=lambda s: pytest.fail("a bad name must not be retried"),
        )


def test_empty_store_takes_the_latest_version_only(tmp_path: Path) -> None:
    class Client:
        def __init__(self) -> None:
            self.fetched: list[int] = []

        def history(self) -> Any:
            import pandas as pd

            ids = [V1, V2, V3]
            return pd.DataFrame({"id": ids, "taken_at": pd.to_datetime(ids, unit="s", utc=True)})

        def map_version(self, vid: int) -> Any:
            from garant.sources.deepstatemap import parse_map_version

            self.fetched.append(vid)
            import datetime as dt

            return parse_map_version(
                json.loads(version_bytes(vid)),
                source="deepstatemap-api",
                source_ref=str(vid),
                taken_at=dt.datetime.fromtimestamp(vid, dt.UTC),
            )

    client = Client()
    with open_store(tmp_path / "s.duckdb") as st:
        result = poll_once(st, client)  # type: ignore[arg-type]
        assert client.fetched == [V3]
        assert result.ingested == (V3,)
        assert st.watch_versions() == {V3}  # type: ignore[attr-defined]


def test_cli_watch_once(store: Path, api: FakeAPI, hook: FakeWebhook, tmp_path: Path) -> None:
    app = typer.Typer()
    app.command()(watch_cli.watch)
    api.versions.update({v: version_bytes(v) for v in (V1, V2, V3)})
    lines = tmp_path / "cli.jsonl"
    args = ["--once", "--store", str(store), "--api", api.base, "--webhook", hook.url]
    result = CliRunner().invoke(app, [*args, "--alerts-file", str(lines)])
    assert result.exit_code == 0, result.output
    assert "1 ingested" in result.output
    assert "new alerts" in result.output
    assert len(hook.keys) == len(lines.read_text(encoding="utf-8").splitlines()) > 0

    bad = CliRunner().invoke(app, ["--once", "--every", "soon", "--store", str(store)])
    assert bad.exit_code == ConfigError.exit_code
    assert "--every" in bad.output
    empty = tmp_path / "empty.duckdb"
    none = CliRunner().invoke(app, ["--once", "--store", str(empty), "--webhook", hook.url])
    assert none.exit_code == ConfigError.exit_code
    assert "no ceasefire line" in none.output


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("30s", 30.0),
        ("15m", 900.0),
        ("1h30m", 5400.0),
        ("2d", 172800.0),
        ("600", 600.0),
        ("250ms", 0.25),
        ("1.5h", 5400.0),
    ],
)
def test_parse_duration(text: str, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "soon", "15 minutes", "0s", "m", "1h-5m", "-5"])
def test_parse_duration_rejects(text: str) -> None:
    with pytest.raises(ConfigError, match="--every"):
        parse_duration(text)


def test_sinks_reject_bad_settings(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not an http"):
        WebhookSink("ftp://example.org/hook")
    with pytest.raises(ConfigError, match="is a folder"):
        FileSink(tmp_path)


def test_file_sink_is_idempotent_and_survives_a_cut_line(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text('{"key": "old"}\n{"key": "cut', encoding="utf-8")  # a crash mid-line
    sink = FileSink(path)
    sink.send({"key": "k1", "text": "x"})
    sink.send({"key": "k1", "text": "x"})
    sink.send({"key": "old"})
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == '{"key": "old"}'
    assert lines[1] == '{"key": "cut'
    assert [json.loads(x)["key"] for x in lines[2:]] == ["k1"]


def test_webhook_4xx_is_not_retried(hook: FakeWebhook) -> None:
    import httpx

    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(404)

    sink = WebhookSink("http://hook.invalid/x", retries=3, transport=httpx.MockTransport(handler))
    with pytest.raises(SourceError, match="404"):
        sink.send({"key": "k"})
    assert len(calls) == 1
