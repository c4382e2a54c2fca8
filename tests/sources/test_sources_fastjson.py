"""The fast GeoJSON polygon reader gives exactly what GEOS's reader gives, or None."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from garant.sources._json import fast_polygon_features


def _fc(geoms: list[dict[str, object]], sep: str = " ") -> bytes:
    feats = [{"type": "Feature", "properties": {"n": "x [1, 2]"}, "geometry": g} for g in geoms]
    doc = {"type": "FeatureCollection", "features": feats}
    return json.dumps(doc, separators=(",", ":") if not sep else (", ", ": ")).encode()


_coord = st.floats(-180, 180, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(
    rings=st.lists(st.lists(st.tuples(_coord, _coord), min_size=3, max_size=12), min_size=1),
    multi=st.booleans(),
    compact=st.booleans(),
)
def test_fastjson_matches_geos(
    rings: list[list[tuple[float, float]]], multi: bool, compact: bool
) -> None:
    closed = [[list(p) for p in [*r, r[0]]] for r in rings]
    geom: dict[str, object] = (
        {"type": "MultiPolygon", "coordinates": [[c] for c in closed]}
        if multi
        else {"type": "Polygon", "coordinates": closed}
    )
    data = _fc([geom], sep="" if compact else " ")
    got = fast_polygon_features(data)
    want = shapely.get_parts(shapely.from_geojson(data))
    assert got is not None
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert g.geom_type == w.geom_type
        assert shapely.equals_exact(g, w, tolerance=0.0)
        np.testing.assert_array_equal(shapely.get_coordinates(g), shapely.get_coordinates(w))


@pytest.mark.parametrize(
    "coords",
    [
        "[[[0,0],[1,0],[1,1],[0,1]]]",  # unclosed ring
        "[[[0,0],[1,0],[0,0]]]",  # too few positions
        "[[[0,0,1],[1,0,1],[1,1,1],[0,0,1]]]",  # 3-D
        "[[[01,0],[1,0],[1,1],[01,0]]]",  # leading zero: not JSON
        "[[[0,0],[1,0],[1,1],[0,0],]]",  # trailing comma
        "[[[.5,0],[1,0],[1,1],[.5,0]]]",  # not a JSON number
        "[]",
    ],
)
def test_fastjson_declines_odd_input(coords: str) -> None:
    data = (
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},'
        f'"geometry":{{"type":"Polygon","coordinates":{coords}}}}}]}}'
    ).encode()
    assert fast_polygon_features(data) is None


def test_fastjson_declines_truncated_and_other_documents() -> None:
    ok = _fc([{"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}])
    assert fast_polygon_features(ok) is not None
    assert fast_polygon_features(ok[:-3]) is None
    assert fast_polygon_features(b"[1, 2]") is None
    line: dict[str, object] = {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}
    assert fast_polygon_features(_fc([line])) is None


def test_fastjson_real_archive(shared_data: Path) -> None:
    files = sorted((shared_data / "deepstatemap").glob("deepstatemap_data_*.geojson"))[:5]
    for f in files:
        data = f.read_bytes()
        got = fast_polygon_features(data)
        want = shapely.get_parts(shapely.from_geojson(data))
        assert got is not None
        assert all(shapely.equals_exact(g, w, 0.0) for g, w in zip(got, want, strict=True))
