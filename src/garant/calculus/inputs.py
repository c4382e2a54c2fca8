"""What the deterrence calculus needs to know about one guarantee package.

:class:`CalculusInputs` is the interface between the components (land, air, sea,
the frontline history) and the calculus (:mod:`garant.calculus.model`). It holds
facts about a package, computed by :mod:`garant.packages.assess`; the uncertain
behavioural numbers (the 3:1 rule, credibility, escalation cost ...) are
parameters (:mod:`garant.calculus.params`), not inputs.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Literal, get_args

from garant.errors import ConfigError, DataError

__all__ = ["COMMITMENTS", "CalculusInputs", "Commitment"]

#: How strongly the coalition is bound to respond when its forces are attacked.
Commitment = Literal["none", "coalition", "nato_article5"]

#: The allowed values of :data:`Commitment`, weakest first.
COMMITMENTS: tuple[str, ...] = get_args(Commitment)


@dataclass(frozen=True)
class CalculusInputs:
    """Facts about one guarantee package that the calculus evaluates.

    Attributes
    ----------
    package : str
        The package name (for messages and tables).
    line_km : float
        Length of the line of contact (or frozen ceasefire line), km; > 0.
    ukraine_troops_on_line : float
        Ukrainian troops holding the line (persons); > 0 (the observed war the
        calculus is anchored on was fought against them).
    coalition_troops_deployed : float
        Coalition troops on the ground in Ukraine (persons), wherever they are.
    coalition_troops_forward : float
        The part of ``coalition_troops_deployed`` positioned to fight at the line
        (forward defence), persons; at most ``coalition_troops_deployed``.
    tripwire : bool
        Coalition troops are within reach of the line or in the path of an
        offensive, so that an attack would hit them.
    share_of_line_reached_6h : float
        Share of the line that coalition forces can reach within 6 h (land
        reach), in [0, 1].
    air_neutralised_share : float
        Mean share of the attacker's missiles and drones neutralised by the
        package's air shield, Ukraine's own defence included, in [0, 1].
    air_neutralised_share_baseline : float or None
        The same share for Ukraine's own defence alone, computed with the same
        air model (the ``ukraine-today`` preset), in [0, 1]; the package is
        credited with the difference. None: use the parameter
        ``air_neutralised_share_baseline`` (from the Air Force records).
    air_engages_russian_weapons : bool
        The coalition's air mission shoots down Russian missiles or drones
        (contact between coalition and Russian forces).
    sea_mission : bool
        The package has a coalition maritime mission in the Black Sea.
    sea_exposure_h : float
        Hours per transit that escorts are within reach of Russian anti-ship
        systems; 0 without a sea mission.
    us_backstop_intel, us_backstop_air_defence, us_backstop_logistics : bool
        Which parts of a US backstop the package includes.
    commitment : {"none", "coalition", "nato_article5"}
        How firmly the guarantors are bound to respond: no commitment, a
        political coalition commitment, or a NATO Article 5 treaty obligation.
    occupied_gain_km2_per_month_observed : float
        Mean monthly gain of occupied territory over the last 12 months of
        history (km²/month, >= 0; a net loss counts as 0).

    Raises
    ------
    DataError
        A number is not finite, negative, a share outside [0, 1], the forward
        troops exceed the deployed ones, ``line_km`` or
        ``ukraine_troops_on_line`` is not positive, or ``sea_exposure_h`` is
        positive without a sea mission.
    ConfigError
        ``commitment`` is not one of :data:`COMMITMENTS`.
    """

    package: str
    line_km: float
    ukraine_troops_on_line: float
    coalition_troops_deployed: float = 0.0
    coalition_troops_forward: float = 0.0
    tripwire: bool = False
    share_of_line_reached_6h: float = 0.0
    air_neutralised_share: float = 0.0
    air_neutralised_share_baseline: float | None = None
    air_engages_russian_weapons: bool = False
    sea_mission: bool = False
    sea_exposure_h: float = 0.0
    us_backstop_intel: bool = False
    us_backstop_air_defence: bool = False
    us_backstop_logistics: bool = False
    commitment: Commitment = "none"
    occupied_gain_km2_per_month_observed: float = 0.0

    def __post_init__(self) -> None:
        where = f"calculus inputs of {self.package!r}"
        if self.commitment not in COMMITMENTS:
            raise ConfigError(
                f"{where}: commitment {self.commitment!r} is not one of {', '.join(COMMITMENTS)}"
            )
        numbers = [
            "line_km",
            "ukraine_troops_on_line",
            "coalition_troops_deployed",
            "coalition_troops_forward",
            "share_of_line_reached_6h",
            "air_neutralised_share",
            "sea_exposure_h",
            "occupied_gain_km2_per_month_observed",
        ]
        if self.air_neutralised_share_baseline is not None:
            numbers.append("air_neutralised_share_baseline")
        for name in numbers:
            x = getattr(self, name)
            if isinstance(x, bool) or not isinstance(x, (int, float)):
                raise DataError(f"{where}: {name} {x!r} is not a number")
            if not math.isfinite(x) or x < 0:
                raise DataError(f"{where}: {name} {x!r} must be finite and >= 0")
        for name in ("line_km", "ukraine_troops_on_line"):
            if getattr(self, name) <= 0:
                raise DataError(f"{where}: {name} {getattr(self, name)!r} must be > 0")
        for name in (
            "share_of_line_reached_6h",
            "air_neutralised_share",
            "air_neutralised_share_baseline",
        ):
            x = getattr(self, name)
            if x is not None and x > 1:
                raise DataError(f"{where}: {name} {x!r} outside [0, 1]")
        if self.coalition_troops_forward > self.coalition_troops_deployed:
            raise DataError(
                f"{where}: coalition_troops_forward {self.coalition_troops_forward:g} exceeds "
                f"coalition_troops_deployed {self.coalition_troops_deployed:g}"
            )
        if not self.sea_mission and self.sea_exposure_h > 0:
            raise DataError(
                f"{where}: sea_exposure_h {self.sea_exposure_h:g} without a sea mission"
            )

    def as_dict(self) -> dict[str, Any]:
        """Return the inputs as a plain dict (for tables and JSON).

        Returns
        -------
        dict of str to Any
        """
        return asdict(self)
