"""Inputs of the analyses: catalog layers or files, checked and moved to metres.

Every analysis takes its point layer as an option (a catalog layer id or a
file); an empty layer is an error that says how to load it. Geometries are
checked once here: missing ones are refused (never silently dropped), invalid
ones are repaired with ``make_valid`` and reported, coordinates outside Wuhan
are refused as a likely CRS mistake.

>>> d = load_frame("districts", role="districts")
>>> metric, notes = to_metric_checked(d, "districts")
>>> metric.crs.to_epsg(), notes
(4547, [])
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..catalog import load_catalog
from ..crs import LONLAT_OK, lonlat_check, reproject, to_wgs84
from ..errors import CRSError, InputError, LayerNotFoundError
from ..io import PRECISION_CLASSES
from ..layers import read_layer
from ..readers.geojson import read_geojson
from ..readers.vector import VECTOR_SUFFIXES, read_vector
from ..settings import METRIC_CRS, WUHAN_BBOX

if TYPE_CHECKING:
    import geopandas as gpd

#: Columns tried, in order, as the feature label of a layer.
LABEL_COLUMNS = ("id", "adcode", "name_zh", "name", "name_en")


def worst_precision(values: Any) -> str:
    """The least precise class among ``values`` (order of :data:`gis.io.PRECISION_CLASSES`).

    >>> worst_precision(["official", "indicative", "cited_point"])
    'indicative'
    >>> worst_precision([])
    'official'
    """
    ranks = [PRECISION_CLASSES.index(v) for v in values if v in PRECISION_CLASSES]
    return PRECISION_CLASSES[max(ranks)] if ranks else "official"


def label_column(gdf: gpd.GeoDataFrame) -> str | None:
    """The first of :data:`LABEL_COLUMNS` present in ``gdf``."""
    for c in LABEL_COLUMNS:
        if c in gdf.columns:
            return c
    return None


def labels(gdf: gpd.GeoDataFrame) -> list[str]:
    """A label per feature: its id or name, else its 1-based position."""
    col = label_column(gdf)
    if col is None:
        return [f"feature {i + 1}" for i in range(len(gdf))]
    return [
        str(v) if v is not None and v == v else f"feature {i + 1}" for i, v in enumerate(gdf[col])
    ]


#: Columns tried, in order, as the name of a feature (every table names what it lists).
NAME_COLUMNS = ("name_zh", "name", "名称", "name_en")


def names(gdf: gpd.GeoDataFrame) -> list[str]:
    """A name per feature (``name_zh``, else ``name``, ``名称``, ``name_en``), "" when none."""
    col = next((c for c in NAME_COLUMNS if c in gdf.columns), None)
    if col is None:
        return [""] * len(gdf)
    return [str(v) if isinstance(v, str) else "" for v in gdf[col]]


def read_vector_file(path: Path) -> gpd.GeoDataFrame:
    """A GeoJSON (already lon/lat), GeoPackage, Shapefile or KML file as WGS84."""
    suffix = path.suffix.lower()
    if suffix in (".geojson", ".json"):
        return read_geojson(path)
    if suffix not in VECTOR_SUFFIXES:
        raise InputError(
            f"{path}: unsupported file type {suffix!r}; give a .geojson, .gpkg or .shp file "
            "(tables of points: use `clustermap enterprises FILE`)"
        )
    gdf = read_vector(path).frame
    if gdf.crs is None:
        raise CRSError(
            f"{path}: no coordinate reference system; save it with its CRS (e.g. EPSG:4326 "
            "or EPSG:4547) or convert it to WGS84 GeoJSON"
        )
    return to_wgs84(gdf)


def load_frame(spec: str | Path, *, role: str) -> gpd.GeoDataFrame:
    """A catalog layer (by id) or a vector file, in WGS84.

    ``role`` names what the frame is for in messages (``"points"``, ``"hubs"``…).
    """
    p = Path(spec)
    if p.suffix and p.exists():
        return read_vector_file(p)
    cat = load_catalog()
    if str(spec) not in cat:
        if p.suffix:
            raise LayerNotFoundError(f"{role}: file {p} not found")
        hint = _load_hint(str(spec))
        raise LayerNotFoundError(
            f"{role}: no layer {str(spec)!r} in the catalog ({', '.join(cat)}) and no such file; "
            + hint
        )
    return read_layer(str(spec), cat)


def _load_hint(layer_id: str) -> str:
    return (
        f"import the official list with `clustermap import {layer_id} FILE`, or give a "
        "GeoJSON/GeoPackage file"
    )


def require_features(gdf: gpd.GeoDataFrame, spec: str | Path, *, role: str = "points") -> None:
    """Refuse an empty layer with the count the plan expects and how to load it."""
    if len(gdf):
        return
    name = str(spec)
    exp = None
    if not Path(name).suffix:  # a catalog layer id: the count the plan expects
        cat = load_catalog()
        exp = cat[name].expected if name in cat else None
    loaded = f"0 of {exp} loaded" if exp else "no features"
    other = "design_parks" if name != "design_parks" else "clusters"
    raise InputError(
        f"{name}: {loaded} — {_load_hint(name)}, or analyse another layer with --{role} {other}"
    )


def to_metric_checked(
    gdf: gpd.GeoDataFrame, name: str, *, check_extent: bool = True
) -> tuple[gpd.GeoDataFrame, list[str]]:
    """``gdf`` in EPSG:4547 with invalid geometries repaired; notes say what was repaired.

    Raises :class:`InputError` for features without geometry and :class:`CRSError`
    for features outside Wuhan (naming the features).
    """
    names = _check(gdf, name, check_extent=check_extent)
    out = reproject(gdf, METRIC_CRS) if gdf.crs.to_epsg() != 4547 else gdf.copy()
    return _repaired(out, name, names)


def checked(
    gdf: gpd.GeoDataFrame, name: str, *, check_extent: bool = True
) -> tuple[gpd.GeoDataFrame, list[str]]:
    """``gdf`` checked as :func:`to_metric_checked` does, but kept in its own CRS.

    For work whose answer depends on exact coordinates (a point on a district's vertex or
    edge): a round trip through EPSG:4547 moves lon/lat vertices by up to 2e-14 degrees.
    """
    names = _check(gdf, name, check_extent=check_extent)
    return _repaired(gdf.copy(), name, names)


def _check(gdf: gpd.GeoDataFrame, name: str, *, check_extent: bool) -> list[str]:
    """Refuse a frame without CRS, features without geometry or outside Wuhan; the labels."""
    if gdf.crs is None:
        raise CRSError(f"{name}: frame has no CRS; set it (EPSG:4326 or EPSG:4547) first")
    geoms = gdf.geometry.values
    missing = [i for i, g in enumerate(geoms) if g is None or g.is_empty]
    names = labels(gdf)
    if missing:
        listed = ", ".join(f"feature {i + 1} ({names[i]})" for i in missing[:10])
        raise InputError(
            f"{name}: {len(missing)} feature(s) without geometry: {listed}; "
            "add their coordinates or remove them from the file"
        )
    if check_extent:
        wgs = gdf if gdf.crs.to_epsg() == 4326 else reproject(gdf, "EPSG:4326")
        x0, y0, x1, y1 = WUHAN_BBOX
        b = wgs.geometry.bounds
        bad = (lonlat_check(b.minx, b.miny) != LONLAT_OK) | (
            lonlat_check(b.maxx, b.maxy) != LONLAT_OK
        )
        if bad.any():
            idx = [int(i) for i in bad.nonzero()[0]]
            listed = ", ".join(
                f"feature {i + 1} ({names[i]}: lon {b.minx.iloc[i]:.4f}, lat {b.miny.iloc[i]:.4f})"
                for i in idx[:10]
            )
            raise CRSError(
                f"{name}: {len(idx)} feature(s) outside Wuhan (lon {x0}-{x1}, lat {y0}-{y1}): "
                f"{listed}; check their coordinates and CRS (GCJ-02/BD-09 must be converted "
                "on import)"
            )
    return names


def _repaired(
    out: gpd.GeoDataFrame, name: str, names: list[str]
) -> tuple[gpd.GeoDataFrame, list[str]]:
    """``out`` with invalid geometries repaired by ``make_valid``, and a note for each."""
    import shapely

    notes: list[str] = []
    valid = shapely.is_valid(out.geometry.values)
    if not valid.all():
        fixed = out.geometry.values.copy()
        for i in (~valid).nonzero()[0]:
            reason = shapely.is_valid_reason(fixed[i])
            fixed[i] = shapely.make_valid(fixed[i])
            notes.append(
                f"{name}: feature {i + 1} ({names[i]}) had an invalid geometry ({reason}); "
                "repaired with make_valid"
            )
        out = out.set_geometry(fixed)
    return out, notes


def precision_of(gdf: gpd.GeoDataFrame, default: str = "official") -> list[str]:
    """The ``precision`` of each feature (``default`` where the column is absent or empty)."""
    if "precision" not in gdf.columns:
        return [default] * len(gdf)
    return [str(v) if isinstance(v, str) and v else default for v in gdf["precision"]]
