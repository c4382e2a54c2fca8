"""The guarantee package file: what a package of security guarantees puts in place.

A **guarantee package** is a TOML file validated by :class:`GuaranteePackage`: a name,
the ceasefire line it guards (the line at a date, a frozen ceasefire line, or the latest
snapshot), its land, air and sea components (presets of :mod:`garant.land`,
:mod:`garant.air` and :mod:`garant.sea`, or paths to custom files), the US backstop
(intelligence, logistics, air defence), the political commitment behind it, Ukraine's own
forces as the baseline, and the cost and personnel figures the coalition's bill is computed
from. Unknown fields are errors; every problem names the file, the line and the field.

A minimal package::

    name = "sky-shield-only"
    commitment = "coalition"
    sources = ["..."]

    [air]
    preset = "sky-shield"

Numbers that are not set in a package come from the bundled defaults
(``data/packages/_defaults.toml``: :class:`PackageDefaults`), each a
:class:`PackageQuantity` with a range and its source or assumption.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from garant.air.catalog import Quantity
from garant.calculus.inputs import COMMITMENTS, Commitment

__all__ = [
    "COMMITMENTS",
    "PACKAGE_UNITS",
    "AirComponent",
    "CeasefireSpec",
    "Commitment",
    "CostSpec",
    "GuaranteePackage",
    "LandComponent",
    "PackageDefaults",
    "PackageQuantity",
    "SeaComponent",
    "UkraineBaseline",
    "UsBackstop",
]

#: Units of package quantities.
PACKAGE_UNITS: tuple[str, ...] = (
    "troops",
    "share",
    "factor",
    "USD/troop-year",
    "USD/ship-year",
    "USD/unit-year",
    "personnel/ship",
    "personnel/unit",
    "nights/year",
)
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")


class PackageQuantity(Quantity):
    """A :class:`~garant.air.catalog.Quantity` with the units of guarantee packages.

    Same rules as the air catalogue's quantity (``low <= value <= high``, finite,
    non-negative, exactly one of ``source`` and ``assumption``); the unit is one of
    :data:`PACKAGE_UNITS`.
    """

    allowed_units: ClassVar[tuple[str, ...]] = PACKAGE_UNITS


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CeasefireSpec(_Strict):
    """Which line of contact the package guards.

    Attributes
    ----------
    date : datetime.date or None
        The line at this date (the latest snapshot on or before it); must not be after
        the latest snapshot of the store (or of the bundled demo history).
    line : str or None
        A frozen ceasefire line stored with ``garant ceasefire freeze`` (needs a store).
        At most one of ``date`` and ``line``; neither: the latest snapshot.
    """

    date: dt.date | None = None
    line: str | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _one(self) -> CeasefireSpec:
        if self.date is not None and self.line is not None:
            raise ValueError("give a date or a frozen line, not both")
        return self


class LandComponent(_Strict):
    """The coalition's ground force.

    Attributes
    ----------
    preset : str
        A land preset (``garant land presets``) or a path to a land force TOML file.
    troops : int or None
        Deployed troops, overriding the preset's (>= 1).
    forward_share : float or None
        Share of the deployed troops positioned to fight at the line (0-1). None: 1 for
        a ``forward_defence`` mission, 0 otherwise.
    tripwire : bool or None
        Whether coalition troops stand within reach of the line, in the path of an
        offensive. None: true for ``observation``, ``tripwire`` and ``forward_defence``
        missions, false for ``reassurance`` (held back in the cities).
    """

    preset: str = Field(min_length=1)
    troops: int | None = Field(default=None, ge=1)
    forward_share: float | None = Field(default=None, ge=0.0, le=1.0)
    tripwire: bool | None = None


class AirComponent(_Strict):
    """The coalition's air mission.

    Attributes
    ----------
    preset : str
        An air preset, ``base+addon`` (``"sky-shield+us-backstop"``) or a TOML path.
    addons : list of str
        More air add-ons to merge.
    engages_russian_weapons : bool or None
        Whether the mission shoots down Russian missiles and drones (contact with Russian
        forces). None: true unless every deployed unit is set not to shoot.
    """

    preset: str = Field(min_length=1)
    addons: list[str] = Field(default_factory=list)
    engages_russian_weapons: bool | None = None


class SeaComponent(_Strict):
    """The maritime mission.

    Attributes
    ----------
    preset : str
        A sea mission preset (``garant sea presets``) or a TOML path; it must deploy
        warships (leave ``[sea]`` out for a package without a sea mission).
    """

    preset: str = Field(min_length=1)


class UsBackstop(_Strict):
    """What the United States contributes behind the coalition.

    Attributes
    ----------
    intelligence, air_defence, logistics : bool
        Intelligence sharing (ISR, early warning), air and missile defence, and
        logistics (airlift, tankers, resupply).
    source : str
        Where the commitment comes from (a statement, a plan); empty: none.
    """

    intelligence: bool = False
    air_defence: bool = False
    logistics: bool = False
    source: str = ""


class UkraineBaseline(_Strict):
    """Ukraine's own forces, the baseline every package adds to.

    Attributes
    ----------
    air : str
        The air preset describing Ukraine's own air defence (its calibrated baseline).
    troops_on_line : PackageQuantity or None
        Ukrainian troops holding the line; None: the bundled default.
    """

    air: str = Field(default="ukraine-today", min_length=1)
    troops_on_line: PackageQuantity | None = None


class CostSpec(_Strict):
    """Cost and personnel figures (each None: the bundled default).

    Attributes
    ----------
    land_usd_per_troop_year : PackageQuantity or None
        Cost of one deployed soldier for a year, USD (deployment, support, rotation).
    sea_usd_per_ship_year : PackageQuantity or None
        Operating cost of one warship for a year, USD.
    sea_personnel_per_ship : PackageQuantity or None
        Crew of one warship.
    sea_rotation_factor : PackageQuantity or None
        Ships needed to keep one in the mission.
    air_personnel_per_unit : PackageQuantity or None
        Personnel behind one deployed air unit (aircraft on station or fire unit).
    air_rotation_factor : PackageQuantity or None
        Crews needed to keep one unit's personnel deployed.
    air_nights_per_year : PackageQuantity or None
        Nights a year the air mission flies.
    """

    land_usd_per_troop_year: PackageQuantity | None = None
    sea_usd_per_ship_year: PackageQuantity | None = None
    sea_personnel_per_ship: PackageQuantity | None = None
    sea_rotation_factor: PackageQuantity | None = None
    air_personnel_per_unit: PackageQuantity | None = None
    air_rotation_factor: PackageQuantity | None = None
    air_nights_per_year: PackageQuantity | None = None


class PackageDefaults(_Strict):
    """The bundled defaults of every number a package may leave out.

    Attributes
    ----------
    troops_on_line : PackageQuantity
        Ukrainian troops holding the line.
    costs : CostSpec
        Every field set.
    """

    troops_on_line: PackageQuantity
    costs: CostSpec

    @field_validator("costs")
    @classmethod
    def _complete(cls, v: CostSpec) -> CostSpec:
        missing = [k for k in CostSpec.model_fields if getattr(v, k) is None]
        if missing:
            raise ValueError(f"missing {', '.join(missing)}")
        return v


class GuaranteePackage(_Strict):
    """A package of security guarantees (one TOML file; unknown fields are errors).

    Attributes
    ----------
    name : str
        Id (lower case, digits, ``-`` and ``_``).
    title, description : str
        A short title and one paragraph.
    commitment : {"none", "coalition", "nato_article5"}
        The political commitment: none, a coalition's pledge to respond, NATO
        membership with Article 5.
    ceasefire : CeasefireSpec
        The line guarded.
    land, air, sea : component or None
        The coalition's ground force, air mission and maritime mission (None: none).
    us_backstop : UsBackstop
        The US backstop.
    ukraine : UkraineBaseline
        Ukraine's own forces.
    costs : CostSpec
        Cost and personnel figures overriding the defaults.
    sources, assumptions : list of str
        Citations and the assumptions where no source was found.
    source_file : str
        Where the package was read from (set by the loader).
    """

    name: str
    title: str = ""
    description: str = ""
    commitment: Commitment = "none"
    ceasefire: CeasefireSpec = Field(default_factory=CeasefireSpec)
    land: LandComponent | None = None
    air: AirComponent | None = None
    sea: SeaComponent | None = None
    us_backstop: UsBackstop = Field(default_factory=UsBackstop)
    ukraine: UkraineBaseline = Field(default_factory=UkraineBaseline)
    costs: CostSpec = Field(default_factory=CostSpec)
    sources: list[str] = Field(default_factory=list)
    assumptions: list[str] = Field(default_factory=list)
    source_file: str = ""
    _text: str = PrivateAttr(default="")

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        if not _NAME_RE.match(v):
            raise ValueError(f"{v!r} is not a valid name (lower case, digits, '-', '_')")
        return v

    @property
    def label(self) -> str:
        """The title, or the name."""
        return self.title or self.name

    @property
    def has_coalition_forces(self) -> bool:
        """Whether the package deploys any coalition force (land, air or sea)."""
        return any(c is not None for c in (self.land, self.air, self.sea))
