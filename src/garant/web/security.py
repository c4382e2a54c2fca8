"""Security of the web app: who may write, how much may be sent, which files may be read.

* **Tokens.** Bound to a loopback address, the app may run without a token; bound
  beyond loopback it refuses to start without one (:func:`check_bind`). When a token is
  set, every write (``POST /api/assessments``) needs ``Authorization: Bearer <token>``
  (:func:`require_token`, compared in constant time).
* **Requests.** Bodies are capped (:class:`BodyLimitMiddleware`, 413 beyond the limit,
  whether the client announced the length or streamed the body); a POST must be JSON
  (415 otherwise, so that a cross-site "simple" form post cannot reach a write);
  a loopback-only app answers only to loopback host names (no DNS rebinding).
* **Files.** Reports are served only from the run's own folder, by server-generated
  run ids and plain file names (:func:`run_file`); nothing else under the file system
  is reachable from a URL.
"""

from __future__ import annotations

import hmac
import ipaddress
import re
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

from starlette.exceptions import HTTPException

from garant.errors import ConfigError, NotFoundError

__all__ = [
    "LOOPBACK_HOSTS",
    "MAX_BODY_BYTES",
    "MIN_TOKEN_CHARS",
    "BodyLimitMiddleware",
    "JsonPostMiddleware",
    "check_bind",
    "check_run_id",
    "is_loopback",
    "new_run_id",
    "run_file",
    "token_matches",
]

#: Largest request body accepted, bytes (a package TOML is at most 64 KiB; JSON
#: escaping can nearly double it).
MAX_BODY_BYTES = 256 * 1024
#: Shortest token accepted (a guessable token is no protection beyond loopback).
MIN_TOKEN_CHARS = 16
#: Host names that mean this machine.
LOOPBACK_HOSTS: tuple[str, ...] = ("localhost", "127.0.0.1", "::1")

_RUN_ID_RE = re.compile(r"^[0-9a-f]{24}$")
_FILE_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,127}$")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an IP address) is this machine only.

    Parameters
    ----------
    host : str
        ``localhost``, an IPv4 or IPv6 address (brackets allowed).

    Returns
    -------
    bool
        True for ``localhost`` and loopback addresses; False for anything else,
        including ``0.0.0.0`` and ``::`` (every interface).
    """
    h = host.strip().strip("[]").lower()
    if h == "localhost":
        return True
    try:
        return ipaddress.ip_address(h).is_loopback
    except ValueError:
        return False


def check_bind(host: str, token: str | None) -> None:
    """Refuse to serve beyond loopback without a token, or with a weak token.

    Parameters
    ----------
    host : str
        The address the server binds to.
    token : str or None
        The bearer token for writes.

    Raises
    ------
    ConfigError
        ``host`` is empty, not loopback and no token is set, or the token is shorter
        than :data:`MIN_TOKEN_CHARS` or contains whitespace.
    """
    if not host or not host.strip():
        raise ConfigError("--host: empty host")
    if token is not None:
        if len(token) < MIN_TOKEN_CHARS or any(c.isspace() for c in token):
            raise ConfigError(
                f"--token: a token needs at least {MIN_TOKEN_CHARS} characters and no spaces "
                f"(got {len(token)} characters)"
            )
    elif not is_loopback(host):
        raise ConfigError(
            f"--host {host}: serving beyond loopback needs a token (--token or GARANT_TOKEN)"
        )


def token_matches(header: str | None, token: str) -> bool:
    """Whether an ``Authorization`` header carries the bearer token (constant time).

    Parameters
    ----------
    header : str or None
        The header's value.
    token : str
        The expected token.

    Returns
    -------
    bool
    """
    if not header:
        return False
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(value.strip().encode(), token.encode())


def new_run_id() -> str:
    """A fresh, unguessable run id (24 hex digits)."""
    return secrets.token_hex(12)


def check_run_id(run_id: str) -> str:
    """Check that a run id has the server's format (nothing else reaches the file system).

    Parameters
    ----------
    run_id : str

    Returns
    -------
    str
        ``run_id``.

    Raises
    ------
    NotFoundError
        Not a run id.
    """
    if not _RUN_ID_RE.fullmatch(run_id):
        raise NotFoundError(f"assessment {run_id[:40]!r}: unknown")
    return run_id


def run_file(root: Path, run_id: str, name: str) -> Path:
    """The path of a file of one run, refusing anything outside the run's folder.

    Parameters
    ----------
    root : pathlib.Path
        The folder holding every run's folder.
    run_id : str
        A run id (:func:`new_run_id`).
    name : str
        A plain file name (letters, digits, ``_``, ``-``, ``.``; no leading dot).

    Returns
    -------
    pathlib.Path
        An existing regular file directly inside ``root / run_id``.

    Raises
    ------
    NotFoundError
        A malformed id or name, a link, or no such file.
    """
    check_run_id(run_id)
    if not _FILE_RE.fullmatch(name) or ".." in name:
        raise NotFoundError(f"report file {name[:60]!r}: not found")
    folder = (root / run_id).resolve()
    path = folder / name
    if (
        not folder.is_dir()
        or path.is_symlink()
        or not path.is_file()
        or path.resolve().parent != folder
    ):
        raise NotFoundError(f"report file {name!r}: not found in assessment {run_id}")
    return path


async def _reply(send: Send, status: int, detail: str) -> None:
    import json

    body = json.dumps({"detail": detail}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class _TooLarge(HTTPException):
    """A streamed body went over the limit (FastAPI re-raises HTTP exceptions as such)."""


class BodyLimitMiddleware:
    """Reject request bodies over ``max_bytes`` with 413 (announced or streamed).

    Parameters
    ----------
    app : ASGI application
    max_bytes : int
        The limit, bytes.
    """

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = int(max_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI call."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_bytes
        message = f"request body over {limit // 1024} KiB"
        for key, value in scope.get("headers", []):
            if key == b"content-length":
                try:
                    announced = int(value)
                except ValueError:
                    await _reply(send, 400, "content-length: not a number")
                    return
                if announced > limit:
                    await _reply(send, 413, message)
                    return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > limit:
                    raise _TooLarge(413, message)
            return msg

        async def tracking_send(msg: Message) -> None:
            nonlocal started
            if msg["type"] == "http.response.start":
                started = True
            await send(msg)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not started:
                await _reply(send, 413, message)


class JsonPostMiddleware:
    """Answer 415 to a POST under ``/api/`` whose body is not ``application/json``.

    Browsers send cross-site form posts without a CORS preflight only with form or
    text content types; requiring JSON keeps such posts away from the writes.

    Parameters
    ----------
    app : ASGI application
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI call."""
        if (
            scope["type"] == "http"
            and scope.get("method") == "POST"
            and str(scope.get("path", "")).startswith("/api/")
        ):
            ctype = b""
            for key, value in scope.get("headers", []):
                if key == b"content-type":
                    ctype = value.split(b";", 1)[0].strip().lower()
            if ctype != b"application/json":
                await _reply(send, 415, "POST bodies must be application/json")
                return
        await self.app(scope, receive, send)
