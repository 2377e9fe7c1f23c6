"""The attributes of each imported row checked against the plan-layer schema
(:mod:`gis.layer_schema`): ids, names, domains, levels, districts, sources, precision."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..catalog import LayerInfo
from ..districts import CITY_ADCODE, match_district, suggest_district
from ..errors import InputError
from ..layer_schema import (
    PLAN_FIELDS,
    join_domains,
    normalize_domains,
    normalize_level,
    normalize_precision,
)
from .cells import text_of
from .report import ImportReport

if TYPE_CHECKING:
    import pandas as pd


def file_sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def _memo(f: Any) -> Any:
    """``f`` remembered per argument, its InputError included (raised again each time)."""
    seen: dict[str, Any] = {}

    def g(text: str) -> Any:
        if text not in seen:
            try:
                seen[text] = (True, f(text))
            except InputError as exc:
                seen[text] = (False, exc)
        ok, value = seen[text]
        if not ok:
            raise value
        return value

    return g


def attributes(
    attrs: Any,
    cols: dict[str, str | None],
    info: LayerInfo,
    p: Path,
    report: ImportReport,
    reject: Any,
    problems: Any,
    row_no: list[int],
) -> pd.DataFrame:
    import pandas as pd

    file_source = f"{p.name} (sha256:{file_sha(p)})"
    records = []
    # lists repeat their domains, levels and districts: each distinct text checked once
    domains_of = _memo(lambda t: join_domains(normalize_domains(t)))
    level_of = _memo(normalize_level)
    district_of = _memo(match_district)
    names = list(attrs.columns)  # a plain list: the Index hands out names slowly
    for i, row in enumerate(attrs.itertuples(index=False)):
        d = dict(zip(names, row))
        rec = {k: "" for k in PLAN_FIELDS}
        for fld in ("id", "name_zh", "name_en", "note"):
            if cols[fld]:
                rec[fld] = text_of(d[cols[fld]])
        if not cols["id"]:
            rec["id"] = f"{info.id}_{row_no[i]:03d}"
        elif not rec["id"]:
            reject(i, str(cols["id"]), "empty id; give every row a unique id")
        if not rec["name_zh"]:
            reject(i, str(cols["name_zh"]), "empty name; give the feature its name")
        if cols["domains"]:
            try:
                rec["domains"] = domains_of(text_of(d[cols["domains"]]))
            except InputError as exc:
                reject(i, str(cols["domains"]), str(exc))
        if cols["level"]:
            try:
                rec["level"] = level_of(text_of(d[cols["level"]]))
            except InputError as exc:
                reject(i, str(cols["level"]), str(exc))
        if cols["district"]:
            raw = text_of(d[cols["district"]])
            code = district_of(raw) if raw else ""
            if code is None:
                near = suggest_district(raw)
                hint = f"; did you mean {' / '.join(near)}?" if near else ""
                reject(
                    i,
                    str(cols["district"]),
                    f"unknown district {raw!r}{hint} Use a district name (武昌 / 武昌区 / "
                    "Wuchang) or its adcode (420106)",
                )
            elif code == CITY_ADCODE:
                reject(
                    i,
                    str(cols["district"]),
                    f"{raw!r} is the whole city; name the district the feature lies in",
                )
            else:
                rec["district"] = code or ""
        row_source = text_of(d[cols["source"]]) if cols["source"] else ""
        rec["source"] = file_source + (f"; {row_source}" if row_source else "")
        if cols["precision"]:
            raw_p = text_of(d[cols["precision"]])
            if raw_p:
                try:
                    rec["precision"] = normalize_precision(raw_p)
                except InputError as exc:
                    reject(i, str(cols["precision"]), str(exc))
        records.append(rec)
    if not cols["id"]:
        report.warnings.append(
            f"{p}: no id column (id / 编号), or an empty one; ids made from the row or "
            f"feature numbers ({records[0]['id'] if records else info.id} …): "
            "they change if the rows are reordered, so add an id column"
        )
    # object columns: the checks after this read every cell (Arrow-backed text: slowly)
    out = pd.DataFrame(records, columns=list(PLAN_FIELDS), dtype=object)
    # duplicate ids: every row involved is rejected, naming the others
    seen: dict[str, list[int]] = {}
    for i, k in enumerate(out["id"]):
        if k:
            seen.setdefault(k, []).append(i)
    for k, rows in seen.items():
        if len(rows) > 1:
            for i in rows:
                others = ", ".join(str(row_no[j]) for j in rows if j != i)
                reject(i, str(cols["id"] or "id"), f"duplicate id {k!r} (also in {others})")
    return out
