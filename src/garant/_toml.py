"""Shared helpers for TOML settings files: find a field's line, report problems.

Every settings file garant reads (air packages, land forces, guarantee packages) reports
a problem as one line naming the file, the line where the field can be found, the field
and the problem (``presets/x.toml:12: units[2].defence: unknown field``). These helpers
build such lines from a field path or a pydantic :class:`~pydantic.ValidationError` and
raise them as one :class:`~garant.errors.ConfigError`.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Sequence
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from garant.errors import ConfigError, NotFoundError

M = TypeVar("M", bound=BaseModel)

__all__ = [
    "line_of",
    "override_paths",
    "parse_toml",
    "preset_names",
    "pydantic_problems",
    "raise_problems",
    "read_preset",
    "settings_document",
    "validate_model",
    "where",
]


def _toml_key_path(line: str) -> list[str] | None:
    """Dotted key path of a ``key = value`` line (quotes stripped), or None."""
    m = re.match(
        r'^\s*((?:"[^"]*"|[A-Za-z0-9_\-]+)(?:\s*\.\s*(?:"[^"]*"|[A-Za-z0-9_\-]+))*)\s*=', line
    )
    if not m:
        return None
    return [p.strip('"') for p in re.findall(r'"[^"]*"|[A-Za-z0-9_\-]+', m[1])]


def line_of(text: str, loc: Sequence[Any]) -> int | None:
    """Best guess of the line (1-based) of a field of a TOML document.

    Parameters
    ----------
    text : str
        The TOML text.
    loc : sequence
        The field's path, e.g. ``("units", 2, "defence")`` (array indices as ints).

    Returns
    -------
    int or None
        The line of the deepest table or key on that path, or None.
    """
    want = [str(x) for x in loc]
    counters: dict[tuple[str, ...], int] = {}
    table: list[str] = []
    best_len, best_line = 0, None
    in_multiline = False
    for i, raw in enumerate(text.splitlines(), 1):
        s = raw.strip()
        if in_multiline:
            if s.count('"""') % 2 == 1:
                in_multiline = False
            continue
        if not s or s.startswith("#"):
            continue
        path: list[str] | None = None
        m = re.match(r"^\[\[\s*([^\]]+?)\s*\]\]", s)
        if m:
            name = tuple(p.strip().strip('"') for p in m[1].split("."))
            counters[name] = counters.get(name, -1) + 1
            for key in [k for k in counters if len(k) > len(name) and k[: len(name)] == name]:
                del counters[key]
            table = [*name, str(counters[name])]
            path = table
        else:
            m = re.match(r"^\[\s*([^\]]+?)\s*\]", s)
            if m:
                table = [p.strip().strip('"') for p in m[1].split(".")]
                path = table
            else:
                keys = _toml_key_path(s)
                if keys is not None:
                    path = [*table, *keys]
                if s.count('"""') % 2 == 1:
                    in_multiline = True
        if path and len(path) <= len(want) and want[: len(path)] == path and len(path) > best_len:
            best_len, best_line = len(path), i
    return best_line


def _key_text(key: str) -> str:
    """A key as shown in a message: quoted when empty or holding control characters."""
    if key and not any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in key):
        return key
    return repr(key)


def where(label: str, text: str | None, loc: Sequence[Any]) -> str:
    """``label:line: field`` for a field path (``label: field`` when the line is unknown).

    Parameters
    ----------
    label : str
        The file's name as shown to the user.
    text : str or None
        The file's text (None: no line lookup).
    loc : sequence
        The field's path (array indices as ints).

    Returns
    -------
    str
    """
    field = ""
    for part in loc:
        shown = str(part) if isinstance(part, int) else _key_text(str(part))
        field += f"[{shown}]" if isinstance(part, int) else (f".{shown}" if field else shown)
    line = line_of(text, loc) if text is not None and loc else None
    at = f"{label}:{line}" if line else label
    return f"{at}: {field}" if field else at


def pydantic_problems(label: str, text: str | None, exc: ValidationError) -> list[str]:
    """One ``file:line: field: problem`` line per validation error (duplicates dropped).

    Parameters
    ----------
    label : str
        The file's name as shown to the user.
    text : str or None
        The file's text.
    exc : pydantic.ValidationError
        The error.

    Returns
    -------
    list of str
    """
    out = []
    for e in exc.errors():
        loc = [
            x for x in e["loc"] if not (isinstance(x, str) and x.startswith(("tuple[", "list[")))
        ]
        loc = [x for x in loc if x not in ("str", "float", "int")]
        kind = e.get("type", "")
        if kind == "extra_forbidden":
            msg = "unknown field"
        elif kind == "missing":
            msg = "missing field"
        else:
            msg = str(e.get("msg", "")).removeprefix("Value error, ")
        out.append(f"{where(label, text, loc)}: {msg}")
    return sorted(set(out), key=out.index)


def raise_problems(problems: Sequence[str], what: str) -> None:
    """Raise the problems as one :class:`~garant.errors.ConfigError` (nothing if none).

    Parameters
    ----------
    problems : sequence of str
        Problem lines.
    what : str
        What was checked (``"air package"``), for the first line when there are several.

    Raises
    ------
    ConfigError
        One problem: its line; several: a count line followed by one line each.
    """
    if not problems:
        return
    if len(problems) == 1:
        raise ConfigError(problems[0])
    raise ConfigError("\n".join([f"invalid {what}: {len(problems)} problems", *problems]))


def preset_names(presets_dir: Traversable) -> list[str]:
    """The bundled presets in a folder: its ``*.toml`` files not starting with ``_``.

    Parameters
    ----------
    presets_dir : importlib.resources.abc.Traversable
        The folder (a package resource).

    Returns
    -------
    list of str
        Names without the suffix, sorted.
    """
    if not presets_dir.is_dir():  # pragma: no cover - packaging error
        return []
    return sorted(
        p.name.removesuffix(".toml")
        for p in presets_dir.iterdir()
        if p.name.endswith(".toml") and not p.name.startswith("_")
    )


def read_preset(
    name_or_path: str | Path,
    presets_dir: Traversable,
    *,
    what: str,
    preset_what: str,
    label_dir: str,
) -> tuple[str, str]:
    """Read a bundled preset by name, or a settings file by path.

    Parameters
    ----------
    name_or_path : str or pathlib.Path
        A preset name, or a path (anything ending in ``.toml``, containing ``/`` or existing).
    presets_dir : importlib.resources.abc.Traversable
        The folder of bundled presets.
    what : str
        What a file holds (``"air package"``), for messages.
    preset_what : str
        What a bundled preset is called (``"air preset"``), for messages.
    label_dir : str
        The folder name shown in labels of bundled presets (``"presets"``).

    Returns
    -------
    tuple of str
        ``(label, text)``: the label used in messages and the file's text.

    Raises
    ------
    NotFoundError
        No such file or preset (the message lists the bundled ones).
    ConfigError
        The file cannot be read.
    """
    path = Path(name_or_path)
    if path.suffix == ".toml" or path.exists() or "/" in str(name_or_path):
        try:
            return str(path), path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise NotFoundError(f"{path}: {what} file not found") from None
        except (OSError, UnicodeDecodeError) as exc:
            why = getattr(exc, "strerror", None) or "not UTF-8 text"
            raise ConfigError(f"{path}: cannot read {what} ({why})") from None
    name = str(name_or_path)
    res = presets_dir.joinpath(f"{name}.toml")
    if name.startswith("_") or not res.is_file():
        raise NotFoundError(
            f"{preset_what} {name!r} not found (bundled: "
            f"{', '.join(preset_names(presets_dir))}; or give a .toml path)"
        )
    return f"{label_dir}/{name}.toml", res.read_text(encoding="utf-8")


def parse_toml(label: str, text: str) -> dict[str, Any]:
    """Parse TOML text, raising a one-line :class:`~garant.errors.ConfigError`.

    Parameters
    ----------
    label : str
        The file's label for the message.
    text : str
        The TOML text.

    Returns
    -------
    dict
        The document.

    Raises
    ------
    ConfigError
        Not valid TOML (the message carries tomllib's line and column).
    """
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{label}: not valid TOML ({exc})") from None


def validate_model(model: type[M], data: Any, *, label: str, text: str | None, what: str) -> M:
    """Validate ``data`` as ``model``; errors name ``file:line: field``.

    Parameters
    ----------
    model : pydantic model class
        The model.
    data : object
        The parsed TOML (or part of it).
    label, text : str
        File name and text, for the messages.
    what : str
        What is validated (``"land missions"``), for a multi-problem message.

    Returns
    -------
    model instance

    Raises
    ------
    ConfigError
        One line per problem (``file:line: field: message``).
    """
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise_problems(pydantic_problems(label, text, exc), what)
        raise  # pragma: no cover - raise_problems always raises for a non-empty list


def settings_document(model: type[M], label: str, text: str, *, what: str) -> M:
    """Parse a settings file (air package, land force, guarantee package) into ``model``.

    The model gets the file's label as ``source_file``, which the file itself may not set.

    Parameters
    ----------
    model : pydantic model class
        The model; it has a ``source_file`` field.
    label, text : str
        File name and text.
    what : str
        What is read (``"air package presets/x.toml"``), for a multi-problem message.

    Returns
    -------
    model instance

    Raises
    ------
    ConfigError
        Not valid TOML, a ``source_file`` key, or invalid fields (``file:line: field: problem``).
    """
    doc = parse_toml(label, text)
    if "source_file" in doc:
        raise_problems([f"{where(label, text, ['source_file'])}: unknown field"], what)
    return validate_model(model, {**doc, "source_file": label}, label=label, text=text, what=what)


def override_paths(overrides: str | Path | Sequence[str | Path] | None) -> list[Path]:
    """Normalise the ``overrides`` argument of a catalogue loader to a list of paths.

    Parameters
    ----------
    overrides : str, pathlib.Path, sequence of them, or None
        One override file, several, or none.

    Returns
    -------
    list of pathlib.Path
        In the order given (later files win).
    """
    if overrides is None:
        return []
    if isinstance(overrides, (str, Path)):
        return [Path(overrides)]
    return [Path(p) for p in overrides]
