"""Web API: dates, the frontline layer of a date, measures, monthly table, changes, basemap."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import shapely
from shapely.geometry import shape

from garant.frontline import queries
from garant.store.duckdb import DuckDBStore


@pytest.fixture(scope="module")
def timeline(web_store: Path) -> list[dt.date]:
    with DuckDBStore(web_store, read_only=True) as st:
        return sorted(d for d in st.timeline()["date"])


def _coords(fc: dict[str, Any], kind: str) -> int:
    geoms = [shape(f["geometry"]) for f in fc["features"] if f["properties"]["kind"] == kind]
    return int(shapely.get_num_coordinates(geoms).sum())


def _one_line_error(r: Any, status: int) -> str:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"detail"}
    assert isinstance(body["detail"], str)
    assert "\n" not in body["detail"]
    return str(body["detail"])


def test_dates(client: Any, timeline: list[dt.date]) -> None:
    body = client.get("/api/dates").json()
    assert body["dates"] == [d.isoformat() for d in timeline]
    assert body["first"] == timeline[0].isoformat()
    assert body["last"] == timeline[-1].isoformat()


def test_frontline_of_a_snapshot_date(
    client: Any, web_store: Path, timeline: list[dt.date]
) -> None:
    day = timeline[20]
    r = client.get(f"/api/frontline/{day}?z=14")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/geo+json")
    fc = r.json()
    assert fc["type"] == "FeatureCollection"
    kinds = [f["properties"]["kind"] for f in fc["features"]]
    assert "occupied" in kinds
    assert "line" in kinds
    with DuckDBStore(web_store, read_only=True) as st:
        m = queries.measures_at(st, day)
        occupied = queries.layer(st, "occupied", date=day).geometry.iloc[0]
        line_km = float(queries.layer(st, "line", date=day)["length_km"].iloc[0])
    occ = next(f for f in fc["features"] if f["properties"]["kind"] == "occupied")
    assert occ["properties"]["area_km2"] == pytest.approx(m["occupied_km2"])
    assert occ["properties"]["date"] == day.isoformat()
    assert occ["properties"]["date_shown"] == day.isoformat()
    line = next(f for f in fc["features"] if f["properties"]["kind"] == "line")
    assert line["properties"]["length_km"] == pytest.approx(line_km)
    # At the finest zoom the outline is the stored one to within a few metres.
    served = shape(occ["geometry"])
    assert served.symmetric_difference(occupied).area < 1e-4 * occupied.area


def test_a_date_between_snapshots_shows_the_earlier(client: Any, timeline: list[dt.date]) -> None:
    before, after = timeline[10], timeline[11]
    assert (after - before).days > 1
    day = before + dt.timedelta(days=1)
    fc = client.get(f"/api/frontline/{day}").json()
    assert fc["date"] == day.isoformat()
    assert fc["date_shown"] == before.isoformat()
    assert {f["properties"]["date_shown"] for f in fc["features"]} == {before.isoformat()}
    # After the last snapshot: the last one.
    later = timeline[-1] + dt.timedelta(days=40)
    assert client.get(f"/api/frontline/{later}").json()["date_shown"] == timeline[-1].isoformat()


def test_simplification_decreases_with_zoom(client: Any, timeline: list[dt.date]) -> None:
    day = timeline[-1]
    counts = [
        _coords(client.get(f"/api/frontline/{day}?z={z}").json(), "occupied") for z in (0, 4, 8, 14)
    ]
    assert counts == sorted(counts)
    assert counts[0] < counts[-1] / 4
    tols = [client.get(f"/api/frontline/{day}?z={z}").json()["tolerance_deg"] for z in (0, 7, 14)]
    assert tols[0] > tols[1] > tols[2]


def test_frontline_is_cached_and_has_an_etag(
    client: Any, web_app: Any, timeline: list[dt.date]
) -> None:
    cache = web_app.state.garant.frontline_cache
    url = f"/api/frontline/{timeline[5]}?z=9"
    first = client.get(url)
    hits = cache.hits
    second = client.get(url)
    assert cache.hits == hits + 1
    assert second.content == first.content
    etag = first.headers["etag"]
    r = client.get(url, headers={"If-None-Match": etag})
    assert r.status_code == 304
    # Zooms of one bucket share the cache entry; another date has another ETag.
    client.get(f"/api/frontline/{timeline[5]}?z=8")
    assert cache.hits == hits + 2
    assert client.get(f"/api/frontline/{timeline[6]}?z=9").headers["etag"] != etag


@pytest.mark.parametrize(
    ("url", "status", "words"),
    [
        ("/api/frontline/1999-01-01", 404, "no snapshot on or before 1999-01-01"),
        ("/api/frontline/2024-13-01", 400, "not a date"),
        ("/api/frontline/yesterday", 400, "not a date"),
        ("/api/frontline/2024-01-01?z=15", 422, "z:"),
        ("/api/frontline/2024-01-01?z=-1", 422, "z:"),
        ("/api/frontline/2024-01-01?z=abc", 422, "z:"),
        ("/api/measures/1999-01-01", 404, "1999-01-01"),
        ("/api/measures/2024-02-30", 400, "not a date"),
        ("/api/changes?since=2024-01-01&until=2023-01-01", 400, "before"),
        ("/api/changes?until=2024-01-01", 422, "since"),
        ("/api/changes?since=nope", 400, "since"),
        ("/api/changes?since=2024-01-01&min_area_km2=-1", 422, "min_area_km2"),
        ("/api/base/roads", 404, "base layer 'roads'"),
        ("/api/base/settlements?min_population=-5", 422, "min_population"),
        ("/api/nothing-here", 404, "Not Found"),
    ],
)
def test_bad_input_is_a_one_line_4xx(client: Any, url: str, status: int, words: str) -> None:
    assert words in _one_line_error(client.get(url), status)


def test_measures(client: Any, web_store: Path, timeline: list[dt.date]) -> None:
    day = timeline[30] + dt.timedelta(days=3)
    body = client.get(f"/api/measures/{day}").json()
    with DuckDBStore(web_store, read_only=True) as st:
        m = queries.measures_at(st, day)
    assert body["date"] == day.isoformat()
    assert body["date_shown"] == timeline[30].isoformat()
    assert body["occupied_km2"] == pytest.approx(m["occupied_km2"])
    assert body["occupied_pct"] == pytest.approx(m["occupied_pct"])
    assert body["line_km"] == pytest.approx(m["line_km"])


def test_monthly(client: Any, web_store: Path) -> None:
    body = client.get("/api/monthly").json()
    with DuckDBStore(web_store, read_only=True) as st:
        table = queries.monthly(st)
    assert [r["month"] for r in body] == list(table["month"])
    assert body[-1]["occupied_km2_end"] == pytest.approx(table["occupied_km2_end"].iloc[-1])
    assert body[0]["gained_km2"] is None  # NaN becomes null (strict JSON)


def test_changes(client: Any, web_store: Path, timeline: list[dt.date]) -> None:
    since, until = timeline[12], timeline[24]
    r = client.get(f"/api/changes?since={since}&until={until}&z=10")
    assert r.status_code == 200
    fc = r.json()
    with DuckDBStore(web_store, read_only=True) as st:
        ref = queries.changes(st, since=since, until=until)
    assert len(fc["features"]) == len(ref) > 0
    gained = sum(
        f["properties"]["area_km2"] for f in fc["features"] if f["properties"]["kind"] == "gained"
    )
    assert gained == pytest.approx(ref.loc[ref["kind"] == "gained", "area_km2"].sum())
    assert fc["gained_km2"] == pytest.approx(gained)
    assert {"sector", "settlement", "area_km2"} <= set(fc["features"][0]["properties"])
    # A bigger sliver threshold drops polygons.
    fewer = client.get(f"/api/changes?since={since}&until={until}&min_area_km2=5").json()
    assert len(fewer["features"]) == int((ref["area_km2"] >= 5).sum())


@pytest.mark.parametrize("layer", ["countries", "oblasts", "settlements", "sea"])
def test_base_layers(client: Any, layer: str) -> None:
    from garant.sources import geography

    r = client.get(f"/api/base/{layer}")
    assert r.status_code == 200
    assert "max-age" in r.headers["cache-control"]
    fc = r.json()
    expected = {
        "countries": lambda: len(geography.countries()),
        "oblasts": lambda: len(geography.oblasts()),
        "settlements": lambda: len(geography.settlements()),
        "sea": lambda: 1,
    }[layer]()
    assert len(fc["features"]) == expected
    assert (
        client.get(f"/api/base/{layer}", headers={"If-None-Match": r.headers["etag"]}).status_code
        == 304
    )


def test_base_settlements_by_population(client: Any) -> None:
    fc = client.get("/api/base/settlements?min_population=100000").json()
    assert fc["features"]
    assert min(f["properties"]["population"] for f in fc["features"]) >= 100_000


def test_openapi_documents_the_api(client: Any) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    for p in ("/api/dates", "/api/frontline/{date}", "/api/packages/validate", "/api/assessments"):
        assert p in paths
    assert client.get("/api/docs").status_code == 200


def test_gzip_when_asked(client: Any, timeline: list[dt.date]) -> None:
    url = f"/api/frontline/{timeline[-1]}?z=12"
    r = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert r.headers["content-encoding"] == "gzip"
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert r.json() == plain.json()


def test_without_a_built_front_end_the_root_says_how_to_build(
    web_store: Path, tmp_path: Path, make_client: Any
) -> None:
    from garant.web.app import create_app

    app = create_app(
        str(web_store),
        static_dir=tmp_path / "none",
        preload=False,
        prefetch=False,
        reports_dir=tmp_path / "reports",
    )
    try:
        r = make_client(app).get("/")
        assert r.status_code == 200
        assert "npm run build" in r.text
        assert make_client(app).get("/api/health").json()["ok"] is True
    finally:
        app.state.garant.close()
