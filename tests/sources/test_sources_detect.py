from __future__ import annotations

from pathlib import Path

import pytest

from garant.errors import SourceError
from garant.sources.detect import detect_source_kind


@pytest.mark.parametrize("name", ["demo", "api"])
def test_keywords(name: str) -> None:
    assert detect_source_kind(name) == name


def test_folders_and_files(tmp_path: Path) -> None:
    arc = tmp_path / "arc"
    arc.mkdir()
    (arc / "deepstatemap_data_20250101.geojson").write_text("{}")
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "1735766502.geojson.gz").write_bytes(b"")
    assert detect_source_kind(arc) == "archive"
    assert detect_source_kind(raw) == "raw"
    assert detect_source_kind(raw / "1735766502.geojson.gz") == "raw"
    assert detect_source_kind(arc / "deepstatemap_data_20250101.geojson") == "archive"


def test_missing_and_empty(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such file"):
        detect_source_kind(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(SourceError, match="no DeepStateMap files"):
        detect_source_kind(tmp_path / "empty")
