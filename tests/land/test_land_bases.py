"""Candidate bases: the bundled catalogue, user files, inline bases and the checks."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyproj
import pytest
import shapely
from shapely.geometry.base import BaseGeometry

from garant.errors import ConfigError, DataError, NotFoundError
from garant.land.bases import (
    BASE_COLUMNS,
    FrontLike,
    check_bases,
    default_movement,
    list_bases,
    load_bases,
    load_movement,
    make_bases,
    resolve_bases,
)
from garant.land.geometry import front_at
from garant.sources.geography import settlements

GEOD = pyproj.Geod(ellps="WGS84")


@dataclass(frozen=True)
class FakeFront:
    line: BaseGeometry
    occupied: BaseGeometry
    length_km: float


@pytest.fixture(scope="module")
def demo_front() -> FrontLike:
    return front_at()


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bases.toml"
    path.write_text(text, encoding="utf-8")
    return path


# ----------------------------------------------------------------------------- bundled


def test_bundled_bases_match_their_geonames_entries() -> None:
    import tomllib
    from importlib import resources

    text = resources.files("garant").joinpath("data", "land", "bases.toml").read_text("utf-8")
    doc = tomllib.loads(text)["bases"]
    gaz = settlements().set_index("geonameid")
    for bid, entry in doc.items():
        pt = gaz.loc[entry["geonameid"], "geometry"]
        _, _, d = GEOD.inv(entry["lon"], entry["lat"], pt.x, pt.y)
        assert d < 50.0, f"{bid}: {d:.0f} m from GeoNames {entry['geonameid']}"


def test_load_bases_bundled_has_the_issue_cities() -> None:
    bases = load_bases()
    assert list(bases.columns) == [*BASE_COLUMNS, "geometry"]
    assert bases.crs.to_epsg() == 4326
    assert bases["base_id"].is_unique
    for city in ("Lviv", "Kyiv", "Odesa", "Dnipro", "Zaporizhzhia", "Kharkiv", "Poltava"):
        assert city in set(bases["name"])
    np.testing.assert_allclose(bases.geometry.x, bases["lon"])
    np.testing.assert_allclose(bases.geometry.y, bases["lat"])
    assert list_bases() == list(bases["base_id"])


def test_bundled_bases_pass_the_checks_on_the_demo_front(demo_front: FrontLike) -> None:
    check_bases(load_bases(), demo_front)


def test_load_bases_by_name_or_id_keeps_the_order() -> None:
    bases = load_bases(names=["ODESA", "kyiv", "Kharkiv"])
    assert list(bases["base_id"]) == ["odesa", "kyiv", "kharkiv"]


def test_unknown_base_name_is_named() -> None:
    with pytest.raises(NotFoundError, match="'Atlantis'"):
        load_bases(names=["Kyiv", "Atlantis"])


def test_bundled_movement_quantities_are_sourced_and_sane() -> None:
    mv = default_movement()
    for q in (mv.road_factor, mv.march_speed_kmh):
        assert bool(q.source) != bool(q.assumption)
        assert q.low <= q.value <= q.high
    assert mv.road_factor.unit == "ratio"
    assert mv.road_factor.low >= 1.0
    assert mv.march_speed_kmh.unit == "km/h"


# ----------------------------------------------------------------------------- user files

_MOVEMENT = """
[movement]
road_factor = { value = 1.5, low = 1.4, high = 1.6, unit = "ratio", assumption = "test" }
march_speed_kmh = { value = 30, low = 20, high = 40, unit = "km/h", assumption = "test" }
"""


def test_user_file_replaces_the_bundled_one(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        _MOVEMENT + '[bases.a]\nname = "Alpha"\nlon = 30.0\nlat = 50.0\n',
    )
    bases = load_bases(path)
    assert list(bases["name"]) == ["Alpha"]
    assert load_movement(path).road_factor.value == 1.5


def test_user_file_unknown_field_names_file_and_line(tmp_path: Path) -> None:
    path = _write(tmp_path, '[bases.a]\nname = "A"\nlon = 30.0\nlat = 50.0\ncolour = "red"\n')
    with pytest.raises(ConfigError, match=r"bases\.toml:5: bases\.a\.colour: unknown field"):
        load_bases(path)


def test_user_file_bad_latitude_is_a_config_error(tmp_path: Path) -> None:
    path = _write(tmp_path, '[bases.a]\nname = "A"\nlon = 30.0\nlat = 95.0\n')
    with pytest.raises(ConfigError, match=r"bases\.toml:4: bases\.a\.lat"):
        load_bases(path)


def test_user_file_bad_id_is_a_config_error(tmp_path: Path) -> None:
    path = _write(tmp_path, '[bases."Big Base"]\nname = "A"\nlon = 30.0\nlat = 50.0\n')
    with pytest.raises(ConfigError, match="Big Base"):
        load_bases(path)


def test_missing_user_file_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match=r"nope\.toml"):
        load_bases(tmp_path / "nope.toml")


def test_user_file_without_movement(tmp_path: Path) -> None:
    path = _write(tmp_path, '[bases.a]\nname = "A"\nlon = 30.0\nlat = 50.0\n')
    with pytest.raises(ConfigError, match=r"movement: missing table"):
        load_movement(path)


def test_road_factor_below_one_is_refused(tmp_path: Path) -> None:
    text = _MOVEMENT.replace("low = 1.4", "low = 0.8")
    with pytest.raises(ConfigError, match=r"movement\.road_factor.*below 1"):
        load_movement(_write(tmp_path, text))


def test_march_speed_in_the_wrong_unit_is_refused(tmp_path: Path) -> None:
    text = _MOVEMENT.replace('unit = "km/h"', 'unit = "km"')
    with pytest.raises(ConfigError, match=r"march_speed_kmh.*'km/h'"):
        load_movement(_write(tmp_path, text))


# ----------------------------------------------------------------------------- inline bases


def test_resolve_bases_mixes_names_points_and_mappings() -> None:
    bases = resolve_bases(["Lviv", (30.5, 50.4), {"name": "Depot", "lon": 32.0, "lat": 49.0}])
    assert list(bases["base_id"]) == ["lviv", "30.50,50.40", "Depot"]
    assert bases["lon"].tolist() == pytest.approx([24.02324, 30.5, 32.0])


@pytest.mark.parametrize(
    ("records", "message"),
    [
        ([{"base_id": "x", "lon": 200.0, "lat": 50.0}], "outside the globe"),
        ([{"base_id": "x", "lon": float("nan"), "lat": 50.0}], "not finite"),
        ([{"base_id": "x", "lon": "east", "lat": 50.0}], "not numbers"),
        ([{"base_id": "x", "lat": 50.0}], "needs lon and lat"),
        ([{"lon": 30.0, "lat": 50.0}], "missing base_id"),
        (
            [{"base_id": "x", "lon": 30.0, "lat": 50.0}, {"base_id": "x", "lon": 31, "lat": 50}],
            "given twice",
        ),
    ],
)
def test_bad_coordinates_and_ids(records: list[dict[str, object]], message: str) -> None:
    with pytest.raises(DataError, match=message):
        make_bases(records)


def test_inline_point_with_three_numbers_is_refused() -> None:
    with pytest.raises(DataError, match=r"bases\[0\]: expected \[lon, lat\]"):
        resolve_bases([(30.0, 50.0, 1.0)])


def test_inline_mapping_without_lat_is_refused() -> None:
    with pytest.raises(DataError, match=r"bases\[1\]: an inline base needs lon and lat"):
        resolve_bases(["Kyiv", {"name": "X", "lon": 30.0}])


# ----------------------------------------------------------------------------- checks


def test_base_outside_ukraine_is_named() -> None:
    bases = resolve_bases(["Kyiv", {"name": "Warsaw", "lon": 21.01, "lat": 52.23}])
    with pytest.raises(DataError, match=r"base 'Warsaw' \(Warsaw, 21\.0100, 52\.2300\).*outside"):
        check_bases(bases)


def test_base_in_occupied_territory_is_named(demo_front: FrontLike) -> None:
    # Donetsk has been held by Russia since 2014: inside every demo snapshot's occupied area.
    bases = resolve_bases([{"name": "Donetsk", "lon": 37.80, "lat": 48.00}, "Kyiv"])
    assert shapely.contains_xy(demo_front.occupied, 37.80, 48.00)
    with pytest.raises(DataError, match=r"base 'Donetsk'.*occupied territory"):
        check_bases(bases, demo_front)


def test_check_with_a_hand_made_front() -> None:
    square = shapely.box(30.0, 49.0, 31.0, 50.0)
    front = FakeFront(line=square.exterior, occupied=square, length_km=400.0)
    check_bases(resolve_bases([(29.5, 49.5)]), front)
    with pytest.raises(DataError, match="occupied territory"):
        check_bases(resolve_bases([(30.5, 49.5)]), front)


def test_check_lists_every_bad_base_in_one_line() -> None:
    bases = resolve_bases([(21.0, 52.2), (14.4, 50.1)])
    with pytest.raises(DataError) as err:
        check_bases(bases)
    assert "\n" not in str(err.value)
    assert "21.00,52.20" in str(err.value)
    assert "14.40,50.10" in str(err.value)


def test_check_empty_bases_table() -> None:
    with pytest.raises(DataError, match="no base given"):
        check_bases(make_bases([]))


def test_check_bases_missing_columns() -> None:
    bases = load_bases(names=["Kyiv"]).drop(columns=["lat"])
    with pytest.raises(DataError, match=r"missing columns \['lat'\]"):
        check_bases(bases)
