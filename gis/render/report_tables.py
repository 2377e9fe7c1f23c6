"""Report tables as a reader sees them: Chinese headers with units, a sentence, aligned numbers.

Both report writers (HTML and .docx) go through here, so a table reads the same in
either: :func:`display_table` renames analysis fields (``adcode``, ``covered_pct``) to
headers with units (``覆盖比例(%)``) and attaches the sentence saying what the table
shows (``df.attrs["note"]``); :func:`right_aligned` says which columns hold numbers;
:func:`html_table` writes the escaped HTML.

>>> import pandas as pd
>>> df = pd.DataFrame({"adcode": ["420102"], "name_zh": ["江岸区"], "covered_pct": [64.0],
...                    "radius_m": [2000.0]})
>>> title, shown = display_table("coverage", "coverage", df)
>>> list(shown.columns)
['行政区划代码', '名称', '覆盖比例(%)', '服务半径(m)']
>>> shown.attrs["note"].split(";")[0]
'各区面积、距集聚区 2,000 m 以内的面积及其占比、区内集聚区个数'
>>> right_aligned(shown, [["420102", "江岸区", "64.00", "2,000"]])
[False, False, True, True]
"""

from __future__ import annotations

import html
import re
from typing import Any

#: Analysis and layer fields → header with unit (the CSV files keep the field names).
HEADERS: dict[str, str] = {
    "adcode": "行政区划代码",
    "name_zh": "名称",
    "name_en": "英文名称",
    "district": "所在区",
    "area_km2": "面积(km²)",
    "covered_km2": "覆盖面积(km²)",
    "covered_pct": "覆盖比例(%)",
    "clusters_inside": "区内集聚区(个)",
    "radius_m": "服务半径(m)",
    "precision": "位置精度",
    "population": "常住人口(人)",
    "population_covered": "覆盖人口(人)",
    "population_covered_pct": "人口覆盖比例(%)",
    "source": "来源",
    "note": "说明",
}
#: Fields that hold codes, never right-aligned as numbers.
CODE_FIELDS = frozenset({"adcode", "id", "#", "district", "行政区划代码"})

#: Table kind → heading of the table in the report.
TITLES = {"coverage": "集聚区覆盖情况"}

_NUMBER = re.compile(r"^[-+−≥≤>< ]*[\d,]+(\.\d+)?\s*%?$")

TARGETS_NOTE = (
    "下表列出《实施方案》2027 年各项目标、可查证的武汉基数(年份)与按基数计算的进度;"
    "没有可比基数的目标注明“无基数”,不作估算;基数后注明其为代理指标(proxy)、"
    "口径较窄(narrower)、仅湖北省(province-only)或口径不同(different measure),后两者不计算进度。"
)
STATUS_NOTE = "下表列出各图层已载入与应有的要素个数;未载入完整的图层在地图与分析中如实标注。"


def _coverage_note(df: Any) -> str:
    radius = ""
    if "radius_m" in df.columns and df["radius_m"].notna().any():
        r = sorted({float(v) for v in df["radius_m"].dropna()})
        radius = f"{r[0]:,.0f} m " if len(r) == 1 else ""
    pop = "、常住人口及覆盖人口" if "population" in df.columns else ""
    return (
        f"各区面积、距集聚区 {radius or '服务半径'}以内的面积及其占比、区内集聚区个数{pop};"
        "面积在 CGCS2000 / 3° 高斯-克吕格投影(EPSG:4547)中计算。"
    )


_NOTES = {"coverage": _coverage_note}


def display_table(kind: str, title: str, df: Any) -> tuple[str, Any]:
    """``(heading, table)`` of an analysis table as the report shows it: headers with units,
    the sentence of what it shows in ``attrs["note"]``; values untouched."""
    out = df.rename(columns={c: HEADERS.get(str(c), str(c)) for c in df.columns})
    out.attrs["note"] = _NOTES[kind](df) if kind in _NOTES else ""
    out.attrs["codes"] = [str(c) in CODE_FIELDS for c in df.columns]
    heading = TITLES.get(kind, kind)
    if title and title != kind:
        heading = f"{heading}:{title}"
    return heading, out


def table_note(df: Any) -> str:
    """The sentence saying what ``df`` shows ('' when none was attached)."""
    return str(df.attrs.get("note", ""))


def right_aligned(df: Any, cells: list[list[str]]) -> list[bool]:
    """Per column: True when every non-empty cell is a number (and not a code)."""
    codes = df.attrs.get("codes") or [str(c) in CODE_FIELDS for c in df.columns]
    out = []
    for j, _c in enumerate(df.columns):
        values = [r[j] for r in cells if r[j].strip()]
        out.append(bool(values) and not codes[j] and all(_NUMBER.match(v) for v in values))
    return out


def html_table(df: Any, cells: list[list[str]]) -> str:
    """The table as escaped HTML: its sentence, headers, numbers right-aligned."""
    right = right_aligned(df, cells)
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td class='num'>{html.escape(v)}</td>" if r else f"<td>{html.escape(v)}</td>"
            for v, r in zip(row, right)
        )
        + "</tr>"
        for row in cells
    )
    note = table_note(df)
    lead = f"<p class='table-note'>{html.escape(note)}</p>" if note else ""
    return f"{lead}<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


#: CSS the HTML report adds for these tables.
CSS = "td.num { text-align: right; font-variant-numeric: tabular-nums; } .table-note { margin: .3em 0; }"
