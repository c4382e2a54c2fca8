"""Reader of the Air Force attack records: quirks and bad input (synthetic files only)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from garant.errors import DataError, NotFoundError, SourceError
from garant.sources.attacks import (
    OUTPUT_COLUMNS,
    night_date,
    parse_details,
    parse_record_time,
    read_attack_records,
    split_models,
)

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "air" / "attacks_quirks.csv"
HEADER = "time_start,time_end,model,launched,destroyed,not_reach_goal,affected region,source"


def _write(tmp_path: Path, *rows: str, header: str = HEADER) -> Path:
    path = tmp_path / "attacks.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_fixture_parses_every_quirk() -> None:
    df = read_attack_records(FIXTURE)
    assert list(df.columns) == list(OUTPUT_COLUMNS)
    assert df["line"].tolist() == [2, 3, 4, 5, 6, 7]
    # HH:MM, H:MM, trailing space, date only
    assert df["time_start"].tolist()[:3] == [
        pd.Timestamp("2031-05-02 21:00"),
        pd.Timestamp("2031-05-03 03:30"),
        pd.Timestamp("2031-05-03"),
    ]
    assert df["time_end"][3] == pd.Timestamp("2031-05-04 09:00")
    # a window starting at 03:30 belongs to the previous evening's night
    assert df["date"].tolist()[:3] == [
        dt.date(2031, 5, 2),
        dt.date(2031, 5, 2),
        dt.date(2031, 5, 3),
    ]
    assert df["models"][1] == ["Beta-2", "Gamma-3"]
    assert str(df["launched"].dtype) == "Int64"
    assert pd.isna(df["launched"][3])
    assert pd.isna(df["destroyed"][4])
    assert df["not_reach_goal"].tolist() == [6, 0, 0, 0, 0, 0]
    assert df["not_reach_goal_reported"].tolist() == [True, False, False, False, False, False]
    assert df["still_attacking"][4] == 1
    assert df["destroyed_details"][0] == {"south": None, "west": 12.0}
    assert df["launched_details"][1] == {"Beta-2": 6.0, "Gamma-3": 4.0}
    assert df["affected_region"][3] == "Kharkiv oblast"


@pytest.mark.parametrize(
    ("text", "expected", "has_time"),
    [
        ("2024-05-16", dt.datetime(2024, 5, 16), False),
        ("2024-05-16 ", dt.datetime(2024, 5, 16), False),
        ("2024-05-16 19:30", dt.datetime(2024, 5, 16, 19, 30), True),
        ("2023-05-16 3:30", dt.datetime(2023, 5, 16, 3, 30), True),
        (" 2025-03-06 21:00 ", dt.datetime(2025, 3, 6, 21, 0), True),
    ],
)
def test_parse_record_time(text: str, expected: dt.datetime, has_time: bool) -> None:
    assert parse_record_time(text) == (expected, has_time)


@pytest.mark.parametrize("text", ["", "16.05.2024", "2024-13-01", "2024-02-30 10:00", "x"])
def test_parse_record_time_rejects(text: str) -> None:
    with pytest.raises(ValueError, match="date"):
        parse_record_time(text)


def test_night_date() -> None:
    assert night_date(dt.datetime(2025, 1, 1, 4, 0)) == dt.date(2024, 12, 31)
    assert night_date(dt.datetime(2025, 1, 1, 12, 0)) == dt.date(2025, 1, 1)
    assert night_date(dt.datetime(2025, 1, 1), has_time=False) == dt.date(2025, 1, 1)


def test_parse_details_never_evaluates_code() -> None:
    assert parse_details("{'a': NaN, 'b': 3}") == {"a": None, "b": 3.0}
    assert parse_details("{}") == {}
    assert parse_details("  ") is None
    with pytest.raises(ValueError, match="dict literal"):
        parse_details("__import__('os').system('true')")
    with pytest.raises(ValueError, match="not a number"):
        parse_details("{'a': 'x'}")
    # a key that merely contains "nan" is left alone
    assert parse_details("{'Nanjing': 1}") == {"Nanjing": 1.0}


@given(st.lists(st.text(alphabet="ABCxyz-/0123 ", min_size=1, max_size=8), min_size=1, max_size=4))
def test_split_models_round_trip(tokens: list[str]) -> None:
    clean = [t.strip() for t in tokens if t.strip() and " and " not in f" {t.strip()} "]
    if not clean:
        return
    assert split_models(" and ".join(clean)) == clean


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="no such file"):
        read_attack_records(tmp_path / "nope.csv")
    with pytest.raises(SourceError, match="folder"):
        read_attack_records(tmp_path)


def test_not_a_csv(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text('{"type": "FeatureCollection"}', encoding="utf-8")
    with pytest.raises(DataError, match=r"x\.csv: not an attack record CSV"):
        read_attack_records(path)
    path.write_bytes(b"\xff\xfe\x00\x01garbage")
    with pytest.raises(DataError, match="not UTF-8"):
        read_attack_records(path)
    path.write_text("", encoding="utf-8")
    with pytest.raises(DataError, match="empty file"):
        read_attack_records(path)


def test_missing_required_column(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "2024-01-01,2024-01-01,X,1.0", header="time_start,time_end,model,launched"
    )
    with pytest.raises(DataError, match=r"missing column.*destroyed"):
        read_attack_records(path)


def test_bad_rows_collected_with_line_and_field(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "2024-01-01,2024-01-01,A,3.0,1.0,,,s",  # line 2 fine
        "2024-01-32,2024-01-01,A,3.0,1.0,,,s",  # line 3 bad date
        "2024-01-02,2024-01-02,A,-1.0,0.0,,,s",  # line 4 negative
        "2024-01-03,2024-01-03,A,2.0,5.0,,,s",  # line 5 destroyed > launched
        "2024-01-04,2024-01-04,A,2.5,1.0,,,s",  # line 6 not whole
        "2024-01-05,2024-01-05,A,abc,1.0,,,s",  # line 7 not a number
        "2024-01-06,2024-01-06,,2.0,1.0,,,s",  # line 8 empty model
        "2024-01-07,2024-01-07,A,2.0,1.0,,,s",  # line 9 fine
    )
    with pytest.raises(DataError) as info:
        read_attack_records(path)
    message = str(info.value)
    assert message.startswith(f"{path}: 6 invalid value(s): ")
    assert "line 3, field time_start" in message
    assert "line 4, field launched: negative count" in message
    assert "line 5, field destroyed: destroyed 5 > launched 2" in message
    assert "line 6, field launched" in message
    assert "line 7, field launched" in message
    assert "and 1 more" in message
    assert "\n" not in message


def test_ragged_row(tmp_path: Path) -> None:
    path = _write(tmp_path, "2024-01-01,2024-01-01,A,3.0")
    with pytest.raises(DataError, match="line 2: 4 fields, expected 8"):
        read_attack_records(path)


def test_bad_details(tmp_path: Path) -> None:
    header = "time_start,time_end,model,launched,destroyed,destroyed_details"
    path = _write(tmp_path, "2024-01-01,2024-01-01,A,3.0,1.0,\"{'a': oops}\"", header=header)
    with pytest.raises(DataError, match="line 2, field destroyed_details"):
        read_attack_records(path)
