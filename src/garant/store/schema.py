"""Tables of the embedded store, and the migrations that build them.

The schema is the sum of its migration steps: a new store file applies every
step from version 0 (an empty database); an older file applies the steps it
lacks. Each step runs inside the caller's transaction, so a failed migration
leaves the file as it was. The version lives in the ``meta`` table
(``key = 'schema_version'``).

Geometries are DuckDB ``GEOMETRY`` values in EPSG:4326 (lon, lat), written
with ``ST_GeomFromWKB`` and read with ``ST_AsWKB``; the CRS is recorded in
``meta`` (``key = 'crs'``) because DuckDB 1.5 does not persist a CRS on the
column type. Areas are km² (computed in EPSG:6933 by the frontline engine),
lengths km.

To change the schema, append a :class:`Migration` to :data:`MIGRATIONS`; never
edit a step that has shipped.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from garant.errors import StoreError

if TYPE_CHECKING:
    import duckdb

__all__ = [
    "CHANGES_COLUMNS",
    "CRS",
    "LINES_COLUMNS",
    "MEASURES_COLUMNS",
    "MIGRATIONS",
    "OBLAST_MEASURES_COLUMNS",
    "SCHEMA_VERSION",
    "Migration",
    "migrate",
    "read_schema_version",
]

log = logging.getLogger(__name__)

#: The CRS of every stored geometry.
CRS = "EPSG:4326"


@dataclass(frozen=True)
class Migration:
    """One step of the schema history.

    Attributes
    ----------
    version : int
        The schema version the store has after this step.
    description : str
        What the step does (logged when it runs).
    statements : tuple of str
        SQL statements, run in order inside one transaction.
    """

    version: int
    description: str
    statements: tuple[str, ...]


_V1_CORE = (
    """
    CREATE TABLE meta (
        key VARCHAR PRIMARY KEY,
        value VARCHAR NOT NULL
    )
    """,
    "CREATE SEQUENCE snapshot_id_seq START 1",
    """
    CREATE TABLE snapshots (
        snapshot_id INTEGER PRIMARY KEY DEFAULT nextval('snapshot_id_seq'),
        date DATE NOT NULL,
        source VARCHAR NOT NULL,
        source_ref VARCHAR NOT NULL,
        revision INTEGER NOT NULL CHECK (revision >= 1),
        taken_at TIMESTAMPTZ NOT NULL,
        content_hash VARCHAR NOT NULL,
        polygon_hash VARCHAR NOT NULL,
        notes VARCHAR[] NOT NULL,
        ingested_at TIMESTAMPTZ NOT NULL,
        UNIQUE (source, date, revision)
    )
    """,
    """
    CREATE TABLE layers (
        snapshot_id INTEGER NOT NULL,
        kind VARCHAR NOT NULL,
        geom GEOMETRY NOT NULL,
        PRIMARY KEY (snapshot_id, kind)
    )
    """,
    """
    CREATE TABLE points (
        snapshot_id INTEGER NOT NULL,
        point_index INTEGER NOT NULL,
        kind VARCHAR NOT NULL,
        key VARCHAR,
        name_uk VARCHAR,
        name_en VARCHAR,
        geom GEOMETRY NOT NULL,
        PRIMARY KEY (snapshot_id, point_index)
    )
    """,
    f"INSERT INTO meta VALUES ('crs', '{CRS}')",
)

_V2_DERIVED = (
    """
    CREATE TABLE measures (
        snapshot_id INTEGER PRIMARY KEY,
        date DATE NOT NULL,
        source VARCHAR NOT NULL,
        occupied_km2 DOUBLE NOT NULL,
        occupied_pct DOUBLE NOT NULL,
        grey_zone_km2 DOUBLE,
        liberated_km2 DOUBLE,
        line_km DOUBLE NOT NULL,
        prev_snapshot_id INTEGER,
        gap_days INTEGER,
        gained_km2 DOUBLE,
        lost_km2 DOUBLE,
        net_km2 DOUBLE,
        on_timeline BOOLEAN NOT NULL
    )
    """,
    """
    CREATE TABLE oblast_measures (
        snapshot_id INTEGER NOT NULL,
        oblast_iso VARCHAR NOT NULL,
        oblast_name VARCHAR NOT NULL,
        occupied_km2 DOUBLE NOT NULL,
        occupied_pct DOUBLE NOT NULL,
        PRIMARY KEY (snapshot_id, oblast_iso)
    )
    """,
    """
    CREATE TABLE lines (
        snapshot_id INTEGER PRIMARY KEY,
        length_km DOUBLE NOT NULL,
        geom GEOMETRY
    )
    """,
    "CREATE SEQUENCE change_id_seq START 1",
    """
    CREATE TABLE changes (
        change_id INTEGER PRIMARY KEY DEFAULT nextval('change_id_seq'),
        from_snapshot_id INTEGER NOT NULL,
        to_snapshot_id INTEGER NOT NULL,
        from_date DATE NOT NULL,
        to_date DATE NOT NULL,
        kind VARCHAR NOT NULL CHECK (kind IN ('gained', 'lost')),
        area_km2 DOUBLE NOT NULL,
        centroid_lon DOUBLE,
        centroid_lat DOUBLE,
        settlement VARCHAR,
        settlement_distance_km DOUBLE,
        sector VARCHAR,
        geom GEOMETRY
    )
    """,
)

_V3_CEASEFIRE = (
    """
    CREATE TABLE ceasefire_lines (
        name VARCHAR PRIMARY KEY,
        date DATE NOT NULL,
        snapshot_id INTEGER NOT NULL,
        created_at TIMESTAMPTZ NOT NULL,
        note VARCHAR NOT NULL,
        geom GEOMETRY NOT NULL,
        occupied_geom GEOMETRY NOT NULL
    )
    """,
)

#: State of ``garant watch`` (plain SQL that PostgreSQL runs as well): the API map
#: versions already ingested, and which alert went to which sink (``webhook``, ``file``).
_V4_WATCH = (
    """
    CREATE TABLE watch_versions (
        version_id BIGINT PRIMARY KEY,
        taken_at TIMESTAMPTZ NOT NULL,
        snapshot_id INTEGER,
        ingested_at TIMESTAMPTZ NOT NULL
    )
    """,
    """
    CREATE TABLE watch_alerts (
        ceasefire VARCHAR NOT NULL,
        alert_key VARCHAR NOT NULL,
        sink VARCHAR NOT NULL,
        date DATE NOT NULL,
        sent_at TIMESTAMPTZ NOT NULL,
        PRIMARY KEY (ceasefire, alert_key, sink)
    )
    """,
)

#: Every schema step, oldest first; versions are 1, 2, 3, ...
MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "snapshots, their layers and points; meta", _V1_CORE),
    Migration(2, "derived frontline data: measures, oblast measures, lines, changes", _V2_DERIVED),
    Migration(3, "ceasefire lines", _V3_CEASEFIRE),
    Migration(4, "watch state: ingested API versions, alerts sent", _V4_WATCH),
)
#: The schema version this garant writes.
SCHEMA_VERSION: int = MIGRATIONS[-1].version

#: Columns the writer of ``measures`` must supply (all of the table's columns).
MEASURES_COLUMNS: tuple[str, ...] = (
    "snapshot_id",
    "date",
    "source",
    "occupied_km2",
    "occupied_pct",
    "grey_zone_km2",
    "liberated_km2",
    "line_km",
    "prev_snapshot_id",
    "gap_days",
    "gained_km2",
    "lost_km2",
    "net_km2",
    "on_timeline",
)
#: Columns of ``oblast_measures``.
OBLAST_MEASURES_COLUMNS: tuple[str, ...] = (
    "snapshot_id",
    "oblast_iso",
    "oblast_name",
    "occupied_km2",
    "occupied_pct",
)
#: Columns of the ``lines`` GeoDataFrame (``geometry`` is stored as ``geom``).
LINES_COLUMNS: tuple[str, ...] = ("snapshot_id", "length_km", "geometry")
#: Columns of the ``changes`` GeoDataFrame (``change_id`` is assigned by the store).
CHANGES_COLUMNS: tuple[str, ...] = (
    "from_snapshot_id",
    "to_snapshot_id",
    "from_date",
    "to_date",
    "kind",
    "area_km2",
    "centroid_lon",
    "centroid_lat",
    "settlement",
    "settlement_distance_km",
    "sector",
    "geometry",
)

#: SQL types used to cast incoming frames (a column missing here is VARCHAR).
COLUMN_TYPES: dict[str, str] = {
    "snapshot_id": "INTEGER",
    "prev_snapshot_id": "INTEGER",
    "from_snapshot_id": "INTEGER",
    "to_snapshot_id": "INTEGER",
    "gap_days": "INTEGER",
    "date": "DATE",
    "from_date": "DATE",
    "to_date": "DATE",
    "on_timeline": "BOOLEAN",
    "occupied_km2": "DOUBLE",
    "occupied_pct": "DOUBLE",
    "grey_zone_km2": "DOUBLE",
    "liberated_km2": "DOUBLE",
    "line_km": "DOUBLE",
    "gained_km2": "DOUBLE",
    "lost_km2": "DOUBLE",
    "net_km2": "DOUBLE",
    "length_km": "DOUBLE",
    "area_km2": "DOUBLE",
    "centroid_lon": "DOUBLE",
    "centroid_lat": "DOUBLE",
    "settlement_distance_km": "DOUBLE",
}


def read_schema_version(con: duckdb.DuckDBPyConnection, name: str) -> int:
    """Return the schema version of an open database.

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        A connection to the store file.
    name : str
        The store's path, for messages.

    Returns
    -------
    int
        0 for an empty database (no tables), else the recorded version.

    Raises
    ------
    StoreError
        The database holds tables but no ``meta`` table or no usable version
        (a DuckDB file that is not a garant store).
    """
    tables = {
        str(r[0])
        for r in con.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_catalog = current_database() AND table_schema = 'main'"
        ).fetchall()
    }
    if not tables:
        return 0
    if "meta" not in tables:
        shown = ", ".join(sorted(tables)[:5])
        raise StoreError(
            f"{name}: not a readable garant store (a DuckDB database without a meta table; "
            f"tables: {shown})"
        )
    row = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
    if row is None:
        raise StoreError(f"{name}: not a readable garant store (meta holds no schema_version)")
    try:
        version = int(row[0])
    except ValueError:
        raise StoreError(
            f"{name}: not a readable garant store (schema_version {row[0]!r} is not an integer)"
        ) from None
    if version < 1:
        raise StoreError(f"{name}: not a readable garant store (schema_version {version} < 1)")
    return version


def migrate(
    con: duckdb.DuckDBPyConnection, current: int, *, target: int = SCHEMA_VERSION
) -> list[int]:
    """Apply the migration steps after ``current`` up to ``target``.

    The caller owns the transaction (run this between ``BEGIN`` and ``COMMIT``).

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        A writable connection.
    current : int
        The store's schema version (0 for an empty database).
    target : int
        The version to reach (default :data:`SCHEMA_VERSION`; tests pass an
        older one to build old stores).

    Returns
    -------
    list of int
        The versions applied, in order.
    """
    if not 0 <= current <= target <= SCHEMA_VERSION:
        raise ValueError(f"cannot migrate from {current} to {target} (latest {SCHEMA_VERSION})")
    applied: list[int] = []
    for step in MIGRATIONS:
        if current < step.version <= target:
            log.info("store schema v%d: %s", step.version, step.description)
            for stmt in step.statements:
                con.execute(stmt)
            applied.append(step.version)
    if applied:
        con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(applied[-1])])
    return applied
