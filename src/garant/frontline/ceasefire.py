"""Ceasefire watch: freeze the line of contact and report every violation since.

A **ceasefire line** is the line of contact frozen on a date, kept with the
occupied territory of that date. A **violation** is a change of occupied
territory after the freeze, measured *cumulatively against the frozen state*
(not day to day), that is beyond tolerance: at least ``min_area_km2`` in area
and reaching at least ``min_depth_km`` beyond the frozen line. A bite that is
taken and held is reported on every later date, as one *series* whose trend is
``stable``; a bite that keeps growing is one ``growing`` series, not a string of
unrelated alerts.

The core (:func:`detect_violations`) is pure: geometries in, alerts out. The
store-facing glue (:func:`freeze`, :func:`watch`, :func:`zones_for`) reads the
store and the bundled geography and calls it.

All geometries are EPSG:4326; areas in the equal-area EPSG:6933, distances in
:data:`garant.frontline.line.METRIC_CRS` (Lambert azimuthal equal-area centred
on Ukraine, scale error < 0.5 %).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal, Protocol

import geopandas as gpd
import numpy as np
import numpy.typing as npt
import pandas as pd
import shapely
from shapely.geometry import mapping
from shapely.geometry.base import BaseGeometry

from garant.errors import ConfigError, DataError, NotFoundError
from garant.frontline.line import line_length_km, to_metric
from garant.frontline.zones import DEFAULT_BANDS_KM, danger_bands, demilitarised_zone
from garant.sources.geography import equal_area_km2

if TYPE_CHECKING:
    from garant.frontline.sectors import Sectors
    from garant.store import Store

__all__ = [
    "DIRECTIONS",
    "MAJOR_AREA_KM2",
    "MAJOR_DEPTH_KM",
    "SETTLEMENT_MIN_POPULATION",
    "TRENDS",
    "Alert",
    "AlertReport",
    "CeasefireLine",
    "GeographyLike",
    "default_name",
    "detect_violations",
    "freeze",
    "load_ceasefire",
    "watch",
    "zones_for",
]

logger = logging.getLogger(__name__)

Direction = Literal["russian_advance", "ukrainian_advance"]
Trend = Literal["new", "growing", "stable", "shrinking"]
Severity = Literal["minor", "major"]

#: ``russian_advance``: occupied territory gained beyond the frozen line;
#: ``ukrainian_advance``: frozen occupied territory regained by Ukraine.
DIRECTIONS: tuple[str, ...] = ("russian_advance", "ukrainian_advance")
#: Trend of a violation series over the last checked snapshots.
TRENDS: tuple[str, ...] = ("new", "growing", "stable", "shrinking")

#: An alert is ``major`` from this area on, km². Assumption: ~5 km² is a
#: village with its fields, or a tactical push on a 2-3 km front; below it, a
#: violation is a position or a tree line.
MAJOR_AREA_KM2 = 5.0
#: ... or from this depth beyond the frozen line on, km. Assumption: 2 km is
#: beyond a first defensive position (trenches 1-2 km behind the line).
MAJOR_DEPTH_KM = 2.0
#: Alerts name the nearest settlement of at least this population (GeoNames),
#: so that they read "near Pokrovsk" rather than the nearest hamlet ...
SETTLEMENT_MIN_POPULATION = 10_000
#: ... if it is within this distance of the alert's centroid (km); else the
#: nearest settlement of any size.
SETTLEMENT_NEAR_KM = 15.0
#: Trends compare a series' area with its area this many checked snapshots
#: earlier (or at its first snapshot, if younger); a series not seen for more
#: snapshots than this ends.
TREND_WINDOW = 3
#: A change of a series' area counts as growing / shrinking beyond
#: max(TREND_REL * area, TREND_ABS_KM2) (redraws move the line by a few %).
TREND_REL = 0.05
TREND_ABS_KM2 = 0.1
_MIN_OVERLAP_M2 = 1.0  # two violations overlap (same place) above this area, m²


class GeographyLike(Protocol):
    """What the watch needs of :mod:`garant.sources.geography` (the module fits)."""

    def ukraine(self) -> BaseGeometry:
        """Ukraine's land, EPSG:4326."""
        ...

    def ukraine_boundary(self) -> gpd.GeoDataFrame:
        """Ukraine's borders and coast (``kind``, ``length_km``, ``geometry``)."""
        ...

    def settlements(
        self, *, min_population: int = 0, include_sections: bool = False
    ) -> gpd.GeoDataFrame:
        """Settlements with ``name``, ``population`` and point ``geometry``."""
        ...


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class CeasefireLine:
    """A frozen line of contact.

    Attributes
    ----------
    name : str
        Its name in the store (e.g. ``ceasefire-2025-01-15``).
    date : datetime.date
        The day whose line of contact was frozen.
    snapshot_id : int
        The timeline snapshot it was taken from.
    line : shapely MultiLineString
        The frozen line of contact, EPSG:4326.
    occupied : shapely (Multi)Polygon
        Occupied territory on that day, clipped to Ukraine's land, EPSG:4326.
    note : str
        Free text.
    """

    name: str
    date: dt.date
    snapshot_id: int
    line: BaseGeometry = field(repr=False)
    occupied: BaseGeometry = field(repr=False)
    note: str = ""

    @property
    def length_km(self) -> float:
        """Geodesic length of the frozen line, km."""
        return line_length_km(self.line)

    @property
    def occupied_km2(self) -> float:
        """Frozen occupied area, km² (EPSG:6933)."""
        return float(equal_area_km2(self.occupied)[0])


@dataclass(frozen=True)
class Alert:
    """One violation of a ceasefire line on one date.

    Attributes
    ----------
    date : datetime.date
        The snapshot date on which the violation is seen.
    snapshot_id : int
        That snapshot.
    direction : {'russian_advance', 'ukrainian_advance'}
        Who moved beyond the frozen line.
    area_km2 : float
        Area of the violation against the frozen state, km² (EPSG:6933).
    depth_km : float
        Largest distance of the violation from the frozen line, km.
    centroid_lon, centroid_lat : float
        Centroid, degrees.
    settlement : str
        Nearest town (see :data:`SETTLEMENT_MIN_POPULATION` and
        :data:`SETTLEMENT_NEAR_KM`), '' if none.
    settlement_distance_km : float
        Distance from the centroid to it, km (NaN if none).
    sector : str or None
        Nearest sector of the front, if sectors were given.
    trend : {'new', 'growing', 'stable', 'shrinking'}
        How the series' area evolved over the last checked snapshots.
    severity : {'minor', 'major'}
        ``major`` from :data:`MAJOR_AREA_KM2` or :data:`MAJOR_DEPTH_KM` on.
    series_id : int
        Alerts of one place over consecutive snapshots share it (1, 2, ... in
        order of appearance). When two series grow into one, the older id goes
        on; ids already reported do not change.
    first_seen : datetime.date
        The first date of the series (of the older one, after a merge).
    geometry : shapely Polygon
        The violated area, EPSG:4326.
    """

    date: dt.date
    snapshot_id: int
    direction: Direction
    area_km2: float
    depth_km: float
    centroid_lon: float
    centroid_lat: float
    settlement: str
    settlement_distance_km: float
    sector: str | None
    trend: Trend
    severity: Severity
    series_id: int
    first_seen: dt.date
    geometry: BaseGeometry = field(repr=False)

    def describe(self) -> str:
        """One line, e.g. ``'2025-03-04  Russian advance  +4.2 km², 1.8 km deep, near ...'``."""
        who = "Russian advance" if self.direction == "russian_advance" else "Ukrainian advance"
        sign = "+" if self.direction == "russian_advance" else "−"
        place = f"near {self.settlement}" if self.settlement else "in open country"
        if self.sector:
            place += f" ({self.sector} sector)"
        return (
            f"{self.date.isoformat()}  {who}  {sign}{self.area_km2:.1f} km², "
            f"{self.depth_km:.1f} km deep, {place}, {self.trend}"
            + (", MAJOR" if self.severity == "major" else "")
        )


_ALERT_COLUMNS: tuple[str, ...] = tuple(f for f in Alert.__dataclass_fields__ if f != "geometry")


@dataclass(frozen=True)
class AlertReport:
    """The result of watching a ceasefire line.

    Attributes
    ----------
    name : str
        The ceasefire line.
    frozen_date : datetime.date
        Its date.
    min_area_km2, min_depth_km : float
        The tolerance used.
    checked_dates : tuple of datetime.date
        The snapshot dates compared with the frozen state, ascending.
    alerts : tuple of Alert
        Every violation, by date then largest first.
    """

    name: str
    frozen_date: dt.date
    min_area_km2: float
    min_depth_km: float
    checked_dates: tuple[dt.date, ...]
    alerts: tuple[Alert, ...]

    @property
    def n_snapshots(self) -> int:
        """Number of snapshots checked."""
        return len(self.checked_dates)

    @property
    def n_series(self) -> int:
        """Number of distinct violation series (places)."""
        return len({a.series_id for a in self.alerts})

    def latest(self) -> tuple[Alert, ...]:
        """The alerts of the last checked date (the current state of violations)."""
        if not self.checked_dates:
            return ()
        last = self.checked_dates[-1]
        return tuple(a for a in self.alerts if a.date == last)

    def to_frame(self) -> gpd.GeoDataFrame:
        """Alerts as a GeoDataFrame (EPSG:4326), one row per alert.

        Returns
        -------
        geopandas.GeoDataFrame
            Columns as the :class:`Alert` attributes.
        """
        rows = [{c: getattr(a, c) for c in _ALERT_COLUMNS} for a in self.alerts]
        df = pd.DataFrame(rows, columns=list(_ALERT_COLUMNS))
        return gpd.GeoDataFrame(df, geometry=[a.geometry for a in self.alerts], crs=4326)

    def to_json(self) -> dict[str, Any]:
        """A JSON-serialisable summary with every alert (geometry as GeoJSON).

        Returns
        -------
        dict
            ``ceasefire`` (name, date), ``tolerance`` (min_area_km2,
            min_depth_km), ``checked`` (from, to, n_snapshots), ``n_alerts``,
            ``n_series`` and ``alerts`` (list of dicts, dates as ISO strings).
        """
        alerts = []
        for a in self.alerts:
            d = {k: v for k, v in asdict(a).items() if k != "geometry"}
            d["date"] = a.date.isoformat()
            d["first_seen"] = a.first_seen.isoformat()
            d = {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in d.items()}
            d["geometry"] = mapping(a.geometry)
            alerts.append(d)
        return {
            "ceasefire": {"name": self.name, "date": self.frozen_date.isoformat()},
            "tolerance": {"min_area_km2": self.min_area_km2, "min_depth_km": self.min_depth_km},
            "checked": {
                "from": self.checked_dates[0].isoformat() if self.checked_dates else None,
                "to": self.checked_dates[-1].isoformat() if self.checked_dates else None,
                "n_snapshots": self.n_snapshots,
            },
            "n_alerts": len(self.alerts),
            "n_series": self.n_series,
            "alerts": alerts,
        }

    def series(self) -> tuple[Alert, ...]:
        """The last alert of each series (one place), most recent and largest first."""
        last: dict[int, Alert] = {}
        for a in self.alerts:
            last[a.series_id] = a
        return tuple(sorted(last.values(), key=lambda a: (-a.date.toordinal(), -a.area_km2)))

    def to_text(self, *, every: bool = False) -> str:
        """A header line and one line per place, or per alert with ``every``.

        Parameters
        ----------
        every : bool
            List every alert of every date (a place that stays violated is
            listed on each date); default: the latest state of each place, with
            the date it was first seen.
        """
        tol = f"≥ {self.min_area_km2:g} km² and ≥ {self.min_depth_km:g} km deep"
        if not self.checked_dates:
            return (
                f"Ceasefire line {self.name} (frozen {self.frozen_date}): "
                "no later snapshot to check"
            )
        head = (
            f"Ceasefire line {self.name} (frozen {self.frozen_date}), "
            f"{self.n_snapshots} snapshots {self.checked_dates[0]} … {self.checked_dates[-1]}, "
            f"tolerance {tol}: "
        )
        if not self.alerts:
            return head + "no violation"
        head += f"{len(self.alerts)} alerts in {self.n_series} places"
        if every:
            return "\n".join([head, *(a.describe() for a in self.alerts)])
        lines = [a.describe() + f" (first seen {a.first_seen.isoformat()})" for a in self.series()]
        return "\n".join([head, *lines])


# --------------------------------------------------------------------------- pure core


@dataclass
class _Piece:
    """A violation polygon on one date, before naming."""

    k: int
    direction: Direction
    geom: BaseGeometry  # EPSG:4326
    geom_m: BaseGeometry  # METRIC_CRS
    area_km2: float
    depth_km: float
    series_id: int = 0
    trend: Trend = "new"
    first_k: int = 0


@dataclass
class _Series:
    sid: int
    direction: Direction
    first_k: int
    last_k: int
    geom_m: BaseGeometry
    history: dict[int, float]  # snapshot index -> total area, km²


def _check_tolerance(min_area_km2: float, min_depth_km: float) -> None:
    for name, v in (("min_area_km2", min_area_km2), ("min_depth_km", min_depth_km)):
        if not (isinstance(v, int | float) and math.isfinite(v) and v >= 0):
            raise DataError(f"{name}={v!r}: tolerance must be a finite number >= 0")


def _polygons(geom: BaseGeometry) -> list[BaseGeometry]:
    return [g for g in shapely.get_parts(geom) if g.geom_type == "Polygon" and not g.is_empty]


def _segment_tree(line_m: BaseGeometry) -> shapely.STRtree:
    """An STRtree of the line's segments (nearest-segment queries in O(log n))."""
    segs: list[npt.NDArray[np.object_]] = []
    for part in shapely.get_parts(line_m):
        xy = shapely.get_coordinates(part)
        if len(xy) >= 2:
            segs.append(np.asarray(shapely.linestrings(np.stack([xy[:-1], xy[1:]], axis=1))))
    return shapely.STRtree(np.concatenate(segs) if segs else np.zeros(0, dtype=object))


def _depth_km(piece_m: BaseGeometry, segments: shapely.STRtree, area_km2: float) -> float:
    """Largest distance of a polygon from a line, km (polygon in metres).

    The distance to a line is 1-Lipschitz, so the maximum over the polygon is
    found on its boundary (densified every ``s``) and an interior grid of
    spacing ``s`` = sqrt(area)/25, 50 m-1 km: error at most s/√2 (< 4 % of
    sqrt(area)) where the maximum is interior (a salient of the line), none at
    boundary vertices.
    ``segments`` is :func:`_segment_tree` of the line.
    """
    s_m = 1000.0 * min(max(math.sqrt(area_km2) / 25.0, 0.05), 1.0)
    x0, y0, x1, y1 = piece_m.bounds
    edge = shapely.get_coordinates(shapely.segmentize(piece_m.boundary, s_m))
    gx, gy = np.meshgrid(np.arange(x0 + s_m / 2, x1, s_m), np.arange(y0 + s_m / 2, y1, s_m))
    inside = shapely.contains_xy(piece_m, gx.ravel(), gy.ravel())
    grid = np.column_stack([gx.ravel()[inside], gy.ravel()[inside]])
    pts = shapely.points(np.vstack([edge, grid]))
    _, dist = segments.query_nearest(pts, return_distance=True, all_matches=False)
    return float(np.max(dist)) / 1000.0 if len(dist) else math.inf


def _violations_on(
    k: int,
    frozen_land: BaseGeometry,
    later_land: BaseGeometry,
    segments: shapely.STRtree,
    min_area_km2: float,
    min_depth_km: float,
    memo: dict[bytes, tuple[BaseGeometry, float]],
) -> list[_Piece]:
    """Violation polygons of one snapshot against the frozen state.

    ``memo`` maps a polygon's WKB to its metric geometry and depth: a bite that
    is held from one snapshot to the next is the same polygon, measured once.
    """
    out: list[_Piece] = []
    diffs: tuple[tuple[Direction, BaseGeometry], ...] = (
        ("russian_advance", shapely.difference(later_land, frozen_land)),
        ("ukrainian_advance", shapely.difference(frozen_land, later_land)),
    )
    for direction, diff in diffs:
        polys = _polygons(diff)
        if not polys:
            continue
        areas = equal_area_km2(polys)
        for poly, a in zip(polys, areas, strict=True):
            if a < min_area_km2 or a <= 0:
                continue
            key = shapely.to_wkb(poly)
            if key not in memo:
                poly_m = to_metric(poly)
                memo[key] = (poly_m, _depth_km(poly_m, segments, float(a)))
            poly_m, depth = memo[key]
            if depth < min_depth_km:
                continue
            out.append(_Piece(k, direction, poly, poly_m, float(a), depth))
    return out


class _SeriesTracker:
    """Ties the violations of consecutive snapshots into series by overlap."""

    def __init__(self, window: int) -> None:
        self.window = window
        self.series: dict[int, _Series] = {}
        self.parent: dict[int, int] = {}

    def _find(self, sid: int) -> int:
        while self.parent[sid] != sid:
            self.parent[sid] = self.parent[self.parent[sid]]
            sid = self.parent[sid]
        return sid

    def _merge(self, a: int, b: int) -> int:
        ra, rb = self._find(a), self._find(b)
        if ra == rb:
            return ra
        keep, gone = (ra, rb) if ra < rb else (rb, ra)  # the older series survives
        s, t = self.series[keep], self.series.pop(gone)
        for kk, area in t.history.items():
            s.history[kk] = s.history.get(kk, 0.0) + area
        s.first_k = min(s.first_k, t.first_k)
        s.last_k = max(s.last_k, t.last_k)
        s.geom_m = shapely.union(s.geom_m, t.geom_m)
        self.parent[gone] = keep
        return keep

    def assign(self, k: int, pieces: list[_Piece]) -> None:
        """Give each piece of snapshot ``k`` a series id and update the series."""
        active = [s for s in self.series.values() if k - s.last_k <= self.window and s.last_k < k]
        for p in pieces:
            cands = [s for s in active if s.direction == p.direction]
            overlaps = [
                (shapely.intersection(p.geom_m, s.geom_m).area, s.sid)
                for s in cands
                if shapely.intersects(p.geom_m, s.geom_m)
            ]
            overlaps = [(o, sid) for o, sid in overlaps if o > _MIN_OVERLAP_M2]
            if not overlaps:
                sid = len(self.parent) + 1
                self.parent[sid] = sid
                self.series[sid] = _Series(sid, p.direction, k, k, shapely.Polygon(), {})
                p.series_id = sid
                continue
            overlaps.sort(reverse=True)
            root = self._find(overlaps[0][1])
            for _, other in overlaps[1:]:
                root = self._merge(root, other)
            p.series_id = root
        # re-resolve (merges may have happened after a piece was assigned)
        for p in pieces:
            p.series_id = self._find(p.series_id)
        by_series: dict[int, list[_Piece]] = {}
        for p in pieces:
            by_series.setdefault(p.series_id, []).append(p)
        for sid, ps in by_series.items():
            s = self.series[sid]
            s.history[k] = sum(p.area_km2 for p in ps)
            s.geom_m = shapely.union_all([p.geom_m for p in ps])
            s.last_k = k
        for p in pieces:
            p.trend = self._trend(p.series_id, k)
            p.first_k = self.series[p.series_id].first_k

    def _trend(self, sid: int, k: int) -> Trend:
        """Trend of series ``sid`` at snapshot ``k`` (its history known up to ``k``)."""
        h = self.series[self._find(sid)].history
        earlier = [kk for kk in h if k - self.window <= kk < k]
        if not earlier:
            return "new"
        ref = h[min(earlier)]
        delta = h[k] - ref
        tol = max(TREND_REL * ref, TREND_ABS_KM2)
        if delta > tol:
            return "growing"
        if delta < -tol:
            return "shrinking"
        return "stable"


def _nearest_names(
    points_m: npt.NDArray[np.object_], table: gpd.GeoDataFrame, column: str
) -> tuple[list[str | None], npt.NDArray[np.float64]]:
    """Name and distance (km) of the nearest row of ``table`` to each metric point."""
    n = len(points_m)
    names: list[str | None] = [None] * n
    dist = np.full(n, np.nan)
    if table.empty or n == 0:
        return names, dist
    geoms_m = np.array([to_metric(g) for g in table.geometry.to_crs(4326).values], dtype=object)
    q, t = shapely.STRtree(geoms_m).query_nearest(points_m, all_matches=False)
    labels = table[column].astype(str).to_numpy()
    for qi, ti in zip(q, t, strict=True):
        names[qi] = str(labels[ti])
        dist[qi] = shapely.distance(points_m[qi], geoms_m[ti]) / 1000.0
    return names, dist


def _depth_reference(frozen_line: BaseGeometry, geography: GeographyLike) -> BaseGeometry:
    """The frozen line plus Ukraine's land borders with Russia and Belarus."""
    boundary = geography.ukraine_boundary()
    borders = boundary.loc[boundary["kind"].isin(["russia", "belarus"]), "geometry"]
    if len(borders) == 0:
        return frozen_line
    return shapely.union_all([frozen_line, *borders.to_numpy()])


def detect_violations(
    frozen_occupied: BaseGeometry,
    frozen_line: BaseGeometry,
    later: Sequence[tuple[dt.date, int, BaseGeometry]],
    *,
    min_area_km2: float = 1.0,
    min_depth_km: float = 0.5,
    geography: GeographyLike,
    sectors: Sectors | None = None,
    settlement_min_population: int = SETTLEMENT_MIN_POPULATION,
    major_area_km2: float = MAJOR_AREA_KM2,
    major_depth_km: float = MAJOR_DEPTH_KM,
) -> list[Alert]:
    """Every change of occupied territory beyond tolerance after a freeze.

    For each later snapshot, the occupied territory is compared with the
    frozen one, both clipped to Ukraine's land (changes on the sea or across
    the border are not violations): ``later − frozen`` is a Russian advance,
    ``frozen − later`` a Ukrainian one. Each connected polygon of a difference
    is a violation when its area is at least ``min_area_km2`` **and** its depth
    (largest distance from the frozen line) at least ``min_depth_km``; both
    filters drop the slivers of redrawing. Violations of consecutive snapshots
    that overlap (same direction) form one series; a series survives a gap of
    up to :data:`TREND_WINDOW` snapshots, and series that grow into each other
    merge (the older id survives). Trends compare a series' total area with its
    area :data:`TREND_WINDOW` snapshots earlier: ``new`` (first seen now),
    ``growing`` / ``shrinking`` (beyond max(5 %, 0.1 km²)) or ``stable``.

    Parameters
    ----------
    frozen_occupied : shapely (Multi)Polygon
        Occupied territory at the freeze, EPSG:4326.
    frozen_line : shapely (Multi)LineString
        The frozen line of contact, EPSG:4326 (not empty).
    later : sequence of (date, snapshot_id, occupied geometry)
        The snapshots to check, any order, distinct dates (EPSG:4326).
    min_area_km2 : float
        Tolerance: smallest violation area, km² (>= 0).
    min_depth_km : float
        Tolerance: smallest depth beyond the frozen line, km (>= 0).
    geography : GeographyLike
        :mod:`garant.sources.geography` or an object with the same
        ``ukraine()`` and ``settlements(...)``.
    sectors : garant.frontline.sectors.Sectors, optional
        Each alert gets the sector of its centroid. Default: no sector.
    settlement_min_population : int
        Alerts name the nearest settlement at least this large if it is within
        :data:`SETTLEMENT_NEAR_KM`, else the nearest settlement of any size.
    major_area_km2, major_depth_km : float
        Severity thresholds: ``major`` when area >= ``major_area_km2`` or depth
        >= ``major_depth_km`` (defaults :data:`MAJOR_AREA_KM2`,
        :data:`MAJOR_DEPTH_KM`; assumptions, see there).

    Returns
    -------
    list of Alert
        By date, then largest area first.

    Raises
    ------
    DataError
        Negative / non-finite tolerance, an empty frozen line or occupied
        territory, or two later snapshots with the same date.

    Notes
    -----
    Depth is measured from the frozen line of contact *and* Ukraine's state
    border with Russia and Belarus (where the attacker stands too): an
    incursion across the border in Sumy oblast is as deep as it reaches into
    Ukraine, not as far as it lies from the line.
    """
    _check_tolerance(min_area_km2, min_depth_km)
    if frozen_line is None or frozen_line.is_empty:
        raise DataError("frozen line: empty geometry (nothing to watch)")
    if frozen_occupied is None or frozen_occupied.is_empty:
        raise DataError("frozen occupied territory: empty geometry")
    dates = [d for d, _, _ in later]
    if len(set(dates)) != len(dates):
        dup = sorted({d for d in dates if dates.count(d) > 1})
        raise DataError(f"later snapshots: duplicate dates {[d.isoformat() for d in dup]}")
    snaps = sorted(later, key=lambda t: t[0])
    land = geography.ukraine()
    shapely.prepare(land)
    frozen_land = shapely.intersection(frozen_occupied, land)
    segments = _segment_tree(to_metric(_depth_reference(frozen_line, geography)))
    tracker = _SeriesTracker(TREND_WINDOW)
    pieces: list[_Piece] = []
    cache: tuple[bytes, list[_Piece]] | None = None
    memo: dict[bytes, tuple[BaseGeometry, float]] = {}
    for k, (d, sid, occ) in enumerate(snaps):
        if occ is None or occ.is_empty:
            raise DataError(f"snapshot {sid} of {d}: empty occupied territory")
        wkb = shapely.to_wkb(occ)
        if cache is not None and cache[0] == wkb:  # no update that day: same violations
            found = [
                _Piece(k, p.direction, p.geom, p.geom_m, p.area_km2, p.depth_km) for p in cache[1]
            ]
        else:
            later_land = shapely.intersection(occ, land)
            found = _violations_on(
                k, frozen_land, later_land, segments, min_area_km2, min_depth_km, memo
            )
        cache = (wkb, found)
        tracker.assign(k, found)
        pieces.extend(found)
    logger.debug("%d snapshots checked, %d violations", len(snaps), len(pieces))

    centroids_m = np.array([p.geom_m.centroid for p in pieces], dtype=object)
    centroids = shapely.get_coordinates([to_metric(c, inverse=True) for c in centroids_m])
    town_names, town_km = _nearest_names(
        centroids_m, geography.settlements(min_population=settlement_min_population), "name"
    )
    far = ~(town_km <= SETTLEMENT_NEAR_KM)
    if far.any():
        any_names, any_km = _nearest_names(centroids_m[far], geography.settlements(), "name")
        for j, idx in enumerate(np.flatnonzero(far).tolist()):
            if any_names[j] is not None:
                town_names[idx], town_km[idx] = any_names[j], any_km[j]
    sector_names: list[str | None] = [None] * len(pieces)
    if sectors is not None and pieces:
        sector_names = [str(x) for x in sectors.assign(centroids[:, 0], centroids[:, 1])]

    alerts = []
    for i, p in enumerate(pieces):
        d, snap_id, _ = snaps[p.k]
        major = p.area_km2 >= major_area_km2 or p.depth_km >= major_depth_km
        alerts.append(
            Alert(
                date=d,
                snapshot_id=int(snap_id),
                direction=p.direction,
                area_km2=p.area_km2,
                depth_km=p.depth_km,
                centroid_lon=float(centroids[i, 0]),
                centroid_lat=float(centroids[i, 1]),
                settlement=town_names[i] or "",
                settlement_distance_km=float(town_km[i]),
                sector=sector_names[i],
                trend=p.trend,
                severity="major" if major else "minor",
                series_id=p.series_id,
                first_seen=snaps[p.first_k][0],
                geometry=p.geom,
            )
        )
    alerts.sort(key=lambda a: (a.date, -a.area_km2))
    return _renumber(alerts)


def _renumber(alerts: list[Alert]) -> list[Alert]:
    """Series ids 1, 2, ... in order of first appearance."""
    new: dict[int, int] = {}
    for a in alerts:
        new.setdefault(a.series_id, len(new) + 1)
    return [replace(a, series_id=new[a.series_id]) for a in alerts]


# --------------------------------------------------------------------------- store glue


def default_name(date: dt.date) -> str:
    """Default ceasefire line name: ``ceasefire-YYYY-MM-DD``."""
    return f"ceasefire-{date.isoformat()}"


def _as_date(value: object, what: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return pd.Timestamp(str(value)).date()
    except ValueError:
        raise DataError(f"{what}: {value!r} is not a date") from None


def _timeline_dates(store: Store) -> pd.DataFrame:
    tl = store.timeline()
    if tl.empty:
        raise NotFoundError(
            f"{store.path}: the store holds no snapshots; run `garant ingest` first"
        )
    out = pd.DataFrame(
        {
            "snapshot_id": tl["snapshot_id"].astype(int).to_numpy(),
            "date": [_as_date(v, "timeline date") for v in tl["date"]],
        }
    )
    return out.drop_duplicates("date").sort_values("date").reset_index(drop=True)


def _geography(geography: GeographyLike | None) -> GeographyLike:
    if geography is not None:
        return geography
    from garant.sources import geography as bundled

    return bundled


def freeze(
    store: Store,
    date: dt.date,
    *,
    name: str | None = None,
    note: str = "",
    replace: bool = False,
    geography: GeographyLike | None = None,
) -> CeasefireLine:
    """Freeze the line of contact of the timeline snapshot for ``date`` and save it.

    Parameters
    ----------
    store : Store
        An open, writable store.
    date : datetime.date
        The day to freeze; the store's timeline must hold a snapshot for it.
    name : str, optional
        Name of the ceasefire line (default :func:`default_name`).
    note : str
        Free text kept with the line.
    replace : bool
        Overwrite a line of that name (else the store refuses).
    geography : GeographyLike, optional
        Default :mod:`garant.sources.geography`.

    Returns
    -------
    CeasefireLine
        The frozen line (also saved in the store).

    Raises
    ------
    NotFoundError
        No timeline snapshot for ``date``.
    DataError
        The snapshot has no line of contact.
    """
    geo = _geography(geography)
    tl = _timeline_dates(store)
    row = tl[tl["date"] == date]
    if row.empty:
        before = tl[tl["date"] < date]["date"]
        after = tl[tl["date"] > date]["date"]
        near = ", ".join(
            str(x)
            for x in (
                before.iloc[-1] if len(before) else None,
                after.iloc[0] if len(after) else None,
            )
            if x is not None
        )
        raise NotFoundError(
            f"date {date.isoformat()}: no snapshot in the timeline of {store.path} "
            f"(nearest: {near or 'none'})"
        )
    sid = int(row["snapshot_id"].iloc[0])
    occ = store.load_occupied([sid])[sid]
    from garant.frontline.line import line_of_contact

    land = geo.ukraine()
    line = line_of_contact(occ, ukraine=land, boundary=geo.ukraine_boundary())
    if line.is_empty:
        raise DataError(f"snapshot {sid} of {date}: no line of contact to freeze")
    occupied = shapely.intersection(occ, land)
    cf = CeasefireLine(
        name=name or default_name(date),
        date=date,
        snapshot_id=sid,
        line=line,
        occupied=occupied,
        note=note,
    )
    store.save_ceasefire_line(
        cf.name, cf.date, cf.snapshot_id, cf.line, cf.occupied, cf.note, replace=replace
    )
    logger.info("froze %s: line of %s, %.0f km", cf.name, date, cf.length_km)
    return cf


def load_ceasefire(store: Store, name: str) -> CeasefireLine:
    """Load a frozen ceasefire line from the store.

    Raises
    ------
    NotFoundError
        No line of that name (raised by the store).
    """
    row, line, occupied = store.load_ceasefire_line(name)
    return CeasefireLine(
        name=str(row.get("name", name)),
        date=_as_date(row["date"], f"ceasefire line {name!r} date"),
        snapshot_id=int(row["snapshot_id"]),
        line=line,
        occupied=occupied,
        note=str(row.get("note") or ""),
    )


def watch(
    store: Store,
    name: str,
    *,
    since: dt.date | None = None,
    until: dt.date | None = None,
    min_area_km2: float = 1.0,
    min_depth_km: float = 0.5,
    geography: GeographyLike | None = None,
    sectors: Sectors | None = None,
) -> AlertReport:
    """Check every timeline snapshot after a freeze against the frozen line.

    Parameters
    ----------
    store : Store
        An open store.
    name : str
        The ceasefire line.
    since, until : datetime.date, optional
        Limit the snapshots checked (inclusive); always after the freeze date.
    min_area_km2, min_depth_km : float
        Tolerance (see :func:`detect_violations`).
    geography : GeographyLike, optional
        Default :mod:`garant.sources.geography`.
    sectors : garant.frontline.sectors.Sectors, optional
        Default: the bundled catalogue (:func:`garant.frontline.sectors.load_sectors`).

    Returns
    -------
    AlertReport

    Raises
    ------
    NotFoundError
        No ceasefire line of that name.
    ConfigError
        ``since`` after ``until``.
    """
    if since is not None and until is not None and since > until:
        raise ConfigError(f"--since {since} is after --until {until}")
    cf = load_ceasefire(store, name)
    tl = _timeline_dates(store)
    keep = tl["date"] > cf.date
    if since is not None:
        keep &= tl["date"] >= since
    if until is not None:
        keep &= tl["date"] <= until
    tl = tl[keep]
    ids = [int(x) for x in tl["snapshot_id"]]
    occ = store.load_occupied(ids) if ids else {}
    later = [(d, sid, occ[sid]) for d, sid in zip(tl["date"], ids, strict=True)]
    if sectors is None and later:
        from garant.frontline.sectors import load_sectors

        sectors = load_sectors()
    alerts = detect_violations(
        cf.occupied,
        cf.line,
        later,
        min_area_km2=min_area_km2,
        min_depth_km=min_depth_km,
        geography=_geography(geography),
        sectors=sectors,
    )
    return AlertReport(
        name=cf.name,
        frozen_date=cf.date,
        min_area_km2=float(min_area_km2),
        min_depth_km=float(min_depth_km),
        checked_dates=tuple(d for d, _, _ in later),
        alerts=tuple(alerts),
    )


def zones_for(
    store: Store,
    name: str,
    *,
    width_km: float = 15.0,
    bands_km: Sequence[float] = DEFAULT_BANDS_KM,
    geography: GeographyLike | None = None,
) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Demilitarised strip and danger bands of a frozen ceasefire line.

    Parameters
    ----------
    store : Store
        An open store.
    name : str
        The ceasefire line.
    width_km : float
        Half-width of the demilitarised strip, km.
    bands_km : sequence of float
        Danger-band edges, km.
    geography : GeographyLike, optional
        Default :mod:`garant.sources.geography`.

    Returns
    -------
    tuple of geopandas.GeoDataFrame
        :func:`~garant.frontline.zones.demilitarised_zone` and
        :func:`~garant.frontline.zones.danger_bands` of the frozen line.
    """
    geo = _geography(geography)
    cf = load_ceasefire(store, name)
    land = geo.ukraine()
    towns = geo.settlements()
    dmz = demilitarised_zone(
        cf.line, width_km=width_km, ukraine=land, occupied=cf.occupied, settlements=towns
    )
    bands = danger_bands(cf.line, cf.occupied, bands_km=bands_km, ukraine=land, settlements=towns)
    return dmz, bands
