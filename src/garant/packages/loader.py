"""Load guarantee packages: bundled presets or TOML files, checked against the components.

Bundled presets live in ``garant/data/packages/``::

    garant.packages.loader.list_packages()
    # ['coalition-2025', 'nato-membership', 'no-guarantees', 'robust-100k', 'sky-shield-only']

:func:`load_guarantee_package` validates the file (:class:`~garant.packages.schema.
GuaranteePackage`) and checks that the land, air and sea presets it names exist and that
its sea mission deploys ships. Problems that need the frontline store (a ceasefire date
after the latest snapshot, a frozen line without a store) are checked when the package is
assessed (:func:`check_against_history`); every problem names the file, line and field.
"""

from __future__ import annotations

import datetime as dt
import functools
from importlib import resources
from pathlib import Path
from typing import Any

from garant._toml import (
    parse_toml,
    preset_names,
    raise_problems,
    read_preset,
    settings_document,
    validate_model,
    where,
)
from garant.packages.schema import GuaranteePackage, PackageDefaults

__all__ = [
    "PRESET_ORDER",
    "check_against_history",
    "check_components",
    "list_packages",
    "load_guarantee_package",
    "load_package_defaults",
    "package_where",
    "parse_guarantee_package",
    "preset_order",
]

_DEFAULTS_FILE = "_defaults.toml"


def _presets_dir() -> Any:
    return resources.files("garant").joinpath("data", "packages")


def list_packages() -> list[str]:
    """Names of the bundled guarantee packages (``.toml`` files without a leading ``_``).

    Returns
    -------
    list of str
        Sorted.
    """
    return preset_names(_presets_dir())


#: The bundled packages from the weakest guarantee to the reference (for tables and reports).
PRESET_ORDER: tuple[str, ...] = (
    "no-guarantees",
    "sky-shield-only",
    "coalition-2025",
    "robust-100k",
    "nato-membership",
)


def preset_order() -> list[str]:
    """The bundled packages in :data:`PRESET_ORDER`, any others after them (sorted).

    Returns
    -------
    list of str
    """
    names = list_packages()
    return [n for n in PRESET_ORDER if n in names] + [n for n in names if n not in PRESET_ORDER]


def _read(name_or_path: str | Path) -> tuple[str, str]:
    """(label, text) of a preset name or a file path."""
    return read_preset(
        name_or_path,
        _presets_dir(),
        what="guarantee package",
        preset_what="guarantee package",
        label_dir="packages",
    )


@functools.cache
def load_package_defaults() -> PackageDefaults:
    """The bundled defaults (``data/packages/_defaults.toml``): Ukraine's troops, costs.

    Returns
    -------
    PackageDefaults

    Raises
    ------
    ConfigError
        The bundled file is invalid (a packaging error).
    """
    label = f"packages/{_DEFAULTS_FILE}"
    text = _presets_dir().joinpath(_DEFAULTS_FILE).read_text(encoding="utf-8")
    return validate_model(
        PackageDefaults, parse_toml(label, text), label=label, text=text, what="package defaults"
    )


def package_where(package: GuaranteePackage, loc: tuple[str | int, ...]) -> str:
    """``file:line: field`` of a field of a loaded package (for error messages).

    Parameters
    ----------
    package : GuaranteePackage
        A package from :func:`load_guarantee_package` (or built in code: no line).
    loc : tuple
        The field's path, e.g. ``("ceasefire", "date")``.

    Returns
    -------
    str
    """
    text = getattr(package, "_text", "") or None
    return where(package.source_file or package.name, text, loc)


def _path_or_name(ref: str) -> bool:
    """True when a component reference is a file path rather than a preset name."""
    return ref.endswith(".toml") or "/" in ref


def check_components(package: GuaranteePackage) -> None:
    """Check that the package's component presets exist and make sense.

    The land, air (and add-ons) and sea presets must be bundled presets or existing
    files; the sea mission must deploy warships; Ukraine's air preset must exist.

    Parameters
    ----------
    package : GuaranteePackage

    Raises
    ------
    ConfigError
        Every problem, each naming the file, line and field.
    """
    from garant.air.presets import ADDON_SEPARATOR
    from garant.air.presets import list_presets as air_presets
    from garant.sea.plan import load_mission, mission_presets

    problems: list[str] = []

    def exists(ref: str, known: list[str], what: str, loc: tuple[str | int, ...]) -> bool:
        if _path_or_name(ref):
            if Path(ref).is_file():
                return True
            problems.append(f"{package_where(package, loc)}: {what} file {ref!r} not found")
            return False
        if ref in known:
            return True
        problems.append(
            f"{package_where(package, loc)}: unknown {what} {ref!r} (bundled: {', '.join(known)})"
        )
        return False

    if package.land is not None:
        try:
            from garant.land.presets import list_land_presets

            land_known = list_land_presets()
        except ImportError:  # pragma: no cover - the land module ships with garant
            land_known = []
        exists(package.land.preset, land_known, "land preset", ("land", "preset"))
    air_known = air_presets()
    if package.air is not None:
        ref = package.air.preset
        parts = [ref] if _path_or_name(ref) else ref.split(ADDON_SEPARATOR)
        for part in parts:
            exists(part, air_known, "air preset", ("air", "preset"))
        for i, add in enumerate(package.air.addons):
            exists(add, air_known, "air add-on", ("air", "addons", i))
    exists(package.ukraine.air, air_known, "air preset", ("ukraine", "air"))
    if package.sea is not None and exists(
        package.sea.preset, mission_presets(), "sea preset", ("sea", "preset")
    ):
        mission = load_mission(package.sea.preset)
        if not mission.ships:
            problems.append(
                f"{package_where(package, ('sea', 'preset'))}: sea mission "
                f"{package.sea.preset!r} deploys no ships; leave [sea] out for a package "
                "without a sea mission"
            )
    raise_problems(problems, f"guarantee package {package.source_file}")


def load_guarantee_package(name_or_path: str | Path, *, check: bool = True) -> GuaranteePackage:
    """Load a guarantee package: a bundled preset name or a TOML path.

    Parameters
    ----------
    name_or_path : str or pathlib.Path
        A bundled package (:func:`list_packages`) or a ``.toml`` file.
    check : bool, default True
        Check the component presets (:func:`check_components`).

    Returns
    -------
    GuaranteePackage
        With ``source_file`` set to where it was read from.

    Raises
    ------
    NotFoundError
        An unknown preset or a missing file.
    ConfigError
        Invalid TOML, unknown or invalid fields, contradictory settings, unknown
        component presets (each problem naming the file, line and field).
    """
    label, text = _read(name_or_path)
    return parse_guarantee_package(text, label=label, check=check)


def parse_guarantee_package(
    text: str, *, label: str = "package.toml", check: bool = True
) -> GuaranteePackage:
    """Read a guarantee package from its TOML text (no file involved).

    Parameters
    ----------
    text : str
        The TOML text.
    label : str
        The name messages give the text (``file:line: field: problem``).
    check : bool
        Also check that the component presets exist (:func:`check_components`).

    Returns
    -------
    GuaranteePackage

    Raises
    ------
    NotFoundError, ConfigError
        As :func:`load_guarantee_package`.
    """
    package = settings_document(GuaranteePackage, label, text, what=f"guarantee package {label}")
    package._text = text
    if check:
        check_components(package)
    return package


def check_against_history(
    package: GuaranteePackage, *, latest: dt.date | None, has_store: bool, history: str
) -> None:
    """Check the ceasefire settings against the frontline history available.

    Parameters
    ----------
    package : GuaranteePackage
    latest : datetime.date or None
        Date of the latest snapshot (None: unknown, no check).
    has_store : bool
        Whether a store is given (a frozen line needs one).
    history : str
        What the history is, for messages (``"store x.duckdb"``, ``"the bundled demo"``).

    Raises
    ------
    ConfigError
        A ceasefire date after the latest snapshot, or a frozen line without a store.
    """
    cf = package.ceasefire
    problems: list[str] = []
    if cf.date is not None and latest is not None and cf.date > latest:
        problems.append(
            f"{package_where(package, ('ceasefire', 'date'))}: {cf.date.isoformat()} is after "
            f"the latest snapshot of {history} ({latest.isoformat()})"
        )
    if cf.line is not None and not has_store:
        problems.append(
            f"{package_where(package, ('ceasefire', 'line'))}: the frozen line {cf.line!r} "
            "needs a store (--store)"
        )
    raise_problems(problems, f"guarantee package {package.source_file}")
