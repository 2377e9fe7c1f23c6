"""Reports for planners: one HTML file and a Word .docx with the same figures and tables.

:func:`build_report` composes a plan per map spec (``maps/*.toml`` by default,
:func:`gis.maps.compose.compose_spec`), draws each as a static figure, and writes

* ``report.html`` (:mod:`gis.render.report_html`): one self-contained file (figures as
  data URIs; each interactive map an ``<iframe srcdoc>`` holding its offline page, so
  the file works sent alone and no other file in the folder is rewritten), each
  section with its plan's title block (not-loaded and not-computed notes, sources),
  tables of the plan's targets, coverage (or why it is missing) and what is loaded;
* ``report.docx`` (:mod:`gis.render.report_docx`): the same, laid out for a Chinese
  office, for Word and LibreOffice.

A spec that cannot be built is listed in the report with its reason, never
dropped silently. Values come from :mod:`gis.indicators` and the analysis
layers; nothing is computed here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import GisError
from ..indicators import target_progress
from ..layers import layer_status
from ..render.panel import comparability_mark
from ..render.plan import Report, ReportSection, ReportTable
from ..render.report_docx import report_docx
from ..render.report_html import report_html
from ..render.report_tables import STATUS_NOTE, TARGETS_NOTE, TITLES, display_table
from ..render.static_map import find_cjk_font, render_static
from ..settings import REPORT_FIGURE_DPI, out_dir
from .compose import PLAN, build_date, compose_spec
from .publish import html_text, write_outputs
from .spec import load_spec, shipped_specs

REPORT_TITLE = "武汉市生产性服务业空间布局报告 Wuhan productive services: map report"

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


def targets_table(progress: Any) -> Any:
    """The targets table as shown in reports (text columns, escaped later by the writer)."""

    def num(v: Any) -> str:
        return "" if v is None or v != v else f"{float(v):,.10g}"

    rows = []
    for r in progress.to_dict("records"):
        bound = r.get("baseline_bound") or ""
        base = num(r.get("baseline"))
        prog = r.get("progress")
        unit = r.get("baseline_unit") or r.get("unit", "")
        mark = comparability_mark(r.get("comparability_class"))
        rows.append(
            {
                "id": r["id"],
                "clause": r.get("clause", ""),
                "indicator_zh": r.get("indicator_zh", ""),
                "target_text": f"{r.get('comparison', '')}{num(r.get('target'))} {r.get('unit', '')}",
                "baseline_text": (
                    f"{bound}{base} {unit} "
                    f"({r.get('baseline_year', '') or '年份未注 year not stated'})"
                    + (f" · {mark}" if mark else "")
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


def collect_sections(spec_paths: list[Path]) -> list[ReportSection]:
    """A section per spec: its plan's title block, figure, tables and interactive map page;
    a spec that fails becomes a section with its error message."""
    find_cjk_font()  # fail once, clearly, before any work
    sections = []
    for p in spec_paths:
        try:
            spec = load_spec(p)
            plan = compose_spec(spec)
            png = render_static(plan, fmt="png", dpi=REPORT_FIGURE_DPI, palette=True)
            page = html_text(plan)
        except GisError as exc:
            sections.append(ReportSection(Path(p).stem, Path(p).stem, error=str(exc)))
            continue
        tables = []
        if "coverage" in plan.tables:
            cov = plan.tables["coverage"]
            for title, df in cov:
                tables.append(ReportTable(*display_table("coverage", title, df)))
            if not cov:  # the analysis could not be computed: say so, with the reason
                why = "; ".join(plan.title_block.not_computed) or "not computed"
                tables.append(ReportTable(TITLES["coverage"], missing=why))
        sections.append(
            ReportSection(
                spec.name,
                plan.title,
                spec.outputs.html,
                plan.title_block,
                png,
                tables,
                map_page=page,
            )
        )
    return sections


def build_report(
    specs: list[str | Path] | None = None,
    *,
    out: str | Path | None = None,
    docx: bool = True,
) -> list[Path]:
    """Write ``report.html`` (and ``report.docx``) to ``out`` (default ``maps/out``); only
    these files: the interactive maps live inside report.html."""
    paths = [Path(p) for p in specs] if specs else shipped_specs()
    folder = Path(out) if out else out_dir()
    report = Report(
        REPORT_TITLE,
        PLAN,
        build_date(),
        collect_sections(paths),
        targets=targets_table(target_progress()),
        status=status_table(),
    )
    rendered: list[tuple[Path, Any]] = [(folder / "report.html", report_html(report))]
    if docx:
        rendered.append((folder / "report.docx", report_docx(report)))
    return write_outputs(rendered)
