"""Reading (optionally gzipped) JSON and GeoJSON files with one-line errors.

Every reader in :mod:`garant.sources` goes through these helpers so that a
missing file, a truncated gzip stream or malformed JSON always becomes the same
kind of garant error, naming the file and the problem.
"""

from __future__ import annotations

import gzip
import json
import re
import threading
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from garant.errors import DataError, NotFoundError, SourceError

__all__ = [
    "Progress",
    "check_feature_collection",
    "decode_json",
    "fast_polygon_features",
    "is_unrelated_file",
    "read_bytes",
    "strip_geojson_suffix",
]

#: A progress callback: called with the number of items done since its last call.
Progress = Callable[[int], None]

_GZIP_MAGIC = b"\x1f\x8b"
#: File names that may sit in a data folder without being data (ignored, logged).
_UNRELATED = re.compile(
    r"^(\..*|readme(\..*)?|license(\..*)?|licence(\..*)?|sha256sums(\..*)?|.*\.(md|txt|rst|sha256))$",
    re.IGNORECASE,
)


def is_unrelated_file(name: str) -> bool:
    """Whether a file name is clearly not data (README, LICENSE, checksums, hidden files)."""
    return bool(_UNRELATED.match(name))


def strip_geojson_suffix(name: str) -> str | None:
    """Return ``name`` without ``.geojson`` / ``.geojson.gz`` / ``.json(.gz)``, else None."""
    for suffix in (".geojson.gz", ".geojson", ".json.gz", ".json"):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return None


def read_bytes(path: Path) -> bytes:
    """Read a file, transparently decompressing gzip (detected by its magic bytes).

    Parameters
    ----------
    path : pathlib.Path
        File to read; ``.gz`` or not, the content decides.

    Returns
    -------
    bytes
        The (decompressed) content.

    Raises
    ------
    NotFoundError
        The file does not exist.
    SourceError
        The path is a folder or cannot be read.
    DataError
        The gzip stream is truncated or corrupt.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise NotFoundError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise SourceError(f"{path}: is a folder, expected a file") from None
    except OSError as exc:
        raise SourceError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if data[:2] == _GZIP_MAGIC:
        try:
            data = gzip.decompress(data)
        except EOFError:
            raise DataError(f"{path}: truncated gzip stream") from None
        except (gzip.BadGzipFile, zlib.error) as exc:
            raise DataError(f"{path}: corrupt gzip stream ({exc})") from None
    return data


def decode_json(data: bytes | str, ref: str) -> Any:
    """Parse JSON, turning decoding errors into a one-line :class:`DataError`.

    Parameters
    ----------
    data : bytes or str
        The JSON text.
    ref : str
        What to name in the error (file path or URL).

    Returns
    -------
    Any
        The decoded value.

    Raises
    ------
    DataError
        Empty, truncated (the text ends inside a value) or malformed JSON.
    """
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError as exc:
        raise DataError(f"{ref}: not UTF-8 text (byte {exc.start})") from None
    if not text.strip():
        raise DataError(f"{ref}: empty file, expected JSON")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string"):
            raise DataError(
                f"{ref}: truncated JSON (ends inside a value at line {exc.lineno}, "
                f"column {exc.colno})"
            ) from None
        raise DataError(
            f"{ref}: malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None


def check_feature_collection(obj: Any, ref: str) -> list[dict[str, Any]]:
    """Return the features of a GeoJSON FeatureCollection, or raise.

    Parameters
    ----------
    obj : Any
        Decoded JSON.
    ref : str
        What to name in the error.

    Returns
    -------
    list of dict
        The features (each a dict with ``geometry`` and ``properties``).

    Raises
    ------
    DataError
        ``obj`` is not a FeatureCollection, or a feature is not an object.
    """
    if not isinstance(obj, dict) or obj.get("type") != "FeatureCollection":
        found = obj.get("type") if isinstance(obj, dict) else type(obj).__name__
        raise DataError(f"{ref}: not a GeoJSON FeatureCollection (type {found!r})")
    features = obj.get("features")
    if not isinstance(features, list):
        raise DataError(f"{ref}: FeatureCollection has no 'features' list")
    for i, feature in enumerate(features):
        if not isinstance(feature, dict):
            raise DataError(f"{ref}: feature {i} is not an object")
    return features


def iter_data_files(folder: Path, *, accept: Callable[[str], bool], what: str) -> Iterable[Path]:
    """List the data files of a folder, sorted by name.

    Parameters
    ----------
    folder : pathlib.Path
        The folder.
    accept : callable
        ``accept(name)`` is True for a data file of the expected naming scheme.
    what : str
        Description of the expected names, for the error message.

    Returns
    -------
    list of pathlib.Path
        Accepted files, sorted by name. Clearly unrelated files (README,
        checksums, hidden files) are skipped.

    Raises
    ------
    NotFoundError
        The folder does not exist.
    SourceError
        The folder cannot be listed.
    DataError
        A file does not follow the naming scheme (named in the message).
    """
    try:
        entries = sorted(folder.iterdir(), key=lambda p: p.name)
    except FileNotFoundError:
        raise NotFoundError(f"{folder}: no such folder") from None
    except NotADirectoryError:
        raise SourceError(f"{folder}: not a folder") from None
    except OSError as exc:
        raise SourceError(f"{folder}: cannot list folder ({exc.strerror or exc})") from None
    out = []
    for entry in entries:
        if is_unrelated_file(entry.name):
            continue
        if not accept(entry.name):
            raise DataError(f"{entry}: unexpected file name (expected {what})")
        out.append(entry)
    return out


# -- fast reading of GeoJSON polygons -----------------------------------------------------
#
# GEOS's GeoJSON reader (shapely.from_geojson) needs ~2-3 ms for a 3,000-vertex
# daily archive file, almost all of it parsing numbers. Consecutive map states
# share almost all of their vertices, so the reader below cuts each ring's text
# into short pieces at content-defined places, parses each distinct piece once
# (Python's float(): the same correctly rounded doubles as any JSON parser) and
# remembers it; everything else in the file is checked by the standard JSON parser
# (the document with each coordinate array replaced by 0). Anything unusual gives
# None and the caller uses a general reader.

_COORDS_KEY = re.compile(rb'"coordinates"\s*:\s*(?=\[)')
_JSON_NUMBER = re.compile(rb"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_BLANKS = b" \t\r\n"
# Ring texts are cut after every position whose text ends in "3" (about one in
# ten), so unchanged stretches of boundary give the same pieces day after day.
_CUT = b"3],["
_PIECES: dict[bytes, np.ndarray] = {}  # piece text (without the cut) -> (n, 2) positions
_LAST_PIECES: dict[bytes, np.ndarray] = {}  # the same for the last piece of a ring
_PIECES_MAX = 50_000  # ~30 MB at most; the 2024-2026 archive needs ~5,000
_PIECES_LOCK = threading.Lock()


def _position(text: bytes) -> tuple[float, float]:
    """Parse one 2-D position ``lon,lat`` (compact JSON); KeyError if it is not one."""
    parts = text.split(b",")
    if len(parts) != 2 or not all(_JSON_NUMBER.fullmatch(p) for p in parts):
        raise KeyError(text)
    return float(parts[0]), float(parts[1])


def _piece(text: bytes) -> np.ndarray:
    """(n, 2) positions of ``lon,lat],[lon,lat...``; KeyError if it is not that."""
    return np.array([_position(t) for t in text.split(b"],[")], dtype=float).reshape(-1, 2)


def _ring_positions(rings: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """Coordinates and sizes of ring texts (``lon,lat],[...],[lon,lat``).

    Raises KeyError for a text that is not a list of 2-D positions.
    """
    per_ring = [r.split(_CUT) for r in rings]
    mids = [p for pieces in per_ring for p in pieces[:-1]]
    lasts = [pieces[-1] for pieces in per_ring]
    with _PIECES_LOCK:
        for memo, texts, suffix in ((_PIECES, mids, b"3"), (_LAST_PIECES, lasts, b"")):
            missing = set(texts).difference(memo)
            if missing:
                if len(memo) + len(missing) > _PIECES_MAX:
                    memo.clear()
                    missing = set(texts)
                memo.update({t: _piece(t + suffix) for t in missing})
        mid_arrays = list(map(_PIECES.__getitem__, mids))
        last_arrays = list(map(_LAST_PIECES.__getitem__, lasts))
    arrays: list[np.ndarray] = []
    sizes: list[int] = []
    k = 0
    for pieces, last in zip(per_ring, last_arrays, strict=True):
        n = len(pieces) - 1
        ring = mid_arrays[k : k + n]
        k += n
        ring.append(last)
        arrays.extend(ring)
        sizes.append(sum(map(len, ring)))
    return np.concatenate(arrays), np.array(sizes, dtype=np.int64)


def _polygons_from_text(compact: bytes, multi: bool) -> BaseGeometry | None:
    """A (Multi)Polygon from the whitespace-free text of its coordinates, or None."""
    head, tail = (b"[[[[", b"]]]]") if multi else (b"[[[", b"]]]")
    if not (compact.startswith(head) and compact.endswith(tail)) or len(compact) < 2 * len(head):
        return None
    body = compact[len(head) : -len(tail)]
    polys = body.split(b"]]],[[[") if multi else [body]
    rings: list[bytes] = []
    poly_sizes: list[int] = []
    for poly in polys:
        parts = poly.split(b"]],[[")
        poly_sizes.append(len(parts))
        rings.extend(parts)
    try:
        xy, ring_sizes = _ring_positions(rings)
    except KeyError:
        return None  # not a plain array of 2-D positions
    ring_off = np.r_[0, np.cumsum(ring_sizes)]
    if ring_sizes.min() < 4 or np.any(xy[ring_off[:-1]] != xy[ring_off[1:] - 1]):
        return None  # degenerate or unclosed ring: let the general reader report it
    nr = len(ring_sizes)
    if multi:
        poly_off = np.r_[0, np.cumsum(poly_sizes)]
        offsets: tuple[np.ndarray, ...] = (ring_off, poly_off, np.array([0, len(poly_sizes)]))
        gtype = shapely.GeometryType.MULTIPOLYGON
    else:
        offsets = (ring_off, np.array([0, nr]))
        gtype = shapely.GeometryType.POLYGON
    geom: BaseGeometry = shapely.from_ragged_array(gtype, xy, offsets)[0]
    return geom


def fast_polygon_features(data: bytes) -> list[BaseGeometry] | None:
    """Geometries of a FeatureCollection of (Multi)Polygon features, read fast.

    Parameters
    ----------
    data : bytes
        GeoJSON text (UTF-8).

    Returns
    -------
    list of BaseGeometry or None
        One 2-D (Multi)Polygon per feature, in order, with exactly the
        coordinates a JSON parser reads. None when the document is not valid
        JSON, not a FeatureCollection, or any feature's geometry is not a
        non-empty Polygon or MultiPolygon of 2-D positions with closed rings whose
        last member is ``coordinates``: the caller then uses a general reader,
        which also says what is wrong.
    """
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in _COORDS_KEY.finditer(data):
        start = m.end()
        if start < pos:
            return None
        # A coordinate array holds no "}": the first one closes the geometry.
        close = data.find(b"}", start)
        end = data.rfind(b"]", start, close) + 1 if close >= 0 else 0
        if end <= start:
            return None
        spans.append((start, end))
        pos = end
    if not spans:
        return None
    pieces: list[bytes] = []
    prev = 0
    for s, e in spans:
        pieces += [data[prev:s], b"0"]
        prev = e
    pieces.append(data[prev:])
    try:
        doc = json.loads(b"".join(pieces))
    except (ValueError, RecursionError):
        return None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        return None
    features = doc.get("features")
    if not isinstance(features, list):
        return None
    if len(features) != len(spans):
        return None
    out: list[BaseGeometry] = []
    for feature, (s, e) in zip(features, spans, strict=True):
        geom = feature.get("geometry") if isinstance(feature, dict) else None
        if not isinstance(geom, dict) or geom.get("coordinates") != 0:
            return None
        gtype = geom.get("type")
        if gtype not in ("Polygon", "MultiPolygon"):
            return None
        g = _polygons_from_text(data[s:e].translate(None, _BLANKS), gtype == "MultiPolygon")
        if g is None:
            return None
        out.append(g)
    return out


K = TypeVar("K")


def sort_by_key(
    files: Iterable[Path], key: Callable[[Path], K], *, what: Callable[[K], str]
) -> list[Path]:
    """Sort data files by the date or version their names encode; refuse duplicates.

    Parameters
    ----------
    files : iterable of Path
        Files of one folder.
    key : callable
        The date or version a file stands for (from its name).
    what : callable
        Describes a key in the error, e.g. ``"date 2024-07-08"``.

    Returns
    -------
    list of Path
        Sorted by key.

    Raises
    ------
    DataError
        Two files for the same key (both named).
    """
    seen: dict[K, Path] = {}
    for f in files:
        k = key(f)
        if k in seen:
            raise DataError(f"{f}: duplicate {what(k)} (also {seen[k].name})")
        seen[k] = f
    return [seen[k] for k in sorted(seen)]  # type: ignore[type-var]
