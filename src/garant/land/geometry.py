"""The front a land force must cover: the line of contact, occupied territory and sectors.

:func:`front_at` is the one entry point of the land layer to the frontline: it
returns a :class:`Front` from a store at a date, from a frozen ceasefire line in a
store, or (without a store) from the bundled demo history.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import geopandas as gpd
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from garant.errors import ConfigError, DataError, NotFoundError

if TYPE_CHECKING:
    from garant.frontline.ceasefire import CeasefireLine
    from garant.store import Store

__all__ = ["Front", "demo_snapshot_dates", "front_at", "front_from_occupied"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Front:
    """The line a land force covers, with the territory behind it.

    Attributes
    ----------
    date : datetime.date or None
        The day the line describes (None for a hand-built front).
    line : shapely (Multi)LineString
        The line of contact, EPSG:4326 (never empty).
    occupied : shapely (Multi)Polygon
        Occupied territory, clipped to Ukraine's land, EPSG:4326.
    sectors : geopandas.GeoDataFrame
        The line split by sector (:func:`garant.frontline.sectors.line_by_sector`):
        columns ``sector``, ``length_km``, ``geometry``.
    length_km : float
        Geodesic length of ``line``, km.
    source : str
        Where the line comes from (``"store <path>"``, ``"ceasefire <name>"``,
        ``"bundled demo"``), with the date.
    """

    date: dt.date | None
    line: BaseGeometry = field(repr=False)
    occupied: BaseGeometry = field(repr=False)
    sectors: gpd.GeoDataFrame = field(repr=False)
    length_km: float
    source: str

    @property
    def n_sectors(self) -> int:
        """Number of sectors the line crosses."""
        return len(self.sectors)


def _as_date(date: dt.date | str | None) -> dt.date | None:
    if date is None or isinstance(date, dt.date):
        return date
    try:
        return dt.date.fromisoformat(str(date))
    except ValueError:
        raise ConfigError(f"date {date!r}: not an ISO date (YYYY-MM-DD)") from None


def front_from_occupied(
    occupied: BaseGeometry,
    *,
    date: dt.date | None = None,
    source: str = "occupied territory",
    line: BaseGeometry | None = None,
) -> Front:
    """Build a :class:`Front` from occupied territory (and optionally its line).

    Parameters
    ----------
    occupied : shapely geometry
        Occupied territory, EPSG:4326.
    date : datetime.date, optional
        The day it describes.
    source : str
        Provenance text.
    line : shapely geometry, optional
        The line of contact; computed from ``occupied`` with the bundled
        geography when None.

    Returns
    -------
    Front

    Raises
    ------
    DataError
        There is no line of contact (no occupied territory touching Ukraine's
        interior).
    """
    from garant.frontline.line import line_length_km
    from garant.frontline.measures import FrontlineGeography
    from garant.frontline.sectors import line_by_sector, load_sectors

    geo = FrontlineGeography.coerce(None)
    if occupied is None or occupied.is_empty:
        raise DataError(f"{source}: no occupied territory, so no line of contact to cover")
    if line is None:
        line, _ = geo.line_builder.line_and_length(occupied)
    if line is None or line.is_empty:
        raise DataError(f"{source}: no line of contact to cover")
    occ = shapely.intersection(occupied, geo.ukraine)
    sectors = line_by_sector(line, load_sectors())
    return Front(
        date=date,
        line=line,
        occupied=occ,
        sectors=sectors,
        length_km=float(line_length_km(line)),
        source=source,
    )


def _demo_archive() -> tuple[tuple[dt.date, BaseGeometry], ...]:
    from garant.sources.demo import demo_monthly_occupied

    return demo_monthly_occupied()


def demo_snapshot_dates() -> list[dt.date]:
    """Dates of the bundled demo's monthly archive (what :func:`front_at` serves without a store).

    Returns
    -------
    list of datetime.date
        Sorted.
    """
    return sorted(d for d, _ in _demo_archive())


def _demo_front(date: dt.date | None) -> Front:
    snaps = sorted(_demo_archive(), key=lambda s: s[0])
    if not snaps:  # pragma: no cover - the demo always has snapshots
        raise DataError("the bundled demo history has no snapshots")
    if date is not None:
        snaps = [s for s in snaps if s[0] <= date]
        if not snaps:
            first = _demo_archive()[0][0]
            raise DataError(
                f"date {date.isoformat()}: before the bundled demo's first snapshot "
                f"({first.isoformat()}); no line to cover (ingest a history into a store "
                "and pass --store for earlier dates)"
            )
    d, occ = snaps[-1]
    return front_from_occupied(occ, date=d, source=f"bundled demo {d.isoformat()}")


def _store_front(store: Store, date: dt.date | None) -> Front:
    tl = store.timeline()
    if tl.empty:
        raise DataError(
            f"{store.path}: the store holds no snapshots, so no line to cover; "
            "run `garant ingest demo` first"
        )
    dates = pd.to_datetime(tl["date"]).dt.date
    rows = tl if date is None else tl[dates <= date]
    if rows.empty:
        raise DataError(
            f"date {date}: before the first snapshot of {store.path} "
            f"({dates.min().isoformat()}); no line to cover"
        )
    row = rows.iloc[-1]
    sid, d = int(row["snapshot_id"]), pd.Timestamp(row["date"]).date()
    lines = store.lines([sid])
    occ = store.load_occupied([sid]).get(sid)
    if lines.empty or lines.geometry.iloc[0] is None or lines.geometry.iloc[0].is_empty:
        raise DataError(
            f"{store.path}: snapshot {sid} of {d.isoformat()} has no line of contact to cover "
            "(run `garant ingest` again to measure it)"
        )
    if occ is None:  # pragma: no cover - a line implies occupied territory
        raise DataError(f"{store.path}: snapshot {sid} of {d.isoformat()}: no occupied territory")
    return front_from_occupied(
        occ, date=d, source=f"store {store.path} {d.isoformat()}", line=lines.geometry.iloc[0]
    )


def front_at(
    store: Store | None = None,
    date: dt.date | str | None = None,
    ceasefire: str | CeasefireLine | None = None,
) -> Front:
    """Return the front to cover: from a store at a date, a ceasefire line, or the demo.

    Parameters
    ----------
    store : Store, optional
        An open store. None: the bundled demo history (its monthly archive,
        2024-07 on; see :func:`demo_snapshot_dates`).
    date : datetime.date or str, optional
        The day (ISO string accepted): the latest snapshot on or before it is
        used. Default: the latest snapshot.
    ceasefire : str or CeasefireLine, optional
        A frozen ceasefire line: its name in ``store`` (which is then required),
        or a :class:`~garant.frontline.ceasefire.CeasefireLine`. ``date`` is then
        ignored (the line has its own date).

    Returns
    -------
    Front

    Raises
    ------
    ConfigError
        A ceasefire name without a store, or a date that is not ISO.
    DataError
        No line to cover: an empty store, a date before the first snapshot, or a
        snapshot without a line of contact.
    NotFoundError
        No ceasefire line of that name in the store.
    """
    day = _as_date(date)
    if ceasefire is not None:
        if isinstance(ceasefire, str):
            if store is None:
                raise ConfigError(
                    f"ceasefire {ceasefire!r}: needs a store (the line is saved in one)"
                )
            from garant.frontline.ceasefire import load_ceasefire

            cf = load_ceasefire(store, ceasefire)
        else:
            cf = ceasefire
        if day is not None and day != cf.date:
            logger.info("ceasefire %s: using its own date %s, not %s", cf.name, cf.date, day)
        return front_from_occupied(
            cf.occupied, date=cf.date, source=f"ceasefire {cf.name} {cf.date}", line=cf.line
        )
    if store is None:
        return _demo_front(day)
    try:
        return _store_front(store, day)
    except NotFoundError as exc:  # pragma: no cover - stores raise this for missing data
        raise DataError(str(exc)) from exc
