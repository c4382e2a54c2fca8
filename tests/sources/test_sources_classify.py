"""Layer classification of DeepStateMap names."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from garant.model import POINT_KINDS, POLYGON_KINDS
from garant.sources.deepstatemap import classify_layer, layer_inventory, normalise_name

POLYGONS = [
    ("Окуповано /// Occupied /// geoJSON.status.occupied\n", "occupied"),
    ("Окуповано /// Occupied\xa0/// geoJSON.status.occupied", "occupied"),
    ("Окуповано /// Occupied", "occupied"),
    ("Окуповано", "occupied"),
    ("Ізюм. Окуповано", "occupied"),
    ("Рубіжне. Території зайняті ворогом", "occupied"),
    ("Окупований Крим /// Occupied Crimea\xa0/// geoJSON.territories.crimea", "occupied_pre2022"),
    ("Окупований Крим /// Occupied Crimea", "occupied_pre2022"),
    ("Крим", "occupied_pre2022"),
    ("ОРДЛО /// CADR and CALR\n", "occupied_pre2022"),
    ("ОРДЛО", "occupied_pre2022"),
    ("Острів Тузла /// Occupied Tuzla Island\xa0/// geoJSON.territories.tuzla", "occupied_pre2022"),
    ("Острів Тузла", "occupied_pre2022"),
    ("Статус невідомий /// Unknown status /// geoJSON.status.unknown\n", "grey_zone"),
    ("Під питанням /// Contested\n", "grey_zone"),
    ("Під питанням\xa0/// Contensed", "grey_zone"),
    ("Сіра зона", "grey_zone"),
    ("28.05 Під питанням /// 26.05 Contested", "grey_zone"),
    ("Звільнено\xa0/// Liberated\xa0/// geoJSON.status.dismissed", "liberated"),
    (
        "Звільнено 25.03 /// Liberated 25.03\xa0/// geoJSON.status.dismissed_at {{at:25.03}}",
        "liberated",
    ),
    ("Звільнено 05.04 /// Taken back 05.04", "liberated"),
    ("Звільнено /// Recaptured", "liberated"),
    ("звільнено 26.03.2022", "liberated"),
    ("Під контролем ЗСУ", "liberated"),
    ("Орки відсутні 30.03", "liberated"),
    ("Зміїний ///\xa0Snake Island /// geoJSON.zmiinyi_island", "liberated"),
    ("Придністров'я.\n///\nTransnistria.\n", "foreign"),
    ("Окупована Абхазія.\n///\nOccupied Abkhazia.\n/// geoJSON.territories.abkhazia\n", "foreign"),
    ("Окупована область Петсамо\n///\nOccupied Petsamo", "foreign"),
    ("Окуповані Південні Курильські острови.\n///\nOccupied Southern Kuril islands.", "foreign"),
    (
        "Тимчасово окупована територія Карелії.\n///\n"
        "The temporarily occupied territory of Karelia.",
        "foreign",
    ),
    ("Аннексовані території Латвії /// Annexed from Latvia territories", "foreign"),
    ("Багатокутник 11", "other"),  # no fill given: the name says nothing
    ("", "other"),
]


@pytest.mark.parametrize(("name", "kind"), POLYGONS)
def test_polygon_names(name: str, kind: str) -> None:
    assert classify_layer(name)[0] == kind


def test_fill_decides_nameless_polygons_and_snake_island() -> None:
    assert classify_layer("Багатокутник 11", fill="#a52714")[0] == "occupied"
    assert classify_layer("24.03", fill="#0f9d58")[0] == "liberated"
    assert classify_layer("Зміїний /// Snake Island", fill="#a52714")[0] == "occupied"
    assert classify_layer("Зміїний /// Snake Island", fill="#0f9d58")[0] == "liberated"
    # a name with a status wins over the colour
    assert classify_layer("Окуповано /// Occupied", fill="#0f9d58")[0] == "occupied"


POINTS = [
    (
        "Напрямок удару /// Direction of attack\xa0/// geoJSON.status.attack_direction\n",
        "attack_direction",
    ),
    ("Напрямок удару", "attack_direction"),
    ("10-й танковий полк ///10th tank regiment\xa0/// geoJSON.units.regiment.10-tank", "unit"),
    ('шойгісти "шторм-z" /// shoigists "storm-z"\n', "unit"),
    ("БАРС-1 /// 1st squad BARS", "unit"),
    ("Київ///Kyiv", "label"),
    ("Москва /// Moscow /// geoJSON.territories.moscow", "label"),
    ("Проросійський режим Орбана /// Orban's pro-Russian regime", "label"),
    ("Крейсер Москва. ///\xa0Russian cruiser Moskva", "other"),
    ("Аеродром Сакі (Поз. ЛЕСНОЙ). 43-й винищувальний авіаційний полк ПКС росії", "other"),
    ('Camp N°1 "Dublin"', "other"),
]


@pytest.mark.parametrize(("name", "kind"), POINTS)
def test_point_names(name: str, kind: str) -> None:
    assert classify_layer(name, family="point")[0] == kind


def test_normalise_name_parts() -> None:
    uk, en, key = normalise_name(
        "Звільнено 25.03 /// Liberated 25.03\xa0/// geoJSON.status.dismissed_at {{at:25.03}}\n"
    )
    assert (uk, en, key) == ("Звільнено 25.03", "Liberated 25.03", "geoJSON.status.dismissed_at")
    assert normalise_name("Придністров'я.\n///\nTransnistria.\n") == (
        "Придністров'я",
        "Transnistria",
        None,
    )
    assert normalise_name(None) == (None, None, None)
    kind, key, uk, en = classify_layer("Окуповано /// Occupied /// geoJSON.status.occupied\n")
    assert (kind, key, uk, en) == ("occupied", "geoJSON.status.occupied", "Окуповано", "Occupied")


@given(st.one_of(st.text(), st.none(), st.integers()), st.one_of(st.none(), st.text()))
def test_classify_never_raises(name: object, fill: str | None) -> None:
    kind, key, uk, en = classify_layer(name, fill=fill)
    assert kind in POLYGON_KINDS
    assert classify_layer(name, family="point", fill=fill)[0] in POINT_KINDS
    for part in (key, uk, en):
        assert part is None or isinstance(part, str)


_NOISE = st.sampled_from([" ", "\xa0", "\n", "  ", "\xa0 ", ""])


@given(st.sampled_from(POLYGONS), _NOISE, _NOISE, _NOISE)
def test_whitespace_noise_does_not_change_kind(
    case: tuple[str, str], a: str, b: str, c: str
) -> None:
    name, kind = case
    noisy = a + name.replace("///", f"{b}///{c}", 1) + c
    assert classify_layer(noisy)[0] == kind


def test_every_raw_layer_name_is_classified_deliberately(shared_data: Path) -> None:
    files = sorted((shared_data / "deepstatemap-raw").glob("*.geojson"))
    assert len(files) == 41
    inv = layer_inventory(files)
    unmatched = inv[inv["rule"] == "unmatched"]
    assert unmatched.empty, unmatched.to_string()
    # the only polygons decided by their fill colour are three nameless 2022 layers
    by_fill = set(inv.loc[inv["rule"].str.startswith("fill"), "name_uk"])
    assert by_fill == {"24.03", "Багатокутник 11", "Дорога Тростянець-Суми 31.03"}
    polygons = inv[inv["family"] == "polygon"]
    pre = set(polygons.loc[polygons["kind"] == "occupied_pre2022", "name_uk"])
    assert pre == {"Крим", "Окупований Крим", "ОРДЛО", "Острів Тузла"}
    # foreign "occupied" regions never leak into occupied territory
    occupied_en = set(polygons.loc[polygons["kind"] == "occupied", "name_en"]) - {""}
    assert all(n in ("Occupied", "Snake Island") or "occupation" in n for n in occupied_en)
    counts = inv.groupby(["family", "kind"])["features"].sum()
    assert counts["point", "attack_direction"] > 1000
    assert counts["point", "unit"] > 5000
