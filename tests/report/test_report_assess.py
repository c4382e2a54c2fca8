"""The guarantee-package report: languages, numbers, summary, atomic writes, PDF switch.

These tests build :class:`PackageAssessment` objects around a small stand-in calculus
result with known draws (so that P(deterred) and the verdicts follow from the numbers
given here) and no components, so no map is drawn; tests/report/test_report_assess_real.py
renders real components.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from garant.calculus.inputs import CalculusInputs
from garant.errors import ConfigError, DataError
from garant.packages.results import Comparison, PackageAssessment
from garant.packages.schema import AirComponent, GuaranteePackage
from garant.report import assess as rep
from garant.report.assess_charts import (
    ChartLocale,
    cost_chart,
    net_utility_chart,
    p_deterred_chart,
    tornado_chart,
)

METRICS = (
    "p_success",
    "expected_gain",
    "expected_losses_cost",
    "p_coalition_engaged",
    "expected_escalation_cost",
    "net_utility",
    "deterred",
)


@dataclass
class StubCalculus:
    """Per-draw outputs and their summary, like the calculus result."""

    outputs: dict[str, np.ndarray] = field(default_factory=dict)

    def summary(self) -> pd.DataFrame:
        rows = []
        for m in METRICS:
            v = self.outputs[m].astype(float)
            p5, p50, p95 = np.percentile(v, [5, 50, 95])
            rows.append({"metric": m, "mean": v.mean(), "p5": p5, "p50": p50, "p95": p95})
        return pd.DataFrame(rows)


def _calculus(net_utility: np.ndarray, *, escalation: float, losses: float) -> StubCalculus:
    n = net_utility.size
    return StubCalculus(
        {
            "p_success": np.full(n, 0.4),
            "expected_gain": np.full(n, 0.5),
            "expected_losses_cost": np.full(n, losses),
            "p_coalition_engaged": np.full(n, 0.3),
            "expected_escalation_cost": np.full(n, escalation),
            "net_utility": net_utility,
            "deterred": (net_utility < 0).astype(float),
        }
    )


def _tornado(rows: list[tuple[str, float, float, float, float]]) -> pd.DataFrame:
    df = pd.DataFrame(
        rows, columns=["parameter", "low_value", "high_value", "metric_at_low", "metric_at_high"]
    )
    df["swing"] = (df["metric_at_high"] - df["metric_at_low"]).abs()
    df = df.sort_values("swing", ascending=False, ignore_index=True)
    df.attrs["metric"] = "net_utility"
    df.attrs["base"] = float(df["metric_at_low"].mean())
    return df


def _assessment(
    name: str,
    share_deterred: float,
    *,
    cost: float,
    people: float,
    tornado: pd.DataFrame,
    escalation: float = 0.1,
    losses: float = 0.2,
    n: int = 200,
) -> PackageAssessment:
    k = round(share_deterred * n)
    nu = np.concatenate([np.linspace(-1.0, -0.01, k), np.linspace(0.01, 1.0, n - k)])
    pkg = GuaranteePackage(
        name=name,
        title=f"Title of {name}",
        description=f"Description of {name}",
        air=AirComponent(preset="recon-only") if cost > 0 else None,
        sources=[f"Source of {name}"],
        assumptions=[f"Assumption of {name}"],
    )
    costs = pd.DataFrame(
        [
            {
                "component": "land",
                "item": "troops",
                "quantity": people,
                "unit": "troops",
                "usd_per_year": cost,
                "personnel_deployed": people,
                "personnel_with_rotation": 3 * people,
                "provenance": "assumption: test",
            }
        ]
        if cost > 0
        else []
    )
    return PackageAssessment(
        package=pkg,
        land=None,
        air=None,
        sea=None,
        inputs=CalculusInputs(package=name, line_km=1234.0, ukraine_troops_on_line=200_000.0),
        calculus=_calculus(nu, escalation=escalation, losses=losses),  # type: ignore[arg-type]
        tornado=tornado,
        cost_usd_per_year=cost,
        personnel_deployed=people,
        personnel_with_rotation=3 * people,
        exposure=pd.DataFrame(),
        front=None,
        costs=costs,
    )


PARAMS = pd.DataFrame(
    [
        {
            "name": "critical_ratio",
            "value": 3.0,
            "low": 1.5,
            "high": 6.0,
            "unit": "1",
            "provenance": "Mearsheimer 1989",
        },
        {
            "name": "escalation_cost",
            "value": 1234.5,
            "low": 100.0,
            "high": 5000.0,
            "unit": "objective",
            "provenance": "assumption",
        },
    ]
)


@pytest.fixture(scope="module")
def comparison() -> Comparison:
    flip = _tornado([("credibility", 0.1, 0.9, 0.4, -0.6), ("critical_ratio", 1.5, 6, -0.1, -0.3)])
    calm = _tornado([("credibility", 0.1, 0.9, -0.2, -0.5), ("gain_scale", 0.5, 2, -0.3, -0.4)])
    half = _tornado([("critical_ratio", 1.5, 6, 0.9, 0.2), ("credibility", 0.1, 0.9, 0.5, 0.4)])
    none = _tornado([("critical_ratio", 1.5, 6, 0.9, 0.7), ("credibility", 0.1, 0.9, 0.9, 0.2)])
    return Comparison(
        assessments=[
            _assessment("nothing", 0.05, cost=0.0, people=0.0, tornado=none),
            _assessment("strong", 0.85, cost=12.5e9, people=12_345.6, tornado=flip, escalation=0.9),
            _assessment("cheap-strong", 0.7, cost=2.0e9, people=4_000, tornado=calm),
            _assessment("halfway", 0.3, cost=5.0e9, people=25_000, tornado=half),
        ],
        n_runs=200,
        seed=7,
        parameters=PARAMS,
    )


@pytest.fixture(scope="module")
def small(comparison: Comparison) -> Comparison:
    """One package: cheap to write, for the failure and PDF tests."""
    return Comparison(assessments=[comparison["strong"]], n_runs=200, seed=7, parameters=PARAMS)


# ----------------------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("en", "1,234.5"), ("de", "1.234,5")],
)
def test_numbers_are_formatted_per_locale(lang: str, expected: str) -> None:
    loc = rep.locale_for(lang)
    assert loc.num(1234.5, 1) == expected
    assert loc.num(float("nan")) == "–"
    sep = "," if lang == "de" else "."
    assert re.fullmatch(rf"12{sep}3\s?%", loc.pct(0.1234, 1).replace("\xa0", " "))
    usd = loc.usd(2.5e9)
    assert "2" + sep + "5" in usd
    assert ("Mrd" in usd) if lang == "de" else usd.endswith("B")


def test_unknown_language_is_a_config_error(comparison: Comparison, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="lang 'fr'"):
        rep.write_assessment_report(comparison, tmp_path / "out", lang="fr")
    with pytest.raises(ConfigError, match="lang 'xx'"):
        rep.plain_summary(comparison, lang="xx")
    assert not (tmp_path / "out").exists()


def test_empty_comparison_is_a_data_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no package"):
        rep.write_assessment_report(Comparison(assessments=[]), tmp_path)


# ----------------------------------------------------------------------------- catalogue


def _messages() -> list[str]:
    from babel.messages.extract import extract_from_file

    env = rep._environment(ChartLocale("en"))
    src = (Path(rep.__file__).parent / "templates" / "assess.html.j2").read_text("utf-8")
    found = [m if isinstance(m, str) else m[0] for _l, _f, m in env.extract_translations(src)]
    for mod in ("assess.py", "assess_charts.py"):
        path = Path(rep.__file__).parent / mod
        found += [str(m) for _l, m, _c, _x in extract_from_file("python", str(path))]
    return found


def test_german_catalogue_covers_every_message() -> None:
    messages = _messages()
    assert len(messages) > 50
    de = rep._catalogue("de")
    missing = sorted({m for m in messages if m not in de})
    assert not missing, f"no German translation for: {missing}"
    placeholder = re.compile(r"%\((\w+)\)s")
    for m in set(messages):
        assert set(placeholder.findall(m)) == set(placeholder.findall(de[m])), m
        assert "%" not in placeholder.sub("", de[m]), f"stray % in translation of {m!r}"


def test_broken_catalogue_is_a_config_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "de.toml").write_text("[messages]\nbad = 3\n", encoding="utf-8")
    monkeypatch.setattr(rep, "LOCALE_DIR", tmp_path)
    rep._catalogue.cache_clear()
    try:
        with pytest.raises(ConfigError, match=r"de\.toml: messages"):
            rep.locale_for("de")
    finally:
        rep._catalogue.cache_clear()


# ----------------------------------------------------------------------------- summary


@pytest.mark.parametrize("lang", ["en", "de"])
def test_summary_is_generated_from_the_numbers(comparison: Comparison, lang: str) -> None:
    loc = rep.locale_for(lang)
    findings, caveats = rep.plain_summary(comparison, lang=lang)
    text = " ".join(findings)
    by_name = {a.name: a for a in comparison.assessments}
    # first: the ranking, highest P(deterred) first, each with its share
    ranked = sorted(comparison.assessments, key=lambda a: -a.p_deterred)
    pos = [findings[0].index(f"{a.name} {loc.pct(a.p_deterred)}") for a in ranked]
    assert pos == sorted(pos)
    deterring = [a.name for a in comparison.assessments if a.verdict == "deterrent"]
    assert deterring == ["strong", "cheap-strong"]
    for name in deterring:
        assert any(f.startswith(name) for f in findings[1:])
    half = [f for f in findings if f.startswith("halfway")]
    assert len(half) == 1
    assert loc.usd(by_name["halfway"].cost_usd_per_year) in half[0]
    assert loc.num(by_name["halfway"].personnel_with_rotation, 0) in half[0]
    # strong's escalation cost (0.9) exceeds its losses (0.2): punishment; cheap-strong: denial
    strong = next(f for f in findings[1:] if f.startswith("strong"))
    cheap = next(f for f in findings[1:] if f.startswith("cheap-strong"))
    assert loc._("mainly by punishment (the risk of fighting the guarantors)") in strong
    assert loc._("mainly by denial (the losses and the risk of failing at the line)") in cheap
    # the cheapest package that deters: cheap-strong (2.0e9 < 12.5e9)
    cheapest = [f for f in findings if loc.usd(2.0e9) in f]
    assert len(cheapest) == 1
    assert "cheap-strong" in cheapest[0]
    assert loc.usd(12.5e9) not in text
    # the widest swing per package, grouped by parameter, the most frequent first
    tops: dict[str, list[str]] = {}
    for a in comparison.assessments:
        tops.setdefault(str(a.tornado.iloc[0]["parameter"]), []).append(a.name)
    widest = next(f for f in findings if all(p in f for p in tops))
    first = max(tops, key=lambda k: len(tops[k]))
    assert widest.index(first) < min(widest.index(p) for p in tops if p != first)
    for names in tops.values():
        assert all(n in widest for n in names)
    # credibility alone flips the verdict for strong (0.4 vs -0.6); nothing else straddles 0
    prefix = {"en": "For ", "de": "Bei "}[lang]
    flips = [f for f in findings if f.startswith(prefix + "strong")]
    assert len(flips) == 1
    assert "credibility" in flips[0]
    assert "critical_ratio" not in flips[0]
    assert not any(f.startswith(prefix + "halfway") for f in findings)
    # nothing commits no forces; its attack-pays share is 1 - P(deterred)
    nothing = next(f for f in findings[1:] if f.startswith("nothing"))
    assert loc.pct(1 - by_name["nothing"].p_deterred) in nothing
    # caveats: runs and seed, and the fragile verdicts (within 10 points of 50 %)
    assert loc.num(200, 0) in caveats[0]
    assert "7" in caveats[0]
    fragile = [a.name for a in comparison.assessments if abs(a.p_deterred - 0.5) < 0.1]
    assert not fragile  # none is within 10 points here
    assert not any(loc.pct(rep.FRAGILE_MARGIN) in c for c in caveats)


def test_summary_names_fragile_verdicts_and_no_deterrence() -> None:
    t = _tornado([("credibility", 0.1, 0.9, 0.2, 0.1)])
    comp = Comparison(
        assessments=[
            _assessment("edge", 0.45, cost=1e9, people=1000, tornado=t),
            _assessment("none", 0.0, cost=0.0, people=0.0, tornado=t),
        ],
        n_runs=200,
        seed=1,
    )
    findings, caveats = rep.plain_summary(comp, lang="en")
    assert any(f.startswith("No package deters") for f in findings)
    assert any("fragile" in c and "edge" in c and "none" not in c for c in caveats)
    de_findings, de_caveats = rep.plain_summary(comp, lang="de")
    assert any(f.startswith("Kein Paket") for f in de_findings)
    assert any("unsicher" in c and "edge" in c for c in de_caveats)


# ----------------------------------------------------------------------------- writing


def _referenced(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"#:]+)"', html)


@pytest.mark.parametrize("lang", ["en", "de"])
def test_report_renders_in_both_languages(
    comparison: Comparison, tmp_path: Path, lang: str
) -> None:
    path = rep.write_assessment_report(comparison, tmp_path, lang=lang, pdf=False)
    html = path.read_text(encoding="utf-8")
    assert path == tmp_path / rep.HTML_NAME
    assert f'<html lang="{lang}">' in html
    heading = "Zusammenfassung" if lang == "de" else "Summary"
    assert f"<h2>{heading}</h2>" in html
    if lang == "de":
        assert "Packages side by side" not in html
        assert "Die Pakete im Vergleich" in html
    refs = _referenced(html)
    assert refs, "no image referenced"
    for ref in refs:
        f = tmp_path / ref
        assert f.is_file(), ref
        assert f.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    for a in comparison.assessments:
        if not a.tornado.empty:
            assert f"tornado_{rep._slug(a.name)}.png" in refs
    for csv in ("comparison", "calculus", "tornado", "costs", "inputs", "parameters"):
        assert (tmp_path / f"{csv}.csv").is_file()
    # numbers per locale: personnel of 'strong' and the parameter 1234.5
    loc = rep.locale_for(lang)
    assert loc.num(12_345.6, 0) in html
    assert (">12.346<" if lang == "de" else ">12,346<") in html
    assert loc.num(1234.5, 3) in html
    assert not list(tmp_path.glob(".garant-tmp-*"))


def test_failure_leaves_no_half_written_report(
    small: Comparison, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rep.write_assessment_report(small, tmp_path, pdf=False)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    def boom(*_a: object, **_k: object) -> str:
        raise RuntimeError("template failed")

    monkeypatch.setattr(rep, "render_html", boom)
    with pytest.raises(RuntimeError, match="template failed"):
        rep.write_assessment_report(small, tmp_path, lang="de", pdf=False)
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert after == before

    fresh = tmp_path / "fresh"
    with pytest.raises(RuntimeError):
        rep.write_assessment_report(small, fresh, pdf=False)
    assert list(fresh.iterdir()) == []


def test_pdf_forced_without_weasyprint_fails_clearly(
    small: Comparison, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rep, "pdf_available", lambda: False)
    with pytest.raises(ConfigError, match="pdf=True: weasyprint"):
        rep.write_assessment_report(small, tmp_path / "out", pdf=True)
    assert not (tmp_path / "out").exists()


def test_pdf_skipped_with_a_note_when_weasyprint_is_missing(
    small: Comparison,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(rep, "pdf_available", lambda: False)
    with caplog.at_level(logging.INFO, logger="garant.report.assess"):
        rep.write_assessment_report(small, tmp_path)
    assert (tmp_path / rep.HTML_NAME).exists()
    assert not (tmp_path / rep.PDF_NAME).exists()
    assert any("report.pdf skipped" in r.getMessage() for r in caplog.records)


def test_pdf_written_when_available_and_failure_is_atomic(
    small: Comparison, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[Path] = []

    def fake_pdf(html: Path, pdf: Path) -> None:
        assert html.is_file()  # the PDF is made from the finished page
        seen.append(html)
        pdf.write_bytes(b"%PDF-1.7 fake")

    monkeypatch.setattr(rep, "pdf_available", lambda: True)
    monkeypatch.setattr(rep, "_write_pdf", fake_pdf)
    rep.write_assessment_report(small, tmp_path / "ok")
    assert (tmp_path / "ok" / rep.PDF_NAME).read_bytes().startswith(b"%PDF")
    assert rep.PDF_NAME in (tmp_path / "ok" / rep.HTML_NAME).read_text("utf-8")
    assert len(seen) == 1

    def broken_pdf(html: Path, pdf: Path) -> None:
        raise OSError("no fonts")

    monkeypatch.setattr(rep, "_write_pdf", broken_pdf)
    with pytest.raises(OSError, match="no fonts"):
        rep.write_assessment_report(small, tmp_path / "bad", pdf=True)
    assert list((tmp_path / "bad").iterdir()) == []


def test_pdf_available_reflects_the_import() -> None:
    try:
        import weasyprint  # type: ignore[import-not-found,unused-ignore]  # noqa: F401
    except (ImportError, OSError):
        expected = False
    else:
        expected = True
    assert rep.pdf_available() is expected


# ----------------------------------------------------------------------------- charts


def test_charts_reject_missing_columns_and_empty_input(tmp_path: Path) -> None:
    loc = ChartLocale("en")
    with pytest.raises(DataError, match="P\\(deterred\\) chart: missing columns"):
        p_deterred_chart(
            pd.DataFrame({"package": ["a"]}), tmp_path / "a.png", threshold=0.5, loc=loc
        )
    cols = ["package", "cost_usd_per_year", "p_deterred", "personnel_with_rotation", "verdict"]
    with pytest.raises(DataError, match="cost chart: no rows"):
        cost_chart(pd.DataFrame(columns=cols), tmp_path / "b.png", threshold=0.5, loc=loc)
    with pytest.raises(DataError, match="tornado chart: missing columns"):
        tornado_chart(
            pd.DataFrame({"parameter": ["x"]}),
            tmp_path / "c.png",
            base_value=0.0,
            title="t",
            loc=loc,
        )
    with pytest.raises(DataError, match="no package"):
        net_utility_chart({}, tmp_path / "d.png", loc=loc)
    with pytest.raises(DataError, match="'x' has no finite draws"):
        net_utility_chart({"x": np.array([np.nan])}, tmp_path / "e.png", loc=loc)
    assert not list(tmp_path.iterdir())


def test_net_utility_chart_handles_constant_draws(tmp_path: Path) -> None:
    out = net_utility_chart(
        {
            "flat": np.zeros(50),
            "spread": np.linspace(-1, 1, 50),
            "long_tail": -np.geomspace(0.01, 80, 50),
        },
        tmp_path / "nu.png",
        loc=rep.locale_for("de"),
    )
    assert out.read_bytes()[:4] == b"\x89PNG"
