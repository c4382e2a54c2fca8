"""The shared store: PostgreSQL with PostGIS, behind the same interface as DuckDB.

Open it with :func:`garant.store.open_store` and a URL::

    postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?schema=NAME&sslmode=...]

``schema`` (default ``public``) is garant's own URL parameter: the schema that
holds the store's tables, created if absent; every other parameter goes to
libpq. The tables and their meaning are those of :mod:`garant.store.schema`;
geometries are ``geometry(Geometry, 4326)`` columns with GiST indexes, kept
exactly as written (a Polygon stays a Polygon), and views with one fixed
geometry type each let QGIS list the data as layers:

``frontline_line``
    The line of contact, one row per timeline date (``id`` = snapshot id,
    ``date``, ``source``, ``length_km``, ``occupied_km2``), MultiLineString.
``frontline_occupied``
    Occupied territory (the occupied layers collected, not dissolved), one row
    per timeline date, MultiPolygon.
``frontline_changes``
    Gained and lost polygons (``id`` = change id), MultiPolygon.
``ceasefire_line`` / ``ceasefire_occupied``
    Frozen lines and the territory behind them, one row per name.

The frontline measures are computed in Python (shapely, pyproj) by
:mod:`garant.frontline`; this store only stores them. Write transactions are
serialised per schema by an advisory lock, so several garant processes (and
any number of readers, QGIS included) can share one database.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import psycopg
import pyarrow as pa
import shapely
from psycopg import sql as psql
from shapely.geometry.base import BaseGeometry

from garant.errors import ConfigError, DataError, NotFoundError, StoreError
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
from garant.store.duckdb import (
    _as_date,
    _from_wkb,
    _geo_frame,
    _objects,
    _str_or_none,
    _utc_columns,
)

__all__ = [
    "PG_MIGRATIONS",
    "PG_SCHEMA_VERSION",
    "QGIS_VIEWS",
    "PostGISStore",
    "migrate",
    "parse_url",
]

log = logging.getLogger(__name__)

#: Seconds to wait for the server when the URL sets no ``connect_timeout``.
_CONNECT_TIMEOUT_S = 5
_SRID = 4326
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")
_GEOM = f"geometry(Geometry, {_SRID})"
_TEXT = 'text COLLATE "C"'  # byte order, as DuckDB sorts and compares strings

# -- schema ----------------------------------------------------------------------------------

_V1_CORE = (
    f"CREATE TABLE meta (key {_TEXT} PRIMARY KEY, value text NOT NULL)",
    "CREATE SEQUENCE snapshot_id_seq START 1",
    f"""
    CREATE TABLE snapshots (
        snapshot_id integer PRIMARY KEY DEFAULT nextval('snapshot_id_seq'),
        date date NOT NULL,
        source {_TEXT} NOT NULL,
        source_ref {_TEXT} NOT NULL,
        revision integer NOT NULL CHECK (revision >= 1),
        taken_at timestamptz NOT NULL,
        content_hash text NOT NULL,
        polygon_hash text NOT NULL,
        notes text[] NOT NULL,
        ingested_at timestamptz NOT NULL,
        UNIQUE (source, date, revision)
    )
    """,
    "CREATE INDEX snapshots_date ON snapshots (date)",
    f"""
    CREATE TABLE layers (
        snapshot_id integer NOT NULL,
        kind {_TEXT} NOT NULL,
        geom {_GEOM} NOT NULL,
        PRIMARY KEY (snapshot_id, kind)
    )
    """,
    "CREATE INDEX layers_geom ON layers USING gist (geom)",
    f"""
    CREATE TABLE points (
        snapshot_id integer NOT NULL,
        point_index integer NOT NULL,
        kind {_TEXT} NOT NULL,
        key {_TEXT},
        name_uk {_TEXT},
        name_en {_TEXT},
        geom {_GEOM} NOT NULL,
        PRIMARY KEY (snapshot_id, point_index)
    )
    """,
    "CREATE INDEX points_geom ON points USING gist (geom)",
    f"INSERT INTO meta VALUES ('crs', '{sch.CRS}')",
)

_OCCUPIED_IN = ", ".join(f"'{k}'" for k in OCCUPIED_KINDS if k.isidentifier())

_V2_DERIVED = (
    f"""
    CREATE TABLE measures (
        snapshot_id integer PRIMARY KEY,
        date date NOT NULL,
        source {_TEXT} NOT NULL,
        occupied_km2 double precision NOT NULL,
        occupied_pct double precision NOT NULL,
        grey_zone_km2 double precision,
        liberated_km2 double precision,
        line_km double precision NOT NULL,
        prev_snapshot_id integer,
        gap_days integer,
        gained_km2 double precision,
        lost_km2 double precision,
        net_km2 double precision,
        on_timeline boolean NOT NULL
    )
    """,
    f"""
    CREATE TABLE oblast_measures (
        snapshot_id integer NOT NULL,
        oblast_iso {_TEXT} NOT NULL,
        oblast_name {_TEXT} NOT NULL,
        occupied_km2 double precision NOT NULL,
        occupied_pct double precision NOT NULL,
        PRIMARY KEY (snapshot_id, oblast_iso)
    )
    """,
    f"""
    CREATE TABLE lines (
        snapshot_id integer PRIMARY KEY,
        length_km double precision NOT NULL,
        geom {_GEOM}
    )
    """,
    "CREATE INDEX lines_geom ON lines USING gist (geom)",
    "CREATE SEQUENCE change_id_seq START 1",
    f"""
    CREATE TABLE changes (
        change_id integer PRIMARY KEY DEFAULT nextval('change_id_seq'),
        from_snapshot_id integer NOT NULL,
        to_snapshot_id integer NOT NULL,
        from_date date NOT NULL,
        to_date date NOT NULL,
        kind {_TEXT} NOT NULL CHECK (kind IN ('gained', 'lost')),
        area_km2 double precision NOT NULL,
        centroid_lon double precision,
        centroid_lat double precision,
        settlement {_TEXT},
        settlement_distance_km double precision,
        sector {_TEXT},
        geom {_GEOM}
    )
    """,
    "CREATE INDEX changes_to_date ON changes (to_date)",
    "CREATE INDEX changes_to_snapshot ON changes (to_snapshot_id)",
    "CREATE INDEX changes_geom ON changes USING gist (geom)",
    f"""
    CREATE VIEW frontline_line AS
    SELECT l.snapshot_id AS id, m.date, m.source, l.length_km, m.occupied_km2,
           ST_Multi(ST_CollectionExtract(l.geom, 2))::geometry(MultiLineString, {_SRID}) AS geom
    FROM lines l JOIN measures m USING (snapshot_id)
    WHERE m.on_timeline AND l.geom IS NOT NULL
    """,
    f"""
    CREATE VIEW frontline_occupied AS
    SELECT m.snapshot_id AS id, m.date, m.source, m.occupied_km2, m.occupied_pct,
           ST_Multi(ST_CollectionExtract(ST_Collect(y.geom), 3))::geometry(MultiPolygon, {_SRID})
           AS geom
    FROM measures m JOIN layers y USING (snapshot_id)
    WHERE m.on_timeline AND y.kind IN ({_OCCUPIED_IN})
    GROUP BY m.snapshot_id, m.date, m.source, m.occupied_km2, m.occupied_pct
    """,
    f"""
    CREATE VIEW frontline_changes AS
    SELECT change_id AS id, from_date, to_date, kind, area_km2, settlement,
           settlement_distance_km, sector,
           ST_Multi(ST_CollectionExtract(geom, 3))::geometry(MultiPolygon, {_SRID}) AS geom
    FROM changes WHERE geom IS NOT NULL
    """,
)

_V3_CEASEFIRE = (
    f"""
    CREATE TABLE ceasefire_lines (
        name {_TEXT} PRIMARY KEY,
        date date NOT NULL,
        snapshot_id integer NOT NULL,
        created_at timestamptz NOT NULL,
        note text NOT NULL,
        geom {_GEOM} NOT NULL,
        occupied_geom {_GEOM} NOT NULL
    )
    """,
    f"""
    CREATE VIEW ceasefire_line AS
    SELECT name, date, snapshot_id, note,
           ST_Multi(ST_CollectionExtract(geom, 2))::geometry(MultiLineString, {_SRID}) AS geom
    FROM ceasefire_lines
    """,
    f"""
    CREATE VIEW ceasefire_occupied AS
    SELECT name, date, snapshot_id, note,
           ST_Multi(ST_CollectionExtract(occupied_geom, 3))::geometry(MultiPolygon, {_SRID})
           AS geom
    FROM ceasefire_lines
    """,
)

_V4_WATCH = (
    """
    CREATE TABLE watch_versions (
        version_id bigint PRIMARY KEY,
        taken_at timestamptz NOT NULL,
        snapshot_id integer,
        ingested_at timestamptz NOT NULL
    )
    """,
    f"""
    CREATE TABLE watch_alerts (
        ceasefire {_TEXT} NOT NULL,
        alert_key {_TEXT} NOT NULL,
        sink {_TEXT} NOT NULL,
        date date NOT NULL,
        sent_at timestamptz NOT NULL,
        PRIMARY KEY (ceasefire, alert_key, sink)
    )
    """,
)

#: The PostgreSQL schema history: the same versions and tables as
#: :data:`garant.store.schema.MIGRATIONS`, in PostgreSQL's dialect, plus GiST
#: indexes and the QGIS views.
PG_MIGRATIONS: tuple[sch.Migration, ...] = (
    sch.Migration(1, "snapshots, their layers and points; meta", _V1_CORE),
    sch.Migration(
        2,
        "derived frontline data: measures, oblast measures, lines, changes; QGIS views",
        _V2_DERIVED,
    ),
    sch.Migration(3, "ceasefire lines; QGIS views", _V3_CEASEFIRE),
    sch.Migration(4, "watch state: ingested API versions, alerts sent", _V4_WATCH),
)
#: The schema version this garant writes to PostgreSQL.
PG_SCHEMA_VERSION: int = PG_MIGRATIONS[-1].version
#: The views QGIS lists (name -> geometry type).
QGIS_VIEWS: dict[str, str] = {
    "frontline_line": "MULTILINESTRING",
    "frontline_occupied": "MULTIPOLYGON",
    "frontline_changes": "MULTIPOLYGON",
    "ceasefire_line": "MULTILINESTRING",
    "ceasefire_occupied": "MULTIPOLYGON",
}

_SNAPSHOT_COLUMNS = (
    "snapshot_id, date, source, source_ref, revision, taken_at, content_hash, "
    "polygon_hash, notes, ingested_at"
)
_CHANGES_SELECT = (
    "change_id, from_snapshot_id, to_snapshot_id, from_date, to_date, kind, area_km2, "
    "centroid_lon, centroid_lat, settlement, settlement_distance_km, sector, "
    "ST_AsBinary(geom) AS wkb"
)

#: PostgreSQL type OIDs -> Arrow types (others are inferred by Arrow).
_ARROW_TYPES: dict[int, pa.DataType] = {
    16: pa.bool_(),
    17: pa.binary(),
    20: pa.int64(),
    21: pa.int16(),
    23: pa.int32(),
    25: pa.string(),
    700: pa.float32(),
    701: pa.float64(),
    1009: pa.list_(pa.string()),
    1043: pa.string(),
    1082: pa.date32(),
    1114: pa.timestamp("us"),
    1184: pa.timestamp("us", tz="UTC"),
}


# -- URLs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Target:
    """A parsed store URL: what libpq gets, what users see, and the schema."""

    conninfo: str
    display: str
    schema: str
    has_timeout: bool


def parse_url(url: str) -> tuple[str, str, str]:
    """Split a store URL into libpq's URL, a URL to show, and the schema.

    Parameters
    ----------
    url : str
        ``postgresql://`` or ``postgres://`` URL; ``schema=NAME`` in the query
        picks the schema (default ``public``).

    Returns
    -------
    tuple of str
        ``(conninfo, display, schema)``: the URL without ``schema`` (for
        libpq), the URL without its password (for messages), the schema name.

    Raises
    ------
    ConfigError
        Not a PostgreSQL URL, or the schema is not a plain SQL identifier.
    """
    target = _parse(url)
    return target.conninfo, target.display, target.schema


def _parse(url: str) -> _Target:
    parts = urllib.parse.urlsplit(str(url))
    if parts.scheme not in ("postgresql", "postgres"):
        raise ConfigError(f"store URL {url!r}: expected postgresql://USER@HOST/DATABASE")
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    schemas = [v for k, v in query if k == "schema"]
    rest = [(k, v) for k, v in query if k != "schema"]
    schema = schemas[-1] if schemas else "public"
    netloc = parts.netloc.rpartition("@")
    shown_netloc = parts.netloc
    if netloc[1]:
        user = netloc[0].partition(":")[0]
        shown_netloc = f"{user}@{netloc[2]}" if user else netloc[2]
    shown_query = urllib.parse.urlencode([(k, v) for k, v in query if k != "password"])
    display = urllib.parse.urlunsplit((parts.scheme, shown_netloc, parts.path, shown_query, ""))
    if not _IDENT.fullmatch(schema):
        raise ConfigError(
            f"store URL {display}: schema {schema!r} is not a plain SQL identifier "
            "(letters, digits, _; at most 63)"
        )
    conninfo = urllib.parse.urlunsplit(
        (parts.scheme, parts.netloc, parts.path, urllib.parse.urlencode(rest), "")
    )
    return _Target(conninfo, display, schema, any(k == "connect_timeout" for k, _ in rest))


def _reason(exc: BaseException) -> str:
    """One line from a psycopg error."""
    text = str(exc).strip()
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if not lines:
        return type(exc).__name__
    # libpq prefixes connection failures with the address it tried.
    msg = lines[0]
    if msg.startswith("connection failed:") or "connection to server at" in msg:
        tail = [ln for ln in lines if not ln.startswith("Is the server")]
        msg = " ".join(tail)
    return msg.removeprefix("connection failed: ")


# -- values ----------------------------------------------------------------------------------


def _ewkb_hex(geoms: Iterable[BaseGeometry | None]) -> list[str | None]:
    """Hex EWKB with SRID 4326 (what a ``geometry`` column reads in COPY); None stays None."""
    items = list(geoms)
    arr = _objects(items)
    if not len(arr):
        return []
    mask = np.array([g is not None for g in items], dtype=bool)
    out: list[str | None] = [None] * len(arr)
    if mask.any():
        with_srid = shapely.set_srid(arr[mask], _SRID)
        # binary WKB, then bytes.hex(): ten times faster than GEOS's hex writer
        blobs = shapely.to_wkb(with_srid, include_srid=True)
        for i, blob in zip(np.flatnonzero(mask), blobs, strict=True):
            out[int(i)] = blob.hex()
    return out


def _is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float | np.floating) and bool(np.isnan(value))


def _text(value: object, sql_type: str) -> str | None:
    """One value as COPY text for a column of ``sql_type`` (the server parses it)."""
    if _is_missing(value):
        return None
    if sql_type == "INTEGER" and isinstance(value, float | np.floating) and value.is_integer():
        return str(int(value))
    if sql_type == "DATE" and isinstance(value, dt.datetime | pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    return str(value)


class PostGISStore:
    """garant's shared store in a PostgreSQL database with PostGIS.

    Open it with :func:`garant.store.open_store`; see :class:`garant.store.Store`
    for the protocol it implements and
    :class:`~garant.store.duckdb.DuckDBStore` for the semantics, which are the
    same (one transaction per write, revisions, migrations). Differences: ids
    taken by a rolled-back write are not reused (PostgreSQL sequences), and
    several processes may write (one transaction at a time per schema).

    Parameters
    ----------
    url : str
        ``postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?schema=NAME]``.
    read_only : bool
        Refuse every write (also enforced by the server:
        ``default_transaction_read_only``).

    Raises
    ------
    ConfigError
        A malformed URL or schema name.
    StoreError
        The server cannot be reached or refuses the login, the database lacks
        PostGIS (and it cannot be created), the schema holds other tables or a
        newer garant schema, or a read-only store is missing or needs migrating.
    """

    def __init__(self, url: str, *, read_only: bool = False) -> None:
        self._target = _parse(url)
        self._read_only = read_only
        self._tx_depth = 0
        self._tx_failed = False
        self._con: psycopg.Connection[Any] | None = None
        con = self._connect()
        try:
            self._schema_version = self._prepare(con)
        except BaseException:
            con.close()
            raise
        self._con = con
        log.debug(
            "opened %s (schema v%d, read_only=%s)", self.path, self._schema_version, read_only
        )

    # -- opening -----------------------------------------------------------------------------

    def _connect(self) -> psycopg.Connection[Any]:
        kwargs: dict[str, Any] = {"autocommit": True, "application_name": "garant"}
        if not self._target.has_timeout:
            kwargs["connect_timeout"] = _CONNECT_TIMEOUT_S
        try:
            con = psycopg.connect(self._target.conninfo, **kwargs)
        except psycopg.Error as exc:
            raise StoreError(f"{self.path}: cannot connect to PostgreSQL ({_reason(exc)})") from exc
        try:
            con.execute("SET TIME ZONE 'UTC'")
            if self._read_only:
                con.execute("SET default_transaction_read_only = on")
        except psycopg.Error as exc:  # pragma: no cover - plain session settings
            con.close()
            raise StoreError(f"{self.path}: cannot configure the session ({_reason(exc)})") from exc
        return con

    def _postgis_schema(self, con: psycopg.Connection[Any]) -> str:
        """The schema of the PostGIS extension, installing it if needed and allowed."""
        row = con.execute(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname = 'postgis'"
        ).fetchone()
        if row is not None:
            return str(row[0])
        if self._read_only:
            raise StoreError(f"{self.path}: the database has no PostGIS extension")
        try:
            con.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        except psycopg.Error as exc:
            raise StoreError(
                f"{self.path}: the database has no PostGIS extension and this role cannot "
                f"create it (ask its owner to run CREATE EXTENSION postgis; {_reason(exc)})"
            ) from exc
        return self._postgis_schema(con)

    def _prepare(self, con: psycopg.Connection[Any]) -> int:
        """Check the schema and bring it up to date; return its version."""
        name = self._target.schema
        try:
            ext_schema = self._postgis_schema(con)
            path = [name] if ext_schema == name else [name, ext_schema]
            con.execute(
                psql.SQL("SET search_path TO {}").format(
                    psql.SQL(", ").join(psql.Identifier(p) for p in path)
                )
            )
            version = self._read_version(con)
        except psycopg.Error as exc:
            raise StoreError(f"{self.path}: not a readable garant store ({_reason(exc)})") from exc
        if version > PG_SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: schema version {version} is newer than this garant supports "
                f"({PG_SCHEMA_VERSION}); upgrade garant"
            )
        if version == PG_SCHEMA_VERSION:
            return version
        if self._read_only:
            what = "holds no garant store" if version == 0 else f"has schema version {version}"
            raise StoreError(
                f"{self.path}: schema {name} {what} (current: {PG_SCHEMA_VERSION}); open it "
                "once without read-only to create or migrate it (or run `garant ingest`)"
            )
        try:
            con.execute("BEGIN")
            self._lock(con)
            con.execute(psql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(psql.Identifier(name)))
            version = self._read_version(con)  # another process may have migrated meanwhile
            applied = migrate(con, version) if version < PG_SCHEMA_VERSION else []
            con.execute("COMMIT")
        except psycopg.Error as exc:
            con.execute("ROLLBACK")
            raise StoreError(
                f"{self.path}: migrating the schema from v{version} to v{PG_SCHEMA_VERSION} "
                f"failed ({_reason(exc)})"
            ) from exc
        except BaseException:
            con.execute("ROLLBACK")
            raise
        if version > 0 and applied:
            log.info(
                "%s: migrated schema v%d -> v%d (%s)", self.path, version, applied[-1], applied
            )
        return PG_SCHEMA_VERSION

    def _read_version(self, con: psycopg.Connection[Any]) -> int:
        """0 for a schema without tables (or no schema), else the recorded version."""
        name = self._target.schema
        tables = {
            str(r[0])
            for r in con.execute(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = %s AND c.relkind IN ('r', 'p', 'v', 'm', 'f') "
                "AND NOT EXISTS (SELECT 1 FROM pg_depend d "
                "                WHERE d.objid = c.oid AND d.deptype = 'e')",
                [name],
            ).fetchall()
        }
        if not tables:
            return 0
        if "meta" not in tables:
            shown = ", ".join(sorted(tables)[:5])
            raise StoreError(
                f"{self.path}: not a readable garant store (schema {name} holds other tables "
                f"and no meta table: {shown}); choose another schema with ?schema=NAME"
            )
        row = con.execute(
            psql.SQL("SELECT value FROM {}.meta WHERE key = 'schema_version'").format(
                psql.Identifier(name)
            )
        ).fetchone()
        if row is None:
            raise StoreError(
                f"{self.path}: not a readable garant store (meta holds no schema_version)"
            )
        try:
            version = int(row[0])
        except ValueError:
            raise StoreError(
                f"{self.path}: not a readable garant store (schema_version {row[0]!r} is not "
                "an integer)"
            ) from None
        if version < 1:
            raise StoreError(
                f"{self.path}: not a readable garant store (schema_version {version} < 1)"
            )
        return version

    def _lock(self, con: psycopg.Connection[Any]) -> None:
        """Take the schema's write lock until the end of the transaction."""
        con.execute(
            "SELECT pg_advisory_xact_lock(hashtext('garant:' || %s))", [self._target.schema]
        )

    # -- basics ------------------------------------------------------------------------------

    @property
    def path(self) -> str:
        """The store's URL, without its password."""
        return self._target.display

    @property
    def schema(self) -> str:
        """The PostgreSQL schema that holds the store's tables."""
        return self._target.schema

    @property
    def schema_version(self) -> int:
        """The store's schema version (:data:`PG_SCHEMA_VERSION`)."""
        return self._schema_version

    @property
    def read_only(self) -> bool:
        """Whether the store refuses writes."""
        return self._read_only

    def __repr__(self) -> str:
        mode = "read-only" if self._read_only else "read-write"
        state = "closed" if self._con is None else mode
        return f"PostGISStore({self.path!r}, {state}, schema v{self._schema_version})"

    def __enter__(self) -> PostGISStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection (an open transaction is rolled back). Idempotent."""
        if self._con is not None:
            self._con.close()
            self._con = None
            self._tx_depth = 0

    @property
    def _db(self) -> psycopg.Connection[Any]:
        if self._con is None:
            raise StoreError(f"{self.path}: the store is closed")
        return self._con

    def _execute(
        self, query: Any, params: Sequence[Any] | dict[str, Any] | None = None
    ) -> psycopg.Cursor[Any]:
        """Run SQL (binary results); outside a transaction an error becomes a StoreError."""
        try:
            return self._db.execute(query, params, binary=True)
        except psycopg.Error as exc:
            if self._tx_depth:
                raise
            raise StoreError(f"{self.path}: {_reason(exc)}") from exc

    def _frame(
        self, query: Any, params: Sequence[Any] | dict[str, Any] | None = None
    ) -> pd.DataFrame:
        """Run a query and return a DataFrame with DuckDB's dtypes (through Arrow)."""
        cur = self._execute(query, params)
        if cur.description is None:  # a statement without a result (UPDATE, SET, ...)
            return pd.DataFrame()
        desc = cur.description
        rows = cur.fetchall()
        columns: dict[str, Any] = {}
        for i, col in enumerate(desc):
            values = [r[i] for r in rows]
            try:
                columns[col.name] = pa.array(values, _ARROW_TYPES.get(col.type_code)).to_pandas()
            except (pa.ArrowException, TypeError, ValueError):  # mixed values in ad-hoc SQL
                columns[col.name] = pd.Series(_objects(values), dtype=object)
        return pd.DataFrame(columns, index=pd.RangeIndex(len(rows)))

    def _check_writable(self, action: str) -> None:
        if self._read_only:
            raise StoreError(f"{self.path}: opened read-only; cannot {action}")

    def sql(self, query: str, params: Sequence[Any] | dict[str, Any] | None = None) -> pd.DataFrame:
        """Run ad-hoc SQL (PostGIS functions available) and return a DataFrame.

        Parameters
        ----------
        query : str
            SQL; use ``%s`` or ``%(name)s`` placeholders for values.
            Select geometries with ``ST_AsBinary(geom)`` to get WKB ``bytes``.
        params : sequence or dict, optional
            The placeholder values.

        Returns
        -------
        pandas.DataFrame
        """
        return self._frame(query, params)

    # -- transactions ------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Group writes: ``BEGIN`` ... ``COMMIT``, ``ROLLBACK`` on any exception.

        Takes the schema's write lock (other garant writers wait; readers do
        not). Nested uses join the outer transaction; if an inner block fails,
        the whole transaction is rolled back even when the caller catches the
        error.

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
            except psycopg.Error as exc:
                self._tx_failed = True
                raise StoreError(
                    f"{self.path}: write failed, rolled back ({_reason(exc)})"
                ) from exc
            except BaseException:
                self._tx_failed = True
                raise
            finally:
                self._tx_depth -= 1
            return
        self._execute("BEGIN")
        self._tx_depth, self._tx_failed = 1, False
        try:
            self._lock(self._db)
            yield
        except psycopg.Error as exc:
            self._rollback()
            raise StoreError(f"{self.path}: write failed, rolled back ({_reason(exc)})") from exc
        except BaseException:
            self._rollback()
            raise
        else:
            if self._tx_failed:
                self._rollback()
                raise StoreError(
                    f"{self.path}: rolled back: a nested block of the transaction failed"
                )
            try:
                self._db.execute("COMMIT")
            except psycopg.Error as exc:
                self._rollback()
                raise StoreError(f"{self.path}: commit failed ({_reason(exc)})") from exc
        finally:
            self._tx_depth, self._tx_failed = 0, False

    def _rollback(self) -> None:
        if self._con is None:
            return
        try:
            self._con.execute("ROLLBACK")
        except psycopg.Error as exc:  # pragma: no cover - nothing to roll back
            log.debug("rollback: %s", exc)

    def _copy(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """``COPY table (columns) FROM STDIN`` with text values (the server parses them)."""
        stmt = psql.SQL("COPY {} ({}) FROM STDIN").format(
            psql.Identifier(table), psql.SQL(", ").join(psql.Identifier(c) for c in columns)
        )
        with self._db.cursor() as cur, cur.copy(stmt) as copy:
            for row in rows:
                copy.write_row(row)

    # -- snapshots: writing ------------------------------------------------------------------

    def add_snapshots(
        self,
        snapshots: Iterable[Snapshot],
        *,
        progress: Callable[[int], None] | None = None,
        occupied: dict[int, BaseGeometry] | None = None,
    ) -> IngestResult:
        """Add snapshots, incrementally and idempotently, in ONE transaction.

        As :meth:`garant.store.duckdb.DuckDBStore.add_snapshots`: content
        already stored is a no-op, a new (source, date) is revision 1, other
        content for a stored (source, date) the next revision; a failure leaves
        the store as before.

        Parameters
        ----------
        snapshots : iterable of Snapshot
            Snapshots from any source (a generator is consumed once).
        progress : callable, optional
            Called with ``1`` after each snapshot is read.
        occupied : dict, optional
            Filled with snapshot id -> occupied territory of each snapshot written.

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
        log.info("%s: %s", self.path, result.summary())
        return result

    def _revision_state(self) -> dict[tuple[str, dt.date], tuple[int, set[str]]]:
        rows = self._execute(
            "SELECT source, date, max(revision), array_agg(content_hash) FROM snapshots "
            "GROUP BY source, date"
        ).fetchall()
        return {(r[0], r[1]): (int(r[2]), set(r[3])) for r in rows}

    def _insert_snapshots(self, pending: Sequence[tuple[Snapshot, int, str]]) -> list[int]:
        """Write snapshots with their layers and points; return their new ids."""
        n = len(pending)
        ids = [
            int(r[0])
            for r in self._execute(
                "SELECT nextval('snapshot_id_seq') FROM generate_series(1, %s) ORDER BY 1", [n]
            ).fetchall()
        ]
        now = dt.datetime.now(dt.UTC).isoformat()
        self._copy(
            "snapshots",
            [c.strip() for c in _SNAPSHOT_COLUMNS.split(",")],
            (
                (
                    str(sid),
                    s.date.isoformat(),
                    s.source,
                    s.source_ref,
                    str(rev),
                    s.taken_at.isoformat(),
                    s.content_hash,
                    phash,
                    list(s.notes),
                    now,
                )
                for sid, (s, rev, phash) in zip(ids, pending, strict=True)
            ),
        )
        layer_rows: list[tuple[str, str]] = []
        layer_geoms: list[BaseGeometry] = []
        point_rows: list[list[str | None]] = []
        point_geoms: list[BaseGeometry] = []
        for sid, (snap, _rev, _phash) in zip(ids, pending, strict=True):
            for kind, geom in snap.layers.items():
                layer_rows.append((str(sid), kind))
                layer_geoms.append(geom)
            pts = snap.points
            if len(pts):
                cols = [pts[c].tolist() for c in POINT_COLUMNS]
                for i in range(len(pts)):
                    point_rows.append([str(sid), str(i), *(_str_or_none(c[i]) for c in cols)])
                point_geoms.extend(np.asarray(pts.geometry.values, dtype=object).tolist())
        self._copy(
            "layers",
            ["snapshot_id", "kind", "geom"],
            ((*r, g) for r, g in zip(layer_rows, _ewkb_hex(layer_geoms), strict=True)),
        )
        if point_rows:
            self._copy(
                "points",
                ["snapshot_id", "point_index", *POINT_COLUMNS, "geom"],
                ((*r, g) for r, g in zip(point_rows, _ewkb_hex(point_geoms), strict=True)),
            )
        return ids

    # -- snapshots: reading ------------------------------------------------------------------

    def snapshots(self, *, source: str | None = None) -> pd.DataFrame:
        """Every stored snapshot (every revision), without geometry.

        Parameters
        ----------
        source : str, optional
            Only this source.

        Returns
        -------
        pandas.DataFrame
            As :meth:`garant.store.duckdb.DuckDBStore.snapshots`.
        """
        where, params = ("WHERE source = %s", [source]) if source is not None else ("", [])
        df = self._frame(
            f"SELECT {_SNAPSHOT_COLUMNS} FROM snapshots {where} ORDER BY date, source, revision",
            params,
        )
        df["notes"] = [list(v) for v in df["notes"]]
        return _utc_columns(df, ("taken_at", "ingested_at"))

    @staticmethod
    def _timeline_sql(columns: str = _SNAPSHOT_COLUMNS, where: str = "") -> str:
        """The timeline query; binds ``%(priority)s`` (a list of sources)."""
        return (
            f"SELECT {columns} FROM ("
            f"  SELECT *, row_number() OVER (PARTITION BY date ORDER BY "
            f"    coalesce(array_position(%(priority)s::text[], source::text), 1000000), source, "
            f"    revision DESC) AS rank_in_day"
            f"  FROM snapshots {where}"
            f") ranked WHERE rank_in_day = 1 ORDER BY date"
        )

    def timeline(self, priority: Sequence[str] | None = None) -> pd.DataFrame:
        """One snapshot per date: the preferred source, its latest revision.

        Parameters
        ----------
        priority : sequence of str, optional
            Sources, preferred first (default: ``Settings.source_priority``).

        Returns
        -------
        pandas.DataFrame
            Columns as :meth:`snapshots`, one row per date, sorted by date.
        """
        df = self._frame(self._timeline_sql(), {"priority": self._priority(priority)})
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
            "SELECT date, taken_at, source, source_ref, content_hash, notes "
            "FROM snapshots WHERE snapshot_id = %s",
            [sid],
        ).fetchone()
        if row is None:
            raise NotFoundError(self._unknown_ids_message([sid]))
        order = {k: i for i, k in enumerate(POLYGON_KINDS)}
        layer_rows = self._execute(
            "SELECT kind, ST_AsBinary(geom) FROM layers WHERE snapshot_id = %s", [sid]
        ).fetchall()
        layer_rows.sort(key=lambda r: order.get(r[0], len(order)))
        geoms = _from_wkb(r[1] for r in layer_rows)
        layers = {r[0]: g for r, g in zip(layer_rows, geoms, strict=True)}
        pts = self._frame(
            "SELECT kind, key, name_uk, name_en, ST_AsBinary(geom) AS wkb FROM points "
            "WHERE snapshot_id = %s ORDER BY point_index",
            [sid],
        )
        points = _geo_frame(pts) if len(pts) else empty_points()
        return Snapshot(
            date=row[0],
            taken_at=row[1].astimezone(dt.UTC),
            source=row[2],
            source_ref=row[3],
            layers=layers,
            points=points,
            content_hash=row[4],
            notes=tuple(row[5]),
        )

    def load_occupied(self, snapshot_ids: Iterable[int]) -> dict[int, BaseGeometry]:
        """Occupied territory (union of the occupied kinds) per snapshot.

        Parameters
        ----------
        snapshot_ids : iterable of int

        Returns
        -------
        dict
            snapshot id -> (Multi)Polygon in EPSG:4326, in the order asked.

        Raises
        ------
        NotFoundError
            Some ids are not in the store (the message lists them).
        """
        ids = list(dict.fromkeys(int(i) for i in snapshot_ids))
        if not ids:
            return {}
        rows = self._execute(
            "SELECT snapshot_id, ST_AsBinary(geom) FROM layers "
            "WHERE kind = ANY(%s::text[]) AND snapshot_id = ANY(%s::integer[]) "
            "ORDER BY snapshot_id, kind",
            [list(OCCUPIED_KINDS), ids],
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
            return f"{noun} {shown}: not in {self.path} (the store holds no snapshots)"
        return f"{noun} {shown}: not in {self.path} (ids {row[0]}..{row[1]}, {row[2]} snapshots)"

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
            Only this source (its latest revision); default: the timeline's.

        Returns
        -------
        int

        Raises
        ------
        NotFoundError
            No snapshot for that day; names the nearest dates and the range.
        """
        day = _as_date(date)
        if source is None:
            row = self._execute(
                self._timeline_sql("snapshot_id", "WHERE date = %(day)s"),
                {"day": day, "priority": self._priority(None)},
            ).fetchone()
        else:
            row = self._execute(
                "SELECT snapshot_id FROM snapshots WHERE date = %s AND source = %s "
                "ORDER BY revision DESC LIMIT 1",
                [day, source],
            ).fetchone()
        if row is not None:
            return int(row[0])
        where, params = ("WHERE source = %s", [source]) if source else ("", [])
        rng = self._execute(
            "SELECT min(date), max(date), max(date) FILTER (WHERE date < %s), "
            f"min(date) FILTER (WHERE date > %s) FROM snapshots {where}",
            [day, day, *params],
        ).fetchone()
        what = f"no snapshot for {day.isoformat()}" + (f" from {source}" if source else "")
        if rng is None or rng[0] is None:
            held = f"from {source}" if source else "at all"
            raise NotFoundError(f"{what}: {self.path} holds no snapshots {held}")
        near = ", ".join(
            f"{label} {d.isoformat()}"
            for label, d in zip(("before:", "after:"), rng[2:], strict=True)
            if d
        )
        raise NotFoundError(
            f"{what} (store covers {rng[0].isoformat()} .. {rng[1].isoformat()}; nearest {near})"
        )

    # -- derived data ------------------------------------------------------------------------

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

        As :meth:`garant.store.duckdb.DuckDBStore.replace_derived`.

        Parameters
        ----------
        measures : pandas.DataFrame
            Columns :data:`~garant.store.schema.MEASURES_COLUMNS` (km², %, km).
        oblast_measures : pandas.DataFrame
            Columns :data:`~garant.store.schema.OBLAST_MEASURES_COLUMNS`.
        lines : geopandas.GeoDataFrame
            ``snapshot_id``, ``length_km`` and the line of contact as geometry.
        changes : geopandas.GeoDataFrame
            Columns :data:`~garant.store.schema.CHANGES_COLUMNS`.
        snapshot_ids : sequence of int, optional
            The snapshots being replaced (default: every row is replaced).

        Raises
        ------
        DataError
            Missing columns, rows outside ``snapshot_ids``, unknown snapshot
            ids, duplicate keys or an unknown change kind.
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
                    self._execute(f"DELETE FROM {table} WHERE {col} = ANY(%s::integer[])", [ids])
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
                    "SELECT snapshot_id FROM snapshots WHERE snapshot_id = ANY(%s::integer[])",
                    [ids],
                ).fetchall()
            }

        check_derived_rows(measures, oblast_measures, lines, changes, snapshot_ids, known)

    def _insert_frame(self, table: str, df: pd.DataFrame, columns: Sequence[str]) -> None:
        if len(df) == 0:
            return
        plain = [c for c in columns if c != "geometry"]
        values = [
            [_text(v, sch.COLUMN_TYPES.get(c, "VARCHAR")) for v in df[c].tolist()] for c in plain
        ]
        targets = list(plain)
        if "geometry" in columns:
            geoms = (
                df.geometry if isinstance(df, gpd.GeoDataFrame) else gpd.GeoSeries(df["geometry"])
            )
            if geoms.crs is not None and not geoms.crs.equals("EPSG:4326"):
                geoms = geoms.to_crs(4326)
            values.append(_ewkb_hex(np.asarray(geoms.values, dtype=object).tolist()))
            targets.append("geom")
        self._copy(table, targets, zip(*values, strict=True))

    def measures(self) -> pd.DataFrame:
        """Measures of every measured snapshot, with its revision and source_ref.

        Returns
        -------
        pandas.DataFrame
            As :meth:`garant.store.duckdb.DuckDBStore.measures`.
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
            Columns :data:`~garant.store.schema.OBLAST_MEASURES_COLUMNS`, by
            snapshot id and oblast ISO code.
        """
        where, params = (
            ("WHERE snapshot_id = %s", [int(snapshot_id)]) if snapshot_id is not None else ("", [])
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
            ``snapshot_id``, ``length_km`` (km) and the line, EPSG:4326, by snapshot id.
        """
        where, params = "", []
        if snapshot_ids is not None:
            where, params = (
                "WHERE snapshot_id = ANY(%s::integer[])",
                [[int(i) for i in snapshot_ids]],
            )
        df = self._frame(
            f"SELECT snapshot_id, length_km, ST_AsBinary(geom) AS wkb FROM lines {where} "
            "ORDER BY snapshot_id",
            params,
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
            ``change_id`` and :data:`~garant.store.schema.CHANGES_COLUMNS`,
            EPSG:4326, by to_date and change id.
        """
        conds: list[str] = []
        params: list[dt.date] = []
        if since is not None:
            conds.append("to_date >= %s")
            params.append(_as_date(since, "since"))
        if until is not None:
            conds.append("to_date <= %s")
            params.append(_as_date(until, "until"))
        where = f"WHERE {' AND '.join(conds)}" if conds else ""
        df = self._frame(
            f"SELECT {_CHANGES_SELECT} FROM changes {where} ORDER BY to_date, change_id", params
        )
        return _geo_frame(df)

    def snapshots_without_measures(self) -> list[int]:
        """Ids of snapshots that have no ``measures`` row, by date then id."""
        rows = self._execute(
            "SELECT s.snapshot_id FROM snapshots s WHERE NOT EXISTS "
            "(SELECT 1 FROM measures m WHERE m.snapshot_id = s.snapshot_id) "
            "ORDER BY s.date, s.snapshot_id"
        ).fetchall()
        return [int(r[0]) for r in rows]

    # -- ceasefire lines ---------------------------------------------------------------------

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

        As :meth:`garant.store.duckdb.DuckDBStore.save_ceasefire_line`.

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
                "SELECT 1 FROM snapshots WHERE snapshot_id = %s", [int(snapshot_id)]
            ).fetchone()
            if known is None:
                raise NotFoundError(self._unknown_ids_message([int(snapshot_id)]))
            exists = self._execute(
                "SELECT 1 FROM ceasefire_lines WHERE name = %s", [name]
            ).fetchone()
            if exists and not replace:
                raise DataError(
                    f"ceasefire line {name!r} exists already; choose another name or replace it"
                )
            self._execute("DELETE FROM ceasefire_lines WHERE name = %s", [name])
            line_hex, occupied_hex = _ewkb_hex([line_geom, occupied_geom])
            self._execute(
                "INSERT INTO ceasefire_lines VALUES (%s, %s, %s, %s, %s, %s::geometry, "
                "%s::geometry)",
                [name, day, int(snapshot_id), dt.datetime.now(dt.UTC), str(note), line_hex,
                 occupied_hex],
            )  # fmt: skip

    def ceasefire_lines(self) -> gpd.GeoDataFrame:
        """Every ceasefire line (without its occupied territory).

        Returns
        -------
        geopandas.GeoDataFrame
            ``name``, ``date``, ``snapshot_id``, ``created_at`` (UTC), ``note``
            and the line, EPSG:4326, by date then name.
        """
        df = self._frame(
            "SELECT name, date, snapshot_id, created_at, note, ST_AsBinary(geom) AS wkb "
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
            ``(row, line, occupied)`` as
            :meth:`garant.store.duckdb.DuckDBStore.load_ceasefire_line`.

        Raises
        ------
        NotFoundError
            No line of that name (the message lists the known names).
        """
        row = self._execute(
            "SELECT name, date, snapshot_id, created_at, note, ST_AsBinary(geom), "
            "ST_AsBinary(occupied_geom) FROM ceasefire_lines WHERE name = %s",
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
            "created_at": row[3].astimezone(dt.UTC),
            "note": row[4],
        }
        return info, line, occupied

    # -- watch state -------------------------------------------------------------------------

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
                "INSERT INTO watch_versions VALUES (%s, %s, %s, %s) ON CONFLICT (version_id) "
                "DO UPDATE SET taken_at = EXCLUDED.taken_at, snapshot_id = EXCLUDED.snapshot_id, "
                "ingested_at = EXCLUDED.ingested_at",
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
            "SELECT alert_key, sink, date, sent_at FROM watch_alerts WHERE ceasefire = %s "
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
                "INSERT INTO watch_alerts VALUES (%s, %s, %s, %s, %s) "
                "ON CONFLICT (ceasefire, alert_key, sink) "
                "DO UPDATE SET date = EXCLUDED.date, sent_at = EXCLUDED.sent_at",
                [ceasefire, alert_key, sink, _as_date(date), dt.datetime.now(dt.UTC)],
            )


def migrate(
    con: psycopg.Connection[Any], current: int, *, target: int = PG_SCHEMA_VERSION
) -> list[int]:
    """Apply the PostgreSQL migration steps after ``current`` up to ``target``.

    The caller owns the transaction and has set ``search_path`` to the store's
    schema (then PostGIS's).

    Parameters
    ----------
    con : psycopg.Connection
        A writable connection.
    current : int
        The store's schema version (0 for an empty schema).
    target : int
        The version to reach (tests pass an older one to build old stores).

    Returns
    -------
    list of int
        The versions applied, in order.
    """
    if not 0 <= current <= target <= PG_SCHEMA_VERSION:
        raise ValueError(f"cannot migrate from {current} to {target} (latest {PG_SCHEMA_VERSION})")
    applied: list[int] = []
    for step in PG_MIGRATIONS:
        if current < step.version <= target:
            log.info("store schema v%d: %s", step.version, step.description)
            for stmt in step.statements:
                con.execute(stmt)
            applied.append(step.version)
    if applied:
        con.execute(
            "INSERT INTO meta VALUES ('schema_version', %s) "
            "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            [str(applied[-1])],
        )
    return applied
