"""The body of a plain CSV table parsed by pyarrow (issue 13): no quotes, so every line is
one row and every delimiter separates two cells, exactly as :mod:`csv` reads such a text.

:func:`gis.readers.tables.read_table` uses it for the rows below the header when the text
has no quote character; anything else about the file (title rows, the header, rows with
more cells than the header, long cells) is decided by the table reader as before.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def plain_body(body: str, sep: str, width: int, first: int, longest: int) -> Any:
    """The rows of ``body`` (the lines below the header, no quote character, no carriage
    return) as a text frame of ``width`` columns named ``0 … width-1`` whose index starts at
    ``first``; a blank line is a row of empty cells, as :mod:`csv` pads it. None when a line
    has another number of cells, or a cell is longer than ``longest`` characters: the
    table reader then names those rows."""
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.csv as pcsv
    except ImportError:  # pragma: no cover - pyarrow is a dependency
        return None
    if not body or '"' in body or "\r" in body:
        return None
    names = [str(i) for i in range(width)]
    try:
        table = pcsv.read_csv(
            pa.BufferReader(body.encode("utf-8")),
            read_options=pcsv.ReadOptions(column_names=names, block_size=1 << 24),
            parse_options=pcsv.ParseOptions(
                delimiter=sep,
                quote_char=False,
                double_quote=False,
                escape_char=False,
                newlines_in_values=False,
                ignore_empty_lines=False,
            ),
            convert_options=pcsv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                null_values=[],
            ),
        )
    except (pa.ArrowInvalid, UnicodeEncodeError):
        return None
    lines = body.count("\n") + (0 if body.endswith("\n") else 1)
    if table.num_rows != lines or table.num_columns != width:
        return None
    for col in table.columns:
        if len(col) and pc.max(pc.utf8_length(col)).as_py() > longest:
            return None
    df = table.to_pandas()
    df.columns = list(range(width))
    df.index = pd.Index(np.arange(first, first + len(df), dtype=np.int64))
    return df
