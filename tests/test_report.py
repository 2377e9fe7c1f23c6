"""clustermap report: one HTML page and a .docx with the same figures and tables."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from click.testing import CliRunner

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
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CLUSTERMAP_HOME", str(home))
        mp.setenv("SOURCE_DATE_EPOCH", "1764201600")
        r = CliRunner().invoke(main, ["report"])
    assert r.exit_code == 0, r.output
    return home / "maps" / "out"


def test_html_report_has_figures_tables_and_the_failed_spec(report):
    page = (report / "report.html").read_text(encoding="utf-8")
    assert page.count("src='data:image/png;base64,") == 1
    assert "<iframe src='a_good.html'" in page
    assert "GIS.register" in (report / "a_good.html").read_text(encoding="utf-8")
    # the spec that cannot be built is listed with its reason, not dropped
    assert "坏 Bad" not in page and "b_bad" in page
    assert "layers[0].layer: &#39;no_such_layer&#39; is not in the catalog" in page
    # the targets table: T03 技术合同成交额 ≥3000 亿元, baseline 1357.41 (2022) = 45 %
    row = page.split("<td>T03</td>", 1)[1].split("</tr>", 1)[0]
    assert "全市技术合同成交额" in row and "≥3,000 亿元" in row
    assert "1,357.41 亿元 (2022)" in row and "<td>45%</td>" in row
    # what is loaded: clusters 0/58 stays visible
    loaded = page.split("id='layers'", 1)[1]
    assert "<td>clusters</td>" in loaded and "<td>0</td><td>58</td>" in loaded
    assert "2025-11-27" in page


def test_docx_has_the_same_figure_and_tables(report):
    from docx import Document

    doc = Document(str(report / "report.docx"))
    assert len(doc.inline_shapes) == 1
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert "行政区 Districts test" in headings and "b_bad" in headings
    texts = [[c.text for c in t.rows[0].cells] for t in doc.tables]
    assert ["#", "条款 Clause", "指标 Indicator"] == texts[0][:3]
    t03 = next(r for r in doc.tables[0].rows if r.cells[0].text == "T03")
    assert t03.cells[3].text == "≥3,000 亿元" and t03.cells[5].text == "45%"
    assert doc.core_properties.created.year == 2025


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_docx_opens_in_libreoffice(report, tmp_path):
    r = subprocess.run(
        [
            "soffice",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(report / "report.docx"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    pdf = tmp_path / "report.pdf"
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 50_000


def test_report_help_has_an_example():
    r = CliRunner().invoke(main, ["report", "--help"])
    assert r.exit_code == 0 and "Example" in r.output and "report.docx" in r.output


def test_table_numbers_keep_their_decimals_in_html_and_docx():
    """A coverage table as the report shows it: every row of a column with the same decimals
    (64.00 next to 92.21), areas not cut to 4 digits (1,088.112, not 1,088)."""
    import io

    import pandas as pd
    from docx import Document

    from gis.render.plan import Report, ReportSection, ReportTable
    from gis.render.report_docx import report_docx
    from gis.render.report_html import report_html

    df = pd.DataFrame(
        {"adcode": ["420102", "420114"], "area_km2": [80.686, 1088.112],
         "covered_pct": [64.0, 3.54], "clusters_inside": [7, 3], "radius_m": [2000.0, 2000.0]}
    )  # fmt: skip
    sec = ReportSection("cov", "覆盖 Coverage", tables=[ReportTable("覆盖 Coverage", df)])
    none = pd.DataFrame({"-": []})
    report = Report("r", "plan", "2025-11-27", [sec], targets=none, status=none)
    page = report_html(report, embed_maps=False)
    row = page.split("<td>420114</td>", 1)[1].split("</tr>", 1)[0]
    assert "<td>1,088.112</td><td>3.54</td><td>3</td><td>2,000</td>" in row
    assert "<td>80.686</td><td>64.00</td>" in page
    doc = Document(io.BytesIO(report_docx(report)))
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "adcode")
    cells = [c.text for c in table.rows[1].cells]
    assert cells == ["420102", "80.686", "64.00", "7", "2,000"]
