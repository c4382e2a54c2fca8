"""Black Sea missions: a mission file, its route, Montreux findings, sizing and throughput.

A mission (:class:`SeaMission`) is a TOML file: a route between two ports with an
exposure weight (and optional weights for mined water and for leaving NATO
territorial seas), a corridor width, the warships (flag, standard tonnage, kind), a
mine-clearing deadline, a convoy rate or the escorts available, how long the force
stays in the Black Sea, the mine danger areas to route around (``mine_areas =
"bundled"`` or a GeoJSON path) and the fighter air cover (``[air_cover]``). Three
presets ship with garant
(``garant/data/sea/presets/*.toml``): ``turkiye-littoral``, ``international-escort``
and ``no-mission``.

:func:`plan_mission` turns a mission into a :class:`MissionPlan`: the route and its
exposure to each threat system (:func:`garant.sea.corridor.plan_route`), the
Montreux Convention findings (:func:`garant.sea.montreux.check_mission`), the mine
countermeasure vessels needed for a corridor as long as the route, hunting the part
inside mine danger areas (:func:`garant.sea.sizing.mcm_vessels`), the fighter patrol
stations and aircraft that cover the route against air threats
(:func:`garant.sea.aircover.air_cover`), the escorts and the throughput
(:func:`garant.sea.sizing.escorts`, :func:`garant.sea.sizing.throughput`) and the
comparison with the recorded history (:func:`garant.sea.sizing.compare_with_history`).
"""

from __future__ import annotations

import logging
import math
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import geopandas as gpd
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from shapely.geometry.base import BaseGeometry

from garant._toml import _key_text
from garant.errors import ConfigError, DataError, NotFoundError
from garant.sea.aircover import DEFAULT_BASE, DEFAULT_DEFENCE, AirBase, AirCover, air_cover
from garant.sea.corridor import DEFAULT_MINE_WEIGHT_KM, RouteAssessment, plan_route
from garant.sea.montreux import ISO3_CODES, SHIP_KINDS, Finding, Ship, check_mission
from garant.sea.routing import ports
from garant.sea.sizing import (
    BLACK_SEA_MAX_EXTENT_KM,
    EscortRequirement,
    MCMRequirement,
    Throughput,
    compare_with_history,
    escorts,
    mcm_vessels,
    throughput,
)
from garant.sea.threats import BUNDLED_MINE_AREAS, launch_area, load_mine_areas

if TYPE_CHECKING:
    from garant.store import Store

__all__ = [
    "AirCoverSpec",
    "MissionPlan",
    "SeaMission",
    "load_mission",
    "mission_presets",
    "plan_mission",
]

log = logging.getLogger(__name__)

_PRESET_DIR = ("data", "sea", "presets")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class RouteSpec(_Strict):
    """The mission's route: ports, routing weights and speed (kn).

    ``exposure_weight``: km of detour per grid step within reach of a coastal
    missile; ``mine_weight_km``: extra km per grid step inside a mine area (default
    :data:`garant.sea.corridor.DEFAULT_MINE_WEIGHT_KM`, used only with
    ``mine_areas``); ``nato_waters_weight``: extra km per grid step outside NATO
    members' territorial seas (0: none).
    """

    origin: str = Field(alias="from", min_length=1)
    destination: str = Field(alias="to", min_length=1)
    exposure_weight: float = Field(0.0, ge=0.0, allow_inf_nan=False)
    speed_kn: float = Field(12.0, gt=0.0, le=40.0, allow_inf_nan=False)
    mine_weight_km: float = Field(DEFAULT_MINE_WEIGHT_KM, ge=0.0, allow_inf_nan=False)
    nato_waters_weight: float = Field(0.0, ge=0.0, allow_inf_nan=False)

    @field_validator("origin", "destination")
    @classmethod
    def _known_port(cls, v: str) -> str:
        known = ports()
        key = v.strip().lower()
        if key not in known:
            raise ValueError(f"unknown port {v!r} (known: {', '.join(sorted(known))})")
        return key


class CorridorSpec(_Strict):
    """The cleared corridor: its width, km (the length is the route's)."""

    width_km: float = Field(gt=0.0, allow_inf_nan=False)

    @field_validator("width_km")
    @classmethod
    def _within_sea(cls, v: float) -> float:
        if v > BLACK_SEA_MAX_EXTENT_KM:
            raise ValueError(
                f"width {v:g} km is wider than the Black Sea ({BLACK_SEA_MAX_EXTENT_KM:g} km)"
            )
        return v


class ShipSpec(_Strict):
    """A warship: name, flag (ISO 3166-1 alpha-3), standard displacement (t), kind."""

    name: str = Field(min_length=1)
    flag_iso: str
    tonnage_t: float = Field(gt=0.0, allow_inf_nan=False)
    kind: str

    @field_validator("flag_iso")
    @classmethod
    def _flag(cls, v: str) -> str:
        if v not in ISO3_CODES:
            raise ValueError(f"flag {v!r} is not an ISO 3166-1 alpha-3 code")
        return v

    @field_validator("kind")
    @classmethod
    def _kind(cls, v: str) -> str:
        if v not in SHIP_KINDS:
            raise ValueError(f"kind {v!r} is not one of {', '.join(SHIP_KINDS)}")
        return v

    def to_ship(self) -> Ship:
        """The :class:`garant.sea.montreux.Ship`."""
        return Ship(self.name, self.flag_iso, self.tonnage_t, self.kind)


class MCMSpec(_Strict):
    """Mine clearing: deadline (days), method, and vessels assigned (``None``: not stated)."""

    days_to_clear: float = Field(gt=0.0, allow_inf_nan=False)
    method: Literal["hunt", "sweep"] = "hunt"
    keep_open: bool = True
    vessels_assigned: int | None = Field(None, ge=0)


class ConvoySpec(_Strict):
    """Convoys: exactly one of ``per_day`` and ``escorts_available``, and their make-up."""

    per_day: float | None = Field(None, ge=0.0, allow_inf_nan=False)
    escorts_available: float | None = Field(None, ge=0.0, allow_inf_nan=False)
    ships_per_convoy: float = Field(gt=0.0, allow_inf_nan=False)
    escorts_per_convoy: float | None = Field(None, ge=0.0, allow_inf_nan=False)
    inspections: bool = False

    @model_validator(mode="after")
    def _one_rate(self) -> ConvoySpec:
        if (self.per_day is None) == (self.escorts_available is None):
            raise ValueError("give exactly one of per_day and escorts_available")
        return self


class AirCoverSpec(_Strict):
    """Fighter air cover over the corridor (:func:`garant.sea.aircover.air_cover`).

    ``enabled`` (default true), ``defence`` (a fighter of the air catalogue),
    ``systems`` (sea threat systems to cover; default all the fighter can engage),
    ``standoff_km`` from the launch area, and the air base (``base_name``,
    ``base_lon``, ``base_lat``; default :data:`garant.sea.aircover.DEFAULT_BASE`).
    """

    enabled: bool = True
    defence: str = DEFAULT_DEFENCE
    systems: list[str] | None = None
    standoff_km: float = Field(default=0.0, ge=0.0, allow_inf_nan=False)
    base_name: str = Field(default=DEFAULT_BASE.name, min_length=1)
    base_lon: float = Field(default=DEFAULT_BASE.lon, ge=-180.0, le=180.0, allow_inf_nan=False)
    base_lat: float = Field(default=DEFAULT_BASE.lat, ge=-90.0, le=90.0, allow_inf_nan=False)

    @field_validator("defence")
    @classmethod
    def _fighter(cls, v: str) -> str:
        from garant.air.catalog import default_catalog

        fighters = sorted(k for k, d in default_catalog().defences.items() if d.kind == "fighter")
        if v not in fighters:
            raise ValueError(
                f"defence {v!r} is not a fighter of the air catalogue ({', '.join(fighters)})"
            )
        return v

    def base(self) -> AirBase:
        """The air base."""
        if (self.base_lon, self.base_lat) == (DEFAULT_BASE.lon, DEFAULT_BASE.lat):
            return DEFAULT_BASE
        return AirBase(self.base_name, self.base_lon, self.base_lat, "mission file")


class SeaMission(_Strict):
    """A Black Sea mission as read from a TOML file (unknown fields are errors).

    Attributes
    ----------
    name, description : str
        Id and one paragraph.
    sources, assumptions : list of str
        Citations and the assumptions where no source was found.
    route : RouteSpec
        ``from``/``to`` port ids, ``exposure_weight`` (>= 0), ``speed_kn``.
    corridor : CorridorSpec
        ``width_km`` of the cleared corridor.
    ships : list of ShipSpec
        The warships (empty: no naval mission).
    mcm : MCMSpec
        ``days_to_clear``, ``method``, ``keep_open``, ``vessels_assigned``.
    convoys : ConvoySpec
        ``per_day`` or ``escorts_available``, ``ships_per_convoy``, ``escorts_per_convoy``.
    days_in_sea : float
        How long each ship stays in the Black Sea, days.
    turkey_closed : bool
        Whether Türkiye keeps the Straits closed to warships (Art. 19).
    mine_areas : str or None
        ``"bundled"`` (:func:`garant.sea.threats.load_mine_areas`' bundled layer) or
        a GeoJSON file (relative paths are relative to the mission file); None: no
        mine areas known, the whole corridor is cleared.
    air_cover : AirCoverSpec
        Fighter air cover options (``[air_cover]``).
    """

    name: str = Field(min_length=1)
    description: str = ""
    sources: list[str] = Field(default_factory=list)
    assumptions: list[str] = Field(default_factory=list)
    route: RouteSpec
    corridor: CorridorSpec
    ships: list[ShipSpec] = Field(default_factory=list)
    mcm: MCMSpec
    convoys: ConvoySpec
    days_in_sea: float = Field(gt=0.0, allow_inf_nan=False)
    turkey_closed: bool = True
    mine_areas: str | None = Field(None, min_length=1)
    air_cover: AirCoverSpec = Field(default_factory=AirCoverSpec)


def _message(label: str, exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) if isinstance(p, int) else _key_text(str(p)) for p in err["loc"])
        msg = str(err["msg"]).removeprefix("Value error, ")
        parts.append(f"field {loc}: {msg}" if loc else msg)
    return f"mission file {label}: " + "; ".join(parts)


def mission_presets() -> list[str]:
    """Names of the bundled mission presets, sorted."""
    folder = resources.files("garant").joinpath(*_PRESET_DIR)
    return sorted(
        p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml")
    )


def _parse(data: dict[str, Any], label: str) -> SeaMission:
    try:
        return SeaMission.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_message(label, exc)) from None


def load_mission(name_or_path: str | Path) -> SeaMission:
    """Read a mission from a preset name or a TOML file.

    Parameters
    ----------
    name_or_path : str or pathlib.Path
        A preset name (see :func:`mission_presets`) or a path to a ``.toml`` file.

    Returns
    -------
    SeaMission

    Raises
    ------
    NotFoundError
        Neither a preset nor an existing file.
    ConfigError
        Unreadable or invalid TOML, an unknown field, a value out of range, or a
        ``mine_areas`` file that does not exist (the message names the file and the
        field).
    """
    text: str
    s = str(name_or_path)
    is_preset = isinstance(name_or_path, str) and s in mission_presets()
    if is_preset:
        label = f"garant/data/sea/presets/{s}.toml"
        text = resources.files("garant").joinpath(*_PRESET_DIR, f"{s}.toml").read_text("utf-8")
    else:
        path = Path(name_or_path)
        label = str(path)
        if not path.is_file():
            raise NotFoundError(
                f"mission {s!r} is neither a preset ({', '.join(mission_presets())}) nor a file"
            )
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"mission file {label}: cannot read ({exc.strerror or exc})") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"mission file {label}: not valid TOML ({exc})") from exc
    m = _parse(data, label)
    if m.mine_areas is not None and m.mine_areas != BUNDLED_MINE_AREAS:
        if is_preset:
            raise ConfigError(
                f"mission file {label}: field mine_areas: a preset may only name "
                f"{BUNDLED_MINE_AREAS!r}"
            )
        mines = Path(m.mine_areas)
        if not mines.is_absolute():
            mines = Path(label).parent / mines
        if not mines.is_file():
            raise ConfigError(f"mission file {label}: field mine_areas: no file {str(mines)!r}")
        m = m.model_copy(update={"mine_areas": str(mines)})
    return m


@dataclass(frozen=True)
class MissionPlan:
    """A planned mission: route, rules, sizing, throughput and history.

    Attributes
    ----------
    mission : SeaMission
        The input.
    assessment : RouteAssessment
        The route and its exposure to each threat system.
    findings : tuple of Finding
        Montreux Convention findings (empty without warships).
    mcm : MCMRequirement
        Mine countermeasure vessels to clear and keep open a corridor as long as
        the route and ``mission.corridor.width_km`` wide.
    escorts : EscortRequirement
        Escorts needed for the modelled convoy rate.
    throughput : Throughput
        Departures and tonnes a month.
    history : pandas.DataFrame
        :func:`garant.sea.sizing.compare_with_history` of :attr:`throughput`.
    occupied : BaseGeometry
        Occupied territory used for the launch area, EPSG:4326.
    occupied_source : str
        ``"store"`` or ``"demo"``.
    mine_areas : geopandas.GeoDataFrame or None
        The mine danger areas routed around (None: the mission names none).
    mine_km : float
        Route length inside them, km (NaN without mine areas).
    air_cover : AirCover or None
        Fighter patrol stations and aircraft (None when ``[air_cover] enabled =
        false``).
    """

    mission: SeaMission
    assessment: RouteAssessment
    findings: tuple[Finding, ...]
    mcm: MCMRequirement
    escorts: EscortRequirement
    throughput: Throughput
    history: pd.DataFrame
    occupied: BaseGeometry
    occupied_source: str
    mine_areas: gpd.GeoDataFrame | None = None
    mine_km: float = math.nan
    air_cover: AirCover | None = None

    @property
    def name(self) -> str:
        """The mission's name."""
        return self.mission.name

    def findings_frame(self) -> pd.DataFrame:
        """Findings as a table: ``rule, article, status, message``."""
        cols = ["rule", "article", "status", "message"]
        return pd.DataFrame(
            [[f.rule, f.article, f.status, f.message] for f in self.findings], columns=cols
        )

    def summary(self) -> pd.DataFrame:
        """Headline figures: one row per ``metric`` with ``value`` and ``unit``."""
        r = self.assessment.route
        tp = self.throughput
        exp = self.assessment.exposure.set_index("system")["exposure_h"]
        worst = [f for f in self.findings if f.status in ("violation", "constraint")]
        assigned = self.mission.mcm.vessels_assigned
        rows: list[tuple[str, object, str]] = [
            ("mission", self.name, ""),
            ("route", f"{r.origin} -> {r.destination}", ""),
            ("route_length_km", r.length_km, "km"),
            ("transit_h", r.transit_h, "h"),
            ("nato_territorial_share", r.nato_territorial_share, "share"),
            ("exposure_weight", self.assessment.exposure_weight, "km/step"),
            ("mine_areas", 0 if self.mine_areas is None else len(self.mine_areas), "areas"),
            ("mine_km", self.mine_km, "km"),
        ]
        rows += [(f"exposure_h_{s}", float(h), "h") for s, h in exp.items()]
        rows += [
            ("warships", len(self.mission.ships), "ships"),
            (
                "non_littoral_warships",
                sum(not s.to_ship().littoral for s in self.mission.ships),
                "ships",
            ),
            ("montreux_violations", sum(f.status == "violation" for f in self.findings), ""),
            ("montreux_constraints", sum(f.status == "constraint" for f in self.findings), ""),
            ("montreux_worst", worst[0].message if worst else "", ""),
            ("corridor_area_km2", self.mcm.area_km2, "km2"),
            ("mcm_vessels_to_clear", self.mcm.vessels_to_clear, "ships"),
            ("mcm_vessels_to_keep_open", self.mcm.vessels_to_keep_open, "ships"),
            ("mcm_vessels_assigned", math.nan if assigned is None else assigned, "ships"),
            ("mcm_mined_km", self.mcm.mined_length_km, "km"),
            ("convoys_per_day", tp.convoys_per_day, "1/day"),
            ("escorts_required", self.escorts.escorts_required, "ships"),
            ("ships_per_day", tp.ships_per_day, "ships/day"),
            ("binding_limit", tp.binding, ""),
            ("tonnes_per_month", tp.tonnes_per_month, "t/month"),
            ("tonnes_per_year", tp.tonnes_per_year, "t/year"),
        ]
        if self.air_cover is not None:
            rows += self.air_cover.summary()
        rows.append(("occupied_source", self.occupied_source, ""))
        return pd.DataFrame(rows, columns=["metric", "value", "unit"])


def _occupied(store: Store | None) -> tuple[BaseGeometry, str]:
    if store is None:
        from garant.air.presets import demo_occupied

        return demo_occupied(), "demo"
    from garant.air.placement import occupied_from_store

    return occupied_from_store(store), "store"


def plan_mission(
    mission_or_name: SeaMission | str | Path, *, store: Store | None = None
) -> MissionPlan:
    """Plan a Black Sea mission.

    Parameters
    ----------
    mission_or_name : SeaMission, str or pathlib.Path
        A mission, a preset name or a mission file.
    store : garant.store.Store, optional
        The frontline store for the occupied territory; without it the bundled
        demo's latest snapshot is used.

    Returns
    -------
    MissionPlan

    Raises
    ------
    NotFoundError, ConfigError
        From :func:`load_mission`.
    DataError
        No sea path between the ports, or sizing inputs out of range.
    """
    m = (
        mission_or_name
        if isinstance(mission_or_name, SeaMission)
        else load_mission(mission_or_name)
    )
    occupied, source = _occupied(store)
    mines = load_mine_areas(m.mine_areas) if m.mine_areas is not None else None
    assessment = plan_route(
        m.route.origin,
        m.route.destination,
        occupied=occupied,
        exposure_weight=m.route.exposure_weight,
        speed_kn=m.route.speed_kn,
        mine_areas=mines,
        mine_weight_km=m.route.mine_weight_km,
        nato_waters_weight=m.route.nato_waters_weight,
    )
    length = assessment.route.length_km
    mine_km = assessment.mine_km if mines is not None else math.nan
    findings: tuple[Finding, ...] = ()
    if m.ships:
        findings = tuple(
            check_mission(
                [s.to_ship() for s in m.ships],
                days_in_sea=m.days_in_sea,
                turkey_closed=m.turkey_closed,
            )
        )
    try:
        mcm = mcm_vessels(
            length,
            m.corridor.width_km,
            days_to_clear=m.mcm.days_to_clear,
            keep_open=m.mcm.keep_open,
            method=m.mcm.method,
            mined_length_km=None if mines is None else min(mine_km, length),
        )
        c = m.convoys
        tp = throughput(
            length,
            convoys_per_day=c.per_day,
            escorts_available=c.escorts_available,
            ships_per_convoy=c.ships_per_convoy,
            escorts_per_convoy=c.escorts_per_convoy,
            inspections=c.inspections,
        )
        esc = escorts(
            tp.convoys_per_day, route_length_km=length, escorts_per_convoy=tp.escorts_per_convoy
        )
        cover = None
        if m.air_cover.enabled:
            from garant.sea.corridor import _russia

            cover = air_cover(
                assessment.route.line,
                launch_area(occupied, _russia()),
                defence=m.air_cover.defence,
                systems=m.air_cover.systems,
                bases=(m.air_cover.base(),),
                standoff_km=m.air_cover.standoff_km,
            )
    except (DataError, NotFoundError) as exc:
        raise type(exc)(f"mission {m.name!r}: {exc}") from exc
    log.info(
        "mission %s: %.0f km, NATO share %.2f, %.0f t/month",
        m.name,
        length,
        assessment.route.nato_territorial_share,
        tp.tonnes_per_month,
    )
    return MissionPlan(
        mission=m,
        assessment=assessment,
        findings=findings,
        mcm=mcm,
        escorts=esc,
        throughput=tp,
        history=compare_with_history(tp),
        occupied=occupied,
        occupied_source=source,
        mine_areas=mines,
        mine_km=mine_km,
        air_cover=cover,
    )
