"""One reader for the vector files planners bring: Shapefile (zipped or not), GeoPackage,
GeoJSON, KML/KMZ (every folder).

A damaged file is a file error naming the file and the fix, never a row problem: a
shapefile's parts are checked against each other before GDAL reads them (a ``.shp`` cut
short, a ``.shx`` or ``.dbf`` missing, cut short or from another file), and GDAL's own
text ("prefix the path with <DRIVER>:") is translated into plain words.

>>> gdal_message("'/x/a.shp' not recognized as being in a supported file format.; It might "
...     "help to specify the correct driver explicitly by prefixing the file path with "
...     "'<DRIVER>:', e.g. 'CSV:path'.")
'not a file GDAL can read (damaged, or not the format its name says)'
"""

from __future__ import annotations

import re
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError, LayerNotFoundError

#: File types this reader takes.
VECTOR_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".zip", ".kml", ".kmz", ".fgb")
#: Fields GDAL's KML drivers add to every placemark (not the planner's data).
KML_FIELDS = (
    "timestamp",
    "begin",
    "end",
    "altitudeMode",
    "tessellate",
    "extrude",
    "visibility",
    "drawOrder",
    "icon",
    "snippet",
)
FORMATS = {
    ".geojson": "GeoJSON",
    ".json": "GeoJSON",
    ".gpkg": "GeoPackage",
    ".shp": "Shapefile",
    ".kml": "KML",
    ".kmz": "KMZ",
    ".zip": "zipped",
    ".fgb": "FlatGeobuf",
}
_EXPORT_AGAIN = "export it again from the GIS software (or copy it again: it may have been cut off)"


@dataclass
class VectorFile:
    """What :func:`read_vector` read: the frame (its own CRS), format name and notes."""

    frame: Any
    format: str
    warnings: list[str] = field(default_factory=list)


def gdal_message(exc: object) -> str:
    """GDAL/pyogrio error text in plain words (no "<DRIVER>:" advice, no doubled path)."""
    text = str(exc)
    if "not recognized as" in text and "supported file format" in text:
        return "not a file GDAL can read (damaged, or not the format its name says)"
    text = re.sub(r"\s*;?\s*It might help to specify the correct driver.*$", "", text, flags=re.S)
    text = re.sub(r"^'[^']*'\s*", "", text).strip().rstrip(".")
    if re.search(r"fread|failed to read|Success\.?$|corrupt|truncat", text, re.I):
        return f"the file is damaged ({text})"
    return text


# --------------------------------------------------------------------------- shapefiles


def _shapefile_problem(
    shp_size: int, shp_head: bytes, shx: bytes | None, dbf_size: int | None, dbf_head: bytes
) -> str | None:
    """Why a shapefile's parts do not fit together, or None when they do."""
    if shp_size < 100 or struct.unpack(">i", shp_head[:4])[0] != 9994:
        return "the .shp is not a shapefile (no shapefile header)"
    declared = struct.unpack(">i", shp_head[24:28])[0] * 2
    if shp_size < declared:
        return (
            f"the .shp is cut short: its header says {declared:,} bytes, the file has {shp_size:,}"
        )
    n_shx = None
    if shx is not None:
        if len(shx) < 100 or struct.unpack(">i", shx[:4])[0] != 9994:
            return "the .shx (index) is not a shapefile index"
        shx_len = struct.unpack(">i", shx[24:28])[0] * 2
        if len(shx) < shx_len:
            return f"the .shx (index) is cut short ({len(shx):,} of {shx_len:,} bytes)"
        n_shx = (shx_len - 100) // 8
        for k in range(n_shx):
            off, length = struct.unpack(">ii", shx[100 + 8 * k : 108 + 8 * k])
            if off * 2 + 8 + length * 2 > shp_size:
                return (
                    f"the .shx (index) points past the end of the .shp at record {k + 1}: "
                    "the .shp is cut short or the .shx belongs to another file"
                )
    if dbf_size is not None:
        if dbf_size < 32 or len(dbf_head) < 12:
            return "the .dbf (attribute table) is cut short (no header)"
        n_dbf, head_len, rec_len = struct.unpack("<IHH", dbf_head[4:12])
        need = head_len + n_dbf * rec_len
        if dbf_size < need:
            return (
                f"the .dbf (attribute table) is cut short: {n_dbf} records need {need:,} bytes, "
                f"the file has {dbf_size:,}"
            )
        if n_shx is not None and n_dbf != n_shx:
            return (
                f"the .dbf (attribute table) has {n_dbf} records but the .shp/.shx "
                f"{n_shx} shapes: the parts come from different files"
            )
    return None


def check_shapefile(path: Path) -> None:
    """Refuse a shapefile whose parts are missing, cut short or mismatched (a file error)."""
    stem = path.with_suffix("")
    parts = {p.suffix.lower(): p for p in path.parent.glob(stem.name + ".*")}
    missing = [ext for ext in (".dbf", ".shx") if ext not in parts]
    if missing:
        what = {".dbf": "attribute table", ".shx": "index"}
        listed = ", ".join(f"{m} ({what[m]})" for m in missing)
        raise InputError(
            f"{path}: the shapefile is missing {listed}; a shapefile is several files "
            f"({stem.name}.shp, .shx, .dbf and usually .prj, .cpg): copy them all together, "
            "or zip them and import the .zip"
        )
    with path.open("rb") as fh:
        head = fh.read(100)
    with parts[".dbf"].open("rb") as fh:
        dbf_head = fh.read(32)
    problem = _shapefile_problem(
        path.stat().st_size,
        head,
        parts[".shx"].read_bytes(),
        parts[".dbf"].stat().st_size,
        dbf_head,
    )
    if problem:
        raise InputError(f"{path}: {problem}; {_EXPORT_AGAIN}")


def _check_zipped_shapefile(path: Path, zf: zipfile.ZipFile, member: str) -> None:
    base = member[:-4]
    names = {n.lower(): n for n in zf.namelist()}
    shx, dbf = names.get(base.lower() + ".shx"), names.get(base.lower() + ".dbf")
    if shx is None or dbf is None:
        missing = [e for e, n in ((".dbf", dbf), (".shx", shx)) if n is None]
        raise InputError(
            f"{path}: {member} in the zip has no {' or '.join(missing)} beside it; "
            "zip every part of the shapefile (.shp, .shx, .dbf, .prj, .cpg)"
        )
    try:
        with zf.open(member) as fh:
            head = fh.read(100)
        with zf.open(dbf) as fh:
            dbf_head = fh.read(32)
        problem = _shapefile_problem(
            zf.getinfo(member).file_size, head, zf.read(shx), zf.getinfo(dbf).file_size, dbf_head
        )
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise InputError(
            f"{path}: the zip archive is damaged ({exc}); zip the files again"
        ) from None
    if problem:
        raise InputError(f"{path}: {member} in the zip: {problem}; {_EXPORT_AGAIN}")


def zip_member(path: Path) -> str:
    """The one layer file inside a zip (shapefile, GeoJSON, GeoPackage or KML), checked."""
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            # macOS adds __MACOSX/._name copies of every file: resource forks, not layers
            names = [
                n for n in names if not n.startswith("__MACOSX/") and n.split("/")[-1][:2] != "._"
            ]
            shps = [n for n in names if n.lower().endswith(".shp")]
            others = [n for n in names if n.lower().endswith((".geojson", ".gpkg", ".kml"))]
            if len(shps) + len(others) == 0:
                raise InputError(
                    f"{path}: the zip holds no shapefile (.shp), GeoJSON, GeoPackage or KML; "
                    f"it holds: {', '.join(names[:10]) or 'nothing'}"
                )
            if len(shps) + len(others) > 1:
                raise InputError(
                    f"{path}: the zip holds several layers ({', '.join(shps + others)}); "
                    "zip one layer per file"
                )
            if shps:
                _check_zipped_shapefile(path, zf, shps[0])
                return shps[0]
            return others[0]
    except zipfile.BadZipFile:
        raise InputError(f"{path}: not a readable zip archive") from None


# --------------------------------------------------------------------------- reading


def _read(target: str, path: Path, fmt: str, **kwargs: Any) -> Any:
    import geopandas as gpd

    try:
        return gpd.read_file(target, engine="pyogrio", **kwargs)
    except UnicodeDecodeError:
        raise
    except RecursionError:
        raise InputError(f"{path}: nested too deeply to be {fmt}; {_EXPORT_AGAIN}") from None
    except Exception as exc:  # pyogrio DataSourceError/DataLayerError carry GDAL's text
        raise InputError(
            f"{path}: cannot read it as {fmt}: {gdal_message(exc)}; {_EXPORT_AGAIN}"
        ) from None


def _list_layers(target: str, path: Path, fmt: str) -> list[str]:
    import pyogrio

    try:
        return [str(n) for n in pyogrio.list_layers(target)[:, 0]]
    except Exception as exc:
        raise InputError(
            f"{path}: cannot read it as {fmt}: {gdal_message(exc)}; {_EXPORT_AGAIN}"
        ) from None


def read_vector(path: str | Path, layer: str | None = None) -> VectorFile:
    """Read a vector file (its own CRS kept) with every fault as an error naming the file.

    ``layer`` picks a GeoPackage layer or KML folder (default: the first GeoPackage layer,
    every KML folder).
    """
    p = Path(path)
    if not p.exists():
        raise LayerNotFoundError(f"{p}: file not found")
    suffix = p.suffix.lower()
    if suffix not in FORMATS:
        raise InputError(
            f"{p}: unsupported file type {suffix!r}; use GeoJSON, GeoPackage (.gpkg), "
            "Shapefile (.shp or zipped .zip) or KML"
        )
    if p.stat().st_size == 0:
        raise InputError(f"{p}: the file is empty")
    fmt = FORMATS[suffix]
    warnings: list[str] = []
    target = str(p)
    has_cpg = True
    if suffix == ".shp":
        check_shapefile(p)
        has_cpg = any(p.parent.glob(p.stem + ".[cC][pP][gG]"))
    elif suffix in (".zip", ".kmz"):
        member = zip_member(p)
        target = f"/vsizip/{p}/{member}"
        if suffix == ".zip":
            fmt = f"zipped {'Shapefile' if member.lower().endswith('.shp') else member}"
        if member.lower().endswith(".shp"):
            with zipfile.ZipFile(p) as zf:
                has_cpg = any(n.lower() == member[:-4].lower() + ".cpg" for n in zf.namelist())
    kwargs: dict[str, Any] = {}
    if layer is not None:
        kwargs["layer"] = layer
    elif suffix == ".gpkg":
        names = _list_layers(target, p, fmt)
        if len(names) > 1:
            kwargs["layer"] = names[0]
            warnings.append(
                f"{p}: {len(names)} layers ({', '.join(names)}); read the first, "
                f"{names[0]!r}; choose another with --sheet NAME"
            )
    elif target.lower().endswith(".kml"):
        # Google Earth / 奥维 folders are layers to GDAL: read them all, in file order
        folders = _list_layers(target, p, fmt)
        if len(folders) > 1:
            return _read_kml_folders(p, target, folders, fmt)
    encodings: list[str | None] = [None] if has_cpg else ["utf-8", "gb18030"]
    last: Exception | None = None
    for enc in encodings:
        try:
            gdf = _read(target, p, fmt, encoding=enc, **kwargs)
            break
        except UnicodeDecodeError as exc:
            last = exc
    else:
        raise InputError(
            f"{p}: the attribute table (.dbf) is neither UTF-8 nor GBK ({last}); "
            "add a .cpg file naming its encoding"
        )
    if not has_cpg:
        warnings.append(f"{p}: no .cpg file; attribute text read as {enc}")
    if gdf.crs is None and _has_prj(p, target):
        raise InputError(
            f"{p}: its .prj is not a coordinate system GDAL can read (damaged, or another "
            "program's text); export the file again with its CRS, or delete the .prj and "
            "declare the CRS (import: --crs EPSG:<code>)"
        )
    return VectorFile(gdf, fmt, warnings)


def _has_prj(p: Path, target: str) -> bool:
    """Whether a shapefile (plain or zipped) comes with a .prj beside it."""
    if target.lower().endswith(".shp") and not target.startswith("/vsizip/"):
        return any(p.parent.glob(p.stem + ".[pP][rR][jJ]"))
    if target.startswith("/vsizip/") and target.lower().endswith(".shp"):
        base = target[len(f"/vsizip/{p}/") : -4].lower()
        with zipfile.ZipFile(p) as zf:
            return any(n.lower() == base + ".prj" for n in zf.namelist())
    return False


def _read_kml_folders(path: Path, target: str, folders: list[str], fmt: str) -> VectorFile:
    """Every folder of a KML file as one frame (feature numbers run on across folders)."""
    import geopandas as gpd
    import pandas as pd

    parts, counts = [], []
    for name in folders:
        part = _read(target, path, f"{fmt} (folder {name!r})", layer=name)
        counts.append(f"{name} {len(part)}")
        if len(part):
            parts.append(part)
    if not parts:
        raise InputError(f"{path}: the file holds no features")
    gdf = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=parts[0].crs)
    note = (
        f"{path}: read {len(gdf)} placemark(s) from {len(folders)} folders "
        f"({', '.join(counts)}); features are numbered in that order"
    )
    return VectorFile(gdf, fmt, [note])
