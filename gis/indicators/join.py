"""Joining an indicator table (long form, :mod:`.table`) to a layer: the one join behind
``clustermap join`` and a map spec's ``join =``.

:func:`join_table` matches the table's keys to the layer's features: on a district
layer through :func:`gis.districts.match_district` (武昌 / 武昌区 / Wuchang / 420106 all
give 420106; functional zones such as 东湖高新区 stay distinct and are reported, never
merged into a district), on any other layer by id or name. It returns the joined frame
(every layer feature kept, one column per indicator) and a :class:`JoinReport`:
matched keys, unmatched keys on each side with near-miss suggestions, duplicates,
non-numeric values and mixed units. No table row is dropped without being reported.

>>> import pandas as pd
>>> from gis.layers import read_layer
>>> from gis.indicators import long_form
>>> t = pd.DataFrame({"区": ["武昌", "Jianghan", "光谷"], "GDP(亿元)": ["1772.02", "", "3200"]})
>>> t.attrs["source"] = "example.csv"
>>> joined, report = join_table(read_layer("districts"), long_form(t))
>>> report.matched
['420103', '420106']
>>> [u.key for u in report.unmatched_table]
['光谷']
>>> float(joined.set_index("adcode").loc["420106", "GDP"])
1772.02
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..districts import CITY_ADCODE, district_name, match_district, suggest_district
from ..errors import InputError, ValidationError
from ..names import fold
from .table import TOTAL_LABELS, read_indicator_table
from .targets import parse_bound

if TYPE_CHECKING:
    import geopandas as gpd


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
    #: columns asked for (spec ``join.columns``) that the table does not hold
    unknown_columns: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        nothing = []
        if not self.matched and self.rows:
            nothing = [
                f"{self.table}: none of the {self.rows} row(s) matched a feature of layer "
                f"{self.layer!r} (key column {self.key_column!r}); check the layer, or name "
                "the key columns with --key and --layer-key"
            ]
        return (
            nothing + self.unknown_columns + self.duplicates + self.mixed_units + self.non_numeric
        )

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


def _layer_lookup(layer: Any, layer_key: str) -> tuple[dict[str, str], dict[str, str]]:
    """folded label -> layer key, and layer key -> display name."""
    lookup: dict[str, str] = {}
    names: dict[str, str] = {}
    name_cols = [c for c in ("name_zh", "name_en", "name", "title") if c in layer.columns]
    for _, r in layer.iterrows():
        k = str(r[layer_key])
        names[k] = str(r[name_cols[0]]) if name_cols else ""
        lookup[fold(k)] = k
        for c in name_cols:
            if isinstance(r[c], str) and r[c]:
                lookup.setdefault(fold(r[c]), k)
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
            m = match_district(raw_s)
            if m is not None and m in names:
                code = m
            elif m is not None and m.startswith("fz_"):
                reason = (
                    f"functional zone {district_name(m)}, not a district: it has no polygon in "
                    "this layer (kept apart, never merged into a district)"
                )
            elif m == CITY_ADCODE or fold(raw_s) in TOTAL_LABELS:
                reason = "the whole city or a total row (武汉市/合计), not a district"
            else:
                sugg = suggest_district(raw_s)
        else:
            code = lookup.get(fold(raw_s))
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


def join_file(
    layer: gpd.GeoDataFrame,
    table: str | Path,
    *,
    key: str | None = None,
    layer_key: str | None = None,
    sheet: str | int | None = None,
    columns: tuple[str, ...] = (),
    layer_name: str = "layer",
) -> tuple[gpd.GeoDataFrame, JoinReport]:
    """Read a CSV/Excel indicator table and join it to ``layer``: the join of
    ``clustermap join`` and of a map spec's ``join =`` (same matching, same report).

    ``key``: the table's key column (default: detected); ``layer_key``: the layer's
    (default: adcode or id); ``columns``: keep only these indicators or text columns
    (named as in the table's header, ``GDP(亿元)``, or as joined, ``GDP``).
    """
    long = read_indicator_table(table, key=key, sheet=sheet)
    joined, report = join_table(layer, long, layer_key=layer_key, layer_name=layer_name)
    if columns:
        joined = _select(joined, long, layer, columns, report)
    return joined, report


def _select(
    joined: Any, long: pd.DataFrame, layer: Any, columns: tuple[str, ...], report: JoinReport
) -> Any:
    """``joined`` with the layer's own columns and only the asked-for joined ones."""
    added = [c for c in joined.columns if c not in layer.columns]
    by_header = dict(zip(long["column"].astype(str), long["indicator"].astype(str)))
    keep: list[str] = []
    for c in columns:
        name = c if c in added else by_header.get(c, c)
        hits = [a for a in added if a == name or a.startswith(f"{name} ")]
        if not hits:
            report.unknown_columns.append(
                f"{report.table}: column {c!r} asked for is not in the table; its columns: "
                f"{', '.join(dict.fromkeys(long['column'].astype(str)))}"
            )
        keep += hits
    out = joined[[c for c in joined.columns if c in layer.columns or c in keep]]
    out.attrs = dict(joined.attrs)
    return out
