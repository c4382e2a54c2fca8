"""Where garant keeps things, as one typed object.

Explicit arguments win over settings; settings come from the environment
(``GARANT_STORE``, ``GARANT_SHARED_DATA``) or their defaults.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict

__all__ = ["Settings", "default_store_path", "get_settings"]


def default_store_path() -> Path:
    """Return the default embedded store file.

    ``$GARANT_STORE`` if set, else ``$XDG_DATA_HOME/garant/garant.duckdb``
    (``~/.local/share/garant/garant.duckdb``).
    """
    env = os.environ.get("GARANT_STORE")
    if env:
        return Path(env)
    base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / "garant" / "garant.duckdb"


class Settings(BaseModel):
    """garant's settings; unknown keys are rejected."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    store: Path
    #: Source priority when several snapshots describe the same day.
    source_priority: tuple[str, ...] = (
        "archive",
        "deepstatemap-api",
        "deepstatemap-raw",
        "demo",
        "file",
    )


def get_settings() -> Settings:
    """Return the settings from the environment."""
    return Settings(store=default_store_path())
