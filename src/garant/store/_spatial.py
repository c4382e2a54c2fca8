"""Load DuckDB's spatial extension from the ``duckdb-extension-spatial`` wheel.

garant never downloads extensions (``INSTALL``): the extension binary ships in
the PyPI package ``duckdb-extension-spatial``, whose version must match
DuckDB's, and is loaded from there by path.
"""

from __future__ import annotations

import importlib.metadata
import importlib.resources
from pathlib import Path

import duckdb

from garant.errors import StoreError

__all__ = ["load_spatial", "spatial_extension_path"]

_PACKAGE = "duckdb_extension_spatial"
_DIST = "duckdb-extension-spatial"


def spatial_extension_path() -> Path:
    """Return the path of the spatial extension built for the installed DuckDB.

    Returns
    -------
    pathlib.Path
        ``<package>/extensions/v<duckdb version>/spatial.duckdb_extension``.

    Raises
    ------
    StoreError
        The package is missing, or ships the extension for another DuckDB version.
    """
    version = duckdb.__version__
    try:
        root = importlib.resources.files(_PACKAGE) / "extensions"
    except ModuleNotFoundError:
        raise StoreError(
            f"the DuckDB spatial extension is not installed: pip install {_DIST}=={version}"
        ) from None
    path = root / f"v{version}" / "spatial.duckdb_extension"
    if not path.is_file():
        shipped = sorted(p.name for p in root.iterdir()) if root.is_dir() else []
        try:
            dist_version = importlib.metadata.version(_DIST)
        except importlib.metadata.PackageNotFoundError:  # pragma: no cover - odd installs
            dist_version = "?"
        raise StoreError(
            f"{_DIST} {dist_version} ships the spatial extension for DuckDB "
            f"{', '.join(shipped) or 'no version'}, not for the installed DuckDB v{version}: "
            f"pip install {_DIST}=={version}"
        )
    return Path(str(path))


def load_spatial(con: duckdb.DuckDBPyConnection) -> None:
    """``LOAD`` the spatial extension into a connection (no download).

    Parameters
    ----------
    con : duckdb.DuckDBPyConnection
        The connection; loading is per database instance and idempotent.

    Raises
    ------
    StoreError
        The extension is missing, of the wrong version, or fails to load.
    """
    path = spatial_extension_path()
    quoted = str(path).replace("'", "''")
    try:
        con.execute(f"LOAD '{quoted}'")
    except duckdb.Error as exc:
        reason = str(exc).splitlines()[0]
        raise StoreError(f"{path}: could not load the DuckDB spatial extension ({reason})") from exc
