"""``garant serve``: the web app (map, history, packages) on uvicorn.

Registered as a top-level command in :mod:`garant.cli.main`::

    from garant.cli import serve as serve_cli
    app.command(name="serve")(serve_cli.serve)
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from garant.cli._common import err_console, handle_errors

__all__ = ["resolve_store", "serve"]


def resolve_store(store: str | None, *, demo: bool) -> str | None:
    """The store to serve: ``--store``, else the default store if it exists, else the demo.

    Parameters
    ----------
    store : str or None
        ``--store``.
    demo : bool
        ``--demo``: serve the bundled demo history whatever else exists.

    Returns
    -------
    str or None
        A store path, or None for the bundled demo.
    """
    if demo:
        return None
    if store is not None:
        return store
    from garant.settings import default_store_path

    path = default_store_path()
    return str(path) if Path(path).is_file() else None


@handle_errors
def serve(
    store: Annotated[
        str | None,
        typer.Option(
            "--store",
            help="Store file (default: $GARANT_STORE or the default store if it exists, "
            "else the bundled demo).",
            show_default=False,
        ),
    ] = None,
    host: Annotated[
        str, typer.Option("--host", help="Address to bind; beyond loopback needs a token.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port.")] = 8765,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            envvar="GARANT_TOKEN",
            help="Bearer token for writes (assessments); mandatory beyond loopback.",
            show_default=False,
        ),
    ] = None,
    demo: Annotated[bool, typer.Option("--demo", help="Serve the bundled demo history.")] = False,
) -> None:
    """Serve the map and the JSON API (OpenAPI at /api/docs)."""
    import uvicorn

    from garant.web.app import create_app
    from garant.web.security import check_bind

    check_bind(host, token)
    path = resolve_store(store, demo=demo)
    if path is None:
        err_console.print("serving the bundled demo history (ingesting it: a few seconds)")
    app = create_app(path, token=token, host=host)
    shown = f"[{host}]" if ":" in host else host
    err_console.print(
        f"garant: http://{shown}:{port}/ (API docs: /api/docs)"
        + ("; writes need the token" if token else ""),
        highlight=False,
    )
    uvicorn.run(app, host=host, port=port, log_level="warning")
