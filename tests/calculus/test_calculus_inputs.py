from __future__ import annotations

import math
from typing import Any

import pytest

from garant.calculus.inputs import COMMITMENTS, CalculusInputs
from garant.errors import ConfigError, DataError

BASE: dict[str, Any] = {"package": "p", "line_km": 1100.0, "ukraine_troops_on_line": 250_000.0}


def test_defaults_and_as_dict() -> None:
    x = CalculusInputs(**BASE)
    assert x.commitment == "none"
    assert x.air_neutralised_share_baseline is None
    d = x.as_dict()
    assert d["package"] == "p"
    assert set(d) == set(CalculusInputs.__dataclass_fields__)
    assert COMMITMENTS == ("none", "coalition", "nato_article5")


def test_frozen() -> None:
    x = CalculusInputs(**BASE)
    with pytest.raises(AttributeError):
        x.line_km = 1.0  # type: ignore[misc]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"line_km": 0.0}, "line_km"),
        ({"ukraine_troops_on_line": 0.0}, "ukraine_troops_on_line"),
        ({"coalition_troops_deployed": -1.0}, "coalition_troops_deployed"),
        ({"share_of_line_reached_6h": 1.2}, "share_of_line_reached_6h"),
        ({"air_neutralised_share": math.nan}, "air_neutralised_share"),
        ({"air_neutralised_share_baseline": 1.5}, "air_neutralised_share_baseline"),
        ({"sea_exposure_h": math.inf, "sea_mission": True}, "sea_exposure_h"),
        ({"sea_exposure_h": 3.0}, "sea_exposure_h"),
        ({"occupied_gain_km2_per_month_observed": -5.0}, "occupied_gain"),
        ({"coalition_troops_deployed": 10.0, "coalition_troops_forward": 20.0}, "forward"),
        ({"line_km": "long"}, "line_km"),
        ({"line_km": True}, "line_km"),
    ],
)
def test_bad_numbers_raise_data_error_naming_field(change: dict[str, Any], field: str) -> None:
    with pytest.raises(DataError, match=field) as err:
        CalculusInputs(**{**BASE, **change})
    assert "'p'" in str(err.value)
    assert "\n" not in str(err.value)


def test_unknown_commitment() -> None:
    with pytest.raises(ConfigError, match="commitment 'article5'"):
        CalculusInputs(**BASE, commitment="article5")  # type: ignore[arg-type]
