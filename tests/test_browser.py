"""Every shipped map in headless Chromium, opened from file:// with the network blocked.

Per map: zero outgoing requests, no console errors, every layer listed in the grouped
control with its legend, search finds a district (zh and en) and opens its popup,
unticking a layer hides its legend, the screenshot is not blank. Plus: a feature named
like an XSS payload shows as text everywhere, and the measure tool measures.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gis.maps.publish import build_spec
from gis.maps.spec import shipped_specs

pytestmark = pytest.mark.browser

SPECS = {p.stem: p for p in shipped_specs()}


@pytest.fixture
def built(built_maps):
    """Every shipped spec, built once for the session (tests/conftest.py)."""
    return built_maps.html


def _distinct_colours(png: Path) -> int:
    from PIL import Image

    colours = Image.open(png).convert("RGB").getcolors(maxcolors=1 << 20)
    return len(colours or [])


@pytest.mark.parametrize("name", sorted(SPECS))
def test_shipped_map_works_offline(built, name, open_page, tmp_path):
    page, log = open_page(built[name])
    page.wait_for_timeout(200)
    assert log.external_requests == []
    assert log.errors == []
    layers = page.evaluate(
        "GIS.layers.map(function (m) { return {title: m.title, group: m.group,"
        " legend: !!m.legend, n: m.layer.getLayers().length}; })"
    )
    assert layers, "no layer registered"
    control = page.locator(".gis-layers").inner_text()
    for m in layers:
        assert m["title"] in control
        assert m["n"] > 0
    legends = page.locator(".gis-legend-item")
    assert legends.count() == sum(m["legend"] for m in layers)
    # groups appear in the fixed order base → plan → indicators → analysis
    groups = page.locator(".gis-layer-group").evaluate_all(
        "els => els.map(e => e.getAttribute('data-group'))"
    )
    order = ["base", "plan", "indicators", "analysis"]
    assert groups == sorted(groups, key=order.index)
    assert page.locator(".gis-minimap path").count() >= 1
    shot = tmp_path / f"{name}.png"
    page.screenshot(path=str(shot))
    assert _distinct_colours(shot) > 20


def test_search_finds_a_district_in_chinese_and_english_and_opens_its_popup(built, open_page):
    page, log = open_page(built["corridors"])
    for query in ("wuchang", "武昌"):
        page.fill(".gis-search input", query)
        first = page.locator(".gis-search li").first
        assert first.inner_text().startswith("武昌区 Wuchang")
    first.click()
    page.wait_for_timeout(300)
    assert "武昌区" in page.locator(".leaflet-popup-content").inner_text()
    page.fill(".gis-search input", "no such place")
    assert page.locator(".gis-search li").inner_text() == "无结果 No match"
    assert log.errors == []


def test_unticking_a_layer_hides_its_legend(built, open_page):
    page, _ = open_page(built["hubs"])
    idx = page.evaluate("GIS.layers.findIndex(function (m) { return m.legend; })")
    title = page.evaluate(f"GIS.layers[{idx}].title")
    legend = page.locator(".gis-legend-item").nth(0)
    assert legend.is_visible() and title in legend.inner_text()
    box = page.locator(".gis-layers label", has_text=title).locator("input")
    box.uncheck()
    assert not legend.is_visible()
    assert page.evaluate(f"GIS.map.hasLayer(GIS.layers[{idx}].layer)") is False
    box.check()
    assert legend.is_visible()


def test_district_labels_show_at_the_fitted_view_with_their_layer(built, open_page):
    """Names show at first sight (the map opens near zoom 9); they go with their layer."""
    page, _ = open_page(built["hubs"])
    assert page.evaluate("GIS.map.getZoom()") < 10
    names = page.locator(".gis-label").all_inner_texts()
    assert len(names) == 13 and "武昌区" in names
    page.locator(".gis-layers label", has_text="行政区 Districts").locator("input").uncheck()
    assert page.locator(".gis-label").count() == 0
    page.locator(".gis-layers label", has_text="行政区 Districts").locator("input").check()
    assert page.locator(".gis-label").count() == 13


def test_schematic_note_follows_the_schematic_layers(built, open_page):
    page, _ = open_page(built["hubs"])
    note = page.locator(".gis-title .gis-schematic")
    assert note.is_visible() and "示意" in note.inner_text()
    for m in page.evaluate(
        "GIS.layers.filter(function (m) { return m.schematic; })"
        ".map(function (m) { return m.title; })"
    ):
        page.locator(".gis-layers label", has_text=m).locator("input").uncheck()
    assert not note.is_visible()
    page.locator(".gis-layers input").last.check()
    assert note.is_visible() == page.evaluate("GIS.layers[GIS.layers.length - 1].schematic")


def test_measure_tool_reports_a_geodesic_length(built, open_page):
    page, log = open_page(built["corridors"])
    page.locator(".gis-measure").click()
    # two clicks 200 px apart horizontally; the length must equal Leaflet's own distance
    page.mouse.click(500, 600)
    page.mouse.click(700, 600)
    page.wait_for_timeout(100)
    expected = page.evaluate(
        "(function () { var m = GIS.map;"
        " var a = m.containerPointToLatLng([500, 600]), b = m.containerPointToLatLng([700, 600]);"
        " return m.distance(a, b); })()"
    )
    assert page.evaluate("GIS.measured") == pytest.approx(expected, rel=1e-6)
    assert 5000 < expected < 60000  # 200 px at the city view is kilometres, not metres
    label = page.locator(".gis-measure-label").inner_text()
    assert label == f"{expected / 1000:.2f} km"
    assert log.errors == []


XSS = "<img src=x onerror=alert(1)>"


def test_xss_payload_in_a_feature_name_shows_as_text(tmp_path, open_page, root, monkeypatch):
    """A synthetic layer whose feature names are HTML: text in tooltip, popup, search, legend."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764201600")
    layer = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {
                    "id": "synthetic-1",
                    "name_zh": XSS,
                    "name_en": "Synthetic <b>bold</b>",
                    "source": "synthetic test data",
                    "precision": "schematic",
                },
                "geometry": {"type": "Point", "coordinates": [114.3, 30.58]},
            }
        ],
    }
    (tmp_path / "synthetic_xss.geojson").write_text(json.dumps(layer), encoding="utf-8")
    spec = tmp_path / "xss.toml"
    spec.write_text(
        'title = "XSS <script>alert(2)</script>"\n'
        '[[layers]]\nfile = "synthetic_xss.geojson"\ntitle = "层 <i>x</i>"\nlabel = "name_zh"\n'
        'style = { kind = "categorical", column = "name_zh" }\n',
        encoding="utf-8",
    )
    path = build_spec(spec, out=tmp_path).files[0]
    page, log = open_page(path)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    assert "XSS <script>alert(2)</script>" in page.locator(".gis-title h1").inner_text()
    assert XSS in page.locator(".gis-legend").inner_text()
    assert "层 <i>x</i>" in page.locator(".gis-layers").inner_text()
    page.fill(".gis-search input", "<img")
    hit = page.locator(".gis-search li").first
    assert hit.inner_text().startswith(XSS)
    hit.click()
    page.wait_for_timeout(300)
    popup = page.locator(".leaflet-popup-content").inner_text()
    assert XSS in popup and "Synthetic <b>bold</b>" in popup
    marker = page.locator("path.leaflet-interactive").last
    marker.hover(force=True)
    page.wait_for_timeout(200)
    assert XSS in page.locator(".leaflet-tooltip").inner_text()
    # the 示意 note shows because the feature is schematic
    assert "示意" in page.locator(".gis-title").inner_text()
    page.evaluate("void GIS.map.setZoom(12)")
    page.wait_for_timeout(300)
    assert page.locator(".gis-label").all_inner_texts() == [XSS]
    assert page.locator("img[src='x']").count() == 0
    assert dialogs == [] and log.errors == [] and log.external_requests == []


def test_gaode_page_requests_only_gaode_tiles_and_draws_shifted(tmp_path, open_page):
    from gis.crs import to_display
    from gis.layers import read_layer
    from gis.render.interactive import simplify_for_display

    spec = tmp_path / "g.toml"
    spec.write_text('title = "t"\n[[layers]]\nlayer = "districts"\n', encoding="utf-8")
    path = build_spec(spec, basemap="gaode", out=tmp_path).files[0]
    page, log = open_page(path)
    page.wait_for_timeout(300)
    assert log.external_requests, "the Gaode tiles were not requested"
    assert all(".is.autonavi.com/appmaptile" in u for u in log.external_requests)
    assert page.evaluate("GIS.bases[0].title") == "底图 高德地图 Gaode (Amap)"  # words, not the key
    # the blocked tiles are announced, not left as a silent grey page
    assert "Basemap tiles could not be loaded" in page.locator(".gis-tile-note").inner_text()
    west, south, east, north = page.evaluate(
        "(function () { var b = GIS.layers[0].layer.getBounds();"
        " return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]; })()"
    )
    want = to_display(simplify_for_display(read_layer("districts")), "gcj02").total_bounds
    assert [west, south, east, north] == pytest.approx(list(want), abs=1e-5)
    wgs = read_layer("districts").total_bounds
    assert 0.004 < west - wgs[0] < 0.007  # ~500 m east of the WGS84 outline


def test_controls_leave_most_of_a_laptop_screen_to_the_map(built, open_page):
    """At 1024×680 the title block, layer list, legend (and minimap) covered over half of the
    atlas; now they stay apart and cover well under half, the minimap hides."""
    page, log = open_page(built["atlas"], width=1024, height=680)
    boxes = {}
    for sel in (".gis-title", ".gis-layers", ".gis-legend", ".gis-minimap"):
        loc = page.locator(sel)
        boxes[sel] = loc.bounding_box() if loc.count() and loc.is_visible() else None
    assert boxes[".gis-minimap"] is None
    shown = [b for b in boxes.values() if b]
    for i, a in enumerate(shown):
        for b in shown[i + 1 :]:
            apart = (
                a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]
                or a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"]
            )  # fmt: skip
            assert apart, (a, b)
    covered = sum(b["width"] * b["height"] for b in shown)
    assert covered < 0.4 * 1024 * 680, covered / (1024 * 680)
    assert log.errors == []
