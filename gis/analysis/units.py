"""Distances with explicit units: ``"2km"``, ``"500m"``, ``"2 km"``, ``"2000 m"``, ``"1.5公里"``.

A bare number is refused: ``"2"`` could be 2 m or 2 km, and a wrong radius
gives a plausible-looking but wrong map.

>>> parse_distance("2km")
2000.0
>>> parse_distance("500 m")
500.0
>>> parse_distance("2")
Traceback (most recent call last):
...
gis.errors.InputError: radius '2' has no unit; write '2km' or '2000m'
"""

from __future__ import annotations

import math
import re

from ..errors import InputError

_UNITS = {
    "m": 1.0,
    "meter": 1.0,
    "meters": 1.0,
    "metre": 1.0,
    "metres": 1.0,
    "米": 1.0,
    "km": 1000.0,
    "kilometer": 1000.0,
    "kilometers": 1000.0,
    "kilometre": 1000.0,
    "kilometres": 1000.0,
    "公里": 1000.0,
    "千米": 1000.0,
}
_PATTERN = re.compile(
    r"^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)\s*([^\d\s.+-][^\s]*)?\s*$", re.I
)


def parse_distance(text: object, *, what: str = "radius", allow_zero: bool = False) -> float:
    """Metres from a distance with a unit (m, km, 米, 公里); errors name ``what``.

    >>> parse_distance("1.5 公里", what="distance")
    1500.0
    >>> parse_distance("-2km")
    Traceback (most recent call last):
    ...
    gis.errors.InputError: radius '-2km' is negative; give a positive distance such as '2km' or '2000m'
    """
    raw = str(text).strip()
    m = _PATTERN.match(raw)
    if not m:
        raise InputError(f"{what} {raw!r} is not a distance; write e.g. '2km' or '2000m'")
    number, unit = m.group(1), (m.group(2) or "").lower()
    if not unit:
        metres = f"{float(number) * 1000:g}"
        raise InputError(f"{what} {raw!r} has no unit; write '{number}km' or '{metres}m'")
    if unit not in _UNITS:
        raise InputError(
            f"{what} {raw!r}: unknown unit {unit!r}; use m or km (e.g. '2km' or '2000m')"
        )
    value = float(number) * _UNITS[unit]
    if not math.isfinite(value):
        raise InputError(f"{what} {raw!r} is not a finite distance; write e.g. '2km'")
    if value < 0:
        raise InputError(
            f"{what} {raw!r} is negative; give a positive distance such as '2km' or '2000m'"
        )
    if value == 0 and not allow_zero:
        raise InputError(f"{what} {raw!r} is zero; give a positive distance such as '2km'")
    return value


def format_distance(metres: float) -> str:
    """Short label: ``2000`` → ``'2 km'``, ``500`` → ``'500 m'``.

    >>> format_distance(2000), format_distance(500), format_distance(1500)
    ('2 km', '500 m', '1.5 km')
    """
    if metres >= 1000:
        km = metres / 1000
        return f"{km:g} km"
    return f"{metres:g} m"
