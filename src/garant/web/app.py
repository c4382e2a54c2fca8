"""The web app: garant's JSON API (FastAPI) and the built front end.

:func:`create_app` opens the store read-only (or ingests the bundled demo into a
temporary store), wires the routes, the security middleware and the error handlers,
and serves the front end built by Vite from ``garant/web/static/`` at ``/``.

Errors are JSON ``{"detail": "<one line>"}``: a :class:`~garant.errors.NotFoundError`
is 404, other bad input (:class:`~garant.errors.ConfigError`,
:class:`~garant.errors.DataError`, request validation) 400 or 422, an oversized body
413, a write without the token 401; the store failing is 503.
"""

from __future__ import annotations

import gc
import logging
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.exceptions import HTTPException
from starlette.middleware.trustedhost import TrustedHostMiddleware

from garant.errors import GarantError, NotFoundError, SourceError, StoreError
from garant.web import (
    routes_assess,
    routes_base,
    routes_ceasefire,
    routes_frontline,
    routes_packages,
)
from garant.web.security import (
    LOOPBACK_HOSTS,
    MAX_BODY_BYTES,
    BodyLimitMiddleware,
    JsonPostMiddleware,
    check_bind,
    is_loopback,
)
from garant.web.state import AppState, open_app_store

__all__ = ["DEFAULT_STATIC_DIR", "create_app", "one_line"]

logger = logging.getLogger(__name__)

#: Where ``npm run build`` (web/vite.config.js) puts the front end.
DEFAULT_STATIC_DIR = Path(__file__).resolve().parent / "static"

_NO_BUILD = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>garant</title></head>
<body style="font-family: sans-serif; max-width: 40em; margin: 3em auto">
<h1>garant</h1>
<p>The map is not built yet. From the repository, run
<code>cd web &amp;&amp; npm ci &amp;&amp; npm run build</code>, then restart
<code>garant serve</code>.</p>
<p>The JSON API works without it: <a href="api/docs">api/docs</a>.</p>
</body></html>
"""


def one_line(text: str, limit: int = 500) -> str:
    """A message on one line (newlines joined with ``; ``), at most ``limit`` characters."""
    flat = "; ".join(part.strip() for part in str(text).splitlines() if part.strip())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _status(exc: GarantError) -> int:
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, (StoreError, SourceError)):
        return 503
    return 400


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = [str(x) for x in err.get("loc", ()) if x not in ("body", "query", "path")]
        where = ".".join(loc) or "request"
        msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        parts.append(f"{where}: {msg}")
    return one_line("; ".join(parts) or "invalid request")


def _public(request: Request, message: str) -> str:
    """One line, the server's folders replaced by the file names (no paths leak)."""
    state: AppState | None = getattr(request.app.state, "garant", None)
    if state is not None:
        for folder, name in (
            (str(state.store_path), state.store_label),
            (str(state.reports_dir), "reports"),
        ):
            message = message.replace(folder, name)
    return one_line(message)


def _install_handlers(app: FastAPI) -> None:
    @app.exception_handler(GarantError)
    async def garant_error(request: Request, exc: GarantError) -> JSONResponse:
        return JSONResponse({"detail": _public(request, str(exc))}, status_code=_status(exc))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": _validation_message(exc)}, status_code=422)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        return JSONResponse(
            {"detail": one_line(detail)},
            status_code=exc.status_code,
            headers=dict(exc.headers or {}),
        )


def _mount_front_end(app: FastAPI, static_dir: Path) -> None:
    from fastapi.staticfiles import StaticFiles

    if (static_dir / "index.html").is_file():
        app.mount("/", StaticFiles(directory=static_dir, html=True), name="static")
        return

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def no_build() -> HTMLResponse:
        return HTMLResponse(_NO_BUILD)


def create_app(
    store_path: str | None = None,
    *,
    token: str | None = None,
    host: str = "127.0.0.1",
    static_dir: Path | None = None,
    reports_dir: Path | None = None,
    allowed_hosts: tuple[str, ...] | None = None,
    preload: bool = True,
    prefetch: bool = True,
) -> FastAPI:
    """Build the web app.

    Parameters
    ----------
    store_path : str, optional
        A garant store, opened read-only; None: the bundled demo history, ingested
        into a temporary store at start (a few seconds).
    token : str, optional
        Bearer token required by writes (at least 16 characters). Mandatory when
        ``host`` is not a loopback address.
    host : str
        The address the server binds to (decides whether a token is needed, and which
        ``Host`` headers are accepted: loopback names only when bound to loopback).
    static_dir : pathlib.Path, optional
        The built front end (default :data:`DEFAULT_STATIC_DIR`).
    reports_dir : pathlib.Path, optional
        Where assessment runs write their reports (default: a temporary folder,
        deleted at shutdown).
    allowed_hosts : tuple of str, optional
        ``Host`` headers accepted; default: loopback names (and ``host``) when bound
        to loopback, any host otherwise.
    preload : bool
        Read every snapshot's geometries at start (bounded in memory), so that a
        date's first request only simplifies and encodes.
    prefetch : bool
        Compute date layers in a background thread: the newest at the default zoom
        at start, then the snapshots after (and just before) each date asked for.

    Returns
    -------
    fastapi.FastAPI
        ``app.state.garant`` is the :class:`~garant.web.state.AppState`.

    Raises
    ------
    ConfigError
        A non-loopback ``host`` without a token, or a weak token.
    StoreError
        The store cannot be opened read-only.
    NotFoundError
        The store holds no snapshots.
    """
    check_bind(host, token)
    path, temp_dirs = open_app_store(store_path)
    if reports_dir is None:
        reports_dir = Path(tempfile.mkdtemp(prefix="garant-reports-"))
        temp_dirs.append(reports_dir)
    try:
        state = AppState(
            store_path=path,
            token=token,
            host=host,
            reports_dir=Path(reports_dir),
            static_dir=Path(static_dir) if static_dir is not None else DEFAULT_STATIC_DIR,
            temp_dirs=temp_dirs,
        )
        if preload:
            state.preload()
        if prefetch:
            state.start_prefetch()
            routes_frontline.warm_up(state)
    except BaseException:
        import shutil

        for d in temp_dirs:
            shutil.rmtree(d, ignore_errors=True)
        raise

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Everything made so far (modules, preloaded geometries) lives as long as the
        # server: keep it out of the cyclic garbage collector, whose full passes over
        # it would otherwise stall a request now and then (~150 ms).
        gc.collect()
        gc.freeze()
        yield
        state.close()

    app = FastAPI(
        title="garant",
        summary="Frontline history, ceasefire lines and guarantee packages for Ukraine.",
        version=_version(),
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )
    app.state.garant = state
    _install_handlers(app)
    for module in (
        routes_frontline,
        routes_base,
        routes_ceasefire,
        routes_packages,
        routes_assess,
    ):
        app.include_router(module.router)
    app.include_router(routes_assess.reports_router)

    @app.get("/api/health", tags=["meta"], summary="Liveness and what is served")
    def health() -> dict[str, Any]:
        return {
            "ok": True,
            "store": state.store_label,
            "first": state.dates[0].isoformat(),
            "last": state.dates[-1].isoformat(),
            "token_required": state.token is not None,
            "prefetch_pending": state.prefetcher.pending() if state.prefetcher else 0,
            "version": _version(),
        }

    _mount_front_end(app, state.static_dir)
    # Middleware: the last added runs first.
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=1)
    app.add_middleware(JsonPostMiddleware)
    app.add_middleware(BodyLimitMiddleware, max_bytes=MAX_BODY_BYTES)
    hosts = allowed_hosts
    if hosts is None and is_loopback(host):
        hosts = (*LOOPBACK_HOSTS, "[::1]", host)
    if hosts is not None:
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=list(dict.fromkeys(hosts)))
    return app


def _version() -> str:
    from garant import __version__

    return str(__version__)
