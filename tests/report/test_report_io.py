from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from garant._io import (
    atomic_path,
    atomic_write,
    staged_files,
    write_bytes_atomic,
    write_text_atomic,
)


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".garant-tmp-"))


def test_write_text_and_bytes(tmp_path: Path) -> None:
    p = write_text_atomic(tmp_path / "a.txt", "héllo\nworld\n")
    assert p.read_text(encoding="utf-8") == "héllo\nworld\n"
    write_bytes_atomic(tmp_path / "b.bin", b"\x00\x01")
    assert (tmp_path / "b.bin").read_bytes() == b"\x00\x01"
    assert _leftovers(tmp_path) == []


def test_new_file_has_normal_permissions(tmp_path: Path) -> None:
    p = write_text_atomic(tmp_path / "a.txt", "x")
    mask = os.umask(0o022)
    os.umask(mask)
    assert p.stat().st_mode & 0o777 == 0o666 & ~mask


def _failing_text_write(target: Path) -> None:
    with atomic_write(target) as fh:
        fh.write("new, half")
        raise RuntimeError("boom")


def _failing_bytes_write(target: Path) -> None:
    with atomic_write(target, "wb") as fh:
        fh.write(b"x")
        raise RuntimeError("boom")


def _failing_library_write(target: Path) -> None:
    with atomic_path(target) as tmp:
        tmp.write_text("v2 partial")
        (tmp.parent / (tmp.name + "-journal")).write_text("side file")
        raise OSError("disk full")


def _failing_staged_write(out: Path) -> None:
    with staged_files(out) as stage:
        (stage / "index.html").write_text("v2")
        raise RuntimeError("chart failed")


def test_exception_mid_write_keeps_old_content(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError, match="boom"):
        _failing_text_write(target)
    assert target.read_text() == "old"
    assert _leftovers(tmp_path) == []


def test_exception_mid_write_creates_nothing(tmp_path: Path) -> None:
    target = tmp_path / "a.bin"
    with pytest.raises(RuntimeError):
        _failing_bytes_write(target)
    assert list(tmp_path.iterdir()) == []


def test_atomic_write_rejects_other_modes(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="mode"):
        atomic_write(tmp_path / "a", "a")  # type: ignore[call-overload]


def test_atomic_path_success_and_failure(tmp_path: Path) -> None:
    target = tmp_path / "layer.gpkg"
    with atomic_path(target) as tmp:
        assert tmp.parent == tmp_path
        assert tmp.suffix == ".gpkg"
        assert not tmp.exists()
        tmp.write_text("v1")
    assert target.read_text() == "v1"
    with pytest.raises(OSError, match="disk full"):
        _failing_library_write(target)
    assert target.read_text() == "v1"
    assert _leftovers(tmp_path) == []


def test_atomic_path_requires_a_written_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError), atomic_path(tmp_path / "x.txt"):
        pass
    assert list(tmp_path.iterdir()) == []


def test_staged_files_moves_all_or_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with staged_files(out, last=("index.html",)) as stage:
        (stage / "index.html").write_text("v1")
        (stage / "img").mkdir()
        (stage / "img" / "a.png").write_bytes(b"png1")
    assert (out / "index.html").read_text() == "v1"
    assert (out / "img" / "a.png").read_bytes() == b"png1"
    (out / "keep.txt").write_text("user file")
    with pytest.raises(RuntimeError, match="chart failed"):
        _failing_staged_write(out)
    assert (out / "index.html").read_text() == "v1"
    assert (out / "keep.txt").read_text() == "user file"
    assert _leftovers(out) == []


@settings(max_examples=25, deadline=None)
@given(old=st.binary(max_size=200), new=st.binary(max_size=200), fail=st.booleans())
def test_atomic_write_is_old_or_new(
    tmp_path_factory: pytest.TempPathFactory, old: bytes, new: bytes, fail: bool
) -> None:
    folder = tmp_path_factory.mktemp("prop")
    target = folder / "f.bin"
    target.write_bytes(old)
    try:
        with atomic_write(target, "wb") as fh:
            fh.write(new)
            if fail:
                raise KeyError("x")
    except KeyError:
        pass
    assert target.read_bytes() == (old if fail else new)
    assert _leftovers(folder) == []
