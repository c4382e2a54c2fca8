"""Routes of the basemap: garant's bundled geography as GeoJSON (offline, no tiles)."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from garant.errors import NotFoundError
from garant.web.layers import collection_bytes, frame_features
from garant.web.state import AppState

__all__ = ["BASE_LAYERS", "base_geojson", "router"]

router = APIRouter(prefix="/api", tags=["basemap"])

#: The basemap layers.
BASE_LAYERS: tuple[str, ...] = ("countries", "oblasts", "settlements", "sea")
_ZOOM = 10  # base layers are simplified like the frontline at zoom 10-11 (~30 m)


def _frame(layer: str, min_population: int) -> Any:
    import geopandas as gpd

    from garant.sources import geography

    if layer == "countries":
        return geography.countries()
    if layer == "oblasts":
        return geography.oblasts()
    if layer == "settlements":
        s = geography.settlements()
        return s[s["population"] >= min_population].sort_values("population", ascending=False)
    from garant.sea.geography import water

    return gpd.GeoDataFrame({"name": ["Black Sea and Sea of Azov"]}, geometry=[water()], crs=4326)


def base_geojson(state: AppState, layer: str, *, min_population: int = 0) -> tuple[bytes, str]:
    """A basemap layer as GeoJSON and its ETag (a hash of the bytes).

    Parameters
    ----------
    state : AppState
    layer : str
        One of :data:`BASE_LAYERS`.
    min_population : int
        Settlements only: the smallest population kept.

    Returns
    -------
    tuple
        ``(bytes, ETag)``.

    Raises
    ------
    NotFoundError
        An unknown layer.
    """
    if layer not in BASE_LAYERS:
        raise NotFoundError(
            f"base layer {layer[:40]!r}: unknown (expected one of {', '.join(BASE_LAYERS)})"
        )
    key = ("base", layer, min_population if layer == "settlements" else 0)

    def compute() -> tuple[bytes, str]:
        frame = _frame(layer, min_population)
        body = collection_bytes(frame_features(frame, _ZOOM), {"layer": layer, "n": len(frame)})
        return body, '"base-' + hashlib.sha256(body).hexdigest()[:20] + '"'

    out: tuple[bytes, str] = state.other_cache.get_or_compute(key, compute)
    return out


@router.get(
    "/base/{layer}",
    summary="Basemap layer (GeoJSON)",
    response_class=Response,
    responses={200: {"content": {"application/geo+json": {}}}, 404: {}},
)
def base_layer(
    request: Request,
    layer: str,
    min_population: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Response:
    """countries, oblasts, settlements (name, population) or sea, with ETag and Cache-Control."""
    state: AppState = request.app.state.garant
    body, etag = base_geojson(state, layer, min_population=min_population)
    headers = {"ETag": etag, "Cache-Control": "public, max-age=86400"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/geo+json", headers=headers)
