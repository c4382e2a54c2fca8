"""The air catalogues: threats, launch areas and defences, as validated data.

The catalogues are TOML files bundled with garant (``garant/data/air/``):

``threats.toml``
    ``[threats.<id>]`` tables (a weapon type: class, speed, altitude band, range,
    unit cost) and a ``[class_aliases]`` table that maps record tokens that name
    no particular weapon (``"Unknown UAV"``, ``"Ballistic Missile"``) to a class.
``launch_areas.toml``
    ``[launch_areas.<id>]`` tables (an airbase, launch site, region or sea with a
    point) and ``non_places``, the launch-place tokens of the records that are
    directions rather than places (``"south-east"``).
``defences.toml``
    ``[defences.<id>]`` tables (a unit type: engagement range and single-shot kill
    probability per threat class, magazine, reload time, cost per shot).

Every number is a :class:`Quantity`: a value with an uncertainty range, a unit
and exactly one of ``source`` (a citation) or ``assumption`` (why there is no
public number and how the value was chosen). In TOML a quantity is an inline
table::

    speed_kmh = { value = 185, low = 150, high = 200, unit = "km/h", source = "..." }

User files with the same layout override or extend the bundled entries
(:func:`load_catalog`). Field by field: a quantity is replaced as a whole, the
per-class tables ``range_km`` and ``pk`` are merged class by class, and an id
that is not yet in the catalogue must be a complete entry. All problems are
collected and raised as one :class:`~garant.errors.ConfigError`.
"""

from __future__ import annotations

import functools
import logging
import math
import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, ClassVar, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from garant._toml import override_paths
from garant.air.classes import DEFENCE_KINDS, THREAT_CLASSES
from garant.errors import ConfigError

__all__ = [
    "LAUNCH_AREA_KINDS",
    "UNITS",
    "Catalog",
    "ClassAlias",
    "Defence",
    "LaunchArea",
    "Quantity",
    "Threat",
    "default_catalog",
    "load_catalog",
    "normalise_name",
    "split_tokens",
]

logger = logging.getLogger(__name__)

#: Units a :class:`Quantity` may carry. Every one of them is non-negative.
UNITS: tuple[str, ...] = (
    "km",
    "km/h",
    "m",
    "kg",
    "h",
    "USD",
    "shots",
    "persons",
    "probability",
)

#: Kinds of launch area.
LAUNCH_AREA_KINDS: tuple[str, ...] = ("airbase", "launch_site", "region", "sea")

_SECTIONS: tuple[str, ...] = ("threats", "launch_areas", "defences")
_TOP_KEYS: frozenset[str] = frozenset({*_SECTIONS, "version", "class_aliases", "non_places"})
_BUNDLED: dict[str, str] = {
    "threats": "threats.toml",
    "launch_areas": "launch_areas.toml",
    "defences": "defences.toml",
}
_CATALOG_VERSION = 1
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_]*$")
_FRAME_COLUMNS = [
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


def normalise_name(name: str) -> str:
    """Return a lookup key for a weapon or place name.

    Parameters
    ----------
    name : str
        A name as written in a record or a catalogue.

    Returns
    -------
    str
        The name with surrounding whitespace removed, inner runs of whitespace
        collapsed to one space, and case folded.
    """
    return " ".join(str(name).split()).casefold()


def split_tokens(text: str) -> list[str]:
    """Split a bundled record field (``"X-101/X-555 and Kalibr"``) into tokens.

    Parameters
    ----------
    text : str
        A ``model`` or ``launch_place`` value of the Air Force records.

    Returns
    -------
    list of str
        The parts between ``" and "``, stripped, without empty parts; a stray
        leading ``"and "`` (the records contain ``"... and and Shatalovo"``) is
        dropped.
    """
    out = []
    for part in str(text).split(" and "):
        token = " ".join(part.split())
        while token.casefold().startswith("and "):
            token = token[4:].strip()
        if token and token.casefold() != "and":
            out.append(token)
    return out


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Quantity(_Frozen):
    """A number with its uncertainty range, unit and provenance.

    Attributes
    ----------
    value : float
        The best estimate, in ``unit``.
    low, high : float
        The uncertainty range (``low <= value <= high``), in ``unit``.
    unit : str
        One of :data:`UNITS`; ``"probability"`` values lie within [0, 1].
    source : str or None
        A citation (organisation or publication, title, year, URL).
    assumption : str or None
        Why there is no public number and how the value was chosen. Exactly one
        of ``source`` and ``assumption`` is given.
    """

    #: The units this kind of quantity may carry (subclasses for other domains,
    #: e.g. the sea mission's :class:`~garant.sea.sizing.SeaQuantity`, override it).
    allowed_units: ClassVar[tuple[str, ...]] = UNITS

    value: float
    low: float
    high: float
    unit: str
    source: str | None = None
    assumption: str | None = None

    @model_validator(mode="after")
    def _check(self) -> Quantity:
        problems = []
        for name in ("value", "low", "high"):
            x = getattr(self, name)
            if not math.isfinite(x):
                problems.append(f"{name} {x} is not finite")
        units = type(self).allowed_units
        if self.unit not in units:
            problems.append(f"unit {self.unit!r} is not one of {', '.join(units)}")
        if not problems:
            if self.low > self.high:
                problems.append(f"low {_fmt(self.low)} > high {_fmt(self.high)}")
            elif not self.low <= self.value <= self.high:
                problems.append(
                    f"value {_fmt(self.value)} outside its range "
                    f"[{_fmt(self.low)}, {_fmt(self.high)}]"
                )
            upper = 1.0 if self.unit == "probability" else math.inf
            for name in ("value", "low", "high"):
                x = getattr(self, name)
                if not 0.0 <= x <= upper:
                    bound = "[0, 1]" if upper == 1.0 else "[0, inf) for unit " + repr(self.unit)
                    problems.append(f"{name} {_fmt(x)} outside {bound}")
        has_source = bool(self.source and self.source.strip())
        has_assumption = bool(self.assumption and self.assumption.strip())
        if has_source and has_assumption:
            problems.append("has both a source and an assumption (give exactly one)")
        elif not (has_source or has_assumption):
            problems.append("needs a source or an assumption")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def provenance(self) -> str:
        """The source, or ``"assumption: ..."``."""
        return self.source if self.source else f"assumption: {self.assumption}"


def _fmt(x: float) -> str:
    return f"{x:g}"


def _check_classes(value: Iterable[str]) -> None:
    bad = [c for c in value if c not in THREAT_CLASSES]
    if bad:
        raise ValueError(
            f"unknown threat class {', '.join(map(repr, bad))} "
            f"(expected one of {', '.join(THREAT_CLASSES)})"
        )


def _check_id(value: str) -> str:
    if not _ID_RE.match(value):
        raise ValueError(f"id {value!r} must be lower-case letters, digits and '_'")
    return value


class _Entry(_Frozen):
    #: Expected unit of every quantity field (checked after parsing).
    _units: ClassVar[dict[str, str]] = {}

    id: str
    name: str

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        return _check_id(v)

    def unit_problems(self) -> list[tuple[tuple[str, ...], str]]:
        """Quantities whose unit differs from the one the field expects."""
        out: list[tuple[tuple[str, ...], str]] = []
        for name, unit in self._units.items():
            value = getattr(self, name)
            items: Iterable[tuple[tuple[str, ...], Any]]
            if isinstance(value, Mapping):
                items = (((name, k), q) for k, q in value.items())
            else:
                items = [((name,), value)]
            for loc, q in items:
                if isinstance(q, Quantity) and q.unit != unit:
                    out.append((loc, f"unit {q.unit!r} should be {unit!r}"))
        return out


class Threat(_Entry):
    """A weapon type an attacker launches.

    Attributes
    ----------
    id, name : str
        Catalogue key and display name.
    threat_class : str
        One of :data:`garant.air.classes.THREAT_CLASSES`.
    aliases : list of str
        The exact ``model`` tokens of the Air Force records that denote it.
    is_decoy : bool
        True for drones without a warhead meant to draw fire.
    speed_kmh : Quantity
        Typical speed on the way to the target (terminal speed for ballistic).
    cruise_altitude_m : Quantity
        Flight altitude; ``low``/``high`` are the band.
    range_km : Quantity
        Maximum range.
    unit_cost_usd : Quantity
        Cost of one round to the attacker.
    warhead_kg : Quantity or None
        Warhead mass.
    launch_platforms : list of str
        What launches it (free text).
    notes : str
        Anything else worth knowing.
    """

    _units: ClassVar[dict[str, str]] = {
        "speed_kmh": "km/h",
        "cruise_altitude_m": "m",
        "range_km": "km",
        "unit_cost_usd": "USD",
        "warhead_kg": "kg",
    }

    threat_class: str
    aliases: list[str] = []
    is_decoy: bool = False
    speed_kmh: Quantity
    cruise_altitude_m: Quantity
    range_km: Quantity
    unit_cost_usd: Quantity
    warhead_kg: Quantity | None = None
    launch_platforms: list[str] = []
    notes: str = ""

    @field_validator("threat_class")
    @classmethod
    def _class(cls, v: str) -> str:
        _check_classes([v])
        return v


class LaunchArea(_Entry):
    """Where threats are launched from: an airbase, launch site, region or sea.

    Attributes
    ----------
    id, name : str
        Catalogue key and display name.
    aliases : list of str
        The free-text ``launch_place`` tokens of the records that denote it.
    lon, lat : float
        The site (EPSG:4326, degrees), or a representative point for a region or
        sea (``note`` says which).
    kind : str
        One of :data:`LAUNCH_AREA_KINDS`.
    threat_classes : list of str
        Classes launched from it.
    source : str
        Where the coordinates and the use come from.
    note : str
        What the point stands for.
    """

    aliases: list[str] = []
    lon: float
    lat: float
    kind: Literal["airbase", "launch_site", "region", "sea"]
    threat_classes: list[str]
    source: str
    note: str = ""

    @field_validator("threat_classes")
    @classmethod
    def _classes(cls, v: list[str]) -> list[str]:
        _check_classes(v)
        return v

    @field_validator("lon")
    @classmethod
    def _lon(cls, v: float) -> float:
        if not -180.0 <= v <= 180.0:
            raise ValueError(f"lon {v:g} outside [-180, 180]")
        return v

    @field_validator("lat")
    @classmethod
    def _lat(cls, v: float) -> float:
        if not -90.0 <= v <= 90.0:
            raise ValueError(f"lat {v:g} outside [-90, 90]")
        return v

    @field_validator("source")
    @classmethod
    def _source(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("source must not be empty")
        return v


class Defence(_Entry):
    """A defence unit type: a fire unit, a fighter on patrol, a jammer, an ISR aircraft.

    Attributes
    ----------
    id, name : str
        Catalogue key and display name.
    kind : str
        One of :data:`garant.air.classes.DEFENCE_KINDS`.
    operators : list of str
        Who fields it (in or for Ukraine).
    notes : str
        Anything else worth knowing (what one "shot" is, doctrine).
    range_km : dict of str to Quantity
        Engagement range per threat class (km); an absent class cannot be
        engaged. For fighters: the radius of the patrol area they cover.
    pk : dict of str to Quantity
        Single-shot kill probability per threat class (``"probability"``). For
        electronic warfare: the probability that a drone is lost to jamming.
    magazine : Quantity
        Ready shots per fire unit, or missiles per aircraft sortie (``"shots"``).
    reload_h : Quantity
        Time to reload a fire unit or turn an aircraft around (h).
    cost_per_shot_usd : Quantity
        Cost of one shot (a missile, a burst, a drone) (USD).
    shots_per_engagement : int
        Shots fired at one target per engagement (2 under salvo doctrine).
    shoots : bool
        False for ISR and reconnaissance-only units.
    detect_range_km : Quantity or None
        Detection range (km), for ISR and radars.
    unit_cost_usd : Quantity or None
        Cost of one fire unit / aircraft (USD).
    crew : Quantity or None
        Crew per fire unit / aircraft (persons).
    """

    _units: ClassVar[dict[str, str]] = {
        "range_km": "km",
        "pk": "probability",
        "magazine": "shots",
        "reload_h": "h",
        "cost_per_shot_usd": "USD",
        "detect_range_km": "km",
        "unit_cost_usd": "USD",
        "crew": "persons",
    }

    kind: str
    operators: list[str] = []
    notes: str = ""
    range_km: dict[str, Quantity] = {}
    pk: dict[str, Quantity] = {}
    magazine: Quantity
    reload_h: Quantity
    cost_per_shot_usd: Quantity
    shots_per_engagement: int = 1
    shoots: bool = True
    detect_range_km: Quantity | None = None
    unit_cost_usd: Quantity | None = None
    crew: Quantity | None = None

    @field_validator("kind")
    @classmethod
    def _kind(cls, v: str) -> str:
        if v not in DEFENCE_KINDS:
            raise ValueError(
                f"unknown defence kind {v!r} (expected one of {', '.join(DEFENCE_KINDS)})"
            )
        return v

    @field_validator("range_km", "pk")
    @classmethod
    def _class_keys(cls, v: dict[str, Quantity]) -> dict[str, Quantity]:
        _check_classes(v)
        return v

    @field_validator("shots_per_engagement")
    @classmethod
    def _shots(cls, v: int) -> int:
        if v < 1:
            raise ValueError(f"shots_per_engagement {v} must be at least 1")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> Defence:
        if self.shoots:
            if not self.range_km:
                raise ValueError("a defence that shoots needs range_km for at least one class")
            missing = sorted(set(self.range_km) ^ set(self.pk))
            if missing:
                raise ValueError(
                    "range_km and pk must name the same threat classes "
                    f"(only in one of them: {', '.join(missing)})"
                )
        else:
            if self.pk:
                raise ValueError("a defence with shoots = false must have no pk")
            if self.detect_range_km is None:
                raise ValueError("a defence with shoots = false needs detect_range_km")
        return self

    def engages(self, threat_class: str) -> bool:
        """Whether the defence can shoot at threats of ``threat_class``."""
        return self.shoots and threat_class in self.range_km


class ClassAlias(_Frozen):
    """A record token that names a class rather than a weapon.

    Attributes
    ----------
    threat_class : str
        The class the token maps to (may be ``"unknown"``).
    reason : str
        Why (what the token denotes, how many records, why this class).
    """

    threat_class: str
    reason: str

    @field_validator("threat_class")
    @classmethod
    def _class(cls, v: str) -> str:
        _check_classes([v])
        return v

    @field_validator("reason")
    @classmethod
    def _reason(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("reason must not be empty")
        return v


_MODELS: dict[str, type[_Entry]] = {
    "threats": Threat,
    "launch_areas": LaunchArea,
    "defences": Defence,
}


@dataclass(frozen=True)
class Catalog:
    """The validated catalogues, read-only.

    Attributes
    ----------
    threats, launch_areas, defences : Mapping
        Entries by id, in file order.
    class_aliases : Mapping of str to ClassAlias
        Record tokens that map to a class, not a threat.
    non_places : frozenset of str
        Launch-place tokens that are directions, not places (normalised).
    files : tuple of str
        The files the catalogue was read from, bundled first.
    """

    threats: Mapping[str, Threat]
    launch_areas: Mapping[str, LaunchArea]
    defences: Mapping[str, Defence]
    class_aliases: Mapping[str, ClassAlias] = field(default_factory=dict)
    non_places: frozenset[str] = frozenset()
    files: tuple[str, ...] = ()
    _threat_index: Mapping[str, str] = field(init=False, repr=False, compare=False)
    _area_index: Mapping[str, str] = field(init=False, repr=False, compare=False)
    _class_alias_index: Mapping[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name in ("threats", "launch_areas", "defences", "class_aliases"):
            object.__setattr__(self, name, MappingProxyType(dict(getattr(self, name))))
        object.__setattr__(
            self, "non_places", frozenset(normalise_name(p) for p in self.non_places)
        )
        threat_index: dict[str, str] = {}
        for t in self.threats.values():
            for key in (t.name, t.id):
                threat_index.setdefault(normalise_name(key), t.id)
        for t in self.threats.values():
            for alias in t.aliases:
                threat_index[normalise_name(alias)] = t.id
        area_index: dict[str, str] = {}
        for a in self.launch_areas.values():
            for key in (a.name, a.id):
                area_index.setdefault(normalise_name(key), a.id)
        for a in self.launch_areas.values():
            for alias in a.aliases:
                area_index[normalise_name(alias)] = a.id
        object.__setattr__(self, "_threat_index", MappingProxyType(threat_index))
        object.__setattr__(self, "_area_index", MappingProxyType(area_index))
        object.__setattr__(
            self,
            "_class_alias_index",
            MappingProxyType(
                {normalise_name(k): v.threat_class for k, v in self.class_aliases.items()}
            ),
        )

    # -- threats -------------------------------------------------------------------------

    def threat_by_alias(self, name: str) -> Threat | None:
        """Return the threat a record ``model`` token (or an id or name) denotes.

        Parameters
        ----------
        name : str
            One token, e.g. ``"X-101/X-555"``; whitespace and case are ignored.

        Returns
        -------
        Threat or None
            None when the token names no catalogued threat.
        """
        key = self._threat_index.get(normalise_name(name))
        return None if key is None else self.threats[key]

    def class_of(self, model_name: str) -> str:
        """Return the threat class of one record ``model`` token.

        Parameters
        ----------
        model_name : str
            One token (split bundled names first, :func:`split_tokens`).

        Returns
        -------
        str
            The class of the threat it denotes, else its class alias, else
            ``"unknown"``.
        """
        threat = self.threat_by_alias(model_name)
        if threat is not None:
            return threat.threat_class
        return self._class_alias_index.get(normalise_name(model_name), "unknown")

    def is_known_model(self, model_name: str) -> bool:
        """Whether ``model_name`` maps to a threat or a class alias (deliberately)."""
        key = normalise_name(model_name)
        return key in self._threat_index or key in self._class_alias_index

    # -- launch areas --------------------------------------------------------------------

    def is_direction(self, place: str) -> bool:
        """Whether a launch-place token is a direction (``"south-east"``), not a place."""
        return normalise_name(place) in self.non_places

    def launch_areas_of(self, place: str) -> tuple[LaunchArea, ...]:
        """Return the launch areas a record's ``launch_place`` names.

        Parameters
        ----------
        place : str
            A ``launch_place`` value, possibly bundled (``"Kursk oblast and
            Millerovo"``). Each token is looked up as an alias; a token that is
            no alias but holds commas (``"Caspian Sea, Engels-2"``) is looked up
            part by part. Directions (``"north"``) name no area.

        Returns
        -------
        tuple of LaunchArea
            Distinct areas in order of appearance; empty for directions and
            unknown places (these are logged at debug level).
        """
        found: dict[str, LaunchArea] = {}
        for token in split_tokens(place):
            for area_id in self._area_ids(token):
                found.setdefault(area_id, self.launch_areas[area_id])
        return tuple(found.values())

    def _area_ids(self, token: str) -> list[str]:
        key = normalise_name(token)
        if key in self._area_index:
            return [self._area_index[key]]
        if key in self.non_places:
            return []
        if "," in key:
            ids = []
            for part in key.split(","):
                ids.extend(self._area_ids(part))
            return ids
        logger.debug("launch place %r names no catalogued launch area", token)
        return []

    # -- tables --------------------------------------------------------------------------

    def to_frame(
        self, kind: Literal["threats", "launch_areas", "defences", "all"] = "all"
    ) -> pd.DataFrame:
        """List every number of the catalogue with its range and provenance.

        Parameters
        ----------
        kind : {"threats", "launch_areas", "defences", "all"}
            Which catalogue.

        Returns
        -------
        pandas.DataFrame
            One row per number: ``kind, id, name, field`` (``pk.cruise`` for
            per-class tables), ``value, low, high, unit, source, assumption``.
            Launch-area coordinates appear as ``lon``/``lat`` rows in degrees with
            the area's source.

        Raises
        ------
        ConfigError
            ``kind`` is not one of the above.
        """
        kinds = _SECTIONS if kind == "all" else (kind,)
        if any(k not in _SECTIONS for k in kinds):
            raise ConfigError(f"catalogue kind {kind!r} is not one of {', '.join(_SECTIONS)}, all")
        rows: list[dict[str, Any]] = []
        for k in kinds:
            entries: Mapping[str, _Entry] = getattr(self, k)
            for entry in entries.values():
                for fld, q in _quantities(entry):
                    rows.append(
                        {
                            "kind": k,
                            "id": entry.id,
                            "name": entry.name,
                            "field": fld,
                            "value": q.value,
                            "low": q.low,
                            "high": q.high,
                            "unit": q.unit,
                            "source": q.source,
                            "assumption": q.assumption,
                        }
                    )
                if isinstance(entry, LaunchArea):
                    for fld in ("lon", "lat"):
                        v = float(getattr(entry, fld))
                        rows.append(
                            {
                                "kind": k,
                                "id": entry.id,
                                "name": entry.name,
                                "field": fld,
                                "value": v,
                                "low": v,
                                "high": v,
                                "unit": "deg",
                                "source": entry.source,
                                "assumption": None,
                            }
                        )
        return pd.DataFrame(rows, columns=_FRAME_COLUMNS)


def _quantities(entry: _Entry) -> Iterator[tuple[str, Quantity]]:
    for name in type(entry).model_fields:
        value = getattr(entry, name)
        if isinstance(value, Quantity):
            yield name, value
        elif isinstance(value, Mapping):
            for k, q in value.items():
                if isinstance(q, Quantity):
                    yield f"{name}.{k}", q


# -- loading ---------------------------------------------------------------------------------


@dataclass
class _Raw:
    """Raw TOML entries merged over several files, with where each field came from."""

    entries: dict[str, dict[str, dict[str, Any]]] = field(
        default_factory=lambda: {s: {} for s in _SECTIONS}
    )
    origin: dict[tuple[str, str], str] = field(default_factory=dict)
    field_origin: dict[tuple[str, ...], str] = field(default_factory=dict)
    class_aliases: dict[str, Any] = field(default_factory=dict)
    class_alias_origin: dict[str, str] = field(default_factory=dict)
    non_places: list[str] = field(default_factory=list)
    overrides: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)


def _is_quantity(value: Any) -> bool:
    return isinstance(value, Mapping) and "value" in value


def _merge_document(raw: _Raw, label: str, doc: dict[str, Any], *, override: bool) -> None:
    if override:
        raw.overrides.add(label)
    for key in doc:
        if key not in _TOP_KEYS:
            raw.problems.append(
                f"{label}: unknown section {key!r} (expected {', '.join(sorted(_TOP_KEYS))})"
            )
    version = doc.get("version", _CATALOG_VERSION)
    if version != _CATALOG_VERSION:
        raw.problems.append(f"{label}: version {version!r} is not supported (expected 1)")
    for section in _SECTIONS:
        table = doc.get(section, {})
        if not isinstance(table, dict):
            raw.problems.append(f"{label}: {section} must be a table of entries")
            continue
        for entry_id, body in table.items():
            where = f"{label}: {section}.{entry_id}"
            if not isinstance(body, dict):
                raw.problems.append(f"{where}: must be a table")
                continue
            if "id" in body:
                raw.problems.append(f"{where}.id: the id is the table key; do not repeat it")
                body = {k: v for k, v in body.items() if k != "id"}
            current = raw.entries[section].get(entry_id)
            if current is None:
                raw.entries[section][entry_id] = dict(body)
                raw.origin[(section, entry_id)] = label
                for k, v in body.items():
                    raw.field_origin[(section, entry_id, k)] = label
                    if isinstance(v, dict) and not _is_quantity(v):
                        for sub in v:
                            raw.field_origin[(section, entry_id, k, str(sub))] = label
                continue
            for k, v in body.items():
                old = current.get(k)
                if (
                    isinstance(v, dict)
                    and isinstance(old, dict)
                    and not _is_quantity(v)
                    and not _is_quantity(old)
                ):
                    current[k] = {**old, **v}
                    raw.field_origin[(section, entry_id, k)] = label
                    for sub in v:
                        raw.field_origin[(section, entry_id, k, str(sub))] = label
                else:
                    current[k] = v
                    raw.field_origin[(section, entry_id, k)] = label
                    if isinstance(v, dict) and not _is_quantity(v):
                        for sub in v:
                            raw.field_origin[(section, entry_id, k, str(sub))] = label
    aliases = doc.get("class_aliases", {})
    if isinstance(aliases, dict):
        for token, body in aliases.items():
            raw.class_aliases[token] = body
            raw.class_alias_origin[token] = label
    else:
        raw.problems.append(f"{label}: class_aliases must be a table")
    places = doc.get("non_places", [])
    if isinstance(places, list) and all(isinstance(p, str) for p in places):
        raw.non_places.extend(places)
    else:
        raw.problems.append(f"{label}: non_places must be a list of strings")


def _message(err: Mapping[str, Any]) -> str:
    kind = err.get("type", "")
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return "missing field"
    msg = str(err.get("msg", ""))
    return msg.removeprefix("Value error, ")


def _where(raw: _Raw, section: str, entry_id: str, loc: Sequence[Any]) -> str:
    loc = [str(x) for x in loc]
    label = raw.origin[(section, entry_id)]
    if loc:
        label = raw.field_origin.get((section, entry_id, loc[0]), label)
        if len(loc) >= 2:
            label = raw.field_origin.get((section, entry_id, *loc[:2]), label)
    prefix = "" if label == _BUNDLED[section] else f"{section}."
    path = ".".join([entry_id, *loc])
    return f"{label}: {prefix}{path}"


def _validate_entries(raw: _Raw) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {s: {} for s in _SECTIONS}
    for section, model in _MODELS.items():
        for entry_id, body in raw.entries[section].items():
            origin = raw.origin[(section, entry_id)]
            try:
                entry = model.model_validate({"id": entry_id, **body})
            except ValidationError as exc:
                errors = exc.errors()
                missing = [str(e["loc"][0]) for e in errors if e["type"] == "missing"]
                if origin in raw.overrides and missing:
                    raw.problems.append(
                        f"{origin}: {section}.{entry_id}: not in the bundled catalogue, so a "
                        f"complete entry is needed; missing {', '.join(missing)}"
                    )
                    errors = [e for e in errors if e["type"] != "missing"]
                for e in errors:
                    raw.problems.append(
                        f"{_where(raw, section, entry_id, e['loc'])}: {_message(e)}"
                    )
                continue
            for loc, msg in entry.unit_problems():
                raw.problems.append(f"{_where(raw, section, entry_id, loc)}: {msg}")
            out[section][entry_id] = entry
    return out


def _validate_aliases(raw: _Raw, entries: dict[str, dict[str, Any]]) -> dict[str, ClassAlias]:
    class_aliases: dict[str, ClassAlias] = {}
    for token, body in raw.class_aliases.items():
        label = raw.class_alias_origin[token]
        try:
            class_aliases[token] = ClassAlias.model_validate(body)
        except ValidationError as exc:
            for e in exc.errors():
                path = ".".join(str(x) for x in e["loc"])
                sep = "." if path else ""
                raw.problems.append(f"{label}: class_aliases.{token!r}{sep}{path}: {_message(e)}")
    seen: dict[str, str] = {}
    for threat in entries["threats"].values():
        for alias in threat.aliases:
            key = normalise_name(alias)
            if key in seen and seen[key] != threat.id:
                raw.problems.append(
                    f"{raw.origin[('threats', threat.id)]}: {threat.id}.aliases: "
                    f"{alias!r} is also an alias of {seen[key]}"
                )
            seen[key] = threat.id
    for token in class_aliases:
        key = normalise_name(token)
        if key in seen:
            raw.problems.append(
                f"{raw.class_alias_origin[token]}: class_aliases.{token!r}: "
                f"also an alias of threat {seen[key]}"
            )
    seen = {}
    for area in entries["launch_areas"].values():
        for alias in area.aliases:
            key = normalise_name(alias)
            if key in seen and seen[key] != area.id:
                raw.problems.append(
                    f"{raw.origin[('launch_areas', area.id)]}: {area.id}.aliases: "
                    f"{alias!r} is also an alias of {seen[key]}"
                )
            seen[key] = area.id
    places = {normalise_name(p) for p in raw.non_places}
    for key in sorted(places & set(seen)):
        label = raw.origin[("launch_areas", seen[key])]
        raw.problems.append(f"{label}: non_places: {key!r} is also an alias of {seen[key]}")
    return class_aliases


def _read_bundled(name: str) -> str:
    return resources.files("garant").joinpath("data", "air", name).read_text(encoding="utf-8")


def _parse(label: str, text: str, raw: _Raw) -> dict[str, Any] | None:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raw.problems.append(f"{label}: not valid TOML ({exc})")
        return None


def load_catalog(*, overrides: Path | str | Sequence[Path | str] | None = None) -> Catalog:
    """Load the bundled air catalogues and merge user override files over them.

    Parameters
    ----------
    overrides : Path or sequence of Path, optional
        TOML files with the bundled layout (sections ``threats``,
        ``launch_areas``, ``defences``, ``class_aliases``, ``non_places``), applied
        in order. A field given for an existing id replaces that field (a
        quantity as a whole; ``range_km``/``pk`` class by class); a new id must
        be a complete entry; ``class_aliases`` are added or replaced;
        ``non_places`` are added.

    Returns
    -------
    Catalog

    Raises
    ------
    ConfigError
        A file cannot be read or is not TOML, or entries are invalid. Every
        problem is collected; the message's first line is a summary and each
        further line names the file, the entry id, the field and the problem
        (a single problem is reported on one line).
    """
    raw = _Raw()
    files: list[str] = []
    for name in _BUNDLED.values():
        doc = _parse(name, _read_bundled(name), raw)
        files.append(name)
        if doc is not None:
            _merge_document(raw, name, doc, override=False)
    for path in override_paths(overrides):
        label = str(path)
        files.append(label)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raw.problems.append(f"{label}: cannot read catalogue override ({exc.strerror})")
            continue
        doc = _parse(label, text, raw)
        if doc is not None:
            _merge_document(raw, label, doc, override=True)
    entries = _validate_entries(raw)
    class_aliases = _validate_aliases(raw, entries)
    if raw.problems:
        if len(raw.problems) == 1:
            raise ConfigError(raw.problems[0])
        where = sorted({p.split(": ", 1)[0] for p in raw.problems})
        summary = f"invalid air catalogue: {len(raw.problems)} problems in {', '.join(where)}"
        raise ConfigError("\n".join([summary, *(f"  - {p}" for p in raw.problems)]))
    return Catalog(
        threats=entries["threats"],
        launch_areas=entries["launch_areas"],
        defences=entries["defences"],
        class_aliases=class_aliases,
        non_places=frozenset(raw.non_places),
        files=tuple(files),
    )


@functools.cache
def default_catalog() -> Catalog:
    """Return the bundled catalogue (loaded once and cached).

    Returns
    -------
    Catalog
    """
    return load_catalog()
