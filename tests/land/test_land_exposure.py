"""Exposure of bases: distance from hostile ground, systems in range, warning time."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyproj
import pytest
import shapely
from shapely.geometry.base import BaseGeometry

from garant.air.catalog import default_catalog
from garant.errors import ConfigError, DataError
from garant.land.bases import load_bases, make_bases, resolve_bases
from garant.land.exposure import (
    EXPOSURE_CLASSES,
    base_exposure,
    exposure_by_class,
    hostile_distances_km,
)
from garant.land.geometry import Front, front_at

GEOD = pyproj.Geod(ellps="WGS84")


@dataclass(frozen=True)
class FakeFront:
    line: BaseGeometry
    occupied: BaseGeometry
    length_km: float


# A small "occupied" square in western Ukraine, far from every catalogued launch area.
SQUARE = shapely.box(25.6, 48.9, 25.8, 49.1)
FRONT = FakeFront(SQUARE.exterior, SQUARE, 0.0)
BASE = (25.0, 49.0)


@pytest.fixture(scope="module")
def demo_front() -> Front:
    return front_at()


def _distance_to_square_km() -> float:
    # the nearest point of the square to BASE lies on its west edge, near lat 49
    lats = np.linspace(48.9, 49.1, 2001)
    _, _, d = GEOD.inv(
        np.full(lats.size, BASE[0]), np.full(lats.size, BASE[1]), np.full(lats.size, 25.6), lats
    )
    return float(np.min(d)) / 1000.0


def test_hostile_distances_by_part() -> None:
    bases = resolve_bases([BASE, (25.7, 49.0)])
    d = hostile_distances_km(bases, FRONT, sources=("occupied",))
    assert list(d.columns) == ["occupied"]
    assert d["occupied"].iloc[0] == pytest.approx(_distance_to_square_km(), rel=5e-3)
    assert d["occupied"].iloc[1] == 0.0  # inside


def test_systems_in_range_follow_the_catalogue() -> None:
    cat = default_catalog()
    d_km = _distance_to_square_km()
    detail = exposure_by_class(resolve_bases([BASE]), FRONT, sources=("occupied",))
    assert list(detail["threat_class"]) == list(EXPOSURE_CLASSES)
    total = 0.0
    for row in detail.to_dict("records"):
        live = [t for t in cat.threats.values() if t.threat_class == row["threat_class"]]
        live = [t for t in live if not t.is_decoy]
        # the launch point is the square unless a catalogued launch area is nearer
        areas = [a for a in cat.launch_areas.values() if row["threat_class"] in a.threat_classes]
        _, _, da = GEOD.inv(
            np.full(len(areas), BASE[0]),
            np.full(len(areas), BASE[1]),
            [a.lon for a in areas],
            [a.lat for a in areas],
        )
        launch = min([d_km, *(np.asarray(da) / 1000.0)])
        assert row["launch_km"] == pytest.approx(launch, rel=5e-3)
        in_range = [t for t in live if t.range_km.value >= launch]
        assert row["n_systems"] == len(in_range)
        assert row["systems"] == ", ".join(t.name for t in in_range)
        if in_range:
            fastest = max(in_range, key=lambda t: t.speed_kmh.value)
            assert row["fastest"] == fastest.name
            assert row["warning_min"] == pytest.approx(
                launch / fastest.speed_kmh.value * 60, rel=5e-3
            )
        else:
            assert np.isnan(row["warning_min"])
        total += sum(60.0 / max(launch / t.speed_kmh.value * 60, 1.0) for t in in_range)
    summary = base_exposure(resolve_bases([BASE]), FRONT, sources=("occupied",)).iloc[0]
    assert summary["exposure_score"] == pytest.approx(total, rel=1e-2)
    assert summary["n_systems_in_range"] == detail["n_systems"].sum()


def test_guided_bombs_reach_a_base_near_the_line_but_not_a_distant_one() -> None:
    kab = max(
        t.range_km.value
        for t in default_catalog().threats.values()
        if t.threat_class == "guided_bomb"
    )
    near = (25.6 - 0.5 * kab / 73.0, 49.0)  # ~73 km per degree of longitude at 49° N
    far = (25.6 - 2.0 * kab / 73.0, 49.0)
    out = base_exposure(resolve_bases([near, far]), FRONT, sources=("occupied",))
    assert out["n_guided_bomb"].tolist()[0] >= 1
    assert out["n_guided_bomb"].tolist()[1] == 0
    assert out["exposure_score"].iloc[0] > out["exposure_score"].iloc[1]
    assert out["exposure_rank"].tolist() == [1, 2]


def test_decoys_are_never_counted() -> None:
    detail = exposure_by_class(resolve_bases([BASE]), FRONT, sources=("occupied",))
    decoys = [t.name for t in default_catalog().threats.values() if t.is_decoy]
    assert decoys
    assert "decoy_uav" not in set(detail["threat_class"])
    assert not any(d in s for d in decoys for s in detail["systems"])


def test_catalogue_launch_areas_only() -> None:
    hostile = base_exposure(resolve_bases([BASE]), FRONT, sources=("occupied",))
    listed = base_exposure(
        resolve_bases([BASE]), FRONT, sources=("occupied",), launch_from="catalogue"
    )
    assert hostile["n_guided_bomb"].iloc[0] >= 1
    assert listed["n_guided_bomb"].iloc[0] == 0
    assert listed["exposure_score"].iloc[0] < hostile["exposure_score"].iloc[0]


def test_demo_front_kharkiv_more_exposed_than_lviv(demo_front: Front) -> None:
    out = base_exposure(load_bases(names=["Lviv", "Kharkiv"]), demo_front).set_index("base_id")
    rows = out.to_dict("index")
    kharkiv, lviv = rows["kharkiv"], rows["lviv"]
    assert kharkiv["hostile_km"] < lviv["hostile_km"]
    assert kharkiv["exposure_score"] > lviv["exposure_score"]
    assert kharkiv["min_warning_min"] < lviv["min_warning_min"]
    assert lviv["nearest_hostile"] in {"occupied", "RUS", "BLR"}
    for cls in EXPOSURE_CLASSES:
        assert f"n_{cls}" in out.columns
        assert f"warning_min_{cls}" in out.columns


def test_bad_launch_from() -> None:
    with pytest.raises(ConfigError, match="launch_from 'orbit'"):
        base_exposure(resolve_bases([BASE]), FRONT, launch_from="orbit")


def test_unknown_country_in_sources() -> None:
    with pytest.raises(ConfigError, match="XXX"):
        hostile_distances_km(resolve_bases([BASE]), FRONT, sources=("occupied", "XXX"))


def test_no_sources() -> None:
    with pytest.raises(ConfigError, match="at least one"):
        base_exposure(resolve_bases([BASE]), FRONT, sources=())


def test_no_bases() -> None:
    with pytest.raises(DataError, match="no base given"):
        base_exposure(make_bases([]), FRONT)
