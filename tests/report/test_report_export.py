from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
import shapely

from garant.errors import ConfigError, DataError
from garant.report.export import export_layer, export_table

KML_NS = {"k": "http://www.opengis.net/kml/2.2"}


def _changes() -> gpd.GeoDataFrame:
    """A tiny changes layer as the frontline module produces it."""
    square = shapely.box(37.5, 48.0, 37.6, 48.05)
    holed = shapely.Polygon(
        [(38.0, 48.0), (38.2, 48.0), (38.2, 48.2), (38.0, 48.2)],
        [[(38.05, 48.05), (38.1, 48.05), (38.1, 48.1), (38.05, 48.1)]],
    )
    multi = shapely.MultiPolygon(
        [shapely.box(36.0, 47.0, 36.01, 47.01), shapely.box(36.1, 47.0, 36.11, 47.01)]
    )
    return gpd.GeoDataFrame(
        {
            "from_date": [dt.date(2025, 1, 1), dt.date(2025, 1, 2), dt.date(2025, 1, 3)],
            "to_date": pd.to_datetime(["2025-01-02", "2025-01-03", "2025-01-04"]),
            "kind": ["gained", "lost", "gained"],
            "area_km2": [4.21, 1.5, 0.25],
            "centroid_lon": [37.55, 38.1, 36.05],
            "centroid_lat": [48.025, 48.1, 47.005],
            "settlement": ["Pokrovsk", "Toretsk", None],
            "settlement_distance_km": [3.2, 1.0, None],
            "sector": ["Pokrovsk", "Toretsk", "Zaporizhzhia"],
        },
        geometry=[square, holed, multi],
        crs=4326,
    )


def test_geojson_is_rfc7946_with_iso_dates_and_6_decimals(tmp_path: Path) -> None:
    gdf = _changes()
    gdf.loc[0, "geometry"] = shapely.box(37.123456789, 48.0, 37.6, 48.05)
    path = export_layer(gdf, tmp_path / "changes.geojson")
    doc = json.loads(path.read_text())
    assert "crs" not in doc
    props = doc["features"][0]["properties"]
    assert props["from_date"] == "2025-01-01"
    assert props["to_date"] == "2025-01-02"
    xs = {c[0] for c in doc["features"][0]["geometry"]["coordinates"][0]}
    assert 37.123457 in xs
    back = gpd.read_file(path)
    assert len(back) == 3
    assert back.crs.to_epsg() == 4326
    assert list(back["kind"]) == ["gained", "lost", "gained"]
    a, b = shapely.normalize(back.geometry.iloc[1]), shapely.normalize(gdf.geometry.iloc[1])
    assert a.equals_exact(b, tolerance=1e-6)
    assert back.geometry.iloc[2].geom_type == "MultiPolygon"


def test_geojson_reprojects_to_4326(tmp_path: Path) -> None:
    gdf = _changes().to_crs(3857)
    path = export_layer(gdf, tmp_path / "c.json")
    back = gpd.read_file(path)
    assert back.total_bounds == pytest.approx(_changes().total_bounds, abs=1e-6)


def test_geoparquet_round_trip_keeps_types(tmp_path: Path) -> None:
    gdf = _changes()
    path = export_layer(gdf, tmp_path / "changes.geoparquet")
    back = gpd.read_parquet(path)
    assert back.crs.to_epsg() == 4326
    assert list(back.columns) == list(gdf.columns)
    assert back["area_km2"].tolist() == pytest.approx([4.21, 1.5, 0.25])
    assert back["from_date"].iloc[0] == dt.date(2025, 1, 1)
    assert back.geometry.iloc[1].equals(gdf.geometry.iloc[1])


def test_gpkg_named_layers_add_and_replace(tmp_path: Path) -> None:
    path = tmp_path / "garant.gpkg"
    gdf = _changes()
    export_layer(gdf, path, layer="changes")
    line = gpd.GeoDataFrame(
        {"date": ["2025-01-04"]}, geometry=[shapely.LineString([(37, 48), (38, 49)])], crs=4326
    )
    export_layer(line, path, layer="line_of_contact")
    layers = {name for name, _ in pyogrio.list_layers(path)}
    assert layers == {"changes", "line_of_contact"}
    export_layer(gdf.iloc[:1], path, layer="changes")  # replace one layer, keep the other
    assert len(gpd.read_file(path, layer="changes")) == 1
    back = gpd.read_file(path, layer="line_of_contact")
    assert back.geometry.iloc[0].equals(line.geometry.iloc[0])
    assert [p.name for p in tmp_path.iterdir()] == ["garant.gpkg"]
    first = gpd.read_file(path, layer="changes")
    assert first["from_date"].iloc[0] == "2025-01-01"
    assert first["area_km2"].iloc[0] == pytest.approx(4.21)


def test_gpkg_failed_append_keeps_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "garant.gpkg"
    export_layer(_changes(), path, layer="changes")
    before = path.read_bytes()

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(pyogrio, "write_dataframe", broken)
    with pytest.raises(OSError, match="disk full"):
        export_layer(_changes(), path, layer="other")
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["garant.gpkg"]


def test_kml_placemarks_and_coordinates(tmp_path: Path) -> None:
    gdf = _changes()
    pts = gpd.GeoDataFrame({"name": ["Pokrovsk"]}, geometry=[shapely.Point(37.18, 48.28)], crs=4326)
    path = export_layer(gdf, tmp_path / "changes.kml")
    root = ET.parse(path).getroot()
    marks = root.findall(".//k:Placemark", KML_NS)
    assert [m.findtext("k:name", namespaces=KML_NS) for m in marks] == [
        "Pokrovsk",
        "Toretsk",
        "Zaporizhzhia",
    ]
    assert "area_km2" in (marks[0].findtext("k:description", namespaces=KML_NS) or "")
    # polygon 1: one ring of 5; polygon 2: outer + inner ring of 5 each; multipolygon: 2 rings of 5
    rings = [len(e.text.split()) for e in root.iter("{http://www.opengis.net/kml/2.2}coordinates")]
    assert rings == [5, 5, 5, 5, 5]
    assert marks[1].find(".//k:innerBoundaryIs", KML_NS) is not None
    assert marks[2].find("k:MultiGeometry", KML_NS) is not None
    path2 = export_layer(pts, tmp_path / "points.kml")
    coords = ET.parse(path2).getroot().find(".//k:Point/k:coordinates", KML_NS)
    assert coords is not None
    lon, lat = (float(v) for v in coords.text.strip().split(",")[:2])
    assert (lon, lat) == (37.18, 48.28)


def test_kml_lines(tmp_path: Path) -> None:
    line = shapely.MultiLineString([[(37, 48), (37.5, 48.5), (38, 49)], [(35, 47), (35.5, 47.2)]])
    gdf = gpd.GeoDataFrame({"label": ["line of contact"]}, geometry=[line], crs=4326)
    root = ET.parse(export_layer(gdf, tmp_path / "line.kml")).getroot()
    lines = root.findall(".//k:LineString/k:coordinates", KML_NS)
    assert [len(e.text.split()) for e in lines] == [3, 2]


def test_kml_unknown_name_column(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="nope"):
        export_layer(_changes(), tmp_path / "c.kml", name_column="nope")


def test_format_given_overrides_suffix(tmp_path: Path) -> None:
    path = export_layer(_changes(), tmp_path / "changes.dat", format="GeoJSON")
    assert json.loads(path.read_text())["type"] == "FeatureCollection"


def test_unknown_format_lists_supported(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"\.shp.*geojson.*parquet.*gpkg.*kml"):
        export_layer(_changes(), tmp_path / "changes.shp")
    with pytest.raises(ConfigError, match="'shapefile'"):
        export_layer(_changes(), tmp_path / "changes.gpkg", format="shapefile")
    with pytest.raises(ConfigError, match="csv"):
        export_table(pd.DataFrame({"a": [1]}), tmp_path / "t.xlsx")


def test_layer_without_crs_is_rejected(tmp_path: Path) -> None:
    gdf = _changes().set_crs(None, allow_override=True)
    with pytest.raises(DataError, match="no CRS"):
        export_layer(gdf, tmp_path / "c.geojson")
    assert list(tmp_path.iterdir()) == []


def _daily() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "date": pd.to_datetime(["2025-01-01", "2025-01-02", "2025-01-04"]),
            "occupied_km2": [112000.5, 112004.25, 112010.0],
            "occupied_pct": [18.55, 18.56, 18.56],
            "gap_days": [0, 0, 1],
            "net_7d_km2_per_day": [float("nan"), 3.75, 2.9],
            "source": ["archive", "archive", "archive"],
        }
    )


def test_table_csv_round_trip(tmp_path: Path) -> None:
    path = export_table(_daily(), tmp_path / "daily.csv")
    text = path.read_text()
    assert text.splitlines()[1].startswith("2025-01-01,112000.5,")
    back = pd.read_csv(path, parse_dates=["date"])
    pd.testing.assert_frame_equal(back, _daily())


def test_table_json_records_iso_dates(tmp_path: Path) -> None:
    df = _daily()
    df["day"] = [dt.date(2025, 1, 1), None, dt.date(2025, 1, 4)]
    path = export_table(df, tmp_path / "daily.json")
    records = json.loads(path.read_text())
    assert records[0]["date"] == "2025-01-01"
    assert records[1]["day"] is None
    assert records[0]["net_7d_km2_per_day"] is None
    assert records[2]["occupied_km2"] == 112010.0


def test_table_keeps_time_of_day(tmp_path: Path) -> None:
    df = pd.DataFrame({"taken_at": pd.to_datetime(["2025-01-01T03:00:00Z"])})
    records = json.loads(export_table(df, tmp_path / "t.json").read_text())
    assert records[0]["taken_at"] == "2025-01-01T03:00:00+00:00"


def test_table_from_geodataframe_writes_wkt(tmp_path: Path) -> None:
    path = export_table(_changes(), tmp_path / "changes.csv")
    back = pd.read_csv(path)
    assert back["geometry"].iloc[0].startswith("POLYGON")


def test_missing_timestamps_are_null(tmp_path: Path) -> None:
    gdf = gpd.GeoDataFrame(
        {"t": pd.to_datetime(["2025-01-01T03:00Z", None])},
        geometry=[shapely.Point(30, 50), shapely.Point(31, 50)],
        crs=4326,
    )
    doc = json.loads(export_layer(gdf, tmp_path / "t.geojson").read_text())
    assert [f["properties"]["t"] for f in doc["features"]] == ["2025-01-01T03:00:00+00:00", None]
    root = ET.parse(export_layer(gdf, tmp_path / "t.kml")).getroot()
    assert "NaT" not in ET.tostring(root, encoding="unicode")
    records = json.loads(
        export_table(pd.DataFrame(gdf.drop(columns="geometry")), tmp_path / "t.json").read_text()
    )
    assert records[1]["t"] is None


def test_empty_layers(tmp_path: Path) -> None:
    empty = _changes().iloc[:0]
    for ext in ("geojson", "parquet", "gpkg", "kml"):
        path = export_layer(empty, tmp_path / f"empty.{ext}")
        assert path.stat().st_size > 0
    assert len(gpd.read_file(tmp_path / "empty.geojson")) == 0


def test_report_package_is_lazy() -> None:
    import subprocess
    import sys

    code = (
        "import sys, garant.report as r; assert 'matplotlib' not in sys.modules; "
        "assert 'jinja2' not in sys.modules; r.export_layer; print('ok')"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "ok"
