"""Reading a planner's file for a layer and writing it: the steps of an import in order."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..catalog import Catalog, LayerInfo, load_catalog
from ..crs import DATUMS, datum_fit, is_geographic, parse_crs, projection_hint
from ..districts import match_district
from ..errors import CRSError, InputError, LayerNotFoundError
from ..io import _json_column, write_geojson
from ..layer_schema import normalize_precision
from ..layers import backup_layer, read_layer, remember_written
from ..readers.tables import EXCEL_SUFFIXES, read_table, sheet_row
from ..readers.vector import KML_FIELDS, VECTOR_SUFFIXES, read_vector
from ..settings import (
    IMPORT_MAX_ROWS,
    IMPORT_MIN_CEILING,
    IMPORT_REFUSE_FACTOR,
    IMPORT_WARN_FACTOR,
    STORAGE_CRS,
    UNSURE_PRECISION,
)
from .cells import coords_of_row, plain_coords, text_of
from .columns import find_columns, require_columns
from .georef import (
    check_districts,
    check_location,
    check_raw_lonlat,
    judge_shift,
    representative_xy,
    resolve_crs,
    table_points,
    vector_to_wgs84,
)
from .report import ImportFailed, ImportReport, ImportResult, RowProblem
from .rows import attributes

TABLE_SUFFIXES = (".csv", ".txt", ".tsv", *EXCEL_SUFFIXES)


def read_source(path: Path, sheet: str | None) -> tuple[Any, bool, str, list[str]]:
    """(frame, is_table, format, warnings) for any supported file."""
    suffix = path.suffix.lower()
    if not path.exists():
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


#: How to fix a point outside its stated district (``fld``: the district column).
MISMATCH_FIX = (
    "Fix the coordinates or the {fld} cell; if the whole file is GCJ-02 (Amap) or BD-09 "
    "(Baidu), import with --crs gcj02|bd09; or pass --accept-mismatch to import the row as "
    "an indicative (示意) position"
)


def mark_unsure(out: Any, unsure: dict[int, str]) -> None:
    """Rows accepted with --accept-mismatch: precision lowered, the reason in ``note``."""
    if not unsure:
        return
    # as lists, assigned once: a cell set in an Arrow-backed column copies the column
    precision, notes = out["precision"].tolist(), out["note"].tolist()
    for i, why in unsure.items():  # out's index is 0 … n-1
        precision[i] = UNSURE_PRECISION
        old_note = str(notes[i] or "")
        notes[i] = f"{old_note}; {why}" if old_note else why
    out["precision"], out["note"] = precision, notes


class _Given:
    """``given[i]``: the row's coordinates as read, for messages (made only when asked)."""

    def __init__(self, lon: np.ndarray, lat: np.ndarray, key: str) -> None:
        self.lon, self.lat, self.key = lon, lat, key

    def __getitem__(self, i: int) -> str:
        return f"given ({self.lon[i]}, {self.lat[i]}) as {self.key}; "


def row_ceiling(info: LayerInfo) -> int:
    """Most rows an import takes without ``--force``: :data:`gis.settings.IMPORT_REFUSE_FACTOR`
    times the count the catalog expects (at least :data:`gis.settings.IMPORT_MIN_CEILING`),
    or :data:`gis.settings.IMPORT_MAX_ROWS` for a layer without an expected count."""
    if info.expected is None:
        return IMPORT_MAX_ROWS
    return max(IMPORT_REFUSE_FACTOR * info.expected, IMPORT_MIN_CEILING)


def check_count(p: Path, info: LayerInfo, n: int, force: bool, report: ImportReport) -> None:
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


def layer_frames(catalog: Catalog) -> tuple[Any, Any]:
    """The city outline and the districts (None where the catalog has no such layer)."""
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
    declared = parse_crs(crs)
    if precision is not None:
        precision = normalize_precision(precision)
    frame, is_table, fmt, warns = read_source(p, sheet)
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
    check_count(p, info, len(frame), force, report)
    unit = "row" if is_table else "feature"
    if is_table:
        # read_table's index counts blank lines and title rows as the spreadsheet does
        row_no = (np.asarray(frame.index, dtype=np.int64) + sheet_row(0)).tolist()  # at once
    else:
        row_no = list(range(1, len(frame) + 1))
    attrs = frame if is_table else frame.drop(columns=frame.geometry.name)
    # a GIS file's columns as Python objects once: an Arrow-backed column hands cells out
    # one slow element read at a time (issue 13). A table's text columns stay in Arrow: they
    # are read whole (tolist) or by Arrow, and only the rows read one by one are converted
    if not is_table:
        attrs = attrs.astype({c: object for c in attrs.columns if attrs[c].dtype != object})
    cols = find_columns(attrs)
    if is_table and cols["lon"] and cols["lat"] is None and cols["lonlat"] is None:
        cols["lon"] = None
    require_columns(p, attrs, cols, is_table, int(frame.attrs.get("header_row", 1)))
    # an id column nobody filled in (KML placemarks carry an empty id field) counts as none
    if cols["id"] and not any(text_of(v) for v in attrs[cols["id"]].tolist()):
        cols["id"] = None
    used = {c for c in cols.values() if c}
    if fmt in ("KML", "KMZ"):
        used |= set(KML_FIELDS)
    unused = [
        str(c) for c in attrs.columns if c not in used and any(map(text_of, attrs[c].tolist()))
    ]
    if unused:
        report.warnings.append(f"{p}: column(s) not imported: {', '.join(unused)}")

    # ---- geometry and its CRS
    problems: dict[int, list[RowProblem]] = {}

    def reject(i: int, fld: str, reason: str) -> None:
        problems.setdefault(i, []).append(RowProblem(row_no[i], fld, reason, unit))

    if is_table:
        lon = np.full(len(frame), np.nan)
        lat = np.full(len(frame), np.nan)
        plain = np.zeros(len(frame), dtype=bool)
        if cols["lon"] and cols["lat"]:  # plain decimal cells at once, the rest row by row
            lon, lat, plain = plain_coords(frame[cols["lon"]], frame[cols["lat"]])
            lon[~plain] = lat[~plain] = np.nan
        names = list(attrs.columns)  # a plain list: the Index hands out names slowly
        slow = np.flatnonzero(~plain).tolist()
        rows = attrs.iloc[slow].astype(object)  # Python objects: read cell by cell
        for i, row in zip(slow, rows.itertuples(index=False)):
            d = dict(zip(names, row))
            x, y = coords_of_row(d, cols, lambda f, r, i=i: reject(i, f, r))
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
                f"{projection_hint(x0, x1)}, or add the .prj"
            )
    coord_cols = [str(cols[k]) for k in ("lon", "lat", "lonlat") if cols[k]]
    key, conv_note = resolve_crs(p, declared, file_crs, is_table, report, attrs, coord_cols)

    # raw lon/lat sanity before conversion (tables in degrees)
    projected = key.startswith("EPSG:") and not is_geographic(key)
    if is_table and not projected:
        check_raw_lonlat(lon, lat, cols, reject)
    # shift detection: points read as WGS84 that fit their districts better shifted
    city, districts = layer_frames(cat)
    stated: list[str | None] = []
    if cols["district"]:
        stated = [match_district(text_of(v)) for v in attrs[cols["district"]].tolist()]
    shift_note = ""
    converted: dict[str, Any] = {}  # the table's points already in WGS84, by datum
    if key in DATUMS and (districts is not None or city is not None):
        px, py = (lon, lat) if is_table else representative_xy(frame)
        fit = datum_fit(px, py, stated, districts, city, converted if is_table else None)
        shift_note = judge_shift(p, key, declared, fit, accept_mismatch, report)

    # convert to WGS84
    if is_table:
        pts = table_points(lon, lat, key, cols, reject, converted.get(key))
        gdf = gpd.GeoDataFrame(geometry=pts, crs=STORAGE_CRS)
    else:
        gdf = vector_to_wgs84(frame, key, p)
    report.crs = conv_note

    # ---- inside Wuhan, geometry type
    if is_table:
        gfield = cols["lonlat"] if not cols["lon"] else f"{cols['lon']}/{cols['lat']}"
        given: Any = _Given(lon, lat, key)
    else:
        gfield, given = "geometry", [""] * len(frame)
    metric_geoms = check_location(gdf, info, city, reject, problems, str(gfield), given)

    # ---- attributes
    out = attributes(attrs, cols, info, p, report, reject, problems, row_no)
    # district: fill from location where empty; refuse (or mark) points elsewhere
    unsure: dict[int, str] = {}
    if districts is not None:
        mismatches = check_districts(out, gdf, districts, problems, row_no, report, metric_geoms)
        fld = str(cols["district"] or "district")
        for i, msg in mismatches:
            if accept_mismatch:
                unsure[i] = msg
                report.warnings.append(f"{unit} {row_no[i]}: {fld}: {msg}; accepted as indicative")
            else:
                reject(i, fld, f"{msg}. {MISMATCH_FIX.format(fld=fld)}")
    default = precision or ("converted" if key in ("gcj02", "bd09") else "official")
    out["precision"] = [v or default for v in out["precision"].tolist()]
    for i in range(len(out)) if shift_note else ():
        unsure[i] = f"{shift_note}; {unsure[i]}" if i in unsure else shift_note
    mark_unsure(out, unsure)

    keep = [i for i in range(len(frame)) if i not in problems] if problems else None
    report.rejected = [pr for i in sorted(problems) for pr in problems[i]]
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    if keep is not None:
        out, geoms = out.iloc[keep].reset_index(drop=True), geoms[np.asarray(keep, dtype=int)]
    if (shapely.has_z(geoms) | shapely.has_m(geoms)).any():
        geoms = shapely.force_2d(geoms)  # heights (KML, GPS, CAD exports): layers are 2-D
    result = gpd.GeoDataFrame(out, geometry=geoms, crs=STORAGE_CRS)
    report.imported = len(result)
    return ImportResult(result, report)


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
        gdf = result.gdf
        # the sources as written (missing values as null), for the next import's backup
        sources = _json_column(gdf["source"]) if "source" in gdf.columns else [None] * len(gdf)
        remember_written(info, len(gdf), sources)
        report.written = True
        if replaced is not None:
            report.replaced = replaced.text()
    return report
