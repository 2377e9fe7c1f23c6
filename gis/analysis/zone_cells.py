"""Cell states of zones on a grid: the rasterising half of :meth:`ZoneIndex.build`.

For each zone, every cell of its window gets a state: 0 outside, 1 inside (the cell's centre
is in the zone and its boundary cannot cross the cell), 2 border (a band around the boundary
touches the cell: points there are tested exactly).

How the band is made, and why it is safe. Every ring of a polygon (shells and holes alike) and
every line is simplified on its own with Douglas-Peucker at tolerance ``tol`` (no topology
repair: it is fast, and nothing is dropped or rebuilt): every point of an original ring lies
within ``tol`` of a segment of its simplified ring. A cell is in the band when a simplified
segment passes within ``tol`` plus a hundredth of a cell of the cell (a segment-square
distance on the arrays, :func:`band_cells`), so the band covers every cell the original
boundary touches, with a margin: a point that rounding puts into a neighbouring cell lies far
closer than that margin, and the boundary cannot pass between it and that cell's centre.

The inside state: along a row, a run of cells clear of the band is crossed by no part of the
boundary, so the whole run is inside or outside; one exact test of its first cell centre
against the original zone decides it (:func:`zone_states`). No GDAL is involved.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

#: Simplification tolerance, in cells, of the rings whose band is measured (exact tests use
#: the original geometry). A tenth of a cell: a band ~16% narrower than at a quarter (fewer
#: exact tests in every lookup) for the same build time.
SIMPLIFY_CELLS = 0.1
#: Extra band width, in cells, beyond the simplification tolerance (a margin for rounding).
MARGIN_CELLS = 0.01

Window = tuple[int, int, int, int]  # r0, r1, c0, c1 in the unpadded grid


@dataclass
class Bands:
    """Band cells of zones: parallel arrays of grid row, column and zone number."""

    row: NDArray[np.int64]
    col: NDArray[np.int64]
    zone: NDArray[np.int64]


def zone_bands(arr: NDArray[Any], x0: float, y1: float, cell: float) -> Bands:
    """The band cells of every zone (rings and lines simplified one by one)."""
    import shapely

    parts, part_zone = shapely.get_parts(arr, return_index=True)
    while np.isin(shapely.get_type_id(parts), (4, 5, 6, 7)).any():  # nested collections
        parts, inner = shapely.get_parts(parts, return_index=True)
        part_zone = part_zone[inner]
    is_poly = shapely.get_type_id(parts) == 3
    rings, ring_part = shapely.get_rings(parts[is_poly], return_index=True)
    every = np.concatenate([rings, parts[~is_poly]])  # lines and points: their own band
    simple = shapely.simplify(every, cell * SIMPLIFY_CELLS, preserve_topology=False)
    empty = shapely.is_empty(simple)  # never seen; the original then, which is always safe
    simple[empty] = every[empty]
    zone_of = np.concatenate([part_zone[is_poly][ring_part], part_zone[~is_poly]])
    return band_cells(simple, zone_of, x0, y1, cell, SIMPLIFY_CELLS + MARGIN_CELLS)


def band_cells(
    lines: NDArray[Any], zone_of: NDArray[np.int64], x0: float, y1: float, cell: float, grow: float
) -> Bands:
    """Cells (row, column from the grid's top-left corner ``x0``, ``y1``) that a segment of
    ``lines`` (any geometries: their consecutive vertices; a lone point is a segment of
    length 0) passes within ``grow`` cells of.

    >>> import shapely
    >>> b = band_cells(np.array([shapely.LineString([(0.5, -0.5), (2.5, -0.5)])]),
    ...                np.array([7]), 0.0, 0.0, 1.0, 0.26)
    >>> sorted(zip(b.row.tolist(), b.col.tolist())), b.zone.tolist()
    ([(0, 0), (0, 1), (0, 2)], [7, 7, 7])
    """
    import shapely

    coords, part = shapely.get_coordinates(lines, return_index=True)
    fx = (coords[:, 0] - x0) / cell
    fy = (y1 - coords[:, 1]) / cell
    new = np.ones(len(part), dtype=bool)
    new[1:] = part[1:] != part[:-1]
    last = np.ones(len(part), dtype=bool)
    last[:-1] = new[1:]
    a = np.concatenate([np.flatnonzero(~last), np.flatnonzero(new & last)])
    b = np.concatenate([np.flatnonzero(~last) + 1, np.flatnonzero(new & last)])
    px, py, qx, qy = fx[a], fy[a], fx[b], fy[b]
    c0 = np.floor(np.minimum(px, qx) - grow).astype(np.int64)
    c1 = np.floor(np.maximum(px, qx) + grow).astype(np.int64)
    r0 = np.floor(np.minimum(py, qy) - grow).astype(np.int64)
    r1 = np.floor(np.maximum(py, qy) + grow).astype(np.int64)
    nc = c1 - c0 + 1
    count = nc * (r1 - r0 + 1)
    seg = np.repeat(np.arange(len(a)), count)
    k = np.arange(len(seg)) - np.repeat(np.cumsum(count) - count, count)
    col = c0[seg] + k % nc[seg]
    row = r0[seg] + k // nc[seg]
    lo_x, hi_x = _slab(px[seg], qx[seg] - px[seg], col - grow, col + 1 + grow)
    lo_y, hi_y = _slab(py[seg], qy[seg] - py[seg], row - grow, row + 1 + grow)
    hit = np.flatnonzero(
        np.maximum(np.maximum(lo_x, lo_y), 0.0) <= np.minimum(np.minimum(hi_x, hi_y), 1.0)
    )
    # The grown square has sharp corners. A segment that crosses the square grown only
    # across x or only across y is within ``grow`` of it; the few others are measured.
    s, c, r = seg[hit], col[hit], row[hit]
    x0_, x1_ = _slab(px[s], qx[s] - px[s], c, c + 1)
    y0_, y1_ = _slab(py[s], qy[s] - py[s], r, r + 1)
    gx0, gx1, gy0, gy1 = lo_x[hit], hi_x[hit], lo_y[hit], hi_y[hit]
    plus = (np.maximum(np.maximum(gx0, y0_), 0.0) <= np.minimum(np.minimum(gx1, y1_), 1.0)) | (
        np.maximum(np.maximum(x0_, gy0), 0.0) <= np.minimum(np.minimum(x1_, gy1), 1.0)
    )
    m = np.flatnonzero(~plus)
    sm = s[m]
    plus[m] = _square_distance(px[sm], py[sm], qx[sm], qy[sm], c[m], r[m]) <= grow
    return Bands(r[plus], c[plus], zone_of[part[a]][s[plus]])


def _square_distance(
    px: NDArray[np.float64],
    py: NDArray[np.float64],
    qx: NDArray[np.float64],
    qy: NDArray[np.float64],
    col: NDArray[np.int64],
    row: NDArray[np.int64],
) -> NDArray[np.float64]:
    """Distance between segments ``p``-``q`` and the unit squares at ``col``, ``row``."""
    lo_x, hi_x = _slab(px, qx - px, col, col + 1)
    lo_y, hi_y = _slab(py, qy - py, row, row + 1)
    crosses = np.maximum(np.maximum(lo_x, lo_y), 0.0) <= np.minimum(np.minimum(hi_x, hi_y), 1.0)
    dx, dy = qx - px, qy - py
    length2 = dx * dx + dy * dy
    best = np.full(len(px), np.inf)
    for cx, cy in ((col, row), (col + 1, row), (col, row + 1), (col + 1, row + 1)):
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.clip(((cx - px) * dx + (cy - py) * dy) / length2, 0.0, 1.0)
        t = np.where(length2 > 0, t, 0.0)
        best = np.minimum(best, np.hypot(px + t * dx - cx, py + t * dy - cy))
    for ex, ey in ((px, py), (qx, qy)):
        ox = np.maximum(np.maximum(col - ex, ex - (col + 1)), 0.0)
        oy = np.maximum(np.maximum(row - ey, ey - (row + 1)), 0.0)
        best = np.minimum(best, np.hypot(ox, oy))
    return np.where(crosses, 0.0, best)


def _slab(
    p: NDArray[np.float64], d: NDArray[np.float64], lo: NDArray[Any], hi: NDArray[Any]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The interval of ``t`` for which ``p + t d`` lies in ``[lo, hi]`` (Liang-Barsky)."""
    flat = d == 0
    with np.errstate(divide="ignore", invalid="ignore"):
        t1 = (lo - p) / d
        t2 = (hi - p) / d
    inside = (p >= lo) & (p <= hi)
    t_lo = np.where(flat, np.where(inside, -np.inf, np.inf), np.minimum(t1, t2))
    t_hi = np.where(flat, np.where(inside, np.inf, -np.inf), np.maximum(t1, t2))
    return t_lo, t_hi


def zone_states(
    prepared: NDArray[Any],
    bands: Bands,
    windows: Sequence[Window],
    x0: float,
    y1: float,
    cell: float,
) -> list[NDArray[np.uint8]]:
    """Each zone's cell states over its window (0 outside, 1 inside, 2 border).

    Inside: along each row of a window, a run of cells clear of the band is crossed by no
    part of the zone's boundary, so it lies wholly inside or wholly outside the zone; one
    exact test of the run's first cell centre against the zone (``prepared``: the zones,
    prepared, in their own coordinates) decides the whole run.
    """
    import shapely

    states = [np.zeros((r1 - r0, c1 - c0), dtype=np.uint8) for r0, r1, c0, c1 in windows]
    order = np.argsort(bands.zone, kind="stable")
    zone = bands.zone[order]
    cuts = np.flatnonzero(np.diff(zone)) + 1
    for rows, cols, z in zip(
        np.split(bands.row[order], cuts), np.split(bands.col[order], cuts), zone[np.r_[0, cuts]]
    ):
        r0, _, c0, _ = windows[int(z)]
        states[int(z)][rows - r0, cols - c0] = 2
    polygonal = shapely.get_dimensions(prepared) == 2
    for z in np.flatnonzero(polygonal).tolist():
        st = states[z]
        r0, _, c0, _ = windows[z]
        w = st.shape[1]
        clear = st.ravel() != 2
        start = clear.copy()
        start[1:] &= ~clear[:-1]
        start[::w] = clear[::w]  # every row starts its own runs
        first = np.flatnonzero(start)
        rows, cols = np.divmod(first, w)
        inside = shapely.contains_xy(
            prepared[z], x0 + (c0 + cols + 0.5) * cell, y1 - (r0 + rows + 0.5) * cell
        )
        run = np.cumsum(start) - 1
        fill = clear & inside[np.maximum(run, 0)] & (run >= 0)
        st.ravel()[fill] = 1
    return states
