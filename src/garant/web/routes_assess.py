"""Routes of assessments: run packages, read a run, its map layers and its report files.

``POST /api/assessments`` runs :func:`garant.packages.assess.assess_packages` and
:func:`garant.report.assess.write_assessment_report` into a folder named by a fresh,
unguessable run id; one assessment runs at a time. The map layers of a run are
derived from the assessments once, right after the run (:func:`assessment_layers`).
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any, Literal

import numpy as np
import pandas as pd
from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from shapely.geometry import Point, Polygon
from starlette.exceptions import HTTPException

from garant.web.layers import (
    collection_bytes,
    feature_bytes,
    frame_features,
    geometry_bytes,
    jsonable,
    simplify_for_zoom,
)
from garant.web.routes_packages import MAX_TOML_BYTES, package_from_text, preset_package
from garant.web.security import check_run_id, new_run_id, run_file, token_matches
from garant.web.state import AppState, RunRecord

if TYPE_CHECKING:
    from garant.packages.results import Comparison, PackageAssessment

__all__ = [
    "AssessmentRequest",
    "assessment_layers",
    "package_features",
    "reports_router",
    "require_token",
    "router",
]

router = APIRouter(prefix="/api/assessments", tags=["assessments"])
reports_router = APIRouter(prefix="/reports", tags=["assessments"])

#: Most packages in one request.
MAX_PACKAGES = 10
_LAYER_ZOOM = 8  # layers of a run are simplified for zoom 8-9 (~150 m)
_CIRCLE_POINTS = 72
#: Headers of report files: no scripts, nothing from elsewhere.
REPORT_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "font-src 'self' data:; frame-ancestors 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
}


def require_token(request: Request) -> None:
    """Dependency of every write: the bearer token, when the app has one.

    Raises
    ------
    starlette.exceptions.HTTPException
        401 without the right ``Authorization: Bearer`` header.
    """
    state: AppState = request.app.state.garant
    if state.token is None:
        return
    if not token_matches(request.headers.get("authorization"), state.token):
        raise HTTPException(
            401,
            "this server needs a token for writes: send Authorization: Bearer <token>",
            headers={"WWW-Authenticate": "Bearer"},
        )


class AssessmentRequest(BaseModel):
    """Body of ``POST /api/assessments``: bundled packages and/or one package TOML."""

    model_config = ConfigDict(extra="forbid")

    packages: Annotated[
        list[Annotated[str, Field(min_length=1, max_length=80)]],
        Field(max_length=MAX_PACKAGES, description="Bundled package names."),
    ] = []
    toml: Annotated[str | None, Field(max_length=MAX_TOML_BYTES, description="A package TOML.")] = (
        None
    )
    lang: Literal["en", "de"] = "en"
    runs: Annotated[int, Field(ge=1, le=20_000, description="Calculus draws.")] = 2000
    air_runs: Annotated[int, Field(ge=1, le=1000, description="Runs per air campaign.")] = 100
    seed: Annotated[int, Field(ge=0, le=2**31 - 1)] = 0

    @field_validator("toml")
    @classmethod
    def _toml_bytes(cls, v: str | None) -> str | None:
        if v is not None and len(v.encode("utf-8")) > MAX_TOML_BYTES:
            raise ValueError(f"over the {MAX_TOML_BYTES // 1024} KiB limit")
        return v

    @model_validator(mode="after")
    def _some(self) -> AssessmentRequest:
        if not self.packages and not self.toml:
            raise ValueError("give packages (bundled names) or toml (a package), or both")
        if len(set(self.packages)) != len(self.packages):
            raise ValueError("a package is named twice")
        return self


# ---------------------------------------------------------------------------- layers


def _circle(lon: float, lat: float, radius_km: float) -> Polygon:
    from pyproj import Geod

    az = np.linspace(0.0, 360.0, _CIRCLE_POINTS, endpoint=False)
    n = len(az)
    lons, lats, _ = Geod(ellps="WGS84").fwd(
        np.full(n, lon), np.full(n, lat), az, np.full(n, radius_km * 1000.0)
    )
    return Polygon(zip(lons, lats, strict=True))


def _points(df: pd.DataFrame, columns: Sequence[str]) -> Any:
    import geopandas as gpd

    geoms = [Point(x, y) for x, y in zip(df["lon"], df["lat"], strict=True)]
    return gpd.GeoDataFrame(df[[c for c in columns if c in df.columns]], geometry=geoms, crs=4326)


def _land_features(a: PackageAssessment, tag: dict[str, Any]) -> list[bytes]:
    land = a.land
    if land is None:
        return []
    out = frame_features(land.bases, None, extra={**tag, "layer": "bases"})
    iso = land.isochrones
    if len(iso):
        out += frame_features(iso, _LAYER_ZOOM, extra={**tag, "layer": "reach"})
    return out


def _air_features(a: PackageAssessment, tag: dict[str, Any]) -> list[bytes]:
    air = a.air
    if air is None:
        return []
    cols = ("unit_id", "defence_id", "kind", "role", "location", "placement", "hostile_km")
    units = _points(
        air.units.rename(columns={"kind": "unit_kind"}),
        [c if c != "kind" else "unit_kind" for c in cols],
    )
    out = frame_features(units, None, extra={**tag, "layer": "air_units"})
    circles: dict[tuple[str, float, float, float], int] = {}
    for u in air.coverage_units:
        r = max((u.engagement_range_km(c) for c in u.range_km), default=0.0)
        r = r if r > 0 else float(u.detect_range_km)
        if r > 0:
            key = (u.defence_id, round(u.lon, 5), round(u.lat, 5), float(r))
            circles[key] = circles.get(key, 0) + 1
    for (defence, lon, lat, r), n in circles.items():
        props = {
            **tag,
            "layer": "air_coverage",
            "defence_id": defence,
            "range_km": r,
            "units": n,
        }
        out.append(
            feature_bytes(geometry_bytes(simplify_for_zoom(_circle(lon, lat, r), 10)), props)
        )
    return out


def _sea_features(a: PackageAssessment, tag: dict[str, Any]) -> list[bytes]:
    plan = a.sea
    if plan is None:
        return []
    from garant.sea.geography import water
    from garant.sea.threats import launch_area, load_sea_threats, reach_polygon
    from garant.sources.geography import countries

    route = plan.assessment.route
    out = [
        feature_bytes(
            geometry_bytes(simplify_for_zoom(route.line, 10)),
            {
                **tag,
                "layer": "sea_route",
                "mission": plan.name,
                "origin": route.origin,
                "destination": route.destination,
                "length_km": route.length_km,
                "transit_h": route.transit_h,
                "nato_territorial_share": route.nato_territorial_share,
            },
        )
    ]
    c = countries()
    russia = c.loc[c["iso_a3"] == "RUS", "geometry"]
    launch = launch_area(plan.occupied, russia.iloc[0] if len(russia) else None)
    catalogue = load_sea_threats()
    sea = water()
    for system in plan.assessment.systems:
        ring = reach_polygon(launch, system, clip=sea)
        threat = catalogue[system]
        props = {
            **tag,
            "layer": "threat_rings",
            "system": system,
            "name": threat.name,
            "range_km": float(threat.range_km.value),
        }
        out.append(feature_bytes(geometry_bytes(simplify_for_zoom(ring, _LAYER_ZOOM)), props))
    if plan.mine_areas is not None and len(plan.mine_areas):
        out += frame_features(
            plan.mine_areas,
            10,
            columns=("id", "name", "kind", "source"),
            extra={
                **tag,
                "layer": "mine_areas",
            },
        )
    cover = plan.air_cover
    if cover is not None and cover.stations_needed:
        st = cover.stations
        for (_, row), circle in zip(st.iterrows(), cover.station_circles(), strict=True):
            props = {
                **tag,
                "layer": "cap_stations",
                "station": row["station"],
                "radius_km": cover.radius_km,
                "aircraft": row.get("aircraft"),
                "defence": cover.defence,
            }
            out.append(feature_bytes(geometry_bytes(simplify_for_zoom(circle, 10)), props))
    return out


def package_features(a: PackageAssessment) -> list[bytes]:
    """Map features of one assessed package.

    ``layer`` is ``bases`` and ``reach`` (isochrones: ``hours``, ``base_id``) for the
    ground force; ``air_units`` and ``air_coverage`` (a geodesic circle of each
    position's largest engagement range, ``units`` at it) for the air mission;
    ``sea_route``, ``threat_rings`` (coastal anti-ship systems counted in the routing,
    clipped to the sea), ``mine_areas`` and ``cap_stations`` for the sea mission. Every
    feature has ``package``.

    Parameters
    ----------
    a : PackageAssessment

    Returns
    -------
    list of bytes
        GeoJSON Features.
    """
    tag = {"package": a.name}
    return [*_land_features(a, tag), *_air_features(a, tag), *_sea_features(a, tag)]


def assessment_layers(comparison: Comparison, run_id: str) -> bytes:
    """``{"id": ..., "packages": {name: FeatureCollection}}`` of a run, as JSON bytes.

    Parameters
    ----------
    comparison : Comparison
    run_id : str

    Returns
    -------
    bytes
    """
    import json

    parts = []
    for a in comparison.assessments:
        members = {"package": a.name, "title": a.package.label}
        fc = collection_bytes(package_features(a), members)
        parts.append(json.dumps(a.name).encode() + b":" + fc)
    return b'{"id":' + json.dumps(run_id).encode() + b',"packages":{' + b",".join(parts) + b"}}"


# ---------------------------------------------------------------------------- routes


def _run(state: AppState, body: AssessmentRequest, run_id: str) -> RunRecord:
    from garant.packages.assess import assess_packages
    from garant.report.assess import write_assessment_report
    from garant.store import open_store

    packages: list[Any] = [preset_package(n) for n in body.packages]
    if body.toml:
        packages.append(package_from_text(body.toml))
    out_dir = state.reports_dir / run_id
    started = dt.datetime.now(dt.UTC)
    try:
        # A connection of its own: the app's connection keeps serving the map meanwhile.
        with open_store(state.store_path, read_only=True) as store:
            comparison = assess_packages(
                packages, store=store, n_runs=body.runs, rng=body.seed, air_runs=body.air_runs
            )
        write_assessment_report(comparison, out_dir, lang=body.lang, pdf=False)
        layers = assessment_layers(comparison, run_id)
    except BaseException:
        shutil.rmtree(out_dir, ignore_errors=True)
        raise
    files = sorted(p.name for p in out_dir.iterdir() if p.is_file())
    summary = {
        "id": run_id,
        "report_url": f"/reports/{run_id}/report.html",
        "layers_url": f"/api/assessments/{run_id}/layers",
        "packages": comparison.names,
        "lang": body.lang,
        "runs": body.runs,
        "air_runs": body.air_runs,
        "seed": body.seed,
        "created_at": started.isoformat(timespec="seconds"),
        "seconds": round((dt.datetime.now(dt.UTC) - started).total_seconds(), 2),
        "files": files,
        "table": jsonable(comparison.table().to_dict("records")),
    }
    return RunRecord(run_id=run_id, summary=summary, layers=layers)


@router.post(
    "",
    summary="Assess packages and write the report (needs the token when one is set)",
    dependencies=[Depends(require_token)],
)
def create_assessment(request: Request, body: AssessmentRequest) -> dict[str, Any]:
    """Run the assessment; returns the run id, the report's URL and the comparison table."""
    state: AppState = request.app.state.garant
    if not state.assess_lock.acquire(blocking=False):
        raise HTTPException(429, "an assessment is running; try again when it has finished")
    try:
        record = _run(state, body, new_run_id())
    finally:
        state.assess_lock.release()
    state.add_run(record)
    return record.summary


@router.get("", summary="Assessment runs kept by the server")
def list_assessments(request: Request) -> list[dict[str, Any]]:
    """The runs kept (newest last): id, packages, created_at, report_url."""
    state: AppState = request.app.state.garant
    keys = ("id", "packages", "created_at", "report_url", "lang", "runs")
    return [{k: r.summary[k] for k in keys} for r in list(state.runs.values())]


@router.get("/{run_id}", summary="One assessment run")
def get_assessment(request: Request, run_id: str) -> dict[str, Any]:
    """What ``POST /api/assessments`` returned for this run."""
    state: AppState = request.app.state.garant
    return state.run(check_run_id(run_id)).summary


@router.get(
    "/{run_id}/layers",
    summary="Map layers of a run (GeoJSON per package)",
    response_class=Response,
)
def assessment_layers_route(request: Request, run_id: str) -> Response:
    """Bases and reach, air units and coverage, sea route, threat rings, CAP stations."""
    state: AppState = request.app.state.garant
    record = state.run(check_run_id(run_id))
    return Response(record.layers, media_type="application/json")


@reports_router.get("/{run_id}/{name}", summary="A file of a run's report")
def report_file(request: Request, run_id: str, name: str) -> FileResponse:
    """Only files of that run's folder; ids are server-generated, names plain."""
    state: AppState = request.app.state.garant
    state.run(check_run_id(run_id))
    path = run_file(state.reports_dir, run_id, name)
    return FileResponse(path, headers=REPORT_HEADERS)
