"""Land force presets: a mission, its troops and pledges, its bases and reaction speed.

A land force is a TOML file (bundled presets in ``garant/data/land/presets/``, or a
user file with the same layout) validated as :class:`LandForce`::

    name = "coalition-reassurance"
    description = "..."
    mission = "reassurance"          # a mission type of missions.toml
    troops = 27500                   # optional: deployed troops offered
    pledges = "bundled"              # "bundled", a file, or inline [pledges.<id>] tables
    bases = ["Kyiv", "Dnipro", [30.5, 50.4], { name = "X", lon = 30.0, lat = 50.0 }]
    reach_hours = [1, 3, 6, 12]
    sources = ["..."]
    assumptions = ["..."]

    [sizing]                         # optional overrides of the mission's fields
    cities = ["Kyiv", "Odesa"]

    [movement]                       # optional: road_factor, march_speed_kmh quantities
    march_speed_kmh = { value = 30, low = 20, high = 40, unit = "km/h", assumption = "..." }

Problems are reported as ``file:line: field: problem`` (the helpers of
:mod:`garant.air.presets`).
"""

from __future__ import annotations

import math
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from garant._toml import preset_names, read_preset, settings_document
from garant._toml import raise_problems as _raise
from garant._toml import where as _where
from garant.errors import ConfigError, NotFoundError
from garant.land.catalog import LandQuantity
from garant.land.pledges import Pledges, default_pledges, load_pledges, pledges_from
from garant.land.sizing import Missions, default_missions, load_missions

__all__ = ["LandForce", "Movement", "list_land_presets", "load_force"]

_DEFAULT_HOURS: tuple[float, ...] = (1.0, 3.0, 6.0, 12.0)


class Movement(BaseModel):
    """Optional overrides of the movement parameters of :mod:`garant.land.reach`.

    Attributes
    ----------
    road_factor : LandQuantity, optional
        Road over straight-line distance (``"ratio"``).
    march_speed_kmh : LandQuantity, optional
        Rate of march of a column (``"km/h"``).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    road_factor: LandQuantity | None = None
    march_speed_kmh: LandQuantity | None = None

    @field_validator("road_factor")
    @classmethod
    def _ratio(cls, v: LandQuantity | None) -> LandQuantity | None:
        if v is not None and (v.unit != "ratio" or v.low < 1.0):
            raise ValueError("road_factor must have unit 'ratio' and low >= 1")
        return v

    @field_validator("march_speed_kmh")
    @classmethod
    def _speed(cls, v: LandQuantity | None) -> LandQuantity | None:
        if v is not None and (v.unit != "km/h" or v.low <= 0):
            raise ValueError("march_speed_kmh must have unit 'km/h' and low > 0")
        return v


class LandForce(BaseModel):
    """A land force to assess.

    Attributes
    ----------
    name : str
        Lower-case name.
    description : str
        One paragraph.
    mission : str
        Mission type (an id of ``missions.toml``) that sizes the requirement.
    troops : float, optional
        Deployed troops the force offers. With pledges, the pledges are rescaled
        to this total (keeping each one's share and mix); without, one pledge
        ``force`` with the mission's capability mix.
    pledges : str or dict, optional
        ``"bundled"`` (the bundled ``pledges.toml``), a file path (relative to
        the preset's folder for user files), or inline ``[pledges.<id>]`` tables.
        None: ``"bundled"`` unless ``troops`` is given.
    bases : list
        Base names of the bases catalogue, ``[lon, lat]`` pairs or tables with
        ``lon``, ``lat`` and ``name`` (:func:`garant.land.bases.resolve_bases`).
        Empty: every base of the catalogue.
    reach_hours : list of float
        Reaction times for the reach table, h.
    sizing : dict
        Overrides of the mission's fields (same layout as a ``[missions.<id>]``
        table of ``missions.toml``).
    movement : Movement
        Overrides of road factor and march speed.
    sources, assumptions : list of str
        Where the force comes from, and what it assumes.
    source_file : str
        Where it was read from (set by :func:`load_force`).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    description: str = ""
    mission: str
    troops: float | None = None
    pledges: str | dict[str, Any] | None = None
    bases: list[str | tuple[float, float] | dict[str, Any]] = Field(default_factory=list)
    reach_hours: tuple[float, ...] = _DEFAULT_HOURS
    sizing: dict[str, Any] = Field(default_factory=dict)
    movement: Movement = Field(default_factory=Movement)
    sources: list[str] = Field(default_factory=list)
    assumptions: list[str] = Field(default_factory=list)
    source_file: str = ""

    @field_validator("troops")
    @classmethod
    def _troops(cls, v: float | None) -> float | None:
        if v is not None and not (math.isfinite(v) and v >= 0):
            raise ValueError(f"{v:g} must be a non-negative number of troops")
        return v

    @field_validator("mission")
    @classmethod
    def _mission(cls, v: str) -> str:
        known = default_missions().missions
        if v not in known:
            raise ValueError(f"unknown mission type {v!r} (expected one of {', '.join(known)})")
        return v

    @field_validator("reach_hours")
    @classmethod
    def _hours(cls, v: tuple[float, ...]) -> tuple[float, ...]:
        if not v or any(not (math.isfinite(h) and h > 0) for h in v):
            raise ValueError("needs one or more positive hours")
        return tuple(sorted(set(v)))

    @property
    def label(self) -> str:
        """``name`` and the mission type."""
        return f"{self.name} ({self.mission})"

    def missions(self) -> Missions:
        """The mission catalogue with this force's ``sizing`` overrides applied."""
        if not self.sizing:
            return default_missions()
        return load_missions(overrides={"missions": {self.mission: self.sizing}})

    def resolve_pledges(self) -> Pledges | None:
        """The pledges of this force (None: a single pledge from ``troops``).

        Returns
        -------
        Pledges or None
            Rescaled to ``troops`` when both are given.

        Raises
        ------
        ConfigError, NotFoundError
            A bad or missing pledges file or inline table.
        """
        spec = self.pledges
        if spec is None:
            if self.troops is not None:
                return None
            spec = "bundled"
        if isinstance(spec, dict):
            got = pledges_from(
                {"pledges": spec, "name": f"{self.name} pledges"},
                label=f"{self.source_file or self.name}: pledges",
            )
        elif spec == "bundled":
            got = default_pledges()
        else:
            path = Path(spec)
            if not path.is_absolute() and self.source_file and Path(self.source_file).exists():
                path = Path(self.source_file).parent / path
            got = load_pledges(path)
        return got.scaled_to(self.troops) if self.troops is not None else got


def _presets_dir() -> Any:
    return resources.files("garant").joinpath("data", "land", "presets")


def list_land_presets() -> list[str]:
    """Names of the bundled land presets (``.toml`` files not starting with ``_``), sorted."""
    return preset_names(_presets_dir())


def _read(name_or_path: str | Path) -> tuple[str, str]:
    """(label, text) of a preset name or a file path."""
    return read_preset(
        name_or_path,
        _presets_dir(),
        what="land force",
        preset_what="land preset",
        label_dir="presets",
    )


def load_force(name_or_path: str | Path | LandForce) -> LandForce:
    """Load a land force: a bundled preset name or a TOML file.

    Parameters
    ----------
    name_or_path : str, path-like or LandForce
        A preset name (:func:`list_land_presets`), a ``.toml`` path, or a force
        (returned as is).

    Returns
    -------
    LandForce

    Raises
    ------
    NotFoundError
        Unknown preset or missing file; a base name not in the bases catalogue.
    ConfigError
        Invalid TOML, an unknown or missing field, a bad value, an unknown mission
        type or invalid sizing overrides (``file:line: field: problem``).
    """
    if isinstance(name_or_path, LandForce):
        return name_or_path
    label, text = _read(name_or_path)
    force = settings_document(LandForce, label, text, what=f"land force {label}")
    problems: list[str] = []

    def nested(field: str, exc: ConfigError) -> None:
        # One line per problem, each naming this file (not the count line of a nested error).
        lines = str(exc).split("\n")
        problems.extend(f"{_where(label, text, [field])}: {x}" for x in lines[len(lines) > 1 :])

    if force.sizing:
        try:
            force.missions()
        except ConfigError as exc:
            nested("sizing", exc)
    if isinstance(force.pledges, dict) or force.pledges == "bundled":
        try:
            force.resolve_pledges()
        except ConfigError as exc:
            nested("pledges", exc)
    _raise(problems, f"land force {label}")
    _check_base_names(force, label, text)
    return force


def _check_base_names(force: LandForce, label: str, text: str) -> None:
    from garant.land.bases import list_bases

    known = {b.casefold() for b in list_bases()}
    try:
        from garant.land.bases import load_bases

        names = load_bases()["name"].astype(str).str.casefold().tolist()
        known.update(names)
    except (ConfigError, NotFoundError):  # pragma: no cover - bundled file is valid
        pass
    for i, spec in enumerate(force.bases):
        if isinstance(spec, str) and spec.strip().casefold() not in known:
            raise NotFoundError(
                f"{_where(label, text, ['bases', i])}: base {spec!r} is not in the bases "
                "catalogue (give a known name or an inline { name, lon, lat })"
            )
