"""A geographic frame (issue 11), in headless Chromium with the network blocked.

The water is drawn on every map by one rule: above the area fills (district base,
choropleths, hatched zones), below lines and points, opaque, so that where it lies the
screen shows the water's own legend colour and never a mix with the choropleth; a layer
switched off and on keeps that order. Every state one tap away (title, layer list,
legend, targets panel, data sources) leaves every control apart from the others and
inside the window at 1440×900, 1024×680 and 390×844. The atlas printed to an A4
landscape PDF is one page with the whole legend beside the map.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from gis.layers import read_layer
from gis.maps.publish import build_spec
from gis.settings import maps_dir

pytestmark = pytest.mark.browser

WATER_RGB = (0xBC, 0xD5, 0xEC)  # WATER_STYLE fillColor, drawn opaque


@pytest.fixture(scope="module")
def atlas(tmp_path_factory) -> Path:
    return build_spec(maps_dir() / "atlas.toml", out=tmp_path_factory.mktemp("frame")).files[0]


def _east_lake_point() -> tuple[float, float]:
    """A point inside the largest water polygon in 武昌区 or 洪山区 (东湖, from the layer)."""
    water = read_layer("water")
    d = read_layer("districts").set_index("name_zh")
    core = d.geometry["武昌区"].union(d.geometry["洪山区"])
    lakes = water[water.geom_type.str.endswith("Polygon") & water.intersects(core)]
    best = max(lakes.geometry, key=lambda g: g.intersection(core).area)
    pt = best.intersection(core).representative_point()
    return pt.y, pt.x


def _mode_colour(page, lat: float, lon: float, shot: Path) -> tuple[int, int, int]:
    from PIL import Image

    x, y = page.evaluate(
        "([la, lo]) => { const p = GIS.map.latLngToContainerPoint([la, lo]);"
        " const r = GIS.map.getContainer().getBoundingClientRect();"
        " return [p.x + r.left, p.y + r.top]; }",
        [lat, lon],
    )
    page.screenshot(path=str(shot))
    img = Image.open(shot).convert("RGB")
    px = [img.getpixel((int(x) + dx, int(y) + dy)) for dx in range(-6, 7) for dy in range(-6, 7)]
    return Counter(px).most_common(1)[0][0]


PANES_JS = """() => { const out = {};
  GIS.layers.forEach(m => { const panes = new Set();
    m.layer.eachLayer(l => { if (l._path) panes.add(l._path.closest('.leaflet-pane').className); });
    out[m.title] = [...panes].map(c => c.split(' ').find(x => x.startsWith('leaflet-gis-')));
  }); return out; }"""


def test_water_is_drawn_over_the_choropleth_and_under_the_points(atlas, open_page, tmp_path):
    page, log = open_page(atlas, width=1440, height=900)
    lat, lon = _east_lake_point()
    page.evaluate("([la, lo]) => { GIS.map.setView([la, lo], 12, {animate: false}); }", [lat, lon])
    page.wait_for_timeout(150)
    # 东湖 lies in the census choropleth: the screen shows the water's colour, unmixed
    assert _mode_colour(page, lat, lon, tmp_path / "a.png") == WATER_RGB
    panes = page.evaluate(PANES_JS)
    water = next(t for t in panes if t.startswith("水系 Water"))
    census = next(t for t in panes if t.startswith("人口密度"))
    points = next(t for t in panes if t.startswith("集聚区沿线大道"))
    assert panes[water] == ["leaflet-gis-reference-pane"]
    assert panes[census] == ["leaflet-gis-fill-pane"]
    assert panes[next(t for t in panes if t.startswith("行政区"))] == ["leaflet-gis-fill-pane"]
    assert panes[points] == ["leaflet-gis-top-pane"]
    z = page.evaluate(
        "['fill', 'reference', 'top'].map(t => +getComputedStyle(GIS.map.getPane('gis-' + t))"
        ".zIndex)"
    )
    assert z[0] < z[1] < z[2]
    # switched off and on again (Leaflet would redraw it on top of its pane): still under
    toggle = (
        "on => { const m = GIS.layers.find(m => m.title.startsWith('人口密度'));"
        " if (on) GIS.map.addLayer(m.layer); else GIS.map.removeLayer(m.layer); }"
    )
    page.evaluate(toggle, False)
    page.evaluate(toggle, True)
    page.wait_for_timeout(150)
    assert _mode_colour(page, lat, lon, tmp_path / "b.png") == WATER_RGB
    # and the legend row of the water is drawn as opaque as the water
    swatch = page.evaluate(
        "[...document.querySelectorAll('.gis-legend-item')].find(e => e.textContent"
        ".includes('水系 Water')).querySelector('.gis-swatch').getAttribute('style')"
    )
    assert "background:#bcd5ec;opacity:1.0" in swatch
    assert log.errors == [] and log.external_requests == []


CONTROLS_JS = """() => [...document.querySelectorAll('.leaflet-control')].filter(el => {
  const r = el.getBoundingClientRect(), s = getComputedStyle(el);
  return r.width > 0 && s.display !== 'none' && s.visibility !== 'hidden'
    && !el.closest('.gis-minimap'); }).map(el => { const r = el.getBoundingClientRect();
  return {c: el.className, x0: r.left, y0: r.top, x1: r.right, y1: r.bottom}; })"""

TAPS = (
    ".gis-title-head",
    ".gis-layers-head",
    ".gis-legend .gis-panel-head",
    ".cm-targets button",
    ".gis-sources-list summary",
)


@pytest.mark.parametrize(("w", "h"), [(1440, 900), (1024, 680), (390, 844)])
def test_every_state_one_tap_away_overlaps_nothing(atlas, open_page, w, h):
    tried = 0
    for tap in TAPS:
        page, log = open_page(atlas, width=w, height=h)
        target = page.locator(tap).first
        if not target.is_visible():  # e.g. the sources, folded into the title on a phone
            continue
        target.click()
        page.wait_for_timeout(200)
        tried += 1
        boxes = page.evaluate(CONTROLS_JS)
        for i, a in enumerate(boxes):
            assert a["x0"] >= 0 and a["y0"] >= 0, (tap, a)
            assert a["x1"] <= w + 0.5 and a["y1"] <= h + 0.5, (tap, a)
            for b in boxes[i + 1 :]:
                apart = (
                    a["x1"] <= b["x0"] + 0.5 or b["x1"] <= a["x0"] + 0.5
                    or a["y1"] <= b["y0"] + 0.5 or b["y1"] <= a["y0"] + 0.5
                )  # fmt: skip
                assert apart, (tap, a["c"], b["c"])
        assert log.errors == []
    assert tried >= 4


def test_on_a_phone_one_panel_is_open_at_a_time(atlas, open_page):
    page, _ = open_page(atlas, width=390, height=844)
    page.locator(".cm-targets button").click()
    page.locator(".gis-legend .gis-panel-head").click()
    page.wait_for_timeout(150)
    assert page.locator(".gis-legend-body").is_visible()
    assert not page.locator(".cm-targets .cm-body").is_visible()  # folded by the legend
    page.locator(".gis-layers-head").click()
    page.wait_for_timeout(150)
    assert page.locator(".gis-layers-body").is_visible()
    assert not page.locator(".gis-legend-body").is_visible()
    title = page.locator(".gis-title").bounding_box()
    layers = page.locator(".gis-layers").bounding_box()
    assert title and layers and layers["y"] >= title["y"] + title["height"]


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_atlas_printed_to_a4_landscape_pdf_keeps_the_whole_legend_off_the_map(
    atlas, open_page, tmp_path
):
    page, log = open_page(atlas, width=1440, height=900)
    pdf = tmp_path / "atlas.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True, prefer_css_page_size=True)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts \(A4\)", info)
    assert re.search(r"Pages:\s+1\n", info), info  # one page
    assert size and float(size[1]) > float(size[2]), info  # landscape, from the @page rule
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True
    ).stdout
    assert "图例 Legend" in text and "引用点位 cited point" in text  # the last legend row
    # the same layout, measured: the side column fits the printed height, beside the map
    page.set_viewport_size({"width": 1123, "height": 794})
    page.emulate_media(media="print")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    page.wait_for_timeout(200)
    side = page.locator(".gis-print-side").bounding_box()
    mapbox = page.locator(".folium-map").bounding_box()
    assert side and mapbox
    assert side["y"] + side["height"] <= 733  # A4 landscape less 8 mm margins, 96 px/in
    assert mapbox["x"] + mapbox["width"] <= side["x"]
    assert log.errors == [] and log.external_requests == []


@pytest.fixture(scope="module")
def gaode_atlas(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("gaode")
    return build_spec(maps_dir() / "atlas.toml", basemap="gaode", out=out).files[0]


@pytest.mark.parametrize(("w", "h"), [(1440, 900), (1024, 680), (390, 844)])
def test_gaode_offline_says_tiles_did_not_load_in_words_apart_from_the_controls(
    gaode_atlas, open_page, w, h
):
    page, log = open_page(gaode_atlas, width=w, height=h)
    page.wait_for_timeout(300)
    assert log.external_requests  # the tiles were asked for, and blocked
    note = page.locator(".gis-tile-note")
    assert note.is_visible()
    text = note.inner_text()
    assert "高德地图 Gaode (Amap)" in text and "could not be loaded" in text  # words, not "gaode"
    assert "底图 gaode" not in page.locator(".gis-layers").inner_text()
    for tap in (None, ".gis-layers-head", ".gis-legend .gis-panel-head"):
        if tap:
            page.locator(tap).first.click()
            page.wait_for_timeout(150)
        boxes = page.evaluate(CONTROLS_JS)
        (n,) = [b for b in boxes if "gis-tile-note" in b["c"]]
        assert n["x0"] >= 0 and n["x1"] <= w and n["y0"] >= 0 and n["y1"] <= h, n
        for b in boxes:
            if b is not n:
                apart = (
                    b["x1"] <= n["x0"] + 0.5 or n["x1"] <= b["x0"] + 0.5
                    or b["y1"] <= n["y0"] + 0.5 or n["y1"] <= b["y0"] + 0.5
                )  # fmt: skip
                assert apart, (tap, b["c"], n)
        if tap:
            page.locator(tap).first.click()  # fold it again
            page.wait_for_timeout(150)
