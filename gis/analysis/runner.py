"""Run an analysis by name on catalog layers or files: its table and its frames, titled.

:func:`run_analysis` is what the CLI calls; :func:`analysis_frames` gives the
same results as titled WGS84 frames ready to draw (used by map specs). Inputs
are checked once (:mod:`gis.analysis.inputs`): an empty point layer is an
error that says how to load it, invalid geometries are repaired and reported
in ``notes``.

Kinds and their parameters: one dataclass per kind in :mod:`gis.analysis.params`
(distances as text with a unit, e.g. ``"2km"``), checked before anything is read.

>>> frames = analysis_frames("coverage", points="hub_zones", radius="2km")
>>> [title for title, _ in frames][:1]
['覆盖范围 Covered area (r = 2 km)']
>>> frames[0][1].crs.to_epsg()
4326
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..crs import reproject
from ..errors import InputError
from ..settings import METRIC_CRS
from .corridors import corridor_belts, corridor_pairs, corridor_table, flanked_segments
from .coverage import (
    QUAD_SEGS,
    coverage_gaps,
    coverage_geometry,
    district_coverage,
    gap_summary,
)
from .hubs import hub_catchment, nearest_hub
from .inputs import labels, load_frame, require_features, to_metric_checked
from .params import Params, parse_params
from .raster import coverage_zonal
from .result import AnalysisResult
from .siting import (
    candidate_grid,
    compare_with_mclp,
    coverage_problem,
    greedy_sites,
    site_table,
)
from .units import format_distance, parse_distance

if TYPE_CHECKING:
    import geopandas as gpd

KINDS = ("coverage", "gaps", "corridors", "hubs", "site")
#: Title of the districts frame of a result: the base layer of analysis maps (minimap, 底图).
DISTRICTS_TITLE = "行政区 Districts"


def _load(spec: str | Path, role: str, notes: list[str], *, require: bool = True) -> Any:
    gdf = load_frame(spec, role=role)
    if require:
        require_features(gdf, spec, role=role)
    metric, fixes = to_metric_checked(gdf, str(spec))
    notes.extend(fixes)
    return metric


def _name(spec: str | Path) -> str:
    """A layer id as it is, a file by its name (no folders in titles)."""
    p = Path(spec)
    return p.name if p.suffix else str(spec)


def _point_frame(points: gpd.GeoDataFrame, spec: str | Path) -> gpd.GeoDataFrame:
    keep = [
        c for c in ("id", "name_zh", "name_en", "district", "precision", "source") if c in points
    ]
    out = points[keep + [points.geometry.name]].copy()
    if "precision" not in out:
        out["precision"] = "official"
    if "source" not in out:
        out["source"] = str(spec)
    return out


def _population(spec: str | Path | None) -> tuple[Any, bool]:
    if spec is None:
        return None, False
    p = Path(spec)
    if p.suffix.lower() in (".tif", ".tiff"):
        return p, True
    return load_frame(spec, role="population"), False


def run_analysis(kind: str, **params: Any) -> AnalysisResult:
    """Run analysis ``kind`` (one of :data:`KINDS`) with ``params`` (checked by
    :func:`gis.analysis.params.parse_params`)."""
    if kind not in KINDS:
        raise InputError(f"unknown analysis {kind!r}; choose one of {', '.join(KINDS)}")
    return run(parse_params(kind, params))


def run(params: Params) -> AnalysisResult:
    """Run the analysis whose checked parameters are ``params``."""
    kind = params.KIND
    if kind not in KINDS:
        raise InputError(f"analysis {kind!r} is not run by name; choose one of {', '.join(KINDS)}")
    runners: dict[str, Callable[..., AnalysisResult]] = {
        "coverage": _coverage,
        "gaps": _gaps,
        "corridors": _corridors,
        "hubs": _hubs,
        "site": _site,
    }
    return runners[kind](**params.kwargs())


def analysis_frames(kind: str, **params: Any) -> list[tuple[str, gpd.GeoDataFrame]]:
    """Titles and WGS84 frames of an analysis, ready to draw (nothing computed while drawing)."""
    res = run_analysis(kind, **params)
    return [(title, reproject(gdf, "EPSG:4326")) for title, gdf in res.frames]


def _coverage(
    points: str | Path = "clusters",
    districts: str | Path = "districts",
    radius: str = "2km",
    population: str | Path | None = None,
    population_field: str | None = None,
) -> AnalysisResult:
    notes: list[str] = []
    pts = _load(points, "points", notes)
    dis = _load(districts, "districts", notes)
    r = parse_distance(radius)
    pop, is_raster = _population(population)
    table = district_coverage(
        pts,
        dis,
        r,
        population=None if is_raster else pop,
        population_field=population_field,
    )
    if is_raster:
        z = coverage_zonal(pop, pts, dis, r)
        table["population"] = z["raster_sum"].round(0).to_numpy()
        table["population_covered"] = z["raster_sum_covered"].round(0).to_numpy()
        table["population_covered_pct"] = z["covered_pct"].to_numpy()
        notes.append(f"population from raster {pop} (cells counted by their centre)")
    covered = coverage_geometry(pts, dis, r)
    lab = format_distance(r)
    return AnalysisResult(
        "coverage",
        table,
        [
            (f"覆盖范围 Covered area (r = {lab})", covered),
            (DISTRICTS_TITLE, _districts_frame(dis)),
            (f"{_name(points)} (点 points)", _point_frame(pts, points)),
        ],
        {"points": _name(points), "districts": _name(districts), "radius": lab, "crs": METRIC_CRS},
        notes,
        styles={
            f"覆盖范围 Covered area (r = {lab})": {
                "color": "#009E73",
                "fillColor": "#009E73",
                "weight": 1,
                "fillOpacity": 0.35,
            },
            DISTRICTS_TITLE: {"color": "#555", "weight": 1, "fillOpacity": 0.0},
        },
    )


def _districts_frame(dis: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    keep = [c for c in ("adcode", "name_zh", "name_en", "precision", "source") if c in dis]
    return dis[keep + [dis.geometry.name]].copy()


def _gaps(
    points: str | Path = "clusters",
    districts: str | Path = "districts",
    radius: str = "2km",
    min_area_km2: float = 0.0,
) -> AnalysisResult:
    notes: list[str] = []
    pts = _load(points, "points", notes)
    dis = _load(districts, "districts", notes)
    r = parse_distance(radius)
    gaps = coverage_gaps(pts, dis, r, min_area_km2=min_area_km2)
    if gaps.attrs.get("dropped"):
        notes.append(f"{gaps.attrs['dropped']} gap(s) smaller than {min_area_km2:g} km² not listed")
    lab = format_distance(r)
    return AnalysisResult(
        "gaps",
        gap_summary(gaps, dis),
        [
            (f"覆盖空白 Gaps (r = {lab})", gaps),
            (f"{_name(points)} (点 points)", _point_frame(pts, points)),
        ],
        {"points": _name(points), "districts": _name(districts), "radius": lab, "crs": METRIC_CRS},
        notes,
        extra_tables={"gaps": pd.DataFrame(gaps.drop(columns=gaps.geometry.name))},
        styles={
            f"覆盖空白 Gaps (r = {lab})": {
                "color": "#D55E00",
                "fillColor": "#D55E00",
                "weight": 1,
                "fillOpacity": 0.35,
            }
        },
    )


def _corridors(
    points: str | Path = "clusters",
    corridors: str | Path = "corridors",
    within: str = "500m",
    districts: str | Path = "districts",
) -> AnalysisResult:
    import shapely

    notes: list[str] = []
    pts = _load(points, "points", notes)
    cor = _load(corridors, "corridors", notes)
    dis = _load(districts, "districts", notes)  # drawn for orientation only
    d = parse_distance(within, what="distance")
    table = corridor_table(pts, cor, d)
    not_lines = shapely.get_dimensions(cor.geometry.values) != 1
    if not_lines.any():
        ids = table.loc[not_lines, "corridor"].tolist()
        notes.append(
            f"{len(ids)} corridor(s) are not lines ({', '.join(ids)}): distances are to their "
            "drawn features (e.g. cited waypoints), flanked length is left empty"
        )
        table["note"] = np.where(
            not_lines, "not a line: distances to its cited features, no flanked length", ""
        )
    lab = format_distance(d)
    return AnalysisResult(
        "corridors",
        table,
        [
            (DISTRICTS_TITLE, _districts_frame(dis)),
            (f"走廊带 Corridor belts (±{lab})", corridor_belts(cor, d)),
            (f"沿线段 Flanked segments (≤ {lab})", flanked_segments(pts, cor, d)),
            (f"{_name(points)} (点 points)", _point_frame(pts, points)),
        ],
        {"points": _name(points), "corridors": _name(corridors), "within": lab, "crs": METRIC_CRS},
        notes,
        extra_tables={"pairs": corridor_pairs(pts, cor, d)},
        styles={
            DISTRICTS_TITLE: {"color": "#555", "weight": 1, "fillOpacity": 0.0},
            f"走廊带 Corridor belts (±{lab})": {
                "color": "#CC79A7",
                "fillColor": "#CC79A7",
                "weight": 1,
                "fillOpacity": 0.2,
            },
            f"沿线段 Flanked segments (≤ {lab})": {"color": "#D55E00", "weight": 5},
        },
    )


def _hubs(
    points: str | Path = "clusters",
    hubs: str | Path = "hub_zones",
    radius: str = "5km",
    districts: str | Path = "districts",
) -> AnalysisResult:
    import geopandas as gpd
    import shapely

    notes: list[str] = []
    pts = _load(points, "points", notes)
    hub = _load(hubs, "hubs", notes, require=False)
    dis = _load(districts, "districts", notes)  # drawn for orientation only
    r = parse_distance(radius)
    table = nearest_hub(pts, hub)
    # a line from each cluster to the nearest point of its hub zone
    hub_by_id = dict(zip(_labels(hub), hub.geometry.values))
    pt_by_id = dict(zip(_labels(pts), pts.geometry.values))
    lines = [
        shapely.shortest_line(pt_by_id[c], hub_by_id[h])
        for c, h in zip(table["cluster"], table["nearest_hub"])
    ]
    links = gpd.GeoDataFrame(
        table.assign(source="clustermap hub analysis (EPSG:4547)"), geometry=lines, crs=METRIC_CRS
    )
    lab = format_distance(r)
    return AnalysisResult(
        "hubs",
        table,
        [
            (DISTRICTS_TITLE, _districts_frame(dis)),
            ("枢纽 Hub zones", hub),
            ("最近枢纽 Nearest hub (distance)", links),
            (f"{_name(points)} (点 points)", _point_frame(pts, points)),
        ],
        {"points": _name(points), "hubs": _name(hubs), "radius": lab, "crs": METRIC_CRS},
        notes,
        extra_tables={"catchment": hub_catchment(pts, hub, r)},
        styles={
            DISTRICTS_TITLE: {"color": "#555", "weight": 1, "fillOpacity": 0.0},
            "枢纽 Hub zones": {
                "color": "#E69F00",
                "fillColor": "#E69F00",
                "weight": 1,
                "fillOpacity": 0.2,
            },
            "最近枢纽 Nearest hub (distance)": {
                "color": "#0072B2",
                "weight": 2,
                "dashArray": "4 4",
            },
        },
    )


def _labels(gdf: gpd.GeoDataFrame) -> list[str]:
    return labels(gdf)


def _site(
    points: str | Path = "clusters",
    districts: str | Path = "districts",
    radius: str = "2km",
    add: int = 5,
    candidates: str | Path | None = None,
    spacing: str = "1km",
    cell: str = "250m",
    compare_mclp: bool = False,
    population: str | Path | None = None,
    population_field: str | None = None,
) -> AnalysisResult:
    import shapely

    notes: list[str] = []
    pts = _load(points, "points", notes)
    dis = _load(districts, "districts", notes)
    cands = _load(candidates, "candidates", notes) if candidates is not None else None
    r = parse_distance(radius)
    sp = parse_distance(spacing, what="spacing")
    cm = parse_distance(cell, what="cell")
    pop, is_raster = _population(population)
    if is_raster:
        raise InputError("site: population weights take a polygon layer, not a raster")
    sites = greedy_sites(
        pts,
        dis,
        r,
        int(add),
        candidates=cands,
        spacing_m=sp,
        cell_m=cm,
        population=pop,
        population_field=population_field,
    )
    if len(sites) < int(add):
        notes.append(f"only {len(sites)} site(s) add coverage; the rest of the area is covered")
    extra: dict[str, pd.DataFrame] = {}
    if compare_mclp:
        c = cands if cands is not None else candidate_grid(dis, sp)
        problem = coverage_problem(
            pts, dis, r, c, cell_m=cm, population=pop, population_field=population_field
        )
        cmp = compare_with_mclp(problem, int(add))
        ids = c["site_id"].astype(str).to_numpy() if "site_id" in c else None
        for key in ("greedy_sites", "mclp_sites"):
            cmp[key] = "; ".join(str(ids[i]) if ids is not None else str(i) for i in cmp[key])
        extra["mclp"] = pd.DataFrame([cmp])
        notes.append(
            f"greedy covers {cmp['greedy']:g} vs spopt MCLP optimum {cmp['mclp']:g} "
            f"(ratio {cmp['ratio']:.4f}) on the same {cm:g} m demand cells"
        )
    lab = format_distance(r)
    discs = sites.set_geometry(shapely.buffer(sites.geometry.values, r, quad_segs=QUAD_SEGS))
    return AnalysisResult(
        "site",
        site_table(sites),
        [
            (DISTRICTS_TITLE, _districts_frame(dis)),
            (f"现有覆盖 Existing coverage (r = {lab})", coverage_geometry(pts, dis, r)),
            (f"新增覆盖 New sites' reach (r = {lab})", discs),
            ("候选新址 New sites (greedy)", sites),
            (f"{_name(points)} (点 points)", _point_frame(pts, points)),
        ],
        {
            "points": _name(points),
            "districts": _name(districts),
            "radius": lab,
            "add": str(int(add)),
            "candidates": str(candidates) if candidates else f"grid {format_distance(sp)}",
            "cell": format_distance(cm),
            "crs": METRIC_CRS,
        },
        notes,
        extra_tables=extra,
        styles={
            DISTRICTS_TITLE: {"color": "#555", "weight": 1, "fillOpacity": 0.0},
            f"现有覆盖 Existing coverage (r = {lab})": {
                "color": "#009E73",
                "fillColor": "#009E73",
                "weight": 1,
                "fillOpacity": 0.25,
            },
            f"新增覆盖 New sites' reach (r = {lab})": {
                "color": "#D55E00",
                "fillColor": "#D55E00",
                "weight": 2,
                "fillOpacity": 0.2,
            },
        },
    )
