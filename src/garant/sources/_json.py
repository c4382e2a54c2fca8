"""Reading (optionally gzipped) JSON and GeoJSON files with one-line errors.

Every reader in :mod:`garant.sources` goes through these helpers so that a
missing file, a truncated gzip stream or malformed JSON always becomes the same
kind of garant error, naming the file and the problem.
"""

from __future__ import annotations

import gzip
import json
import re
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

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


# -- fast GeoJSON polygon reading ---------------------------------------------------------
#
# shapely.from_geojson (GEOS's JSON reader) needs ~2 ms for a 3,000-vertex daily
# archive file; most of it is number parsing. The reader below parses the
# coordinate arrays with numpy and validates everything else with the standard
# JSON parser (the document with each coordinate array replaced by ``0``), so a
# malformed file is still rejected; whatever it is unsure about gives None and
# the caller falls back to the general readers.

_COORDS_KEY = re.compile(rb'"coordinates"\s*:\s*(?=\[)')
_OPEN, _CLOSE, _COMMA, _DOT, _MINUS = (ord(c) for c in "[],.-")
_WS = np.zeros(256, dtype=bool)
_WS[list(b" \t\r\n")] = True
_DIGIT = np.zeros(256, dtype=bool)
_DIGIT[list(b"0123456789")] = True
_NUMCH = _DIGIT.copy()
_NUMCH[[_DOT, _MINUS]] = True
_ALLOWED = _NUMCH | _WS
_ALLOWED[[_OPEN, _CLOSE, _COMMA]] = True
# Allowed pairs of consecutive non-blank characters of a coordinate array (JSON
# grammar for arrays of numbers without exponents; the depth checks do the rest).
_PAIR = np.zeros((256, 256), dtype=bool)
_DIGITS = list(b"0123456789")
_PAIR[_OPEN, [_OPEN, _MINUS, *_DIGITS]] = True
_PAIR[_CLOSE, [_COMMA, _CLOSE]] = True
_PAIR[_COMMA, [_OPEN, _MINUS, *_DIGITS]] = True
for _d in _DIGITS:
    _PAIR[_d, [*_DIGITS, _DOT, _COMMA, _CLOSE]] = True
_PAIR[_DOT, _DIGITS] = True
_PAIR[_MINUS, _DIGITS] = True
_POW10 = 10.0 ** np.arange(23)
_MAX_DIGITS = 15  # mantissas below 2**53: mantissa / 10**k is then correctly rounded
_POINT_DEPTH = {"Polygon": 3, "MultiPolygon": 4}


def _array_end(buf: np.ndarray) -> int:
    """Index one past the ``]`` that closes the array opening at ``buf[0]``, or -1."""
    depth = np.cumsum((buf == _OPEN).astype(np.int32) - (buf == _CLOSE))
    closed = np.flatnonzero(depth == 0)
    return int(closed[0]) + 1 if len(closed) else -1


def _parse_numbers(c: np.ndarray) -> np.ndarray | None:
    """Parse the numbers of compact coordinate text (no blanks, no exponents)."""
    num = _NUMCH[c]
    isdig = _DIGIT[c]
    start = num & ~np.r_[False, num[:-1]]
    end = num & ~np.r_[num[1:], False]
    starts = np.flatnonzero(start)
    tok = np.cumsum(start) - 1  # token index of each character (valid where num)
    cumdig = np.cumsum(isdig)
    dig_end = cumdig[np.flatnonzero(end)]  # digits up to each token's last character
    dig_start = cumdig[starts] - isdig[starts]  # digits before each token
    if np.any(dig_end - dig_start > _MAX_DIGITS + 7):
        return None
    dots = np.flatnonzero(c == _DOT)
    dot_tok = tok[dots]
    if len(dots) and np.any(np.diff(dot_tok) == 0):
        return None  # two dots in one number
    # No leading zeros ("01"), as in JSON.
    first_digit = starts + (c[starts] == _MINUS)
    if np.any((c[first_digit] == ord("0")) & _DIGIT[c[np.minimum(first_digit + 1, len(c) - 1)]]):
        return None
    dpos = np.flatnonzero(isdig)
    dtok = tok[dpos]
    weight = _POW10[dig_end[dtok] - cumdig[dpos]]
    mant = np.bincount(dtok, weights=(c[dpos] - 48) * weight, minlength=len(starts))
    decimals = np.zeros(len(starts), dtype=np.int64)
    decimals[dot_tok] = dig_end[dot_tok] - cumdig[dots]
    value = mant / _POW10[decimals]
    value = np.where(c[starts] == _MINUS, -value, value)
    # Long mantissas (beyond 2**53): the exact parser, one number at a time.
    ends = np.flatnonzero(end) + 1
    for i in np.flatnonzero(dig_end - dig_start > _MAX_DIGITS):
        value[i] = float(c[starts[i] : ends[i]].tobytes())
    return value


def _parse_polygon_coords(buf: np.ndarray, geom_type: str) -> BaseGeometry | None:
    """Build a (Multi)Polygon from its ``coordinates`` array text, or None if unsure."""
    pd_ = _POINT_DEPTH[geom_type]
    if not _ALLOWED[buf].all():
        return None
    c = buf[~_WS[buf]]
    if len(c) < 2 or not _PAIR[c[:-1], c[1:]].all():
        return None
    opens = c == _OPEN
    depth = np.cumsum(opens.astype(np.int32) - (c == _CLOSE))
    if depth[-1] != 0 or depth[:-1].min() < 1 or depth.max() != pd_:
        return None
    num = _NUMCH[c]
    if np.any(depth[num] != pd_):
        return None
    values = _parse_numbers(c)
    if values is None:
        return None
    point_pos = np.flatnonzero(opens & (depth == pd_))
    tok_pos = np.flatnonzero(num & ~np.r_[False, num[:-1]])
    if len(tok_pos) != 2 * len(point_pos):
        return None
    per_point = np.bincount(np.searchsorted(point_pos, tok_pos, side="right") - 1)
    if len(per_point) != len(point_pos) or np.any(per_point != 2):
        return None  # not exactly two numbers (x, y) in every position
    xy = values.reshape(-1, 2)
    ring_pos = np.flatnonzero(opens & (depth == pd_ - 1))
    ring_off = np.r_[np.searchsorted(point_pos, ring_pos), len(point_pos)]
    counts = np.diff(ring_off)
    if len(ring_pos) == 0 or np.any(counts < 4):
        return None
    first, last = xy[ring_off[:-1]], xy[ring_off[1:] - 1]
    if np.any(first != last):
        return None  # unclosed ring: let the general reader report it
    if geom_type == "Polygon":
        offsets: tuple[np.ndarray, ...] = (ring_off, np.array([0, len(ring_pos)]))
        gtype = shapely.GeometryType.POLYGON
    else:
        poly_pos = np.flatnonzero(opens & (depth == pd_ - 2))
        if len(poly_pos) == 0:
            return None
        poly_off = np.r_[np.searchsorted(ring_pos, poly_pos), len(ring_pos)]
        if np.any(np.diff(poly_off) < 1):
            return None
        offsets = (ring_off, poly_off, np.array([0, len(poly_pos)]))
        gtype = shapely.GeometryType.MULTIPOLYGON
    geoms = shapely.from_ragged_array(gtype, np.ascontiguousarray(xy), offsets)
    return geoms[0]  # type: ignore[no-any-return]


def fast_polygon_features(data: bytes) -> list[BaseGeometry] | None:
    """Geometries of a FeatureCollection of (Multi)Polygon features, read fast.

    Parameters
    ----------
    data : bytes
        The GeoJSON text (UTF-8).

    Returns
    -------
    list of BaseGeometry or None
        One 2-D (Multi)Polygon per feature, in order, with exactly the
        coordinates a JSON parser reads; None when the document is not a
        FeatureCollection whose features all have a non-empty Polygon or
        MultiPolygon geometry with 2-D positions and closed rings, or is not
        valid JSON, or uses number forms the fast path does not handle
        (exponents, more than 15 digits): the caller then uses a general reader,
        which also reports what is wrong.
    """
    spans: list[tuple[int, int]] = []
    pos = 0
    whole = np.frombuffer(data, dtype=np.uint8)
    for m in _COORDS_KEY.finditer(data):
        if m.start() < pos:
            return None
        start = m.end()
        end = _array_end(whole[start:])
        if end < 0:
            return None
        spans.append((start, start + end))
        pos = start + end
    if not spans:
        return None
    pieces = []
    prev = 0
    for s, e in spans:
        pieces += [data[prev:s], b"0"]
        prev = e
    pieces.append(data[prev:])
    try:
        skeleton = json.loads(b"".join(pieces))
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(skeleton, dict) or skeleton.get("type") != "FeatureCollection":
        return None
    features = skeleton.get("features")
    if not isinstance(features, list) or len(features) != len(spans):
        return None
    out: list[BaseGeometry] = []
    for feature, (s, e) in zip(features, spans, strict=True):
        geom = feature.get("geometry") if isinstance(feature, dict) else None
        if (
            not isinstance(geom, dict)
            or geom.get("coordinates") != 0
            or geom.get("type") not in _POINT_DEPTH
        ):
            return None
        g = _parse_polygon_coords(whole[s:e], str(geom["type"]))
        if g is None:
            return None
        out.append(g)
    return out
