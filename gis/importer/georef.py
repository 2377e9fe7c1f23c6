"""Where an import's coordinates are: the CRS they are in (declared, from the file, or
guessed and checked against the stated districts), their conversion to WGS84 and the
checks of their position (lon/lat swapped, metres, outside Wuhan, outside the stated
district)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..catalog import LayerInfo
from ..crs import (
    DATUM_LABELS,
    LONLAT_OK,
    LONLAT_PROJECTED,
    LONLAT_SWAPPED,
    PIPELINES,
    better_datum,
    hinted_crs,
    is_geographic,
    lonlat_check,
    points_to_wgs84,
    projection_hint,
    reproject,
    to_wgs84,
)
from ..districts import district_name
from ..errors import CRSError
from ..settings import (
    CITY_TOLERANCE_M,
    DISTRICT_TOLERANCE_M,
    METRIC_CRS,
    SHIFT_MARGIN,
    STORAGE_CRS,
)
from .report import ImportReport


def resolve_crs(
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
    hint = hinted_crs(p.name, *attrs.columns)
    coord_hint = hinted_crs(*coord_cols) if coord_cols else None
    if declared is None and file_crs is None and coord_hint is not None:
        label = DATUM_LABELS[coord_hint]
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


def judge_shift(
    p: Path,
    key: str,
    declared: str | None,
    counts: dict[str, Any],
    accept: bool,
    report: ImportReport,
) -> str:
    """Refuse a file whose points fit another datum clearly better than the one it is read
    in; with ``accept`` return the note every feature gets instead ('' when it fits)."""
    verdict = better_datum(counts, key, SHIFT_MARGIN)
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


def vector_to_wgs84(frame: Any, key: str, p: Path) -> Any:
    """The geometry of a vector frame in WGS84; ``key`` from :func:`resolve_crs` (a WKT
    text for a file CRS without an EPSG code: the frame's own CRS is used)."""
    gdf = frame[[frame.geometry.name]].copy()
    known = key in ("wgs84", "cgcs2000", "gcj02", "bd09") or key.startswith("EPSG:")
    try:
        return to_wgs84(gdf, key if known else None)
    except CRSError as exc:
        raise CRSError(f"{p}: {exc}") from None


def representative_xy(frame: Any) -> tuple[np.ndarray, np.ndarray]:
    """A point on each geometry of a vector frame (NaN where there is none)."""
    reps = [
        None if g is None or g.is_empty else g.representative_point() for g in frame.geometry.values
    ]
    x = np.array([np.nan if r is None else r.x for r in reps])
    y = np.array([np.nan if r is None else r.y for r in reps])
    return x, y


def table_points(
    lon: np.ndarray,
    lat: np.ndarray,
    key: str,
    cols: dict[str, Any],
    reject: Any,
    converted: tuple[np.ndarray, np.ndarray] | None = None,
) -> Any:
    """WGS84 points of a table's coordinates in ``key`` (None where a row has none).
    ``converted``: the finite points already converted (``datum_fit``'s ``keep``)."""
    import shapely

    good = np.isfinite(lon) & np.isfinite(lat)
    x, y = lon.copy(), lat.copy()
    if converted is not None and len(converted[0]) == int(good.sum()):
        x[good], y[good] = converted
    else:
        x[good], y[good] = points_to_wgs84(lon[good], lat[good], key)
    if not is_geographic(key):
        check_survey_xy(lon, lat, x, y, good, key, cols, reject)
    pts = np.asarray(shapely.points(x, y), dtype=object)  # at once; no coordinates: None
    pts[~good] = None
    return pts


def check_raw_lonlat(lon: np.ndarray, lat: np.ndarray, cols: dict[str, Any], reject: Any) -> None:
    """Reject rows whose lon/lat are swapped or not degrees (before any conversion)."""
    fx = cols["lon"] or cols["lonlat"]
    kinds = lonlat_check(lon, lat)
    for i in np.flatnonzero(kinds == LONLAT_SWAPPED):
        reject(
            int(i),
            f"{fx}",
            f"({lon[i]}, {lat[i]}) has longitude and latitude swapped; longitude (经度, ~114) "
            "goes in the 经度/lon column, latitude (纬度, ~30.6) in 纬度/lat",
        )
    for i in np.flatnonzero(kinds == LONLAT_PROJECTED):
        x, y = float(lon[i]), float(lat[i])
        reject(
            int(i),
            f"{fx}",
            f"({x}, {y}) is not in degrees (projected metres?); declare the projection, "
            f"{projection_hint(min(x, y), max(x, y))}",
        )
    bad = (kinds == LONLAT_SWAPPED) | (kinds == LONLAT_PROJECTED)
    lon[bad] = lat[bad] = np.nan


def check_survey_xy(
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
    idx = np.flatnonzero(good & (lonlat_check(lon, lat) != LONLAT_OK))
    if not len(idx):
        return
    sx, sy = points_to_wgs84(ny[idx], ex[idx], key)
    fx = f"{cols['lon']}/{cols['lat']}" if cols["lon"] else str(cols["lonlat"])
    for i, swapped_ok in zip(idx, lonlat_check(sx, sy) == LONLAT_OK):
        if swapped_ok:
            reject(
                int(i),
                fx,
                f"({ex[i]}, {ny[i]}) has easting and northing swapped (in Chinese surveying X "
                "is the northing, ~3,390,000 m in Wuhan, and Y the easting); this tool reads "
                f"{cols['lon'] or 'the first value'} as the easting: swap the two column names",
            )
            lon[i] = lat[i] = np.nan
            good[i] = False


#: Geometry type names by shapely type id, "Multi" dropped (as ``geom_type.replace``).
_BASE_TYPES = (
    "Point",
    "LineString",
    "LinearRing",
    "Polygon",
    "Point",
    "LineString",
    "Polygon",
    "GeometryCollection",
)


def check_location(
    gdf: Any,
    info: LayerInfo,
    city: Any,
    reject: Any,
    problems: Any,
    gfield: str,
    given: Any,  # given[i]: the row's input, for the message
) -> Any:
    """Reject geometries of the wrong type, invalid or outside Wuhan; return the geometries
    in :data:`gis.settings.METRIC_CRS` (for :func:`check_districts`)."""
    import geopandas as gpd
    import shapely

    city_zone = None
    if city is not None and not city.empty:
        metric = reproject(gpd.GeoSeries(city.geometry.values, crs=STORAGE_CRS), METRIC_CRS)
        city_zone = shapely.union_all(metric.buffer(CITY_TOLERANCE_M).values)
        shapely.prepare(city_zone)
    arr = np.asarray(gdf.geometry.values, dtype=object)
    metric_geoms: Any = metric_xy(arr)  # points: their coordinates, no new geometries
    if metric_geoms is None:
        metric_geoms = reproject(gpd.GeoSeries(arr, crs=STORAGE_CRS), METRIC_CRS).values
        in_city = (
            shapely.intersects(city_zone, metric_geoms)
            if city_zone is not None
            else np.ones(len(metric_geoms), dtype=bool)
        )
    else:
        in_city = (
            shapely.intersects_xy(city_zone, *metric_geoms)
            if city_zone is not None
            else np.ones(len(arr), dtype=bool)
        )
    # every geometry's type, validity and representative point at once; the loop only reports
    missing = shapely.is_missing(arr) | shapely.is_empty(arr)
    some = ~missing
    valid = np.ones(len(arr), dtype=bool)
    if isinstance(metric_geoms, tuple):  # 2-D points: GEOS finds them valid when finite
        valid[some] = np.isfinite(shapely.get_x(arr[some])) & np.isfinite(shapely.get_y(arr[some]))
    else:
        valid[some] = shapely.is_valid(arr[some])
    rep_x = np.full(len(arr), np.nan)
    rep_y = np.full(len(arr), np.nan)
    ok = some & valid
    # a point is its own representative point
    ok_pt = ok & (shapely.get_type_id(arr) == 0)
    rep_x[ok_pt], rep_y[ok_pt] = shapely.get_x(arr[ok_pt]), shapely.get_y(arr[ok_pt])
    ok_other = ok & ~ok_pt
    reps = shapely.point_on_surface(arr[ok_other])
    rep_x[ok_other], rep_y[ok_other] = shapely.get_x(reps), shapely.get_y(reps)
    kinds = np.full(len(arr), -1)
    kinds[ok] = lonlat_check(rep_x[ok], rep_y[ok])
    # only rows with something to report are visited (the same tests as before, at once)
    tid = np.full(len(arr), -1)
    tid[some] = shapely.get_type_id(arr[some])
    gname = np.array([*_BASE_TYPES, ""], dtype=object)[tid]
    wrong = (gname != info.geometry) if info.geometry != "Mixed" else np.zeros(len(arr), bool)
    outside = kinds != LONLAT_OK
    if city_zone is not None:
        outside |= ~np.asarray(in_city, dtype=bool)
    for i in np.flatnonzero(some & (wrong | ~valid | outside)).tolist():
        if i in problems:
            continue
        g = arr[i]
        gtype = g.geom_type.replace("Multi", "")
        if info.geometry != "Mixed" and gtype != info.geometry:
            reject(
                i,
                "geometry",
                f"{g.geom_type}, but layer {info.id!r} holds {info.geometry} features "
                f"(layers/catalog.toml); import it into a layer of that geometry",
            )
            continue
        if not valid[i]:
            reject(i, "geometry", f"invalid ({shapely.is_valid_reason(g)}); repair it in GIS")
            continue
        inside_box = int(kinds[i]) == LONLAT_OK
        if not inside_box or (city_zone is not None and not in_city[i]):
            reject(
                i,
                gfield,
                f"{given[i]}({rep_x[i]:.6f}, {rep_y[i]:.6f}) in WGS84 lies outside Wuhan; check "
                "the coordinates and the declared --crs",
            )
    return metric_geoms


def metric_xy(geoms: Any) -> tuple[np.ndarray, np.ndarray] | None:
    """The coordinates in :data:`gis.settings.METRIC_CRS` of geometries that are all 2-D
    points (or missing: NaN), transformed as ``GeoSeries.to_crs`` transforms them (the same
    pyproj transformation, so the same bits) without making a geometry of each; None when
    any geometry is something else."""
    import pyproj
    import shapely

    tid = shapely.get_type_id(geoms)
    if not np.all(tid <= 0) or shapely.has_z(geoms).any():
        return None
    some = (tid == 0) & ~shapely.is_empty(geoms)
    x, y = np.full(len(geoms), np.nan), np.full(len(geoms), np.nan)  # missing or empty: NaN
    x[some], y[some] = shapely.get_x(geoms[some]), shapely.get_y(geoms[some])
    src, dst = pyproj.CRS.from_user_input(STORAGE_CRS), pyproj.CRS.from_user_input(METRIC_CRS)
    pipeline = PIPELINES.get((src.to_epsg() or 0, dst.to_epsg() or 0))
    if pipeline is not None:  # as gis.crs.reproject: PROJ's own operation, found at once
        tr = pyproj.Transformer.from_pipeline(pipeline)
    else:  # pragma: no cover - other systems: what to_crs uses
        tr = pyproj.Transformer.from_crs(src, dst, always_xy=True)
    good = np.isfinite(x) & np.isfinite(y)
    mx, my = np.full(len(x), np.nan), np.full(len(x), np.nan)
    if good.any():
        mx[good], my[good] = tr.transform(x[good], y[good])
    return mx, my


def check_districts(
    out: Any,
    gdf: Any,
    districts: Any,
    problems: Any,
    row_no: list[int],
    report: ImportReport,
    metric_geoms: Any = None,
) -> list[tuple[int, str]]:
    """Fill empty districts from the location; return (row index, message) for
    each point more than :data:`gis.settings.DISTRICT_TOLERANCE_M` outside its stated district.
    ``metric_geoms``: ``gdf``'s geometries already in METRIC_CRS (from :func:`check_location`)."""
    import geopandas as gpd
    import shapely

    metric = reproject(gpd.GeoSeries(districts.geometry.values, crs=STORAGE_CRS), METRIC_CRS)
    polys = dict(zip(districts["adcode"].astype(str), metric.values))
    if metric_geoms is None:
        metric_geoms = reproject(
            gpd.GeoSeries(gdf.geometry.values, crs=STORAGE_CRS), METRIC_CRS
        ).values
    if isinstance(metric_geoms, tuple):  # points' metric coordinates (see metric_xy)
        # the missing and empty ones are those of the WGS84 geometries
        geoms = np.asarray(gdf.geometry.values, dtype=object)
        xs, ys = (np.array(v, dtype=float) for v in metric_geoms)
        pts = None
    else:  # a plain array: indexing a GeometryArray element by element is slow
        geoms = np.asarray(metric_geoms, dtype=object)
    ok = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    ok[[i for i in problems if 0 <= i < len(ok)]] = False
    if isinstance(metric_geoms, tuple):
        xs[~ok] = ys[~ok] = np.nan
    else:
        pts = geoms.copy()
        other = ok & (shapely.get_type_id(geoms) != 0)  # not a Point: its representative point
        pts[other] = shapely.point_on_surface(geoms[other])
        xs = np.full(len(geoms), np.nan)
        ys = np.full(len(geoms), np.nan)
        xs[ok] = shapely.get_x(pts[ok].astype(object))
        ys[ok] = shapely.get_y(pts[ok].astype(object))

    def point(i: Any) -> Any:
        """The row's point in METRIC_CRS (made only when a distance is asked for)."""
        return shapely.points(xs[i], ys[i]) if pts is None else pts[i]

    here = np.full(len(geoms), "", dtype=object)
    free = np.ones(len(geoms), dtype=bool)  # the first district containing a point is its own
    for code, poly in polys.items():
        # only the points in the district's bounding box can lie inside it
        x0, y0, x1, y1 = shapely.bounds(poly)
        idx = np.flatnonzero(free & (xs >= x0) & (xs <= x1) & (ys >= y0) & (ys <= y1))
        hit = idx[shapely.contains_xy(poly, xs[idx], ys[idx])]
        here[hit] = code
        free[hit] = False
    stated_all = list(map(str, out["district"].tolist()))
    names = out["name_zh"].tolist()
    # empty districts where a district holds the point: filled at once; the loop below
    # visits only the rows it may report (no district found, or not the stated one)
    stated_arr = np.array(stated_all, dtype=object)
    blank = stated_arr == ""
    fill = ok & blank & (here != "")
    stated_arr[fill] = here[fill]
    stated_all = stated_arr.tolist()
    filled = int(fill.sum())
    beyond: list[str] = []
    mismatches: list[tuple[int, str]] = []
    for i in np.flatnonzero(ok & ~fill & (blank | (here != stated_arr))):
        stated = stated_all[i]
        if not stated:
            if here[i]:
                stated_all[i] = here[i]
                filled += 1
            else:  # just outside the city's edge (accepted within CITY_TOLERANCE_M)
                dists = {c: float(shapely.distance(poly, point(i))) for c, poly in polys.items()}
                near = min(dists, key=dists.__getitem__) if dists else ""
                if near:
                    stated_all[i] = near
                    beyond.append(
                        f"row {row_no[i]} {names[i]}: {dists[near]:,.0f} m outside "
                        f"{district_name(near)} ({near})"
                    )
            continue
        if stated in polys and here[i] != stated:
            dist = float(shapely.distance(polys[stated], point(i)))
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
    if beyond:
        report.warnings.append(
            f"{len(beyond)} feature(s) lie just outside the city boundary (within its "
            "tolerance), in no district; district set to the nearest: "
            + "; ".join(beyond[:10])
            + (f" (+{len(beyond) - 10} more)" if len(beyond) > 10 else "")
        )
    return mismatches
