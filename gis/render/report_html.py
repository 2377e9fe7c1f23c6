"""The report as one self-contained HTML page, through a Jinja2 template with autoescape
(``templates/report.html.j2``): every text escaped, figures inlined as data URIs, each
interactive map an ``<iframe srcdoc>`` holding its offline page (:mod:`gis.render.embed`),
so the file works sent alone; tables as :mod:`gis.render.report_tables` shows them."""

from __future__ import annotations

import base64
from functools import lru_cache
from typing import Any

import jinja2
from markupsafe import Markup

from .embed import srcdoc_iframe
from .plan import Report
from .report_tables import CSS as TABLE_CSS
from .report_tables import right_aligned, table_note

#: Most decimals shown in a report table (the CSV files keep every digit).
MAX_DECIMALS = 3

CSS = """
body { font: 14px/1.5 "Noto Sans CJK SC", "WenQuanYi Zen Hei", "Microsoft YaHei", sans-serif;
  max-width: 1000px; margin: 2em auto; padding: 0 1em; color: #222; }
h1 { font-size: 24px; } h2 { font-size: 19px; border-bottom: 1px solid #ccc; margin-top: 2em; }
img.figure { width: 100%; border: 1px solid #ddd; }
table { border-collapse: collapse; margin: .6em 0; font-size: 12.5px; }
th, td { border: 1px solid #ccc; padding: 2px 6px; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
.error { color: #a50f15; white-space: pre-wrap; font-family: monospace; }
.sources, .sub { font-size: 12px; color: #555; }
.note { font-size: 12px; color: #555; }
.missing { color: #8c2d04; }
iframe { width: 100%; height: 560px; border: 1px solid #ddd; }
"""


def _decimals(values: list[float]) -> int:
    """Fewest decimals (≤ MAX_DECIMALS) that show every value of a column as stored."""
    for d in range(MAX_DECIMALS):
        if all(abs(v - round(v, d)) < 1e-9 for v in values):
            return d
    return MAX_DECIMALS


def _cell(v: Any, decimals: int = MAX_DECIMALS) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return ""
    if isinstance(v, float):
        return f"{v:,.{decimals}f}"
    return str(v)


def cells(df: Any) -> list[list[str]]:
    """Table cells as text; a float column has one number of decimals in every row, so
    64.00 % and 92.21 % line up and 1,088.112 km² is not cut to 1,088.

    >>> import pandas as pd
    >>> cells(pd.DataFrame({"pct": [64.0, 92.21], "km2": [1088.112, 80.0], "n": [7, 3]}))
    [['64.00', '1,088.112', '7'], ['92.21', '80.000', '3']]
    """
    cols = []
    for c in df.columns:
        vals = list(df[c])
        floats = [v for v in vals if isinstance(v, float) and v == v]
        d = _decimals(floats)
        cols.append([_cell(v, d) for v in vals])
    return [list(r) for r in zip(*cols)] if cols else []


@lru_cache(maxsize=1)
def _template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("gis.render", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    return env.get_template("report.html.j2")


def _table(df: Any) -> dict[str, Any]:
    rows = cells(df)
    return {
        "columns": [str(c) for c in df.columns],
        "rows": [list(zip(r, right_aligned(df, rows))) for r in rows],
        "note": table_note(df),
    }


def report_html(report: Report, *, embed_maps: bool = True) -> str:
    """The report as one HTML page."""
    sections = [
        {
            "name": s.name,
            "title": s.title,
            "error": s.error,
            "title_block": s.title_block,
            "png_b64": base64.b64encode(s.png).decode("ascii") if s.png else "",
            "html_file": s.html_file,
            # the map page escaped once into srcdoc by srcdoc_iframe: markup we made
            "iframe": (
                Markup(srcdoc_iframe(s.map_page, title=s.title))
                if embed_maps and s.map_page
                else ""
            ),
            "tables": [
                {"title": t.title, "missing": t.missing, "table": _table(t.frame)}
                if not t.missing
                else {"title": t.title, "missing": t.missing, "table": None}
                for t in s.tables
            ],
        }
        for s in report.sections
    ]
    return _template().render(
        title=report.title,
        plan=report.plan,
        date=report.date,
        css=Markup(CSS + TABLE_CSS),  # our own constants, not data
        sections=sections,
        targets=_table(report.targets) if report.targets is not None else None,
        status=_table(report.status),
    )
