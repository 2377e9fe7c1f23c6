"""The notebook API (gis.layer, gis.explore, gis.spec_map) and notebooks/quickstart.ipynb.

The notebook is executed by a real Jupyter kernel; the maps it displays are opened in
headless Chromium with the network blocked: every map draws its layers, nothing is
requested from the network.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import gis
from gis.errors import GisError, InputError, LayerNotFoundError


def test_import_gis_stays_light():
    code = "import sys, gis; print(sorted(m for m in ('pandas', 'numpy', 'folium') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_layer_and_explore_of_a_catalog_layer():
    d = gis.layer("districts")
    assert len(d) == 13 and d.crs.to_epsg() == 4326
    m = gis.explore("districts", column="area_km2", scheme="quantiles", k=4, unit="km²")
    assert isinstance(m, gis.ExploreMap)
    page = m.to_html()
    assert "unpkg.com" not in page and "cdn.jsdelivr" not in page
    # the project's classifier made the legend: 4 classes with the unit
    assert page.count("km²") >= 4
    shown = m._repr_html_()
    assert shown.startswith("<iframe srcdoc=") and "&lt;script" in shown
    assert m._repr_html_() == shown  # rendering twice gives the same page


def test_explore_shifts_for_a_gcj02_basemap():
    import re

    def first_coord(page: str) -> tuple[float, float]:
        """South-west corner of the view, fitted to the layer as drawn."""
        lat, lon = re.search(r"fitBounds\(\s*\[\[([\d.]+), ([\d.]+)\]", page).groups()
        return float(lon), float(lat)

    city = gis.layer("city")
    plain = gis.explore(city).to_html()
    gaode = gis.explore(city, basemap="gaode").to_html()
    assert "autonavi" in gaode and "autonavi" not in plain
    (x0, y0), (x1, y1) = first_coord(plain), first_coord(gaode)
    # GCJ-02 in Wuhan: about 0.005° east and 0.002° south of WGS84 (500 m)
    assert 0.003 < x1 - x0 < 0.008 and -0.004 < y1 - y0 < 0


def test_explore_errors_are_clear():
    d = gis.layer("districts")
    with pytest.raises(GisError, match="explore.column: 'nmae_zh' is not a column.*name_zh"):
        gis.explore(d, column="nmae_zh")
    with pytest.raises(LayerNotFoundError, match="no layer 'nope'"):
        gis.explore("nope")
    with pytest.raises(InputError, match="unknown basemap 'googel'"):
        gis.explore(d, basemap="googel")
    with pytest.raises(InputError, match="no CRS"):
        gis.explore(d.set_crs(None, allow_override=True))
    with pytest.raises(InputError, match="scheme 'jenks'"):
        gis.explore(d, column="area_km2", scheme="jenks")


def test_save_writes_one_offline_file(tmp_path):
    m = gis.spec_map(Path(__file__).resolve().parent.parent / "maps" / "domains.toml")
    out = m.save(tmp_path / "domains.html")
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "GIS.register" in text
    assert list(tmp_path.iterdir()) == [out]


@pytest.fixture(scope="module")
def executed(root, tmp_path_factory):
    """notebooks/quickstart.ipynb executed in a temporary project copy: (notebook, folder)."""
    pytest.importorskip("ipykernel")
    import nbformat
    from nbclient import NotebookClient

    home = tmp_path_factory.mktemp("nbhome")
    shutil.copytree(root / "layers", home / "layers")
    shutil.copytree(root / "maps", home / "maps", ignore=shutil.ignore_patterns("out"))
    # a kernel of this very interpreter (a system-wide "python3" kernel may lack gis)
    spec = home / "jupyter" / "kernels" / "clustermap-test"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    kernel = {"argv": argv, "display_name": "clustermap test", "language": "python"}
    (spec / "kernel.json").write_text(json.dumps(kernel), encoding="utf-8")
    nb = nbformat.read(root / "notebooks" / "quickstart.ipynb", as_version=4)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CLUSTERMAP_HOME", str(home))
        mp.setenv("JUPYTER_PATH", str(home / "jupyter"))
        client = NotebookClient(
            nb,
            timeout=300,
            kernel_name="clustermap-test",
            resources={"metadata": {"path": str(home)}},
        )
        client.execute()
    return nb, home


def test_quickstart_notebook_runs(executed):
    nb, home = executed
    errors = [
        o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"
    ]
    assert errors == []
    assert (home / "districts_gaode.html").stat().st_size > 100_000
    first = nb.cells[1].outputs[0]["data"]
    assert "江岸区" in first["text/plain"]


@pytest.mark.browser
def test_notebook_maps_display_offline(executed, open_page, tmp_path):
    """Each map output, as Jupyter would show it, in Chromium with the network blocked."""
    nb, _home = executed
    shown = [
        o["data"]["text/html"]
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
        if o.output_type in ("execute_result", "display_data")
        and "<iframe srcdoc=" in o.get("data", {}).get("text/html", "")
    ]
    assert len(shown) == 3  # the classified layer, the GeoDataFrame, the spec
    page_file = tmp_path / "outputs.html"
    page_file.write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>"
        + "".join(f"<div class='output'>{h}</div>" for h in shown)
        + "</body></html>",
        encoding="utf-8",
    )
    page, log = open_page(page_file, height=2000)
    page.wait_for_timeout(500)
    frames = [f for f in page.frames if f != page.main_frame]
    assert len(frames) == 3
    titles = []
    for f in frames:
        f.wait_for_function("window.GIS && GIS.layers && GIS.layers.length > 0")
        layers = f.evaluate(
            "GIS.layers.map(function (m) { return {t: m.title, n: m.layer.getLayers().length}; })"
        )
        assert layers and all(m["n"] > 0 for m in layers), layers
        assert f.locator("path.leaflet-interactive").count() > 0
        zoom = f.evaluate("GIS.map.getZoom()")
        assert zoom >= 7  # fitted to the layers, not the whole world
        titles.append([m["t"] for m in layers])
    assert any("枢纽经济示范区" in t for ts in titles for t in ts)
    assert log.external_requests == []
    assert log.errors == []


def test_explore_escapes_titles_and_values():
    d = gis.layer("districts")
    d["kind"] = ["<img src=x onerror=alert(1)>"] + ["普通"] * (len(d) - 1)
    m = gis.explore(d, column="kind", title="<script>alert(2)</script>")
    page = m.to_html()
    assert "<img src=x onerror" not in page and "<script>alert(2)" not in page
    assert "alert(2)" in page  # the title is there, as text
    # in the notebook display the page is escaped once more, inside srcdoc
    assert "<script>alert" not in m._repr_html_()


def test_explore_of_a_layer_not_loaded_yet_says_so():
    """clusters 0/58: an empty map titled by the catalog that says what is missing."""
    page = gis.explore("clusters", column="domains").to_html()
    assert "Not fully loaded" in page and "0/58" in page
    assert "Service clusters" in page
