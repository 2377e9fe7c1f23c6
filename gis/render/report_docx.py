"""The report as a Word document (python-docx): the same title blocks, figures and tables
as the HTML report."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from .plan import Report
from .report_html import cells


def report_docx(report: Report) -> bytes:
    """The report as .docx bytes (dates from the report, so builds are reproducible)."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    doc = Document()
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    for m in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(sec, m, Cm(2.0))
    normal = doc.styles["Normal"]
    normal.font.size = Pt(10.5)
    normal.font.name = "Noto Sans CJK SC"
    rpr = normal.element.get_or_add_rPr()
    rpr.get_or_add_rFonts().set(qn("w:eastAsia"), "WenQuanYi Zen Hei")
    props = doc.core_properties
    props.title = report.title
    props.author = "clustermap"
    stamp = dt.datetime.fromisoformat(report.date)
    props.created = props.modified = stamp
    doc.add_heading(report.title, level=0)
    doc.add_paragraph(f"{report.plan} · {report.date}")

    def small(text: str) -> None:
        doc.add_paragraph(text).runs[0].font.size = Pt(8)

    def table(df: Any) -> None:
        t = doc.add_table(rows=1, cols=len(df.columns))
        t.style = "Table Grid"
        for cell, c in zip(t.rows[0].cells, df.columns):
            cell.text = str(c)
            for r in cell.paragraphs[0].runs:
                r.bold = True
        for row in cells(df):
            for cell, v in zip(t.add_row().cells, row):
                cell.text = v
        for row_ in t.rows:
            for cell in row_.cells:
                for par in cell.paragraphs:
                    for r in par.runs:
                        r.font.size = Pt(8)

    for s in report.sections:
        doc.add_heading(s.title, level=1)
        if s.error:
            doc.add_paragraph("未能生成 Not built: " + s.error)
            continue
        tb = s.title_block
        if tb is not None:
            small(tb.subtitle)
            for note in tb.note_lines():
                small(note)
        if s.png:
            doc.add_picture(io.BytesIO(s.png), width=Cm(16.5))
        for t in s.tables:
            doc.add_heading(t.title, level=2)
            if t.missing:
                small(t.missing)
            else:
                table(t.frame)
        if tb is not None and tb.sources:
            small(
                "数据来源 Sources: "
                + "; ".join(f"{src} ({lic})" if lic else src for src, lic in tb.sources.items())
            )
    if report.targets is not None:
        doc.add_heading("2027 目标 The plan's targets", level=1)
        table(report.targets)
    doc.add_heading("图层载入情况 What is loaded", level=1)
    table(report.status)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
