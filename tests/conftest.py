"""Shared fixtures: where the real data lives, small geometry factories, store locations.

Tests that take ``store_path`` (or ``new_store_location``) run twice: against a
DuckDB file and against the PostGIS store in a fresh PostgreSQL schema of the
test database (``GARANT_TEST_POSTGRES_URL``, default
:data:`DEFAULT_POSTGRES_URL`; ``.ci/postgres.sh`` sets one up). The PostGIS
variant is skipped, with the reason, when no server is reachable.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("GARANT_SHARED_DATA", REPO.parent / "shared" / "data"))
DEFAULT_POSTGRES_URL = "postgresql://postgres@localhost/garant_test"
#: Prefix of the throwaway schemas the tests create (and drop).
TEST_SCHEMA_PREFIX = "garant_t_"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "postgis: runs against a PostgreSQL + PostGIS server (GARANT_TEST_POSTGRES_URL)"
    )


def postgres_test_url() -> str:
    """The test database's URL (``GARANT_TEST_POSTGRES_URL`` or the default)."""
    return os.environ.get("GARANT_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


def _with_schema(url: str, schema: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}schema={schema}"


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """URL of a reachable test database with PostGIS; skips (with the reason) otherwise."""
    url = postgres_test_url()
    try:
        import psycopg
    except ImportError:  # pragma: no cover - psycopg is a dependency
        pytest.skip("PostGIS store tests need psycopg (pip install 'psycopg[binary]')")
    try:
        with psycopg.connect(url, connect_timeout=3, autocommit=True) as con:
            row = con.execute(
                "SELECT extversion FROM pg_extension WHERE extname = 'postgis'"
            ).fetchone()
            if row is None:
                con.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    except psycopg.Error as exc:
        reason = " ".join(str(exc).split())[:200]
        pytest.skip(
            f"no PostgreSQL with PostGIS reachable at {url} ({reason}); run .ci/postgres.sh "
            "or set GARANT_TEST_POSTGRES_URL"
        )
    return url


def drop_test_schema(url: str, schema: str) -> None:
    """Drop one of the tests' schemas (and everything in it)."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(url, connect_timeout=3, autocommit=True) as con:
        con.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))


@pytest.fixture(params=[pytest.param("duckdb"), pytest.param("postgis", marks=pytest.mark.postgis)])
def store_kind(request: pytest.FixtureRequest) -> str:
    """``"duckdb"`` or ``"postgis"``: the store a parametrized test runs against."""
    return str(request.param)


@pytest.fixture
def new_store_location(
    store_kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Callable[[], Path | str]]:
    """A factory of fresh, empty store locations of kind :func:`store_kind`.

    DuckDB: a new file path in ``tmp_path``; PostGIS: the test database's URL
    with a new ``?schema=``, dropped after the test.
    """
    made: list[str] = []
    url = request.getfixturevalue("postgres_url") if store_kind == "postgis" else ""

    def make() -> Path | str:
        name = f"{TEST_SCHEMA_PREFIX}{uuid.uuid4().hex[:12]}"
        if store_kind == "duckdb":
            return tmp_path / f"{name}.duckdb"
        made.append(name)
        return _with_schema(url, name)

    yield make
    for name in made:
        drop_test_schema(url, name)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Path of ``../shared/data`` (real data); skips when it is absent."""
    if not (SHARED_DATA / "PROVENANCE.md").exists():
        pytest.skip(f"real data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture
def store_path(new_store_location: Callable[[], Path | str]) -> Path | str:
    """A fresh store location: a DuckDB file path, or a PostGIS URL with its own schema."""
    return new_store_location()


@pytest.fixture
def duckdb_path(tmp_path: Path) -> Path:
    """A fresh DuckDB store file path in a temporary folder (DuckDB-only tests)."""
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
