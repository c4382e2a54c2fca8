"""Tests of garant.sea.plan (mission files, presets, plans) and garant.report.sea."""

from __future__ import annotations

import json
import math
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from garant.errors import ConfigError, NotFoundError
from garant.sea.montreux import check_mission
from garant.sea.plan import MissionPlan, SeaMission, load_mission, mission_presets, plan_mission

PRESETS = ("international-escort", "no-mission", "turkiye-littoral")


def _preset_data(name: str) -> dict[str, Any]:
    text = (
        resources.files("garant")
        .joinpath("data", "sea", "presets", f"{name}.toml")
        .read_text("utf-8")
    )
    return tomllib.loads(text)


def _write(tmp_path: Path, data: dict[str, Any]) -> Path:
    """Write a mission dict as TOML (the subset of TOML the presets use)."""

    def value(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, str):
            return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        return repr(v)

    lines: list[str] = []
    tables: list[str] = []
    for k, v in data.items():
        if isinstance(v, dict):
            tables.append(f"[{k}]")
            tables += [f"{kk} = {value(vv)}" for kk, vv in v.items()]
        elif isinstance(v, list) and v and isinstance(v[0], dict):
            for item in v:
                tables.append(f"[[{k}]]")
                tables += [f"{kk} = {value(vv)}" for kk, vv in item.items()]
        else:
            lines.append(f"{k} = {value(v)}")
    path = tmp_path / "mission.toml"
    path.write_text("\n".join(lines + tables) + "\n", encoding="utf-8")
    return path


def test_presets_listed_and_validate() -> None:
    assert tuple(mission_presets()) == PRESETS
    for name in PRESETS:
        m = load_mission(name)
        assert isinstance(m, SeaMission)
        assert m.name == name
        assert m.sources or m.assumptions


def test_turkiye_littoral_is_littoral_and_hugs_nato_waters() -> None:
    m = load_mission("turkiye-littoral")
    assert m.ships
    assert all(s.to_ship().littoral for s in m.ships)
    assert m.route.exposure_weight > 0


def test_roundtrip_file_equals_preset(tmp_path: Path) -> None:
    data = _preset_data("international-escort")
    assert load_mission(_write(tmp_path, data)) == load_mission("international-escort")


def test_international_escort_montreux_constraint() -> None:
    m = load_mission("international-escort")
    findings = check_mission(
        [s.to_ship() for s in m.ships], days_in_sea=m.days_in_sea, turkey_closed=m.turkey_closed
    )
    stay = [f for f in findings if f.status == "constraint" and "21-day" in f.message]
    assert stay, [f.message for f in findings]
    assert any(f.status == "violation" for f in findings)  # the Straits are closed


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d.update(crew=5), r"mission\.toml: field crew: Extra inputs"),
        (lambda d: d["ships"][0].update(flag_iso="XXX"), r"field ships\.0\.flag_iso: flag 'XXX'"),
        (lambda d: d["ships"][1].update(tonnage_t=-5.0), r"field ships\.1\.tonnage_t"),
        (lambda d: d["corridor"].update(width_km=5000.0), r"field corridor\.width_km: width 5000"),
        (lambda d: d["route"].update(to="atlantis"), r"field route\.to: unknown port 'atlantis'"),
        (lambda d: d["ships"][0].update(kind="battleship"), r"ships\.0\.kind: kind 'battleship'"),
        (lambda d: d["convoys"].update(per_day=2.0), r"exactly one of per_day"),
        (lambda d: d["route"].update(speed_kn=0.0), r"field route\.speed_kn"),
        (lambda d: d["route"].update(nato_waters_weight=-1.0), r"field route\.nato_waters_weight"),
        (lambda d: d.update(mine_areas="nowhere.geojson"), r"field mine_areas: no file"),
        (
            lambda d: d.update(air_cover={"defence": "patriot_pac3"}),
            r"field air_cover\.defence: defence 'patriot_pac3' is not a fighter",
        ),
        (
            lambda d: d.update(air_cover={"standoff_km": -5.0}),
            r"field air_cover\.standoff_km",
        ),
        (lambda d: d.update(air_cover={"radius": 5.0}), r"air_cover\.radius: Extra inputs"),
    ],
)
def test_bad_mission_files(tmp_path: Path, mutate: Any, expected: str) -> None:
    data = _preset_data("international-escort")
    mutate(data)
    with pytest.raises(ConfigError, match=expected):
        load_mission(_write(tmp_path, data))


def test_presets_name_mines_and_air_cover() -> None:
    for name in PRESETS:
        m = load_mission(name)
        assert m.mine_areas == "bundled"
        assert m.air_cover.enabled
    assert load_mission("turkiye-littoral").route.nato_waters_weight > 0
    assert load_mission("international-escort").air_cover.defence == "typhoon_patrol"


def test_mine_file_relative_to_mission(tmp_path: Path) -> None:
    data = _preset_data("no-mission")
    (tmp_path / "layers").mkdir()
    layer = tmp_path / "layers" / "m.geojson"
    layer.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    data["mine_areas"] = "layers/m.geojson"
    m = load_mission(_write(tmp_path, data))
    assert Path(m.mine_areas or "") == layer


def test_bad_toml_and_missing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("name = [", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad\.toml: not valid TOML"):
        load_mission(bad)
    with pytest.raises(NotFoundError, match="neither a preset"):
        load_mission("no-such-mission")


@pytest.fixture(scope="module")
def plans() -> dict[str, MissionPlan]:
    return {n: plan_mission(n) for n in ("turkiye-littoral", "no-mission")}


@pytest.mark.slow
def test_littoral_route_stays_mostly_in_nato_waters(plans: dict[str, MissionPlan]) -> None:
    assert plans["turkiye-littoral"].assessment.route.nato_territorial_share > 0.5


@pytest.mark.slow
def test_mines_in_the_plan(plans: dict[str, MissionPlan], tmp_path: Path) -> None:
    from garant.sea.threats import load_mine_areas, route_in_mine_areas_km

    lit = plans["turkiye-littoral"]
    assert lit.mine_areas is not None
    assert len(lit.mine_areas) == len(load_mine_areas())
    assert lit.mine_km == pytest.approx(
        route_in_mine_areas_km(lit.assessment.route.line, lit.mine_areas), abs=1.0
    )
    assert lit.mcm.mined_length_km == pytest.approx(lit.mine_km)
    s = lit.summary().set_index("metric")["value"]
    assert s["mine_km"] == pytest.approx(lit.mine_km)
    # a layer that covers the Bosphorus approach: the route must cross it
    layer = tmp_path / "strait.geojson"
    ring = [[28.6, 41.1], [29.6, 41.1], [29.6, 41.5], [28.6, 41.5], [28.6, 41.1]]
    feat = {
        "type": "Feature",
        "properties": {"kind": "declared", "source": "test"},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }
    layer.write_text(json.dumps({"type": "FeatureCollection", "features": [feat]}))
    mission = lit.mission.model_copy(update={"mine_areas": str(layer)})
    mined = plan_mission(mission)
    assert mined.mine_km > 5.0
    assert mined.mcm.mined_length_km == pytest.approx(mined.mine_km)
    none = plan_mission(lit.mission.model_copy(update={"mine_areas": None}))
    assert math.isnan(none.mine_km)
    assert none.mcm.mined_length_km == pytest.approx(none.assessment.route.length_km)
    assert none.mcm.vessels_to_clear >= mined.mcm.vessels_to_clear


@pytest.mark.slow
def test_air_cover_in_the_plan(plans: dict[str, MissionPlan]) -> None:
    lit = plans["turkiye-littoral"]
    cover = lit.air_cover
    assert cover is not None
    assert cover.defence == "f16_patrol"
    assert cover.stations_needed >= math.ceil(cover.threatened_km / (2 * cover.radius_km))
    assert cover.covered_share == pytest.approx(1.0)
    assert cover.route_km == pytest.approx(lit.assessment.route.length_km, rel=0.02)
    s = lit.summary().set_index("metric")["value"]
    assert s["cap_stations"] == cover.stations_needed
    assert s["cap_aircraft_needed"] == cover.aircraft_needed > 0
    off = lit.mission.model_copy(
        update={"air_cover": lit.mission.air_cover.model_copy(update={"enabled": False})}
    )
    plan = plan_mission(off)
    assert plan.air_cover is None
    assert "cap_stations" not in set(plan.summary()["metric"])


@pytest.mark.slow
def test_littoral_route_more_nato_than_no_mission(plans: dict[str, MissionPlan]) -> None:
    lit, none = plans["turkiye-littoral"], plans["no-mission"]
    assert (
        lit.assessment.route.nato_territorial_share > none.assessment.route.nato_territorial_share
    )
    # hugging the western coast costs distance but cuts Bastion-P exposure
    assert lit.assessment.route.length_km >= none.assessment.route.length_km
    exp = {n: p.assessment.exposure.set_index("system")["exposure_h"] for n, p in plans.items()}
    assert exp["turkiye-littoral"]["bastion_p"] < exp["no-mission"]["bastion_p"]


@pytest.mark.slow
def test_plan_contents(plans: dict[str, MissionPlan]) -> None:
    lit = plans["turkiye-littoral"]
    assert lit.mcm.length_km == pytest.approx(lit.assessment.route.length_km)
    assert lit.mcm.width_km == pytest.approx(lit.mission.corridor.width_km)
    assert lit.findings
    assert all(f.status in ("ok", "info") for f in lit.findings)
    assert lit.throughput.tonnes_per_month > 0
    assert lit.escorts.escorts_required <= 3
    assert len(lit.history) > 0
    s = lit.summary().set_index("metric")["value"]
    assert s["mission"] == "turkiye-littoral"
    assert s["non_littoral_warships"] == 0
    none = plans["no-mission"]
    assert none.findings == ()
    assert none.escorts.escorts_required == 0
    with pytest.raises(AttributeError):
        none.mission = lit.mission  # type: ignore[misc]


@pytest.mark.slow
def test_report_writes_files(plans: dict[str, MissionPlan], tmp_path: Path) -> None:
    from garant.report.sea import write_sea_report

    html = write_sea_report(plans["turkiye-littoral"], tmp_path / "out")
    assert html.name == "sea.html"
    names = {p.name for p in html.parent.iterdir()}
    assert {
        "sea.html",
        "sea_map.png",
        "sea_throughput.png",
        "sea_summary.csv",
        "sea_findings.csv",
        "sea_exposure.csv",
        "sea_history.csv",
        "sea_air_cover.csv",
        "sea_air_reach.csv",
        "sea_mine_areas.geojson",
    } <= names
    text = html.read_text(encoding="utf-8")
    assert "data:image/png;base64," in text
    assert "turkiye-littoral" in text
    assert "Air cover" in text
    assert "Mines" in text
    assert (html.parent / "sea_map.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
