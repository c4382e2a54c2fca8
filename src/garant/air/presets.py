"""Air packages: what an air-shield option deploys, against which raid, with what stocks.

An **air package** is a TOML file validated by :class:`AirPackage`: a name, the public
proposals it comes from, the units it deploys (a catalogue defence, a count and a
location: an asset id, a settlement name or ``[lon, lat]``), whether Ukraine's
calibrated baseline defence is included, the stand-off from Russian-held territory
its units must keep, shoot overrides (a reconnaissance-only mission), reserve rounds,
the raid and the campaign. Bundled presets live in ``garant/data/air/presets/``::

    garant.air.presets.list_presets()
    # ['recon-only', 'sky-shield', 'ukraine-today', 'us-backstop']

The raid, the campaign and Ukraine's calibrated baseline that a package does not set
come from ``_defaults.toml`` in the same folder (:func:`load_defaults`): the default
raid is the mean of the largest tenth of nights in the last six months of the Air
Force records, and the baseline holds the parameters of
:func:`garant.air.calibration.fit_baseline` fitted on those records; both were computed
once and written into the file with their provenance (the records themselves are not
bundled and never read at run time).

**Add-ons** (``addon = true``, e.g. ``us-backstop``) bring units, reserves, resupply,
sources and assumptions only; they compose with any package: ``"sky-shield+us-backstop"``
or ``addons = ["us-backstop"]`` (:func:`load_package`).

Every problem is reported as one :class:`~garant.errors.ConfigError` whose lines name
the file, the line where it can be found, the field and the problem.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import math
import re
from collections.abc import Iterable, Sequence
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd
import pyproj
import shapely
from pydantic import BaseModel, ConfigDict, Field, field_validator
from shapely.geometry.base import BaseGeometry

from garant._toml import _toml_key_path as _toml_key_path
from garant._toml import line_of as line_of
from garant._toml import parse_toml, preset_names, read_preset, settings_document, validate_model
from garant._toml import pydantic_problems as _pydantic_problems  # noqa: F401 - re-exported
from garant._toml import raise_problems as _raise
from garant._toml import where as _where
from garant.air.calibration import BaselineModel, ClassParams
from garant.air.catalog import Quantity
from garant.air.classes import THREAT_CLASSES
from garant.errors import ConfigError, NotFoundError

if TYPE_CHECKING:
    import geopandas as gpd

    from garant.air.catalog import Catalog

__all__ = [
    "ADDON_SEPARATOR",
    "AirDefaults",
    "AirPackage",
    "BaselineSpec",
    "CampaignSpec",
    "Deployment",
    "RaidSpec",
    "WaveSpec",
    "check_package",
    "demo_occupied",
    "effective_campaign",
    "effective_raid",
    "list_presets",
    "load_defaults",
    "load_package",
    "merge_addons",
    "resolve_location",
    "resolve_units",
    "standoff_distances_km",
]

logger = logging.getLogger(__name__)

#: Joins a package and its add-ons in one name: ``"sky-shield+us-backstop"``.
ADDON_SEPARATOR = "+"
#: Countries a stand-off may be measured from besides the occupied territory.
STANDOFF_SOURCES: tuple[str, ...] = ("occupied", "RUS", "BLR")
#: Safety margin added to the stand-off when a unit is moved to the nearest permitted
#: point, km: keeps the point valid when the line of contact moves a little.
PLACEMENT_MARGIN_KM = 5.0
_RING_STEP_KM = 5.0
_RING_MAX_KM = 400.0
_BEARINGS = 72
_GEOD = pyproj.Geod(ellps="WGS84")
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")
_DEFAULTS_FILE = "_defaults.toml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# ----------------------------------------------------------------------------- the schema


class Deployment(_Strict):
    """Units of one defence type at one location.

    Attributes
    ----------
    defence : str
        Defence id in the air catalogue (``typhoon_patrol``, ``patriot_pac3`` ...).
    count : int
        Units (>= 1): fire units, or aircraft on station for fighter patrols.
    location : str or (float, float)
        An asset id (``rivne_npp``), a settlement name (``"Kyiv"``, case-insensitive)
        or ``[lon, lat]`` in degrees (EPSG:4326).
    placement : {"at", "nearest_permitted"}
        ``at``: the units stand at the location and must keep the stand-off;
        ``nearest_permitted``: they stand at the point nearest to the location (inside
        Ukraine) that keeps the stand-off plus :data:`PLACEMENT_MARGIN_KM`.
    role : str
        What the units do (free text, shown in reports).
    id : str or None
        Prefix of the unit ids (default ``<defence>@<location>``).
    """

    defence: str
    count: int = Field(ge=1)
    location: str | tuple[float, float]
    placement: Literal["at", "nearest_permitted"] = "at"
    role: str = ""
    id: str | None = None

    @field_validator("location")
    @classmethod
    def _location(cls, v: str | tuple[float, float]) -> str | tuple[float, float]:
        if isinstance(v, tuple):
            lon, lat = v
            if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
                raise ValueError(f"[lon, lat] = [{lon:g}, {lat:g}] is outside the globe")
        elif not v.strip():
            raise ValueError("empty location")
        return v

    @property
    def prefix(self) -> str:
        """Unit-id prefix."""
        if self.id:
            return self.id
        where = (
            self.location
            if isinstance(self.location, str)
            else f"{self.location[0]:.2f},{self.location[1]:.2f}"
        )
        return f"{self.defence}@{where}"


class WaveSpec(_Strict):
    """A wave of one threat type, split evenly over its launch areas.

    Attributes
    ----------
    threat : str
        Threat id in the catalogue.
    count : int
        Threats launched (>= 0), split evenly over ``launch_areas`` (the first areas
        get the remainder).
    launch_areas : list of str
        Launch-area ids in the catalogue.
    targets : list of str
        Asset ids or settlement names; empty: the raid's targets. Targets beyond the
        threat's range from a launch area are left out for that area.
    start_h, duration_h : float
        First launch after the raid starts and the launch window, h (>= 0).
    """

    threat: str
    count: int = Field(ge=0)
    launch_areas: list[str] = Field(min_length=1)
    targets: list[str] = []
    start_h: float = Field(default=0.0, ge=0.0)
    duration_h: float = Field(default=0.0, ge=0.0)


class RaidSpec(_Strict):
    """One night's raid.

    Attributes
    ----------
    description, source : str
        What the raid is and where its numbers come from.
    targets : list of str
        The protected assets the raid aims at (asset ids or settlement names); each
        wave's threats are assigned to them round-robin.
    waves : list of WaveSpec
        The waves.
    decoy_discrimination_p : float
        Probability that a decoy is recognised and not engaged (0-1).
    decoy_discrimination_assumption : str
        Why that value.
    hit_p : dict of str to float
        Probability that a leaked threat of a class hits its target (default 1).
    """

    description: str = ""
    source: str
    targets: list[str] = Field(min_length=1)
    waves: list[WaveSpec] = Field(min_length=1)
    decoy_discrimination_p: float = Field(default=0.0, ge=0.0, le=1.0)
    decoy_discrimination_assumption: str = ""
    hit_p: dict[str, float] = {}

    @field_validator("hit_p")
    @classmethod
    def _hit_p(cls, v: dict[str, float]) -> dict[str, float]:
        for c, p in v.items():
            if c not in THREAT_CLASSES:
                raise ValueError(f"unknown threat class {c!r}")
            if not 0.0 <= p <= 1.0:
                raise ValueError(f"{c}: {p:g} outside [0, 1]")
        return v


class CampaignSpec(_Strict):
    """Campaign settings; unset fields come from the defaults.

    Attributes
    ----------
    nights : int or None
        Nights per campaign (>= 1).
    resupply_every_nights : int or None
        Resupply period, nights.
    raid_fraction : float or list of float or None
        Share of the raid flown each night: a number, or a sample each night draws
        from (a distribution of raid sizes).
    raid_fraction_source : str
        Where the sample comes from.
    resupply : dict of str to int
        Rounds per defence id delivered every ``resupply_every_nights`` nights.
    resupply_assumption : str
        Why those amounts.
    """

    nights: int | None = Field(default=None, ge=1)
    resupply_every_nights: int | None = Field(default=None, ge=1)
    raid_fraction: float | list[float] | None = None
    raid_fraction_source: str = ""
    resupply: dict[str, int] = {}
    resupply_assumption: str = ""

    @field_validator("raid_fraction")
    @classmethod
    def _fraction(cls, v: float | list[float] | None) -> float | list[float] | None:
        values = [] if v is None else ([v] if isinstance(v, float | int) else list(v))
        if v is not None and not values:
            raise ValueError("empty raid_fraction sample")
        for x in values:
            if not (math.isfinite(x) and 0.0 <= x <= 1.0):
                raise ValueError(f"raid fraction {x:g} outside [0, 1]")
        return v

    @field_validator("resupply")
    @classmethod
    def _resupply(cls, v: dict[str, int]) -> dict[str, int]:
        for k, n in v.items():
            if n < 0:
                raise ValueError(f"{k}: {n} rounds must be >= 0")
        return v


class CostSpec(_Strict):
    """Costs beyond the interceptors the simulation counts.

    Attributes
    ----------
    operating_usd_per_night : Quantity or None
        Running cost of the mission per night (flight hours, crews, bases), USD.
    """

    operating_usd_per_night: Quantity | None = None


class BaselineClass(_Strict):
    """Fitted parameters of one class (:class:`garant.air.calibration.ClassParams`)."""

    intercept: float
    size_slope: float
    log_size_ref: float
    n_nights: int = Field(ge=0)
    launched: int = Field(ge=0)
    neutralised: int = Field(ge=0)
    status: Literal["fitted", "pooled"] = "fitted"


class BaselineSpec(_Strict):
    """Ukraine's calibrated baseline defence, as stored parameters.

    Attributes
    ----------
    source : str
        How the parameters were computed.
    fit_start, until : datetime.date
        The fit window (``until`` exclusive).
    half_life_months, size_ridge, min_launched : float
        The fit settings.
    classes : dict of str to BaselineClass
        Parameters per class.
    class_map : dict of str to str
        Classes the records do not count apart, mapped to the class that includes
        them (``decoy_uav = "strike_uav"``: the Air Force counts decoys within the
        Shahed totals).
    cost_per_neutralised_usd : dict of str to Quantity
        What one neutralisation costs Ukraine's defences per class (USD), for the
        cost-exchange ratio.
    """

    source: str
    fit_start: dt.date
    until: dt.date
    half_life_months: float | None = None
    size_ridge: float = 1000.0
    min_launched: float = 30.0
    classes: dict[str, BaselineClass]
    class_map: dict[str, str] = {}
    cost_per_neutralised_usd: dict[str, Quantity] = {}

    @field_validator("classes", "cost_per_neutralised_usd")
    @classmethod
    def _class_keys(cls, v: dict[str, Any]) -> dict[str, Any]:
        bad = [c for c in v if c not in THREAT_CLASSES]
        if bad:
            raise ValueError(f"unknown threat class {', '.join(map(repr, bad))}")
        return v

    def model(self) -> BaselineModel:
        """The :class:`~garant.air.calibration.BaselineModel` these parameters define."""
        params = {
            c: ClassParams(
                threat_class=c,
                intercept=p.intercept,
                size_slope=p.size_slope,
                trend_per_month=0.0,
                log_size_ref=p.log_size_ref,
                n_nights=p.n_nights,
                launched=p.launched,
                neutralised=p.neutralised,
                status=p.status,
            )
            for c, p in self.classes.items()
        }
        return BaselineModel(
            params=params,
            fit_start=self.fit_start,
            until=self.until,
            half_life_months=self.half_life_months,
            size_ridge=self.size_ridge,
            trend=False,
            min_launched=self.min_launched,
        )


class AirDefaults(_Strict):
    """The shared defaults of every package (``_defaults.toml``)."""

    baseline: BaselineSpec
    raid: RaidSpec
    campaign: CampaignSpec


class AirPackage(_Strict):
    """An air package (a preset or a user file).

    Attributes
    ----------
    name : str
        Lower-case name (``sky-shield``); for merged packages ``base+addon``.
    description : str
        One paragraph.
    addon : bool
        True for add-ons that only extend another package.
    sources : list of str
        The public proposals and documents the package comes from.
    assumptions : list of str
        What the package assumes where the sources are silent.
    baseline : bool
        Whether Ukraine's calibrated baseline defence is included.
    standoff_km : float
        Minimum distance of the package's units from Russian-held territory, km.
    standoff_from : list of str
        What counts as Russian-held: ``occupied`` (occupied Ukraine), ``RUS``, ``BLR``.
    protect : list of str
        The assets the package is meant to protect (asset ids or settlement names).
    units : list of Deployment
        The units.
    reserve : dict of str to int
        Reserve rounds per unit at the start, per defence id (default 0).
    shoots : dict of str to bool
        Overrides of the catalogue's ``shoots`` per defence id (``false``: the units
        only see; their engagement range becomes their detection range).
    raid : RaidSpec or None
        The raid (default: the defaults' raid).
    campaign : CampaignSpec or None
        Campaign settings over the defaults.
    costs : CostSpec
        Other costs.
    addons : list of str
        Add-on packages merged into this one.
    source_file : str
        The file it was read from (set by the loader; not allowed in files).
    """

    name: str
    description: str = ""
    addon: bool = False
    sources: list[str] = []
    assumptions: list[str] = []
    baseline: bool = True
    standoff_km: float = Field(default=0.0, ge=0.0)
    standoff_from: list[str] = ["occupied", "RUS"]
    protect: list[str] = []
    units: list[Deployment] = []
    reserve: dict[str, int] = {}
    shoots: dict[str, bool] = {}
    raid: RaidSpec | None = None
    campaign: CampaignSpec | None = None
    costs: CostSpec = CostSpec()
    addons: list[str] = []
    source_file: str = ""

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        parts = v.split(ADDON_SEPARATOR)
        if not all(_NAME_RE.match(p) for p in parts):
            raise ValueError(f"name {v!r} must be lower-case letters, digits, '-' and '_'")
        return v

    @field_validator("standoff_from")
    @classmethod
    def _standoff_from(cls, v: list[str]) -> list[str]:
        bad = [s for s in v if s not in STANDOFF_SOURCES]
        if bad:
            raise ValueError(f"unknown {', '.join(map(repr, bad))} (use {STANDOFF_SOURCES})")
        return v

    @field_validator("reserve")
    @classmethod
    def _reserve(cls, v: dict[str, int]) -> dict[str, int]:
        for k, n in v.items():
            if n < 0:
                raise ValueError(f"{k}: {n} rounds must be >= 0")
        return v

    @property
    def label(self) -> str:
        """Where the package comes from, for messages."""
        return self.source_file or f"package {self.name!r}"

    @property
    def defence_ids(self) -> tuple[str, ...]:
        """Deployed defence ids, in order of first appearance."""
        return tuple(dict.fromkeys(d.defence for d in self.units))


# ----------------------------------------------------------------------------- loading


def _presets_dir() -> Any:
    return resources.files("garant").joinpath("data", "air", "presets")


def list_presets() -> list[str]:
    """Names of the bundled presets (``.toml`` files without a leading ``_``), sorted."""
    return preset_names(_presets_dir())


def _read(name_or_path: str | Path) -> tuple[str, str]:
    """(label, text) of a preset name or a file path."""
    return read_preset(
        name_or_path,
        _presets_dir(),
        what="air package",
        preset_what="air preset",
        label_dir="presets",
    )


@functools.cache
def load_defaults() -> AirDefaults:
    """The bundled defaults (``presets/_defaults.toml``): raid, campaign and baseline.

    Returns
    -------
    AirDefaults

    Raises
    ------
    ConfigError
        The bundled file is invalid (a packaging error).
    """
    label = f"presets/{_DEFAULTS_FILE}"
    text = _presets_dir().joinpath(_DEFAULTS_FILE).read_text(encoding="utf-8")
    return validate_model(
        AirDefaults, parse_toml(label, text), label=label, text=text, what="air defaults"
    )


def _load_one(name_or_path: str | Path) -> tuple[AirPackage, str]:
    label, text = _read(name_or_path)
    return settings_document(AirPackage, label, text, what=f"air package {label}"), text


def merge_addons(base: AirPackage, addons: Sequence[AirPackage]) -> AirPackage:
    """Merge add-on packages into a package.

    Units, sources and assumptions are appended; ``protect`` is extended; ``reserve``,
    ``shoots`` and the campaign's ``resupply`` are merged per defence id (an id given by
    both with different values is an error); the stand-off is the largest of all. The
    raid, the rest of the campaign, the baseline switch and the costs are the base's.

    Parameters
    ----------
    base : AirPackage
        The package.
    addons : sequence of AirPackage
        Add-ons (``addon = true``).

    Returns
    -------
    AirPackage
        Named ``base+addon1+addon2``.

    Raises
    ------
    ConfigError
        A package given as an add-on is not one, or merged tables conflict.
    """
    if not addons:
        return base
    problems: list[str] = []
    units = list(base.units)
    sources, assumptions = list(base.sources), list(base.assumptions)
    protect = list(base.protect)
    reserve, shoots = dict(base.reserve), dict(base.shoots)
    campaign = base.campaign or CampaignSpec()
    resupply = dict(campaign.resupply)
    standoff_from = list(base.standoff_from)
    standoff_km = base.standoff_km
    for add in addons:
        if not add.addon:
            problems.append(f"{add.label}: addon: {add.name!r} is not an add-on (addon = true)")
            continue
        units.extend(
            d if d.id else d.model_copy(update={"id": f"{add.name}:{d.prefix}"}) for d in add.units
        )
        sources.extend(s for s in add.sources if s not in sources)
        assumptions.extend(add.assumptions)
        protect.extend(p for p in add.protect if p not in protect)
        add_resupply = add.campaign.resupply if add.campaign else {}
        for what, mine, theirs in (
            ("reserve", reserve, add.reserve),
            ("shoots", shoots, add.shoots),
            ("campaign.resupply", resupply, add_resupply),
        ):
            for k, v in theirs.items():
                if k in mine and mine[k] != v:
                    problems.append(
                        f"{add.label}: {what}.{k}: {v!r} conflicts with {mine[k]!r} in {base.label}"
                    )
                mine[k] = v  # type: ignore[assignment]
        standoff_km = max(standoff_km, add.standoff_km)
        standoff_from.extend(s for s in add.standoff_from if s not in standoff_from)
    _raise(problems, "air package")
    return base.model_copy(
        update={
            "name": ADDON_SEPARATOR.join([base.name, *(a.name for a in addons)]),
            "units": units,
            "sources": sources,
            "assumptions": assumptions,
            "protect": protect,
            "reserve": reserve,
            "shoots": shoots,
            "campaign": campaign.model_copy(update={"resupply": resupply}),
            "standoff_km": standoff_km,
            "standoff_from": standoff_from,
            "addons": [],
            "source_file": ", ".join([base.label, *(a.label for a in addons)]),
        }
    )


def load_package(
    name_or_path: str | Path,
    *,
    addons: Sequence[str | Path] = (),
    catalog: Catalog | None = None,
    assets: gpd.GeoDataFrame | None = None,
    check: bool = True,
) -> AirPackage:
    """Load an air package (a preset name, ``base+addon`` or a TOML path) with its add-ons.

    Parameters
    ----------
    name_or_path : str or pathlib.Path
        A bundled preset (:func:`list_presets`), names joined by ``+``
        (``"sky-shield+us-backstop"``), or a path to a ``.toml`` file.
    addons : sequence of str or Path
        More add-ons to merge (after those named in the file's ``addons``).
    catalog : garant.air.catalog.Catalog, optional
        For :func:`check_package` (default: the bundled catalogue).
    assets : geopandas.GeoDataFrame, optional
        For :func:`check_package` (default: :func:`garant.air.assets.load_assets`).
    check : bool, default True
        Check ids and locations against the catalogue and the assets.

    Returns
    -------
    AirPackage
        With add-ons merged; stand-offs are checked later (:func:`resolve_units`),
        since they need the occupied territory.

    Raises
    ------
    NotFoundError
        An unknown preset or a missing file.
    ConfigError
        Invalid TOML or fields, unknown ids or locations (every problem, each naming
        the file, line and field).
    """
    parts: list[str | Path]
    if (
        isinstance(name_or_path, str)
        and ADDON_SEPARATOR in name_or_path
        and not Path(name_or_path).exists()
    ):
        first, *rest = name_or_path.split(ADDON_SEPARATOR)
        parts = [first, *rest]
    else:
        parts = [name_or_path]
    base, text = _load_one(parts[0])
    texts = {base.label: text}
    add_names: list[str | Path] = [*parts[1:], *base.addons, *addons]
    loaded: list[AirPackage] = []
    seen: set[str] = set()
    for name in add_names:
        add, add_text = _load_one(name)
        if add.name in seen:
            continue
        seen.add(add.name)
        texts[add.label] = add_text
        if add.addons:
            _raise([f"{_where(add.label, add_text, ['addons'])}: add-ons cannot nest"], "addon")
        loaded.append(add)
    if base.addon and loaded:
        _raise([f"{base.label}: addon: an add-on cannot take add-ons"], "air package")
    if check:
        for pkg in [base, *loaded]:
            check_package(pkg, catalog=catalog, assets=assets, text=texts[pkg.label])
    return merge_addons(base, loaded)


# ----------------------------------------------------------------------------- checking


def effective_raid(package: AirPackage, defaults: AirDefaults | None = None) -> RaidSpec:
    """The package's raid, or the default raid."""
    return package.raid or (defaults or load_defaults()).raid


def effective_campaign(package: AirPackage, defaults: AirDefaults | None = None) -> CampaignSpec:
    """The package's campaign settings over the defaults (every field set)."""
    base = (defaults or load_defaults()).campaign
    own = package.campaign or CampaignSpec()
    return CampaignSpec(
        nights=own.nights or base.nights,
        resupply_every_nights=own.resupply_every_nights or base.resupply_every_nights,
        raid_fraction=own.raid_fraction if own.raid_fraction is not None else base.raid_fraction,
        raid_fraction_source=(
            own.raid_fraction_source if own.raid_fraction is not None else base.raid_fraction_source
        ),
        resupply={**base.resupply, **own.resupply},
        resupply_assumption=own.resupply_assumption or base.resupply_assumption,
    )


def _asset_index(assets: gpd.GeoDataFrame) -> tuple[dict[str, int], dict[str, int]]:
    ids = {str(a): i for i, a in enumerate(assets["asset_id"].to_numpy())}
    pop = assets["population"].to_numpy() if "population" in assets else np.zeros(len(assets))
    order = np.argsort(-np.asarray(pop, dtype=float), kind="stable")
    keys = assets["name"].astype(str).str.casefold().to_numpy()
    names: dict[str, int] = {}
    for i in order.tolist():
        names.setdefault(str(keys[i]), i)
    return ids, names


def resolve_location(
    location: str | Sequence[float], assets: gpd.GeoDataFrame
) -> tuple[str, float, float]:
    """An asset id, a settlement name or ``[lon, lat]`` as ``(asset_id or "", lon, lat)``.

    Parameters
    ----------
    location : str or (float, float)
        Asset id (exact), asset or settlement name (case-insensitive; the most
        populous if several), or a point in degrees.
    assets : geopandas.GeoDataFrame
        From :func:`garant.air.assets.load_assets`.

    Returns
    -------
    tuple
        ``(asset_id, lon, lat)``; the id is ``""`` for a plain point.

    Raises
    ------
    NotFoundError
        No asset has that id or name.
    """
    if not isinstance(location, str):
        lon, lat = (float(v) for v in location)
        return "", lon, lat
    ids, names = _asset_index(assets)
    i = ids.get(location, names.get(location.casefold()))
    if i is None:
        raise NotFoundError(f"location {location!r} is not an asset id or settlement name")
    geom = assets.geometry.iloc[i]
    pt = geom if geom.geom_type == "Point" else geom.representative_point()
    return str(assets["asset_id"].iloc[i]), float(pt.x), float(pt.y)


def check_package(
    package: AirPackage,
    *,
    catalog: Catalog | None = None,
    assets: gpd.GeoDataFrame | None = None,
    text: str | None = None,
) -> None:
    """Check a package's ids and locations against the catalogue and the assets.

    Parameters
    ----------
    package : AirPackage
        The package.
    catalog : garant.air.catalog.Catalog, optional
        Default: the bundled catalogue.
    assets : geopandas.GeoDataFrame, optional
        Default: :func:`garant.air.assets.load_assets`.
    text : str, optional
        The TOML text, to give line numbers.

    Raises
    ------
    ConfigError
        Unknown defence, threat, launch-area or class ids, unknown locations or
        targets, reserve/shoots/resupply entries for undeployed defences, or an
        add-on that sets a raid. Every problem is listed.
    """
    if catalog is None:
        from garant.air.catalog import default_catalog

        catalog = default_catalog()
    if assets is None:
        from garant.air.assets import load_assets

        assets = load_assets()
    label = package.label
    problems: list[str] = []

    def bad(loc: Sequence[Any], msg: str) -> None:
        problems.append(f"{_where(label, text, loc)}: {msg}")

    def check_place(loc: Sequence[Any], where: str | Sequence[float]) -> None:
        try:
            resolve_location(where, assets)
        except NotFoundError as exc:
            bad(loc, str(exc))

    deployed = set(package.defence_ids)
    for i, d in enumerate(package.units):
        if d.defence not in catalog.defences:
            bad(["units", i, "defence"], f"unknown defence {d.defence!r} (not in the catalogue)")
        check_place(["units", i, "location"], d.location)
    for i, p in enumerate(package.protect):
        check_place(["protect", i], p)
    campaign_resupply = package.campaign.resupply if package.campaign else {}
    for what, table in (
        (["reserve"], package.reserve),
        (["shoots"], package.shoots),
        (["campaign", "resupply"], campaign_resupply),
    ):
        for k in table:
            if k not in catalog.defences:
                bad([*what, k], f"unknown defence {k!r} (not in the catalogue)")
            elif k not in deployed:
                bad([*what, k], f"defence {k!r} is not deployed in this package's units")
    if package.addon and package.raid is not None:
        bad(["raid"], "an add-on cannot set the raid")
    if package.raid is not None:
        _check_raid(package.raid, catalog, assets, bad)
    _raise(problems, f"air package {label}")


def _check_raid(raid: RaidSpec, catalog: Catalog, assets: gpd.GeoDataFrame, bad: Any) -> None:
    for i, t in enumerate(raid.targets):
        try:
            resolve_location(t, assets)
        except NotFoundError as exc:
            bad(["raid", "targets", i], str(exc))
    for i, w in enumerate(raid.waves):
        if w.threat not in catalog.threats:
            bad(["raid", "waves", i, "threat"], f"unknown threat {w.threat!r}")
        for j, a in enumerate(w.launch_areas):
            if a not in catalog.launch_areas:
                bad(["raid", "waves", i, "launch_areas", j], f"unknown launch area {a!r}")
        for j, t in enumerate(w.targets):
            try:
                resolve_location(t, assets)
            except NotFoundError as exc:
                bad(["raid", "waves", i, "targets", j], str(exc))


# ----------------------------------------------------------------------------- stand-off


@functools.cache
def demo_occupied() -> BaseGeometry:
    """Occupied territory of the bundled demo history's latest snapshot (EPSG:4326).

    Used when no store is given. Reading the demo takes a few seconds; the result is
    cached.
    """
    from garant.sources.demo import demo_monthly_occupied

    # The demo's latest snapshots are the monthly archive part (2024-07 on).
    snaps = demo_monthly_occupied()
    if not snaps:  # pragma: no cover - the demo always has snapshots
        raise NotFoundError("the bundled demo history has no snapshots")
    date, occupied = snaps[-1]
    logger.info("stand-off: occupied territory of the bundled demo, %s", date)
    return occupied


def _hostile(occupied: BaseGeometry | None, standoff_from: Iterable[str]) -> BaseGeometry:
    from garant.air.placement import hostile_territory

    sources = list(standoff_from)
    countries = [c for c in sources if c != "occupied"]
    occ = occupied if "occupied" in sources else None
    return hostile_territory(occ, countries=countries)


def standoff_distances_km(
    lon: Sequence[float] | np.ndarray, lat: Sequence[float] | np.ndarray, hostile: BaseGeometry
) -> np.ndarray:
    """Distance of points from hostile territory, km (0 inside it).

    Measured in garant's metric projection (:data:`garant.frontline.line.METRIC_CRS`,
    scale error below 0.5 % over Ukraine).

    Parameters
    ----------
    lon, lat : sequence of float
        Points, degrees.
    hostile : shapely geometry
        EPSG:4326.

    Returns
    -------
    numpy.ndarray
        Distances, km.
    """
    from garant.frontline.line import METRIC_CRS, to_metric

    x_lon, x_lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    if x_lon.size == 0 or hostile is None or hostile.is_empty:
        return np.full(x_lon.size, np.inf)
    tr = pyproj.Transformer.from_crs(4326, METRIC_CRS, always_xy=True)
    xm, ym = tr.transform(x_lon, x_lat)
    area = to_metric(hostile)
    shapely.prepare(area)
    return np.asarray(shapely.distance(area, shapely.points(xm, ym)), dtype=float) / 1000.0


def _nearest_permitted(
    lon: float, lat: float, hostile: BaseGeometry, standoff_km: float
) -> tuple[float, float] | None:
    """The point nearest to (lon, lat), inside Ukraine, that keeps the stand-off."""
    from garant.air.placement import standoff_mask
    from garant.sources.geography import ukraine

    land = ukraine()
    shapely.prepare(land)
    bearings = np.arange(_BEARINGS) * 360.0 / _BEARINGS
    radii = np.arange(0.0, _RING_MAX_KM + _RING_STEP_KM, _RING_STEP_KM)
    for block in np.array_split(radii, max(1, radii.size // 10)):  # ~50 km at a time
        grid_r, grid_b = np.meshgrid(block, bearings, indexing="ij")
        rr, bb = grid_r.ravel(), grid_b.ravel()
        plon, plat, _ = _GEOD.fwd(np.full(rr.size, lon), np.full(rr.size, lat), bb, rr * 1000.0)
        plon, plat = np.asarray(plon), np.asarray(plat)
        ok = shapely.contains_xy(land, plon, plat)
        if ok.any():
            ok[ok] = ~standoff_mask(
                plon[ok], plat[ok], hostile, standoff_km=standoff_km + PLACEMENT_MARGIN_KM
            )
        if ok.any():
            j = int(np.flatnonzero(ok)[0])  # smallest radius first, then bearing from north
            return float(plon[j]), float(plat[j])
    return None


def resolve_units(
    package: AirPackage,
    *,
    assets: gpd.GeoDataFrame,
    occupied: BaseGeometry | None = None,
    catalog: Catalog | None = None,
) -> pd.DataFrame:
    """Place the package's units and check the stand-off.

    Parameters
    ----------
    package : AirPackage
        The package (add-ons merged).
    assets : geopandas.GeoDataFrame
        For named locations.
    occupied : shapely geometry, optional
        Russian-held territory of Ukraine (EPSG:4326), e.g.
        :func:`garant.air.placement.occupied_from_store`; default
        :func:`demo_occupied`. Only needed when the package has a stand-off.
    catalog : garant.air.catalog.Catalog, optional
        For the defence kinds (default: the bundled catalogue).

    Returns
    -------
    pandas.DataFrame
        One row per unit: ``unit_id``, ``defence_id``, ``kind``, ``role``, ``location``
        (as written), ``asset_id`` (of the location, "" for a point), ``placement``,
        ``lon``, ``lat`` (degrees), ``moved_km`` (from the location to the unit),
        ``hostile_km`` (distance from Russian-held territory; inf without a stand-off).

    Raises
    ------
    ConfigError
        A unit at its location is closer than ``standoff_km`` to Russian-held
        territory, or no permitted point exists within 400 km (each problem names
        the file, the unit and the distance).
    """
    if catalog is None:
        from garant.air.catalog import default_catalog

        catalog = default_catalog()
    hostile = None
    if package.standoff_km > 0 and package.units:
        occ = occupied if occupied is not None else demo_occupied()
        hostile = _hostile(occ, package.standoff_from)
    rows: list[dict[str, Any]] = []
    problems: list[str] = []
    spots: dict[tuple[float, float], tuple[float, float] | None] = {}
    for i, d in enumerate(package.units):
        asset_id, lon0, lat0 = resolve_location(d.location, assets)
        lon, lat = lon0, lat0
        if hostile is not None and d.placement == "nearest_permitted":
            if (lon0, lat0) not in spots:
                spots[(lon0, lat0)] = _nearest_permitted(lon0, lat0, hostile, package.standoff_km)
            spot = spots[(lon0, lat0)]
            if spot is None:
                problems.append(
                    f"{package.label}: units[{i}] ({d.defence} at {d.location!r}): no point "
                    f"inside Ukraine within {_RING_MAX_KM:.0f} km keeps the stand-off of "
                    f"{package.standoff_km:g} km"
                )
                continue
            lon, lat = spot
        moved = float(_GEOD.inv(lon0, lat0, lon, lat)[2]) / 1000.0
        defence = catalog.defences.get(d.defence)
        kind = defence.kind if defence is not None else ""
        for k in range(d.count):
            rows.append(
                {
                    "unit_id": f"{d.prefix}-{k + 1}",
                    "defence_id": d.defence,
                    "kind": kind,
                    "role": d.role,
                    "location": d.location if isinstance(d.location, str) else str(d.location),
                    "asset_id": asset_id,
                    "placement": d.placement,
                    "lon": lon,
                    "lat": lat,
                    "moved_km": moved,
                    "deployment": i,
                }
            )
    cols = [
        "unit_id",
        "defence_id",
        "kind",
        "role",
        "location",
        "asset_id",
        "placement",
        "lon",
        "lat",
        "moved_km",
        "hostile_km",
    ]
    table = pd.DataFrame(rows, columns=[*cols[:-1], "deployment"])
    if hostile is not None and len(table):
        table["hostile_km"] = standoff_distances_km(
            table["lon"].to_numpy(dtype=float), table["lat"].to_numpy(dtype=float), hostile
        )
        first = table.drop_duplicates("deployment")
        for _, row in first[first["hostile_km"] < package.standoff_km].iterrows():
            i = int(row["deployment"])
            problems.append(
                f"{package.label}: units[{i}].location ({row['defence_id']} at "
                f"{row['location']!r}): {row['hostile_km']:.0f} km from Russian-held territory "
                f"({', '.join(package.standoff_from)}), below standoff_km = "
                f'{package.standoff_km:g} (use placement = "nearest_permitted" or move it)'
            )
    else:
        table["hostile_km"] = np.inf
    _raise(problems, f"air package {package.label} (stand-off)")
    dup = table["unit_id"][table["unit_id"].duplicated()]
    if len(dup):
        raise ConfigError(f"{package.label}: units: duplicate unit id {dup.iloc[0]!r}; set id=")
    return table[cols].reset_index(drop=True)
