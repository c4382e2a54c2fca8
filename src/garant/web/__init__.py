"""garant's web app: ``garant serve`` (FastAPI on uvicorn) and the MapLibre front end.

Build the app with :func:`garant.web.app.create_app`; the routes live in the
``routes_*`` modules, the GeoJSON simplification and cache in :mod:`garant.web.layers`,
tokens, body limits and file checks in :mod:`garant.web.security`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from garant.web.app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from garant.web.app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
