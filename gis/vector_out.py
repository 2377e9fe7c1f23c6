"""Writing GeoPackages that open cleanly in QGIS and in older GDAL, atomically.

* **Version 1.2.** GDAL 3.8+ writes GeoPackage 1.4 by default, which GDAL 3.6 (Debian 12
  and many QGIS installs) opens with the warning "This version of GeoPackage … may only be
  partially supported". Every GeoPackage here is created with ``VERSION=1.2``.
* **Field metadata.** Units, years and sources of fields go into the standard
  ``gpkg_data_columns`` table (GeoPackage schema extension): ``title`` is the label with its
  unit (``GDP 2023(亿元)``), ``description`` says where the figure comes from. QGIS and
  GDAL 3.7+ show the title as the field's alias.
* **Atomic.** GDAL writes into a private temporary folder; the finished file is then copied
  next to the target and renamed over it (:func:`gis.io.atomic_write`), so a full disk or a
  read-only folder gives one clear error and leaves the previous file as it was.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import sqlite3
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import InputError, OutputError
from .io import atomic_write, describe_os_error

if TYPE_CHECKING:
    import geopandas as gpd

#: GeoPackage version written: read without warning by GDAL 3.6 and QGIS 3.28.
GPKG_VERSION = "1.2"
#: Units of analysis fields, by the end of their name (metadata "where it fits").
SUFFIX_UNITS = (("_km2", "km²"), ("_pct", "%"), ("_km", "km"), ("_m", "m"))

#: ``FieldNotes``: layer -> column -> (title, description).
FieldNotes = Mapping[str, Mapping[str, tuple[str, str]]]

_DATA_COLUMNS_SQL = (
    "CREATE TABLE IF NOT EXISTS gpkg_data_columns (table_name TEXT NOT NULL, "
    "column_name TEXT NOT NULL, name TEXT, title TEXT, description TEXT, mime_type TEXT, "
    "constraint_name TEXT, CONSTRAINT pk_gdc PRIMARY KEY (table_name, column_name), "
    "CONSTRAINT gdc_tn UNIQUE (table_name, name))",
    "CREATE TABLE IF NOT EXISTS gpkg_data_column_constraints (constraint_name TEXT NOT NULL, "
    "constraint_type TEXT NOT NULL, value TEXT, min NUMERIC, min_is_inclusive BOOLEAN, "
    "max NUMERIC, max_is_inclusive BOOLEAN, description TEXT, "
    "CONSTRAINT gdcc_ntv UNIQUE (constraint_name, constraint_type, value))",
)
_SCHEMA_EXT = ("gpkg_schema", "http://www.geopackage.org/spec/#extension_schema", "read-write")
#: GDAL messages of a write that failed because of the environment, not of the data.
_ENV_WORDS = re.compile(
    r"no space|disk full|permission|read-only|file too large|quota|i/o error", re.IGNORECASE
)


def unit_notes(gdf: gpd.GeoDataFrame) -> dict[str, tuple[str, str]]:
    """Field notes from the units in column names: ``covered_km2`` -> ("covered_km2 (km²)", …)."""
    notes = {}
    for col in gdf.columns:
        if col == gdf.geometry.name:
            continue
        for suffix, unit in SUFFIX_UNITS:
            if str(col).endswith(suffix):
                notes[str(col)] = (f"{col} ({unit})", f"unit: {unit}")
                break
    return notes


def _environment_fault(folder: Path, message: str) -> str | None:
    """Why GDAL failed to write into ``folder`` if the environment is the cause, else None.

    GDAL's text rarely says "disk full" (a full disk or a file-size limit shows up as
    "Failed to commit transaction" or a missing table), so the folder is probed: writing
    twice what GDAL had written (and at least 1 MB) fails the same way if space or a
    size limit is the cause.
    """
    if _ENV_WORDS.search(message):
        return " ".join(message.split())

    written = sum(f.stat().st_size for f in folder.iterdir() if f.is_file())
    probe = folder / "probe.bin"
    chunk = b"\0" * (1 << 16)
    try:
        with open(probe, "wb") as fh:
            for _ in range(max(16, 2 * written // len(chunk) + 1)):
                fh.write(chunk)
            fh.flush()
            os.fsync(fh.fileno())
    except OSError as exc:
        return describe_os_error(exc)
    finally:
        probe.unlink(missing_ok=True)
    return None


def _text_or_null(v: Any) -> Any:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    return v if isinstance(v, str) else str(v)


def _prepared(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Object columns as text (missing values stay NULL, not the text 'None')."""
    frame = gdf.copy()
    for col in frame.columns:
        if col != frame.geometry.name and frame[col].dtype == object:
            frame[col] = frame[col].map(_text_or_null)
    return frame


def _write_notes(path: Path, notes: FieldNotes) -> None:
    rows = [
        (layer, col, col, title, desc)
        for layer, cols in notes.items()
        for col, (title, desc) in cols.items()
    ]
    if not rows:
        return
    con = sqlite3.connect(path)
    try:
        with con:
            for sql in _DATA_COLUMNS_SQL:
                con.execute(sql)
            for table in ("gpkg_data_columns", "gpkg_data_column_constraints"):
                exists = con.execute(
                    "SELECT 1 FROM gpkg_extensions WHERE table_name = ? AND extension_name = ?",
                    (table, _SCHEMA_EXT[0]),
                ).fetchone()
                if not exists:
                    con.execute(
                        "INSERT INTO gpkg_extensions (table_name, column_name, extension_name, "
                        "definition, scope) VALUES (?, NULL, ?, ?, ?)",
                        (table, *_SCHEMA_EXT),
                    )
            con.executemany(
                "INSERT OR REPLACE INTO gpkg_data_columns (table_name, column_name, name, "
                "title, description) VALUES (?, ?, ?, ?, ?)",
                rows,
            )
    finally:
        con.close()


def write_gpkg(
    layers: Sequence[tuple[str, gpd.GeoDataFrame]],
    path: str | os.PathLike[str],
    *,
    notes: FieldNotes | None = None,
) -> Path:
    """Write ``layers`` (name, frame) to one GeoPackage 1.2 at ``path``, atomically.

    Empty frames are left out; if all are empty, :class:`InputError`. ``notes`` gives the
    field metadata (title with unit, description) per layer and column; columns whose
    name ends in ``_km2``, ``_pct``, ``_km`` or ``_m`` get their unit automatically.
    """
    target = Path(path)
    if target.is_dir():
        raise OutputError(f"{target}: cannot write: it is a folder; give a file name")
    todo = [(name, gdf) for name, gdf in layers if not gdf.empty]
    if not todo:
        raise InputError(f"{target}: nothing to write, every result layer is empty")
    with tempfile.TemporaryDirectory(prefix="clustermap-gpkg-") as tmpdir:
        tmp = Path(tmpdir) / "out.gpkg"
        all_notes: dict[str, dict[str, tuple[str, str]]] = {}
        for k, (name, gdf) in enumerate(todo):
            opts = {"VERSION": GPKG_VERSION} if k == 0 else {}
            try:
                _prepared(gdf).to_file(tmp, layer=name, driver="GPKG", engine="pyogrio", **opts)
            except Exception as exc:  # pyogrio's DataSourceError etc. carry GDAL's text
                cause = _environment_fault(Path(tmpdir), str(exc))
                if cause:
                    raise OutputError(
                        f"{target}: cannot write the GeoPackage (working copy in "
                        f"{tmpdir}): {cause}; nothing was changed there"
                    ) from exc
                raise
            layer_notes = unit_notes(gdf)
            layer_notes.update((notes or {}).get(name, {}))
            if layer_notes:
                all_notes[name] = layer_notes
        _write_notes(tmp, all_notes)
        with open(tmp, "rb") as src, atomic_write(target, "wb") as fh:
            shutil.copyfileobj(src, fh)
    return target
