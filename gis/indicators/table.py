"""Indicator tables in the form every join takes: a planner's CSV/Excel table, long or wide,
brought to long form (one row per key, indicator, value, unit, year, source).

* **long** form has an indicator column (``indicator``/``指标``) and a value column
  (``value``/``数值``); unit, year and source columns are optional.
* **wide** form has one column per indicator; a unit in the header
  (``GDP(亿元)``, ``常住人口（万人）``) becomes the unit.

>>> import pandas as pd
>>> t = pd.DataFrame({"区名": ["武昌", "江汉区"], "GDP(亿元)": ["1772.02", "1500"]})
>>> long = long_form(t)
>>> long[["key", "indicator", "unit", "value_text"]].values.tolist()
[['武昌', 'GDP', '亿元', '1772.02'], ['江汉区', 'GDP', '亿元', '1500']]
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..errors import InputError
from ..readers.tables import find_column, read_table, sheet_row
from .targets import parse_bound

if TYPE_CHECKING:
    pass

KEY_CANDIDATES = (
    "adcode",
    "行政区划代码",
    "区划代码",
    "代码",
    "key",
    "id",
    "code",
    "district",
    "区",
    "行政区",
    "区名",
    "区县",
    "所在区",
    "地区",
    "区域",
    "name_zh",
    "名称",
    "name",
)
INDICATOR_CANDIDATES = ("indicator", "指标", "指标名称", "项目", "indicator_zh")
VALUE_CANDIDATES = ("value", "数值", "值", "数据", "value_num")
UNIT_CANDIDATES = ("unit", "单位", "计量单位")
YEAR_CANDIDATES = ("year", "年份", "年度", "年")
SOURCE_CANDIDATES = ("source", "source_url", "来源", "数据来源", "出处")
#: Columns of a wide table that describe a row rather than hold an indicator (a serial
#: number 序号 or a rank is numeric but no indicator).
LABEL_CANDIDATES = (
    "name",
    "name_zh",
    "name_en",
    "名称",
    "区名",
    "区",
    "行政区",
    "地区",
    "district",
    "备注",
    "note",
    "说明",
    "序号",
    "排名",
    "排序",
    "no.",
)
#: Labels of total rows (not a district, reported as such).
TOTAL_LABELS = ("合计", "总计", "全市", "全市合计", "小计", "total", "sum")
_UNIT_IN_HEADER = re.compile(r"^(.*?)\s*[(（]\s*([^()（）]+?)\s*[)）]\s*$")


def _col(df: pd.DataFrame, cands: tuple[str, ...]) -> str | None:
    return find_column(df, cands)


def long_form(table: pd.DataFrame, *, key: str | None = None) -> pd.DataFrame:
    """The table (text columns, as from ``read_table``) in long form.

    Columns: ``key`` (as written), ``row`` (spreadsheet row, header = 1), ``column``
    (where the value sits), ``indicator``, ``value_text``, ``unit``, ``year``, ``source``.
    ``attrs`` carry ``source`` (file), ``form`` (long|wide), ``key_column`` and
    ``text_columns`` (wide columns holding text only, kept as attributes).
    """
    src = table.attrs.get("source", "table")
    table = _find_header(table, key)
    cols = [str(c) for c in table.columns]
    if key is not None:
        if key not in cols:
            raise InputError(
                f"{src}: no column {key!r}; the columns are: {', '.join(cols)}. "
                "Pass --key with one of them"
            )
        kcol = key
    else:
        found = _col(table, KEY_CANDIDATES)
        if found is None:
            sheets = list(table.attrs.get("sheets") or [])
            other = (
                f" or choose another sheet with --sheet (read {table.attrs.get('sheet_name')!r}; "
                f"the workbook has: {', '.join(sheets)})"
                if len(sheets) > 1
                else ""
            )
            raise InputError(
                f"{src}: no key column found; expected one of {', '.join(KEY_CANDIDATES[:12])}…; "
                f"the columns are: {', '.join(cols)}. Name the key column with --key COLUMN" + other
            )
        kcol = found
    ind_col = _col(table, INDICATOR_CANDIDATES)
    val_col = _col(table, VALUE_CANDIDATES)
    unit_col = _col(table, UNIT_CANDIDATES)
    year_col = _col(table, YEAR_CANDIDATES)
    src_col = _col(table, SOURCE_CANDIDATES)
    rows: list[dict[str, Any]] = []
    text_columns: list[str] = []
    # read_table drops blank rows but keeps the index: the index is the 0-based data row
    if pd.api.types.is_integer_dtype(table.index):
        positions = [int(i) for i in table.index]
    else:
        positions = list(range(len(table)))
    if ind_col and val_col:
        form = "long"
        for pos, r in zip(positions, rows_of(table)):
            rows.append(
                {
                    "key": str(r[kcol]),
                    "row": sheet_row(pos),
                    "column": val_col,
                    "indicator": str(r[ind_col]),
                    "value_text": str(r[val_col]),
                    "unit": str(r[unit_col]) if unit_col else "",
                    "year": _year(r[year_col]) if year_col else "",
                    "source": str(r[src_col]) if src_col else src,
                }
            )
    else:
        form = "wide"
        meta = {kcol, unit_col, year_col, src_col} - {None}
        labels = {c for c in cols if _col(table[[c]], LABEL_CANDIDATES) and c not in meta}
        for c in cols:
            if c in meta:
                continue
            vals = table[c].astype(str)
            filled = vals[vals.str.strip() != ""]
            numeric = filled.map(_is_number)
            if c in labels or (len(filled) and not numeric.any()):
                text_columns.append(c)
                continue
            m = _UNIT_IN_HEADER.match(c)
            ind, unit = (m.group(1), m.group(2)) if m else (c, "")
            for pos, r in zip(positions, rows_of(table)):
                rows.append(
                    {
                        "key": str(r[kcol]),
                        "row": sheet_row(pos),
                        "column": c,
                        "indicator": ind,
                        "value_text": str(r[c]),
                        "unit": unit or (str(r[unit_col]) if unit_col else ""),
                        "year": _year(r[year_col]) if year_col else "",
                        "source": str(r[src_col]) if src_col else src,
                    }
                )
    out = pd.DataFrame(
        rows, columns=["key", "row", "column", "indicator", "value_text", "unit", "year", "source"]
    )
    out.attrs.update(
        {
            "source": src,
            "form": form,
            "key_column": kcol,
            "text_columns": text_columns,
            "text_values": {
                c: dict(zip(table[kcol].astype(str), table[c].astype(str))) for c in text_columns
            },
        }
    )
    return out


def _find_header(table: pd.DataFrame, key: str | None) -> pd.DataFrame:
    """The table re-headed at the first of its top 5 rows naming the key column, when the
    sheet starts with a title row (e.g. "2023年各区主要指标") instead of the header.

    Row numbers stay those of the spreadsheet: the index is kept.
    """

    def has_key(names: list[str]) -> bool:
        if key is not None:
            return key in names
        return _col(pd.DataFrame(columns=names), KEY_CANDIDATES) is not None

    if has_key([str(c) for c in table.columns]):
        return table
    for i in range(min(5, len(table))):
        names = [str(v).strip() for v in table.iloc[i]]
        if has_key(names) and len(set(names)) == len(names):
            out = table.iloc[i + 1 :].copy()
            out.columns = names
            out.attrs = dict(table.attrs)
            return out
    return table


def rows_of(table: pd.DataFrame) -> list[pd.Series]:
    return [r for _, r in table.iterrows()]


def _year(v: Any) -> str:
    s = str(v).strip()
    m = re.match(r"^(\d{4})(?:\.0)?\s*年?$", s)
    return m.group(1) if m else s


def _is_number(text: str) -> bool:
    try:
        return not math.isnan(parse_bound(text)[0])
    except ValueError:
        return False


def read_indicator_table(
    path: str | Path, *, key: str | None = None, sheet: str | int | None = None
) -> pd.DataFrame:
    """Read a CSV/Excel indicator table (long or wide) into long form (see :func:`long_form`)."""
    return long_form(read_table(path, sheet=sheet), key=key)
