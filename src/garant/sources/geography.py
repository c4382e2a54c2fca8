"""Base geography of Ukraine, read from the files bundled with garant.

Everything here reads ``garant/data/geo/*.parquet`` (GeoParquet, EPSG:4326), built by
``tools/build_bundled_data.py`` from Natural Earth, geoBoundaries and GeoNames (see
``garant/data/ATTRIBUTION.md``); nothing reads the network or ``shared/data``. Readers are
cached; the functions return copies (GeoDataFrames) or immutable shapely geometries.

Two measuring helpers are used across garant: :func:`equal_area_km2` (areas in the
equal-area EPSG:6933) and :func:`geodesic_length_km` (lengths on the WGS84 ellipsoid).
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Iterable
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any, TypeAlias

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow
import shapely
from numpy.typing import ArrayLike, NDArray
from pyproj import Geod, Transformer
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from garant.errors import DataError

__all__ = [
    "BOUNDARY_KINDS",
    "UKRAINE_OFFICIAL_AREA_KM2",
    "countries",
    "equal_area_km2",
    "geodesic_length_km",
    "nearest_settlement",
    "oblasts",
    "settlements",
    "ukraine",
    "ukraine_area_km2",
    "ukraine_boundary",
    "ukraine_territory",
]

logger = logging.getLogger(__name__)

#: Official area of Ukraine in its internationally recognised borders (km²), as given by
#: the State Statistics Service of Ukraine and the Constitution-era reference figure
#: (603,628 km², incl. Crimea; e.g. Ukrstat "Statistical Yearbook of Ukraine", section
#: "Territory"). Natural Earth's 1:10m polygon measures about 599,100 km² (EPSG:6933);
#: the difference is generalisation of the coast and the inland waters.
UKRAINE_OFFICIAL_AREA_KM2: float = 603_628.0

#: Values of ``ukraine_boundary()["kind"]``: the border with each neighbour, then the coast.
BOUNDARY_KINDS: tuple[str, ...] = (
    "russia",
    "belarus",
    "moldova",
    "romania",
    "hungary",
    "slovakia",
    "poland",
    "coast",
)

#: Lambert azimuthal equal-area projection centred on Ukraine, for nearest-neighbour search
#: (scale error < 0.5 % inside Ukraine).
_LOCAL_LAEA = "+proj=laea +lat_0=48.5 +lon_0=31.5 +ellps=WGS84 +units=m +no_defs"
_GEOD = Geod(ellps="WGS84")
_tls = threading.local()

GeometryInput: TypeAlias = (
    BaseGeometry | gpd.GeoSeries | Iterable[BaseGeometry | None] | NDArray[Any]
)


# ----------------------------------------------------------------------------------------
# reading the bundled files
# ----------------------------------------------------------------------------------------


def _data_dir() -> Traversable:
    return files("garant") / "data"


def _read_parquet(path: Traversable, columns: tuple[str, ...]) -> gpd.GeoDataFrame:
    """Read one bundled GeoParquet file and check its columns and CRS."""
    try:
        with path.open("rb") as f:
            gdf = gpd.read_parquet(f)
    except (OSError, ValueError, pyarrow.ArrowException) as exc:
        raise DataError(f"bundled file {path}: cannot read ({exc})") from exc
    missing = [c for c in columns if c not in gdf.columns]
    if missing:
        raise DataError(f"bundled file {path}: missing columns {missing}")
    if gdf.crs is None or gdf.crs.to_epsg() != 4326:
        raise DataError(f"bundled file {path}: CRS is {gdf.crs}, expected EPSG:4326")
    return gdf


@functools.cache
def _load(name: str, columns: tuple[str, ...]) -> gpd.GeoDataFrame:
    gdf = _read_parquet(_data_dir() / "geo" / f"{name}.parquet", columns)
    logger.debug("read bundled %s.parquet: %d rows", name, len(gdf))
    return gdf


# ----------------------------------------------------------------------------------------
# measuring
# ----------------------------------------------------------------------------------------


def _transformer(target: str) -> Transformer:
    cache: dict[str, Transformer] | None = getattr(_tls, "transformers", None)
    if cache is None:
        cache = _tls.transformers = {}
    if target not in cache:
        cache[target] = Transformer.from_crs("EPSG:4326", target, always_xy=True)
    return cache[target]


def _geometry_array(geoms: GeometryInput) -> NDArray[np.object_]:
    """Geometries as a 1-D object array in EPSG:4326 (GeoSeries are reprojected)."""
    if isinstance(geoms, BaseGeometry):
        return np.array([geoms], dtype=object)
    if isinstance(geoms, gpd.GeoSeries):
        if geoms.crs is not None and geoms.crs.to_epsg() != 4326:
            geoms = geoms.to_crs(4326)
        return np.asarray(geoms.values, dtype=object)
    return np.asarray(list(geoms) if not isinstance(geoms, np.ndarray) else geoms, dtype=object)


def _project(geoms: NDArray[np.object_], target: str) -> NDArray[np.object_]:
    tr = _transformer(target)

    def fn(xy: NDArray[np.float64]) -> NDArray[np.float64]:
        x, y = tr.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return np.asarray(shapely.transform(geoms, fn), dtype=object)


def equal_area_km2(geoms: GeometryInput) -> NDArray[np.float64]:
    """Area of each geometry in km², in the equal-area projection EPSG:6933.

    Parameters
    ----------
    geoms : shapely geometry, GeoSeries or sequence of geometries
        Geometries in EPSG:4326 (a GeoSeries with another CRS is reprojected first).
        ``None`` and empty geometries measure 0.

    Returns
    -------
    numpy.ndarray of float
        Area in km², one value per geometry (length 1 for a single geometry).

    Notes
    -----
    All coordinates go through one vectorised pyproj call (``shapely.transform``), so a
    batch costs about as much as its vertex count.
    """
    arr = _geometry_array(geoms)
    if arr.size == 0:
        return np.zeros(0, dtype=float)
    area = shapely.area(_project(arr, "EPSG:6933")) / 1e6
    return np.nan_to_num(np.asarray(area, dtype=float), nan=0.0)


def geodesic_length_km(geoms: GeometryInput) -> NDArray[np.float64]:
    """Geodesic length of each geometry in km, on the WGS84 ellipsoid.

    Parameters
    ----------
    geoms : shapely geometry, GeoSeries or sequence of geometries
        Geometries in EPSG:4326. For polygons the perimeter is measured; points, ``None``
        and empty geometries measure 0.

    Returns
    -------
    numpy.ndarray of float
        Length in km, one value per geometry.
    """
    arr = _geometry_array(geoms)
    out = np.zeros(arr.size, dtype=float)
    for i, g in enumerate(arr):
        if g is not None and not g.is_empty:
            out[i] = _GEOD.geometry_length(g) / 1000.0
    return out


# ----------------------------------------------------------------------------------------
# the bundled layers
# ----------------------------------------------------------------------------------------


@functools.cache
def ukraine() -> MultiPolygon:
    """Ukraine in its internationally recognised borders, land only (EPSG:4326).

    Natural Earth 1:10m admin-0 (German point of view: Crimea, Sevastopol and all of
    Donetsk and Luhansk oblasts inside Ukraine) at full resolution; the clip mask for
    every measure of occupied territory.

    Returns
    -------
    shapely.MultiPolygon
        Valid, lon/lat.
    """
    gdf = _load("countries", ("iso_a3", "name"))
    row = gdf.loc[gdf["iso_a3"] == "UKR", "geometry"]
    if len(row) != 1:
        raise DataError("bundled file geo/countries.parquet: no single row with iso_a3 'UKR'")
    geom = row.iloc[0]
    if isinstance(geom, Polygon):
        geom = MultiPolygon([geom])
    if not isinstance(geom, MultiPolygon) or not geom.is_valid:
        raise DataError("bundled file geo/countries.parquet: Ukraine is not a valid polygon")
    return geom


@functools.cache
def ukraine_territory() -> BaseGeometry:
    """Ukraine's territory including inland and coastal waters (EPSG:4326).

    The union of Natural Earth's land (:func:`ukraine`) and the geoBoundaries
    oblasts, which extend over inland waters, lagoons such as the Syvash, the Sea
    of Azov and the 12 nm territorial sea. It is the clip mask of occupied areas:
    DeepStateMap's polygons cover the Syvash and the shore, and the official
    area of 603,628 km² includes inland waters, so clipping to land alone would
    understate the occupied share by about 0.3 points.

    Returns
    -------
    shapely geometry
        A valid (Multi)Polygon.
    """
    obl = oblasts(land_only=False).geometry.to_numpy()
    geom = shapely.union_all([ukraine(), *obl])
    return shapely.make_valid(geom) if not geom.is_valid else geom


@functools.cache
def ukraine_area_km2() -> float:
    """Area of :func:`ukraine` in km² (EPSG:6933), about 599,100 km²."""
    return float(equal_area_km2(ukraine())[0])


def countries() -> gpd.GeoDataFrame:
    """Ukraine and the ten countries around it, for maps.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``iso_a3``, ``name`` (English), ``geometry`` (MultiPolygon, EPSG:4326).
        Ukraine is at full resolution, the others simplified to about 0.005° (~500 m);
        Russia is clipped to lon 19–50°, lat 40–60°.
    """
    return _load("countries", ("iso_a3", "name"))[["iso_a3", "name", "geometry"]].copy()


def oblasts(*, land_only: bool = True) -> gpd.GeoDataFrame:
    """Ukraine's 27 first-level units: 24 oblasts, Crimea, Kyiv City and Sevastopol City.

    Parameters
    ----------
    land_only : bool, default True
        True: each unit ∩ :func:`ukraine` (slivers where the OSM and Natural Earth borders
        differ assigned to a neighbouring unit), so the units partition Ukraine's land and
        their ``area_km2`` sum to :func:`ukraine_area_km2`. False: the geoBoundaries
        (OpenStreetMap) units as they are, including territorial waters and the Sea of Azov.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``iso`` (ISO 3166-2, e.g. ``UA-14``), ``name`` (modern English spelling,
        e.g. ``Odesa Oblast``, ``Kyiv City``), ``name_osm`` (geoBoundaries' 2017 name),
        ``area_km2`` (EPSG:6933), ``geometry`` (MultiPolygon, EPSG:4326). Sorted by ``iso``.
        Coverage-simplified (~0.002°), neighbours stay edge-matched.
    """
    cols = ("iso", "name", "name_osm", "area_km2")
    gdf = _load("oblasts_land" if land_only else "oblasts", cols)
    return gdf[[*cols, "geometry"]].copy()


def ukraine_boundary() -> gpd.GeoDataFrame:
    """Ukraine's boundary split into the border with each neighbour and the coast.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per kind in :data:`BOUNDARY_KINDS`; columns ``kind``, ``length_km``
        (geodesic, WGS84), ``geometry`` (MultiLineString, EPSG:4326). The parts together
        are the boundary of :func:`ukraine`. Lengths are those of Natural Earth's 1:10m
        lines, shorter than published figures (e.g. 1,524 km vs 1,974 km with Russia),
        because the lines are generalised.
    """
    gdf = _load("ukraine_boundary", ("kind", "length_km"))
    return gdf[["kind", "length_km", "geometry"]].copy()


def settlements(*, min_population: int = 0, include_sections: bool = False) -> gpd.GeoDataFrame:
    """Populated places of Ukraine from GeoNames (population >= 500).

    Parameters
    ----------
    min_population : int, default 0
        Keep settlements with at least this many inhabitants.
    include_sections : bool, default False
        GeoNames also lists districts of large cities (e.g. Obolon in Kyiv, Saltivka in
        Kharkiv) with their own population; they are flagged ``is_section`` by a heuristic
        at build time and left out by default so that populations can be summed.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``name`` (English, GeoNames), ``name_uk`` (Ukrainian Cyrillic name or
        ``''``), ``population``, ``oblast_iso``, ``is_section``, ``geonameid``,
        ``geometry`` (Point, EPSG:4326). Sorted by ``geonameid``.
    """
    cols = ("name", "name_uk", "population", "oblast_iso", "is_section", "geonameid")
    gdf = _load("settlements", cols)
    keep = gdf["population"].to_numpy() >= min_population
    if not include_sections:
        keep &= ~gdf["is_section"].to_numpy(dtype=bool)
    return gdf.loc[keep, [*cols, "geometry"]].reset_index(drop=True)


@functools.cache
def _settlement_tree(
    min_population: int, include_sections: bool
) -> tuple[shapely.STRtree, gpd.GeoDataFrame]:
    pts = settlements(min_population=min_population, include_sections=include_sections)
    if pts.empty:
        raise DataError(f"no bundled settlement has a population >= {min_population}")
    return shapely.STRtree(_project(np.asarray(pts.geometry.values), _LOCAL_LAEA)), pts


def nearest_settlement(
    points: gpd.GeoSeries | ArrayLike,
    *,
    min_population: int = 0,
    include_sections: bool = False,
) -> pd.DataFrame:
    """The nearest settlement to each point.

    Parameters
    ----------
    points : GeoSeries of points, or array-like of shape (n, 2)
        Points in EPSG:4326 (lon, lat). A GeoSeries with another CRS is reprojected.
    min_population : int, default 0
        Consider only settlements with at least this many inhabitants.
    include_sections : bool, default False
        Whether city districts count (see :func:`settlements`).

    Returns
    -------
    pandas.DataFrame
        One row per point, same index as a GeoSeries input: ``name``, ``name_uk``,
        ``population``, ``oblast_iso``, ``geonameid``, ``distance_km`` (geodesic, WGS84).

    Notes
    -----
    The search runs in a Lambert azimuthal equal-area projection centred on Ukraine
    (``shapely.STRtree.query_nearest``); the reported distance is then measured on the
    ellipsoid.

    Raises
    ------
    DataError
        If a point is missing, empty or not finite, or ``points`` has the wrong shape.
    """
    index: pd.Index | None = None
    if isinstance(points, gpd.GeoSeries):
        index = points.index
        pts = _geometry_array(points)
        if not all(isinstance(p, BaseGeometry) and p.geom_type == "Point" for p in pts):
            raise DataError("nearest_settlement: every geometry must be a Point")
        xy = shapely.get_coordinates(pts) if len(pts) else np.zeros((0, 2))
        if len(xy) != len(pts):
            raise DataError("nearest_settlement: empty point in input")
    else:
        xy = np.asarray(points, dtype=float).reshape(-1, 2) if np.size(points) else np.zeros((0, 2))
        if np.ndim(points) not in (1, 2) or (np.ndim(points) == 2 and np.shape(points)[1] != 2):
            raise DataError(f"nearest_settlement: expected (n, 2) lon/lat, got {np.shape(points)}")
    if not np.isfinite(xy).all():
        raise DataError("nearest_settlement: non-finite coordinates in input")

    tree, towns = _settlement_tree(int(min_population), bool(include_sections))
    query = _project(np.asarray(shapely.points(xy), dtype=object), _LOCAL_LAEA)
    nearest = np.zeros(len(xy), dtype=np.intp)
    if len(xy):
        q_idx, t_idx = tree.query_nearest(query, all_matches=False)
        nearest[q_idx] = t_idx
    chosen = towns.iloc[nearest]
    town_xy = shapely.get_coordinates(chosen.geometry.values)
    if len(xy):
        _, _, dist_m = _GEOD.inv(xy[:, 0], xy[:, 1], town_xy[:, 0], town_xy[:, 1])
    else:
        dist_m = np.zeros(0)
    out = pd.DataFrame(
        {
            "name": chosen["name"].to_numpy(),
            "name_uk": chosen["name_uk"].to_numpy(),
            "population": chosen["population"].to_numpy(),
            "oblast_iso": chosen["oblast_iso"].to_numpy(),
            "geonameid": chosen["geonameid"].to_numpy(),
            "distance_km": np.asarray(dist_m, dtype=float) / 1000.0,
        },
        index=index,
    )
    return out
