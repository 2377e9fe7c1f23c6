"""Folding names for matching: the one rule every lookup of a name planners type uses.

Full-width characters become their ASCII forms (NFKC), letters lower case; whitespace,
quotes, dashes, underscores and dots are dropped, and brackets unless ``keep_brackets``
(clause numbers such as ``(一)`` differ from ``一``).

>>> fold("Wuchang District"), fold("东湖 高新区"), fold("GDP（亿元）"), fold("name_zh")
('wuchangdistrict', '东湖高新区', 'gdp亿元', 'namezh')
>>> fold("（七）", keep_brackets=True), fold("No.")
('(七)', 'no')
"""

from __future__ import annotations

import re
import unicodedata

_DROP = re.compile(r"[\s'’`\-_.]")
_BRACKETS = re.compile(r"[()\[\]]")


def fold(text: object, *, keep_brackets: bool = False) -> str:
    """``text`` folded for comparison (see the module docstring)."""
    t = _DROP.sub("", unicodedata.normalize("NFKC", str(text)).lower())
    return t if keep_brackets else _BRACKETS.sub("", t)
