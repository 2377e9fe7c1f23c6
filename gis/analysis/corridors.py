"""Clusters along corridors (the plan's avenues: 建设大道, 中山大道, 沿江大道, 中北—中南路).

A corridor is a line (or a polygon strip, e.g. a schematic belt). For a
distance ``d`` in metres (EPSG:4547):

* the belt of a corridor is the corridor buffered by ``d``;
* a cluster lines the corridor when it lies within ``d`` of it;
* the flanked length is the length of the corridor line within ``d`` of at
  least one cluster (left empty for a polygon corridor: a strip has no single
  length).

Corridor geometry drawn by the plan is schematic: every result carries the
least precise class of the corridor and the clusters it uses.

>>> import geopandas as gpd, shapely
>>> road = gpd.GeoDataFrame({"id": ["r1"]}, geometry=[shapely.LineString([(0, 0), (10_000, 0)])],
...     crs="EPSG:4547")
>>> pts = gpd.GeoDataFrame({"id": ["a", "b"]},
...     geometry=[shapely.Point(2_000, 300), shapely.Point(5_000, 2_000)], crs="EPSG:4547")
>>> t = corridor_table(pts, road, 500)
>>> int(t.loc[0, "clusters_within"]), float(t.loc[0, "flanked_km"])
(1, 0.8)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..settings import METRIC_CRS
from .coverage import QUAD_SEGS, _metric
from .inputs import labels, names, precision_of, worst_precision

if TYPE_CHECKING:
    import geopandas as gpd


def corridor_pairs(
    points: gpd.GeoDataFrame, corridors: gpd.GeoDataFrame, within_m: float
) -> pd.DataFrame:
    """One row per (corridor, cluster) pair within ``within_m``: the distance in metres."""
    import shapely

    c = _metric(corridors, "corridors")
    p = _metric(points, "points")
    tree = shapely.STRtree(p.geometry.values)
    ci, pi = tree.query(c.geometry.values, predicate="dwithin", distance=within_m)
    dist = shapely.distance(c.geometry.values[ci], p.geometry.values[pi])
    cid, pid = labels(c), labels(p)
    cname, pname = names(c), names(p)
    cprec, pprec = precision_of(c, "schematic"), precision_of(p)
    out = pd.DataFrame(
        {
            "corridor": [cid[i] for i in ci],
            "corridor_name": [cname[i] for i in ci],
            "cluster": [pid[i] for i in pi],
            "cluster_name": [pname[i] for i in pi],
            "distance_m": np.round(dist, 1),
            "precision": [worst_precision([cprec[a], pprec[b]]) for a, b in zip(ci, pi)],
        }
    )
    return out.sort_values(["corridor", "distance_m", "cluster"]).reset_index(drop=True)


def corridor_table(
    points: gpd.GeoDataFrame, corridors: gpd.GeoDataFrame, within_m: float
) -> pd.DataFrame:
    """One row a corridor: length, clusters within ``within_m``, flanked length and share."""
    import shapely

    c = _metric(corridors, "corridors")
    p = _metric(points, "points")
    pairs = corridor_pairs(p, c, within_m)
    union = shapely.union_all(shapely.buffer(p.geometry.values, within_m, quad_segs=QUAD_SEGS))
    rows = []
    cprec, pprec = precision_of(c, "schematic"), precision_of(p)
    for cid, cname, geom, prec in zip(labels(c), names(c), c.geometry.values, cprec):
        line = shapely.get_dimensions(geom) == 1
        length = shapely.length(geom) / 1000 if line else np.nan
        flanked = shapely.length(shapely.intersection(geom, union)) / 1000 if line else np.nan
        mine = pairs[pairs["corridor"] == cid]
        rows.append(
            {
                "corridor": cid,
                "corridor_name": cname,
                "length_km": round(float(length), 3),
                "clusters_within": len(mine),
                "clusters": "; ".join(mine["cluster"]),
                "cluster_names": "; ".join(n for n in mine["cluster_name"] if n),
                "flanked_km": round(float(flanked), 3),
                "flanked_pct": round(100 * flanked / length, 2) if line and length > 0 else np.nan,
                "within_m": within_m,
                "precision": worst_precision([prec, *pprec]),
            }
        )
    return pd.DataFrame(rows)


def corridor_belts(corridors: gpd.GeoDataFrame, within_m: float) -> gpd.GeoDataFrame:
    """Each corridor buffered by ``within_m`` (EPSG:4547), with its area."""
    import geopandas as gpd
    import shapely

    c = _metric(corridors, "corridors")
    belts = shapely.buffer(c.geometry.values, within_m, quad_segs=QUAD_SEGS)
    return gpd.GeoDataFrame(
        {
            "corridor": labels(c),
            "corridor_name": names(c),
            "within_m": within_m,
            "area_km2": np.round(shapely.area(belts) / 1e6, 3),
            "precision": precision_of(c, "schematic"),
            "source": "clustermap corridor analysis (EPSG:4547)",
        },
        geometry=belts,
        crs=METRIC_CRS,
    )


def flanked_segments(
    points: gpd.GeoDataFrame, corridors: gpd.GeoDataFrame, within_m: float
) -> gpd.GeoDataFrame:
    """The parts of each corridor line within ``within_m`` of a cluster (EPSG:4547).

    A corridor that is not a line (points standing for cited places) has no flanked length:
    it gets no segment here, as its row of :func:`corridor_table` leaves ``flanked_km`` empty.
    """
    import geopandas as gpd
    import shapely

    c = _metric(corridors, "corridors")
    p = _metric(points, "points")
    union = shapely.union_all(shapely.buffer(p.geometry.values, within_m, quad_segs=QUAD_SEGS))
    segs: list[Any] = list(shapely.intersection(c.geometry.values, union))
    is_line = shapely.get_dimensions(c.geometry.values) == 1
    out = gpd.GeoDataFrame(
        {
            "corridor": labels(c),
            "corridor_name": names(c),
            "flanked_km": np.round(shapely.length(segs) / 1000, 3),
            "precision": [
                worst_precision([cp, *precision_of(p)]) for cp in precision_of(c, "schematic")
            ],
            "source": "clustermap corridor analysis (EPSG:4547)",
        },
        geometry=segs,
        crs=METRIC_CRS,
    )
    keep = is_line & ~shapely.is_empty(out.geometry.values)
    return out[keep].reset_index(drop=True)
