"""Coverage of assets and zones by air-defence units, on an H3 grid.

A **unit** (a placed defence) covers a point against a threat class when the point lies
within the unit's engagement range for that class; units that do not shoot (ISR aircraft,
AWACS) cover nothing for engagement but count for **detection** within their detection
range. Coverage is computed

* for assets (:func:`unit_coverage`, :func:`asset_coverage`): which units cover which asset,
  with the distance;
* for a zone (:func:`zone_coverage`) on an H3 grid (:func:`hex_grid`): covered cells, area
  and population and their shares, each unit's contribution and the **redundancy** (number
  of units covering each cell).

Conventions
-----------
* Distances are **geodesic** on the WGS84 ellipsoid (``pyproj.Geod``), everywhere in this
  module; a unit covers a cell when the cell's centre is within range (the centre
  criterion: at resolution 6, cells are ~35 km² with ~3.7 km edges).
* Cell areas are H3's exact spherical areas (``h3.cell_area``, km²); they agree with the
  equal-area EPSG:6933 measure of the straight-edged cell polygons to within 0.4 %
  (EPSG:6933 is ~0.3 % larger over Ukraine).
* Population comes from the bundled GeoNames settlements (points), each assigned to the
  cell that contains it (``h3.latlng_to_cell``); a settlement inside the zone whose cell
  centre falls outside the zone is moved to the nearest cell of the grid.
* The core works on plain numbers (:class:`Unit`); :func:`units_from_catalog` builds units
  from the catalogue's defences.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import geopandas as gpd
import h3
import numpy as np
import pandas as pd
import shapely
from numpy.typing import NDArray
from pyproj import Geod
from shapely.geometry import LineString, MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from garant.air.classes import THREAT_CLASSES
from garant.errors import ConfigError, DataError, NotFoundError
from garant.sources import geography

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from garant.air.catalog import Catalog

__all__ = [
    "DNIPRO_COURSE",
    "ZONE_NAMES",
    "CoverageResult",
    "Unit",
    "asset_coverage",
    "cell_population",
    "coverage_map",
    "hex_grid",
    "named_zone",
    "unit_coverage",
    "units_from_catalog",
    "zone_coverage",
    "zone_west_of_dnipro",
]

logger = logging.getLogger(__name__)

_GEOD = Geod(ellps="WGS84")
#: Cells per grid above which :func:`hex_grid` refuses (memory and time), cells.
MAX_CELLS = 3_000_000
#: Named zones understood by :func:`named_zone`.
ZONE_NAMES: tuple[str, ...] = ("ukraine", "west_of_dnipro", "held")

#: The Dnipro's course, an **approximation** (lon, lat, EPSG:4326) drawn by hand through the
#: river's channel at the places listed, from Belarus (north of Rechytsa) to the Black Sea
#: beyond the Dnipro-Buh estuary. No river layer is bundled with garant; the vertices come
#: from the positions of the dams (Wikipedia infobox coordinates of the Kyiv, Kaniv,
#: Kremenchuk, Middle Dnipro and Dnipro HPPs) and of the riverside cities (GeoNames points,
#: with the channel placed between the right-bank and left-bank towns). Between vertices
#: the line is straight, so it departs from the real channel by up to ~5 km along bends and
#: cuts across the wide reservoirs (Kyiv, Kremenchuk, Kakhovka) along their middle.
#: Ends outside Ukraine close the western half-plane (see :func:`zone_west_of_dnipro`).
DNIPRO_COURSE: tuple[tuple[float, float], ...] = (
    (30.45, 52.60),  # Belarus, north of Rechytsa (outside Ukraine)
    (30.40, 52.36),  # Rechytsa (BY)
    (30.80, 51.94),  # Loyew (BY): the Sozh joins, the river becomes the BY-UA border
    (30.63, 51.70),  # Liubech (left bank)
    (30.58, 51.45),  # head of the Kyiv Reservoir
    (30.47, 51.12),  # Kyiv Reservoir at the Pripyat mouth
    (30.45, 50.85),  # Kyiv Reservoir, south part
    (30.49, 50.59),  # Kyiv HPP dam (Vyshhorod)
    (30.565, 50.45),  # Kyiv (centre on the right bank)
    (30.60, 50.35),  # Kyiv, south
    (30.78, 50.13),  # Ukrainka / Trypillia (TPP on the right bank)
    (31.20, 49.96),  # Kaniv Reservoir
    (31.48, 49.77),  # Kaniv HPP dam
    (31.85, 49.60),
    (32.10, 49.45),  # Cherkasy (right bank)
    (32.50, 49.30),  # Kremenchuk Reservoir
    (33.00, 49.12),
    (33.25, 49.078),  # Kremenchuk HPP dam (Svitlovodsk, right bank)
    (33.42, 49.045),  # Kremenchuk (left bank) / Kriukiv (right bank)
    (33.80, 48.90),  # Kamianske Reservoir
    (34.10, 48.78),
    (34.33, 48.69),  # Verkhnodniprovsk (right bank)
    (34.54, 48.548),  # Middle Dnipro HPP dam (Kamianske, right bank)
    (34.75, 48.50),
    (35.04, 48.48),  # Dnipro city: historic centre on the right bank
    (35.15, 48.40),  # the river turns south
    (35.17, 48.20),
    (35.12, 47.95),
    (35.087, 47.869),  # Dnipro HPP dam (Zaporizhzhia)
    (35.10, 47.78),  # Khortytsia island
    (34.95, 47.68),  # Kakhovka Reservoir (drained since June 2023)
    (34.65, 47.55),  # between Marhanets (right) and Enerhodar (left)
    (34.40, 47.53),  # between Nikopol (right) and Kamianka-Dniprovska (left)
    (34.10, 47.40),
    (33.80, 47.15),
    (33.55, 46.88),
    (33.40, 46.80),  # between Beryslav (right) and Kakhovka (left)
    (33.37, 46.78),  # Kakhovka HPP (destroyed 6 June 2023)
    (33.00, 46.68),
    (32.62, 46.615),  # Kherson (right bank) / Oleshky (left bank)
    (32.30, 46.52),  # delta
    (31.95, 46.55),  # Dnipro-Buh estuary
    (31.53, 46.585),  # Ochakiv strait (Ochakiv right, Kinburn spit left)
    (31.35, 46.40),  # Black Sea
    (31.35, 45.00),  # Black Sea, south of Odesa's latitude band (outside Ukraine)
)
#: Western closing meridian of the half-plane west of the Dnipro, degrees east.
_WEST_EDGE_LON = 20.0


# ------------------------------------------------------------------------------- units


@dataclass(frozen=True)
class Unit:
    """A placed air-defence unit, as plain numbers.

    Parameters
    ----------
    unit_id : str
        Unique id of the unit.
    defence_id : str
        Id of its defence type (catalogue id, or any label).
    lon, lat : float
        Position, EPSG:4326 degrees.
    range_km : mapping of str to float
        Engagement range per threat class (:data:`garant.air.classes.THREAT_CLASSES`), km.
        A class that is absent means the unit cannot engage it (range 0).
    shoots : bool, default True
        False for sensors only (ISR, AWACS): they engage nothing.
    detect_range_km : float, default 0
        Detection range against all classes, km (0: no own sensor counted).
    """

    unit_id: str
    defence_id: str
    lon: float
    lat: float
    range_km: Mapping[str, float] = field(default_factory=dict)
    shoots: bool = True
    detect_range_km: float = 0.0

    def __post_init__(self) -> None:
        where = f"unit {self.unit_id!r}"
        if not self.unit_id:
            raise DataError("unit: empty unit_id")
        if not (math.isfinite(self.lon) and math.isfinite(self.lat)):
            raise DataError(f"{where}: non-finite position ({self.lon}, {self.lat})")
        if not (-180 <= self.lon <= 180 and -90 <= self.lat <= 90):
            raise DataError(f"{where}: position ({self.lon}, {self.lat}) out of range")
        for tc, r in self.range_km.items():
            if tc not in THREAT_CLASSES:
                raise DataError(f"{where}: unknown threat class {tc!r} in range_km")
            if not (math.isfinite(r) and r >= 0):
                raise DataError(f"{where}: range_km[{tc!r}] must be >= 0, got {r}")
        if not (math.isfinite(self.detect_range_km) and self.detect_range_km >= 0):
            raise DataError(f"{where}: detect_range_km must be >= 0, got {self.detect_range_km}")

    def engagement_range_km(self, threat_class: str) -> float:
        """Engagement range against ``threat_class``, km (0 if it does not shoot)."""
        if not self.shoots:
            return 0.0
        return float(self.range_km.get(threat_class, 0.0))


def _value(q: Any) -> float:
    """The central value of a catalogue quantity (or a plain number)."""
    return float(getattr(q, "value", q))


def units_from_catalog(
    placements: Iterable[tuple[str, str, float, float]] | pd.DataFrame,
    *,
    catalog: Catalog | None = None,
) -> list[Unit]:
    """Build units from the catalogue's defences (adapter).

    Parameters
    ----------
    placements : iterable of (unit_id, defence_id, lon, lat), or DataFrame
        Where each unit stands; a DataFrame needs columns ``unit_id``, ``defence_id``,
        ``lon``, ``lat``.
    catalog : garant.air.catalog.Catalog, optional
        Default: :func:`garant.air.catalog.load_catalog`.

    Returns
    -------
    list of Unit
        With each defence's central range per threat class (``Quantity.value``), ``shoots``
        and ``detect_range_km`` (0 when the catalogue gives none).

    Raises
    ------
    NotFoundError
        A defence id is not in the catalogue.
    """
    if catalog is None:
        from garant.air.catalog import load_catalog

        catalog = load_catalog()
    if isinstance(placements, pd.DataFrame):
        missing = [c for c in ("unit_id", "defence_id", "lon", "lat") if c not in placements]
        if missing:
            raise DataError(f"placements: missing columns {missing}")
        rows: Iterable[tuple[Any, ...]] = placements[
            ["unit_id", "defence_id", "lon", "lat"]
        ].itertuples(index=False, name=None)
    else:
        rows = placements
    units: list[Unit] = []
    for unit_id, defence_id, lon, lat in rows:
        defence = catalog.defences.get(str(defence_id))
        if defence is None:
            raise NotFoundError(f"unit {unit_id!r}: defence {defence_id!r} is not in the catalogue")
        detect = defence.detect_range_km
        units.append(
            Unit(
                unit_id=str(unit_id),
                defence_id=str(defence_id),
                lon=float(lon),
                lat=float(lat),
                range_km={tc: _value(q) for tc, q in defence.range_km.items()},
                shoots=bool(defence.shoots),
                detect_range_km=_value(detect) if detect is not None else 0.0,
            )
        )
    return units


def _check_units(units: Sequence[Unit]) -> None:
    ids = [u.unit_id for u in units]
    if len(set(ids)) != len(ids):
        dup = sorted({i for i in ids if ids.count(i) > 1})
        raise DataError(f"units: duplicate unit_id {dup}")


def _check_class(threat_class: str) -> None:
    if threat_class not in THREAT_CLASSES:
        raise DataError(f"threat_class {threat_class!r} is unknown (one of {THREAT_CLASSES})")


# ------------------------------------------------------------------------------- zones


def zone_west_of_dnipro() -> BaseGeometry:
    """Ukraine's land west of the Dnipro (the right bank), an approximation.

    Ukraine (:func:`garant.sources.geography.ukraine`, land only) cut by the polyline
    :data:`DNIPRO_COURSE`, closed to the west along 20° E. The line is hand-drawn through
    the channel (±5 km), so places on the river itself may fall on either side: Kyiv's and
    Dnipro's historic centres (both on the right bank) fall west, Kremenchuk's and
    Zaporizhzhia's (left bank) east. The Kinburn peninsula (left bank, south of the
    estuary) and Crimea are east.

    Returns
    -------
    shapely geometry
        (Multi)Polygon, EPSG:4326; about 56 % of Ukraine's land area.
    """
    course = list(DNIPRO_COURSE)
    north, south = course[0], course[-1]
    ring = [*course, (_WEST_EDGE_LON, south[1]), (_WEST_EDGE_LON, north[1]), north]
    half_plane = Polygon(ring)
    if not half_plane.is_valid:  # pragma: no cover - the constant is fixed
        raise DataError("DNIPRO_COURSE does not close a valid polygon")
    return shapely.intersection(geography.ukraine(), half_plane)


def _occupied_geometry(occupied: Any) -> BaseGeometry:
    if isinstance(occupied, BaseGeometry):
        return occupied
    if isinstance(occupied, gpd.GeoDataFrame | gpd.GeoSeries):
        series = occupied.geometry if isinstance(occupied, gpd.GeoDataFrame) else occupied
        if series.crs is not None and series.crs.to_epsg() != 4326:
            series = series.to_crs(4326)
        return shapely.union_all(series.to_numpy())
    raise DataError(f"occupied: expected a shapely geometry or GeoSeries, got {type(occupied)}")


def named_zone(name: str, *, occupied: Any = None) -> BaseGeometry:
    """A named zone of Ukraine.

    Parameters
    ----------
    name : {"ukraine", "west_of_dnipro", "held"}
        ``ukraine``: all of Ukraine's land in its recognised borders; ``west_of_dnipro``:
        :func:`zone_west_of_dnipro`; ``held``: Ukraine minus ``occupied``.
    occupied : shapely geometry or GeoSeries/GeoDataFrame, optional
        Occupied territory (EPSG:4326), e.g. from the frontline store. Required for
        ``held``; for the other zones it is subtracted when given.

    Returns
    -------
    shapely geometry
        (Multi)Polygon, EPSG:4326.

    Raises
    ------
    ConfigError
        Unknown name, or ``held`` without ``occupied``.
    """
    if name == "ukraine" or name == "held":
        zone: BaseGeometry = geography.ukraine()
    elif name == "west_of_dnipro":
        zone = zone_west_of_dnipro()
    else:
        raise ConfigError(f"zone {name!r} is unknown (one of {ZONE_NAMES})")
    if occupied is None:
        if name == "held":
            raise ConfigError("zone 'held' needs the occupied territory (occupied=...)")
        return zone
    return shapely.make_valid(shapely.difference(zone, _occupied_geometry(occupied)))


# ------------------------------------------------------------------------------ the grid


def _cell_polygons(cells: Sequence[str]) -> NDArray[np.object_]:
    return np.array(
        [Polygon([(lng, lat) for lat, lng in h3.cell_to_boundary(c)]) for c in cells],
        dtype=object,
    )


def _polygons_only(zone: BaseGeometry) -> BaseGeometry:
    parts = [
        p for p in shapely.get_parts(zone) if isinstance(p, Polygon | MultiPolygon) and p.area > 0
    ]
    if not parts and zone.geom_type == "GeometryCollection":
        parts = [
            q
            for g in zone.geoms  # type: ignore[attr-defined]
            for q in shapely.get_parts(g)
            if isinstance(q, Polygon)
        ]
    return shapely.union_all(parts) if parts else Polygon()


def hex_grid(
    zone: BaseGeometry,
    *,
    resolution: int = 6,
    population: bool = True,
    min_population: int = 0,
) -> gpd.GeoDataFrame:
    """Cover a zone with H3 cells.

    Parameters
    ----------
    zone : shapely (Multi)Polygon
        The zone, EPSG:4326.
    resolution : int, default 6
        H3 resolution (5: ~250 km² cells; 6: ~35 km², edge ~3.7 km; 7: ~5 km²).
    population : bool, default True
        Add a ``population`` column from the bundled settlements (:func:`cell_population`).
    min_population : int
        Settlements below this population are not counted.

    Returns
    -------
    geopandas.GeoDataFrame
        ``h3`` (cell id), ``geometry`` (cell polygon, EPSG:4326), ``area_km2`` (H3's
        spherical cell area), and ``population`` (inhabitants) if asked; one row per cell
        whose centre lies in the zone (H3's polyfill), sorted by ``h3``. Its total area
        matches the zone's within ~1 % for zones much larger than a cell.

    Raises
    ------
    DataError
        Empty or non-polygonal zone, a resolution outside 0-15, or too many cells
        (> :data:`MAX_CELLS`).
    """
    if not isinstance(resolution, int) or not 0 <= resolution <= 15:
        raise DataError(f"hex_grid: resolution must be an integer 0-15, got {resolution!r}")
    if zone is None or zone.is_empty:
        raise DataError("hex_grid: the zone is empty")
    poly = _polygons_only(zone)
    if poly.is_empty:
        raise DataError(f"hex_grid: the zone has no polygon area ({zone.geom_type})")
    est = float(geography.equal_area_km2(poly)[0]) / h3.average_hexagon_area(resolution, "km^2")
    if est > MAX_CELLS:
        raise DataError(
            f"hex_grid: about {est:,.0f} cells at resolution {resolution} "
            f"(limit {MAX_CELLS:,}); use a coarser resolution"
        )
    cells = sorted(h3.geo_to_cells(poly, resolution))
    grid = gpd.GeoDataFrame(
        {
            "h3": pd.Series(cells, dtype=object),
            "area_km2": np.array([h3.cell_area(c, "km^2") for c in cells], dtype=float),
        },
        geometry=gpd.GeoSeries(_cell_polygons(cells), crs=4326),
        crs=4326,
    )[["h3", "geometry", "area_km2"]]
    logger.debug("hex_grid: %d cells at resolution %d", len(grid), resolution)
    if population:
        grid["population"] = cell_population(grid, zone=poly, min_population=min_population)
    return grid


def cell_population(
    grid: gpd.GeoDataFrame,
    *,
    zone: BaseGeometry | None = None,
    towns: gpd.GeoDataFrame | None = None,
    min_population: int = 0,
    max_snap_rings: int = 2,
) -> NDArray[np.int64]:
    """Population of each cell of an H3 grid, from settlement points.

    Parameters
    ----------
    grid : geopandas.GeoDataFrame
        A grid from :func:`hex_grid` (column ``h3``, one resolution).
    zone : shapely geometry, optional
        The zone the grid covers: only settlements inside it (or off Ukraine's land
        polygon, i.e. on its generalised coast) count, and those whose cell is not in the
        grid (the cell's centre is outside the zone) go to the nearest grid cell within
        ``max_snap_rings`` rings. Without a zone, settlements count only if their cell is
        in the grid.
    towns : geopandas.GeoDataFrame, optional
        Points with a ``population`` column (EPSG:4326); default: the bundled settlements
        (:func:`garant.sources.geography.settlements`, city districts excluded).
    min_population : int
        Leave out smaller settlements.
    max_snap_rings : int
        How far (in cell rings) a settlement may be moved to reach a grid cell.

    Returns
    -------
    numpy.ndarray of int64
        Inhabitants per cell, aligned with ``grid``.
    """
    if "h3" not in grid.columns:
        raise DataError(f"grid: missing column 'h3' (has {list(grid.columns)})")
    out = np.zeros(len(grid), dtype=np.int64)
    if not len(grid):
        return out
    res = h3.get_resolution(grid["h3"].iloc[0])
    pts = geography.settlements(min_population=min_population) if towns is None else towns
    if "population" not in pts.columns:
        raise DataError(f"towns: missing column 'population' (has {list(pts.columns)})")
    geoms = pts.geometry.to_numpy()
    pop = pts["population"].to_numpy(dtype=np.int64)
    if zone is not None:
        # settlements in the zone, and those off Natural Earth's generalised coast (e.g.
        # Kherson's and Ochakiv's GeoNames points lie in the water of the 1:10m polygon)
        shapely.prepare(zone)
        land = geography.ukraine()
        shapely.prepare(land)
        inside = shapely.covers(zone, geoms)
        eligible = inside | ~shapely.covers(land, geoms)
        geoms, pop = geoms[eligible], pop[eligible]
    index = {c: i for i, c in enumerate(grid["h3"].to_numpy())}
    xy = shapely.get_coordinates(geoms)
    dropped = 0
    for (x, y), p in zip(xy, pop, strict=True):
        cell = h3.latlng_to_cell(float(y), float(x), res)
        i = index.get(cell)
        if i is None and zone is not None:
            for k in range(1, max_snap_rings + 1):
                ring = [index[c] for c in h3.grid_ring(cell, k) if c in index]
                if ring:
                    i = min(ring)  # deterministic choice among equally near cells
                    break
        if i is None:
            dropped += int(p)
        else:
            out[i] += p
    if dropped:
        logger.debug("cell_population: %d inhabitants outside the grid", dropped)
    return out


# ---------------------------------------------------------------------------- distances


def _distances_km(
    lon: float, lat: float, lons: NDArray[np.float64], lats: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Geodesic distances (WGS84) from one point to many, km."""
    if lons.size == 0:
        return np.zeros(0)
    _, _, d = _GEOD.inv(np.full(lons.shape, lon), np.full(lats.shape, lat), lons, lats)
    return np.asarray(d, dtype=float) / 1000.0


def _within(
    unit_lon: float,
    unit_lat: float,
    radius_km: float,
    lons: NDArray[np.float64],
    lats: NDArray[np.float64],
) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
    """Indices of points within ``radius_km`` (geodesic) of a unit, and their distances."""
    if radius_km <= 0 or lons.size == 0:
        return np.zeros(0, dtype=np.intp), np.zeros(0)
    # bounding-box prefilter, generous (1 degree of latitude >= 110.5 km)
    dlat = radius_km / 110.0 + 0.05
    coslat = max(math.cos(math.radians(min(abs(unit_lat) + dlat, 89.0))), 1e-6)
    dlon = radius_km / (111.0 * coslat) + 0.05
    dlon_arr = np.abs((lons - unit_lon + 180.0) % 360.0 - 180.0)
    cand = np.flatnonzero((np.abs(lats - unit_lat) <= dlat) & (dlon_arr <= dlon))
    d = _distances_km(unit_lon, unit_lat, lons[cand], lats[cand])
    keep = d <= radius_km
    return cand[keep], d[keep]


def _point_xy(gdf: gpd.GeoDataFrame, what: str) -> tuple[NDArray[np.float64], ...]:
    geoms = gdf.geometry
    if geoms.crs is not None and geoms.crs.to_epsg() != 4326:
        geoms = geoms.to_crs(4326)
    arr = geoms.to_numpy()
    if len(arr) and not (shapely.get_type_id(arr) == 0).all():
        arr = shapely.point_on_surface(arr)
    xy = shapely.get_coordinates(arr) if len(arr) else np.zeros((0, 2))
    if len(xy) != len(gdf):
        raise DataError(f"{what}: empty geometries")
    return xy[:, 0].astype(float), xy[:, 1].astype(float)


# ------------------------------------------------------------------------------ assets


def _radius(unit: Unit, threat_class: str, mode: str) -> float:
    if mode == "engage":
        return unit.engagement_range_km(threat_class)
    if mode == "detect":
        return float(unit.detect_range_km)
    raise ConfigError(f"mode {mode!r} is unknown (use 'engage' or 'detect')")


def unit_coverage(
    units: Sequence[Unit],
    assets: gpd.GeoDataFrame,
    *,
    threat_class: str,
    mode: Literal["engage", "detect"] = "engage",
) -> pd.DataFrame:
    """Which units cover which assets (a long table of covering pairs).

    Parameters
    ----------
    units : sequence of Unit
        The units.
    assets : geopandas.GeoDataFrame
        Assets with ``asset_id`` (e.g. :func:`garant.air.assets.load_assets`); non-point
        geometries are represented by a point inside them.
    threat_class : str
        One of :data:`garant.air.classes.THREAT_CLASSES`.
    mode : {"engage", "detect"}
        ``engage``: within the engagement range for ``threat_class`` (shooters only);
        ``detect``: within the detection range (all units, ISR included).

    Returns
    -------
    pandas.DataFrame
        One row per (unit, asset) pair with the asset in range: ``unit_id``, ``defence_id``,
        ``asset_id``, ``distance_km`` (geodesic), ``range_km``; sorted by unit then
        distance. Pivot it for a boolean matrix:
        ``table.assign(c=True).pivot(index="asset_id", columns="unit_id", values="c")``.
    """
    _check_class(threat_class)
    _check_units(units)
    if "asset_id" not in assets.columns:
        raise DataError(f"assets: missing column 'asset_id' (has {list(assets.columns)})")
    lons, lats = _point_xy(assets, "assets")
    ids = assets["asset_id"].to_numpy()
    parts: list[pd.DataFrame] = []
    for u in units:
        r = _radius(u, threat_class, mode)
        idx, d = _within(u.lon, u.lat, r, lons, lats)
        if idx.size:
            parts.append(
                pd.DataFrame(
                    {
                        "unit_id": u.unit_id,
                        "defence_id": u.defence_id,
                        "asset_id": ids[idx],
                        "distance_km": d,
                        "range_km": r,
                    }
                ).sort_values("distance_km", kind="stable")
            )
    cols = ["unit_id", "defence_id", "asset_id", "distance_km", "range_km"]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype=float if "km" in c else object) for c in cols})
    return pd.concat(parts, ignore_index=True)[cols]


def asset_coverage(
    units: Sequence[Unit],
    assets: gpd.GeoDataFrame,
    *,
    threat_class: str,
) -> gpd.GeoDataFrame:
    """Each asset with how many units engage it and how many detect it.

    Parameters
    ----------
    units : sequence of Unit
        The units.
    assets : geopandas.GeoDataFrame
        Assets with ``asset_id`` and ``weight``.
    threat_class : str
        Threat class for the engagement ranges.

    Returns
    -------
    geopandas.GeoDataFrame
        ``assets`` plus ``n_units`` (shooters in range), ``covered`` (n_units > 0),
        ``n_detect`` (units whose detection range reaches it), ``nearest_km`` (distance to
        the nearest covering unit, NaN if none).
    """
    engage = unit_coverage(units, assets, threat_class=threat_class, mode="engage")
    detect = unit_coverage(units, assets, threat_class=threat_class, mode="detect")
    out = assets.copy()
    n = engage.groupby("asset_id").size()
    near = engage.groupby("asset_id")["distance_km"].min()
    out["n_units"] = out["asset_id"].map(n).fillna(0).astype(np.int64)
    out["covered"] = out["n_units"] > 0
    out["n_detect"] = (
        out["asset_id"].map(detect.groupby("asset_id").size()).fillna(0).astype(np.int64)
    )
    out["nearest_km"] = out["asset_id"].map(near).astype(float)
    return out


# -------------------------------------------------------------------------------- zones


@dataclass(frozen=True)
class CoverageResult:
    """Coverage of a zone's H3 grid by a set of units against one threat class.

    Attributes
    ----------
    threat_class : str
        The threat class of the engagement ranges.
    cells : geopandas.GeoDataFrame
        The grid with ``redundancy`` (shooting units whose engagement range reaches the
        cell centre), ``detection`` (units whose detection range reaches it), ``covered``
        (redundancy > 0) and ``detected`` (detection > 0), besides ``h3``, ``geometry``,
        ``area_km2``, ``population``.
    per_unit : pandas.DataFrame
        One row per unit: ``unit_id``, ``defence_id``, ``shoots``, ``range_km`` (engagement
        range for the class), ``detect_range_km``, ``covered_cells``, ``covered_area_km2``,
        ``covered_population``, ``unique_area_km2`` and ``unique_population`` (cells no other
        unit covers), ``detected_area_km2``.
    total_area_km2, covered_area_km2, detected_area_km2 : float
        Areas, km² (sums of H3 cell areas).
    total_population, covered_population, detected_population : int
        Inhabitants (settlement points in the cells).
    """

    threat_class: str
    resolution: int
    cells: gpd.GeoDataFrame
    per_unit: pd.DataFrame
    total_area_km2: float
    covered_area_km2: float
    detected_area_km2: float
    total_population: int
    covered_population: int
    detected_population: int

    @property
    def covered_area_share(self) -> float:
        """Covered share of the zone's area (0-1)."""
        return self.covered_area_km2 / self.total_area_km2 if self.total_area_km2 else 0.0

    @property
    def covered_population_share(self) -> float:
        """Covered share of the zone's population (0-1)."""
        return self.covered_population / self.total_population if self.total_population else 0.0

    @property
    def detected_area_share(self) -> float:
        """Detected share of the zone's area (0-1)."""
        return self.detected_area_km2 / self.total_area_km2 if self.total_area_km2 else 0.0

    @property
    def detected_population_share(self) -> float:
        """Detected share of the zone's population (0-1)."""
        return self.detected_population / self.total_population if self.total_population else 0.0

    def redundancy_area_km2(self) -> pd.Series:
        """Area by number of covering units (index 0, 1, 2, ...), km²."""
        return self.cells.groupby("redundancy")["area_km2"].sum().sort_index()

    def summary(self) -> dict[str, float | int | str]:
        """The headline numbers as a flat dict (for JSON/CSV output)."""
        return {
            "threat_class": self.threat_class,
            "resolution": self.resolution,
            "cells": len(self.cells),
            "total_area_km2": round(self.total_area_km2, 1),
            "covered_area_km2": round(self.covered_area_km2, 1),
            "covered_area_share": round(self.covered_area_share, 4),
            "total_population": self.total_population,
            "covered_population": self.covered_population,
            "covered_population_share": round(self.covered_population_share, 4),
            "detected_area_km2": round(self.detected_area_km2, 1),
            "detected_area_share": round(self.detected_area_share, 4),
            "detected_population": self.detected_population,
            "detected_population_share": round(self.detected_population_share, 4),
            "mean_redundancy_covered": round(
                float(self.cells.loc[self.cells["covered"], "redundancy"].mean())
                if self.cells["covered"].any()
                else 0.0,
                3,
            ),
        }


def zone_coverage(
    units: Sequence[Unit],
    zone_grid: gpd.GeoDataFrame,
    *,
    threat_class: str,
) -> CoverageResult:
    """Coverage of a zone's H3 grid by units against one threat class.

    Parameters
    ----------
    units : sequence of Unit
        The units. Shooters count for engagement (their range for ``threat_class``), all
        units with a detection range count for detection.
    zone_grid : geopandas.GeoDataFrame
        From :func:`hex_grid` (``h3``, ``geometry``, ``area_km2``; ``population`` is added
        with :func:`cell_population` if absent, without zone snapping).
    threat_class : str
        One of :data:`garant.air.classes.THREAT_CLASSES`.

    Returns
    -------
    CoverageResult
        Covered cells, area and population with shares, per-unit contribution and
        redundancy. A cell is covered when its centre is within range (geodesic).
    """
    _check_class(threat_class)
    _check_units(units)
    missing = [c for c in ("h3", "area_km2") if c not in zone_grid.columns]
    if missing:
        raise DataError(f"zone_grid: missing columns {missing} (has {list(zone_grid.columns)})")
    cells = zone_grid.copy()
    if "population" not in cells.columns:
        cells["population"] = cell_population(cells)
    n = len(cells)
    resolution = h3.get_resolution(cells["h3"].iloc[0]) if n else -1
    centres = np.array([h3.cell_to_latlng(c) for c in cells["h3"]], dtype=float).reshape(-1, 2)
    lats, lons = centres[:, 0], centres[:, 1]
    area = cells["area_km2"].to_numpy(dtype=float)
    pop = cells["population"].to_numpy(dtype=np.int64)

    redundancy = np.zeros(n, dtype=np.int64)
    detection = np.zeros(n, dtype=np.int64)
    engaged: list[NDArray[np.intp]] = []
    detected: list[NDArray[np.intp]] = []
    for u in units:
        idx, _ = _within(u.lon, u.lat, u.engagement_range_km(threat_class), lons, lats)
        redundancy[idx] += 1
        engaged.append(idx)
        didx, _ = _within(u.lon, u.lat, float(u.detect_range_km), lons, lats)
        detection[didx] += 1
        detected.append(didx)

    rows = []
    for u, idx, didx in zip(units, engaged, detected, strict=True):
        unique = idx[redundancy[idx] == 1]
        rows.append(
            {
                "unit_id": u.unit_id,
                "defence_id": u.defence_id,
                "shoots": u.shoots,
                "range_km": u.engagement_range_km(threat_class),
                "detect_range_km": float(u.detect_range_km),
                "covered_cells": int(idx.size),
                "covered_area_km2": float(area[idx].sum()),
                "covered_population": int(pop[idx].sum()),
                "unique_area_km2": float(area[unique].sum()),
                "unique_population": int(pop[unique].sum()),
                "detected_area_km2": float(area[didx].sum()),
            }
        )
    per_unit = pd.DataFrame(
        rows,
        columns=[
            "unit_id",
            "defence_id",
            "shoots",
            "range_km",
            "detect_range_km",
            "covered_cells",
            "covered_area_km2",
            "covered_population",
            "unique_area_km2",
            "unique_population",
            "detected_area_km2",
        ],
    )
    cells["redundancy"] = redundancy
    cells["detection"] = detection
    cells["covered"] = redundancy > 0
    cells["detected"] = detection > 0
    cov, det = redundancy > 0, detection > 0
    return CoverageResult(
        threat_class=threat_class,
        resolution=int(resolution),
        cells=cells,
        per_unit=per_unit,
        total_area_km2=float(area.sum()),
        covered_area_km2=float(area[cov].sum()),
        detected_area_km2=float(area[det].sum()),
        total_population=int(pop.sum()),
        covered_population=int(pop[cov].sum()),
        detected_population=int(pop[det].sum()),
    )


# --------------------------------------------------------------------------------- map

#: Attribution printed on coverage maps.
MAP_ATTRIBUTION = (
    "Data: Natural Earth; GeoNames (CC BY 4.0); © OpenStreetMap contributors/geoBoundaries "
    "(ODbL); DeepStateMap (occupied); asset positions: Wikipedia, Global Energy Monitor"
)
_MAP_PROJ = "+proj=laea +lat_0=48.5 +lon_0=31.5 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs"
_SEA = "#dfeaf2"
_NEIGHBOUR = "#dcdcdc"
_UKRAINE = "#fbf8ef"
_OCCUPIED = "#e57373"
_OCCUPIED_EDGE = "#b71c1c"
_DETECT_ONLY = "#efe3f7"
_REDUNDANCY = ("#c6dbef", "#6baed6", "#2171b5", "#08306b")  # 1, 2, 3, 4+
_TEXT = "#222222"
_MUTED = "#6b6b6b"
_ASSET_STYLE: dict[str, dict[str, Any]] = {
    "npp": {"marker": "^", "s": 110, "facecolor": "#ffd400", "label": "Nuclear power plant"},
    "port": {"marker": "s", "s": 42, "facecolor": "#00897b", "label": "Port"},
    "power_thermal": {"marker": "D", "s": 38, "facecolor": "#ef6c00", "label": "Thermal plant"},
    "power_hydro": {"marker": "D", "s": 38, "facecolor": "#29b6f6", "label": "Hydro plant"},
    "substation": {"marker": "p", "s": 42, "facecolor": "#8d6e63", "label": "Substation"},
    "government": {"marker": "P", "s": 80, "facecolor": "#6a1b9a", "label": "Government"},
    "other": {"marker": "o", "s": 30, "facecolor": "#9e9e9e", "label": "Other asset"},
}


def _project(geoms: Iterable[BaseGeometry]) -> list[BaseGeometry]:
    from pyproj import Transformer

    tr = Transformer.from_crs(4326, _MAP_PROJ, always_xy=True)

    def fn(xy: NDArray[np.float64]) -> NDArray[np.float64]:
        x, y = tr.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    arr = np.asarray(list(geoms), dtype=object)
    if not arr.size:
        return []
    return list(shapely.transform(arr, fn))


def _project_xy(
    lons: NDArray[np.float64], lats: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    from pyproj import Transformer

    tr = Transformer.from_crs(4326, _MAP_PROJ, always_xy=True)
    x, y = tr.transform(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def _geodesic_circle(lon: float, lat: float, radius_km: float, n: int = 96) -> LineString:
    az = np.linspace(0.0, 360.0, n, endpoint=False)
    x, y, _ = _GEOD.fwd(np.full(n, lon), np.full(n, lat), az, np.full(n, radius_km * 1000.0))
    pts = np.column_stack([x, y])
    return LineString(np.vstack([pts, pts[:1]]))


def _fill(ax: Axes, geoms: Iterable[BaseGeometry], **style: Any) -> None:
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path as MplPath

    for geom in geoms:
        if geom is None or geom.is_empty:
            continue
        polys = [g for g in shapely.get_parts(geom) if isinstance(g, Polygon) and not g.is_empty]
        paths = [
            MplPath(np.asarray(ring.coords)[:, :2], closed=True)
            for poly in polys
            for ring in (poly.exterior, *poly.interiors)
        ]
        if paths:
            ax.add_patch(PathPatch(MplPath.make_compound_path(*paths), **style))


def _outline(ax: Axes, geoms: Iterable[BaseGeometry], **style: Any) -> None:
    from matplotlib.collections import LineCollection

    segs: list[NDArray[np.float64]] = []
    for geom in geoms:
        if geom is None or geom.is_empty:
            continue
        g = geom.boundary if geom.geom_type in ("Polygon", "MultiPolygon") else geom
        segs.extend(np.asarray(p.coords)[:, :2] for p in shapely.get_parts(g) if not p.is_empty)
    if segs:
        ax.add_collection(LineCollection(segs, **style), autolim=False)


def coverage_map(
    result: CoverageResult,
    path: str | os.PathLike[str],
    *,
    units: Sequence[Unit],
    assets: gpd.GeoDataFrame | None = None,
    occupied: Any = None,
    countries: gpd.GeoDataFrame | None = None,
    title: str,
    subtitle: str | None = None,
    label_units: bool = True,
    attribution: str = MAP_ATTRIBUTION,
) -> Path:
    """Draw a coverage map to a PNG.

    H3 cells shaded by redundancy (1, 2, 3, 4+ units; detection-only cells pale violet),
    engagement envelopes as geodesic circles (ISR detection envelopes dashed), assets as
    symbols (NPPs as yellow triangles, occupied facilities ringed in red; settlements of
    100,000+ as grey dots), occupied territory red and hatched, neighbours grey, the zone's
    headline numbers, a legend and the attribution. Equal-area projection centred on
    Ukraine; Agg canvas, no pyplot state; written atomically.

    Parameters
    ----------
    result : CoverageResult
        From :func:`zone_coverage`.
    path : str or os.PathLike
        The PNG to write (its folder is created).
    units : sequence of Unit
        The units whose envelopes are drawn.
    assets : geopandas.GeoDataFrame, optional
        Assets (``kind``, ``status``, ``population`` used for styling).
    occupied : shapely geometry or GeoSeries, optional
        Occupied territory, EPSG:4326.
    countries : geopandas.GeoDataFrame, optional
        Countries with ``iso_a3`` (default: the bundled ones).
    title : str
        Map title.
    subtitle : str, optional
        Second line (default: the threat class and the headline numbers).
    label_units : bool, default True
        Write unit ids next to the units.
    attribution : str
        Printed at the bottom.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    from matplotlib import patheffects
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.collections import PolyCollection
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from garant._io import atomic_path

    ctry = geography.countries() if countries is None else countries
    if "iso_a3" not in ctry.columns:
        raise DataError(f"countries: missing column 'iso_a3' (has {list(ctry.columns)})")
    ctry = ctry.to_crs(4326) if ctry.crs is not None and ctry.crs.to_epsg() != 4326 else ctry
    ukr = _project(ctry.loc[ctry["iso_a3"] == "UKR"].geometry)
    others = _project(ctry.loc[ctry["iso_a3"] != "UKR"].geometry)
    occ = _project([_occupied_geometry(occupied)]) if occupied is not None else []

    cells = result.cells
    cell_xy = _project(cells.geometry)
    focus = shapely.union_all(
        [
            shapely.envelope(shapely.union_all(cell_xy)) if cell_xy else Polygon(),
            *_project([shapely.Point(u.lon, u.lat) for u in units]),
        ]
    )
    if focus.is_empty:
        focus = shapely.union_all(ukr)
    x0, y0, x1, y1 = focus.bounds
    aspect = 1.45
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    w, h = (x1 - x0) * 1.08 + 80_000, (y1 - y0) * 1.08 + 80_000
    w, h = max(w, h * aspect), max(h, w / aspect)
    view = (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)

    fig = Figure(figsize=(11, 8.4), dpi=150)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.0, 0.06, 1.0, 0.83))
    ax.set_facecolor(_SEA)
    _fill(ax, others, facecolor=_NEIGHBOUR, edgecolor="white", lw=0.8, zorder=1)
    _fill(ax, ukr, facecolor=_UKRAINE, edgecolor="none", zorder=2)

    red = cells["redundancy"].to_numpy()
    det = cells["detection"].to_numpy()
    colours = np.full(len(cells), "none", dtype=object)
    colours[(red == 0) & (det > 0)] = _DETECT_ONLY
    for k, colour in enumerate(_REDUNDANCY, start=1):
        colours[(red == k) if k < len(_REDUNDANCY) else (red >= k)] = colour
    shown = colours != "none"
    if shown.any():
        verts = [shapely.get_coordinates(cell_xy[i]) for i in np.flatnonzero(shown)]
        ax.add_collection(
            PolyCollection(
                verts,
                facecolors=list(colours[shown]),
                edgecolors="none",
                alpha=0.85,
                zorder=3,
            ),
            autolim=False,
        )
    zone_outline = shapely.union_all(shapely.buffer(np.asarray(cell_xy, dtype=object), 1.0))
    _outline(ax, [zone_outline], colors="#1b5e20", linewidths=1.0, linestyles="--", zorder=4)
    _fill(ax, occ, facecolor=_OCCUPIED, edgecolor="none", alpha=0.5, zorder=4.2)
    _fill(
        ax,
        occ,
        facecolor="none",
        edgecolor=_OCCUPIED_EDGE,
        hatch="///",
        lw=0,
        alpha=0.45,
        zorder=4.3,
    )
    _outline(ax, ukr, colors="#555555", linewidths=0.9, zorder=4.5)

    stroke = [patheffects.withStroke(linewidth=2.2, foreground="white", alpha=0.85)]
    tc = result.threat_class
    for u in units:
        r = u.engagement_range_km(tc)
        style: dict[str, Any]
        if r > 0:
            ring, style = (
                _geodesic_circle(u.lon, u.lat, r),
                {"colors": "#0d2a4d", "linewidths": 1.1},
            )
        elif u.detect_range_km > 0:
            ring = _geodesic_circle(u.lon, u.lat, u.detect_range_km)
            style = {"colors": "#7b1fa2", "linewidths": 1.0, "linestyles": (0, (4, 3))}
        else:
            continue
        _outline(ax, _project([ring]), zorder=6, **style)
    ux, uy = _project_xy(np.array([u.lon for u in units]), np.array([u.lat for u in units]))
    for u, px, py in zip(units, ux, uy, strict=True):
        shooter = u.engagement_range_km(tc) > 0
        ax.scatter(
            [px],
            [py],
            marker="o" if shooter else "d",
            s=26,
            c="#0d2a4d" if shooter else "#7b1fa2",
            edgecolors="white",
            linewidths=0.6,
            zorder=9,
        )
        if label_units:
            ax.annotate(
                u.unit_id,
                (px, py),
                xytext=(4, -9),
                textcoords="offset points",
                fontsize=6.5,
                color="#0d2a4d",
                zorder=10,
                path_effects=stroke,
            )

    handles: list[Any] = []
    if assets is not None and len(assets):
        a = (
            assets.to_crs(4326)
            if assets.crs is not None and assets.crs.to_epsg() != 4326
            else assets
        )
        axy = shapely.get_coordinates(shapely.point_on_surface(a.geometry.to_numpy()))
        pts = np.column_stack(_project_xy(axy[:, 0], axy[:, 1]))
        kinds = (
            a["kind"].astype(str).to_numpy() if "kind" in a.columns else np.full(len(a), "other")
        )
        status = (
            a["status"].astype(str).to_numpy() if "status" in a.columns else np.full(len(a), "")
        )
        popn = (
            a["population"].to_numpy(dtype=float) if "population" in a.columns else np.zeros(len(a))
        )
        xs, ys = pts[:, 0], pts[:, 1]
        big = (kinds == "settlement") & (popn >= 100_000)
        if big.any():
            ax.scatter(
                xs[big],
                ys[big],
                s=6 + 30 * np.sqrt(popn[big] / 1e6),
                c="#616161",
                alpha=0.75,
                linewidths=0,
                zorder=7,
            )
            handles.append(
                Line2D(
                    [],
                    [],
                    marker="o",
                    ls="none",
                    color="#616161",
                    markersize=5,
                    label="City, 100,000+",
                )
            )
        for kind, st in _ASSET_STYLE.items():
            m = kinds == kind
            if not m.any():
                continue
            ax.scatter(
                xs[m],
                ys[m],
                marker=st["marker"],
                s=st["s"],
                c=st["facecolor"],
                edgecolors="black",
                linewidths=0.7,
                zorder=8,
            )
            handles.append(
                Line2D(
                    [],
                    [],
                    marker=st["marker"],
                    ls="none",
                    markerfacecolor=st["facecolor"],
                    markeredgecolor="black",
                    markersize=7 if kind != "npp" else 9,
                    label=st["label"],
                )
            )
        occ_mask = status == "occupied"
        if occ_mask.any():
            ax.scatter(
                xs[occ_mask],
                ys[occ_mask],
                marker="o",
                s=260,
                facecolors="none",
                edgecolors=_OCCUPIED_EDGE,
                linewidths=1.6,
                zorder=8.5,
            )
            handles.append(
                Line2D(
                    [],
                    [],
                    marker="o",
                    ls="none",
                    markerfacecolor="none",
                    markeredgecolor=_OCCUPIED_EDGE,
                    markersize=11,
                    label="Facility occupied",
                )
            )
            for i in np.flatnonzero(occ_mask & (kinds == "npp")):
                name = str(a["name"].iloc[i]) if "name" in a.columns else ""
                ax.annotate(
                    f"{name} (occupied)",
                    (xs[i], ys[i]),
                    xytext=(8, 6),
                    textcoords="offset points",
                    fontsize=7,
                    color=_OCCUPIED_EDGE,
                    zorder=10,
                    path_effects=stroke,
                )

    legend_cells: list[Any] = [
        Patch(
            facecolor=c,
            edgecolor="none",
            label=f"Covered by {k}{'+' if k == 4 else ''} unit{'s' if k > 1 else ''}",
        )
        for k, c in enumerate(_REDUNDANCY, start=1)
    ]
    legend_cells.append(Patch(facecolor=_DETECT_ONLY, edgecolor="none", label="Detected only"))
    legend_cells += [
        Line2D([], [], color="#0d2a4d", lw=1.1, label="Engagement envelope"),
        Line2D([], [], color="#7b1fa2", lw=1.0, ls=(0, (4, 3)), label="ISR detection envelope"),
        Line2D([], [], color="#1b5e20", lw=1.0, ls="--", label="Zone"),
    ]
    if occ:
        legend_cells.append(
            Patch(
                facecolor=_OCCUPIED,
                edgecolor=_OCCUPIED_EDGE,
                hatch="///",
                alpha=0.55,
                label="Occupied by Russia",
            )
        )
    ax.set_xlim(view[0], view[2])
    ax.set_ylim(view[1], view[3])
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    leg = ax.legend(
        handles=legend_cells + handles,
        loc="lower left",
        fontsize=7.5,
        framealpha=0.93,
        edgecolor="#bbbbbb",
        ncol=1,
    )
    leg.set_zorder(40)

    s = result.summary()
    box = (
        f"Zone {s['total_area_km2']:,.0f} km², {s['total_population']:,} people\n"
        f"Covered: {s['covered_area_km2']:,.0f} km² "
        f"({100 * float(s['covered_area_share']):.1f} %), "
        f"{s['covered_population']:,} people "
        f"({100 * float(s['covered_population_share']):.1f} %)\n"
        f"Detected: {s['detected_area_km2']:,.0f} km² "
        f"({100 * float(s['detected_area_share']):.1f} %)"
    )
    ax.text(
        0.99,
        0.985,
        box,
        transform=ax.transAxes,
        ha="right",
        va="top",
        fontsize=8,
        color=_TEXT,
        zorder=41,
        bbox={
            "boxstyle": "round,pad=0.4",
            "facecolor": "white",
            "edgecolor": "#bbbbbb",
            "alpha": 0.93,
        },
    )
    fig.text(0.012, 0.965, title, fontsize=14, fontweight="bold", color=_TEXT, va="center")
    sub = subtitle or (
        f"Threat class: {tc} · {len(units)} units · H3 resolution {result.resolution} · "
        "a cell counts as covered when its centre is within range (geodesic)"
    )
    fig.text(0.012, 0.925, sub, fontsize=9, color=_MUTED, va="center")
    fig.text(0.012, 0.038, attribution, fontsize=6.5, color=_MUTED, va="center")
    fig.text(
        0.012,
        0.016,
        "Equal-area projection centred on 48.5° N, 31.5° E",
        fontsize=6.5,
        color=_MUTED,
        va="center",
    )

    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(target, suffix=".png") as tmp:
        fig.savefig(tmp, format="png", dpi=150, metadata={"Software": None}, facecolor="white")
    logger.info("wrote coverage map %s", target)
    return target
