"""The shared TOML helpers (garant._toml) and their re-export from garant.air.presets."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ConfigDict, ValidationError

from garant import _toml
from garant.air import presets
from garant.errors import ConfigError

TEXT = """name = "x"

[a]
b = 1

[[units]]
k = 1

[[units]]
k = 2
"""


class _Unit(BaseModel):
    model_config = ConfigDict(extra="forbid")
    k: int


class _Doc(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    units: list[_Unit]


def test_air_presets_reexports_the_moved_helpers() -> None:
    assert presets.line_of is _toml.line_of
    assert presets._pydantic_problems is _toml.pydantic_problems
    assert presets._raise is _toml.raise_problems
    assert presets._where is _toml.where


def test_where_names_file_line_and_field() -> None:
    assert _toml.where("f.toml", TEXT, ["units", 1, "k"]) == "f.toml:10: units[1].k"
    assert _toml.where("f.toml", TEXT, ["a", "b"]) == "f.toml:4: a.b"
    assert _toml.where("f.toml", None, ["a"]) == "f.toml: a"
    assert _toml.where("f.toml", TEXT, []) == "f.toml"


def test_pydantic_problems_one_line_each() -> None:
    doc = {"name": "x", "units": [{"k": 1}, {"k": "two", "extra": 1}]}
    with pytest.raises(ValidationError) as info:
        _Doc.model_validate(doc)
    problems = _toml.pydantic_problems("f.toml", TEXT, info.value)
    assert "f.toml:9: units[1].extra: unknown field" in problems
    assert any(p.startswith("f.toml:10: units[1].k: ") for p in problems)


def test_raise_problems() -> None:
    _toml.raise_problems([], "thing")  # nothing to raise
    with pytest.raises(ConfigError, match=r"^f.toml:1: name: bad$"):
        _toml.raise_problems(["f.toml:1: name: bad"], "thing")
    with pytest.raises(ConfigError, match=r"invalid thing: 2 problems\na\nb"):
        _toml.raise_problems(["a", "b"], "thing")
