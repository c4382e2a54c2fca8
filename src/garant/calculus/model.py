r"""The deterrence calculus: the attacker's expected gain and cost of a renewed offensive.

A transparent model of how Moscow would weigh a renewed offensive against
Ukraine under a package of guarantees. Everything is per draw of the
parameters (vectorised numpy); the Monte Carlo (:mod:`garant.calculus.montecarlo`)
propagates the parameters' ranges. Facts about the package come from
:class:`~garant.calculus.inputs.CalculusInputs` (written ``inputs.x`` below);
uncertain numbers are parameters (:mod:`garant.calculus.params`, written in
``monospace`` below, each with value, range, unit and source or assumption).

Units. Gains and costs are in *utility units*: taking the offensive's objective
(``objective_area_km2``) is worth 1. Troops are persons, areas km².

1. Denial: will the offensive break through?
   *Defenders at the line* (Ukrainian-soldier equivalents)::

       N_def = inputs.ukraine_troops_on_line
               + coalition_troop_quality * (F + reserve_arrival_share * s6 * H)

   with F = ``inputs.coalition_troops_forward``, H = deployed − F (troops held
   back) and s6 = ``inputs.share_of_line_reached_6h`` (held-back troops count
   where they can reach the line within 6 h, and only the share that arrives in
   time). *Defender multiplier* for the air shield and the US backstop::

       M = max(0.5, 1 + air_shield_weight * (inputs.air_neutralised_share − baseline))
           * (1 + us_intel_bonus * [US intelligence])
           * (1 + us_logistics_bonus * [US logistics])

   where baseline is ``inputs.air_neutralised_share_baseline`` or, when the
   inputs give none, the parameter ``air_neutralised_share_baseline`` (Ukraine's
   own defence today, so a package is credited only for what it adds).
   *Local force ratio* at the point of attack::

       R = attacker_concentration * attacker_troops / (N_def * M)

   *P(success)* of a breakthrough, logistic in the log of the ratio against
   the critical ratio of the 3:1 rule (Mearsheimer 1989)::

       p_success = 1 / (1 + (R / critical_force_ratio) ** (−success_steepness))

   so p_success is 1/2 at the critical ratio, falls with more defenders and
   rises with more attackers.

2. Gain. The observed war is the anchor: it was fought against Ukraine's
   forces alone, so the *defence strength relative to the observed war* is
   ε = N_def * M / inputs.ukraine_troops_on_line (Ukraine's troops on the line
   are taken to be the force that fought the observed history, the same in
   every package, so ε measures what the package adds; more Ukrainian troops
   lower p_success but leave ε at M). Without a breakthrough the
   attacker grinds forward at the observed rate, slowed by a stronger defence::

       area_grind_km2 = inputs.occupied_gain_km2_per_month_observed
                        * offensive_duration_months / ε
       share_achieved = p_success + (1 − p_success) * min(1, area_grind_km2 / objective_area_km2)
       expected_gain = share_achieved          (utility; 1 = the whole objective)
       expected_area_km2 = share_achieved * objective_area_km2

3. Attacker losses. At the observed intensity the attacker loses
   ``attacker_casualties_per_month``; a stronger defence inflicts
   proportionally more::

       expected_casualties = attacker_casualties_per_month * offensive_duration_months * ε

   Their cost in utility follows from revealed preference: during the war a
   km² cost ``casualties_per_km2`` casualties and was worth 1/objective_area_km2
   of the objective; ``casualty_aversion`` is the ratio of the two as the
   Kremlin weighs them (below 1: it kept attacking)::

       expected_losses_cost = expected_casualties * casualty_aversion
                              / (casualties_per_km2 * objective_area_km2)

4. Punishment and escalation. *P(coalition forces engaged)*, from three
   independent channels::

       p_land = p_engaged_tripwire   if inputs.tripwire or F > 0 else 0
       p_air  = p_engaged_air        if inputs.air_engages_russian_weapons else 0
       p_sea  = 1 − exp(−sea_engagement_rate_per_h * inputs.sea_exposure_h)  if inputs.sea_mission
       p_coalition_engaged = 1 − (1 − p_land)(1 − p_air)(1 − p_sea)

   Under NATO Article 5 an attack on Ukraine is an attack on the alliance:
   p_coalition_engaged = 1. *P(the guarantors respond | engaged)*, ordered by
   commitment in every draw::

       c_none = credibility_none
       c_coalition = c_none + (1 − c_none) * credibility_coalition_uplift
       c_article5 = c_coalition + (1 − c_coalition) * credibility_article5_uplift
       p_coalition_responds = c + (1 − c) * us_backstop_credibility_uplift * n_US / 3

   with c for ``inputs.commitment`` and n_US the number of US backstop parts
   (intelligence, air defence, logistics). *Expected escalation cost*::

       expected_escalation_cost = p_coalition_engaged * p_coalition_responds
                                  * escalation_cost * (article5_cost_factor if Article 5 else 1)

   plus ``sanctions_cost``, the same for every package.

5. Decision. Per draw::

       net_utility = expected_gain − expected_losses_cost
                     − expected_escalation_cost − sanctions_cost
       deterred = net_utility < 0            (attacking does not pay)

   P(deterred) is the share of draws in which the attacker is deterred.
   A package is classified (:func:`classify`) as *deterrent* when
   P(deterred) >= ``half_measure_threshold`` (a decision rule, 0.5 by default,
   not sampled); as a *half-measure* when it costs money or people (cost per
   year > 0 or personnel deployed > 0) yet P(deterred) stays below the
   threshold; and as *no guarantee* when it costs nothing and does not deter.

Caveats (stated in the report): a unitary rational attacker; one offensive;
combat power counted in soldiers; no Ukrainian counter-offensive; the
escalation cost and the credibilities are judgements, which is why their
ranges are wide and the tornado shows how much they decide.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from garant.calculus.inputs import CalculusInputs
from garant.errors import ConfigError, DataError

__all__ = [
    "CLASSIFICATIONS",
    "OUTPUTS",
    "PARAMETERS",
    "Classification",
    "classify",
    "evaluate",
]

#: The parameters :func:`evaluate` reads (every one must be in the draws).
PARAMETERS: tuple[str, ...] = (
    "critical_force_ratio",
    "success_steepness",
    "attacker_troops",
    "attacker_concentration",
    "coalition_troop_quality",
    "reserve_arrival_share",
    "air_shield_weight",
    "air_neutralised_share_baseline",
    "us_intel_bonus",
    "us_logistics_bonus",
    "objective_area_km2",
    "offensive_duration_months",
    "attacker_casualties_per_month",
    "casualties_per_km2",
    "casualty_aversion",
    "p_engaged_tripwire",
    "p_engaged_air",
    "sea_engagement_rate_per_h",
    "credibility_none",
    "credibility_coalition_uplift",
    "credibility_article5_uplift",
    "us_backstop_credibility_uplift",
    "escalation_cost",
    "article5_cost_factor",
    "sanctions_cost",
)

#: The per-draw outputs of :func:`evaluate`, in report order.
OUTPUTS: tuple[str, ...] = (
    "local_force_ratio",
    "defender_multiplier",
    "p_success",
    "expected_area_km2",
    "expected_gain",
    "expected_casualties",
    "expected_losses_cost",
    "p_coalition_engaged",
    "p_coalition_responds",
    "expected_escalation_cost",
    "sanctions_cost",
    "net_utility",
    "deterred",
)

#: How :func:`classify` labels a package.
Classification = Literal["deterrent", "half-measure", "no guarantee"]
CLASSIFICATIONS: tuple[str, ...] = ("deterrent", "half-measure", "no guarantee")


def _draw(draws: Mapping[str, ArrayLike], name: str) -> NDArray[np.float64]:
    return np.asarray(draws[name], dtype=float)


def evaluate(
    inputs: CalculusInputs, draws: Mapping[str, ArrayLike]
) -> dict[str, NDArray[np.float64]]:
    """Evaluate the calculus for one package and many parameter draws.

    Parameters
    ----------
    inputs : CalculusInputs
        The package's facts.
    draws : Mapping of str to array_like
        One array (or scalar) per name in :data:`PARAMETERS`, all broadcastable
        to a common shape (the draws). Extra names are ignored.

    Returns
    -------
    dict of str to numpy.ndarray
        One array per name in :data:`OUTPUTS` with the draws' shape (see the
        module docstring for each term); ``deterred`` is 1.0 where
        ``net_utility < 0`` and 0.0 elsewhere.

    Raises
    ------
    ConfigError
        A parameter is missing from ``draws``.
    DataError
        The draws do not broadcast to a common shape.
    """
    missing = [n for n in PARAMETERS if n not in draws]
    if missing:
        raise ConfigError(f"calculus draws: missing parameter(s) {', '.join(missing)}")
    d = {n: _draw(draws, n) for n in PARAMETERS}
    try:
        shape = np.broadcast_shapes(*(a.shape for a in d.values()))
    except ValueError as exc:
        raise DataError(f"calculus draws: parameter arrays do not broadcast ({exc})") from exc
    x = inputs
    forward = float(x.coalition_troops_forward)
    held_back = float(x.coalition_troops_deployed) - forward

    # 1. denial
    n_def = x.ukraine_troops_on_line + d["coalition_troop_quality"] * (
        forward + d["reserve_arrival_share"] * x.share_of_line_reached_6h * held_back
    )
    baseline = (
        d["air_neutralised_share_baseline"]
        if x.air_neutralised_share_baseline is None
        else np.asarray(x.air_neutralised_share_baseline, dtype=float)
    )
    m_air = np.maximum(0.5, 1.0 + d["air_shield_weight"] * (x.air_neutralised_share - baseline))
    mult = (
        m_air
        * (1.0 + d["us_intel_bonus"] * float(x.us_backstop_intel))
        * (1.0 + d["us_logistics_bonus"] * float(x.us_backstop_logistics))
    )
    strength = n_def * mult
    ratio = d["attacker_concentration"] * d["attacker_troops"] / strength
    with np.errstate(divide="ignore", over="ignore"):
        rel = np.power(ratio / d["critical_force_ratio"], -d["success_steepness"])
        p_success = 1.0 / (1.0 + rel)

    # 2. gain
    eps = strength / x.ukraine_troops_on_line
    area_grind = x.occupied_gain_km2_per_month_observed * d["offensive_duration_months"] / eps
    share_grind = np.minimum(1.0, area_grind / d["objective_area_km2"])
    share = p_success + (1.0 - p_success) * share_grind
    gain = share

    # 3. losses
    casualties = d["attacker_casualties_per_month"] * d["offensive_duration_months"] * eps
    losses_cost = (
        casualties * d["casualty_aversion"] / (d["casualties_per_km2"] * d["objective_area_km2"])
    )

    # 4. punishment and escalation
    article5 = x.commitment == "nato_article5"
    land = x.tripwire or forward > 0
    p_land = d["p_engaged_tripwire"] * float(land)
    p_air = d["p_engaged_air"] * float(x.air_engages_russian_weapons)
    p_sea = (
        1.0 - np.exp(-d["sea_engagement_rate_per_h"] * x.sea_exposure_h)
        if x.sea_mission
        else np.zeros_like(p_land)
    )
    p_engaged = 1.0 - (1.0 - p_land) * (1.0 - p_air) * (1.0 - p_sea)
    if article5:
        p_engaged = np.ones_like(p_engaged)
    c = d["credibility_none"]
    if x.commitment in ("coalition", "nato_article5"):
        c = c + (1.0 - c) * d["credibility_coalition_uplift"]
    if article5:
        c = c + (1.0 - c) * d["credibility_article5_uplift"]
    n_us = int(x.us_backstop_intel) + int(x.us_backstop_air_defence) + int(x.us_backstop_logistics)
    responds = c + (1.0 - c) * d["us_backstop_credibility_uplift"] * (n_us / 3.0)
    cost = d["escalation_cost"] * (d["article5_cost_factor"] if article5 else 1.0)
    escalation = p_engaged * responds * cost
    sanctions = d["sanctions_cost"]

    # 5. decision
    net = gain - losses_cost - escalation - sanctions
    out = {
        "local_force_ratio": ratio,
        "defender_multiplier": mult,
        "p_success": p_success,
        "expected_area_km2": share * d["objective_area_km2"],
        "expected_gain": gain,
        "expected_casualties": casualties,
        "expected_losses_cost": losses_cost,
        "p_coalition_engaged": p_engaged,
        "p_coalition_responds": responds,
        "expected_escalation_cost": escalation,
        "sanctions_cost": sanctions,
        "net_utility": net,
        "deterred": (net < 0).astype(float),
    }
    return {k: np.broadcast_to(np.asarray(v, dtype=float), shape).copy() for k, v in out.items()}


def classify(
    p_deterred: float,
    *,
    cost_usd_per_year: float,
    personnel_deployed: float,
    threshold: float = 0.5,
) -> Classification:
    """Label a package as a deterrent, a half-measure or no guarantee.

    Parameters
    ----------
    p_deterred : float
        P(deterred), in [0, 1].
    cost_usd_per_year : float
        What the package costs the guarantors per year (USD, >= 0).
    personnel_deployed : float
        Personnel the package deploys (persons, >= 0).
    threshold : float, default 0.5
        The ``half_measure_threshold`` parameter, in [0, 1].

    Returns
    -------
    {"deterrent", "half-measure", "no guarantee"}
        ``"deterrent"`` when ``p_deterred >= threshold``; otherwise
        ``"half-measure"`` when the package costs money or people, and
        ``"no guarantee"`` when it costs neither.

    Raises
    ------
    DataError
        A probability outside [0, 1] or a negative or non-finite cost.
    """
    for name, v in (("p_deterred", p_deterred), ("threshold", threshold)):
        if not 0.0 <= v <= 1.0:
            raise DataError(f"classify: {name} {v!r} outside [0, 1]")
    for name, v in (
        ("cost_usd_per_year", cost_usd_per_year),
        ("personnel_deployed", personnel_deployed),
    ):
        if not (np.isfinite(v) and v >= 0):
            raise DataError(f"classify: {name} {v!r} must be finite and >= 0")
    if p_deterred >= threshold:
        return "deterrent"
    if cost_usd_per_year > 0 or personnel_deployed > 0:
        return "half-measure"
    return "no guarantee"
