"""Point-in-zone assignment for millions of points, on x/y arrays.

A :class:`ZoneIndex` rasterises its zones onto a regular grid once. Each grid
cell records which zones contain it entirely ("interior") and which zones'
boundaries pass through it or next to it ("border"). A point is then assigned
by reading its cell: interior zones are taken as they are, and only points in
border cells are tested exactly with shapely (``intersects_xy`` or
``contains_xy``). Zones may overlap (a point may lie in a district, a cluster
and a pilot zone at once): the result is a list of (point, zone) pairs, like
the rows of ``geopandas.sjoin``.

Boundary rule (documented, and asserted against geopandas in the tests):

* ``predicate="intersects"`` (default): a point on a zone's boundary belongs
  to that zone, so a point exactly on a border shared by two districts belongs
  to both — the same as ``geopandas.sjoin(points, zones, predicate="intersects")``.
* ``predicate="within"``: a point on a boundary belongs to no zone whose
  boundary it lies on — the same as ``sjoin(..., predicate="within")``.

Why a cell is safe to decide without a test: a cell is "interior" only if its
centre is inside the zone and a band around the zone's boundary touches no
part of it, so the boundary cannot cross it. The band is measured around
simplified copies of the rings (tolerance a tenth of a cell, for speed) and is
a tenth plus a hundredth of a cell wide on each side, so it contains the
original boundary with a margin; a point that rounding puts into a neighbouring
cell lies far closer than that margin (the reasoning in full:
:mod:`gis.analysis.zone_cells`).

Points and zones must be in the same CRS (lon/lat work as well as metres:
point-in-polygon is the same in both). Working on the CRS the points come in
avoids reprojecting millions of points.

>>> import shapely
>>> sq = shapely.box(0, 0, 10, 10)
>>> idx = ZoneIndex.build([sq, shapely.box(10, 0, 20, 10)], cell=1.0)
>>> a = idx.assign([5.0, 10.0, 25.0], [5.0, 5.0, 5.0])
>>> a.pairs().tolist()   # the point on the shared edge x=10 is in both
[[0, 0], [1, 0], [1, 1]]
>>> a.label.tolist()       # one zone per point (-1: none); further zones are in a.extra_*
[0, 0, -1]
>>> idx.assign([5.0, 10.0], [5.0, 5.0], predicate="within").pairs().tolist()
[[0, 0]]
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import InputError
from .zone_cells import zone_bands, zone_states

PREDICATES = ("intersects", "within")
#: Default number of cells along the longer side of the zones' extent.
DEFAULT_CELLS = 1024
#: Points per work unit at most; threads take units in turn. Below it, each thread gets one
#: unit (10M points on 2 threads: two of 5M): every unit pays a fixed cost (one exact-test
#: call per zone, the sort of its pairs), and units of 1M made a 10M lookup ~25% slower.
CHUNK = 1 << 24
#: Points read at a time inside a block (fits the CPU cache).
RUN = 1 << 16


@dataclass
class Assignment:
    """Zones of points: ``label[i]`` is one zone of point ``i`` (-1: none), and the
    pairs ``(extra_point[k], extra_zone[k])`` list every further zone of a point
    (overlapping zones, shared boundaries). Zone numbers are positions in the index.
    """

    label: NDArray[np.int32]
    extra_point: NDArray[np.int64]
    extra_zone: NDArray[np.int32]

    # One canonical form whatever computed it (index, exact tests, Dask): ``label`` is a
    # point's lowest-numbered zone and the further pairs are ordered by point, then zone,
    # so that sums over them are added in one order.

    @classmethod
    def from_pairs(cls, point: ArrayLike, zone: ArrayLike, n_points: int) -> Assignment:
        """An assignment from plain (point, zone) pairs."""
        return cls(
            np.full(n_points, -1, dtype=np.int32),
            np.asarray(point, dtype=np.int64),
            np.asarray(zone, dtype=np.int32),
        )

    @property
    def n_points(self) -> int:
        return len(self.label)

    def sorted(self) -> Assignment:
        """The same assignment with the further pairs ordered by point, then zone (one
        order whatever computed them, so sums over them add up in one order)."""
        order = np.lexsort((self.extra_zone, self.extra_point))
        return Assignment(self.label, self.extra_point[order], self.extra_zone[order])

    def pairs(self) -> NDArray[np.int64]:
        """Every (point, zone) pair as an (n, 2) array ordered by point, then zone."""
        first = np.flatnonzero(self.label >= 0)
        point = np.concatenate([first, self.extra_point])
        zone = np.concatenate([self.label[first], self.extra_zone]).astype(np.int64)
        order = np.lexsort((zone, point))
        return np.column_stack([point[order], zone[order]])

    def counts(self, n_zones: int) -> NDArray[np.int64]:
        """Points per zone."""
        lab = self.label[self.label >= 0]
        return np.bincount(lab, minlength=n_zones) + np.bincount(self.extra_zone, minlength=n_zones)

    def sums(self, values: ArrayLike, n_zones: int) -> NDArray[np.float64]:
        """Sum of ``values`` (one per point; NaN counts as 0) per zone."""
        v = np.nan_to_num(np.asarray(values, dtype=np.float64))
        ok = self.label >= 0
        first = np.bincount(self.label[ok], weights=v[ok], minlength=n_zones).astype(np.float64)
        return first + np.bincount(self.extra_zone, weights=v[self.extra_point], minlength=n_zones)

    def unassigned(self) -> NDArray[np.int64]:
        """Positions of points in no zone."""
        hit = self.label >= 0
        hit[self.extra_point] = True
        return np.flatnonzero(~hit)


@dataclass
class ZoneIndex:
    """Zones rasterised for fast point assignment (build with :meth:`build`)."""

    geoms: NDArray[Any]
    x0: float
    y1: float
    cell: float
    nrows: int
    ncols: int
    #: combination id of every cell, padded by one empty cell on each side
    grid: NDArray[np.integer[Any]]
    first_in: NDArray[np.int32]
    n_in: NDArray[np.int32]
    in_ptr: NDArray[np.int64]
    in_zones: NDArray[np.int32]
    bd_ptr: NDArray[np.int64]
    bd_zones: NDArray[np.int32]
    has_border: NDArray[np.bool_]
    #: per combination: its only zone (interior, no border), -1 (no zone), -2 (needs work)
    code: NDArray[np.int32]
    crs: Any = None
    #: ``code`` of every cell (``code[grid]``, in the smallest integer type): one read a point
    code_grid: NDArray[np.integer[Any]] | None = None
    _local: threading.local = field(default_factory=threading.local, repr=False, compare=False)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_local", None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._local = threading.local()

    def __post_init__(self) -> None:
        if self.code_grid is None:
            small = np.int8 if self.n_zones < 2**7 - 1 else np.int32
            self.code_grid = self.code.astype(small)[self.grid]

    @property
    def n_zones(self) -> int:
        return len(self.geoms)

    @property
    def border_share(self) -> float:
        """Share of grid cells that need an exact test."""
        return float(self.has_border[self.grid].mean())

    @classmethod
    def build(
        cls,
        geoms: Sequence[Any] | NDArray[Any] | Any,
        *,
        cell: float | None = None,
        crs: Any = None,
    ) -> ZoneIndex:
        """Index ``geoms`` (a sequence or GeoSeries of shapely geometries, any type).

        ``cell`` is the grid size in CRS units (default: the extent's longer side
        / 1024, about 130 m over Wuhan in lon/lat: a grid of ~1 MB that stays in the CPU cache).
        """
        import shapely

        if hasattr(geoms, "crs") and crs is None:
            crs = geoms.crs
        arr = np.asarray(list(getattr(geoms, "values", geoms)), dtype=object)
        if len(arr) == 0:
            raise InputError("no zones to index: the zone layer is empty")
        bad = [i for i, g in enumerate(arr) if g is None or g.is_empty]
        if bad:
            raise InputError(
                f"zones {', '.join(str(i + 1) for i in bad[:10])} have no geometry; "
                "fix or remove them"
            )
        bounds = shapely.bounds(arr)
        xmin, ymin = float(bounds[:, 0].min()), float(bounds[:, 1].min())
        xmax, ymax = float(bounds[:, 2].max()), float(bounds[:, 3].max())
        span = max(xmax - xmin, ymax - ymin)
        if cell is None:
            cell = span / DEFAULT_CELLS if span > 0 else 1.0
        if not (cell > 0 and math.isfinite(cell)):
            raise InputError(f"zone index cell size must be positive, not {cell}")
        # one spare cell on each side so that boundaries never touch the grid edge
        x0 = xmin - cell
        y1 = ymax + cell
        ncols = int(math.ceil((xmax - x0) / cell)) + 2
        nrows = int(math.ceil((y1 - ymin) / cell)) + 2
        if (nrows + 2) * (ncols + 2) > 2**31 - 1:
            raise InputError(
                f"zone index grid of {nrows}x{ncols} cells is too large; use a larger cell"
            )
        # grid with one empty padding cell all around: index (row+1, col+1)
        grid = np.zeros((nrows + 2, ncols + 2), dtype=np.int32)
        combos: list[tuple[tuple[int, ...], tuple[int, ...]]] = [((), ())]

        # Each zone's window: its bounds plus two cells (the band reaches a tenth of a cell out).
        c0s = np.maximum(np.floor((bounds[:, 0] - x0) / cell).astype(np.int64) - 2, 0)
        c1s = np.minimum(np.floor((bounds[:, 2] - x0) / cell).astype(np.int64) + 3, ncols)
        r0s = np.maximum(np.floor((y1 - bounds[:, 3]) / cell).astype(np.int64) - 2, 0)
        r1s = np.minimum(np.floor((y1 - bounds[:, 1]) / cell).astype(np.int64) + 3, nrows)
        windows = list(zip(r0s.tolist(), r1s.tolist(), c0s.tolist(), c1s.tolist()))
        prepared = shapely.from_wkb(shapely.to_wkb(arr))  # this thread's own copies
        shapely.prepare(prepared)
        bands = zone_bands(arr, x0, y1, cell)
        states: list[NDArray[np.uint8] | None] = list(
            zone_states(prepared, bands, windows, x0, y1, cell)
        )
        # merged in zone order, so a point's first zone is its lowest-numbered zone
        for z in range(len(arr)):
            st = states[z]
            assert st is not None
            cls._merge(grid, combos, z, int(r0s[z]), int(r1s[z]), int(c0s[z]), int(c1s[z]), st)
            states[z] = None
        # compact: keep only combinations still present in the grid
        counts = np.bincount(grid.ravel(), minlength=len(combos))
        counts[0] = 1  # combination 0, "no zone", is the padding and stays first
        used = np.flatnonzero(counts)
        small = np.int8 if len(used) < 2**7 else np.int16 if len(used) < 2**15 else np.int32
        remap = np.zeros(len(combos), dtype=small)
        remap[used] = np.arange(len(used), dtype=small)
        compact: NDArray[Any] = remap[grid]
        kept = [combos[int(u)] for u in used]
        n_in = np.array([len(c[0]) for c in kept], dtype=np.int32)
        first_in = np.array([c[0][0] if c[0] else -1 for c in kept], dtype=np.int32)
        in_ptr = np.concatenate([[0], np.cumsum(n_in)]).astype(np.int64)
        in_zones = np.array([z for c in kept for z in c[0]], dtype=np.int32)
        n_bd = np.array([len(c[1]) for c in kept], dtype=np.int64)
        bd_ptr = np.concatenate([[0], np.cumsum(n_bd)]).astype(np.int64)
        bd_zones = np.array([z for c in kept for z in c[1]], dtype=np.int32)
        index = cls(
            geoms=arr,
            x0=x0,
            y1=y1,
            cell=float(cell),
            nrows=nrows,
            ncols=ncols,
            grid=compact,
            first_in=first_in,
            n_in=n_in,
            in_ptr=in_ptr,
            in_zones=in_zones,
            bd_ptr=bd_ptr,
            bd_zones=bd_zones,
            has_border=n_bd > 0,
            code=np.where((n_in <= 1) & (n_bd == 0), np.where(n_in == 1, first_in, -1), -2).astype(
                np.int32
            ),
            crs=crs,
        )
        index._local.geoms = prepared  # this thread's prepared copies, made above
        return index

    @staticmethod
    def _merge(
        grid: NDArray[np.int32],
        combos: list[tuple[tuple[int, ...], tuple[int, ...]]],
        z: int,
        r0: int,
        r1: int,
        c0: int,
        c1: int,
        state: NDArray[np.uint8],
    ) -> None:
        """Add zone z's cell states to the grid of zone combinations."""
        window = grid[r0 + 1 : r1 + 1, c0 + 1 : c1 + 1]
        mask = state > 0
        keys = window[mask].astype(np.int64) * 3 + state[mask]
        present = np.zeros(3 * len(combos), dtype=bool)
        present[keys] = True
        table = np.zeros(3 * len(combos), dtype=np.int32)
        for key in np.flatnonzero(present).tolist():
            old, st = divmod(key, 3)
            ins, bds = combos[old]
            combos.append((ins + (z,), bds) if st == 1 else (ins, bds + (z,)))
            table[key] = len(combos) - 1
        window[mask] = table[keys]

    # -- queries -----------------------------------------------------------------

    def _prepared(self) -> NDArray[Any]:
        """This thread's own prepared copies of the zones (GEOS prepared geometries
        must not be shared between threads: libgeos/geos#825)."""
        import shapely

        geoms = getattr(self._local, "geoms", None)
        if geoms is None:
            geoms = shapely.from_wkb(shapely.to_wkb(self.geoms))
            shapely.prepare(geoms)
            self._local.geoms = geoms
        return geoms  # type: ignore[no-any-return]

    def flat_cells(self, x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[np.intp]:
        """Each point's position in the raveled (padded) grid; outside the grid: its edge.

        A point rounded into a neighbouring cell is still decided correctly:
        interior cells keep the widened boundary off their whole area.
        """
        inv = 1.0 / self.cell
        fx = np.subtract(x, self.x0 - self.cell)
        fx *= inv
        fy = np.subtract(self.y1 + self.cell, y)
        fy *= inv
        lo_x, hi_x, lo_y, hi_y = fx.min(), fx.max(), fy.min(), fy.max()
        if np.isnan(lo_x) or np.isnan(lo_y):
            raise InputError("points without coordinates (NaN); drop or fix them before assigning")
        if not (lo_x >= 0 and hi_x < self.ncols + 2 and lo_y >= 0 and hi_y < self.nrows + 2):
            np.clip(fx, 0.0, self.ncols + 1, out=fx)
            np.clip(fy, 0.0, self.nrows + 1, out=fy)
        flat = fy.astype(np.intp)
        flat *= self.ncols + 2
        flat += fx.astype(np.intp)
        return flat

    def cells(self, x: NDArray[np.float64], y: NDArray[np.float64]) -> NDArray[Any]:
        """The combination id of each point's cell (0 outside the grid)."""
        return self.grid.ravel().take(self.flat_cells(x, y))

    def _assign_chunk(
        self,
        x: NDArray[np.float64],
        y: NDArray[np.float64],
        predicate: str,
        label: NDArray[np.int32],
    ) -> tuple[NDArray[np.int64], NDArray[np.int32]]:
        """Fill ``label`` (first zone or -1) for a block; return the extra pairs.

        Cells are read in cache-sized runs of :data:`RUN` points; the points that
        need more (overlaps, border cells) are gathered over the whole block and
        tested zone by zone once, so the per-zone cost is paid once per block.
        """
        import shapely

        hard_parts: list[NDArray[np.int64]] = []
        combo_parts: list[NDArray[np.intp]] = []
        codes = self.code_grid.ravel()  # type: ignore[union-attr]
        grid = self.grid.ravel()
        same = codes.dtype == label.dtype
        for s0 in range(0, len(x), RUN):
            s1 = min(s0 + RUN, len(x))
            flat = self.flat_cells(x[s0:s1], y[s0:s1])
            lab = label[s0:s1]
            if same:
                got = codes.take(flat, out=lab)
            else:
                got = codes.take(flat)  # small ints: compared before they are widened
                lab[:] = got
            h = np.flatnonzero(got == -2)
            if len(h):
                combo_parts.append(grid.take(flat[h]).astype(np.intp))
                hard_parts.append(h + s0)
        if not hard_parts:
            return np.zeros(0, np.int64), np.zeros(0, np.int32)
        hard = np.concatenate(hard_parts)
        hc = np.concatenate(combo_parts)
        label[hard] = self.first_in[hc]
        ex_pts: list[NDArray[np.int64]] = []
        ex_zones: list[NDArray[np.int32]] = []
        n_in = self.n_in[hc]
        multi = np.flatnonzero(n_in > 1)
        if len(multi):  # overlapping zones: the second and later interior zones
            mc = hc[multi]
            reps = n_in[multi] - 1
            ex_pts.append(np.repeat(hard[multi], reps))
            starts = np.repeat(self.in_ptr[mc] + 1, reps)
            offsets = np.arange(len(starts)) - np.repeat(np.cumsum(reps) - reps, reps)
            ex_zones.append(self.in_zones[starts + offsets])
        bsel = np.flatnonzero(self.has_border[hc])
        if len(bsel):
            prepared = self._prepared()
            test = shapely.intersects_xy if predicate == "intersects" else shapely.contains_xy
            # every (border point, zone whose band its cell is in), grouped by zone
            bc = hc[bsel]
            reps = self.bd_ptr[bc + 1] - self.bd_ptr[bc]
            pts = np.repeat(hard[bsel], reps)
            first = np.repeat(self.bd_ptr[bc] - (np.cumsum(reps) - reps), reps)
            zs = self.bd_zones[first + np.arange(len(pts))]
            small = zs.astype(np.int16) if self.n_zones < 2**15 else zs  # radix sort
            order = np.argsort(small, kind="stable")
            zs, pts = zs[order], pts[order]
            cuts = np.flatnonzero(np.diff(zs)) + 1
            for z, cand in zip(zs[np.r_[0, cuts]].tolist(), np.split(pts, cuts)):
                got = cand[test(prepared[z], x[cand], y[cand])]
                cur = label[got]
                label[got[(cur < 0) | (cur > z)]] = z  # a point's label: its lowest zone
                higher = cur > z  # an interior zone numbered above z becomes a further zone
                ex_pts += [got[higher], got[(cur >= 0) & (cur < z)]]
                ex_zones += [cur[higher], np.full(int(((cur >= 0) & (cur < z)).sum()), z, np.int32)]
        if not ex_pts:
            return np.zeros(0, np.int64), np.zeros(0, np.int32)
        # ordered by point, then zone, here in the worker (one int64 key sort per block)
        key = np.concatenate(ex_pts).astype(np.int64)
        key *= self.n_zones
        key += np.concatenate(ex_zones)
        key.sort()
        zone = (key % self.n_zones).astype(np.int32)
        key //= self.n_zones
        return key, zone

    def assign(
        self,
        x: ArrayLike,
        y: ArrayLike,
        *,
        predicate: str = "intersects",
        threads: int | None = None,
        chunk: int = CHUNK,
    ) -> Assignment:
        """Zones of points ``x``, ``y`` (same CRS as the zones).

        ``threads`` (default: the CPU count, at most 8) work on chunks of points,
        each thread with its own prepared geometries.
        """
        if predicate not in PREDICATES:
            raise InputError(f"predicate {predicate!r}: expected one of {PREDICATES}")
        xa = np.ascontiguousarray(x, dtype=np.float64)
        ya = np.ascontiguousarray(y, dtype=np.float64)
        if xa.shape != ya.shape or xa.ndim != 1:
            raise InputError(
                f"x and y must be 1-d arrays of one length, not {xa.shape}, {ya.shape}"
            )
        n = len(xa)
        workers = threads or min(os.cpu_count() or 1, 8)
        # blocks of at most ``chunk`` points, at least one per thread
        size = max(1, min(chunk, max(RUN, -(-n // workers))))
        bounds = [(s, min(s + size, n)) for s in range(0, n, size)]
        label = np.empty(n, dtype=np.int32)

        def run(b: tuple[int, int]) -> tuple[NDArray[np.int64], NDArray[np.int32]]:
            xs, ys = xa[b[0] : b[1]], ya[b[0] : b[1]]
            p, z = self._assign_chunk(xs, ys, predicate, label[b[0] : b[1]])
            p += b[0]
            return p, z

        if workers <= 1 or len(bounds) <= 1:
            parts = [run(b) for b in bounds]
        else:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                parts = list(pool.map(run, bounds))
        return Assignment(
            label,
            np.concatenate([p for p, _ in parts]) if parts else np.zeros(0, np.int64),
            np.concatenate([z for _, z in parts]) if parts else np.zeros(0, np.int32),
        )  # blocks in order, each sorted: ordered as Assignment.sorted() orders


def assign_points(
    x: ArrayLike,
    y: ArrayLike,
    zones: Any,
    *,
    predicate: str = "intersects",
    cell: float | None = None,
    threads: int | None = None,
) -> Assignment:
    """(point, zone) pairs of points ``x``, ``y`` in ``zones`` (a GeoSeries or sequence).

    Builds a :class:`ZoneIndex` and queries it; build the index once and call
    :meth:`ZoneIndex.assign` to reuse it.
    """
    return ZoneIndex.build(zones, cell=cell).assign(x, y, predicate=predicate, threads=threads)
