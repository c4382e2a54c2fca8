"""Tests for garant.sea.sizing: MCM vessels, escorts, throughput, history."""

from __future__ import annotations

import itertools
import math
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from garant.errors import ConfigError, DataError
from garant.sea import sizing
from garant.sea.sizing import (
    DAYS_PER_MONTH,
    KM_PER_NM,
    SeaQuantity,
    compare_with_history,
    default_history,
    default_mission_params,
    escorts,
    load_history,
    load_mission_params,
    mcm_vessels,
    throughput,
)

ROUTE_KM = 630.0  # Odesa to the Bosphorus, roughly


def _with(section: str, **values: float) -> sizing.MissionParams:
    """Default parameters with some values replaced (range widened to fit)."""
    p = default_mission_params()
    sec = getattr(p, section)
    upd = {}
    for name, v in values.items():
        q = getattr(sec, name)
        upd[name] = q.model_copy(update={"value": v, "low": min(q.low, v), "high": max(q.high, v)})
    return p.model_copy(update={section: sec.model_copy(update=upd)})


# ------------------------------------------------------------------ parameters


def test_bundled_params_have_provenance_and_units() -> None:
    p = default_mission_params()
    frame = p.to_frame()
    sections = ("mcm", "convoy", "ports", "air_cover")
    assert len(frame) == sum(len(type(getattr(p, s)).model_fields) for s in sections)
    assert set(frame["section"]) == set(sections)
    assert frame["provenance"].str.len().gt(10).all()
    assert set(frame["unit"]) <= set(sizing.SEA_UNITS)
    assert (frame["low"] <= frame["value"]).all()
    assert (frame["value"] <= frame["high"]).all()


def test_sea_quantity_rejects_bad_unit_and_range() -> None:
    with pytest.raises(ValueError, match="unit 'furlong'"):
        SeaQuantity(value=1, low=0, high=2, unit="furlong", source="x")
    with pytest.raises(ValueError, match="outside its range"):
        SeaQuantity(value=3, low=0, high=2, unit="t", source="x")
    with pytest.raises(ValueError, match="source or an assumption"):
        SeaQuantity(value=1, low=0, high=2, unit="t")
    with pytest.raises(ValueError, match="outside"):
        SeaQuantity(value=1.5, low=0, high=2, unit="probability", assumption="x")


def test_load_params_errors_name_file_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "m.toml"
    bad.write_text("[mcm]\nfoo = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"m\.toml.*mcm\.foo"):
        load_mission_params(bad)
    wrong_unit = tmp_path / "u.toml"
    text = resources.files("garant").joinpath("data", "sea", "mission.toml").read_text()
    wrong_unit.write_text(text.replace('unit = "kn"', 'unit = "km"'), encoding="utf-8")
    with pytest.raises(ConfigError, match="ship_speed_kn: unit 'km' should be 'kn'"):
        load_mission_params(wrong_unit)
    with pytest.raises(ConfigError, match="cannot read"):
        load_mission_params(tmp_path / "missing.toml")
    notoml = tmp_path / "n.toml"
    notoml.write_text("[[[", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_mission_params(notoml)


# ------------------------------------------------------------------ MCM


def test_mcm_arithmetic() -> None:
    r = mcm_vessels(100.0, 2.0, days_to_clear=10.0)
    m = default_mission_params().mcm
    on_station = (
        m.availability.value
        * m.deployment_d.value
        / (m.deployment_d.value + 2 * m.transit_h.value / 24)
    )
    assert r.area_km2 == pytest.approx(200.0)
    assert r.on_station_share == pytest.approx(on_station)
    assert r.vessel_days == pytest.approx(200.0 / m.hunt_rate_km2_per_day.value)
    assert r.vessels_to_clear == math.ceil(r.vessel_days / (10.0 * on_station))
    keep = 200.0 / (m.resurvey_rate_km2_per_day.value * m.resurvey_interval_d.value * on_station)
    assert r.vessels_to_keep_open == math.ceil(keep)
    assert mcm_vessels(100.0, 2.0, days_to_clear=10.0, keep_open=False).vessels_to_keep_open == 0
    frame = r.to_frame()
    assert list(frame.columns) == ["quantity", "value", "unit"]
    assert frame.set_index("quantity").loc["area_km2", "unit"] == "km2"


def test_sweeping_needs_fewer_vessels_than_hunting() -> None:
    hunt = mcm_vessels(300.0, 3.0, days_to_clear=20.0, method="hunt")
    sweep = mcm_vessels(300.0, 3.0, days_to_clear=20.0, method="sweep")
    assert sweep.vessels_to_clear <= hunt.vessels_to_clear


@settings(max_examples=60, deadline=None)
@given(
    length=st.floats(1.0, 1000.0),
    width=st.floats(0.1, 50.0),
    factor=st.floats(1.0, 5.0),
    days=st.floats(1.0, 120.0),
)
def test_mcm_monotone_in_length_width_and_deadline(
    length: float, width: float, factor: float, days: float
) -> None:
    base = mcm_vessels(length, width, days_to_clear=days)
    longer = mcm_vessels(length * factor, width, days_to_clear=days)
    wider = mcm_vessels(length, min(width * factor, 1000.0), days_to_clear=days)
    sooner = mcm_vessels(length, width, days_to_clear=days / factor)
    for other in (longer, wider, sooner):
        assert other.vessels_to_clear >= base.vessels_to_clear
    for other in (longer, wider):
        assert other.vessels_to_keep_open >= base.vessels_to_keep_open


@pytest.mark.parametrize(
    ("length", "width", "days", "match"),
    [
        (0.0, 2.0, 10.0, "corridor_length_km 0.0"),
        (100.0, -1.0, 10.0, "corridor_width_km -1.0"),
        (100.0, float("nan"), 10.0, "corridor_width_km nan"),
        (100.0, 2.0, 0.0, "days_to_clear 0.0"),
        (100.0, 2000.0, 10.0, "wider than the sea"),
    ],
)
def test_mcm_bad_input(length: float, width: float, days: float, match: str) -> None:
    with pytest.raises(DataError, match=match):
        mcm_vessels(length, width, days_to_clear=days)


def test_mcm_width_against_local_sea_width() -> None:
    assert mcm_vessels(100.0, 40.0, days_to_clear=10.0, max_width_km=50.0).width_km == 40.0
    with pytest.raises(DataError, match=r"corridor_width_km 60 is wider .*\(50 km\)"):
        mcm_vessels(100.0, 60.0, days_to_clear=10.0, max_width_km=50.0)
    with pytest.raises(DataError, match="method 'dredge'"):
        mcm_vessels(100.0, 2.0, days_to_clear=10.0, method="dredge")  # type: ignore[arg-type]
    with pytest.raises(DataError, match="not a number"):
        mcm_vessels("long", 2.0, days_to_clear=10.0)  # type: ignore[arg-type]


def test_mcm_with_a_known_mined_length() -> None:
    m = default_mission_params().mcm
    length, width, days, mined = 600.0, 2.0, 30.0, 40.0
    r = mcm_vessels(length, width, days_to_clear=days, mined_length_km=mined)
    hunted = mined * width / m.hunt_rate_km2_per_day.value
    surveyed = (length - mined) * width / m.resurvey_rate_km2_per_day.value
    assert r.mined_length_km == mined
    assert r.mined_area_km2 == pytest.approx(mined * width)
    assert r.vessel_days == pytest.approx(hunted + surveyed)
    assert r.vessels_to_clear == math.ceil(r.vessel_days / (days * r.on_station_share))
    whole = mcm_vessels(length, width, days_to_clear=days)
    assert whole.mined_length_km == length
    assert whole.vessel_days == pytest.approx(length * width / m.hunt_rate_km2_per_day.value)
    assert r.vessels_to_clear <= whole.vessels_to_clear
    # the whole corridor given as mined is the default
    same = mcm_vessels(length, width, days_to_clear=days, mined_length_km=length)
    assert same == whole
    # keeping it open re-surveys the whole corridor either way
    assert r.vessels_to_keep_open == whole.vessels_to_keep_open


@settings(max_examples=40, deadline=None)
@given(a=st.floats(0.0, 500.0), b=st.floats(0.0, 500.0))
def test_mcm_monotone_in_mined_length(a: float, b: float) -> None:
    lo, hi = sorted((a, b))
    less = mcm_vessels(500.0, 1.852, days_to_clear=30.0, mined_length_km=lo)
    more = mcm_vessels(500.0, 1.852, days_to_clear=30.0, mined_length_km=hi)
    assert more.vessel_days >= less.vessel_days
    assert more.vessels_to_clear >= less.vessels_to_clear


@pytest.mark.parametrize(
    ("mined", "match"),
    [(-1.0, "mined_length_km -1.0"), (101.0, "longer than the corridor"), (math.inf, "finite")],
)
def test_mcm_bad_mined_length(mined: float, match: str) -> None:
    with pytest.raises(DataError, match=match):
        mcm_vessels(100.0, 2.0, days_to_clear=10.0, mined_length_km=mined)


def test_air_cover_params_units() -> None:
    a = default_mission_params().air_cover
    assert a.aircraft_per_station.unit == "aircraft"
    assert a.transit_speed_kmh.unit == "km/h"
    assert 0 < a.availability.value <= 1


# ------------------------------------------------------------------ escorts


def test_escort_cycle_units() -> None:
    c = default_mission_params().convoy
    e = escorts(1.0, route_length_km=ROUTE_KM)
    transit = ROUTE_KM / (c.ship_speed_kn.value * KM_PER_NM)
    assert e.transit_h == pytest.approx(transit)
    assert e.cycle_h == pytest.approx(2 * transit + 2 * c.escort_turnaround_h.value)
    assert e.escorts_on_task == pytest.approx(e.cycle_h / 24 * c.escorts_per_convoy.value)
    assert e.escorts_required == math.ceil(e.escorts_on_task / c.escort_availability.value)
    assert escorts(0.0, route_length_km=ROUTE_KM).escorts_required == 0
    assert "cycle_h" in set(e.to_frame()["quantity"])


@settings(max_examples=40, deadline=None)
@given(rate=st.floats(0.0, 5.0), extra=st.floats(0.0, 5.0), km=st.floats(10.0, 1200.0))
def test_escorts_monotone(rate: float, extra: float, km: float) -> None:
    a = escorts(rate, route_length_km=km)
    b = escorts(rate + extra, route_length_km=km)
    c = escorts(rate, route_length_km=km * 1.5)
    assert b.escorts_required >= a.escorts_required
    assert c.escorts_required >= a.escorts_required


def test_escorts_bad_input() -> None:
    with pytest.raises(DataError, match="convoys_per_day -1"):
        escorts(-1.0, route_length_km=ROUTE_KM)
    with pytest.raises(DataError, match="route_length_km 0"):
        escorts(1.0, route_length_km=0)


# ------------------------------------------------------------------ throughput


def test_throughput_from_convoys() -> None:
    p = default_mission_params()
    t = throughput(ROUTE_KM, convoys_per_day=1.0)
    ships = p.convoy.ships_per_convoy.value
    assert t.ships_per_day == pytest.approx(min(ships, p.ports.port_capacity_ships_per_day.value))
    assert t.ships_per_month == pytest.approx(t.ships_per_day * DAYS_PER_MONTH)
    assert t.tonnes_per_month == pytest.approx(t.ships_per_month * p.ports.cargo_t_per_ship.value)
    assert t.tonnes_per_year == pytest.approx(t.tonnes_per_month * 12)
    assert t.escorts_required == escorts(1.0, route_length_km=ROUTE_KM).escorts_required
    round_trip = 2 * t.transit_h + p.ports.port_turnaround_h.value
    assert t.ship_round_trip_h == pytest.approx(round_trip)
    assert t.merchant_ships_employed == pytest.approx(t.ships_per_day * round_trip / 24)
    inspected = throughput(ROUTE_KM, convoys_per_day=1.0, inspections=True)
    assert inspected.ship_round_trip_h == pytest.approx(round_trip + p.ports.inspection_h.value)


def test_more_escorts_more_throughput_until_port_binds() -> None:
    results = [throughput(ROUTE_KM, escorts_available=n) for n in range(0, 61, 2)]
    per_day = [r.ships_per_day for r in results]
    assert per_day[0] == 0.0
    assert all(b >= a - 1e-12 for a, b in itertools.pairwise(per_day))
    assert results[1].binding == "convoys"
    assert results[-1].binding == "port"
    cap = default_mission_params().ports.port_capacity_ships_per_day.value
    assert per_day[-1] == pytest.approx(cap)
    # escorts sized for the derived convoy rate never exceed those available
    for n, r in zip(range(0, 61, 2), results, strict=True):
        assert r.escorts_required <= n


def test_inspections_can_bind() -> None:
    t = throughput(ROUTE_KM, convoys_per_day=2.0, inspections=True)
    cap = default_mission_params().ports.inspection_capacity_ships_per_day.value
    assert t.binding == "inspection"
    assert t.ships_per_day == pytest.approx(cap)
    assert math.isinf(throughput(ROUTE_KM, convoys_per_day=2.0).inspection_capacity_ships_per_day)


def test_throughput_overrides_and_params() -> None:
    p = _with("ports", port_capacity_ships_per_day=100.0)
    t = throughput(ROUTE_KM, convoys_per_day=2.0, ships_per_convoy=10, params=p)
    assert t.ships_per_day == pytest.approx(20.0)
    assert t.binding == "convoys"


def test_throughput_bad_input() -> None:
    with pytest.raises(DataError, match="exactly one"):
        throughput(ROUTE_KM)
    with pytest.raises(DataError, match="exactly one"):
        throughput(ROUTE_KM, convoys_per_day=1, escorts_available=4)
    with pytest.raises(DataError, match="escorts_available -2"):
        throughput(ROUTE_KM, escorts_available=-2)
    with pytest.raises(DataError, match="ships_per_convoy 0"):
        throughput(ROUTE_KM, convoys_per_day=1, ships_per_convoy=0)
    with pytest.raises(DataError, match="route_length_km inf"):
        throughput(float("inf"), convoys_per_day=1)


# ------------------------------------------------------------------ history


def test_history_records() -> None:
    records = default_history()
    ids = {r.id for r in records}
    assert {"bsgi_total", "ua_corridor_year1"} <= ids
    total = next(r for r in records if r.id == "bsgi_total")
    assert total.cargo_t == pytest.approx(32.86e6)
    assert total.departures == 1004
    assert all(r.source.startswith(("Joint", "UN ", "Ukrainian", "Crystal")) for r in records)


def test_history_bad_file(tmp_path: Path) -> None:
    f = tmp_path / "h.toml"
    f.write_text(
        '[records.x]\nname = "x"\noperation = "bsgi"\nstart = 2023-02-01\nend = 2023-01-01\n'
        'cargo_t = 1\nsource = "s"\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"h\.toml: records\.x: end 2023-01-01 before start"):
        load_history(f)
    f.write_text("version = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="non-empty"):
        load_history(f)


def test_compare_with_history_default_parameters() -> None:
    """Where the model lands with the default parameters (computation only)."""
    t = throughput(ROUTE_KM, convoys_per_day=1.0)
    table = compare_with_history(t)
    assert len(table) == len(default_history())
    row = table.set_index("record").loc["bsgi_total"]
    months = ((row["end"] - row["start"]).days + 1) / DAYS_PER_MONTH
    assert row["recorded_t_per_month"] == pytest.approx(32.86e6 / months)
    assert row["recorded_ships_per_month"] == pytest.approx(1004 / months)
    assert row["diff_t_per_month"] == pytest.approx(t.tonnes_per_month - 32.86e6 / months)
    assert row["ratio_t"] == pytest.approx(t.tonnes_per_month / (32.86e6 / months))
    sept = table.set_index("record").loc["bsgi_2022_09"]
    assert sept[["recorded_t_per_month", "ratio_t"]].isna().all()
    assert sept["recorded_ships_per_month"] == pytest.approx(178 / (30 / DAYS_PER_MONTH))
