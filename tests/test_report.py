"""clustermap report: one HTML page and a .docx with the same figures and tables."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from click.testing import CliRunner
from docx.oxml.ns import qn

from gis.cli import main
from gis.errors import GisError
from gis.render.static_map import find_cjk_font

GOOD = """
title = "行政区 Districts test"
fit = "city"
[[layers]]
layer = "districts"
label = "name_zh"
"""
BAD = """
title = "坏 Bad"
[[layers]]
layer = "no_such_layer"
"""
COVERAGE = """
title = "覆盖 Coverage test"
fit = "city"
tables = ["coverage"]
[[layers]]
layer = "districts"
[[analysis]]
kind = "coverage"
params = { points = "clusters", districts = "districts", radius = "2km" }
"""
#: A map built earlier (e.g. on the Gaode basemap) that the report must leave alone.
EARLIER = "<!DOCTYPE html><title>built earlier with --basemap gaode</title>\n"


@pytest.fixture(scope="module")
def report(root, tmp_path_factory):
    """One report of a good and a bad spec, in a temporary CLUSTERMAP_HOME (built once)."""
    try:
        find_cjk_font()
    except GisError as exc:
        pytest.skip(str(exc))
    home = tmp_path_factory.mktemp("home")
    shutil.copytree(root / "layers", home / "layers")
    (home / "maps").mkdir()
    (home / "maps" / "a_good.toml").write_text(GOOD, encoding="utf-8")
    (home / "maps" / "b_bad.toml").write_text(BAD, encoding="utf-8")
    (home / "maps" / "c_cov.toml").write_text(COVERAGE, encoding="utf-8")
    (home / "maps" / "out").mkdir()
    (home / "maps" / "out" / "a_good.html").write_text(EARLIER, encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CLUSTERMAP_HOME", str(home))
        mp.setenv("SOURCE_DATE_EPOCH", "1764201600")
        r = CliRunner().invoke(main, ["report"])
    assert r.exit_code == 0, r.output
    return home / "maps" / "out"


def test_report_writes_only_its_own_files(report):
    assert sorted(p.name for p in report.iterdir()) == ["a_good.html", "report.docx", "report.html"]
    assert (report / "a_good.html").read_text(encoding="utf-8") == EARLIER


def test_html_report_has_figures_tables_and_the_failed_spec(report):
    page = (report / "report.html").read_text(encoding="utf-8")
    assert page.count("src='data:image/png;base64,") == 2
    # each interactive map inside the page (escaped once in srcdoc), no sibling file named
    assert "<iframe src=" not in page and page.count('<iframe srcdoc="&lt;!DOCTYPE html&gt;') == 2
    assert "GIS.register" in page
    # an analysis not computed says why, as on the map
    assert "分析未计算 Analysis not computed (coverage)" in page and "0/58 loaded" in page
    # the spec that cannot be built is listed with its reason, not dropped
    assert "坏 Bad" not in page and "b_bad" in page
    assert "layers[0].layer: &#39;no_such_layer&#39; is not in the catalog" in page
    # the targets table: T03 技术合同成交额 ≥3000 亿元, baseline 1357.41 (2022) = 45 %
    row = page.split("<td>T03</td>", 1)[1].split("</tr>", 1)[0]
    assert "全市技术合同成交额" in row and "≥3,000 亿元" in row
    assert "1,357.41 亿元 (2022)" in row and "<td class='num'>45%</td>" in row
    assert "下表列出《实施方案》2027 年各项目标" in page
    # what is loaded: clusters 0/58 stays visible, counts right-aligned
    loaded = page.split("id='layers'", 1)[1]
    assert "<td>clusters</td>" in loaded
    assert "<td class='num'>0</td><td class='num'>58</td>" in loaded
    assert "2025-11-27" in page


def test_docx_has_the_same_figure_and_tables(report):
    from docx import Document

    doc = Document(str(report / "report.docx"))
    assert len(doc.inline_shapes) == 2
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert "行政区 Districts test" in headings and "b_bad" in headings
    assert any("分析未计算 Analysis not computed (coverage)" in p.text for p in doc.paragraphs)
    texts = [[c.text for c in t.rows[0].cells] for t in doc.tables]
    assert ["#", "条款 Clause", "指标 Indicator"] == texts[0][:3]
    t03 = next(r for r in doc.tables[0].rows if r.cells[0].text == "T03")
    assert t03.cells[3].text == "≥3,000 亿元" and t03.cells[5].text == "45%"
    assert doc.core_properties.created.year == 2025


def test_report_figures_are_palette_pngs(report):
    """Figures in the report are PNGs of at most 256 colours (a third of the bytes of full
    colour, the same to the eye): the report is sent by mail."""
    import base64
    import io
    import re
    import zipfile

    from PIL import Image

    page = (report / "report.html").read_text(encoding="utf-8")
    figures = [
        base64.b64decode(b)
        for b in re.findall(r"src='data:image/png;base64,([A-Za-z0-9+/=]+)'", page)
    ]
    with zipfile.ZipFile(report / "report.docx") as z:
        figures += [z.read(n) for n in z.namelist() if n.startswith("word/media/")]
    assert len(figures) == 4
    for png in figures:
        with Image.open(io.BytesIO(png)) as im:
            assert im.format == "PNG" and im.mode == "P" and im.width >= 1200
            assert len(im.getcolors(256) or []) > 8  # a map, not a blank


def _docx_xml(path, part="word/document.xml"):
    import zipfile

    with zipfile.ZipFile(path) as z:
        return z.read(part).decode("utf-8")


def test_docx_layout_for_a_chinese_office(report):
    """Fonts a Chinese Windows office has, zh-CN, A4 with GB/T 9704 margins, the 文号 line,
    tables that repeat their header, never split a row, and size columns to content."""
    from docx import Document
    from docx.shared import Cm

    path = report / "report.docx"
    doc = Document(str(path))
    sec = doc.sections[0]
    assert (round(sec.page_width.cm, 1), round(sec.page_height.cm, 1)) == (21.0, 29.7)
    margins = (sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin)
    assert [round(m.cm, 2) for m in margins] == [3.7, 3.5, 2.8, 2.6]
    styles = _docx_xml(path, "word/styles.xml")
    assert 'w:eastAsia="宋体"' in styles and 'w:eastAsia="黑体"' in styles
    assert 'w:eastAsia="zh-CN"' in styles and 'w:eastAsia="en-US"' not in styles
    assert "Noto Sans CJK" not in styles and "WenQuanYi" not in styles
    assert "Theme=" not in styles  # theme fonts (Japanese in the template) cannot win
    fonts = _docx_xml(path, "word/fontTable.xml")
    assert '<w:altName w:val="SimSun"' in fonts and '<w:altName w:val="SimHei"' in fonts
    texts = [p.text for p in doc.paragraphs[:4]]
    assert texts[:2] == ["武汉市生产性服务业空间布局报告", "Wuhan productive services: map report"]
    assert "武政办〔2024〕121号" in texts[2] and texts[3] == "2025-11-27"
    body = _docx_xml(path)
    assert "<w:tblHeader/>" in body and "<w:cantSplit/>" in body
    targets = doc.tables[0]
    # every row unsplittable, the header repeated; the first column (#) narrow, the
    # indicator column wide; all inside the 15.6 cm text width
    assert all(r._tr.trPr.find(qn("w:cantSplit")) is not None for r in targets.rows)
    widths = [c.width for c in targets.columns]
    assert widths[0] < Cm(1.6) and widths[2] > 2 * widths[0]
    assert abs(sum(widths) - Cm(15.6)) < Cm(0.1)
    # progress (45%) right-aligned, the clause text left
    t03 = next(r for r in targets.rows if r.cells[0].text == "T03")
    assert t03.cells[5].paragraphs[0].alignment == 2  # WD_ALIGN_PARAGRAPH.RIGHT
    assert t03.cells[1].paragraphs[0].alignment is None
    # the footer numbers pages: — N —
    footers = [n for n in _parts(path) if n.startswith("word/footer")]
    assert any('w:instr="PAGE"' in _docx_xml(path, n) for n in footers)


def _parts(path):
    import zipfile

    with zipfile.ZipFile(path) as z:
        return z.namelist()


@pytest.fixture(scope="module")
def pdf(report, tmp_path_factory):
    """report.docx converted by LibreOffice headless (soffice --convert-to pdf)."""
    if shutil.which("soffice") is None or shutil.which("pdftotext") is None:
        pytest.skip("LibreOffice or poppler not installed (python3 dev.py test installs them)")
    out = tmp_path_factory.mktemp("pdf")
    profile = out / "profile"  # a private profile: no clash with another soffice running
    r = subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            str(report / "report.docx"),
        ],
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert r.returncode == 0, r.stderr
    path = out / "report.pdf"
    assert path.exists() and path.read_bytes().startswith(b"%PDF"), r.stdout + r.stderr
    return path


def _pdf_pages(pdf):
    text = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


def test_docx_converts_to_a_pdf_with_chinese_text_and_whole_tables(pdf):
    pages = _pdf_pages(pdf)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    count = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert len(pages) == count
    # two figures, the targets (35 rows) and the layers tables: a few pages, not dozens
    assert 4 <= count <= 15, count
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info)
    assert size is not None, info
    assert [float(v) for v in size.groups()] == pytest.approx([595.3, 841.9], abs=0.5)  # A4
    text = "\n".join(pages)
    flat = text.replace(" ", "")
    assert "武汉市生产性服务业空间布局报告" in flat and "武政办〔2024〕121号" in flat
    assert "技术合同" in flat and "1,357.41亿元" in flat and "分析未计算" in flat
    # the targets table runs over several pages: its header row is on each of them
    with_rows = [p for p in pages if re.search(r"^\s*T\d\d\b", p, re.M)]
    assert len(with_rows) >= 2
    for p in with_rows:
        assert "条款" in p and "指标" in p, p[:400]
    # no page holds one orphan row of the targets table
    for p in with_rows:
        assert len(re.findall(r"^\s*T\d\d\b", p, re.M)) >= 2, p[:400]
    # page numbers in the footer: — 1 — on the first page
    assert re.search(r"—\s*1\s*—", pages[0])


def test_docx_first_page_renders(pdf, tmp_path):
    """Page 1 rendered to PNG (pdftoppm): title and text drawn, not an empty page."""
    from PIL import Image

    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")],
        check=True,
    )
    png = next(tmp_path.glob("p*.png"))
    img = Image.open(png).convert("L")
    dark = sum(img.histogram()[:128])
    assert dark > 0.005 * img.width * img.height


def test_report_help_has_an_example():
    r = CliRunner().invoke(main, ["report", "--help"])
    assert r.exit_code == 0 and "Example" in r.output and "report.docx" in r.output


def test_table_numbers_keep_their_decimals_in_html_and_docx():
    """A coverage table as the report shows it: Chinese headers with units, a sentence of
    what it shows, every row of a column with the same decimals (64.00 next to 92.21),
    areas not cut to 4 digits (1,088.112, not 1,088), numbers right-aligned, codes not."""
    import io

    import pandas as pd
    from docx import Document

    from gis.render.plan import Report, ReportSection, ReportTable
    from gis.render.report_docx import report_docx
    from gis.render.report_html import report_html
    from gis.render.report_tables import display_table

    df = pd.DataFrame(
        {"adcode": ["420102", "420114"], "area_km2": [80.686, 1088.112],
         "covered_pct": [64.0, 3.54], "clusters_inside": [7, 3], "radius_m": [2000.0, 2000.0]}
    )  # fmt: skip
    sec = ReportSection(
        "cov", "覆盖 Coverage", tables=[ReportTable(*display_table("coverage", "coverage", df))]
    )
    none = pd.DataFrame({"-": []})
    report = Report("r", "plan", "2025-11-27", [sec], targets=none, status=none)
    page = report_html(report, embed_maps=False)
    head = "<th>行政区划代码</th><th>面积(km²)</th><th>覆盖比例(%)</th><th>区内集聚区(个)</th>"
    assert head + "<th>服务半径(m)</th>" in page and "adcode" not in page
    assert "<h3>集聚区覆盖情况</h3>" in page and "距集聚区 2,000 m 以内" in page
    row = page.split("<td>420114</td>", 1)[1].split("</tr>", 1)[0]
    assert (
        "<td class='num'>1,088.112</td><td class='num'>3.54</td><td class='num'>3</td>"
        "<td class='num'>2,000</td>"
    ) in row
    assert "<td class='num'>80.686</td><td class='num'>64.00</td>" in page
    doc = Document(io.BytesIO(report_docx(report)))
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "行政区划代码")
    cells = [c.text for c in table.rows[1].cells]
    assert cells == ["420102", "80.686", "64.00", "7", "2,000"]
    align = [c.paragraphs[0].alignment for c in table.rows[1].cells]
    assert align[0] is None and align[1:] == [2, 2, 2, 2]  # WD_ALIGN_PARAGRAPH.RIGHT
    assert any("距集聚区 2,000 m 以内" in p.text for p in doc.paragraphs)


@pytest.mark.browser
def test_report_html_sent_alone_shows_its_maps_offline(report, open_page, tmp_path):
    """report.html copied alone into an empty folder, opened with the network blocked:
    every interactive map opens and draws its layers."""
    alone = tmp_path / "sent"
    alone.mkdir()
    shutil.copy(report / "report.html", alone / "report.html")
    page, log = open_page(alone / "report.html", height=1400)
    maps = page.locator("details[open] iframe")
    assert maps.count() == 2
    for i in range(maps.count()):
        maps.nth(i).scroll_into_view_if_needed()  # lazy frames load when shown
        page.wait_for_timeout(300)
    frames = [f for f in page.frames if f != page.main_frame]
    assert len(frames) == 2
    for f in frames:
        f.wait_for_function("window.GIS && GIS.layers && GIS.layers.length > 0")
        counts = f.evaluate("GIS.layers.map(function (m) { return m.layer.getLayers().length; })")
        assert counts and min(counts) > 0
        assert f.locator("path.leaflet-interactive").count() > 0
        # the view fits Wuhan (a map initialised while hidden would show the whole world)
        view = f.evaluate(
            "(function () { var s = GIS.map.getSize(), b = GIS.map.getBounds();"
            " return {w: s.x, h: s.y, z: GIS.map.getZoom(), span: b.getEast() - b.getWest(),"
            " inside: b.contains(L.latLng(30.59, 114.30))}; })()"
        )
        assert view["w"] > 300 and view["h"] > 300 and view["inside"], view
        assert view["z"] >= 7 and view["span"] < 10, view  # Wuhan, not the world
    assert log.external_requests == []
    assert log.errors == []
