"""The land report (garant.report.land)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from garant.land.assess import assess_land
from garant.report.land import write_land_report


@pytest.mark.slow
def test_land_report_writes_page_tables_and_images(tmp_path: Path) -> None:
    a = assess_land("coalition-reassurance")
    page = write_land_report(a, tmp_path)
    assert page == tmp_path / "land.html"
    html = page.read_text(encoding="utf-8")
    assert html.count("data:image/png;base64,") == 3
    assert a.force.name in html
    for name in ("land_gap.csv", "land_reach.csv", "land_exposure.csv", "land_history.csv"):
        assert (tmp_path / name).stat().st_size > 0
    gap = pd.read_csv(tmp_path / "land_gap.csv")
    assert gap["pledged"].iloc[-1] == pytest.approx(a.pledges.total_troops)
    assert not any(p.name.startswith(".") for p in tmp_path.iterdir())
