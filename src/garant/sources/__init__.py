"""Sources: every input becomes the same :class:`~garant.model.Snapshot`.

* :mod:`~garant.sources.deepstatemap`: raw map versions (all layers);
* :mod:`~garant.sources.archive`: the daily archive of occupied territory;
* :mod:`~garant.sources.api`: the live DeepStateMap API;
* :mod:`~garant.sources.demo`: the bundled demo history.

Readers that yield many snapshots take ``progress``, a callable called with the
number of items done since its last call (the CLI drives progress bars with it).
"""

from __future__ import annotations

from garant.sources.api import DeepStateClient
from garant.sources.archive import read_archive, read_archive_file
from garant.sources.deepstatemap import (
    classify_layer,
    layer_inventory,
    parse_map_version,
    read_map_version_file,
    read_raw_folder,
)
from garant.sources.demo import demo_snapshots

__all__ = [
    "DeepStateClient",
    "classify_layer",
    "demo_snapshots",
    "layer_inventory",
    "parse_map_version",
    "read_archive",
    "read_archive_file",
    "read_map_version_file",
    "read_raw_folder",
]
