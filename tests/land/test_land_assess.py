"""Assessment of a land force (garant.land.assess)."""

from __future__ import annotations

from pathlib import Path

import pytest

from garant.errors import DataError, NotFoundError
from garant.land.assess import LandAssessment, assess_land
from garant.land.geometry import Front, front_at
from garant.land.presets import load_force


@pytest.fixture(scope="module")
def front() -> Front:
    return front_at()


@pytest.fixture(scope="module")
def coalition(front: Front) -> LandAssessment:
    return assess_land("coalition-reassurance", front=front)


def test_headline_is_consistent_with_parts(coalition: LandAssessment) -> None:
    h = coalition.headline()
    req, pledges = coalition.requirement, coalition.pledges
    assert h["deployed_troops"] == pytest.approx(req.deployed_troops)
    assert h["pledged_troops"] == pytest.approx(pledges.total_troops)
    assert h["gap_troops"] == pytest.approx(req.deployed_troops - pledges.total_troops)
    assert h["n_bases"] == len(coalition.bases) == len(load_force("coalition-reassurance").bases)
    shares = [h[f"share_of_line_reached_{t:g}h"] for t in coalition.reach_hours]
    assert shares == sorted(shares)
    assert all(0 <= s <= 1 for s in shares)
    assert h["bases_in_range_of_ballistic"] <= h["n_bases"]
    assert h["line_km"] == pytest.approx(coalition.front.length_km)
    summary = coalition.summary()
    assert list(summary.columns) == ["metric", "value", "unit"]
    assert set(summary["metric"]) == set(h)


def test_troops_only_force_gets_one_pledge(front: Front) -> None:
    a = assess_land("observer-mission", front=front, reach_hours=(2, 6))
    assert a.pledges.total_troops == pytest.approx(1500)
    assert a.reach_hours == (2.0, 6.0)
    assert "share_of_line_reached_2h" in a.headline()


def _force(tmp_path: Path, bases: str) -> Path:
    f = tmp_path / "f.toml"
    f.write_text(
        f'name = "t"\nmission = "tripwire"\ntroops = 100\nbases = {bases}\n', encoding="utf-8"
    )
    return f


def test_base_outside_ukraine_is_refused(tmp_path: Path, front: Front) -> None:
    with pytest.raises(DataError, match="outside Ukraine"):
        assess_land(
            _force(tmp_path, '[{ name = "Warsaw", lon = 21.01, lat = 52.23 }]'), front=front
        )


def test_base_in_occupied_territory_is_refused(tmp_path: Path, front: Front) -> None:
    # Donetsk has been occupied since 2014.
    with pytest.raises(DataError, match="occupied territory"):
        assess_land(
            _force(tmp_path, '[{ name = "Donetsk", lon = 37.80, lat = 48.00 }]'), front=front
        )


def test_no_line_and_unknown_preset() -> None:
    with pytest.raises(DataError, match="before the bundled demo"):
        assess_land("observer-mission", date="2020-01-01")
    with pytest.raises(NotFoundError, match="land preset"):
        assess_land("no-such-force")
