"""The report as a Word document (python-docx) laid out for a Chinese office
(:mod:`gis.render.docx_style`): the same title blocks, figures and tables as the HTML
report."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from .docx_style import (
    add_figure,
    add_note,
    add_sources,
    add_title_block,
    format_table,
    style_document,
)
from .plan import Report
from .report_html import cells
from .report_tables import right_aligned, table_note


def report_docx(report: Report) -> bytes:
    """The report as .docx bytes (dates from the report, so builds are reproducible)."""
    from docx import Document

    doc = Document()
    style_document(doc)
    props = doc.core_properties
    props.title = report.title
    props.author = "clustermap"
    stamp = dt.datetime.fromisoformat(report.date)
    props.created = props.modified = stamp
    add_title_block(doc, report.title, report.plan, report.date)

    def table(df: Any) -> None:
        add_note(doc, table_note(df))
        rows = cells(df)
        t = doc.add_table(rows=1, cols=len(df.columns))
        t.style = "Table Grid"
        for cell, c in zip(t.rows[0].cells, df.columns):
            cell.text = str(c)
            for r in cell.paragraphs[0].runs:
                r.bold = True
        for row in rows:
            for cell, v in zip(t.add_row().cells, row):
                cell.text = v
        format_table(t, [str(c) for c in df.columns], rows, right_aligned(df, rows))

    for s in report.sections:
        doc.add_heading(s.title, level=1)
        if s.error:
            doc.add_paragraph("未能生成 Not built: " + s.error)
            continue
        tb = s.title_block
        if tb is not None:
            add_note(doc, tb.subtitle)
            for note in tb.note_lines():
                add_note(doc, note)
        if s.png:
            add_figure(doc, s.png)
        if tb is not None and tb.sources:
            add_sources(
                doc,
                "数据来源 Sources: "
                + "; ".join(f"{src} ({lic})" if lic else src for src, lic in tb.sources.items()),
            )
        for t in s.tables:
            doc.add_heading(t.title, level=2)
            if t.missing:
                add_note(doc, t.missing)
            else:
                table(t.frame)
    if report.targets is not None:
        doc.add_heading("2027 目标 The plan's targets", level=1)
        table(report.targets)
    doc.add_heading("图层载入情况 What is loaded", level=1)
    table(report.status)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
