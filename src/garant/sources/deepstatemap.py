"""Raw DeepStateMap map versions -> :class:`~garant.model.Snapshot`.

A raw map version is the GeoJSON FeatureCollection that DeepStateMap's history
API serves for one version id (``/api/history/<id>/geojson``): every layer of
the map, polygons (occupied, liberated, grey zone, pre-2022 territory, foreign
"occupied" regions) and points (directions of attack, units, city labels,
airfields). A feature's layer is only given by its ``name`` property, written
``"Ukrainian /// English"`` (2022-23) or ``"Ukrainian /// English /// i18n key"``
(from 2024), with spelling drift: non-breaking spaces, line breaks, trailing
dots, dates inside names (``"Liberated 25.03"``), ``"Contested"`` before
``"Unknown status"``, Ukrainian-only names in the first weeks.

:func:`classify_layer` maps a name to a layer kind through one table of rules,
tried in order: the i18n key, then English/Ukrainian name patterns, then (for
polygons whose name says nothing, e.g. ``"Багатокутник 11"``) the fill colour
DeepState uses for that status, else ``other``. :func:`layer_inventory` lists
every distinct normalised name of a set of versions with the rule that
classified it, so that every name is classified deliberately.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import warnings
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry.base import BaseGeometry

from garant.errors import DataError, GeometryRepairedWarning
from garant.model import POINT_KINDS, POLYGON_KINDS, Snapshot, empty_points
from garant.sources._json import (
    Progress,
    check_feature_collection,
    decode_json,
    iter_data_files,
    read_bytes,
    sort_by_key,
    strip_geojson_suffix,
)

__all__ = [
    "LayerClass",
    "classify_layer",
    "layer_inventory",
    "normalise_name",
    "parse_map_version",
    "read_map_version_file",
    "read_raw_folder",
]

logger = logging.getLogger(__name__)

Family = Literal["polygon", "point"]
_POLYGON_TYPES = ("Polygon", "MultiPolygon", "GeometryCollection")
_POINT_TYPES = ("Point", "MultiPoint")
_SPACES = re.compile(r"\s+")
_SEPARATOR = re.compile(r"\s*/{2,}\s*")  # "///" (and "//" in a few 2022 names)
_KEY = re.compile(r"^geoJSON\.[\w.\-]+")
_VERSION_NAME = re.compile(r"^\d{9,11}$")


# --------------------------------------------------------------------------- names


@dataclass(frozen=True)
class LayerClass:
    """The classification of one layer name.

    Attributes
    ----------
    kind : str
        A polygon kind (:data:`~garant.model.POLYGON_KINDS`) or a point kind
        (:data:`~garant.model.POINT_KINDS`), depending on the family.
    key : str or None
        The i18n key without parameters (``geoJSON.status.dismissed_at``).
    name_uk, name_en : str or None
        The cleaned Ukrainian and English names.
    rule : str
        Which rule decided: ``key:<pattern>``, ``name:<label>``, ``fill:<colour>``
        or ``unmatched``.
    """

    kind: str
    key: str | None
    name_uk: str | None
    name_en: str | None
    rule: str


def normalise_name(name: object) -> tuple[str | None, str | None, str | None]:
    """Split and clean a DeepStateMap layer name.

    Parameters
    ----------
    name : object
        The ``name`` property (normally a str; anything else gives all None).

    Returns
    -------
    tuple of (str or None, str or None, str or None)
        ``(name_uk, name_en, key)``: whitespace (incl. non-breaking spaces and
        line breaks) collapsed, trailing dots removed, the i18n key stripped of
        its ``{{...}}`` parameters. Missing parts are None.
    """
    if not isinstance(name, str):
        return None, None, None
    text = _SPACES.sub(" ", name).strip()
    parts = [p.strip().rstrip(".").strip() for p in _SEPARATOR.split(text)]
    key = None
    names: list[str] = []
    for part in parts:
        m = _KEY.match(part)
        if m and key is None:
            key = m.group(0).rstrip(".")
        elif part:
            names.append(part)
    name_uk = names[0] if names else None
    name_en = names[1] if len(names) > 1 else None
    return name_uk, name_en, key


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_FOREIGN_KEYS = (
    "transnistria|abkhazia|petsamo|salla|pechorsky-district|tskhinvali-district|kuril|latvia|"
    "estonia|prussia|karelia|ichkeria"
)
#: Polygon rules on the i18n key: (label, key pattern, kind).
_POLYGON_KEY_RULES: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("occupied", _rx(r"^geoJSON\.status\.occupied$"), "occupied"),
    ("unknown", _rx(r"^geoJSON\.status\.unknown$"), "grey_zone"),
    ("dismissed", _rx(r"^geoJSON\.status\.dismissed(_at)?$"), "liberated"),
    ("pre2022", _rx(r"^geoJSON\.territories\.(crimea|ordlo|tuzla)$"), "occupied_pre2022"),
    ("foreign", _rx(rf"^geoJSON\.territories\.({_FOREIGN_KEYS})$"), "foreign"),
    ("snake-island", _rx(r"^geoJSON\.zmiinyi_island$"), "liberated"),
)
#: Polygon rules on the names (Ukrainian and English joined), tried in order:
#: specific places first (Snake Island, foreign regions, pre-2022 territory),
#: then status words (liberated before grey zone before occupied, because
#: "supposedly liberated ... needs checking" is a liberated layer).
_POLYGON_NAME_RULES: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("snake-island", _rx(r"snake island|зміїн"), "liberated"),
    (
        "foreign",
        _rx(
            r"transnistri|abkhaz|petsamo|\bsalla\b|pechorsk|saaste|tskhinval|kuril|latvia|estonia|"
            r"prussia|karelia|ichkeri|придністров|абхаз|петсамо|салла|печорськ|цхінвал|курил|"
            r"латві|естоні|прусс|карелі|ічкері"
        ),
        "foreign",
    ),
    (
        "pre2022",
        _rx(r"\bcrimea\b|\bcadr\b|\bcalr\b|ordlo|tuzla|\bкрим\b|ордло|тузла"),
        "occupied_pre2022",
    ),
    (
        "liberated",
        _rx(r"liberated|taken back|recaptured|звільнен|під контролем зсу|орки відсутні"),
        "liberated",
    ),
    (
        "grey",
        _rx(
            r"unknown status|contested|contensed|gr[ae]y zone|під питанням|статус невідом|"
            r"сіра зона|ситуація невідом|невідомо"
        ),
        "grey_zone",
    ),
    ("occupied", _rx(r"occupied|occupation|окупов|окупац|зайнят\w* ворогом"), "occupied"),
)
#: DeepStateMap's fill colours, used only when the name says nothing.
_FILL_KINDS: dict[str, str] = {
    "#a52714": "occupied",
    "#0f9d58": "liberated",
    "#0288d1": "liberated",  # liberated in the spring-2022 versions
    "#bcaaa4": "grey_zone",
    "#bdbdbd": "grey_zone",
    "#880e4f": "occupied_pre2022",
    "#000000": "occupied_pre2022",  # Crimea/ORDLO in the spring-2022 versions
    "#ff5252": "foreign",
}
_OCCUPIED_FILLS = frozenset({"#a52714"})

#: Point rules on the i18n key.
_POINT_KEY_RULES: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("attack", _rx(r"^geoJSON\.status\.attack_direction$"), "attack_direction"),
    ("units", _rx(r"^geoJSON\.units\."), "unit"),
    ("labels", _rx(r"^geoJSON\.(territories\.[\w\-]+|orban|fitso)$"), "label"),
    (
        "facilities",
        _rx(r"^geoJSON\.(airfield|airport|airbase|moskow_cruiser|crimean_bridge)\b"),
        "other",
    ),
)
#: Point rules on the names, tried in order.
_POINT_NAME_RULES: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("attack", _rx(r"direction of attack|напрям\w* удару|напрямо"), "attack_direction"),
    (
        "facilities",
        _rx(
            r"air ?base|airfield|airport|aerodrom|helicopter|cruiser|bridge|\bcamp\b|аеродром|"
            r"аеропорт|авіабаз|вертолітн|крейсер|міст\b|назва не потребує"
        ),
        "other",
    ),
    (
        "units",
        _rx(
            r"brigade|regiment|battalion|division|corps|\barmy\b|all-army|squad|\bbars\b|\bpmc\b|"
            r"wagner|akhmat|storm-[zv]|places of concentration|units of|бригад|полк|"
            r"батальйон|дивізі|корпус|армі[яї]|загін|загони|\bпвк\b|вагнер|ахмат|шторм|\bбарс|"
            r"зосередж|\bотб\b"
        ),
        "unit",
    ),
    (
        "labels",
        _rx(
            r"^(kyiv|moscow|minsk|pyongyang|київ|москва|мінськ|пхеньян)$|orban|\bfico\b|орбан|фіцо"
        ),
        "label",
    ),
)


def _classify(name: object, *, family: Family, fill: object = None) -> LayerClass:
    """Classify a layer name; see :func:`classify_layer`. Also returns the rule."""
    name_uk, name_en, key = normalise_name(name)
    text = " /// ".join(p for p in (name_uk, name_en) if p)
    key_rules, name_rules = (
        (_POLYGON_KEY_RULES, _POLYGON_NAME_RULES)
        if family == "polygon"
        else (_POINT_KEY_RULES, _POINT_NAME_RULES)
    )
    kind: str | None = None
    rule = "unmatched"
    if key:
        for label, pattern, k in key_rules:
            if pattern.search(key):
                kind, rule = k, f"key:{label}"
                break
    if kind is None:
        for label, pattern, k in name_rules:
            if pattern.search(text) or (
                label == "labels" and any(pattern.search(p) for p in (name_uk, name_en) if p)
            ):
                kind, rule = k, f"name:{label}"
                break
    colour = fill.strip().lower() if isinstance(fill, str) else None
    if kind is None and family == "polygon" and colour in _FILL_KINDS:
        kind, rule = _FILL_KINDS[colour], f"fill:{colour}"
    if rule.endswith("snake-island") and colour in _OCCUPIED_FILLS:
        # Snake Island was occupied until 30 June 2022; DeepState drew it red then.
        kind = "occupied"
    if kind is None:
        kind = "other"
    return LayerClass(kind, key, name_uk, name_en, rule)


def classify_layer(
    name: object, *, family: Family = "polygon", fill: object = None
) -> tuple[str, str | None, str | None, str | None]:
    """Classify a DeepStateMap layer name.

    Parameters
    ----------
    name : object
        The feature's ``name`` property (any value is accepted; non-strings
        classify as ``other``).
    family : {"polygon", "point"}
        Whether the feature is a polygon (returns a polygon kind) or a point
        (returns a point kind).
    fill : object, optional
        The feature's ``fill`` colour (``"#a52714"``); decides polygons whose
        name carries no status (``"Багатокутник 11"``) and Snake Island (red
        while occupied in 2022, green after).

    Returns
    -------
    tuple of (str, str or None, str or None, str or None)
        ``(kind, key, name_uk, name_en)``. ``kind`` is in
        :data:`~garant.model.POLYGON_KINDS` for polygons and in
        :data:`~garant.model.POINT_KINDS` for points; unknown names give ``other``.
    """
    c = _classify(name, family=family, fill=fill)
    return c.kind, c.key, c.name_uk, c.name_en


# ------------------------------------------------------------------------- parsing


def _geometry(feature: dict[str, Any]) -> BaseGeometry | None:
    """The feature's geometry; None when absent, unreadable or not finite lon/lat."""
    geom = feature.get("geometry")
    if geom is None:
        return None
    try:
        with warnings.catch_warnings():
            # NaN or infinite coordinates warn in GEOS; they are rejected just below.
            warnings.simplefilter("ignore", RuntimeWarning)
            shape = shapely.geometry.shape(geom)
    except (
        KeyError,
        TypeError,
        ValueError,
        IndexError,
        AttributeError,
        RecursionError,
        shapely.errors.ShapelyError,
    ):
        return None
    xy = shapely.get_coordinates(shape)
    if not (np.isfinite(xy).all() and (np.abs(xy) <= (180.0, 90.0)).all()):
        return None  # not lon/lat: NaN, infinite (1e400 in JSON) or out of range
    return shape


def _polygon_parts(geom: BaseGeometry) -> list[BaseGeometry]:
    if isinstance(geom, shapely.Polygon | shapely.MultiPolygon):
        return [geom]
    if isinstance(geom, shapely.GeometryCollection):
        return [p for g in geom.geoms for p in _polygon_parts(g)]
    return []


def parse_map_version(obj: Any, *, source: str, source_ref: str, taken_at: dt.datetime) -> Snapshot:
    """Turn one raw map version (a decoded FeatureCollection) into a snapshot.

    Every feature is classified by :func:`classify_layer`; each polygon kind
    becomes one union geometry (kinds are kept apart, 3-D coordinates dropped,
    invalid polygons repaired with a :class:`~garant.errors.GeometryRepairedWarning`),
    points become the point layer. Unrecognised names go to ``other`` and are
    counted in the notes.

    Parameters
    ----------
    obj : Any
        Decoded GeoJSON of the map version.
    source : str
        Snapshot source (``deepstatemap-raw``, ``deepstatemap-api``, ``demo``).
    source_ref : str
        Map version id or file name, named in every error.
    taken_at : datetime.datetime
        UTC time of the map version; the snapshot's date is its UTC date.

    Returns
    -------
    Snapshot

    Raises
    ------
    DataError
        Not a FeatureCollection, a polygon layer with line geometry, no
        occupied territory, coordinates outside Ukraine, a future date.
    """
    ref = source_ref
    features = check_feature_collection(obj, ref)
    parts: dict[str, list[BaseGeometry]] = defaultdict(list)
    repaired: Counter[str] = Counter()
    unmatched: Counter[str] = Counter()
    by_fill: Counter[str] = Counter()
    dropped: Counter[str] = Counter()
    rows: list[tuple[str, str | None, str | None, str | None]] = []
    points: list[BaseGeometry] = []
    for i, feature in enumerate(features):
        props = feature.get("properties") or {}
        if not isinstance(props, dict):
            props = {}
        name = props.get("name")
        geom = _geometry(feature)
        if geom is None or geom.is_empty:
            dropped["empty or unreadable geometry"] += 1
            continue
        gtype = geom.geom_type
        family: Family = "point" if gtype in _POINT_TYPES else "polygon"
        c = _classify(name, family=family, fill=props.get("fill"))
        label = c.name_en or c.name_uk or repr(name)
        if c.rule == "unmatched":
            unmatched[label] += 1
        elif c.rule.startswith("fill:"):
            by_fill[f"{label} -> {c.kind}"] += 1
        if family == "point":
            for pt in getattr(geom, "geoms", [geom]):
                points.append(shapely.force_2d(pt))
                rows.append((c.kind, c.key, c.name_uk, c.name_en))
            continue
        polys = _polygon_parts(geom)
        if gtype not in _POLYGON_TYPES or not polys:
            if c.kind != "other":
                raise DataError(
                    f"{ref}: feature {i} ({label!r}) is a {gtype} in polygon layer "
                    f"{c.kind!r}, expected polygons"
                )
            dropped[f"{gtype} features"] += 1
            continue
        for poly in polys:
            poly = shapely.force_2d(poly)
            if not poly.is_valid:
                poly = shapely.make_valid(poly, method="structure", keep_collapsed=False)
                repaired[c.kind] += 1
            parts[c.kind].extend(_polygon_parts(poly))
    notes: list[str] = []
    if repaired:
        what = ", ".join(f"{n} {k!r}" for k, n in sorted(repaired.items()))
        msg = f"{ref}: repaired invalid polygons ({what})"
        notes.append(msg)
        warnings.warn(msg, GeometryRepairedWarning, stacklevel=2)
    if by_fill:
        notes.append(
            f"{ref}: {sum(by_fill.values())} features classified by fill colour: "
            + "; ".join(sorted(by_fill))
        )
    if unmatched:
        notes.append(
            f"{ref}: {sum(unmatched.values())} features with unrecognised layer names kept as "
            "'other': " + "; ".join(f"{k!r} x{n}" for k, n in sorted(unmatched.items()))
        )
        logger.info(notes[-1])
    if dropped:
        notes.append(f"{ref}: dropped " + ", ".join(f"{n} {k}" for k, n in sorted(dropped.items())))
    layers = {
        kind: shapely.union_all(np.asarray(parts[kind], dtype=object))
        for kind in POLYGON_KINDS
        if parts.get(kind)
    }
    pts = _points_frame(rows, points)
    return Snapshot.build(
        date=taken_at.astimezone(dt.UTC).date(),
        taken_at=taken_at,
        source=source,
        source_ref=source_ref,
        layers=layers,
        points=pts,
        notes=tuple(notes),
    )


def _points_frame(
    rows: list[tuple[str, str | None, str | None, str | None]], geoms: list[BaseGeometry]
) -> gpd.GeoDataFrame:
    if not rows:
        return empty_points()
    df = pd.DataFrame(rows, columns=["kind", "key", "name_uk", "name_en"])
    return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geoms, crs=4326), crs=4326)


# --------------------------------------------------------------------------- files


def version_time(path: Path) -> dt.datetime:
    """Return the UTC time encoded in a raw version file name (``<unix-ts>.geojson[.gz]``).

    Raises
    ------
    DataError
        The file name is not a unix timestamp with a GeoJSON suffix.
    """
    stem = strip_geojson_suffix(path.name)
    if stem is None or not _VERSION_NAME.match(stem):
        raise DataError(f"{path}: bad file name (expected <unix-timestamp>.geojson or .geojson.gz)")
    return dt.datetime.fromtimestamp(int(stem), dt.UTC)


def read_map_version_file(path: str | Path, *, source: str = "deepstatemap-raw") -> Snapshot:
    """Read one raw map version file (``<unix-ts>.geojson``, gzipped or not).

    Parameters
    ----------
    path : str or pathlib.Path
        The file; its name is the version's unix time (UTC), which becomes
        ``taken_at``; the snapshot's date is that time's UTC date.
    source : str
        Snapshot source (``deepstatemap-raw``; ``demo`` for the bundled demo).

    Returns
    -------
    Snapshot

    Raises
    ------
    DataError, NotFoundError, SourceError
        Bad file name, unreadable file, malformed JSON, bad content.
    """
    path = Path(path)
    taken_at = version_time(path)
    obj = decode_json(read_bytes(path), str(path))
    return parse_map_version(obj, source=source, source_ref=path.name, taken_at=taken_at)


def _is_version_file(name: str) -> bool:
    stem = strip_geojson_suffix(name)
    return stem is not None and bool(_VERSION_NAME.match(stem))


def read_raw_folder(
    path: str | Path, progress: Progress | None = None, *, source: str = "deepstatemap-raw"
) -> Iterator[Snapshot]:
    """Read a folder of raw map versions, oldest first.

    Parameters
    ----------
    path : str or pathlib.Path
        Folder of ``<unix-ts>.geojson`` / ``.geojson.gz`` files. README, licence
        and checksum files are skipped; any other name is an error.
    progress : callable, optional
        Called with 1 after each snapshot.
    source : str
        Snapshot source.

    Yields
    ------
    Snapshot

    Raises
    ------
    DataError
        A bad file name, or two files for the same version (both named).
    NotFoundError, SourceError
        Missing or unreadable folder.
    """
    folder = Path(path)
    files = list(
        iter_data_files(
            folder, accept=_is_version_file, what="<unix-timestamp>.geojson or .geojson.gz"
        )
    )
    ordered = sort_by_key(files, version_time, what=lambda t: f"map version {int(t.timestamp())}")
    for f in ordered:
        yield read_map_version_file(f, source=source)
        if progress is not None:
            progress(1)


def layer_inventory(paths: Iterable[str | Path]) -> pd.DataFrame:
    """List every distinct normalised layer name of some raw versions and its class.

    Parameters
    ----------
    paths : iterable of str or pathlib.Path
        Raw map version files.

    Returns
    -------
    pandas.DataFrame
        One row per (family, name_uk, name_en, key, fill rule outcome) with
        columns ``family, name_uk, name_en, key, kind, rule, features, versions``,
        sorted by family, kind and name.
    """
    counts: Counter[tuple[str, str, str, str, str, str]] = Counter()
    versions: dict[tuple[str, str, str, str, str, str], set[str]] = defaultdict(set)
    for p in paths:
        p = Path(p)
        features = check_feature_collection(decode_json(read_bytes(p), str(p)), str(p))
        for feature in features:
            props = feature.get("properties") or {}
            gtype = (feature.get("geometry") or {}).get("type", "")
            family: Family = "point" if gtype in _POINT_TYPES else "polygon"
            c = _classify(props.get("name"), family=family, fill=props.get("fill"))
            row = (family, c.name_uk or "", c.name_en or "", c.key or "", c.kind, c.rule)
            counts[row] += 1
            versions[row].add(p.name)
    df = pd.DataFrame(
        [(*row, n, len(versions[row])) for row, n in counts.items()],
        columns=["family", "name_uk", "name_en", "key", "kind", "rule", "features", "versions"],
    )
    return df.sort_values(["family", "kind", "name_en", "name_uk"], ignore_index=True)


assert set(_FILL_KINDS.values()) <= set(POLYGON_KINDS)
assert {k for _, _, k in _POINT_KEY_RULES + _POINT_NAME_RULES} <= set(POINT_KINDS)
