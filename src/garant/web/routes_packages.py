"""Routes of guarantee packages: the presets, one preset with its TOML, validating a TOML text.

A TOML text sent by a browser is parsed by the same loader as a file
(:func:`garant.packages.loader.load_guarantee_package`), from a private temporary file;
its component references must be bundled preset names: a file path there would let a
request read the server's files, so it is refused before the components are checked.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field, field_validator

from garant.errors import ConfigError, GarantError, NotFoundError
from garant.web.layers import jsonable
from garant.web.state import AppState

if TYPE_CHECKING:
    from garant.packages.schema import GuaranteePackage

__all__ = [
    "MAX_TOML_BYTES",
    "ValidateRequest",
    "error_lines",
    "package_from_text",
    "preset_package",
    "router",
]

router = APIRouter(prefix="/api/packages", tags=["packages"])

#: Largest package TOML accepted, bytes.
MAX_TOML_BYTES = 64 * 1024
#: The file name a TOML text is read as (shown in error messages).
TEXT_LABEL = "package.toml"
_PRESET_RE = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,79}$")
_REF_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-+]{0,119}$")


def _check_toml_size(text: str) -> str:
    n = len(text.encode("utf-8"))
    if n > MAX_TOML_BYTES:
        raise ValueError(f"{n} bytes is over the {MAX_TOML_BYTES // 1024} KiB limit")
    return text


class ValidateRequest(BaseModel):
    """Body of ``POST /api/packages/validate``."""

    model_config = ConfigDict(extra="forbid")

    toml: Annotated[str, Field(max_length=MAX_TOML_BYTES, description="A package TOML file.")]

    @field_validator("toml")
    @classmethod
    def _size(cls, v: str) -> str:
        return _check_toml_size(v)


def error_lines(exc: GarantError) -> list[str]:
    """The problems of an error, one per line (the count line of several dropped)."""
    lines = [ln for ln in str(exc).splitlines() if ln.strip()]
    if len(lines) > 1 and lines[0].startswith("invalid "):
        lines = lines[1:]
    return lines


def preset_package(name: str) -> GuaranteePackage:
    """A bundled preset by name (never a path).

    Raises
    ------
    NotFoundError
        Not a bundled preset.
    """
    from garant.packages.loader import list_packages, load_guarantee_package

    known = list_packages()
    if not _PRESET_RE.fullmatch(name) or name not in known:
        raise NotFoundError(
            f"guarantee package {name[:40]!r}: unknown (bundled: {', '.join(known)})"
        )
    return load_guarantee_package(name)


def _component_refs(package: GuaranteePackage) -> list[tuple[tuple[str | int, ...], str]]:
    refs: list[tuple[tuple[str | int, ...], str]] = [(("ukraine", "air"), package.ukraine.air)]
    if package.land is not None:
        refs.append((("land", "preset"), package.land.preset))
    if package.air is not None:
        refs.append((("air", "preset"), package.air.preset))
        refs += [(("air", "addons", i), a) for i, a in enumerate(package.air.addons)]
    if package.sea is not None:
        refs.append((("sea", "preset"), package.sea.preset))
    return refs


def package_from_text(text: str) -> GuaranteePackage:
    """Load and check a package from its TOML text, allowing only bundled component presets.

    Parameters
    ----------
    text : str
        The TOML (at most :data:`MAX_TOML_BYTES`).

    Returns
    -------
    GuaranteePackage
        Its ``source_file`` is ``package.toml``.

    Raises
    ------
    ConfigError
        Invalid TOML or fields, a component given as a file path, unknown presets;
        messages name ``package.toml``, the line and the field.
    """
    from garant.packages.loader import check_components, package_where, parse_guarantee_package

    _check_size(text)
    package = parse_guarantee_package(text, label=TEXT_LABEL, check=False)
    package = package.model_copy(update={"source_file": TEXT_LABEL})
    package._text = text
    problems = [
        f"{package_where(package, loc)}: {ref[:60]!r} is not a bundled preset name "
        "(file paths are not accepted from the web)"
        for loc, ref in _component_refs(package)
        if not _REF_RE.fullmatch(ref)
    ]
    if problems:
        from garant._toml import raise_problems

        raise_problems(problems, f"guarantee package {TEXT_LABEL}")
    check_components(package)
    return package


def _check_size(text: str) -> None:
    try:
        _check_toml_size(text)
    except ValueError as exc:
        raise ConfigError(f"toml: {exc}") from None


def _summary(package: GuaranteePackage) -> dict[str, Any]:
    return {
        "name": package.name,
        "title": package.title,
        "label": package.label,
        "description": package.description,
        "commitment": package.commitment,
        "components": {
            "land": package.land.preset if package.land is not None else None,
            "air": package.air.preset if package.air is not None else None,
            "sea": package.sea.preset if package.sea is not None else None,
        },
    }


def _package_json(package: GuaranteePackage) -> dict[str, Any]:
    data: dict[str, Any] = jsonable(package.model_dump(mode="json"))
    return data


@router.get("", summary="Bundled guarantee packages")
def packages(request: Request) -> list[dict[str, Any]]:
    """Every bundled preset (weakest to strongest): name, title, description, components."""
    from garant.packages.loader import preset_order

    state: AppState = request.app.state.garant

    def compute() -> list[dict[str, Any]]:
        return [_summary(preset_package(n)) for n in preset_order()]

    out: list[dict[str, Any]] = state.other_cache.get_or_compute(("packages",), compute)
    return out


@router.get("/{name}", summary="One bundled package, as JSON and TOML")
def package(request: Request, name: str) -> dict[str, Any]:
    """The preset as JSON (``package``) and its TOML text (``toml``) for the editor."""
    state: AppState = request.app.state.garant

    def compute() -> dict[str, Any]:
        p = preset_package(name)
        text = getattr(p, "_text", "") or ""
        return {**_summary(p), "package": _package_json(p), "toml": text}

    out: dict[str, Any] = state.other_cache.get_or_compute(("package", name), compute)
    return out


@router.post("/validate", summary="Validate a package TOML (read-only)")
def validate(request: Request, body: ValidateRequest) -> dict[str, Any]:
    """``ok`` and the problems (``file:line: field: problem``), or the package as JSON.

    Also checks the ceasefire settings against the served history (a date after the
    latest snapshot, a frozen line that the store does not hold).
    """
    from garant.packages.loader import check_against_history

    state: AppState = request.app.state.garant
    try:
        pkg = package_from_text(body.toml)
        check_against_history(
            pkg, latest=state.dates[-1], has_store=True, history=f"the store ({state.dates[-1]})"
        )
        line = pkg.ceasefire.line
        if line is not None:
            state.store_call(lambda st: st.load_ceasefire_line(line))
    except GarantError as exc:
        return {"ok": False, "errors": error_lines(exc)}
    return {"ok": True, "errors": [], "package": _package_json(pkg)}
