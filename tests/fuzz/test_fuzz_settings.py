"""Fuzz the settings files: air packages, land forces, sea missions, guarantee packages
and calculus parameter overrides (TOML).

Inputs: the bundled presets, parsed and mutated (a value replaced by any TOML value,
numbers made negative, huge, NaN or infinite, keys deleted or added, list items
repeated), written back as TOML; and the bundled text mutated line by line (lines
dropped, repeated or cut, bytes replaced). Property: the loader returns its model or
raises a GarantError whose message names the file on every line it writes.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import tempfile
import tomllib
import unicodedata
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from garant.air.presets import load_package
from garant.calculus.params import load_parameters
from garant.errors import GarantError
from garant.land.presets import load_force
from garant.packages.loader import load_guarantee_package
from garant.sea.plan import load_mission

pytestmark = pytest.mark.fuzz

EXAMPLES = int(os.environ.get("GARANT_FUZZ_EXAMPLES", "100"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
_DIR = Path(tempfile.mkdtemp(prefix="garant-fuzz-settings-"))
DATA = files("garant") / "data"


def bundled(folder: str) -> list[str]:
    """Texts of the bundled presets of a data folder (not the ``_defaults``)."""
    d = DATA.joinpath(folder)
    return [
        p.read_text(encoding="utf-8")
        for p in sorted(d.iterdir(), key=lambda p: p.name)
        if p.name.endswith(".toml") and not p.name.startswith("_")
    ]


def calculus_override() -> str:
    """A small override file in the bundled layout (three parameters)."""
    text = DATA.joinpath("calculus", "parameters.toml").read_text(encoding="utf-8")
    params = tomllib.loads(text)["parameters"]
    return dumps({"parameters": dict(list(params.items())[:3])})


# ---------------------------------------------------------------------------- TOML out


def _string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, dt.date | dt.datetime | dt.time):
        return v.isoformat()
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_string(str(k))} = {_value(x)}" for k, x in v.items()) + "}"
    return _string(str(v))


def dumps(doc: dict[str, Any]) -> str:
    """TOML text of a document: plain keys first, then one ``[table]`` per sub-table."""
    plain = [f"{_string(k)} = {_value(v)}" for k, v in doc.items() if not isinstance(v, dict)]
    tables = [
        f"[{_string(k)}]\n" + "\n".join(f"{_string(kk)} = {_value(vv)}" for kk, vv in v.items())
        for k, v in doc.items()
        if isinstance(v, dict)
    ]
    return "\n".join(plain) + "\n\n" + "\n\n".join(tables) + "\n"


# -------------------------------------------------------------------------- mutations

toml_scalars = (
    st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**63 - 1)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20)
    | st.sampled_from(["", "sky-shield", "us-backstop", "coalition-reassurance", "none", "../x"])
    | st.dates()
)
toml_values = st.recursive(
    toml_scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


def _get(node: Any, path: tuple[Any, ...]) -> Any:
    for p in path:
        node = node[p]
    return node


@st.composite
def mutated_documents(draw: st.DrawFn, texts: list[str]) -> str:
    doc = tomllib.loads(draw(st.sampled_from(texts)))
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(doc)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent, key = _get(doc, path[:-1]), path[-1]
        old = parent[key]
        op = draw(st.integers(0, 5))
        if op == 0:
            parent[key] = draw(toml_values)
        elif op == 1 and isinstance(parent, dict):
            del parent[key]
        elif op == 2 and isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=10))] = draw(toml_values)
        elif op == 3 and isinstance(parent, list):
            parent.append(old)
        elif op == 4 and isinstance(old, int | float) and not isinstance(old, bool):
            parent[key] = draw(
                st.sampled_from([-old, old * 1e9, 0, 0.0, -1, math.nan, math.inf, 1e308])
            )
        elif op == 5 and isinstance(old, str):
            parent[key] = draw(st.sampled_from(["", old.upper(), old + "x", "../" + old]))
    return dumps(doc)


@st.composite
def mutated_texts(draw: st.DrawFn, texts: list[str]) -> str:
    lines = draw(st.sampled_from(texts)).splitlines()
    for _ in range(draw(st.integers(1, 3))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.integers(0, 3))
        if op == 0:
            del lines[i]
        elif op == 1:
            lines.insert(i, lines[i])
        elif op == 2:
            lines[i] = lines[i][: draw(st.integers(0, len(lines[i])))]
        else:
            j = draw(st.integers(0, max(len(lines[i]) - 1, 0)))
            lines[i] = lines[i][:j] + draw(st.text(min_size=1, max_size=2)) + lines[i][j + 1 :]
    return "\n".join(lines) + "\n"


def documents(texts: list[str]) -> st.SearchStrategy[str]:
    return mutated_documents(texts) | mutated_texts(texts)


def expect_clean(load: Callable[[Path], object], text: str, name: str) -> None:
    path = _DIR / name
    path.write_text(text, encoding="utf-8")
    try:
        load(path)
    except GarantError as exc:
        msg = str(exc)
        lines = msg.split("\n")
        assert all(line.strip() for line in lines), repr(msg)
        for line in lines:
            bad = [c for c in line if c != "\t" and unicodedata.category(c) in ("Cc", "Zl", "Zp")]
            assert not bad, f"control characters {bad} in the message line {line!r}"
        body = lines[1:] if len(lines) > 1 else lines
        for line in body:
            assert str(path) in line, f"a problem line names no file: {line!r}"


# ------------------------------------------------------------------------------- tests

AIR = bundled("air/presets")
LAND = bundled("land/presets")
SEA = bundled("sea/presets")
PACKAGES = bundled("packages")
CALCULUS = [calculus_override()]


@FUZZ
@given(text=documents(AIR))
def test_air_package(text: str) -> None:
    expect_clean(load_package, text, "air.toml")


@FUZZ
@given(text=documents(LAND))
def test_land_force(text: str) -> None:
    expect_clean(load_force, text, "land.toml")


@FUZZ
@given(text=documents(SEA))
def test_sea_mission(text: str) -> None:
    expect_clean(load_mission, text, "sea.toml")


@FUZZ
@given(text=documents(PACKAGES))
def test_guarantee_package(text: str) -> None:
    expect_clean(load_guarantee_package, text, "package.toml")


@FUZZ
@given(text=documents(CALCULUS))
def test_calculus_overrides(text: str) -> None:
    expect_clean(lambda p: load_parameters(overrides=p), text, "params.toml")
