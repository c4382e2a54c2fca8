"""The frontline engine: derive measures, lines and changes for a store, incrementally.

:func:`update_frontline` is the only frontline code that talks to the store. It
finds the snapshots that need work (no measures yet, or a timeline neighbour
that changed), walks the timeline in date order and writes everything with one
:meth:`~garant.store.Store.replace_derived` call (one transaction).

Most days change a few places or nothing, so the work per snapshot follows the
difference from the previous timeline snapshot:

* identical occupied territory (same ``polygon_hash``): the previous measures,
  oblast areas and line are reused, with no geometry work at all;
* otherwise the gained and lost polygons are computed in windows around the
  changed boundary (:func:`~garant.frontline.changes.split_change_parts`), and
  ``occupied_km2(t) = occupied_km2(t−1) + Σ gained − Σ lost``, per oblast too
  (a change inside one oblast counts whole, without an overlay); only the line
  of contact is recomputed from the new geometry.

The first snapshot of the timeline and snapshots off the timeline are measured
in full (:func:`~garant.frontline.measures.measure_snapshot`).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiLineString
from shapely.geometry.base import BaseGeometry

from garant.frontline.changes import annotate_changes, clip_parts, split_change_parts
from garant.frontline.measures import (
    UKRAINE_OFFICIAL_AREA_KM2,
    FrontlineGeography,
    area_km2,
    areas_km2,
    measure_snapshot,
    oblast_areas,
    oblast_delta_km2,
    occupied_of,
)
from garant.frontline.sectors import Sectors, load_sectors

if TYPE_CHECKING:
    from garant.store import Store

__all__ = ["UpdateResult", "update_frontline"]

logger = logging.getLogger(__name__)

#: Sources whose snapshots hold only the occupied layers (no grey zone, no
#: liberated): their geometry comes from ``load_occupied`` alone.
_OCCUPIED_ONLY_SOURCES = frozenset({"archive"})
_CHUNK = 64  # geometries loaded per store query


@dataclass(frozen=True)
class UpdateResult:
    """What :func:`update_frontline` did.

    Attributes
    ----------
    snapshot_ids : tuple of int
        Snapshots whose derived rows were written, ascending.
    computed : int
        Snapshots that needed geometry work (a changed or first geometry).
    reused : int
        Timeline snapshots identical to their predecessor (measures copied).
    changes : int
        Change polygons written.
    full : bool
        Whether everything was recomputed.
    elapsed_s : float
        Wall time, seconds.
    """

    snapshot_ids: tuple[int, ...] = ()
    computed: int = 0
    reused: int = 0
    changes: int = 0
    full: bool = False
    elapsed_s: float = 0.0

    @property
    def updated(self) -> int:
        """Number of snapshots written."""
        return len(self.snapshot_ids)

    def summary(self) -> str:
        """One line for the user."""
        if not self.snapshot_ids:
            return "frontline: up to date"
        return (
            f"frontline: {self.updated} snapshots updated ({self.computed} computed, "
            f"{self.reused} unchanged), {self.changes} changes, {self.elapsed_s:.2f} s"
        )


@dataclass
class _State:
    """What the next timeline snapshot needs from its predecessor."""

    snapshot_id: int
    polygon_hash: str
    occupied_km2: float
    oblast_km2: np.ndarray
    line: BaseGeometry
    line_km: float


class _GeometryCache:
    """Occupied geometries: given ones, else loaded from the store in chunks, in order."""

    def __init__(
        self, store: Store, order: list[int], known: Mapping[int, BaseGeometry] | None = None
    ) -> None:
        self._store = store
        self._known: Mapping[int, BaseGeometry] = known if known is not None else {}
        self._order = [s for s in dict.fromkeys(order) if s not in self._known]
        self._pos = {sid: i for i, sid in enumerate(self._order)}
        self._cache: dict[int, BaseGeometry] = {}

    def get(self, sid: int) -> BaseGeometry:
        geom = self._known.get(sid)
        if geom is not None:
            return geom
        if sid not in self._cache:
            i = self._pos.get(sid)
            want = [sid] if i is None else self._order[i : i + _CHUNK]
            want = [s for s in want if s not in self._cache]
            self._cache.update(self._store.load_occupied(want))
            if i is not None:  # forget what lies well behind
                for old in [s for s in self._cache if self._pos.get(s, i) < i - 1]:
                    del self._cache[old]
        return self._cache[sid]


def _full_state(
    sid: int, phash: str, layers: dict[str, BaseGeometry], geography: FrontlineGeography
) -> tuple[_State, dict[str, Any]]:
    m = measure_snapshot(layers, geography=geography)
    obl = oblast_areas(occupied_of(layers), geography.oblasts)["occupied_km2"].to_numpy(dtype=float)
    state = _State(sid, phash, m["occupied_km2"], obl, m["line"], m["line_km"])
    return state, m


def _extra_areas(layers: dict[str, BaseGeometry], geography: FrontlineGeography) -> dict[str, Any]:
    """Grey-zone and liberated areas (None where the layer is absent)."""
    occ = occupied_of(layers)
    out: dict[str, Any] = {"grey_zone_km2": None, "liberated_km2": None}
    land = geography.territory_prepared
    for kind, key in (("grey_zone", "grey_zone_km2"), ("liberated", "liberated_km2")):
        if kind in layers:
            out[key] = area_km2(shapely.difference(shapely.intersection(layers[kind], land), occ))
    return out


def _stored_state(
    store: Store, sid: int, phash: str, occupied_km2: float, line_km: float, isos: np.ndarray
) -> _State:
    """Rebuild a predecessor's state from its stored derived rows."""
    ob = store.oblast_measures(sid)
    km2 = dict(zip(ob["oblast_iso"], ob["occupied_km2"].to_numpy(dtype=float), strict=True))
    obl = np.array([km2.get(iso, 0.0) for iso in isos], dtype=float)
    lines = store.lines([sid])
    line = lines.geometry.iloc[0] if len(lines) else None
    if line is None:
        line = MultiLineString()
    return _State(sid, phash, occupied_km2, obl, line, line_km)


def update_frontline(
    store: Store,
    *,
    geography: FrontlineGeography | ModuleType | None = None,
    sectors: Sectors | None = None,
    progress: Callable[[int], None] | None = None,
    full: bool = False,
    min_change_km2: float = 0.01,
    occupied: Mapping[int, BaseGeometry] | None = None,
) -> UpdateResult:
    """Compute measures, oblast areas, lines and changes the store lacks.

    Parameters
    ----------
    store : Store
        An open, writable store.
    geography : FrontlineGeography, optional
        Defaults to :meth:`FrontlineGeography.load` (the bundled geography).
    sectors : Sectors, optional
        Defaults to the bundled catalogue (:func:`load_sectors`).
    progress : callable, optional
        Called with 1 after each snapshot processed.
    full : bool
        Recompute every snapshot (after changing the geography or the sectors).
    min_change_km2 : float
        Change polygons smaller than this are not stored, km² (they still count
        in ``gained_km2`` / ``lost_km2``, so that ``net_km2`` equals the change of
        ``occupied_km2``).
    occupied : Mapping, optional
        Snapshot id -> occupied territory (EPSG:4326, as
        :meth:`~garant.store.Store.load_occupied` returns it) of snapshots the
        caller already holds, typically those just added (see the ``occupied``
        argument of :meth:`~garant.store.DuckDBStore.add_snapshots`); they are
        not read back from the store. Other snapshots are read from the store.

    Returns
    -------
    UpdateResult

    Notes
    -----
    Work is needed for snapshots without measures, timeline snapshots whose
    predecessor changed (a day inserted before them, a new revision or source),
    and snapshots that left the timeline. Measures of timeline snapshots carry
    ``prev_snapshot_id``, ``gap_days`` and ``gained_km2``/``lost_km2``/``net_km2``
    from the previous timeline snapshot (the first has none); snapshots off the
    timeline carry none of them and have no changes. ``occupied_pct`` is of the
    official area of Ukraine, 603,628 km².
    """
    t0 = time.perf_counter()
    geography = FrontlineGeography.coerce(geography)
    sectors = sectors if sectors is not None else load_sectors()
    snaps = store.snapshots()
    if snaps.empty:
        return UpdateResult(full=full, elapsed_s=time.perf_counter() - t0)
    ids_all = [int(v) for v in snaps["snapshot_id"]]
    date_of = {i: _date(d) for i, d in zip(ids_all, snaps["date"], strict=True)}
    source_of = {i: str(v) for i, v in zip(ids_all, snaps["source"], strict=True)}
    phash = {i: str(v) for i, v in zip(ids_all, snaps["polygon_hash"], strict=True)}
    tl = store.timeline()
    tl_ids = [int(s) for s in tl["snapshot_id"]]
    prev_of: dict[int, int | None] = {
        sid: (tl_ids[i - 1] if i else None) for i, sid in enumerate(tl_ids)
    }
    on_tl = set(tl_ids)

    stored = store.measures()
    # Plain dicts: per-row pandas lookups would dominate a one-day update.
    st_ids = [int(v) for v in stored["snapshot_id"]]
    st_prev = {
        i: (None if pd.isna(p) else int(p))
        for i, p in zip(st_ids, stored["prev_snapshot_id"].to_numpy(dtype=float), strict=True)
    }
    st_on = dict(zip(st_ids, stored["on_timeline"].astype(bool).to_numpy(), strict=True))
    st_km2 = dict(zip(st_ids, stored["occupied_km2"].to_numpy(dtype=float), strict=True))
    st_line = dict(zip(st_ids, stored["line_km"].to_numpy(dtype=float), strict=True))
    if full:
        dirty = set(ids_all)
    else:
        dirty = set(store.snapshots_without_measures())
        for sid in tl_ids:
            if sid in dirty or sid not in st_on:
                continue
            if not st_on[sid] or st_prev[sid] != prev_of[sid]:
                dirty.add(sid)
        dirty |= {sid for sid, on in st_on.items() if on and sid not in on_tl}
    if not dirty:
        return UpdateResult(full=full, elapsed_s=time.perf_counter() - t0)

    isos = geography.oblasts["iso"].to_numpy()
    tl_dirty = [sid for sid in tl_ids if sid in dirty]
    off_dirty = sorted(dirty - on_tl, key=lambda s: (date_of[s], s))
    # Geometries needed, in processing order (identical neighbours need none).
    need: list[int] = []
    for sid in tl_dirty:
        p = prev_of[sid]
        if p is None:
            need.append(sid)
        elif phash[p] != phash[sid]:
            need.extend([p, sid])
    need.extend(off_dirty)
    geoms = _GeometryCache(store, need, occupied)

    measures: list[dict[str, Any]] = []
    oblast_rows: list[tuple[int, np.ndarray]] = []
    line_rows: list[tuple[int, float, BaseGeometry]] = []
    changes = _ChangeBuffer()
    states: dict[int, _State] = {}
    computed = reused = 0

    def layers_of(sid: int) -> dict[str, BaseGeometry]:
        if source_of[sid] in _OCCUPIED_ONLY_SOURCES:
            return {"occupied": geoms.get(sid)}
        return dict(store.load_snapshot(sid).layers)

    def base_row(sid: int, on_timeline: bool) -> dict[str, Any]:
        return {
            "snapshot_id": sid,
            "date": date_of[sid],
            "source": source_of[sid],
            "on_timeline": on_timeline,
            "prev_snapshot_id": None,
            "gap_days": None,
            "gained_km2": None,
            "lost_km2": None,
            "net_km2": None,
            "grey_zone_km2": None,
            "liberated_km2": None,
        }

    def emit(sid: int, state: _State, row: dict[str, Any]) -> None:
        row["occupied_km2"] = state.occupied_km2
        row["occupied_pct"] = state.occupied_km2 / UKRAINE_OFFICIAL_AREA_KM2 * 100.0
        row["line_km"] = state.line_km
        measures.append(row)
        oblast_rows.append((sid, state.oblast_km2))
        line_rows.append((sid, state.line_km, state.line))
        if progress is not None:
            progress(1)

    for sid in tl_dirty:
        p = prev_of[sid]
        row = base_row(sid, True)
        extra = source_of[sid] not in _OCCUPIED_ONLY_SOURCES
        if p is None:
            state, m = _full_state(sid, phash[sid], layers_of(sid), geography)
            row.update(grey_zone_km2=m["grey_zone_km2"], liberated_km2=m["liberated_km2"])
            computed += 1
        else:
            prev = states.get(p) or _stored_state(store, p, phash[p], st_km2[p], st_line[p], isos)
            row.update(
                prev_snapshot_id=p,
                gap_days=(date_of[sid] - date_of[p]).days,
            )
            if phash[p] == phash[sid]:
                state = _State(
                    sid, phash[sid], prev.occupied_km2, prev.oblast_km2, prev.line, prev.line_km
                )
                row.update(gained_km2=0.0, lost_km2=0.0, net_km2=0.0)
                reused += 1
            else:
                before, after = geoms.get(p), geoms.get(sid)
                gained, lost = split_change_parts(before, after)
                gp, lp = clip_parts(gained, geography), clip_parts(lost, geography)
                ga, la = areas_km2(gp), areas_km2(lp)
                g_km2, l_km2 = float(ga.sum()), float(la.sum())
                obl = (
                    prev.oblast_km2
                    + oblast_delta_km2(gp, ga, geography)
                    - oblast_delta_km2(lp, la, geography)
                )
                line, line_km = geography.line_builder.line_and_length(after)
                state = _State(
                    sid,
                    phash[sid],
                    max(prev.occupied_km2 + g_km2 - l_km2, 0.0),
                    np.maximum(obl, 0.0),
                    line,
                    line_km,
                )
                row.update(gained_km2=g_km2, lost_km2=l_km2, net_km2=g_km2 - l_km2)
                changes.add(p, sid, date_of[p], date_of[sid], gp, ga, lp, la, min_change_km2)
                computed += 1
            if extra:
                row.update(_extra_areas(layers_of(sid), geography))
        states[sid] = state
        if p is not None:
            states.pop(p, None)
        emit(sid, state, row)

    for sid in off_dirty:
        state, m = _full_state(sid, phash[sid], layers_of(sid), geography)
        row = base_row(sid, False)
        row.update(grey_zone_km2=m["grey_zone_km2"], liberated_km2=m["liberated_km2"])
        computed += 1
        emit(sid, state, row)

    measures_df, oblast_df, lines_gdf = _frames(measures, oblast_rows, line_rows, geography)
    changes_gdf = changes.frame(geography, sectors)
    store.replace_derived(
        measures_df,
        oblast_df,
        lines_gdf,
        changes_gdf,
        snapshot_ids=None if full else sorted(dirty),
    )
    result = UpdateResult(
        snapshot_ids=tuple(sorted(dirty)),
        computed=computed,
        reused=reused,
        changes=len(changes_gdf),
        full=full,
        elapsed_s=time.perf_counter() - t0,
    )
    logger.info(result.summary())
    return result


def _frames(
    measures: list[dict[str, Any]],
    oblast_rows: list[tuple[int, np.ndarray]],
    line_rows: list[tuple[int, float, BaseGeometry]],
    geography: FrontlineGeography,
) -> tuple[pd.DataFrame, pd.DataFrame, gpd.GeoDataFrame]:
    from garant.store.schema import MEASURES_COLUMNS

    measures_df = pd.DataFrame(measures, columns=list(MEASURES_COLUMNS))
    n_obl = len(geography.oblasts)
    ids = np.array([r[0] for r in oblast_rows], dtype=np.int64)
    km2 = np.concatenate([r[1] for r in oblast_rows]) if oblast_rows else np.zeros(0, dtype=float)
    total = np.tile(geography.oblast_area_km2, len(oblast_rows))
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(total > 0, km2 / total * 100.0, 0.0)
    oblast_df = pd.DataFrame(
        {
            "snapshot_id": np.repeat(ids, n_obl),
            "oblast_iso": np.tile(geography.oblasts["iso"].to_numpy(), len(oblast_rows)),
            "oblast_name": np.tile(geography.oblasts["name"].to_numpy(), len(oblast_rows)),
            "occupied_km2": km2,
            "occupied_pct": pct,
        }
    )
    lines_gdf = gpd.GeoDataFrame(
        {
            "snapshot_id": [r[0] for r in line_rows],
            "length_km": [r[1] for r in line_rows],
        },
        geometry=gpd.GeoSeries([r[2] for r in line_rows], crs=4326),
        crs=4326,
    )
    return measures_df, oblast_df, lines_gdf


class _ChangeBuffer:
    """Collects change polygons along the timeline; annotated in one batch."""

    def __init__(self) -> None:
        self.cols: dict[str, list[Any]] = {
            k: [] for k in ("from_snapshot_id", "to_snapshot_id", "from_date", "to_date")
        }
        self.kinds: list[np.ndarray] = []
        self.areas: list[np.ndarray] = []
        self.geoms: list[np.ndarray] = []

    def add(
        self,
        p: int,
        sid: int,
        p_date: dt.date,
        date: dt.date,
        gp: np.ndarray,
        ga: np.ndarray,
        lp: np.ndarray,
        la: np.ndarray,
        min_km2: float,
    ) -> None:
        for kind, parts, area in (("gained", gp, ga), ("lost", lp, la)):
            keep = area >= min_km2
            if not keep.any():
                continue
            order = np.argsort(-area[keep], kind="stable")
            n = int(keep.sum())
            self.kinds.append(np.full(n, kind, dtype=object))
            self.areas.append(area[keep][order])
            self.geoms.append(parts[keep][order])
            for k, v in (
                ("from_snapshot_id", p),
                ("to_snapshot_id", sid),
                ("from_date", p_date),
                ("to_date", date),
            ):
                self.cols[k].extend([v] * n)

    def frame(self, geography: FrontlineGeography, sectors: Sectors) -> gpd.GeoDataFrame:
        if self.geoms:
            kinds = np.concatenate(self.kinds)
            areas = np.concatenate(self.areas)
            geoms = np.concatenate(self.geoms)
        else:
            kinds, areas, geoms = (
                np.zeros(0, dtype=object),
                np.zeros(0),
                np.zeros(0, dtype=object),
            )
        out = annotate_changes(kinds, areas, geoms, geography=geography, sectors=sectors)
        for i, (k, v) in enumerate(self.cols.items()):
            out.insert(i, k, v)
        return out


def _date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else pd.Timestamp(value).date()
