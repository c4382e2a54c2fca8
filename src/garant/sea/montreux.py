"""The Montreux Convention (1936) as data, and a check of a naval mission against it.

The Convention Regarding the Regime of the Straits, signed at Montreux on 20 July 1936
(League of Nations Treaty Series vol. 173, p. 213), governs the passage of warships
through the Dardanelles, the Sea of Marmara and the Bosphorus. The rules that bind a
Black Sea mission are kept in :data:`RULES`, each with its article; :func:`check_mission`
applies them to a list of :class:`Ship` and returns one :class:`Finding` per rule.

Littoral ("Black Sea Powers", Art. 10-12) are the states with a Black Sea coast:
:data:`LITTORAL_ISO3`. Every other flag is non-littoral.

Simplifications (stated in the findings where they matter):

* the tonnage is the ship's standard displacement (Annex II) as the user gives it;
* the aggregate limit is the peacetime 30,000 t of Art. 18(1)(a); the rise to at most
  45,000 t of Art. 18(1)(b) depends on the littoral fleets' growth and is only reported;
* the transit limits of Art. 14 are applied to the non-littoral ships that must enter;
  littoral ships are assumed to be in the Black Sea already;
* Türkiye's closure (``turkey_closed=True``) is its practice since 28 February 2022:
  it applies Art. 19 and has declined passage to warships heading for the Black Sea.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from garant.errors import DataError

__all__ = [
    "ISO3_CODES",
    "LITTORAL_ISO3",
    "RULES",
    "SHIP_KINDS",
    "Finding",
    "Rule",
    "Ship",
    "check_mission",
    "transit_groups",
]

logger = logging.getLogger(__name__)

#: States with a Black Sea coast ("Black Sea Powers" of the Convention).
LITTORAL_ISO3: frozenset[str] = frozenset({"TUR", "ROU", "BGR", "UKR", "RUS", "GEO"})

_ISO3_TEXT = """
    ABW AFG AGO AIA ALA ALB AND ANT ARE ARG ARM ASM ATA ATF ATG AUS AUT AZE BDI BEL BEN BES
    BFA BGD BGR BHR BHS BIH BLM BLR BLZ BMU BOL BRA BRB BRN BTN BVT BWA CAF CAN CCK CHE CHL
    CHN CIV CMR COD COG COK COL COM CPV CRI CUB CUW CXR CYM CYP CZE DEU DJI DMA DNK DOM DZA
    ECU EGY ERI ESH ESP EST ETH FIN FJI FLK FRA FRO FSM GAB GBR GEO GGY GHA GIB GIN GLP GMB
    GNB GNQ GRC GRD GRL GTM GUF GUM GUY HKG HMD HND HRV HTI HUN IDN IMN IND IOT IRL IRN IRQ
    ISL ISR ITA JAM JEY JOR JPN KAZ KEN KGZ KHM KIR KNA KOR KWT LAO LBN LBR LBY LCA LIE LKA
    LSO LTU LUX LVA MAC MAF MAR MCO MDA MDG MDV MEX MHL MKD MLI MLT MMR MNE MNG MNP MOZ MRT
    MSR MTQ MUS MWI MYS MYT NAM NCL NER NFK NGA NIC NIU NLD NOR NPL NRU NZL OMN PAK PAN PCN
    PER PHL PLW PNG POL PRI PRK PRT PRY PSE PYF QAT REU ROU RUS RWA SAU SCG SDN SEN SGP SGS
    SHN SJM SLB SLE SLV SMR SOM SPM SRB SSD STP SUR SVK SVN SWE SWZ SXM SYC SYR TCA TCD TGO
    THA TJK TKL TKM TLS TON TTO TUN TUR TUV TWN TZA UGA UKR UMI URY USA UZB VAT VCT VEN VGB
    VIR VNM VUT WLF WSM XKX YEM ZAF ZMB ZWE
"""
#: ISO 3166-1 alpha-3 codes (with the user-assigned XKX for Kosovo), from GeoNames.
ISO3_CODES: frozenset[str] = frozenset(_ISO3_TEXT.split())

#: Ship kinds a mission may list. ``submarine`` and ``aircraft_carrier`` are barred
#: to non-littoral states (Art. 10, 12 and Annex II).
SHIP_KINDS: tuple[str, ...] = (
    "frigate",
    "destroyer",
    "corvette",
    "cruiser",
    "minehunter",
    "minesweeper",
    "patrol",
    "amphibious",
    "auxiliary",
    "submarine",
    "aircraft_carrier",
)

_BARRED_KINDS = frozenset({"submarine", "aircraft_carrier"})

_TREATY = (
    "Convention Regarding the Regime of the Straits, Montreux, 20 July 1936, League of "
    "Nations Treaty Series vol. 173 p. 213 (English and French texts)"
)


@dataclass(frozen=True)
class Rule:
    """One rule of the Convention.

    Attributes
    ----------
    id : str
        Key in :data:`RULES`.
    article : str
        Article (and paragraph) of the Convention.
    text : str
        The rule in one sentence.
    value : float or None
        Its number, in ``unit``, where it has one.
    unit : str
        ``"t"`` (standard displacement, metric tons), ``"days"``, ``"ships"`` or ``""``.
    source : str
        Where it is written.
    """

    id: str
    article: str
    text: str
    value: float | None
    unit: str
    source: str = _TREATY


def _rules(*rules: Rule) -> dict[str, Rule]:
    return {r.id: r for r in rules}


#: The rules :func:`check_mission` applies, by id.
RULES: dict[str, Rule] = _rules(
    Rule(
        "aggregate_tonnage",
        "Art. 18(1)(a)",
        "In peacetime the aggregate tonnage of all non-littoral states' warships in the "
        "Black Sea shall not exceed 30,000 t.",
        30_000.0,
        "t",
    ),
    Rule(
        "aggregate_tonnage_max",
        "Art. 18(1)(b)",
        "The 30,000 t rise by as much as the strongest Black Sea fleet exceeds its 1936 "
        "tonnage by at least 10,000 t, to at most 45,000 t.",
        45_000.0,
        "t",
    ),
    Rule(
        "per_state_share",
        "Art. 18(1)(c)",
        "One non-littoral state may have at most two thirds of the aggregate tonnage.",
        2.0 / 3.0,
        "",
    ),
    Rule(
        "max_stay",
        "Art. 18(2)",
        "Warships of non-littoral states shall not remain in the Black Sea more than "
        "21 days, whatever the object of their presence there.",
        21.0,
        "days",
    ),
    Rule(
        "ship_size",
        "Art. 10 and Annex II(B)(2)",
        "Non-littoral states may pass only light surface vessels, minor war vessels and "
        "auxiliary vessels; a light surface vessel displaces at most 10,000 t.",
        10_000.0,
        "t",
    ),
    Rule(
        "barred_kinds",
        "Art. 10, 12 and Annex II",
        "Submarines and aircraft carriers of non-littoral states cannot enter the Black "
        "Sea (submarine passage is reserved to littoral states, Art. 12).",
        None,
        "",
    ),
    Rule(
        "notification",
        "Art. 13",
        "Transit is notified to the Turkish Government through diplomatic channels, "
        "normally 8 days in advance; 15 days is desirable for non-littoral states.",
        15.0,
        "days",
    ),
    Rule(
        "transit_ships",
        "Art. 14",
        "Foreign naval forces in course of transit through the Straits at one time shall "
        "not exceed nine vessels.",
        9.0,
        "ships",
    ),
    Rule(
        "transit_tonnage",
        "Art. 14",
        "The aggregate tonnage of foreign naval forces in course of transit shall not "
        "exceed 15,000 t.",
        15_000.0,
        "t",
    ),
    Rule(
        "wartime_closure",
        "Art. 19 (Art. 20-21 if Türkiye is belligerent or threatened)",
        "In wartime, Türkiye not belligerent, warships of belligerent states shall not "
        "pass the Straits except to return to their base; Türkiye declared the war in "
        "Ukraine a war under the Convention on 28 Feb 2022 and has since declined passage "
        "to warships heading for the Black Sea.",
        None,
        "",
        source=_TREATY + "; Türkiye's Foreign Minister M. Çavuşoğlu, 27-28 Feb 2022 "
        "(reported e.g. by Reuters, 'Turkey to implement pact limiting Russian warships' "
        "passage to Black Sea', 28 Feb 2022)",
    ),
)

Status = Literal["ok", "info", "constraint", "violation"]


@dataclass(frozen=True)
class Ship:
    """A warship of a mission.

    Attributes
    ----------
    name : str
        Its name (for the findings).
    flag_iso : str
        Flag state, ISO 3166-1 alpha-3 (``"ROU"``).
    tonnage_t : float
        Standard displacement, metric tons (> 0).
    kind : str
        One of :data:`SHIP_KINDS`.

    Raises
    ------
    garant.errors.DataError
        On an empty name, an unknown flag code, a tonnage that is not a positive
        finite number, or an unknown kind.
    """

    name: str
    flag_iso: str
    tonnage_t: float
    kind: str

    def __post_init__(self) -> None:
        label = f"ship {self.name!r}"
        if not str(self.name).strip():
            raise DataError("ship: empty name")
        if not isinstance(self.flag_iso, str) or self.flag_iso not in ISO3_CODES:
            raise DataError(
                f"{label}: flag_iso {self.flag_iso!r} is not an ISO 3166-1 alpha-3 code"
            )
        try:
            tonnage = float(self.tonnage_t)
        except (TypeError, ValueError):
            raise DataError(f"{label}: tonnage_t {self.tonnage_t!r} is not a number") from None
        if not math.isfinite(tonnage) or tonnage <= 0:
            raise DataError(f"{label}: tonnage_t {self.tonnage_t!r} must be positive and finite")
        if self.kind not in SHIP_KINDS:
            raise DataError(f"{label}: kind {self.kind!r} is not one of {', '.join(SHIP_KINDS)}")

    @property
    def littoral(self) -> bool:
        """True when the flag state has a Black Sea coast."""
        return self.flag_iso in LITTORAL_ISO3


@dataclass(frozen=True)
class Finding:
    """The outcome of one rule for one mission.

    Attributes
    ----------
    rule : str
        Id in :data:`RULES`.
    article : str
        Article of the Convention.
    status : {"ok", "info", "constraint", "violation"}
        ``violation``: the mission as defined breaks the rule; ``constraint``: it can
        comply but the rule shapes it (rotation, transit in groups); ``info``: a
        procedural duty; ``ok``: nothing to do.
    message : str
        One sentence for a report.
    """

    rule: str
    article: str
    status: Status
    message: str


def _t(x: float) -> str:
    return f"{x:,.0f} t"


_KIND_PLURALS: dict[str, str] = {
    "patrol": "patrol vessels",
    "amphibious": "amphibious ships",
    "auxiliary": "auxiliaries",
    "aircraft_carrier": "aircraft carriers",
}


def _count_kind(n: int, kind: str) -> str:
    if n == 1:
        singular = {"patrol": "patrol vessel", "amphibious": "amphibious ship"}
        return f"1 {singular.get(kind, kind.replace('_', ' '))}"
    return f"{n} {_KIND_PLURALS.get(kind, kind + 's')}"


def _finding(rule: str, status: Status, message: str) -> Finding:
    return Finding(rule, RULES[rule].article, status, message)


def transit_groups(
    tonnages_t: Sequence[float],
    *,
    max_ships: int = 9,
    max_tonnage_t: float = 15_000.0,
) -> list[list[int]]:
    """Split ships into transit groups that respect Art. 14 (first-fit decreasing).

    Parameters
    ----------
    tonnages_t : sequence of float
        Standard displacement of each ship, t.
    max_ships : int
        Most ships in transit at one time.
    max_tonnage_t : float
        Most aggregate tonnage in transit at one time, t.

    Returns
    -------
    list of list of int
        Indices into ``tonnages_t``, one list per group, heaviest group first. A ship
        heavier than ``max_tonnage_t`` forms a group of its own (it cannot pass under
        Art. 14 at all; :func:`check_mission` reports it).
    """
    order = sorted(range(len(tonnages_t)), key=lambda i: -float(tonnages_t[i]))
    groups: list[list[int]] = []
    loads: list[float] = []
    for i in order:
        t = float(tonnages_t[i])
        for g, load in enumerate(loads):
            if len(groups[g]) < max_ships and load + t <= max_tonnage_t:
                groups[g].append(i)
                loads[g] += t
                break
        else:
            groups.append([i])
            loads.append(t)
    return groups


def _kind_summary(ships: Sequence[Ship], non: Sequence[Ship]) -> str:
    total = Counter(s.kind for s in ships)
    nonc = Counter(s.kind for s in non)
    parts = [f"{nonc[k]} of {_count_kind(total[k], k)}" for k in SHIP_KINDS if nonc[k] and total[k]]
    return ", ".join(parts)


def check_mission(
    ships: Sequence[Ship],
    *,
    days_in_sea: float,
    turkey_closed: bool = True,
) -> list[Finding]:
    """Check a naval mission in the Black Sea against the Montreux Convention.

    Parameters
    ----------
    ships : sequence of Ship
        The mission's warships (at least one).
    days_in_sea : float
        How long the mission stays in the Black Sea, days (> 0).
    turkey_closed : bool
        Whether Türkiye applies Art. 19 and keeps the Straits closed to warships
        heading for the Black Sea (its practice since 28 February 2022).

    Returns
    -------
    list of Finding
        In this order: stay (Art. 18(2)), aggregate tonnage (Art. 18(1)(a)-(b)),
        per-state share (Art. 18(1)(c)), ship size and barred kinds (Art. 10, 12,
        Annex II), transit (Art. 14), notification (Art. 13), closure (Art. 19).

    Raises
    ------
    garant.errors.DataError
        On an empty mission, an element that is not a :class:`Ship`, duplicate ship
        names, or ``days_in_sea`` not positive and finite.
    """
    if not ships:
        raise DataError("mission: no ships (a mission needs at least one warship)")
    bad = [repr(s) for s in ships if not isinstance(s, Ship)]
    if bad:
        raise DataError(f"mission: {bad[0]} is not a Ship")
    dup = [n for n, c in Counter(s.name for s in ships).items() if c > 1]
    if dup:
        raise DataError(f"mission: ship name {dup[0]!r} appears more than once")
    try:
        days = float(days_in_sea)
    except (TypeError, ValueError):
        raise DataError(f"mission: days_in_sea {days_in_sea!r} is not a number") from None
    if not math.isfinite(days) or days <= 0:
        raise DataError(f"mission: days_in_sea {days_in_sea!r} must be positive and finite")

    non = [s for s in ships if not s.littoral]
    n, n_non = len(ships), len(non)
    non_t = sum(s.tonnage_t for s in non)
    out: list[Finding] = []

    # Art. 18(2): 21-day stay.
    stay = RULES["max_stay"].value or 21.0
    if not non:
        out.append(_finding("max_stay", "ok", f"All {n} ships are littoral: no limit on stay."))
    else:
        head = f"{n_non} of {n} ships are non-littoral ({_kind_summary(ships, non)})"
        if days <= stay:
            out.append(
                _finding(
                    "max_stay",
                    "ok",
                    f"{head}: a {days:g}-day mission fits within the {stay:g}-day stay.",
                )
            )
        else:
            rotations = math.ceil(days / stay)
            out.append(
                _finding(
                    "max_stay",
                    "constraint",
                    f"{head}: 21-day rotation required; a {days:g}-day mission needs "
                    f"{rotations} successive groups of non-littoral ships.",
                )
            )

    # Art. 18(1)(a)-(b): aggregate tonnage.
    limit = RULES["aggregate_tonnage"].value or 30_000.0
    limit_max = RULES["aggregate_tonnage_max"].value or 45_000.0
    if not non:
        out.append(_finding("aggregate_tonnage", "ok", "No non-littoral tonnage in the sea."))
    elif non_t <= limit:
        out.append(
            _finding(
                "aggregate_tonnage",
                "ok",
                f"Aggregate non-littoral tonnage {_t(non_t)} within the {_t(limit)} limit "
                f"({_t(limit - non_t)} left for other non-littoral warships present).",
            )
        )
    else:
        beyond = "also above" if non_t > limit_max else "within"
        out.append(
            _finding(
                "aggregate_tonnage",
                "violation",
                f"Aggregate non-littoral tonnage {_t(non_t)} exceeds the {_t(limit)} limit "
                f"({beyond} the {_t(limit_max)} that Art. 18(1)(b) allows at most).",
            )
        )

    # Art. 18(1)(c): two thirds per state.
    share = RULES["per_state_share"].value or 2.0 / 3.0
    per_state: dict[str, float] = {}
    for s in non:
        per_state[s.flag_iso] = per_state.get(s.flag_iso, 0.0) + s.tonnage_t
    cap = share * limit
    over = {k: v for k, v in per_state.items() if v > cap}
    if not non:
        out.append(_finding("per_state_share", "ok", "No non-littoral state present."))
    elif over:
        desc = ", ".join(f"{k} {_t(v)}" for k, v in sorted(over.items()))
        out.append(
            _finding(
                "per_state_share",
                "violation",
                f"{desc} above two thirds of the aggregate limit ({_t(cap)} per state).",
            )
        )
    else:
        top, top_t = max(per_state.items(), key=lambda kv: kv[1])
        out.append(
            _finding(
                "per_state_share",
                "ok",
                f"Largest non-littoral contribution {top} {_t(top_t)} within two thirds "
                f"of the aggregate limit ({_t(cap)}).",
            )
        )

    # Art. 10 and Annex II: size and kind.
    size = RULES["ship_size"].value or 10_000.0
    heavy = [s for s in non if s.tonnage_t > size]
    if heavy:
        desc = ", ".join(f"{s.name} ({s.flag_iso}, {_t(s.tonnage_t)})" for s in heavy)
        out.append(
            _finding(
                "ship_size",
                "violation",
                f"{desc}: non-littoral ships above {_t(size)} are not light surface "
                "vessels and cannot enter the Black Sea.",
            )
        )
    else:
        out.append(
            _finding(
                "ship_size",
                "ok",
                f"Every non-littoral ship is at most {_t(size)}."
                if non
                else "No non-littoral ship.",
            )
        )
    barred = [s for s in non if s.kind in _BARRED_KINDS]
    if barred:
        desc = ", ".join(f"{s.name} ({s.flag_iso} {s.kind.replace('_', ' ')})" for s in barred)
        out.append(
            _finding(
                "barred_kinds",
                "violation",
                f"{desc}: submarines and aircraft carriers of non-littoral states cannot "
                "enter the Black Sea.",
            )
        )
    else:
        out.append(
            _finding("barred_kinds", "ok", "No submarine or carrier of a non-littoral state.")
        )

    # Art. 14: transit groups.
    max_ships = int(RULES["transit_ships"].value or 9)
    max_tr = RULES["transit_tonnage"].value or 15_000.0
    if not non:
        out.append(
            _finding(
                "transit_tonnage",
                "ok",
                "No ship needs to pass the Straits (littoral ships assumed in the sea).",
            )
        )
    else:
        groups = transit_groups([s.tonnage_t for s in non], max_ships=max_ships)
        if len(groups) == 1:
            out.append(
                _finding(
                    "transit_tonnage",
                    "ok",
                    f"The {n_non} non-littoral ships ({_t(non_t)}) can pass in one group "
                    f"(at most {max_ships} ships and {_t(max_tr)} in transit).",
                )
            )
        else:
            out.append(
                _finding(
                    "transit_tonnage",
                    "constraint",
                    f"The {n_non} non-littoral ships ({_t(non_t)}) must pass in "
                    f"{len(groups)} groups (at most {max_ships} ships and {_t(max_tr)} "
                    "in transit at one time).",
                )
            )

    # Art. 13: notification.
    if non:
        out.append(
            _finding(
                "notification",
                "info",
                "Notify the Turkish Government through diplomatic channels 15 days before "
                f"the transit of the {n_non} non-littoral ships (8 days for littoral states).",
            )
        )
    else:
        out.append(
            _finding(
                "notification",
                "info",
                "Littoral ships passing the Straits notify Türkiye 8 days in advance.",
            )
        )

    # Art. 19: wartime closure.
    if not turkey_closed:
        out.append(
            _finding(
                "wartime_closure",
                "ok",
                "Türkiye lets warships pass (Art. 19 not applied): peacetime limits above apply.",
            )
        )
    elif non:
        flags = ", ".join(sorted({s.flag_iso for s in non}))
        littoral = sorted({s.flag_iso for s in ships if s.littoral})
        rest = (
            f"only the littoral ships ({', '.join(littoral)}) already inside can take part"
            if littoral
            else "no ship of this mission can take part"
        )
        out.append(
            _finding(
                "wartime_closure",
                "violation",
                f"{n_non} of {n} ships ({flags}) are non-littoral warships and cannot pass "
                f"while Türkiye applies Art. 19: {rest} unless Türkiye opens the Straits.",
            )
        )
    else:
        out.append(
            _finding(
                "wartime_closure",
                "ok",
                "All ships are littoral and already in the Black Sea: the closure of the "
                "Straits under Art. 19 does not bar the mission.",
            )
        )
    logger.debug("montreux check: %d ships, %d findings", n, len(out))
    return out
