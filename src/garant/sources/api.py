"""Client of the live DeepStateMap API (https://deepstatemap.live/api/history/...).

The API is undocumented; the endpoints and shapes below are those used by
public clients of it (checked against several open-source projects):

``GET /api/history/public``
    JSON array, one object per map version: ``{"id": 1722544807,
    "description": "<uk>", "descriptionEn": "<en>", "createdAt":
    "2024-08-01T20:40:07.000Z", "updatedAt": ..., "status": true}``. ``id`` is
    the version's unix time (UTC).
``GET /api/history/<id>/geojson``
    The raw map version, a GeoJSON FeatureCollection (as in the raw archive);
    a few deployments wrap it as ``{"map": {...}}``, which is accepted too.
``GET /api/history/last``
    The latest version wrapped: ``{"id": ..., "description": ...,
    "descriptionEn": ..., "datetime": ..., "createdAt": ..., "map":
    <FeatureCollection>}``.

Connect errors, timeouts, HTTP 5xx and 429 are retried with exponential
backoff; an unreachable host gives :class:`~garant.errors.OfflineError`, other
HTTP 4xx a :class:`~garant.errors.SourceError`, malformed or truncated JSON a
:class:`~garant.errors.DataError` naming the URL.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import time
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import httpx
import pandas as pd

from garant.errors import DataError, OfflineError, SourceError
from garant.model import Snapshot
from garant.sources._json import Progress, decode_json
from garant.sources.deepstatemap import parse_map_version

__all__ = ["DEFAULT_BASE_URL", "DeepStateClient"]

logger = logging.getLogger(__name__)

#: Base URL of the live API.
DEFAULT_BASE_URL = "https://deepstatemap.live/api"
_USER_AGENT = "garant/0.1 (ceasefire planning research; +https://deepstatemap.live credit)"
_RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
_MAX_RETRY_AFTER_S = 60.0


class DeepStateClient:
    """A small, polite client of the DeepStateMap history API.

    Parameters
    ----------
    base_url : str
        API root, default :data:`DEFAULT_BASE_URL`.
    timeout_s : float
        Per-request timeout in seconds (connect, read, write, pool).
    retries : int
        Number of tries per request (at least 1).
    backoff_s : float
        Wait before the second try in seconds; doubles after each further try.
        A ``Retry-After`` header (seconds) on 429/503 is honoured, up to 60 s.
    transport : httpx.BaseTransport, optional
        Custom transport (tests pass :class:`httpx.MockTransport`).
    sleep : callable, optional
        ``sleep(seconds)``; default :func:`time.sleep` (tests pass a recorder).

    Examples
    --------
    >>> with DeepStateClient() as client:  # doctest: +SKIP
    ...     snap = client.latest()
    """

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        *,
        timeout_s: float = 30.0,
        retries: int = 3,
        backoff_s: float = 2.0,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if retries < 1:
            raise ValueError(f"retries must be at least 1, got {retries}")
        self.base_url = base_url.rstrip("/")
        self.retries = retries
        self.backoff_s = backoff_s
        self._sleep = sleep
        self._host = urlsplit(self.base_url).hostname or self.base_url
        self._http = httpx.Client(
            timeout=httpx.Timeout(timeout_s),
            transport=transport,
            headers={"User-Agent": _USER_AGENT, "Accept": "application/json"},
            follow_redirects=True,
        )

    # ------------------------------------------------------------------ lifecycle
    def close(self) -> None:
        """Close the underlying HTTP connection pool."""
        self._http.close()

    def __enter__(self) -> DeepStateClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # ---------------------------------------------------------------------- HTTP
    def _delay(self, attempt: int, response: httpx.Response | None) -> float:
        delay = self.backoff_s * 2**attempt
        if response is not None:
            retry_after = response.headers.get("Retry-After", "")
            with contextlib.suppress(ValueError):
                delay = max(delay, min(float(retry_after), _MAX_RETRY_AFTER_S))
        return delay

    def get_json(self, path: str) -> Any:
        """GET ``base_url + path`` and decode the JSON answer, with retries.

        Parameters
        ----------
        path : str
            Path below the base URL, e.g. ``"/history/last"``.

        Returns
        -------
        Any
            The decoded JSON.

        Raises
        ------
        OfflineError
            Connect errors or timeouts on every try.
        SourceError
            HTTP 4xx, or 5xx/429 on every try, too many or malformed redirects.
        DataError
            Malformed, truncated or undecodable JSON (names the URL).
        """
        url = f"{self.base_url}/{path.lstrip('/')}"
        reason = ""
        last_was_http = False
        for attempt in range(self.retries):
            response: httpx.Response | None = None
            try:
                response = self._http.get(url)
            except httpx.TransportError as exc:
                reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
                last_was_http = False
            except httpx.TooManyRedirects:
                raise SourceError(f"GET {url}: too many redirects") from None
            except httpx.InvalidURL as exc:  # a redirect to a malformed Location
                raise SourceError(f"GET {url}: bad redirect ({exc})") from None
            except httpx.DecodingError as exc:
                raise DataError(f"{url}: undecodable response body ({exc})") from None
            else:
                if response.status_code < 400:
                    return decode_json(response.content, url)
                if response.status_code not in _RETRY_STATUS:
                    raise SourceError(
                        f"GET {url}: HTTP {response.status_code} {response.reason_phrase}".rstrip()
                    )
                reason = f"HTTP {response.status_code} {response.reason_phrase}".rstrip()
                last_was_http = True
            if attempt + 1 < self.retries:
                delay = self._delay(attempt, response)
                logger.warning(
                    "GET %s failed (%s), try %d of %d; retrying in %.1f s",
                    url,
                    reason,
                    attempt + 1,
                    self.retries,
                    delay,
                )
                self._sleep(delay)
        if last_was_http:
            raise SourceError(f"GET {url}: {reason} after {self.retries} tries")
        raise OfflineError(f"{self._host} unreachable after {self.retries} tries: {reason}")

    # ------------------------------------------------------------------- methods
    def history(self) -> pd.DataFrame:
        """List the map versions the API knows.

        Returns
        -------
        pandas.DataFrame
            Columns ``id`` (int, unix time), ``taken_at`` (UTC timestamp from
            the id), ``description`` (Ukrainian), ``description_en``,
            ``created_at`` (UTC timestamp or NaT); sorted by ``id``.

        Raises
        ------
        DataError
            The answer is not a list of objects with an integer ``id``.
        OfflineError, SourceError
            See :meth:`get_json`.
        """
        url = f"{self.base_url}/history/public"
        data = self.get_json("/history/public")
        if not isinstance(data, list):
            raise DataError(
                f"{url}: expected a JSON list of map versions, got {type(data).__name__}"
            )
        rows = []
        for i, item in enumerate(data):
            if not isinstance(item, dict):
                raise DataError(f"{url}: item {i} is not an object")
            vid = _version_id(item.get("id"), f"{url}: item {i}")
            rows.append(
                {
                    "id": vid,
                    "taken_at": dt.datetime.fromtimestamp(vid, dt.UTC),
                    "description": item.get("description"),
                    "description_en": item.get("descriptionEn"),
                    "created_at": item.get("createdAt"),
                }
            )
        df = pd.DataFrame(
            rows, columns=["id", "taken_at", "description", "description_en", "created_at"]
        )
        df["id"] = df["id"].astype("int64")
        df["taken_at"] = pd.to_datetime(df["taken_at"], utc=True)
        df["created_at"] = pd.to_datetime(df["created_at"], utc=True, errors="coerce")
        return df.sort_values("id", ignore_index=True)

    def map_version(self, version_id: int) -> Snapshot:
        """Fetch one map version by id (its unix time) as a snapshot.

        Raises
        ------
        DataError, OfflineError, SourceError
            See :meth:`get_json` and :func:`~garant.sources.deepstatemap.parse_map_version`.
        """
        vid = _version_id(version_id, "map version id")
        data = self.get_json(f"/history/{vid}/geojson")
        if isinstance(data, dict) and "map" in data and data.get("type") != "FeatureCollection":
            data = data["map"]
        return parse_map_version(
            data,
            source="deepstatemap-api",
            source_ref=str(vid),
            taken_at=dt.datetime.fromtimestamp(vid, dt.UTC),
        )

    def latest(self) -> Snapshot:
        """Fetch the latest map version (``/history/last``) as a snapshot.

        Raises
        ------
        DataError
            The answer lacks ``id`` or ``map``.
        OfflineError, SourceError
            See :meth:`get_json`.
        """
        url = f"{self.base_url}/history/last"
        data = self.get_json("/history/last")
        if not isinstance(data, dict) or "map" not in data:
            raise DataError(f"{url}: expected an object with 'id' and 'map'")
        vid = _version_id(data.get("id"), f"{url}: 'id'")
        return parse_map_version(
            data["map"],
            source="deepstatemap-api",
            source_ref=str(vid),
            taken_at=dt.datetime.fromtimestamp(vid, dt.UTC),
        )

    def fetch_since(self, since: dt.date, progress: Progress | None = None) -> Iterator[Snapshot]:
        """Fetch every map version whose UTC date is ``since`` or later, oldest first.

        Parameters
        ----------
        since : datetime.date
            First UTC day to fetch.
        progress : callable, optional
            Called with 1 after each snapshot.

        Yields
        ------
        Snapshot
        """
        versions = self.history()
        wanted = versions[versions["taken_at"].dt.date >= since]
        logger.info("fetching %d map versions since %s", len(wanted), since.isoformat())
        for vid in wanted["id"]:
            yield self.map_version(int(vid))
            if progress is not None:
                progress(1)


def _version_id(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise DataError(f"{what}: bad map version id {value!r}")
    try:
        vid = int(value)
    except ValueError:
        raise DataError(f"{what}: bad map version id {value!r}") from None
    if not 1_500_000_000 <= vid <= 4_000_000_000:
        raise DataError(f"{what}: map version id {vid} is not a plausible unix time")
    return vid
