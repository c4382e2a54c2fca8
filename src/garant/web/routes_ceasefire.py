"""Routes of frozen ceasefire lines: the list, a line with its zones, the violation alerts."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from garant.web.layers import (
    MAX_ZOOM,
    collection_bytes,
    feature_bytes,
    frame_features,
    geometry_bytes,
    jsonable,
    simplify_for_zoom,
)
from garant.web.routes_frontline import parse_date
from garant.web.state import AppState

__all__ = ["ceasefire_geojson", "router"]

router = APIRouter(prefix="/api/ceasefire", tags=["ceasefire"])

_NAME_MAX = 200


def _state(request: Request) -> AppState:
    state: AppState = request.app.state.garant
    return state


def _name(name: str) -> str:
    from garant.errors import NotFoundError

    if not name or len(name) > _NAME_MAX:
        raise NotFoundError(f"ceasefire line {name[:40]!r}: unknown")
    return name


@router.get("", summary="Frozen ceasefire lines")
def ceasefire_lines(request: Request) -> list[dict[str, Any]]:
    """Every frozen line: name, date, snapshot_id, created_at, note, length_km."""
    from garant.sources.geography import geodesic_length_km

    state = _state(request)

    def compute() -> list[dict[str, Any]]:
        gdf = state.store_call(lambda st: st.ceasefire_lines())
        if len(gdf) == 0:
            return []
        lengths = geodesic_length_km(gdf.geometry.to_numpy())
        rows = gdf.drop(columns=gdf.geometry.name).to_dict("records")
        out: list[dict[str, Any]] = jsonable(
            [{**r, "length_km": float(km)} for r, km in zip(rows, lengths, strict=True)]
        )
        return out

    lines: list[dict[str, Any]] = state.other_cache.get_or_compute(("ceasefire-list",), compute)
    return lines


def ceasefire_geojson(
    state: AppState, name: str, *, width_km: float = 15.0, z: int | None = None
) -> bytes:
    """A frozen line, its occupied territory, demilitarised zone and danger bands.

    Parameters
    ----------
    state : AppState
    name : str
        The ceasefire line.
    width_km : float
        Half-width of the demilitarised strip, km.
    z : int, optional
        Zoom for simplification (None: full detail).

    Returns
    -------
    bytes
        A FeatureCollection; ``kind`` is ``ceasefire_line``, ``frozen_occupied``,
        ``dmz`` (one per side, ``side``) or ``danger_band`` (``band``, ``inner_km``,
        ``outer_km``); zones carry ``area_km2``, ``population``, ``n_settlements`` and
        ``largest_settlements``.

    Raises
    ------
    NotFoundError
        No line of that name.
    """
    from garant.frontline.ceasefire import load_ceasefire, zones_for

    def compute() -> bytes:
        cf = state.store_call(lambda st: load_ceasefire(st, name))
        dmz, bands = state.store_call(lambda st: zones_for(st, name, width_km=width_km))
        info = {"name": cf.name, "date": cf.date, "snapshot_id": cf.snapshot_id}
        features = [
            feature_bytes(
                geometry_bytes(simplify_for_zoom(cf.line, z)),
                {"kind": "ceasefire_line", **info, "length_km": cf.length_km},
            ),
            feature_bytes(
                geometry_bytes(simplify_for_zoom(cf.occupied, z)),
                {"kind": "frozen_occupied", **info, "area_km2": cf.occupied_km2},
            ),
            *frame_features(dmz, z, extra={"kind": "dmz", "name": cf.name}),
            *frame_features(bands, z, extra={"kind": "danger_band", "name": cf.name}),
        ]
        return collection_bytes(features, {**info, "note": cf.note, "dmz_width_km": width_km})

    body: bytes = state.other_cache.get_or_compute(("ceasefire", name, width_km, z), compute)
    return body


@router.get(
    "/{name}.geojson",
    summary="A frozen line with its zones (GeoJSON)",
    response_class=Response,
    responses={200: {"content": {"application/geo+json": {}}}, 404: {}},
)
def ceasefire_line(
    request: Request,
    name: str,
    width_km: Annotated[float, Query(gt=0.0, le=100.0, description="DMZ half-width, km.")] = 15.0,
    z: Annotated[int | None, Query(ge=0, le=MAX_ZOOM)] = None,
) -> Response:
    """The frozen line, the occupied territory behind it, the DMZ and the danger bands."""
    body = ceasefire_geojson(_state(request), _name(name), width_km=width_km, z=z)
    return Response(body, media_type="application/geo+json")


@router.get("/{name}/alerts", summary="Violations of a frozen line")
def ceasefire_alerts(
    request: Request,
    name: str,
    since: Annotated[str | None, Query(description="First date checked.")] = None,
    until: Annotated[str | None, Query(description="Last date checked.")] = None,
    min_area_km2: Annotated[float, Query(ge=0.0, le=10_000.0)] = 1.0,
    min_depth_km: Annotated[float, Query(ge=0.0, le=500.0)] = 0.5,
) -> dict[str, Any]:
    """Every violation after the freeze beyond tolerance (see ``garant ceasefire watch``)."""
    from garant.frontline.ceasefire import watch

    state = _state(request)
    key_name = _name(name)
    d0 = parse_date(since, name="since") if since is not None else None
    d1 = parse_date(until, name="until") if until is not None else None

    def compute() -> dict[str, Any]:
        report = state.store_call(
            lambda st: watch(
                st,
                key_name,
                since=d0,
                until=d1,
                min_area_km2=min_area_km2,
                min_depth_km=min_depth_km,
            )
        )
        out: dict[str, Any] = jsonable(report.to_json())
        out["latest"] = [
            {"series_id": a.series_id, "date": a.date.isoformat(), "text": a.describe()}
            for a in report.latest()
        ]
        return out

    key = ("alerts", key_name, d0, d1, min_area_km2, min_depth_km)
    alerts: dict[str, Any] = state.other_cache.get_or_compute(key, compute)
    return alerts
