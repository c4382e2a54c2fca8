"""The live DeepStateMap API client, against recorded answers (no network)."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from garant.errors import DataError, OfflineError, SourceError
from garant.sources import DeepStateClient

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "api"
BASE = "https://deepstatemap.live/api"


def fixture(name: str) -> bytes:
    data = (FIXTURES / name).read_bytes()
    return gzip.decompress(data) if name.endswith(".gz") else data


def recorded(request: httpx.Request) -> httpx.Response:
    path = request.url.path
    if path == "/api/history/public":
        return httpx.Response(200, content=fixture("history_public.json"))
    if path == "/api/history/last":
        return httpx.Response(200, content=fixture("history_last.json.gz"))
    name = f"history_{path.split('/')[3]}_geojson.json.gz" if path.endswith("/geojson") else ""
    if name and (FIXTURES / name).exists():
        return httpx.Response(200, content=fixture(name))
    return httpx.Response(404, json={"message": "Not Found"})


def client(
    handler: Callable[[httpx.Request], httpx.Response], sleeps: list[float]
) -> DeepStateClient:
    return DeepStateClient(
        BASE, retries=3, backoff_s=1.5, transport=httpx.MockTransport(handler), sleep=sleeps.append
    )


def test_fixtures_stay_small() -> None:
    assert sum(p.stat().st_size for p in FIXTURES.iterdir()) < 1_000_000


def test_history() -> None:
    with client(recorded, []) as c:
        df = c.history()
    assert list(df.columns) == ["id", "taken_at", "description", "description_en", "created_at"]
    assert len(df) == 41
    assert df["id"].is_monotonic_increasing
    assert df["taken_at"].iloc[0] == dt.datetime(2022, 4, 3, 12, 33, 28, tzinfo=dt.UTC)
    assert (df["taken_at"] == df["created_at"]).all()


def test_map_version_and_latest() -> None:
    with client(recorded, []) as c:
        snap = c.map_version(1722544807)
        last = c.latest()
    assert snap.source == "deepstatemap-api"
    assert snap.source_ref == "1722544807"
    assert snap.date == dt.date(2024, 8, 1)
    assert {"occupied", "occupied_pre2022", "grey_zone", "liberated"} <= set(snap.layers)
    assert last.source_ref == "1754077960"
    assert last.taken_at == dt.datetime(2025, 8, 1, 19, 52, 40, tzinfo=dt.UTC)
    assert len(last.points) > 100


def test_fetch_since_with_progress() -> None:
    done: list[int] = []
    handler_calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        handler_calls.append(request.url.path)
        if request.url.path == "/api/history/public":
            items = json.loads(fixture("history_public.json"))
            keep = [i for i in items if i["id"] in (1648989208, 1722544807)]
            return httpx.Response(200, json=keep)
        return recorded(request)

    with client(handler, []) as c:
        snaps = list(c.fetch_since(dt.date(2024, 1, 1), progress=done.append))
    assert [s.source_ref for s in snaps] == ["1722544807"]
    assert done == [1]
    assert handler_calls == ["/api/history/public", "/api/history/1722544807/geojson"]


def test_retries_then_success() -> None:
    calls: list[int] = []

    def flaky(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) == 1:
            raise httpx.ConnectError("connection refused", request=request)
        if len(calls) == 2:
            return httpx.Response(503)
        return recorded(request)

    sleeps: list[float] = []
    with client(flaky, sleeps) as c:
        assert len(c.history()) == 41
    assert sleeps == [1.5, 3.0]


def test_429_honours_retry_after() -> None:
    calls: list[int] = []

    def limited(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        if len(calls) == 1:
            return httpx.Response(429, headers={"Retry-After": "7"})
        return recorded(request)

    sleeps: list[float] = []
    with client(limited, sleeps) as c:
        c.history()
    assert sleeps == [7.0]


def test_offline() -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno -3] Temporary failure in name resolution", request=request)

    sleeps: list[float] = []
    with (
        client(down, sleeps) as c,
        pytest.raises(
            OfflineError,
            match=r"^deepstatemap\.live unreachable after 3 tries: ConnectError: .*name resolution",
        ),
    ):
        c.latest()
    assert sleeps == [1.5, 3.0]


def test_timeouts_are_offline() -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    with client(slow, []) as c, pytest.raises(OfflineError, match="ReadTimeout"):
        c.history()


def test_server_errors_exhausted() -> None:
    sleeps: list[float] = []
    with (
        client(lambda r: httpx.Response(500), sleeps) as c,
        pytest.raises(
            SourceError,
            match=r"GET https://deepstatemap\.live/api/history/last: HTTP 500 .*after 3 tries",
        ) as info,
    ):
        c.latest()
    assert not isinstance(info.value, OfflineError)
    assert len(sleeps) == 2


def test_404_is_not_retried() -> None:
    sleeps: list[float] = []
    with (
        client(recorded, sleeps) as c,
        pytest.raises(
            SourceError,
            match=r"GET https://deepstatemap\.live/api/history/1700000000/geojson: HTTP 404",
        ),
    ):
        c.map_version(1700000000)
    assert sleeps == []


def test_truncated_and_malformed_json() -> None:
    body = fixture("history_last.json.gz")
    with (
        client(lambda r: httpx.Response(200, content=body[:5000]), []) as c,
        pytest.raises(
            DataError, match=r"^https://deepstatemap\.live/api/history/last: truncated JSON"
        ),
    ):
        c.latest()
    with (
        client(lambda r: httpx.Response(200, content=b"<html>busy</html>"), []) as c,
        pytest.raises(
            DataError, match=r"^https://deepstatemap\.live/api/history/public: malformed JSON"
        ),
    ):
        c.history()


def test_wrong_shapes() -> None:
    with client(lambda r: httpx.Response(200, json={"items": []}), []) as c:
        with pytest.raises(DataError, match="expected a JSON list of map versions"):
            c.history()
        with pytest.raises(DataError, match="expected an object with 'id' and 'map'"):
            c.latest()
    with (
        client(lambda r: httpx.Response(200, json=[{"id": "soon"}]), []) as c,
        pytest.raises(DataError, match="item 0: bad map version id 'soon'"),
    ):
        c.history()
    with client(recorded, []) as c, pytest.raises(DataError, match="not a plausible unix time"):
        c.map_version(12)


def test_map_version_accepts_wrapped_answer() -> None:
    last = fixture("history_last.json.gz")
    with client(lambda r: httpx.Response(200, content=last), []) as c:
        snap = c.map_version(1754077960)
    assert snap.source_ref == "1754077960"
