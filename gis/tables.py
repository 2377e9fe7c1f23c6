"""Reading the tables planners bring: CSV in any Chinese encoding, Excel.

* CSV: UTF-8, UTF-8 with BOM, GBK/GB18030 (tried in that order; the one that
  decodes wins), delimiter sniffed (comma, semicolon, tab).
* Excel ``.xlsx``/``.xlsm`` via openpyxl (first sheet unless ``sheet`` is given),
  ``.xls`` via xlrd when installed.

Every value is read as text (``dtype=str``) so that codes such as 420106 or
leading zeros survive; callers convert the columns they need and report the
rows that fail. :func:`sheet_row` gives the row number a planner sees in the
spreadsheet (header = row 1).

>>> sheet_row(0)
2
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import InputError, LayerNotFoundError

ENCODINGS = ("utf-8-sig", "gb18030")
EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")


def sheet_row(index: int, header_rows: int = 1) -> int:
    """Spreadsheet row number of the 0-based data row ``index`` (header = row 1)."""
    return int(index) + header_rows + 1


def decode_bytes(raw: bytes, path: str | Path) -> tuple[str, str]:
    """Text and encoding name of a CSV file's bytes; a clear error when none fits."""
    for enc in ENCODINGS:
        try:
            return raw.decode(enc), ("utf-8" if enc == "utf-8-sig" else enc)
        except UnicodeDecodeError:
            continue
    raise InputError(
        f"{path}: cannot decode the file as UTF-8 or GBK/GB18030; save it from Excel as "
        "'CSV UTF-8' (逗号分隔) and try again"
    )


def read_table(path: str | Path, *, sheet: str | int | None = None) -> pd.DataFrame:
    """Read a CSV or Excel table as text columns, with stripped header names.

    The frame's ``attrs`` carry ``source`` (the path), ``encoding`` and ``sheet``.
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
    df = df.map(lambda v: v.strip() if isinstance(v, str) else v)
    blank = df.apply(lambda r: all(v in ("", None) or pd.isna(v) for v in r), axis=1)
    df = df[~blank] if len(df) else df
    if df.empty:
        raise InputError(f"{p}: the table has a header but no data rows")
    df.attrs.update({"source": str(p), "encoding": enc, "sheet": sheet})
    return df


def _parse_csv(text: str, p: Path) -> pd.DataFrame:
    """Rows of a CSV text as a text frame whose index is the 0-based data row *including*
    blank lines, so that :func:`sheet_row` gives the row a spreadsheet shows.

    A row with more cells than the header (typically an unquoted comma inside a value) is
    an error naming every such row; a shorter row is padded with empty cells.
    """
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        sep = dialect.delimiter
    except csv.Error:
        sep = ","
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
    except csv.Error as exc:
        raise InputError(f"{p}: not a readable CSV table ({exc})") from None
    if not records or not any(c.strip() for c in records[0]):
        raise InputError(f"{p}: the first row must hold the column names")
    header = records[0]
    width = len(header)
    while width and not header[width - 1].strip():
        width -= 1  # trailing empty header cells (a trailing delimiter)
    header = header[:width]
    rows, index, long_rows = [], [], []
    for i, rec in enumerate(records[1:]):
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
        from .errors import ValidationError

        raise ValidationError(
            f"{p}: {len(long_rows)} row(s) have more cells than the header — a value "
            f"containing the delimiter {sep!r} must be quoted (save from Excel as CSV, "
            "which quotes it):",
            long_rows,
        )
    dup = sorted({c for c in header if header.count(c) > 1})
    if dup:
        raise InputError(f"{p}: column name(s) used twice in the header: {', '.join(dup)}")
    return pd.DataFrame(rows, columns=header, index=index, dtype=str)


def _read_excel(p: Path, sheet: str | int | None) -> pd.DataFrame:
    engine = "xlrd" if p.suffix.lower() == ".xls" else "openpyxl"
    try:
        df: Any = pd.read_excel(
            p, sheet_name=0 if sheet is None else sheet, dtype=str, engine=engine
        )
    except ImportError:
        raise InputError(
            f"{p}: reading .xls needs the package xlrd (pip install xlrd), "
            "or save the sheet as .xlsx"
        ) from None
    except ValueError as exc:
        raise InputError(f"{p}: {exc}") from None
    except Exception as exc:  # zipfile.BadZipFile, openpyxl errors on a damaged file
        raise InputError(
            f"{p}: not a readable Excel workbook ({exc.__class__.__name__}: {exc})"
        ) from None
    return df.fillna("")


def find_column(df: pd.DataFrame, candidates: tuple[str, ...]) -> str | None:
    """The first column whose folded name matches one of ``candidates`` (case/space-insensitive)."""
    folded = {str(c).strip().lower().replace(" ", "").replace("_", ""): c for c in df.columns}
    for cand in candidates:
        key = cand.strip().lower().replace(" ", "").replace("_", "")
        if key in folded:
            return str(folded[key])
    return None
