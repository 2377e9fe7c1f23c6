"""Layer files: stable writer, atomic writes, and clear errors on bad input."""

from __future__ import annotations

import json

import geopandas as gpd
import pytest
import shapely

from gis.errors import CRSError, InputError, LayerNotFoundError
from gis.io import atomic_write, write_geojson
from gis.readers.geojson import read_geojson


def _fc(coords, props=None):
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": props or {"id": "a", "name_zh": "甲"},
                "geometry": {"type": "Point", "coordinates": coords},
            }
        ],
    }


def test_rewriting_a_shipped_layer_gives_identical_bytes(root, tmp_path):
    src = root / "layers" / "districts.geojson"
    gdf = read_geojson(src, key="adcode")
    out = write_geojson(gdf, tmp_path / "d.geojson", name="districts")
    assert out.read_bytes() == src.read_bytes()


def test_missing_file(tmp_path):
    with pytest.raises(LayerNotFoundError, match="file not found"):
        read_geojson(tmp_path / "nope.geojson")


def test_malformed_json_names_file_and_line(tmp_path):
    p = tmp_path / "bad.geojson"
    p.write_text('{"type": "FeatureCollection",\n "features": [}', encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.geojson: not valid GeoJSON at line 2"):
        read_geojson(p)


def test_metres_are_refused_with_the_fix(tmp_path):
    p = tmp_path / "metres.geojson"
    p.write_text(json.dumps(_fc([500000.0, 3385000.0])), encoding="utf-8")
    with pytest.raises(CRSError, match=r"metres.geojson: feature 1 \(甲\).*not lon/lat.*--crs"):
        read_geojson(p)


def test_swapped_lat_lon_is_detected(tmp_path):
    p = tmp_path / "swapped.geojson"
    p.write_text(json.dumps(_fc([30.6, 114.3])), encoding="utf-8")
    with pytest.raises(CRSError, match="swapped"):
        read_geojson(p)


def test_point_outside_wuhan(tmp_path):
    p = tmp_path / "beijing.geojson"
    p.write_text(json.dumps(_fc([116.4, 39.9])), encoding="utf-8")
    with pytest.raises(CRSError, match="outside Wuhan"):
        read_geojson(p)


def test_declared_foreign_crs_is_refused(tmp_path):
    fc = _fc([114.3, 30.6])
    fc["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4547"}}
    p = tmp_path / "crs.geojson"
    p.write_text(json.dumps(fc), encoding="utf-8")
    with pytest.raises(CRSError, match="4547.*clustermap import"):
        read_geojson(p)


def test_atomic_write_keeps_the_old_file_on_failure(tmp_path):
    p = tmp_path / "layer.geojson"
    p.write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError):
        with atomic_write(p, "w", encoding="utf-8") as fh:
            fh.write("half")
            raise RuntimeError("boom")
    assert p.read_text(encoding="utf-8") == "old"
    assert [f.name for f in tmp_path.iterdir()] == ["layer.geojson"]


def test_writer_refuses_projected_frames(tmp_path):
    g = gpd.GeoDataFrame({"id": ["a"]}, geometry=[shapely.Point(500000, 3385000)], crs="EPSG:4547")
    with pytest.raises(CRSError, match="WGS84"):
        write_geojson(g, tmp_path / "x.geojson")
    assert not (tmp_path / "x.geojson").exists()


def test_writer_rounds_to_six_places_and_keeps_unicode(tmp_path):
    g = gpd.GeoDataFrame(
        {"name_zh": ["武昌"], "n": [1.5]},
        geometry=[shapely.Point(114.123456789, 30.5)],
        crs="EPSG:4326",
    )
    text = write_geojson(g, tmp_path / "x.geojson").read_text(encoding="utf-8")
    assert "[114.123457,30.5]" in text and "武昌" in text
