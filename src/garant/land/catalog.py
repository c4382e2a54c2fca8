"""Land quantities and the reading of the land catalogues (``garant/data/land/*.toml``).

:class:`LandQuantity` is the air catalogue's :class:`~garant.air.catalog.Quantity`
(value, low, high, unit, and exactly one of ``source`` or ``assumption``) with the
units of land forces (:data:`LAND_UNITS`). ``"share"`` quantities lie within [0, 1];
all others are non-negative.

:func:`read_toml` and :func:`validate` read a bundled or user TOML file and turn
pydantic errors into one :class:`~garant.errors.ConfigError` naming
``file:line: field`` (the helpers of :mod:`garant.air.presets`).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any, ClassVar

from pydantic import model_validator

from garant._toml import parse_toml
from garant._toml import validate_model as validate
from garant.air.catalog import Quantity
from garant.errors import ConfigError, NotFoundError

__all__ = ["LAND_UNITS", "LandQuantity", "keyed_ids", "read_toml", "validate"]

#: Units a :class:`LandQuantity` may carry.
LAND_UNITS: tuple[str, ...] = (
    "km",
    "km2",
    "km/h",
    "h",
    "d",
    "persons",
    "persons/km",
    "persons/km2",
    "persons/1000 inhabitants",
    "persons/sector",
    "persons/city",
    "persons/brigade",
    "km/brigade",
    "ratio",
    "share",
    "USD",
    "USD/person/year",
    "probability",
)


class LandQuantity(Quantity):
    """A :class:`~garant.air.catalog.Quantity` with the units of land forces.

    Same fields and rules (``low <= value <= high``, finite, non-negative, exactly
    one of ``source`` and ``assumption``); the unit is one of :data:`LAND_UNITS`,
    and a ``"share"`` lies within [0, 1].
    """

    allowed_units: ClassVar[tuple[str, ...]] = LAND_UNITS

    @model_validator(mode="after")
    def _check_share(self) -> LandQuantity:
        if self.unit == "share":
            bad = [n for n in ("value", "low", "high") if getattr(self, n) > 1.0]
            if bad:
                raise ValueError(f"{', '.join(bad)} above 1 for unit 'share'")
        return self


def read_toml(path: str | Path | None, bundled: str) -> tuple[str, str, dict[str, Any]]:
    """Read a land TOML file: a user path, or the bundled ``garant/data/land/<bundled>``.

    Parameters
    ----------
    path : path-like, optional
        A user file; None reads the bundled one.
    bundled : str
        File name under ``garant/data/land/`` (may contain ``/``).

    Returns
    -------
    label : str
        The file name used in messages.
    text : str
        The file's text (for line numbers).
    data : dict
        The parsed document.

    Raises
    ------
    NotFoundError
        ``path`` does not exist.
    ConfigError
        It cannot be read or is not valid TOML.
    """
    if path is None:
        label = f"garant/data/land/{bundled}"
        res = resources.files("garant").joinpath("data", "land", *bundled.split("/"))
        text = res.read_text(encoding="utf-8")
    else:
        label = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise NotFoundError(f"{label}: file not found") from None
        except OSError as exc:
            raise ConfigError(f"{label}: cannot read ({exc.strerror or exc})") from None
    return label, text, parse_toml(label, text)


def keyed_ids(data: Any, table: str) -> Any:
    """Give each entry of ``data[table]`` (a TOML table of tables) its key as ``id``.

    Parameters
    ----------
    data : object
        The raw document (left as it is unless ``data[table]`` is a dict).
    table : str
        The table whose entries are keyed by id (``"pledges"``, ``"missions"``).

    Returns
    -------
    object
        A copy with ``id`` set in each dict entry (non-dict entries unchanged, for
        pydantic to report).
    """
    if isinstance(data, dict) and isinstance(data.get(table), dict):
        entries = data[table]
        return {
            **data,
            table: {k: ({**v, "id": k} if isinstance(v, dict) else v) for k, v in entries.items()},
        }
    return data
