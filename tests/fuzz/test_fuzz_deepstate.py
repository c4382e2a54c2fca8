"""Fuzz the DeepStateMap readers: the live API client, raw map versions and their files.

Inputs: JSON documents shaped like map versions (FeatureCollections whose features carry
real and random layer names, fill colours and well- or ill-formed geometries), arbitrary
JSON, raw and truncated bytes, gzip streams, HTTP answers with random status codes and
headers. Property: a Snapshot (or DataFrame) comes back, or a GarantError with a one-line
message naming the input.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import logging
import math
import os
import re
import tempfile
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from garant.errors import GarantError, GeometryRepairedWarning
from garant.model import Snapshot
from garant.sources.api import DeepStateClient
from garant.sources.deepstatemap import parse_map_version, read_map_version_file

pytestmark = pytest.mark.fuzz

EXAMPLES = int(os.environ.get("GARANT_FUZZ_EXAMPLES", "100"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
BASE = "http://fuzz.invalid/api"
TAKEN_AT = dt.datetime(2024, 8, 1, 20, 40, 7, tzinfo=dt.UTC)

# -------------------------------------------------------------------------- strategies

LAYER_NAMES = [
    "Окуповано /// Occupied /// geoJSON.status.occupied",
    "Окупований Крим /// Occupied Crimea",
    "ОРДЛО /// CADR and CALR",
    "Звільнено 25.03 /// Liberated 25.03",
    "Під питанням /// Unknown status /// geoJSON.status.unknown",
    "Сіра зона /// Grey zone",
    "Придністров'я /// Transnistria",
    "Напрямок удару /// Direction of attack /// geoJSON.status.attack_direction",
    "93 бригада /// 93rd brigade /// geoJSON.units.93",
    "Київ /// Kyiv",
    "Багатокутник 11",
    "geoJSON.",
    "///",
    " /// ",
]
FILLS = ["#a52714", "#0f9d58", "#bcaaa4", "#880e4f", "#ff5252", "#A52714 ", "red", ""]

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=16,
)
# Mostly plausible lon/lat in or near Ukraine, sometimes anything.
lons = st.floats(22.0, 41.0) | st.floats(allow_nan=True, allow_infinity=True)
lats = st.floats(44.0, 53.0) | st.floats(allow_nan=True, allow_infinity=True)


@st.composite
def positions(draw: st.DrawFn) -> Any:
    kind = draw(st.integers(0, 9))
    if kind == 0:
        return draw(json_values)
    if kind == 1:
        return [draw(lons), draw(lats), draw(st.floats(-10, 10))]  # 3-D
    if kind == 2:
        return draw(st.lists(st.floats(), max_size=1))
    return [draw(lons), draw(lats)]


@st.composite
def rings(draw: st.DrawFn) -> Any:
    """A closed ring around a centre (convex, star-shaped or self-crossing), or junk."""
    if draw(st.integers(0, 9)) == 0:
        return draw(st.lists(positions(), max_size=5))
    cx, cy = draw(st.floats(23.0, 40.0)), draw(st.floats(44.5, 52.5))
    n = draw(st.integers(0, 9))
    radii = draw(st.lists(st.floats(0.0, 1.0), min_size=n, max_size=n))
    order = draw(st.permutations(range(n))) if draw(st.booleans()) else list(range(n))
    pts: list[Any] = [
        [
            cx + r * math.cos(2 * math.pi * k / max(n, 1)),
            cy + r * math.sin(2 * math.pi * k / max(n, 1)),
        ]
        for k, r in zip(order, radii, strict=True)
    ]
    if pts and draw(st.integers(0, 4)) > 0:
        pts.append(list(pts[0]))  # closed
    if pts and draw(st.integers(0, 9)) == 0:
        pts[draw(st.integers(0, len(pts) - 1))] = draw(positions())
    return pts


@st.composite
def geometries(draw: st.DrawFn, depth: int = 0) -> Any:
    gtype = draw(
        st.sampled_from(
            [
                "Polygon",
                "Polygon",
                "MultiPolygon",
                "Point",
                "MultiPoint",
                "LineString",
                "MultiLineString",
                "GeometryCollection",
                "Feature",
                "polygon",
            ]
        )
    )
    if draw(st.integers(0, 19)) == 0:
        return draw(json_values)
    geom: dict[str, Any] = {"type": gtype}
    if gtype in ("Polygon", "polygon"):
        geom["coordinates"] = draw(st.lists(rings(), max_size=3))
    elif gtype == "MultiPolygon":
        geom["coordinates"] = draw(st.lists(st.lists(rings(), max_size=2), max_size=3))
    elif gtype == "Point":
        geom["coordinates"] = draw(positions())
    elif gtype in ("MultiPoint", "LineString"):
        geom["coordinates"] = draw(st.lists(positions(), max_size=4))
    elif gtype == "MultiLineString":
        geom["coordinates"] = draw(st.lists(st.lists(positions(), max_size=3), max_size=3))
    elif gtype == "GeometryCollection":
        geom["geometries"] = draw(st.lists(geometries(depth + 1), max_size=3)) if depth < 2 else []
    if draw(st.integers(0, 19)) == 0:
        geom.pop(draw(st.sampled_from(["type", "coordinates", "geometries"])), None)
    return geom


@st.composite
def features(draw: st.DrawFn) -> Any:
    if draw(st.integers(0, 29)) == 0:
        return draw(json_values)
    props: Any = {
        "name": draw(st.sampled_from(LAYER_NAMES) | st.text(max_size=30) | json_values),
        "fill": draw(st.sampled_from(FILLS) | json_values),
    }
    if draw(st.integers(0, 19)) == 0:
        props = draw(json_values)
    feature: dict[str, Any] = {"type": "Feature", "properties": props}
    if draw(st.integers(0, 19)) > 0:
        feature["geometry"] = draw(geometries())
    return feature


@st.composite
def feature_collections(draw: st.DrawFn) -> Any:
    kind = draw(st.integers(0, 19))
    if kind == 0:
        return draw(json_values)
    if kind == 1:
        return {"type": "FeatureCollection", "features": draw(json_values)}
    occupied = {
        "type": "Feature",
        "properties": {"name": LAYER_NAMES[0]},
        "geometry": {"type": "Polygon", "coordinates": [draw(rings())]},
    }
    feats = draw(st.lists(features(), max_size=6))
    if draw(st.booleans()):
        feats.insert(draw(st.integers(0, len(feats))), occupied)
    return {"type": "FeatureCollection", "features": feats}


def dump(obj: Any) -> bytes:
    return json.dumps(obj).encode()


@st.composite
def bodies(draw: st.DrawFn, docs: st.SearchStrategy[Any]) -> bytes:
    """The bytes of a document: JSON, truncated, mutated, gzipped, or any bytes."""
    kind = draw(st.integers(0, 9))
    if kind == 0:
        return draw(st.binary(max_size=64))
    data = dump(draw(docs))
    if kind == 1 and data:
        return data[: draw(st.integers(0, len(data) - 1))]
    if kind == 2 and data:
        at = draw(st.integers(0, len(data) - 1))
        return data[:at] + draw(st.binary(min_size=1, max_size=3)) + data[at + 1 :]
    if kind == 3:
        return data.decode().encode("utf-16")
    return data


# ---------------------------------------------------------------------------- checking


@pytest.fixture(autouse=True)
def _quiet_retries() -> Iterator[None]:
    """The client logs every retry; thousands of them would bury a failure's report."""
    api_log = logging.getLogger("garant.sources.api")
    level = api_log.level
    api_log.setLevel(logging.ERROR)
    yield
    api_log.setLevel(level)


def expect_clean(fn: Callable[[], object], *names: str) -> object:
    """Run ``fn``; a GarantError must be one line naming one of ``names``.

    A name ``"<version>"`` stands for a map version id at the start of the message
    (errors in a map version's content name the version, not the URL).
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", GeometryRepairedWarning)
            return fn()
    except GarantError as exc:
        msg = str(exc)
        assert msg.strip(), "an empty message"
        assert "\n" not in msg, f"multi-line message: {msg!r}"
        if names:
            by_version = "<version>" in names and re.match(r"\d{9,11}: ", msg) is not None
            assert by_version or any(n in msg for n in names), f"names no input: {msg!r}"
        return None


def check_snapshot(snap: object) -> None:
    if snap is None:
        return
    assert isinstance(snap, Snapshot)
    assert snap.layers, "a snapshot without layers"
    for geom in snap.layers.values():
        assert geom.is_valid
        assert not geom.is_empty
        assert geom.geom_type in ("Polygon", "MultiPolygon")


# ------------------------------------------------------------------------------- tests


@FUZZ
@given(obj=feature_collections())
def test_parse_map_version(obj: Any) -> None:
    snap = expect_clean(
        lambda: parse_map_version(
            obj, source="deepstatemap-raw", source_ref="v1722544807", taken_at=TAKEN_AT
        ),
        "v1722544807",
    )
    check_snapshot(snap)


HEADERS = st.dictionaries(
    st.sampled_from(["Retry-After", "Content-Encoding", "Content-Type", "Location"]),
    st.sampled_from(["1", "-3", "nan", "inf", "1e309", "gzip", "deflate", "br", "x", ""])
    | st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=12),
    max_size=2,
)
STATUS = st.sampled_from([200, 200, 200, 200, 204, 301, 302, 400, 404, 429, 500, 503])
FAILURES = st.sampled_from(
    [None, None, None, httpx.ConnectError, httpx.ReadTimeout, httpx.RemoteProtocolError]
)


@st.composite
def answers(draw: st.DrawFn, docs: st.SearchStrategy[Any]) -> list[Any]:
    """Up to 4 answers of the fake server: (failure, status, headers, body)."""
    return draw(
        st.lists(st.tuples(FAILURES, STATUS, HEADERS, bodies(docs)), min_size=1, max_size=4)
    )


def fake_client(script: list[Any]) -> DeepStateClient:
    calls = iter(range(10**6))

    def handler(request: httpx.Request) -> httpx.Response:
        failure, status, headers, body = script[min(next(calls), len(script) - 1)]
        if failure is not None:
            raise failure("fuzzed failure", request=request)
        return httpx.Response(status, headers=headers, content=body)

    return DeepStateClient(
        BASE,
        retries=2,
        backoff_s=0.0,
        transport=httpx.MockTransport(handler),
        sleep=lambda s: None,
    )


history_items = st.lists(
    st.fixed_dictionaries(
        {"id": st.integers(1_500_000_000, 1_800_000_000) | json_scalars},
        optional={
            "description": json_values,
            "descriptionEn": json_values,
            "createdAt": st.sampled_from(["2024-08-01T20:40:07.000Z", "not a date", ""])
            | json_values,
        },
    )
    | json_values,
    max_size=5,
)


@FUZZ
@given(script=answers(history_items | json_values))
def test_api_history(script: list[Any]) -> None:
    with fake_client(script) as client:
        df = expect_clean(client.history, BASE, "fuzz.invalid")
    if df is not None:
        assert isinstance(df, pd.DataFrame)
        assert df["id"].is_monotonic_increasing


@FUZZ
@given(
    script=answers(
        feature_collections()
        | st.builds(lambda m: {"map": m}, feature_collections())
        | st.builds(lambda i, m: {"id": i, "map": m}, json_scalars, feature_collections())
    ),
    vid=st.integers(1_600_000_000, 1_760_000_000) | json_scalars,
    latest=st.booleans(),
)
def test_api_map_versions(script: list[Any], vid: Any, latest: bool) -> None:
    with fake_client(script) as client:
        if latest:
            snap = expect_clean(client.latest, BASE, "fuzz.invalid", "<version>")
        else:
            snap = expect_clean(
                lambda: client.map_version(vid), BASE, "fuzz.invalid", "map version id", str(vid)
            )
    check_snapshot(snap)


_FILES = Path(tempfile.mkdtemp(prefix="garant-fuzz-raw-"))


@FUZZ
@given(
    body=bodies(feature_collections()),
    gz=st.sampled_from(["none", "gzip", "truncated"]),
    stem=st.sampled_from(["1722544807", "1722544807x", "99", "4102444800"]),
)
def test_raw_map_version_file(body: bytes, gz: str, stem: str) -> None:
    data = body
    if gz != "none":
        data = gzip.compress(body, mtime=0)
        if gz == "truncated":
            data = data[: len(data) // 2]
    path = _FILES / f"{stem}.geojson{'.gz' if gz != 'none' else ''}"
    path.write_bytes(data)
    snap = expect_clean(lambda: read_map_version_file(path), str(path), path.name)
    check_snapshot(snap)
