"""The PostGIS store: URLs, opening, migrations, QGIS layers, concurrency, parity with DuckDB.

The generic store tests (snapshots, derived data, ceasefire lines, the frontline
engine) run against both stores through the ``store_path`` fixture; these are
the PostgreSQL-specific ones. All need a server (see tests/conftest.py).
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import psycopg
import pytest
import shapely
from psycopg import sql
from typer.testing import CliRunner

from garant.errors import ConfigError, StoreError
from garant.store import DuckDBStore, Store, open_store, schema
from garant.store.postgis import (
    PG_MIGRATIONS,
    PG_SCHEMA_VERSION,
    QGIS_VIEWS,
    PostGISStore,
    migrate,
    parse_url,
)

pytestmark = pytest.mark.postgis

#: Prefix of the throwaway schemas (as in tests/conftest.py).
TEST_SCHEMA_PREFIX = "garant_t_"


def drop_test_schema(url: str, name: str) -> None:
    with psycopg.connect(url, autocommit=True) as con:
        con.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name)))


def _schema_url(url: str, name: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}schema={name}"


@pytest.fixture
def schema_name(postgres_url: str) -> Iterator[str]:
    """A fresh schema name in the test database, dropped after the test."""
    name = f"{TEST_SCHEMA_PREFIX}{uuid.uuid4().hex[:12]}"
    yield name
    drop_test_schema(postgres_url, name)


@pytest.fixture
def pg_url(postgres_url: str, schema_name: str) -> str:
    """The test database's URL with a fresh ``?schema=``."""
    return _schema_url(postgres_url, schema_name)


def _connect(url: str) -> psycopg.Connection[Any]:
    return psycopg.connect(url, autocommit=True)


def _relations(url: str, schema_name: str) -> set[str]:
    with _connect(url) as con:
        rows = con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
            [schema_name],
        ).fetchall()
    return {r[0] for r in rows}


# -- URLs and opening -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "conninfo", "display", "schema_"),
    [
        ("postgresql://u@h/db", "postgresql://u@h/db", "postgresql://u@h/db", "public"),
        (
            "postgres://u:s3cret@h:5433/db?schema=garant&sslmode=require",
            "postgres://u:s3cret@h:5433/db?sslmode=require",
            "postgres://u@h:5433/db?schema=garant&sslmode=require",
            "garant",
        ),
        (
            "postgresql://h/db?password=s3cret&schema=x",
            "postgresql://h/db?password=s3cret",
            "postgresql://h/db?schema=x",
            "x",
        ),
    ],
)
def test_parse_url_splits_schema_and_hides_the_password(
    url: str, conninfo: str, display: str, schema_: str
) -> None:
    assert parse_url(url) == (conninfo, display, schema_)


@pytest.mark.parametrize(
    ("url", "match"),
    [
        ("postgresql://h/db?schema=bad-name", "schema 'bad-name' is not a plain SQL identifier"),
        ("postgresql://h/db?schema=", "schema '' is not a plain SQL identifier"),
        ("mysql://h/db", "expected postgresql://"),
    ],
)
def test_bad_urls_are_config_errors(url: str, match: str) -> None:
    with pytest.raises(ConfigError, match=match) as info:
        parse_url(url)
    assert "\n" not in str(info.value)


def test_open_store_refuses_a_bad_schema_before_connecting() -> None:
    with pytest.raises(ConfigError, match="not a plain SQL identifier"):
        open_store("postgresql://nobody@127.0.0.1:1/none?schema=a;drop")


def test_unreachable_server_is_one_line_store_error() -> None:
    url = "postgresql://garant:s3cret@127.0.0.1:1/garant_test?connect_timeout=2"
    with pytest.raises(StoreError, match="cannot connect to PostgreSQL") as info:
        open_store(url)
    msg = str(info.value)
    assert "\n" not in msg
    assert msg.startswith("postgresql://garant@127.0.0.1:1/garant_test")
    assert "s3cret" not in msg
    assert StoreError.exit_code == 6


def test_unknown_database_is_a_store_error(postgres_url: str) -> None:
    base, _, _ = postgres_url.partition("?")
    url = base.rsplit("/", 1)[0] + f"/no_such_db_{uuid.uuid4().hex[:8]}"
    with pytest.raises(StoreError, match=r"no_such_db_\w+: cannot connect to PostgreSQL \("):
        open_store(url)


def test_url_opens_a_postgis_store_with_the_current_schema(
    pg_url: str, schema_name: str, postgres_url: str
) -> None:
    with open_store(pg_url) as st:
        assert isinstance(st, PostGISStore)
        assert isinstance(st, Store)
        assert st.schema_version == PG_SCHEMA_VERSION == schema.SCHEMA_VERSION
        assert st.path == pg_url
        assert st.schema == schema_name
        assert not st.read_only
        assert st.snapshots().empty
        assert st.latest_date() is None
        assert "schema v" in repr(st)
    # the tables of a DuckDB store (compared column by column below), plus the QGIS views
    assert {
        "meta", "snapshots", "layers", "points", "measures", "oblast_measures", "lines",
        "changes", "ceasefire_lines", *QGIS_VIEWS,
    } <= _relations(postgres_url, schema_name)  # fmt: skip
    with open_store(pg_url) as st:  # reopening is a no-op
        assert st.schema_version == PG_SCHEMA_VERSION
    with open_store(pg_url.replace("postgresql://", "postgres://", 1)) as st:
        assert isinstance(st, PostGISStore)


def test_pg_migrations_mirror_the_duckdb_schema(pg_url: str, tmp_path: Path) -> None:
    assert [m.version for m in PG_MIGRATIONS] == [m.version for m in schema.MIGRATIONS]
    open_store(pg_url).close()
    with DuckDBStore(tmp_path / "ref.duckdb") as ref:
        duck = ref.sql(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = 'main' ORDER BY table_name, ordinal_position"
        )
    with open_store(pg_url, read_only=True) as st:
        assert isinstance(st, PostGISStore)
        pg = st.sql(
            "SELECT c.table_name, c.column_name FROM information_schema.columns c "
            "JOIN information_schema.tables t USING (table_schema, table_name) "
            "WHERE c.table_schema = %s AND t.table_type = 'BASE TABLE' "
            "ORDER BY c.table_name, c.ordinal_position",
            [st.schema],
        )
    as_set = lambda df: {tuple(r) for r in df.itertuples(index=False)}  # noqa: E731
    assert as_set(pg) == as_set(duck)


def test_qgis_sees_typed_layers_with_spatial_indexes(pg_url: str, schema_name: str) -> None:
    open_store(pg_url).close()
    with _connect(pg_url.partition("?")[0]) as con:
        cols = con.execute(
            "SELECT f_table_name, f_geometry_column, type, srid FROM geometry_columns "
            "WHERE f_table_schema = %s",
            [schema_name],
        ).fetchall()
        gist = con.execute(
            "SELECT tablename, indexdef FROM pg_indexes WHERE schemaname = %s "
            "AND indexdef LIKE '%%USING gist%%'",
            [schema_name],
        ).fetchall()
    layers = {(t, c): (ty, srid) for t, c, ty, srid in cols}
    assert all(srid == 4326 for _, srid in layers.values())
    for view, kind in QGIS_VIEWS.items():
        assert layers[(view, "geom")] == (kind, 4326)
    tables = {t for (t, _c), (ty, _) in layers.items() if ty == "GEOMETRY"}
    assert tables == {"layers", "points", "lines", "changes", "ceasefire_lines"}
    indexed = {t for t, _ in gist}
    assert indexed >= {"layers", "points", "lines", "changes"}


def test_read_only_needs_an_existing_store_and_creates_nothing(
    pg_url: str, schema_name: str, postgres_url: str
) -> None:
    with pytest.raises(StoreError, match=rf"schema {schema_name} holds no garant store"):
        open_store(pg_url, read_only=True)
    with _connect(postgres_url) as con:
        found = con.execute(
            "SELECT 1 FROM pg_namespace WHERE nspname = %s", [schema_name]
        ).fetchone()
    assert found is None


def test_read_only_is_enforced_by_the_server(pg_url: str) -> None:
    open_store(pg_url).close()
    with open_store(pg_url, read_only=True) as st:
        assert isinstance(st, PostGISStore)
        with pytest.raises(StoreError, match="read-only transaction"):
            st.sql("INSERT INTO meta VALUES ('x', 'y')")


def test_a_schema_with_other_tables_is_refused_untouched(pg_url: str, schema_name: str) -> None:
    with _connect(pg_url.partition("?")[0]) as con:
        con.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema_name)))
        con.execute(sql.SQL("CREATE TABLE {}.roads (id int)").format(sql.Identifier(schema_name)))
    with pytest.raises(StoreError, match=r"holds other tables and no meta table: roads"):
        open_store(pg_url)
    assert _relations(pg_url.partition("?")[0], schema_name) == {"roads"}


def test_future_schema_version_is_refused(pg_url: str) -> None:
    open_store(pg_url).close()
    with PostGISStore(pg_url) as st, st.transaction():
        assert st.sql("UPDATE meta SET value = '99' WHERE key = 'schema_version'").empty
    with pytest.raises(StoreError, match=r"schema version 99 is newer .*upgrade garant"):
        open_store(pg_url)


def test_v1_store_is_migrated_keeping_its_data(
    pg_url: str, schema_name: str, make_snap: Callable[..., Any]
) -> None:
    snap = make_snap()
    with _connect(pg_url.partition("?")[0]) as con:
        con.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema_name)))
        con.execute(sql.SQL("SET search_path TO {}, public").format(sql.Identifier(schema_name)))
        with con.transaction():
            assert migrate(con, 0, target=1) == [1]
            con.execute(
                "INSERT INTO snapshots (date, source, source_ref, revision, taken_at, "
                "content_hash, polygon_hash, notes, ingested_at) "
                "VALUES (%s, %s, %s, 1, %s, %s, %s, '{}', now())",
                [snap.date, snap.source, snap.source_ref, snap.taken_at, snap.content_hash,
                 snap.polygon_hash],
            )  # fmt: skip
            for kind, geom in snap.layers.items():
                con.execute(
                    "INSERT INTO layers VALUES (1, %s, ST_GeomFromWKB(%s, 4326))",
                    [kind, shapely.to_wkb(geom)],
                )
    assert "measures" not in _relations(pg_url.partition("?")[0], schema_name)
    with pytest.raises(StoreError, match="has schema version 1"):
        open_store(pg_url, read_only=True)
    with open_store(pg_url) as st:
        assert st.schema_version == PG_SCHEMA_VERSION
        back = st.load_snapshot(1)
        assert back.content_hash == snap.content_hash
        assert back.occupied.equals(snap.occupied)
        assert st.snapshots_without_measures() == [1]
        assert st.add_snapshots([snap]).unchanged == 1
    assert {"measures", "ceasefire_lines", "frontline_line"} <= _relations(
        pg_url.partition("?")[0], schema_name
    )


def test_migrate_refuses_impossible_steps(postgres_url: str) -> None:
    with _connect(postgres_url) as con, pytest.raises(ValueError, match="cannot migrate"):
        migrate(con, 2, target=1)


def test_store_module_import_does_not_load_psycopg() -> None:
    code = "import sys, garant.store; print('psycopg' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# -- concurrency ----------------------------------------------------------------------------


def test_writers_take_turns_and_see_each_other(
    pg_url: str, postgres_url: str, make_snap: Callable[..., Any]
) -> None:
    snap = make_snap()
    with open_store(pg_url) as first, open_store(pg_url) as second:
        results: list[Any] = []
        with first.transaction():
            first.add_snapshots([snap])
            worker = threading.Thread(target=lambda: results.append(second.add_snapshots([snap])))
            worker.start()
            deadline = time.monotonic() + 10
            waiting = False
            while time.monotonic() < deadline and not waiting:
                with _connect(postgres_url) as con:
                    waiting = bool(
                        con.execute(
                            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' "
                            "AND NOT granted"
                        ).fetchone()[0]  # type: ignore[index]
                    )
                time.sleep(0.05)
            assert waiting, "the second writer did not wait for the first"
            assert worker.is_alive()
        worker.join(timeout=30)
        assert results[0].unchanged == 1  # it read the state after the first commit
        assert len(second.snapshots()) == 1
        # readers never wait: a third connection reads while a write is open
        with open_store(pg_url, read_only=True) as reader, first.transaction():
            first.add_snapshots([make_snap(dt.date(2025, 3, 2))])
            assert len(reader.snapshots()) == 1  # not committed yet
        assert len(second.snapshots()) == 2


# -- the demo history on both stores --------------------------------------------------------


@pytest.fixture(scope="module")
def demo_pg(postgres_url: str, demo_store: Path) -> Iterator[str]:
    """The demo history in a PostGIS schema, measured there by the frontline engine.

    The snapshots are copied from the DuckDB ``demo_store`` (reading the demo
    files again would only repeat the store-independent parsing); the engine
    then derives everything through the PostGIS store. Read it only.
    """
    from garant.frontline.engine import update_frontline

    name = f"{TEST_SCHEMA_PREFIX}demo_{uuid.uuid4().hex[:8]}"
    url = _schema_url(postgres_url, name)
    with open_store(demo_store, read_only=True) as src, open_store(url) as st:
        ids = [int(i) for i in src.snapshots().sort_values("snapshot_id")["snapshot_id"]]
        with st.transaction():
            added = st.add_snapshots(src.load_snapshot(i) for i in ids).added_ids
            assert list(added) == ids  # same ids: the stores can be compared row by row
            update_frontline(st)
    yield url
    drop_test_schema(postgres_url, name)


def _plain(df: pd.DataFrame, drop: tuple[str, ...] = ()) -> pd.DataFrame:
    out = pd.DataFrame(df.drop(columns=[c for c in (*drop, "geometry") if c in df]))
    return out.reset_index(drop=True)


@pytest.mark.slow
def test_ingest_gives_the_same_results_on_both_stores(demo_pg: str, demo_store: Path) -> None:
    with open_store(demo_pg, read_only=True) as pg, open_store(demo_store, read_only=True) as dk:
        pd.testing.assert_frame_equal(
            _plain(pg.snapshots(), ("ingested_at",)), _plain(dk.snapshots(), ("ingested_at",))
        )
        pd.testing.assert_frame_equal(
            _plain(pg.timeline(), ("ingested_at",)), _plain(dk.timeline(), ("ingested_at",))
        )
        pd.testing.assert_frame_equal(_plain(pg.measures()), _plain(dk.measures()))
        pd.testing.assert_frame_equal(_plain(pg.oblast_measures()), _plain(dk.oblast_measures()))
        pd.testing.assert_frame_equal(_plain(pg.changes()), _plain(dk.changes()))
        for a, b in ((pg.lines(), dk.lines()), (pg.changes(), dk.changes())):
            assert a.crs == b.crs
            assert list(a.geometry.geom_type) == list(b.geometry.geom_type)
            assert all(shapely.equals_exact(a.geometry.values, b.geometry.values, tolerance=0))
        sid = int(dk.timeline()["snapshot_id"].iloc[10])
        snap_pg, snap_dk = pg.load_snapshot(sid), dk.load_snapshot(sid)
        assert snap_pg.content_hash == snap_dk.content_hash
        assert snap_pg.layers.keys() == snap_dk.layers.keys()
        for kind, geom in snap_dk.layers.items():
            assert shapely.equals_exact(snap_pg.layers[kind], geom, tolerance=0), kind
        assert pg.load_occupied([sid])[sid].equals(dk.load_occupied([sid])[sid])
        assert pg.find_snapshot(snap_dk.date) == sid


@pytest.mark.slow
def test_qgis_views_hold_one_row_per_timeline_date(demo_pg: str) -> None:
    with open_store(demo_pg, read_only=True) as st:
        assert isinstance(st, PostGISStore)
        measures = st.measures()
        on = measures[measures["on_timeline"]].sort_values("date")
        line = st.sql("SELECT id, date, length_km FROM frontline_line ORDER BY date")
        assert list(line["date"]) == list(on["date"])
        assert list(line["id"]) == list(on["snapshot_id"])
        # PostGIS measures the occupied view on the ellipsoid; garant computed
        # the areas in Python (EPSG:6933, clipped to Ukraine): within 0.5 %.
        occ = st.sql(
            "SELECT id, date, occupied_km2, ST_Area(geom::geography) / 1e6 AS postgis_km2 "
            "FROM frontline_occupied ORDER BY date"
        )
        assert list(occ["id"]) == list(on["snapshot_id"])
        ratio = occ["postgis_km2"] / occ["occupied_km2"]
        assert ratio.between(0.995, 1.005).all(), occ[~ratio.between(0.995, 1.005)]
        lengths = st.sql("SELECT ST_Length(geom::geography) / 1e3 AS km FROM frontline_line")
        assert (lengths["km"] > 0).all()
        ch = st.sql("SELECT count(*) AS n FROM frontline_changes")
        assert int(ch["n"].iloc[0]) == len(st.changes())
        # a date filter (what QGIS's temporal controller sends) answers one row
        day = on["date"].iloc[-1]
        one = st.sql("SELECT id FROM frontline_occupied WHERE date = %s", [day])
        assert list(one["id"]) == [int(on["snapshot_id"].iloc[-1])]


@pytest.mark.slow
def test_ceasefire_freeze_and_watch_agree_across_stores(
    demo_pg: str, demo_store: Path, tmp_path: Path
) -> None:
    from garant.frontline.ceasefire import freeze, load_ceasefire, watch

    duck_copy = tmp_path / "copy.duckdb"
    shutil.copy(demo_store, duck_copy)
    name = f"cf-{uuid.uuid4().hex[:8]}"
    reports = []
    with open_store(demo_pg) as pg, open_store(duck_copy) as dk:
        for st in (pg, dk):
            cf = freeze(st, dt.date(2025, 5, 31), name=name)
            assert load_ceasefire(st, name).line.equals_exact(cf.line, 0)
            report = watch(st, name, until=dt.date(2025, 12, 31)).to_json()
            reports.append((cf.length_km, report))
        assert isinstance(pg, PostGISStore)
        view = pg.sql(
            "SELECT ST_NumGeometries(geom) AS n FROM ceasefire_line WHERE name = %s", [name]
        )
    assert reports[0] == reports[1]
    assert reports[0][1]["alerts"]  # the demo history moves after 2025-05-31
    assert int(view["n"].iloc[0]) == len(getattr(cf.line, "geoms", [cf.line]))


def test_cli_takes_a_url(pg_url: str, demo_pg: str) -> None:
    from garant.cli.main import app

    runner = CliRunner()
    res = runner.invoke(app, ["info", "--store", pg_url])
    assert res.exit_code == 6, res.stdout + res.stderr
    assert "holds no garant store" in res.stderr
    raw = sorted((Path(__file__).parents[2] / "src/garant/data/demo/raw").glob("*.geojson.gz"))
    res = runner.invoke(app, ["ingest", str(raw[-1]), "--store", pg_url])
    assert res.exit_code == 0, res.stdout + res.stderr
    assert "1 added" in res.stdout
    res = runner.invoke(app, ["info", "--store", pg_url])
    assert res.exit_code == 0, res.stderr
    shown = " ".join(res.stdout.split())
    assert f"store: {pg_url} (schema v{PG_SCHEMA_VERSION})" in shown
    assert "deepstatemap-raw: 1 snapshots" in shown
    res = runner.invoke(app, ["frontline", "measures", "--store", demo_pg, "--format", "json"])
    assert res.exit_code == 0, res.stderr
    bad = runner.invoke(app, ["info", "--store", "postgresql://x@127.0.0.1:1/db"])
    assert bad.exit_code == 6
    assert "cannot connect to PostgreSQL" in bad.stderr


# -- real data -------------------------------------------------------------------------------


@pytest.mark.shared
def test_real_archive_files_measured_by_postgis(shared_data: Path, pg_url: str) -> None:
    from garant.sources.archive import read_archive_file

    files = ("deepstatemap_data_20240708.geojson", "deepstatemap_data_20250402.geojson")
    snaps = [read_archive_file(shared_data / "deepstatemap" / f) for f in files]
    with open_store(pg_url) as st:
        assert isinstance(st, PostGISStore)
        ids = st.add_snapshots(snaps).added_ids
        for sid, snap in zip(ids, snaps, strict=True):
            assert st.load_snapshot(sid).layers["occupied"] == snap.layers["occupied"]
        df = st.sql(
            "SELECT s.source_ref, ST_NPoints(l.geom) AS n, "
            "ST_Area(ST_Transform(l.geom, 6933)) / 1e6 AS area_km2 "
            "FROM layers l JOIN snapshots s USING (snapshot_id) ORDER BY s.date"
        )
    # PROVENANCE.md: 109,361 km² (EPSG:6933) in the 2024-07-08 file
    assert list(df["source_ref"]) == list(files)
    assert df["area_km2"].iloc[0] == pytest.approx(109_361, abs=1)
    assert list(df["n"]) == [shapely.get_num_coordinates(s.occupied) for s in snaps]
