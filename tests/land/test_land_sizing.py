"""Mission sizing rules and the historical comparison (garant.land.sizing)."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pytest

from garant.errors import ConfigError, DataError, NotFoundError
from garant.land.geometry import Front, front_at
from garant.land.sizing import (
    CAPABILITIES,
    MISSION_TYPES,
    default_history,
    default_missions,
    historical_comparison,
    load_history,
    load_missions,
    size_force,
)


@pytest.fixture(scope="module")
def front() -> Front:
    return front_at()


def test_bundled_missions_have_every_type_with_provenance() -> None:
    cat = default_missions()
    assert set(MISSION_TYPES) <= set(cat.missions)
    frame = cat.to_frame()
    assert frame["provenance"].str.len().min() > 20
    assert (frame["low"] <= frame["value"]).all()
    assert (frame["value"] <= frame["high"]).all()


def test_observation_is_density_times_length(front: Front) -> None:
    m = default_missions().get("observation")
    assert m.density_persons_per_km is not None
    req = size_force("observation", front)
    combat = m.density_persons_per_km.value * front.length_km
    assert req.combat_troops == pytest.approx(combat)
    assert req.deployed_troops == pytest.approx(combat * (1 + m.support_ratio.value))
    assert req.total_troops_with_rotation == pytest.approx(
        req.deployed_troops * m.rotation_factor.value
    )
    assert req.table["combat_troops"].sum() == pytest.approx(combat)
    assert sum(req.by_capability.values()) == pytest.approx(req.deployed_troops)
    assert set(req.by_capability) == set(CAPABILITIES)


def test_bounds_bracket_the_value_and_use_the_ranges(front: Front) -> None:
    m = default_missions().get("observation")
    assert m.density_persons_per_km is not None
    req = size_force("observation", front)
    assert req.deployed_low <= req.deployed_troops <= req.deployed_high
    assert req.total_low <= req.total_troops_with_rotation <= req.total_high
    low = m.density_persons_per_km.low * front.length_km * (1 + m.support_ratio.low)
    assert req.deployed_low == pytest.approx(low)
    assert req.total_high == pytest.approx(
        m.density_persons_per_km.high
        * front.length_km
        * (1 + m.support_ratio.high)
        * m.rotation_factor.high
    )


def test_tripwire_counts_sectors(front: Front) -> None:
    m = default_missions().get("tripwire")
    assert m.persons_per_sector is not None
    req = size_force("tripwire", front)
    assert req.combat_troops == pytest.approx(m.persons_per_sector.value * len(front.sectors))


def test_reassurance_counts_cities(front: Front) -> None:
    m = default_missions().get("reassurance")
    assert m.persons_per_city is not None
    req = size_force("reassurance", front)
    assert list(req.table["unit"]) == list(m.cities)
    assert req.combat_troops == pytest.approx(m.persons_per_city.value * len(m.cities))


def test_forward_defence_by_brigade_frontage(front: Front) -> None:
    m = default_missions().get("forward_defence")
    assert m.brigade_frontage_km
    assert m.brigade_size
    assert m.reserve_ratio
    req = size_force("forward_defence", front)
    brigades = sum(
        math.ceil(length / m.brigade_frontage_km.value) for length in front.sectors["length_km"]
    )
    assert req.table["brigades"].sum() == brigades
    expected = brigades * m.brigade_size.value * (1 + m.reserve_ratio.value)
    assert req.combat_troops == pytest.approx(expected)
    # A wider frontage needs fewer troops: the low bound uses the high frontage.
    assert req.deployed_low < req.deployed_troops


def test_longer_line_needs_more_observers(front: Front) -> None:
    base = size_force("observation", front)
    longer = size_force("observation", replace(front, length_km=front.length_km * 2))
    assert longer.deployed_troops == pytest.approx(2 * base.deployed_troops)


def test_overrides_replace_a_quantity(front: Front, tmp_path: Path) -> None:
    f = tmp_path / "over.toml"
    f.write_text(
        "[missions.observation]\n"
        'density_persons_per_km = { value = 4, low = 3, high = 5, unit = "persons/km", '
        'assumption = "test" }\n',
        encoding="utf-8",
    )
    req = size_force("observation", front, overrides=f)
    support = default_missions().get("observation").support_ratio.value
    assert req.combat_troops == pytest.approx(4 * front.length_km)
    assert req.deployed_troops == pytest.approx(4 * front.length_km * (1 + support))


def test_unknown_mission_type(front: Front) -> None:
    with pytest.raises(NotFoundError, match="mission type 'peacekeeping'"):
        size_force("peacekeeping", front)


def test_no_line_to_cover(front: Front) -> None:
    with pytest.raises(DataError, match="no line to cover"):
        size_force("observation", replace(front, length_km=0.0))


def _write(tmp_path: Path, text: str) -> Path:
    f = tmp_path / "m.toml"
    f.write_text(text, encoding="utf-8")
    return f


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (
            "[missions.observation]\nbogus = 1\n",
            "m.toml:2: missions.observation.bogus: unknown field",
        ),
        (
            '[missions.observation]\nsupport_ratio = { value = 1, low = 1, high = 1, unit = "km", '
            'source = "s" }\n',
            "support_ratio: unit 'km' should be 'ratio'",
        ),
        (
            "[missions.observation.mix]\ninfantry = 0.5\nisr = 0.4\n",
            "shares sum to 0.9",
        ),
        (
            "[missions.observation.mix]\ninfantry = 1.0\ncavalry = 0.0\n",
            "unknown capability 'cavalry'",
        ),
        (
            '[missions.new]\nlabel = "x"\nrule = "per_km"\n',
            "missions.new.support_ratio: missing field",
        ),
        ("surprise = 1\n", "m.toml:1: surprise: unknown field"),
    ],
)
def test_bad_overrides_name_file_line_field(tmp_path: Path, text: str, fragment: str) -> None:
    with pytest.raises(ConfigError) as exc:
        load_missions(overrides=_write(tmp_path, text))
    assert fragment in str(exc.value)


def test_historical_comparison_implies_troops_from_ratios(front: Front) -> None:
    hist = default_history()
    df = historical_comparison(front, area_km2=400_000.0).set_index("mission")
    assert set(df.index) == {"ifor", "kfor", "undof", "unficyp", "osce_smm"}
    ifor = hist.missions["ifor"]
    per_km = ifor.troops.value / ifor.line_km.value
    assert df.loc["ifor", "troops_per_km"] == pytest.approx(per_km)
    assert df.loc["ifor", "implied_by_line"] == pytest.approx(per_km * front.length_km)
    assert ifor.area_km2 is not None
    assert ifor.population is not None
    assert df.loc["ifor", "implied_by_area"] == pytest.approx(
        ifor.troops.value / ifor.area_km2.value * 400_000.0
    )
    assert df.loc["ifor", "implied_by_population"] == pytest.approx(
        ifor.troops.value / ifor.population.value * hist.ukraine.population.value
    )
    # No population for UNDOF: the ratio is blank, not zero.
    assert math.isnan(df["troops_per_1000_inhabitants"].to_dict()["undof"])
    assert df.attrs["ukraine_line_km"] == pytest.approx(front.length_km)


def test_historical_comparison_default_area_is_free_territory(front: Front) -> None:
    df = historical_comparison(front)
    # Ukraine is about 603,600 km²; occupied about a fifth of it.
    assert 400_000 < df.attrs["ukraine_area_km2"] < 560_000


def test_bad_history_file(tmp_path: Path) -> None:
    f = tmp_path / "h.toml"
    f.write_text(
        '[ukraine]\npopulation = { value = 1, low = 1, high = 1, unit = "persons", source = "s" }\n'
        "[missions.x]\nname = 'x'\nkind = 'k'\nyear = 2000\n"
        'troops = { value = 10, low = 10, high = 10, unit = "persons", source = "s" }\n'
        'line_km = { value = 0, low = 0, high = 0, unit = "km", source = "s" }\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="line_km: must be positive"):
        load_history(f)
