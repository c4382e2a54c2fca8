"""Sector catalogue: loading, validation, assignment, splitting a line."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely
from shapely.geometry import LineString

from garant.errors import ConfigError
from garant.frontline.line import line_length_km
from garant.frontline.sectors import Sectors, SectorSpec, line_by_sector, load_sectors


def test_bundled_catalogue_loads_and_cites_sources() -> None:
    s = load_sectors()
    assert {"Pokrovsk", "Kupiansk", "Dnipro", "Sumy", "Huliaipole"} <= set(s.names)
    assert all(spec.source for spec in s.specs)


def test_assign_nearest_anchor() -> None:
    s = load_sectors()
    got = s.assign(np.array([37.18, 37.62, 32.7, 35.05]), np.array([48.28, 49.70, 46.65, 51.1]))
    assert list(got) == ["Pokrovsk", "Kupiansk", "Dnipro", "Sumy"]
    assert len(s.assign(np.array([]), np.array([]))) == 0


def _two() -> Sectors:
    return Sectors(
        (
            SectorSpec(name="West", anchors=[(31.0, 48.0)], source="test"),
            SectorSpec(name="East", anchors=[(33.0, 48.0), (33.0, 49.0)], source="test"),
        )
    )


def test_line_by_sector_splits_at_voronoi_edge() -> None:
    line = LineString([(30.5, 48.0), (33.5, 48.0)])
    out = line_by_sector(line, _two())
    assert list(out["sector"]) == ["West", "East"]
    assert out["length_km"].sum() == pytest.approx(line_length_km(line), rel=1e-6)
    # The cut is half-way between the anchors (32° E) to within a few hundred metres.
    xy = shapely.get_coordinates(out.geometry.iloc[0])
    assert xy[:, 0].max() == pytest.approx(32.0, abs=0.01)
    assert line_by_sector(shapely.MultiLineString(), _two()).empty


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "sectors.toml"
    p.write_text(text, encoding="utf-8")
    return p


def test_custom_catalogue(tmp_path: Path) -> None:
    p = _write(
        tmp_path,
        '[[sector]]\nname = "Only"\nanchors = [[35.0, 48.0]]\nsource = "me"\n',
    )
    s = load_sectors(p)
    assert s.names == ["Only"]
    assert list(s.assign(np.array([30.0]), np.array([50.0]))) == ["Only"]


@pytest.mark.parametrize(
    ("text", "match"),
    [
        (
            '[[sector]]\nname = "A"\nanchors = [[35.0, 48.0]]\nsource = "x"\ncolour = 1\n',
            r"sector\[0\] \('A'\)\.colour",
        ),
        ('[[sector]]\nname = "A"\nanchors = [[48.0, 35.0]]\nsource = "x"\n', "outside the region"),
        ('[[sector]]\nname = "A"\nanchors = []\nsource = "x"\n', r"anchors"),
        ('[[sector]]\nname = "A"\nanchors = [[35.0, 48.0]]\n', r"source"),
        (
            '[[sector]]\nname = "A"\nanchors = [[35, 48]]\nsource = "x"\n' * 2,
            "duplicate sector names",
        ),
        ("not toml [", "not valid TOML"),
        ("version = 1\n", "sector"),
    ],
)
def test_bad_catalogue_names_file_and_field(tmp_path: Path, text: str, match: str) -> None:
    p = _write(tmp_path, text)
    with pytest.raises(ConfigError, match=match) as exc:
        load_sectors(p)
    assert str(p) in str(exc.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read"):
        load_sectors(tmp_path / "nope.toml")
