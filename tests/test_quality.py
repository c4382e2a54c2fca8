"""Lint, format and type checks run as part of the test suite."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=REPO, capture_output=True, text=True, check=False)


@pytest.mark.parametrize(
    "cmd",
    [
        ("ruff", "check", "src", "tests", "benchmarks", "tools"),
        ("ruff", "format", "--check", "src", "tests", "benchmarks", "tools"),
        ("mypy",),
    ],
    ids=["ruff-check", "ruff-format", "mypy"],
)
def test_tool_is_clean(cmd: tuple[str, ...]) -> None:
    exe = BIN / cmd[0]
    if not exe.exists():
        pytest.fail(f"{cmd[0]} is not installed in {BIN}; install the [dev] extra")
    proc = _run(str(exe), *cmd[1:])
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_import_stays_light() -> None:
    code = (
        "import sys, garant; heavy = [m for m in ('matplotlib', 'typer', 'jinja2', 'httpx') "
        "if m in sys.modules]; print(','.join(heavy))"
    )
    proc = _run(sys.executable, "-c", code)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == ""
