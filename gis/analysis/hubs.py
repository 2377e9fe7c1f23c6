"""Distance from each cluster to the nearest hub zone, and clusters per hub.

Hub zones (e.g. the plan's 5 枢纽经济示范区) may be points, lines or polygons;
distances are measured in EPSG:4547 between the geometries (0 inside a
polygon). A distance to an indicative hub zone is itself indicative: each row
carries the least precise class of the two features and says so in ``note``.

>>> import geopandas as gpd, shapely
>>> hubs = gpd.GeoDataFrame({"id": ["h"], "precision": ["indicative"]},
...     geometry=[shapely.box(0, 0, 1_000, 1_000)], crs="EPSG:4547")
>>> pts = gpd.GeoDataFrame({"id": ["a", "b"]},
...     geometry=[shapely.Point(500, 500), shapely.Point(4_000, 1_000)], crs="EPSG:4547")
>>> t = nearest_hub(pts, hubs)
>>> t["distance_m"].tolist(), t["precision"].tolist()
([0.0, 3000.0], ['indicative', 'indicative'])
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import InputError
from .coverage import _metric
from .inputs import labels, names, precision_of, worst_precision

if TYPE_CHECKING:
    import geopandas as gpd


def _note(prec: str) -> str:
    if prec in ("indicative", "schematic"):
        return f"{prec}: hub zone or cluster location is {prec}, so is this distance"
    return ""


def nearest_hub(points: gpd.GeoDataFrame, hubs: gpd.GeoDataFrame) -> pd.DataFrame:
    """One row a cluster: its nearest hub zone and the distance in metres."""
    import shapely

    if len(hubs) == 0:
        raise InputError(
            "hub zones: no features loaded — import them with `clustermap import hub_zones FILE` "
            "or give a file with --hubs"
        )
    h = _metric(hubs, "hubs")
    p = _metric(points, "points")
    tree = shapely.STRtree(h.geometry.values)
    pi, hi = tree.query_nearest(p.geometry.values, return_distance=False, all_matches=False)
    dist = shapely.distance(p.geometry.values[pi], h.geometry.values[hi])
    pid, hid = labels(p), labels(h)
    pname, hname = names(p), names(h)
    pprec, hprec = precision_of(p), precision_of(h, "indicative")
    precs = [worst_precision([pprec[a], hprec[b]]) for a, b in zip(pi, hi)]
    out = pd.DataFrame(
        {
            "cluster": [pid[i] for i in pi],
            "cluster_name": [pname[i] for i in pi],
            "nearest_hub": [hid[i] for i in hi],
            "hub_name": [hname[i] for i in hi],
            "distance_m": np.round(dist, 1),
            "precision": precs,
            "note": [_note(x) for x in precs],
        }
    )
    order = np.argsort(pi, kind="stable")
    return out.iloc[order].reset_index(drop=True)


def hub_catchment(
    points: gpd.GeoDataFrame, hubs: gpd.GeoDataFrame, radius_m: float
) -> pd.DataFrame:
    """One row a hub zone: clusters within ``radius_m`` of it (count and ids)."""
    import shapely

    h = _metric(hubs, "hubs")
    p = _metric(points, "points")
    tree = shapely.STRtree(p.geometry.values)
    hi, pi = tree.query(h.geometry.values, predicate="dwithin", distance=radius_m)
    pid, hid = labels(p), labels(h)
    pname, hname = names(p), names(h)
    hprec, pprec = precision_of(h, "indicative"), precision_of(p)
    rows = []
    for k, hub in enumerate(hid):
        mine = sorted(pi[hi == k], key=lambda i: pid[i])
        prec = worst_precision([hprec[k], *(pprec[i] for i in mine)])
        rows.append(
            {
                "hub": hub,
                "hub_name": hname[k],
                "clusters_within": len(mine),
                "clusters": "; ".join(pid[i] for i in mine),
                "cluster_names": "; ".join(pname[i] for i in mine if pname[i]),
                "radius_m": radius_m,
                "precision": prec,
                "note": _note(prec),
            }
        )
    return pd.DataFrame(rows)
