"""What every store does the same way: revisions of new snapshots, checks of derived rows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

import pandas as pd

from garant.errors import DataError
from garant.model import Snapshot
from garant.store import IngestResult

if TYPE_CHECKING:
    from shapely.geometry.base import BaseGeometry

__all__ = ["CHUNK", "add_revisions", "check_derived_rows"]

#: Snapshots buffered before they are written (bounds memory during ingest).
CHUNK = 128


def check_derived_rows(
    measures: pd.DataFrame,
    oblast_measures: pd.DataFrame,
    lines: pd.DataFrame,
    changes: pd.DataFrame,
    snapshot_ids: Sequence[int] | None,
    known_ids: Callable[[list[int]], set[int]],
) -> None:
    """Refuse derived rows that would corrupt a store.

    Parameters
    ----------
    measures, oblast_measures, lines, changes : pandas.DataFrame
        The rows :meth:`~garant.store.duckdb.DuckDBStore.replace_derived` is asked to write.
    snapshot_ids : sequence of int, optional
        The snapshots being replaced; rows must belong to them.
    known_ids : callable
        Given the referenced snapshot ids (sorted), returns those the store holds.

    Raises
    ------
    DataError
        Empty owner ids, ids outside ``snapshot_ids``, duplicate keys, an unknown change
        kind, or references to snapshots the store does not hold (one line, every problem).
    """
    problems: list[str] = []
    owners = {
        "measures.snapshot_id": measures["snapshot_id"],
        "oblast_measures.snapshot_id": oblast_measures["snapshot_id"],
        "lines.snapshot_id": lines["snapshot_id"],
        "changes.to_snapshot_id": changes["to_snapshot_id"],
    }
    for name, col in owners.items():
        if col.isna().any():
            problems.append(f"{name} has empty values")
    if problems:
        raise DataError("replace_derived: " + "; ".join(problems))
    if snapshot_ids is not None:
        scope = {int(i) for i in snapshot_ids}
        for name, col in owners.items():
            outside = sorted({int(v) for v in col} - scope)
            if outside:
                problems.append(f"{name} has ids outside snapshot_ids: {outside[:10]}")
    for name, df, keys in (
        ("measures", measures, ["snapshot_id"]),
        ("lines", lines, ["snapshot_id"]),
        ("oblast_measures", oblast_measures, ["snapshot_id", "oblast_iso"]),
    ):
        dup = df[df.duplicated(keys, keep=False)]
        if len(dup):
            shown = dup[keys].drop_duplicates().head(5).to_dict("records")
            problems.append(f"{name} has duplicate keys {shown}")
    bad_kinds = sorted({str(k) for k in changes["kind"]} - {"gained", "lost"})
    if bad_kinds:
        problems.append(f"changes.kind has {bad_kinds} (expected 'gained' or 'lost')")
    referenced: set[int] = set()
    for col in [*owners.values(), changes["from_snapshot_id"], measures["prev_snapshot_id"]]:
        referenced |= {int(v) for v in col.dropna()}
    if referenced:
        unknown = sorted(referenced - known_ids(sorted(referenced)))
        if unknown:
            problems.append(f"unknown snapshot ids {unknown[:10]}")
    if problems:
        raise DataError("replace_derived: " + "; ".join(problems))


def add_revisions(
    snapshots: Iterable[Snapshot],
    *,
    revision_state: Callable[[], dict[tuple[str, dt.date], tuple[int, set[str]]]],
    insert: Callable[[list[tuple[Snapshot, int, str]]], list[int]],
    transaction: Callable[[], AbstractContextManager[None]],
    progress: Callable[[int], None] | None = None,
    occupied: dict[int, BaseGeometry] | None = None,
) -> IngestResult:
    """Add snapshots as revisions, incrementally and idempotently, in one transaction.

    The store-independent part of ``add_snapshots`` (see
    :meth:`garant.store.duckdb.DuckDBStore.add_snapshots`): content identical to a stored
    revision is a no-op, a new (source, date) is revision 1, other content for a stored
    (source, date) the next revision.

    Parameters
    ----------
    snapshots : iterable of Snapshot
        Consumed once.
    revision_state : callable
        (source, date) -> (latest revision, stored content hashes), read inside the
        transaction.
    insert : callable
        Writes ``(snapshot, revision, polygon hash)`` rows, returns their new ids.
    transaction : callable
        The store's transaction context manager.
    progress : callable, optional
        Called with ``1`` after each snapshot is read.
    occupied : dict, optional
        Filled with snapshot id -> occupied territory of each snapshot written.

    Returns
    -------
    IngestResult

    Raises
    ------
    DataError
        An item that is not a :class:`~garant.model.Snapshot`.
    """
    added: list[int] = []
    revised: list[int] = []
    unchanged = 0
    # (snapshot, revision, polygon hash): the hash is taken as each snapshot
    # arrives, while Snapshot.build's memo of its geometry is fresh.
    pending: list[tuple[Snapshot, int, str]] = []

    def flush() -> None:
        ids = insert(pending)
        for (snap, revision, _phash), sid in zip(pending, ids, strict=True):
            (added if revision == 1 else revised).append(sid)
            if occupied is not None:
                occupied[sid] = snap.occupied
        pending.clear()

    with transaction():
        state = revision_state()
        for snap in snapshots:
            if not isinstance(snap, Snapshot):
                raise DataError(
                    f"add_snapshots: expected Snapshot objects, got {type(snap).__name__}"
                )
            key = (snap.source, snap.date)
            revision, hashes = state.get(key, (0, set()))
            if snap.content_hash in hashes:
                unchanged += 1
            else:
                hashes.add(snap.content_hash)
                state[key] = (revision + 1, hashes)
                pending.append((snap, revision + 1, snap.polygon_hash))
                if len(pending) >= CHUNK:
                    flush()
            if progress is not None:
                progress(1)
        if pending:
            flush()
    return IngestResult(tuple(added), tuple(revised), unchanged)
