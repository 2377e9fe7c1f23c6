"""Coverage, gaps, corridors, hubs, siting and rasters on hand-checkable synthetic geometry.

Synthetic geometry in EPSG:4547 (metres): a 10 km square district split in
two 5 km x 10 km districts, clusters at known points.
"""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from gis.analysis.corridors import corridor_belts, corridor_pairs, corridor_table
from gis.analysis.coverage import (
    coverage_gaps,
    coverage_geometry,
    district_coverage,
    gap_summary,
    radii,
)
from gis.analysis.hubs import hub_catchment, nearest_hub
from gis.analysis.raster import (
    coverage_grid,
    coverage_zonal,
    distance_surface,
    raster_district_shares,
    write_geotiff,
    zonal_stats,
)
from gis.analysis.siting import (
    candidate_grid,
    compare_with_mclp,
    coverage_problem,
    greedy_select,
    greedy_sites,
)
from gis.errors import CRSError, InputError

CRS = "EPSG:4547"
# A real place for the metric origin, so that the frames also convert to Wuhan lon/lat.
X0, Y0 = 500_000.0, 3_380_000.0


def districts() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"adcode": ["900001", "900002"], "name_zh": ["西方区", "东方区"]},
        geometry=[
            shapely.box(X0, Y0, X0 + 5_000, Y0 + 10_000),
            shapely.box(X0 + 5_000, Y0, X0 + 10_000, Y0 + 10_000),
        ],
        crs=CRS,
    )


def clusters(*xy: tuple[float, float], precision: str = "cited_point") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"id": [f"c{i + 1}" for i in range(len(xy))], "precision": precision},
        geometry=[shapely.Point(X0 + x, Y0 + y) for x, y in xy],
        crs=CRS,
    )


def test_one_cluster_inside_covers_pi_square_km() -> None:
    t = district_coverage(clusters((2_500, 5_000)), districts(), "1km")
    assert t["adcode"].tolist() == ["900001", "900002"]
    assert t.loc[0, "covered_km2"] == pytest.approx(math.pi, rel=1e-3)
    assert t.loc[0, "covered_pct"] == pytest.approx(100 * math.pi / 50, abs=0.01)
    assert t.loc[1, "covered_km2"] == 0
    assert t["clusters_inside"].tolist() == [1, 0]
    assert t.loc[0, "precision"] == "cited_point"


def test_cluster_on_the_shared_border_splits_its_disc() -> None:
    t = district_coverage(clusters((5_000, 5_000)), districts(), 1_000)
    assert t["covered_km2"].tolist() == pytest.approx([math.pi / 2] * 2, rel=1e-3)


def test_overlapping_discs_are_counted_once_and_clipped_at_the_edge() -> None:
    # two discs 1 km apart (lens overlap) and one disc cut by the outer edge x = 0
    pts = clusters((2_000, 5_000), (3_000, 5_000), (0, 2_000))
    t = district_coverage(pts, districts(), 1_000)
    lens = 2 * math.acos(0.5) - 0.5 * math.sqrt(3)  # overlap of two unit discs 1 apart, km²
    expected = 2 * math.pi - lens + math.pi / 2
    assert t.loc[0, "covered_km2"] == pytest.approx(expected, rel=1e-3)


def test_per_feature_radius_column() -> None:
    pts = clusters((2_500, 5_000), (7_500, 5_000))
    pts["r"] = ["1km", "500 m"]
    assert radii(pts, "r").tolist() == [1000.0, 500.0]
    t = district_coverage(pts, districts(), "r")
    assert t["covered_km2"].tolist() == pytest.approx([math.pi, math.pi / 4], rel=1e-3)
    assert t["radius_m"].isna().all()


def test_population_layer_areal_weighting() -> None:
    # a synthetic population of 1000 per km² in the west district only
    pop = gpd.GeoDataFrame({"pop": [50_000.0]}, geometry=[districts().geometry.iloc[0]], crs=CRS)
    t = district_coverage(
        clusters((2_500, 5_000)), districts(), 1_000, population=pop, population_field="pop"
    )
    assert t.loc[0, "population"] == 50_000
    assert t.loc[0, "population_covered"] == pytest.approx(1_000 * math.pi, rel=1e-3)
    assert t.loc[1, "population_covered_pct"] == 0


def test_gaps_are_the_complement_with_areas() -> None:
    d = districts()
    gaps = coverage_gaps(clusters((2_500, 5_000)), d, 1_000)
    assert gaps["adcode"].tolist() == ["900002", "900001"]  # the unbroken east district first
    assert gaps.loc[0, "area_km2"] == pytest.approx(50, abs=0.001)
    assert gaps.loc[1, "area_km2"] == pytest.approx(50 - math.pi, abs=0.01)
    # the west gap has the disc as a hole
    assert len(gaps.geometry.iloc[1].interiors) == 1
    cov = coverage_geometry(clusters((2_500, 5_000)), d, 1_000)
    assert cov["adcode"].tolist() == ["900001"]
    total = cov.area.sum() + gaps.area.sum()
    assert total == pytest.approx(d.area.sum(), rel=1e-9)
    s = gap_summary(gaps, d)
    assert s["gaps"].tolist() == [1, 1]
    small = coverage_gaps(clusters((2_500, 5_000)), d, 1_000, min_area_km2=49.5)
    assert small.attrs["dropped"] == 1 and len(small) == 1


def test_bad_radius_messages() -> None:
    with pytest.raises(InputError, match="'2km' or '2000m'"):
        district_coverage(clusters((1, 1)), districts(), "2")
    with pytest.raises(InputError, match="negative"):
        district_coverage(clusters((1, 1)), districts(), "-2km")
    pts = clusters((1, 1))
    pts["r"] = [-5]
    with pytest.raises(InputError, match="feature 1"):
        radii(pts, "r")


def test_corridor_clusters_flanked_length_and_belts() -> None:
    road = gpd.GeoDataFrame(
        {"id": ["avenue"], "precision": ["schematic"]},
        geometry=[shapely.LineString([(X0, Y0 + 5_000), (X0 + 10_000, Y0 + 5_000)])],
        crs=CRS,
    )
    pts = clusters((2_000, 5_300), (6_000, 4_600), (8_000, 7_000))
    t = corridor_table(pts, road, 500)
    assert t.loc[0, "length_km"] == pytest.approx(10.0)
    assert t.loc[0, "clusters_within"] == 2
    assert t.loc[0, "clusters"] == "c1; c2"  # nearest first
    # each flanking cluster covers 2*sqrt(500² - d²) of the line
    expected = 2 * math.sqrt(500**2 - 300**2) + 2 * math.sqrt(500**2 - 400**2)
    assert t.loc[0, "flanked_km"] == pytest.approx(expected / 1000, abs=0.002)
    assert t.loc[0, "precision"] == "schematic"
    pairs = corridor_pairs(pts, road, 500)
    assert pairs["distance_m"].tolist() == [300.0, 400.0]
    belts = corridor_belts(road, 500)
    assert belts.loc[0, "area_km2"] == pytest.approx(10 + math.pi * 0.25, rel=1e-3)


def test_nearest_hub_and_catchment_carry_precision() -> None:
    hubs = gpd.GeoDataFrame(
        {"id": ["port", "rail"], "precision": ["indicative", "cited_point"]},
        geometry=[
            shapely.box(X0, Y0, X0 + 1_000, Y0 + 1_000),
            shapely.Point(X0 + 9_000, Y0 + 9_000),
        ],
        crs=CRS,
    )
    pts = clusters((500, 500), (4_000, 1_000), (9_000, 6_000), precision="official")
    t = nearest_hub(pts, hubs)
    assert t["nearest_hub"].tolist() == ["port", "port", "rail"]
    assert t["distance_m"].tolist() == [0.0, 3_000.0, 3_000.0]
    assert t["precision"].tolist() == ["indicative", "indicative", "cited_point"]
    assert "indicative" in t.loc[0, "note"] and t.loc[2, "note"] == ""
    c = hub_catchment(pts, hubs, 3_000)
    assert c["clusters_within"].tolist() == [2, 1]
    with pytest.raises(InputError, match="hub zones"):
        nearest_hub(pts, hubs.iloc[:0])


def test_greedy_siting_covers_the_biggest_gap_and_matches_mclp() -> None:
    d = districts()
    existing = clusters((2_500, 5_000))
    sites = greedy_sites(existing, d, 2_000, 3, spacing_m=1_000, cell_m=250)
    assert sites["rank"].tolist() == [1, 2, 3]
    # every site is clear of the existing disc and inside the area; exact new areas add up
    assert (sites.distance(existing.geometry.iloc[0]) >= 2_000).all()
    assert sites["new_km2"].sum() == pytest.approx(sites["cumulative_km2"].iloc[-1], abs=0.002)
    assert sites.loc[0, "new_km2"] == pytest.approx(math.pi * 4, rel=1e-3)
    cands = candidate_grid(d, 1_000)
    assert len(cands) == 81  # interior grid points of a 10 km square, 1 km apart
    problem = coverage_problem(existing, d, 2_000, cands, cell_m=1_000)
    cmp = compare_with_mclp(problem, 3)
    assert cmp["greedy"] <= cmp["mclp"] + 1e-9
    assert cmp["ratio"] >= 1 - 1 / math.e
    assert [c for c, _ in greedy_select(problem, 3)] == cmp["greedy_sites"]


def test_siting_ties_go_to_the_middle_of_the_hole_not_a_far_corner() -> None:
    """A 10 × 4 km strip with one cluster at its west end: every full disc gains the same;
    the site goes to the middle of the empty part, 2 km from the long edges (it went to a
    corner 500 m from two edges: farthest from the cluster, a tip of the city in Wuhan)."""
    import geopandas as gpd

    area = gpd.GeoDataFrame(
        {"adcode": ["1"]}, geometry=[shapely.box(0, 0, 10_000, 4_000)], crs="EPSG:4547"
    )
    existing = gpd.GeoDataFrame(geometry=[shapely.Point(1_000, 2_000)], crs="EPSG:4547")
    sites = greedy_sites(existing, area, 500, 1, spacing_m=500, cell_m=100)
    assert sites[["x", "y"]].values.tolist() == [[8_000.0, 2_000.0]]
    assert sites.loc[0, "new_km2"] == pytest.approx(math.pi * 0.25, rel=1e-2)


def test_raster_and_vector_shares_agree_at_10_m() -> None:
    d = districts()
    pts = clusters((2_500, 5_000), (5_000, 1_000), (7_300, 8_100), (9_900, 300))
    vec = district_coverage(pts, d, 1_500)
    ras = raster_district_shares(pts, d, 1_500, 10)
    assert np.abs(vec["covered_pct"].to_numpy() - ras["covered_pct"].to_numpy()).max() < 1.0
    assert np.abs(vec["covered_pct"].to_numpy() - ras["covered_pct"].to_numpy()).max() < 0.05


def test_geotiffs_distance_and_coverage(tmp_path: Path) -> None:
    import rasterio

    d = districts()
    pts = clusters((2_500, 5_000))
    dist = distance_surface(pts, d, 100)
    assert dist.array.shape == (100, 100)
    # cell centre (2550, 5050) is 70.7 m from the cluster
    assert dist.array[49, 25] == pytest.approx(math.hypot(50, 50), abs=0.01)
    cov = coverage_grid(pts, d, 1_000, 100)
    assert cov.array.sum() * 0.01 == pytest.approx(math.pi, abs=0.05)
    for grid, name in ((dist, "dist.tif"), (cov, "cov.tif")):
        path = write_geotiff(grid, tmp_path / name, extra_tags={"radius": "1 km"})
        with rasterio.open(path) as src:
            assert src.crs.to_epsg() == 4547
            assert src.compression.name.lower() == "deflate"
            assert src.nodata == grid.nodata
            assert src.tags()["radius"] == "1 km"
            assert np.array_equal(src.read(1), grid.array)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cov.tif", "dist.tif"]


def _population_raster(path: Path, crs: str) -> None:
    """A synthetic population grid: 1 person per 100 m cell over the east district,
    2 over the west district, written in ``crs``."""
    import rasterio
    from affine import Affine

    arr = np.ones((100, 100), dtype=np.float32)
    arr[:, :50] = 2.0
    arr[0, 0] = -9999  # nodata
    with rasterio.open(
        path, "w", driver="GTiff", height=100, width=100, count=1, dtype="float32",
        crs=crs, transform=Affine(100, 0, X0, 0, -100, Y0 + 10_000), nodata=-9999,
    ) as dst:  # fmt: skip
        dst.write(arr, 1)


def test_zonal_stats_per_district_and_coverage(tmp_path: Path) -> None:
    path = tmp_path / "synthetic_population.tif"
    _population_raster(path, CRS)
    st = zonal_stats(path, districts(), key="adcode")
    assert st["zone"].tolist() == ["900001", "900002"]
    assert st["sum"].tolist() == [2 * 5_000 - 2, 5_000]
    assert st["cells"].tolist() == [4_999, 5_000]
    cz = coverage_zonal(path, clusters((7_500, 5_000)), districts(), 1_000)
    assert cz.loc[1, "raster_sum_covered"] == pytest.approx(math.pi * 100, abs=4)
    assert (
        cz.loc[1, "raster_sum"]
        == cz.loc[1, "raster_sum_covered"] + cz.loc[1, "raster_sum_uncovered"]
    )


def test_zonal_stats_reprojects_zones_and_refuses_rasters_without_crs(tmp_path: Path) -> None:
    import rasterio
    from affine import Affine

    path = tmp_path / "synthetic_population.tif"
    _population_raster(path, CRS)
    wgs = districts().to_crs("EPSG:4326")
    assert zonal_stats(path, wgs)["sum"].tolist() == zonal_stats(path, districts())["sum"].tolist()
    bare = tmp_path / "synthetic_nocrs.tif"
    with rasterio.open(
        bare, "w", driver="GTiff", height=2, width=2, count=1, dtype="float32",
        transform=Affine(1, 0, 0, 0, -1, 2),
    ) as dst:  # fmt: skip
        dst.write(np.ones((2, 2), np.float32), 1)
    with pytest.raises(CRSError, match="no CRS"):
        zonal_stats(bare, districts())


def test_geotiffs_are_written_in_blocks_with_overviews_units_and_colours(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 12/13: blocks written as computed (the same values as one block), overviews,
    band unit, and a colour table for the 0/1/255 coverage grid."""
    import rasterio

    from gis.analysis import raster

    d = districts()
    pts = clusters((2_500, 5_000), (7_000, 2_000))
    whole = distance_surface(pts, d, 20).array  # 500 x 500 cells in one block
    cov_whole = coverage_grid(pts, d, 1_000, 20).array
    monkeypatch.setattr(raster, "BLOCK_ROWS", 256)
    monkeypatch.setattr(raster, "QUERY_CELLS", 1_000)
    dist, cov = distance_surface(pts, d, 20), coverage_grid(pts, d, 1_000, 20)
    assert len(list(dist.blocks())) == 2
    p1 = write_geotiff(dist, tmp_path / "dist.tif")
    p2 = write_geotiff(cov, tmp_path / "cov.tif")
    with rasterio.open(p1) as src:
        assert np.array_equal(src.read(1), whole)
        assert src.overviews(1) == [2] and src.units == ("metre",)
        assert src.dtypes[0] == "float32" and src.block_shapes[0] == (256, 256)
    with rasterio.open(p2) as src:
        assert np.array_equal(src.read(1), cov_whole)
        assert src.overviews(1) == [2]
        cmap = src.colormap(1)
        assert cmap[0] != cmap[1] and cmap[255][3] == 0  # outside the area: transparent
        assert set(np.unique(src.read(1, out_shape=(250, 250))).tolist()) <= {0, 1, 255}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cov.tif", "dist.tif"]


def test_distance_surface_envelope_equals_the_k_d_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    """Up to ENVELOPE_POINTS points the distance surface comes from the lower envelope of
    the points' parabolas, row by row; it must be bit for bit what the k-d tree gives, also
    with ties: SYNTHETIC points on cell centres, duplicated, sharing an x or a y."""
    from gis.analysis import raster

    rng = np.random.default_rng(5)
    xy = [(float(x), float(y)) for x, y in rng.uniform(-500, 10_500, (40, 2))]
    xy += [(2_510.0, 5_010.0), (2_510.0, 5_010.0), (2_510.0, 7_010.0), (4_010.0, 5_010.0)]
    xy += [(7_000.0, 3_000.0), (7_040.0, 3_000.0), (6_000.0, 3_000.0)]  # cell edges
    pts = clusters(*xy)
    d = districts()
    for res in (20.0, 30.0):
        monkeypatch.setattr(raster, "ENVELOPE_POINTS", 256)
        envelope = distance_surface(pts, d, res).array
        monkeypatch.setattr(raster, "ENVELOPE_POINTS", -1)  # the k-d tree
        tree = distance_surface(pts, d, res).array
        assert envelope.tobytes() == tree.tobytes()
        if res == 20.0:  # (2510, 5010) is a cell centre of the 20 m grid
            assert envelope[envelope >= 0].min() == 0.0
