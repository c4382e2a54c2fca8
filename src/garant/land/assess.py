"""Assess a land force: requirement, pledges and gap, basing, reach and exposure.

:func:`assess_land` ties the land layer together: the front
(:func:`garant.land.geometry.front_at`), the requirement of the force's mission
(:func:`garant.land.sizing.size_force`), its pledges and the gap by capability
(:mod:`garant.land.pledges`), its bases (:mod:`garant.land.bases`), how fast they
reach the line (:mod:`garant.land.reach`), how exposed they are to strikes
(:mod:`garant.land.exposure`) and the historical comparison.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from garant.land.geometry import Front, front_at
from garant.land.pledges import Pledges, pledge_gap, pledges_from
from garant.land.presets import LandForce, load_force
from garant.land.sizing import ForceRequirement, historical_comparison, size_force

if TYPE_CHECKING:
    from garant.frontline.ceasefire import CeasefireLine
    from garant.store import Store

__all__ = ["LandAssessment", "assess_land", "force_bases"]

#: Units of the headline numbers (:meth:`LandAssessment.summary`).
_UNITS: dict[str, str] = {
    "line_km": "km",
    "n_sectors": "sectors",
    "deployed_troops": "persons",
    "deployed_low": "persons",
    "deployed_high": "persons",
    "total_troops": "persons",
    "total_low": "persons",
    "total_high": "persons",
    "pledged_troops": "persons",
    "gap_troops": "persons",
    "share_of_requirement_pledged": "share",
    "n_bases": "bases",
    "mean_time_to_line_h": "h",
    "max_time_to_line_h": "h",
    "min_standoff_km": "km",
    "min_warning_time_min": "min",
    "bases_in_range_of_ballistic": "bases",
    "bases_in_range_of_any_system": "bases",
    "max_exposure_score": "score",
}


@dataclass(frozen=True)
class LandAssessment:
    """Everything known about a land force on a front.

    Attributes
    ----------
    force : LandForce
    front : Front
    requirement : ForceRequirement
        What the force's mission needs along the front.
    pledges : Pledges
        What is offered (a single pledge ``force`` when the force gives only troops).
    gap : pandas.DataFrame
        :func:`garant.land.pledges.pledge_gap`.
    bases : geopandas.GeoDataFrame
        The force's bases (``base_id``, ``name``, ``lon``, ``lat``, geometry).
    reach : pandas.DataFrame
        :func:`garant.land.reach.reach_table` (a row per base and ``"any"``).
    isochrones : geopandas.GeoDataFrame
        :func:`garant.land.reach.reach_isochrones`.
    exposure : pandas.DataFrame
        :func:`garant.land.exposure.base_exposure`.
    history : pandas.DataFrame
        :func:`garant.land.sizing.historical_comparison`.
    reach_hours : tuple of float
        The reaction times T of the reach table, h.
    """

    force: LandForce
    front: Front = field(repr=False)
    requirement: ForceRequirement = field(repr=False)
    pledges: Pledges = field(repr=False)
    gap: pd.DataFrame = field(repr=False)
    bases: gpd.GeoDataFrame = field(repr=False)
    reach: pd.DataFrame = field(repr=False)
    isochrones: gpd.GeoDataFrame = field(repr=False)
    exposure: pd.DataFrame = field(repr=False)
    history: pd.DataFrame = field(repr=False)
    reach_hours: tuple[float, ...] = ()

    def headline(self) -> dict[str, Any]:
        """Flat headline numbers.

        Returns
        -------
        dict
            ``force``, ``mission``, ``date``, ``line_km``, ``n_sectors``; the
            requirement (``deployed_troops`` with ``deployed_low``/``_high``,
            ``total_troops`` with rotation and bounds); ``pledged_troops``,
            ``gap_troops`` and ``share_of_requirement_pledged``; ``n_bases``,
            ``share_of_line_reached_<T>h`` for each T (any base),
            ``mean_time_to_line_h`` (length-weighted mean over the line, nearest
            base), ``max_time_to_line_h`` (slowest base to its nearest point),
            ``min_standoff_km``; ``min_warning_time_min`` (shortest warning of
            any base), ``bases_in_range_of_ballistic``,
            ``bases_in_range_of_any_system``, ``most_exposed_base`` and
            ``max_exposure_score``.
        """
        from garant.land.reach import ANY_BASE, share_column

        req, gap = self.requirement, self.gap
        total = gap[gap["capability"] == "total"].iloc[0]
        out: dict[str, Any] = {
            "force": self.force.name,
            "mission": self.requirement.mission,
            "date": self.front.date,
            "line_km": float(self.front.length_km),
            "n_sectors": int(self.front.n_sectors),
            "deployed_troops": req.deployed_troops,
            "deployed_low": req.deployed_low,
            "deployed_high": req.deployed_high,
            "total_troops": req.total_troops_with_rotation,
            "total_low": req.total_low,
            "total_high": req.total_high,
            "pledged_troops": float(total["pledged"]),
            "gap_troops": float(total["gap"]),
            "share_of_requirement_pledged": float(total["covered"]),
            "n_bases": len(self.bases),
        }
        reach = self.reach
        anyrow = reach[reach["base_id"] == ANY_BASE]
        per_base = reach[reach["base_id"] != ANY_BASE]
        for h in self.reach_hours:
            col = share_column(h)
            key = f"share_of_line_reached_{h:g}h"
            out[key] = float(anyrow[col].iloc[0]) if len(anyrow) and col in anyrow else math.nan
        out["mean_time_to_line_h"] = (
            float(anyrow["mean_time_h"].iloc[0]) if len(anyrow) else math.nan
        )
        out["max_time_to_line_h"] = _max(per_base, "time_to_line_h")
        out["min_standoff_km"] = _min(per_base, "standoff_km")
        exp = self.exposure
        out["min_warning_time_min"] = _min(exp, "min_warning_min")
        out["bases_in_range_of_ballistic"] = (
            int((exp["n_ballistic"] > 0).sum()) if "n_ballistic" in exp else 0
        )
        out["bases_in_range_of_any_system"] = int((exp["n_systems_in_range"] > 0).sum())
        if len(exp):
            top = exp.sort_values("exposure_score", ascending=False).iloc[0]
            out["most_exposed_base"] = str(top["name"])
            out["max_exposure_score"] = float(top["exposure_score"])
        else:  # pragma: no cover - assess_land refuses empty bases
            out["most_exposed_base"] = ""
            out["max_exposure_score"] = math.nan
        return out

    def summary(self) -> pd.DataFrame:
        """The headline numbers as rows.

        Returns
        -------
        pandas.DataFrame
            Columns ``metric, value, unit``.
        """
        rows = []
        for k, v in self.headline().items():
            unit = _UNITS.get(k, "share" if k.startswith("share_of_line") else "")
            rows.append({"metric": k, "value": v, "unit": unit})
        return pd.DataFrame(rows)


def _min(df: pd.DataFrame, col: str) -> float:
    if col not in df or df[col].dropna().empty:
        return math.nan
    return float(np.nanmin(df[col].to_numpy(dtype=float)))


def _max(df: pd.DataFrame, col: str) -> float:
    if col not in df or df[col].dropna().empty:
        return math.nan
    return float(np.nanmax(df[col].to_numpy(dtype=float)))


def force_bases(force: LandForce, front: Front | None = None) -> gpd.GeoDataFrame:
    """The bases of a force (all catalogue bases if it names none), checked.

    Parameters
    ----------
    force : LandForce
    front : Front, optional
        Bases inside its occupied territory are refused.

    Returns
    -------
    geopandas.GeoDataFrame

    Raises
    ------
    NotFoundError
        A base name not in the catalogue.
    DataError
        A base outside Ukraine or in occupied territory, or bad coordinates.
    """
    from garant.land.bases import check_bases, load_bases, resolve_bases

    bases = resolve_bases(list(force.bases)) if force.bases else load_bases()
    check_bases(bases, front)
    return bases


def _single_pledge(force: LandForce, requirement: ForceRequirement) -> Pledges:
    troops = float(force.troops or 0.0)
    mix = dict(requirement.by_capability.items())
    total = sum(mix.values())
    shares = (
        {c: v / total for c, v in mix.items()} if total > 0 else dict.fromkeys(mix, 1 / len(mix))
    )
    return pledges_from(
        {
            "name": f"{force.name}: stated size",
            "pledges": {
                "force": {
                    "country": force.name,
                    "troops": {
                        "value": troops,
                        "low": troops,
                        "high": troops,
                        "unit": "persons",
                        "assumption": f"the stated size of {force.name} ({force.source_file})",
                    },
                    "mix": shares,
                }
            },
        },
        label=force.source_file or force.name,
    )


def assess_land(
    force_or_name: str | Path | LandForce,
    *,
    store: Store | None = None,
    date: dt.date | str | None = None,
    ceasefire: str | CeasefireLine | None = None,
    reach_hours: tuple[float, ...] | list[float] | None = None,
    front: Front | None = None,
) -> LandAssessment:
    """Assess a land force on the line of a date (or a ceasefire line, or the demo).

    Parameters
    ----------
    force_or_name : str, path-like or LandForce
        A preset name, a TOML file or a loaded force (:func:`garant.land.presets.load_force`).
    store : Store, optional
        The frontline store; None: the bundled demo history.
    date : datetime.date or str, optional
        The day of the line (default: the latest).
    ceasefire : str or CeasefireLine, optional
        A frozen ceasefire line to use instead.
    reach_hours : sequence of float, optional
        Reaction times T, h (default: the force's ``reach_hours``).
    front : Front, optional
        A front to use as is (skips ``store``, ``date`` and ``ceasefire``).

    Returns
    -------
    LandAssessment

    Raises
    ------
    NotFoundError
        Unknown preset, missing file, unknown base name.
    ConfigError
        An invalid force file or pledges.
    DataError
        No line to cover, or a base outside Ukraine / in occupied territory.
    """
    from garant.land.exposure import base_exposure
    from garant.land.reach import reach_isochrones, reach_table

    force = load_force(force_or_name)
    front = front or front_at(store, date, ceasefire)
    bases = force_bases(force, front)
    requirement = size_force(force.mission, front, missions=force.missions())
    pledges = force.resolve_pledges() or _single_pledge(force, requirement)
    gap = pledge_gap(requirement, pledges)
    hours = tuple(sorted({float(h) for h in (reach_hours or force.reach_hours)}))
    move = force.movement
    reach = reach_table(
        bases, front, road_factor=move.road_factor, speed_kmh=move.march_speed_kmh, hours=hours
    )
    iso = reach_isochrones(
        bases, hours, front=front, road_factor=move.road_factor, speed_kmh=move.march_speed_kmh
    )
    exposure = base_exposure(bases, front)
    history = historical_comparison(front)
    return LandAssessment(
        force=force,
        front=front,
        requirement=requirement,
        pledges=pledges,
        gap=gap,
        bases=bases,
        reach=reach,
        isochrones=iso,
        exposure=exposure,
        history=history,
        reach_hours=hours,
    )
