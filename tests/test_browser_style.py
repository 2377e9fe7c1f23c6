"""Layers legible together in the browser (network blocked): every colour drawn is in a
legend, hatched layers leave the choropleth under them as it is, and an open targets
panel overlaps no other control."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from gis.maps.publish import build_spec
from gis.maps.spec import shipped_specs

pytestmark = pytest.mark.browser

SPECS = {p.stem: p for p in shipped_specs()}

#: Every path's drawn colours and every legend swatch's colours, as rgb() strings.
COLOURS_JS = """() => {
  const norm = c => { const d = document.createElement('div'); d.style.color = c;
    document.body.appendChild(d); const v = getComputedStyle(d).color; d.remove(); return v; };
  const drawn = [];
  document.querySelectorAll('.leaflet-overlay-pane path').forEach(p => {
    if (p.closest('.gis-minimap')) { return; }  /* the overview map, not data */
    const fill = p.getAttribute('fill'), fo = +(p.getAttribute('fill-opacity') || 1);
    drawn.push({fill: fill && fill !== 'none' && fo > 0 ? fill : null,
                stroke: p.getAttribute('stroke')});
  });
  const legend = new Set();
  document.querySelectorAll('.gis-legend .gis-swatch').forEach(s => {
    const st = s.getAttribute('style');
    (st.match(/#[0-9a-fA-F]{3,6}\\b/g) || []).forEach(c => legend.add(norm(c)));
  });
  const hatch = {};
  document.querySelectorAll('svg.gis-hatch-defs pattern').forEach(p => {
    hatch[p.id] = norm(p.querySelector('line').getAttribute('stroke')); });
  return {drawn: drawn.map(d => ({
            fill: d.fill ? (d.fill.startsWith('url(') ? hatch[d.fill.slice(5, -1)] || d.fill
                                                      : norm(d.fill)) : null,
            stroke: d.stroke && d.stroke !== 'none' ? norm(d.stroke) : null})),
          legend: [...legend]};
}"""


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("maps")
    return {name: build_spec(p, out=folder).files[0] for name, p in SPECS.items()}


def _grey(rgb: str) -> bool:
    r, g, b = (int(x) for x in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3])
    return max(r, g, b) - min(r, g, b) < 12


def _show_all(page):
    page.evaluate(
        "GIS.layers.forEach(m => { if (!GIS.map.hasLayer(m.layer)) GIS.map.addLayer(m.layer); })"
    )
    page.wait_for_timeout(100)


@pytest.mark.parametrize("name", ["atlas", "domains", "hubs"])
def test_every_colour_drawn_is_in_a_legend(built, name, open_page):
    page, log = open_page(built[name], width=1440, height=900)
    _show_all(page)
    res = page.evaluate(COLOURS_JS)
    assert log.external_requests == []
    legend = set(res["legend"])
    fills = {d["fill"] for d in res["drawn"] if d["fill"]}
    assert fills and fills <= legend, fills - legend
    # coloured outlines (hatched zones, roles) are in a legend too; grey borders are not data
    strokes = {d["stroke"] for d in res["drawn"] if d["stroke"] and not _grey(d["stroke"])}
    assert strokes - {"rgb(255, 255, 255)"} <= legend, strokes - legend


def _patch_mode(page, lat, lon, shot: Path) -> tuple[int, int, int]:
    from PIL import Image

    x, y = page.evaluate(
        "([la, lo]) => { const p = GIS.map.latLngToContainerPoint([la, lo]);"
        " const r = GIS.map.getContainer().getBoundingClientRect(); return [p.x + r.left, p.y + r.top]; }",
        [lat, lon],
    )
    page.screenshot(path=str(shot))
    img = Image.open(shot).convert("RGB")
    px = [img.getpixel((int(x) + dx, int(y) + dy)) for dx in range(-8, 9) for dy in range(-8, 9)]
    return Counter(px).most_common(1)[0][0]


@pytest.mark.parametrize(("layer", "district"), [("hub_zones", "黄陂区"), ("roles", "江汉区")])
def test_hatched_layers_leave_the_choropleth_colour_as_it_is(
    built, open_page, tmp_path, layer, district
):
    from gis.layers import read_layer

    d = read_layer("districts")
    pt = d.loc[d["name_zh"] == district].geometry.iloc[0].representative_point()
    page, _ = open_page(built["atlas"], width=1440, height=900)
    page.evaluate("([la, lo]) => GIS.map.setView([la, lo], 12, {animate: false})", [pt.y, pt.x])
    toggle = (
        "([id, on]) => { const m = GIS.layers.find(m => m.title.includes(id));"
        " if (on) GIS.map.addLayer(m.layer); else GIS.map.removeLayer(m.layer); }"
    )
    title = {"hub_zones": "Hub-economy", "roles": "District finance roles"}[layer]
    page.evaluate(toggle, [title, False])
    page.wait_for_timeout(100)
    without = _patch_mode(page, pt.y, pt.x, tmp_path / "off.png")
    page.evaluate(toggle, [title, True])
    page.wait_for_timeout(100)
    with_layer = _patch_mode(page, pt.y, pt.x, tmp_path / "on.png")
    # between the hatch lines the census colour is untouched: no fill mixes into it
    assert max(abs(a - b) for a, b in zip(without, with_layer)) <= 2, (without, with_layer)


def _rects(page):
    return page.evaluate(
        """() => [...document.querySelectorAll('.leaflet-control')]
            .filter(e => e.offsetWidth && e.offsetHeight && getComputedStyle(e).display !== 'none')
            .map(e => { const r = e.getBoundingClientRect();
              return {c: e.className, x0: r.left, y0: r.top, x1: r.right, y1: r.bottom}; })"""
    )


@pytest.mark.parametrize("name", ["atlas", "domains"])
@pytest.mark.parametrize(("w", "h"), [(1440, 900), (1024, 680)])
def test_open_targets_panel_overlaps_no_control(built, open_page, name, w, h):
    page, _ = open_page(built[name], width=w, height=h)
    page.locator(".cm-targets button").click()
    page.wait_for_timeout(150)
    assert page.locator(".cm-targets .cm-body").is_visible()
    rects = _rects(page)
    panel = next(r for r in rects if "cm-targets" in r["c"])
    assert panel["y1"] <= h and panel["x1"] <= w
    for r in rects:
        if r is panel:
            continue
        apart = (
            r["x1"] <= panel["x0"] or panel["x1"] <= r["x0"]
            or r["y1"] <= panel["y0"] or panel["y1"] <= r["y0"]
        )  # fmt: skip
        assert apart, (r["c"], r, panel)
