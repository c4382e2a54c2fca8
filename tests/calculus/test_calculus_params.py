from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from garant.calculus.model import PARAMETERS
from garant.calculus.params import GROUPS, default_parameters, load_parameters
from garant.errors import ConfigError


def _write(tmp_path: Path, text: str, name: str = "over.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _line(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_bundled_parameters_are_complete_and_documented() -> None:
    p = default_parameters()
    assert set(PARAMETERS) <= set(p)
    assert "half_measure_threshold" in p
    assert "half_measure_threshold" not in p.sampled_names
    assert set(p.sampled_names) == set(PARAMETERS)
    for name in p:
        q = p[name]
        assert q.group in GROUPS
        assert q.description.strip()
        assert q.low <= q.value <= q.high
        assert (q.source is None) != (q.assumption is None), name
    table = p.table()
    assert list(table["name"]) == list(p)
    assert table["provenance"].str.len().min() > 20
    assert p.half_measure_threshold == 0.5
    assert p.files == ("parameters.toml",)


def test_cited_sources_carry_their_numbers() -> None:
    p = default_parameters()
    assert "Mearsheimer" in (p["critical_force_ratio"].source or "")
    assert p["critical_force_ratio"].value == 3.0
    # the pooled ISW rate is what its source text computes
    pooled = (420_000 + 160_600 + 130_160) / (4_168 + 1_627 + 1_910)
    assert round(pooled) == p["casualties_per_km2"].value
    assert round(429_660 / 12, -2) == p["attacker_casualties_per_month"].value


def test_pickles() -> None:
    p = default_parameters()
    q = pickle.loads(pickle.dumps(p))
    assert q.values() == p.values()


def test_override_value_without_provenance_becomes_assumption(tmp_path: Path) -> None:
    path = _write(tmp_path, "[parameters.critical_force_ratio]\nvalue = 4.0\n")
    p = load_parameters(path)
    q = p["critical_force_ratio"]
    assert q.value == 4.0
    assert q.low == default_parameters()["critical_force_ratio"].low
    assert q.source is None
    assert q.assumption == f"override from {path}"
    assert p.files == ("parameters.toml", str(path))


def test_override_with_source_and_inline_table(tmp_path: Path) -> None:
    text = (
        "[parameters]\n"
        'escalation_cost = { value = 5, low = 1, high = 9, source = "my study 2026" }\n'
        'credibility_none = { description = "changed words only" }\n'
    )
    p = load_parameters(_write(tmp_path, text))
    assert p["escalation_cost"].source == "my study 2026"
    assert p["escalation_cost"].assumption is None
    assert p["escalation_cost"].distribution == "loguniform"
    # words only: the bundled provenance stays
    assert p["credibility_none"].assumption == default_parameters()["credibility_none"].assumption


def test_overrides_apply_in_order(tmp_path: Path) -> None:
    a = _write(tmp_path, "[parameters.sanctions_cost]\nvalue = 0.2\n", "a.toml")
    b = _write(tmp_path, "[parameters.sanctions_cost]\nvalue = 0.25\n", "b.toml")
    assert load_parameters([a, b])["sanctions_cost"].value == 0.25


@pytest.mark.parametrize(
    ("text", "needle", "field", "problem"),
    [
        (
            "[parameters.critical_force_ratio]\nvalue = 9.0\n",
            "[parameters.critical_force_ratio]",
            "parameters.critical_force_ratio",
            "value 9 outside its range",
        ),
        (
            "[parameters.no_such_thing]\nvalue = 1\n",
            "[parameters.no_such_thing]",
            "parameters.no_such_thing",
            "unknown parameter",
        ),
        (
            "[parameters.escalation_cost]\ncolour = 'red'\n",
            "colour",
            "parameters.escalation_cost.colour",
            "unknown field",
        ),
        (
            "# comment\n[parameters.attacker_troops]\nunit = 'km'\n",
            "unit",
            "parameters.attacker_troops.unit",
            "unit 'km' should be 'persons'",
        ),
        (
            "[parameters.escalation_cost]\nlow = 0.0\nvalue = 0.0\n",
            "[parameters.escalation_cost]",
            "parameters.escalation_cost",
            "loguniform parameter needs low > 0",
        ),
        (
            "[parameters.p_engaged_air]\nvalue = 1.5\nhigh = 2.0\n",
            "[parameters.p_engaged_air]",
            "parameters.p_engaged_air",
            "outside [0, 1]",
        ),
        (
            "[parameters.sanctions_cost]\ndistribution = 'normal'\n",
            "distribution",
            "parameters.sanctions_cost.distribution",
            "triangular",
        ),
        (
            "[parameters.sanctions_cost]\nsource = 'x'\nassumption = 'y'\n",
            "[parameters.sanctions_cost]",
            "parameters.sanctions_cost",
            "both a source and an assumption",
        ),
        ("\n\n[scenario]\nx = 1\n", "[scenario]", "scenario", "unknown section"),
        ("version = 2\n", "version", "version", "not supported"),
    ],
)
def test_bad_override_names_file_line_field(
    tmp_path: Path, text: str, needle: str, field: str, problem: str
) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_parameters(path)
    msg = str(err.value)
    assert msg.startswith(f"{path}:{_line(text, needle)}: {field}: "), msg
    assert problem in msg
    assert "\n" not in msg


def test_several_problems_are_collected(tmp_path: Path) -> None:
    text = "[parameters.a_thing]\nvalue = 1\n[parameters.sanctions_cost]\nvalue = 7\n"
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_parameters(path)
    lines = str(err.value).splitlines()
    assert lines[0] == "invalid calculus parameters: 2 problems"
    assert lines[1].startswith(f"{path}:1: parameters.a_thing")
    assert lines[2].startswith(f"{path}:3: parameters.sanctions_cost")


def test_unreadable_and_invalid_files(tmp_path: Path) -> None:
    missing = tmp_path / "missing.toml"
    with pytest.raises(ConfigError, match=f"{missing}: cannot read"):
        load_parameters(missing)
    bad = _write(tmp_path, "[parameters\n")
    with pytest.raises(ConfigError, match=f"{bad}: not valid TOML"):
        load_parameters(bad)
