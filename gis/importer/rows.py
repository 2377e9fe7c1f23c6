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
from ..layers import import_source
from .arrow_rows import arrow_attributes
from .cells import text_of
from .report import ImportReport

if TYPE_CHECKING:
    import pandas as pd


def file_sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


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

    file_source = import_source(p.name, file_sha(p))
    n = len(attrs)
    fast = arrow_attributes(attrs, cols, n, file_source)
    if fast is not None:  # every row passes: done by Arrow, column by column (issue 13)
        return fast  # type: ignore[no-any-return]

    def texts(fld: str) -> list[str]:
        """The stripped text of each cell of the field's column ("" without a column)."""
        if not cols[fld]:
            return [""] * n
        values = attrs[cols[fld]].tolist()
        if set(map(type, values)) <= {str}:  # text cells (every table's): at C speed
            return list(map(str.strip, values))
        return [v.strip() if type(v) is str else text_of(v) for v in values]

    # column by column (issue 13); the rejects are sorted back into the order in which a
    # row-by-row pass made them: by row, then by field as listed here
    pending: list[tuple[int, int, str, str]] = []
    out_cols: dict[str, list[str]] = {k: [""] * n for k in PLAN_FIELDS}
    for fld in ("id", "name_zh", "name_en", "note"):
        out_cols[fld] = texts(fld)
    ids = out_cols["id"]
    if not cols["id"]:
        out_cols["id"] = ids = [f"{info.id}_{row_no[i]:03d}" for i in range(n)]
    else:
        for i in (i for i, t in enumerate(ids) if not t):
            pending.append((i, 0, str(cols["id"]), "empty id; give every row a unique id"))
    for i in (i for i, t in enumerate(out_cols["name_zh"]) if not t):
        pending.append((i, 1, str(cols["name_zh"]), "empty name; give the feature its name"))

    def checked(fld: str, order: int, out_fld: str, check: Any, skip_blank: bool) -> None:
        """``check`` of each distinct text of the column; an InputError rejects the row."""
        raw = texts(fld)
        seen: dict[str, tuple[bool, str]] = {}
        for t in dict.fromkeys(raw):
            if skip_blank and not t:
                continue
            try:
                seen[t] = (True, check(t))
            except InputError as exc:
                seen[t] = (False, str(exc))
        vals = out_cols[out_fld]
        if all(ok for ok, _ in seen.values()) and len(seen) == len(dict.fromkeys(raw)):
            # every text checked and valid (the usual case): the values at once
            out_cols[out_fld] = [seen[t][1] for t in raw]
            return
        for i, t in enumerate(raw):
            if t not in seen:
                continue
            ok, v = seen[t]
            if ok:
                vals[i] = v
            else:
                pending.append((i, order, str(cols[fld]), v))

    if cols["domains"]:
        checked("domains", 2, "domains", lambda t: join_domains(normalize_domains(t)), False)
    if cols["level"]:
        checked("level", 3, "level", normalize_level, False)
    if cols["district"]:
        fld = str(cols["district"])
        raw = texts("district")
        codes = {t: match_district(t) if t else "" for t in dict.fromkeys(raw)}
        dist = out_cols["district"]
        if all(c is not None and c != CITY_ADCODE for c in codes.values()):
            out_cols["district"] = dist = [codes[t] or "" for t in raw]  # all known: at once
            raw = []
        for i, t in enumerate(raw):
            code = codes[t]
            if code is None:
                near = suggest_district(t)
                hint = f"; did you mean {' / '.join(near)}?" if near else ""
                pending.append(
                    (
                        i,
                        4,
                        fld,
                        f"unknown district {t!r}{hint} Use a district name (武昌 / 武昌区 / "
                        "Wuchang) or its adcode (420106)",
                    )
                )
            elif code == CITY_ADCODE:
                pending.append(
                    (i, 4, fld, f"{t!r} is the whole city; name the district the feature lies in")
                )
            else:
                dist[i] = code or ""
    row_sources = texts("source")
    sources = {t: file_source + (f"; {t}" if t else "") for t in dict.fromkeys(row_sources)}
    out_cols["source"] = list(map(sources.__getitem__, row_sources))
    if cols["precision"]:
        checked("precision", 5, "precision", normalize_precision, True)
    for i, _, fld, reason in sorted(pending, key=lambda r: (r[0], r[1])):
        reject(i, fld, reason)
    if not cols["id"]:
        report.warnings.append(
            f"{p}: no id column (id / 编号), or an empty one; ids made from the row or "
            f"feature numbers ({ids[0] if n else info.id} …): "
            "they change if the rows are reordered, so add an id column"
        )
    # object columns: the checks after this read every cell (Arrow-backed text: slowly)
    out = pd.DataFrame(out_cols, columns=list(PLAN_FIELDS), dtype=object)
    # duplicate ids: every row involved is rejected, naming the others
    seen: dict[str, list[int]] = {}
    filled = [k for k in ids if k]
    for i, k in enumerate(ids) if len(set(filled)) < len(filled) else ():  # only if any twice
        if k:
            seen.setdefault(k, []).append(i)
    for k, rows in seen.items():
        if len(rows) > 1:
            for i in rows:
                others = ", ".join(str(row_no[j]) for j in rows if j != i)
                reject(i, str(cols["id"] or "id"), f"duplicate id {k!r} (also in {others})")
    return out
