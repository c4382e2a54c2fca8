"""Protected assets: the bundled file, its validation, settlements and user layers."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import shapely

from garant.air.assets import (
    ASSET_COLUMNS,
    ASSET_KINDS,
    asset_kind_weights,
    load_assets,
    read_asset_layer,
)
from garant.errors import DataError, NotFoundError
from garant.sources.geography import ukraine_territory

KINDS_TOML = """
schema_version = 1
[kinds.npp]
weight = 1000
assumption = "test"
[kinds.port]
weight = 10
assumption = "test"
"""


def _write(tmp_path: Path, body: str, name: str = "assets.toml") -> Path:
    path = tmp_path / name
    path.write_text(KINDS_TOML + body, encoding="utf-8")
    return path


def _entry(**fields: object) -> str:
    base: dict[str, object] = {
        "id": "plant_a",
        "name": "Plant A",
        "kind": "npp",
        "lon": 30.0,
        "lat": 50.0,
        "source": "test",
    }
    base.update(fields)
    lines = ["[[asset]]"]
    for key, value in base.items():
        if value is None:
            continue
        lines.append(f"{key} = {json.dumps(value)}")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------------------ bundled


def test_bundled_facilities() -> None:
    fac = load_assets(include_settlements=False)
    assert tuple(fac.columns) == ASSET_COLUMNS
    assert fac.crs.to_epsg() == 4326
    assert fac["asset_id"].is_unique
    npp = fac[fac["kind"] == "npp"].set_index("asset_id")
    assert set(npp.index) == {
        "rivne_npp",
        "khmelnytskyi_npp",
        "south_ukraine_npp",
        "zaporizhzhia_npp",
    }
    assert npp.loc["zaporizhzhia_npp", "status"] == "occupied"
    assert (npp.drop(index="zaporizhzhia_npp")["status"] == "operating").all()
    ports = set(fac.loc[fac["kind"] == "port", "asset_id"])
    assert {"odesa_port", "pivdennyi_port", "chornomorsk_port", "izmail_port"} <= ports
    assert {"reni_port", "mykolaiv_port"} <= ports
    assert set(fac["kind"]) <= set(ASSET_KINDS)
    assert (fac["weight"] > 0).all()
    assert fac["source"].str.len().min() > 10
    # every facility is in Ukraine (territory incl. inland waters, 5 km slack)
    terr = shapely.buffer(ukraine_territory(), 0.05)
    assert shapely.covers(terr, fac.geometry.to_numpy()).all()


def test_weights_documented_and_npp_heaviest() -> None:
    w = asset_kind_weights()
    assert w["npp"] == 1_000_000
    assert max(w, key=lambda k: w[k]) == "npp"
    assert "settlement" not in w


def test_settlements_added() -> None:
    a = load_assets(min_population=100_000)
    towns = a[a["kind"] == "settlement"]
    assert len(towns) > 30
    assert (towns["weight"] == towns["population"]).all()
    assert towns["population"].min() >= 100_000
    kyiv = towns[towns["name"] == "Kyiv"].iloc[0]
    assert kyiv["population"] == pytest.approx(2_950_000, rel=0.01)
    assert kyiv["asset_id"] == "geonames:703448"
    assert (a.loc[a["kind"] != "settlement", "population"] == 0).all()


def test_weight_override_and_occupied_filter() -> None:
    a = load_assets(include_settlements=False, weights={"npp": 5.0}, include_occupied=False)
    assert (a.loc[a["kind"] == "npp", "weight"] == 5.0).all()
    assert "zaporizhzhia_npp" not in set(a["asset_id"])
    with pytest.raises(DataError, match="weights: unknown kind 'castle'"):
        load_assets(weights={"castle": 1.0})


# ----------------------------------------------------------------------------- validation


def test_user_file_valid(tmp_path: Path) -> None:
    path = _write(tmp_path, _entry() + _entry(id="port_b", kind="port", lon=31.0, lat=46.5))
    a = load_assets(path, include_settlements=False)
    assert list(a["asset_id"]) == ["plant_a", "port_b"]
    assert list(a["weight"]) == [1000.0, 10.0]


@pytest.mark.parametrize(
    ("body", "match"),
    [
        (_entry(kind="castle"), r"asset 'plant_a' \(entry 1\): unknown kind 'castle'"),
        (_entry(lon=None), r"asset 'plant_a' \(entry 1\): missing \['lon'\]"),
        (_entry(lat=None, lon=None), r"missing \['lon', 'lat'\]"),
        (_entry(lat=95.0), r"asset 'plant_a' \(entry 1\): lat must be a number in \[-90, 90\]"),
        (
            _entry(weight=-5.0, weight_assumption="x"),
            r"asset 'plant_a' \(entry 1\): weight must be a number >= 0, got -5.0",
        ),
        (_entry(weight=5.0), r"an own weight needs a 'weight_assumption'"),
        (_entry(status="sunk"), r"unknown status 'sunk'"),
        (_entry(colour="red"), r"unknown keys \['colour'\]"),
        (_entry() + _entry(), r"asset 'plant_a' \(entry 2\): duplicate id"),
        (_entry(kind="substation"), r"kind 'substation' has no weight"),
    ],
)
def test_user_file_invalid(tmp_path: Path, body: str, match: str) -> None:
    path = _write(tmp_path, body)
    with pytest.raises(DataError, match=match) as info:
        load_assets(path, include_settlements=False)
    assert str(path) in str(info.value)


def test_invalid_collects_all_problems(tmp_path: Path) -> None:
    path = _write(tmp_path, _entry(kind="castle") + _entry(id="b", lat=None))
    with pytest.raises(DataError) as info:
        load_assets(path)
    msg = str(info.value)
    assert "entry 1" in msg
    assert "entry 2" in msg


def test_invalid_kind_weight(tmp_path: Path) -> None:
    path = tmp_path / "a.toml"
    path.write_text('[kinds.npp]\nweight = -1\nassumption = "x"\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"kinds.npp: weight must be a number >= 0"):
        load_assets(path)


def test_missing_and_broken_files(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match=r"nope\.toml"):
        load_assets(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[[asset]\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"bad\.toml: not valid TOML"):
        load_assets(bad)


# ----------------------------------------------------------------------------- user layers


def test_read_csv_layer(tmp_path: Path) -> None:
    path = tmp_path / "sites.csv"
    path.write_text(
        "id,name,Longitude,Latitude,value\nh1,Hospital,30.5,50.4,120\nh2,School,24.0,49.8,3\n",
        encoding="utf-8",
    )
    a = read_asset_layer(path, weight_column="value", kind="other")
    assert tuple(a.columns) == ASSET_COLUMNS
    assert list(a["asset_id"]) == ["h1", "h2"]
    assert list(a["weight"]) == [120.0, 3.0]
    assert a.geometry.iloc[0].equals(shapely.Point(30.5, 50.4))
    assert (a["source"] == "sites.csv").all()


def test_read_geojson_layer(tmp_path: Path) -> None:
    fc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name": "Depot", "weight": 50, "kind": "other"},
                "geometry": {"type": "Point", "coordinates": [28.5, 49.2]},
            },
            {
                "type": "Feature",
                "properties": {"name": "Field", "weight": 7, "kind": "settlement"},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[30, 50], [30.1, 50], [30.1, 50.1], [30, 50.1], [30, 50]]],
                },
            },
        ],
    }
    path = tmp_path / "layer.geojson"
    path.write_text(json.dumps(fc), encoding="utf-8")
    a = read_asset_layer(path, kind_column="kind")
    assert list(a["kind"]) == ["other", "settlement"]
    assert list(a["population"]) == [0, 7]
    assert (a.geometry.geom_type == "Point").all()
    assert a.geometry.iloc[1].within(shapely.box(30, 50, 30.1, 50.1))
    ones = read_asset_layer(path, weight_column=None)
    assert np.all(ones["weight"] == 1.0)


@pytest.mark.parametrize(
    ("csv", "kwargs", "match"),
    [
        ("a,b\n1,2\n", {}, r"no longitude/latitude columns .* has \['a', 'b'\]"),
        ("lon,lat\n30,50\n", {}, r"no weight column 'weight' \(has \['lon', 'lat'\]\)"),
        ("lon,lat,weight\n30,50,-1\n", {}, r"column 'weight' must hold numbers >= 0"),
        ("lon,lat,weight\n30,,1\n", {}, r"missing or invalid coordinates .* line\(s\) \[2\]"),
        ("lon,lat,weight\n30,50,1\n", {"kind": "castle"}, r"unknown kind\(s\) \['castle'\]"),
    ],
)
def test_read_layer_errors(tmp_path: Path, csv: str, kwargs: dict[str, str], match: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(csv, encoding="utf-8")
    with pytest.raises(DataError, match=match) as info:
        read_asset_layer(path, **kwargs)  # type: ignore[arg-type]
    assert "bad.csv" in str(info.value)


def test_read_layer_missing_file(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match=r"none\.geojson"):
        read_asset_layer(tmp_path / "none.geojson")
