"""Reports for planners: one HTML file and a Word .docx with the same figures and tables.

:func:`build_report` resolves the map specs (``maps/*.toml`` by default), draws
each as a static figure (:mod:`gis.render.static_map`), and writes

* ``report.html``: one self-contained file (figures as data URIs; each interactive
  map an ``<iframe srcdoc>`` holding its offline page, so the file works sent alone
  and no other file in the folder is rewritten), tables of the plan's targets,
  coverage (when an analysis provides it) and what is loaded;
* ``report.docx`` (python-docx): the same headings, figures and tables, for
  Word and LibreOffice.

A spec that cannot be built is listed in the report with its reason, never
dropped silently. Values come from :mod:`gis.indicators` and the analysis
layers; nothing is computed here.
"""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import GisError
from .io import atomic_write
from .render.docx_style import (
    add_figure,
    add_note,
    add_sources,
    add_title_block,
    format_table,
    style_document,
)
from .render.embed import srcdoc_iframe
from .render.report_tables import CSS as TABLE_CSS
from .render.report_tables import (
    STATUS_NOTE,
    TARGETS_NOTE,
    display_table,
    html_table,
    missing_analyses,
    right_aligned,
    table_note,
)

REPORT_TITLE = "武汉市生产性服务业空间布局报告 Wuhan productive services: map report"
PLAN_REFERENCE = "武汉市加快生产性服务业高质量发展实施方案(2024—2027年) 武政办〔2024〕121号"
FIGURE_DPI = 200

#: Columns of the targets table: (column of gis.indicators.target_progress, heading).
TARGET_COLUMNS = (
    ("id", "#"),
    ("clause", "条款 Clause"),
    ("indicator_zh", "指标 Indicator"),
    ("target_text", "2027 目标 Target"),
    ("baseline_text", "基数 Baseline"),
    ("progress_text", "进度 Progress"),
    ("lead", "牵头 Lead"),
)


@dataclass
class Section:
    """One map of the report: its figure (PNG bytes) and tables, or why it is missing."""

    name: str
    title: str
    html_file: str
    png: bytes | None = None
    tables: list[tuple[str, Any]] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    error: str = ""
    #: the offline interactive map page, embedded whole in report.html
    map_page: str = ""
    #: analyses the map could not compute, with the reason (as the map says)
    notes: list[str] = field(default_factory=list)


def targets_table(progress: Any) -> Any:
    """The targets table as shown in reports (text columns, escaped later by the writer)."""
    import pandas as pd

    def num(v: Any) -> str:
        return "" if v is None or v != v else f"{float(v):,.10g}"

    rows = []
    for r in progress.to_dict("records"):
        bound = r.get("baseline_bound") or ""
        base = num(r.get("baseline"))
        prog = r.get("progress")
        rows.append(
            {
                "id": r["id"],
                "clause": r.get("clause", ""),
                "indicator_zh": r.get("indicator_zh", ""),
                "target_text": f"{r.get('comparison', '')}{num(r.get('target'))} {r.get('unit', '')}",
                "baseline_text": (
                    f"{bound}{base} {r.get('unit', '')} ({r.get('baseline_year', '')})"
                    if base
                    else "无基数 no sourced baseline"
                ),
                "progress_text": (
                    f"{r.get('progress_bound') or ''}{float(prog):.0%}"
                    if prog is not None and prog == prog
                    else ""
                ),
                "lead": r.get("lead", ""),
            }
        )
    out = pd.DataFrame(rows, columns=[c for c, _ in TARGET_COLUMNS])
    out = out.rename(columns=dict(TARGET_COLUMNS))
    out.attrs["note"] = TARGETS_NOTE
    return out


def status_table() -> Any:
    """Loaded / expected features per catalog layer."""
    from .layers import layer_status

    s = layer_status()
    out = s[["id", "title", "loaded", "expected", "status"]].copy()
    out["expected"] = out["expected"].map(lambda v: "" if v != v or v is None else str(int(v)))
    out.attrs["note"] = STATUS_NOTE
    return out.rename(
        columns={
            "id": "图层 Layer",
            "title": "名称 Title",
            "loaded": "已载入 Loaded",
            "expected": "应有 Expected",
            "status": "状态 Status",
        }
    )


def collect_sections(spec_paths: list[Path], maps_folder: Path | None = None) -> list[Section]:
    """Resolve every spec and draw its figure; a spec that fails becomes a Section with
    its error message. With ``maps_folder``, each interactive map the report embeds is
    (re)built there too, so the report and its maps always match."""
    from .render.html import render_html, seeded_ids
    from .render.publish import plan_map
    from .render.static_map import find_cjk_font, render_static
    from .spec import load_spec, resolve_spec

    find_cjk_font()  # fail once, clearly, before any work
    sections = []
    for p in spec_paths:
        try:
            spec = load_spec(p)
            plan = resolve_spec(spec)
            png = render_static(plan, fmt="png", dpi=FIGURE_DPI)
            with seeded_ids(0):
                page = render_html(plan_map(plan))
            if maps_folder is not None:
                with atomic_write(
                    maps_folder / spec.outputs.html, "w", encoding="utf-8", newline="\n"
                ) as fh:
                    fh.write(page)
        except GisError as exc:
            sections.append(Section(Path(p).stem, Path(p).stem, "", error=str(exc)))
            continue
        tables: list[tuple[str, Any]] = []
        cov = plan.tables.get("coverage")
        for title, df in cov or []:
            tables.append(display_table("coverage", title, df))
        sources: list[str] = []
        for ov in plan.overlays:
            sources.extend(s for s in ov.sources if s not in sources)
        sections.append(Section(spec.name, plan.title, spec.outputs.html, png, tables, sources))
        sections[-1].map_page, sections[-1].notes = page, missing_analyses(plan.notes_html)
    return sections


def _html_table(df: Any) -> str:
    return html_table(df, _cells(df))


#: Most decimals shown in a report table (the CSV files keep every digit).
MAX_DECIMALS = 3


def _decimals(values: list[float]) -> int:
    """Fewest decimals (≤ MAX_DECIMALS) that show every value of a column as stored."""
    for d in range(MAX_DECIMALS):
        if all(abs(v - round(v, d)) < 1e-9 for v in values):
            return d
    return MAX_DECIMALS


def _cells(df: Any) -> list[list[str]]:
    """Table cells as text; a float column has one number of decimals in every row, so
    64.00 % and 92.21 % line up and 1,088.112 km² is not cut to 1,088.

    >>> import pandas as pd
    >>> _cells(pd.DataFrame({"pct": [64.0, 92.21], "km2": [1088.112, 80.0], "n": [7, 3]}))
    [['64.00', '1,088.112', '7'], ['92.21', '80.000', '3']]
    """
    cols = []
    for c in df.columns:
        vals = list(df[c])
        floats = [v for v in vals if isinstance(v, float) and v == v]
        d = _decimals(floats)
        cols.append([_cell(v, d) for v in vals])
    return [list(r) for r in zip(*cols)] if cols else []


def _cell(v: Any, decimals: int = MAX_DECIMALS) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return ""
    if isinstance(v, float):
        return f"{v:,.{decimals}f}"
    return str(v)


CSS = (
    """
body { font: 14px/1.5 "Noto Sans CJK SC", "WenQuanYi Zen Hei", "Microsoft YaHei", sans-serif;
  max-width: 1000px; margin: 2em auto; padding: 0 1em; color: #222; }
h1 { font-size: 24px; } h2 { font-size: 19px; border-bottom: 1px solid #ccc; margin-top: 2em; }
img.figure { width: 100%; border: 1px solid #ddd; }
table { border-collapse: collapse; margin: .6em 0; font-size: 12.5px; }
th, td { border: 1px solid #ccc; padding: 2px 6px; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
.error { color: #a50f15; white-space: pre-wrap; font-family: monospace; }
.sources { font-size: 12px; color: #555; }
.missing { color: #8c2d04; }
iframe { width: 100%; height: 560px; border: 1px solid #ddd; }
"""
    + TABLE_CSS
)


def report_html(
    sections: list[Section], *, targets: Any, status: Any, date: str, embed_maps: bool = True
) -> str:
    """The report as one HTML page (every text escaped; figures inlined)."""
    e = html.escape
    parts = [
        "<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'>",
        f"<title>{e(REPORT_TITLE)}</title><style>{CSS}</style></head><body>",
        f"<h1>{e(REPORT_TITLE)}</h1>",
        "<p>武汉市加快生产性服务业高质量发展实施方案(2024—2027年) 武政办〔2024〕121号 · "
        f"{e(date)}</p>",
    ]
    for s in sections:
        parts.append(f"<h2 id='{e(s.name)}'>{e(s.title)}</h2>")
        if s.error:
            parts.append(f"<p>未能生成 Not built:</p><p class='error'>{e(s.error)}</p>")
            continue
        if s.png:
            b64 = base64.b64encode(s.png).decode("ascii")
            parts.append(
                f"<img class='figure' alt='{e(s.title)}' src='data:image/png;base64,{b64}'>"
            )
        parts.extend(f"<p class='missing'>{e(n)}</p>" for n in s.notes)
        if embed_maps and s.map_page:
            parts.append(
                f"<details open><summary>交互地图 Interactive map ({e(s.html_file)})</summary>"
                f"{srcdoc_iframe(s.map_page, title=s.title)}</details>"
            )
        for title, df in s.tables:
            parts.append(f"<h3>{e(title)}</h3>{_html_table(df)}")
        if s.sources:
            parts.append(f"<p class='sources'>数据来源 Sources: {e('; '.join(s.sources))}</p>")
    if targets is not None:
        parts.append("<h2 id='targets'>2027 目标 The plan's targets</h2>")
        parts.append(_html_table(targets))
    parts.append("<h2 id='layers'>图层载入情况 What is loaded</h2>")
    parts.append(_html_table(status))
    parts.append("</body></html>\n")
    return "".join(parts)


def report_docx(sections: list[Section], *, targets: Any, status: Any, date: str) -> bytes:
    """The report as a Word document (python-docx): the same figures and tables."""
    import datetime as dt

    from docx import Document

    doc = Document()
    style_document(doc)
    props = doc.core_properties
    props.title = REPORT_TITLE
    props.author = "clustermap"
    stamp = dt.datetime.fromisoformat(date)
    props.created = props.modified = stamp
    add_title_block(doc, REPORT_TITLE, PLAN_REFERENCE, date)

    def table(df: Any) -> None:
        add_note(doc, table_note(df))
        t = doc.add_table(rows=1, cols=len(df.columns))
        t.style = "Table Grid"
        for cell, c in zip(t.rows[0].cells, df.columns):
            cell.text = str(c)
            for r in cell.paragraphs[0].runs:
                r.bold = True
        for row in _cells(df):
            cells = t.add_row().cells
            for cell, v in zip(cells, row):
                cell.text = v
        rows = _cells(df)
        format_table(t, [str(c) for c in df.columns], rows, right_aligned(df, rows))

    for s in sections:
        doc.add_heading(s.title, level=1)
        if s.error:
            doc.add_paragraph("未能生成 Not built: " + s.error)
            continue
        for n in s.notes:
            add_note(doc, n)
        if s.png:
            add_figure(doc, s.png)
        for title, df in s.tables:
            doc.add_heading(title, level=2)
            table(df)
        if s.sources:
            add_sources(doc, "数据来源 Sources: " + "; ".join(s.sources))
    if targets is not None:
        doc.add_heading("2027 目标 The plan's targets", level=1)
        table(targets)
    doc.add_heading("图层载入情况 What is loaded", level=1)
    table(status)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def build_report(
    specs: list[str | Path] | None = None,
    *,
    out: str | Path | None = None,
    docx: bool = True,
) -> list[Path]:
    """Write ``report.html`` (and ``report.docx``) to ``out`` (default ``maps/out``); only
    these files: the interactive maps live inside report.html."""
    from .render.overlay import build_date
    from .settings import out_dir
    from .spec import shipped_specs

    paths = [Path(p) for p in specs] if specs else shipped_specs()
    folder = Path(out) if out else out_dir()
    sections = collect_sections(paths)  # maps embedded whole: maps/out/*.html left as built
    try:
        from .indicators import target_progress

        targets = targets_table(target_progress())
    except ImportError:
        targets = None
    status = status_table()
    date = build_date()
    page = report_html(sections, targets=targets, status=status, date=date)
    data = report_docx(sections, targets=targets, status=status, date=date) if docx else None
    written = []
    with atomic_write(folder / "report.html", "w", encoding="utf-8", newline="\n") as fh:
        fh.write(page)
    written.append(folder / "report.html")
    if data is not None:
        with atomic_write(folder / "report.docx", "wb") as fh:
            fh.write(data)
        written.append(folder / "report.docx")
    return written
