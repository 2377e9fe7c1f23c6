"""Where a new cluster would cover most: candidate sites and greedy maximal coverage.

Demand is the part of the study area not yet within the radius of an existing
cluster, discretised into square cells (``cell_m``; each cell weighs its area
in km², or the population in it when a population layer is given). A
candidate covers the demand cells whose centres lie within the radius. The
greedy method picks, ``k`` times, the candidate that covers the most demand
not yet covered (ties: the middle of the largest hole between existing clusters, chosen
sites and the edge of the study area).
Greedy maximal coverage is
within a factor 1 − 1/e ≈ 0.63 of the optimum and usually much closer;
:func:`compare_with_mclp` solves the same discretised problem exactly with
spopt's MCLP (integer programming with CBC) to show the gap.

The newly covered area of the chosen sites is then measured exactly on
vectors in EPSG:4547 (``new_km2``), not on the cells.

>>> import geopandas as gpd, shapely
>>> area = gpd.GeoDataFrame({"adcode": ["1"]}, geometry=[shapely.box(0, 0, 10_000, 2_000)],
...     crs="EPSG:4547")
>>> existing = gpd.GeoDataFrame(geometry=[shapely.Point(2_000, 1_000)], crs="EPSG:4547")
>>> sites = greedy_sites(existing, area, 1_000, 1, spacing_m=1_000, cell_m=100)
>>> sites[["x", "y", "new_km2"]].values.tolist()   # full discs tie: the farthest one wins
[[9000.0, 1000.0, 3.14]]
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..crs import reproject
from ..errors import InputError
from ..settings import METRIC_CRS
from .coverage import QUAD_SEGS, _metric, _population, coverage_union
from .inputs import labels, names

if TYPE_CHECKING:
    import geopandas as gpd

#: Largest demand × candidate matrix handed to the exact MCLP solver.
MCLP_MAX_ENTRIES = 5_000_000


def candidate_grid(area: gpd.GeoDataFrame, spacing_m: float) -> gpd.GeoDataFrame:
    """Points on a regular grid (``spacing_m`` apart, EPSG:4547) inside ``area``."""
    import geopandas as gpd
    import shapely

    if not spacing_m > 0:
        raise InputError(f"grid spacing {spacing_m!r} must be positive, e.g. '1km'")
    a = _metric(area, "area")
    x0, y0, x1, y1 = a.total_bounds
    x0, y0 = np.floor(x0 / spacing_m) * spacing_m, np.floor(y0 / spacing_m) * spacing_m
    xs = np.arange(x0, x1 + spacing_m, spacing_m)
    ys = np.arange(y0, y1 + spacing_m, spacing_m)
    if len(xs) * len(ys) > 20_000_000:
        raise InputError(f"a {spacing_m:g} m grid gives too many candidates; use a wider spacing")
    mx, my = np.meshgrid(xs, ys)
    gx, gy = mx.ravel(), my.ravel()
    region = shapely.union_all(a.geometry.values)
    shapely.prepare(region)
    inside = shapely.contains_xy(region, gx, gy)
    gx, gy = gx[inside], gy[inside]
    return gpd.GeoDataFrame(
        {"site_id": [f"grid_{i + 1:05d}" for i in range(len(gx))], "x": gx, "y": gy},
        geometry=shapely.points(gx, gy),
        crs=METRIC_CRS,
    )


@dataclass
class CoverageProblem:
    """Discretised maximal-coverage problem: demand cells and which candidates reach them."""

    demand_x: np.ndarray
    demand_y: np.ndarray
    weight: np.ndarray
    #: (candidate, demand) index pairs within the radius
    cand: np.ndarray
    dem: np.ndarray
    n_candidates: int
    radius_m: float
    #: candidate coordinates and distance to the nearest existing cluster (for ties)
    cand_x: np.ndarray | None = None
    cand_y: np.ndarray | None = None
    cand_dist: np.ndarray | None = None
    #: distance of each candidate to the edge of the study area (for ties)
    cand_edge: np.ndarray | None = None


def _demand_cells(
    area: Any, covered: Any, cell_m: float, population: gpd.GeoDataFrame | None, field: str | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    import shapely

    x0, y0, x1, y1 = shapely.bounds(area)
    xs = np.arange(x0 + cell_m / 2, x1, cell_m)
    ys = np.arange(y0 + cell_m / 2, y1, cell_m)
    if len(xs) * len(ys) > 30_000_000:
        raise InputError(f"demand cells of {cell_m:g} m are too many; use a larger --cell")
    gx, gy = (v.ravel() for v in np.meshgrid(xs, ys))
    todo = shapely.difference(area, covered) if covered is not None else area
    shapely.prepare(todo)
    keep = shapely.contains_xy(todo, gx, gy)
    gx, gy = gx[keep], gy[keep]
    if population is None:
        return gx, gy, np.full(len(gx), cell_m * cell_m / 1e6)

    cells = shapely.box(gx - cell_m / 2, gy - cell_m / 2, gx + cell_m / 2, gy + cell_m / 2)
    w = _population(cells, population, field)
    assert w is not None
    return gx, gy, w


def coverage_problem(
    existing: gpd.GeoDataFrame,
    area: gpd.GeoDataFrame,
    radius: float,
    candidates: gpd.GeoDataFrame,
    *,
    cell_m: float = 250.0,
    population: gpd.GeoDataFrame | None = None,
    population_field: str | None = None,
) -> CoverageProblem:
    """The demand left uncovered by ``existing`` within ``area``, and what each candidate reaches."""
    import shapely

    a = _metric(area, "area")
    region = shapely.union_all(a.geometry.values)
    covered = coverage_union(existing, radius) if len(existing) else None
    dx, dy, w = _demand_cells(region, covered, cell_m, population, population_field)
    cands = _metric(candidates, "candidates")
    tree = shapely.STRtree(np.asarray(shapely.points(dx, dy)))
    ci, di = tree.query(cands.geometry.values, predicate="dwithin", distance=radius)
    cx = shapely.get_x(shapely.point_on_surface(cands.geometry.values))
    cy = shapely.get_y(shapely.point_on_surface(cands.geometry.values))
    if len(existing):
        ex = _metric(existing, "points").geometry.values
        _, nearest = shapely.STRtree(ex).query_nearest(
            cands.geometry.values, return_distance=True, all_matches=False
        )
        dist = np.asarray(nearest, dtype=float)
    else:
        dist = np.full(len(cands), np.inf)
    # the edge of the study area bounds a hole like a cluster does (50 m simplified: ties only)
    edge = shapely.distance(
        shapely.boundary(shapely.simplify(region, 50.0)), cands.geometry.values
    ).astype(float)
    return CoverageProblem(dx, dy, w, ci, di, len(cands), float(radius), cx, cy, dist, edge)


def greedy_select(problem: CoverageProblem, k: int) -> list[tuple[int, float]]:
    """``k`` candidates (index, demand gained) chosen greedily; stops early when nothing gains.

    Ties (equal gain within 1e-9 of the best) go to the middle of the largest hole: the
    candidate farthest from every existing cluster, site chosen so far and the edge of the
    study area (not a tip of the city far from clusters); then the one farthest from
    clusters and sites; then the first candidate.
    """
    if k < 1:
        raise InputError(f"number of new sites must be at least 1, not {k}")
    covered = np.zeros(len(problem.weight), dtype=bool)
    chosen: list[tuple[int, float]] = []
    dist = (
        problem.cand_dist.copy()
        if problem.cand_dist is not None
        else np.zeros(problem.n_candidates)
    )
    for _ in range(k):
        gain_w = np.where(covered[problem.dem], 0.0, problem.weight[problem.dem])
        gains = np.bincount(problem.cand, weights=gain_w, minlength=problem.n_candidates)
        for c, _g in chosen:
            gains[c] = -1.0
        top = gains.max()
        if top <= 0:
            break
        tied = np.flatnonzero(gains >= top - 1e-9 * max(1.0, abs(top)))
        room = dist if problem.cand_edge is None else np.minimum(dist, problem.cand_edge)
        order = np.lexsort((-tied, dist[tied], room[tied]))  # last key sorts first
        best = int(tied[order[-1]])
        chosen.append((best, float(gains[best])))
        covered[problem.dem[problem.cand == best]] = True
        if problem.cand_x is not None and problem.cand_y is not None:
            d_new = np.hypot(
                problem.cand_x - problem.cand_x[best], problem.cand_y - problem.cand_y[best]
            )
            np.minimum(dist, d_new, out=dist)
    return chosen


def greedy_sites(
    existing: gpd.GeoDataFrame,
    area: gpd.GeoDataFrame,
    radius: float,
    k: int,
    *,
    candidates: gpd.GeoDataFrame | None = None,
    spacing_m: float = 1_000.0,
    cell_m: float = 250.0,
    population: gpd.GeoDataFrame | None = None,
    population_field: str | None = None,
) -> gpd.GeoDataFrame:
    """``k`` new sites by greedy maximal coverage, ranked, with exact newly covered area.

    ``candidates`` is a point layer of possible sites (default: a grid of
    ``spacing_m`` inside ``area``). Columns: ``rank``, ``site_id``, ``site_name`` (the
    candidate's name, empty for a grid point), ``district`` (the area feature holding the
    site), ``x``, ``y`` (EPSG:4547), ``gain`` (demand cells gained: km², or population),
    ``new_km2`` (exact area newly covered by this site after the ones above),
    ``cumulative_km2``.
    """
    import shapely

    a = _metric(area, "area")
    if candidates is None:
        cands = candidate_grid(a, spacing_m)
    else:
        cands = _metric(candidates, "candidates").copy()
        if "site_id" not in cands.columns:
            cands["site_id"] = labels(cands)
        if set(cands.geom_type) - {"Point"}:
            cands = cands.set_geometry(shapely.point_on_surface(cands.geometry.values))
        cands["x"] = shapely.get_x(cands.geometry.values)
        cands["y"] = shapely.get_y(cands.geometry.values)
    if len(cands) == 0:
        raise InputError("no candidate sites inside the study area; check the candidate layer")
    problem = coverage_problem(
        existing,
        a,
        radius,
        cands,
        cell_m=cell_m,
        population=population,
        population_field=population_field,
    )
    chosen = greedy_select(problem, k)

    site_names = names(cands) if candidates is not None else [""] * len(cands)
    area_names = names(a)
    region = shapely.union_all(a.geometry.values)
    covered = coverage_union(existing, radius) if len(existing) else shapely.Polygon()
    covered = shapely.intersection(covered, region)
    rows = []
    total = 0.0
    for rank, (ci, gain) in enumerate(chosen, start=1):
        site = cands.iloc[ci]
        disc = shapely.intersection(
            shapely.buffer(site.geometry, radius, quad_segs=QUAD_SEGS), region
        )
        new = shapely.difference(disc, covered)
        new_km2 = shapely.area(new) / 1e6
        total += new_km2
        covered = shapely.union(covered, disc)
        inside = [n for n, g in zip(area_names, a.geometry.values) if g.intersects(site.geometry)]
        rows.append(
            {
                "rank": rank,
                "site_id": str(site["site_id"]),
                "site_name": site_names[ci],
                "district": "、".join(n for n in inside if n),
                "x": float(site["x"]),
                "y": float(site["y"]),
                "gain": round(gain, 3),
                "new_km2": round(new_km2, 3),
                "cumulative_km2": round(total, 3),
                "radius_m": radius,
                "precision": "indicative",
                "source": "clustermap siting analysis: greedy maximal coverage (EPSG:4547)",
                "geometry": site.geometry,
            }
        )
    import geopandas as gpd

    if not rows:
        raise InputError(
            "no candidate site covers any uncovered demand: the area is already covered at "
            "this radius"
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs=METRIC_CRS)


def compare_with_mclp(problem: CoverageProblem, k: int) -> dict[str, Any]:
    """Greedy vs spopt's exact MCLP on the same problem: objectives and the ratio.

    Refuses problems whose dense cost matrix exceeds :data:`MCLP_MAX_ENTRIES`
    (spopt takes a dense demand × candidate matrix).
    """
    try:
        import pulp
        from spopt.locate import MCLP
    except ImportError:
        raise InputError(
            "the MCLP comparison needs spopt and pulp: pip install 'clustermap[siting]'"
        ) from None
    useful = np.unique(problem.cand)
    reach = np.unique(problem.dem)
    if len(useful) * len(reach) > MCLP_MAX_ENTRIES:
        raise InputError(
            f"MCLP comparison: {len(reach)} demand cells × {len(useful)} candidates is too large "
            "for the exact solver; use a larger --cell or --spacing"
        )
    cpos = np.searchsorted(useful, problem.cand)
    dpos = np.searchsorted(reach, problem.dem)
    cost = np.full((len(reach), len(useful)), 2 * problem.radius_m + 1.0)
    cost[dpos, cpos] = 0.0
    weights = problem.weight[reach]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = MCLP.from_cost_matrix(
            cost, weights, service_radius=problem.radius_m, p_facilities=min(k, len(useful))
        )
        model = model.solve(pulp.PULP_CBC_CMD(msg=False))
        chosen_mclp = [int(useful[j]) for j, v in enumerate(model.fac_vars) if v.value() > 0.5]
    covered = np.zeros(len(problem.weight), dtype=bool)
    for c in chosen_mclp:
        covered[problem.dem[problem.cand == c]] = True
    mclp_obj = float(problem.weight[covered].sum())
    greedy = greedy_select(problem, k)
    greedy_obj = float(sum(g for _, g in greedy))
    return {
        "greedy": round(greedy_obj, 4),
        "mclp": round(mclp_obj, 4),
        "ratio": round(greedy_obj / mclp_obj, 4) if mclp_obj > 0 else 1.0,
        "greedy_sites": [c for c, _ in greedy],
        "mclp_sites": sorted(chosen_mclp),
    }


def site_table(sites: gpd.GeoDataFrame) -> pd.DataFrame:
    """The sites as a plain table with WGS84 lon/lat added."""
    wgs = reproject(sites, "EPSG:4326")
    out = pd.DataFrame(sites.drop(columns=sites.geometry.name))
    out["lon"] = np.round(wgs.geometry.x.to_numpy(), 6)
    out["lat"] = np.round(wgs.geometry.y.to_numpy(), 6)
    return out
