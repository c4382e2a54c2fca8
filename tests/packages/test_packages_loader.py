"""Guarantee package files: presets, validation, errors naming file, line and field."""

from __future__ import annotations

import datetime as dt
import tomllib
from importlib import resources
from pathlib import Path

import pytest

from garant.errors import ConfigError, NotFoundError
from garant.packages.loader import (
    PRESET_ORDER,
    check_against_history,
    list_packages,
    load_guarantee_package,
    load_package_defaults,
    preset_order,
)
from garant.packages.schema import COMMITMENTS, GuaranteePackage

MINIMAL = 'name = "mine"\ncommitment = "coalition"\n'


def _write(tmp_path: Path, text: str, name: str = "pkg.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_presets_load_and_carry_provenance() -> None:
    names = list_packages()
    assert set(PRESET_ORDER) <= set(names)
    assert preset_order()[: len(PRESET_ORDER)] == list(PRESET_ORDER)
    for name in names:
        pkg = load_guarantee_package(name)
        assert pkg.name == name
        assert pkg.source_file == f"packages/{name}.toml"
        assert pkg.commitment in COMMITMENTS
        assert pkg.sources, f"{name}: no sources"
    assert load_guarantee_package("no-guarantees").has_coalition_forces is False
    assert load_guarantee_package("nato-membership").commitment == "nato_article5"
    coalition = load_guarantee_package("coalition-2025")
    assert coalition.land is not None
    assert coalition.land.preset == "coalition-reassurance"
    assert coalition.us_backstop.intelligence
    assert coalition.us_backstop.air_defence


def test_defaults_every_number_has_provenance() -> None:
    d = load_package_defaults()
    quantities = [d.troops_on_line, *(getattr(d.costs, k) for k in type(d.costs).model_fields)]
    for q in quantities:
        assert q is not None
        assert q.low <= q.value <= q.high
        assert bool(q.source) != bool(q.assumption)


def test_minimal_file(tmp_path: Path) -> None:
    pkg = load_guarantee_package(_write(tmp_path, MINIMAL))
    assert isinstance(pkg, GuaranteePackage)
    assert (pkg.land, pkg.air, pkg.sea) == (None, None, None)
    assert pkg.ukraine.air == "ukraine-today"


def test_file_path_round_trip_matches_preset(tmp_path: Path) -> None:
    src = resources.files("garant").joinpath("data", "packages", "robust-100k.toml")
    path = _write(tmp_path, src.read_text("utf-8"))
    a, b = load_guarantee_package(path), load_guarantee_package("robust-100k")
    assert a.model_dump(exclude={"source_file"}) == b.model_dump(exclude={"source_file"})
    assert tomllib.loads(src.read_text("utf-8"))["name"] == a.name


@pytest.mark.parametrize(
    ("text", "match"),
    [
        (MINIMAL + "colour = 1\n", r"pkg.toml:3: colour: unknown field"),
        (MINIMAL + '\n[land]\npreset = "coalition-reassurance"\nsize = 3\n', r":6: land.size"),
        ('name = "mine"\ncommitment = "maybe"\n', r"pkg.toml:2: commitment: "),
        ('name = "Bad Name"\n', r"pkg.toml:1: name: 'Bad Name' is not a valid name"),
        (MINIMAL + '\n[land]\npreset = "coalition-reassurance"\ntroops = -5\n', r":6: land.troops"),
        (MINIMAL + '\n[land]\npreset = "x.toml"\nforward_share = 1.5\n', r":6: land.forward_share"),
        (
            MINIMAL + '\n[ceasefire]\ndate = 2025-01-01\nline = "frozen"\n',
            r"pkg.toml:4: ceasefire: give a date or a frozen line, not both",
        ),
        (
            MINIMAL + "\n[costs.land_usd_per_troop_year]\nvalue = 5\nlow = 6\nhigh = 7\n"
            'unit = "USD/troop-year"\nassumption = "x"\n',
            r"pkg.toml:4: costs.land_usd_per_troop_year: value 5 outside its range",
        ),
        (
            MINIMAL + '\n[ukraine.troops_on_line]\nvalue = 1\nlow = 1\nhigh = 1\nunit = "troops"\n',
            r"troops_on_line: needs a source or an assumption",
        ),
        ('source_file = "x"\n' + MINIMAL, r"pkg.toml:1: source_file: unknown field"),
        ("name = \n", r"pkg.toml: not valid TOML"),
        ('commitment = "none"\n', r"pkg.toml: name: missing field"),
    ],
)
def test_bad_fields_name_file_line_and_field(tmp_path: Path, text: str, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        load_guarantee_package(_write(tmp_path, text))


@pytest.mark.parametrize(
    ("section", "match"),
    [
        ('[air]\npreset = "sky-dome"\n', r"pkg.toml:5: air.preset: unknown air preset 'sky-dome'"),
        ('[air]\npreset = "sky-shield+nope"\n', r":5: air.preset: unknown air preset 'nope'"),
        (
            '[air]\npreset = "sky-shield"\naddons = ["us-backstop", "zzz"]\n',
            r":6: air.addons\[1\]: unknown air add-on 'zzz'",
        ),
        ('[land]\npreset = "mega-force"\n', r"pkg.toml:5: land.preset: unknown land preset"),
        ('[sea]\npreset = "armada"\n', r"pkg.toml:5: sea.preset: unknown sea preset 'armada'"),
        ('[sea]\npreset = "nowhere/x.toml"\n', r":5: sea.preset: sea preset file .* not found"),
        ('[ukraine]\nair = "nothing"\n', r"pkg.toml:5: ukraine.air: unknown air preset"),
        (
            '[sea]\npreset = "no-mission"\n',
            r"pkg.toml:5: sea.preset: sea mission 'no-mission' deploys no ships",
        ),
    ],
)
def test_unknown_or_contradictory_components(tmp_path: Path, section: str, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        load_guarantee_package(_write(tmp_path, MINIMAL + "\n" + section))


def test_several_problems_reported_together(tmp_path: Path) -> None:
    text = MINIMAL + '\n[air]\npreset = "sky-dome"\n\n[land]\npreset = "mega-force"\n'
    with pytest.raises(ConfigError) as info:
        load_guarantee_package(_write(tmp_path, text))
    lines = str(info.value).splitlines()
    assert lines[0].startswith("invalid guarantee package")
    assert "2 problems" in lines[0]
    assert any("air.preset" in ln for ln in lines)
    assert any("land.preset" in ln for ln in lines)


def test_unknown_package_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match=r"guarantee package 'nope' not found \(bundled: "):
        load_guarantee_package("nope")
    with pytest.raises(NotFoundError, match="_defaults"):
        load_guarantee_package("_defaults")
    with pytest.raises(NotFoundError, match=r"missing.toml: guarantee package file not found"):
        load_guarantee_package(tmp_path / "missing.toml")


def test_ceasefire_checked_against_history(tmp_path: Path) -> None:
    pkg = load_guarantee_package(_write(tmp_path, MINIMAL + "\n[ceasefire]\ndate = 2030-01-01\n"))
    latest = dt.date(2026, 7, 31)
    with pytest.raises(
        ConfigError, match=r"pkg.toml:5: ceasefire.date: 2030-01-01 is after the latest snapshot"
    ):
        check_against_history(pkg, latest=latest, has_store=False, history="the demo")
    check_against_history(pkg, latest=dt.date(2030, 1, 1), has_store=False, history="x")
    frozen = load_guarantee_package(
        _write(tmp_path, MINIMAL + '\n[ceasefire]\nline = "march"\n', "f.toml")
    )
    with pytest.raises(ConfigError, match=r"f.toml:5: ceasefire.line: .* needs a store"):
        check_against_history(frozen, latest=latest, has_store=False, history="the demo")
    check_against_history(frozen, latest=latest, has_store=True, history="store")
