"""The pairs of :class:`gis.analysis.zones.ZoneIndex` computed other ways: exact tests for
small inputs, on Dask, and the ``geopandas.sjoin`` reference (tests and benchmarks).

All give the same :class:`~gis.analysis.zones.Assignment` (the same canonical form:
lowest zone as label, further pairs by point then zone).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import InputError
from .zones import PREDICATES, Assignment, ZoneIndex


def assign_exact(
    geoms: Sequence[Any] | NDArray[Any],
    x: ArrayLike,
    y: ArrayLike,
    *,
    predicate: str = "intersects",
) -> Assignment:
    """The pairs of :meth:`ZoneIndex.assign` by testing every point against every zone
    whose bounding box holds it (prepared geometries; for a few hundred thousand points a
    build of the index costs more than this)."""
    import shapely

    if predicate not in PREDICATES:
        raise InputError(f"predicate {predicate!r}: expected one of {PREDICATES}")
    xa = np.ascontiguousarray(x, dtype=np.float64)
    ya = np.ascontiguousarray(y, dtype=np.float64)
    if np.isnan(xa).any() or np.isnan(ya).any():
        raise InputError("points without coordinates (NaN); drop or fix them before assigning")
    arr = np.asarray(list(getattr(geoms, "values", geoms)), dtype=object)
    prepared = shapely.from_wkb(shapely.to_wkb(arr))
    shapely.prepare(prepared)
    test = shapely.intersects_xy if predicate == "intersects" else shapely.contains_xy
    bounds = shapely.bounds(arr)
    label = np.full(len(xa), -1, dtype=np.int32)
    ex_p: list[NDArray[np.int64]] = []
    ex_z: list[NDArray[np.int32]] = []
    for z, g in enumerate(prepared):
        x0, y0, x1, y1 = bounds[z]
        cand = np.flatnonzero((xa >= x0) & (xa <= x1) & (ya >= y0) & (ya <= y1))
        got = cand[test(g, xa[cand], ya[cand])]
        free = label[got] < 0
        label[got[free]] = z
        ex_p.append(got[~free].astype(np.int64))
        ex_z.append(np.full(int((~free).sum()), z, dtype=np.int32))
    return Assignment(label, np.concatenate(ex_p), np.concatenate(ex_z)).sorted()


def sjoin_pairs(
    x: ArrayLike, y: ArrayLike, zones: Any, *, predicate: str = "intersects", crs: Any = None
) -> Assignment:
    """The reference: the same pairs from ``geopandas.sjoin`` (slow; for tests and benchmarks)."""
    import geopandas as gpd

    zs = gpd.GeoSeries(list(getattr(zones, "values", zones)), crs=crs)
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(np.asarray(x), np.asarray(y)), crs=crs)
    right = gpd.GeoDataFrame({"zone": np.arange(len(zs), dtype=np.int32)}, geometry=zs, crs=crs)
    joined = gpd.sjoin(pts, right, predicate=predicate, how="inner")
    return Assignment.from_pairs(joined.index.to_numpy(), joined["zone"].to_numpy(), len(pts))


def assign_points_dask(
    points: Any,
    index: ZoneIndex,
    *,
    predicate: str = "intersects",
    x: str | None = None,
    y: str | None = None,
    scheduler: str | Any | None = None,
) -> Assignment:
    """The same assignment computed on Dask: ``points`` is a dask(-geopandas) DataFrame.

    Each partition is assigned by :meth:`ZoneIndex.assign` on its x/y arrays
    (the geometry's coordinates for a dask-geopandas frame, else the columns
    ``x`` and ``y``); point positions are row positions over all partitions, so
    the result equals :meth:`ZoneIndex.assign` on the whole frame. ``scheduler``
    is a ``dask.distributed`` address (``"tcp://host:8786"``) or a Client; None
    uses the current default scheduler (a Client created earlier, or threads).
    """
    import dask

    def part(df: Any, idx: ZoneIndex) -> Assignment:
        if x is None and hasattr(df, "geometry"):
            px, py = df.geometry.x.to_numpy(), df.geometry.y.to_numpy()
        else:
            px, py = df[x or "x"].to_numpy(), df[y or "y"].to_numpy()
        return idx.assign(px, py, predicate=predicate, threads=1)

    def run(kw: dict[str, Any]) -> list[Assignment]:
        delayed_index = dask.delayed(index, pure=True)
        tasks = [dask.delayed(part)(p, delayed_index) for p in points.to_delayed()]
        return list(dask.compute(*tasks, **kw))

    if isinstance(scheduler, str):
        from distributed import Client

        with Client(scheduler, set_as_default=False) as client:
            results = run({"scheduler": client})
    else:
        results = run({} if scheduler is None else {"scheduler": scheduler})
    offsets = np.concatenate([[0], np.cumsum([r.n_points for r in results])]).astype(np.int64)
    return Assignment(
        np.concatenate([r.label for r in results]) if results else np.zeros(0, np.int32),
        np.concatenate([r.extra_point + offsets[i] for i, r in enumerate(results)])
        if results
        else np.zeros(0, np.int64),
        np.concatenate([r.extra_zone for r in results]) if results else np.zeros(0, np.int32),
    )
