"""Checks shared by every store before it writes derived rows."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd

from garant.errors import DataError

__all__ = ["check_derived_rows"]


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
