"""Coordinate systems: WGS84, GCJ-02 (Amap/Gaode, Tencent), BD-09 (Baidu), CGCS2000.

Chinese web maps publish coordinates in GCJ-02 or BD-09, which in Wuhan sit
about 500 m away from WGS84. Layers are stored in WGS84 (EPSG:4326); CGCS2000
(EPSG:4490) is accepted as equivalent for storage (the two differ by
centimetres). GCJ-02 is the published forward transform from WGS84; its
inverse has no closed form, so :func:`gcj02_to_wgs84` iterates the forward
transform until it reproduces the input to 1e-10 degrees (about 0.01 mm).
Outside mainland China GCJ-02 equals WGS84.

Example
-------
>>> lon, lat = wgs84_to_gcj02(114.3055, 30.5928)
>>> back = gcj02_to_wgs84(lon, lat)
>>> round(float(back[0]), 7), round(float(back[1]), 7)
(114.3055, 30.5928)
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .errors import CRSError
from .settings import METRIC_CRS, STORAGE_CRS, WUHAN_BBOX

if TYPE_CHECKING:
    import geopandas as gpd

Array = NDArray[np.float64]

# Krasovsky 1940 ellipsoid, as used by the GCJ-02 algorithm.
_A = 6378245.0
_EE = 0.00669342162296594323
_X_PI = np.pi * 3000.0 / 180.0

#: Names accepted for ``--crs`` and in catalogs, mapped to their canonical key.
CRS_ALIASES = {
    "wgs84": "wgs84",
    "wgs-84": "wgs84",
    "epsg:4326": "wgs84",
    "4326": "wgs84",
    "cgcs2000": "cgcs2000",
    "epsg:4490": "cgcs2000",
    "4490": "cgcs2000",
    "gcj02": "gcj02",
    "gcj-02": "gcj02",
    "gcj": "gcj02",
    "amap": "gcj02",
    "gaode": "gcj02",
    "tencent": "gcj02",
    "bd09": "bd09",
    "bd-09": "bd09",
    "baidu": "bd09",
}

#: Words planners write for a CRS (``--crs 高德``), besides :data:`CRS_ALIASES`.
CRS_WORDS = {
    "高德": "gcj02",
    "腾讯": "gcj02",
    "火星": "gcj02",
    "火星坐标": "gcj02",
    "百度": "bd09",
    "国家2000": "cgcs2000",
    "2000坐标系": "cgcs2000",
}

#: Words in a file or column name that suggest its coordinates' datum (经度(GCJ02), bd_lng …).
HINT_WORDS = {
    "gcj02": ("gcj", "高德", "amap", "gaode", "火星", "腾讯", "tencent"),
    "bd09": ("bd09", "bd-09", "bd_", "百度", "baidu"),
}

#: How messages name the Chinese web datums.
DATUM_LABELS = {"gcj02": "GCJ-02 (Amap/Gaode, Tencent)", "bd09": "BD-09 (Baidu)"}


def out_of_china(lon: ArrayLike, lat: ArrayLike) -> NDArray[np.bool_]:
    """True where a point lies outside the box in which GCJ-02 applies.

    The rule used by the published implementations: longitude 72.004-137.8347 E,
    latitude 0.8293-55.8271 N. Outside it GCJ-02 coordinates equal WGS84.
    """
    x = np.asarray(lon, dtype=float)
    y = np.asarray(lat, dtype=float)
    return (x < 72.004) | (x > 137.8347) | (y < 0.8293) | (y > 55.8271)


#: Points per block of :func:`_delta`: its temporaries then stay in the CPU cache.
DELTA_BLOCK = 32_768


def _delta(x: Array, y: Array) -> tuple[Array, Array]:
    """GCJ-02 offset (dlon, dlat) in degrees at WGS84 point (x, y)."""
    dx = x - 105.0
    dy = y - 35.0
    # the terms both sums share, computed once (the same operations: the same bits)
    dxy = 0.1 * dx * dy
    root = np.sqrt(np.abs(dx))
    wave = (20.0 * np.sin(6.0 * dx * np.pi) + 20.0 * np.sin(2.0 * dx * np.pi)) * 2.0 / 3.0
    t_lat = -100.0 + 2.0 * dx + 3.0 * dy + 0.2 * dy * dy + dxy + 0.2 * root
    t_lat += wave
    t_lat += (20.0 * np.sin(dy * np.pi) + 40.0 * np.sin(dy / 3.0 * np.pi)) * 2.0 / 3.0
    t_lat += (160.0 * np.sin(dy / 12.0 * np.pi) + 320 * np.sin(dy * np.pi / 30.0)) * 2.0 / 3.0
    t_lon = 300.0 + dx + 2.0 * dy + 0.1 * dx * dx + dxy + 0.1 * root
    t_lon += wave
    t_lon += (20.0 * np.sin(dx * np.pi) + 40.0 * np.sin(dx / 3.0 * np.pi)) * 2.0 / 3.0
    t_lon += (150.0 * np.sin(dx / 12.0 * np.pi) + 300.0 * np.sin(dx / 30.0 * np.pi)) * 2.0 / 3.0
    rad_lat = y / 180.0 * np.pi
    magic = 1 - _EE * np.sin(rad_lat) ** 2
    sqrt_magic = np.sqrt(magic)
    dlat = (t_lat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * np.pi)
    dlon = (t_lon * 180.0) / (_A / sqrt_magic * np.cos(rad_lat) * np.pi)
    return dlon, dlat


def _arrays(lon: ArrayLike, lat: ArrayLike) -> tuple[Array, Array]:
    return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)


def wgs84_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[Array, Array]:
    """WGS84 to GCJ-02 (the published forward transform); identity outside China. Long
    arrays go block by block: element by element the same arithmetic (so the same bits),
    about twice as fast with the temporaries in the CPU cache."""
    x, y = _arrays(lon, lat)
    if x.ndim == 1 and x.shape == y.shape and len(x) > 2 * DELTA_BLOCK:
        gx, gy = np.empty(len(x)), np.empty(len(x))
        for s in range(0, len(x), DELTA_BLOCK):
            block = slice(s, s + DELTA_BLOCK)
            gx[block], gy[block] = wgs84_to_gcj02(x[block], y[block])
        return gx, gy
    dlon, dlat = _delta(x, y)
    outside = out_of_china(x, y)
    return np.where(outside, x, x + dlon), np.where(outside, y, y + dlat)


def gcj02_to_wgs84(
    lon: ArrayLike, lat: ArrayLike, *, tol: float = 1e-10, max_iter: int = 30
) -> tuple[Array, Array]:
    """GCJ-02 to WGS84 by iterating the forward transform (error below ``tol`` degrees)."""
    gx, gy = _arrays(lon, lat)
    wx, wy = gx.copy(), gy.copy()
    if gx.ndim == 1 and gx.shape == gy.shape and len(gx) > 2 * DELTA_BLOCK:
        for _ in range(max_iter):  # as below, block by block (the same bits, faster)
            done = True
            for s in range(0, len(gx), DELTA_BLOCK):
                block = slice(s, s + DELTA_BLOCK)
                fx, fy = wgs84_to_gcj02(wx[block], wy[block])
                ex, ey = fx - gx[block], fy - gy[block]
                wx[block] -= ex
                wy[block] -= ey
                done = done and bool(np.all(np.abs(ex) < tol) and np.all(np.abs(ey) < tol))
            if done:
                break
        return wx, wy
    for _ in range(max_iter):
        fx, fy = wgs84_to_gcj02(wx, wy)
        ex, ey = fx - gx, fy - gy
        wx, wy = wx - ex, wy - ey
        if np.all(np.abs(ex) < tol) and np.all(np.abs(ey) < tol):
            break
    return wx, wy


def gcj02_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple[Array, Array]:
    """GCJ-02 to BD-09 (Baidu)."""
    x, y = _arrays(lon, lat)
    z = np.sqrt(x * x + y * y) + 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) + 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def bd09_to_gcj02(lon: ArrayLike, lat: ArrayLike) -> tuple[Array, Array]:
    """BD-09 (Baidu) to GCJ-02 (Baidu's published inverse, error under 1e-6 deg)."""
    x, y = _arrays(lon, lat)
    x, y = x - 0.0065, y - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta), z * np.sin(theta)


def wgs84_to_bd09(lon: ArrayLike, lat: ArrayLike) -> tuple[Array, Array]:
    """WGS84 to BD-09."""
    return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))


def bd09_to_wgs84(lon: ArrayLike, lat: ArrayLike) -> tuple[Array, Array]:
    """BD-09 to WGS84."""
    return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))


_TO_WGS84: dict[str, Callable[[ArrayLike, ArrayLike], tuple[Array, Array]]] = {
    "gcj02": gcj02_to_wgs84,
    "bd09": bd09_to_wgs84,
}
_FROM_WGS84: dict[str, Callable[[ArrayLike, ArrayLike], tuple[Array, Array]]] = {
    "gcj02": wgs84_to_gcj02,
    "bd09": wgs84_to_bd09,
}


def normalize_crs(name: object) -> str:
    """Canonical key for a CRS name: ``wgs84``, ``cgcs2000``, ``gcj02``, ``bd09`` or ``EPSG:n``.

    Raises :class:`CRSError` for anything else, listing what is accepted.
    """
    text = str(name).strip()
    key = CRS_ALIASES.get(text.lower())
    if key:
        return key
    if text.upper().startswith("EPSG:") and text[5:].isdigit():
        import pyproj

        try:
            pyproj.CRS.from_user_input(text)
        except pyproj.exceptions.CRSError as exc:
            raise CRSError(f"unknown CRS {text!r}: no such EPSG code ({exc})") from None
        return text.upper()
    raise CRSError(
        f"unknown CRS {text!r}: use wgs84, cgcs2000, gcj02 (Amap/Gaode, Tencent), "
        "bd09 (Baidu) or EPSG:<code>"
    )


def parse_crs(name: object) -> str | None:
    """A CRS as planners write it, as a key: ``wgs84``, ``cgcs2000``, ``gcj02``, ``bd09`` or
    ``EPSG:n``; None for an empty value. EPSG:4326 and EPSG:4490 are ``wgs84`` (storage).

    >>> [parse_crs(c) for c in ("GCJ-02", "高德", "百度", "4547", "epsg:4547", "国家2000", "")]
    ['gcj02', 'gcj02', 'bd09', 'EPSG:4547', 'EPSG:4547', 'cgcs2000', None]
    """
    if name is None or not str(name).strip():
        return None
    text = str(name).strip()
    text = CRS_WORDS.get(text, text)
    if text.isdigit():
        text = f"EPSG:{text}"
    key = normalize_crs(text)
    return "wgs84" if key in ("EPSG:4326", "EPSG:4490") else key


def hinted_crs(*texts: object) -> str | None:
    """``gcj02`` or ``bd09`` when a file or column name says so (经度(GCJ02), 百度经度 …).

    >>> hinted_crs("经度(GCJ02)", "纬度"), hinted_crs("bd_lng"), hinted_crs("lon", "lat")
    ('gcj02', 'bd09', None)
    """
    text = " ".join(str(t) for t in texts).lower()
    for key, words in HINT_WORDS.items():
        if any(w in text for w in words):
            return key
    return None


def points_to_wgs84(x: ArrayLike, y: ArrayLike, crs: str) -> tuple[Array, Array]:
    """Coordinate arrays in ``crs`` (any name :func:`parse_crs` accepts) as WGS84 lon/lat.

    >>> gx, gy = wgs84_to_gcj02(114.3, 30.6)
    >>> [round(float(v), 6) for v in points_to_wgs84([gx], [gy], "高德")[0]]
    [114.3]
    """
    key = parse_crs(crs) or "wgs84"
    xs, ys = _arrays(x, y)
    if key in _TO_WGS84:
        return _TO_WGS84[key](xs, ys)
    if key in ("wgs84", "cgcs2000"):
        return xs, ys
    import pyproj

    try:
        tr = pyproj.Transformer.from_crs(key, STORAGE_CRS, always_xy=True)
        ox, oy = tr.transform(xs, ys)
    except pyproj.exceptions.ProjError as exc:
        raise CRSError(f"cannot transform from {key} to WGS84 ({exc})") from None
    return np.asarray(ox, dtype=float), np.asarray(oy, dtype=float)


def is_geographic(crs: str) -> bool:
    """True for lon/lat systems (wgs84, cgcs2000, gcj02, bd09, geographic EPSG codes)."""
    key = parse_crs(crs) or "wgs84"
    if not key.startswith("EPSG:"):
        return True
    import pyproj

    return bool(pyproj.CRS.from_user_input(key).is_geographic)


#: Kinds of :func:`lonlat_check`.
LONLAT_OK, LONLAT_SWAPPED, LONLAT_PROJECTED, LONLAT_OUTSIDE, LONLAT_MISSING = range(5)


def lonlat_check(lon: ArrayLike, lat: ArrayLike) -> NDArray[np.int_]:
    """Per point: is this Wuhan lon/lat? :data:`LONLAT_OK`, :data:`LONLAT_SWAPPED` (latitude
    and longitude the other way round), :data:`LONLAT_PROJECTED` (metres, not degrees),
    :data:`LONLAT_OUTSIDE` (degrees, but not in the Wuhan box) or :data:`LONLAT_MISSING`.

    >>> lonlat_check([114.3, 30.6, 520000.0, 100.0, float("nan")], [30.6, 114.3, 3380000.0, 30.0, 1])
    array([0, 1, 2, 3, 4])
    """
    x, y = _arrays(lon, lat)
    x0, y0, x1, y1 = WUHAN_BBOX
    out = np.full(x.shape, LONLAT_OUTSIDE, dtype=int)
    finite = np.isfinite(x) & np.isfinite(y)
    out[~finite] = LONLAT_MISSING
    out[finite & ((np.abs(x) > 180) | (np.abs(y) > 90))] = LONLAT_PROJECTED
    # swapped first among degrees: Wuhan's longitude (~114) as a latitude is also > 90
    out[finite & (y >= x0) & (y <= x1) & (x >= y0) & (x <= y1)] = LONLAT_SWAPPED
    out[finite & (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)] = LONLAT_OK
    return out


#: The datums a lon/lat file may be in, tried by :func:`datum_fit`.
DATUMS = ("wgs84", "gcj02", "bd09")


def datum_fit(
    lon: ArrayLike,
    lat: ArrayLike,
    stated: list[str | None],
    districts: Any,
    city: Any,
    keep: dict[str, tuple[Array, Array]] | None = None,
) -> dict[str, Any]:
    """How well raw lon/lat fit when read as WGS84, GCJ-02 or BD-09.

    Counts the points inside their stated district (``stated``: adcodes, ``districts``:
    a frame with ``adcode``; ``measure`` = ``district``) where any is stated, else the
    points inside ``city`` (``measure`` = ``city``). Keys: each of :data:`DATUMS`, ``n``,
    ``measure``; {} when there is nothing to measure against. ``keep``: receives, per datum,
    the WGS84 coordinates of all the finite points when every one of them was converted
    (the very arrays :func:`points_to_wgs84` gives for ``lon[finite], lat[finite]``).
    """
    import shapely

    x0, y0 = _arrays(lon, lat)
    counts: dict[str, Any] = {}
    polys = {}
    if districts is not None and not districts.empty:
        polys = dict(zip(districts["adcode"].astype(str), districts.geometry.values))
    finite = np.isfinite(x0) & np.isfinite(y0)
    idx = [i for i, s in enumerate(stated) if s in polys and finite[i]]
    if idx:
        codes = np.array([stated[i] for i in idx], dtype=object)
        for key in DATUMS:
            x, y = points_to_wgs84(x0[idx], y0[idx], key)
            if keep is not None and len(idx) == int(finite.sum()):
                keep[key] = (x, y)
            counts[key] = sum(
                int(shapely.contains_xy(polys[c], x[codes == c], y[codes == c]).sum())
                for c in set(codes)
            )
        counts.update(n=len(idx), measure="district")
        return counts
    x0, y0 = x0[finite], y0[finite]
    if city is None or city.empty or not len(x0):
        return {}
    outline = shapely.union_all(city.geometry.values)
    for key in DATUMS:
        x, y = points_to_wgs84(x0, y0, key)
        if keep is not None:
            keep[key] = (x, y)
        counts[key] = int(shapely.contains_xy(outline, x, y).sum())
    counts.update(n=len(x0), measure="city")
    return counts


def better_datum(counts: dict[str, Any], key: str, margin: float) -> str | None:
    """The datum of :func:`datum_fit` that fits clearly better than ``key`` (by at least
    ``margin`` of the points, and at least 2 points), or None.

    >>> better_datum({"wgs84": 39, "gcj02": 58, "bd09": 20, "n": 58}, "wgs84", 0.05)
    'gcj02'
    >>> better_datum({"wgs84": 57, "gcj02": 58, "bd09": 20, "n": 58}, "wgs84", 0.05)
    """
    if not counts or key not in DATUMS:
        return None
    best = max((k for k in DATUMS if k != key), key=lambda k: counts[k])
    if counts[best] - counts[key] >= max(2, math.ceil(margin * counts["n"])):
        return best
    return None


def projection_hint(x0: float, x1: float) -> str:
    """The likely projection of Wuhan eastings ``x0``…``x1`` without a .prj, as a --crs hint.

    >>> projection_hint(38499845, 38558425)
    'e.g. --crs EPSG:4526 (CGCS2000 3° zone 38: eastings carry the zone number 38)'
    """
    if 38_300_000 < x0 and x1 < 38_800_000:
        return "e.g. --crs EPSG:4526 (CGCS2000 3° zone 38: eastings carry the zone number 38)"
    guess = "e.g. --crs EPSG:4547 (CGCS2000 3° zone CM 114E)"
    if 300_000 < x0 and x1 < 700_000:
        guess += (
            "; older surveys of the same zone: EPSG:2383 (Xian 1980) or EPSG:2435 (Beijing 1954)"
        )
    return guess


def _xy_func(
    f: Callable[[ArrayLike, ArrayLike], tuple[Array, Array]],
) -> Callable[[Array], Array]:
    def apply(coords: Array) -> Array:
        x, y = f(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return apply


def transform_geometries(geoms: Any, crs_from: str, crs_to: str) -> Any:
    """Transform shapely geometries (scalar or array) between wgs84, gcj02 and bd09.

    Vertex by vertex, so vertices shared by neighbouring polygons stay shared.
    """
    import shapely

    src, dst = normalize_crs(crs_from), normalize_crs(crs_to)
    src = "wgs84" if src == "cgcs2000" else src
    dst = "wgs84" if dst == "cgcs2000" else dst
    if src == dst:
        return geoms
    if src != "wgs84":
        geoms = shapely.transform(geoms, _xy_func(_TO_WGS84[src]))
    if dst != "wgs84":
        geoms = shapely.transform(geoms, _xy_func(_FROM_WGS84[dst]))
    return geoms


def to_wgs84(gdf: gpd.GeoDataFrame, source_crs: str | None = None) -> gpd.GeoDataFrame:
    """Return a copy of ``gdf`` in WGS84 (EPSG:4326).

    ``source_crs`` declares the coordinates' system (any name :func:`parse_crs` accepts:
    ``gcj02``, ``高德``, ``bd09``, ``wgs84``, ``cgcs2000``, ``EPSG:n``, ``4547``); without
    it the frame's own CRS is used (none: WGS84). GCJ-02 and BD-09 have no EPSG code, so a
    file in them carries the frame CRS EPSG:4326 and must be declared.
    """
    key = parse_crs(source_crs)
    out = gdf.copy()
    if key in ("gcj02", "bd09"):
        out = out.set_crs(STORAGE_CRS, allow_override=True)
        out.geometry = transform_geometries(out.geometry.values, key, "wgs84")
        return out
    if key in ("wgs84", "cgcs2000") or (
        key is None and out.crs is not None and out.crs.to_epsg() == 4490
    ):
        return out.set_crs(STORAGE_CRS, allow_override=True)
    try:
        if key and key.startswith("EPSG:"):
            out = out.set_crs(key, allow_override=True)
        if out.crs is None:
            return out.set_crs(STORAGE_CRS)
        return out.to_crs(STORAGE_CRS)
    except Exception as exc:  # pyproj's errors carry PROJ's terse text
        raise CRSError(f"cannot transform from {key or out.crs} to WGS84 ({exc})") from None


def to_display(gdf: gpd.GeoDataFrame, datum: str) -> gpd.GeoDataFrame:
    """Copy of a WGS84 frame shifted for display on ``datum`` tiles (``wgs84`` or ``gcj02``).

    For drawing only: analysis never uses shifted coordinates.
    """
    key = normalize_crs(datum)
    if key in ("wgs84", "cgcs2000"):
        return gdf
    out = gdf.copy()
    out.geometry = transform_geometries(out.geometry.values, "wgs84", key)
    return out


def to_metric(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Project a frame to :data:`gis.settings.METRIC_CRS` for measurement."""
    if gdf.crs is None:
        raise CRSError("frame has no CRS; set it (WGS84 layers: EPSG:4326) before measuring")
    return reproject(gdf, METRIC_CRS)


#: PROJ's own operations between WGS84 and EPSG:4547 (CGCS2000 / 3-degree Gauss-Kruger CM
#: 114E), as ``Transformer.from_crs(a, b, always_xy=True).definition`` gives them (the datum
#: step is a null "ballpark" offset). Built from these strings a transformer takes ~0.4 ms; found
#: through PROJ's database it takes 50-70 ms in every process. tests/test_crs.py keeps the
#: strings equal to PROJ's choice and the coordinates bit-identical to ``to_crs``.
PIPELINES = {
    (4326, 4547): "proj=pipeline step proj=unitconvert xy_in=deg xy_out=rad "
    "step proj=tmerc lat_0=0 lon_0=114 k=1 x_0=500000 y_0=0 ellps=GRS80",
    (4547, 4326): "proj=pipeline step inv proj=tmerc lat_0=0 lon_0=114 k=1 x_0=500000 y_0=0 "
    "ellps=GRS80 step proj=unitconvert xy_in=rad xy_out=deg",
}
_local = threading.local()  # pyproj transformers are not shared between threads


def reproject(obj: Any, crs: Any) -> Any:
    """``obj.to_crs(crs)`` for a GeoDataFrame or GeoSeries, with the same coordinates to the
    bit; between WGS84 and EPSG:4547 (the project's two systems) without PROJ's database
    search (:data:`PIPELINES`)."""
    import geopandas as gpd
    import shapely
    from pyproj import CRS

    if obj.crs is None:
        return obj.to_crs(crs)  # geopandas' own error
    dst = CRS.from_user_input(crs)
    key = (_epsg_of(obj.crs), _epsg_of(dst))
    if key not in PIPELINES:
        return obj.to_crs(dst)
    if isinstance(obj, gpd.GeoDataFrame):
        out = obj.copy()
        out.geometry = reproject(out.geometry, dst)
        return out
    data = obj.values._data if hasattr(obj.values, "_data") else np.asarray(obj.values)
    if shapely.has_z(data).any():
        return obj.to_crs(dst)
    cache = _local.__dict__.setdefault("transformers", {})
    if key not in cache:
        from pyproj import Transformer

        cache[key] = Transformer.from_pipeline(PIPELINES[key])
    coords = shapely.get_coordinates(data)
    x, y = cache[key].transform(coords[:, 0], coords[:, 1])
    moved = shapely.set_coordinates(data.copy(), np.array([x, y]).T)
    return gpd.GeoSeries(moved, index=obj.index, name=obj.name, crs=dst)


def _epsg_of(crs: Any) -> int | None:
    """4326 or 4547 when ``crs`` is exactly that system, else None."""
    from pyproj import CRS

    for code in (4326, 4547):
        if crs.is_exact_same(CRS.from_epsg(code)):
            return code
    return None
