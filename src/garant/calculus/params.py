"""The parameters of the deterrence calculus: named, ranged, sourced, overridable.

The bundled file ``garant/data/calculus/parameters.toml`` holds one table per
parameter (``[parameters.<name>]``) with a value, an uncertainty range, a unit,
a group (denial, gain, losses, punishment, decision), a sampling distribution
and exactly one of ``source`` or ``assumption`` (see :class:`CalculusQuantity`).
User files with the same layout override it field by field
(:func:`load_parameters`); an override that changes a number without saying
where the new number comes from gets the assumption ``"override from FILE"``,
so that the report never shows a bundled citation next to a user's number.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, ClassVar, Literal

import pandas as pd
from pydantic import ValidationError, model_validator

from garant._toml import override_paths, raise_problems, where
from garant.air.catalog import Quantity

__all__ = [
    "CALCULUS_UNITS",
    "GROUPS",
    "CalculusParameters",
    "CalculusQuantity",
    "default_parameters",
    "load_parameters",
]

#: Units a :class:`CalculusQuantity` may carry (all non-negative).
CALCULUS_UNITS: tuple[str, ...] = (
    "ratio",
    "probability",
    "utility",
    "persons",
    "persons/month",
    "persons/km2",
    "km2",
    "months",
    "1/h",
)

#: The parts of the model a parameter belongs to, in report order.
GROUPS: tuple[str, ...] = ("denial", "gain", "losses", "punishment", "decision")

_BUNDLED = "parameters.toml"
_VERSION = 1
_TOP_KEYS = frozenset({"version", "parameters"})
_NUMBERS = ("value", "low", "high")
_TABLE_COLUMNS = [
    "name",
    "group",
    "value",
    "low",
    "high",
    "unit",
    "distribution",
    "sampled",
    "description",
    "provenance",
    "source",
    "assumption",
]


class CalculusQuantity(Quantity):
    """A calculus parameter: a :class:`~garant.air.catalog.Quantity` with its role.

    Attributes
    ----------
    value, low, high, unit, source, assumption
        As in :class:`~garant.air.catalog.Quantity`; the unit is one of
        :data:`CALCULUS_UNITS`.
    group : str
        One of :data:`GROUPS`.
    description : str
        What the number means (one sentence, for the report's table).
    distribution : {"triangular", "loguniform"}
        How the Monte Carlo samples it: triangular with mode ``value`` between
        ``low`` and ``high``, or log-uniform between ``low`` and ``high``
        (``low`` must then be positive; ``value`` is the point value of the
        tornado).
    sampled : bool
        False for decision rules (thresholds), which are never sampled.
    """

    allowed_units: ClassVar[tuple[str, ...]] = CALCULUS_UNITS

    group: Literal["denial", "gain", "losses", "punishment", "decision"]
    description: str
    distribution: Literal["triangular", "loguniform"] = "triangular"
    sampled: bool = True

    @model_validator(mode="after")
    def _check_loguniform(self) -> CalculusQuantity:
        if self.distribution == "loguniform" and not self.low > 0:
            raise ValueError(f"a loguniform parameter needs low > 0 (low is {self.low:g})")
        return self


@dataclass(frozen=True)
class CalculusParameters:
    """All calculus parameters, validated.

    Attributes
    ----------
    quantities : Mapping of str to CalculusQuantity
        The parameters by name, in file order (read-only).
    files : tuple of str
        The files merged, bundled first.
    """

    quantities: Mapping[str, CalculusQuantity]
    files: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "quantities", MappingProxyType(dict(self.quantities)))

    def __getitem__(self, name: str) -> CalculusQuantity:
        """The parameter called ``name`` (KeyError if there is none)."""
        return self.quantities[name]

    def __contains__(self, name: object) -> bool:
        """Whether a parameter of that name exists."""
        return name in self.quantities

    def __iter__(self) -> Iterator[str]:
        """The parameter names, in file order."""
        return iter(self.quantities)

    def __len__(self) -> int:
        """The number of parameters."""
        return len(self.quantities)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickle support (the read-only mapping is rebuilt from a dict)."""
        return (CalculusParameters, (dict(self.quantities), self.files))

    @property
    def sampled_names(self) -> tuple[str, ...]:
        """Names of the parameters the Monte Carlo samples, in file order."""
        return tuple(n for n, q in self.quantities.items() if q.sampled)

    def values(self) -> dict[str, float]:
        """Every parameter's point value.

        Returns
        -------
        dict of str to float
        """
        return {n: float(q.value) for n, q in self.quantities.items()}

    @property
    def half_measure_threshold(self) -> float:
        """The P(deterred) below which a costly package is a half-measure."""
        return float(self.quantities["half_measure_threshold"].value)

    def table(self) -> pd.DataFrame:
        """The parameters as a table for reports and notebooks.

        Returns
        -------
        pandas.DataFrame
            One row per parameter: ``name, group, value, low, high, unit,
            distribution, sampled, description, provenance`` (the source, or
            ``"assumption: ..."``), ``source, assumption``.
        """
        rows = [
            {
                "name": name,
                "group": q.group,
                "value": q.value,
                "low": q.low,
                "high": q.high,
                "unit": q.unit,
                "distribution": q.distribution,
                "sampled": q.sampled,
                "description": q.description,
                "provenance": q.provenance,
                "source": q.source,
                "assumption": q.assumption,
            }
            for name, q in self.quantities.items()
        ]
        return pd.DataFrame(rows, columns=_TABLE_COLUMNS)


def _read_bundled() -> str:
    return (
        resources.files("garant").joinpath("data", "calculus", _BUNDLED).read_text(encoding="utf-8")
    )


@dataclass
class _Merge:
    raw: dict[str, dict[str, Any]] = field(default_factory=dict)
    # (name, field) -> (label, text) of the file that set it last
    origin: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    table_origin: dict[str, tuple[str, str]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def _merge(m: _Merge, label: str, text: str, *, bundled: bool) -> None:
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m.problems.append(f"{label}: not valid TOML ({exc})")
        return
    for key in doc:
        if key not in _TOP_KEYS:
            m.problems.append(
                f"{where(label, text, [key])}: unknown section (expected parameters, version)"
            )
    version = doc.get("version", _VERSION)
    if version != _VERSION:
        m.problems.append(
            f"{where(label, text, ['version'])}: version {version!r} is not supported (expected 1)"
        )
    table = doc.get("parameters", {})
    if not isinstance(table, dict):
        m.problems.append(f"{where(label, text, ['parameters'])}: must be a table of parameters")
        return
    for name, body in table.items():
        loc = ["parameters", name]
        if not isinstance(body, dict):
            m.problems.append(f"{where(label, text, loc)}: must be a table")
            continue
        if not bundled and name not in m.raw:
            known = ", ".join(sorted(m.raw))
            m.problems.append(f"{where(label, text, loc)}: unknown parameter (known: {known})")
            continue
        current = m.raw.setdefault(name, {})
        m.table_origin[name] = (label, text)
        if not bundled:
            changes_numbers = any(
                k in body and body[k] != current.get(k) for k in (*_NUMBERS, "unit")
            )
            gives_provenance = "source" in body or "assumption" in body
            if "unit" in body and body["unit"] != current.get("unit"):
                m.problems.append(
                    f"{where(label, text, [*loc, 'unit'])}: unit {body['unit']!r} should be "
                    f"{current.get('unit')!r}"
                )
                body = {k: v for k, v in body.items() if k != "unit"}
            if changes_numbers and not gives_provenance:
                body = {**body, "assumption": f"override from {label}"}
            if "source" in body or "assumption" in body:
                current.pop("source", None)
                current.pop("assumption", None)
        for k, v in body.items():
            current[k] = v
            m.origin[(name, k)] = (label, text)


def _validate(m: _Merge) -> dict[str, CalculusQuantity]:
    out: dict[str, CalculusQuantity] = {}
    for name, body in m.raw.items():
        try:
            out[name] = CalculusQuantity.model_validate(body)
        except ValidationError as exc:
            for e in exc.errors():
                loc = [str(x) for x in e["loc"]]
                key = loc[0] if loc else None
                label, text = (
                    m.origin[(name, key)]
                    if key is not None and (name, key) in m.origin
                    else m.table_origin[name]
                )
                problem = f"{where(label, text, ['parameters', name, *loc])}: {_message(e)}"
                if problem not in m.problems:
                    m.problems.append(problem)
    return out


def _message(err: Mapping[str, Any]) -> str:
    kind = err.get("type", "")
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "missing":
        return "missing field"
    return str(err.get("msg", "")).removeprefix("Value error, ")


def load_parameters(
    overrides: Path | str | Sequence[Path | str] | None = None,
) -> CalculusParameters:
    """Load the bundled calculus parameters and merge user override files over them.

    Parameters
    ----------
    overrides : Path or sequence of Path, optional
        TOML files with the bundled layout (``[parameters.<name>]`` tables),
        applied in order. A field given replaces that field of the parameter; a
        changed number without ``source`` or ``assumption`` gets the assumption
        ``"override from FILE"``. Only existing parameters can be overridden
        (the model defines the set).

    Returns
    -------
    CalculusParameters

    Raises
    ------
    ConfigError
        A file cannot be read or is not TOML; an unknown section, parameter or
        field; a changed unit; a value outside its range, a non-finite or
        negative number, a probability above 1, both or neither of source and
        assumption. Each problem is one line ``file:line: parameters.name.field:
        problem``; several are collected under a summary line.
    """
    m = _Merge()
    files = [_BUNDLED]
    _merge(m, _BUNDLED, _read_bundled(), bundled=True)
    for path in override_paths(overrides):
        label = str(path)
        files.append(label)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            m.problems.append(f"{label}: cannot read parameter overrides ({exc.strerror})")
            continue
        _merge(m, label, text, bundled=False)
    quantities = _validate(m)
    raise_problems(m.problems, "calculus parameters")
    return CalculusParameters(quantities=quantities, files=tuple(files))


@functools.cache
def default_parameters() -> CalculusParameters:
    """Return the bundled parameters (loaded once and cached).

    Returns
    -------
    CalculusParameters
    """
    return load_parameters()
