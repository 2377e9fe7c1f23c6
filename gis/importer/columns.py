"""Recognising a planner's columns: 编号, 名称, 所在区, 经度/纬度 … and their English forms.

>>> import pandas as pd
>>> cols = find_columns(pd.DataFrame(columns=["序号", "集聚区名称", "经度(GCJ02)", "纬度（GCJ02）"]))
>>> cols["id"], cols["name_zh"], cols["lon"], cols["lat"]
('序号', '集聚区名称', '经度(GCJ02)', '纬度（GCJ02）')
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..errors import ValidationError
from ..readers.tables import find_column

#: Header names recognised for each schema field (compared case- and space-insensitively).
COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "编号", "编码", "代码", "集聚区编号", "code", "序号", "no", "no."),
    "name_zh": (
        "name_zh",
        "名称",
        "集聚区名称",
        "园区名称",
        "载体名称",
        "集聚区",
        "园区",
        "项目名称",
        "中文名称",
        "名字",
        "name",
        "name_cn",
    ),
    "name_en": ("name_en", "英文名称", "英文名", "english name", "english"),
    "lon": ("lon", "lng", "longitude", "经度", "东经", "x", "long", "gcj_lng", "bd_lng", "x坐标"),
    "lat": ("lat", "latitude", "纬度", "北纬", "y", "gcj_lat", "bd_lat", "y坐标"),
    "lonlat": ("经纬度", "坐标", "lnglat", "lonlat", "location", "coordinates"),
    "district": (
        "district",
        "所在区",
        "所属区",
        "行政区",
        "所在行政区",
        "区",
        "区域",
        "所在区域",
        "adcode",
        "区划代码",
    ),
    "level": ("level", "级别", "等级", "层级", "集聚区级别"),
    "domains": (
        "domains",
        "domain",
        "领域",
        "服务领域",
        "产业领域",
        "行业领域",
        "主导产业",
        "行业",
    ),
    "source": ("source", "来源", "数据来源"),
    "precision": ("precision", "精度"),
    "note": ("note", "备注", "说明", "notes", "description"),
}


def find_columns(attrs: Any) -> dict[str, str | None]:
    """The column of each schema field; a note in brackets after a header (经度(GCJ02),
    纬度（°）, 名称【必填】) is ignored when the bare header is not found.

    >>> import pandas as pd
    >>> cols = find_columns(pd.DataFrame(columns=["名称", "经度(GCJ02)", "纬度（GCJ02）"]))
    >>> cols["lon"], cols["lat"]
    ('经度(GCJ02)', '纬度（GCJ02）')
    """
    import pandas as pd

    cols = {k: find_column(attrs, v) for k, v in COLUMNS.items()}
    bare = [_BRACKETS.sub("", str(c)).strip() for c in attrs.columns]
    if bare != [str(c) for c in attrs.columns] and len(set(bare)) == len(bare):
        by_bare = dict(zip(bare, attrs.columns))
        found = {k: find_column(pd.DataFrame(columns=bare), v) for k, v in COLUMNS.items()}
        for k, v in found.items():
            if cols[k] is None and v is not None and by_bare[v] not in cols.values():
                cols[k] = str(by_bare[v])
    return cols


_BRACKETS = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]")


def require_columns(
    p: Path, attrs: Any, cols: dict[str, str | None], is_table: bool, header_row: int = 1
) -> None:
    missing = []
    if cols["name_zh"] is None:
        missing.append("a name column (名称 / name_zh / name)")
    if is_table and not ((cols["lon"] and cols["lat"]) or cols["lonlat"]):
        missing.append(
            "coordinate columns (经度 and 纬度, or lon and lat, or 经纬度 '114.30,30.59')"
        )
    if missing:
        found = ", ".join(str(c) for c in attrs.columns) or "none"
        problems = [f"add {m}" for m in missing]
        sheets = list(attrs.attrs.get("sheets") or [])
        if len(sheets) > 1:
            # the first sheet of a workbook is often 说明 (notes), the list on another
            problems.append(
                f"or choose the sheet holding the list with --sheet (read: "
                f"{attrs.attrs.get('sheet_name')!r}; the workbook has: {', '.join(sheets)})"
            )
        raise ValidationError(
            f"{p}: missing column(s); "
            + (f"the header (row {header_row}) has: " if is_table else "its fields are: ")
            + found,
            problems,
        )
