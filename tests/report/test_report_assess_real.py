"""The guarantee-package report on real component results: maps side by side, the calculus.

One package with small but real land, air and sea assessments and the real calculus and
sensitivity analysis, next to a package without forces; written once, in German.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from garant.packages.results import Comparison, PackageAssessment
from garant.report import assess as rep

pytestmark = pytest.mark.slow


def _package(name: str, *, land: Any, air: Any, sea: Any) -> PackageAssessment:
    from garant.calculus.inputs import CalculusInputs
    from garant.calculus.montecarlo import run_calculus
    from garant.calculus.params import load_parameters
    from garant.calculus.sensitivity import tornado
    from garant.land.geometry import front_at
    from garant.packages.assess import air_neutralised_share
    from garant.packages.schema import (
        AirComponent,
        GuaranteePackage,
        LandComponent,
        SeaComponent,
    )

    front = land.front if land is not None else front_at()
    troops = float(land.headline()["deployed_troops"]) if land is not None else 0.0
    inputs = CalculusInputs(
        package=name,
        line_km=front.length_km,
        ukraine_troops_on_line=200_000.0,
        coalition_troops_deployed=troops,
        tripwire=troops > 0,
        air_neutralised_share=air_neutralised_share(air) if air is not None else 0.0,
        sea_mission=sea is not None,
        sea_exposure_h=5.0 if sea is not None else 0.0,
        commitment="coalition" if troops > 0 else "none",
        occupied_gain_km2_per_month_observed=300.0,
    )
    params = load_parameters()
    pkg = GuaranteePackage(
        name=name,
        land=LandComponent(preset="observer-mission") if land is not None else None,
        air=AirComponent(preset="recon-only") if air is not None else None,
        sea=SeaComponent(preset="no-mission") if sea is not None else None,
    )
    return PackageAssessment(
        package=pkg,
        land=land,
        air=air,
        sea=sea,
        inputs=inputs,
        calculus=run_calculus(inputs, params, n_runs=300, rng=0),
        tornado=tornado(inputs, params),
        cost_usd_per_year=1.5e9 if troops > 0 else 0.0,
        personnel_deployed=troops,
        personnel_with_rotation=3 * troops,
        exposure=pd.DataFrame(),
        front=front,
    )


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Comparison, Path]:
    from garant.air.assess import assess_air
    from garant.calculus.params import load_parameters
    from garant.land.assess import assess_land
    from garant.sea.plan import plan_mission

    land = assess_land("observer-mission")
    air = assess_air("recon-only", n_runs=20, nights=3)
    sea = plan_mission("no-mission")
    comp = Comparison(
        assessments=[
            _package("mixed", land=land, air=air, sea=sea),
            _package("bare", land=None, air=None, sea=None),
        ],
        n_runs=300,
        seed=0,
        parameters=load_parameters().table(),
    )
    out = tmp_path_factory.mktemp("assess_report")
    rep.write_assessment_report(comp, out, lang="de", pdf=False)
    return comp, out


def test_every_referenced_file_exists(written: tuple[Comparison, Path]) -> None:
    _comp, out = written
    html = (out / rep.HTML_NAME).read_text(encoding="utf-8")
    refs = re.findall(r'src="([^"]+)"', html)
    for kind in ("land", "air", "sea"):
        assert f"map_{kind}_mixed.png" in refs
        assert f"map_{kind}_bare.png" not in refs
    assert "map_line.png" in refs
    for ref in refs:
        assert (out / ref).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", ref
    pngs = {p.name for p in out.glob("*.png")}
    assert pngs == set(refs)  # nothing drawn that the page does not show


def test_real_calculus_appears_with_its_parameters(written: tuple[Comparison, Path]) -> None:
    comp, out = written
    html = (out / rep.HTML_NAME).read_text(encoding="utf-8")
    loc = rep.locale_for("de")
    for a in comp.assessments:
        assert loc.pct(a.p_deterred, 1) in html
        top = str(a.tornado.iloc[0]["parameter"])
        assert top in html
    params = comp.parameters
    assert len(params) > 5
    for name in params["name"]:
        assert f"<td>{name}<" in html
    table = pd.read_csv(out / "parameters.csv")
    assert list(table["name"]) == list(params["name"])
    # German decimal comma in the parameter table: the central value of the first parameter
    first = params.iloc[0]
    assert loc.num(first["value"], 3) in html
    for a in comp.assessments:
        assert f">{rep._verdict_label(a.verdict, loc)}<" in html
