"""The report as a Word document (python-docx) laid out for a Chinese office
(:mod:`gis.render.docx_style`): the same title blocks, figures and tables as the HTML
report."""

from __future__ import annotations

import datetime as dt
import io
import re
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

#: Characters XML 1.0 cannot hold (C0 controls but tab, newline and carriage return; U+FFFE/F).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(text: Any) -> str:
    r"""``text`` as a Word document can hold it: a character XML cannot hold is written as
    its escape (``\x0b``), visible, instead of failing the whole report.

    >>> xml_text("控制\x0b字符\x00")
    '控制\\x0b字符\\x00'
    """
    return _NOT_XML.sub(lambda m: f"\\x{ord(m.group()):02x}", str(text))


def report_docx(report: Report) -> bytes:
    """The report as .docx bytes (dates from the report, so builds are reproducible)."""
    from docx import Document

    doc = Document()
    style_document(doc)
    props = doc.core_properties
    props.title = xml_text(report.title)
    props.author = "clustermap"
    stamp = dt.datetime.fromisoformat(report.date)
    props.created = props.modified = stamp
    add_title_block(doc, xml_text(report.title), xml_text(report.plan), report.date)

    def table(df: Any) -> None:
        add_note(doc, xml_text(table_note(df)))
        raw = cells(df)
        rows = [[xml_text(v) for v in row] for row in raw]
        header = [xml_text(c) for c in df.columns]
        t = doc.add_table(rows=1, cols=len(df.columns))
        t.style = "Table Grid"
        for cell, c in zip(t.rows[0].cells, header):
            cell.text = c
            for r in cell.paragraphs[0].runs:
                r.bold = True
        for row in rows:
            for cell, v in zip(t.add_row().cells, row):
                cell.text = v
        format_table(t, header, rows, right_aligned(df, raw))

    for s in report.sections:
        doc.add_heading(xml_text(s.title), level=1)
        if s.error:
            doc.add_paragraph(xml_text("未能生成 Not built: " + s.error))
            continue
        tb = s.title_block
        if tb is not None:
            add_note(doc, xml_text(tb.subtitle))
            for note in tb.note_lines():
                add_note(doc, xml_text(note))
        if s.png:
            add_figure(doc, s.png)
        if tb is not None and tb.sources:
            sources = "; ".join(f"{src} ({lic})" if lic else src for src, lic in tb.sources.items())
            add_sources(doc, xml_text("数据来源 Sources: " + sources))
        for t in s.tables:
            doc.add_heading(xml_text(t.title), level=2)
            if t.missing:
                add_note(doc, xml_text(t.missing))
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
