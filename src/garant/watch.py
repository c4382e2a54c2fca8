"""Watch the live DeepStateMap API: ingest new map versions, deliver new ceasefire alerts.

``garant watch --every 15m`` runs :func:`run_watch`, which calls :func:`poll_once` every
period:

1. list the API's map versions (:meth:`DeepStateClient.history`) and fetch those the
   store has not seen (the state table ``watch_versions``), oldest first, from the
   store's latest date on (an empty store takes the latest version only: run
   ``garant ingest`` for the history);
2. ingest each one like ``garant ingest`` does (snapshot, measures, changes) and record
   its id in the same transaction, so a crash never leaves a version half ingested or
   ingested but unrecorded; a version whose content the store holds already (a
   duplicate) is recorded as such and changes nothing;
3. check the ceasefire line against the timeline (:func:`garant.frontline.ceasefire.watch`)
   and deliver every alert not delivered yet to each sink: a webhook (JSON POST with
   retries, :class:`WebhookSink`) and/or a JSON-lines file (:class:`FileSink`). The
   state table ``watch_alerts`` remembers which alert went to which sink, so restarts
   and duplicate versions never send an alert twice to a sink that acknowledged it.

Alerts are delivered from the date watching started on (the latest checked date of the
first poll): the violations seen then, and every later one. Network failures, a locked
store and malformed answers are logged; :func:`run_watch` backs off (doubling the
period, up to ``max_backoff_s``) and goes on. The store is opened for each poll only, so
other garant processes can use it in between.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import os
import re
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

import httpx
from shapely.geometry import mapping

from garant.errors import (
    ConfigError,
    DataError,
    GarantError,
    GeometryRepairedWarning,
    OfflineError,
    SourceError,
    StoreError,
)
from garant.store import Store

if TYPE_CHECKING:
    import pandas as pd

    from garant.frontline.ceasefire import Alert, GeographyLike
    from garant.frontline.sectors import Sectors
    from garant.sources.api import DeepStateClient

__all__ = [
    "FileSink",
    "PollResult",
    "Sink",
    "WatchStore",
    "WebhookSink",
    "alert_key",
    "alert_payload",
    "parse_duration",
    "poll_once",
    "run_watch",
]

log = logging.getLogger(__name__)

#: ``watch_alerts.sink`` of the row that marks the first date watched for a line.
START_MARK = "start"
_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|d|h|m|s)?", re.IGNORECASE)
_UNIT_S = {"d": 86400.0, "h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}
_USER_AGENT = "garant-watch/0.1"


def parse_duration(text: str) -> float:
    """Parse a duration such as ``15m``, ``1h30m``, ``90s``, ``2d`` or ``600`` (seconds).

    Parameters
    ----------
    text : str
        Numbers with units ``d``, ``h``, ``m``, ``s`` or ``ms``; a bare number is seconds.

    Returns
    -------
    float
        Seconds.

    Raises
    ------
    ConfigError
        Not a duration, or zero.
    """
    s = str(text).strip()
    pos, total = 0, 0.0
    for m in _DURATION.finditer(s):
        if s[pos : m.start()].strip():
            break
        total += float(m[1]) * _UNIT_S[(m[2] or "s").lower()]
        pos = m.end()
    if not s or s[pos:].strip() or pos == 0:
        raise ConfigError(f"--every: {text!r} is not a duration (e.g. 30s, 15m, 1h30m, 1d)")
    if not math.isfinite(total) or total <= 0:
        raise ConfigError(f"--every: {text!r} must be longer than zero")
    return total


def alert_key(alert: Alert) -> str:
    """A stable key of an alert: ``DATE/SERIES/DIRECTION`` (one place on one date)."""
    return f"{alert.date.isoformat()}/{alert.series_id}/{alert.direction}"


def alert_payload(ceasefire: str, alert: Alert) -> dict[str, Any]:
    """The JSON document delivered for an alert.

    Parameters
    ----------
    ceasefire : str
        The ceasefire line's name.
    alert : garant.frontline.ceasefire.Alert

    Returns
    -------
    dict
        ``event`` (``ceasefire_violation``), ``ceasefire``, ``key``, ``text`` (one line,
        also shown by chat webhooks) and ``alert`` (every field, dates as ISO strings, NaN
        as null, the area as a GeoJSON geometry).
    """
    body: dict[str, Any] = {}
    for name in alert.__dataclass_fields__:
        value = getattr(alert, name)
        if name == "geometry":
            value = mapping(value)
        elif isinstance(value, dt.date):
            value = value.isoformat()
        elif isinstance(value, float) and not math.isfinite(value):
            value = None
        body[name] = value
    return {
        "event": "ceasefire_violation",
        "ceasefire": ceasefire,
        "key": alert_key(alert),
        "text": f"garant: ceasefire {ceasefire}: {alert.describe()}",
        "alert": body,
    }


@runtime_checkable
class WatchStore(Store, Protocol):
    """A store that keeps the watch state (DuckDB: schema v4, ``watch_*`` tables)."""

    def watch_versions(self) -> set[int]:
        """Ids of the API map versions already ingested by the watch."""
        ...

    def record_watch_version(
        self, version_id: int, taken_at: dt.datetime, snapshot_id: int | None
    ) -> None:
        """Remember an ingested version."""
        ...

    def watch_alerts_sent(self, ceasefire: str) -> pd.DataFrame:
        """Alerts delivered for a ceasefire line (``alert_key``, ``sink``, ``date``)."""
        ...

    def record_watch_alert(self, ceasefire: str, alert_key: str, sink: str, date: dt.date) -> None:
        """Remember a delivered alert."""
        ...


def _watch_store(store: Store) -> WatchStore:
    if not isinstance(store, WatchStore):
        raise ConfigError(f"{store.path}: this kind of store does not keep the watch state yet")
    return store


# ------------------------------------------------------------------------------- sinks


class Sink(Protocol):
    """Where alerts go: ``name`` is recorded in the store; ``send`` raises on failure."""

    name: str

    def send(self, payload: dict[str, Any]) -> None:
        """Deliver one alert document (idempotent for the same ``key``)."""
        ...

    def close(self) -> None:
        """Release resources."""
        ...


class WebhookSink:
    """POST each alert as JSON to a URL, retrying failures with exponential backoff.

    Parameters
    ----------
    url : str
        The webhook (``http://`` or ``https://``).
    timeout_s : float
        Per-request timeout in seconds.
    retries : int
        Tries per alert (at least 1).
    backoff_s : float
        Wait before the second try in seconds; doubles after each further try.
    transport : httpx.BaseTransport, optional
        For tests.
    sleep : callable, optional
        ``sleep(seconds)``.

    Notes
    -----
    The request carries an ``Idempotency-Key`` header (the alert's key) so that a
    receiver can drop the rare duplicate (an acknowledgement lost before garant
    recorded it).
    """

    name = "webhook"

    def __init__(
        self,
        url: str,
        *,
        timeout_s: float = 10.0,
        retries: int = 3,
        backoff_s: float = 2.0,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not str(url).startswith(("http://", "https://")):
            raise ConfigError(f"--webhook: {url!r} is not an http(s) URL")
        if retries < 1:
            raise ConfigError(f"webhook retries must be at least 1, got {retries}")
        self.url = url
        self.retries = retries
        self.backoff_s = backoff_s
        self._sleep = sleep
        self._http = httpx.Client(
            timeout=httpx.Timeout(timeout_s),
            transport=transport,
            headers={"User-Agent": _USER_AGENT},
        )

    def send(self, payload: dict[str, Any]) -> None:
        """POST one alert; retry connection errors, timeouts, 429 and 5xx.

        Raises
        ------
        OfflineError
            The webhook could not be reached on any try.
        SourceError
            It answered 4xx (other than 429), or 5xx/429 on every try.
        """
        body = json.dumps(payload, ensure_ascii=False).encode()
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": str(payload.get("key", "")),
        }
        reason = ""
        http = False
        for attempt in range(self.retries):
            try:
                r = self._http.post(self.url, content=body, headers=headers)
            except httpx.HTTPError as exc:
                reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                http = False
            else:
                if r.status_code < 300:
                    return
                reason = f"HTTP {r.status_code} {r.reason_phrase}".rstrip()
                if r.status_code != 429 and r.status_code < 500:
                    raise SourceError(f"webhook {self.url}: {reason}")
                http = True
            if attempt + 1 < self.retries:
                delay = self.backoff_s * 2**attempt
                log.warning("webhook %s failed (%s); retrying in %.1f s", self.url, reason, delay)
                self._sleep(delay)
        if http:
            raise SourceError(f"webhook {self.url}: {reason} after {self.retries} tries")
        raise OfflineError(f"webhook {self.url} unreachable after {self.retries} tries: {reason}")

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._http.close()


class FileSink:
    """Append each alert as one JSON line to a file (created with its folder).

    A key already in the file is not written again, so a crash between writing and
    recording never duplicates a line. Each line is flushed and fsynced.

    Parameters
    ----------
    path : str or pathlib.Path
        The JSON-lines file.
    """

    name = "file"

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).expanduser()
        if self.path.is_dir():
            raise ConfigError(f"--alerts-file: {self.path} is a folder")

    def _keys(self) -> set[str]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return set()
        except (OSError, UnicodeDecodeError) as exc:
            raise SourceError(f"{self.path}: cannot read the alerts file ({exc})") from None
        keys = set()
        for line in text.splitlines():
            try:
                keys.add(str(json.loads(line).get("key")))
            except (ValueError, AttributeError):
                continue  # a line cut by a crash, or written by someone else
        return keys

    def send(self, payload: dict[str, Any]) -> None:
        """Append one alert unless its key is in the file already.

        Raises
        ------
        SourceError
            The file cannot be read or written.
        """
        if str(payload.get("key")) in self._keys():
            return
        line = json.dumps(payload, ensure_ascii=False) + "\n"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as fh:
                if fh.tell() > 0 and not self._ends_with_newline():
                    fh.write("\n")  # after a line cut by a crash
                fh.write(line)
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:
            raise SourceError(f"{self.path}: cannot append the alert ({exc.strerror})") from None

    def _ends_with_newline(self) -> bool:
        with self.path.open("rb") as fh:
            fh.seek(-1, os.SEEK_END)
            return fh.read(1) == b"\n"

    def close(self) -> None:
        """Nothing to release."""


# ------------------------------------------------------------------------------ polling


@dataclass(frozen=True)
class PollResult:
    """What one poll did.

    Attributes
    ----------
    versions_listed : int
        Map versions the API listed.
    ingested : tuple of int
        Version ids ingested by this poll (new content or duplicates), oldest first.
    added : int
        Of those, versions that became a new snapshot or revision.
    duplicates : int
        Versions whose content the store held already.
    alerts_new : int
        Alerts not yet delivered to at least one sink before this poll.
    delivered : dict
        Sink name -> alerts delivered by this poll.
    errors : tuple of str
        Failures that did not stop the poll (a version that could not be read, a sink
        that failed); they are retried by the next poll.
    """

    versions_listed: int = 0
    ingested: tuple[int, ...] = ()
    added: int = 0
    duplicates: int = 0
    alerts_new: int = 0
    delivered: dict[str, int] = field(default_factory=dict)
    errors: tuple[str, ...] = ()

    def summary(self) -> str:
        """One line for the log or the terminal."""
        sent = ", ".join(f"{n} to {k}" for k, n in self.delivered.items()) or "none sent"
        text = (
            f"{self.versions_listed} versions listed, {len(self.ingested)} ingested "
            f"({self.added} new, {self.duplicates} duplicates); "
            f"{self.alerts_new} new alerts ({sent})"
        )
        if self.errors:
            text += f"; {len(self.errors)} errors (retried next poll)"
        return text


def _versions_to_fetch(
    store: WatchStore, client: DeepStateClient, limit: int
) -> tuple[int, list[tuple[int, dt.datetime]]]:
    history = client.history()
    seen = store.watch_versions()
    latest = store.latest_date()
    rows = [
        (int(vid), ts.to_pydatetime())
        for vid, ts in zip(history["id"], history["taken_at"], strict=True)
        if int(vid) not in seen
    ]
    rows = rows[-1:] if latest is None else [r for r in rows if r[1].date() >= latest]
    return len(history), rows[:limit]


def _ingest_version(
    store: WatchStore, client: DeepStateClient, vid: int, taken_at: dt.datetime
) -> bool:
    """Fetch, store, measure and record one version in one transaction; True if new."""
    from garant.frontline.engine import update_frontline

    snap = client.map_version(vid)
    occupied: dict[int, Any] = {}
    with store.transaction():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", GeometryRepairedWarning)
            result = store.add_snapshots([snap], occupied=occupied)
        if result.new_ids:
            update_frontline(store, occupied=occupied)
        new_id = result.new_ids[0] if result.new_ids else None
        store.record_watch_version(vid, taken_at, new_id)
    return new_id is not None


def _deliver(
    store: WatchStore,
    ceasefire: str,
    sinks: Sequence[Sink],
    *,
    min_area_km2: float,
    min_depth_km: float,
    geography: GeographyLike | None,
    sectors: Sectors | None,
) -> tuple[int, dict[str, int], list[str]]:
    from garant.frontline.ceasefire import load_ceasefire
    from garant.frontline.ceasefire import watch as check_line

    report = check_line(
        store,
        ceasefire,
        min_area_km2=min_area_km2,
        min_depth_km=min_depth_km,
        geography=geography,
        sectors=sectors,
    )
    sent = store.watch_alerts_sent(ceasefire)
    starts = sent.loc[sent["sink"] == START_MARK, "date"]
    if starts.empty:
        start = (
            report.checked_dates[-1]
            if report.checked_dates
            else load_ceasefire(store, ceasefire).date + dt.timedelta(days=1)
        )
        store.record_watch_alert(ceasefire, START_MARK, START_MARK, start)
    else:
        start = starts.iloc[0]
    done = {(str(k), str(s)) for k, s in zip(sent["alert_key"], sent["sink"], strict=True)}
    pending = [a for a in report.alerts if a.date >= start]
    new = [a for a in pending if any((alert_key(a), s.name) not in done for s in sinks)]
    delivered = {s.name: 0 for s in sinks}
    errors: list[str] = []
    for sink in sinks:
        for alert in new:
            key = alert_key(alert)
            if (key, sink.name) in done:
                continue
            try:
                sink.send(alert_payload(ceasefire, alert))
            except GarantError as exc:
                log.warning("%s: %s (retried next poll)", sink.name, exc)
                errors.append(f"{sink.name}: {exc}")
                break  # keep the order: later alerts wait for this one
            store.record_watch_alert(ceasefire, key, sink.name, alert.date)
            delivered[sink.name] += 1
    return len(new), delivered, errors


def poll_once(
    store: WatchStore,
    client: DeepStateClient,
    *,
    ceasefire: str | None = None,
    sinks: Sequence[Sink] = (),
    min_area_km2: float = 1.0,
    min_depth_km: float = 0.5,
    max_versions: int = 50,
    geography: GeographyLike | None = None,
    sectors: Sectors | None = None,
) -> PollResult:
    """Ingest the API's new map versions and deliver the new alerts of a ceasefire line.

    Parameters
    ----------
    store : WatchStore
        An open, writable store that keeps the watch state.
    client : DeepStateClient
        The API client.
    ceasefire : str, optional
        The ceasefire line to check (none: ingest only).
    sinks : sequence of Sink
        Where alerts go (:class:`WebhookSink`, :class:`FileSink`).
    min_area_km2, min_depth_km : float
        Tolerance of the ceasefire check.
    max_versions : int
        Versions ingested per poll at most (the rest come with the next polls).
    geography, sectors : optional
        For the ceasefire check (default: bundled).

    Returns
    -------
    PollResult

    Raises
    ------
    OfflineError, SourceError, DataError
        The version list could not be fetched or read.
    NotFoundError
        No ceasefire line of that name.
    StoreError
        The store failed.
    """
    if ceasefire is not None:
        from garant.frontline.ceasefire import load_ceasefire

        load_ceasefire(store, ceasefire)  # an unknown name fails before any work
    listed, todo = _versions_to_fetch(store, client, max_versions)
    ingested: list[int] = []
    added = 0
    errors: list[str] = []
    for vid, taken_at in todo:
        try:
            is_new = _ingest_version(store, client, vid, taken_at)
        except (DataError, SourceError) as exc:
            log.warning("map version %d: %s (retried next poll)", vid, exc)
            errors.append(f"map version {vid}: {exc}")
            if isinstance(exc, OfflineError):
                break
            continue
        ingested.append(vid)
        added += int(is_new)
        log.info("map version %d: %s", vid, "ingested" if is_new else "duplicate content")
    alerts_new, delivered = 0, {s.name: 0 for s in sinks}
    if ceasefire is not None and sinks:
        alerts_new, delivered, sink_errors = _deliver(
            store,
            ceasefire,
            sinks,
            min_area_km2=min_area_km2,
            min_depth_km=min_depth_km,
            geography=geography,
            sectors=sectors,
        )
        errors += sink_errors
    return PollResult(
        versions_listed=listed,
        ingested=tuple(ingested),
        added=added,
        duplicates=len(ingested) - added,
        alerts_new=alerts_new,
        delivered=delivered,
        errors=tuple(errors),
    )


def run_watch(
    store_path: str | Path | None,
    *,
    every_s: float,
    client_factory: Callable[[], DeepStateClient],
    ceasefire: str | None = None,
    sinks: Sequence[Sink] = (),
    once: bool = False,
    max_polls: int | None = None,
    max_backoff_s: float = 3600.0,
    min_area_km2: float = 1.0,
    min_depth_km: float = 0.5,
    sleep: Callable[[float], None] = time.sleep,
    on_poll: Callable[[PollResult], None] | None = None,
) -> list[PollResult]:
    """Poll every ``every_s`` seconds until interrupted (or once, or ``max_polls`` times).

    Each poll opens the store, runs :func:`poll_once` and closes it. A poll that fails on
    the network, the store or a malformed answer is logged and retried after a backoff
    (the period doubled per consecutive failure, at most ``max_backoff_s``); with
    ``once`` the error is raised instead.

    Parameters
    ----------
    store_path : str or Path or None
        The store (None: the default store).
    every_s : float
        Seconds between polls.
    client_factory : callable
        Returns a new :class:`DeepStateClient` (one per poll).
    ceasefire : str, optional
        The ceasefire line to check.
    sinks : sequence of Sink
        Where alerts go.
    once : bool
        Poll once and return; errors are raised.
    max_polls : int, optional
        Stop after this many polls (failed ones included).
    max_backoff_s : float
        Longest wait after failures.
    min_area_km2, min_depth_km : float
        Tolerance of the ceasefire check.
    sleep : callable
        ``sleep(seconds)`` (tests pass a recorder).
    on_poll : callable, optional
        Called with each successful poll's result.

    Returns
    -------
    list of PollResult
        The successful polls' results.

    Raises
    ------
    ConfigError, NotFoundError
        Bad settings or an unknown ceasefire line (never retried).
    OfflineError, SourceError, DataError, StoreError
        Only with ``once``.
    """
    from garant.store import open_store

    if not (math.isfinite(every_s) and every_s > 0):
        raise ConfigError(f"--every: {every_s} s must be longer than zero")
    results: list[PollResult] = []
    failures = 0
    polls = 0
    while True:
        polls += 1
        try:
            client = client_factory()
            try:
                with open_store(store_path) as store:
                    result = poll_once(
                        _watch_store(store),
                        client,
                        ceasefire=ceasefire,
                        sinks=sinks,
                        min_area_km2=min_area_km2,
                        min_depth_km=min_depth_km,
                    )
            finally:
                client.close()
        except (SourceError, DataError, StoreError) as exc:
            if once:
                raise
            failures += 1
            wait = min(every_s * 2**failures, max(max_backoff_s, every_s))
            log.warning("poll failed (%s); next try in %.0f s", exc, wait)
        else:
            failures = 0
            wait = every_s
            results.append(result)
            log.info("poll: %s", result.summary())
            if on_poll is not None:
                on_poll(result)
        if once or (max_polls is not None and polls >= max_polls):
            return results
        sleep(wait)
