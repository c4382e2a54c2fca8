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

from garant.errors import DataError, NotFoundError, SourceError

__all__ = [
    "Progress",
    "check_feature_collection",
    "decode_json",
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
