"""Writing tables (CSV, XLSX) that are safe to open in Excel, WPS and LibreOffice.

Every table the tool writes goes through :func:`write_table` (or, for scripts that build
rows by hand, :func:`csv_text`):

* **No live formulas.** A text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a
  carriage return is written with a leading apostrophe (``'=1+1``), so that a spreadsheet
  shows it as text instead of evaluating it (CSV/formula injection: a cell such as
  ``=HYPERLINK(…)`` or ``+cmd|' /C calc'!A0`` would otherwise run when the file is opened).
  Numbers stay numbers: a numeric column is written as numbers, and a text cell that is a
  plain number (``-5``, ``+3.2``, ``1e-3``) or a dash placeholder (``-``) is left alone.
  Header labels follow the same rule. In XLSX every text cell is stored as text, never as
  a formula.
* **A UTF-8 byte-order mark** starts every CSV file, so that a Chinese Excel reads it as
  UTF-8 instead of GBK (mojibake otherwise).
* **Atomic**: a temporary file next to the target, renamed over it when complete.

>>> neutralise("=1+1"), neutralise("-5"), neutralise("@SUM(A1)"), neutralise("武昌区")
("'=1+1", '-5', "'@SUM(A1)", '武昌区')
>>> neutralise("\\t=1"), neutralise(-5.0), neutralise("-")
("'\\t=1", -5.0, '-')
"""

from __future__ import annotations

import csv
import errno
import gc
import io
import os
import re
import sys
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import InputError, OutputError
from .io import atomic_write, describe_os_error

#: First characters that make a spreadsheet read a cell as a formula (or command).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
#: Text that is a plain number (or a dash placeholder): safe as it is.
_PLAIN = re.compile(
    r"^(?:[+-]?(?:\d{1,3}(?:,\d{3})+(?:\.\d*)?|\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?%?|-+)$"
)
CSV_SUFFIXES = (".csv", ".txt")
XLSX_SUFFIXES = (".xlsx",)
#: UTF-8 byte-order mark that starts every CSV file the tool writes.
BOM = "\ufeff"


def neutralise(value: Any) -> Any:
    """``value`` made safe for a spreadsheet cell: formula-like text gets a leading ``'``.

    Anything that is not text (numbers, missing values) is returned unchanged.
    """
    if not isinstance(value, str) or not value or value[0] not in FORMULA_TRIGGERS:
        return value
    if _PLAIN.match(value):
        return value
    return "'" + value


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells and header labels are neutralised.

    Numeric, boolean and date columns are untouched; in text (object, string, category)
    columns only ``str`` cells are changed, so numbers mixed into them stay numbers.
    """
    out = df.copy()
    for i in range(out.shape[1]):
        col = out.iloc[:, i]
        if (
            pd.api.types.is_object_dtype(col.dtype)
            or pd.api.types.is_string_dtype(col.dtype)
            or isinstance(col.dtype, pd.CategoricalDtype)
        ):
            out.isetitem(i, col.astype(object).map(neutralise))
    out.columns = [neutralise(str(c)) for c in out.columns]
    return out


def csv_text(
    rows: Iterable[Mapping[str, Any]] | Iterable[Sequence[Any]], fields: Sequence[str]
) -> str:
    """CSV text (with BOM, ``\\n`` line ends) of ``rows`` (dicts keyed by ``fields`` or
    sequences), every cell neutralised. For scripts that build rows by hand."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    # Python's csv leaves a carriage return unquoted with "\n" line ends: quote such rows
    cr = csv.writer(buf, lineterminator="\n", quoting=csv.QUOTE_ALL)
    lines = [[neutralise(f) for f in fields]]
    for row in rows:
        cells = [row.get(f, "") for f in fields] if isinstance(row, Mapping) else list(row)
        lines.append([neutralise(c) for c in cells])
    for cells in lines:
        (cr if any("\r" in str(c) for c in cells) else w).writerow(cells)
    return BOM + buf.getvalue()


def write_csv_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write CSV ``text`` (from :func:`csv_text`) atomically, BOM added if missing."""
    if not text.startswith(BOM):
        text = BOM + text
    with atomic_write(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)
    return Path(path)


def check_table_suffix(path: str | os.PathLike[str]) -> Path:
    """``path`` if :func:`write_table` can write it (.csv, .txt, .xlsx); else InputError."""
    p = Path(path)
    if p.suffix.lower() not in CSV_SUFFIXES + XLSX_SUFFIXES:
        raise InputError(
            f"{p}: cannot write a table as {p.suffix or 'a file without suffix'}; use .csv or .xlsx"
        )
    return p


def write_table(
    df: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    sheet: str | None = None,
    notes: Mapping[str, tuple[str, str]] | None = None,
) -> Path:
    """Write ``df`` (no index) as CSV (UTF-8 with BOM) or XLSX by the suffix of ``path``.

    ``.csv`` and ``.txt`` are CSV, ``.xlsx`` is an Excel workbook with one sheet named
    ``sheet`` (default ``Sheet1``) and, given ``notes`` (column -> (label, description)), a
    second sheet "字段说明 fields" describing the columns; any other suffix is an
    :class:`InputError`.
    """
    p = check_table_suffix(path)
    frame = safe_frame(df)
    if p.suffix.lower() in CSV_SUFFIXES:
        with atomic_write(p, "w", encoding="utf-8-sig", newline="") as fh:
            # CRLF (RFC 4180, as Excel writes): Python's csv quotes a cell holding a line
            # break only when that character is in the line terminator
            frame.to_csv(fh, index=False, lineterminator="\r\n")
        return p
    extra = None
    if notes:
        extra = safe_frame(
            pd.DataFrame(
                [(col, desc) for col, (_, desc) in notes.items()],
                columns=["字段 field", "说明 description"],
            )
        )
    _write_xlsx(frame, p, sheet or "Sheet1", extra)
    return p


def _sheet_title(name: str) -> str:
    """A valid Excel sheet title: at most 31 characters, none of ``[]:*?/\\``."""
    title = re.sub(r"[\[\]:*?/\\]", "_", name).strip("'")[:31]
    return title or "Sheet1"


def _xlsx_value(v: Any) -> Any:
    if v is None:
        return None
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        return str(v)
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):
        v = v.item()  # numpy scalar -> Python
    if isinstance(v, str):
        return _ILLEGAL.sub("\ufffd", v)
    if isinstance(v, (int, float, bool)):
        return v
    if hasattr(v, "isoformat"):  # dates; Excel has no time zones: those become text
        return v.isoformat() if getattr(v, "tzinfo", None) is not None else v
    return str(v)


#: Control characters XML (so XLSX) cannot hold; shown as U+FFFD.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _display_width(text: str) -> int:
    """Columns ``text`` takes in a spreadsheet: CJK characters count two."""
    return sum(2 if ord(ch) >= 0x2E80 else 1 for ch in text)


def _write_xlsx(
    frame: pd.DataFrame, path: Path, sheet: str, notes: pd.DataFrame | None = None
) -> None:
    """``frame`` (already neutralised) as one sheet, ``notes`` as a second; every ``str``
    stored as text."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    _fill_sheet(ws, frame, _sheet_title(sheet))
    if notes is not None:
        _fill_sheet(wb.create_sheet(), notes, "字段说明 fields")
    buf = io.BytesIO()
    code = _save_workbook(wb, buf)
    if code is not None:
        cause = describe_os_error(OSError(code, os.strerror(code)))
        raise OutputError(
            f"{path}: cannot write (working copy in {tempfile.gettempdir()}): {cause}; "
            "nothing was changed there"
        )
    with atomic_write(path, "wb") as fh:
        fh.write(buf.getvalue())


def _save_workbook(wb: Any, buf: io.BytesIO) -> int | None:
    """Save ``wb`` into ``buf``; the errno if the temporary folder failed (full, too small).

    openpyxl streams each sheet through a file in the temporary folder; lxml reports a
    failed write there as ``SerialisationError("IO_EFBIG")``, and the abandoned stream
    complains again when collected: that second report is silenced here.
    """
    hook = sys.unraisablehook
    sys.unraisablehook = lambda unraisable: None
    try:
        try:
            wb.save(buf)
            return None
        except Exception as exc:
            m = re.search(r"\bIO_(E[A-Z]+)\b", str(exc))
            code = getattr(errno, m.group(1), None) if m else None
            if code is None:
                raise
        gc.collect()
        return int(code)
    finally:
        sys.unraisablehook = hook


def _fill_sheet(ws: Any, frame: pd.DataFrame, title: str) -> None:
    from openpyxl.utils import get_column_letter

    ws.title = title
    rows: list[list[Any]] = [[_xlsx_value(c) for c in frame.columns]]
    rows += [[_xlsx_value(v) for v in rec] for rec in frame.itertuples(index=False, name=None)]
    for r, rec in enumerate(rows, start=1):
        for c, v in enumerate(rec, start=1):
            cell = ws.cell(row=r, column=c, value=v)
            if isinstance(v, str):
                cell.data_type = "s"  # text, never a formula
    ws.freeze_panes = "A2"
    for c, name in enumerate(frame.columns, start=1):
        cells = [str(name)] + [str(v) for v in frame.iloc[:200, c - 1]]
        width = max(_display_width(t) for t in cells)
        ws.column_dimensions[get_column_letter(c)].width = min(max(width + 2, 8), 60)


def field_label(column: str, unit: str = "", year: str = "") -> str:
    """A header carrying unit and year: ``field_label("GDP", "亿元", "2023")`` ->
    ``'GDP 2023(亿元)'`` (the form the table reader parses back); the year is left out when
    the column already holds it.

    >>> field_label("GDP", "亿元"), field_label("GDP 2023", "亿元", "2023"), field_label("n")
    ('GDP(亿元)', 'GDP 2023(亿元)', 'n')
    """
    label = str(column)
    if year and year not in label:
        label = f"{label} {year}"
    return f"{label}({unit})" if unit else label


def labelled(
    df: pd.DataFrame, fields: Mapping[str, Mapping[str, str]]
) -> tuple[pd.DataFrame, dict[str, tuple[str, str]]]:
    """``df`` with the columns in ``fields`` (column -> unit, year, source) renamed by
    :func:`field_label` (a ``COLUMN bound`` column follows its column), and the field notes
    (new name -> (label, description)) for GeoPackage metadata or a notes sheet."""
    names: dict[str, str] = {}
    notes: dict[str, tuple[str, str]] = {}
    for col, meta in fields.items():
        if col not in df.columns:
            continue
        label = field_label(col, meta.get("unit", ""), meta.get("year", ""))
        names[col] = label
        desc = "; ".join(f"{k}: {meta[k]}" for k in ("unit", "year", "source") if meta.get(k))
        notes[label] = (label, desc or "no unit, year or source given")
        if f"{col} bound" in df.columns:
            names[f"{col} bound"] = f"{label} bound"
            notes[f"{label} bound"] = (
                f"{label} bound",
                "'>' or '≥': the value is a lower bound, '<' or '≤' an upper bound",
            )
    return df.rename(columns=names), notes
