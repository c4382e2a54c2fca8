"""The store: where garant keeps snapshots and what it derives from them.

:func:`open_store` opens the embedded DuckDB store (:class:`DuckDBStore`) for
a file path, or the shared PostGIS store (:class:`~garant.store.postgis.PostGISStore`)
for a ``postgresql://`` URL; both implement the :class:`Store` protocol.
Importing this package is light: DuckDB (and psycopg) are imported when a store
is opened.

Examples
--------
>>> from garant.store import open_store
>>> with open_store("garant.duckdb") as store:  # doctest: +SKIP
...     result = store.add_snapshots(snapshots)
...     print(result.summary())
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd
    from shapely.geometry.base import BaseGeometry

    from garant.model import Snapshot
    from garant.store.duckdb import DuckDBStore
    from garant.store.postgis import PostGISStore

__all__ = ["DuckDBStore", "IngestResult", "PostGISStore", "Store", "open_store"]

#: URL schemes that open the PostGIS store.
POSTGRES_SCHEMES = ("postgresql://", "postgres://")


@dataclass(frozen=True)
class IngestResult:
    """What :meth:`Store.add_snapshots` did.

    Attributes
    ----------
    added_ids : tuple of int
        Ids of new snapshots (a (source, date) the store did not hold), in input order.
    revised_ids : tuple of int
        Ids of new revisions (a (source, date) the store held with other content).
    unchanged : int
        Snapshots whose content the store already held (no-ops).
    """

    added_ids: tuple[int, ...] = ()
    revised_ids: tuple[int, ...] = ()
    unchanged: int = 0

    @property
    def new_ids(self) -> tuple[int, ...]:
        """Ids of every snapshot written (added and revised), ascending."""
        return tuple(sorted(self.added_ids + self.revised_ids))

    @property
    def total(self) -> int:
        """Number of snapshots read."""
        return len(self.added_ids) + len(self.revised_ids) + self.unchanged

    def summary(self) -> str:
        """One line for the user, e.g. ``'769 snapshots: 3 added, 1 revised, 765 unchanged'``."""
        return (
            f"{self.total} snapshots: {len(self.added_ids)} added, "
            f"{len(self.revised_ids)} revised, {self.unchanged} unchanged"
        )


@runtime_checkable
class Store(Protocol):
    """What every garant store offers (DuckDB and PostGIS).

    See :class:`garant.store.duckdb.DuckDBStore` for the documentation of each method.
    """

    @property
    def path(self) -> Path | str:
        """Where the store lives (a file path, or a URL without its password)."""
        ...

    @property
    def schema_version(self) -> int:
        """The store's schema version."""
        ...

    @property
    def read_only(self) -> bool:
        """Whether writes are refused."""
        ...

    def close(self) -> None:
        """Close the store."""
        ...

    def __enter__(self) -> Store:
        """Return the store."""
        ...

    def __exit__(self, *exc: object) -> None:
        """Close the store."""
        ...

    def transaction(self) -> AbstractContextManager[None]:
        """Group writes into one transaction."""
        ...

    def add_snapshots(
        self,
        snapshots: Iterable[Snapshot],
        *,
        progress: Callable[[int], None] | None = None,
        occupied: dict[int, BaseGeometry] | None = None,
    ) -> IngestResult:
        """Add snapshots incrementally, in one transaction."""
        ...

    def snapshots(self, *, source: str | None = None) -> pd.DataFrame:
        """Every stored snapshot (no geometry)."""
        ...

    def timeline(self, priority: Sequence[str] | None = None) -> pd.DataFrame:
        """One snapshot per date, by source priority."""
        ...

    def load_snapshot(self, snapshot_id: int) -> Snapshot:
        """Rebuild a snapshot with its layers and points."""
        ...

    def load_occupied(self, snapshot_ids: Iterable[int]) -> dict[int, BaseGeometry]:
        """Occupied territory per snapshot id."""
        ...

    def latest_date(self) -> dt.date | None:
        """The latest snapshot date."""
        ...

    def find_snapshot(self, date: dt.date | str, *, source: str | None = None) -> int:
        """The snapshot id for a date."""
        ...

    def replace_derived(
        self,
        measures: pd.DataFrame,
        oblast_measures: pd.DataFrame,
        lines: gpd.GeoDataFrame,
        changes: gpd.GeoDataFrame,
        *,
        snapshot_ids: Sequence[int] | None = None,
    ) -> None:
        """Replace derived rows."""
        ...

    def measures(self) -> pd.DataFrame:
        """Measures joined with their snapshots."""
        ...

    def oblast_measures(self, snapshot_id: int | None = None) -> pd.DataFrame:
        """Occupied area per oblast."""
        ...

    def lines(self, snapshot_ids: Iterable[int] | None = None) -> gpd.GeoDataFrame:
        """Lines of contact."""
        ...

    def changes(
        self, *, since: dt.date | None = None, until: dt.date | None = None
    ) -> gpd.GeoDataFrame:
        """Change polygons by ``to_date``."""
        ...

    def snapshots_without_measures(self) -> list[int]:
        """Snapshot ids not measured yet."""
        ...

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
        """Save a frozen line of contact."""
        ...

    def ceasefire_lines(self) -> gpd.GeoDataFrame:
        """Every ceasefire line."""
        ...

    def load_ceasefire_line(self, name: str) -> tuple[dict[str, Any], BaseGeometry, BaseGeometry]:
        """One ceasefire line with its frozen occupied territory."""
        ...


def is_postgres_url(path_or_url: object) -> bool:
    """Whether a ``--store`` value names a PostgreSQL database (``postgresql://...``).

    Parameters
    ----------
    path_or_url : object
        A path, a URL or None.

    Returns
    -------
    bool
    """
    return isinstance(path_or_url, str) and path_or_url.strip().lower().startswith(POSTGRES_SCHEMES)


def open_store(path_or_url: str | Path | None = None, *, read_only: bool = False) -> Store:
    """Open (or create) a garant store.

    Parameters
    ----------
    path_or_url : str or pathlib.Path, optional
        A DuckDB file (created with its schema if absent; its folder must exist),
        or a ``postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?schema=NAME]``
        URL (the PostGIS store; tables created in the schema, default
        ``public``, if absent). Default:
        :func:`garant.settings.default_store_path`, whose folder is created.
    read_only : bool
        Open without write access (several processes may read at once).

    Returns
    -------
    Store
        A :class:`DuckDBStore` or a :class:`~garant.store.postgis.PostGISStore`,
        open; use it as a context manager or call ``close()``.

    Raises
    ------
    ConfigError
        A malformed PostgreSQL URL (bad schema name).
    StoreError
        The file is not a readable garant store, is locked by another process,
        or is from a newer garant; the PostgreSQL server cannot be reached, the
        login fails, or the database lacks PostGIS.
    """
    if is_postgres_url(path_or_url):
        from garant.store.postgis import PostGISStore

        return PostGISStore(str(path_or_url).strip(), read_only=read_only)
    from garant.store.duckdb import DuckDBStore

    if path_or_url is None:
        from garant.settings import default_store_path

        path = default_store_path()
        path.parent.mkdir(parents=True, exist_ok=True)
    else:
        path = Path(path_or_url)
    return DuckDBStore(path, read_only=read_only)


def __getattr__(name: str) -> Any:
    if name == "DuckDBStore":
        from garant.store.duckdb import DuckDBStore

        return DuckDBStore
    if name == "PostGISStore":
        from garant.store.postgis import PostGISStore

        return PostGISStore
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:  # pragma: no cover - interactive nicety
    return sorted([*globals(), "DuckDBStore", "PostGISStore"])
