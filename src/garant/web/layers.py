"""GeoJSON for the map: geometries simplified by zoom level, encoded once, cached as bytes.

A map at zoom *z* shows 256 · 2**z pixels around the world, so a vertex closer than
half a pixel to the simplified outline cannot be seen. Zooms are grouped in buckets of
two (:func:`zoom_bucket`); a bucket's tolerance (:func:`tolerance_deg`) is half a pixel
at its finer zoom (Douglas-Peucker; GEOS keeps polygons valid), and coordinates are
rounded to a tenth of the tolerance (:func:`decimals_for`). Features are encoded with
GEOS (:func:`shapely.to_geojson`) and the bytes are kept in a thread-safe LRU cache
(:class:`LRUCache`) bounded in bytes, so a date seen once is served from memory
afterwards; a background :class:`Prefetcher` computes the dates after the one asked for.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from typing import Any, Generic, TypeVar

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from garant.errors import ConfigError

__all__ = [
    "MAX_ZOOM",
    "PIXEL_TOLERANCE",
    "ZOOM_STEP",
    "LRUCache",
    "Prefetcher",
    "collection_bytes",
    "decimals_for",
    "feature_bytes",
    "frame_features",
    "geometry_bytes",
    "jsonable",
    "simplify_for_zoom",
    "tolerance_deg",
    "zoom_bucket",
]

#: Highest zoom the API accepts (about 10 m per pixel).
MAX_ZOOM = 14
#: Zooms per simplification bucket.
ZOOM_STEP = 2
#: Tolerance of the simplification, pixels at the bucket's finer zoom.
PIXEL_TOLERANCE = 0.5

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def zoom_bucket(z: int) -> int:
    """The first zoom of ``z``'s bucket (0, 2, 4, ... 14).

    Parameters
    ----------
    z : int
        Map zoom, 0 to :data:`MAX_ZOOM`.

    Returns
    -------
    int

    Raises
    ------
    ConfigError
        ``z`` out of range.
    """
    if isinstance(z, bool) or not isinstance(z, (int, np.integer)) or not 0 <= z <= MAX_ZOOM:
        raise ConfigError(f"z: {z!r} is not a zoom level (0 to {MAX_ZOOM})")
    return int(z) // ZOOM_STEP * ZOOM_STEP


def tolerance_deg(z: int) -> float:
    """Simplification tolerance for zoom ``z``, degrees (decreases with z).

    Half a pixel (:data:`PIXEL_TOLERANCE`) at the finest zoom of ``z``'s bucket, for
    256-pixel tiles: ``360 / (256 * 2**zmax) * 0.5``.

    Parameters
    ----------
    z : int

    Returns
    -------
    float
    """
    finest = zoom_bucket(z) + ZOOM_STEP - 1
    return 360.0 / (256.0 * 2.0**finest) * PIXEL_TOLERANCE


def decimals_for(tol_deg: float) -> int:
    """Decimals that keep coordinates to a tenth of ``tol_deg`` (3 to 6).

    Parameters
    ----------
    tol_deg : float
        Tolerance, degrees (> 0).

    Returns
    -------
    int
    """
    if not tol_deg > 0:
        return 6
    return max(3, min(6, math.ceil(-math.log10(tol_deg)) + 1))


def simplify_for_zoom(geom: BaseGeometry, z: int | None) -> BaseGeometry:
    """Simplify (Douglas-Peucker, valid output) and round a geometry for zoom ``z``.

    Parameters
    ----------
    geom : shapely geometry
        EPSG:4326.
    z : int or None
        Zoom; None: no simplification, coordinates rounded to 6 decimals (0.1 m).

    Returns
    -------
    shapely geometry
    """
    if geom is None or geom.is_empty:
        return geom
    if z is None:
        decimals = 6
    else:
        tol = tolerance_deg(z)
        decimals = decimals_for(tol)
        # Douglas-Peucker: 3-5 times faster than the topology-preserving simplifier;
        # GEOS repairs polygons it would make invalid (a sliver may vanish, unseen).
        geom = shapely.simplify(geom, tol, preserve_topology=False)
    return shapely.transform(geom, lambda xy: np.round(xy, decimals))


def geometry_bytes(geom: BaseGeometry | None) -> bytes:
    """GeoJSON of one geometry (``null`` for None or empty), UTF-8."""
    if geom is None or geom.is_empty:
        return b"null"
    return str(shapely.to_geojson(geom)).encode()


def jsonable(value: Any) -> Any:
    """A value fit for strict JSON: dates as ISO strings, NaN/NaT as None, numpy as Python.

    Parameters
    ----------
    value : object
        A scalar, or a list/tuple/dict of them (converted recursively).

    Returns
    -------
    object
    """
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [jsonable(v) for v in value.tolist()]
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, (dt.datetime, dt.date, pd.Timestamp)):
        return value.isoformat()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (str, int, float, bool)):
        return value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def _dumps(obj: Any) -> bytes:
    return json.dumps(jsonable(obj), ensure_ascii=False, allow_nan=False).encode()


def feature_bytes(geometry: bytes, properties: Mapping[str, Any]) -> bytes:
    """One GeoJSON Feature from encoded geometry and its properties.

    Parameters
    ----------
    geometry : bytes
        From :func:`geometry_bytes`.
    properties : mapping
        Made JSON-safe with :func:`jsonable`.

    Returns
    -------
    bytes
    """
    return (
        b'{"type":"Feature","properties":' + _dumps(properties) + b',"geometry":' + geometry + b"}"
    )


def collection_bytes(features: Iterable[bytes], members: Mapping[str, Any] | None = None) -> bytes:
    """A GeoJSON FeatureCollection from encoded features (and extra top-level members).

    Parameters
    ----------
    features : iterable of bytes
        From :func:`feature_bytes`.
    members : mapping, optional
        Foreign members (``date``, ``date_shown`` ...), JSON-safe via :func:`jsonable`.

    Returns
    -------
    bytes
    """
    head = b'{"type":"FeatureCollection"'
    if members:
        head += b"," + _dumps(dict(members))[1:-1]
    return head + b',"features":[' + b",".join(features) + b"]}"


def frame_features(
    frame: gpd.GeoDataFrame,
    z: int | None,
    *,
    columns: Sequence[str] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> list[bytes]:
    """Features of a GeoDataFrame, geometries simplified for zoom ``z``.

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        EPSG:4326 (or without CRS, taken as such).
    z : int or None
        Zoom (:func:`simplify_for_zoom`).
    columns : sequence of str, optional
        Properties to keep (default: every column but the geometry).
    extra : mapping, optional
        Properties added to every feature (``kind``, ``package`` ...).

    Returns
    -------
    list of bytes
    """
    if len(frame) == 0:
        return []
    crs = getattr(frame, "crs", None)
    if crs is not None and crs.to_epsg() != 4326:
        frame = frame.to_crs(4326)
    geom_col = frame.geometry.name
    cols = [c for c in (columns or frame.columns) if c != geom_col and c in frame.columns]
    geoms = frame.geometry.to_numpy()
    records = [
        {str(k): v for k, v in r.items()} for r in pd.DataFrame(frame[cols]).to_dict("records")
    ]
    out: list[bytes] = []
    for rec, geom in zip(records, geoms, strict=True):
        props = {**(extra or {}), **rec}
        out.append(feature_bytes(geometry_bytes(simplify_for_zoom(geom, z)), props))
    return out


def _sizeof(value: Any) -> int:
    """Bytes of a cached value: bytes, or the bytes inside a tuple/list (else 0)."""
    if isinstance(value, (bytes, bytearray)):
        return len(value)
    if isinstance(value, (tuple, list)):
        return sum(_sizeof(v) for v in value)
    return 0


class LRUCache(Generic[K, V]):
    """A thread-safe least-recently-used cache, bounded by items and by bytes.

    Parameters
    ----------
    max_items : int
        Most entries kept.
    max_bytes : int, optional
        Most bytes kept (the sum of ``sizeof(value)``); None: unbounded.
    sizeof : callable, optional
        Size of a value in bytes (default: the bytes it holds, nested in tuples and
        lists; 0 for other objects).

    Attributes
    ----------
    hits, misses : int
        Lookups served from the cache and computed.
    """

    def __init__(
        self,
        max_items: int = 1024,
        *,
        max_bytes: int | None = None,
        sizeof: Callable[[V], int] | None = None,
    ) -> None:
        if max_items < 1:
            raise ConfigError(f"max_items: {max_items} must be at least 1")
        self.max_items = int(max_items)
        self.max_bytes = max_bytes
        self._sizeof = sizeof or _sizeof
        self._data: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._lock = threading.Lock()
        self._pending: dict[K, threading.Event] = {}
        self._bytes = 0
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: object) -> bool:
        return key in self._data

    @property
    def nbytes(self) -> int:
        """Bytes held."""
        return self._bytes

    def get(self, key: K) -> V | None:
        """The cached value (marked as recently used), or None."""
        with self._lock:
            item = self._data.get(key)
            if item is None:
                return None
            self._data.move_to_end(key)
            return item[0]

    def put(self, key: K, value: V) -> V:
        """Store a value, evicting the least recently used entries over the bounds."""
        size = int(self._sizeof(value))
        with self._lock:
            old = self._data.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._data[key] = (value, size)
            self._bytes += size
            while len(self._data) > self.max_items or (
                self.max_bytes is not None and self._bytes > self.max_bytes and len(self._data) > 1
            ):
                _, (_, s) = self._data.popitem(last=False)
                self._bytes -= s
        return value

    def get_or_compute(self, key: K, compute: Callable[[], V]) -> V:
        """The cached value, or ``compute()`` stored under ``key``.

        A key being computed by another thread is waited for, not computed twice.
        """
        while True:
            with self._lock:
                item = self._data.get(key)
                if item is not None:
                    self._data.move_to_end(key)
                    self.hits += 1
                    return item[0]
                event = self._pending.get(key)
                if event is None:
                    event = self._pending[key] = threading.Event()
                    self.misses += 1
                    break
            event.wait()
            with self._lock:
                item = self._data.get(key)
                if item is not None:  # else the other thread failed: compute it here
                    self.hits += 1
                    return item[0]
        try:
            return self.put(key, compute())
        finally:
            with self._lock:
                self._pending.pop(key, None)
            event.set()

    def clear(self) -> None:
        """Drop every entry (the counters stay)."""
        with self._lock:
            self._data.clear()
            self._bytes = 0


class Prefetcher:
    """One background thread that fills a cache ahead of requests.

    Jobs are ``(key, compute)`` pairs; a key already cached or being computed is
    skipped. Newer jobs go first (the slider has moved on), and the queue is bounded:
    the oldest jobs are dropped.

    Parameters
    ----------
    cache : LRUCache
        Where results go.
    max_jobs : int
        Most jobs waiting.
    """

    def __init__(self, cache: LRUCache[Any, Any], max_jobs: int = 256) -> None:
        self.cache = cache
        self.max_jobs = int(max_jobs)
        self._jobs: list[tuple[Hashable, Callable[[], Any]]] = []
        self._cond = threading.Condition()
        self._closed = False
        self.done = 0
        self._thread = threading.Thread(target=self._work, name="garant-prefetch", daemon=True)
        self._thread.start()

    def submit(self, jobs: Iterable[tuple[Hashable, Callable[[], Any]]]) -> None:
        """Queue jobs, the first of ``jobs`` to run first."""
        fresh = [(k, f) for k, f in jobs if k not in self.cache]
        if not fresh:
            return
        with self._cond:
            keys = {k for k, _ in fresh}
            kept = [j for j in self._jobs if j[0] not in keys]
            # The list is popped from its end: the first job given goes last.
            self._jobs = (kept + fresh[::-1])[-self.max_jobs :]
            self._cond.notify()

    def pending(self) -> int:
        """Jobs waiting."""
        with self._cond:
            return len(self._jobs)

    def close(self) -> None:
        """Stop the thread after the current job."""
        with self._cond:
            self._closed = True
            self._jobs.clear()
            self._cond.notify()

    def _work(self) -> None:
        while True:
            with self._cond:
                while not self._jobs and not self._closed:
                    self._cond.wait()
                if self._closed:
                    return
                key, compute = self._jobs.pop()
            if key in self.cache:
                continue
            try:
                self.cache.get_or_compute(key, compute)
                self.done += 1
            except Exception:  # a request for this key will raise it to the user
                continue
