"""Fuzz the daily archive reader (sources/archive.py) and its fast GeoJSON path (_json.py).

Inputs: daily files and unified archives built from random polygons (valid, crossing,
unclosed, 3-D, huge or non-finite coordinates), written with random JSON formatting,
then mutated, truncated or gzipped; random dates and file names. Properties: a Snapshot
or a one-line GarantError naming the file; and the fast polygon reader, whenever it
answers, gives exactly the geometries a JSON parser and shapely give.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from garant.errors import GarantError, GeometryRepairedWarning
from garant.model import Snapshot
from garant.sources._json import fast_polygon_features
from garant.sources.archive import read_archive, read_archive_file

pytestmark = pytest.mark.fuzz

EXAMPLES = int(os.environ.get("GARANT_FUZZ_EXAMPLES", "100"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
_DIR = Path(tempfile.mkdtemp(prefix="garant-fuzz-archive-"))

odd_numbers = st.sampled_from(
    [float("nan"), float("inf"), -float("inf"), 1e308, -1e308, 1e-320, 0.0, -0.0]
)
lons = st.floats(22.0, 41.0) | odd_numbers
lats = st.floats(44.0, 53.0) | odd_numbers


@st.composite
def rings(draw: st.DrawFn) -> list[list[float]]:
    n = draw(st.integers(0, 8))
    pts = [[draw(lons), draw(lats)] for _ in range(n)]
    if pts and draw(st.integers(0, 5)) > 0:
        pts.append(list(pts[0]))
    if pts and draw(st.integers(0, 9)) == 0:
        pts[-1] = [*pts[-1], draw(st.floats(-5, 5))]  # a 3-D position
    return pts


@st.composite
def geometry(draw: st.DrawFn) -> dict[str, Any]:
    if draw(st.booleans()):
        return {"type": "Polygon", "coordinates": draw(st.lists(rings(), min_size=1, max_size=2))}
    polys = draw(st.lists(st.lists(rings(), min_size=1, max_size=2), min_size=1, max_size=3))
    return {"type": "MultiPolygon", "coordinates": polys}


dates = st.dates(dt.date(2021, 1, 1), dt.date(2031, 12, 31))


@st.composite
def documents(draw: st.DrawFn, unified: bool) -> dict[str, Any]:
    n = draw(st.integers(1, 4)) if unified else draw(st.integers(0, 2))
    feats = []
    for _ in range(n):
        props: Any = {"name": "deepstatemap"}
        if unified:
            props = {"date": draw(dates.map(dt.date.isoformat) | st.text(max_size=12))}
        feats.append({"type": "Feature", "properties": props, "geometry": draw(geometry())})
    return {"type": "FeatureCollection", "crs": {"type": "name"}, "features": feats}


def encode(doc: Any, style: int) -> bytes:
    if style == 0:
        return json.dumps(doc).encode()
    if style == 1:
        return json.dumps(doc, separators=(",", ":")).encode()
    return json.dumps(doc, indent=style).encode()


@st.composite
def contents(draw: st.DrawFn, unified: bool) -> bytes:
    data = encode(draw(documents(unified)), draw(st.integers(0, 3)))
    mutation = draw(st.integers(0, 7))
    if mutation == 0 and data:
        data = data[: draw(st.integers(0, len(data) - 1))]
    elif mutation == 1 and data:
        at = draw(st.integers(0, len(data) - 1))
        data = data[:at] + draw(st.binary(min_size=0, max_size=4)) + data[at + 1 :]
    elif mutation == 2:
        data = gzip.compress(data, mtime=0)
        if draw(st.booleans()):
            data = data[: len(data) // 2]
    return data


def expect_clean(fn: Any, name: str) -> list[Snapshot]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", GeometryRepairedWarning)
            return list(fn())
    except GarantError as exc:
        msg = str(exc)
        assert msg.strip(), "an empty message"
        assert "\n" not in msg, repr(msg)
        assert name in msg, f"message does not name {name}: {msg!r}"
        return []


def check(snaps: list[Snapshot]) -> None:
    for snap in snaps:
        geom = snap.layers["occupied"]
        assert geom.is_valid
        assert not geom.is_empty
        assert np.isfinite(shapely.get_coordinates(geom)).all()


@FUZZ
@given(
    data=contents(unified=False),
    day=st.sampled_from(["20240708", "20241301", "20991231", "20240230"]),
    gz=st.booleans(),
)
def test_daily_file(data: bytes, day: str, gz: bool) -> None:
    path = _DIR / f"deepstatemap_data_{day}.geojson{'.gz' if gz else ''}"
    path.write_bytes(data)
    check(expect_clean(lambda: [read_archive_file(path)], path.name))


@FUZZ
@given(data=contents(unified=True))
def test_unified_file(data: bytes) -> None:
    path = _DIR / "deepstate-map-data.geojson.gz"
    path.write_bytes(data)
    check(expect_clean(lambda: read_archive(path), path.name))


@FUZZ
@given(doc=documents(unified=False), style=st.integers(0, 3))
def test_fast_reader_matches_json(doc: dict[str, Any], style: int) -> None:
    data = encode(doc, style)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # NaN coordinates warn in GEOS
        fast = fast_polygon_features(data)
        if fast is None:
            return
        slow = [shapely.geometry.shape(f["geometry"]) for f in json.loads(data)["features"]]
    assert len(fast) == len(slow)
    for a, b in zip(fast, slow, strict=True):
        assert a.geom_type == b.geom_type
        np.testing.assert_array_equal(shapely.get_coordinates(a), shapely.get_coordinates(b))
        assert shapely.get_num_geometries(a) == shapely.get_num_geometries(b)
        assert shapely.get_num_interior_rings(a) == shapely.get_num_interior_rings(b)
