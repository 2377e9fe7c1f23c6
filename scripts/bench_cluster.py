"""Benchmark the browser runtime on SYNTHETIC dense point layers: clustered vs plain Leaflet.

For each size, a map of SYNTHETIC points around Wuhan is built in a temporary folder and
opened in headless Chromium (network blocked) twice: with the runtime's grid clustering
(ours) and with clustering switched off (``GIS.CLUSTER_MIN = Infinity``, every point a
Leaflet circle marker: the baseline). Prints time to a ready page, the time of 10 pans and of 10
zoom steps, and the number of paths and markers in the DOM.

Run: ``.venv/bin/python scripts/bench_cluster.py [N ...]`` (default 1000 10000)
"""

from __future__ import annotations

import json
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gis.maps.publish import build_spec  # noqa: E402

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def make(n: int, folder: Path) -> Path:
    rng = random.Random(0)
    feats = [
        {
            "type": "Feature",
            "properties": {
                "id": f"synthetic-{i}",
                "name_zh": f"合成点 synthetic {i}",
                "source": "synthetic benchmark data",
                "precision": "schematic",
            },
            "geometry": {
                "type": "Point",
                "coordinates": [
                    round(114.3 + rng.gauss(0, 0.08), 6),
                    round(30.58 + rng.gauss(0, 0.06), 6),
                ],
            },
        }
        for i in range(n)
    ]
    (folder / "synthetic.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": feats}), encoding="utf-8"
    )
    spec = folder / "synthetic.toml"
    spec.write_text(
        'title = "synthetic"\nfit = "city"\n[[layers]]\nlayer = "districts"\n'
        '[[layers]]\nfile = "synthetic.geojson"\ntitle = "合成点 Synthetic"\n',
        encoding="utf-8",
    )
    return build_spec(spec, out=folder).files[0]


PANS = """(() => { const t = performance.now();
  for (let i = 0; i < 10; i++) { GIS.map.panBy([i % 2 ? -150 : 150, 80], {animate: false}); }
  return performance.now() - t; })()"""
ZOOMS = """(() => { const t = performance.now(), z = GIS.map.getZoom();
  for (let i = 0; i < 5; i++) { GIS.map.setZoom(z + 1, {animate: false});
    GIS.map.setZoom(z, {animate: false}); }
  return performance.now() - t; })()"""
DOM = "document.querySelectorAll('.gis-cluster, .leaflet-overlay-pane path').length"


def measure(browser, page_path: Path, clustered: bool) -> tuple[float, float, float, int]:  # type: ignore[no-untyped-def]
    ctx = browser.new_context(viewport={"width": 1440, "height": 900})
    ctx.route("**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort())
    page = ctx.new_page()
    if not clustered:
        page.add_init_script("window.GIS = {CLUSTER_MIN: Infinity};")
    t = time.perf_counter()
    page.goto(page_path.resolve().as_uri())
    page.wait_for_load_state("load")
    page.evaluate("GIS.map.getZoom()")
    ready = time.perf_counter() - t
    pans = page.evaluate(PANS) / 1000
    zooms = page.evaluate(ZOOMS) / 1000
    dom = page.evaluate(DOM)
    ctx.close()
    return ready, pans, zooms, dom


def main() -> None:
    from playwright.sync_api import sync_playwright

    sizes = [int(a) for a in sys.argv[1:]] or [1000, 10000]
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        print(
            f"{'points':>7} {'mode':<26} {'ready s':>8} {'10 pans s':>10} "
            f"{'10 zooms s':>11} {'DOM paths+markers':>18}"
        )
        for n in sizes:
            folder = Path(tmp) / str(n)
            folder.mkdir()
            html = make(n, folder)
            for clustered, label in (
                (True, "ours (grid clusters)"),
                (False, "baseline (all markers)"),
            ):
                ready, pans, zooms, dom = measure(browser, html, clustered)
                print(f"{n:>7} {label:<26} {ready:>8.2f} {pans:>10.3f} {zooms:>11.3f} {dom:>18}")
        browser.close()


if __name__ == "__main__":
    main()
