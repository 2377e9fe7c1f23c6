"""Fast path for big registers (millions of rows of 规上企业 with coordinates) in CSV.

The rules are the table reader's (:mod:`gis.readers.tables`): the delimiter is sniffed
(comma, semicolon, tab), title rows above the header are skipped
(:func:`~gis.readers.tables.header_index`), header names are stripped, and
``sheet_row(index)`` of a data row is the row a spreadsheet shows. The fast path reads
UTF-8 (with or without BOM); other encodings (GBK/GB18030, UTF-16), whose files the table
reader checks row by row for pasted rows of another encoding, go to the table reader. What differs is the
parser: pyarrow's multithreaded CSV reader, only the columns the caller asks for, text kept
in Arrow (``pd.ArrowDtype``) so that numbers are converted by ``pyarrow.compute.cast``
(bit-identical to Python's ``float``) instead of a Python object per cell.

Only well-formed files take the fast path. Anything the table reader handles specially —
a blank line (it keeps row numbers), a row with more or fewer cells than the header, a
quoted line break, a duplicated header name, UTF-16, bytes that are not UTF-8 after a UTF-8
start — makes the fast parser stop, and the file is read by
:func:`gis.readers.tables.read_table`,
which pads, names the bad rows or refuses with its own messages.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "r.csv"
>>> _ = p.write_text("2023年规上企业名录,,\\n名称 , 经度,纬度\\n甲,114.3,30.6\\n", encoding="utf-8")
>>> df = read_csv_register(p)
>>> list(df.columns), df.index.tolist(), df.attrs["header_row"]
(['名称', '经度', '纬度'], [1], 2)
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InputError, LayerNotFoundError, ValidationError
from .tables import header_index, read_table, sheet_row

#: Bytes read to find the encoding, the delimiter and the header.
HEAD_BYTES = 1 << 16
#: Bytes per block of pyarrow's parser (a block per thread at a time).
BLOCK_BYTES = 1 << 24

Columns = Callable[[list[str]], Iterable[str]]
#: Control characters no typed cell holds (as :mod:`gis.readers.tables` refuses them).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def read_csv_register(path: str | Path, *, columns: Columns | None = None) -> pd.DataFrame:
    """A CSV register as text columns (``pd.ArrowDtype(pa.string())`` on the fast path).

    ``columns`` receives the header names (stripped) and returns the ones to read; the
    others are skipped by the parser. ``attrs`` carry ``source``, ``encoding``,
    ``header_row`` and ``header`` (every header name, also the unread ones).
    """
    p = Path(path)
    if not p.exists():
        raise LayerNotFoundError(f"{p}: file not found")
    with p.open("rb") as fh:
        head = fh.read(HEAD_BYTES)
    if not head.strip():
        raise InputError(f"{p}: the file is empty")
    fast = _fast(p, head, columns)
    if fast is not None:
        return fast
    df = read_table(p)
    df.attrs["header"] = list(df.columns)
    if columns is not None:
        df = df[list(dict.fromkeys(columns(list(df.columns))))]
    return df


def _fast(p: Path, head: bytes, columns: Columns | None) -> pd.DataFrame | None:
    """The register read by pyarrow, or None where the table reader must decide."""
    try:
        import pyarrow as pa
        import pyarrow.csv as pcsv
    except ImportError:  # pragma: no cover - pyarrow is a dependency
        return None
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return None  # UTF-16 (Excel's "Unicode 文本"): the table reader
    complete = head if len(head) < HEAD_BYTES else head[: head.rfind(b"\n") + 1]
    enc = "utf-8-sig"
    try:
        text = complete.decode(enc)
    except UnicodeDecodeError:
        return None  # GBK/GB18030 or mixed: the table reader's checks
    if not text:
        return None
    try:
        sep = csv.Sniffer().sniff(text[:4096], delimiters=",;\t").delimiter
    except csv.Error:
        sep = ","
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
    except csv.Error:
        return None
    if not records:
        return None
    h = header_index(records)
    if any("\n" in c or "\r" in c for rec in records[: h + 1] for c in rec):
        return None
    raw = records[h]
    names = [c.strip().lstrip("\ufeff").strip() for c in raw]
    width = len(names)
    while width and not names[width - 1]:
        width -= 1
    header = names[:width]
    if not header or len(set(header)) < len(header) or "" in header:
        return None
    wanted = list(dict.fromkeys(columns(header))) if columns is not None else header
    # trailing empty header cells (a trailing delimiter) get names no one can ask for
    names = header + [f"\0{i}" for i in range(width, len(names))]
    try:
        table = pcsv.read_csv(
            p,
            read_options=pcsv.ReadOptions(
                skip_rows=h + 1,
                column_names=names,
                encoding="utf8",
                block_size=BLOCK_BYTES,
            ),
            parse_options=pcsv.ParseOptions(delimiter=sep, ignore_empty_lines=False),
            convert_options=pcsv.ConvertOptions(
                column_types={n: pa.string() for n in wanted},
                include_columns=wanted,
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError, LookupError):
        return None
    if table.num_rows == 0:
        raise InputError(f"{p}: the table has a header but no data rows")
    if table.num_columns and _blank_rows(table):
        return None  # blank lines: the table reader drops them and keeps the row numbers
    df = table.to_pandas(types_mapper=pd.ArrowDtype, self_destruct=True)
    df.index = pd.RangeIndex(h, h + len(df))
    df.attrs.update(
        {
            "source": str(p),
            "encoding": "utf-8",
            "header_row": h + 1,
            "header": header,
        }
    )
    return df


def _blank_rows(table: Any) -> bool:
    """Whether a row of ``table`` is empty in every column read (pyarrow reads a blank line
    as such a row)."""
    import pyarrow.compute as pc

    blank = None
    for col in table.columns:
        empty = pc.equal(pc.utf8_length(col), 0)
        blank = empty if blank is None else pc.and_(blank, empty)
    return bool(pc.any(blank).as_py())


def arrow_floats(col: pd.Series[Any], *, blanks: bool) -> Any:
    """float64 values of an Arrow-backed text column by ``pyarrow.compute.cast`` (exactly
    Python's ``float`` of each text), or None when any cell is not a finite plain number
    (the caller's general path then names the rows). With ``blanks``, empty cells are NaN.
    """
    import numpy as np

    if not isinstance(col.dtype, pd.ArrowDtype):
        return None
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = col.array.__arrow_array__()
    if not pa.types.is_string(arr.type) and not pa.types.is_large_string(arr.type):
        return None
    try:
        vals = pc.cast(arr, pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        if not blanks:
            return None
        try:  # blank cells (allowed here) as nulls: a copy of the column, so only now
            vals = pc.cast(
                pc.if_else(pc.equal(arr, ""), pa.scalar(None, arr.type), arr), pa.float64()
            )
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return None
    out = vals.to_numpy()  # nulls (blank cells) become NaN
    finite = np.isfinite(out)
    if not finite.all():
        if not blanks or not (finite | pc.is_null(vals).to_numpy()).all():
            return None
    return np.ascontiguousarray(out, dtype=np.float64)


def arrow_codes(col: pd.Series[Any], blank: str) -> tuple[Any, Any] | None:
    """``pd.factorize`` of an Arrow-backed text column (empty cells as ``blank``) done by
    Arrow: codes in order of first appearance and the distinct values; None otherwise."""
    import numpy as np

    if not isinstance(col.dtype, pd.ArrowDtype):
        return None
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = col.array.__arrow_array__()
    if not pa.types.is_string(arr.type) or arr.null_count:
        return None
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks != 1 else arr.chunk(0)
    enc = arr.dictionary_encode()  # codes in order of first appearance, as pd.factorize
    words = enc.dictionary.to_pylist()
    bad = [i for i, w in enumerate(words) if _CONTROL.search(w)]
    if bad:  # as the table reader: control characters are no typed text
        hits = np.flatnonzero(np.isin(enc.indices.to_numpy(zero_copy_only=False), bad))
        listed = [
            f"row {sheet_row(int(col.index[i]))}, column {col.name}: {words[codes_i]!r}"
            for i, codes_i in zip(hits[:10], enc.indices.to_numpy(zero_copy_only=False)[hits[:10]])
        ]
        raise ValidationError(
            f"{col.attrs.get('source', 'register')}: cells hold control characters (NUL, "
            "backspace …) that no typed text has: is this the right file? Retype these cells "
            "or save the sheet again from Excel:",
            listed,
        )
    if "" in words:
        if blank in words:  # both: they become one value, as after str.replace
            return arrow_codes(
                pd.Series(
                    pd.arrays.ArrowExtensionArray(
                        pc.if_else(pc.equal(arr, ""), pa.scalar(blank, arr.type), arr)
                    )
                ),
                blank,
            )
        words[words.index("")] = blank
    codes = enc.indices.to_numpy(zero_copy_only=False).astype(np.intp)
    return codes, np.asarray(words, dtype=object)
