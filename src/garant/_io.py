"""Atomic file writes: a file is either the old one or the complete new one.

Every writer goes through a temporary file in the target's own folder (so that
:func:`os.replace` is a rename on one file system), flushes and fsyncs it, then
replaces the target in one step. On any error the temporary file is removed and
the previous file, if any, is left untouched.

Temporary names carry the writer's process id (``.garant-tmp-<pid>-...``). A
process killed outright (SIGKILL, power loss) cannot remove its temporaries, so
every writer first removes those of processes that no longer run in the folder
it writes to (:func:`remove_stale_temporaries`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, Literal, cast, overload

__all__ = [
    "atomic_path",
    "atomic_write",
    "remove_stale_temporaries",
    "staged_files",
    "write_bytes_atomic",
    "write_text_atomic",
]

log = logging.getLogger(__name__)

_TMP_PREFIX = ".garant-tmp-"
_TMP_PID = re.compile(r"^\.garant-tmp-(\d+)-")


def _tmp_prefix() -> str:
    return f"{_TMP_PREFIX}{os.getpid()}-"


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError, OverflowError):  # exists (other user) or unknowable
        return True
    return True


def remove_stale_temporaries(folder: str | os.PathLike[str]) -> list[Path]:
    """Remove the temporary files and staging folders of writers that no longer run.

    Parameters
    ----------
    folder : str or os.PathLike
        A folder written through this module (missing: nothing to do).

    Returns
    -------
    list of pathlib.Path
        What was removed. Entries of running processes (and names without a
        process id) are left alone.
    """
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        m = _TMP_PID.match(entry.name)
        if m is None or _pid_alive(int(m.group(1))):
            continue
        path = Path(entry.path)
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(path, ignore_errors=True)
        else:
            _unlink_quietly(path)
        removed.append(path)
        log.info("removed %s, left by a writer that was killed", path)
    return removed


def _current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


#: New files get the usual mode (0o666 less the umask), not mkstemp's 0o600.
_FILE_MODE = 0o666 & ~_current_umask()


def _fsync_dir(folder: Path) -> None:
    """Flush a folder to disk so that a rename in it is durable (no-op where unsupported)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - e.g. Windows
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some file systems refuse
        pass
    finally:
        os.close(fd)


def _fsync_file(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def _unlink_quietly(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str], *, suffix: str | None = None) -> Iterator[Path]:
    """Give a temporary path next to ``path``; move it onto ``path`` on success.

    For libraries that open and write the file themselves (pyogrio, pyarrow,
    matplotlib). The temporary path does not exist when the block starts (the
    library creates it) unless the caller copies something there first.

    Parameters
    ----------
    path : str or os.PathLike
        The target file. Its folder must exist.
    suffix : str, optional
        Suffix of the temporary file (default: the target's, so that drivers that
        infer the format from the name still work).

    Yields
    ------
    pathlib.Path
        The temporary path to write to.
    """
    target = Path(path)
    folder = target.parent
    sfx = target.suffix if suffix is None else suffix
    remove_stale_temporaries(folder)
    fd, tmp_name = tempfile.mkstemp(prefix=_tmp_prefix(), suffix=sfx, dir=folder)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()  # let the library create it (some refuse to overwrite)
    try:
        yield tmp
        if not tmp.exists():
            raise FileNotFoundError(f"{target}: nothing was written to the temporary file {tmp}")
        _fsync_file(tmp)
        os.replace(tmp, target)
        _fsync_dir(folder)
        log.debug("wrote %s", target)
    finally:
        _unlink_quietly(tmp)
        # drivers may leave side files (e.g. SQLite journals) next to the temp file
        for side in folder.glob(tmp.name + "*"):
            _unlink_quietly(side)


@overload
def atomic_write(
    path: str | os.PathLike[str], mode: Literal["w"] = ..., *, encoding: str = ...
) -> contextlib.AbstractContextManager[IO[str]]: ...
@overload
def atomic_write(
    path: str | os.PathLike[str], mode: Literal["wb"], *, encoding: str = ...
) -> contextlib.AbstractContextManager[IO[bytes]]: ...
def atomic_write(
    path: str | os.PathLike[str], mode: str = "w", *, encoding: str = "utf-8"
) -> contextlib.AbstractContextManager[IO[str]] | contextlib.AbstractContextManager[IO[bytes]]:
    """Open a file for writing that replaces ``path`` only when the block succeeds.

    Parameters
    ----------
    path : str or os.PathLike
        The target file. Its folder must exist.
    mode : {"w", "wb"}
        Text or binary.
    encoding : str
        Text encoding (text mode only).

    Returns
    -------
    contextlib.AbstractContextManager
        Yields the open file object.

    Examples
    --------
    >>> with atomic_write(tmp / "a.txt") as fh:  # doctest: +SKIP
    ...     fh.write("hello")
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_write: mode {mode!r} is not supported (use 'w' or 'wb')")
    cm = _atomic_write(Path(path), mode, encoding)
    return cast("contextlib.AbstractContextManager[Any]", cm)


@contextlib.contextmanager
def _atomic_write(path: Path, mode: str, encoding: str) -> Iterator[IO[str] | IO[bytes]]:
    remove_stale_temporaries(path.parent)
    fd, tmp_name = tempfile.mkstemp(prefix=_tmp_prefix(), suffix=path.suffix, dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with contextlib.suppress(OSError):  # pragma: no cover - platform dependent
            os.fchmod(fd, _FILE_MODE)
        if mode == "wb":
            fh: IO[str] | IO[bytes] = os.fdopen(fd, "wb")
        else:
            fh = os.fdopen(fd, "w", encoding=encoding, newline="")
        with fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        _fsync_dir(path.parent)
        log.debug("wrote %s", path)
    finally:
        _unlink_quietly(tmp)


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically and return the path."""
    with atomic_write(path, "wb") as fh:
        fh.write(data)
    return Path(path)


def write_text_atomic(path: str | os.PathLike[str], text: str, *, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically (no newline translation) and return the path."""
    with atomic_write(path, "w", encoding=encoding) as fh:
        fh.write(text)
    return Path(path)


@contextlib.contextmanager
def staged_files(folder: str | os.PathLike[str], *, last: tuple[str, ...] = ()) -> Iterator[Path]:
    """Write several files into a staging folder, then move them all into ``folder``.

    Nothing in ``folder`` changes until the block has succeeded; then each staged
    file is moved onto its target with :func:`os.replace` (a rename on the same
    file system), the names in ``last`` after all others, so that e.g. an HTML
    page appears only once the images it links to are in place. Files already in
    ``folder`` that the block did not write are left alone. On error the staging
    folder is removed and ``folder`` keeps its previous content.

    Parameters
    ----------
    folder : str or os.PathLike
        The target folder; created (with parents) if missing.
    last : tuple of str
        Relative names of staged files to move after all the others, in order.

    Yields
    ------
    pathlib.Path
        The staging folder (inside ``folder``) to write to; subfolders are allowed.
    """
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(target)
    stage = Path(tempfile.mkdtemp(prefix=_tmp_prefix(), dir=target))
    try:
        yield stage
        files = sorted(f.relative_to(stage) for f in stage.rglob("*") if f.is_file())
        order = {name: i for i, name in enumerate(last)}
        files.sort(key=lambda rel: (rel.as_posix() in order, order.get(rel.as_posix(), -1)))
        for rel in files:
            _fsync_file(stage / rel)
        for rel in files:
            dest = target / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.replace(stage / rel, dest)
        _fsync_dir(target)
        log.debug("moved %d staged files into %s", len(files), target)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
