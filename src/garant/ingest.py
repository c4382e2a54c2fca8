"""Ingest: turn any source into snapshots, store them, update the frontline.

``ingest(source, store=...)`` is what ``garant ingest SOURCE`` runs. ``source``
is ``"demo"`` (the bundled history), ``"api"`` (the live DeepStateMap API, new
map versions since the store's latest date), a folder (the daily archive
``deepstatemap_data_YYYYMMDD.geojson`` or raw map versions ``<unix-time>.geojson``),
a unified archive ``.geojson.gz``, or one file.
"""

from __future__ import annotations

import datetime as dt
import logging
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from garant.errors import GeometryRepairedWarning
from garant.model import Snapshot
from garant.sources.detect import detect_source_kind

if TYPE_CHECKING:
    from shapely.geometry.base import BaseGeometry

    from garant.store import Store

__all__ = ["IngestSummary", "detect_source_kind", "ingest", "read_source"]

log = logging.getLogger(__name__)

Progress = Callable[[int], None]


@dataclass(frozen=True)
class IngestSummary:
    """What one ingest did.

    Attributes
    ----------
    source : str
        The source as given.
    kind : str
        ``demo``, ``api``, ``archive`` or ``raw``.
    added, revised, unchanged : int
        Snapshots new to the store, new revisions of a day already stored, and
        no-ops (same day, same content).
    measured : int
        Snapshots whose measures were computed by this run.
    changes : int
        Change polygons now stored along the timeline.
    notes : tuple of str
        Repairs and warnings from the sources.
    """

    source: str
    kind: str
    added: int
    revised: int
    unchanged: int
    measured: int
    changes: int
    notes: tuple[str, ...] = ()

    def summary(self) -> str:
        """One line for the terminal."""
        return (
            f"{self.source} ({self.kind}): {self.added} added, {self.revised} revised, "
            f"{self.unchanged} unchanged; {self.measured} measured, {self.changes} changes stored"
        )


def read_source(
    source: str | Path,
    *,
    progress: Progress | None = None,
    since: dt.date | None = None,
) -> Iterator[Snapshot]:
    """Yield the snapshots of a source (see :func:`detect_source_kind`).

    Parameters
    ----------
    source : str or Path
        What to read.
    progress : callable, optional
        Called with the number of items done since the last call.
    since : datetime.date, optional
        For ``api``: fetch map versions after this date only.

    Yields
    ------
    Snapshot
    """
    from garant import sources

    kind = detect_source_kind(source)
    if kind == "demo":
        yield from sources.demo_snapshots(progress=progress)
    elif kind == "api":
        client = sources.DeepStateClient()
        start = since if since is not None else dt.date(2022, 2, 24)
        yield from client.fetch_since(start, progress=progress)
    elif kind == "raw":
        path = Path(source)
        if path.is_dir():
            yield from sources.read_raw_folder(path, progress=progress)
        else:
            yield sources.read_map_version_file(path)
    else:
        yield from sources.read_archive(Path(source), progress=progress)


def ingest(
    source: str | Path,
    *,
    store: Store,
    progress: Progress | None = None,
    measure_progress: Progress | None = None,
    update: bool = True,
) -> IngestSummary:
    """Read a source into the store and bring the frontline measures up to date.

    Reading, storing and measuring run in one transaction: a failure anywhere
    (a malformed file halfway through a folder, an interrupt) leaves the store as
    it was. Re-ingesting the same data is a no-op; a different file for a day
    already stored becomes a new revision.

    Parameters
    ----------
    source : str or Path
        ``"demo"``, ``"api"``, a folder or a file.
    store : Store
        An open store.
    progress, measure_progress : callable, optional
        Progress callbacks for reading and for measuring.
    update : bool, default True
        Compute measures and changes for the new snapshots.

    Returns
    -------
    IngestSummary
    """
    from garant.frontline.engine import update_frontline

    kind = detect_source_kind(source)
    since = None
    if kind == "api":
        since = store.latest_date()
    notes: list[str] = []

    def _tap(snaps: Iterator[Snapshot]) -> Iterator[Snapshot]:
        for s in snaps:
            notes.extend(s.notes)
            yield s

    measured = changes = 0
    # The new snapshots' occupied territory, kept from reading so that the
    # frontline update does not read it back from the store.
    occupied: dict[int, BaseGeometry] | None = {} if update else None
    # One transaction: snapshots and their measures land together or not at all.
    with store.transaction():
        with warnings.catch_warnings():
            # Repairs are reported through the snapshots' notes (returned below).
            warnings.simplefilter("ignore", GeometryRepairedWarning)
            result = store.add_snapshots(
                _tap(read_source(source, progress=progress, since=since)), occupied=occupied
            )
        if update:
            upd = update_frontline(store, progress=measure_progress, occupied=occupied)
            measured, changes = upd.updated, upd.changes
    return IngestSummary(
        source=str(source),
        kind=kind,
        added=len(result.added_ids),
        revised=len(result.revised_ids),
        unchanged=result.unchanged,
        measured=measured,
        changes=changes,
        notes=tuple(notes),
    )
