"""What the web app holds while it runs: the store (read-only), its timeline, caches, runs.

The store is opened read-only once; DuckDB connections are not safe to share between
threads, so every use goes through :meth:`AppState.store_call` (one lock). The
timeline and the measures never change while the app runs (nothing writes the
store), so they are read once at start.
"""

from __future__ import annotations

import bisect
import datetime as dt
import logging
import re
import shutil
import tempfile
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pandas as pd

from garant.errors import NotFoundError
from garant.web.layers import LRUCache, Prefetcher

if TYPE_CHECKING:
    from garant.store import Store

__all__ = ["AppState", "RunRecord", "open_app_store"]

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: Memory for cached frontline/changes GeoJSON, bytes.
CACHE_BYTES = 256 * 1024 * 1024
#: Memory for unsimplified snapshot geometries (16 bytes a coordinate), bytes.
RAW_BYTES = 512 * 1024 * 1024
#: Snapshots read per query when preloading.
PRELOAD_CHUNK = 64
#: Assessment runs kept (older runs and their report folders are deleted).
MAX_RUNS = 20


def open_app_store(store_path: str | Path | None) -> tuple[str | Path, list[Path]]:
    """The store file to serve: the given one, or the bundled demo ingested into a temp store.

    Parameters
    ----------
    store_path : str, pathlib.Path or None
        An existing garant store (a DuckDB file or a ``postgresql://`` URL); None:
        ingest the bundled demo history into a new DuckDB store in a temporary folder.

    Returns
    -------
    tuple
        ``(path or URL, temporary folders to delete at shutdown)``.

    Raises
    ------
    StoreError
        The store cannot be opened.
    """
    from garant.store import is_postgres_url

    if store_path is not None:
        if is_postgres_url(store_path):
            return str(store_path), []
        return Path(store_path).expanduser(), []
    from garant.ingest import ingest
    from garant.store.duckdb import DuckDBStore

    tmp = Path(tempfile.mkdtemp(prefix="garant-web-"))
    path = tmp / "demo.duckdb"
    try:
        with DuckDBStore(path) as store:
            ingest("demo", store=store)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    logger.info("serving the bundled demo history from %s", path)
    return path, [tmp]


@dataclass
class RunRecord:
    """One assessment run: its summary (JSON-safe) and its map layers (GeoJSON bytes)."""

    run_id: str
    summary: dict[str, Any]
    layers: bytes


@dataclass
class AppState:
    """Everything the routes share.

    Parameters
    ----------
    store_path : pathlib.Path or str
        The store (opened read-only): a DuckDB file or a PostgreSQL URL.
    token : str or None
        Bearer token for writes.
    host : str
        The address served.
    reports_dir : pathlib.Path
        Folder of the assessment runs (one sub-folder per run id).
    static_dir : pathlib.Path
        The built front end.
    temp_dirs : list of pathlib.Path
        Deleted at :meth:`close` (or when the state is collected).
    """

    store_path: Path | str
    token: str | None
    host: str
    reports_dir: Path
    static_dir: Path
    temp_dirs: list[Path] = field(default_factory=list)
    store: Store = field(init=False)
    dates: list[dt.date] = field(init=False)
    snapshot_ids: list[int] = field(init=False)
    content_hashes: list[str] = field(init=False)
    measures: pd.DataFrame = field(init=False)
    frontline_cache: LRUCache[Any, Any] = field(init=False)
    raw_cache: LRUCache[Any, Any] = field(init=False)
    other_cache: LRUCache[Any, Any] = field(init=False)
    prefetcher: Prefetcher | None = field(init=False, default=None)
    runs: OrderedDict[str, RunRecord] = field(default_factory=OrderedDict)
    assess_lock: threading.Lock = field(default_factory=threading.Lock)
    _lock: threading.RLock = field(default_factory=threading.RLock)

    def __post_init__(self) -> None:
        from garant.store import open_store

        self.store = open_store(self.store_path, read_only=True)
        self._finalizer = weakref.finalize(self, _cleanup, self.store, list(self.temp_dirs))
        tl = self.store.timeline()
        if tl.empty:
            raise NotFoundError(
                f"{self.store_path}: the store holds no snapshots; run `garant ingest demo` "
                "(or a folder / api) first"
            )
        self.dates = [pd.Timestamp(d).date() for d in tl["date"]]
        self.snapshot_ids = [int(s) for s in tl["snapshot_id"]]
        self.content_hashes = [str(h) for h in tl["content_hash"]]
        m = self.store.measures()
        self.measures = m.drop_duplicates("snapshot_id").set_index("snapshot_id")
        self._grey_ids: set[int] = set()
        if "grey_zone_km2" in self.measures.columns:
            grey = pd.to_numeric(self.measures["grey_zone_km2"], errors="coerce").fillna(0.0)
            self._grey_ids = {int(i) for i in grey.index[grey > 0]}
        self.frontline_cache = LRUCache(100_000, max_bytes=CACHE_BYTES)
        self.raw_cache = LRUCache(1_000_000, max_bytes=RAW_BYTES, sizeof=_raw_bytes)
        self.other_cache = LRUCache(256, max_bytes=CACHE_BYTES)
        self.reports_dir.mkdir(parents=True, exist_ok=True)

    def store_call(self, fn: Callable[[Any], T]) -> T:
        """Run ``fn(store)`` holding the store's lock (the store is a :class:`Store`)."""
        with self._lock:
            return fn(self.store)

    def _grey(self, sid: int) -> bool:
        """Whether a snapshot may have a grey zone (unmeasured ones are read to see)."""
        return sid in self._grey_ids or sid not in self.measures.index

    def _read_raw(self, store: Store, ids: list[int]) -> dict[int, dict[str, Any]]:
        occupied = store.load_occupied(ids)
        lines = store.lines(ids).set_index("snapshot_id")
        out: dict[int, dict[str, Any]] = {}
        for sid in ids:
            grey = store.load_snapshot(sid).layers.get("grey_zone") if self._grey(sid) else None
            has_line = sid in lines.index
            out[sid] = {
                "occupied": occupied[sid],
                "grey_zone": grey,
                "line": lines.geometry.at[sid] if has_line else None,
                "line_km": float(lines["length_km"].at[sid]) if has_line else None,
            }
        return out

    def raw_layers(self, sid: int) -> dict[str, Any]:
        """Unsimplified geometries of a snapshot (cached).

        Returns
        -------
        dict
            ``occupied`` (union of the occupied kinds), ``grey_zone`` (or None),
            ``line`` (line of contact, or None) and ``line_km``.
        """

        def load() -> dict[str, Any]:
            return self.store_call(lambda st: self._read_raw(st, [sid]))[sid]

        raw: dict[str, Any] = self.raw_cache.get_or_compute(sid, load)
        return raw

    def preload(self, chunk: int = PRELOAD_CHUNK) -> int:
        """Read every snapshot's geometries into memory, newest first, while they fit.

        A date layer then costs only its simplification and encoding on first use.

        Returns
        -------
        int
            Snapshots held.
        """
        ids = self.snapshot_ids[::-1]
        for i in range(0, len(ids), chunk):
            part = [sid for sid in ids[i : i + chunk] if sid not in self.raw_cache]
            if not part:
                continue
            loaded = self.store_call(partial(self._read_raw, ids=part))
            for sid, raw in loaded.items():
                self.raw_cache.put(sid, raw)
            cache = self.raw_cache
            if cache.max_bytes is not None and cache.nbytes >= cache.max_bytes:
                break
        return len(self.raw_cache)

    def start_prefetch(self) -> Prefetcher:
        """Start the background thread that computes date layers ahead of the slider."""
        if self.prefetcher is None:
            self.prefetcher = Prefetcher(self.frontline_cache)
        return self.prefetcher

    def neighbours(self, date: dt.date, ahead: int, behind: int) -> list[int]:
        """Snapshot ids after (nearest first) then before the one shown for ``date``."""
        i = bisect.bisect_right(self.dates, date) - 1
        after = self.snapshot_ids[i + 1 : i + 1 + ahead]
        before = self.snapshot_ids[max(0, i - behind) : max(0, i)][::-1]
        return [*after, *before]

    def snapshot_for(self, date: dt.date) -> tuple[int, dt.date, str]:
        """The timeline snapshot describing ``date``: the latest on or before it.

        Returns
        -------
        tuple
            ``(snapshot_id, snapshot date, content hash)``.

        Raises
        ------
        NotFoundError
            ``date`` is before the first snapshot.
        """
        i = bisect.bisect_right(self.dates, date) - 1
        if i < 0:
            raise NotFoundError(
                f"no snapshot on or before {date.isoformat()} (the store covers "
                f"{self.dates[0].isoformat()} .. {self.dates[-1].isoformat()})"
            )
        return self.snapshot_ids[i], self.dates[i], self.content_hashes[i]

    def add_run(self, record: RunRecord) -> None:
        """Keep a run, deleting the oldest beyond :data:`MAX_RUNS` (and their reports)."""
        with self._lock:
            self.runs[record.run_id] = record
            while len(self.runs) > MAX_RUNS:
                old, _ = self.runs.popitem(last=False)
                shutil.rmtree(self.reports_dir / old, ignore_errors=True)

    def run(self, run_id: str) -> RunRecord:
        """A kept run.

        Raises
        ------
        NotFoundError
            Unknown run id.
        """
        record = self.runs.get(run_id)
        if record is None:
            raise NotFoundError(f"assessment {run_id!r}: unknown (runs are kept while serving)")
        return record

    @property
    def store_label(self) -> str:
        """The store as shown to users: the file name, or the URL without its password."""
        if isinstance(self.store_path, Path):
            return self.store_path.name
        return re.sub(r"//([^:/@]+):[^@/]*@", r"//\1:***@", self.store_path)

    def close(self) -> None:
        """Stop prefetching, close the store and delete the temporary folders."""
        if self.prefetcher is not None:
            self.prefetcher.close()
        self._finalizer()


def _raw_bytes(raw: dict[str, Any]) -> int:
    import shapely

    geoms = [raw[k] for k in ("occupied", "grey_zone", "line") if raw.get(k) is not None]
    return 16 * int(shapely.get_num_coordinates(geoms).sum()) if geoms else 0


def _cleanup(store: Store, temp_dirs: list[Path]) -> None:
    try:
        store.close()
    finally:
        for d in temp_dirs:
            shutil.rmtree(d, ignore_errors=True)
