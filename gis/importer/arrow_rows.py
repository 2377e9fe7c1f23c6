"""The attribute checks of :mod:`.rows` done by Arrow for a table whose every row passes them
(issue 13): each column is checked once per distinct text and the results are mapped back
at once, the texts staying in Arrow. Anything else (a rejected row, a cell with spaces
Python would strip, a column that is not Arrow text) returns None, and :func:`.rows.attributes`
does the work row by row with its messages."""

from __future__ import annotations

from typing import Any

from ..districts import CITY_ADCODE, match_district
from ..errors import InputError
from ..layer_schema import (
    PLAN_FIELDS,
    join_domains,
    normalize_domains,
    normalize_level,
    normalize_precision,
)

#: Every character Python's ``str.strip()`` removes (``str.isspace``; a test checks the list).
PY_SPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_SPACE_CLASS = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in PY_SPACE) + "]"
#: A text Python's ``strip()`` would change (for Arrow's RE2).
_STRIPPABLE = f"^{_SPACE_CLASS}|{_SPACE_CLASS}$"


def arrow_texts(col: Any) -> Any:
    """The column as one Arrow text array when it is Arrow text without missing cells and
    no cell has spaces at either end (so ``str.strip`` of each cell is the cell); else None."""
    import pandas as pd

    try:
        import pyarrow as pa
        import pyarrow.compute as pc
    except ImportError:  # pragma: no cover - pyarrow is a dependency
        return None
    if not isinstance(col.dtype, pd.StringDtype):
        return None
    arr = pa.array(col.array)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if not pa.types.is_string(arr.type) and not pa.types.is_large_string(arr.type):
        return None
    if arr.null_count or pc.any(pc.match_substring_regex(arr, _STRIPPABLE)).as_py():
        return None
    return arr


def _mapped(arr: Any, check: Any) -> Any:
    """``check`` of each distinct text, mapped back onto the rows; None if any is refused."""
    import pyarrow as pa

    enc = arr.dictionary_encode()
    try:
        words = [check(t) for t in enc.dictionary.to_pylist()]
    except InputError:
        return None
    if any(w is None for w in words):
        return None
    return pa.array(words, pa.string()).take(enc.indices)


def arrow_attributes(attrs: Any, cols: dict[str, str | None], n: int, file_source: str) -> Any:
    """The frame :func:`.rows.attributes` makes, made by Arrow, when every row passes: ids
    given, filled and distinct, names filled, domains, levels, districts and precision
    known; None otherwise (the caller then checks row by row and names the rows)."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    if not cols["id"] or not n:
        return None  # ids made from the row numbers, with a warning: the general path
    texts: dict[str, Any] = {}
    for fld in ("id", "name_zh", "name_en", "domains", "district", "level", "source"):
        if cols[fld]:
            arr = arrow_texts(attrs[cols[fld]])
            if arr is None:
                return None
            texts[fld] = arr
    for fld in ("note", "precision"):
        if cols[fld]:
            arr = arrow_texts(attrs[cols[fld]])
            if arr is None:
                return None
            texts[fld] = arr
    ids, names = texts["id"], texts.get("name_zh")
    if names is None or pc.any(pc.equal(ids, "")).as_py() or pc.any(pc.equal(names, "")).as_py():
        return None
    if pc.count_distinct(ids).as_py() != n:
        return None  # a duplicate id: named row by row
    blank = pa.repeat(pa.scalar("", pa.string()), n)
    out: dict[str, Any] = {k: blank for k in PLAN_FIELDS}
    for fld in ("id", "name_zh", "name_en", "note"):
        if fld in texts:
            out[fld] = texts[fld]
    checks = {
        "domains": lambda t: join_domains(normalize_domains(t)),
        "level": normalize_level,
        "precision": lambda t: normalize_precision(t) if t else "",  # blank: left empty
        "district": _district_code,
        "source": lambda t: file_source + (f"; {t}" if t else ""),
    }
    for fld, check in checks.items():
        if fld in texts:
            out[fld] = _mapped(texts[fld], check)
            if out[fld] is None:
                return None
    if "source" not in texts:
        out["source"] = pa.repeat(pa.scalar(file_source, pa.string()), n)
    return pd.DataFrame({k: out[k].to_pandas() for k in PLAN_FIELDS}, columns=list(PLAN_FIELDS))


def _district_code(text: str) -> str | None:
    """The adcode of a district cell ('' for a blank one); None when it is refused."""
    if not text:
        return ""
    code = match_district(text)
    return None if code is None or code == CITY_ADCODE else code or ""
