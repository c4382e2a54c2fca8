"""The bundled demo history (``garant/data/demo``), readable without any download.

The demo folder holds:

* ``raw/<unix-ts>.geojson.gz``: trimmed raw map versions (2022-04 .. 2024-06),
  read with :func:`~garant.sources.deepstatemap.read_raw_folder`;
* ``archive-monthly.geojson.gz``: the unified-archive layout (one feature per
  day, property ``date`` = the archive *file* date), read with
  :func:`~garant.sources.archive.read_archive` (so ``date`` = file date - 1).

Every snapshot gets ``source="demo"``. Whatever part is present is read; a demo
folder with neither part is an error.
"""

from __future__ import annotations

import datetime as dt
import functools
import heapq
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from garant.errors import NotFoundError
from garant.model import Snapshot
from garant.sources._json import Progress
from garant.sources.archive import read_archive
from garant.sources.deepstatemap import read_raw_folder

if TYPE_CHECKING:
    from shapely.geometry.base import BaseGeometry

__all__ = ["demo_monthly_occupied", "demo_root", "demo_snapshots"]

_ARCHIVE_NAME = "archive-monthly.geojson.gz"


def demo_root() -> Path:
    """Return the folder of the bundled demo history (``garant/data/demo``)."""
    return Path(str(resources.files("garant"))) / "data" / "demo"


def demo_snapshots(
    progress: Progress | None = None, *, root: str | Path | None = None
) -> Iterator[Snapshot]:
    """Read the bundled demo history, oldest first.

    Parameters
    ----------
    progress : callable, optional
        Called with 1 after each snapshot.
    root : str or pathlib.Path, optional
        Demo folder; default :func:`demo_root`.

    Yields
    ------
    Snapshot
        Raw versions and archive days merged by ``taken_at``; source ``demo``.

    Raises
    ------
    NotFoundError
        The folder holds neither ``raw/`` nor ``archive-monthly.geojson.gz``.
    """
    folder = Path(root) if root is not None else demo_root()
    raw = folder / "raw"
    archive = folder / _ARCHIVE_NAME
    streams: list[Iterator[Snapshot]] = []
    if raw.is_dir():
        streams.append(read_raw_folder(raw, source="demo"))
    if archive.is_file():
        streams.append(read_archive(archive, source="demo"))
    if not streams:
        raise NotFoundError(
            f"{folder}: no demo history (expected raw/ or {_ARCHIVE_NAME}); reinstall garant"
        )
    for snap in heapq.merge(*streams, key=lambda s: s.taken_at):
        yield snap
        if progress is not None:
            progress(1)


@functools.cache
def demo_monthly_occupied() -> tuple[tuple[dt.date, BaseGeometry], ...]:
    """Occupied territory of the bundled demo's monthly archive, read once per process.

    What garant uses when no store is given (the stand-off of air packages, the land
    front, the observed monthly gain). Reading takes a few seconds; the result is cached.

    Returns
    -------
    tuple of (datetime.date, shapely geometry)
        One pair per snapshot, sorted by date; geometries in EPSG:4326.
    """
    snaps = read_archive(demo_root() / "archive-monthly.geojson.gz", source="demo")
    return tuple(sorted(((s.date, s.occupied) for s in snaps), key=lambda p: p[0]))
