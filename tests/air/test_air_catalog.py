"""Tests of the air catalogues: schema, bundled data, overrides, record coverage."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from garant.air.catalog import (
    Catalog,
    Quantity,
    default_catalog,
    load_catalog,
    normalise_name,
    split_tokens,
)
from garant.air.classes import DEFENCE_KINDS, THREAT_CLASSES
from garant.errors import ConfigError

#: How the single-record and generic tokens must map (a deliberate choice each).
EXPECTED_CLASS = {
    "Shahed-136/131": "strike_uav",
    "X-101/X-555": "cruise",
    "Kalibr": "cruise",
    "Iskander-K": "cruise",
    "X-59/X-69": "cruise",
    "Iskander-M": "ballistic",
    "Iskander-M/KN-23": "ballistic",
    "KN-23": "ballistic",
    "C-300": "ballistic",
    "C-300/C-400": "ballistic",
    "C-400": "ballistic",
    "X-47 Kinzhal": "aeroballistic",
    "X-22": "anti_ship",
    "X-32": "anti_ship",
    "P-800 Oniks": "anti_ship",
    "3M22 Zircon": "anti_ship",
    "X-31P": "anti_radiation",
    "Lancet": "loitering",
    "Молнія": "loitering",
    "Orlan-10": "recon_uav",
    "Фенікс": "recon_uav",
    "Картограф": "recon_uav",
    "Привет-82": "loitering",
    "Aerial Bomb": "guided_bomb",
    "GBU": "guided_bomb",
    "Intercontinental Ballistic Missile": "ballistic",
    "Ballistic Missile": "ballistic",
    "Unknown UAV": "unknown",
    "Unknown Missile": "unknown",
}


def _q(**kw: object) -> dict[str, object]:
    base: dict[str, object] = {"value": 1.0, "low": 0.5, "high": 2.0, "unit": "km"}
    base.update(kw)
    return base


def _write(tmp_path: Path, text: str, name: str = "override.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# -- the bundled catalogue ----------------------------------------------------------------


def test_bundled_catalogue_loads_and_is_cached() -> None:
    cat = default_catalog()
    assert isinstance(cat, Catalog)
    assert default_catalog() is cat
    assert len(cat.threats) >= 25
    assert len(cat.launch_areas) >= 40
    assert len(cat.defences) >= 20
    assert cat.files == ("threats.toml", "launch_areas.toml", "defences.toml")


def test_required_entries_present() -> None:
    cat = default_catalog()
    for tid in (
        "shahed_136",
        "geran_3",
        "gerbera",
        "lancet",
        "molniya",
        "orlan_10",
        "zala",
        "supercam",
        "merlin_vr",
        "kh_101",
        "kh_55",
        "kalibr",
        "iskander_k",
        "iskander_m",
        "kn_23",
        "kinzhal",
        "kh_22",
        "kh_32",
        "kh_59",
        "kh_69",
        "kh_31p",
        "kh_35",
        "p800_oniks",
        "zircon",
        "s300_ground",
        "s400_ground",
        "kab_umpk",
    ):
        assert tid in cat.threats, tid
    for did in (
        "patriot_pac2",
        "patriot_pac3",
        "samp_t",
        "iris_t_slm",
        "iris_t_sls",
        "nasams",
        "gepard",
        "skynex",
        "mobile_fire_group",
        "interceptor_drone",
        "ew_jamming",
        "f16_patrol",
        "mirage_2000_patrol",
        "gripen_patrol",
        "typhoon_patrol",
        "rafale_patrol",
        "e3_awacs",
        "e7_wedgetail",
        "globaleye",
        "rc135",
        "mq9",
    ):
        assert did in cat.defences, did
    for aid in ("primorsko_akhtarsk", "kursk", "millerovo", "chauda", "shatalovo"):
        assert aid in cat.launch_areas, aid
    assert cat.launch_areas["black_sea"].kind == "sea"
    assert cat.launch_areas["caspian_sea"].kind == "sea"


def test_every_bundled_quantity_has_exactly_one_provenance() -> None:
    frame = default_catalog().to_frame()
    has_source = frame["source"].notna() & (frame["source"].astype(str).str.strip() != "")
    has_assumption = frame["assumption"].notna() & (
        frame["assumption"].astype(str).str.strip() != ""
    )
    assert (has_source ^ has_assumption).all()
    assert (frame["low"] <= frame["value"]).all()
    assert (frame["value"] <= frame["high"]).all()


def test_bundled_entries_are_consistent() -> None:
    cat = default_catalog()
    for threat in cat.threats.values():
        assert threat.threat_class in THREAT_CLASSES
        assert threat.is_decoy == (threat.threat_class == "decoy_uav")
    for d in cat.defences.values():
        assert d.kind in DEFENCE_KINDS
        if d.kind == "isr":
            assert not d.shoots
            assert d.detect_range_km is not None
            assert not d.pk
        else:
            assert d.shoots
            assert set(d.range_km) == set(d.pk)
        if d.kind == "fighter":
            assert not d.engages("ballistic")
            assert not d.engages("aeroballistic")
    assert cat.defences["patriot_pac3"].engages("aeroballistic")
    assert cat.defences["ew_jamming"].pk["strike_uav"].unit == "probability"
    for area in cat.launch_areas.values():
        assert 20 <= area.lon <= 50, area.id
        assert 40 <= area.lat <= 70, area.id


def test_to_frame_lists_every_number() -> None:
    cat = default_catalog()
    n_threat = sum(
        4 + (t.warhead_kg is not None) for t in cat.threats.values()
    )  # speed, altitude, range, cost (+ warhead)
    frame = cat.to_frame("threats")
    assert len(frame) == n_threat
    assert list(frame.columns) == [
        "kind",
        "id",
        "name",
        "field",
        "value",
        "low",
        "high",
        "unit",
        "source",
        "assumption",
    ]
    defences = cat.to_frame("defences")
    assert "pk.cruise" in set(defences["field"])
    areas = cat.to_frame("launch_areas")
    assert len(areas) == 2 * len(cat.launch_areas)
    total = cat.to_frame()
    assert len(total) == len(frame) + len(defences) + len(areas)
    with pytest.raises(ConfigError, match="not one of"):
        cat.to_frame("weapons")  # type: ignore[arg-type]


# -- lookups -------------------------------------------------------------------------------


def test_lookups_normalise_whitespace_and_case() -> None:
    cat = default_catalog()
    hit = cat.threat_by_alias("  x-101/x-555 ")
    assert hit is not None
    assert hit.id == "kh_101"
    assert cat.threat_by_alias("kh_101") is hit
    assert cat.threat_by_alias("Kinzhal  ") is cat.threats["kinzhal"]
    assert cat.threat_by_alias("Wunderwaffe") is None
    assert cat.class_of("Wunderwaffe") == "unknown"
    assert not cat.is_known_model("Wunderwaffe")
    assert cat.class_of("UNKNOWN uav") == "unknown"
    assert cat.is_known_model("UNKNOWN uav")


def test_split_tokens() -> None:
    assert split_tokens("X-101/X-555 and Kalibr and  Iskander-K") == [
        "X-101/X-555",
        "Kalibr",
        "Iskander-K",
    ]
    assert split_tokens("Kursk oblast and Oryol oblast and and Shatalovo") == [
        "Kursk oblast",
        "Oryol oblast",
        "Shatalovo",
    ]
    assert split_tokens("") == []


def test_launch_areas_of_handles_bundles_commas_and_directions() -> None:
    cat = default_catalog()
    ids = [a.id for a in cat.launch_areas_of("Primorsko-Akhtarsk and Chauda, Crimea and north")]
    assert ids == ["primorsko_akhtarsk", "chauda"]
    assert [a.id for a in cat.launch_areas_of("Caspian Sea, Engels-2")] == [
        "caspian_sea",
        "engels",
    ]
    assert cat.launch_areas_of("south-east") == ()
    assert cat.is_direction("South-East")
    assert cat.launch_areas_of("Atlantis") == ()


@given(st.text(max_size=40))
def test_normalise_name_is_idempotent(text: str) -> None:
    once = normalise_name(text)
    assert normalise_name(once) == once
    assert once == once.strip()


# -- the real records ------------------------------------------------------------------------


def _record_tokens(shared_data: Path, column: str) -> set[str]:
    path = shared_data / "air" / "missile_attacks_daily.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        return {t for row in csv.DictReader(fh) if row[column] for t in split_tokens(row[column])}


def test_every_record_model_token_maps(shared_data: Path) -> None:
    cat = default_catalog()
    tokens = _record_tokens(shared_data, "model")
    assert len(tokens) >= 40
    unmapped = sorted(t for t in tokens if not cat.is_known_model(t))
    assert unmapped == []
    for token, cls in EXPECTED_CLASS.items():
        assert token in tokens, token
        assert cat.class_of(token) == cls, token
    # only the deliberately unattributable tokens end up as "unknown"
    assert {t for t in tokens if cat.class_of(t) == "unknown"} == {"Unknown UAV", "Unknown Missile"}


def test_every_record_launch_place_maps(shared_data: Path) -> None:
    cat = default_catalog()
    tokens = _record_tokens(shared_data, "launch_place")
    assert len(tokens) >= 50
    unmapped = sorted(t for t in tokens if not cat.launch_areas_of(t) and not cat.is_direction(t))
    assert unmapped == []
    directions = sorted(t for t in tokens if cat.is_direction(t))
    assert directions == ["east", "north", "north-east", "south", "south-east"]


# -- validation ------------------------------------------------------------------------------


def test_quantity_rules() -> None:
    assert Quantity(**_q(source="x")).provenance == "x"  # type: ignore[arg-type]
    assert Quantity(**_q(assumption="y")).provenance == "assumption: y"  # type: ignore[arg-type]
    bad = [
        (_q(source="x", low=3.0), "low 3 > high 2"),
        (_q(source="x", value=5.0), "outside its range"),
        (_q(source="x", value=-1.0, low=-2.0), "outside \\[0, inf\\)"),
        (_q(source="x", value=1.3, low=0.0, high=1.5, unit="probability"), "outside \\[0, 1\\]"),
        (_q(source="x", value=float("nan")), "not finite"),
        (_q(source="x", unit="furlong"), "unit 'furlong'"),
        (_q(), "needs a source or an assumption"),
        (_q(source="x", assumption="y"), "both a source and an assumption"),
        (_q(source="x", note="z"), "Extra inputs"),
    ]
    for kwargs, pattern in bad:
        with pytest.raises(ValidationError, match=pattern):
            Quantity(**kwargs)  # type: ignore[arg-type]


@given(
    st.floats(min_value=0, max_value=1e9, allow_nan=False),
    st.floats(min_value=0, max_value=1e9, allow_nan=False),
    st.floats(min_value=0, max_value=1e9, allow_nan=False),
)
def test_quantity_accepts_exactly_ordered_triples(a: float, b: float, c: float) -> None:
    ordered = a <= b <= c
    try:
        Quantity(value=b, low=a, high=c, unit="km", source="test")
    except ValidationError:
        assert not ordered
    else:
        assert ordered


def test_override_changes_one_field_only(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "[defences.patriot_pac3]\n"
        'magazine = { value = 48, low = 24, high = 72, unit = "shots", '
        'assumption = "six launchers of eight" }\n'
        "[defences.patriot_pac3.pk]\n"
        'cruise = { value = 0.9, low = 0.8, high = 0.95, unit = "probability", '
        'assumption = "test" }\n',
    )
    base = default_catalog()
    cat = load_catalog(overrides=path)
    new, old = cat.defences["patriot_pac3"], base.defences["patriot_pac3"]
    assert new.magazine.value == 48
    assert new.magazine.assumption == "six launchers of eight"
    assert new.pk["cruise"].value == 0.9
    assert new.pk["ballistic"] == old.pk["ballistic"]
    assert new.range_km == old.range_km
    assert new.model_dump(exclude={"magazine", "pk"}) == old.model_dump(exclude={"magazine", "pk"})
    assert {k: v for k, v in new.pk.items() if k != "cruise"} == {
        k: v for k, v in old.pk.items() if k != "cruise"
    }
    assert cat.threats == base.threats
    assert cat.files[-1] == str(path)
    # the cached default is untouched
    assert default_catalog().defences["patriot_pac3"].magazine == old.magazine


def test_override_adds_entries_and_aliases(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        'non_places = ["far away"]\n'
        "[class_aliases]\n"
        '"Mystery Drone" = { threat_class = "strike_uav", reason = "test" }\n'
        "[launch_areas.test_site]\n"
        'name = "Test site"\naliases = ["Testgrad"]\nkind = "launch_site"\n'
        'lon = 40.0\nlat = 50.0\nthreat_classes = ["strike_uav"]\nsource = "test"\n',
    )
    cat = load_catalog(overrides=[path])
    assert cat.class_of("mystery drone") == "strike_uav"
    assert [a.id for a in cat.launch_areas_of("Testgrad")] == ["test_site"]
    assert cat.is_direction("Far away")


@pytest.mark.parametrize(
    ("body", "patterns"),
    [
        (
            "[defences.patriot_pac3]\n"
            'range_km.cruise = { value = -5, low = -10, high = 1, unit = "km", source = "x" }\n',
            ["override.toml", "patriot_pac3.range_km.cruise", "outside [0, inf)"],
        ),
        (
            "[defences.patriot_pac3.pk]\n"
            'cruise = { value = 1.3, low = 0.5, high = 1.5, unit = "probability", source = "x" }\n',
            ["override.toml", "patriot_pac3.pk.cruise", "value 1.3 outside [0, 1]"],
        ),
        (
            "[threats.kalibr]\n"
            'speed_kmh = { value = 800, low = 900, high = 700, unit = "km/h", source = "x" }\n',
            ["override.toml", "threats.kalibr.speed_kmh", "low 900 > high 700"],
        ),
        (
            '[threats.kalibr]\nthreat_class = "hypersonic_glider"\n',
            ["override.toml", "kalibr.threat_class", "unknown threat class 'hypersonic_glider'"],
        ),
        (
            "[defences.nasams.pk]\n"
            'laser = { value = 0.5, low = 0.1, high = 0.9, unit = "probability", source = "x" }\n',
            ["override.toml", "nasams.pk", "unknown threat class 'laser'"],
        ),
        (
            "[threats.kalibr]\ncolour = 'grey'\n",
            ["override.toml", "threats.kalibr.colour", "unknown field"],
        ),
        (
            '[threats.kalibr]\nrange_km = { value = 1500, low = 1400, high = 2600, unit = "km" }\n',
            ["override.toml", "kalibr.range_km", "needs a source or an assumption"],
        ),
        (
            "[threats.kalibr]\n"
            'range_km = { value = 1500, low = 1400, high = 2600, unit = "m", source = "x" }\n',
            ["override.toml", "kalibr.range_km", "unit 'm' should be 'km'"],
        ),
        (
            '[defences.laser_truck]\nname = "Laser truck"\nkind = "gun"\n',
            ["override.toml", "defences.laser_truck", "not in the bundled catalogue", "magazine"],
        ),
        (
            "[weapons.x]\nname = 'x'\n",
            ["override.toml", "unknown section 'weapons'"],
        ),
        (
            '[class_aliases]\n"Kalibr" = { threat_class = "cruise", reason = "dup" }\n',
            ["override.toml", "class_aliases", "also an alias of threat kalibr"],
        ),
        (
            "version = 2\n",
            ["override.toml", "version 2 is not supported"],
        ),
        (
            "this is not toml\n",
            ["override.toml", "not valid TOML"],
        ),
    ],
)
def test_bad_override_names_file_entry_and_field(
    tmp_path: Path, body: str, patterns: list[str]
) -> None:
    path = _write(tmp_path, body)
    with pytest.raises(ConfigError) as info:
        load_catalog(overrides=path)
    message = str(info.value)
    for pattern in patterns:
        assert pattern in message, (pattern, message)


def test_all_problems_are_collected(tmp_path: Path) -> None:
    one = _write(
        tmp_path,
        "[defences.patriot_pac3.pk]\n"
        'cruise = { value = 1.3, low = 0.5, high = 1.5, unit = "probability", source = "x" }\n',
        name="one.toml",
    )
    two = _write(tmp_path, "[threats.kalibr]\ncolour = 'grey'\n", name="two.toml")
    with pytest.raises(ConfigError) as info:
        load_catalog(overrides=[one, two])
    lines = str(info.value).splitlines()
    assert lines[0].startswith("invalid air catalogue: 2 problems in")
    assert "one.toml" in lines[0]
    assert "two.toml" in lines[0]
    assert any("one.toml: defences.patriot_pac3.pk.cruise" in line for line in lines[1:])
    assert any("two.toml: threats.kalibr.colour: unknown field" in line for line in lines[1:])
    assert info.value.exit_code == 2


def test_missing_override_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nope\.toml: cannot read"):
        load_catalog(overrides=tmp_path / "nope.toml")
