"""Pledges and the gap by capability (garant.land.pledges)."""

from __future__ import annotations

from pathlib import Path

import pytest

from garant.errors import ConfigError, DataError
from garant.land.geometry import front_at
from garant.land.pledges import default_pledges, load_pledges, pledge_gap
from garant.land.sizing import CAPABILITIES, size_force

_PLEDGE = """
[pledges.a]
country = "A"
troops = {{ value = {troops}, low = 0, high = 2000, unit = "persons", assumption = "test" }}
mix = {{ infantry = 0.5, logistics = 0.5 }}
"""


def test_bundled_pledges_match_the_reported_total() -> None:
    p = default_pledges()
    assert p.reported_total is not None
    assert p.reported_total.low <= p.total_troops <= p.reported_total.high
    assert sum(p.by_capability().values()) == pytest.approx(p.total_troops)
    frame = p.to_frame()
    assert frame["troops"].sum() == pytest.approx(p.total_troops)


def test_gap_is_required_minus_pledged(tmp_path: Path) -> None:
    f = tmp_path / "p.toml"
    f.write_text(_PLEDGE.format(troops=1000), encoding="utf-8")
    pledges = load_pledges(f)
    req = size_force("reassurance", front_at())
    gap = pledge_gap(req, pledges).set_index("capability")
    assert list(gap.index) == [*CAPABILITIES, "total"]
    assert gap.loc["infantry", "pledged"] == pytest.approx(500)
    assert gap.loc["armour", "pledged"] == 0
    assert gap.loc["infantry", "gap"] == pytest.approx(req.by_capability["infantry"] - 500)
    assert gap.loc["total", "required"] == pytest.approx(req.deployed_troops)
    assert gap.loc["total", "covered"] == pytest.approx(1000 / req.deployed_troops)


def test_scaled_pledges_keep_shares() -> None:
    p = default_pledges()
    big = p.scaled_to(100_000)
    assert big.total_troops == pytest.approx(100_000)
    first, first_big = p.to_frame().iloc[0], big.to_frame().iloc[0]
    assert first_big["troops"] / 100_000 == pytest.approx(first["troops"] / p.total_troops)
    with pytest.raises(DataError, match="non-negative"):
        p.scaled_to(-1)


def test_negative_pledge_names_file_line_field(tmp_path: Path) -> None:
    f = tmp_path / "neg.toml"
    f.write_text(_PLEDGE.format(troops=-500), encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_pledges(f)
    msg = str(exc.value)
    assert f"{f}:4: pledges.a.troops" in msg
    assert "-500" in msg


def test_bad_mix_and_unknown_field(tmp_path: Path) -> None:
    f = tmp_path / "mix.toml"
    f.write_text(
        _PLEDGE.format(troops=10).replace("logistics = 0.5", "logistics = -0.5, isr = 1.0"),
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="negative or non-finite share"):
        load_pledges(f)
    g = tmp_path / "extra.toml"
    g.write_text(_PLEDGE.format(troops=10) + 'flag = "x"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"pledges\.a\.flag: unknown field"):
        load_pledges(g)
    h = tmp_path / "empty.toml"
    h.write_text("[pledges]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="at least one"):
        load_pledges(h)
