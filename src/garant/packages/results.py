"""Results of a guarantee package assessment and the side-by-side comparison.

:class:`PackageAssessment` holds one package's components (the land, air and sea
assessments), the deterrence calculus run on them, the sensitivity analysis, and the
coalition's side: cost per year, personnel deployed and with rotation, the exposure of its
forces. :class:`Comparison` lines several packages up: :meth:`Comparison.table` has one row
per package, :meth:`Comparison.to_frames` every table for notebooks.

Half-measures
-------------
A package is a **half-measure** when it costs real money or people (a coalition bill or
deployed personnel above zero) but leaves the probability that a renewed offensive is
deterred, ``P(deterred)``, below :attr:`PackageAssessment.half_measure_threshold`
(the calculus parameter ``half_measure_threshold``, default 0.5). A package without
coalition forces is never a half-measure: it is simply no guarantee.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:
    from garant.air.assess import AirAssessment
    from garant.calculus.inputs import CalculusInputs
    from garant.calculus.montecarlo import CalculusResult
    from garant.land.assess import LandAssessment
    from garant.land.geometry import Front
    from garant.packages.schema import GuaranteePackage
    from garant.sea.plan import MissionPlan

__all__ = ["DEFAULT_HALF_MEASURE_THRESHOLD", "Comparison", "PackageAssessment"]

#: P(deterred) below which a package that costs money or people is a half-measure.
DEFAULT_HALF_MEASURE_THRESHOLD = 0.5

#: Columns of :meth:`PackageAssessment.costs` and :meth:`Comparison.table` that rep may rely on.
_TABLE_COLUMNS = (
    "package",
    "title",
    "commitment",
    "p_deterred",
    "net_utility_mean",
    "net_utility_p5",
    "net_utility_p50",
    "net_utility_p95",
    "p_success",
    "p_coalition_engaged",
    "cost_usd_per_year",
    "personnel_deployed",
    "personnel_with_rotation",
    "half_measure",
    "verdict",
)


def _metric(summary: pd.DataFrame, metric: str, stat: str = "mean") -> float:
    rows = summary.loc[summary["metric"] == metric, stat]
    return float(rows.iloc[0]) if len(rows) else math.nan


@dataclass(frozen=True, eq=False)
class PackageAssessment:
    """One guarantee package assessed: components, calculus and the coalition's side.

    Attributes
    ----------
    package : GuaranteePackage
        The package.
    land : garant.land.assess.LandAssessment or None
        The ground force's assessment (None: no ground force).
    air : garant.air.assess.AirAssessment or None
        The coalition air mission's assessment (None: no air mission).
    sea : garant.sea.plan.MissionPlan or None
        The maritime mission's plan (None: no sea mission).
    inputs : garant.calculus.inputs.CalculusInputs
        What the calculus was given.
    calculus : garant.calculus.montecarlo.CalculusResult
        The Monte Carlo run of the deterrence calculus.
    tornado : pandas.DataFrame
        One-at-a-time sensitivity of the net utility (parameter, low_value,
        high_value, metric_at_low, metric_at_high, swing), sorted by swing.
    cost_usd_per_year : float
        The coalition's bill per year, USD (land + air + sea).
    personnel_deployed : float
        Coalition personnel deployed at any time.
    personnel_with_rotation : float
        Coalition personnel needed to keep them deployed (rotation included).
    exposure : pandas.DataFrame
        Which coalition forces are within reach of which Russian weapons
        (:func:`garant.packages.assess.coalition_exposure`): component, force,
        location, distance_km, threat, min_warning_time_min, exposure_h, detail.
    front : garant.land.geometry.Front or None
        The line of contact guarded.
    costs : pandas.DataFrame
        The bill line by line: component, item, quantity, unit, usd_per_year,
        personnel_deployed, personnel_with_rotation, provenance.
    baseline_air : garant.air.assess.AirAssessment or None
        Ukraine's own air defence alone (what the air shield share is measured against
        when the package has no air mission).
    half_measure_threshold : float
        See the module docstring.
    seed : int or None
        The seed of the run.
    """

    package: GuaranteePackage
    land: LandAssessment | None
    air: AirAssessment | None
    sea: MissionPlan | None
    inputs: CalculusInputs
    calculus: CalculusResult
    tornado: pd.DataFrame
    cost_usd_per_year: float
    personnel_deployed: float
    personnel_with_rotation: float
    exposure: pd.DataFrame
    front: Front | None
    costs: pd.DataFrame = field(default_factory=pd.DataFrame)
    baseline_air: AirAssessment | None = None
    half_measure_threshold: float = DEFAULT_HALF_MEASURE_THRESHOLD
    seed: int | None = None

    @property
    def name(self) -> str:
        """The package name."""
        return self.package.name

    @property
    def p_deterred(self) -> float:
        """Probability that a renewed offensive is deterred (share of draws)."""
        return _metric(self.calculus.summary(), "deterred")

    @property
    def verdict(self) -> str:
        """``deterrent``, ``half-measure`` or ``no guarantee``.

        :func:`garant.calculus.model.classify` with the package's cost and personnel
        and :attr:`half_measure_threshold` (see the module docstring).
        """
        from garant.calculus.model import classify

        return str(
            classify(
                self.p_deterred,
                cost_usd_per_year=self.cost_usd_per_year,
                personnel_deployed=self.personnel_deployed,
                threshold=self.half_measure_threshold,
            )
        )

    @property
    def half_measure(self) -> bool:
        """Whether the package costs money or people but leaves P(deterred) low."""
        return self.verdict == "half-measure"

    def headline(self) -> dict[str, Any]:
        """The headline numbers as a flat dict.

        Returns
        -------
        dict
            package, title, commitment, p_deterred, net_utility mean/p5/p50/p95,
            p_success, p_coalition_engaged, expected gain/losses/escalation cost,
            cost_usd_per_year, personnel_deployed, personnel_with_rotation,
            half_measure, verdict, line_km, and the components' presets.
        """
        s = self.calculus.summary()
        out: dict[str, Any] = {
            "package": self.name,
            "title": self.package.label,
            "commitment": self.package.commitment,
            "p_deterred": self.p_deterred,
        }
        for stat in ("mean", "p5", "p50", "p95"):
            out[f"net_utility_{stat}"] = _metric(s, "net_utility", stat)
        for metric in (
            "p_success",
            "p_coalition_engaged",
            "expected_gain",
            "expected_losses_cost",
            "expected_escalation_cost",
        ):
            out[metric] = _metric(s, metric)
        out["cost_usd_per_year"] = self.cost_usd_per_year
        out["personnel_deployed"] = self.personnel_deployed
        out["personnel_with_rotation"] = self.personnel_with_rotation
        out["half_measure"] = self.half_measure
        out["verdict"] = self.verdict
        out["line_km"] = self.front.length_km if self.front is not None else math.nan
        out["land"] = self.package.land.preset if self.package.land else ""
        out["air"] = self.package.air.preset if self.package.air else ""
        out["sea"] = self.package.sea.preset if self.package.sea else ""
        return out

    def summary(self) -> pd.DataFrame:
        """The calculus summary (metric, mean, p5, p50, p95) with the package's name.

        Returns
        -------
        pandas.DataFrame
        """
        s = self.calculus.summary().copy()
        if "package" not in s.columns:
            s.insert(0, "package", self.name)
        return s


@dataclass(frozen=True, eq=False)
class Comparison:
    """Several packages assessed the same way, side by side.

    Attributes
    ----------
    assessments : list of PackageAssessment
        In the order asked for.
    n_runs : int
        Monte Carlo draws of the calculus per package.
    seed : int or None
        The seed.
    parameters : pandas.DataFrame
        The calculus parameters used (name, value, low, high, unit, provenance).
    """

    assessments: Sequence[PackageAssessment]
    n_runs: int = 0
    seed: int | None = None
    parameters: pd.DataFrame = field(default_factory=pd.DataFrame)

    def __getitem__(self, name: str) -> PackageAssessment:
        """The assessment of a package by name."""
        for a in self.assessments:
            if a.name == name:
                return a
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        """Package names, in order."""
        return [a.name for a in self.assessments]

    def table(self) -> pd.DataFrame:
        """One row per package.

        Returns
        -------
        pandas.DataFrame
            package, title, commitment, p_deterred, net_utility_mean/p5/p50/p95,
            p_success, p_coalition_engaged, cost_usd_per_year, personnel_deployed,
            personnel_with_rotation, half_measure, verdict, then the other headline
            numbers.
        """
        rows = [a.headline() for a in self.assessments]
        df = pd.DataFrame(rows)
        if df.empty:
            return pd.DataFrame(columns=list(_TABLE_COLUMNS))
        first = [c for c in _TABLE_COLUMNS if c in df.columns]
        return df[first + [c for c in df.columns if c not in first]]

    def to_frames(self) -> dict[str, pd.DataFrame]:
        """Every table for notebooks.

        Returns
        -------
        dict of str to pandas.DataFrame
            ``comparison`` (:meth:`table`), ``calculus`` (every package's summary),
            ``tornado``, ``costs``, ``exposure``, ``inputs`` (the calculus inputs, one row
            per package), ``parameters``; the per-package tables carry a ``package``
            column.
        """
        from dataclasses import asdict

        def stack(frames: list[pd.DataFrame]) -> pd.DataFrame:
            frames = [f for f in frames if not f.empty]
            return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

        def tagged(a: PackageAssessment, df: pd.DataFrame) -> pd.DataFrame:
            df = df.copy()
            if "package" not in df.columns:
                df.insert(0, "package", a.name)
            return df

        return {
            "comparison": self.table(),
            "calculus": stack([a.summary() for a in self.assessments]),
            "tornado": stack([tagged(a, a.tornado) for a in self.assessments]),
            "costs": stack([tagged(a, a.costs) for a in self.assessments]),
            "exposure": stack([tagged(a, a.exposure) for a in self.assessments]),
            "inputs": pd.DataFrame([asdict(a.inputs) for a in self.assessments]),
            "parameters": self.parameters.copy(),
        }
