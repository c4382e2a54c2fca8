"""How exposed each base is to Russian strikes: systems in range and warning time.

The seed's risk, a force attacked to test Europe's resolve, is measured per base as:

``hostile_km``
    Distance from Russian-held ground: occupied Ukraine, Russia and Belarus (the
    stand-off definition of the air packages, :func:`garant.air.placement.hostile_territory`).
``launch_km`` per threat class
    The nearest point a weapon of that class can be launched from: the nearest
    hostile ground, or a catalogued launch area of that class if closer (sea areas
    such as the Black Sea lie outside hostile ground). A worst case: launchers and
    aircraft are assumed free to stand anywhere on hostile ground. With
    ``launch_from="catalogue"`` only the catalogued launch areas of the class count.
systems in range
    The catalogue threats (:func:`garant.air.catalog.default_catalog`) of the class
    whose nominal ``range_km`` covers ``launch_km``. Decoys (no warhead) and the
    class ``unknown`` are left out.
``warning_min``
    Flight time from that launch point, ``launch_km / speed_kmh * 60``, for the
    fastest system in range: a lower bound of the warning a base gets (the catalogue
    speed of a ballistic missile is its terminal speed, so its warning is shorter
    still than the real flight time).
``exposure_score``
    ``sum over systems in range of 60 / max(warning_min, 1)``: each system adds the
    inverse of its warning time in hours (1 for an hour of warning, 10 for six
    minutes, at most 60). More systems and shorter warning raise it; it is a
    ranking aid, not a probability.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyproj

from garant.air.classes import THREAT_CLASSES
from garant.errors import ConfigError
from garant.land.bases import FrontLike, _require_bases

if TYPE_CHECKING:
    from garant.air.catalog import Catalog

__all__ = [
    "EXPOSURE_CLASSES",
    "HOSTILE_SOURCES",
    "LAUNCH_FROM",
    "base_exposure",
    "exposure_by_class",
    "hostile_distances_km",
]

#: Threat classes reported, in :data:`garant.air.classes.THREAT_CLASSES` order.
EXPOSURE_CLASSES: tuple[str, ...] = tuple(
    c for c in THREAT_CLASSES if c not in ("decoy_uav", "unknown")
)
#: Parts of hostile ground: occupied Ukraine, Russia, Belarus.
HOSTILE_SOURCES: tuple[str, ...] = ("occupied", "RUS", "BLR")
#: Where weapons are launched from: ``"hostile"`` (anywhere on hostile ground or a
#: catalogued launch area, the worst case) or ``"catalogue"`` (catalogued launch areas
#: of the class only).
LAUNCH_FROM: tuple[str, ...] = ("hostile", "catalogue")
#: Warning times are floored at this many minutes in the exposure score.
MIN_WARNING_MIN = 1.0

_GEOD = pyproj.Geod(ellps="WGS84")


def hostile_distances_km(
    bases: gpd.GeoDataFrame, front: FrontLike, *, sources: Sequence[str] = HOSTILE_SOURCES
) -> pd.DataFrame:
    """Distance of each base from each part of hostile ground.

    Parameters
    ----------
    bases : geopandas.GeoDataFrame
        ``base_id``, ``name``, ``lon``, ``lat`` (:func:`garant.land.bases.load_bases`).
    front : FrontLike
        Its ``occupied`` territory is the part ``"occupied"``.
    sources : sequence of str
        Parts: ``"occupied"`` and ISO alpha-3 codes of bundled countries.

    Returns
    -------
    pandas.DataFrame
        One column per part (km, inf if the part is empty), indexed like ``bases``.

    Raises
    ------
    ConfigError
        No part given, or an unknown country code.
    DataError
        The bases table is empty or lacks columns.
    """
    from garant.air.placement import hostile_territory
    from garant.air.presets import standoff_distances_km

    _require_bases(bases)
    parts = list(dict.fromkeys(sources))
    if not parts:
        raise ConfigError("hostile sources: give at least one ('occupied', 'RUS', 'BLR')")
    lon = bases["lon"].to_numpy(dtype=float)
    lat = bases["lat"].to_numpy(dtype=float)
    out: dict[str, np.ndarray] = {}
    for part in parts:
        if part == "occupied":
            geom = front.occupied
            if geom is None or geom.is_empty:
                out[part] = np.full(len(bases), np.inf)
                continue
        else:
            geom = hostile_territory(None, countries=[part])
        out[part] = standoff_distances_km(lon, lat, geom)
    return pd.DataFrame(out, index=bases.index)


def _launch_km(
    bases: gpd.GeoDataFrame, hostile_km: np.ndarray, catalog: Catalog, launch_from: str
) -> dict[str, np.ndarray]:
    """Per class: distance from each base to the nearest launch point of that class."""
    if launch_from not in LAUNCH_FROM:
        raise ConfigError(
            f"launch_from {launch_from!r}: expected one of {', '.join(map(repr, LAUNCH_FROM))}"
        )
    lon = bases["lon"].to_numpy(dtype=float)
    lat = bases["lat"].to_numpy(dtype=float)
    out: dict[str, np.ndarray] = {}
    for cls in EXPOSURE_CLASSES:
        best = hostile_km.copy() if launch_from == "hostile" else np.full(lon.size, np.inf)
        for area in catalog.launch_areas.values():
            if cls not in area.threat_classes:
                continue
            _, _, d = _GEOD.inv(np.full(lon.size, area.lon), np.full(lat.size, area.lat), lon, lat)
            best = np.minimum(best, np.asarray(d, dtype=float) / 1000.0)
        out[cls] = best
    return out


def exposure_by_class(
    bases: gpd.GeoDataFrame,
    front: FrontLike,
    *,
    catalog: Catalog | None = None,
    sources: Sequence[str] = HOSTILE_SOURCES,
    launch_from: str = "hostile",
) -> pd.DataFrame:
    """Threat systems in range of each base and the warning they leave, by class.

    Parameters
    ----------
    bases : geopandas.GeoDataFrame
        ``base_id``, ``name``, ``lon``, ``lat``.
    front : FrontLike
        The front (its occupied territory is hostile ground).
    catalog : garant.air.catalog.Catalog, optional
        Default: the bundled air catalogue.
    sources : sequence of str
        Parts of hostile ground (see :func:`hostile_distances_km`).
    launch_from : {"hostile", "catalogue"}
        Launch points: hostile ground and catalogued launch areas (worst case), or
        the catalogued launch areas of each class only (:data:`LAUNCH_FROM`).

    Returns
    -------
    pandas.DataFrame
        One row per base and class of :data:`EXPOSURE_CLASSES` (bases in input
        order): ``base_id``, ``name``, ``threat_class``, ``launch_km`` (nearest
        launch point of the class, km), ``n_systems`` (catalogue threats in range),
        ``systems`` (their names, ``", "``-joined), ``warning_min`` (flight time of
        the fastest one in range, min; NaN if none), ``fastest`` (its name), and
        ``score`` (its share of the exposure score, see the module docstring).

    Raises
    ------
    ConfigError
        Bad ``sources`` or ``launch_from``.
    DataError
        The bases table is empty or lacks columns.
    """
    if catalog is None:
        from garant.air.catalog import default_catalog

        catalog = default_catalog()
    hostile = hostile_distances_km(bases, front, sources=sources)
    hostile_km = hostile.min(axis=1).to_numpy(dtype=float)
    launch = _launch_km(bases, hostile_km, catalog, launch_from)
    threats = [t for t in catalog.threats.values() if not t.is_decoy]
    rows: list[dict[str, Any]] = []
    for i in range(len(bases)):
        for cls in EXPOSURE_CLASSES:
            d = float(launch[cls][i])
            in_range = [t for t in threats if t.threat_class == cls and t.range_km.value >= d]
            warn = {t.name: d / t.speed_kmh.value * 60.0 for t in in_range}
            fastest = min(warn, key=lambda k: warn[k]) if warn else ""
            score = sum(60.0 / max(w, MIN_WARNING_MIN) for w in warn.values())
            rows.append(
                {
                    "base_id": str(bases["base_id"].iloc[i]),
                    "name": str(bases["name"].iloc[i]),
                    "threat_class": cls,
                    "launch_km": d,
                    "n_systems": len(in_range),
                    "systems": ", ".join(t.name for t in in_range),
                    "warning_min": warn[fastest] if warn else float("nan"),
                    "fastest": fastest,
                    "score": score,
                }
            )
    return pd.DataFrame(rows)


def base_exposure(
    bases: gpd.GeoDataFrame,
    front: FrontLike,
    *,
    catalog: Catalog | None = None,
    sources: Sequence[str] = HOSTILE_SOURCES,
    launch_from: str = "hostile",
) -> pd.DataFrame:
    """One row per base: distance from hostile ground, systems in range, warning, score.

    Parameters
    ----------
    bases : geopandas.GeoDataFrame
        ``base_id``, ``name``, ``lon``, ``lat`` (:func:`garant.land.bases.load_bases`).
    front : FrontLike
        The front (its occupied territory is hostile ground).
    catalog : garant.air.catalog.Catalog, optional
        Default: the bundled air catalogue.
    sources : sequence of str
        Parts of hostile ground (default occupied Ukraine, Russia, Belarus).
    launch_from : {"hostile", "catalogue"}
        As for :func:`exposure_by_class`.

    Returns
    -------
    pandas.DataFrame
        Columns ``base_id``, ``name``, ``lon``, ``lat``; ``hostile_km`` (distance
        from the nearest hostile ground, km) and ``nearest_hostile`` (which part);
        ``n_systems_in_range``, ``classes_in_range`` (``", "``-joined),
        ``min_warning_min`` and ``min_warning_system`` (the shortest warning of any
        system in range and that system); ``exposure_score`` (see the module
        docstring) and ``exposure_rank`` (1 = most exposed); then per class of
        :data:`EXPOSURE_CLASSES` ``n_<class>`` (systems in range) and
        ``warning_min_<class>`` (NaN if none in range).

    Raises
    ------
    ConfigError
        Bad ``sources`` or ``launch_from``.
    DataError
        The bases table is empty or lacks columns.
    """
    hostile = hostile_distances_km(bases, front, sources=sources)
    detail = exposure_by_class(
        bases, front, catalog=catalog, sources=sources, launch_from=launch_from
    )
    rows: list[dict[str, Any]] = []
    for i in range(len(bases)):
        bid = str(bases["base_id"].iloc[i])
        part = detail.iloc[i * len(EXPOSURE_CLASSES) : (i + 1) * len(EXPOSURE_CLASSES)]
        hit = part[part["n_systems"] > 0]
        dist = hostile.iloc[i]
        row: dict[str, Any] = {
            "base_id": bid,
            "name": str(bases["name"].iloc[i]),
            "lon": float(bases["lon"].iloc[i]),
            "lat": float(bases["lat"].iloc[i]),
            "hostile_km": float(dist.min()),
            "nearest_hostile": str(dist.idxmin()),
            "n_systems_in_range": int(hit["n_systems"].sum()),
            "classes_in_range": ", ".join(hit["threat_class"]),
            "min_warning_min": float(hit["warning_min"].min()) if len(hit) else float("nan"),
            "min_warning_system": (
                str(hit["fastest"].iloc[int(np.argmin(hit["warning_min"].to_numpy()))])
                if len(hit)
                else ""
            ),
            "exposure_score": float(part["score"].sum()),
            "exposure_rank": 0,
        }
        for cls, n, w in zip(
            part["threat_class"], part["n_systems"], part["warning_min"], strict=True
        ):
            row[f"n_{cls}"] = int(n)
            row[f"warning_min_{cls}"] = float(w)
        rows.append(row)
    out = pd.DataFrame(rows)
    out["exposure_rank"] = out["exposure_score"].rank(ascending=False, method="min").astype(int)
    return out
