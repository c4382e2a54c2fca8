"""Candidate bases of a land force and the movement parameters between base and line.

The bundled catalogue ``garant/data/land/bases.toml`` holds:

``[bases.<id>]``
    A city where a brigade could be garrisoned: ``name``, ``lon``, ``lat`` (degrees,
    EPSG:4326; copied from the city's GeoNames entry, ``geonameid``) and a ``note``.
``[movement]``
    ``road_factor`` (road distance over straight-line distance, ``"ratio"``) and
    ``march_speed_kmh`` (rate of march of a mechanised column, ``"km/h"``), as
    :class:`~garant.land.catalog.LandQuantity`.

A user file with the same layout replaces the bundled one (:func:`load_bases`,
:func:`load_movement`); bases can also be given inline (:func:`resolve_bases`).
:func:`check_bases` refuses a base outside Ukraine or inside occupied territory.

Anything with ``line``, ``occupied`` and ``length_km`` attributes can stand for the
front (:class:`FrontLike`), e.g. :class:`garant.land.geometry.Front`.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import geopandas as gpd
import numpy as np
import shapely
from pydantic import BaseModel, ConfigDict, Field, field_validator
from shapely.geometry.base import BaseGeometry

from garant.errors import ConfigError, DataError, NotFoundError
from garant.land.catalog import LandQuantity, read_toml, validate

__all__ = [
    "BASE_COLUMNS",
    "BaseEntry",
    "FrontLike",
    "Movement",
    "check_bases",
    "default_movement",
    "list_bases",
    "load_bases",
    "load_movement",
    "make_bases",
    "resolve_bases",
]

#: Columns of a bases table, in order (plus ``geometry``).
BASE_COLUMNS: tuple[str, ...] = ("base_id", "name", "lon", "lat")

_BUNDLED = "bases.toml"
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")


@runtime_checkable
class FrontLike(Protocol):
    """What the land functions need of a front (:class:`garant.land.geometry.Front`).

    Attributes
    ----------
    line : shapely geometry
        The line of contact, (Multi)LineString, EPSG:4326.
    occupied : shapely geometry
        Russian-held territory of Ukraine, (Multi)Polygon, EPSG:4326.
    length_km : float
        Geodesic length of ``line``, km.
    """

    @property
    def line(self) -> BaseGeometry:
        """The line of contact."""
        ...

    @property
    def occupied(self) -> BaseGeometry:
        """Occupied territory."""
        ...

    @property
    def length_km(self) -> float:
        """Length of the line, km."""
        ...


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BaseEntry(_Strict):
    """One candidate base of the catalogue.

    Attributes
    ----------
    name : str
        Display name.
    lon, lat : float
        Position, degrees (EPSG:4326).
    geonameid : int or None
        The GeoNames entry the position comes from.
    note : str
        Free text.
    """

    name: str = Field(min_length=1)
    lon: float = Field(ge=-180.0, le=180.0)
    lat: float = Field(ge=-90.0, le=90.0)
    geonameid: int | None = None
    note: str = ""


class Movement(_Strict):
    """How a column moves from a base to the line.

    Attributes
    ----------
    road_factor : LandQuantity
        Road distance over straight-line (geodesic) distance, unit ``"ratio"`` (>= 1).
    march_speed_kmh : LandQuantity
        Rate of march of a mechanised column, unit ``"km/h"`` (> 0).
    """

    road_factor: LandQuantity
    march_speed_kmh: LandQuantity

    @field_validator("road_factor")
    @classmethod
    def _factor(cls, v: LandQuantity) -> LandQuantity:
        if v.unit != "ratio":
            raise ValueError(f"unit {v.unit!r} should be 'ratio'")
        if v.low < 1.0:
            raise ValueError(f"low {v.low:g} below 1 (a road is never shorter than the geodesic)")
        return v

    @field_validator("march_speed_kmh")
    @classmethod
    def _speed(cls, v: LandQuantity) -> LandQuantity:
        if v.unit != "km/h":
            raise ValueError(f"unit {v.unit!r} should be 'km/h'")
        if v.low <= 0.0:
            raise ValueError(f"low {v.low:g} must be above 0")
        return v


class _BasesFile(_Strict):
    version: int = 1
    movement: Movement | None = None
    bases: dict[str, BaseEntry] = {}

    @field_validator("bases")
    @classmethod
    def _ids(cls, v: dict[str, BaseEntry]) -> dict[str, BaseEntry]:
        for key in v:
            if not _ID_RE.match(key):
                raise ValueError(f"base id {key!r} must be lower-case letters, digits, '_' or '-'")
        return v


@dataclass(frozen=True)
class _Catalogue:
    label: str
    movement: Movement | None
    bases: dict[str, BaseEntry]


def _read(path: str | Path | None) -> _Catalogue:
    label, text, data = read_toml(path, _BUNDLED)
    doc = validate(_BasesFile, data, label=label, text=text, what=f"bases file {label}")
    return _Catalogue(label=label, movement=doc.movement, bases=dict(doc.bases))


@functools.cache
def _bundled() -> _Catalogue:
    return _read(None)


def _catalogue(path: str | Path | None) -> _Catalogue:
    return _bundled() if path is None else _read(path)


def list_bases(path: str | Path | None = None) -> list[str]:
    """Ids of the bases in a catalogue, in file order.

    Parameters
    ----------
    path : path-like, optional
        A bases file; default the bundled one.

    Returns
    -------
    list of str
    """
    return list(_catalogue(path).bases)


def load_movement(path: str | Path | None = None) -> Movement:
    """The ``[movement]`` table of a bases file.

    Parameters
    ----------
    path : path-like, optional
        A bases file; default the bundled one.

    Returns
    -------
    Movement

    Raises
    ------
    ConfigError
        The file has no ``[movement]`` table or it is invalid.
    """
    cat = _catalogue(path)
    if cat.movement is None:
        raise ConfigError(f"{cat.label}: movement: missing table [movement]")
    return cat.movement


def default_movement() -> Movement:
    """The bundled movement parameters (road factor 1.3, march speed 25 km/h)."""
    return load_movement(None)


def _check_point(what: str, lon: Any, lat: Any) -> tuple[float, float]:
    try:
        x, y = float(lon), float(lat)
    except (TypeError, ValueError):
        raise DataError(f"{what}: coordinates ({lon!r}, {lat!r}) are not numbers") from None
    if not (math.isfinite(x) and math.isfinite(y)):
        raise DataError(f"{what}: coordinates ({x:g}, {y:g}) are not finite")
    if not (-180.0 <= x <= 180.0 and -90.0 <= y <= 90.0):
        raise DataError(f"{what}: [lon, lat] = [{x:g}, {y:g}] is outside the globe")
    return x, y


def make_bases(records: Iterable[Mapping[str, Any]]) -> gpd.GeoDataFrame:
    """Build a bases table from records with ``base_id``, ``name``, ``lon``, ``lat``.

    Parameters
    ----------
    records : iterable of mappings
        One per base; ``name`` defaults to ``base_id``.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns :data:`BASE_COLUMNS` and ``geometry`` (Point, EPSG:4326).

    Raises
    ------
    DataError
        A record without ``base_id``, a repeated ``base_id``, or coordinates that are
        missing, not numbers, not finite or outside the globe.
    """
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, rec in enumerate(records):
        bid = str(rec.get("base_id", "") or "").strip()
        if not bid:
            raise DataError(f"bases[{i}]: missing base_id")
        if bid in seen:
            raise DataError(f"base {bid!r}: given twice")
        seen.add(bid)
        if "lon" not in rec or "lat" not in rec:
            raise DataError(f"base {bid!r}: needs lon and lat")
        lon, lat = _check_point(f"base {bid!r}", rec["lon"], rec["lat"])
        rows.append({"base_id": bid, "name": str(rec.get("name") or bid), "lon": lon, "lat": lat})
    lon_a = np.array([r["lon"] for r in rows], dtype=float)
    lat_a = np.array([r["lat"] for r in rows], dtype=float)
    return gpd.GeoDataFrame(
        {c: [r[c] for r in rows] for c in BASE_COLUMNS},
        geometry=gpd.GeoSeries(shapely.points(lon_a, lat_a), crs=4326),
        crs=4326,
    )


def _lookup(cat: _Catalogue, key: str) -> str:
    if key in cat.bases:
        return key
    fold = key.strip().casefold()
    for bid, entry in cat.bases.items():
        if fold in (bid.casefold(), entry.name.casefold()):
            return bid
    raise NotFoundError(
        f"base {key!r} is not in {cat.label} (known: {', '.join(cat.bases) or 'none'})"
    )


def load_bases(
    path: str | Path | None = None, names: Sequence[str] | None = None
) -> gpd.GeoDataFrame:
    """Read candidate bases from a catalogue.

    Parameters
    ----------
    path : path-like, optional
        A bases file with ``[bases.<id>]`` tables; default the bundled one.
    names : sequence of str, optional
        Base ids or names (case-insensitive) to keep, in this order; default all.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``base_id``, ``name``, ``lon``, ``lat`` and ``geometry`` (Point,
        EPSG:4326).

    Raises
    ------
    NotFoundError
        The file does not exist, or a name is not in it.
    ConfigError
        The file is not valid TOML or has unknown fields or bad values (the message
        names ``file:line: field``).
    """
    cat = _catalogue(path)
    ids = list(cat.bases) if names is None else [_lookup(cat, str(n)) for n in names]
    return make_bases(
        {"base_id": b, "name": cat.bases[b].name, "lon": cat.bases[b].lon, "lat": cat.bases[b].lat}
        for b in ids
    )


def resolve_bases(
    specs: Sequence[str | Sequence[float] | Mapping[str, Any]], *, path: str | Path | None = None
) -> gpd.GeoDataFrame:
    """Bases named in a catalogue or given inline, as one table.

    Parameters
    ----------
    specs : sequence
        Each a base id or name of the catalogue (``"Kyiv"``), a point ``[lon, lat]``
        (id ``"lon,lat"``), or a mapping with ``lon``, ``lat`` and optional ``name``
        and ``base_id``.
    path : path-like, optional
        The catalogue for names; default the bundled one.

    Returns
    -------
    geopandas.GeoDataFrame
        As :func:`load_bases`.

    Raises
    ------
    NotFoundError
        A name is not in the catalogue.
    DataError
        Bad inline coordinates or a base given twice.
    """
    records: list[dict[str, Any]] = []
    cat: _Catalogue | None = None
    for i, spec in enumerate(specs):
        if isinstance(spec, str):
            cat = cat or _catalogue(path)
            bid = _lookup(cat, spec)
            e = cat.bases[bid]
            records.append({"base_id": bid, "name": e.name, "lon": e.lon, "lat": e.lat})
        elif isinstance(spec, Mapping):
            if "lon" not in spec or "lat" not in spec:
                raise DataError(f"bases[{i}]: an inline base needs lon and lat")
            lon, lat = _check_point(f"bases[{i}]", spec["lon"], spec["lat"])
            name = str(spec.get("name") or f"{lon:.2f},{lat:.2f}")
            bid = str(spec.get("base_id") or spec.get("name") or f"{lon:.2f},{lat:.2f}")
            records.append({"base_id": bid, "name": name, "lon": lon, "lat": lat})
        else:
            pair = list(spec)
            if len(pair) != 2:
                raise DataError(f"bases[{i}]: expected [lon, lat], got {pair!r}")
            lon, lat = _check_point(f"bases[{i}]", pair[0], pair[1])
            bid = f"{lon:.2f},{lat:.2f}"
            records.append({"base_id": bid, "name": bid, "lon": lon, "lat": lat})
    return make_bases(records)


def check_bases(bases: gpd.GeoDataFrame, front: FrontLike | None = None) -> None:
    """Refuse bases outside Ukraine or inside occupied territory.

    Parameters
    ----------
    bases : geopandas.GeoDataFrame
        From :func:`load_bases` / :func:`resolve_bases` (``base_id``, ``name``,
        ``lon``, ``lat``).
    front : FrontLike, optional
        Its ``occupied`` territory is forbidden; without it only Ukraine's territory
        (:func:`garant.sources.geography.ukraine_territory`, land and waters) is checked.

    Raises
    ------
    DataError
        One line naming every offending base, its position and the problem; also
        for an empty table or missing columns.
    """
    from garant.sources.geography import ukraine_territory

    _require_bases(bases)
    lon = bases["lon"].to_numpy(dtype=float)
    lat = bases["lat"].to_numpy(dtype=float)
    for bid, x, y in zip(bases["base_id"], lon, lat, strict=True):
        _check_point(f"base {bid!r}", x, y)
    inside = shapely.contains_xy(ukraine_territory(), lon, lat)
    occupied = np.zeros(len(bases), dtype=bool)
    if front is not None and front.occupied is not None and not front.occupied.is_empty:
        occupied = shapely.contains_xy(front.occupied, lon, lat)
    problems = []
    for i, (bid, name) in enumerate(zip(bases["base_id"], bases["name"], strict=True)):
        where = f"base {bid!r} ({name}, {lon[i]:.4f}, {lat[i]:.4f})"
        if not inside[i]:
            problems.append(f"{where} lies outside Ukraine")
        elif occupied[i]:
            problems.append(f"{where} lies in occupied territory")
    if problems:
        raise DataError("; ".join(problems))


def _require_bases(bases: gpd.GeoDataFrame) -> None:
    missing = [c for c in BASE_COLUMNS if c not in bases.columns]
    if missing:
        raise DataError(f"bases: missing columns {missing} (has {list(bases.columns)})")
    if len(bases) == 0:
        raise DataError("bases: no base given")
