"""The report as one self-contained HTML page, through a Jinja2 template with autoescape
(every text escaped; figures inlined as data URIs; interactive maps in ``<iframe>``)."""

from __future__ import annotations

import base64
from functools import lru_cache
from typing import Any

import jinja2
from markupsafe import Markup

from .plan import Report

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
.note { font-size: 12px; color: #a50f15; }
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
            "tables": s.tables,
        }
        for s in report.sections
    ]
    return _template().render(
        title=report.title,
        plan=report.plan,
        date=report.date,
        css=Markup(CSS),  # our own constant, not data
        sections=sections,
        embed_maps=embed_maps,
        targets=report.targets,
        status=report.status,
        cells=cells,
    )
