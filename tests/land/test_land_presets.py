"""Land force presets (garant.land.presets)."""

from __future__ import annotations

from pathlib import Path

import pytest

from garant.errors import ConfigError, NotFoundError
from garant.land.presets import list_land_presets, load_force


def test_bundled_presets_load() -> None:
    names = list_land_presets()
    assert {"observer-mission", "coalition-reassurance", "robust-100k"} <= set(names)
    for name in names:
        force = load_force(name)
        assert force.sources
        assert force.assumptions
        assert force.description


def test_coalition_pledges_are_the_reported_range() -> None:
    pledges = load_force("coalition-reassurance").resolve_pledges()
    assert pledges is not None
    assert 25_000 <= pledges.total_troops <= 30_000


def test_robust_force_scales_pledges_to_its_troops() -> None:
    force = load_force("robust-100k")
    pledges = force.resolve_pledges()
    assert pledges is not None
    assert pledges.total_troops == pytest.approx(100_000)


def test_observer_force_without_pledges() -> None:
    force = load_force("observer-mission")
    assert force.troops == 1500
    assert force.resolve_pledges() is None


def _force(tmp_path: Path, body: str) -> Path:
    f = tmp_path / "force.toml"
    f.write_text('name = "t"\nmission = "reassurance"\n' + body, encoding="utf-8")
    return f


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("colour = 1\n", "force.toml:3: colour: unknown field"),
        ("troops = -5\n", "force.toml:3: troops: -5 must be a non-negative"),
        ("reach_hours = [0]\n", "reach_hours: needs one or more positive hours"),
        ("[sizing]\ncities = []\n", "cities: rule 'per_city' needs at least one city"),
        (
            '[pledges.x]\ncountry = "X"\nmix = { infantry = 1.0 }\n'
            'troops = { value = -1, low = -1, high = 0, unit = "persons", assumption = "a" }\n',
            "troops",
        ),
    ],
)
def test_bad_force_files(tmp_path: Path, body: str, fragment: str) -> None:
    with pytest.raises(ConfigError) as exc:
        load_force(_force(tmp_path, body))
    assert fragment in str(exc.value)


def test_unknown_mission_type_in_force(tmp_path: Path) -> None:
    f = tmp_path / "m.toml"
    f.write_text('name = "t"\nmission = "siege"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"m\.toml:2: mission: .*unknown mission type 'siege'"):
        load_force(f)


def test_unknown_preset_and_base(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="land preset 'nope' not found"):
        load_force("nope")
    with pytest.raises(NotFoundError, match=r"force\.toml:3: bases\[1\]: base 'Atlantis'"):
        load_force(_force(tmp_path, 'bases = ["Kyiv", "Atlantis"]\n'))
    with pytest.raises(NotFoundError, match="not found"):
        load_force(tmp_path / "absent.toml")
