"""Writing analysis results: CSV tables, GeoPackage or GeoJSON geometry, all atomic.

CSV files are UTF-8 with a BOM so that Excel opens Chinese names correctly, and text that
a spreadsheet would run as a formula is neutralised (:mod:`gis.table_out`).
A GeoPackage (version 1.2, :mod:`gis.vector_out`) holds every frame of a result as a
layer in EPSG:4547 (metres, as analysed), field units in its metadata; GeoJSON files (one
per frame) are WGS84, written by the project's stable writer.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ..crs import reproject
from ..errors import InputError
from ..io import write_geojson
from ..table_out import write_table
from ..vector_out import write_gpkg

if TYPE_CHECKING:
    import geopandas as gpd

FORMATS = ("gpkg", "geojson")


def write_csv(df: pd.DataFrame, path: str | Path) -> Path:
    """``df`` as UTF-8 (BOM) CSV, atomically, formula-like text neutralised
    (:func:`gis.table_out.write_table`)."""
    return write_table(df, path)


def layer_name(title: str) -> str:
    """A file/layer-safe name from a frame title (its English part, lower case).

    >>> layer_name("覆盖范围 Covered area (r = 2 km)")
    'covered_area_r_2_km'
    """
    ascii_part = re.sub(r"[^A-Za-z0-9]+", "_", title).strip("_").lower()
    return ascii_part or "layer"


def write_frames(
    frames: list[tuple[str, gpd.GeoDataFrame]], path: str | Path, fmt: str = "gpkg"
) -> list[Path]:
    """Write ``frames`` to one GeoPackage (a layer each) or to GeoJSON files next to ``path``."""
    if fmt not in FORMATS:
        raise InputError(f"format {fmt!r}: expected one of {FORMATS}")
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "geojson":
        out = []
        for title, gdf in frames:
            target = p.with_name(f"{p.stem}_{layer_name(title)}.geojson")
            write_geojson(reproject(gdf, "EPSG:4326"), target, name=layer_name(title))
            out.append(target)
        return out
    target = p.with_suffix(".gpkg")
    return [write_gpkg([(layer_name(t), gdf) for t, gdf in frames], target)]
