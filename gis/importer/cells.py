"""Reading the cells of a planner's table: text, and coordinates as people type them."""

from __future__ import annotations

import math
import re
import unicodedata
from typing import Any


def text_of(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        if math.isnan(v):
            return ""
        if v.is_integer():
            return str(int(v))
    return str(v).strip()


#: Degrees, minutes, seconds: 114°18'19.8", 114°18′19.8″, 114度18分19.8秒 (after NFKC).
_DMS = re.compile(
    r"(\d{1,3}(?:\.\d+)?)\s*[°度]\s*(?:(\d{1,2}(?:\.\d+)?)\s*['′’分]\s*"
    r"(?:(\d{1,2}(?:\.\d+)?)\s*(?:\"|″|′′|''|”|秒)?)?)?"
)


#: A plain ASCII decimal number, which every rule below leaves as it is.
_PLAIN = re.compile(r"[+-]?\d+(?:\.\d+)?")
_HEMISPHERE = re.compile(r"^(东经|北纬|西经|南纬|[ENWS])?\s*(.*?)\s*([ENWS])?$", re.IGNORECASE)


def parse_coordinate(text: str) -> float | None:
    """Decimal degrees of a coordinate cell, or None when it is not one.

    Accepts decimal degrees, also in full-width characters or with a space by the point
    (as typed with a Chinese input method), a trailing °, a hemisphere (E114.3, 东经114.3)
    and degrees-minutes-seconds as GPS apps and 奥维 show them.

    >>> [parse_coordinate(t) for t in ("114.3055", "１１４．３０５５", "114. 3055", "E114.3055°")]
    [114.3055, 114.3055, 114.3055, 114.3055]
    >>> round(parse_coordinate("114°18′19.8″"), 6), round(parse_coordinate("30度35分34秒"), 6)
    (114.3055, 30.592778)
    >>> parse_coordinate("114 30"), parse_coordinate("114°75'"), parse_coordinate("abc")
    (None, None, None)
    """
    if _PLAIN.fullmatch(text):  # the common case, e.g. 114.30551234: float() gives it
        value = float(text)
        if math.isfinite(value):
            return value
    t = unicodedata.normalize("NFKC", text.replace("，", ".")).strip()
    t = re.sub(r"\s*\.\s*", ".", t)
    m = _HEMISPHERE.match(t)
    sign = 1.0
    if m and (m.group(1) or m.group(3)):
        if m.group(1) and m.group(3):
            return None
        hemi = (m.group(1) or m.group(3)).upper()
        sign = -1.0 if hemi in ("W", "S", "西经", "南纬") else 1.0
        t = m.group(2)
    dms = _DMS.fullmatch(t)
    if dms:
        deg = float(dms.group(1))
        minutes = float(dms.group(2) or 0)
        seconds = float(dms.group(3) or 0)
        if minutes >= 60 or seconds >= 60:
            return None
        if (dms.group(2) and not deg.is_integer()) or (dms.group(3) and not minutes.is_integer()):
            return None  # 114.5°30' or 114°18.5'30": which part is meant?
        return sign * (deg + minutes / 60 + seconds / 3600)
    try:
        value = float(t)
    except ValueError:
        return None
    return sign * value if math.isfinite(value) else None


def coords_of_row(d: dict[str, Any], cols: dict[str, str | None], reject: Any) -> tuple[Any, Any]:
    if cols["lon"] and cols["lat"]:
        tx, ty = text_of(d[cols["lon"]]), text_of(d[cols["lat"]])
        fx, fy = cols["lon"], cols["lat"]
    else:
        assert cols["lonlat"] is not None
        t = text_of(d[cols["lonlat"]])
        parts = [s for s in re.split(r"[,，;\s]+", t) if s]
        if not t:
            reject(cols["lonlat"], "empty; give 'longitude,latitude', e.g. 114.30,30.59")
            return None, None
        if len(parts) != 2:
            reject(cols["lonlat"], f"{t!r} is not 'longitude,latitude' (e.g. 114.30,30.59)")
            return None, None
        tx, ty = parts
        fx = fy = cols["lonlat"]
    if not tx or not ty:
        reject(f"{fx}/{fy}", "no coordinates; fill in longitude and latitude in degrees")
        return None, None
    x, y = parse_coordinate(tx), parse_coordinate(ty)
    if x is None:
        reject(fx, f"{tx!r} is not a number; write decimal degrees such as 114.3055")
    if y is None:
        reject(fy, f"{ty!r} is not a number; write decimal degrees such as 30.5928")
    return x, y


def plain_coords(xs: Any, ys: Any) -> tuple[Any, Any, Any]:
    """(lon, lat, ok) of two coordinate columns (Series) where both cells are plain decimal
    numbers (``ok``): exactly what :func:`coords_of_row` gives those rows, at once. The other
    rows (blank, DMS, full-width, spaces, not numbers) are left to :func:`coords_of_row`."""
    import numpy as np

    fast = _arrow_plain(xs, ys)
    if fast is not None:
        return fast
    xs, ys = xs.tolist(), ys.tolist()

    n = len(xs)
    tx = [text_of(v) if type(v) is not str else v.strip() for v in xs]
    ty = [text_of(v) if type(v) is not str else v.strip() for v in ys]
    match = _PLAIN.fullmatch
    ok = np.fromiter(
        (match(a) is not None and match(b) is not None for a, b in zip(tx, ty)), bool, n
    )
    lon = np.full(n, np.nan)
    lat = np.full(n, np.nan)
    lon[ok] = np.array([t for t, k in zip(tx, ok) if k], dtype=object).astype(float)
    lat[ok] = np.array([t for t, k in zip(ty, ok) if k], dtype=object).astype(float)
    ok &= np.isfinite(lon) & np.isfinite(lat)  # e.g. 400 digits: float() gives inf
    return lon, lat, ok


#: :data:`_PLAIN` in ASCII digits, for Arrow (the cells it leaves go to :func:`coords_of_row`).
_PLAIN_ASCII = r"^[+-]?[0-9]+(?:\.[0-9]+)?$"


def _arrow_plain(xs: Any, ys: Any) -> tuple[Any, Any, Any] | None:
    """:func:`plain_coords` of two Arrow-backed text columns by Arrow (issue 13): a cell of
    ASCII digits as :data:`_PLAIN` reads it, converted by ``pyarrow.compute.cast`` (correctly
    rounded, as Python's ``float``); None for other columns, or when Arrow refuses one."""
    import numpy as np

    try:
        import pyarrow as pa
        import pyarrow.compute as pc
    except ImportError:  # pragma: no cover - pyarrow is a dependency
        return None
    out = []
    ok = np.ones(len(xs), dtype=bool)
    for col in (xs, ys):
        try:
            arr = pa.array(col.array)
        except (TypeError, ValueError, pa.ArrowException):
            return None
        if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
            return None
        match = pc.match_substring_regex(arr, _PLAIN_ASCII).fill_null(False)
        plain = np.asarray(match.to_numpy(zero_copy_only=False), dtype=bool)
        try:
            vals = pc.cast(pc.if_else(match, arr, pa.scalar("0", arr.type)), pa.float64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return None
        v = np.array(vals.to_numpy(zero_copy_only=False), dtype=np.float64)  # a writable copy
        ok &= plain & np.isfinite(v)
        out.append(v)
    lon, lat = out
    lon[~ok] = lat[~ok] = np.nan
    return lon, lat, ok
