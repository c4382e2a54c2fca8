"""Mission sizing for a protected Black Sea corridor: mine clearing, escorts, throughput.

Pure computation over the sourced parameters of ``garant/data/sea/mission.toml``
(:func:`load_mission_params`) and the recorded history of
``garant/data/sea/history.toml`` (:func:`load_history`):

:func:`mcm_vessels`
    Mine countermeasure vessels (MCMVs) to clear a corridor of given length and
    width in a given number of days, and to keep it open by periodic check surveys;
    with a known mined length (from a layer of mine danger areas) only that part is
    hunted and the rest is check-surveyed.
:func:`escorts`
    Escorts needed to run a number of convoys a day along a route.
:func:`throughput`
    Loaded departures a day and tonnes a month, from a convoy rate or from the
    escorts available, capped by port (and, for a BSGI-style mission, inspection)
    capacity.
:func:`compare_with_history`
    The model's monthly rates against the Black Sea Grain Initiative and the
    Ukrainian corridor.

The model is deliberately simple (steady state, no queueing, no losses); every
result says which constraint binds. Ships and escorts are counted per day; a month
is 365.25 / 12 days.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import math
import tomllib
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from garant.air.catalog import Quantity
from garant.errors import ConfigError, DataError

__all__ = [
    "BLACK_SEA_MAX_EXTENT_KM",
    "DAYS_PER_MONTH",
    "KM_PER_NM",
    "SEA_UNITS",
    "AirCoverParams",
    "ConvoyParams",
    "EscortRequirement",
    "HistoryRecord",
    "MCMParams",
    "MCMRequirement",
    "MissionParams",
    "PortParams",
    "SeaQuantity",
    "Throughput",
    "compare_with_history",
    "default_history",
    "default_mission_params",
    "escorts",
    "load_history",
    "load_mission_params",
    "mcm_vessels",
    "throughput",
]

logger = logging.getLogger(__name__)

#: Kilometres in one nautical mile (exact).
KM_PER_NM = 1.852
#: Mean days in a month (365.25 / 12).
DAYS_PER_MONTH = 365.25 / 12.0
#: Longest east-west extent of the Black Sea, km (about 1,175 km, Encyclopaedia
#: Britannica, "Black Sea"). No corridor across the sea can be wider.
BLACK_SEA_MAX_EXTENT_KM = 1175.0

#: Units a :class:`SeaQuantity` may carry. Every one of them is non-negative.
SEA_UNITS: tuple[str, ...] = (
    "km",
    "km2/day",
    "kn",
    "h",
    "d",
    "t",
    "ships",
    "ships/day",
    "probability",
    "km/h",
    "aircraft",
)

_EPS = 1e-9


class SeaQuantity(Quantity):
    """A :class:`~garant.air.catalog.Quantity` with the units of sea missions.

    Same fields and rules as the air catalogue's quantity (``low <= value <=
    high``, finite, non-negative, exactly one of ``source`` and ``assumption``),
    but the unit is one of :data:`SEA_UNITS` (area rates, knots, tonnes, ships).
    """

    allowed_units: ClassVar[tuple[str, ...]] = SEA_UNITS


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    #: Expected unit of every field.
    _units: ClassVar[dict[str, str]] = {}

    @model_validator(mode="after")
    def _check_units(self) -> _Section:
        bad = [
            f"{name}: unit {getattr(self, name).unit!r} should be {unit!r}"
            for name, unit in self._units.items()
            if getattr(self, name).unit != unit
        ]
        if bad:
            raise ValueError("; ".join(bad))
        return self


class MCMParams(_Section):
    """Mine countermeasure rates and availability (per vessel).

    Attributes
    ----------
    hunt_rate_km2_per_day, sweep_rate_km2_per_day : SeaQuantity
        Area one vessel on task clears in a day by hunting or sweeping, km²/day.
    resurvey_rate_km2_per_day : SeaQuantity
        Area one vessel on task check-surveys in a day (a cleared route), km²/day.
    resurvey_interval_d : SeaQuantity
        Days between two check surveys of the whole corridor (keep-open cycle).
    availability : SeaQuantity
        Share of assigned vessels on task (maintenance, crew rest, weather).
    transit_h : SeaQuantity
        Hours from base to the corridor, each way, once per deployment.
    deployment_d : SeaQuantity
        Days on station per deployment.
    """

    _units: ClassVar[dict[str, str]] = {
        "hunt_rate_km2_per_day": "km2/day",
        "sweep_rate_km2_per_day": "km2/day",
        "resurvey_rate_km2_per_day": "km2/day",
        "resurvey_interval_d": "d",
        "availability": "probability",
        "transit_h": "h",
        "deployment_d": "d",
    }

    hunt_rate_km2_per_day: SeaQuantity
    sweep_rate_km2_per_day: SeaQuantity
    resurvey_rate_km2_per_day: SeaQuantity
    resurvey_interval_d: SeaQuantity
    availability: SeaQuantity
    transit_h: SeaQuantity
    deployment_d: SeaQuantity


class ConvoyParams(_Section):
    """Convoy make-up and escort cycle.

    Attributes
    ----------
    escorts_per_convoy, ships_per_convoy : SeaQuantity
        Warships escorting one convoy, and merchant ships in it.
    ship_speed_kn : SeaQuantity
        Convoy speed, knots.
    escort_turnaround_h : SeaQuantity
        Hours an escort spends at each end of the route between convoys.
    escort_availability : SeaQuantity
        Share of assigned escorts on task.
    """

    _units: ClassVar[dict[str, str]] = {
        "escorts_per_convoy": "ships",
        "ships_per_convoy": "ships",
        "ship_speed_kn": "kn",
        "escort_turnaround_h": "h",
        "escort_availability": "probability",
    }

    escorts_per_convoy: SeaQuantity
    ships_per_convoy: SeaQuantity
    ship_speed_kn: SeaQuantity
    escort_turnaround_h: SeaQuantity
    escort_availability: SeaQuantity


class PortParams(_Section):
    """Cargo per ship and the capacities of ports and inspections.

    Attributes
    ----------
    cargo_t_per_ship : SeaQuantity
        Cargo one loaded departure carries, tonnes.
    port_capacity_ships_per_day : SeaQuantity
        Loaded departures the ports can dispatch a day.
    port_turnaround_h : SeaQuantity
        Hours a ship spends in port (berthing, loading, clearing out).
    inspection_capacity_ships_per_day : SeaQuantity
        Ships a BSGI-style joint inspection can clear a day.
    inspection_h : SeaQuantity
        Hours one inspection takes aboard.
    """

    _units: ClassVar[dict[str, str]] = {
        "cargo_t_per_ship": "t",
        "port_capacity_ships_per_day": "ships/day",
        "port_turnaround_h": "h",
        "inspection_capacity_ships_per_day": "ships/day",
        "inspection_h": "h",
    }

    cargo_t_per_ship: SeaQuantity
    port_capacity_ships_per_day: SeaQuantity
    port_turnaround_h: SeaQuantity
    inspection_capacity_ships_per_day: SeaQuantity
    inspection_h: SeaQuantity


class AirCoverParams(_Section):
    """Holding fighter patrol (CAP) stations over the corridor round the clock.

    The aircraft type (its engagement radius, turnaround and unit cost) comes from
    the air catalogue (:func:`garant.air.catalog.default_catalog`); these are the
    numbers the catalogue does not carry.

    Attributes
    ----------
    aircraft_per_station : SeaQuantity
        Aircraft on station at any time at one CAP station (a pair), aircraft.
    sortie_h : SeaQuantity
        Length of one sortie without air-to-air refuelling, h.
    transit_speed_kmh : SeaQuantity
        Speed between the air base and the station, km/h.
    availability : SeaQuantity
        Share of assigned aircraft that can fly (mission-capable rate).
    """

    _units: ClassVar[dict[str, str]] = {
        "aircraft_per_station": "aircraft",
        "sortie_h": "h",
        "transit_speed_kmh": "km/h",
        "availability": "probability",
    }

    aircraft_per_station: SeaQuantity
    sortie_h: SeaQuantity
    transit_speed_kmh: SeaQuantity
    availability: SeaQuantity


class MissionParams(BaseModel):
    """All sizing parameters: ``mcm``, ``convoy``, ``ports`` and ``air_cover`` sections."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = 1
    mcm: MCMParams
    convoy: ConvoyParams
    ports: PortParams
    air_cover: AirCoverParams

    def to_frame(self) -> pd.DataFrame:
        """Return every parameter as a row.

        Returns
        -------
        pandas.DataFrame
            Columns ``section, field, value, low, high, unit, provenance``.
        """
        rows = []
        for section in ("mcm", "convoy", "ports", "air_cover"):
            model = getattr(self, section)
            for name in type(model).model_fields:
                q: SeaQuantity = getattr(model, name)
                rows.append(
                    {
                        "section": section,
                        "field": name,
                        "value": q.value,
                        "low": q.low,
                        "high": q.high,
                        "unit": q.unit,
                        "provenance": q.provenance,
                    }
                )
        return pd.DataFrame(rows)


class HistoryRecord(BaseModel):
    """One recorded period of Black Sea exports.

    Attributes
    ----------
    id, name : str
        Key and display name.
    operation : str
        ``"bsgi"`` (Black Sea Grain Initiative) or ``"ua_corridor"``.
    start, end : datetime.date
        First and last day of the period (inclusive, UTC).
    cargo_t : float or None
        Cargo exported in the period, tonnes (None if not published).
    departures : int or None
        Loaded departures in the period (None if not published).
    source, note : str
        Citation, and anything else worth knowing.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    name: str
    operation: Literal["bsgi", "ua_corridor"]
    start: dt.date
    end: dt.date
    cargo_t: float | None = None
    departures: int | None = None
    source: str
    note: str = ""

    @model_validator(mode="after")
    def _check(self) -> HistoryRecord:
        if self.end < self.start:
            raise ValueError(f"end {self.end} before start {self.start}")
        if self.cargo_t is None and self.departures is None:
            raise ValueError("needs cargo_t or departures")
        if self.cargo_t is not None and not (math.isfinite(self.cargo_t) and self.cargo_t >= 0):
            raise ValueError(f"cargo_t {self.cargo_t} must be finite and non-negative")
        if self.departures is not None and self.departures < 0:
            raise ValueError(f"departures {self.departures} must be non-negative")
        if not self.source.strip():
            raise ValueError("needs a source")
        return self

    @property
    def months(self) -> float:
        """Length of the period in months (days / :data:`DAYS_PER_MONTH`)."""
        return ((self.end - self.start).days + 1) / DAYS_PER_MONTH


# --------------------------------------------------------------------------- loading


def _read_toml(path: Path | str | None, bundled: str) -> tuple[dict[str, Any], str]:
    if path is None:
        text = resources.files("garant").joinpath("data", "sea", bundled).read_text("utf-8")
        label = f"garant/data/sea/{bundled}"
    else:
        label = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"{label}: cannot read ({exc.strerror or exc})") from exc
    try:
        return tomllib.loads(text), label
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{label}: not valid TOML ({exc})") from exc


def _validation_message(label: str, exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"])
        msg = str(err["msg"]).removeprefix("Value error, ")
        parts.append(f"{loc}: {msg}" if loc else msg)
    return f"{label}: " + "; ".join(parts)


def load_mission_params(path: Path | str | None = None) -> MissionParams:
    """Load and validate mission sizing parameters.

    Parameters
    ----------
    path : path-like, optional
        A TOML file with the layout of the bundled ``garant/data/sea/mission.toml``
        (every field of every section given). None reads the bundled file.

    Returns
    -------
    MissionParams

    Raises
    ------
    ConfigError
        The file cannot be read, is not TOML, or a field is missing, unknown, of
        the wrong unit or without a source or assumption (all problems in one line).
    """
    data, label = _read_toml(path, "mission.toml")
    try:
        return MissionParams.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_validation_message(label, exc)) from None


@functools.cache
def default_mission_params() -> MissionParams:
    """Return the bundled mission parameters (cached)."""
    return load_mission_params()


def load_history(path: Path | str | None = None) -> tuple[HistoryRecord, ...]:
    """Load the recorded throughput history.

    Parameters
    ----------
    path : path-like, optional
        A TOML file of ``[records.<id>]`` tables (see the bundled
        ``garant/data/sea/history.toml``). None reads the bundled file.

    Returns
    -------
    tuple of HistoryRecord
        In file order.

    Raises
    ------
    ConfigError
        The file cannot be read, is not TOML or a record is invalid.
    """
    data, label = _read_toml(path, "history.toml")
    records = data.get("records")
    if not isinstance(records, dict) or not records:
        raise ConfigError(f"{label}: needs a non-empty [records] table")
    out = []
    problems = []
    for key, entry in records.items():
        if not isinstance(entry, dict):
            problems.append(f"records.{key}: not a table")
            continue
        try:
            out.append(HistoryRecord.model_validate({"id": key, **entry}))
        except ValidationError as exc:
            problems.append(_validation_message(f"records.{key}", exc))
    if problems:
        raise ConfigError(f"{label}: " + "; ".join(problems))
    return tuple(out)


@functools.cache
def default_history() -> tuple[HistoryRecord, ...]:
    """Return the bundled history records (cached)."""
    return load_history()


# --------------------------------------------------------------------------- results


def _frame(result: object, units: dict[str, str]) -> pd.DataFrame:
    values = asdict(result)  # type: ignore[call-overload]
    return pd.DataFrame(
        [{"quantity": k, "value": v, "unit": units.get(k, "")} for k, v in values.items()]
    )


@dataclass(frozen=True)
class MCMRequirement:
    """Mine countermeasure vessels for one corridor.

    Attributes
    ----------
    length_km, width_km, area_km2 : float
        The corridor.
    method : str
        ``"hunt"`` or ``"sweep"`` (first clearance).
    rate_km2_per_day : float
        Clearance rate of one vessel on task, km²/day.
    on_station_share : float
        Share of assigned vessels on task (availability × deployment cycle).
    days_to_clear : float
        The clearance deadline, days.
    vessel_days : float
        Vessel-days on task to clear the corridor once: the mined part hunted or
        swept at ``rate_km2_per_day``, the rest check-surveyed.
    vessels_to_clear : int
        Assigned vessels to clear it within ``days_to_clear``.
    resurvey_interval_d : float
        Days between check surveys of the whole corridor.
    vessels_to_keep_open : int
        Assigned vessels to re-survey it every ``resurvey_interval_d`` (0 when
        ``keep_open`` is False).
    mined_length_km, mined_area_km2 : float
        The part of the corridor inside mine danger areas (the whole corridor when
        no mined length was given).
    """

    _units: ClassVar[dict[str, str]] = {
        "length_km": "km",
        "width_km": "km",
        "area_km2": "km2",
        "rate_km2_per_day": "km2/day",
        "on_station_share": "probability",
        "days_to_clear": "d",
        "vessel_days": "d",
        "vessels_to_clear": "ships",
        "resurvey_interval_d": "d",
        "vessels_to_keep_open": "ships",
        "mined_length_km": "km",
        "mined_area_km2": "km2",
    }

    length_km: float
    width_km: float
    area_km2: float
    method: str
    rate_km2_per_day: float
    on_station_share: float
    days_to_clear: float
    vessel_days: float
    vessels_to_clear: int
    resurvey_interval_d: float
    vessels_to_keep_open: int
    mined_length_km: float
    mined_area_km2: float

    def to_frame(self) -> pd.DataFrame:
        """Return the result as rows ``quantity, value, unit``."""
        return _frame(self, self._units)


@dataclass(frozen=True)
class EscortRequirement:
    """Escorts to run convoys along a route.

    Attributes
    ----------
    route_length_km : float
        One-way route length, km.
    convoys_per_day : float
        Convoys started a day (one direction).
    escorts_per_convoy : float
        Warships per convoy.
    transit_h : float
        One-way transit time at convoy speed, hours.
    cycle_h : float
        An escort's round trip: two transits and a turnaround at each end, hours.
    escorts_on_task : float
        Escorts at sea or turning round at any time.
    escorts_required : int
        Escorts to assign, allowing for availability.
    """

    _units: ClassVar[dict[str, str]] = {
        "route_length_km": "km",
        "convoys_per_day": "1/day",
        "escorts_per_convoy": "ships",
        "transit_h": "h",
        "cycle_h": "h",
        "escorts_on_task": "ships",
        "escorts_required": "ships",
    }

    route_length_km: float
    convoys_per_day: float
    escorts_per_convoy: float
    transit_h: float
    cycle_h: float
    escorts_on_task: float
    escorts_required: int

    def to_frame(self) -> pd.DataFrame:
        """Return the result as rows ``quantity, value, unit``."""
        return _frame(self, self._units)


@dataclass(frozen=True)
class Throughput:
    """Exports through an escorted corridor.

    Attributes
    ----------
    route_length_km : float
        One-way route length, km.
    convoys_per_day, ships_per_convoy, escorts_per_convoy : float
        The convoy rate and make-up.
    escorts_required : int
        Escorts to assign for that convoy rate.
    transit_h : float
        One-way transit time, hours.
    ships_offered_per_day : float
        Departures the convoys could carry a day.
    port_capacity_ships_per_day : float
        Departures the ports can dispatch a day.
    inspection_capacity_ships_per_day : float
        Ships inspections can clear a day (infinite without inspections).
    ships_per_day : float
        Loaded departures a day: the least of the three.
    binding : str
        ``"convoys"``, ``"port"`` or ``"inspection"``: what limits ``ships_per_day``.
    cargo_t_per_ship : float
        Tonnes per departure.
    ships_per_month, tonnes_per_month, tonnes_per_year : float
        The resulting rates.
    ship_round_trip_h : float
        A merchant ship's round trip on the route: two transits, the port
        turnaround and, with inspections, one inspection, hours.
    merchant_ships_employed : float
        Merchant ships kept busy on the route (``ships_per_day`` × round trip).
    """

    _units: ClassVar[dict[str, str]] = {
        "route_length_km": "km",
        "convoys_per_day": "1/day",
        "ships_per_convoy": "ships",
        "escorts_per_convoy": "ships",
        "escorts_required": "ships",
        "transit_h": "h",
        "ships_offered_per_day": "ships/day",
        "port_capacity_ships_per_day": "ships/day",
        "inspection_capacity_ships_per_day": "ships/day",
        "ships_per_day": "ships/day",
        "cargo_t_per_ship": "t",
        "ships_per_month": "ships/month",
        "tonnes_per_month": "t/month",
        "tonnes_per_year": "t/year",
        "ship_round_trip_h": "h",
        "merchant_ships_employed": "ships",
    }

    route_length_km: float
    convoys_per_day: float
    ships_per_convoy: float
    escorts_per_convoy: float
    escorts_required: int
    transit_h: float
    ships_offered_per_day: float
    port_capacity_ships_per_day: float
    inspection_capacity_ships_per_day: float
    ships_per_day: float
    binding: str
    cargo_t_per_ship: float
    ships_per_month: float
    tonnes_per_month: float
    tonnes_per_year: float
    ship_round_trip_h: float
    merchant_ships_employed: float

    def to_frame(self) -> pd.DataFrame:
        """Return the result as rows ``quantity, value, unit``."""
        return _frame(self, self._units)


# --------------------------------------------------------------------------- computation


def _positive(name: str, value: float) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise DataError(f"{name} {value!r} is not a number") from None
    if not math.isfinite(x) or x <= 0.0:
        raise DataError(f"{name} {value!r} must be a positive finite number")
    return x


def _non_negative(name: str, value: float) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise DataError(f"{name} {value!r} is not a number") from None
    if not math.isfinite(x) or x < 0.0:
        raise DataError(f"{name} {value!r} must be a non-negative finite number")
    return x


def _ceil(x: float) -> int:
    return max(0, math.ceil(x - _EPS))


def mcm_vessels(
    corridor_length_km: float,
    corridor_width_km: float,
    *,
    days_to_clear: float,
    keep_open: bool = True,
    method: Literal["hunt", "sweep"] = "hunt",
    max_width_km: float | None = None,
    mined_length_km: float | None = None,
    params: MissionParams | None = None,
) -> MCMRequirement:
    """Size the mine countermeasure force for a corridor.

    Parameters
    ----------
    corridor_length_km, corridor_width_km : float
        The corridor, km (positive).
    days_to_clear : float
        Deadline for the first clearance, days (positive).
    keep_open : bool
        Also size the force that re-surveys the corridor every
        ``params.mcm.resurvey_interval_d`` days.
    method : {"hunt", "sweep"}
        First clearance by minehunting (slower, higher confidence) or sweeping.
    max_width_km : float, optional
        The widest corridor the sea allows there (from the sea geography); by
        default :data:`BLACK_SEA_MAX_EXTENT_KM`.
    mined_length_km : float, optional
        Length of the corridor inside mine danger areas, km (0 to
        ``corridor_length_km``; e.g.
        :func:`garant.sea.threats.route_in_mine_areas_km`). That part is cleared by
        ``method``; the rest, outside every declared area, only gets a check
        survey at ``params.mcm.resurvey_rate_km2_per_day`` (drifting mines). None
        (default): nothing is known, the whole corridor is cleared by ``method``.
    params : MissionParams, optional
        Defaults to :func:`default_mission_params`.

    Returns
    -------
    MCMRequirement

    Raises
    ------
    DataError
        A length, width or deadline that is not positive and finite, a width
        beyond ``max_width_km``, a mined length outside [0, length], or an unknown
        method.
    """
    p = (params or default_mission_params()).mcm
    length = _positive("corridor_length_km", corridor_length_km)
    width = _positive("corridor_width_km", corridor_width_km)
    days = _positive("days_to_clear", days_to_clear)
    limit = (
        BLACK_SEA_MAX_EXTENT_KM if max_width_km is None else _positive("max_width_km", max_width_km)
    )
    if width > limit:
        raise DataError(
            f"corridor_width_km {width:g} is wider than the sea allows there ({limit:g} km)"
        )
    if method == "hunt":
        rate = p.hunt_rate_km2_per_day.value
    elif method == "sweep":
        rate = p.sweep_rate_km2_per_day.value
    else:
        raise DataError(f"method {method!r} is not 'hunt' or 'sweep'")
    area = length * width
    if mined_length_km is None:
        mined = length
    else:
        mined = _non_negative("mined_length_km", mined_length_km)
        if mined > length * (1.0 + 1e-6):
            raise DataError(
                f"mined_length_km {mined:g} is longer than the corridor ({length:g} km)"
            )
        mined = min(mined, length)
    mined_area = mined * width
    deployment_d = p.deployment_d.value
    cycle_d = deployment_d + 2.0 * p.transit_h.value / 24.0
    on_station = p.availability.value * (deployment_d / cycle_d if cycle_d > 0 else 0.0)
    if rate <= 0 or on_station <= 0:
        raise DataError(
            f"mission parameters give no clearance capacity (rate {rate:g} km2/day, "
            f"on-station share {on_station:g})"
        )
    vessel_days = mined_area / rate
    if area > mined_area:
        survey = p.resurvey_rate_km2_per_day.value
        if survey <= 0:
            raise DataError(f"mission parameters give no survey capacity (rate {survey:g} km2/day)")
        vessel_days += (area - mined_area) / survey
    to_clear = _ceil(vessel_days / (days * on_station))
    interval = p.resurvey_interval_d.value
    to_keep = 0
    if keep_open:
        resurvey = p.resurvey_rate_km2_per_day.value
        if resurvey <= 0 or interval <= 0:
            raise DataError(
                f"mission parameters give no re-survey capacity (rate {resurvey:g} km2/day, "
                f"interval {interval:g} d)"
            )
        to_keep = _ceil(area / (resurvey * interval * on_station))
    logger.debug(
        "MCM: %.0f km2, %d to clear in %g d, %d to keep open", area, to_clear, days, to_keep
    )
    return MCMRequirement(
        length_km=length,
        width_km=width,
        area_km2=area,
        method=method,
        rate_km2_per_day=rate,
        on_station_share=on_station,
        days_to_clear=days,
        vessel_days=vessel_days,
        vessels_to_clear=to_clear,
        resurvey_interval_d=interval,
        vessels_to_keep_open=to_keep,
        mined_length_km=mined,
        mined_area_km2=mined_area,
    )


def _transit_h(route_length_km: float, speed_kn: float) -> float:
    speed_kmh = speed_kn * KM_PER_NM
    if speed_kmh <= 0:
        raise DataError(f"ship_speed_kn {speed_kn:g} must be positive")
    return route_length_km / speed_kmh


def escorts(
    convoys_per_day: float,
    *,
    route_length_km: float,
    escorts_per_convoy: float | None = None,
    params: MissionParams | None = None,
) -> EscortRequirement:
    """Escorts needed to run convoys along a route.

    Each escort group takes a convoy across (``route_length_km`` at convoy speed),
    turns round, comes back and turns round again before the next convoy.

    Parameters
    ----------
    convoys_per_day : float
        Convoys started a day (non-negative; 0.5 is one every two days).
    route_length_km : float
        One-way route length, km (positive).
    escorts_per_convoy : float, optional
        Overrides ``params.convoy.escorts_per_convoy``.
    params : MissionParams, optional
        Defaults to :func:`default_mission_params`.

    Returns
    -------
    EscortRequirement

    Raises
    ------
    DataError
        A negative or non-finite convoy rate or escort count, a non-positive route.
    """
    c = (params or default_mission_params()).convoy
    rate = _non_negative("convoys_per_day", convoys_per_day)
    length = _positive("route_length_km", route_length_km)
    per_convoy = (
        c.escorts_per_convoy.value
        if escorts_per_convoy is None
        else _non_negative("escorts_per_convoy", escorts_per_convoy)
    )
    transit = _transit_h(length, c.ship_speed_kn.value)
    cycle = 2.0 * transit + 2.0 * c.escort_turnaround_h.value
    on_task = rate * cycle / 24.0 * per_convoy
    availability = c.escort_availability.value
    if on_task > 0 and availability <= 0:
        raise DataError("escort_availability 0 leaves no escort on task")
    required = _ceil(on_task / availability) if on_task > 0 else 0
    return EscortRequirement(
        route_length_km=length,
        convoys_per_day=rate,
        escorts_per_convoy=per_convoy,
        transit_h=transit,
        cycle_h=cycle,
        escorts_on_task=on_task,
        escorts_required=required,
    )


def throughput(
    route_length_km: float,
    *,
    convoys_per_day: float | None = None,
    escorts_available: float | None = None,
    ships_per_convoy: float | None = None,
    escorts_per_convoy: float | None = None,
    inspections: bool = False,
    params: MissionParams | None = None,
) -> Throughput:
    """Exports through an escorted corridor.

    Give exactly one of ``convoys_per_day`` and ``escorts_available``; from the
    escorts the convoy rate is the most they can sustain (see :func:`escorts`).
    Loaded departures are the convoys' capacity, capped by the ports and, with
    ``inspections``, by BSGI-style inspection capacity.

    Parameters
    ----------
    route_length_km : float
        One-way route length (port to the Bosphorus), km.
    convoys_per_day : float, optional
        Convoys started a day.
    escorts_available : float, optional
        Escorts assigned to the mission.
    ships_per_convoy, escorts_per_convoy : float, optional
        Override the convoy make-up of ``params``.
    inspections : bool
        Every ship is inspected (the Black Sea Grain Initiative procedure).
    params : MissionParams, optional
        Defaults to :func:`default_mission_params`.

    Returns
    -------
    Throughput

    Raises
    ------
    DataError
        Neither or both of ``convoys_per_day`` and ``escorts_available``, or a
        negative, non-finite or non-positive input.
    """
    mp = params or default_mission_params()
    c, ports = mp.convoy, mp.ports
    if (convoys_per_day is None) == (escorts_available is None):
        raise DataError("give exactly one of convoys_per_day and escorts_available")
    length = _positive("route_length_km", route_length_km)
    per_convoy_escorts = (
        c.escorts_per_convoy.value
        if escorts_per_convoy is None
        else _non_negative("escorts_per_convoy", escorts_per_convoy)
    )
    ships = (
        c.ships_per_convoy.value
        if ships_per_convoy is None
        else _positive("ships_per_convoy", ships_per_convoy)
    )
    if convoys_per_day is not None:
        rate = _non_negative("convoys_per_day", convoys_per_day)
    else:
        available = _non_negative("escorts_available", escorts_available)  # type: ignore[arg-type]
        if per_convoy_escorts <= 0:
            raise DataError("escorts_per_convoy 0: the convoy rate cannot follow from escorts")
        unit = escorts(1.0, route_length_km=length, escorts_per_convoy=1.0, params=mp)
        # escorts on task per (convoy/day) per escort-per-convoy = cycle_h / 24
        rate = available * c.escort_availability.value / (per_convoy_escorts * unit.cycle_h / 24.0)
    need = escorts(rate, route_length_km=length, escorts_per_convoy=per_convoy_escorts, params=mp)
    offered = rate * ships
    port_cap = ports.port_capacity_ships_per_day.value
    insp_cap = ports.inspection_capacity_ships_per_day.value if inspections else math.inf
    caps = {"convoys": offered, "port": port_cap, "inspection": insp_cap}
    binding = min(caps, key=lambda k: caps[k])
    per_day = caps[binding]
    cargo = ports.cargo_t_per_ship.value
    per_month = per_day * DAYS_PER_MONTH
    round_trip_h = 2.0 * need.transit_h + ports.port_turnaround_h.value
    if inspections:
        round_trip_h += ports.inspection_h.value
    return Throughput(
        route_length_km=length,
        convoys_per_day=rate,
        ships_per_convoy=ships,
        escorts_per_convoy=per_convoy_escorts,
        escorts_required=need.escorts_required,
        transit_h=need.transit_h,
        ships_offered_per_day=offered,
        port_capacity_ships_per_day=port_cap,
        inspection_capacity_ships_per_day=insp_cap,
        ships_per_day=per_day,
        binding=binding,
        cargo_t_per_ship=cargo,
        ships_per_month=per_month,
        tonnes_per_month=per_month * cargo,
        tonnes_per_year=per_day * 365.25 * cargo,
        ship_round_trip_h=round_trip_h,
        merchant_ships_employed=per_day * round_trip_h / 24.0,
    )


_HISTORY_COLUMNS = [
    "record",
    "name",
    "operation",
    "start",
    "end",
    "months",
    "recorded_t_per_month",
    "model_t_per_month",
    "diff_t_per_month",
    "ratio_t",
    "recorded_ships_per_month",
    "model_ships_per_month",
    "diff_ships_per_month",
    "ratio_ships",
    "source",
]


def compare_with_history(
    model_result: Throughput,
    *,
    history: tuple[HistoryRecord, ...] | None = None,
) -> pd.DataFrame:
    """Compare a throughput with the recorded monthly rates.

    Parameters
    ----------
    model_result : Throughput
        From :func:`throughput`.
    history : tuple of HistoryRecord, optional
        Defaults to :func:`default_history`.

    Returns
    -------
    pandas.DataFrame
        One row per record: ``record, name, operation, start, end, months``, the
        recorded and modelled tonnes and departures a month, ``diff_*`` (model
        minus recorded) and ``ratio_*`` (model / recorded; NaN where the record
        gives no figure), and ``source``.
    """
    records = default_history() if history is None else history
    rows = []
    for r in records:
        months = r.months
        rec_t = r.cargo_t / months if r.cargo_t is not None else math.nan
        rec_s = r.departures / months if r.departures is not None else math.nan
        mod_t = model_result.tonnes_per_month
        mod_s = model_result.ships_per_month
        rows.append(
            {
                "record": r.id,
                "name": r.name,
                "operation": r.operation,
                "start": r.start,
                "end": r.end,
                "months": months,
                "recorded_t_per_month": rec_t,
                "model_t_per_month": mod_t,
                "diff_t_per_month": mod_t - rec_t,
                "ratio_t": mod_t / rec_t if rec_t > 0 else math.nan,
                "recorded_ships_per_month": rec_s,
                "model_ships_per_month": mod_s,
                "diff_ships_per_month": mod_s - rec_s,
                "ratio_ships": mod_s / rec_s if rec_s > 0 else math.nan,
                "source": r.source,
            }
        )
    return pd.DataFrame(rows, columns=_HISTORY_COLUMNS)
