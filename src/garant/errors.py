"""One exception hierarchy for garant.

Every error garant raises on purpose derives from :class:`GarantError`; the
subclasses also inherit the matching builtin so that callers can catch either.
Messages name the input (file, field, URL) and the problem in one line; the CLI
prints ``str(error)`` and exits with :attr:`GarantError.exit_code`.
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "DataError",
    "GarantError",
    "GarantWarning",
    "GeometryRepairedWarning",
    "NotFoundError",
    "OfflineError",
    "SourceError",
    "StoreError",
]


class GarantError(Exception):
    """Base class of every error garant raises on purpose."""

    exit_code: int = 1


class DataError(GarantError, ValueError):
    """Input data is malformed, inconsistent or out of range."""

    exit_code = 2


class ConfigError(GarantError, ValueError):
    """A setting, option or package file is invalid."""

    exit_code = 2


class NotFoundError(GarantError, LookupError):
    """A named thing (date, snapshot, preset, file) does not exist."""

    exit_code = 3


class SourceError(GarantError, OSError):
    """A data source could not be read (unreadable folder, HTTP error)."""

    exit_code = 4


class OfflineError(SourceError):
    """A network source could not be reached after all retries."""

    exit_code = 5


class StoreError(GarantError, RuntimeError):
    """The store is corrupt, locked, of an unknown schema, or a write failed."""

    exit_code = 6


class GarantWarning(UserWarning):
    """Base class of warnings a user can act on."""


class GeometryRepairedWarning(GarantWarning):
    """An invalid geometry was repaired (``shapely.make_valid``)."""
