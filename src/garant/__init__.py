"""garant: plan, test and monitor security guarantees for a ceasefire in Ukraine.

The public surface is small on purpose: sources produce :class:`Snapshot`
objects, the store keeps them, the frontline module measures them.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from garant.errors import (
    ConfigError as ConfigError,
)
from garant.errors import (
    DataError as DataError,
)
from garant.errors import (
    GarantError as GarantError,
)
from garant.errors import (
    NotFoundError as NotFoundError,
)
from garant.errors import (
    OfflineError as OfflineError,
)
from garant.errors import (
    SourceError as SourceError,
)
from garant.errors import (
    StoreError as StoreError,
)
from garant.model import Snapshot as Snapshot

try:
    __version__ = version("garant")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"
