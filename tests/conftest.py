"""Shared fixtures: where the real data lives, small geometry factories."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("GARANT_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Path of ``../shared/data`` (real data); skips when it is absent."""
    if not (SHARED_DATA / "PROVENANCE.md").exists():
        pytest.skip(f"real data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    """A fresh store file path in a temporary folder."""
    return tmp_path / "garant.duckdb"


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with the bundled demo history ingested and measured (read it only)."""
    from garant.ingest import ingest
    from garant.store import open_store

    path = tmp_path_factory.mktemp("demo") / "garant.duckdb"
    with open_store(path) as store:
        ingest("demo", store=store)
    return path
