"""Reading, listing and validating the catalog's layers.

>>> districts = read_layer("districts")
>>> len(districts)
13
>>> status = layer_status().set_index("id")
>>> int(status.loc["districts", "loaded"]), int(status.loc["districts", "expected"])
(13, 13)
>>> status.loc["districts", "status"]
'complete'
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pandas as pd

from .catalog import Catalog, LayerInfo, load_catalog
from .errors import GisError, LayerNotFoundError
from .io import PRECISION_CLASSES, read_geojson

if TYPE_CHECKING:
    import geopandas as gpd

#: Fields every feature of every layer must carry.
COMMON_FIELDS = ("source", "precision")


def read_layer(layer_id: str, catalog: Catalog | None = None) -> gpd.GeoDataFrame:
    """The layer's features as a GeoDataFrame in EPSG:4326 (empty if its file is absent)."""
    cat = catalog or load_catalog()
    info = cat.get_layer(layer_id)
    if not info.path.exists():
        import geopandas as gpd

        return gpd.GeoDataFrame({info.key: []}, geometry=[], crs="EPSG:4326")
    return read_geojson(info.path, key=info.key)


def _count_features(info: LayerInfo) -> int | None:
    """Features in the layer file: 0 when absent, None when the file cannot be read."""
    if not info.path.exists():
        return 0
    try:
        features = json.loads(info.path.read_text(encoding="utf-8")).get("features")
    except (ValueError, AttributeError):
        return None
    return len(features) if isinstance(features, list) else None


def layer_status(catalog: Catalog | None = None) -> pd.DataFrame:
    """One row a layer: id, title, loaded and expected counts, a status message, sources."""
    cat = catalog or load_catalog()
    rows = []
    for info in cat.values():
        counted = _count_features(info)
        n = counted or 0
        exp = info.expected
        if not info.path.exists():
            msg = f"file {info.file} absent"
        elif counted is None:
            msg = f"file {info.file} unreadable — run `clustermap layers check` for the details"
        elif exp is not None and n < exp:
            msg = f"{n}/{exp} loaded"
        else:
            msg = "complete" if exp is not None else f"{n} loaded"
        if exp is not None and n < exp:
            msg += f" — load the official list with `clustermap import {info.id} FILE`"
        rows.append(
            {
                "id": info.id,
                "title": info.title,
                "loaded": n,
                "expected": exp,
                "status": msg,
                "precision": info.precision,
                "sources": "; ".join(info.sources),
                "license": info.license,
            }
        )
    return pd.DataFrame(rows)


def check_layer(info: LayerInfo) -> list[str]:
    """Every problem in one layer file: schema, CRS, geometry validity, ids, sources."""
    import shapely

    if not info.path.exists():
        return []
    try:
        gdf = read_geojson(info.path, key=info.key)
    except (GisError, LayerNotFoundError) as exc:
        return [str(exc)]
    problems: list[str] = []
    where = str(info.path)
    needed = (info.key, *COMMON_FIELDS, *info.fields)
    for col in dict.fromkeys(needed):
        if col not in gdf.columns:
            problems.append(f"{where}: field {col!r} missing from every feature")
    for i, row in enumerate(gdf.itertuples(index=False)):
        d = row._asdict()
        label = f"{where}: feature {i + 1} ({info.key}={d.get(info.key)})"
        geom = d.get("geometry")
        if geom is None or geom.is_empty:
            problems.append(f"{label}: no geometry")
            continue
        gtype = geom.geom_type.replace("Multi", "")
        if info.geometry != "Mixed" and gtype != info.geometry:
            problems.append(f"{label}: geometry {geom.geom_type}, catalog says {info.geometry}")
        if not shapely.is_valid(geom):
            problems.append(f"{label}: invalid geometry ({shapely.is_valid_reason(geom)})")
        for col in COMMON_FIELDS:
            v = d.get(col)  # a property missing from one feature reads as None or NaN
            if col in gdf.columns and (v is None or v != v or not str(v).strip()):
                problems.append(f"{label}: empty {col!r}")
        prec = d.get("precision")
        if prec and prec not in PRECISION_CLASSES:
            problems.append(f"{label}: precision {prec!r}, expected one of {PRECISION_CLASSES}")
    if info.key in gdf.columns:
        keys = gdf[info.key].astype(str)
        for k in sorted(keys[keys.duplicated()].unique()):
            problems.append(f"{where}: {info.key} {k!r} used by more than one feature")
        if gdf[info.key].isna().any():
            problems.append(
                f"{where}: {int(gdf[info.key].isna().sum())} feature(s) without {info.key}"
            )
    return problems


def check_all(catalog: Catalog | None = None) -> dict[str, list[str]]:
    """Problems per layer id (an empty list where a layer is clean)."""
    cat = catalog or load_catalog()
    return {lid: check_layer(info) for lid, info in cat.items()}
