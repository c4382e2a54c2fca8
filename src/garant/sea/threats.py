"""Threats to shipping in the Black Sea, their reach, and mine danger areas.

The catalogue (``garant/data/sea/threats.toml``) lists anti-ship and strike systems
that can reach ships and ports from the Russian-held coast, each with a sourced range
and speed (:class:`garant.air.catalog.Quantity`). The functions here are pure:

* :func:`launch_area` builds the launch geometry: occupied territory of Ukraine (from
  the frontline store, passed in) plus Russia's coast on the Black Sea and the Sea
  of Azov;
* :func:`distance_km`, :func:`exposure_km` and :func:`exposed` say how far points are
  from it and whether they lie within a system's range (vectorised);
* :func:`exposure_frame` tabulates that for several systems, :func:`reach_polygon`
  draws a system's reach (a threat ring for maps);
* :func:`exposure_time_h` says how many hours a route spends within range;
* :func:`load_mine_areas` reads a user-editable GeoJSON layer of mine danger areas (the
  bundled one by default) and :func:`route_in_mine_areas_km` measures a route inside them.

Distances are computed in :data:`BLACK_SEA_CRS`, a Lambert azimuthal equal-area
projection centred on the Black Sea: over the sea (up to ~700 km from the centre) its
distance error stays below about 1 %. Ranges beyond ~1,000 km (Kalibr, Shahed) cover
the whole sea anyway.
"""

from __future__ import annotations

import functools
import json
import logging
import math
import tomllib
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import ArrayLike, NDArray
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator
from pyproj import Transformer
from shapely.geometry import box, shape
from shapely.geometry.base import BaseGeometry

from garant.air.catalog import Quantity
from garant.errors import ConfigError, DataError, NotFoundError

__all__ = [
    "BASINGS",
    "BLACK_SEA_BBOX",
    "BLACK_SEA_CRS",
    "BUNDLED_MINE_AREAS",
    "CATEGORIES",
    "KNOT_KMH",
    "MINE_COLUMNS",
    "MINE_KINDS",
    "SeaThreat",
    "distance_km",
    "exposed",
    "exposure_frame",
    "exposure_km",
    "exposure_time_h",
    "get_sea_threat",
    "launch_area",
    "load_mine_areas",
    "load_sea_threats",
    "reach_polygon",
    "route_in_mine_areas_km",
]

logger = logging.getLogger(__name__)

#: Metric CRS for distances over the Black Sea (LAEA centred at 43.5 N, 34.5 E).
BLACK_SEA_CRS = "+proj=laea +lat_0=43.5 +lon_0=34.5 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs"

#: (min lon, min lat, max lon, max lat) of the Black Sea and Sea of Azov with their
#: coasts, degrees; :func:`launch_area` keeps Russia's land inside it.
BLACK_SEA_BBOX: tuple[float, float, float, float] = (27.0, 40.5, 42.0, 47.5)

#: One knot in km/h.
KNOT_KMH = 1.852

#: Where a system is launched from (see the catalogue's header).
BASINGS: tuple[str, ...] = ("crimea", "occupied_coast", "russian_coast", "ships", "aircraft")

#: Kinds of system.
CATEGORIES: tuple[str, ...] = (
    "coastal_missile",
    "air_launched_missile",
    "ship_launched_missile",
    "strike_uav",
    "loitering",
    "naval_drone",
    "aircraft",
)

#: Kinds of mine danger area.
MINE_KINDS: tuple[str, ...] = ("declared", "drifting")

Bound = Literal["value", "low", "high"]


class SeaThreat(BaseModel):
    """A system that can strike ships or ports in the Black Sea.

    Attributes
    ----------
    id, name : str
        Catalogue key and display name.
    category : str
        One of :data:`CATEGORIES`.
    basing : list of str
        Where it is launched from, each one of :data:`BASINGS`.
    range_km : Quantity
        Reach from the launch area, km.
    speed_kmh : Quantity
        Speed on the way to the target, km/h.
    air_threat : str or None
        Id of the matching entry of the air catalogue.
    notes : str
        Anything else worth knowing.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    name: str
    category: str
    basing: list[str]
    range_km: Quantity
    speed_kmh: Quantity
    air_threat: str | None = None
    notes: str = ""

    @field_validator("category")
    @classmethod
    def _category(cls, v: str) -> str:
        if v not in CATEGORIES:
            raise ValueError(f"category {v!r} is not one of {', '.join(CATEGORIES)}")
        return v

    @field_validator("basing")
    @classmethod
    def _basing(cls, v: list[str]) -> list[str]:
        if not v:
            raise ValueError("basing is empty")
        bad = [b for b in v if b not in BASINGS]
        if bad:
            raise ValueError(f"basing {bad[0]!r} is not one of {', '.join(BASINGS)}")
        return v

    @field_validator("range_km")
    @classmethod
    def _range_unit(cls, v: Quantity) -> Quantity:
        if v.unit != "km":
            raise ValueError(f"range_km unit {v.unit!r} should be 'km'")
        return v

    @field_validator("speed_kmh")
    @classmethod
    def _speed_unit(cls, v: Quantity) -> Quantity:
        if v.unit != "km/h":
            raise ValueError(f"speed_kmh unit {v.unit!r} should be 'km/h'")
        if v.low <= 0:
            raise ValueError("speed_kmh must be positive")
        return v


def _parse(data: Mapping[str, Any], origin: str) -> dict[str, SeaThreat]:
    extra = set(data) - {"version", "systems"}
    if extra:
        raise ConfigError(f"{origin}: unknown top-level key {sorted(extra)[0]!r}")
    systems = data.get("systems")
    if not isinstance(systems, Mapping) or not systems:
        raise ConfigError(f"{origin}: no [systems.<id>] tables")
    out: dict[str, SeaThreat] = {}
    problems: list[str] = []
    for key, entry in systems.items():
        if not isinstance(entry, Mapping):
            problems.append(f"systems.{key}: not a table")
            continue
        try:
            out[key] = SeaThreat.model_validate({"id": key, **entry})
        except ValidationError as exc:
            for err in exc.errors():
                loc = ".".join(str(p) for p in err["loc"])
                problems.append(f"systems.{key}.{loc}: {err['msg']}")
    if problems:
        raise ConfigError(f"{origin}: {'; '.join(problems)}")
    return out


@functools.cache
def _bundled() -> dict[str, SeaThreat]:
    text = resources.files("garant").joinpath("data", "sea", "threats.toml").read_text("utf-8")
    return _parse(tomllib.loads(text), "garant/data/sea/threats.toml")


def load_sea_threats(path: str | Path | None = None) -> dict[str, SeaThreat]:
    """Load the sea threat catalogue.

    Parameters
    ----------
    path : str or Path, optional
        A TOML file with ``[systems.<id>]`` tables in the bundled layout. Its entries
        replace bundled entries of the same id (as a whole) and add new ones. Default:
        the bundled catalogue only.

    Returns
    -------
    dict of str to SeaThreat
        By id.

    Raises
    ------
    garant.errors.ConfigError
        The file is not valid TOML or an entry is invalid (all problems in one message).
    garant.errors.NotFoundError
        ``path`` does not exist.
    """
    out = dict(_bundled())
    if path is None:
        return out
    p = Path(path)
    if not p.is_file():
        raise NotFoundError(f"{p}: sea threat catalogue not found")
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{p}: not valid TOML ({exc})") from None
    out.update(_parse(data, str(p)))
    return out


def get_sea_threat(system: str | SeaThreat) -> SeaThreat:
    """Return a system of the bundled catalogue by id (a :class:`SeaThreat` passes through).

    Raises
    ------
    garant.errors.NotFoundError
        No system has that id.
    """
    if isinstance(system, SeaThreat):
        return system
    cat = _bundled()
    if system not in cat:
        raise NotFoundError(f"unknown threat system {system!r} (known: {', '.join(sorted(cat))})")
    return cat[system]


@functools.cache
def _to_metric() -> Transformer:
    return Transformer.from_crs("EPSG:4326", BLACK_SEA_CRS, always_xy=True)


@functools.cache
def _to_lonlat() -> Transformer:
    return Transformer.from_crs(BLACK_SEA_CRS, "EPSG:4326", always_xy=True)


def _project(geom: BaseGeometry) -> BaseGeometry:
    t = _to_metric()
    return shapely.transform(geom, lambda xy: np.column_stack(t.transform(xy[:, 0], xy[:, 1])))


def _points_xy(points_lonlat: ArrayLike) -> NDArray[np.float64]:
    pts = np.asarray(points_lonlat, dtype=np.float64)
    if pts.ndim == 1 and pts.shape == (2,):
        pts = pts[None, :]
    if pts.ndim != 2 or pts.shape[1] != 2:
        raise DataError(f"points_lonlat: expected shape (n, 2), got {pts.shape}")
    if not np.isfinite(pts).all():
        raise DataError("points_lonlat: non-finite coordinate")
    if (np.abs(pts[:, 0]) > 180).any() or (np.abs(pts[:, 1]) > 90).any():
        raise DataError("points_lonlat: coordinate outside lon [-180, 180] / lat [-90, 90]")
    x, y = _to_metric().transform(pts[:, 0], pts[:, 1])
    return np.column_stack([x, y])


def _launch_metric(launch_geom: BaseGeometry) -> BaseGeometry:
    if not isinstance(launch_geom, BaseGeometry) or launch_geom.is_empty:
        raise DataError("launch_geom: empty or not a geometry")
    return _project(launch_geom)


def _range_km(system: str | SeaThreat, bound: Bound) -> float:
    if bound not in ("value", "low", "high"):
        raise DataError(f"bound {bound!r} is not one of value, low, high")
    return float(getattr(get_sea_threat(system).range_km, bound))


def launch_area(
    occupied: BaseGeometry,
    russia: BaseGeometry | None = None,
    *,
    bbox: tuple[float, float, float, float] = BLACK_SEA_BBOX,
) -> BaseGeometry:
    """The Russian-held land systems are launched from (EPSG:4326).

    Parameters
    ----------
    occupied : shapely geometry
        Occupied territory of Ukraine (Crimea included), EPSG:4326; e.g.
        ``garant.air.placement.occupied_from_store(store)``.
    russia : shapely geometry, optional
        Russia's territory, EPSG:4326 (``garant.sources.geography.countries()``'s RUS
        row); only the part inside ``bbox`` (its Black Sea and Azov coast) is kept.
    bbox : tuple of float
        (min lon, min lat, max lon, max lat), degrees.

    Returns
    -------
    shapely geometry
        The union. For a point at sea the nearest point of this land is on its coast,
        so distances from it are distances from the Russian-held coast.
    """
    if not isinstance(occupied, BaseGeometry):
        raise DataError("occupied: not a geometry")
    parts = [occupied] if not occupied.is_empty else []
    if russia is not None and not russia.is_empty:
        parts.append(shapely.intersection(shapely.make_valid(russia), box(*bbox)))
    if not parts:
        raise DataError("launch_area: occupied territory and Russia are both empty")
    return shapely.union_all([shapely.make_valid(p) for p in parts])


def distance_km(points_lonlat: ArrayLike, launch_geom: BaseGeometry) -> NDArray[np.float64]:
    """Distance from each point to the launch geometry, km (0 inside it).

    Parameters
    ----------
    points_lonlat : array_like, shape (n, 2)
        Points, (lon, lat) degrees.
    launch_geom : shapely geometry
        Launch area, EPSG:4326 (:func:`launch_area`).

    Returns
    -------
    numpy.ndarray of float, shape (n,)
    """
    xy = _points_xy(points_lonlat)
    geom = _launch_metric(launch_geom)
    shapely.prepare(geom)
    pts = shapely.points(xy)
    return np.asarray(shapely.distance(pts, geom), dtype=np.float64) / 1000.0


def exposure_km(
    points_lonlat: ArrayLike,
    launch_geom: BaseGeometry,
    system: str | SeaThreat,
    *,
    bound: Bound = "value",
) -> NDArray[np.float64]:
    """How deep each point lies inside a system's reach, km.

    Parameters
    ----------
    points_lonlat : array_like, shape (n, 2)
        Points, (lon, lat) degrees.
    launch_geom : shapely geometry
        Launch area, EPSG:4326 (:func:`launch_area`).
    system : str or SeaThreat
        Catalogue id (``"bastion_p"``) or entry.
    bound : {"value", "low", "high"}
        Which range of the system's :class:`Quantity` to use.

    Returns
    -------
    numpy.ndarray of float, shape (n,)
        ``range_km - distance_km``: positive inside the reach (the point is exposed),
        negative outside (how far beyond it).

    Raises
    ------
    garant.errors.NotFoundError
        Unknown system id.
    garant.errors.DataError
        Malformed points or an empty launch geometry.
    """
    r = _range_km(system, bound)
    return r - distance_km(points_lonlat, launch_geom)


def exposed(
    points_lonlat: ArrayLike,
    launch_geom: BaseGeometry,
    system: str | SeaThreat,
    *,
    bound: Bound = "value",
) -> NDArray[np.bool_]:
    """Which points lie within a system's range of the launch area.

    Parameters are those of :func:`exposure_km`; returns a boolean array, shape (n,).
    """
    return exposure_km(points_lonlat, launch_geom, system, bound=bound) >= 0.0


def exposure_time_h(
    route_line: BaseGeometry,
    speed_kn: float,
    launch_geom: BaseGeometry,
    system: str | SeaThreat,
    *,
    bound: Bound = "value",
    step_km: float = 1.0,
) -> float:
    """Hours a route spends within a system's range.

    The route is densified to ``step_km`` in :data:`BLACK_SEA_CRS`; a segment counts
    as exposed when its midpoint is within range (error at most ``step_km`` per
    entry into or exit from the reach).

    Parameters
    ----------
    route_line : LineString or MultiLineString
        The route, EPSG:4326.
    speed_kn : float
        Speed over ground, knots (> 0).
    launch_geom : shapely geometry
        Launch area, EPSG:4326 (:func:`launch_area`).
    system : str or SeaThreat
        Catalogue id or entry.
    bound : {"value", "low", "high"}
        Which range of the system to use.
    step_km : float
        Densification step, km (> 0).

    Returns
    -------
    float
        Hours within range.

    Raises
    ------
    garant.errors.DataError
        Not a line, a non-positive speed or step, or an empty launch geometry.
    garant.errors.NotFoundError
        Unknown system id.
    """
    try:
        speed = float(speed_kn)
    except (TypeError, ValueError):
        raise DataError(f"speed_kn {speed_kn!r} is not a number") from None
    if not (math.isfinite(speed) and speed > 0):
        raise DataError(f"speed_kn {speed_kn!r} must be a positive number of knots")
    length = _exposed_length_km(route_line, launch_geom, _range_km(system, bound), step_km)
    return length / (speed * KNOT_KMH)


def _segments(line: BaseGeometry, step_km: float) -> tuple[NDArray[Any], NDArray[np.float64]]:
    """Midpoints (metric) and lengths (km) of the densified line's segments."""
    if not (math.isfinite(step_km) and step_km > 0):
        raise DataError(f"step_km {step_km!r} must be positive")
    if not isinstance(line, BaseGeometry) or line.geom_type not in (
        "LineString",
        "MultiLineString",
    ):
        kind = getattr(line, "geom_type", type(line).__name__)
        raise DataError(f"route_line: expected a LineString, got {kind}")
    if line.is_empty:
        raise DataError("route_line: empty line")
    metric = shapely.segmentize(_project(line), step_km * 1000.0)
    mids: list[NDArray[np.float64]] = []
    lens: list[NDArray[np.float64]] = []
    for part in shapely.get_parts(metric):
        xy = shapely.get_coordinates(part)
        if len(xy) < 2:
            continue
        mids.append((xy[1:] + xy[:-1]) / 2.0)
        lens.append(np.hypot(*(xy[1:] - xy[:-1]).T) / 1000.0)
    if not mids:
        return np.empty((0, 2)), np.empty(0)
    return np.concatenate(mids), np.concatenate(lens)


def _exposed_length_km(
    route_line: BaseGeometry, launch_geom: BaseGeometry, range_km: float, step_km: float
) -> float:
    mids, lens = _segments(route_line, step_km)
    if len(lens) == 0:
        return 0.0
    geom = _launch_metric(launch_geom)
    shapely.prepare(geom)
    d_km = np.asarray(shapely.distance(shapely.points(mids), geom)) / 1000.0
    return float(lens[d_km <= range_km].sum())


def exposure_frame(
    points_lonlat: ArrayLike,
    launch_geom: BaseGeometry,
    systems: Sequence[str | SeaThreat] | None = None,
    *,
    bound: Bound = "value",
) -> pd.DataFrame:
    """Distance to the launch area and exposure to each system, one row per point.

    Parameters
    ----------
    points_lonlat : array_like, shape (n, 2)
        Points, (lon, lat) degrees.
    launch_geom : shapely geometry
        Launch area, EPSG:4326 (:func:`launch_area`).
    systems : sequence of str or SeaThreat, optional
        Systems to report (default: every bundled system).
    bound : {"value", "low", "high"}
        Which range of each system to use.

    Returns
    -------
    pandas.DataFrame
        Columns ``lon``, ``lat``, ``distance_km`` and one boolean column per system id
        (True where the point is within that system's range).
    """
    chosen = [get_sea_threat(s) for s in (systems if systems is not None else _bundled())]
    _points_xy(points_lonlat)  # validates
    lonlat = np.asarray(points_lonlat, dtype=np.float64).reshape(-1, 2)
    d = distance_km(lonlat, launch_geom)
    frame = pd.DataFrame({"lon": lonlat[:, 0], "lat": lonlat[:, 1], "distance_km": d})
    for s in chosen:
        frame[s.id] = d <= _range_km(s, bound)
    logger.debug("exposure of %d points to %d systems", len(frame), len(chosen))
    return frame


def reach_polygon(
    launch_geom: BaseGeometry,
    system: str | SeaThreat,
    *,
    bound: Bound = "value",
    clip: BaseGeometry | None = None,
    simplify_km: float = 0.5,
) -> BaseGeometry:
    """The area within a system's range of the launch area (a "threat ring"), EPSG:4326.

    Parameters
    ----------
    launch_geom : shapely geometry
        Launch area, EPSG:4326 (:func:`launch_area`).
    system : str or SeaThreat
        Catalogue id or entry.
    bound : {"value", "low", "high"}
        Which range of the system to use.
    clip : shapely geometry, optional
        Keep only the part inside it (e.g. the Black Sea water polygon), EPSG:4326.
    simplify_km : float
        The launch area is simplified to this tolerance before buffering, km (the
        ring's edge moves by at most as much).

    Returns
    -------
    shapely geometry
        Polygon or MultiPolygon, EPSG:4326.
    """
    r_km = _range_km(system, bound)
    geom = _launch_metric(launch_geom)
    if simplify_km > 0:
        geom = shapely.simplify(geom, simplify_km * 1000.0)
    ring = shapely.buffer(geom, r_km * 1000.0, quad_segs=16)
    inv = _to_lonlat()
    out: BaseGeometry = shapely.transform(
        ring, lambda xy: np.column_stack(inv.transform(xy[:, 0], xy[:, 1]))
    )
    if clip is not None:
        out = shapely.intersection(out, shapely.make_valid(clip))
    return out


# -- mine danger areas ----------------------------------------------------------------


#: Value of a mission's ``mine_areas`` that names the bundled layer.
BUNDLED_MINE_AREAS = "bundled"

#: Columns of :func:`load_mine_areas`' frame.
MINE_COLUMNS: tuple[str, ...] = ("id", "name", "kind", "source", "avoid", "note", "geometry")


def load_mine_areas(path: str | Path | None = None) -> gpd.GeoDataFrame:
    """Read a user-editable layer of mine danger areas.

    The file is a GeoJSON ``FeatureCollection`` of ``Polygon`` / ``MultiPolygon``
    features (EPSG:4326) whose properties are:

    ``kind`` (required)
        ``"declared"`` (a zone declared mined or closed by a navy or a NAVAREA
        warning) or ``"drifting"`` (an area where drifting mines were reported).
    ``source`` (required)
        Where it comes from (a warning number, a publication, a URL).
    ``name``, ``id`` (optional)
        Labels; ``id`` defaults to the feature's index.
    ``avoid`` (optional, default false)
        True: routes may not enter the area at all; false: entering it costs extra
        (:func:`garant.sea.corridor.plan_route`).
    ``note`` (optional)
        How the polygon was drawn from the source, or what it is anchored on.

    Parameters
    ----------
    path : str or Path, optional
        The GeoJSON file; None or ``"bundled"`` (:data:`BUNDLED_MINE_AREAS`) reads
        the bundled layer ``garant/data/sea/mine_areas.geojson``: declared mined
        areas off Ukraine's coast and in the Karkinit Gulf from a UKHO Notice to
        Mariners (2023) and a NAVAREA III warning (each feature cites its source).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns :data:`MINE_COLUMNS` (``id``, ``name``, ``kind``, ``source``,
        ``avoid``, ``note``, ``geometry``; EPSG:4326), one row per feature (an empty
        collection gives an empty frame).

    Raises
    ------
    garant.errors.NotFoundError
        The file does not exist.
    garant.errors.DataError
        Not GeoJSON, or a feature with a bad geometry, kind, source or avoid flag;
        the message names the file and the feature.
    """
    if path is None or (isinstance(path, str) and path == BUNDLED_MINE_AREAS):
        label = Path("garant/data/sea/mine_areas.geojson")
        text = resources.files("garant").joinpath("data", "sea", "mine_areas.geojson")
        return _mine_frame(label, text.read_text("utf-8"))
    p = Path(path)
    if not p.is_file():
        raise NotFoundError(f"{p}: mine area layer not found")
    try:
        raw = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(f"{p}: not valid JSON ({exc})") from None
    except OSError as exc:
        raise DataError(f"{p}: cannot read ({exc.strerror or exc})") from None
    return _mine_frame(p, raw)


def _mine_frame(p: Path, raw: str) -> gpd.GeoDataFrame:
    try:
        doc = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise DataError(f"{p}: not valid JSON ({exc})") from None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise DataError(f"{p}: expected a GeoJSON FeatureCollection")
    features = doc.get("features")
    if not isinstance(features, list):
        raise DataError(f"{p}: 'features' is not a list")
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, feat in enumerate(features):
        rows.append(_mine_row(p, i, feat, seen))
    frame = gpd.GeoDataFrame(
        rows or None,
        columns=list(MINE_COLUMNS),
        geometry="geometry",
        crs="EPSG:4326",
    )
    frame["avoid"] = frame["avoid"].astype(bool)
    logger.debug("%s: %d mine danger areas", p, len(frame))
    return frame


def _mine_row(p: Path, i: int, feat: Any, seen: set[str]) -> dict[str, Any]:
    where = f"{p}: feature {i}"
    if not isinstance(feat, dict) or feat.get("type") != "Feature":
        raise DataError(f"{where}: not a GeoJSON Feature")
    props = feat.get("properties") or {}
    if not isinstance(props, dict):
        raise DataError(f"{where}: properties is not an object")
    fid = str(props.get("id", i))
    where = f"{p}: feature {i} (id {fid!r})"
    if fid in seen:
        raise DataError(f"{where}: duplicate id")
    seen.add(fid)
    kind = props.get("kind")
    if kind not in MINE_KINDS:
        raise DataError(f"{where}: kind {kind!r} is not one of {', '.join(MINE_KINDS)}")
    source = props.get("source")
    if not isinstance(source, str) or not source.strip():
        raise DataError(f"{where}: needs a non-empty 'source'")
    gj = feat.get("geometry")
    if not isinstance(gj, dict) or gj.get("type") not in ("Polygon", "MultiPolygon"):
        got = gj.get("type") if isinstance(gj, dict) else gj
        raise DataError(f"{where}: geometry must be a Polygon or MultiPolygon, got {got!r}")
    try:
        geom = shape(gj)
    except (ValueError, TypeError, AttributeError, IndexError) as exc:
        raise DataError(f"{where}: malformed geometry ({exc})") from None
    if geom.is_empty:
        raise DataError(f"{where}: empty geometry")
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise DataError(f"{where}: coordinates outside lon/lat range (expected EPSG:4326)")
    if not geom.is_valid:
        reason = shapely.is_valid_reason(geom)
        raise DataError(f"{where}: invalid polygon ({reason})")
    avoid = props.get("avoid", False)
    if not isinstance(avoid, bool):
        raise DataError(f"{where}: avoid {avoid!r} must be true or false")
    name = props.get("name", "")
    return {
        "id": fid,
        "name": str(name),
        "kind": kind,
        "source": source.strip(),
        "avoid": avoid,
        "note": str(props.get("note", "")),
        "geometry": geom,
    }


def route_in_mine_areas_km(
    route_line: BaseGeometry,
    areas: gpd.GeoDataFrame | Sequence[BaseGeometry],
    *,
    step_km: float = 0.5,
) -> float:
    """Length of a route inside mine danger areas, km.

    Parameters
    ----------
    route_line : LineString or MultiLineString
        The route, EPSG:4326.
    areas : GeoDataFrame or sequence of shapely geometry
        Mine danger areas, EPSG:4326 (:func:`load_mine_areas`).
    step_km : float
        Densification step, km; a segment counts when its midpoint is inside.

    Returns
    -------
    float
        Length within any area, km (0 when there are none).
    """
    geoms = list(areas.geometry) if isinstance(areas, gpd.GeoDataFrame) else list(areas)
    mids, lens = _segments(route_line, step_km)
    if not geoms or len(lens) == 0:
        return 0.0
    union = _project(shapely.union_all(geoms))
    shapely.prepare(union)
    inside = shapely.contains_xy(union, mids[:, 0], mids[:, 1])
    return float(lens[inside].sum())
