"""Opening DuckDB stores: new, migrated, corrupt, locked, future, read-only.

The PostGIS store's opening is tested in test_store_postgis.py; tests taking
``duckdb_path`` run against both stores.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pytest
import shapely

from garant.errors import StoreError
from garant.store import Store, open_store, schema
from garant.store._spatial import spatial_extension_path
from garant.store.duckdb import DuckDBStore


def _tables(path: Path) -> set[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {
            r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()
        }
    finally:
        con.close()


def test_new_store_has_current_schema(duckdb_path: Path) -> None:
    with open_store(duckdb_path) as st:
        assert isinstance(st, Store)
        assert st.schema_version == schema.SCHEMA_VERSION
        assert st.path == duckdb_path
        assert not st.read_only
        assert st.snapshots().empty
        assert st.latest_date() is None
        assert "schema v" in repr(st)
    assert {"meta", "snapshots", "layers", "points", "measures", "oblast_measures", "lines",
            "changes", "ceasefire_lines"} <= _tables(duckdb_path)  # fmt: skip
    with open_store(duckdb_path) as st:  # reopening is a no-op
        assert st.schema_version == schema.SCHEMA_VERSION


def test_default_path_creates_parent_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "a" / "b" / "garant.duckdb"
    monkeypatch.setenv("GARANT_STORE", str(target))
    with open_store() as st:
        assert st.path == target
    assert target.exists()


def test_missing_folder_is_created_for_a_new_store(tmp_path: Path) -> None:
    with open_store(tmp_path / "nope" / "garant.duckdb") as st:
        assert Path(st.path).exists()


def test_read_only_missing_store_creates_nothing(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no such store"):
        open_store(tmp_path / "nope" / "garant.duckdb", read_only=True)
    assert not (tmp_path / "nope").exists()


def test_parent_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    with pytest.raises(StoreError, match="not a folder"):
        open_store(tmp_path / "afile" / "garant.duckdb")


def _corrupt_files(tmp_path: Path, make_snaps: Callable[..., Any]) -> dict[str, bytes]:
    real = tmp_path / "real.duckdb"
    with open_store(real) as st:
        st.add_snapshots(make_snaps(20))
    data = real.read_bytes()
    rng = random.Random(7)
    return {
        "random": bytes(rng.randrange(256) for _ in range(50_000)),
        "text": b"date,area_km2\n2025-01-01,1.0\n" * 100,
        "empty": b"",
        "truncated_header": data[:5000],
        "truncated_half": data[: len(data) // 2],
        "truncated_tail": data[: len(data) - 4096],
    }


def test_corrupt_files_raise_store_error_and_stay_untouched(
    tmp_path: Path, make_snaps: Callable[..., Any]
) -> None:
    for name, content in _corrupt_files(tmp_path, make_snaps).items():
        path = tmp_path / f"{name}.duckdb"
        path.write_bytes(content)
        for read_only in (False, True):
            with pytest.raises(StoreError, match="not a readable garant store") as info:
                open_store(path, read_only=read_only)
            assert str(path) in str(info.value)
            assert "\n" not in str(info.value)
            assert path.read_bytes() == content, name
            assert not path.with_name(path.name + ".wal").exists()


def test_other_duckdb_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE t AS SELECT 1 AS x")
    con.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="without a meta table"):
        open_store(path)
    assert path.read_bytes() == before


def test_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is a folder"):
        open_store(tmp_path)


def test_future_schema_version_is_refused(duckdb_path: Path) -> None:
    open_store(duckdb_path).close()
    con = duckdb.connect(str(duckdb_path))
    con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", [str(99)])
    con.close()
    before = duckdb_path.read_bytes()
    with pytest.raises(StoreError, match=r"schema version 99 is newer .*upgrade garant"):
        open_store(duckdb_path)
    assert duckdb_path.read_bytes() == before


def test_empty_duckdb_file_v0_gets_the_schema(duckdb_path: Path) -> None:
    duckdb.connect(str(duckdb_path)).close()
    assert duckdb_path.exists()
    with pytest.raises(StoreError, match="is empty"):
        open_store(duckdb_path, read_only=True)
    with open_store(duckdb_path) as st:
        assert st.schema_version == schema.SCHEMA_VERSION


def test_v1_store_is_migrated_keeping_its_data(
    duckdb_path: Path, make_snap: Callable[..., Any]
) -> None:
    # an old store: schema v1 (snapshots only) with one snapshot written by SQL
    snap = make_snap()
    con = duckdb.connect(str(duckdb_path))
    con.execute("BEGIN")
    assert schema.migrate(con, 0, target=1) == [1]
    con.execute(
        "INSERT INTO snapshots (date, source, source_ref, revision, taken_at, content_hash, "
        "polygon_hash, notes, ingested_at) VALUES (?, ?, ?, 1, ?, ?, ?, [], now())",
        [snap.date, snap.source, snap.source_ref, snap.taken_at, snap.content_hash,
         snap.polygon_hash],
    )  # fmt: skip
    for kind, geom in snap.layers.items():
        con.execute(
            "INSERT INTO layers VALUES (1, ?, ST_GeomFromWKB(?))", [kind, shapely.to_wkb(geom)]
        )
    con.execute("COMMIT")
    con.close()
    assert "measures" not in _tables(duckdb_path)

    with pytest.raises(StoreError, match="schema version 1"):
        open_store(duckdb_path, read_only=True)
    with open_store(duckdb_path) as st:
        assert st.schema_version == schema.SCHEMA_VERSION
        back = st.load_snapshot(1)
        assert back.content_hash == snap.content_hash
        assert back.occupied.equals(snap.occupied)
        assert st.measures().empty
        assert st.snapshots_without_measures() == [1]
        # the migrated store is fully usable
        assert st.add_snapshots([snap]).unchanged == 1
    assert {"measures", "ceasefire_lines"} <= _tables(duckdb_path)


def test_migration_steps_are_consecutive() -> None:
    versions = [m.version for m in schema.MIGRATIONS]
    assert versions == list(range(1, len(versions) + 1))
    assert versions[-1] == schema.SCHEMA_VERSION


def test_read_only_store_refuses_writes(
    store_path: Path | str, make_snap: Callable[..., Any], derived_for: Callable[..., Any]
) -> None:
    with open_store(store_path) as st:
        ids = st.add_snapshots([make_snap()]).added_ids
        frames = derived_for(st, ids)
    with open_store(store_path, read_only=True) as st:
        assert st.read_only
        assert len(st.snapshots()) == 1
        with pytest.raises(StoreError, match="read-only"):
            st.add_snapshots([make_snap(dt.date(2025, 3, 2))])
        with pytest.raises(StoreError, match="read-only"):
            st.replace_derived(*frames)
        with pytest.raises(StoreError, match="read-only"):
            st.save_ceasefire_line(
                "x", dt.date(2025, 3, 1), ids[0], frames[2].geometry.iloc[0],
                shapely.box(37, 48, 38, 49),
            )  # fmt: skip
        with pytest.raises(StoreError, match="read-only"), st.transaction():
            pass
    with open_store(store_path) as st:
        assert len(st.snapshots()) == 1


def test_read_only_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "missing.duckdb"
    with pytest.raises(StoreError, match="no such store"):
        open_store(path, read_only=True)
    assert not path.exists()


def test_locked_by_another_process(duckdb_path: Path) -> None:
    open_store(duckdb_path).close()
    code = (
        "import duckdb, sys\n"
        f"con = duckdb.connect({str(duckdb_path)!r})\n"
        "print('ready', flush=True)\n"
        "sys.stdin.read()\n"
    )
    with subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    ) as proc:
        assert proc.stdin is not None
        assert proc.stdout is not None
        try:
            assert proc.stdout.readline().strip() == "ready"
            for read_only in (False, True):
                with pytest.raises(StoreError, match="locked by another process") as info:
                    open_store(duckdb_path, read_only=read_only)
                assert str(duckdb_path) in str(info.value)
        finally:
            proc.stdin.close()
            proc.wait(timeout=30)
    with open_store(duckdb_path) as st:
        assert st.schema_version == schema.SCHEMA_VERSION


def test_closed_store_raises(store_path: Path | str) -> None:
    st = open_store(store_path)
    st.close()
    st.close()  # idempotent
    with pytest.raises(StoreError, match="closed"):
        st.snapshots()


def test_spatial_extension_is_shipped_and_loads(duckdb_path: Path) -> None:
    store = DuckDBStore(duckdb_path)
    path = spatial_extension_path()
    assert path.is_file()
    assert f"v{duckdb.__version__}" in str(path)
    with store:
        df = store.sql("SELECT ST_Area(ST_GeomFromText('POLYGON((0 0, 2 0, 2 1, 0 1, 0 0))')) AS a")
    assert df["a"].iloc[0] == pytest.approx(2.0)


def test_spatial_version_mismatch_is_a_store_error(
    duckdb_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(duckdb, "__version__", "0.0.1")
    with pytest.raises(StoreError, match=r"not for the installed DuckDB v0\.0\.1"):
        open_store(duckdb_path)
    assert not duckdb_path.exists()


def test_store_module_import_is_light() -> None:
    code = "import sys, garant.store; print('duckdb' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )  # fmt: skip
    assert out.stdout.strip() == "False"
