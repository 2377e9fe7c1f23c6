"""Reading the tables planners bring: CSV in any Chinese encoding, Excel.

* CSV: UTF-8, UTF-8 with BOM, GBK/GB18030 (tried in that order; the one that
  decodes wins), UTF-16 with BOM (Excel's "Unicode 文本"), delimiter sniffed (comma,
  semicolon, tab).
* Excel ``.xlsx``/``.xlsm`` via openpyxl (first sheet unless ``sheet`` is given),
  ``.xls`` via xlrd when installed.

Every value is read as text (``dtype=str``) so that codes such as 420106 or
leading zeros survive; callers convert the columns they need and report the
rows that fail. :func:`sheet_row` gives the row number a planner sees in the
spreadsheet (header = row 1).

Title rows above the header (a sheet title such as "2023年各区主要指标", often merged
across the columns, or "单位：亿元") are skipped: the header is the first of the top
rows with two or more filled cells. The frame's index stays such that
``sheet_row(index)`` is the row the spreadsheet shows; ``attrs["header_row"]`` is the
header's row number.

>>> sheet_row(0)
2
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import InputError, LayerNotFoundError, ValidationError
from ..names import fold
from .plain_csv import plain_body

EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
#: Rows listed by name in an encoding or formula error (the count says how many more).
MAX_LISTED = 10
#: The longest cell a table may hold: Excel's own limit (32,767 characters).
MAX_CELL_CHARS = 32_767
#: Title rows (at most one filled cell each) skipped above the header, at most.
MAX_TITLE_ROWS = 5


def sheet_row(index: int, header_rows: int = 1) -> int:
    """Spreadsheet row number of the 0-based data row ``index`` (header = row 1)."""
    return int(index) + header_rows + 1


def decode_bytes(raw: bytes, path: str | Path) -> tuple[str, str]:
    r"""Text and encoding name of a CSV file's bytes; a clear error when none fits.

    UTF-8 (with or without BOM), GBK/GB18030, and UTF-16 with a byte-order mark (Excel's
    "Unicode 文本 (*.txt)", tab-separated). A file that mixes encodings (a UTF-8 file with
    a row pasted in GBK, or bytes that are neither) is an error naming each such row and
    column: decoding it as a whole would garble every other row.

    >>> decode_bytes("名称,区\n甲,武昌\n".encode("gbk"), "t.csv")[1]
    'gb18030'
    >>> mixed = "名称,区\n甲,武昌\n".encode() + "乙,江汉\n".encode("gbk")
    >>> try:
    ...     decode_bytes(mixed, "t.csv")
    ... except InputError as exc:
    ...     print(str(exc).splitlines()[1])
      - row 3, column 名称: bytes that are not UTF-8 (as GBK they read '乙,江汉')
    """
    if raw[:2] in (b"\xff\xfe", b"\xfe\xff") and raw[:4] != b"\xff\xfe\x00\x00":  # not UTF-32
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError:
            text = ""
        # any even byte count decodes as UTF-16: text it is only if (nearly) all printable
        odd = sum(1 for ch in text if not (ch.isprintable() or ch.isspace()))
        if text and odd <= len(text) // 1000:
            return text, "utf-16"
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    _refuse_mixed_encodings(raw, path)
    try:
        return raw.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(
            f"{path}: row {line}: cannot decode the file as UTF-8 or GBK/GB18030 (bytes "
            f"{raw[exc.start : exc.start + 4]!r}); save it from Excel as 'CSV UTF-8' "
            "(逗号分隔) and try again"
        ) from None


_CJK = re.compile(r"[\u4e00-\u9fff]")
#: A line holding Chinese and no byte that failed to decode (surrogate-escaped).
_UTF8_CJK_LINE = re.compile(r"^[^\n\udc80-\udcff]*[\u4e00-\u9fff][^\n\udc80-\udcff]*$", re.M)


def _refuse_mixed_encodings(raw: bytes, path: str | Path) -> None:
    """Raise when some rows are UTF-8 Chinese and others are not UTF-8 (GBK, or garbage)."""
    # at once first: a line decodes as UTF-8 exactly when its surrogate-escaped decoding holds
    # no escaped byte, so a file with no such line holding Chinese (a GBK file) is let through
    # without decoding it line by line (issue 13)
    escaped = raw.decode("utf-8", "surrogateescape")
    if _UTF8_CJK_LINE.search(escaped) is None:
        return
    lines = raw.split(b"\n")
    utf8_rows: list[int] = []
    bad_rows: list[int] = []
    for k, line in enumerate(lines):
        try:
            text = line.decode("utf-8-sig" if k == 0 else "utf-8")
        except UnicodeDecodeError:
            bad_rows.append(k)
            continue
        if _CJK.search(text):
            utf8_rows.append(k)
    if not utf8_rows or not bad_rows:
        return
    majority_utf8 = len(utf8_rows) >= len(bad_rows)
    odd = bad_rows if majority_utf8 else utf8_rows
    good = "utf-8" if majority_utf8 else "gb18030"
    texts = [ln.decode(good, errors="replace") for ln in lines]
    try:
        sep = csv.Sniffer().sniff("\n".join(texts[:20])[:4096], delimiters=",;\t").delimiter
    except csv.Error:
        sep = ","
    rows = [next(csv.reader([t], delimiter=sep), []) for t in texts[: MAX_TITLE_ROWS + 1]]
    header = rows[header_index(rows)] if rows else []
    listed = []
    for k in odd[:MAX_LISTED]:
        cells = next(csv.reader([texts[k]], delimiter=sep), [])
        c = next(
            (
                j
                for j, cell in enumerate(cells)
                if ("\ufffd" in cell if majority_utf8 else _CJK.search(cell))
            ),
            0,
        )
        col = header[c].strip() if c < len(header) and header[c].strip() else f"column {c + 1}"
        if majority_utf8:
            try:
                shown = f"as GBK they read {lines[k].decode('gb18030').strip()[:40]!r}"
            except UnicodeDecodeError:
                shown = "nor GBK: damaged bytes"
            listed.append(f"row {k + 1}, column {col}: bytes that are not UTF-8 ({shown})")
        else:
            listed.append(
                f"row {k + 1}, column {col}: UTF-8 text in a GBK file (reads "
                f"{lines[k].decode('utf-8').strip()[:40]!r})"
            )
    more = f" (first {MAX_LISTED} of {len(odd)})" if len(odd) > MAX_LISTED else ""
    main = "UTF-8" if majority_utf8 else "GBK"
    raise ValidationError(
        f"{path}: the file mixes text encodings: most rows are {main}, {len(odd)} row(s) "
        f"are not{more}; read as one encoding these rows would be garbled. Open the file "
        "in Excel, fix these cells and save the whole file as 'CSV UTF-8' (逗号分隔):",
        listed,
    )


def header_index(rows: list[list[Any]]) -> int:
    """0-based index of the header among ``rows``: the first of the top rows with two or
    more filled cells, so that title rows above it (one filled cell at most) are skipped.

    >>> header_index([["2023年各区主要指标", "", ""], ["", "", ""], ["区", "GDP", "人口"]])
    2
    >>> header_index([["名称"], ["甲"]])
    0
    """
    for k, rec in enumerate(rows[: MAX_TITLE_ROWS + 1]):
        if sum(1 for c in rec if _filled(c)) >= 2:
            return k
    return 0


def _filled(v: Any) -> bool:
    if v is None or (isinstance(v, float) and v != v):
        return False
    return bool(str(v).strip())


def read_table(path: str | Path, *, sheet: str | int | None = None) -> pd.DataFrame:
    """Read a CSV or Excel table as text columns, with stripped header names.

    The frame's ``attrs`` carry ``source`` (the path), ``encoding``, ``sheet`` and
    ``header_row`` (the header's spreadsheet row, 1 unless title rows sit above it).
    """
    p = Path(path)
    if not p.exists():
        raise LayerNotFoundError(f"{p}: file not found")
    suffix = p.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        df = _read_excel(p, sheet)
        enc = "excel"
    else:
        raw = p.read_bytes()
        if not raw.strip():
            raise InputError(f"{p}: the file is empty")
        text, enc = decode_bytes(raw, p)
        df = _parse_csv(text, p)
    df.columns = [str(c).strip().lstrip("\ufeff") for c in df.columns]
    attrs = dict(df.attrs)
    # column by column (a row-wise apply took 1.5 s for 10,000 rows)
    df = pd.DataFrame(
        {i: df.iloc[:, i].fillna("").astype(str).str.strip() for i in range(df.shape[1])},
        index=df.index,
    ).set_axis(list(df.columns), axis=1)
    blank = (df == "").all(axis=1) if df.shape[1] else pd.Series(True, index=df.index)
    df = df[~blank] if len(df) else df
    df.attrs.update(attrs)
    _refuse_control_characters(df, p)
    if df.empty:
        sheets = list(df.attrs.get("sheets") or [])
        other = (
            f"; read sheet {df.attrs.get('sheet_name')!r}, the workbook has: "
            f"{', '.join(sheets)} (choose one with --sheet)"
            if len(sheets) > 1
            else ""
        )
        raise InputError(f"{p}: the table has a header but no data rows{other}")
    header_row = int(df.attrs.get("header_row", 1))
    df.attrs.update({"source": str(p), "encoding": enc, "sheet": sheet, "header_row": header_row})
    return df


#: Control characters no typed cell holds (NUL, backspace …; tab and newlines are allowed).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _refuse_control_characters(df: pd.DataFrame, p: Path) -> None:
    """Cells holding control characters (a binary file, or bytes of another encoding) are
    an error naming row and column: they would pass into names and maps invisibly."""
    listed: list[str] = []
    for col in df.columns:
        hits = df[col].str.contains(_CONTROL, regex=True)
        for i in hits[hits].index[: MAX_LISTED - len(listed)]:
            listed.append(f"row {sheet_row(int(i))}, column {col}: {df.at[i, col][:40]!r}")
        if len(listed) >= MAX_LISTED:
            break
    if listed:
        raise ValidationError(
            f"{p}: cells hold control characters (NUL, backspace …) that no typed text has: "
            "is this the right file? Retype these cells or save the sheet again from Excel:",
            listed,
        )


def _parse_csv(text: str, p: Path) -> pd.DataFrame:
    """Rows of a CSV text as a text frame whose index is the 0-based data row *including*
    blank lines, so that :func:`sheet_row` gives the row a spreadsheet shows.

    Title rows above the header are skipped (:func:`header_index`). A row with more cells
    than the header (typically an unquoted comma inside a value) is an error naming every
    such row; a shorter row is padded with empty cells. A quote left open (``"114.3`` with
    no closing quote) swallows the following lines into one cell: an error naming the row.
    """
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        sep = dialect.delimiter
    except csv.Error:
        sep = ","
    fast = _parse_plain(text, sep)
    if fast is not None:
        return fast
    limit = csv.field_size_limit()
    try:
        csv.field_size_limit(max(limit, len(text) + 1))  # long cells are reported below
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
    except csv.Error as exc:
        raise InputError(f"{p}: not a readable CSV table ({exc})") from None
    finally:
        csv.field_size_limit(limit)
    h = header_index(records)
    if not records or not any(c.strip() for c in records[h]):
        raise InputError(f"{p}: the first row must hold the column names")
    header = records[h]
    width = len(header)
    while width and not header[width - 1].strip():
        width -= 1  # trailing empty header cells (a trailing delimiter)
    header = header[:width]
    rows, index, long_rows = [], [], []
    # only a quoted cell can hold a line break, and without quotes no cell is longer than
    # its line: rows of a regular file skip the cell-by-cell checks (issue 13)
    regular = '"' not in text and max(map(len, text.split("\n"))) <= MAX_CELL_CHARS
    body = records[h + 1 :]
    if regular and all(len(rec) == width for rec in body):
        rows, index = body, list(range(h, h + len(body)))
    for i, rec in enumerate(body if not rows else (), start=h):
        if len(rec) == width and regular:
            rows.append(rec)
            index.append(i)
            continue
        for c, cell in enumerate(rec):
            if "\n" in cell and _swallows_rows(cell, sep, width):
                col = header[c] if c < width else f"column {c + 1}"
                raise InputError(
                    f'{p}: row {sheet_row(i)}, {col}: a quote (") opens a cell that runs over '
                    f"the next {sum(1 for ln in cell.splitlines()[1:] if ln.strip())} line(s), "
                    "swallowing them as one value: "
                    f"{cell[:40]!r}…; close the quote, or write a quote inside a value as "
                    '"" (save the sheet from Excel as CSV, which does this)'
                )
        for c, cell in enumerate(rec):
            if len(cell) > MAX_CELL_CHARS:
                col = header[c] if c < width else f"column {c + 1}"
                raise InputError(
                    f"{p}: row {sheet_row(i)}, {col}: a cell of {len(cell):,} characters (at "
                    f"most {MAX_CELL_CHARS:,}, Excel's limit); this is not a list entry: check "
                    "the file (a pasted document? a quote never closed?)"
                )
        extra = [c for c in rec[width:] if c.strip()]
        if extra:
            long_rows.append(
                f"row {sheet_row(i)}: {len(rec)} cells, the header has {width} "
                f"(extra: {', '.join(repr(c) for c in extra[:3])})"
            )
            continue
        rec = rec[:width] + [""] * (width - len(rec))
        rows.append(rec)
        index.append(i)
    if long_rows:
        raise ValidationError(
            f"{p}: {len(long_rows)} row(s) have more cells than the header (row {h + 1}) — "
            f"a value containing the delimiter {sep!r} must be quoted (save from Excel as "
            "CSV, which quotes it):",
            long_rows,
        )
    _refuse_nameless(
        p, h, [c for c in range(width) if not header[c].strip() and any(r[c].strip() for r in rows)]
    )
    dup = sorted({c for c in header if header.count(c) > 1})
    if dup:
        raise InputError(f"{p}: column name(s) used twice in the header: {', '.join(dup)}")
    df = pd.DataFrame(rows, columns=header, index=index, dtype=str)
    df.attrs["header_row"] = h + 1
    return df


def _parse_plain(text: str, sep: str) -> pd.DataFrame | None:
    """:func:`_parse_csv` of a text without quotes whose header is plain (named cells, none
    twice, no empty one at its end) and whose rows all have the header's cells, with the
    rows parsed by pyarrow (:func:`~gis.readers.plain_csv.plain_body`); None for any other
    text, which :func:`_parse_csv` reads row by row and checks cell by cell."""
    if '"' in text:
        return None
    if "\r" in text:
        text = text.replace("\r\n", "\n")  # as csv reads them: one line break
        if "\r" in text:
            return None
    head = text.split("\n", MAX_TITLE_ROWS + 1)[: MAX_TITLE_ROWS + 1]
    if not head or max(map(len, head)) > MAX_CELL_CHARS:
        return None  # a long cell up here: _parse_csv names it
    records = list(csv.reader(io.StringIO("\n".join(head), newline=""), delimiter=sep))
    if not records:
        return None
    h = header_index(records)
    header = records[h]
    if not header or not all(c.strip() for c in header) or len(set(header)) < len(header):
        return None
    start = 0
    for _ in range(h + 1):  # the body: the text after the header's line
        start = text.find("\n", start) + 1
        if not start:
            return None
    df = plain_body(text[start:], sep, len(header), h, MAX_CELL_CHARS)
    if df is None:
        return None
    df.columns = header
    df.attrs["header_row"] = h + 1
    return df


def _what_it_is(p: Path) -> str:
    """A hint when an 'Excel' file is something else under an Excel name."""
    try:
        head = p.read_bytes()[:2048]
    except OSError:
        return ""
    low = head.lstrip().lower()
    if low.startswith((b"<html", b"<!doctype html", b"<table", b"<?xml", b"<meta")):
        return (
            "; it is a web page (HTML/XML table) with an Excel name, as some systems export: "
            "open it in Excel and save it as .xlsx (Excel 工作簿)"
        )
    if head and b"\x00" not in head:
        try:  # up to the last full line: a cut multi-byte character is no evidence
            decode_bytes(head.rsplit(b"\n", 1)[0] if b"\n" in head else head, p)
        except InputError:
            return ""
        return "; it is a text (CSV) file with an Excel name: rename it to .csv"
    return ""


#: Workbooks up to this size are opened fully to see their merged cells.
MERGED_CELLS_MAX_BYTES = 20_000_000


def _shown_differently(p: Path) -> tuple[bool, bool, bool]:
    """(has percent formats, has merged cells, has formulas): a cheap look inside the zip."""
    try:
        with zipfile.ZipFile(p) as z:
            names = z.namelist()
            styles = z.read("xl/styles.xml") if "xl/styles.xml" in names else b""
            percent = b"%" in styles or re.search(rb'numFmtId="(9|10)"', styles) is not None
            sheets = [
                z.read(n) for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml")
            ]
    except (zipfile.BadZipFile, OSError, KeyError) as exc:
        raise InputError(f"{p}: not a readable Excel workbook ({exc})" + _what_it_is(p)) from None
    merged = any(b"<mergeCell " in x for x in sheets)
    formulas = any(re.search(rb"<(?:\w+:)?f[ >/]", x) for x in sheets)
    return percent, merged, formulas


def _cells_as_shown(p: Path, sheet: str | int | None, raw: pd.DataFrame) -> list[tuple[int, int]]:
    """Cells as the sheet shows them, in place:

    * percent-formatted numbers: 0.051 shown as 5.1% becomes "5.1%", not "0.051" (read
      under a header 增速(%) it was 100 times too small);
    * a value merged down a column (所在区 武昌区 over five rows, as official lists group
      rows) is the value of every row it spans, not of the first one only.

    Returns the (row, column) of formula cells without a saved value (a workbook written
    by a program, never opened and saved in Excel): read as empty they would pass as blank.
    ``raw`` is the sheet read with ``header=None`` (index = row - 1, column = col - 1).
    """
    from openpyxl import load_workbook

    percent, merged, formulas = _shown_differently(p)
    if not (percent or merged or formulas):
        return []  # most workbooks: nothing to do, and no second reading
    full = merged and p.stat().st_size <= MERGED_CELLS_MAX_BYTES
    uncached: list[tuple[int, int]] = []
    try:
        book = load_workbook(p, read_only=not full, data_only=True)
        ws: Any = _sheet(book, sheet)
        for row in ws.iter_rows() if percent else ():
            for cell in row:
                value = getattr(cell, "value", None)
                fmt = getattr(cell, "number_format", "") or ""
                if isinstance(value, (int, float)) and not isinstance(value, bool) and "%" in fmt:
                    r, c = int(cell.row) - 1, int(cell.column) - 1
                    if r < raw.shape[0] and c < raw.shape[1]:
                        raw.iat[r, c] = f"{value * 100:.10g}%"
        for rng in ws.merged_cells.ranges if full else ():
            c = rng.min_col - 1
            # one column over several rows; a title merged across columns stays one cell
            if rng.min_col != rng.max_col or rng.max_row == rng.min_row or c >= raw.shape[1]:
                continue
            top = raw.iat[rng.min_row - 1, c] if rng.min_row - 1 < raw.shape[0] else None
            if top is None or (isinstance(top, float) and top != top):
                continue
            for r in range(rng.min_row, min(rng.max_row, raw.shape[0])):
                raw.iat[r, c] = top
        book.close()
        if formulas:
            book = load_workbook(p, read_only=True, data_only=False)
            for row in _sheet(book, sheet).iter_rows():
                for cell in row:
                    value = getattr(cell, "value", None)
                    if not (isinstance(value, str) and value.startswith("=")):
                        continue
                    r, c = int(cell.row) - 1, int(cell.column) - 1
                    if r < raw.shape[0] and c < raw.shape[1] and not _filled(raw.iat[r, c]):
                        uncached.append((r, c))
            book.close()
    except (KeyError, IndexError, OSError, ValueError, zipfile.BadZipFile) as exc:
        raise InputError(f"{p}: not a readable Excel workbook ({exc})" + _what_it_is(p)) from None
    return uncached


def _sheet(book: Any, sheet: str | int | None) -> Any:
    if sheet is None:
        return book.worksheets[0]
    return book[sheet] if isinstance(sheet, str) else book.worksheets[sheet]


def _column_letter(c: int) -> str:
    """Excel's name of the 0-based column ``c``: 0 -> A, 27 -> AB."""
    name = ""
    c += 1
    while c:
        c, rem = divmod(c - 1, 26)
        name = chr(65 + rem) + name
    return name


def _swallows_rows(cell: str, sep: str, width: int) -> bool:
    """A cell whose later lines look like whole rows (``width - 1`` delimiters or more):
    an unclosed quote, not a note written on two lines."""
    need = max(2, width - 1)
    return any(line.count(sep) >= need for line in cell.split("\n")[1:])


def _read_excel(p: Path, sheet: str | int | None) -> pd.DataFrame:
    engine = "xlrd" if p.suffix.lower() == ".xls" else "openpyxl"
    sheets: list[str] = []
    try:
        with pd.ExcelFile(p, engine=engine) as book:
            sheets = [str(n) for n in book.sheet_names]
            raw: Any = pd.read_excel(
                book, sheet_name=0 if sheet is None else sheet, dtype=str, header=None
            )
    except ImportError:
        raise InputError(
            f"{p}: reading .xls needs the package xlrd (pip install xlrd), "
            "or save the sheet as .xlsx"
        ) from None
    except ValueError as exc:
        hint = f"; the sheets are: {', '.join(sheets)}" if sheets else ""
        raise InputError(f"{p}: {exc}{hint}") from None
    except Exception as exc:  # zipfile.BadZipFile, openpyxl errors on a damaged file
        raise InputError(
            f"{p}: not a readable Excel workbook ({exc.__class__.__name__}: {exc})" + _what_it_is(p)
        ) from None
    if raw.empty:
        raise InputError(f"{p}: the sheet is empty")
    uncached = _cells_as_shown(p, sheet, raw) if engine == "openpyxl" else []
    # header=None: the index is the spreadsheet row - 1 (pandas keeps blank rows)
    h = header_index(raw.values.tolist())
    names = ["" if not _filled(v) else str(v).strip() for v in raw.iloc[h]]
    uncached = [(r, c) for r, c in uncached if r >= h]  # the header's own cells too
    if uncached:
        listed = [
            f"row {r + 1}, column {names[c] or _column_letter(c)} (cell {_column_letter(c)}{r + 1})"
            for r, c in uncached[:MAX_LISTED]
        ]
        more = f" (first {MAX_LISTED} of {len(uncached)})" if len(uncached) > MAX_LISTED else ""
        raise ValidationError(
            f"{p}: {len(uncached)} formula cell(s) have no saved value{more} — the workbook "
            "was written by a program and never saved in Excel, so their results are unknown. "
            "Open it in Excel (or WPS/LibreOffice) and save it, then import again:",
            listed,
        )
    body = raw.iloc[h + 1 :]
    keep = [j for j, n in enumerate(names) if n or body.iloc[:, j].map(_filled).any()]
    _refuse_nameless(p, h, [j for j in keep if not names[j]])
    df = body.iloc[:, keep].copy()
    df.columns = names
    df.index = [int(i) - 1 for i in body.index]  # sheet_row(index) = the spreadsheet row
    dup = sorted({c for c in names if names.count(c) > 1})
    if dup:
        raise InputError(
            f"{p}: column name(s) used twice in the header (row {h + 1}): {', '.join(dup)}"
        )
    df.attrs["header_row"] = h + 1
    df.attrs["sheet_name"] = sheets[0] if sheet is None and sheets else str(sheet)
    df.attrs["sheets"] = sheets
    return df.fillna("")


def _refuse_nameless(p: Path, h: int, columns: list[int]) -> None:
    """Columns that hold values under an empty header cell are an error: their figures
    would be joined, or dropped, under no name (pandas called them "Unnamed: 2")."""
    if columns:
        letters = ", ".join(_column_letter(c) for c in columns)
        raise InputError(
            f"{p}: row {h + 1} (the header): column(s) {letters} hold values but have no "
            "name; write the column's name (with its unit, e.g. GDP(亿元)) in the header, "
            "or delete the column"
        )


def find_column(df: pd.DataFrame, candidates: tuple[str, ...]) -> str | None:
    """The first column whose folded name (:func:`gis.names.fold`) matches one of
    ``candidates``: case, width, spaces, underscores and dots do not count."""
    folded = {fold(c): c for c in df.columns}
    for cand in candidates:
        key = fold(cand)
        if key in folded:
            return str(folded[key])
    return None
