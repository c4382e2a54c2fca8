"""Fuzz the Air Force attack record reader (sources/attacks.py).

Inputs: CSV files with the upstream header (sometimes a column missing or repeated),
rows of plausible and hostile cells (dates in every format the file uses and others,
counts such as ``1e300``, ``-0``, ``nan``; ``*_details`` dict literals with huge, nested
or non-numeric values; quotes, NUL bytes, BOMs), written with and without quoting and
then mutated. Property: a typed frame or a one-line GarantError naming the file.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from garant.errors import GarantError
from garant.sources.attacks import OUTPUT_COLUMNS, parse_details, read_attack_records

pytestmark = pytest.mark.fuzz

EXAMPLES = int(os.environ.get("GARANT_FUZZ_EXAMPLES", "100"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
_DIR = Path(tempfile.mkdtemp(prefix="garant-fuzz-attacks-"))

COLUMNS = [
    "time_start",
    "time_end",
    "model",
    "launch_place",
    "target",
    "launched",
    "destroyed",
    "not_reach_goal",
    "still_attacking",
    "affected region",
    "destroyed_details",
    "launched_details",
    "source",
]
valid_times = st.sampled_from(["2024-05-02 21:00", "2024-05-03 3:30", "2024-05-04", ""])
times = (
    valid_times
    | valid_times
    | st.sampled_from(
        [
            "2024-05-02 21:00",
            "2024-05-03 3:30",
            "2024-05-03 ",
            "2024-05-04",
            "2024-02-30",
            "2024-05-04 24:61",
            "0000-01-01",
            "9999-12-31 23:59:59",
            "2024-05-04T07:00",
            "",
        ]
    )
    | st.text(max_size=20)
)
counts = (
    st.sampled_from(["40.0", "3", "", "0"])
    | st.sampled_from(["-0", "-1", "1.5", "nan", "inf", "1e300", "1e19", "9" * 40, "0x10"])
    | st.text(max_size=8)
)
detail_values = st.sampled_from(
    ["1", "NaN", "nan", "2.5", "-3", "1e400", "9" * 400, "True", "'x'", "None", "[1]", "{'a': 1}"]
)


@st.composite
def details(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 7))
    if kind == 0:
        return draw(st.text(max_size=30))
    if kind in (1, 6, 7):
        return ""
    items = draw(
        st.lists(
            st.tuples(st.sampled_from(["'west'", "'south'", "1", "(1, 2)", "None"]), detail_values),
            max_size=3,
        )
    )
    text = "{" + ", ".join(f"{k}: {v}" for k, v in items) + "}"
    if kind == 2:
        depth = draw(st.integers(1, 200))
        text = "{'a': " * depth + "1" + "}" * depth
    return text


cells = {
    "time_start": times,
    "time_end": times,
    "model": st.sampled_from(["Shahed-136/131", "X-101/X-555 and Kalibr", " and ", ""])
    | st.text(max_size=15),
    "launched": counts,
    "destroyed": counts,
    "not_reach_goal": counts,
    "still_attacking": counts,
    "destroyed_details": details(),
    "launched_details": details(),
}


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    header = [c for c in COLUMNS if draw(st.integers(0, 19)) > 0]
    if draw(st.integers(0, 19)) == 0 and header:
        header.append(draw(st.sampled_from(header)))  # a repeated column
    rows = []
    for _ in range(draw(st.integers(0, 4))):
        rows.append(
            [draw(cells.get(c, st.text(max_size=10))) for c in header]
            + (["extra"] if draw(st.integers(0, 19)) == 0 else [])
        )
    buf = io.StringIO()
    if draw(st.booleans()):
        writer = csv.writer(buf)
        writer.writerow(header)
        writer.writerows(rows)
    else:  # unquoted, as a careless export would write it
        buf.write("\n".join(",".join(r) for r in [header, *rows]))
    text = buf.getvalue()
    data = text.encode(draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-8", "latin-1"])), "replace")
    if draw(st.integers(0, 5)) == 0 and data:
        at = draw(st.integers(0, len(data) - 1))
        data = data[:at] + draw(st.binary(min_size=1, max_size=3)) + data[at + 1 :]
    return data


@FUZZ
@given(data=csv_files())
def test_read_attack_records(data: bytes) -> None:
    path = _DIR / "missile_attacks_daily.csv"
    path.write_bytes(data)
    try:
        df = read_attack_records(path)
    except GarantError as exc:
        msg = str(exc)
        assert str(path) in msg, repr(msg)
        assert "\n" not in msg, repr(msg)
        return
    assert isinstance(df, pd.DataFrame)
    assert list(df.columns) == list(OUTPUT_COLUMNS)
    ok = df["launched"].isna() | df["destroyed"].isna() | (df["destroyed"] <= df["launched"])
    assert ok.all()


@FUZZ
@given(text=details() | st.text(max_size=40))
def test_parse_details(text: str) -> None:
    try:
        out = parse_details(text)
    except ValueError as exc:  # documented: the reader turns it into a DataError
        msg = str(exc)
        assert msg
        return
    assert out is None or all(isinstance(k, str) for k in out)
