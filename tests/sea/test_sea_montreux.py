"""Tests of garant.sea.montreux: the Montreux Convention rules and mission checks."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from garant.errors import DataError
from garant.sea.montreux import (
    ISO3_CODES,
    LITTORAL_ISO3,
    RULES,
    Finding,
    Ship,
    check_mission,
    transit_groups,
)


def _by_rule(findings: list[Finding]) -> dict[str, Finding]:
    return {f.rule: f for f in findings}


def _frigates() -> list[Ship]:
    """3 of 5 frigates non-littoral, 18,400 t aggregate non-littoral."""
    return [
        Ship("FS Normandie", "FRA", 6_000, "frigate"),
        Ship("HMS Richmond", "GBR", 5_400, "frigate"),
        Ship("ITS Bergamini", "ITA", 7_000, "frigate"),
        Ship("TCG Istanbul", "TUR", 3_000, "frigate"),
        Ship("NMS Regele Ferdinand", "ROU", 4_900, "frigate"),
    ]


def test_rules_carry_articles_and_numbers() -> None:
    assert RULES["aggregate_tonnage"].value == 30_000
    assert RULES["aggregate_tonnage"].article == "Art. 18(1)(a)"
    assert RULES["aggregate_tonnage_max"].value == 45_000
    assert RULES["max_stay"].value == 21
    assert RULES["max_stay"].article == "Art. 18(2)"
    assert RULES["notification"].value == 15
    assert RULES["transit_ships"].value == 9
    assert RULES["transit_tonnage"].value == 15_000
    assert RULES["ship_size"].value == 10_000
    assert "Art. 19" in RULES["wartime_closure"].article
    assert all(r.source for r in RULES.values())
    assert {"TUR", "ROU", "BGR", "UKR", "RUS", "GEO"} == LITTORAL_ISO3
    assert LITTORAL_ISO3 <= ISO3_CODES


def test_example_finding_from_the_issue() -> None:
    f = _by_rule(check_mission(_frigates(), days_in_sea=60, turkey_closed=False))
    assert f["max_stay"].status == "constraint"
    assert "3 of 5 ships are non-littoral (3 of 5 frigates)" in f["max_stay"].message
    assert "21-day rotation required" in f["max_stay"].message
    assert "3 successive groups" in f["max_stay"].message
    assert f["aggregate_tonnage"].status == "ok"
    assert "18,400 t within the 30,000 t limit" in f["aggregate_tonnage"].message
    assert f["wartime_closure"].status == "ok"


def test_short_mission_needs_no_rotation() -> None:
    f = _by_rule(check_mission(_frigates(), days_in_sea=21, turkey_closed=False))
    assert f["max_stay"].status == "ok"


def test_aggregate_tonnage_violation() -> None:
    ships = [Ship(f"DDG {i}", "USA", 9_500, "destroyer") for i in range(4)]
    f = _by_rule(check_mission(ships, days_in_sea=10, turkey_closed=False))
    assert f["aggregate_tonnage"].status == "violation"
    assert "38,000 t exceeds the 30,000 t limit" in f["aggregate_tonnage"].message
    assert "within the 45,000 t" in f["aggregate_tonnage"].message
    ships += [Ship("DDG 9", "USA", 9_500, "destroyer")]
    f = _by_rule(check_mission(ships, days_in_sea=10, turkey_closed=False))
    assert "also above the 45,000 t" in f["aggregate_tonnage"].message


def test_per_state_two_thirds() -> None:
    ships = [Ship(f"F{i}", "GBR", 7_000, "frigate") for i in range(3)]
    f = _by_rule(check_mission(ships, days_in_sea=10, turkey_closed=False))
    assert f["aggregate_tonnage"].status == "ok"  # 21,000 t
    assert f["per_state_share"].status == "violation"
    assert "GBR 21,000 t" in f["per_state_share"].message
    assert "20,000 t per state" in f["per_state_share"].message
    ok = _by_rule(check_mission(_frigates(), days_in_sea=10, turkey_closed=False))
    assert ok["per_state_share"].status == "ok"


def test_ship_size_and_barred_kinds() -> None:
    ships = [
        Ship("CVN", "USA", 100_000, "aircraft_carrier"),
        Ship("SSN", "GBR", 7_000, "submarine"),
        Ship("TCG Anadolu", "TUR", 24_000, "amphibious"),
    ]
    f = _by_rule(check_mission(ships, days_in_sea=5, turkey_closed=False))
    assert f["ship_size"].status == "violation"
    assert "CVN (USA, 100,000 t)" in f["ship_size"].message
    assert "Anadolu" not in f["ship_size"].message  # littoral ships are not limited
    assert f["barred_kinds"].status == "violation"
    assert "CVN" in f["barred_kinds"].message
    assert "SSN" in f["barred_kinds"].message


def test_transit_in_groups() -> None:
    ships = [Ship(f"MCM {i}", "NLD", 600, "minehunter") for i in range(12)]
    f = _by_rule(check_mission(ships, days_in_sea=20, turkey_closed=False))
    assert f["transit_tonnage"].status == "constraint"
    assert "2 groups" in f["transit_tonnage"].message  # at most 9 ships at once
    two = _by_rule(check_mission(_frigates()[:2], days_in_sea=20, turkey_closed=False))
    assert two["transit_tonnage"].status == "ok"  # 11,400 t, 2 ships


def test_transit_groups_respect_article_14() -> None:
    groups = transit_groups([6000, 5400, 7000, 4000, 9000])
    tonnages = [6000, 5400, 7000, 4000, 9000]
    assert sorted(i for g in groups for i in g) == list(range(5))
    for g in groups:
        assert len(g) <= 9
        assert sum(tonnages[i] for i in g) <= 15_000


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(min_value=100, max_value=15_000), min_size=1, max_size=30))
def test_transit_groups_property(tonnages: list[float]) -> None:
    groups = transit_groups(tonnages)
    assert sorted(i for g in groups for i in g) == list(range(len(tonnages)))
    for g in groups:
        assert len(g) <= 9
        assert sum(tonnages[i] for i in g) <= 15_000 + 1e-6
    assert len(groups) >= max(-(-len(tonnages) // 9), -(-sum(tonnages) // 15_000))


def test_notification() -> None:
    f = _by_rule(check_mission(_frigates(), days_in_sea=10))
    assert f["notification"].status == "info"
    assert "15 days" in f["notification"].message


def test_closure_bars_non_littoral_ships() -> None:
    f = _by_rule(check_mission(_frigates(), days_in_sea=10, turkey_closed=True))
    c = f["wartime_closure"]
    assert c.status == "violation"
    assert "3 of 5 ships (FRA, GBR, ITA)" in c.message
    assert "only the littoral ships (ROU, TUR) already inside can take part" in c.message
    assert "unless Türkiye opens the Straits" in c.message


def test_closure_does_not_bar_a_littoral_mission() -> None:
    ships = [
        Ship("TCG Akçay", "TUR", 550, "minehunter"),
        Ship("NMS Sublocotenent Ion Ghiculescu", "ROU", 800, "minesweeper"),
        Ship("Priboy", "BGR", 650, "minehunter"),
    ]
    f = _by_rule(check_mission(ships, days_in_sea=365))
    assert f["wartime_closure"].status == "ok"
    assert f["max_stay"].status == "ok"
    assert f["aggregate_tonnage"].status == "ok"
    assert all(x.status in ("ok", "info") for x in f.values())


def test_only_non_littoral_closed() -> None:
    f = _by_rule(check_mission([Ship("HMS Bangor", "GBR", 600, "minehunter")], days_in_sea=5))
    assert "no ship of this mission can take part" in f["wartime_closure"].message


def test_findings_are_in_rule_order_and_name_articles() -> None:
    fs = check_mission(_frigates(), days_in_sea=30)
    assert [f.rule for f in fs] == [
        "max_stay",
        "aggregate_tonnage",
        "per_state_share",
        "ship_size",
        "barred_kinds",
        "transit_tonnage",
        "notification",
        "wartime_closure",
    ]
    assert all(f.article == RULES[f.rule].article for f in fs)


# -- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (("X", "FRA", -100, "frigate"), "tonnage_t -100 must be positive"),
        (("X", "FRA", 0, "frigate"), "tonnage_t 0"),
        (("X", "FRA", float("nan"), "frigate"), "tonnage_t nan"),
        (("X", "FRA", "heavy", "frigate"), "not a number"),
        (("X", "XXX", 3000, "frigate"), "flag_iso 'XXX' is not an ISO 3166-1"),
        (("X", "fr", 3000, "frigate"), "flag_iso 'fr'"),
        (("X", "FRA", 3000, "battleship"), "kind 'battleship'"),
        ((" ", "FRA", 3000, "frigate"), "empty name"),
    ],
)
def test_bad_ship(args: tuple[object, ...], match: str) -> None:
    with pytest.raises(DataError, match=match):
        Ship(*args)  # type: ignore[arg-type]


def test_empty_mission() -> None:
    with pytest.raises(DataError, match="no ships"):
        check_mission([], days_in_sea=10)


@pytest.mark.parametrize("days", [0, -1, float("inf")])
def test_bad_days(days: float) -> None:
    with pytest.raises(DataError, match="days_in_sea"):
        check_mission(_frigates(), days_in_sea=days)


def test_duplicate_names_and_non_ships() -> None:
    s = Ship("A", "FRA", 3000, "frigate")
    with pytest.raises(DataError, match="'A' appears more than once"):
        check_mission([s, s], days_in_sea=5)
    with pytest.raises(DataError, match="is not a Ship"):
        check_mission([s, "B"], days_in_sea=5)  # type: ignore[list-item]
