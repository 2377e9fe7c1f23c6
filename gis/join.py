"""Join planners' indicator tables (CSV or Excel, long or wide) to a layer.

A table is read with :func:`gis.tables.read_table` (UTF-8, BOM, GBK/GB18030, Excel)
and brought to long form: one row per (key, indicator, value, unit, year, source).

* **long** form has an indicator column (``indicator``/``指标``) and a value column
  (``value``/``数值``); unit, year and source columns are optional.
* **wide** form has one column per indicator; a unit in the header
  (``GDP(亿元)``, ``常住人口（万人）``) becomes the unit.

:func:`join_table` matches the table's keys to the layer's features: on a district
layer through :func:`gis.districts.match_district` (武昌 / 武昌区 / Wuchang / 420106 all
give 420106; functional zones such as 东湖高新区 stay distinct and are reported, never
merged into a district), on any other layer by id or name. It returns the joined frame
(every layer feature kept, one column per indicator) and a :class:`JoinReport`:
matched keys, unmatched keys on each side with near-miss suggestions, duplicates,
non-numeric values and mixed units. No table row is dropped without being reported.

>>> import pandas as pd
>>> from gis.layers import read_layer
>>> t = pd.DataFrame({"区": ["武昌", "Jianghan", "光谷"], "GDP(亿元)": ["1772.02", "", "3200"]})
>>> t.attrs["source"] = "example.csv"
>>> joined, report = join_table(read_layer("districts"), long_form(t))
>>> report.matched
['420103', '420106']
>>> [u.key for u in report.unmatched_table]
['光谷']
>>> joined.set_index("adcode").loc["420106", "GDP"]
np.float64(1772.02)
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from .districts import CITY_ADCODE, district_name, match_district, suggest_district
from .errors import InputError, ValidationError
from .indicators import parse_bound
from .readers.tables import find_column, read_table, sheet_row

if TYPE_CHECKING:
    import geopandas as gpd

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


@dataclass
class Unmatched:
    """A table key that matched no feature: where it is and what it might have meant."""

    key: str
    rows: list[int]
    reason: str
    suggestions: list[str] = field(default_factory=list)


@dataclass
class JoinReport:
    """What a join did. ``problems`` are errors (no output should be written with them)."""

    table: str
    layer: str
    form: str
    key_column: str
    rows: int
    indicators: list[str]
    matched: list[str]
    unmatched_table: list[Unmatched]
    unmatched_layer: list[tuple[str, str]]
    duplicates: list[str]
    non_numeric: list[str]
    mixed_units: list[str]
    no_data: int
    text_columns: list[str]
    #: display name of each layer key (a district's name, a cluster's name_zh)
    names: dict[str, str] = field(default_factory=dict)

    @property
    def problems(self) -> list[str]:
        nothing = []
        if not self.matched and self.rows:
            nothing = [
                f"{self.table}: none of the {self.rows} row(s) matched a feature of layer "
                f"{self.layer!r} (key column {self.key_column!r}); check the layer, or name "
                "the key columns with --key and --layer-key"
            ]
        return nothing + self.duplicates + self.mixed_units + self.non_numeric

    def text(self) -> str:
        """The report as planners read it (Chinese and English labels)."""
        lines = [
            f"Table 表: {self.table} ({self.form} form, key column {self.key_column!r}, "
            f"{self.rows} row(s))",
            f"Layer 图层: {self.layer}",
            f"Indicators 指标: {', '.join(self.indicators) or '(none)'}",
            f"Matched 已匹配: {len(self.matched)} feature(s)"
            + (
                f": {', '.join(f'{k} {self.names.get(k) or district_name(k)}' for k in self.matched)}"
                if self.matched
                else ""
            ),
        ]
        if self.unmatched_table:
            lines.append(f"Unmatched table keys 表中未匹配: {len(self.unmatched_table)}")
            for u in self.unmatched_table:
                rows = ", ".join(str(r) for r in u.rows)
                hint = f"; did you mean {' / '.join(u.suggestions)}?" if u.suggestions else ""
                lines.append(f"  - row {rows}: {u.key!r}: {u.reason}{hint}")
        else:
            lines.append("Unmatched table keys 表中未匹配: none")
        if self.unmatched_layer:
            names = ", ".join(f"{k} {n}".strip() for k, n in self.unmatched_layer)
            lines.append(
                f"Layer features without data 图层无数据: {len(self.unmatched_layer)}: {names}"
            )
        else:
            lines.append("Layer features without data 图层无数据: none")
        if self.no_data:
            lines.append(f"Empty cells 空值 (shown as no data): {self.no_data}")
        if self.text_columns:
            lines.append(f"Text columns kept as attributes 文本列: {', '.join(self.text_columns)}")
        for title, items in (
            ("Duplicates 重复", self.duplicates),
            ("Mixed units 单位不一致", self.mixed_units),
            ("Non-numeric values 非数值", self.non_numeric),
        ):
            if items:
                lines.append(f"{title}: {len(items)}")
                lines += [f"  - {p}" for p in items]
        lines.append(
            "Result: OK" if not self.problems else f"Result: {len(self.problems)} problem(s)"
        )
        return "\n".join(lines)

    def raise_for_problems(self) -> None:
        """Raise :class:`ValidationError` listing every problem, if there is any."""
        if self.problems:
            raise ValidationError(
                f"{self.table}: {len(self.problems)} problem(s); nothing was written:",
                self.problems,
            )


def _fold(text: str) -> str:
    return re.sub(r"[\s'’`\-_.()（）]", "", str(text).strip().lower())


def _layer_lookup(layer: Any, layer_key: str) -> tuple[dict[str, str], dict[str, str]]:
    """folded label -> layer key, and layer key -> display name."""
    lookup: dict[str, str] = {}
    names: dict[str, str] = {}
    name_cols = [c for c in ("name_zh", "name_en", "name", "title") if c in layer.columns]
    for _, r in layer.iterrows():
        k = str(r[layer_key])
        names[k] = str(r[name_cols[0]]) if name_cols else ""
        lookup[_fold(k)] = k
        for c in name_cols:
            if isinstance(r[c], str) and r[c]:
                lookup.setdefault(_fold(r[c]), k)
    return lookup, names


def join_table(
    layer: gpd.GeoDataFrame,
    table: pd.DataFrame,
    *,
    layer_key: str | None = None,
    layer_name: str = "layer",
) -> tuple[gpd.GeoDataFrame, JoinReport]:
    """Join a long-form table (:func:`long_form`) to ``layer``; inputs are not modified.

    The joined frame keeps every layer feature and adds one float column per indicator
    (``indicator`` or ``indicator year`` when a table holds several years), NaN where the
    table has no value; ``attrs["indicators"]`` maps each column to its unit, year and
    source. With problems in the report the frame is still returned for inspection;
    call :meth:`JoinReport.raise_for_problems` before writing anything.
    """
    src = str(table.attrs.get("source", "table"))
    key_col = str(table.attrs.get("key_column", "key"))
    if layer_key is None:
        layer_key = "adcode" if "adcode" in layer.columns else None
        if layer_key is None:
            layer_key = next((c for c in ("id", "key") if c in layer.columns), None)
    if layer_key is None or layer_key not in layer.columns:
        raise InputError(
            f"{layer_name}: no key field {layer_key!r}; its fields are "
            f"{', '.join(c for c in layer.columns if c != 'geometry')}; pass --layer-key"
        )
    # a district layer joins through match_district whichever of its fields was named
    district_mode = "adcode" in layer.columns and layer_key in ("adcode", "name_zh", "name_en")
    if district_mode:
        layer_key = "adcode"
    lookup, names = _layer_lookup(layer, layer_key)
    layer_keys = list(names)

    # 1. match keys (each distinct written key once)
    resolved: dict[str, str | None] = {}
    unmatched: dict[str, Unmatched] = {}
    for raw, rows in table.groupby("key", sort=False)["row"]:
        raw_s = str(raw)
        rows_l = sorted({int(x) for x in rows})
        code: str | None = None
        reason = "matches no feature of the layer"
        sugg: list[str] = []
        if raw_s.strip() == "":
            reason = "empty key"
        elif district_mode:
            # 东湖高新 / 武汉经开 (the census bulletin's short forms) are zone names without 区
            # 湖北省武汉市江汉区, 420106.0 (an adcode a tool wrote as a float)
            t = re.sub(r"^(\d{6})\.0+$", r"\1", re.sub(r"^湖北省\s*", "", raw_s.strip()))
            m = match_district(t) or match_district(t + "区")
            if m is not None and m in names:
                code = m
            elif m is not None and m.startswith("fz_"):
                reason = (
                    f"functional zone {district_name(m)}, not a district: it has no polygon in "
                    "this layer (kept apart, never merged into a district)"
                )
            elif m == CITY_ADCODE or _fold(raw_s) in TOTAL_LABELS:
                reason = "the whole city or a total row (武汉市/合计), not a district"
            else:
                sugg = suggest_district(raw_s)
        else:
            code = lookup.get(_fold(raw_s))
            if code is None:
                sugg = difflib.get_close_matches(
                    raw_s, layer_keys + [n for n in names.values() if n], n=3, cutoff=0.5
                )
        resolved[raw_s] = code
        if code is None:
            unmatched[raw_s] = Unmatched(raw_s, rows_l, reason, sugg)

    t = table.copy()
    t["_code"] = t["key"].astype(str).map(resolved)

    # 2. parse values; report text in numeric columns
    non_numeric: list[str] = []
    values: list[float] = []
    bounds: list[str] = []
    no_data = 0
    for r in t.itertuples(index=False):
        text = str(r.value_text).strip()
        if text.endswith(("%", "％")) and str(r.unit).strip() in ("%", "％"):
            text = text[:-1]  # 5.1% under 增速(%): a percent cell of Excel
        try:
            v, b = parse_bound(text)
        except ValueError:
            non_numeric.append(
                f"{src}: row {r.row}, column {r.column!r}: {r.value_text!r} is not a number; "
                "write the number only (the unit goes in the unit column or the header, "
                "e.g. GDP(亿元)); leave the cell empty for no data"
            )
            v, b = math.nan, ""
        else:
            if math.isnan(v):
                no_data += 1
        values.append(v)
        bounds.append(b)
    t["_value"] = values
    t["_bound"] = bounds

    # 3. mixed units per indicator
    mixed: list[str] = []
    for ind, g in t[t["value_text"].str.strip() != ""].groupby("indicator", sort=False):
        units = {u: sorted(g.loc[g["unit"] == u, "row"].astype(int)) for u in g["unit"].unique()}
        if len(units) > 1:
            desc = "; ".join(f"{u or '(none)'} in row(s) {_rows(rs)}" for u, rs in units.items())
            col = g["column"].iloc[0]
            mixed.append(
                f"{src}: indicator {ind!r} (column {col!r}) has mixed units: {desc}; "
                "convert to one unit"
            )

    # 4. duplicates: two rows giving the same indicator and year for one feature
    multi_year = t.groupby("indicator")["year"].nunique() > 1
    t["_col"] = [
        f"{i} {y}" if multi_year.get(i, False) and y else str(i)
        for i, y in zip(t["indicator"], t["year"])
    ]
    dups: list[str] = []
    m = t[t["_code"].notna()]
    for (code, col), g in m.groupby(["_code", "_col"], sort=False):
        if len(g) > 1:
            written = " / ".join(dict.fromkeys(g["key"].astype(str)))
            dups.append(
                f"{src}: rows {_rows(sorted(g['row'].astype(int)))} (column {g['column'].iloc[0]!r}) "
                f"all give {col!r} for {code} {names.get(str(code)) or district_name(str(code))} "
                f"(written {written}); "
                "keep one row per key"
            )

    # 5. pivot to one column per indicator and join
    wide = m.drop_duplicates(["_code", "_col"]).pivot(
        index="_code", columns="_col", values="_value"
    )
    joined = layer.copy()
    keys = joined[layer_key].astype(str)
    meta: dict[str, dict[str, str]] = {}
    for col in dict.fromkeys(t["_col"]):
        g = t[t["_col"] == col]
        unit_list = [str(u) for u in g["unit"].unique() if u]
        years = [str(y) for y in g["year"].unique() if y]
        sources = [str(x) for x in g["source"].unique() if x]
        meta[col] = {
            "unit": unit_list[0] if len(unit_list) == 1 else "",
            "year": "、".join(years),
            "source": "; ".join(sources),
        }
        joined[col] = keys.map(wide[col]).astype(float) if col in wide.columns else math.nan
        bnd = m[(m["_col"] == col) & (m["_bound"] != "")]
        if not bnd.empty:
            joined[f"{col} bound"] = keys.map(bnd.set_index("_code")["_bound"]).fillna("")
    text_cols = list(table.attrs.get("text_columns", []))
    for c, by_key in (table.attrs.get("text_values") or {}).items():
        by_code: dict[str, str] = {}
        for raw, v in by_key.items():
            code = resolved.get(raw)
            if code is not None:
                by_code.setdefault(code, v)
        if c not in joined.columns:
            joined[c] = keys.map(by_code).fillna("")
    joined.attrs["indicators"] = meta
    matched = sorted({str(c) for c in m["_code"]})
    report = JoinReport(
        table=src,
        layer=layer_name,
        form=str(table.attrs.get("form", "long")),
        key_column=key_col,
        rows=int(t["row"].nunique()),
        indicators=list(meta),
        matched=matched,
        unmatched_table=list(unmatched.values()),
        unmatched_layer=[(k, names[k]) for k in layer_keys if k not in set(matched)],
        duplicates=dups,
        non_numeric=non_numeric,
        mixed_units=mixed,
        no_data=no_data,
        text_columns=text_cols,
        names=dict(names),
    )
    return joined, report


def _rows(rows: list[int]) -> str:
    return ", ".join(str(r) for r in rows)
