"""Plain typed objects shared by every source, the store and the domains.

A *map version* is one state of DeepStateMap; a :class:`Snapshot` is what garant
keeps of it: the date it describes, where it came from, a content hash and one
geometry per *layer kind*, plus the point layers (directions of attack, units).
Every source (live API, raw map version files, the daily archive, the bundled
demo) produces snapshots through :meth:`Snapshot.build`, which validates them.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import threading
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from garant.errors import DataError, GeometryRepairedWarning

__all__ = [
    "OCCUPIED_KINDS",
    "POINT_COLUMNS",
    "POINT_KINDS",
    "POLYGON_KINDS",
    "SOURCES",
    "Snapshot",
    "empty_points",
    "union_occupied",
]

#: Polygon layer kinds. ``occupied`` is occupied since 24 Feb 2022,
#: ``occupied_pre2022`` is Crimea, Sevastopol, Tuzla and CADR/CALR (occupied
#: since 2014), ``grey_zone`` is DeepState's "unknown status" / "contested",
#: ``liberated`` covers "liberated" and "liberated on DD.MM", ``foreign`` is
#: territory outside Ukraine that the map marks (Transnistria, Abkhazia, ...),
#: ``other`` is any other polygon layer.
POLYGON_KINDS: tuple[str, ...] = (
    "occupied",
    "occupied_pre2022",
    "grey_zone",
    "liberated",
    "foreign",
    "other",
)
#: The kinds whose union is *occupied territory*.
OCCUPIED_KINDS: tuple[str, ...] = ("occupied", "occupied_pre2022")
#: Point layer kinds.
POINT_KINDS: tuple[str, ...] = ("attack_direction", "unit", "label", "other")
#: Columns of :attr:`Snapshot.points` (besides ``geometry``).
POINT_COLUMNS: tuple[str, ...] = ("kind", "key", "name_uk", "name_en")
#: Known values of :attr:`Snapshot.source`.
SOURCES: tuple[str, ...] = ("deepstatemap-api", "deepstatemap-raw", "archive", "demo", "file")

#: Generous bounding box of Ukraine and its neighbourhood (lon/lat); the
#: occupied layers of a valid snapshot lie inside it.
_UKRAINE_REGION = (20.0, 43.0, 42.0, 53.5)
_HASH_GRID = 1e-7  # degrees; geometry is snapped to this grid before hashing


def empty_points() -> gpd.GeoDataFrame:
    """Return an empty point layer with the standard columns, EPSG:4326."""
    return gpd.GeoDataFrame(
        {c: [] for c in POINT_COLUMNS}, geometry=gpd.GeoSeries([], crs=4326), crs=4326
    )


#: Half-width of the closing that removes seams between occupied layers, degrees
#: (~1 m). The daily archive's upstream applies the same ±0.000009° buffer when it
#: unions "Occupied", "Occupied Crimea" and "CADR and CALR"; garant does it for raw
#: and API map versions so that both give the same territory and line of contact.
SEAM_CLOSING_DEG = 0.000009


def union_occupied(parts: Sequence[BaseGeometry]) -> BaseGeometry:
    """Union of occupied layers with the seams between them closed.

    DeepStateMap draws occupied kinds as separate polygons whose shared edges do
    not match exactly; their plain union keeps sliver holes and notches along the
    seams (in 2025 about 50 holes, which add ~200 km to the line of contact). A
    closing of :data:`SEAM_CLOSING_DEG` (buffer out, then in, mitred) removes
    them, as the daily archive's producer does.

    Parameters
    ----------
    parts : sequence of BaseGeometry
        Polygonal geometries, EPSG:4326; empty ones are ignored.

    Returns
    -------
    BaseGeometry
        A single layer is returned unchanged.
    """
    geoms = [g for g in parts if g is not None and not g.is_empty]
    if not geoms:
        return shapely.MultiPolygon()
    if len(geoms) == 1:
        return geoms[0]
    merged = shapely.union_all(geoms)
    grown = shapely.buffer(merged, SEAM_CLOSING_DEG, join_style="mitre")
    return shapely.buffer(grown, -SEAM_CLOSING_DEG, join_style="mitre")


@functools.cache
def _shared_empty_points() -> gpd.GeoDataFrame:
    # One shared empty frame for snapshots without points (building a
    # GeoDataFrame costs ~2 ms, a lot when 769 daily files are read).
    # Snapshots are read-only: copy before modifying ``points``.
    return empty_points()


# Memos of recent polygon layers, by object identity (each entry holds the geometry,
# so its id is not reused while cached). Sources that see the same content again
# (identical consecutive archive days) pass the same object, and the store asks
# for ``polygon_hash`` right after ``build``: neither is recomputed.
_MEMO_SIZE = 64
_MEMO_LOCK = threading.Lock()
_HASH_WKB_MEMO: dict[int, tuple[BaseGeometry, bytes]] = {}
_CLEAN_MEMO: dict[int, tuple[BaseGeometry, BaseGeometry]] = {}


def _memo_put(memo: dict[int, tuple[BaseGeometry, Any]], key: BaseGeometry, value: Any) -> None:
    with _MEMO_LOCK:
        while len(memo) >= _MEMO_SIZE:
            memo.pop(next(iter(memo)))
        memo[id(key)] = (key, value)


def _memo_get(memo: dict[int, tuple[BaseGeometry, Any]], key: BaseGeometry) -> Any:
    hit = memo.get(id(key))
    return hit[1] if hit is not None and hit[0] is key else None


def _hash_geometry(h: hashlib._Hash, geom: BaseGeometry, *, memo: bool = False) -> None:
    wkb = _memo_get(_HASH_WKB_MEMO, geom)
    if wkb is None:
        g = shapely.normalize(shapely.set_precision(geom, _HASH_GRID, mode="pointwise"))
        wkb = shapely.to_wkb(g, output_dimension=2, byte_order=1)
        if memo:
            _memo_put(_HASH_WKB_MEMO, geom, wkb)
    h.update(wkb)


@dataclass(frozen=True)
class Snapshot:
    """One map state as garant keeps it.

    Build snapshots with :meth:`Snapshot.build`, which validates and repairs the
    geometry and computes the content hash; do not call the constructor directly.

    Attributes
    ----------
    date : datetime.date
        The UTC day whose state the snapshot describes (for the daily archive,
        the day before the file's date: the file is downloaded at 03:00 UTC and
        holds DeepState's update of the previous evening).
    taken_at : datetime.datetime
        UTC time of the map version (API / raw files) or of the download.
    source : str
        One of :data:`SOURCES`.
    source_ref : str
        The map version id or file name the snapshot came from.
    layers : Mapping[str, BaseGeometry]
        Polygon layer kind -> 2-D (Multi)Polygon in EPSG:4326, valid, unclipped.
        Kinds absent from the source (e.g. the grey zone in the daily archive)
        are absent from the mapping.
    points : geopandas.GeoDataFrame
        Point layers with columns :data:`POINT_COLUMNS`, EPSG:4326.
    content_hash : str
        sha256 of the normalised polygon layers and points.
    notes : tuple of str
        What was repaired or dropped while reading (shown to the user).
    """

    date: dt.date
    taken_at: dt.datetime
    source: str
    source_ref: str
    layers: Mapping[str, BaseGeometry]
    points: gpd.GeoDataFrame = field(repr=False)
    content_hash: str
    notes: tuple[str, ...] = ()

    @classmethod
    def build(
        cls,
        *,
        date: dt.date,
        taken_at: dt.datetime,
        source: str,
        source_ref: str,
        layers: Mapping[str, BaseGeometry],
        points: gpd.GeoDataFrame | None = None,
        notes: tuple[str, ...] = (),
        today: dt.date | None = None,
    ) -> Snapshot:
        """Validate, repair and hash a snapshot.

        Parameters
        ----------
        date, taken_at, source, source_ref, layers, points, notes
            See the class attributes. ``taken_at`` must be timezone-aware.
        today : datetime.date, optional
            The current UTC date, for the future-date check (tests pass it).

        Returns
        -------
        Snapshot

        Raises
        ------
        DataError
            Unknown layer kinds or source, non-polygonal geometry, an empty
            snapshot (no occupied territory), coordinates outside the region of
            Ukraine, a date in the future or a naive timestamp. The message names
            ``source_ref``.
        """
        ref = source_ref
        if source not in SOURCES:
            raise DataError(f"{ref}: unknown source {source!r} (expected one of {SOURCES})")
        if taken_at.tzinfo is None:
            raise DataError(f"{ref}: timestamp {taken_at.isoformat()} has no time zone")
        today = today or dt.datetime.now(dt.UTC).date()
        if date > today:
            raise DataError(f"{ref}: date {date.isoformat()} is in the future")
        notes_out = list(notes)
        clean: dict[str, BaseGeometry] = {}
        for kind, geom in layers.items():
            if kind not in POLYGON_KINDS:
                raise DataError(f"{ref}: unknown layer kind {kind!r}")
            known = None if geom is None else _memo_get(_CLEAN_MEMO, geom)
            if known is not None:  # the same object was checked before: valid
                clean[kind] = known
                continue
            if geom is None or geom.is_empty:
                continue
            given = geom
            if shapely.has_z(geom):
                geom = shapely.force_2d(geom)
            if geom.geom_type == "GeometryCollection":
                polys = [
                    g for g in shapely.get_parts(geom) if g.geom_type in ("Polygon", "MultiPolygon")
                ]
                geom = shapely.union_all(polys) if polys else shapely.MultiPolygon()
            if geom.geom_type not in ("Polygon", "MultiPolygon"):
                raise DataError(
                    f"{ref}: layer {kind!r} has geometry type {geom.geom_type}, expected polygons"
                )
            xy = shapely.get_coordinates(geom)
            if not (np.isfinite(xy).all() and (np.abs(xy) <= (180.0, 90.0)).all()):
                raise DataError(
                    f"{ref}: layer {kind!r} has coordinates that are not lon/lat "
                    "(NaN, infinite or beyond ±180/±90)"
                )
            if not geom.is_valid:
                reason = shapely.is_valid_reason(geom)
                geom = shapely.make_valid(geom, method="structure", keep_collapsed=False)
                if geom.geom_type == "GeometryCollection":
                    geom = shapely.union_all(
                        [
                            g
                            for g in shapely.get_parts(geom)
                            if g.geom_type in ("Polygon", "MultiPolygon")
                        ]
                    )
                msg = f"{ref}: repaired invalid {kind!r} geometry ({reason})"
                notes_out.append(msg)
                warnings.warn(msg, GeometryRepairedWarning, stacklevel=2)
            if geom.is_empty:
                continue
            if geom is given:
                _memo_put(_CLEAN_MEMO, given, geom)
            clean[kind] = geom
        occupied = [clean[k] for k in OCCUPIED_KINDS if k in clean]
        if not occupied:
            raise DataError(f"{ref}: empty snapshot (no occupied territory)")
        for kind in OCCUPIED_KINDS:
            if kind in clean:
                x0, y0, x1, y1 = clean[kind].bounds
                bx0, by0, bx1, by1 = _UKRAINE_REGION
                if x0 < bx0 or y0 < by0 or x1 > bx1 or y1 > by1:
                    raise DataError(
                        f"{ref}: layer {kind!r} has coordinates outside the region of Ukraine "
                        f"(bounds {x0:.2f}, {y0:.2f}, {x1:.2f}, {y1:.2f}; lon/lat swapped or "
                        "not EPSG:4326?)"
                    )
        pts = _shared_empty_points() if points is None else points
        missing = [c for c in POINT_COLUMNS if c not in pts.columns]
        if missing:
            raise DataError(f"{ref}: point layer lacks columns {missing}")
        h = hashlib.sha256()
        for kind in sorted(clean):
            h.update(kind.encode())
            _hash_geometry(h, clean[kind], memo=True)
        if len(pts):
            for row in pts.sort_values(list(POINT_COLUMNS), kind="stable").itertuples():
                h.update(f"{row.kind}|{row.key}|{row.name_uk}|{row.name_en}".encode())
                _hash_geometry(h, row.geometry)
        return cls(
            date=date,
            taken_at=taken_at.astimezone(dt.UTC),
            source=source,
            source_ref=source_ref,
            layers=clean,
            points=pts,
            content_hash=h.hexdigest(),
            notes=tuple(notes_out),
        )

    @property
    def occupied(self) -> BaseGeometry:
        """Union of the occupied kinds (EPSG:4326, unclipped)."""
        return union_occupied([self.layers[k] for k in OCCUPIED_KINDS if k in self.layers])

    @property
    def polygon_hash(self) -> str:
        """sha256 of the occupied territory only (what the measures depend on)."""
        h = hashlib.sha256()
        _hash_geometry(h, self.occupied)
        return h.hexdigest()
