"""Pledged contributions to a land force, by country and capability, and the gap.

Pledges are read from ``garant/data/land/pledges.toml`` (the coalition's reported
25-30k of September 2025, split by country as stated assumptions) or a user file
with the same layout (:func:`load_pledges`). :func:`pledge_gap` sets them against
a :class:`~garant.land.sizing.ForceRequirement`, capability by capability.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from garant.errors import DataError
from garant.land.catalog import LandQuantity, keyed_ids, read_toml, validate
from garant.land.sizing import CAPABILITIES, ForceRequirement

__all__ = ["Pledge", "Pledges", "default_pledges", "load_pledges", "pledge_gap", "pledges_from"]

_MIX_TOLERANCE = 1e-6


class Pledge(BaseModel):
    """One country's (or group's) contribution.

    Attributes
    ----------
    id : str
        Key in the file.
    country : str
        Who contributes.
    troops : LandQuantity
        Deployed troops, persons (never negative).
    mix : dict
        Share of ``troops`` per capability (:data:`~garant.land.sizing.CAPABILITIES`),
        summing to 1.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    country: str
    troops: LandQuantity
    mix: dict[str, float]

    @field_validator("mix")
    @classmethod
    def _mix(cls, v: dict[str, float]) -> dict[str, float]:
        bad = [k for k in v if k not in CAPABILITIES]
        if bad:
            raise ValueError(
                f"unknown capability {', '.join(map(repr, bad))} "
                f"(expected {', '.join(CAPABILITIES)})"
            )
        neg = [f"{k} = {x:g}" for k, x in v.items() if not (math.isfinite(x) and x >= 0)]
        if neg:
            raise ValueError(f"negative or non-finite share ({', '.join(neg)})")
        total = sum(v.values())
        if abs(total - 1.0) > _MIX_TOLERANCE:
            raise ValueError(f"shares sum to {total:g}, not 1")
        return {c: float(v.get(c, 0.0)) for c in CAPABILITIES}

    @model_validator(mode="after")
    def _unit(self) -> Pledge:
        if self.troops.unit != "persons":
            raise ValueError(f"troops: unit {self.troops.unit!r} should be 'persons'")
        return self

    def by_capability(self, troops: float | None = None) -> dict[str, float]:
        """Troops per capability (``troops`` defaults to the pledge's value)."""
        n = self.troops.value if troops is None else troops
        return {c: n * s for c, s in self.mix.items()}


class _PledgesDoc(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int = 1
    name: str = "pledges"
    reported_total: LandQuantity | None = None
    pledges: dict[str, Pledge]

    @model_validator(mode="before")
    @classmethod
    def _ids(cls, data: Any) -> Any:
        return keyed_ids(data, "pledges")

    @field_validator("pledges")
    @classmethod
    def _some(cls, v: dict[str, Pledge]) -> dict[str, Pledge]:
        if not v:
            raise ValueError("needs at least one [pledges.<id>] table")
        return v


@dataclass(frozen=True)
class Pledges:
    """A set of pledges.

    Attributes
    ----------
    name : str
        Title of the set.
    pledges : tuple of Pledge
        In file order.
    path : str
        Where they come from.
    reported_total : LandQuantity or None
        A published total for the whole force, if any (for comparison).
    scale : float
        Factor applied to every pledge's troops (1 unless :meth:`scaled_to`).
    """

    name: str
    pledges: tuple[Pledge, ...]
    path: str
    reported_total: LandQuantity | None = field(default=None, repr=False)
    scale: float = 1.0

    @property
    def total_troops(self) -> float:
        """All pledged deployed troops."""
        return self.scale * sum(p.troops.value for p in self.pledges)

    @property
    def total_low(self) -> float:
        """Sum of the pledges' low ends."""
        return self.scale * sum(p.troops.low for p in self.pledges)

    @property
    def total_high(self) -> float:
        """Sum of the pledges' high ends."""
        return self.scale * sum(p.troops.high for p in self.pledges)

    def by_capability(self) -> dict[str, float]:
        """Pledged troops per capability, summed over pledges."""
        out = dict.fromkeys(CAPABILITIES, 0.0)
        for p in self.pledges:
            for c, n in p.by_capability(self.scale * p.troops.value).items():
                out[c] += n
        return out

    def scaled_to(self, troops: float) -> Pledges:
        """The same pledges rescaled so that they add up to ``troops``.

        Raises
        ------
        DataError
            ``troops`` is negative or the pledges add up to nothing.
        """
        base = sum(p.troops.value for p in self.pledges)
        if not (math.isfinite(troops) and troops >= 0):
            raise DataError(f"troops {troops:g}: must be a non-negative number")
        if base <= 0:
            raise DataError(f"{self.path}: pledges add up to 0 troops; cannot scale them")
        return Pledges(self.name, self.pledges, self.path, self.reported_total, troops / base)

    def to_frame(self) -> pd.DataFrame:
        """One row per pledge with its troops by capability.

        Returns
        -------
        pandas.DataFrame
            Columns ``id, country, troops, low, high, provenance`` and one per capability.
        """
        rows = []
        for p in self.pledges:
            n = self.scale * p.troops.value
            rows.append(
                {
                    "id": p.id,
                    "country": p.country,
                    "troops": n,
                    "low": self.scale * p.troops.low,
                    "high": self.scale * p.troops.high,
                    **p.by_capability(n),
                    "provenance": p.troops.provenance,
                }
            )
        return pd.DataFrame(rows)


def pledges_from(data: Mapping[str, Any], *, label: str, text: str | None = None) -> Pledges:
    """Build :class:`Pledges` from parsed TOML (a file or a preset's inline table).

    Parameters
    ----------
    data : mapping
        With ``pledges`` (tables of ``country``, ``troops``, ``mix``) and
        optionally ``name``, ``version``, ``reported_total``.
    label, text : str
        File name and text, for messages.

    Returns
    -------
    Pledges

    Raises
    ------
    ConfigError
        A negative pledge, a bad mix, an unknown or missing field (``file:line: field``).
    """
    doc = validate(_PledgesDoc, dict(data), label=label, text=text, what=f"pledges {label}")
    return Pledges(
        name=doc.name,
        pledges=tuple(doc.pledges.values()),
        path=label,
        reported_total=doc.reported_total,
    )


def load_pledges(path: str | Path | None = None) -> Pledges:
    """Load pledges from a TOML file (default: the bundled ``pledges.toml``).

    Parameters
    ----------
    path : path-like, optional
        A file with the bundled layout.

    Returns
    -------
    Pledges

    Raises
    ------
    ConfigError
        Invalid content, e.g. a negative pledge (``file:line: pledges.<id>.troops...``).
    NotFoundError
        The file does not exist.
    """
    label, text, data = read_toml(path, "pledges.toml")
    return pledges_from(data, label=label, text=text)


@functools.cache
def default_pledges() -> Pledges:
    """Return the bundled pledges (cached)."""
    return load_pledges()


def pledge_gap(requirement: ForceRequirement, pledges: Pledges) -> pd.DataFrame:
    """Required against pledged deployed troops, by capability.

    Parameters
    ----------
    requirement : ForceRequirement
        From :func:`garant.land.sizing.size_force`.
    pledges : Pledges

    Returns
    -------
    pandas.DataFrame
        Columns ``capability, required, pledged, gap, covered`` (gap = required
        - pledged, positive where the pledges fall short; covered = pledged /
        required, NaN where nothing is required), one row per capability and a
        last row ``total``.
    """
    req = requirement.by_capability
    got = pledges.by_capability()
    rows = []
    for c in CAPABILITIES:
        r, p = float(req.get(c, 0.0)), float(got.get(c, 0.0))
        rows.append((c, r, p))
    rows.append(("total", sum(r for _, r, _ in rows), sum(p for _, _, p in rows)))
    df = pd.DataFrame(rows, columns=["capability", "required", "pledged"])
    df["gap"] = df["required"] - df["pledged"]
    df["covered"] = df["pledged"] / df["required"].where(df["required"] > 0)
    return df
