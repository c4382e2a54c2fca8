"""The inputs with which fuzzing found bugs, kept as fixed regression cases (fast)."""

from __future__ import annotations

import datetime as dt
import json
import warnings
from pathlib import Path

import httpx
import pytest

from garant.errors import ConfigError, DataError, SourceError
from garant.land.presets import load_force
from garant.sources.api import DeepStateClient
from garant.sources.archive import read_archive_file
from garant.sources.attacks import parse_details, read_attack_records
from garant.sources.deepstatemap import parse_map_version

pytestmark = pytest.mark.fuzz

BASE = "http://fuzz.invalid/api"
TAKEN_AT = dt.datetime(2024, 8, 1, 20, 40, 7, tzinfo=dt.UTC)
SQUARE = [[35.0, 48.0], [36.0, 48.0], [36.0, 49.0], [35.0, 49.0], [35.0, 48.0]]


def client(status: int, headers: dict[str, str], body: bytes = b"") -> DeepStateClient:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, headers=headers, stream=httpx.ByteStream(body))

    return DeepStateClient(
        BASE, retries=1, transport=httpx.MockTransport(answer), sleep=lambda s: None
    )


@pytest.mark.parametrize(
    ("status", "headers", "body", "error", "match"),
    [
        (301, {"Location": BASE + "/history/public"}, b"", SourceError, "too many redirects"),
        (301, {"Location": "A:0"}, b"", SourceError, "bad redirect"),
        (200, {"Content-Encoding": "gzip"}, b"not gzip", DataError, "undecodable"),
    ],
)
def test_api_http_oddities(
    status: int, headers: dict[str, str], body: bytes, error: type[Exception], match: str
) -> None:
    with client(status, headers, body) as c, pytest.raises(error, match=match):
        c.history()


def occupied(geometry: object) -> dict[str, object]:
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"name": "Occupied"}, "geometry": geometry},
        ],
    }


@pytest.mark.parametrize(
    "geometry",
    [
        {"type": "MultiLineString", "coordinates": [[], [False]]},  # shapely EmptyPartError
        {"type": "Polygon", "coordinates": [[[35.0, 48.0], [36.0, float("nan")], [35.0, 48.0]]]},
        {"type": "Polygon", "coordinates": [[[35.0, 48.0], [1e308, 48.0], [35.0, 49.0]]]},
    ],
)
def test_unreadable_map_geometry_is_dropped(geometry: object) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning from GEOS either
        with pytest.raises(DataError, match="v1: empty snapshot"):
            parse_map_version(
                occupied(geometry), source="deepstatemap-raw", source_ref="v1", taken_at=TAKEN_AT
            )


@pytest.mark.parametrize(
    ("second", "match"),
    [
        ([[35.0, 48.0], [35.0, 48.0], [35.0, float("nan")]], "not lon/lat"),
        ([[35.0, 48.0], [36.0, 48.0], [35.0, 1e308]], "not lon/lat"),
        ([[35.0, 48.0], [35.0, 48.0], [35.0, 48.0]], None),  # degenerate: union must not fail
    ],
)
def test_archive_merge_of_odd_polygons(
    tmp_path: Path, second: list[object], match: str | None
) -> None:
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {},
                "geometry": {"type": "Polygon", "coordinates": [SQUARE]},
            },
            {
                "type": "Feature",
                "properties": {},
                "geometry": {"type": "Polygon", "coordinates": [second]},
            },
        ],
    }
    path = tmp_path / "deepstatemap_data_20240708.geojson"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        if match is None:
            assert read_archive_file(path).layers["occupied"].area > 0.9
        else:
            with pytest.raises(DataError, match=match):
                read_archive_file(path)


def test_attack_records_repeated_column_and_huge_numbers(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text(
        "time_start,time_end,model,launched,destroyed,model\n2024-05-02 21:00,,X,4,2,X\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError, match="repeated column"):
        read_attack_records(path)
    path.write_text(
        "time_start,time_end,model,launched,destroyed\n2024-05-02 21:00,,X,1e300,\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError, match="too large"):
        read_attack_records(path)
    with pytest.raises(ValueError, match="not a finite number"):
        parse_details("{'west': " + "9" * 400 + "}")
    with pytest.raises(ValueError, match="not a finite number"):
        parse_details("{'west': 1e400}")


def test_toml_messages_quote_odd_keys_and_flatten_nested_problems(tmp_path: Path) -> None:
    from importlib.resources import files

    text = files("garant").joinpath("data", "land", "presets", "coalition-reassurance.toml")
    base = text.read_text(encoding="utf-8")
    path = tmp_path / "land.toml"
    path.write_text('"\\u001e" = 1\n' + base, encoding="utf-8")
    with pytest.raises(ConfigError) as bad_key:
        load_force(path)
    assert "'\\x1e'" in str(bad_key.value)
    assert "\x1e" not in str(bad_key.value)
    bad_cities = base.replace('cities = ["Kyiv"', 'cities = [false, 1, "Kyiv"')
    assert bad_cities != base
    path.write_text(bad_cities, encoding="utf-8")
    with pytest.raises(ConfigError) as nested:
        load_force(path)
    lines = str(nested.value).split("\n")
    assert len(lines) >= 2
    assert all(str(path) in line for line in lines[1:])
