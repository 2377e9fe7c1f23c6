"""Rasters for QGIS users: distance to the nearest cluster, coverage grid, zonal statistics.

Grids are in EPSG:4547 with square cells of a chosen resolution, aligned to
multiples of it. A cell belongs to a polygon when its centre does (the GDAL
rasterisation rule); at 10 m the coverage share per district agrees with the
exact vector share within a small fraction of a percentage point. GeoTIFFs
are DEFLATE-compressed and tiled, with nodata set and metadata tags naming
the analysis, its parameters and sources, and are written atomically.

Zonal statistics of a user raster (e.g. a population grid) are computed on the
raster's own grid: zones are reprojected to the raster's CRS (never the
raster to the zones', which would resample and change sums). A raster without
a CRS is refused.

>>> import geopandas as gpd, shapely
>>> area = gpd.GeoDataFrame({"adcode": ["1"]}, geometry=[shapely.box(0, 0, 1_000, 1_000)],
...     crs="EPSG:4547")
>>> pts = gpd.GeoDataFrame(geometry=[shapely.Point(50, 950)], crs="EPSG:4547")
>>> grid = distance_surface(pts, area, 100)   # 10 x 10 cells; centres (50, 950) … (950, 50)
>>> grid.array.shape, float(grid.array[0, 0]), round(float(grid.array[-1, -1]), 1)
((10, 10), 0.0, 1272.8)
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..crs import reproject
from ..errors import CRSError, InputError, LayerNotFoundError
from ..settings import METRIC_CRS
from .coverage import _metric, coverage_union
from .inputs import load_frame, to_metric_checked
from .units import parse_distance

if TYPE_CHECKING:
    import geopandas as gpd

#: Rows processed at a time (bounds memory at fine resolutions; a multiple of the tile size).
BLOCK_ROWS = 1024
#: Cells whose distances are queried at a time inside a block (bounds the query's arrays).
QUERY_CELLS = 1 << 21
#: Up to this many points the distance surface is computed row by row from the lower
#: envelope of the points (exact, no k-d tree); more points, or lines and polygons, use the tree.
ENVELOPE_POINTS = 256
#: GeoTIFF tile size, and the size below which no further overview level is made.
TILE = 256
#: DEFLATE level of the GeoTIFFs: 1 compresses a 10 m city grid several times faster than
#: the default 6 for a file ~10% larger.
ZLEVEL = 1
#: GDAL block cache while a GeoTIFF is written (MB): a strip of tiles, not the whole grid.
GDAL_CACHE_MB = 128
DIST_NODATA = -1.0
COVER_NODATA = 255
#: Colours of the coverage grid: not covered (light grey), covered (blue), outside (clear).
COVER_COLOURS = {0: (224, 224, 224, 255), 1: (33, 113, 181, 255), COVER_NODATA: (0, 0, 0, 0)}


@dataclass
class Grid:
    """A raster computed a block of rows at a time.

    ``blocks()`` yields ``(first_row, rows)`` pairs covering the grid top to bottom;
    :func:`write_geotiff` writes each block as it is computed, so that a 10 m grid of the
    city never sits in memory whole. :attr:`array` assembles the whole grid (small grids,
    tests).
    """

    blocks: Callable[[], Iterator[tuple[int, np.ndarray]]]
    shape: tuple[int, int]
    dtype: str
    transform: Any
    crs: str = METRIC_CRS
    nodata: float | int | None = None
    tags: dict[str, str] = field(default_factory=dict)
    description: str = ""
    #: unit of the band values (GDAL's band unit type), e.g. "metre"
    units: str = ""
    #: colour table (value -> RGBA) of a categorical grid
    colormap: dict[int, tuple[int, int, int, int]] | None = None
    #: resampling of the overviews: "average" for measures, "nearest" for categories
    overview_resampling: str = "average"
    _array: np.ndarray | None = field(default=None, repr=False)

    @property
    def array(self) -> np.ndarray:
        """The whole grid in memory (computed once)."""
        if self._array is None:
            out = np.empty(self.shape, dtype=self.dtype)
            for r0, block in self.blocks():
                out[r0 : r0 + len(block)] = block
            self._array = out
        return self._array


def grid_spec(extent: gpd.GeoDataFrame, resolution: float) -> tuple[Any, int, int]:
    """Transform, rows and columns of an EPSG:4547 grid aligned to ``resolution`` over ``extent``."""
    from affine import Affine

    if not resolution > 0:
        raise InputError(f"resolution {resolution!r} must be positive, e.g. '100m'")
    x0, y0, x1, y1 = _metric(extent, "extent").total_bounds
    x0 = np.floor(x0 / resolution) * resolution
    y1 = np.ceil(y1 / resolution) * resolution
    ncols = int(np.ceil((x1 - x0) / resolution))
    nrows = int(np.ceil((y1 - y0) / resolution))
    if nrows * ncols > 2_000_000_000:
        raise InputError(f"a {resolution:g} m grid over this extent is too large; coarsen it")
    return Affine(resolution, 0, x0, 0, -resolution, y1), nrows, ncols


def _block_transform(transform: Any, row0: int) -> Any:
    from affine import Affine

    return Affine(transform.a, 0, transform.c, 0, transform.e, transform.f + row0 * transform.e)


def _mask(geom: Any, shape: tuple[int, int], transform: Any) -> np.ndarray:
    import rasterio.features

    if geom is None or geom.is_empty:
        return np.zeros(shape, dtype=bool)
    return rasterio.features.rasterize(
        [(geom, 1)], out_shape=shape, transform=transform, dtype="uint8"
    ).astype(bool)


def _envelope(px: list[float], dy2: list[float]) -> tuple[list[int], list[float]]:
    """Lower envelope of the parabolas ``(x - px[k])² + dy2[k]`` (``px`` ascending, distinct):
    the parabolas in order and the ``x`` where each next one takes over (Felzenszwalb and
    Huttenlocher's 1-D distance transform, with vertices anywhere)."""
    v = [0]
    z: list[float] = []
    c = [px[0] * px[0] + dy2[0]]
    for q in range(1, len(px)):
        cq = px[q] * px[q] + dy2[q]
        while True:
            s = (cq - c[-1]) / (2.0 * (px[q] - px[v[-1]]))
            if z and s <= z[-1]:
                v.pop()
                c.pop()
                z.pop()
                continue
            break
        v.append(q)
        c.append(cq)
        z.append(s)
    return v, z


def _nearest_distance(pts: np.ndarray, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Distance (float64) from every cell centre ``(xs[j], ys[i])`` to the nearest of ``pts``,
    computed as the k-d tree computes it, ``sqrt(dx² + dy²)`` to the nearest point.

    Each row's nearest point comes from the lower envelope of the points' parabolas (exact
    up to the rounding of the crossing points); the cells next to a crossing take the
    smaller distance of both neighbours, so a crossing that rounding moved across a cell
    centre changes nothing.
    """
    order = np.lexsort((pts[:, 1], pts[:, 0]))
    px_all, py_all = pts[order, 0], pts[order, 1]
    x0 = float(xs[0]) if len(xs) else 0.0
    ux = xs - x0  # the envelope in local coordinates (smaller squares, finer crossings)
    upx_all = px_all - x0
    first = np.r_[True, px_all[1:] != px_all[:-1]]  # one point per x: the nearest in y
    ny, nx = len(ys), len(xs)
    d2 = np.empty((ny, nx))
    fix_r: list[np.ndarray] = []
    fix_c: list[np.ndarray] = []
    fix_a: list[np.ndarray] = []
    fix_b: list[np.ndarray] = []
    grp = np.cumsum(first) - 1
    for i, y in enumerate(ys.tolist()):
        dy_all = y - py_all
        dy2_all = dy_all * dy_all
        if first.all():
            cand = np.arange(len(px_all))
        else:  # of points sharing an x, the one nearest this row
            best = np.full(int(grp[-1]) + 1, -1)
            for k in np.argsort(dy2_all, kind="stable")[::-1]:
                best[grp[k]] = k
            cand = best
        v, z = _envelope(upx_all[cand].tolist(), dy2_all[cand].tolist())
        owners = cand[v]
        cuts = np.searchsorted(ux, z, side="left")
        counts = np.diff(np.r_[0, cuts, nx])
        row = d2[i]
        np.subtract(xs, np.repeat(px_all[owners], counts), out=row)
        np.multiply(row, row, out=row)
        np.add(row, np.repeat(dy2_all[owners], counts), out=row)
        if len(cuts):  # the two cells around each crossing: both neighbours compared
            cc = np.concatenate([cuts - 1, cuts])
            a = np.concatenate([owners[:-1], owners[:-1]])
            b = np.concatenate([owners[1:], owners[1:]])
            keep = (cc >= 0) & (cc < nx)
            fix_r.append(np.full(int(keep.sum()), i))
            fix_c.append(cc[keep])
            fix_a.append(a[keep])
            fix_b.append(b[keep])
    if fix_r:
        r, c = np.concatenate(fix_r), np.concatenate(fix_c)
        a, b = np.concatenate(fix_a), np.concatenate(fix_b)
        dxa, dya = xs[c] - px_all[a], ys[r] - py_all[a]
        dxb, dyb = xs[c] - px_all[b], ys[r] - py_all[b]
        # a minimum over all candidates of a cell (zero-width segments give a cell several)
        np.minimum.at(d2, (r, c), np.minimum(dxa * dxa + dya * dya, dxb * dxb + dyb * dyb))
    return np.sqrt(d2, out=d2)


def distance_surface(points: gpd.GeoDataFrame, extent: gpd.GeoDataFrame, resolution: float) -> Grid:
    """Distance in metres from each cell centre to the nearest cluster (float32).

    Exact for point clusters (a k-d tree of the points); for line or polygon
    features, the distance to their outline sampled every ``resolution / 2``
    (error below a quarter of a cell) and 0 inside polygons. Cells outside
    ``extent`` hold nodata (-1).
    """
    import shapely
    from scipy.spatial import cKDTree

    pts = _metric(points, "points")
    if len(pts) == 0:
        raise InputError("distance surface: the point layer is empty")
    transform, nrows, ncols = grid_spec(extent, resolution)
    geoms = pts.geometry.values
    is_point = shapely.get_type_id(geoms) == 0
    coords = [shapely.get_coordinates(geoms[is_point])]
    others = geoms[~is_point]
    if len(others):
        outline = shapely.segmentize(
            np.asarray([shapely.boundary(g) if g.area > 0 else g for g in others]), resolution / 2
        )
        coords.append(shapely.get_coordinates(outline))
    coords_all = np.concatenate(coords)
    tree = cKDTree(coords_all) if len(others) or len(coords_all) > ENVELOPE_POINTS else None
    region = shapely.union_all(_metric(extent, "extent").geometry.values)
    polys = shapely.union_all([g for g in others if g.area > 0]) if len(others) else None
    xs = transform.c + (np.arange(ncols) + 0.5) * resolution

    def blocks() -> Iterator[tuple[int, np.ndarray]]:
        step = max(1, QUERY_CELLS // max(ncols, 1))
        for r0 in range(0, nrows, BLOCK_ROWS):
            r1 = min(r0 + BLOCK_ROWS, nrows)
            bt = _block_transform(transform, r0)
            inside = _mask(region, (r1 - r0, ncols), bt)
            block = np.full((r1 - r0, ncols), DIST_NODATA, dtype=np.float32)
            for s0 in range(0, r1 - r0, step):
                if tree is None:  # a few points: the lower envelope, row by row
                    rows_abs = np.arange(r0 + s0, min(r0 + s0 + step, r1))
                    ys = transform.f - (rows_abs + 0.5) * resolution
                    dist = _nearest_distance(coords_all, xs, ys).astype(np.float32)
                    np.copyto(block[s0 : s0 + step], dist, where=inside[s0 : s0 + step])
                    continue
                rows, cols = np.nonzero(inside[s0 : s0 + step])
                if not len(rows):
                    continue
                ys = transform.f - (r0 + s0 + rows + 0.5) * resolution
                dist, _ = tree.query(np.column_stack([xs[cols], ys]), workers=-1)
                block[s0 + rows, cols] = dist.astype(np.float32)
            if polys is not None and not polys.is_empty:
                block[_mask(polys, (r1 - r0, ncols), bt) & inside] = 0.0
            yield r0, block

    return Grid(
        blocks,
        (nrows, ncols),
        "float32",
        transform,
        nodata=DIST_NODATA,
        description="distance to nearest cluster (m)",
        tags={
            "analysis": "distance to nearest cluster",
            "units": "metre",
            "resolution_m": f"{resolution:g}",
        },
        units="metre",
    )


def coverage_grid(
    points: gpd.GeoDataFrame, extent: gpd.GeoDataFrame, radius: float | str, resolution: float
) -> Grid:
    """1 where a cell centre is within the radius of a cluster, 0 elsewhere, 255 outside ``extent``."""
    import shapely

    union = coverage_union(points, radius)
    transform, nrows, ncols = grid_spec(extent, resolution)
    region = shapely.union_all(_metric(extent, "extent").geometry.values)

    def blocks() -> Iterator[tuple[int, np.ndarray]]:
        for r0 in range(0, nrows, BLOCK_ROWS):
            r1 = min(r0 + BLOCK_ROWS, nrows)
            bt = _block_transform(transform, r0)
            inside = _mask(region, (r1 - r0, ncols), bt)
            block = np.full((r1 - r0, ncols), COVER_NODATA, dtype=np.uint8)
            block[inside] = _mask(union, (r1 - r0, ncols), bt)[inside]
            yield r0, block

    return Grid(
        blocks,
        (nrows, ncols),
        "uint8",
        transform,
        nodata=COVER_NODATA,
        description="within radius of a cluster (1) or not (0)",
        tags={
            "analysis": "coverage grid",
            "resolution_m": f"{resolution:g}",
            "values": "1 covered, 0 not covered, 255 outside the study area",
        },
        colormap=COVER_COLOURS,
        overview_resampling="nearest",
    )


def raster_district_shares(
    points: gpd.GeoDataFrame, districts: gpd.GeoDataFrame, radius: float | str, resolution: float
) -> pd.DataFrame:
    """Covered share (%) of each district counted on a grid (cell-centre rule), by row blocks.

    Memory stays bounded at fine resolutions: counts are accumulated block by
    block with int64 bincounts over at most ``BLOCK_ROWS`` rows.
    """
    import rasterio.features

    union = coverage_union(points, radius)
    d = _metric(districts, "districts")
    transform, nrows, ncols = grid_spec(d, resolution)
    n = len(d)
    total = np.zeros(n + 1, dtype=np.int64)
    covered = np.zeros(n + 1, dtype=np.int64)
    shapes = [(g, i + 1) for i, g in enumerate(d.geometry.values)]
    for r0 in range(0, nrows, BLOCK_ROWS):
        r1 = min(r0 + BLOCK_ROWS, nrows)
        bt = _block_transform(transform, r0)
        lab = rasterio.features.rasterize(
            shapes, out_shape=(r1 - r0, ncols), transform=bt, dtype="int32"
        )
        cov = _mask(union, (r1 - r0, ncols), bt)
        total += np.bincount(lab.ravel(), minlength=n + 1)
        covered += np.bincount(lab[cov], minlength=n + 1)
    cell_km2 = resolution * resolution / 1e6
    return pd.DataFrame(
        {
            "adcode": d["adcode"].astype(str).to_numpy(),
            "cells": total[1:],
            "covered_km2": np.round(covered[1:] * cell_km2, 3),
            "covered_pct": np.round(
                np.where(total[1:] > 0, 100 * covered[1:] / np.maximum(total[1:], 1), 0.0), 3
            ),
        }
    )


@contextmanager
def _atomic_path(path: str | Path) -> Iterator[Path]:
    """A temporary sibling path of ``path`` for a writer that opens files itself (GDAL);
    renamed over ``path`` on success, removed on any error (as :func:`gis.io.atomic_write`)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def overview_factors(shape: tuple[int, int]) -> list[int]:
    """Overview decimation factors 2, 4, 8, … until the grid fits in one tile.

    >>> overview_factors((13_500, 15_600)), overview_factors((100, 100))
    ([2, 4, 8, 16, 32, 64], [])
    """
    factors: list[int] = []
    f = 2
    while max(shape) / (f // 2) > TILE:
        factors.append(f)
        f *= 2
    return factors


def write_geotiff(
    grid: Grid, path: str | Path, *, extra_tags: dict[str, str] | None = None
) -> Path:
    """Write ``grid`` as a tiled, DEFLATE-compressed GeoTIFF with overviews, atomically.

    Blocks are written as they are computed (the grid is never whole in memory unless it
    already is); band unit, description, tags and, for a categorical grid, a colour table.
    """
    import rasterio
    from rasterio.enums import Resampling
    from rasterio.windows import Window

    nrows, ncols = grid.shape
    profile = {
        "driver": "GTiff",
        "height": nrows,
        "width": ncols,
        "count": 1,
        "dtype": grid.dtype,
        "crs": grid.crs,
        "transform": grid.transform,
        "nodata": grid.nodata,
        "compress": "deflate",
        "zlevel": ZLEVEL,
        "predictor": 3 if np.dtype(grid.dtype).kind == "f" else 2,
        "tiled": True,
        "blockxsize": TILE,
        "blockysize": TILE,
    }
    if grid.colormap:
        profile["predictor"] = 1  # a paletted band: values are categories
    tags = {**grid.tags, **(extra_tags or {}), "software": "clustermap (gis.analysis.raster)"}
    blocks = [(0, grid._array)] if grid._array is not None else grid.blocks()
    with _atomic_path(path) as tmp, rasterio.Env(GDAL_CACHEMAX=GDAL_CACHE_MB):
        with rasterio.open(tmp, "w", **profile) as dst:
            for r0, block in blocks:
                dst.write(block, 1, window=Window(0, r0, ncols, len(block)))
            dst.update_tags(**tags)
            if grid.description:
                dst.set_band_description(1, grid.description)
            if grid.units:
                dst.units = (grid.units,)
            if grid.colormap:
                dst.write_colormap(1, grid.colormap)
            factors = overview_factors(grid.shape)
            if factors:
                dst.build_overviews(factors, Resampling[grid.overview_resampling])
                dst.update_tags(ns="rio_overview", resampling=grid.overview_resampling)
    return Path(path)


def zonal_stats(
    raster_path: str | Path, zones: gpd.GeoDataFrame, *, key: str | None = None
) -> pd.DataFrame:
    """Count, sum, mean, min and max of a raster's valid cells in each zone (cell-centre rule).

    Zones may overlap (each is measured on its own). The zones are reprojected
    to the raster's CRS; a raster without a CRS is refused.
    """
    import rasterio
    import rasterio.windows
    from affine import Affine

    p = Path(raster_path)
    if not p.exists():
        raise LayerNotFoundError(f"{p}: raster not found")
    try:
        src = rasterio.open(p)
    except rasterio.errors.RasterioIOError as exc:
        raise InputError(f"{p}: not a readable raster ({exc})") from None
    with src:
        if src.crs is None:
            raise CRSError(
                f"{p}: raster has no CRS; assign one in QGIS (Raster > Projections > Assign "
                "Projection) or with `gdal_edit.py -a_srs EPSG:4547 FILE`, then rerun"
            )
        if zones.crs is None:
            raise CRSError("zones have no CRS; set it first")
        z = reproject(zones, src.crs)
        ids = z[key].astype(str).tolist() if key else [str(i) for i in range(len(z))]
        rows = []
        for zid, geom in zip(ids, z.geometry.values):
            row: dict[str, Any] = {
                "zone": zid,
                "cells": 0,
                "sum": 0.0,
                "mean": np.nan,
                "min": np.nan,
                "max": np.nan,
            }
            if geom is None or geom.is_empty:
                rows.append(row)
                continue
            w = rasterio.windows.from_bounds(*geom.bounds, transform=src.transform)
            c0, r0 = max(int(np.floor(w.col_off)), 0), max(int(np.floor(w.row_off)), 0)
            c1 = min(int(np.ceil(w.col_off + w.width)), src.width)
            r1 = min(int(np.ceil(w.row_off + w.height)), src.height)
            if c1 <= c0 or r1 <= r0:  # zone outside the raster
                rows.append(row)
                continue
            win = rasterio.windows.Window(c0, r0, c1 - c0, r1 - r0)
            data = src.read(1, window=win, masked=True)
            t = src.transform  # the window's transform (rasterio's helper warns on affine 3)
            wt = Affine(t.a, t.b, t.c + c0 * t.a + r0 * t.b, t.d, t.e, t.f + c0 * t.d + r0 * t.e)
            inside = _mask(geom, data.shape, wt)
            vals = data.data[inside & ~np.ma.getmaskarray(data)].astype(np.float64)
            vals = vals[np.isfinite(vals)]
            if len(vals):
                row.update(
                    cells=int(len(vals)),
                    sum=float(vals.sum()),
                    mean=float(vals.mean()),
                    min=float(vals.min()),
                    max=float(vals.max()),
                )
            rows.append(row)
    return pd.DataFrame(rows)


def coverage_zonal(
    raster_path: str | Path,
    points: gpd.GeoDataFrame,
    districts: gpd.GeoDataFrame,
    radius: float | str,
) -> pd.DataFrame:
    """Raster sums (e.g. population) per district: total, inside coverage, outside, share (%)."""
    import geopandas as gpd
    import shapely

    d = _metric(districts, "districts")
    union = coverage_union(points, radius)
    geoms = d.geometry.values
    zones = gpd.GeoDataFrame(
        {"zone": [f"{i}" for i in range(3 * len(d))]},
        geometry=np.concatenate(
            [geoms, shapely.intersection(geoms, union), shapely.difference(geoms, union)]
        ),
        crs=METRIC_CRS,
    )
    st = zonal_stats(raster_path, zones, key="zone")["sum"].to_numpy()
    n = len(d)
    tot, cov, unc = st[:n], st[n : 2 * n], st[2 * n :]
    return pd.DataFrame(
        {
            "adcode": d["adcode"].astype(str).to_numpy(),
            "raster_sum": np.round(tot, 3),
            "raster_sum_covered": np.round(cov, 3),
            "raster_sum_uncovered": np.round(unc, 3),
            "covered_pct": np.round(
                np.where(tot > 0, 100 * cov / np.where(tot > 0, tot, 1), 0.0), 2
            ),
        }
    )


def coverage_rasters(
    points: str | Path, districts: str | Path, radius: str, resolution_m: float
) -> list[tuple[str, Grid, dict[str, str]]]:
    """The GeoTIFFs of ``clustermap coverage --raster``: the distance surface and the coverage
    grid over ``districts`` (layer ids or files), each with its tags; computed as written."""
    pts, _ = to_metric_checked(load_frame(points, role="points"), str(points))
    dis, _ = to_metric_checked(load_frame(districts, role="districts"), str(districts))
    r = parse_distance(radius)
    tags = {"points": str(points), "radius_m": f"{r:g}", "extent": str(districts)}
    return [
        ("distance", distance_surface(pts, dis, resolution_m), tags),
        ("grid", coverage_grid(pts, dis, r, resolution_m), tags),
    ]
