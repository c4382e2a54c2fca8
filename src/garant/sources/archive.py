"""The daily archive of occupied territory (cyterat/deepstate-map-data) -> snapshots.

The archive holds one MultiPolygon a day: DeepStateMap's layers ``Occupied``,
``Occupied Crimea`` and ``CADR and CALR`` unioned (so pre-2022 territory is
merged in, and there is no grey zone). It comes in two layouts:

* a folder of ``deepstatemap_data_YYYYMMDD.geojson`` files, each a
  FeatureCollection with one feature (and the legacy ``crs`` member);
* the unified ``deepstate-map-data.geojson.gz``: one gzipped FeatureCollection,
  one feature per day with the property ``date`` (``"YYYY-MM-DD"``), written by
  the repository's ``scripts/unify-data.py`` with geopandas.

Date convention (the whole project uses it)
-------------------------------------------
The date in a file name (or the ``date`` property) is the UTC day the upstream
job downloaded the map, at 03:00 UTC, so the file holds DeepState's state as of
the previous evening. A snapshot from the archive therefore has
``taken_at = <file date> 03:00 UTC`` and ``date = <file date> - 1 day``.
Checked on the 2024-07..2025-08 overlap with raw map versions: a version
published in the evening of day D matches the archive file of day D + 1.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from garant.errors import DataError
from garant.model import Snapshot
from garant.sources._json import (
    Progress,
    check_feature_collection,
    decode_json,
    fast_polygon_features,
    iter_data_files,
    read_bytes,
    sort_by_key,
)

__all__ = [
    "ARCHIVE_NOTE",
    "archive_dates",
    "read_archive",
    "read_archive_file",
]

#: Note attached to every archive snapshot.
ARCHIVE_NOTE = (
    "daily archive: pre-2022 territory (Crimea, CADR/CALR) is merged into 'occupied'; no grey zone"
)
_DAILY_NAME = re.compile(r"^deepstatemap_data_(\d{8})\.geojson(\.gz)?$")
_DOWNLOAD_HOUR_UTC = 3
_FC_HEAD = re.compile(rb'"type"\s*:\s*"FeatureCollection"')
_DATE_PROP = re.compile(rb'"date"\s*:\s*"([^"]*)"')
#: Geometry of recently read file contents (from ``"features"`` on), see
#: :func:`read_archive_file`.
_CONTENT_MEMO: dict[bytes, BaseGeometry] = {}
_CONTENT_MEMO_SIZE = 8
_CONTENT_LOCK = threading.Lock()


def archive_dates(file_date: dt.date) -> tuple[dt.date, dt.datetime]:
    """Return ``(date, taken_at)`` of the archive file of ``file_date`` (see module doc)."""
    taken_at = dt.datetime.combine(file_date, dt.time(_DOWNLOAD_HOUR_UTC), tzinfo=dt.UTC)
    return file_date - dt.timedelta(days=1), taken_at


def _file_date(path: Path) -> dt.date:
    m = _DAILY_NAME.match(path.name)
    if not m:
        raise DataError(f"{path}: bad file name (expected deepstatemap_data_YYYYMMDD.geojson[.gz])")
    try:
        return dt.datetime.strptime(m.group(1), "%Y%m%d").date()
    except ValueError:
        raise DataError(f"{path}: bad date {m.group(1)!r} in file name") from None


def _parse_date(value: object, ref: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise DataError(f"{ref}: bad date property {value!r} (expected YYYY-MM-DD)") from None


def _snapshot(geom: BaseGeometry, file_date: dt.date, *, source: str, source_ref: str) -> Snapshot:
    date, taken_at = archive_dates(file_date)
    return Snapshot.build(
        date=date,
        taken_at=taken_at,
        source=source,
        source_ref=source_ref,
        layers={"occupied": geom},
        notes=(ARCHIVE_NOTE,),
    )


def _feature_geometry(feature: dict[str, Any], ref: str) -> BaseGeometry:
    geom = feature.get("geometry")
    if geom is None:
        raise DataError(f"{ref}: feature has no geometry")
    try:
        with warnings.catch_warnings():
            # NaN coordinates warn in GEOS; Snapshot.build rejects them with a DataError.
            warnings.simplefilter("ignore", RuntimeWarning)
            return shapely.geometry.shape(geom)
    except (KeyError, TypeError, ValueError, IndexError, AttributeError, RecursionError) as exc:
        raise DataError(f"{ref}: unreadable geometry ({exc})") from None
    except shapely.errors.ShapelyError as exc:
        raise DataError(f"{ref}: unreadable geometry ({exc})") from None


def _merge(geoms: list[BaseGeometry], ref: str) -> BaseGeometry:
    if not geoms:
        raise DataError(f"{ref}: empty snapshot (no features)")
    if len(geoms) == 1:
        return geoms[0]
    for g in geoms:
        if g.geom_type not in ("Polygon", "MultiPolygon"):
            raise DataError(f"{ref}: geometry type {g.geom_type}, expected polygons")
        xy = shapely.get_coordinates(g)
        if not (np.isfinite(xy).all() and (np.abs(xy) <= (180.0, 90.0)).all()):
            raise DataError(
                f"{ref}: coordinates that are not lon/lat (NaN, infinite or beyond ±180/±90)"
            )
    try:
        return shapely.union_all(geoms)
    except shapely.errors.GEOSException:
        # Invalid parts (self-crossing rings): repair them first; Snapshot.build notes it.
        try:
            return shapely.union_all(shapely.make_valid(np.asarray(geoms, dtype=object)))
        except shapely.errors.GEOSException as exc:
            raise DataError(f"{ref}: cannot merge the features' polygons ({exc})") from None


def _fast_geometries(data: bytes) -> list[BaseGeometry] | None:
    """Parse a FeatureCollection's geometries with GEOS (no Python JSON); None if unsure."""
    if not _FC_HEAD.search(data[:4096]):
        return None
    fast = fast_polygon_features(data)
    if fast is not None:
        return fast
    try:
        gc = shapely.from_geojson(data, on_invalid="raise")
    except (shapely.errors.GEOSException, ValueError):
        return None
    if not isinstance(gc, shapely.GeometryCollection):
        return None
    return list(gc.geoms)


def read_archive_file(
    path: str | Path, *, source: str = "archive", source_ref: str | None = None
) -> Snapshot:
    """Read one daily archive file ``deepstatemap_data_YYYYMMDD.geojson[.gz]``.

    Parameters
    ----------
    path : str or pathlib.Path
        The file; its name gives the file date (see the module's date convention).
    source : str
        Snapshot source (``archive``; ``demo`` for the bundled demo).
    source_ref : str, optional
        Defaults to the file name.

    Returns
    -------
    Snapshot
        One layer, ``occupied`` (which here includes pre-2022 territory).

    Raises
    ------
    DataError, NotFoundError, SourceError
        Bad file name, unreadable or malformed file, bad geometry, empty,
        out-of-region or future snapshot.
    """
    path = Path(path)
    file_date = _file_date(path)
    data = read_bytes(path)
    # Most days repeat the previous day's territory: the files then differ only in
    # their header ("name"), and the geometry already built (and validated and
    # hashed by Snapshot.build, which remembers the object) is reused.
    at = data.find(b'"features"')
    content = data[at:] if at >= 0 else data
    geom = _CONTENT_MEMO.get(content)
    if geom is None:
        geoms = _fast_geometries(data)
        if geoms is None or any(g.is_empty for g in geoms):
            # slow path: precise diagnosis of what is wrong
            features = check_feature_collection(decode_json(data, str(path)), str(path))
            geoms = [_feature_geometry(f, f"{path}: feature {i}") for i, f in enumerate(features)]
        geom = _merge(geoms, str(path))
        with _CONTENT_LOCK:
            while len(_CONTENT_MEMO) >= _CONTENT_MEMO_SIZE:
                _CONTENT_MEMO.pop(next(iter(_CONTENT_MEMO)))
            _CONTENT_MEMO[content] = geom
    return _snapshot(geom, file_date, source=source, source_ref=source_ref or path.name)


def _read_unified(path: Path, *, source: str, progress: Progress | None) -> Iterator[Snapshot]:
    data = read_bytes(path)
    ref = str(path)
    geoms = _fast_geometries(data)
    dates_raw = _DATE_PROP.findall(data)
    pairs: list[tuple[object, BaseGeometry | dict[str, Any]]]
    if geoms is not None and len(dates_raw) == len(geoms) and not any(g.is_empty for g in geoms):
        pairs = [(d.decode("utf-8", "replace"), g) for d, g in zip(dates_raw, geoms, strict=True)]
    else:
        features = check_feature_collection(decode_json(data, ref), ref)
        pairs = []
        for i, f in enumerate(features):
            props = f.get("properties")
            if not isinstance(props, dict) or "date" not in props:
                raise DataError(f"{ref}: feature {i} has no 'date' property")
            pairs.append((props["date"], f))
    seen: dict[dt.date, int] = {}
    items: list[tuple[dt.date, int, BaseGeometry | dict[str, Any]]] = []
    for i, (value, geom) in enumerate(pairs):
        day = _parse_date(value, f"{ref}: feature {i}")
        if day in seen:
            raise DataError(
                f"{ref}: duplicate date {day.isoformat()} (features {seen[day]} and {i})"
            )
        seen[day] = i
        items.append((day, i, geom))
    items.sort(key=lambda t: t[0])
    for day, i, geom in items:
        item_ref = f"{path.name}#{day.isoformat()}"
        g = (
            geom
            if isinstance(geom, BaseGeometry)
            else _feature_geometry(geom, f"{ref}: feature {i}")
        )
        yield _snapshot(g, day, source=source, source_ref=item_ref)
        if progress is not None:
            progress(1)


def read_archive(
    path: str | Path, *, progress: Progress | None = None, source: str = "archive"
) -> Iterator[Snapshot]:
    """Read the daily archive: a folder, the unified ``.geojson.gz``, or one daily file.

    Parameters
    ----------
    path : str or pathlib.Path
        A folder of ``deepstatemap_data_YYYYMMDD.geojson[.gz]`` files (README,
        licence and checksum files are skipped, any other name is an error), a
        daily file, or a unified FeatureCollection with a ``date`` property per
        feature (gzipped or not).
    progress : callable, optional
        Called with 1 after each snapshot.
    source : str
        Snapshot source (``archive``; ``demo`` for the bundled demo).

    Yields
    ------
    Snapshot
        Oldest first; ``date`` is the file date minus one day (see the module doc).

    Raises
    ------
    DataError
        Bad file names, duplicate dates (both named), malformed content.
    NotFoundError, SourceError
        Missing or unreadable path.
    """
    p = Path(path)
    if p.is_dir():
        files = iter_data_files(
            p,
            accept=lambda n: bool(_DAILY_NAME.match(n)),
            what="deepstatemap_data_YYYYMMDD.geojson[.gz]",
        )
        for f in sort_by_key(files, _file_date, what=lambda d: f"date {d.isoformat()}"):
            yield read_archive_file(f, source=source)
            if progress is not None:
                progress(1)
    elif _DAILY_NAME.match(p.name):
        yield read_archive_file(p, source=source)
        if progress is not None:
            progress(1)
    else:
        yield from _read_unified(p, source=source, progress=progress)
