"""The map a planner opens (issue 11), in headless Chromium with the network blocked.

At 1440×900 and 1024×680 (atlas, hubs and an enterprises analysis map): the 13 district
names show at the fitted view, apart from each
other and from the controls; no control overlaps another or leaves the window (also at
390×844, where the panels start folded); the water layer is drawn (map and minimap); the
search popup of 武昌区 (which has an exclave) opens inside 武昌区; the page has a <title>;
the print layout keeps the legend off the map. A synthetic layer of 10,000 points is
clustered: few DOM markers, a pan that completes, every point reachable.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
import shapely

from gis.layers import read_layer
from gis.maps.publish import build_spec
from gis.settings import maps_dir

pytestmark = pytest.mark.browser

DESKTOP = [(1440, 900), (1024, 680)]
ALL_SIZES = [*DESKTOP, (390, 844)]


@pytest.fixture(scope="module")
def maps(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("carto")
    out = {
        name: build_spec(maps_dir() / f"{name}.toml", out=folder).files[0]
        for name in ("atlas", "hubs")
    }
    out["enterprises"] = _enterprises_map(folder)
    return out


def _enterprises_map(folder: Path) -> Path:
    """`clustermap enterprises --map` on a SYNTHETIC register of 2,000 firms in the districts."""
    from click.testing import CliRunner

    from gis.cli import main

    d = read_layer("districts")
    city = shapely.union_all(d.geometry.values)
    x0, y0, x1, y1 = city.bounds
    rng = random.Random(5)
    rows = ["企业名称,经度,纬度,营业收入,领域"]
    while len(rows) <= 2000:
        x, y = rng.uniform(x0, x1), rng.uniform(y0, y1)
        if city.contains(shapely.Point(x, y)):
            rows.append(f"合成企业{len(rows)},{x:.6f},{y:.6f},{rng.randint(1, 900)},金融服务")
    reg = folder / "synthetic_register.csv"
    reg.write_text("\n".join(rows) + "\n", encoding="utf-8")
    res = CliRunner().invoke(
        main, ["enterprises", str(reg), "--zones", "districts", "--value", "营业收入",
               "--crs", "wgs84", "--map", "--out", str(folder / "ent"), "-q"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    return folder / "ent" / "enterprises_synthetic_register.html"


def _overlap(a: dict, b: dict) -> bool:
    return (
        a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"] and b["y"] < a["y"] + a["height"]
    )  # fmt: skip


CONTROLS_JS = """() => Array.from(document.querySelectorAll('.leaflet-control')).filter(
  el => el.getBoundingClientRect().width > 0 && getComputedStyle(el).display !== 'none'
  && getComputedStyle(el).visibility !== 'hidden').map(el => {
  const r = el.getBoundingClientRect();
  return {cls: el.className, x: r.x, y: r.y, width: r.width, height: r.height};
})"""


MARKERS_BOX_JS = """(() => { const out = [], c = GIS.map.getContainer().getBoundingClientRect();
  const walk = g => g.eachLayer(l => {
    if (l.eachLayer) { walk(l); return; }
    if (!(l instanceof L.CircleMarker) || !l._map) { return; }
    const p = GIS.map.latLngToContainerPoint(l.getLatLng()), r = l.getRadius();
    out.push({x: c.left + p.x - r, y: c.top + p.y - r, width: 2 * r, height: 2 * r}); });
  GIS.layers.forEach(m => walk(m.layer));
  return out; })()"""


LABELS_JS = """() => Array.from(document.querySelectorAll('.gis-label')).map(el => {
  const s = el.querySelector('span'), r = s.getBoundingClientRect();
  const shown = getComputedStyle(el).display !== 'none' && r.width > 0;
  return {text: s.textContent, shown: shown, x: r.x, y: r.y, width: r.width, height: r.height,
          fontSize: parseFloat(getComputedStyle(s).fontSize)};
})"""


@pytest.mark.parametrize("name", ["hubs", "atlas", "enterprises"])
@pytest.mark.parametrize("size", DESKTOP, ids=lambda s: f"{s[0]}x{s[1]}")
def test_thirteen_district_names_at_first_view_apart(maps, name, size, open_page):
    page, log = open_page(maps[name], width=size[0], height=size[1])
    page.wait_for_timeout(300)
    labels = page.evaluate(LABELS_JS)
    shown = [x for x in labels if x["shown"]]
    controls = page.evaluate(CONTROLS_JS)
    markers = page.evaluate(MARKERS_BOX_JS)
    if name == "atlas":
        assert len(markers) >= 5  # the avenues' cited points, in the crowded centre
    assert len(shown) == 13, [x["text"] for x in labels if not x["shown"]]
    assert {x["text"] for x in shown} >= {"武昌区", "江汉区", "硚口区", "江岸区", "汉阳区"}
    for i, a in enumerate(shown):
        assert a["fontSize"] >= 11, a  # legible
        assert 0 <= a["x"] and a["x"] + a["width"] <= size[0], a
        assert 0 <= a["y"] and a["y"] + a["height"] <= size[1], a
        for c in controls:
            assert not _overlap(a, c), f"{a['text']} is under the control {c}"
        for m in markers:
            assert not _overlap(a, m), f"{a['text']} covers a point marker {m}"
        for b in shown[i + 1 :]:
            assert not _overlap(a, b), (a, b)
    assert log.errors == []


@pytest.mark.parametrize("name", ["hubs", "atlas", "enterprises"])
@pytest.mark.parametrize("size", ALL_SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_no_control_overlaps_another_or_the_edge(maps, name, size, open_page):
    page, log = open_page(maps[name], width=size[0], height=size[1])
    page.wait_for_timeout(200)
    boxes = page.evaluate(CONTROLS_JS)
    assert len(boxes) >= 8  # title, zoom, full screen, measure, search, layers, legend, scale …
    for i, a in enumerate(boxes):
        assert a["x"] >= 0 and a["y"] >= 0, a
        assert a["x"] + a["width"] <= size[0] and a["y"] + a["height"] <= size[1], a
        for b in boxes[i + 1 :]:
            assert not _overlap(a, b), (a, b)
    folded = page.evaluate(
        "['.gis-layers', '.gis-legend'].map(s => document.querySelector(s)"
        ".classList.contains('gis-collapsed'))"
    )
    assert folded == ([True, True] if size[0] < 700 else [False, False])
    if size[0] < 700:  # a folded panel opens on a click on its head
        page.locator(".gis-layers-head").click()
        assert page.locator(".gis-layers-body").is_visible()
    assert log.errors == []


def test_water_is_drawn_under_the_plan_layers_and_in_the_minimap(maps, open_page):
    page, log = open_page(maps["hubs"], width=1440, height=900)
    info = page.evaluate(
        "GIS.layers.map(m => ({title: m.title, group: m.group, on: GIS.map.hasLayer(m.layer),"
        " n: m.layer.getLayers().length}))"
    )
    titles = [m["title"] for m in info]
    water = next(i for i, t in enumerate(titles) if t.startswith("水系 Water"))
    assert info[water]["on"] and info[water]["group"] == "base" and info[water]["n"] == 20
    first_plan = next(i for i, m in enumerate(info) if m["group"] != "base")
    assert water < first_plan  # drawn before, i.e. under, the plan layers
    fills = page.evaluate(
        "Array.from(document.querySelectorAll('.leaflet-overlay-pane path'))"
        ".map(p => p.getAttribute('fill'))"
    )
    assert fills.count("#bcd5ec") >= 10  # lakes and the Yangtze drawn in the map
    mini = page.evaluate(
        "Array.from(document.querySelectorAll('.gis-minimap path')).map(p => p.getAttribute('fill'))"
    )
    assert "#bcd5ec" in mini
    assert log.errors == []


@pytest.mark.parametrize("size", DESKTOP, ids=lambda s: f"{s[0]}x{s[1]}")
def test_search_opens_the_wuchang_popup_inside_wuchang_and_zooms_to_it(maps, size, open_page):
    page, log = open_page(maps["hubs"], width=size[0], height=size[1])
    zoom0 = page.evaluate("GIS.map.getZoom()")
    page.fill(".gis-search input", "武昌区")
    page.locator(".gis-search li").first.click()
    page.wait_for_timeout(300)
    assert "武昌区" in page.locator(".leaflet-popup-content").inner_text()
    lat, lon = page.evaluate("[GIS.map._popup.getLatLng().lat, GIS.map._popup.getLatLng().lng]")
    districts = read_layer("districts").set_index("name_zh")
    wuchang = districts.geometry["武昌区"]
    assert wuchang.geom_type == "MultiPolygon"  # the exclave that fooled the bbox centre
    assert wuchang.contains(shapely.Point(lon, lat))
    assert not districts.geometry["洪山区"].contains(shapely.Point(lon, lat))
    view = page.evaluate(
        "(b => [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()])(GIS.map.getBounds())"
    )
    # zoomed to the feature (the popup may then pan the map a little to show itself)
    x0, y0, x1, y1 = wuchang.bounds
    assert view[0] < x1 and x0 < view[2] and view[1] < y1 and y0 < view[3]
    assert view[0] <= lon <= view[2] and view[1] <= lat <= view[3]
    assert page.evaluate("GIS.map.getZoom()") >= zoom0 + 1
    assert log.errors == []


def test_page_title_is_the_map_title(maps, open_page):
    page, _ = open_page(maps["hubs"])
    assert page.title() == "枢纽与功能区 Hub zones"
    page, _ = open_page(maps["atlas"])
    assert page.title().startswith("武汉市生产性服务业空间布局")


def test_print_layout_keeps_the_legend_off_the_map(maps, open_page):
    page, log = open_page(maps["atlas"], width=1123, height=794)
    page.emulate_media(media="print")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    page.wait_for_timeout(200)
    legend = page.locator(".gis-legend").bounding_box()
    mapbox = page.locator(".folium-map").bounding_box()
    assert legend and mapbox and legend["width"] > 100
    assert not _overlap(legend, mapbox), (legend, mapbox)
    title = page.locator(".gis-title").bounding_box()
    assert title and not _overlap(title, mapbox) and not _overlap(title, legend)
    assert not page.locator(".gis-layers").is_visible()
    assert page.locator(".gis-legend-item").first.is_visible()
    # the whole city is on paper, filling most of the printed map's width or height
    city = page.evaluate(
        "(() => { const m = GIS.map, f = GIS.fitted, v = m.getBounds();"
        " const a = m.latLngToContainerPoint(f.getNorthWest()),"
        " b = m.latLngToContainerPoint(f.getSouthEast()), s = m.getSize();"
        " return [v.contains(f), (b.x - a.x) / s.x, (b.y - a.y) / s.y]; })()"
    )
    assert city[0] and max(city[1], city[2]) > 0.75, city
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    page.emulate_media(media="screen")
    # back on the map after printing
    assert page.locator(".leaflet-control-container .gis-legend").count() == 1
    assert page.locator(".leaflet-control-container .gis-title").count() == 1
    assert log.errors == []


@pytest.fixture(scope="module")
def dense(tmp_path_factory) -> Path:
    """A synthetic layer of 10,000 points around Wuhan (tests only; named synthetic)."""
    folder = tmp_path_factory.mktemp("dense")
    rng = random.Random(11)
    feats = []
    for i in range(10_000):
        lon, lat = 114.3 + rng.gauss(0, 0.08), 30.58 + rng.gauss(0, 0.06)
        feats.append(
            {
                "type": "Feature",
                "properties": {
                    "id": f"synthetic-{i}",
                    "name_zh": f"合成点 synthetic {i}",
                    "source": "synthetic test data",
                    "precision": "schematic",
                },
                "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
            }
        )
    (folder / "synthetic_dense.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": feats}), encoding="utf-8"
    )
    spec = folder / "dense.toml"
    spec.write_text(
        'title = "synthetic dense points"\nfit = "city"\n'
        '[[layers]]\nlayer = "districts"\nlabel = "name_zh"\n'
        '[[layers]]\nfile = "synthetic_dense.geojson"\ntitle = "合成点 Synthetic points"\n',
        encoding="utf-8",
    )
    return build_spec(spec, out=folder).files[0]


MARKERS_JS = """() => ({
  clusters: document.querySelectorAll('.gis-cluster').length,
  points: document.querySelectorAll('.leaflet-overlay-pane path.leaflet-interactive').length,
  counted: Array.from(document.querySelectorAll('.gis-cluster span'))
    .reduce((s, e) => s + parseInt(e.textContent, 10), 0)})"""


def test_synthetic_10000_points_are_clustered_and_stay_responsive(dense, open_page):
    page, log = open_page(dense, width=1440, height=900)
    page.wait_for_timeout(300)
    assert page.evaluate("GIS.layers[GIS.layers.length - 1].layer.getLayers().length") == 10_000
    first = page.evaluate(MARKERS_JS)
    assert 0 < first["clusters"] < 300
    assert first["points"] < 13 + 20 + 300  # districts, water and a few lone points
    assert first["counted"] > 9_000  # nearly every point is in a cluster in view
    assert "聚合" in page.locator(".gis-legend").inner_text()
    # a pan that redraws the clusters finishes (generous bound: this is no benchmark)
    ms = page.evaluate(
        "(() => { const t = performance.now(); GIS.map.panBy([300, 200], {animate: false});"
        " return performance.now() - t; })()"
    )
    assert ms < 5000
    after = page.evaluate(MARKERS_JS)
    assert 0 < after["clusters"] < 300
    # a click on a cluster zooms in; at street zoom single points show with their popups
    z = page.evaluate("GIS.map.getZoom()")
    page.locator(".gis-cluster").first.click()
    page.wait_for_timeout(600)
    assert page.evaluate("GIS.map.getZoom()") > z
    page.fill(".gis-search input", "synthetic 4321")
    page.locator(".gis-search li").first.click()
    page.wait_for_timeout(300)
    assert "synthetic 4321" in page.locator(".leaflet-popup-content").inner_text()
    assert log.errors == [] and log.external_requests == []
