"""Air packages: the bundled presets, validation errors, add-ons and the stand-off."""

from __future__ import annotations

from pathlib import Path

import pytest
import shapely
from shapely.geometry import box

from garant.air.assets import load_assets
from garant.air.presets import (
    AirPackage,
    line_of,
    list_presets,
    load_defaults,
    load_package,
    resolve_units,
)
from garant.errors import ConfigError, NotFoundError

# Occupied territory stand-in: a box east of the Dnipro bend (far from every preset site),
# so that tests do not read the demo history.
OCCUPIED = box(35.5, 46.0, 40.0, 49.5)


@pytest.fixture(scope="module")
def assets():  # type: ignore[no-untyped-def]
    return load_assets()


def _write(tmp_path: Path, text: str, name: str = "pkg.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_bundled_presets_validate(assets) -> None:  # type: ignore[no-untyped-def]
    names = list_presets()
    assert {"ukraine-today", "recon-only", "sky-shield", "us-backstop"} <= set(names)
    for name in names:
        pkg = load_package(name, assets=assets)
        assert pkg.name == name
        assert pkg.sources, f"{name} cites no source"
    sky = load_package("sky-shield", assets=assets)
    assert sky.standoff_km == 200
    assert sum(d.count for d in sky.units if d.defence.endswith("_patrol")) == 36
    assert load_package("ukraine-today", assets=assets).units == []


def test_defaults_baseline_reproduces_fit() -> None:
    d = load_defaults()
    model = d.baseline.model()
    assert model.effective_pk("strike_uav", 468) == pytest.approx(0.935, abs=0.002)
    assert model.effective_pk("cruise", 21) == pytest.approx(0.809, abs=0.002)
    counts = {w.threat: w.count for w in d.raid.waves}
    assert counts["shahed_136"] + counts["gerbera"] == 468


@pytest.mark.parametrize(
    ("body", "field", "line"),
    [
        (
            '[[units]]\ndefence = "s400_mobile"\ncount = 1\nlocation = "Kyiv"\n',
            "units[0].defence",
            3,
        ),
        (
            '[[units]]\ndefence = "patriot_pac3"\ncount = 1\nlocation = "Atlantis"\n',
            "units[0].location",
            5,
        ),
        (
            '[[units]]\ndefence = "patriot_pac3"\ncount = -2\nlocation = "Kyiv"\n',
            "units[0].count",
            4,
        ),
        ("standoff_km = -5\n", "standoff_km", 2),
        ("colour = 'blue'\n", "colour", 2),
        ("[reserve]\nnasams = 4\n", "reserve.nasams", 3),
    ],
)
def test_invalid_fields_name_file_line_and_field(
    tmp_path: Path,
    assets,
    body: str,
    field: str,
    line: int,  # type: ignore[no-untyped-def]
) -> None:
    path = _write(tmp_path, 'name = "bad"\n' + body)
    with pytest.raises(ConfigError) as exc:
        load_package(path, assets=assets)
    msg = str(exc.value)
    assert f"{path}:{line}: {field}:" in msg


def test_several_problems_are_all_listed(tmp_path: Path, assets) -> None:  # type: ignore[no-untyped-def]
    path = _write(
        tmp_path,
        'name = "bad"\n[[units]]\ndefence = "nope"\ncount = 1\nlocation = "Nowhere"\n',
    )
    with pytest.raises(ConfigError, match="2 problems") as exc:
        load_package(path, assets=assets)
    assert "units[0].defence" in str(exc.value)
    assert "units[0].location" in str(exc.value)


def test_unknown_preset_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="sky-dome"):
        load_package("sky-dome")
    with pytest.raises(NotFoundError):
        load_package(tmp_path / "missing.toml")


def test_standoff_violation_names_unit(tmp_path: Path, assets) -> None:  # type: ignore[no-untyped-def]
    path = _write(
        tmp_path,
        'name = "close"\nstandoff_km = 200\nstandoff_from = ["occupied"]\n'
        '[[units]]\ndefence = "nasams"\ncount = 2\nlocation = "Dnipro"\n',
    )
    pkg = load_package(path, assets=assets)
    with pytest.raises(
        ConfigError, match=r"units\[0\]\.location \(nasams at 'Dnipro'\).*below standoff_km = 200"
    ):
        resolve_units(pkg, assets=assets, occupied=OCCUPIED)


def test_nearest_permitted_keeps_standoff(tmp_path: Path, assets) -> None:  # type: ignore[no-untyped-def]
    path = _write(
        tmp_path,
        'name = "moved"\nstandoff_km = 200\nstandoff_from = ["occupied"]\n'
        '[[units]]\ndefence = "nasams"\ncount = 2\nlocation = "Dnipro"\n'
        'placement = "nearest_permitted"\n',
    )
    units = resolve_units(load_package(path, assets=assets), assets=assets, occupied=OCCUPIED)
    assert len(units) == 2
    assert (units["hostile_km"] >= 200).all()
    assert (units["moved_km"] > 0).all()
    assert units["unit_id"].is_unique


def test_addons_merge(assets) -> None:  # type: ignore[no-untyped-def]
    base = load_package("sky-shield", assets=assets)
    merged = load_package("sky-shield+us-backstop", assets=assets)
    add = load_package("us-backstop", assets=assets)
    assert merged.name == "sky-shield+us-backstop"
    assert len(merged.units) == len(base.units) + len(add.units)
    assert merged.reserve["patriot_pac3"] == 32
    assert merged.campaign is not None
    assert merged.campaign.resupply["patriot_pac3"] == 8
    assert merged.campaign.resupply["typhoon_patrol"] == 10
    same = load_package("sky-shield", addons=["us-backstop"], assets=assets)
    assert same.units == merged.units
    units = resolve_units(merged, assets=assets, occupied=OCCUPIED)
    assert units["unit_id"].is_unique


def test_addon_rules(tmp_path: Path, assets) -> None:  # type: ignore[no-untyped-def]
    not_addon = _write(tmp_path, 'name = "plain"\n', "plain.toml")
    with pytest.raises(ConfigError, match="is not an add-on"):
        load_package("sky-shield", addons=[not_addon], assets=assets)
    conflict = _write(
        tmp_path,
        'name = "more"\naddon = true\n[[units]]\ndefence = "typhoon_patrol"\ncount = 1\n'
        'location = "Lviv"\n[reserve]\ntyphoon_patrol = 3\n',
        "more.toml",
    )
    with pytest.raises(ConfigError, match=r"reserve\.typhoon_patrol: 3 conflicts with 24"):
        load_package("sky-shield", addons=[conflict], assets=assets)


def test_line_of_finds_nested_fields() -> None:
    text = (
        'name = "x"\n\n[[units]]\na = 1\n[[units]]\na = 2\nb = 3\n'
        '[raid]\n[[raid.waves]]\nthreat = "t"\n'
    )
    assert line_of(text, ["units", 1, "b"]) == 7
    assert line_of(text, ["units", 0]) == 3
    assert line_of(text, ["raid", "waves", 0, "threat"]) == 10
    assert line_of(text, ["nothing"]) is None


def test_package_model_rejects_bad_names() -> None:
    with pytest.raises(ValueError, match="lower-case"):
        AirPackage(name="Sky Shield")
    assert shapely.is_valid(OCCUPIED)
