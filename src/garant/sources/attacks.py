"""Read the Ukrainian Air Force attack records (``missile_attacks_daily.csv``).

The file (Kaggle "Massive Missile Attacks on Ukraine", Petro Ivaniuk; see
``shared/data/PROVENANCE.md``) has one row per weapon model per reported attack window.
:func:`read_attack_records` reads it and :func:`parse_attack_records` turns the raw text
into typed columns, handling the file's quirks:

* ``time_start`` / ``time_end`` mix ``YYYY-MM-DD``, ``YYYY-MM-DD HH:MM`` and
  ``YYYY-MM-DD H:MM`` and may carry trailing spaces; times are Kyiv local time and are kept
  as naive local timestamps;
* counts are written as floats (``123.0``) and may be empty: an empty ``launched`` or
  ``destroyed`` stays missing (``<NA>``), an empty ``not_reach_goal`` / ``still_attacking``
  means 0 (``not_reach_goal_reported`` tells the two apart);
* ``*_details`` columns hold Python-dict-like strings with ``NaN``; they are parsed with
  :func:`ast.literal_eval` on a sanitised string (never ``eval``), ``NaN`` becoming ``None``;
* ``model`` may bundle several weapons joined by ``" and "``: ``models`` lists the tokens.

The **night date** (``date``) of a record is the date of the evening its attack window
started: a window that starts at noon or later belongs to its own date, one that starts
before noon to the previous date (a Shahed wave launched at 19:00 and the missiles that
follow at 04:00 are one night). Rows with a date but no time keep their date (they are
daily summaries, mostly by the regional commands).

Problems (missing columns, unparseable dates or counts, negative counts,
``destroyed > launched``) are all collected and reported in one
:class:`~garant.errors.DataError` naming the file, the line and the field.
"""

from __future__ import annotations

import ast
import csv
import datetime as dt
import io
import logging
import math
import re
from pathlib import Path
from typing import Any

import pandas as pd

from garant.errors import DataError, NotFoundError, SourceError

__all__ = [
    "OUTPUT_COLUMNS",
    "REQUIRED_COLUMNS",
    "night_date",
    "parse_attack_records",
    "parse_details",
    "parse_record_time",
    "read_attack_records",
    "split_models",
]

logger = logging.getLogger(__name__)

#: Columns a record file must have (header names as in the upstream file).
REQUIRED_COLUMNS: tuple[str, ...] = ("time_start", "time_end", "model", "launched", "destroyed")

#: Columns of the frame :func:`parse_attack_records` returns, in order.
OUTPUT_COLUMNS: tuple[str, ...] = (
    "line",
    "time_start",
    "time_end",
    "date",
    "model",
    "models",
    "launched",
    "destroyed",
    "not_reach_goal",
    "not_reach_goal_reported",
    "still_attacking",
    "launch_place",
    "target",
    "affected_region",
    "launched_details",
    "destroyed_details",
    "source",
)

#: How many problems a :class:`DataError` message lists before "and N more".
_MAX_LISTED_PROBLEMS = 5

#: Largest count accepted: beyond 2**53 floats no longer hold every whole number.
_MAX_COUNT = float(2**53)

#: Hour (local time) before which a window belongs to the previous night.
_NIGHT_CUTOFF_HOUR = 12

_TIME_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_NAN_RE = re.compile(r"(?<![\w'\"])(?:nan|NaN|NAN)(?![\w'\"])")
_BUNDLE_SEPARATOR = " and "


def parse_record_time(text: str) -> tuple[dt.datetime, bool]:
    """Parse one ``time_start`` / ``time_end`` value.

    Parameters
    ----------
    text
        ``YYYY-MM-DD``, ``YYYY-MM-DD HH:MM`` or ``YYYY-MM-DD H:MM`` (optionally ``:SS``),
        surrounding spaces ignored.

    Returns
    -------
    tuple of (datetime.datetime, bool)
        The naive local time (midnight when no time is given) and whether a time of day
        was given.

    Raises
    ------
    ValueError
        If the text is none of these formats or names an impossible date or time.
    """
    match = _TIME_RE.match(text.strip())
    if match is None:
        raise ValueError(f"not a date or date-time: {text!r}")
    year, month, day, hour, minute, second = match.groups()
    has_time = hour is not None
    try:
        value = dt.datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
        )
    except ValueError as exc:
        raise ValueError(f"impossible date or time {text.strip()!r} ({exc})") from None
    return value, has_time


def night_date(time_start: dt.datetime, *, has_time: bool = True) -> dt.date:
    """The date of the night an attack window belongs to.

    Parameters
    ----------
    time_start
        Start of the window, naive Kyiv local time.
    has_time
        Whether ``time_start`` carries a time of day; a bare date is its own night.

    Returns
    -------
    datetime.date
        ``time_start``'s date when it starts at noon or later (or has no time), else the
        previous date.
    """
    if has_time and time_start.hour < _NIGHT_CUTOFF_HOUR:
        return (time_start - dt.timedelta(days=1)).date()
    return time_start.date()


def parse_details(text: str | None) -> dict[str, float | None] | None:
    """Parse a Python-dict-like ``*_details`` cell such as ``{'west': 2, 'south': NaN}``.

    Parameters
    ----------
    text
        The cell text; empty or ``None`` means no details.

    Returns
    -------
    dict or None
        Keys as strings, values as floats (``NaN`` becomes ``None``); ``None`` for an empty
        cell.

    Raises
    ------
    ValueError
        If the text is not a dict literal of numbers (it is parsed with
        :func:`ast.literal_eval`, never evaluated as code).
    """
    if text is None:
        return None
    stripped = text.strip()
    if not stripped:
        return None
    sanitised = _NAN_RE.sub("None", stripped)
    try:
        value = ast.literal_eval(sanitised)
    except (ValueError, SyntaxError, MemoryError, RecursionError) as exc:
        raise ValueError(f"not a dict literal: {stripped[:60]!r}") from exc
    if not isinstance(value, dict):
        raise ValueError(f"not a dict literal: {stripped[:60]!r}")
    out: dict[str, float | None] = {}
    for key, item in value.items():
        if item is None:
            out[str(key)] = None
        elif isinstance(item, bool) or not isinstance(item, int | float):
            raise ValueError(f"value of {key!r} is not a number: {item!r}")
        elif isinstance(item, float) and math.isnan(item):
            out[str(key)] = None
        else:
            try:
                number = float(item)
            except OverflowError:
                number = math.inf
            if not math.isfinite(number):
                raise ValueError(f"value of {key!r} is not a finite number: {str(item)[:20]}")
            out[str(key)] = number
    return out


def split_models(model: str) -> list[str]:
    """Split a ``model`` cell into weapon tokens on ``" and "``.

    Parameters
    ----------
    model
        The raw model string, e.g. ``"X-101/X-555 and Kalibr"``.

    Returns
    -------
    list of str
        The stripped, non-empty tokens in their order (``["X-101/X-555", "Kalibr"]``).
    """
    return [token.strip() for token in model.split(_BUNDLE_SEPARATOR) if token.strip()]


def _parse_count(text: str) -> float | None:
    """Parse a count cell (``"123.0"``, ``"7"``, empty); raise ValueError when invalid."""
    stripped = text.strip()
    if not stripped:
        return None
    value = float(stripped)
    if not math.isfinite(value):
        raise ValueError(f"not a finite number: {stripped!r}")
    if value < 0:
        raise ValueError(f"negative count {stripped}")
    if value != int(value):
        raise ValueError(f"not a whole number: {stripped!r}")
    if value > _MAX_COUNT:
        raise ValueError(f"count {stripped} is too large")
    return value


def _text(value: str) -> str | None:
    stripped = value.strip()
    return stripped or None


def _describe(name: str, problems: list[str]) -> str:
    shown = "; ".join(problems[:_MAX_LISTED_PROBLEMS])
    more = len(problems) - _MAX_LISTED_PROBLEMS
    suffix = f"; and {more} more" if more > 0 else ""
    return f"{name}: {len(problems)} invalid value(s): {shown}{suffix}"


def parse_attack_records(raw: pd.DataFrame, *, name: str = "<records>") -> pd.DataFrame:
    """Turn the raw text of an attack record file into typed columns.

    Parameters
    ----------
    raw
        The file as read with every column a string (empty cells as ``""``); a column
        ``line`` (the file line of each row, header = line 1) is used when present,
        otherwise rows are numbered from line 2.
    name
        What to call the input in error messages (the file path).

    Returns
    -------
    pandas.DataFrame
        One row per record with the columns :data:`OUTPUT_COLUMNS`: ``time_start`` and
        ``time_end`` (naive Kyiv local :class:`pandas.Timestamp`), ``date`` (the night's
        date, :class:`datetime.date`), ``model`` (raw) and ``models`` (list of tokens),
        ``launched`` and ``destroyed`` (nullable ``Int64``, number of weapons),
        ``not_reach_goal`` and ``still_attacking`` (``int64``, 0 when empty),
        ``not_reach_goal_reported`` (bool), ``launch_place``, ``target``,
        ``affected_region``, ``source`` (str or None), ``launched_details`` and
        ``destroyed_details`` (dict or None).

    Raises
    ------
    DataError
        If required columns are missing, or any row has an unparseable date, count or
        details cell, a negative count, or ``destroyed > launched``; the message names
        the input, the lines and fields, and the number of problems.
    """
    columns = [str(c).strip() for c in raw.columns]
    frame = raw.copy()
    frame.columns = pd.Index(columns)
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise DataError(f"{name}: missing required column(s) {', '.join(missing)}")
    repeated = sorted({c for c in columns if columns.count(c) > 1})
    if repeated:
        raise DataError(f"{name}: repeated column(s) {', '.join(map(repr, repeated))}")
    if "line" in frame.columns:
        lines = [int(v) for v in frame["line"]]
    else:
        lines = list(range(2, len(frame) + 2))

    def column(field: str) -> list[str]:
        if field not in frame.columns:
            return [""] * len(frame)
        return ["" if pd.isna(v) else str(v) for v in frame[field]]

    problems: list[str] = []
    records: list[dict[str, Any]] = []
    cols = {
        field: column(field)
        for field in (
            "time_start",
            "time_end",
            "model",
            "launched",
            "destroyed",
            "not_reach_goal",
            "still_attacking",
            "launch_place",
            "target",
            "affected region",
            "launched_details",
            "destroyed_details",
            "source",
        )
    }
    for i, line in enumerate(lines):
        record: dict[str, Any] = {"line": line}
        row_problems: list[str] = []

        def fail(
            field: str, message: str, _line: int = line, _out: list[str] = row_problems
        ) -> None:
            _out.append(f"line {_line}, field {field}: {message}")

        start: dt.datetime | None = None
        has_time = False
        try:
            start, has_time = parse_record_time(cols["time_start"][i])
        except ValueError as exc:
            fail("time_start", str(exc))
        end: dt.datetime | None = None
        end_text = cols["time_end"][i].strip()
        if end_text:
            try:
                end, _ = parse_record_time(end_text)
            except ValueError as exc:
                fail("time_end", str(exc))
        model = cols["model"][i].strip()
        if not model:
            fail("model", "empty weapon model")
        counts: dict[str, float | None] = {}
        for field in ("launched", "destroyed", "not_reach_goal", "still_attacking"):
            try:
                counts[field] = _parse_count(cols[field][i])
            except ValueError as exc:
                fail(field, str(exc))
                counts[field] = None
        launched, destroyed = counts["launched"], counts["destroyed"]
        if launched is not None and destroyed is not None and destroyed > launched:
            fail("destroyed", f"destroyed {destroyed:g} > launched {launched:g}")
        details: dict[str, dict[str, float | None] | None] = {}
        for field in ("launched_details", "destroyed_details"):
            try:
                details[field] = parse_details(cols[field][i])
            except ValueError as exc:
                fail(field, str(exc))
                details[field] = None
        if row_problems:
            problems.extend(row_problems)
            continue
        assert start is not None
        record.update(
            time_start=pd.Timestamp(start),
            time_end=pd.Timestamp(end) if end is not None else pd.NaT,
            date=night_date(start, has_time=has_time),
            model=model,
            models=split_models(model),
            launched=launched,
            destroyed=destroyed,
            not_reach_goal=int(counts["not_reach_goal"] or 0),
            not_reach_goal_reported=counts["not_reach_goal"] is not None,
            still_attacking=int(counts["still_attacking"] or 0),
            launch_place=_text(cols["launch_place"][i]),
            target=_text(cols["target"][i]),
            affected_region=_text(cols["affected region"][i]),
            launched_details=details["launched_details"],
            destroyed_details=details["destroyed_details"],
            source=_text(cols["source"][i]),
        )
        records.append(record)
    if problems:
        raise DataError(_describe(name, problems))
    out = pd.DataFrame.from_records(records, columns=list(OUTPUT_COLUMNS))
    out["line"] = out["line"].astype("int64")
    out["time_start"] = pd.to_datetime(out["time_start"])
    out["time_end"] = pd.to_datetime(out["time_end"])
    for field in ("launched", "destroyed"):
        out[field] = pd.array(
            [None if v is None or pd.isna(v) else int(v) for v in out[field]], dtype="Int64"
        )
    for field in ("not_reach_goal", "still_attacking"):
        out[field] = out[field].astype("int64")
    out["not_reach_goal_reported"] = out["not_reach_goal_reported"].astype(bool)
    logger.debug("parsed %d attack records from %s", len(out), name)
    return out


def read_attack_records(path: str | Path) -> pd.DataFrame:
    """Read an Air Force attack record file (``missile_attacks_daily.csv``).

    Parameters
    ----------
    path
        The CSV file (UTF-8, header row, upstream column names incl. ``affected region``).

    Returns
    -------
    pandas.DataFrame
        One row per record, typed as described in :func:`parse_attack_records`.

    Raises
    ------
    NotFoundError
        If the file does not exist.
    SourceError
        If the path is a folder or cannot be read.
    DataError
        If the file is not a UTF-8 CSV with the required columns, or rows are invalid
        (the message names the file, lines and fields).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise NotFoundError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise SourceError(f"{path}: is a folder, expected a CSV file") from None
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not UTF-8 text (byte {exc.start}), expected a CSV") from None
    except OSError as exc:
        raise SourceError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if "\x00" in text:
        raise DataError(f"{path}: binary content, expected a CSV file")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [cell.strip() for cell in next(reader, [])]
    except csv.Error as exc:
        raise DataError(f"{path}: line 1: not a CSV ({exc})") from None
    if not any(header):
        raise DataError(f"{path}: empty file, expected a CSV with a header row")
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise DataError(f"{path}: not an attack record CSV, missing column(s) {', '.join(missing)}")
    width = len(header)
    data: list[list[str]] = []
    lines: list[int] = []
    problems: list[str] = []
    line_no = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise DataError(f"{path}: line {line_no}: not a CSV ({exc})") from None
        start_line, line_no = line_no, reader.line_num + 1
        if not row or not any(cell.strip() for cell in row):
            continue
        if len(row) != width:
            problems.append(f"line {start_line}: {len(row)} fields, expected {width}")
            continue
        data.append(row)
        lines.append(start_line)
    if problems:
        raise DataError(_describe(str(path), problems))
    raw = pd.DataFrame(data, columns=header, dtype=object)
    raw["line"] = lines
    return parse_attack_records(raw, name=str(path))
