"""Measures of one snapshot: occupied area and share, grey zone, line length, oblasts.

Areas are measured in the equal-area EPSG:6933 after clipping to Ukraine's land
(Natural Earth 1:10m, German point of view, see
:func:`garant.sources.geography.ukraine`). The occupied *share* is taken of the
official area of Ukraine, :data:`UKRAINE_OFFICIAL_AREA_KM2` = 603,628 km², as
DeepState does; Natural Earth's land polygon measures about 599,100 km², so a
share of Natural Earth's land would read about 0.14 percentage points higher.
DeepState's own polygons reach about 1-3 km beyond Natural Earth's coast and
border (the Syvash, the Azov shore); clipping removes about 1,800 km² of them,
about 0.3 points of the share.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from types import ModuleType
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj
import shapely
from shapely.geometry.base import BaseGeometry

from garant.errors import DataError
from garant.frontline.line import (
    _TO_METRIC,
    LINE_MIN_PIECE_KM,
    LINE_TOLERANCE_KM,
    ContactLineBuilder,
    line_length_km,
)
from garant.model import OCCUPIED_KINDS, union_occupied
from garant.sources.geography import UKRAINE_OFFICIAL_AREA_KM2

__all__ = [
    "UKRAINE_OFFICIAL_AREA_KM2",
    "FrontlineGeography",
    "area_km2",
    "areas_km2",
    "clip_to",
    "clip_to_each",
    "measure_snapshot",
    "oblast_areas",
    "oblast_delta_km2",
    "occupied_of",
]

_TO_EQUAL_AREA = pyproj.Transformer.from_crs(4326, 6933, always_xy=True)


def _equal_area(geom: BaseGeometry) -> BaseGeometry:
    def _f(c: np.ndarray) -> np.ndarray:
        x, y = _TO_EQUAL_AREA.transform(c[:, 0], c[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geom, _f)


def area_km2(geom: BaseGeometry | None) -> float:
    """Area of a (multi)polygon in km², measured in EPSG:6933.

    Parameters
    ----------
    geom : BaseGeometry or None
        Geometry in EPSG:4326; None or empty gives 0.

    Returns
    -------
    float
        Area in km².
    """
    if geom is None or geom.is_empty:
        return 0.0
    return float(_equal_area(geom).area) / 1e6


def areas_km2(geoms: np.ndarray) -> np.ndarray:
    """Area of each geometry in km² (EPSG:6933), vectorised.

    Parameters
    ----------
    geoms : numpy.ndarray
        Object array of geometries in EPSG:4326.

    Returns
    -------
    numpy.ndarray
        Areas in km².
    """
    if len(geoms) == 0:
        return np.zeros(0)
    return np.asarray(shapely.area(_equal_area_array(geoms)), dtype=float) / 1e6


def _equal_area_array(geoms: np.ndarray) -> np.ndarray:
    def _f(c: np.ndarray) -> np.ndarray:
        x, y = _TO_EQUAL_AREA.transform(c[:, 0], c[:, 1])
        return np.column_stack([x, y])

    return np.asarray(shapely.transform(np.asarray(geoms, dtype=object), _f), dtype=object)


def occupied_of(layers: Mapping[str, BaseGeometry]) -> BaseGeometry:
    """Union of the occupied layer kinds (``occupied``, ``occupied_pre2022``), unclipped.

    Parameters
    ----------
    layers : Mapping[str, BaseGeometry]
        Layer kind -> (Multi)Polygon, EPSG:4326.

    Returns
    -------
    BaseGeometry

    Raises
    ------
    DataError
        If no occupied kind is present.
    """
    parts = [layers[k] for k in OCCUPIED_KINDS if k in layers and not layers[k].is_empty]
    if not parts:
        raise DataError(f"snapshot layers {sorted(layers)}: no occupied territory")
    return union_occupied(parts)


@dataclass(frozen=True, eq=False)
class FrontlineGeography:
    """The fixed geography the frontline measures need, with cached helpers.

    Build it with :meth:`load` (the bundled data) or directly (tests use
    synthetic squares). Everything is EPSG:4326.

    Attributes
    ----------
    ukraine : BaseGeometry
        Ukraine's land (Natural Earth): the mask of the line of contact and of
        the oblasts.
    territory : BaseGeometry, optional
        The clip mask of areas and changes: Ukraine's territory including inland
        waters, lagoons (the Syvash) and the coastal strip (the union of the
        oblasts with their waters). This is how DeepState measures: its polygons
        cover the Syvash and the Azov shore, about 1,750 km² that Natural Earth's
        land leaves out. None: ``ukraine``.
    boundary : geopandas.GeoDataFrame
        Ukraine's outer boundary (borders and coast), lines; may be empty, then
        the boundary of ``ukraine`` is used.
    oblasts : geopandas.GeoDataFrame
        Columns ``iso``, ``name``, ``area_km2`` (land area) and ``geometry``,
        partitioning ``ukraine``.
    settlements : geopandas.GeoDataFrame
        Columns ``name``, ``population``, ``geometry`` (points).
    line_tolerance_km, line_min_piece_km : float
        See :func:`garant.frontline.line.line_of_contact`.
    settlement_min_population : int
        Prefer settlements at least this large ...
    settlement_max_km : float
        ... when one lies within this distance, km; else take the nearest.
    """

    ukraine: BaseGeometry
    boundary: gpd.GeoDataFrame
    oblasts: gpd.GeoDataFrame
    settlements: gpd.GeoDataFrame
    territory: BaseGeometry | None = None
    line_tolerance_km: float = LINE_TOLERANCE_KM
    line_min_piece_km: float = LINE_MIN_PIECE_KM
    settlement_min_population: int = 1000
    settlement_max_km: float = 15.0

    @classmethod
    def load(cls, **kwargs: Any) -> FrontlineGeography:
        """Build from the bundled geography (:mod:`garant.sources.geography`).

        Parameters
        ----------
        **kwargs
            Overrides for the tolerance and settlement attributes.

        Returns
        -------
        FrontlineGeography
        """
        from garant.sources import geography as geo

        return cls(
            ukraine=geo.ukraine(),
            territory=geo.ukraine_territory(),
            boundary=geo.ukraine_boundary(),
            oblasts=geo.oblasts(land_only=True),
            settlements=geo.settlements(min_population=0),
            **kwargs,
        )

    @classmethod
    def coerce(cls, geography: object | None) -> FrontlineGeography:
        """Return ``geography`` if it is one, else the bundled one (built once).

        Parameters
        ----------
        geography : FrontlineGeography, module or None
            None or the module :mod:`garant.sources.geography` give the bundled
            geography (cached for the process).

        Returns
        -------
        FrontlineGeography
        """
        if isinstance(geography, FrontlineGeography):
            return geography
        return _default_geography()

    # -- cached helpers ---------------------------------------------------------------

    @cached_property
    def ukraine_prepared(self) -> BaseGeometry:
        """``ukraine``, prepared for fast predicates (a copy)."""
        g = shapely.from_wkb(shapely.to_wkb(self.ukraine))
        shapely.prepare(g)
        return g

    @cached_property
    def territory_prepared(self) -> BaseGeometry:
        """``territory`` (else ``ukraine``), prepared for fast predicates (a copy)."""
        if self.territory is None:
            return self.ukraine_prepared
        g = shapely.from_wkb(shapely.to_wkb(self.territory))
        shapely.prepare(g)
        return g

    @cached_property
    def line_builder(self) -> ContactLineBuilder:
        """A :class:`~garant.frontline.line.ContactLineBuilder` for this geography."""
        return ContactLineBuilder(
            self.ukraine,
            self.boundary if len(self.boundary) else None,
            tolerance_km=self.line_tolerance_km,
            min_piece_km=self.line_min_piece_km,
        )

    @cached_property
    def oblast_geoms(self) -> np.ndarray:
        """Oblast geometries (prepared copies), in ``oblasts`` row order."""
        geoms = shapely.from_wkb(shapely.to_wkb(self.oblasts.geometry.to_numpy()))
        shapely.prepare(geoms)
        return np.asarray(geoms, dtype=object)

    @cached_property
    def oblast_tree(self) -> shapely.STRtree:
        """STRtree over :attr:`oblast_geoms`."""
        return shapely.STRtree(self.oblast_geoms)

    @cached_property
    def oblast_area_km2(self) -> np.ndarray:
        """Land area of each oblast, km² (the ``area_km2`` column, else measured)."""
        if "area_km2" in self.oblasts.columns:
            return self.oblasts["area_km2"].to_numpy(dtype=float)
        return areas_km2(self.oblasts.geometry.to_numpy())

    @cached_property
    def _settlement_index(self) -> tuple[shapely.STRtree, np.ndarray, shapely.STRtree, np.ndarray]:
        pts = self.settlements
        if len(pts) == 0:
            raise DataError("frontline geography: no settlements to name changes after")
        xy = shapely.get_coordinates(pts.geometry.to_numpy())
        x, y = _TO_METRIC.transform(xy[:, 0], xy[:, 1])
        metric = np.asarray(shapely.points(np.column_stack([x, y])), dtype=object)
        big = np.flatnonzero(pts["population"].to_numpy() >= self.settlement_min_population)
        all_idx = np.arange(len(pts))
        return shapely.STRtree(metric[big]), big, shapely.STRtree(metric), all_idx

    def nearest_settlement(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Name each point after a settlement.

        A settlement with at least :attr:`settlement_min_population` inhabitants
        within :attr:`settlement_max_km` wins; otherwise the nearest of any size.

        Parameters
        ----------
        lon, lat : numpy.ndarray
            Points in EPSG:4326 degrees.

        Returns
        -------
        names : numpy.ndarray
            Object array of settlement names.
        distance_km : numpy.ndarray
            Distance to it, km (in :data:`~garant.frontline.line.METRIC_CRS`).
        """
        lon = np.atleast_1d(np.asarray(lon, dtype=float))
        lat = np.atleast_1d(np.asarray(lat, dtype=float))
        n = len(lon)
        names = np.empty(n, dtype=object)
        dist = np.full(n, np.nan)
        if n == 0:
            return names, dist
        big_tree, big_idx, all_tree, _ = self._settlement_index
        x, y = _TO_METRIC.transform(lon, lat)
        q = np.asarray(shapely.points(np.column_stack([x, y])), dtype=object)
        chosen = np.full(n, -1)
        if len(big_idx):
            (qi, ti), d = big_tree.query_nearest(
                q,
                max_distance=self.settlement_max_km * 1000.0,
                return_distance=True,
                all_matches=False,
            )
            chosen[qi] = big_idx[ti]
            dist[qi] = d / 1000.0
        rest = np.flatnonzero(chosen < 0)
        if len(rest):
            (qi, ti), d = all_tree.query_nearest(q[rest], return_distance=True, all_matches=False)
            chosen[rest[qi]] = ti
            dist[rest[qi]] = d / 1000.0
        names[:] = self.settlements["name"].to_numpy()[chosen]
        return names, dist


@functools.cache
def _default_geography() -> FrontlineGeography:
    return FrontlineGeography.load()


def measure_snapshot(
    snapshot_layers: Mapping[str, BaseGeometry],
    *,
    geography: FrontlineGeography | ModuleType | None = None,
) -> dict[str, Any]:
    """Measure one snapshot.

    Parameters
    ----------
    snapshot_layers : Mapping[str, BaseGeometry]
        Layer kind -> (Multi)Polygon in EPSG:4326 (a :attr:`Snapshot.layers`).
        ``occupied`` and/or ``occupied_pre2022`` are required; ``grey_zone`` and
        ``liberated`` are optional.
    geography : FrontlineGeography
        Ukraine, its boundary and oblasts (None: the bundled geography).

    Returns
    -------
    dict
        ``occupied_km2`` (union of the occupied kinds ∩ Ukraine's territory incl.
        inland waters, see :attr:`FrontlineGeography.territory`; EPSG:6933),
        ``occupied_pct`` (of the official 603,628 km², see
        :data:`UKRAINE_OFFICIAL_AREA_KM2`), ``grey_zone_km2`` (grey zone ∩ land,
        minus occupied; None without a grey-zone layer), ``liberated_km2``
        (liberated ∩ land, minus occupied; None without that layer), ``line_km``
        (geodesic length of the line of contact) and ``line`` (the line itself,
        MultiLineString EPSG:4326).
    """
    geography = FrontlineGeography.coerce(geography)
    occ = occupied_of(snapshot_layers)
    land = geography.territory_prepared
    clipped = shapely.intersection(occ, land)
    occupied_km2 = area_km2(clipped)
    out: dict[str, Any] = {
        "occupied_km2": occupied_km2,
        "occupied_pct": occupied_km2 / UKRAINE_OFFICIAL_AREA_KM2 * 100.0,
        "grey_zone_km2": None,
        "liberated_km2": None,
    }
    for kind, key in (("grey_zone", "grey_zone_km2"), ("liberated", "liberated_km2")):
        if kind in snapshot_layers:
            g = shapely.difference(shapely.intersection(snapshot_layers[kind], land), occ)
            out[key] = area_km2(g)
    line = geography.line_builder(occ)
    out["line"] = line
    out["line_km"] = line_length_km(line)
    return out


def oblast_areas(occupied: BaseGeometry, oblasts: gpd.GeoDataFrame) -> pd.DataFrame:
    """Occupied area per oblast.

    Parameters
    ----------
    occupied : BaseGeometry
        Occupied territory, EPSG:4326 (need not be clipped: oblasts are land).
    oblasts : geopandas.GeoDataFrame
        Columns ``iso``, ``name``, ``geometry`` and optionally ``area_km2`` (the
        oblast's land area, else measured in EPSG:6933).

    Returns
    -------
    pandas.DataFrame
        Columns ``oblast_iso``, ``oblast_name``, ``occupied_km2`` (EPSG:6933) and
        ``occupied_pct`` (of the oblast's land area), one row per oblast, in the
        order of ``oblasts``.
    """
    geoms = oblasts.to_crs(4326).geometry.to_numpy() if oblasts.crs else oblasts.geometry.to_numpy()
    if "area_km2" in oblasts.columns:
        total = oblasts["area_km2"].to_numpy(dtype=float)
    else:
        total = areas_km2(geoms)
    occ_km2 = np.zeros(len(geoms))
    if occupied is not None and not occupied.is_empty:
        hit = np.flatnonzero(shapely.intersects(geoms, occupied))
        if len(hit):
            occ_km2[hit] = areas_km2(shapely.intersection(geoms[hit], occupied))
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(total > 0, occ_km2 / total * 100.0, 0.0)
    return pd.DataFrame(
        {
            "oblast_iso": oblasts["iso"].to_numpy(),
            "oblast_name": oblasts["name"].to_numpy(),
            "occupied_km2": occ_km2,
            "occupied_pct": pct,
        }
    )


def oblast_delta_km2(
    parts: np.ndarray, parts_km2: np.ndarray, geography: FrontlineGeography
) -> np.ndarray:
    """Area of some polygons in each oblast, for incremental oblast measures.

    A part that lies inside one oblast (the common case for a day's changes)
    counts whole, without an overlay; only parts that straddle an oblast border
    are intersected.

    Parameters
    ----------
    parts : numpy.ndarray
        Polygons clipped to Ukraine's land, EPSG:4326.
    parts_km2 : numpy.ndarray
        Their areas, km² (EPSG:6933).
    geography : FrontlineGeography

    Returns
    -------
    numpy.ndarray
        km² per oblast, in ``geography.oblasts`` row order.
    """
    out = np.zeros(len(geography.oblasts))
    if len(parts) == 0:
        return out
    pi, oi = geography.oblast_tree.query(parts)
    if len(pi) == 0:
        return out
    obl = geography.oblast_geoms
    whole = np.asarray(shapely.contains(obl[oi], parts[pi]), dtype=bool)
    np.add.at(out, oi[whole], parts_km2[pi[whole]])
    done = np.zeros(len(parts), dtype=bool)
    done[pi[whole]] = True
    rest = ~done[pi]
    if rest.any():
        cut = clip_to_each(parts[pi[rest]], obl[oi[rest]])
        np.add.at(out, oi[rest], areas_km2(cut))
    return out


def clip_to_each(small: np.ndarray, big: np.ndarray | BaseGeometry) -> np.ndarray:
    """:func:`clip_to` for arrays: ``small[i] ∩ big[i]`` (one ``big`` for all allowed).

    Parameters
    ----------
    small : numpy.ndarray
        Object array of small polygonal geometries.
    big : numpy.ndarray or BaseGeometry
        As many big polygonal geometries (same CRS), or one for all.

    Returns
    -------
    numpy.ndarray
        Object array, element by element what :func:`clip_to` returns.
    """
    small = np.asarray(small, dtype=object)
    if len(small) == 0:
        return np.zeros(0, dtype=object)
    big_arr = np.empty(len(small), dtype=object)
    big_arr[:] = big if isinstance(big, BaseGeometry) else list(big)
    out = np.empty(len(small), dtype=object)
    empty = np.asarray(shapely.is_empty(small) | shapely.is_empty(big_arr), dtype=bool)
    out[empty] = [shapely.Polygon() for _ in range(int(empty.sum()))]
    go = np.flatnonzero(~empty)
    if len(go) == 0:
        return out
    sm, bg = small[go], big_arr[go]
    b = shapely.bounds(sm)
    x0, y0, x1, y1 = b[:, 0], b[:, 1], b[:, 2], b[:, 3]
    pad = 1e-6 + 1e-3 * np.maximum(x1 - x0, y1 - y0)
    # shapely.clip_by_rect takes scalar bounds only; its ufunc takes arrays.
    local = shapely.lib.clip_by_rect(bg, x0 - pad, y0 - pad, x1 + pad, y1 + pad)
    valid = np.asarray(shapely.is_valid(local), dtype=bool)
    out[go] = shapely.intersection(sm, np.where(valid, local, bg))
    return out


def clip_to(small: BaseGeometry, big: BaseGeometry) -> BaseGeometry:
    """``small ∩ big`` for a small geometry and a big one, fast.

    ``big`` is first cut to the bounding box of ``small`` (a linear-time
    rectangle clip), so the overlay only sees the nearby part of ``big``.

    Parameters
    ----------
    small, big : BaseGeometry
        Polygonal geometries in the same CRS.

    Returns
    -------
    BaseGeometry
    """
    if small.is_empty or big.is_empty:
        return shapely.Polygon()
    x0, y0, x1, y1 = small.bounds
    pad = 1e-6 + 1e-3 * max(x1 - x0, y1 - y0)
    local = shapely.clip_by_rect(big, x0 - pad, y0 - pad, x1 + pad, y1 + pad)
    if not local.is_valid:
        return shapely.intersection(small, big)
    return shapely.intersection(small, local)
