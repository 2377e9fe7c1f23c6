"""Import a planner's file into a catalog layer: the path official lists take into the tool.

Reads CSV (UTF-8, UTF-8 with BOM, GBK/GB18030, UTF-16) and Excel tables with lon/lat
columns (Chinese headers such as 经度/纬度/名称/所在区/级别/领域 are recognised, also with a
note in brackets such as 经度(GCJ02); decimal degrees, full-width digits or DMS), GeoJSON,
GeoPackage, Shapefiles (zipped or not, with or without ``.prj``) and KML/KMZ (every
folder). Coordinates may
be WGS84, CGCS2000, GCJ-02 (Amap/Gaode, Tencent), BD-09 (Baidu) or any EPSG system; they
are converted to WGS84 and checked to fall inside Wuhan. Every row is validated against
the plan-layer schema (:mod:`gis.layer_schema`); district names become adcodes
(武昌, 武昌区, Wuchang, 420106 all match). Every rejected row is reported with the row
number the spreadsheet shows (header = row 1) and the reason. The layer file is written
atomically, and only when nothing was rejected (or ``skip_invalid`` is set, in which case
the rejected rows are listed in the report): a failed import leaves the previous layer
as it was.

When the coordinate system is not declared, or declared WGS84, the points are also tried as
GCJ-02 and BD-09: if they then fall inside their stated districts clearly more often, the
file is most likely shifted (undeclared: a warning; declared WGS84: an error).

Example
-------
>>> from gis.importer import read_import
>>> result = read_import("clusters", "tests/data/synthetic_clusters_gbk_gcj02.csv", crs="gcj02")
>>> result.report.rows_read, result.report.imported, len(result.report.rejected)
(58, 58, 0)
>>> result.gdf.loc[0, "district"], result.gdf.loc[0, "precision"]
('420102', 'converted')
"""

from __future__ import annotations

import functools
import hashlib
import math
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .catalog import Catalog, LayerInfo, load_catalog
from .crs import (
    DATUM_LABELS,
    bd09_to_wgs84,
    gcj02_to_wgs84,
    normalize_crs,
    points_to_wgs84,
    transform_geometries,
)
from .districts import CITY_ADCODE, district_name, match_district, suggest_district
from .errors import CRSError, InputError, ValidationError
from .io import PRECISION_CLASSES, write_geojson
from .layer_schema import (
    PLAN_FIELDS,
    join_domains,
    normalize_domains,
    normalize_level,
    normalize_precision,
)
from .layers import backup_layer
from .readers.tables import EXCEL_SUFFIXES, find_column, read_table, sheet_row
from .readers.vector import KML_FIELDS, VECTOR_SUFFIXES, read_vector
from .settings import (
    IMPORT_MAX_ROWS,
    IMPORT_MIN_CEILING,
    IMPORT_REFUSE_FACTOR,
    IMPORT_WARN_FACTOR,
    METRIC_CRS,
    SHIFT_MARGIN,
    STORAGE_CRS,
    UNSURE_PRECISION,
    WUHAN_BBOX,
)

if TYPE_CHECKING:
    import pandas as pd

#: Header names recognised for each schema field (compared case- and space-insensitively).
COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "编号", "编码", "代码", "集聚区编号", "code", "序号", "no", "no."),
    "name_zh": (
        "name_zh",
        "名称",
        "集聚区名称",
        "园区名称",
        "载体名称",
        "集聚区",
        "园区",
        "项目名称",
        "中文名称",
        "名字",
        "name",
        "name_cn",
    ),
    "name_en": ("name_en", "英文名称", "英文名", "english name", "english"),
    "lon": ("lon", "lng", "longitude", "经度", "东经", "x", "long", "gcj_lng", "bd_lng", "x坐标"),
    "lat": ("lat", "latitude", "纬度", "北纬", "y", "gcj_lat", "bd_lat", "y坐标"),
    "lonlat": ("经纬度", "坐标", "lnglat", "lonlat", "location", "coordinates"),
    "district": (
        "district",
        "所在区",
        "所属区",
        "行政区",
        "所在行政区",
        "区",
        "区域",
        "所在区域",
        "adcode",
        "区划代码",
    ),
    "level": ("level", "级别", "等级", "层级", "集聚区级别"),
    "domains": (
        "domains",
        "domain",
        "领域",
        "服务领域",
        "产业领域",
        "行业领域",
        "主导产业",
        "行业",
    ),
    "source": ("source", "来源", "数据来源"),
    "precision": ("precision", "精度"),
    "note": ("note", "备注", "说明", "notes", "description"),
}

TABLE_SUFFIXES = (".csv", ".txt", ".tsv", *EXCEL_SUFFIXES)

#: Tolerance of the 'inside Wuhan' test: the city outline is accurate to about ±100 m.
CITY_TOLERANCE_M = 300.0
#: A point this far outside its stated district is reported (district edges are ±100 m).
DISTRICT_TOLERANCE_M = 300.0

_HINTS = {
    "gcj02": ("gcj", "高德", "amap", "gaode", "火星", "腾讯", "tencent"),
    "bd09": ("bd09", "bd_", "百度", "baidu"),
}


@dataclass
class RowProblem:
    """One rejected row: where it is, which field, what was wrong and how to fix it."""

    row: int
    field: str
    reason: str
    unit: str = "row"

    def __str__(self) -> str:
        return f"{self.unit} {self.row}: {self.field}: {self.reason}"


@dataclass
class ImportReport:
    """What an import read, kept, rejected and wrote."""

    layer_id: str
    path: Path
    format: str = ""
    crs: str = ""
    rows_read: int = 0
    imported: int = 0
    rejected: list[RowProblem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    output: Path | None = None
    written: bool = False
    #: what the import replaced (features, their sources, the backup), if anything
    replaced: str = ""

    def summary(self) -> str:
        """One line for the CLI, e.g. ``clusters: 58 read, 58 imported, 0 rejected …``."""
        text = (
            f"{self.layer_id}: {self.rows_read} read, {self.imported} imported, "
            f"{len(self.rejected)} rejected from {self.path} ({self.format}; {self.crs})"
        )
        if self.written and self.output is not None:
            text += f" -> {self.output}"
            if self.replaced:
                text += f"; {self.replaced}"
        elif self.output is not None:
            text += f"; nothing written ({self.output} unchanged)"
        return text


class ImportFailed(ValidationError):
    """The file had rejected rows; nothing was written. ``report`` holds the details."""

    def __init__(self, header: str, problems: list[str], report: ImportReport) -> None:
        super().__init__(header, problems)
        self.report = report


@dataclass
class ImportResult:
    """Validated features (WGS84, schema columns) and the report, before anything is written."""

    gdf: Any
    report: ImportReport


# --------------------------------------------------------------------------- reading


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def _read_source(path: Path, sheet: str | None) -> tuple[Any, bool, str, list[str]]:
    """(frame, is_table, format, warnings) for any supported file."""
    suffix = path.suffix.lower()
    if not path.exists():
        from .errors import LayerNotFoundError

        raise LayerNotFoundError(f"{path}: file not found")
    if suffix in VECTOR_SUFFIXES:
        vf = read_vector(path, sheet)
        if vf.frame.empty:
            raise InputError(f"{path}: the file holds no features")
        return vf.frame, False, vf.format, vf.warnings
    if suffix in TABLE_SUFFIXES or suffix == "":
        df = read_table(path, sheet=sheet)
        enc = df.attrs.get("encoding", "")
        fmt = "Excel" if suffix in EXCEL_SUFFIXES else f"CSV, {enc}"
        return df, True, fmt, []
    raise InputError(
        f"{path}: unsupported file type {suffix!r}; use CSV, Excel (.xlsx), GeoJSON, "
        "GeoPackage (.gpkg), Shapefile (.shp or zipped .zip) or KML"
    )


# --------------------------------------------------------------------------- CRS


#: --crs names planners use besides those of :func:`gis.crs.normalize_crs`.
_CRS_WORDS = {
    "高德": "gcj02",
    "腾讯": "gcj02",
    "火星": "gcj02",
    "火星坐标": "gcj02",
    "百度": "bd09",
    "国家2000": "cgcs2000",
    "2000坐标系": "cgcs2000",
}


def _key(crs: str | None) -> str | None:
    """``--crs`` as a key: wgs84, cgcs2000, gcj02, bd09 or EPSG:n (EPSG:4490 is wgs84).

    >>> [_key(c) for c in ("GCJ-02", "高德", "百度", "4547", "epsg:4547", "cgcs2000")]
    ['gcj02', 'gcj02', 'bd09', 'EPSG:4547', 'EPSG:4547', 'cgcs2000']
    """
    if crs is None or not str(crs).strip():
        return None
    text = str(crs).strip()
    text = _CRS_WORDS.get(text, text)
    if text.isdigit():
        text = f"EPSG:{text}"
    key = normalize_crs(text)
    return "wgs84" if key in ("EPSG:4326", "EPSG:4490") else key


def _hinted_crs(path: Path, columns: list[str]) -> str | None:
    text = (path.name + " " + " ".join(columns)).lower()
    for key, words in _HINTS.items():
        if any(w in text for w in words):
            return key
    return None


#: Readings of raw lon/lat tried by the shift check, and how to take each to WGS84.
_READINGS = ("wgs84", "gcj02", "bd09")


def _fit_counts(
    lon: np.ndarray, lat: np.ndarray, stated: list[str | None], districts: Any, city: Any
) -> dict[str, Any]:
    """How well raw lon/lat fit when read as WGS84, GCJ-02 or BD-09: the points inside their
    stated district (``measure`` = ``district``) where a district column exists, else the
    points inside Wuhan (``measure`` = ``city``). Keys: each reading, ``n``, ``measure``."""
    import shapely

    counts: dict[str, Any] = {}
    polys = (
        dict(zip(districts["adcode"].astype(str), districts.geometry.values))
        if districts is not None
        else {}
    )
    idx = [i for i, s in enumerate(stated) if s in polys]
    if idx:
        x0, y0 = lon[idx], lat[idx]
        codes = np.array([stated[i] for i in idx], dtype=object)
        for key in _READINGS:
            x, y = points_to_wgs84(x0, y0, key)
            counts[key] = sum(
                int(shapely.contains_xy(polys[c], x[codes == c], y[codes == c]).sum())
                for c in set(codes)
            )
        counts.update(n=len(idx), measure="district")
        return counts
    if city is None or city.empty or not len(lon):
        return {}
    outline = shapely.union_all(city.geometry.values)
    for key in _READINGS:
        x, y = points_to_wgs84(lon, lat, key)
        counts[key] = int(shapely.contains_xy(outline, x, y).sum())
    counts.update(n=len(lon), measure="city")
    return counts


def _shift_verdict(counts: dict[str, Any], key: str) -> str | None:
    """The reading (wgs84, gcj02 or bd09) that fits clearly better than ``key``, or None."""
    if not counts or key not in _READINGS:
        return None
    best = max((k for k in _READINGS if k != key), key=lambda k: counts[k])
    gain = counts[best] - counts[key]
    if gain >= max(2, math.ceil(SHIFT_MARGIN * counts["n"])):
        return best
    return None


# --------------------------------------------------------------------------- validation


def _text(v: Any) -> str:
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
_HEMISPHERE = re.compile(r"^(东经|北纬|西经|南纬|[ENWS])?\s*(.*?)\s*([ENWS])?$", re.IGNORECASE)


@functools.lru_cache(maxsize=4096)
def _match_district(text: str) -> str | None:
    """:func:`gis.districts.match_district`, also for 湖北省武汉市江汉区, 东湖高新 (the short
    form without 区) and 420106.0 (an adcode written by a tool as a float).

    >>> [_match_district(t) for t in ("湖北省武汉市江汉区", "东湖高新", "420106.0", "武昌县")]
    ['420103', 'fz_donghu_hitech', '420106', None]
    """
    t = re.sub(r"^(\d{6})\.0+$", r"\1", text.strip())
    t = re.sub(r"^湖北省\s*", "", t)
    return match_district(t) or (match_district(t + "区") if t and not t.endswith("区") else None)


def _number(text: str) -> float | None:
    """Decimal degrees of a coordinate cell, or None when it is not one.

    Accepts decimal degrees, also in full-width characters or with a space by the point
    (as typed with a Chinese input method), a trailing °, a hemisphere (E114.3, 东经114.3)
    and degrees-minutes-seconds as GPS apps and 奥维 show them.

    >>> [_number(t) for t in ("114.3055", "１１４．３０５５", "114. 3055", "E114.3055°")]
    [114.3055, 114.3055, 114.3055, 114.3055]
    >>> round(_number("114°18′19.8″"), 6), round(_number("30度35分34秒"), 6)
    (114.3055, 30.592778)
    >>> _number("114 30"), _number("114°75'"), _number("abc")
    (None, None, None)
    """
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


def _projection_hint(x0: float, x1: float) -> str:
    """The likely projection of Wuhan eastings without a .prj, as a --crs suggestion.

    >>> _projection_hint(38499845, 38558425)
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


def row_ceiling(info: LayerInfo) -> int:
    """Most rows an import takes without ``--force``: :data:`gis.settings.IMPORT_REFUSE_FACTOR`
    times the count the catalog expects (at least :data:`gis.settings.IMPORT_MIN_CEILING`),
    or :data:`gis.settings.IMPORT_MAX_ROWS` for a layer without an expected count."""
    if info.expected is None:
        return IMPORT_MAX_ROWS
    return max(IMPORT_REFUSE_FACTOR * info.expected, IMPORT_MIN_CEILING)


def _check_count(p: Path, info: LayerInfo, n: int, force: bool, report: ImportReport) -> None:
    exp = info.expected
    what = f"layer {info.id!r} expects {exp} (layers/catalog.toml)" if exp else ""
    if n > row_ceiling(info) and not force:
        raise InputError(
            f"{p}: {n:,} rows/features, far more than "
            + (what if exp else f"the {IMPORT_MAX_ROWS:,} a plan layer holds")
            + "; is this the right file (a register of firms rather than the list of "
            f"{info.title_zh})? Import it with --force if it is"
        )
    if exp and n > IMPORT_WARN_FACTOR * exp:
        report.warnings.append(
            f"{p}: {n:,} rows/features, but {what}; check that this is the right list "
            "(maps with many points get slow and large)"
        )


def _layer_frames(info: LayerInfo, catalog: Catalog) -> tuple[Any, Any]:
    from .layers import read_layer

    city = read_layer("city", catalog) if "city" in catalog else None
    districts = read_layer("districts", catalog) if "districts" in catalog else None
    return city, districts


def read_import(
    layer_id: str,
    path: str | Path,
    *,
    crs: str | None = None,
    sheet: str | None = None,
    precision: str | None = None,
    accept_mismatch: bool = False,
    force: bool = False,
    catalog: Catalog | None = None,
) -> ImportResult:
    """Read and validate ``path`` for ``layer_id`` without writing anything.

    ``crs``: the coordinates' system (``wgs84``, ``cgcs2000``, ``gcj02``, ``bd09`` or
    ``EPSG:n``); default: the file's own CRS (``.prj``, GeoPackage), else WGS84 with a
    shift check. ``sheet``: Excel sheet or GeoPackage layer. ``precision``: the precision
    class for every feature (default ``official``, or ``converted`` after a GCJ-02/BD-09
    conversion). File-level problems raise :class:`InputError`; row problems are collected
    in ``report.rejected``.

    Points outside their stated district (所在区), and files whose points fit GCJ-02, BD-09
    or WGS84 clearly better than the datum they are read in, are refused; with
    ``accept_mismatch`` they are imported as ``indicative`` with a ``note`` saying why. A
    file far longer than the layer's expected count (``catalog.toml``) gets a warning, and
    is refused above :func:`row_ceiling` unless ``force``.
    """
    import geopandas as gpd
    import shapely

    cat = catalog or load_catalog()
    info = cat.get_layer(layer_id)
    p = Path(path)
    if info.group != "plan":
        # the plan-layer schema would replace e.g. the districts' adcode key and break them
        plan = ", ".join(k for k, v in cat.items() if v.group == "plan")
        raise InputError(
            f"{p}: layer {layer_id!r} is a {info.group} layer, not a plan layer; it is "
            f"built by the scripts in scripts/ and cannot be imported. Import into one of: {plan}"
        )
    declared = _key(crs)
    if precision is not None:
        precision = normalize_precision(precision)
    frame, is_table, fmt, warns = _read_source(p, sheet)
    if is_table and info.geometry not in ("Point", "Mixed"):
        points = ", ".join(
            k for k, v in cat.items() if v.group == "plan" and v.geometry in ("Point", "Mixed")
        )
        raise InputError(
            f"{p}: a table of lon/lat points cannot fill layer {layer_id!r}, which holds "
            f"{info.geometry} features; import a GIS file (GeoJSON, Shapefile, GeoPackage, KML) "
            f"of {info.geometry}s, or the points into a point layer ({points})"
        )
    report = ImportReport(layer_id=layer_id, path=p, format=fmt, output=info.path)
    report.warnings.extend(warns)
    report.rows_read = len(frame)
    _check_count(p, info, len(frame), force, report)
    unit = "row" if is_table else "feature"
    if is_table:
        # read_table's index counts blank lines and title rows as the spreadsheet does
        row_no = [sheet_row(i) for i in frame.index]
    else:
        row_no = list(range(1, len(frame) + 1))
    attrs = frame if is_table else frame.drop(columns=frame.geometry.name)
    cols = _find_columns(attrs)
    if is_table and cols["lon"] and cols["lat"] is None and cols["lonlat"] is None:
        cols["lon"] = None
    _require_columns(p, attrs, cols, is_table, int(frame.attrs.get("header_row", 1)))
    # an id column nobody filled in (KML placemarks carry an empty id field) counts as none
    if cols["id"] and not any(_text(v) for v in attrs[cols["id"]]):
        cols["id"] = None
    used = {c for c in cols.values() if c}
    if fmt in ("KML", "KMZ"):
        used |= set(KML_FIELDS)
    unused = [str(c) for c in attrs.columns if c not in used and any(_text(v) for v in attrs[c])]
    if unused:
        report.warnings.append(f"{p}: column(s) not imported: {', '.join(unused)}")

    # ---- geometry and its CRS
    problems: dict[int, list[RowProblem]] = {}

    def reject(i: int, fld: str, reason: str) -> None:
        problems.setdefault(i, []).append(RowProblem(row_no[i], fld, reason, unit))

    if is_table:
        lon = np.full(len(frame), np.nan)
        lat = np.full(len(frame), np.nan)
        for i, row in enumerate(attrs.itertuples(index=False)):
            d = dict(zip(attrs.columns, row))
            x, y = _coords_of_row(d, cols, lambda f, r, i=i: reject(i, f, r))
            if x is not None and y is not None:
                lon[i], lat[i] = x, y
        file_crs = None
    else:
        file_crs = frame.crs
        geoms = frame.geometry.values
        for i, g in enumerate(geoms):
            if g is None or g.is_empty:
                reject(i, "geometry", "no geometry; draw it or remove the feature")
    if (
        not is_table
        and file_crs is None
        and declared in (None, "wgs84", "cgcs2000", "gcj02", "bd09")
    ):
        x0, y0, x1, y1 = (float(v) for v in frame.total_bounds)
        if max(abs(x0), abs(x1)) > 180 or max(abs(y0), abs(y1)) > 90:
            said = (
                f"--crs {crs} is lon/lat degrees, but"
                if declared
                else "no CRS in the file (no .prj) and"
            )
            raise CRSError(
                f"{p}: {said} the coordinates are not degrees "
                f"(x {x0:.0f}…{x1:.0f}, y {y0:.0f}…{y1:.0f}): declare the projection, "
                f"{_projection_hint(x0, x1)}, or add the .prj"
            )
    coord_cols = [str(cols[k]) for k in ("lon", "lat", "lonlat") if cols[k]]
    key, conv_note = _resolve_crs(p, declared, file_crs, is_table, report, attrs, coord_cols)

    # raw lon/lat sanity before conversion (tables in degrees)
    projected = key.startswith("EPSG:") and not _crs_is_geographic(key)
    if is_table and not projected:
        _check_raw_lonlat(lon, lat, cols, reject)
    # shift detection: points read as WGS84 that fit their districts better shifted
    city, districts = _layer_frames(info, cat)
    stated: list[str | None] = []
    if cols["district"]:
        stated = [_match_district(_text(v)) for v in attrs[cols["district"]].tolist()]
    shift_note = ""
    if key in _READINGS and (districts is not None or city is not None):
        if is_table:
            px, py = lon, lat
        else:
            reps = [
                None if g is None or g.is_empty else g.representative_point()
                for g in frame.geometry.values
            ]
            px = np.array([np.nan if r is None else r.x for r in reps])
            py = np.array([np.nan if r is None else r.y for r in reps])
        ok = np.isfinite(px) & np.isfinite(py)
        in_stated = [s for s, o in zip(stated, ok) if o] if stated else []
        counts = _fit_counts(px[ok], py[ok], in_stated, districts, city)
        shift_note = _judge_shift(p, key, declared, counts, accept_mismatch, report)

    # convert to WGS84
    if is_table:
        good = np.isfinite(lon) & np.isfinite(lat)
        x, y = lon.copy(), lat.copy()
        if key == "gcj02":
            x[good], y[good] = gcj02_to_wgs84(lon[good], lat[good])
        elif key == "bd09":
            x[good], y[good] = bd09_to_wgs84(lon[good], lat[good])
        elif key.startswith("EPSG:"):
            x[good], y[good] = _table_to_wgs84(lon[good], lat[good], key)
            if projected:
                _check_survey_xy(lon, lat, x, y, good, key, cols, reject)
        geoms = np.array(
            [shapely.Point(a, b) if ok else None for a, b, ok in zip(x, y, good)], dtype=object
        )
        gdf = gpd.GeoDataFrame(geometry=list(geoms), crs=STORAGE_CRS)
    else:
        gdf = _vector_to_wgs84(frame, key, p)
    report.crs = conv_note

    # ---- inside Wuhan, geometry type
    if is_table:
        gfield = cols["lonlat"] if not cols["lon"] else f"{cols['lon']}/{cols['lat']}"
        given = [f"given ({a}, {b}) as {key}; " for a, b in zip(lon, lat)]
    else:
        gfield, given = "geometry", [""] * len(frame)
    _check_location(gdf, info, city, reject, problems, str(gfield), given)

    # ---- attributes
    out = _attributes(attrs, cols, info, p, report, reject, problems, row_no)
    # district: fill from location where empty; warn where the point is elsewhere
    unsure: dict[int, str] = {}
    if districts is not None:
        for i, msg in _check_districts(out, gdf, districts, problems, row_no, report):
            fld = str(cols["district"] or "district")
            if accept_mismatch:
                unsure[i] = msg
                report.warnings.append(f"{unit} {row_no[i]}: {fld}: {msg}; accepted as indicative")
            else:
                reject(
                    i,
                    fld,
                    f"{msg}. Fix the coordinates or the {fld} cell; if the whole file is "
                    "GCJ-02 (Amap) or BD-09 (Baidu), import with --crs gcj02|bd09; or pass "
                    "--accept-mismatch to import the row as an indicative (示意) position",
                )
    default = precision or ("converted" if key in ("gcj02", "bd09") else "official")
    out["precision"] = [v or default for v in out["precision"]]
    for i in range(len(out)) if shift_note else ():
        unsure[i] = f"{shift_note}; {unsure[i]}" if i in unsure else shift_note
    for i, why in unsure.items():
        out.loc[i, "precision"] = UNSURE_PRECISION
        old_note = str(out.loc[i, "note"] or "")
        out.loc[i, "note"] = f"{old_note}; {why}" if old_note else why

    keep = [i for i in range(len(frame)) if i not in problems]
    report.rejected = [pr for i in sorted(problems) for pr in problems[i]]
    result = gpd.GeoDataFrame(
        out.iloc[keep].reset_index(drop=True),
        # heights (KML, GPS, CAD exports) are dropped: layers are 2-D lon/lat
        geometry=shapely.force_2d(gdf.geometry.values[np.asarray(keep, dtype=int)]),
        crs=STORAGE_CRS,
    )
    report.imported = len(result)
    return ImportResult(result, report)


def _find_columns(attrs: Any) -> dict[str, str | None]:
    """The column of each schema field; a note in brackets after a header (经度(GCJ02),
    纬度（°）, 名称【必填】) is ignored when the bare header is not found.

    >>> import pandas as pd
    >>> cols = _find_columns(pd.DataFrame(columns=["名称", "经度(GCJ02)", "纬度（GCJ02）"]))
    >>> cols["lon"], cols["lat"]
    ('经度(GCJ02)', '纬度（GCJ02）')
    """
    import pandas as pd

    cols = {k: find_column(attrs, v) for k, v in COLUMNS.items()}
    bare = [_BRACKETS.sub("", str(c)).strip() for c in attrs.columns]
    if bare != [str(c) for c in attrs.columns] and len(set(bare)) == len(bare):
        by_bare = dict(zip(bare, attrs.columns))
        found = {k: find_column(pd.DataFrame(columns=bare), v) for k, v in COLUMNS.items()}
        for k, v in found.items():
            if cols[k] is None and v is not None and by_bare[v] not in cols.values():
                cols[k] = str(by_bare[v])
    return cols


_BRACKETS = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]")


def _require_columns(
    p: Path, attrs: Any, cols: dict[str, str | None], is_table: bool, header_row: int = 1
) -> None:
    missing = []
    if cols["name_zh"] is None:
        missing.append("a name column (名称 / name_zh / name)")
    if is_table and not ((cols["lon"] and cols["lat"]) or cols["lonlat"]):
        missing.append(
            "coordinate columns (经度 and 纬度, or lon and lat, or 经纬度 '114.30,30.59')"
        )
    if missing:
        found = ", ".join(str(c) for c in attrs.columns) or "none"
        problems = [f"add {m}" for m in missing]
        sheets = list(attrs.attrs.get("sheets") or [])
        if len(sheets) > 1:
            # the first sheet of a workbook is often 说明 (notes), the list on another
            problems.append(
                f"or choose the sheet holding the list with --sheet (read: "
                f"{attrs.attrs.get('sheet_name')!r}; the workbook has: {', '.join(sheets)})"
            )
        raise ValidationError(
            f"{p}: missing column(s); "
            + (f"the header (row {header_row}) has: " if is_table else "its fields are: ")
            + found,
            problems,
        )


def _coords_of_row(d: dict[str, Any], cols: dict[str, str | None], reject: Any) -> tuple[Any, Any]:
    if cols["lon"] and cols["lat"]:
        tx, ty = _text(d[cols["lon"]]), _text(d[cols["lat"]])
        fx, fy = cols["lon"], cols["lat"]
    else:
        assert cols["lonlat"] is not None
        t = _text(d[cols["lonlat"]])
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
    x, y = _number(tx), _number(ty)
    if x is None:
        reject(fx, f"{tx!r} is not a number; write decimal degrees such as 114.3055")
    if y is None:
        reject(fy, f"{ty!r} is not a number; write decimal degrees such as 30.5928")
    return x, y


def _check_raw_lonlat(lon: np.ndarray, lat: np.ndarray, cols: dict[str, Any], reject: Any) -> None:
    xmin, ymin, xmax, ymax = WUHAN_BBOX
    fx = cols["lon"] or cols["lonlat"]
    for i, (x, y) in enumerate(zip(lon, lat)):
        if not (np.isfinite(x) and np.isfinite(y)):
            continue
        if xmin <= y <= xmax and ymin <= x <= ymax:
            reject(
                i,
                f"{fx}",
                f"({x}, {y}) has longitude and latitude swapped; longitude (经度, ~114) "
                "goes in the 经度/lon column, latitude (纬度, ~30.6) in 纬度/lat",
            )
            lon[i] = lat[i] = np.nan
        elif abs(x) > 180 or abs(y) > 90:
            reject(
                i,
                f"{fx}",
                f"({x}, {y}) is not in degrees (projected metres?); declare the projection, "
                f"{_projection_hint(min(x, y), max(x, y))}",
            )
            lon[i] = lat[i] = np.nan


def _crs_is_geographic(key: str) -> bool:
    import pyproj

    return bool(pyproj.CRS.from_user_input(key).is_geographic)


def _table_to_wgs84(x: np.ndarray, y: np.ndarray, key: str) -> tuple[np.ndarray, np.ndarray]:
    """Easting/northing (or lon/lat) of an EPSG system to WGS84 lon/lat."""
    import pyproj

    tr = pyproj.Transformer.from_crs(key, STORAGE_CRS, always_xy=True)
    ox, oy = tr.transform(x, y)
    return np.asarray(ox, dtype=float), np.asarray(oy, dtype=float)


def _check_survey_xy(
    ex: np.ndarray,
    ny: np.ndarray,
    lon: np.ndarray,
    lat: np.ndarray,
    good: np.ndarray,
    key: str,
    cols: dict[str, Any],
    reject: Any,
) -> None:
    """Reject rows whose x/y are the surveyors' X (northing) and Y (easting) the other way
    round: in Chinese surveying X is the northing (~3,390,000 m in Wuhan)."""
    xmin, ymin, xmax, ymax = WUHAN_BBOX
    idx = np.flatnonzero(good & ~((lon >= xmin) & (lon <= xmax) & (lat >= ymin) & (lat <= ymax)))
    if not len(idx):
        return
    sx, sy = _table_to_wgs84(ny[idx], ex[idx], key)
    fx = f"{cols['lon']}/{cols['lat']}" if cols["lon"] else str(cols["lonlat"])
    for i, a, b in zip(idx, sx, sy):
        if xmin <= a <= xmax and ymin <= b <= ymax:
            reject(
                int(i),
                fx,
                f"({ex[i]}, {ny[i]}) has easting and northing swapped (in Chinese surveying X "
                "is the northing, ~3,390,000 m in Wuhan, and Y the easting); this tool reads "
                f"{cols['lon'] or 'the first value'} as the easting: swap the two column names",
            )
            lon[i] = lat[i] = np.nan
            good[i] = False


def _resolve_crs(
    p: Path,
    declared: str | None,
    file_crs: Any,
    is_table: bool,
    report: ImportReport,
    attrs: Any,
    coord_cols: list[str],
) -> tuple[str, str]:
    """The key the coordinates are in (wgs84, gcj02, bd09 or EPSG:n) and a note for the report.

    Undeclared coordinates whose own columns are labelled GCJ-02/BD-09 (经度(GCJ02),
    bd_lng, 百度经度 …) are refused: read as WGS84 they would land 500 m to 1 km off.
    """
    hint = _hinted_crs(p, [str(c) for c in attrs.columns])
    coord_hint = _hinted_crs(Path(""), coord_cols) if coord_cols else None
    if declared is None and file_crs is None and coord_hint is not None:
        label = {"gcj02": "GCJ-02 (Amap/Gaode, Tencent)", "bd09": "BD-09 (Baidu)"}[coord_hint]
        raise CRSError(
            f"{p}: the coordinate column(s) {', '.join(coord_cols)} are labelled {label}, "
            f"but no --crs was given; import with --crs {coord_hint} (or --crs wgs84 if "
            "the label is wrong). Nothing written"
        )
    if declared in ("gcj02", "bd09"):
        if file_crs is not None and not file_crs.is_geographic:
            raise CRSError(
                f"{p}: --crs {declared} declared, but the file's CRS is projected "
                f"({file_crs.name}); GCJ-02/BD-09 files hold lon/lat degrees: check --crs"
            )
        return declared, f"{declared} -> WGS84"
    if declared and declared.startswith("EPSG:"):
        if file_crs is not None and file_crs.to_epsg() != int(declared[5:]):
            report.warnings.append(
                f"{p}: the file says {file_crs.name}, --crs says {declared}; using {declared}"
            )
        return declared, f"{declared} -> WGS84"
    if declared in ("wgs84", "cgcs2000"):
        if file_crs is not None and not file_crs.is_geographic:
            raise CRSError(
                f"{p}: --crs {declared} declared, but the file's .prj/CRS is projected "
                f"({file_crs.name}); drop --crs to use the file's CRS"
            )
        return "wgs84", f"{declared} (declared)"
    # not declared
    if hint:
        report.warnings.append(
            f"{p}: the file or column names suggest {hint.upper()} coordinates; "
            f"if so, import with --crs {hint}"
        )
    if file_crs is not None:
        epsg = file_crs.to_epsg()
        if epsg in (4326, 4490) or (file_crs.is_geographic and epsg is None):
            return "wgs84", f"{file_crs.name} (from the file)"
        return f"EPSG:{epsg}" if epsg else file_crs.to_wkt(), f"{file_crs.name} -> WGS84"
    if not is_table:
        report.warnings.append(
            f"{p}: no CRS in the file (no .prj); assumed WGS84 lon/lat. Declare it with "
            "--crs wgs84|cgcs2000|gcj02|bd09|EPSG:n"
        )
    return "wgs84", "WGS84 (assumed; not declared)"


def _judge_shift(
    p: Path,
    key: str,
    declared: str | None,
    counts: dict[str, Any],
    accept: bool,
    report: ImportReport,
) -> str:
    """Refuse a file whose points fit another datum clearly better than the one it is read
    in; with ``accept`` return the note every feature gets instead ('' when it fits)."""
    verdict = _shift_verdict(counts, key)
    if verdict is None:
        return ""
    names = {"wgs84": "WGS84", **DATUM_LABELS}
    where = "their stated district (所在区)" if counts["measure"] == "district" else "Wuhan"
    said = f"declared {names[key]}" if declared else f"read as {names[key]} (no --crs given)"
    fit = (
        f"{said}, {counts[key]} of the {counts['n']} points fall inside {where}; read as "
        f"{names[verdict]}, {counts[verdict]} do"
    )
    if not accept:
        raise CRSError(
            f"{p}: the points look shifted: {fit}. The file is most likely {names[verdict]}: "
            f"import with --crs {verdict}. If you are sure of {names[key]}, check the "
            "coordinates and the 所在区 column, or pass --accept-mismatch to import them as "
            "indicative (示意) positions. Nothing written"
        )
    report.warnings.append(f"{p}: accepted with --accept-mismatch although {fit}")
    return f"position unsure: {fit} (imported with --accept-mismatch)"


def _vector_to_wgs84(frame: Any, key: str, p: Path) -> Any:
    gdf = frame[[frame.geometry.name]].copy()
    if key in ("gcj02", "bd09"):
        gdf = gdf.set_crs(STORAGE_CRS, allow_override=True)
        gdf.geometry = transform_geometries(gdf.geometry.values, key, "wgs84")
        return gdf
    if key == "wgs84":
        return gdf.set_crs(STORAGE_CRS, allow_override=True)
    try:
        if gdf.crs is None or key.startswith("EPSG:"):
            gdf = gdf.set_crs(key, allow_override=True)
        return gdf.to_crs(STORAGE_CRS)
    except Exception as exc:
        raise CRSError(f"{p}: cannot transform from {key} to WGS84 ({exc})") from None


def _check_location(
    gdf: Any,
    info: LayerInfo,
    city: Any,
    reject: Any,
    problems: Any,
    gfield: str,
    given: list[str],
) -> None:
    import geopandas as gpd
    import shapely

    xmin, ymin, xmax, ymax = WUHAN_BBOX
    city_zone = None
    if city is not None and not city.empty:
        metric = gpd.GeoSeries(city.geometry.values, crs=STORAGE_CRS).to_crs(METRIC_CRS)
        city_zone = shapely.union_all(metric.buffer(CITY_TOLERANCE_M).values)
        shapely.prepare(city_zone)
    metric_geoms = gpd.GeoSeries(gdf.geometry.values, crs=STORAGE_CRS).to_crs(METRIC_CRS).values
    in_city = (
        shapely.intersects(city_zone, metric_geoms)
        if city_zone is not None
        else np.ones(len(metric_geoms), dtype=bool)
    )
    for i, g in enumerate(gdf.geometry.values):
        if g is None or g.is_empty or i in problems:
            continue
        gtype = g.geom_type.replace("Multi", "")
        if info.geometry != "Mixed" and gtype != info.geometry:
            reject(
                i,
                "geometry",
                f"{g.geom_type}, but layer {info.id!r} holds {info.geometry} features "
                f"(layers/catalog.toml); import it into a layer of that geometry",
            )
            continue
        if not shapely.is_valid(g):
            reject(i, "geometry", f"invalid ({shapely.is_valid_reason(g)}); repair it in GIS")
            continue
        c = g.representative_point()
        inside_box = xmin <= c.x <= xmax and ymin <= c.y <= ymax
        if not inside_box or (city_zone is not None and not in_city[i]):
            reject(
                i,
                gfield,
                f"{given[i]}({c.x:.6f}, {c.y:.6f}) in WGS84 lies outside Wuhan; check the "
                "coordinates and the declared --crs",
            )


def _attributes(
    attrs: Any,
    cols: dict[str, str | None],
    info: LayerInfo,
    p: Path,
    report: ImportReport,
    reject: Any,
    problems: Any,
    row_no: list[int],
) -> pd.DataFrame:
    import pandas as pd

    file_source = f"{p.name} (sha256:{_sha(p)})"
    records = []
    for i, row in enumerate(attrs.itertuples(index=False)):
        d = dict(zip(attrs.columns, row))
        rec = {k: "" for k in PLAN_FIELDS}
        for fld in ("id", "name_zh", "name_en", "note"):
            if cols[fld]:
                rec[fld] = _text(d[cols[fld]])
        if not cols["id"]:
            rec["id"] = f"{info.id}_{row_no[i]:03d}"
        elif not rec["id"]:
            reject(i, str(cols["id"]), "empty id; give every row a unique id")
        if not rec["name_zh"]:
            reject(i, str(cols["name_zh"]), "empty name; give the feature its name")
        if cols["domains"]:
            try:
                rec["domains"] = join_domains(normalize_domains(_text(d[cols["domains"]])))
            except InputError as exc:
                reject(i, str(cols["domains"]), str(exc))
        if cols["level"]:
            try:
                rec["level"] = normalize_level(_text(d[cols["level"]]))
            except InputError as exc:
                reject(i, str(cols["level"]), str(exc))
        if cols["district"]:
            raw = _text(d[cols["district"]])
            code = _match_district(raw) if raw else ""
            if code is None:
                near = suggest_district(raw)
                hint = f"; did you mean {' / '.join(near)}?" if near else ""
                reject(
                    i,
                    str(cols["district"]),
                    f"unknown district {raw!r}{hint} Use a district name (武昌 / 武昌区 / "
                    "Wuchang) or its adcode (420106)",
                )
            elif code == CITY_ADCODE:
                reject(
                    i,
                    str(cols["district"]),
                    f"{raw!r} is the whole city; name the district the feature lies in",
                )
            else:
                rec["district"] = code or ""
        row_source = _text(d[cols["source"]]) if cols["source"] else ""
        rec["source"] = file_source + (f"; {row_source}" if row_source else "")
        if cols["precision"]:
            raw_p = _text(d[cols["precision"]])
            if raw_p:
                try:
                    rec["precision"] = normalize_precision(raw_p)
                except InputError as exc:
                    reject(i, str(cols["precision"]), str(exc))
        records.append(rec)
    if not cols["id"]:
        report.warnings.append(
            f"{p}: no id column (id / 编号), or an empty one; ids made from the row or "
            f"feature numbers ({records[0]['id'] if records else info.id} …): "
            "they change if the rows are reordered, so add an id column"
        )
    out = pd.DataFrame(records, columns=list(PLAN_FIELDS))
    # duplicate ids: every row involved is rejected, naming the others
    seen: dict[str, list[int]] = {}
    for i, k in enumerate(out["id"]):
        if k:
            seen.setdefault(k, []).append(i)
    for k, rows in seen.items():
        if len(rows) > 1:
            for i in rows:
                others = ", ".join(str(row_no[j]) for j in rows if j != i)
                reject(i, str(cols["id"] or "id"), f"duplicate id {k!r} (also in {others})")
    return out


def _check_districts(
    out: Any,
    gdf: Any,
    districts: Any,
    problems: Any,
    row_no: list[int],
    report: ImportReport,
) -> list[tuple[int, str]]:
    """Fill empty districts from the location; return (row index, message) for
    each point more than :data:`DISTRICT_TOLERANCE_M` outside its stated district."""
    import geopandas as gpd
    import shapely

    metric = gpd.GeoSeries(districts.geometry.values, crs=STORAGE_CRS).to_crs(METRIC_CRS)
    polys = dict(zip(districts["adcode"].astype(str), metric.values))
    geoms = gpd.GeoSeries(gdf.geometry.values, crs=STORAGE_CRS).to_crs(METRIC_CRS).values
    ok = np.array(
        [g is not None and not g.is_empty and i not in problems for i, g in enumerate(geoms)]
    )
    pts = np.array(
        [
            g if not ok[i] or g.geom_type == "Point" else g.representative_point()
            for i, g in enumerate(geoms)
        ],
        dtype=object,
    )
    xs = np.full(len(geoms), np.nan)
    ys = np.full(len(geoms), np.nan)
    xs[ok] = shapely.get_x(pts[ok].astype(object))
    ys[ok] = shapely.get_y(pts[ok].astype(object))
    here = np.full(len(geoms), "", dtype=object)
    for code, poly in polys.items():
        here[(here == "") & shapely.contains_xy(poly, xs, ys)] = code
    stated_all = [str(v) for v in out["district"]]
    names = list(out["name_zh"])
    filled = 0
    mismatches: list[tuple[int, str]] = []
    for i in np.flatnonzero(ok):
        stated = stated_all[i]
        if not stated:
            if here[i]:
                stated_all[i] = here[i]
                filled += 1
            continue
        if stated in polys and here[i] != stated:
            dist = float(shapely.distance(polys[stated], pts[i]))
            if dist > DISTRICT_TOLERANCE_M:
                h = here[i]
                where = f"in {district_name(h)} ({h})" if h else "in no district"
                mismatches.append(
                    (
                        int(i),
                        f"{names[i]}: the point lies {where}, {dist:,.0f} m from the stated "
                        f"{district_name(stated)} ({stated})",
                    )
                )
    out["district"] = stated_all
    if filled:
        report.warnings.append(f"district filled from the location for {filled} feature(s)")
    return mismatches


# --------------------------------------------------------------------------- writing


def import_layer(
    layer_id: str,
    path: str | Path,
    *,
    crs: str | None = None,
    sheet: str | None = None,
    precision: str | None = None,
    skip_invalid: bool = False,
    dry_run: bool = False,
    accept_mismatch: bool = False,
    force: bool = False,
    catalog: Catalog | None = None,
) -> ImportReport:
    """Validate ``path`` and write it as the layer ``layer_id`` (``layers/<file>``).

    Nothing is written when any row is rejected (raises :class:`ImportFailed` listing
    every rejected row), unless ``skip_invalid`` is set: then the valid rows are written
    and the rejected ones are listed in the report. ``dry_run`` validates only. The
    write is atomic; a failed import leaves the previous layer file untouched.
    """
    cat = catalog or load_catalog()
    info = cat.get_layer(layer_id)
    result = read_import(
        layer_id,
        path,
        crs=crs,
        sheet=sheet,
        precision=precision,
        accept_mismatch=accept_mismatch,
        force=force,
        catalog=cat,
    )
    report = result.report
    if report.rejected and not skip_invalid:
        n_rows = len({(r.unit, r.row) for r in report.rejected})
        raise ImportFailed(
            f"{report.path}: {n_rows} of {report.rows_read} {report.rejected[0].unit}(s) "
            f"rejected; nothing written, {info.path} kept as it was. Fix these and import "
            "again (or pass --skip-invalid to import the other rows):",
            [str(r) for r in report.rejected],
            report,
        )
    if result.gdf.empty:
        raise ImportFailed(
            f"{report.path}: no valid features; nothing written, {info.path} kept as it was",
            [str(r) for r in report.rejected],
            report,
        )
    if not dry_run:
        replaced = backup_layer(info)
        write_geojson(result.gdf, info.path, name=layer_id)
        report.written = True
        if replaced is not None:
            report.replaced = replaced.text()
    return report


__all__ = [
    "COLUMNS",
    "ImportFailed",
    "ImportReport",
    "ImportResult",
    "PRECISION_CLASSES",
    "RowProblem",
    "import_layer",
    "read_import",
]
