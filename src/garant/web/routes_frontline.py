"""Routes of the frontline history: dates, the layer of a date, measures, monthly table, changes."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from shapely.geometry.base import BaseGeometry

from garant.errors import ConfigError
from garant.web.layers import (
    MAX_ZOOM,
    collection_bytes,
    feature_bytes,
    frame_features,
    geometry_bytes,
    jsonable,
    simplify_for_zoom,
    tolerance_deg,
    zoom_bucket,
)
from garant.web.state import AppState

__all__ = [
    "changes_geojson",
    "frontline_etag",
    "frontline_geojson",
    "parse_date",
    "router",
    "warm_up",
]

router = APIRouter(prefix="/api", tags=["frontline"])

#: Zoom used when a request gives none.
DEFAULT_ZOOM = 6
#: Snapshots computed ahead of (and behind) the one asked for, in the background.
PREFETCH_AHEAD = 8
PREFETCH_BEHIND = 2
#: Cache-Control of responses that depend only on the (read-only) store.
CACHE_CONTROL = "public, max-age=3600"

Zoom = Annotated[int, Query(ge=0, le=MAX_ZOOM, description="Map zoom (0-14): simplification.")]


def parse_date(value: str, *, name: str = "date") -> dt.date:
    """Parse a ``YYYY-MM-DD`` date from a URL.

    Raises
    ------
    ConfigError
        Not an ISO date.
    """
    try:
        if len(value) != 10:
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{name}: {value[:40]!r} is not a date (expected YYYY-MM-DD)") from None


def _state(request: Request) -> AppState:
    state: AppState = request.app.state.garant
    return state


def _geojson_response(request: Request, body: bytes, etag: str) -> Response:
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/geo+json", headers=headers)


def _measure(state: AppState, sid: int, column: str) -> Any:
    m = state.measures
    if sid in m.index and column in m.columns:
        return jsonable(m.at[sid, column])
    return None


def _frontline_parts(state: AppState, sid: int, bucket: int) -> list[tuple[bytes, dict[str, Any]]]:
    """(geometry bytes, properties without dates) of each feature of a snapshot at a zoom."""
    raw = state.raw_layers(sid)
    parts: list[tuple[bytes, dict[str, Any]]] = []
    layers: list[tuple[str, BaseGeometry | None, dict[str, Any]]] = [
        ("occupied", raw["occupied"], {"area_km2": _measure(state, sid, "occupied_km2")}),
        ("grey_zone", raw["grey_zone"], {"area_km2": _measure(state, sid, "grey_zone_km2")}),
        ("line", raw["line"], {"area_km2": None, "length_km": raw["line_km"]}),
    ]
    for kind, geom, props in layers:
        if geom is None or geom.is_empty:
            continue
        simplified = simplify_for_zoom(geom, bucket)
        parts.append((geometry_bytes(simplified), {"kind": kind, **props}))
    return parts


def frontline_etag(state: AppState, date: dt.date, z: int) -> str:
    """The ETag of a date layer (the snapshot's content hash, the zoom bucket, the date)."""
    _, _, chash = state.snapshot_for(date)
    return f'"fl-{chash[:16]}-{zoom_bucket(z)}-{date.isoformat()}"'


def frontline_geojson(state: AppState, date: dt.date, z: int) -> tuple[bytes, str]:
    """The frontline layer of ``date`` at zoom ``z`` and its ETag.

    Parameters
    ----------
    state : AppState
    date : datetime.date
        Any date from the first snapshot on; the latest snapshot on or before it is shown.
    z : int
        Map zoom (0-14).

    Returns
    -------
    tuple
        ``(GeoJSON bytes, ETag)``: a FeatureCollection of the occupied territory
        (kind ``occupied``), the grey zone where the snapshot has one (``grey_zone``)
        and the line of contact (``line``), each with ``kind``, ``date`` (asked),
        ``date_shown`` (the snapshot's), ``area_km2`` (``length_km`` for the line).

    Raises
    ------
    NotFoundError
        ``date`` before the first snapshot.
    """
    bucket = zoom_bucket(z)
    sid, shown, _ = state.snapshot_for(date)
    parts = state.frontline_cache.get_or_compute(
        ("frontline", sid, bucket), lambda: _frontline_parts(state, sid, bucket)
    )
    if state.prefetcher is not None:
        state.prefetcher.submit(
            (("frontline", n, bucket), partial(_frontline_parts, state, n, bucket))
            for n in state.neighbours(date, PREFETCH_AHEAD, PREFETCH_BEHIND)
        )
    dates = {"date": date.isoformat(), "date_shown": shown.isoformat()}
    features = [feature_bytes(g, {**props, **dates}) for g, props in parts]
    members = {
        **dates,
        "snapshot_id": sid,
        "z": z,
        "tolerance_deg": tolerance_deg(z),
    }
    return collection_bytes(features, members), frontline_etag(state, date, z)


def warm_up(state: AppState, z: int = DEFAULT_ZOOM, limit: int = 256) -> None:
    """Queue the newest ``limit`` date layers at zoom ``z`` for the prefetcher."""
    if state.prefetcher is None:
        return
    bucket = zoom_bucket(z)
    state.prefetcher.submit(
        (("frontline", n, bucket), partial(_frontline_parts, state, n, bucket))
        for n in state.snapshot_ids[::-1][:limit]
    )


@router.get("/dates", summary="Dates of the timeline")
def dates(request: Request) -> dict[str, Any]:
    """Every date with a snapshot on the timeline, first and last."""
    state = _state(request)
    iso = [d.isoformat() for d in state.dates]
    return {"dates": iso, "first": iso[0], "last": iso[-1], "n": len(iso)}


@router.get(
    "/frontline/{date}",
    summary="Frontline layer of a date (GeoJSON)",
    response_class=Response,
    responses={200: {"content": {"application/geo+json": {}}}, 404: {}},
)
def frontline(request: Request, date: str, z: Zoom = DEFAULT_ZOOM) -> Response:
    """Occupied territory, grey zone and line of contact at ``date``, simplified for zoom ``z``.

    A date without its own snapshot shows the latest snapshot before it
    (``date_shown``); a date before the first snapshot is 404.
    """
    state = _state(request)
    day = parse_date(date)
    etag = frontline_etag(state, day, z)
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers={"ETag": etag, "Cache-Control": CACHE_CONTROL})
    body, etag = frontline_geojson(state, day, z)
    return _geojson_response(request, body, etag)


@router.get("/measures/{date}", summary="Measures of a date")
def measures(request: Request, date: str) -> dict[str, Any]:
    """Occupied km² and %, line km, grey zone km², changes since the previous snapshot."""
    from garant.frontline.queries import measures_at

    state = _state(request)
    day = parse_date(date)
    sid, shown, _ = state.snapshot_for(day)
    out = state.store_call(lambda st: measures_at(st, day))
    return jsonable({**out, "date": day, "date_shown": shown, "snapshot_id": sid})


@router.get("/monthly", summary="Monthly summary table")
def monthly(request: Request) -> list[dict[str, Any]]:
    """The monthly table (gains, losses, net, occupied at the month's end) as records."""
    from garant.frontline.queries import monthly as monthly_table

    state = _state(request)

    def compute() -> list[dict[str, Any]]:
        df = state.store_call(monthly_table)
        out: list[dict[str, Any]] = jsonable(df.to_dict("records"))
        return out

    records: list[dict[str, Any]] = state.other_cache.get_or_compute(("monthly",), compute)
    return records


def changes_geojson(
    state: AppState,
    since: dt.date,
    until: dt.date | None,
    z: int,
    *,
    min_area_km2: float = 0.01,
) -> tuple[bytes, str]:
    """Gained and lost polygons between two dates (net change) and the ETag.

    Parameters
    ----------
    state : AppState
    since, until : datetime.date
        The dates (the snapshots on or before them); ``until`` None: the latest.
    z : int
        Map zoom.
    min_area_km2 : float
        Slivers below this are dropped, km².

    Returns
    -------
    tuple
        ``(GeoJSON bytes, ETag)``; each feature has ``kind`` (gained/lost),
        ``area_km2``, ``sector``, ``settlement`` (the nearest place) and
        ``settlement_distance_km``; the collection has ``from_date``, ``to_date``,
        ``gained_km2`` and ``lost_km2``.
    """
    from garant.frontline.queries import changes

    bucket = zoom_bucket(z)
    sid0, d0, h0 = state.snapshot_for(since)
    sid1, d1, h1 = (
        state.snapshot_for(until) if until is not None else state.snapshot_for(state.dates[-1])
    )
    if d1 < d0:
        raise ConfigError(f"until {d1} is before since {d0}")

    def compute() -> bytes:
        gdf = state.store_call(
            lambda st: changes(st, since=d0, until=d1, min_area_km2=min_area_km2)
        )
        area = gdf.groupby("kind")["area_km2"].sum() if len(gdf) else {}
        members = {
            "from_date": d0,
            "to_date": d1,
            "gained_km2": float(area.get("gained", 0.0)),
            "lost_km2": float(area.get("lost", 0.0)),
            "n": len(gdf),
            "z": z,
        }
        return collection_bytes(frame_features(gdf, bucket), members)

    key = ("changes", sid0, sid1, bucket, float(min_area_km2))
    body: bytes = state.other_cache.get_or_compute(key, compute)
    etag = f'"ch-{h0[:12]}-{h1[:12]}-{bucket}-{min_area_km2:g}"'
    return body, etag


@router.get(
    "/changes",
    summary="Gains and losses between two dates (GeoJSON)",
    response_class=Response,
    responses={200: {"content": {"application/geo+json": {}}}},
)
def changes_route(
    request: Request,
    since: Annotated[str, Query(description="First date (YYYY-MM-DD).")],
    until: Annotated[str | None, Query(description="Second date; default: the latest.")] = None,
    z: Zoom = DEFAULT_ZOOM,
    min_area_km2: Annotated[float, Query(ge=0.0, le=10_000.0)] = 0.01,
) -> Response:
    """Polygons gained (by Russia) and lost between the snapshots for two dates."""
    state = _state(request)
    d0 = parse_date(since, name="since")
    d1 = parse_date(until, name="until") if until is not None else None
    body, etag = changes_geojson(state, d0, d1, z, min_area_km2=min_area_km2)
    return _geojson_response(request, body, etag)
