"""Rendering internals on real layers: shared-border encoding, Gaode shift, offline/online."""

from __future__ import annotations

import json
import re

import pytest
import shapely

from gis.crs import wgs84_to_gcj02
from gis.layers import read_layer
from gis.maps.publish import build_spec
from gis.render.interactive import frame_to_geojson, simplify_for_display
from gis.render.topo import decode, encode

SPEC = """
title = "t"
[[layers]]
layer = "districts"
[[layers]]
layer = "city"
"""


def _page_layers(html: str) -> list[dict]:
    """Decode every layer of a page as the runtime does: arcs + encoded collections."""
    arcs = json.loads(re.search(r"GIS\.setArcs\((\[.*?\])\);", html, re.S).group(1))
    fcs = [
        json.loads(m.group(1))
        for m in re.finditer(r"L\.geoJSON\(GIS\.geo\((\{.*?\})\), \{", html, re.S)
    ]
    return decode(arcs, fcs)


def test_shared_borders_are_stored_once_and_decode_exactly():
    d = frame_to_geojson(simplify_for_display(read_layer("districts")))
    arcs, enc = encode([d, d])  # the same layer twice, as a choropleth over districts is
    plain = len(json.dumps([d, d], separators=(",", ":")))
    coded = len(json.dumps([arcs, enc], separators=(",", ":")))
    assert coded < 0.4 * plain
    n_vertices = sum(len(a) // 2 for a in arcs)
    all_vertices = sum(
        shapely.get_num_coordinates(shapely.geometry.shape(f["geometry"])) for f in d["features"]
    )
    # every border between two districts is stored once: far fewer than all ring vertices
    assert n_vertices < 0.7 * all_vertices
    decoded = decode(arcs, enc)
    assert len(decoded) == 2
    for fc in decoded:
        assert len(fc["features"]) == len(d["features"]) == 13
        for f, g in zip(fc["features"], d["features"]):
            a, b = shapely.geometry.shape(f["geometry"]), shapely.geometry.shape(g["geometry"])
            assert a.equals(b)
            assert shapely.get_num_coordinates(a) == shapely.get_num_coordinates(b)


def test_gaode_shifts_every_vertex_for_display_only(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764201600")
    spec = tmp_path / "g.toml"
    spec.write_text(SPEC, encoding="utf-8")
    stored = read_layer("districts")
    before = stored.geometry.copy()
    html = build_spec(spec, basemap="gaode", out=tmp_path).files[0].read_text("utf-8")
    assert "webrd0{s}.is.autonavi.com" in html  # Gaode tiles, online as asked
    drawn = _page_layers(html)[0]["features"]
    simplified = simplify_for_display(stored)  # what the page draws, before the shift
    assert len(drawn) == len(simplified) == 13
    for f, (code, geom) in zip(drawn, zip(simplified["adcode"], simplified.geometry)):
        assert f["properties"]["adcode"] == code
        got = shapely.get_coordinates(shapely.geometry.shape(f["geometry"]))
        wgs = shapely.get_coordinates(geom)
        gx, gy = wgs84_to_gcj02(wgs[:, 0], wgs[:, 1])
        # each drawn vertex is the GCJ-02 image of a stored vertex, rounded to 5 decimals
        want = {(round(float(x), 5), round(float(y), 5)) for x, y in zip(gx, gy)}
        assert {(float(x), float(y)) for x, y in got} == want
    # the shift is the real one (about 500 m east and 250 m south in Wuhan), not zero
    jiangan = shapely.geometry.shape(drawn[0]["geometry"])
    dx = jiangan.centroid.x - stored.geometry.iloc[0].centroid.x
    dy = jiangan.centroid.y - stored.geometry.iloc[0].centroid.y
    assert 0.004 < dx < 0.007 and -0.004 < dy < -0.001
    assert stored.geometry.equals(before)  # analysis frames never shifted


def test_offline_is_one_file_and_online_uses_the_cdn(tmp_path):
    spec = tmp_path / "o.toml"
    spec.write_text(SPEC, encoding="utf-8")
    off = build_spec(spec, out=tmp_path / "off").files[0].read_text("utf-8")
    on = build_spec(spec, out=tmp_path / "on", offline=False).files[0].read_text("utf-8")
    assert not re.search(r"<(script|link)[^>]+(src|href)=", off)
    assert '<script src="https://unpkg.com/leaflet@1.9.4/dist/leaflet.js">' in on
    assert "GIS.register" in on and "GIS.geo = function" in on  # the runtime is inlined anyway
    assert len(on) < len(off) - 100_000


def test_embed_snippet_is_written_on_request(tmp_path):
    spec = tmp_path / "e.toml"
    spec.write_text(SPEC, encoding="utf-8")
    files = build_spec(spec, out=tmp_path, embed=True).files
    snippet = [f for f in files if f.name == "e.embed.html"]
    assert snippet and snippet[0].read_text("utf-8").startswith('<iframe src="e.html" title="t"')


@pytest.mark.browser
def test_topology_decodes_in_the_browser(tmp_path, open_page):
    spec = tmp_path / "b.toml"
    spec.write_text(SPEC, encoding="utf-8")
    path = build_spec(spec, out=tmp_path).files[0]
    page, log = open_page(path)
    counts = page.evaluate(
        "GIS.layers.map(function (m) { var n = 0; m.layer.eachLayer(function (l) {"
        " n += l.toGeoJSON().geometry.coordinates.length; }); return n; })"
    )
    assert counts[0] >= 13 and counts[1] >= 1
    # the browser's 江岸区 equals the Python decoding, vertex for vertex
    js = page.evaluate("GIS.layers[0].layer.getLayers()[0].toGeoJSON().geometry")
    py = _page_layers(path.read_text("utf-8"))[0]["features"][0]["geometry"]
    assert shapely.geometry.shape(js).equals(shapely.geometry.shape(py))
    assert log.errors == []


def test_page_coordinates_are_rounded_as_python_rounds_them():
    """Coordinates are rounded on arrays; every value equals ``round(v, 5)`` of the geometry's
    own GeoJSON, including halves at the sixth decimal (how layer files store them), whole
    numbers, negative values, large values, 3-D points, empty and missing geometries."""
    import numpy as np

    from gis.io import rounded_geojson

    def round_nested(obj):  # the reference: Python's round on every number
        if obj and isinstance(obj[0], (int, float)):
            return [round(float(v), 5) for v in obj]
        return [round_nested(v) for v in obj]

    rng = np.random.default_rng(7)
    halves = np.round(rng.uniform(113, 116, 400), 5) + 5e-6  # 114.123455: the sixth decimal 5
    xs = np.concatenate([halves, rng.uniform(-180, 180, 400), [114.0, -0.000004, 3e9, -2.5e-6]])
    ys = np.concatenate([np.round(rng.uniform(29, 32, 400), 5) - 5e-6, rng.uniform(-90, 90, 404)])
    geoms = [
        shapely.LineString(np.column_stack([xs, ys])),
        shapely.Polygon([(114.000005, 30.000005), (114.1, 30.0), (114.1, 30.1)]),
        shapely.Point(114.123455, 30.654325, 21.000005),
        shapely.Polygon(),
        None,
        *read_layer("districts").geometry.values[:3],
    ]
    got = rounded_geojson(geoms, 5)
    for g, text in zip(geoms, got):
        if g is None:
            assert text is None
            continue
        want = json.loads(shapely.to_geojson(g))
        want["coordinates"] = round_nested(want["coordinates"])
        assert json.dumps(json.loads(text)) == json.dumps(want)
