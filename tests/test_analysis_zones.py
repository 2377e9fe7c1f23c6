"""Fast point-in-zone assignment: identical to geopandas.sjoin, overlaps, boundaries, Dask."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from gis.analysis.zone_pairs import assign_points_dask, sjoin_pairs
from gis.analysis.zones import Assignment, ZoneIndex, assign_points
from gis.errors import InputError

CRS = "EPSG:4547"


def synthetic_zones() -> list[object]:
    """Synthetic zones in metres: two districts sharing an edge, a district with a hole,
    overlapping circles (clusters), a diagonal triangle, a line and a point zone."""
    return [
        shapely.box(0, 0, 10_000, 10_000),
        shapely.box(10_000, 0, 20_000, 10_000),
        shapely.Polygon(
            [(0, 10_000), (20_000, 10_000), (20_000, 15_000), (0, 15_000)],
            holes=[[(5_000, 11_000), (8_000, 11_000), (8_000, 14_000), (5_000, 14_000)]],
        ),
        shapely.Point(9_000, 5_000).buffer(2_000),
        shapely.Point(11_000, 5_000).buffer(2_000),
        shapely.Polygon([(2_000, 1_000), (7_000, 9_000), (3_000, 8_500)]),
        shapely.LineString([(0, 0), (20_000, 15_000)]),
        shapely.Point(15_000, 12_000),
    ]


def synthetic_points(n: int = 40_000, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Random points plus points exactly on edges, vertices, the line and the point zone."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1_000, 21_000, n)
    y = rng.uniform(-1_000, 16_000, n)
    on_edge_x = np.array([10_000.0, 10_000, 0, 5_000, 20_000, 8_000, 6_500, 4_000, 15_000, 9_000])
    on_edge_y = np.array([5_000.0, 0, 3_000, 10_000, 15_000, 12_000, 11_000, 3_000, 12_000, 7_000])
    return np.concatenate([x, on_edge_x]), np.concatenate([y, on_edge_y])


@pytest.mark.parametrize("predicate", ["intersects", "within"])
def test_identical_to_sjoin_with_overlaps_holes_and_boundaries(predicate: str) -> None:
    zones = synthetic_zones()
    x, y = synthetic_points()
    fast = assign_points(x, y, zones, predicate=predicate, cell=250.0)
    ref = sjoin_pairs(x, y, zones, predicate=predicate, crs=CRS)
    assert np.array_equal(fast.pairs(), ref.pairs())
    # overlaps really happen: some points are in a district and a circle, some in two circles
    counts = np.bincount(fast.pairs()[:, 0], minlength=len(x))
    assert counts.max() >= 3


def test_boundary_rule_on_shared_edge() -> None:
    zones = synthetic_zones()[:2]
    idx = ZoneIndex.build(zones, cell=100.0)
    on_edge = idx.assign([10_000.0], [5_000.0])
    assert on_edge.pairs().tolist() == [[0, 0], [0, 1]]  # intersects: both districts
    assert idx.assign([10_000.0], [5_000.0], predicate="within").pairs().tolist() == []
    assert idx.assign([9_999.0], [5_000.0], predicate="within").pairs().tolist() == [[0, 0]]


def test_threads_and_chunks_do_not_change_the_result() -> None:
    zones = synthetic_zones()
    x, y = synthetic_points(30_000, seed=3)
    idx = ZoneIndex.build(zones, cell=300.0)
    one = idx.assign(x, y, threads=1, chunk=1 << 16).pairs()
    many = idx.assign(x, y, threads=2, chunk=1000).pairs()
    assert np.array_equal(one, many)


def test_counts_sums_and_unassigned() -> None:
    idx = ZoneIndex.build(synthetic_zones()[:2], cell=100.0)
    a = idx.assign([1.0, 2.0, 15_000.0, 10_000.0, -5.0], [1.0, 2.0, 1.0, 5_000.0, -5.0])
    assert a.counts(2).tolist() == [3, 2]
    assert a.sums([1.0, 2.0, 4.0, 8.0, 16.0], 2).tolist() == [11.0, 12.0]
    assert a.unassigned().tolist() == [4]


def test_points_far_outside_the_grid_and_nan() -> None:
    idx = ZoneIndex.build(synthetic_zones()[:1], cell=100.0)
    a = idx.assign([1e12, -1e12, 5_000.0], [1e12, 5.0, 5_000.0])
    assert a.pairs().tolist() == [[2, 0]]
    with pytest.raises(InputError, match="NaN"):
        idx.assign([np.nan], [1.0])


def test_empty_zone_layer_is_refused() -> None:
    with pytest.raises(InputError, match="empty"):
        ZoneIndex.build([])


def test_from_pairs_round_trip() -> None:
    a = Assignment.from_pairs([2, 0, 2], [1, 0, 0], 3)
    assert a.pairs().tolist() == [[0, 0], [2, 0], [2, 1]]


def test_dask_distributed_local_cluster_gives_identical_result() -> None:
    dask_geopandas = pytest.importorskip("dask_geopandas")
    distributed = pytest.importorskip("distributed")
    import geopandas as gpd

    zones = synthetic_zones()
    x, y = synthetic_points(20_000, seed=5)
    idx = ZoneIndex.build(zones, cell=250.0)
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y), crs=CRS)
    dpts = dask_geopandas.from_geopandas(pts, npartitions=4)
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=True, dashboard_address=":0"
    ) as cluster:
        got = assign_points_dask(dpts, idx, scheduler=cluster.scheduler_address)
    assert np.array_equal(got.pairs(), idx.assign(x, y).pairs())
    assert np.array_equal(got.pairs(), sjoin_pairs(x, y, zones, crs=CRS).pairs())


def test_exact_assignment_equals_the_index_pair_for_pair() -> None:
    """`assign_exact` (small registers) gives the index's label and further pairs, in the
    same order, on SYNTHETIC overlapping zones with points on their vertices and edges."""
    import numpy as np
    import shapely

    from gis.analysis.zone_pairs import assign_exact
    from gis.analysis.zones import ZoneIndex

    zones = [shapely.box(0, 0, 10, 10), shapely.box(5, 5, 15, 15),
             shapely.Point(7, 7).buffer(3), shapely.box(10, 0, 20, 10)]  # fmt: skip
    rng = np.random.default_rng(3)
    x = np.concatenate([rng.uniform(-1, 21, 20_000), np.repeat([0.0, 5, 10, 15, 20], 40)])
    y = np.concatenate([rng.uniform(-1, 16, 20_000), np.tile(np.linspace(0, 15, 40), 5)])
    for predicate in ("intersects", "within"):
        a = ZoneIndex.build(zones, cell=0.7).assign(x, y, predicate=predicate, threads=2)
        b = assign_exact(zones, x, y, predicate=predicate)
        assert np.array_equal(a.label, b.label)
        assert np.array_equal(a.extra_point, b.extra_point)
        assert np.array_equal(a.extra_zone, b.extra_zone)
        assert len(b.extra_point) > 1000


def test_rings_smaller_than_the_simplification_and_self_crossing_simplified_rings() -> None:
    """SYNTHETIC zones that the build's ring simplification (a quarter cell, no topology
    repair) collapses or folds: islands and holes far smaller than a cell, a comb whose teeth
    are thinner than the tolerance, a zigzag line, a collection of a polygon and a line. Points
    inside the tiny rings, on their vertices and all over: identical to sjoin."""
    cell = 100.0
    comb = shapely.Polygon(
        [(0, 0), (2_000, 0), (2_000, 1_000)]
        + [
            (2_000 - 40 * k - (20 if k % 2 else 0), 1_000 + (0 if k % 2 else 500))
            for k in range(50)
        ]
        + [(0, 1_000)]
    )
    island = shapely.box(5_000, 5_000, 5_010, 5_010)  # a tenth of a cell
    with_hole = shapely.box(3_000, 3_000, 4_000, 4_000).difference(
        shapely.box(3_500, 3_500, 3_508, 3_508)
    )
    islands = shapely.MultiPolygon(
        [shapely.box(6_000, 6_000, 6_005, 6_005), shapely.box(7_000, 0, 8_000, 900)]
    )
    zig = shapely.LineString(
        [(0, 3_000 + (k % 2) * 10) for k in range(1)]
        + [(20 * k, 3_000 + (k % 2) * 10) for k in range(1, 100)]
    )
    mixed = shapely.GeometryCollection(
        [
            shapely.box(9_000, 9_000, 9_300, 9_300),
            shapely.LineString([(8_000, 8_000), (8_500, 8_700)]),
        ]
    )
    zones = [comb, island, with_hole, islands, zig, mixed]
    rng = np.random.default_rng(11)
    xs = [rng.uniform(-500, 10_000, 60_000)]
    ys = [rng.uniform(-500, 10_000, 60_000)]
    for z in (island, with_hole, islands, comb):  # inside the small rings, and on every vertex
        b = shapely.bounds(z)
        xs.append(rng.uniform(b[0], b[2], 3_000))
        ys.append(rng.uniform(b[1], b[3], 3_000))
        c = shapely.get_coordinates(z)
        xs.append(c[:, 0])
        ys.append(c[:, 1])
    for hole in ((3_500, 3_508), (5_000, 5_010), (6_000, 6_005)):
        xs.append(rng.uniform(*hole, 2_000))
        ys.append(rng.uniform(*hole, 2_000))
    x, y = np.concatenate(xs), np.concatenate(ys)
    for predicate in ("intersects", "within"):
        fast = assign_points(x, y, zones, predicate=predicate, cell=cell)
        ref = sjoin_pairs(x, y, zones, predicate=predicate, crs=CRS)
        assert np.array_equal(fast.pairs(), ref.pairs())
    hits = np.bincount(fast.pairs()[:, 1], minlength=len(zones))
    assert (hits[[0, 1, 2, 3]] > 100).all()  # the tiny island and hole really hold points


@pytest.mark.parametrize("cell", [None, 0.004])
def test_every_cell_the_original_boundary_touches_is_a_border_cell(cell: float | None) -> None:
    """The index's own invariant, on the shipped districts: walk every original ring at a
    twentieth of a cell; the cell of each point (and its neighbours where the point is within
    the rounding margin of their edge) lists that district among the zones tested exactly."""
    from gis.layers import read_layer

    zones = read_layer("districts").geometry.values
    idx = ZoneIndex.build(zones, cell=cell)
    grid = idx.grid.ravel()
    for z, zone in enumerate(zones):
        walk = shapely.segmentize(shapely.boundary(zone), idx.cell / 20)
        xy = shapely.get_coordinates(walk)
        for dx, dy in ((0, 0), (0.005, 0), (-0.005, 0), (0, 0.005), (0, -0.005)):
            flat = idx.flat_cells(xy[:, 0] + dx * idx.cell, xy[:, 1] + dy * idx.cell)
            for combo in np.unique(grid[flat]).tolist():
                tested = idx.bd_zones[idx.bd_ptr[combo] : idx.bd_ptr[combo + 1]]
                assert z in tested.tolist(), (z, combo)
