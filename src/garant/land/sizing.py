"""Sizing a land force from the line it must cover: mission types, rules and history.

Pure computation over the sourced parameters of ``garant/data/land/missions.toml``
(:func:`load_missions`) and the historical missions of
``garant/data/land/history.toml`` (:func:`load_history`).

Each mission type has one rule that gives the *combat* troops on station:

``per_km`` (observation)
    ``density_persons_per_km`` x line length (km).
``per_sector`` (tripwire)
    ``persons_per_sector`` x number of sectors the line crosses.
``per_city`` (reassurance)
    ``persons_per_city`` x number of key cities (``cities``).
``frontage`` (forward defence)
    per sector, ``ceil(sector length / brigade_frontage_km)`` brigades on the line,
    times ``brigade_size`` x (1 + ``reserve_ratio``).

Then ``deployed = combat x (1 + support_ratio)`` (enablers and support: the
tooth-to-tail ratio) and ``total = deployed x rotation_factor`` (units needed
to keep one deployed). Bounds take every combination of the quantities' low and
high ends (the rules are monotone, so the corners hold the extremes).
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from garant.errors import DataError, NotFoundError
from garant.land.catalog import LandQuantity, keyed_ids, read_toml, validate
from garant.land.geometry import Front

__all__ = [
    "CAPABILITIES",
    "MISSION_TYPES",
    "ForceRequirement",
    "HistoricalMission",
    "History",
    "Mission",
    "Missions",
    "default_history",
    "default_missions",
    "historical_comparison",
    "load_history",
    "load_missions",
    "size_force",
]

#: Capabilities a force is broken down into (the mix of every mission and pledge).
CAPABILITIES: tuple[str, ...] = (
    "infantry",
    "armour",
    "air_defence",
    "engineers",
    "medical",
    "isr",
    "logistics",
)
#: The bundled mission types.
MISSION_TYPES: tuple[str, ...] = ("observation", "tripwire", "reassurance", "forward_defence")

Rule = Literal["per_km", "per_sector", "per_city", "frontage"]

#: Quantities each rule needs, with their units.
_RULE_FIELDS: dict[str, dict[str, str]] = {
    "per_km": {"density_persons_per_km": "persons/km"},
    "per_sector": {"persons_per_sector": "persons/sector"},
    "per_city": {"persons_per_city": "persons/city"},
    "frontage": {
        "brigade_frontage_km": "km/brigade",
        "brigade_size": "persons/brigade",
        "reserve_ratio": "ratio",
    },
}
_MIX_TOLERANCE = 1e-6


class Mission(BaseModel):
    """One mission type: its rule, the rule's quantities, support, rotation and mix.

    Attributes
    ----------
    id : str
        Key (``observation``, ``tripwire``...).
    label : str
        Display name.
    rule : str
        ``per_km``, ``per_sector``, ``per_city`` or ``frontage`` (see the module).
    density_persons_per_km, persons_per_sector, persons_per_city : LandQuantity, optional
        The parameter of the ``per_km``, ``per_sector`` and ``per_city`` rules.
    brigade_frontage_km, brigade_size, reserve_ratio : LandQuantity, optional
        The parameters of the ``frontage`` rule.
    support_ratio : LandQuantity
        Support and enabler troops per combat troop.
    rotation_factor : LandQuantity
        Troops in the force per troop deployed (>= 1).
    cities : tuple of str
        Key cities (``per_city`` rule).
    mix : dict
        Share of the deployed force per capability (:data:`CAPABILITIES`), summing to 1.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    label: str
    rule: Rule
    density_persons_per_km: LandQuantity | None = None
    persons_per_sector: LandQuantity | None = None
    persons_per_city: LandQuantity | None = None
    brigade_frontage_km: LandQuantity | None = None
    brigade_size: LandQuantity | None = None
    reserve_ratio: LandQuantity | None = None
    support_ratio: LandQuantity
    rotation_factor: LandQuantity
    cities: tuple[str, ...] = ()
    mix: dict[str, float]

    _common: ClassVar[dict[str, str]] = {"support_ratio": "ratio", "rotation_factor": "ratio"}

    @field_validator("mix")
    @classmethod
    def _mix(cls, v: dict[str, float]) -> dict[str, float]:
        bad = [k for k in v if k not in CAPABILITIES]
        if bad:
            raise ValueError(
                f"unknown capability {', '.join(map(repr, bad))} "
                f"(expected {', '.join(CAPABILITIES)})"
            )
        neg = [k for k, x in v.items() if not (math.isfinite(x) and x >= 0)]
        if neg:
            raise ValueError(f"share of {', '.join(neg)} must be finite and non-negative")
        total = sum(v.values())
        if abs(total - 1.0) > _MIX_TOLERANCE:
            raise ValueError(f"shares sum to {total:g}, not 1")
        return {c: float(v.get(c, 0.0)) for c in CAPABILITIES}

    @model_validator(mode="after")
    def _check(self) -> Mission:
        need = _RULE_FIELDS[self.rule]
        problems = []
        for name, unit in {**need, **self._common}.items():
            q = getattr(self, name)
            if q is None:
                problems.append(f"{name}: missing field (rule {self.rule!r} needs it)")
            elif q.unit != unit:
                problems.append(f"{name}: unit {q.unit!r} should be {unit!r}")
        others = {n for f in _RULE_FIELDS.values() for n in f} - set(need)
        extra = sorted(n for n in others if getattr(self, n) is not None)
        if extra:
            problems.append(f"{', '.join(extra)}: not used by rule {self.rule!r}")
        if self.rotation_factor.low < 1.0:
            problems.append(
                "rotation_factor: low below 1 (a force cannot be smaller than its deployed part)"
            )
        fr = self.brigade_frontage_km
        if self.rule == "frontage" and fr is not None and fr.low <= 0:
            problems.append("brigade_frontage_km: low must be positive")
        if self.rule == "per_city" and not self.cities:
            problems.append("cities: rule 'per_city' needs at least one city")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def quantities(self) -> dict[str, LandQuantity]:
        """The quantities this mission uses, by field name (rule first, then support, rotation)."""
        names = [*_RULE_FIELDS[self.rule], "support_ratio", "rotation_factor"]
        return {n: q for n in names if (q := getattr(self, n)) is not None}


@dataclass(frozen=True)
class Missions:
    """The mission catalogue.

    Attributes
    ----------
    missions : dict
        :class:`Mission` by id, in file order.
    path : str
        Where it was read from (the bundled file, plus overrides).
    """

    missions: Mapping[str, Mission]
    path: str

    def get(self, mission_type: str) -> Mission:
        """Return a mission type by id.

        Raises
        ------
        NotFoundError
            Unknown id.
        """
        try:
            return self.missions[mission_type]
        except KeyError:
            raise NotFoundError(
                f"mission type {mission_type!r}: unknown (expected one of "
                f"{', '.join(self.missions)})"
            ) from None

    def to_frame(self) -> pd.DataFrame:
        """Every mission quantity as a row.

        Returns
        -------
        pandas.DataFrame
            Columns ``mission, field, value, low, high, unit, provenance``.
        """
        rows = []
        for mid, m in self.missions.items():
            for name, q in m.quantities().items():
                rows.append(
                    {
                        "mission": mid,
                        "field": name,
                        "value": q.value,
                        "low": q.low,
                        "high": q.high,
                        "unit": q.unit,
                        "provenance": q.provenance,
                    }
                )
        return pd.DataFrame(rows)


class _MissionsDoc(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    missions: dict[str, Mission]


def _mission_problems(
    raw: Mapping[str, Any], label: str, text: str | None
) -> tuple[dict[str, Mission], list[str]]:
    from pydantic import ValidationError

    from garant._toml import pydantic_problems as _pydantic_problems
    from garant._toml import where as _where

    good: dict[str, Any] = {}
    problems: list[str] = []
    for mid, entry in raw.items():
        if not isinstance(entry, Mapping):
            problems.append(f"{_where(label, text, ['missions', mid])}: not a table")
        else:
            good[mid] = {**entry, "id": mid}
    try:
        doc = _MissionsDoc.model_validate({"missions": good})
    except ValidationError as exc:
        return {}, problems + _pydantic_problems(label, text, exc)
    return dict(doc.missions), problems


def _merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if key in out and isinstance(out[key], dict) and isinstance(value, Mapping):
            # A quantity (has "value") or a mix is replaced as a whole; a mission
            # table is merged field by field.
            if "value" in value or key == "mix":
                out[key] = dict(value)
            else:
                out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def load_missions(
    path: str | Path | None = None, *, overrides: str | Path | Mapping[str, Any] | None = None
) -> Missions:
    """Load the mission catalogue, optionally with user overrides.

    Parameters
    ----------
    path : path-like, optional
        A complete catalogue with the layout of the bundled
        ``garant/data/land/missions.toml``; None reads the bundled file.
    overrides : path-like or mapping, optional
        A TOML file (or the parsed mapping) with the same layout whose fields
        replace or extend the catalogue's: a quantity or a mix is replaced as a
        whole, other fields one by one; a new mission id must be complete.

    Returns
    -------
    Missions

    Raises
    ------
    ConfigError
        A field is missing, unknown, of the wrong unit, out of range, without a
        source or assumption, or a mix does not sum to 1 (each problem names
        ``file:line: field``).
    NotFoundError
        A file does not exist.
    """
    label, text, data = read_toml(path, "missions.toml")
    problems: list[str] = []
    _check_top(data, label, text, problems)
    raw: dict[str, Any] = dict(data.get("missions") or {})
    origin: dict[str, tuple[str, str | None]] = dict.fromkeys(raw, (label, text))
    if overrides is not None:
        if isinstance(overrides, Mapping):
            olabel, otext, odata = "overrides", None, dict(overrides)
        else:
            olabel, otext, odata = read_toml(overrides, "missions.toml")
        _check_top(odata, olabel, otext, problems)
        over = odata.get("missions") or {}
        if not isinstance(over, Mapping):
            problems.append(f"{olabel}: missions: not a table")
            over = {}
        for mid, entry in over.items():
            base = raw.get(mid)
            if isinstance(base, dict) and isinstance(entry, Mapping):
                raw[mid] = _merge(base, entry)
            else:
                raw[mid] = entry
            origin[mid] = (olabel, otext)
        label = f"{label} + {olabel}"
    missions: dict[str, Mission] = {}
    for mid, entry in raw.items():
        lab, txt = origin[mid]
        got, probs = _mission_problems({mid: entry}, lab, txt)
        missions.update(got)
        problems.extend(probs)
    if not problems and not missions:
        problems.append(f"{label}: no [missions.<id>] tables")
    _raise_all(problems, "land missions")
    return Missions(missions=missions, path=label)


def _check_top(data: Mapping[str, Any], label: str, text: str | None, problems: list[str]) -> None:
    from garant._toml import where as _where

    for key in data:
        if key not in ("version", "missions"):
            problems.append(f"{_where(label, text, [key])}: unknown field")
    if "missions" in data and not isinstance(data["missions"], Mapping):
        problems.append(f"{_where(label, text, ['missions'])}: not a table")


def _raise_all(problems: Sequence[str], what: str) -> None:
    from garant._toml import raise_problems as _raise

    _raise(problems, what)


@functools.cache
def default_missions() -> Missions:
    """Return the bundled mission catalogue (cached)."""
    return load_missions()


# --------------------------------------------------------------------------- sizing


@dataclass(frozen=True)
class ForceRequirement:
    """What a mission type needs along a front.

    Attributes
    ----------
    mission : str
        Mission type id.
    label : str
        Its display name.
    rule : str
        The sizing rule.
    line_km : float
        Length of the line covered, km.
    combat_troops : float
        Troops on station doing the mission (before support).
    deployed_troops : float
        Combat plus support troops in theatre.
    total_troops_with_rotation : float
        The force that keeps ``deployed_troops`` deployed (x rotation factor).
    deployed_low, deployed_high, total_low, total_high : float
        Bounds from the quantities' ranges.
    by_capability : dict
        Deployed troops by capability (:data:`CAPABILITIES`).
    table : pandas.DataFrame
        Per sector (or per city for ``per_city``): ``unit`` (sector or city),
        ``length_km`` (sectors), ``brigades`` (``frontage``), ``combat_troops``,
        ``deployed_troops``.
    provenance : list of str
        ``field: source or assumption`` of every quantity used.
    parameters : dict
        Value of every quantity used, by field.
    """

    mission: str
    label: str
    rule: str
    line_km: float
    combat_troops: float
    deployed_troops: float
    total_troops_with_rotation: float
    deployed_low: float
    deployed_high: float
    total_low: float
    total_high: float
    by_capability: dict[str, float]
    table: pd.DataFrame = field(repr=False)
    provenance: list[str] = field(repr=False)
    parameters: dict[str, float] = field(repr=False)

    @property
    def support_troops(self) -> float:
        """Deployed troops that are not combat troops."""
        return self.deployed_troops - self.combat_troops

    def summary(self) -> pd.DataFrame:
        """Headline numbers as rows.

        Returns
        -------
        pandas.DataFrame
            Columns ``metric, value, low, high, unit``.
        """
        rows = [
            ("line_km", self.line_km, self.line_km, self.line_km, "km"),
            ("combat_troops", self.combat_troops, math.nan, math.nan, "persons"),
            (
                "deployed_troops",
                self.deployed_troops,
                self.deployed_low,
                self.deployed_high,
                "persons",
            ),
            (
                "total_troops_with_rotation",
                self.total_troops_with_rotation,
                self.total_low,
                self.total_high,
                "persons",
            ),
        ]
        rows += [
            (f"deployed_{c}", v, math.nan, math.nan, "persons")
            for c, v in self.by_capability.items()
        ]
        return pd.DataFrame(rows, columns=["metric", "value", "low", "high", "unit"])

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (the table as records)."""
        return {
            "mission": self.mission,
            "label": self.label,
            "rule": self.rule,
            "line_km": self.line_km,
            "combat_troops": self.combat_troops,
            "deployed_troops": self.deployed_troops,
            "deployed_low": self.deployed_low,
            "deployed_high": self.deployed_high,
            "total_troops_with_rotation": self.total_troops_with_rotation,
            "total_low": self.total_low,
            "total_high": self.total_high,
            "by_capability": dict(self.by_capability),
            "parameters": dict(self.parameters),
            "table": self.table.to_dict(orient="records"),
            "provenance": list(self.provenance),
        }


def _units_table(mission: Mission, front: Front) -> pd.DataFrame:
    """Sector (or city) rows with their length; the rule's multiplier comes later."""
    if mission.rule == "per_city":
        return pd.DataFrame({"unit": list(mission.cities), "length_km": math.nan})
    sec = front.sectors
    if len(sec) == 0:
        return pd.DataFrame({"unit": ["line"], "length_km": [front.length_km]})
    return pd.DataFrame(
        {"unit": sec["sector"].astype(str).to_list(), "length_km": sec["length_km"].astype(float)}
    ).reset_index(drop=True)


def _combat(rule: str, p: Mapping[str, float], table: pd.DataFrame, line_km: float) -> pd.Series:
    """Combat troops per row of ``table`` under parameters ``p``."""
    if rule == "per_km":
        # Scale the sectors so that they add up to the whole line.
        lengths = table["length_km"].astype(float)
        total = float(lengths.sum())
        scale = line_km / total if total > 0 else 0.0
        return lengths * scale * p["density_persons_per_km"]
    if rule == "per_sector":
        return pd.Series(p["persons_per_sector"], index=table.index, dtype=float)
    if rule == "per_city":
        return pd.Series(p["persons_per_city"], index=table.index, dtype=float)
    brigades = _brigades(table["length_km"].astype(float), p["brigade_frontage_km"])
    return brigades * p["brigade_size"] * (1.0 + p["reserve_ratio"])


def _brigades(length_km: pd.Series, frontage_km: float) -> pd.Series:
    return (length_km / frontage_km).apply(math.ceil).astype(float)


def _corners(
    quantities: Mapping[str, LandQuantity], f: Callable[[dict[str, float]], float]
) -> tuple[float, float]:
    names = list(quantities)
    values = [
        f(dict(zip(names, combo, strict=True)))
        for combo in itertools.product(*[(quantities[n].low, quantities[n].high) for n in names])
    ]
    return min(values), max(values)


def size_force(
    mission_type: str,
    front: Front,
    *,
    overrides: str | Path | Mapping[str, Any] | None = None,
    missions: Missions | None = None,
) -> ForceRequirement:
    """Size a force of ``mission_type`` for ``front``.

    Parameters
    ----------
    mission_type : str
        One of the catalogue's mission ids (:data:`MISSION_TYPES` in the bundled one).
    front : Front
        The line to cover (:func:`garant.land.geometry.front_at`).
    overrides : path-like or mapping, optional
        User overrides of the catalogue (see :func:`load_missions`).
    missions : Missions, optional
        A catalogue to use instead of the bundled one (``overrides`` then apply
        on top of the bundled file, not of this).

    Returns
    -------
    ForceRequirement

    Raises
    ------
    NotFoundError
        Unknown mission type.
    DataError
        The front has no line to cover.
    ConfigError
        Invalid overrides.
    """
    if overrides is not None:
        cat = load_missions(overrides=overrides)
    else:
        cat = missions or default_missions()
    mission = cat.get(mission_type)
    line_km = float(front.length_km)
    if not math.isfinite(line_km) or line_km <= 0:
        raise DataError(f"{front.source}: no line to cover (length {line_km:g} km)")
    qs = mission.quantities()
    rule_qs = {n: q for n, q in qs.items() if n not in ("support_ratio", "rotation_factor")}
    table = _units_table(mission, front)
    p = {n: q.value for n, q in qs.items()}
    combat = _combat(mission.rule, p, table, line_km)
    support = 1.0 + p["support_ratio"]
    out = table.copy()
    if mission.rule == "frontage":
        out["brigades"] = _brigades(table["length_km"].astype(float), p["brigade_frontage_km"])
    out["combat_troops"] = combat
    out["deployed_troops"] = combat * support
    combat_total = float(combat.sum())
    deployed = combat_total * support
    total = deployed * p["rotation_factor"]

    def deployed_of(q: dict[str, float]) -> float:
        return float(_combat(mission.rule, q, table, line_km).sum()) * (1.0 + q["support_ratio"])

    dep_qs = {**rule_qs, "support_ratio": qs["support_ratio"]}
    d_lo, d_hi = _corners(dep_qs, deployed_of)
    t_lo, t_hi = _corners(qs, lambda q: deployed_of(q) * q["rotation_factor"])
    return ForceRequirement(
        mission=mission.id,
        label=mission.label,
        rule=mission.rule,
        line_km=line_km,
        combat_troops=combat_total,
        deployed_troops=deployed,
        total_troops_with_rotation=total,
        deployed_low=d_lo,
        deployed_high=d_hi,
        total_low=t_lo,
        total_high=t_hi,
        by_capability={c: deployed * s for c, s in mission.mix.items()},
        table=out,
        provenance=[f"{n}: {q.provenance}" for n, q in qs.items()],
        parameters=p,
    )


# --------------------------------------------------------------------------- history


class HistoricalMission(BaseModel):
    """A mission that held or watched a line.

    Attributes
    ----------
    id, name, kind : str
        Key, display name and kind of mission.
    year : int
        The year the numbers describe.
    troops : LandQuantity
        Troops (or mission members), persons.
    line_km : LandQuantity
        Length of the line covered, km.
    area_km2, population : LandQuantity, optional
        Area (km²) and population (persons) of the area of responsibility.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    _units: ClassVar[dict[str, str]] = {
        "troops": "persons",
        "line_km": "km",
        "area_km2": "km2",
        "population": "persons",
    }

    id: str
    name: str
    kind: str
    year: int
    troops: LandQuantity
    line_km: LandQuantity
    area_km2: LandQuantity | None = None
    population: LandQuantity | None = None

    @model_validator(mode="after")
    def _check(self) -> HistoricalMission:
        bad = [
            f"{n}: unit {q.unit!r} should be {u!r}"
            for n, u in self._units.items()
            if (q := getattr(self, n)) is not None and q.unit != u
        ]
        zero = [
            f"{n}: must be positive"
            for n in ("line_km", "area_km2", "population")
            if (q := getattr(self, n)) is not None and q.value <= 0
        ]
        if bad or zero:
            raise ValueError("; ".join(bad + zero))
        return self


class _UkraineParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    population: LandQuantity


class History(BaseModel):
    """The historical missions and Ukraine's population (``history.toml``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = 1
    ukraine: _UkraineParams
    missions: dict[str, HistoricalMission]

    @model_validator(mode="before")
    @classmethod
    def _ids(cls, data: Any) -> Any:
        return keyed_ids(data, "missions")


def load_history(path: str | Path | None = None) -> History:
    """Load the historical missions.

    Parameters
    ----------
    path : path-like, optional
        A file with the layout of the bundled ``garant/data/land/history.toml``.

    Returns
    -------
    History

    Raises
    ------
    ConfigError
        Invalid content (``file:line: field: problem``).
    """
    label, text, data = read_toml(path, "history.toml")
    return validate(History, data, label=label, text=text, what="land history")


@functools.cache
def default_history() -> History:
    """Return the bundled historical missions (cached)."""
    return load_history()


def _ukraine_controlled_km2(front: Front) -> float:
    import shapely

    from garant.sources import geography

    territory = geography.ukraine_territory()
    free = (
        shapely.difference(territory, front.occupied) if front.occupied is not None else territory
    )
    return float(geography.equal_area_km2([free])[0])


def historical_comparison(
    front: Front, *, history: History | None = None, area_km2: float | None = None
) -> pd.DataFrame:
    """Troop densities of historical missions, and what each implies for ``front``.

    Parameters
    ----------
    front : Front
        Ukraine's line today (or at a date).
    history : History, optional
        Default: the bundled ``history.toml``.
    area_km2 : float, optional
        Area the force would cover, km². Default: Ukraine's territory outside
        the occupied area (EPSG:6933).

    Returns
    -------
    pandas.DataFrame
        One row per mission: ``mission, name, kind, year, troops, line_km,
        area_km2, population, troops_per_km, troops_per_1000km2, troops_per_1000_inhabitants,
        implied_by_line, implied_by_area, implied_by_population`` (the troops the
        same ratio gives for Ukraine's line length, free area and population;
        NaN where a mission has no area or population). ``attrs`` holds
        ``ukraine_line_km``, ``ukraine_area_km2``, ``ukraine_population``.
    """
    hist = history or default_history()
    line_km = float(front.length_km)
    if not math.isfinite(line_km) or line_km <= 0:
        raise DataError(f"{front.source}: no line to compare (length {line_km:g} km)")
    ua_area = float(area_km2) if area_km2 is not None else _ukraine_controlled_km2(front)
    if not (math.isfinite(ua_area) and ua_area > 0):
        raise DataError(f"area_km2 {ua_area:g}: must be positive")
    ua_pop = hist.ukraine.population.value
    rows = []
    for mid, m in hist.missions.items():
        troops = m.troops.value
        area = m.area_km2.value if m.area_km2 is not None else math.nan
        pop = m.population.value if m.population is not None else math.nan
        per_km = troops / m.line_km.value
        per_km2 = troops / area
        per_1000 = troops / pop * 1000.0
        rows.append(
            {
                "mission": mid,
                "name": m.name,
                "kind": m.kind,
                "year": m.year,
                "troops": troops,
                "line_km": m.line_km.value,
                "area_km2": area,
                "population": pop,
                "troops_per_km": per_km,
                "troops_per_1000km2": per_km2 * 1000.0,
                "troops_per_1000_inhabitants": per_1000,
                "implied_by_line": per_km * line_km,
                "implied_by_area": per_km2 * ua_area,
                "implied_by_population": per_1000 * ua_pop / 1000.0,
            }
        )
    df = pd.DataFrame(rows)
    df.attrs.update(ukraine_line_km=line_km, ukraine_area_km2=ua_area, ukraine_population=ua_pop)
    return df
