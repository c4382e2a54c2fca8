"""Web layers: zoom buckets and tolerances, GeoJSON encoding, the LRU cache, prefetching."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
import threading
import time
from functools import partial

import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import Point, Polygon

from garant.errors import ConfigError
from garant.web.layers import (
    MAX_ZOOM,
    LRUCache,
    Prefetcher,
    collection_bytes,
    decimals_for,
    feature_bytes,
    geometry_bytes,
    jsonable,
    simplify_for_zoom,
    tolerance_deg,
    zoom_bucket,
)


def test_zoom_buckets() -> None:
    assert [zoom_bucket(z) for z in range(MAX_ZOOM + 1)] == [
        0,
        0,
        2,
        2,
        4,
        4,
        6,
        6,
        8,
        8,
        10,
        10,
        12,
        12,
        14,
    ]
    for bad in (-1, MAX_ZOOM + 1, 2.5, True, "3"):
        with pytest.raises(ConfigError, match="not a zoom level"):
            zoom_bucket(bad)  # type: ignore[arg-type]


def test_tolerance_is_half_a_pixel_at_the_finer_zoom() -> None:
    tols = [tolerance_deg(z) for z in range(MAX_ZOOM + 1)]
    assert all(a >= b for a, b in itertools.pairwise(tols))
    # zoom 9 (bucket 8-9): a 256-px world is 360° / 2**9 per tile width.
    assert tolerance_deg(8) == pytest.approx(0.5 * 360 / (256 * 2**9))
    assert tolerance_deg(8) == tolerance_deg(9)


def test_decimals() -> None:
    assert decimals_for(0.01) == 3
    assert decimals_for(0.0004) == 5
    assert decimals_for(1e-9) == 6
    assert decimals_for(5.0) == 3
    assert decimals_for(0.0) == 6


def test_simplify_keeps_the_shape_within_tolerance() -> None:
    angles = np.linspace(0, 2 * np.pi, 2000, endpoint=False)
    ring = Polygon(np.column_stack([30 + np.cos(angles), 48 + 0.6 * np.sin(angles)]))
    for z in (2, 6, 10):
        out = simplify_for_zoom(ring, z)
        assert out.is_valid
        assert shapely.get_num_coordinates(out) < shapely.get_num_coordinates(ring)
        tol = tolerance_deg(z)
        assert out.hausdorff_distance(ring) <= tol + 10 ** -decimals_for(tol)
    exact = simplify_for_zoom(ring, None)
    assert shapely.get_num_coordinates(exact) == shapely.get_num_coordinates(ring)
    assert simplify_for_zoom(Polygon(), 4).is_empty


def test_geojson_encoding() -> None:
    g = geometry_bytes(Point(30.5, 50.25))
    assert json.loads(g) == {"type": "Point", "coordinates": [30.5, 50.25]}
    assert geometry_bytes(None) == b"null"
    assert geometry_bytes(Polygon()) == b"null"
    f = feature_bytes(g, {"kind": "x", "area_km2": float("nan"), "date": dt.date(2024, 1, 2)})
    fc = json.loads(collection_bytes([f, f], {"date": dt.date(2024, 1, 2), "n": np.int64(2)}))
    assert fc["type"] == "FeatureCollection"
    assert fc["date"] == "2024-01-02"
    assert fc["n"] == 2
    assert fc["features"][0]["properties"] == {"kind": "x", "area_km2": None, "date": "2024-01-02"}
    assert json.loads(collection_bytes([]))["features"] == []


def test_jsonable() -> None:
    value = {
        "a": np.float64(1.5),
        "b": [pd.NaT, math.inf, np.int32(3)],
        "c": pd.Timestamp("2024-05-01T12:00"),
        "d": np.array([1, 2]),
        "e": pd.NA,
        7: "seven",
    }
    assert jsonable(value) == {
        "a": 1.5,
        "b": [None, None, 3],
        "c": "2024-05-01T12:00:00",
        "d": [1, 2],
        "e": None,
        "7": "seven",
    }


def test_lru_evicts_by_items_and_bytes() -> None:
    cache: LRUCache[str, bytes] = LRUCache(3, max_bytes=10)
    cache.put("a", b"1234")
    cache.put("b", b"1234")
    assert cache.get("a") == b"1234"  # a is now the most recent
    cache.put("c", b"1234")  # 12 bytes > 10: b (least recent) goes
    assert "b" not in cache
    assert "a" in cache
    assert "c" in cache
    assert cache.nbytes == 8
    cache.put("d", b"1")
    cache.put("e", b"1")  # 4 items > 3: a goes
    assert "a" not in cache
    assert len(cache) == 3
    cache.clear()
    assert len(cache) == 0
    assert cache.nbytes == 0
    with pytest.raises(ConfigError):
        LRUCache(0)


def test_lru_computes_a_key_once_across_threads() -> None:
    cache: LRUCache[str, bytes] = LRUCache(10)
    calls: list[int] = []

    def slow() -> bytes:
        calls.append(1)
        time.sleep(0.2)
        return b"v"

    results: list[bytes] = []
    threads = [
        threading.Thread(target=lambda: results.append(cache.get_or_compute("k", slow)))
        for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [b"v"] * 4
    assert len(calls) == 1
    assert cache.misses == 1
    assert cache.hits == 3


def test_lru_recomputes_after_a_failure() -> None:
    cache: LRUCache[str, bytes] = LRUCache(10)

    def fail() -> bytes:
        raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        cache.get_or_compute("k", fail)
    assert cache.get_or_compute("k", lambda: b"ok") == b"ok"


def _encode(i: int) -> bytes:
    return str(i).encode()


def test_prefetcher_fills_the_cache() -> None:
    cache: LRUCache[int, bytes] = LRUCache(100)
    pre = Prefetcher(cache)
    try:
        pre.submit((i, partial(_encode, i)) for i in range(5))
        deadline = time.monotonic() + 5
        while len(cache) < 5 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert [cache.get(i) for i in range(5)] == [b"0", b"1", b"2", b"3", b"4"]
        pre.submit([(0, lambda: b"again")])  # cached already: skipped
        assert pre.pending() == 0
        assert cache.get(0) == b"0"
    finally:
        pre.close()
