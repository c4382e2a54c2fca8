"""The embedded store: one DuckDB file with the spatial extension.

Tables and their columns are described in :mod:`garant.store.schema`.
Geometries are stored as ``GEOMETRY`` in EPSG:4326, so the file can be opened
with DuckDB (``LOAD spatial``) and queried with spatial SQL, for example::

    SELECT date, ST_Area_Spheroid(geom) / 1e6 AS km2
    FROM layers JOIN snapshots USING (snapshot_id) WHERE kind = 'occupied';

A store object is not thread-safe; open one per thread (read-only) or share
one behind a lock. DuckDB lets one process write a file at a time; other
processes get a :class:`~garant.errors.StoreError` naming the file.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import shapely
from shapely.geometry.base import BaseGeometry

from garant.errors import DataError, NotFoundError, StoreError
from garant.model import (
    OCCUPIED_KINDS,
    POINT_COLUMNS,
    POLYGON_KINDS,
    Snapshot,
    empty_points,
    union_occupied,
)
from garant.store import IngestResult
from garant.store import schema as sch
from garant.store._common import add_revisions, check_derived_rows
from garant.store._spatial import load_spatial, spatial_extension_path

__all__ = ["DuckDBStore"]

log = logging.getLogger(__name__)

_CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
#: A transaction that writes more geometry than this (bytes of WKB) is
#: checkpointed by its commit (DuckDB's default WAL checkpoint threshold).
_DIRECT_CHECKPOINT_BYTES = 16 * 1024 * 1024
#: DuckDB's file header: a main header and two database headers of 4 KiB.
_HEADER_BYTES = 3 * 4096
_SNAPSHOT_COLUMNS = (
    "snapshot_id, date, source, source_ref, revision, taken_at, content_hash, "
    "polygon_hash, notes, ingested_at"
)
_CHANGES_SELECT = (
    "change_id, from_snapshot_id, to_snapshot_id, from_date, to_date, kind, area_km2, "
    "centroid_lon, centroid_lat, settlement, settlement_distance_km, sector, "
    "ST_AsWKB(geom) AS wkb"
)


def _reason(exc: BaseException) -> str:
    """One line from a DuckDB error, without its category prefix."""
    msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    for prefix in ("IO Error: ", "Invalid Input Error: ", "Catalog Error: ", "Binder Error: "):
        msg = msg.removeprefix(prefix)
    if "not a valid DuckDB database file" in msg:
        return "not a DuckDB database file"
    if "Could not read enough bytes" in msg:
        return f"the file is truncated: {msg}"
    return msg


def _as_date(value: dt.date | str, what: str = "date") -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise DataError(f"{what} {value!r}: not a date (expected YYYY-MM-DD)") from None


#: SQL condition "the layer is an occupied kind" (the kinds are fixed identifiers).
_OCCUPIED_SQL = " OR ".join(f"kind = '{k}'" for k in OCCUPIED_KINDS if k.isidentifier())


def _int_list(ids: Sequence[int]) -> str:
    """SQL text of a non-empty list of ints, for ``IN (...)``.

    A literal list lets DuckDB filter while scanning (its zone maps skip the
    other row groups); ``IN (SELECT unnest(?))`` is a join that reads, and for
    geometry columns decodes, the whole table first.
    """
    return ", ".join(str(int(i)) for i in ids)


def _str_or_none(value: object) -> str | None:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return None
    return str(value)


def _objects(values: Iterable[object]) -> np.ndarray:
    """A 1-D object array (never let numpy look inside the items)."""
    items = list(values)
    arr = np.empty(len(items), dtype=object)
    arr[:] = items
    return arr


def _wkb(geoms: Iterable[BaseGeometry | None]) -> list[bytes | None]:
    """WKB of each geometry (None stays None); a geometry repeated is encoded once.

    The frontline engine hands the same line object for every day the territory
    did not change.
    """
    arr = _objects(geoms)
    if not len(arr):
        return []
    slots: dict[int, int] = {}
    slot = np.fromiter(
        (slots.setdefault(id(g), len(slots)) for g in arr), dtype=np.int64, count=len(arr)
    )
    if len(slots) == len(arr):
        return list(shapely.to_wkb(arr))
    uniq = np.empty(len(slots), dtype=object)
    uniq[slot] = arr
    return list(shapely.to_wkb(uniq)[slot])


def _binary_array(values: list[bytes | None]) -> pa.Array:
    """An Arrow binary array of ``values`` (None: null), its buffers built in one go.

    ``pa.array`` grows its data buffer as it goes, which for tens of MB of WKB
    costs more than the copy itself.
    """
    if not values or any(v is None for v in values):
        return pa.array(values, pa.binary())
    blobs: list[bytes] = values  # type: ignore[assignment]  # no None (checked above)
    lengths = np.fromiter(map(len, blobs), dtype=np.int64, count=len(blobs))
    if int(lengths.sum()) >= 2**31 - 1:  # beyond 32-bit offsets
        return pa.array(blobs, pa.binary())
    offsets = np.zeros(len(blobs) + 1, dtype=np.int32)
    np.cumsum(lengths, out=offsets[1:])
    buffers = [None, pa.py_buffer(offsets), pa.py_buffer(b"".join(blobs))]
    return pa.Array.from_buffers(pa.binary(), len(blobs), buffers)


def _from_wkb(values: Iterable[bytes | None]) -> np.ndarray:
    """Geometries from WKB (None stays None)."""
    arr = _objects(values)
    return shapely.from_wkb(arr) if len(arr) else arr


def _geo_frame(df: pd.DataFrame, wkb_column: str = "wkb") -> gpd.GeoDataFrame:
    geoms = _from_wkb(df[wkb_column].tolist())
    out = df.drop(columns=[wkb_column])
    return gpd.GeoDataFrame(out, geometry=gpd.GeoSeries(geoms, index=out.index, crs=4326))


def _utc_columns(df: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    for col in columns:
        if col in df.columns:
            df[col] = df[col].dt.tz_convert("UTC")
    return df


class DuckDBStore:
    """garant's embedded store in one DuckDB file.

    Open it with :func:`garant.store.open_store`; see :class:`garant.store.Store`
    for the protocol it implements.

    Parameters
    ----------
    path : str or pathlib.Path
        The store file; created with the current schema if absent (its folder
        must exist); migrated if its schema is older.
    read_only : bool
        Refuse every write (:class:`~garant.errors.StoreError`); several
        processes may open a file read-only at once.

    Raises
    ------
    StoreError
        The file is not a readable garant store (the file is left untouched),
        is locked by another process, is from a newer garant, or a read-only
        store is missing or needs migrating.
    """

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        self._path = Path(path).expanduser()
        self._read_only = read_only
        self._tx_depth = 0
        self._tx_failed = False
        self._tx_bytes = 0  # geometry bytes written by the open transaction
        self._spatial_loaded = False
        self._con: duckdb.DuckDBPyConnection | None = None
        spatial_extension_path()  # a DuckDB / extension version mismatch fails early
        p = self._path
        if p.is_dir():
            raise StoreError(f"{p}: is a folder, not a store file")
        existed = p.exists()
        if not existed:
            if read_only:
                raise StoreError(f"{p}: no such store (run `garant ingest` to create it)")
            if p.parent.exists() and not p.parent.is_dir():
                raise StoreError(f"{p}: {p.parent} is not a folder")
            try:
                p.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"{p}: cannot create the folder {p.parent} ({exc})") from exc
        con = self._connect()
        try:
            self._schema_version = self._prepare(con, existed=existed)
        except BaseException:
            con.close()
            if not existed:
                for f in (p, p.with_name(p.name + ".wal")):
                    f.unlink(missing_ok=True)
            raise
        self._con = con
        log.debug("opened %s (schema v%d, read_only=%s)", p, self._schema_version, read_only)

    # -- opening ---------------------------------------------------------------------------

    def _connect(self) -> duckdb.DuckDBPyConnection:
        p = self._path
        try:
            con = duckdb.connect(str(p), read_only=self._read_only, config=dict(_CONFIG))
        except duckdb.ConnectionException as exc:
            raise StoreError(
                f"{p}: already open in this process in another mode ({_reason(exc)})"
            ) from exc
        except duckdb.Error as exc:
            reason = _reason(exc)
            if "Could not set lock" in reason or "Conflicting lock" in reason:
                raise StoreError(
                    f"{p}: locked by another process; close it or open this store read-only "
                    f"({reason})"
                ) from exc
            raise StoreError(f"{p}: not a readable garant store ({reason})") from exc
        try:
            con.execute("SET SESSION TimeZone = 'UTC'")
            con.execute("SET SESSION enable_progress_bar = false")  # a library never prints
        except duckdb.Error as exc:  # pragma: no cover - ICU is built in
            con.close()
            raise StoreError(f"{p}: cannot configure the connection ({_reason(exc)})") from exc
        return con

    def _prepare(self, con: duckdb.DuckDBPyConnection, *, existed: bool) -> int:
        """Check the file and bring its schema up to date; return the schema version."""
        p = self._path
        try:
            version = sch.read_schema_version(con, str(p))
            if existed and not p.with_name(p.name + ".wal").exists():
                self._check_size(con)
        except duckdb.Error as exc:
            raise StoreError(f"{p}: not a readable garant store ({_reason(exc)})") from exc
        if version > sch.SCHEMA_VERSION:
            raise StoreError(
                f"{p}: schema version {version} is newer than this garant supports "
                f"({sch.SCHEMA_VERSION}); upgrade garant"
            )
        if version == sch.SCHEMA_VERSION:
            return version
        if self._read_only:
            what = "is empty" if version == 0 else f"has schema version {version}"
            raise StoreError(
                f"{p}: {what} (current: {sch.SCHEMA_VERSION}); open it once without "
                "read-only to create or migrate it"
            )
        try:
            con.execute("BEGIN TRANSACTION")
            applied = sch.migrate(con, version)
            con.execute("COMMIT")
        except duckdb.Error as exc:
            con.execute("ROLLBACK")
            raise StoreError(
                f"{p}: migrating the schema from v{version} to v{sch.SCHEMA_VERSION} failed "
                f"({_reason(exc)})"
            ) from exc
        if version > 0:
            log.info("%s: migrated schema v%d -> v%d (%s)", p, version, applied[-1], applied)
        return sch.SCHEMA_VERSION

    def _check_size(self, con: duckdb.DuckDBPyConnection) -> None:
        """Refuse a file shorter than its own block count says (a truncated copy)."""
        # Used blocks only: DuckDB truncates free blocks at the end of the file, so a
        # sound file can be shorter than total_blocks says, never shorter than this.
        row = con.execute(
            "SELECT block_size, total_blocks - free_blocks FROM pragma_database_size() "
            "WHERE database_name = current_database()"
        ).fetchone()
        if row is None:  # pragma: no cover - the database always lists itself
            return
        need = _HEADER_BYTES + int(row[0]) * int(row[1])
        have = self._path.stat().st_size
        if have < need:
            raise StoreError(
                f"{self._path}: not a readable garant store (the file is truncated: "
                f"{have:,} bytes, its header needs {need:,})"
            )

    # -- basics ----------------------------------------------------------------------------

    @property
    def path(self) -> Path:
        """The store file."""
        return self._path

    @property
    def schema_version(self) -> int:
        """The store's schema version (:data:`garant.store.schema.SCHEMA_VERSION`)."""
        return self._schema_version

    @property
    def read_only(self) -> bool:
        """Whether the store refuses writes."""
        return self._read_only

    def __repr__(self) -> str:
        mode = "read-only" if self._read_only else "read-write"
        state = "closed" if self._con is None else mode
        return f"DuckDBStore({str(self._path)!r}, {state}, schema v{self._schema_version})"

    def __enter__(self) -> DuckDBStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the store (an open transaction is rolled back). Idempotent."""
        if self._con is not None:
            self._con.close()
            self._con = None
            self._tx_depth = 0

    @property
    def _db(self) -> duckdb.DuckDBPyConnection:
        if self._con is None:
            raise StoreError(f"{self._path}: the store is closed")
        return self._con

    def _execute(self, sql: str, params: Sequence[Any] | None = None) -> duckdb.DuckDBPyConnection:
        """Run SQL; outside a transaction a DuckDB error becomes a StoreError.

        Inside :meth:`transaction` the DuckDB error propagates, and the
        transaction turns it into "write failed, rolled back".
        """
        try:
            return self._db.execute(sql, params) if params is not None else self._db.execute(sql)
        except duckdb.Error as exc:
            if self._tx_depth:
                raise
            raise StoreError(f"{self._path}: {_reason(exc)}") from exc

    def _frame(self, sql: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
        """Run a query and return a DataFrame (through Arrow: dates as ``datetime.date``)."""
        try:
            table = self._execute(sql, params).to_arrow_table()
        except duckdb.Error as exc:
            raise StoreError(f"{self._path}: {_reason(exc)}") from exc
        return table.to_pandas()

    def _check_writable(self, action: str) -> None:
        if self._read_only:
            raise StoreError(f"{self._path}: opened read-only; cannot {action}")

    @contextmanager
    def _registered(self, name: str, table: pa.Table) -> Iterator[str]:
        self._db.register(name, table)
        try:
            yield name
        finally:
            self._db.unregister(name)

    def sql(self, query: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
        """Run ad-hoc SQL (spatial functions available) and return a DataFrame.

        The spatial extension is loaded on first use (about 0.5 s). Geometry
        values come back as WKB ``bytes`` (decode with ``shapely.from_wkb``).

        Parameters
        ----------
        query : str
            SQL; use ``?`` or ``$1`` placeholders for values.
        params : sequence, optional
            The placeholder values.

        Returns
        -------
        pandas.DataFrame
        """
        if not self._spatial_loaded:
            load_spatial(self._db)
            self._spatial_loaded = True
        return self._frame(query, params)

    # -- transactions ----------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group writes: ``BEGIN`` ... ``COMMIT``, ``ROLLBACK`` on any exception.

        Nested uses join the outer transaction; if an inner block fails, the
        whole transaction is rolled back even when the caller catches the error.

        Raises
        ------
        StoreError
            The store is read-only, a database error occurred (the original
            error is chained), or the commit failed.
        """
        self._check_writable("write")
        if self._tx_depth > 0:
            self._tx_depth += 1
            try:
                yield
            except duckdb.Error as exc:
                self._tx_failed = True
                raise StoreError(
                    f"{self._path}: write failed, rolled back ({_reason(exc)})"
                ) from exc
            except BaseException:
                self._tx_failed = True
                raise
            finally:
                self._tx_depth -= 1
            return
        self._execute("BEGIN TRANSACTION")
        self._tx_depth, self._tx_failed, self._tx_bytes = 1, False, 0
        try:
            yield
        except duckdb.Error as exc:
            self._rollback()
            raise StoreError(f"{self._path}: write failed, rolled back ({_reason(exc)})") from exc
        except BaseException:
            self._rollback()
            raise
        else:
            if self._tx_failed:
                self._rollback()
                raise StoreError(
                    f"{self._path}: rolled back: a nested block of the transaction failed"
                )
            try:
                self._commit()
            except duckdb.Error as exc:
                self._rollback()
                raise StoreError(f"{self._path}: commit failed ({_reason(exc)})") from exc
        finally:
            self._tx_depth, self._tx_failed = 0, False

    def _commit(self) -> None:
        """COMMIT; a large transaction is checkpointed into the file right away.

        DuckDB decides whether a commit checkpoints from the size of the WAL
        and an estimate of the transaction that leaves out the geometry blobs,
        so a bulk ingest (tens of MB of geometry) would go to the WAL and be
        checkpointed by the next, small commit, which would pay for it (about
        half a second for the daily archive). Lowering the threshold for this
        one commit makes DuckDB checkpoint now and skip writing the WAL: the
        same durability for less work.
        """
        if self._tx_bytes < _DIRECT_CHECKPOINT_BYTES:
            self._db.execute("COMMIT")
            return
        self._db.execute("SET checkpoint_threshold = '1KiB'")
        try:
            self._db.execute("COMMIT")
        finally:
            self._db.execute("RESET checkpoint_threshold")

    def _rollback(self) -> None:
        if self._con is None:
            return
        try:
            self._con.execute("ROLLBACK")
        except duckdb.Error as exc:  # pragma: no cover - nothing to roll back
            log.debug("rollback: %s", exc)

    # -- snapshots: writing ----------------------------------------------------------------

    def add_snapshots(
        self,
        snapshots: Iterable[Snapshot],
        *,
        progress: Callable[[int], None] | None = None,
        occupied: dict[int, BaseGeometry] | None = None,
    ) -> IngestResult:
        """Add snapshots, incrementally and idempotently, in ONE transaction.

        For each snapshot, by its (source, date):

        - content identical to any stored revision (same ``content_hash``):
          nothing is written (``unchanged``);
        - the pair is new: written as revision 1 (``added_ids``);
        - the pair exists with other content: written as the next revision
          (``revised_ids``); earlier revisions are kept, never overwritten.

        If anything fails (including the iterable itself), the store is left
        exactly as before.

        Parameters
        ----------
        snapshots : iterable of Snapshot
            Snapshots from any source (a generator is consumed once).
        progress : callable, optional
            Called with ``1`` after each snapshot is read (an increment).
        occupied : dict, optional
            If given, filled with snapshot id -> occupied territory
            (:attr:`Snapshot.occupied`, as :meth:`load_occupied` would return it)
            of each snapshot written, so that a caller measuring the new
            snapshots right away (:func:`garant.ingest.ingest`) need not read
            their geometry back. Holds the geometries in memory.

        Returns
        -------
        IngestResult
        """
        self._check_writable("add snapshots")
        result = add_revisions(
            snapshots,
            revision_state=self._revision_state,
            insert=self._insert_snapshots,
            transaction=self.transaction,
            progress=progress,
            occupied=occupied,
        )
        log.info("%s: %s", self._path, result.summary())
        return result

    def _revision_state(self) -> dict[tuple[str, dt.date], tuple[int, set[str]]]:
        """(source, date) -> (latest revision, every stored content hash), in one query."""
        rows = self._execute(
            "SELECT source, date, max(revision), list(content_hash) FROM snapshots GROUP BY ALL"
        ).fetchall()
        return {(r[0], r[1]): (int(r[2]), set(r[3])) for r in rows}

    def _insert_snapshots(self, pending: Sequence[tuple[Snapshot, int, str]]) -> list[int]:
        """Write snapshots with their layers and points; return their new ids."""
        n = len(pending)
        ids = [
            int(r[0])
            for r in self._execute(
                "SELECT nextval('snapshot_id_seq') FROM range(?) ORDER BY 1", [n]
            ).fetchall()
        ]
        now = dt.datetime.now(dt.UTC)
        snaps = [p[0] for p in pending]
        utc = pa.timestamp("us", tz="UTC")
        snap_table = pa.table(
            {
                "snapshot_id": pa.array(ids, pa.int32()),
                "date": pa.array([s.date for s in snaps], pa.date32()),
                "source": pa.array([s.source for s in snaps], pa.string()),
                "source_ref": pa.array([s.source_ref for s in snaps], pa.string()),
                "revision": pa.array([p[1] for p in pending], pa.int32()),
                "taken_at": pa.array([s.taken_at for s in snaps], utc),
                "content_hash": pa.array([s.content_hash for s in snaps], pa.string()),
                "polygon_hash": pa.array([p[2] for p in pending], pa.string()),
                "notes": pa.array([list(s.notes) for s in snaps], pa.list_(pa.string())),
                "ingested_at": pa.array([now] * n, utc),
            }
        )
        layer_ids: list[int] = []
        layer_kinds: list[str] = []
        layer_geoms: list[BaseGeometry] = []
        point_cols: dict[str, list[Any]] = {
            "snapshot_id": [],
            "point_index": [],
            **{c: [] for c in POINT_COLUMNS},
        }
        point_geoms: list[BaseGeometry] = []
        for sid, snap in zip(ids, snaps, strict=True):
            for kind, geom in snap.layers.items():
                layer_ids.append(sid)
                layer_kinds.append(kind)
                layer_geoms.append(geom)
            pts = snap.points
            if len(pts):
                point_cols["snapshot_id"].extend([sid] * len(pts))
                point_cols["point_index"].extend(range(len(pts)))
                for c in POINT_COLUMNS:
                    point_cols[c].extend(_str_or_none(v) for v in pts[c].tolist())
                point_geoms.extend(np.asarray(pts.geometry.values, dtype=object).tolist())
        layer_table = pa.table(
            {
                "snapshot_id": pa.array(layer_ids, pa.int32()),
                "kind": pa.array(layer_kinds, pa.string()),
                "wkb": _binary_array(_wkb(layer_geoms)),
            }
        )
        self._tx_bytes += layer_table.nbytes
        with self._registered("_garant_snapshots", snap_table) as t:
            self._execute(f"INSERT INTO snapshots ({_SNAPSHOT_COLUMNS}) SELECT * FROM {t}")
        with self._registered("_garant_layers", layer_table) as t:
            self._execute(
                f"INSERT INTO layers (snapshot_id, kind, geom) "
                f"SELECT snapshot_id, kind, ST_GeomFromWKB(wkb) FROM {t}"
            )
        if point_geoms:
            point_table = pa.table(
                {
                    "snapshot_id": pa.array(point_cols["snapshot_id"], pa.int32()),
                    "point_index": pa.array(point_cols["point_index"], pa.int32()),
                    **{c: pa.array(point_cols[c], pa.string()) for c in POINT_COLUMNS},
                    "wkb": _binary_array(_wkb(point_geoms)),
                }
            )
            with self._registered("_garant_points", point_table) as t:
                self._execute(
                    "INSERT INTO points (snapshot_id, point_index, kind, key, name_uk, name_en, "
                    f"geom) SELECT snapshot_id, point_index, kind, key, name_uk, name_en, "
                    f"ST_GeomFromWKB(wkb) FROM {t}"
                )
        return ids

    # -- snapshots: reading ----------------------------------------------------------------

    def snapshots(self, *, source: str | None = None) -> pd.DataFrame:
        """Every stored snapshot (every revision), without geometry.

        Parameters
        ----------
        source : str, optional
            Only this source.

        Returns
        -------
        pandas.DataFrame
            Columns of the ``snapshots`` table: ``snapshot_id``, ``date``
            (``datetime.date``), ``source``, ``source_ref``, ``revision``,
            ``taken_at`` and ``ingested_at`` (UTC timestamps), ``content_hash``,
            ``polygon_hash``, ``notes`` (list of str); sorted by date, source,
            revision.
        """
        where, params = ("WHERE source = ?", [source]) if source is not None else ("", [])
        df = self._frame(
            f"SELECT {_SNAPSHOT_COLUMNS} FROM snapshots {where} ORDER BY date, source, revision",
            params,
        )
        df["notes"] = [list(v) for v in df["notes"]]
        return _utc_columns(df, ("taken_at", "ingested_at"))

    @staticmethod
    def _timeline_sql(columns: str = _SNAPSHOT_COLUMNS, where: str = "") -> str:
        """The timeline query; binds ``$priority`` (a list of sources)."""
        return (
            f"SELECT {columns} FROM ("
            f"  SELECT *, row_number() OVER (PARTITION BY date ORDER BY "
            f"    coalesce(nullif(list_position($priority, source), 0), 1000000), source, "
            f"    revision DESC) AS rank_in_day"
            f"  FROM snapshots {where}"
            f") WHERE rank_in_day = 1 ORDER BY date"
        )

    def timeline(self, priority: Sequence[str] | None = None) -> pd.DataFrame:
        """One snapshot per date: the preferred source, its latest revision.

        Parameters
        ----------
        priority : sequence of str, optional
            Sources, preferred first (default: ``Settings.source_priority``).
            Sources not listed rank after the listed ones, alphabetically.

        Returns
        -------
        pandas.DataFrame
            Columns as :meth:`snapshots`, one row per date, sorted by date.
        """
        df = self._frame(self._timeline_sql(), {"priority": self._priority(priority)})  # type: ignore[arg-type]
        df["notes"] = [list(v) for v in df["notes"]]
        return _utc_columns(df, ("taken_at", "ingested_at"))

    @staticmethod
    def _priority(priority: Sequence[str] | None) -> list[str]:
        if priority is None:
            from garant.settings import get_settings

            priority = get_settings().source_priority
        if isinstance(priority, str):
            raise DataError(f"priority {priority!r}: expected a sequence of source names")
        return [str(s) for s in priority]

    def load_snapshot(self, snapshot_id: int) -> Snapshot:
        """Rebuild a stored snapshot with its layers and points.

        Parameters
        ----------
        snapshot_id : int

        Returns
        -------
        Snapshot
            As ingested; ``content_hash`` is the stored one.

        Raises
        ------
        NotFoundError
            No such snapshot.
        """
        sid = int(snapshot_id)
        row = self._execute(
            "SELECT date, timezone('UTC', taken_at), source, source_ref, content_hash, notes "
            "FROM snapshots WHERE snapshot_id = ?",
            [sid],
        ).fetchone()
        if row is None:
            raise NotFoundError(self._unknown_ids_message([sid]))
        order = {k: i for i, k in enumerate(POLYGON_KINDS)}
        layer_rows = self._execute(
            "SELECT kind, ST_AsWKB(geom) FROM layers WHERE snapshot_id = ?", [sid]
        ).fetchall()
        layer_rows.sort(key=lambda r: order.get(r[0], len(order)))
        geoms = _from_wkb(r[1] for r in layer_rows)
        layers = {r[0]: g for r, g in zip(layer_rows, geoms, strict=True)}
        pts = self._frame(
            "SELECT kind, key, name_uk, name_en, ST_AsWKB(geom) AS wkb FROM points "
            "WHERE snapshot_id = ? ORDER BY point_index",
            [sid],
        )
        points = _geo_frame(pts) if len(pts) else empty_points()
        return Snapshot(
            date=row[0],
            taken_at=row[1].replace(tzinfo=dt.UTC),
            source=row[2],
            source_ref=row[3],
            layers=layers,
            points=points,
            content_hash=row[4],
            notes=tuple(row[5]),
        )

    def load_occupied(self, snapshot_ids: Iterable[int]) -> dict[int, BaseGeometry]:
        """Occupied territory (union of the occupied kinds) per snapshot.

        The engine's fast path: reads only the occupied layers, no points.

        Parameters
        ----------
        snapshot_ids : iterable of int

        Returns
        -------
        dict
            snapshot id -> (Multi)Polygon in EPSG:4326, unclipped (as
            :attr:`Snapshot.occupied`), in the order asked.

        Raises
        ------
        NotFoundError
            Some ids are not in the store (the message lists them).
        """
        ids = list(dict.fromkeys(int(i) for i in snapshot_ids))
        if not ids:
            return {}
        # Literal filters: DuckDB then filters while scanning (a join with
        # unnest(?) lists, or an IN list of strings, costs 3-4 times more).
        rows = self._execute(
            f"SELECT snapshot_id, ST_AsWKB(geom) FROM layers WHERE ({_OCCUPIED_SQL}) "
            f"AND snapshot_id IN ({_int_list(ids)}) ORDER BY snapshot_id, kind"
        ).fetchall()
        geoms = _from_wkb(r[1] for r in rows)
        parts: dict[int, list[BaseGeometry]] = {}
        for r, g in zip(rows, geoms, strict=True):
            parts.setdefault(int(r[0]), []).append(g)
        missing = [i for i in ids if i not in parts]
        if missing:
            raise NotFoundError(self._unknown_ids_message(missing))
        return {i: union_occupied(parts[i]) for i in ids}

    def _unknown_ids_message(self, missing: Sequence[int]) -> str:
        row = self._execute(
            "SELECT min(snapshot_id), max(snapshot_id), count(*) FROM snapshots"
        ).fetchone()
        shown = ", ".join(str(i) for i in missing[:10]) + (" ..." if len(missing) > 10 else "")
        noun = "snapshot" if len(missing) == 1 else "snapshots"
        if row is None or not row[2]:
            return f"{noun} {shown}: not in {self._path} (the store holds no snapshots)"
        return f"{noun} {shown}: not in {self._path} (ids {row[0]}..{row[1]}, {row[2]} snapshots)"

    def latest_date(self) -> dt.date | None:
        """The latest snapshot date, or None if the store holds no snapshots."""
        row = self._execute("SELECT max(date) FROM snapshots").fetchone()
        return None if row is None else row[0]

    def find_snapshot(self, date: dt.date | str, *, source: str | None = None) -> int:
        """The snapshot id for a date.

        Parameters
        ----------
        date : datetime.date or str
            The day (``YYYY-MM-DD`` accepted).
        source : str, optional
            Only this source (its latest revision); default: the
            :meth:`timeline` snapshot of that day.

        Returns
        -------
        int

        Raises
        ------
        NotFoundError
            No snapshot for that day; names the date, the nearest dates and the
            range the store covers.
        """
        day = _as_date(date)
        if source is None:
            row = self._execute(
                self._timeline_sql("snapshot_id", "WHERE date = $day"),
                {"day": day, "priority": self._priority(None)},  # type: ignore[arg-type]
            ).fetchone()
        else:
            row = self._execute(
                "SELECT snapshot_id FROM snapshots WHERE date = ? AND source = ? "
                "ORDER BY revision DESC LIMIT 1",
                [day, source],
            ).fetchone()
        if row is not None:
            return int(row[0])
        where, params = ("WHERE source = ?", [source]) if source else ("", [])
        rng = self._execute(
            f"SELECT min(date), max(date), max(date) FILTER (date < ?), "
            f"min(date) FILTER (date > ?) FROM snapshots {where}",
            [day, day, *params],
        ).fetchone()
        what = f"no snapshot for {day.isoformat()}" + (f" from {source}" if source else "")
        if rng is None or rng[0] is None:
            held = f"from {source}" if source else "at all"
            raise NotFoundError(f"{what}: {self._path} holds no snapshots {held}")
        near = ", ".join(
            f"{label} {d.isoformat()}"
            for label, d in zip(("before:", "after:"), rng[2:], strict=True)
            if d
        )
        raise NotFoundError(
            f"{what} (store covers {rng[0].isoformat()} .. {rng[1].isoformat()}; nearest {near})"
        )

    # -- derived data ----------------------------------------------------------------------

    def replace_derived(
        self,
        measures: pd.DataFrame,
        oblast_measures: pd.DataFrame,
        lines: gpd.GeoDataFrame,
        changes: gpd.GeoDataFrame,
        *,
        snapshot_ids: Sequence[int] | None = None,
    ) -> None:
        """Replace the frontline engine's results, in one transaction.

        Deletes the rows of ``snapshot_ids`` (changes: by ``to_snapshot_id``),
        or every row when ``snapshot_ids`` is None, then inserts the frames.

        Parameters
        ----------
        measures : pandas.DataFrame
            Columns :data:`~garant.store.schema.MEASURES_COLUMNS` (km², %, km).
        oblast_measures : pandas.DataFrame
            Columns :data:`~garant.store.schema.OBLAST_MEASURES_COLUMNS`.
        lines : geopandas.GeoDataFrame
            ``snapshot_id``, ``length_km`` and the line of contact as geometry.
        changes : geopandas.GeoDataFrame
            Columns :data:`~garant.store.schema.CHANGES_COLUMNS`; ``kind`` is
            ``gained`` or ``lost``; a ``change_id`` column is ignored (the store
            numbers changes).
        snapshot_ids : sequence of int, optional
            The snapshots being replaced; every row of the frames must belong
            to one of them.

        Raises
        ------
        DataError
            Missing columns (all named at once), rows outside ``snapshot_ids``,
            unknown snapshot ids, duplicate keys or an unknown change kind.
        StoreError
            Read-only store, or the write failed (the store is unchanged).
        """
        self._check_writable("replace derived data")
        frames: dict[str, tuple[pd.DataFrame, tuple[str, ...]]] = {
            "measures": (measures, sch.MEASURES_COLUMNS),
            "oblast_measures": (oblast_measures, sch.OBLAST_MEASURES_COLUMNS),
            "lines": (lines, sch.LINES_COLUMNS),
            "changes": (changes, sch.CHANGES_COLUMNS),
        }
        problems: list[str] = []
        for name, (df, cols) in frames.items():
            if not isinstance(df, pd.DataFrame):
                problems.append(f"{name} is a {type(df).__name__}, not a DataFrame")
                continue
            has_geom = isinstance(df, gpd.GeoDataFrame) and df._geometry_column_name in df
            missing = [
                c for c in cols if c not in df.columns and not (c == "geometry" and has_geom)
            ]
            if missing:
                problems.append(f"{name} lacks columns {missing}")
        if problems:
            raise DataError("replace_derived: " + "; ".join(problems))
        self._check_derived_rows(measures, oblast_measures, lines, changes, snapshot_ids)

        with self.transaction():
            if snapshot_ids is None:
                for table in ("measures", "oblast_measures", "lines", "changes"):
                    self._execute(f"DELETE FROM {table}")
            else:
                ids = sorted({int(i) for i in snapshot_ids})
                for table, col in (
                    ("measures", "snapshot_id"),
                    ("oblast_measures", "snapshot_id"),
                    ("lines", "snapshot_id"),
                    ("changes", "to_snapshot_id"),
                ):
                    self._execute(
                        f"DELETE FROM {table} WHERE {col} IN (SELECT unnest(?::INTEGER[]))", [ids]
                    )
            self._insert_frame("measures", measures, sch.MEASURES_COLUMNS)
            self._insert_frame("oblast_measures", oblast_measures, sch.OBLAST_MEASURES_COLUMNS)
            self._insert_frame("lines", lines, sch.LINES_COLUMNS)
            self._insert_frame("changes", changes, sch.CHANGES_COLUMNS)

    def _check_derived_rows(
        self,
        measures: pd.DataFrame,
        oblast_measures: pd.DataFrame,
        lines: pd.DataFrame,
        changes: pd.DataFrame,
        snapshot_ids: Sequence[int] | None,
    ) -> None:
        def known(ids: list[int]) -> set[int]:
            return {
                int(r[0])
                for r in self._execute(
                    "SELECT snapshot_id FROM snapshots "
                    "WHERE snapshot_id IN (SELECT unnest(?::INTEGER[]))",
                    [ids],
                ).fetchall()
            }

        check_derived_rows(measures, oblast_measures, lines, changes, snapshot_ids, known)

    def _insert_frame(self, table: str, df: pd.DataFrame, columns: Sequence[str]) -> None:
        if len(df) == 0:
            return
        plain = [c for c in columns if c != "geometry"]
        data: dict[str, Any] = {}
        for c in plain:
            values = df[c]
            data[c] = pa.Array.from_pandas(
                values.astype(object).where(values.notna(), None)
                if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values)
                else values
            )
        select = [f"CAST({c} AS {sch.COLUMN_TYPES.get(c, 'VARCHAR')})" for c in plain]
        targets = list(plain)
        if "geometry" in columns:
            geoms = (
                df.geometry if isinstance(df, gpd.GeoDataFrame) else gpd.GeoSeries(df["geometry"])
            )
            if geoms.crs is not None and not geoms.crs.equals("EPSG:4326"):
                geoms = geoms.to_crs(4326)
            data["wkb"] = _binary_array(_wkb(np.asarray(geoms.values, dtype=object)))
            select.append("ST_GeomFromWKB(wkb)")
            targets.append("geom")
        name = f"_garant_{table}"
        arrow = pa.table(data)
        self._tx_bytes += arrow.nbytes
        with self._registered(name, arrow) as t:
            self._execute(
                f"INSERT INTO {table} ({', '.join(targets)}) SELECT {', '.join(select)} FROM {t}"
            )

    def measures(self) -> pd.DataFrame:
        """Measures of every measured snapshot, with its revision and source_ref.

        Returns
        -------
        pandas.DataFrame
            The ``measures`` columns (areas km², ``occupied_pct`` in %,
            ``line_km`` km, ``gap_days`` days) plus ``source_ref`` and
            ``revision``; sorted by date, source, revision.
        """
        cols = ", ".join(f"m.{c}" for c in sch.MEASURES_COLUMNS)
        return self._frame(
            f"SELECT {cols}, s.source_ref, s.revision FROM measures m "
            "JOIN snapshots s USING (snapshot_id) ORDER BY m.date, m.source, s.revision"
        )

    def oblast_measures(self, snapshot_id: int | None = None) -> pd.DataFrame:
        """Occupied area per oblast.

        Parameters
        ----------
        snapshot_id : int, optional
            Only this snapshot.

        Returns
        -------
        pandas.DataFrame
            Columns :data:`~garant.store.schema.OBLAST_MEASURES_COLUMNS`
            (``occupied_km2`` km², ``occupied_pct`` % of the oblast); sorted by
            snapshot id and oblast ISO code.
        """
        where, params = (
            ("WHERE snapshot_id = ?", [int(snapshot_id)]) if snapshot_id is not None else ("", [])
        )
        return self._frame(
            f"SELECT {', '.join(sch.OBLAST_MEASURES_COLUMNS)} FROM oblast_measures {where} "
            "ORDER BY snapshot_id, oblast_iso",
            params,
        )

    def lines(self, snapshot_ids: Iterable[int] | None = None) -> gpd.GeoDataFrame:
        """Lines of contact.

        Parameters
        ----------
        snapshot_ids : iterable of int, optional
            Only these snapshots (default: all).

        Returns
        -------
        geopandas.GeoDataFrame
            ``snapshot_id``, ``length_km`` (km) and the line as geometry,
            EPSG:4326, sorted by snapshot id; snapshots without a line are absent.
        """
        where = ""
        if snapshot_ids is not None:
            ids = [int(i) for i in snapshot_ids]
            where = f"WHERE snapshot_id IN ({_int_list(ids)})" if ids else "WHERE false"
        df = self._frame(
            f"SELECT snapshot_id, length_km, ST_AsWKB(geom) AS wkb FROM lines {where} "
            "ORDER BY snapshot_id"
        )
        return _geo_frame(df)

    def changes(
        self, *, since: dt.date | None = None, until: dt.date | None = None
    ) -> gpd.GeoDataFrame:
        """Change polygons (gained / lost) whose ``to_date`` is in [since, until].

        Parameters
        ----------
        since, until : datetime.date, optional
            Inclusive bounds on ``to_date``.

        Returns
        -------
        geopandas.GeoDataFrame
            ``change_id`` and :data:`~garant.store.schema.CHANGES_COLUMNS`
            (``area_km2`` km², ``settlement_distance_km`` km), EPSG:4326,
            sorted by to_date and change id.
        """
        conds, params = [], []
        if since is not None:
            conds.append("to_date >= ?")
            params.append(_as_date(since, "since"))
        if until is not None:
            conds.append("to_date <= ?")
            params.append(_as_date(until, "until"))
        where = f"WHERE {' AND '.join(conds)}" if conds else ""
        df = self._frame(
            f"SELECT {_CHANGES_SELECT} FROM changes {where} ORDER BY to_date, change_id", params
        )
        return _geo_frame(df)

    def snapshots_without_measures(self) -> list[int]:
        """Ids of snapshots that have no ``measures`` row, by date then id."""
        rows = self._execute(
            "SELECT s.snapshot_id FROM snapshots s ANTI JOIN measures m USING (snapshot_id) "
            "ORDER BY s.date, s.snapshot_id"
        ).fetchall()
        return [int(r[0]) for r in rows]

    # -- ceasefire lines -------------------------------------------------------------------

    def save_ceasefire_line(
        self,
        name: str,
        date: dt.date,
        snapshot_id: int,
        line_geom: BaseGeometry,
        occupied_geom: BaseGeometry,
        note: str = "",
        *,
        replace: bool = False,
    ) -> None:
        """Save a frozen line of contact and the occupied territory behind it.

        Parameters
        ----------
        name : str
            Unique name of the line.
        date : datetime.date
            The day whose line was frozen.
        snapshot_id : int
            The snapshot it was frozen from.
        line_geom : BaseGeometry
            The line of contact, (Multi)LineString in EPSG:4326.
        occupied_geom : BaseGeometry
            The occupied territory, (Multi)Polygon in EPSG:4326.
        note : str
            Free text.
        replace : bool
            Overwrite a line of the same name.

        Raises
        ------
        DataError
            The name exists (without ``replace``), is empty, or a geometry is
            empty or of the wrong dimension.
        NotFoundError
            ``snapshot_id`` is not in the store.
        """
        self._check_writable("save a ceasefire line")
        name = str(name).strip()
        if not name:
            raise DataError("ceasefire line: the name is empty")
        day = _as_date(date)
        for what, geom, dim in (("line", line_geom, 1), ("occupied territory", occupied_geom, 2)):
            if not isinstance(geom, BaseGeometry) or geom.is_empty:
                raise DataError(f"ceasefire line {name!r}: the {what} is empty")
            if int(shapely.get_dimensions(geom)) != dim:
                raise DataError(
                    f"ceasefire line {name!r}: the {what} is a {geom.geom_type}, expected "
                    f"{'lines' if dim == 1 else 'polygons'}"
                )
        with self.transaction():
            known = self._execute(
                "SELECT 1 FROM snapshots WHERE snapshot_id = ?", [int(snapshot_id)]
            ).fetchone()
            if known is None:
                raise NotFoundError(self._unknown_ids_message([int(snapshot_id)]))
            exists = self._execute(
                "SELECT 1 FROM ceasefire_lines WHERE name = ?", [name]
            ).fetchone()
            if exists and not replace:
                raise DataError(
                    f"ceasefire line {name!r} exists already; choose another name or replace it"
                )
            self._execute("DELETE FROM ceasefire_lines WHERE name = ?", [name])
            wkb = _wkb([line_geom, occupied_geom])
            self._execute(
                "INSERT INTO ceasefire_lines VALUES (?, ?, ?, ?, ?, ST_GeomFromWKB(?), "
                "ST_GeomFromWKB(?))",
                [name, day, int(snapshot_id), dt.datetime.now(dt.UTC), str(note), *wkb],
            )

    def ceasefire_lines(self) -> gpd.GeoDataFrame:
        """Every ceasefire line (without its occupied territory).

        Returns
        -------
        geopandas.GeoDataFrame
            ``name``, ``date``, ``snapshot_id``, ``created_at`` (UTC), ``note``
            and the line as geometry, EPSG:4326, sorted by date then name.
        """
        df = self._frame(
            "SELECT name, date, snapshot_id, created_at, note, ST_AsWKB(geom) AS wkb "
            "FROM ceasefire_lines ORDER BY date, name"
        )
        return _geo_frame(_utc_columns(df, ("created_at",)))

    def load_ceasefire_line(self, name: str) -> tuple[dict[str, Any], BaseGeometry, BaseGeometry]:
        """One ceasefire line.

        Parameters
        ----------
        name : str

        Returns
        -------
        tuple
            ``(row, line, occupied)``: ``row`` holds ``name``, ``date``,
            ``snapshot_id``, ``created_at`` (aware UTC datetime) and ``note``;
            ``line`` and ``occupied`` are geometries in EPSG:4326.

        Raises
        ------
        NotFoundError
            No line of that name (the message lists the known names).
        """
        row = self._execute(
            "SELECT name, date, snapshot_id, timezone('UTC', created_at), note, "
            "ST_AsWKB(geom), ST_AsWKB(occupied_geom) FROM ceasefire_lines WHERE name = ?",
            [name],
        ).fetchone()
        if row is None:
            names = [
                r[0]
                for r in self._execute("SELECT name FROM ceasefire_lines ORDER BY name").fetchall()
            ]
            known = ", ".join(names) if names else "none saved yet"
            raise NotFoundError(f"ceasefire line {name!r}: unknown (known: {known})")
        line, occupied = _from_wkb(row[5:7])
        info = {
            "name": row[0],
            "date": row[1],
            "snapshot_id": int(row[2]),
            "created_at": row[3].replace(tzinfo=dt.UTC),
            "note": row[4],
        }
        return info, line, occupied

    # -- watch state -----------------------------------------------------------------------

    def watch_versions(self) -> set[int]:
        """Ids of the API map versions ``garant watch`` has ingested.

        Returns
        -------
        set of int
        """
        rows = self._execute("SELECT version_id FROM watch_versions").fetchall()
        return {int(r[0]) for r in rows}

    def record_watch_version(
        self, version_id: int, taken_at: dt.datetime, snapshot_id: int | None
    ) -> None:
        """Remember that an API map version was ingested (idempotent).

        Parameters
        ----------
        version_id : int
            The map version id (its unix time).
        taken_at : datetime.datetime
            The version's time (aware).
        snapshot_id : int or None
            The snapshot it became, None when the store held its content already.
        """
        self._check_writable("record a watched version")
        with self.transaction():
            self._execute(
                "INSERT OR REPLACE INTO watch_versions VALUES (?, ?, ?, ?)",
                [int(version_id), taken_at, snapshot_id, dt.datetime.now(dt.UTC)],
            )

    def watch_alerts_sent(self, ceasefire: str) -> pd.DataFrame:
        """The alerts of a ceasefire line already delivered, one row per sink.

        Parameters
        ----------
        ceasefire : str
            The ceasefire line's name.

        Returns
        -------
        pandas.DataFrame
            ``alert_key``, ``sink``, ``date``, ``sent_at`` (UTC).
        """
        df = self._frame(
            "SELECT alert_key, sink, date, sent_at FROM watch_alerts WHERE ceasefire = ? "
            "ORDER BY sent_at, alert_key",
            [ceasefire],
        )
        return _utc_columns(df, ("sent_at",))

    def record_watch_alert(self, ceasefire: str, alert_key: str, sink: str, date: dt.date) -> None:
        """Remember that an alert was delivered to a sink (idempotent).

        Parameters
        ----------
        ceasefire : str
            The ceasefire line's name.
        alert_key : str
            The alert's key (see :func:`garant.watch.alert_key`).
        sink : str
            ``webhook`` or ``file``.
        date : datetime.date
            The alert's date.
        """
        self._check_writable("record a sent alert")
        with self.transaction():
            self._execute(
                "INSERT OR REPLACE INTO watch_alerts VALUES (?, ?, ?, ?, ?)",
                [ceasefire, alert_key, sink, _as_date(date), dt.datetime.now(dt.UTC)],
            )
