"""Fuzzing of garant's parsers and input surfaces (hypothesis).

Every test here is marked ``fuzz``; the number of generated inputs per property comes
from ``GARANT_FUZZ_EXAMPLES`` (default 100, so that the normal suite stays fast; the
full run, ``tools/fuzz.sh``, uses 10,000). The property everywhere: the parser returns
a clean result or raises a :class:`~garant.errors.GarantError` with a one-line
message; any other exception (or a warning, which ``-W error`` turns into one) is a bug.
"""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    # Also declared in pyproject.toml; registering here keeps --strict-markers happy
    # when the suite runs from a checkout whose pyproject does not list it yet.
    config.addinivalue_line("markers", "fuzz: hypothesis fuzzing of an input surface")
