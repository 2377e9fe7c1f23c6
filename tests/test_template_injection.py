"""User data is data, never a template (issue #9, section 1).

A synthetic clusters list whose names (and sources) hold Jinja2 syntax, HTML and
matplotlib mathtext is imported through the CLI, then a domains-like spec, the
atlas, a PNG figure and the report are built through the CLI. Every name must
show verbatim in the page (title, tooltip, popup, search, legend, labels), in the
report (HTML and docx), the figure must build, nothing may run: no alert, and the
command a crafted name holds creates no file.
"""

from __future__ import annotations

import csv
import html
import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from gis.cli import main
from gis.errors import GisError
from gis.render.static_map import find_cjk_font


def quote_free_exploit(path: Path) -> str:
    """A Jinja2 expression that runs ``touch path`` with no quote characters (JSON escaping
    of quotes cannot stop it); it ran on the unfixed code."""
    chr_ = "cycler.__init__.__globals__.__builtins__.chr"
    arg = " ~ ".join(f"{chr_}({ord(c)})" for c in f"touch {path}")
    return "{{ cycler.__init__.__globals__.os.popen(" + arg + ").read() }}"


def payloads(pwned: Path) -> list[str]:
    return [
        quote_free_exploit(pwned),
        "模板{{ 7*7 }}结束",
        "{% raw %}x",
        "{# c",
        "{{ cycler.__init__.__globals__.os.popen('touch " + str(pwned) + "').read() }}",
        '{{ cycler.__init__.__globals__.os.popen("touch ' + str(pwned) + '").read() }}',
        "<script>alert(1)</script>",
        "$x^2$",
    ]


SPEC = """
title = {title}
basemap = "none"
fit = "city"

[[layers]]
layer = "districts"
label = "name_zh"

[[layers]]
layer = "clusters"
title = "集聚区 {{ 8*8 }}"
label = "name_zh"
tooltip = ["name_zh", "district", "precision"]
style = { kind = "categorical", column = "name_zh", radius = 7 }

[outputs]
html = "inj.html"
formats = ["html", "png"]
"""

#: Synthetic points inside 江岸区 / 江汉区 (from tests/data/synthetic_clusters_wgs84_truth.csv).
POINTS = [
    (114.283060, 30.663639),
    (114.2700, 30.6100),
    (114.336735, 30.679102),
    (114.2795, 30.6010),
    (114.2650, 30.5940),
    (114.2930, 30.6050),
    (114.3050, 30.6350),
    (114.2900, 30.6200),
]


@pytest.fixture(scope="module")
def built(root: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    try:
        find_cjk_font()
    except GisError as exc:
        pytest.skip(str(exc))
    home = tmp_path_factory.mktemp("home")
    shutil.copytree(root / "layers", home / "layers")
    (home / "maps").mkdir()
    shutil.copy(root / "maps" / "atlas.toml", home / "maps" / "atlas.toml")
    pwned = home / "PWNED"
    names = payloads(pwned)
    title = "注入 " + " | ".join(names)
    spec = SPEC.replace("{title}", json.dumps(title, ensure_ascii=False))
    (home / "maps" / "inj.toml").write_text(spec, encoding="utf-8")
    table = home / "synthetic_injection_clusters.csv"
    with table.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["编号", "名称", "lon", "lat", "领域", "source", "precision"])
        for i, (name, (lon, lat)) in enumerate(zip(names, POINTS), 1):
            w.writerow([f"SYN-{i:02d}", name, lon, lat, "金融", f"synthetic {name}", "cited_point"])
    env = {"CLUSTERMAP_HOME": str(home), "SOURCE_DATE_EPOCH": "1764201600"}
    runner = CliRunner(env=env)
    out = home / "maps" / "out"
    for args in (
        ["import", "clusters", str(table), "--crs", "wgs84"],
        ["build", str(home / "maps" / "inj.toml")],
        ["build", str(home / "maps" / "atlas.toml")],
        ["report", str(home / "maps" / "inj.toml"), "--out", str(home / "report")],
    ):
        r = runner.invoke(main, args)
        assert r.exit_code == 0, (args, r.output)
    return {
        "names": names,
        "title": title,
        "pwned": pwned,
        "out": out,
        "report": home / "report",
    }


def test_nothing_ran_and_every_output_was_written(built):
    assert not Path(built["pwned"]).exists()
    out = Path(built["out"])
    for name in ("inj.html", "inj.png", "wuhan_atlas.html"):
        assert (out / name).stat().st_size > 1000
    assert (Path(built["report"]) / "report.html").exists()
    page = (out / "inj.html").read_text(encoding="utf-8")
    # evaluated templates would show as 49 / 64 next to the words around them
    assert "模板49结束" not in page and "集聚区 64" not in page


def test_quote_free_exploit_alone_runs_nothing(root, tmp_path):
    """The one payload that executed before the fix, alone in a GeoJSON layer of a spec."""
    pwned = tmp_path / "PWNED"
    name = quote_free_exploit(pwned)
    layer = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"name_zh": name, "source": name, "precision": "cited_point"},
                "geometry": {"type": "Point", "coordinates": [114.3, 30.58]},
            }
        ],
    }
    (tmp_path / "synthetic_exploit.geojson").write_text(json.dumps(layer), encoding="utf-8")
    (tmp_path / "x.toml").write_text(
        'title = "x"\n[[layers]]\nfile = "synthetic_exploit.geojson"\nlabel = "name_zh"\n',
        encoding="utf-8",
    )
    r = CliRunner().invoke(main, ["build", str(tmp_path / "x.toml"), "--out", str(tmp_path)])
    assert r.exit_code == 0, r.output
    assert not pwned.exists()
    page = (tmp_path / "x.html").read_text(encoding="utf-8")
    data = [  # the page's layers but the base water layer (it has no names)
        json.loads(d)["features"]
        for d in re.findall(r"GIS\.geo\((\{.*?\})\), \{", page, re.S)
        if '"gshhg_' not in d
    ]
    assert data and data[0][0]["properties"]["name_zh"] == name


def test_a_templated_folium_element_is_refused(tmp_path):
    """A page element that would compile its output as a template cannot be added unnoticed."""
    import folium.map

    from gis.render.html import render_html
    from gis.render.interactive import draw
    from gis.render.plan import MapPlan, TitleBlock

    m = draw(MapPlan("t", TitleBlock("t"), []))
    folium.map.FitBounds([[30.5, 114.2], [30.7, 114.4]]).add_to(m)
    with pytest.raises(GisError, match="renders its output as a template"):
        render_html(m)


def _open(open_page, path: Path):
    page, log = open_page(path)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.wait_for_timeout(200)
    return page, log, dialogs


@pytest.mark.browser
def test_spec_map_shows_every_name_verbatim(built, open_page):
    page, log, dialogs = _open(open_page, Path(built["out"]) / "inj.html")
    assert page.locator(".gis-title h1").inner_text() == built["title"]
    assert "集聚区 {{ 8*8 }}" in page.locator(".gis-layers").inner_text()
    legend = page.locator(".gis-legend-item").all_inner_texts()
    page.evaluate("void GIS.map.setZoom(13)")
    page.wait_for_timeout(300)
    labels = page.locator(".gis-label").all_inner_texts()
    for name in built["names"]:
        assert any(name in text for text in legend), name
        assert name in labels, name
        page.fill(".gis-search input", name)
        hit = page.locator(".gis-search li").first
        assert hit.inner_text().startswith(name), name
        hit.click()
        page.wait_for_timeout(150)
        popup = page.locator(".leaflet-popup-content").inner_text()
        assert name in popup and f"synthetic {name}" in popup, name
        page.evaluate("void GIS.map.closePopup()")
        page.wait_for_timeout(100)
        tip = page.evaluate(
            """name => {
              var meta = GIS.layers.find(function (m) { return m.title === "集聚区 {{ 8*8 }}"; });
              var out = null;
              meta.layer.eachLayer(function (l) {
                if (l.feature.properties.name_zh !== name) { return; }
                l.openTooltip(l.getLatLng());
                out = l.getTooltip().getElement().innerText;
                l.closeTooltip();
              });
              return out;
            }""",
            name,
        )
        assert tip is not None and name in tip, name
    assert page.locator("script:text('alert(1)')").count() == 0
    assert dialogs == [] and log.errors == [] and log.external_requests == []
    assert not Path(built["pwned"]).exists()


@pytest.mark.browser
def test_atlas_search_finds_every_name_verbatim(built, open_page):
    page, log, dialogs = _open(open_page, Path(built["out"]) / "wuhan_atlas.html")
    for name in built["names"]:
        page.fill(".gis-search input", name)
        assert page.locator(".gis-search li").first.inner_text().startswith(name), name
    assert dialogs == [] and log.errors == [] and log.external_requests == []


def test_figure_builds_with_the_names(built):
    from PIL import Image

    png = Path(built["out"]) / "inj.png"
    with Image.open(png) as img:
        assert img.format == "PNG" and img.width > 1000
        assert len(img.convert("RGB").getcolors(maxcolors=1 << 20) or []) > 20


def _docx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        xml = z.read("word/document.xml").decode("utf-8")
    # one paragraph's runs joined, then XML entities decoded
    return html.unescape(re.sub(r"<[^>]+>", "", xml.replace("</w:p>", "\n")))


def test_report_html_and_docx_hold_the_names_verbatim(built):
    folder = Path(built["report"])
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in page  # escaped, not live
    text = html.unescape(re.sub(r"<[^>]+>", "", page))
    doc = _docx_text(folder / "report.docx")
    assert built["title"] in text and built["title"] in doc


def test_control_characters_in_a_title_keep_the_report_whole(root, tmp_path, monkeypatch):
    """XML cannot hold NUL or vertical tab: the .docx writes them as visible escapes instead
    of failing the whole report ("unexpected ValueError … a bug")."""
    try:
        find_cjk_font()
    except GisError as exc:
        pytest.skip(str(exc))
    shutil.copytree(root / "layers", tmp_path / "layers")
    (tmp_path / "maps").mkdir()
    spec = tmp_path / "maps" / "c.toml"
    spec.write_text(
        'title = "控制\\u000b字符\\u0000x"\n[[layers]]\nlayer = "districts"\n', encoding="utf-8"
    )
    monkeypatch.setenv("CLUSTERMAP_HOME", str(tmp_path))
    r = CliRunner().invoke(main, ["report", str(spec), "--out", str(tmp_path / "r")])
    assert r.exit_code == 0, r.output
    assert "控制\\x0b字符\\x00x" in _docx_text(tmp_path / "r" / "report.docx")
