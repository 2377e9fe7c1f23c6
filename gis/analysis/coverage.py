"""Coverage of districts by clusters: buffer, union, covered area and share, gaps.

All measurement happens in EPSG:4547. A radius is one distance for every
cluster, or a column naming each cluster's own radius (metres, or text with a
unit such as ``"1.5km"``). Results are new frames in EPSG:4547; the input is
never modified.

>>> import geopandas as gpd, shapely
>>> district = gpd.GeoDataFrame({"adcode": ["1"], "name_zh": ["方区"]},
...     geometry=[shapely.box(0, 0, 10_000, 10_000)], crs="EPSG:4547")
>>> cluster = gpd.GeoDataFrame({"id": ["c1"]}, geometry=[shapely.Point(5_000, 5_000)],
...     crs="EPSG:4547")
>>> table = district_coverage(cluster, district, 1_000)
>>> round(float(table.loc[0, "covered_km2"]), 2), round(float(table.loc[0, "covered_pct"]), 2)
(3.14, 3.14)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..crs import reproject
from ..errors import InputError
from ..settings import METRIC_CRS
from .inputs import precision_of, worst_precision
from .units import parse_distance

if TYPE_CHECKING:
    import geopandas as gpd

#: Segments per quarter circle of a buffer: area error below 0.02 % of a true circle.
QUAD_SEGS = 32


def _metric(gdf: gpd.GeoDataFrame, name: str) -> gpd.GeoDataFrame:
    if gdf.crs is None:
        raise InputError(f"{name}: frame has no CRS; set it (EPSG:4326 or EPSG:4547) first")
    return gdf if gdf.crs.to_epsg() == 4547 else reproject(gdf, METRIC_CRS)


def radii(points: gpd.GeoDataFrame, radius: float | str) -> np.ndarray:
    """Radius in metres of every feature: one number, or the name of a radius column.

    >>> import geopandas as gpd, shapely
    >>> p = gpd.GeoDataFrame({"r": ["1km", "500m"]}, geometry=[shapely.Point(0, 0)] * 2)
    >>> radii(p, "r").tolist()
    [1000.0, 500.0]
    """
    if isinstance(radius, str) and radius in points.columns:
        values = []
        for i, v in enumerate(points[radius]):
            if isinstance(v, str):
                values.append(parse_distance(v, what=f"{radius} of feature {i + 1}"))
            elif v is None or not np.isfinite(v) or v <= 0:
                raise InputError(
                    f"feature {i + 1}: radius column {radius!r} holds {v!r}; expected a positive "
                    "number of metres or a distance such as '2km'"
                )
            else:
                values.append(float(v))
        return np.asarray(values, dtype=float)
    r = parse_distance(radius) if isinstance(radius, str) else float(radius)
    if not r > 0:
        raise InputError(f"radius {radius!r} must be positive; write e.g. '2km' or '2000m'")
    return np.full(len(points), r)


def buffers(points: gpd.GeoDataFrame, radius: float | str) -> gpd.GeoDataFrame:
    """Each feature buffered by its radius, in EPSG:4547 (any geometry type)."""
    import shapely

    m = _metric(points, "points")
    r = radii(m, radius)
    out = m.copy()
    out["radius_m"] = r
    out = out.set_geometry(shapely.buffer(m.geometry.values, r, quad_segs=QUAD_SEGS))
    return out


def coverage_union(points: gpd.GeoDataFrame, radius: float | str) -> Any:
    """The union of every buffer (one shapely geometry in EPSG:4547)."""
    import shapely

    b = buffers(points, radius)
    return shapely.union_all(b.geometry.values)


def _district_cols(districts: gpd.GeoDataFrame) -> tuple[str, str | None]:
    key = "adcode" if "adcode" in districts.columns else None
    if key is None:
        raise InputError(
            "districts: field 'adcode' missing; district rows are keyed by their adcode"
        )
    name = "name_zh" if "name_zh" in districts.columns else None
    return key, name


def _population(
    pieces: Any, population: gpd.GeoDataFrame | None, field: str | None
) -> np.ndarray | None:
    """Population inside each piece by areal weighting of a polygon population layer."""
    import shapely

    if population is None:
        return None
    if not field or field not in population.columns:
        raise InputError(
            f"population layer: field {field!r} not found; choose one of "
            f"{[c for c in population.columns if c != population.geometry.name]}"
        )
    pop = _metric(population, "population")
    values = pd.to_numeric(pop[field], errors="coerce")
    bad = values.isna() | (values < 0)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            f"population layer: feature {i + 1} field {field!r} holds {pop[field].iloc[i]!r}; "
            "expected a number ≥ 0"
        )
    geoms = pop.geometry.values
    areas = shapely.area(geoms)
    density = np.where(areas > 0, values.to_numpy(dtype=float) / np.where(areas > 0, areas, 1), 0)
    tree = shapely.STRtree(geoms)
    out = np.zeros(len(pieces))
    for i, piece in enumerate(pieces):
        if piece is None or piece.is_empty:
            continue
        hits = tree.query(piece, predicate="intersects")
        if len(hits):
            inter = shapely.area(shapely.intersection(geoms[hits], piece))
            out[i] = float((inter * density[hits]).sum())
    return out


def district_coverage(
    points: gpd.GeoDataFrame,
    districts: gpd.GeoDataFrame,
    radius: float | str,
    *,
    population: gpd.GeoDataFrame | None = None,
    population_field: str | None = None,
) -> pd.DataFrame:
    """One row a district: area, covered area (km²) and share (%), clusters inside.

    With a polygon ``population`` layer (areal weighting by ``population_field``)
    also population, population covered and its share. ``precision`` is the
    least precise class among the clusters used.
    """
    import shapely

    key, name = _district_cols(districts)
    d = _metric(districts, "districts")
    pts = _metric(points, "points")
    union = coverage_union(pts, radius)
    geoms = d.geometry.values
    covered = shapely.intersection(geoms, union)
    area = shapely.area(geoms) / 1e6
    cov = shapely.area(covered) / 1e6
    inside = shapely.STRtree(geoms).query(
        shapely.point_on_surface(pts.geometry.values), predicate="intersects"
    )
    counts = np.bincount(inside[1], minlength=len(d)) if inside.size else np.zeros(len(d), int)
    r = radii(pts, radius)
    table = pd.DataFrame(
        {
            "adcode": d[key].astype(str).to_numpy(),
            "name_zh": d[name].to_numpy() if name else "",
            "area_km2": np.round(area, 3),
            "covered_km2": np.round(cov, 3),
            "covered_pct": np.round(np.where(area > 0, 100 * cov / area, 0.0), 2),
            "clusters_inside": counts,
            "radius_m": r[0] if len(set(r.tolist())) == 1 else np.nan,
            "precision": worst_precision(precision_of(pts)),
        }
    )
    pop_all = _population(geoms, population, population_field)
    if pop_all is not None:
        pop_cov = _population(covered, population, population_field)
        assert pop_cov is not None
        table["population"] = np.round(pop_all, 0)
        table["population_covered"] = np.round(pop_cov, 0)
        table["population_covered_pct"] = np.round(
            np.where(pop_all > 0, 100 * pop_cov / np.where(pop_all > 0, pop_all, 1), 0.0), 2
        )
    return table


def coverage_geometry(
    points: gpd.GeoDataFrame, districts: gpd.GeoDataFrame, radius: float | str
) -> gpd.GeoDataFrame:
    """The covered part of each district (EPSG:4547), with its area."""
    import geopandas as gpd
    import shapely

    key, name = _district_cols(districts)
    d = _metric(districts, "districts")
    pts = _metric(points, "points")
    covered = shapely.intersection(d.geometry.values, coverage_union(pts, radius))
    r = radii(pts, radius)
    out = gpd.GeoDataFrame(
        {
            "adcode": d[key].astype(str).to_numpy(),
            "name_zh": d[name].to_numpy() if name else "",
            "covered_km2": np.round(shapely.area(covered) / 1e6, 3),
            "radius_m": r[0] if len(set(r.tolist())) == 1 else np.nan,
            "precision": worst_precision(precision_of(pts)),
            "source": "clustermap coverage analysis (EPSG:4547)",
        },
        geometry=covered,
        crs=METRIC_CRS,
    )
    return out[~shapely.is_empty(out.geometry.values)].reset_index(drop=True)


def coverage_gaps(
    points: gpd.GeoDataFrame,
    districts: gpd.GeoDataFrame,
    radius: float | str,
    *,
    min_area_km2: float = 0.0,
) -> gpd.GeoDataFrame:
    """Uncovered parts of each district as separate polygons, largest first.

    Each gap carries its district's ``adcode`` and its area; gaps smaller than
    ``min_area_km2`` are left out (the count left out is in ``attrs["dropped"]``).
    """
    import geopandas as gpd
    import shapely

    key, name = _district_cols(districts)
    d = _metric(districts, "districts")
    pts = _metric(points, "points")
    union = coverage_union(pts, radius)
    rows: list[dict[str, Any]] = []
    geoms: list[Any] = []
    for code, nm, geom in zip(
        d[key].astype(str), d[name] if name else [""] * len(d), d.geometry.values
    ):
        gap = shapely.difference(geom, union)
        parts = shapely.get_parts(gap)
        for part in parts:
            if shapely.get_dimensions(part) != 2 or part.is_empty:
                continue
            rows.append({"adcode": code, "name_zh": nm, "area_km2": shapely.area(part) / 1e6})
            geoms.append(part)
    out = gpd.GeoDataFrame(rows, geometry=geoms, crs=METRIC_CRS)
    if out.empty:
        out = gpd.GeoDataFrame(
            {"adcode": [], "name_zh": [], "area_km2": []}, geometry=[], crs=METRIC_CRS
        )
    keep = out["area_km2"] >= min_area_km2
    dropped = int((~keep).sum())
    out = out[keep].sort_values(["area_km2", "adcode"], ascending=[False, True])
    out = out.reset_index(drop=True)
    out.insert(0, "gap_id", [f"gap_{i + 1:03d}" for i in range(len(out))])
    out["area_km2"] = out["area_km2"].round(3)
    out["precision"] = worst_precision(precision_of(pts))
    out["source"] = "clustermap gap analysis (EPSG:4547)"
    out.attrs["dropped"] = dropped
    return out


def gap_summary(gaps: gpd.GeoDataFrame, districts: gpd.GeoDataFrame) -> pd.DataFrame:
    """Per district: number of gaps, their total and largest area (km²)."""
    key, name = _district_cols(districts)
    base = pd.DataFrame(
        {"adcode": districts[key].astype(str), "name_zh": districts[name] if name else ""}
    )
    g = (
        pd.DataFrame(gaps.drop(columns=gaps.geometry.name))
        .groupby("adcode")["area_km2"]
        .agg(gaps="count", gap_km2="sum", largest_gap_km2="max")
        .reset_index()
    )
    out = base.merge(g, on="adcode", how="left")
    out["gaps"] = out["gaps"].fillna(0).astype(int)
    out["gap_km2"] = out["gap_km2"].fillna(0.0).round(3)
    out["largest_gap_km2"] = out["largest_gap_km2"].fillna(0.0).round(3)
    return out
