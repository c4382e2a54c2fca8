"""Tell which reader a source needs, from its name alone."""

from __future__ import annotations

from pathlib import Path

from garant.errors import SourceError
from garant.sources.archive import _DAILY_NAME
from garant.sources.deepstatemap import _is_version_file

__all__ = ["SOURCE_KINDS", "detect_source_kind"]

#: What :func:`detect_source_kind` returns.
SOURCE_KINDS: tuple[str, ...] = ("demo", "api", "archive", "raw")


def detect_source_kind(source: str | Path) -> str:
    """Tell which reader a source needs.

    Parameters
    ----------
    source : str or Path
        ``"demo"``, ``"api"``, a folder of daily archive files
        (``deepstatemap_data_YYYYMMDD.geojson[.gz]``) or raw map versions
        (``<unix-time>.geojson[.gz]``), a unified archive ``.geojson[.gz]`` or one
        file of either kind.

    Returns
    -------
    str
        One of :data:`SOURCE_KINDS`.

    Raises
    ------
    SourceError
        The path does not exist, is unreadable, or holds no known files.
    """
    text = str(source)
    if text in ("demo", "api"):
        return text
    path = Path(source)
    if not path.exists():
        raise SourceError(
            f"{path}: no such file or folder (expected a folder, a file, 'api' or 'demo')"
        )
    if path.is_dir():
        try:
            names = [p.name for p in path.iterdir()]
        except OSError as exc:
            raise SourceError(f"{path}: unreadable folder ({exc.strerror or exc})") from exc
        if any(_DAILY_NAME.match(n) for n in names):
            return "archive"
        if any(_is_version_file(n) for n in names):
            return "raw"
        raise SourceError(
            f"{path}: no DeepStateMap files found (expected deepstatemap_data_YYYYMMDD.geojson "
            "or <unix-time>.geojson)"
        )
    return "raw" if _is_version_file(path.name) else "archive"
