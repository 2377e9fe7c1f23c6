"""Coordinate conversions against published test vectors and known properties."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely

from gis import crs
from gis.errors import CRSError

# (wgs_lat, wgs_lng, gcj_lat, gcj_lng): googollee/eviltransform go/transform_test.go, the
# fixture the eviltransform ports share (Shanghai, Shenzhen, Beijing).
EVILTRANSFORM = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),
]
# (lon, lat) in -> out: wandergis/coordtransform README and test/app.js.
WANDERGIS_IN = (116.404, 39.915)
WANDERGIS_WGS_TO_GCJ = (116.41024449916938, 39.91640428150164)
WANDERGIS_GCJ_TO_BD = (116.41036949371029, 39.92133699351021)
WANDERGIS_BD_TO_GCJ = (116.39762729119315, 39.90865673957631)
# wandergis' one-step inverse gcj02 -> wgs84 (about 1 m off; ours iterates).
WANDERGIS_GCJ_TO_WGS_ONESTEP = (116.39775550083061, 39.91359571849836)

WUHAN_BOX = (114.13, 29.97, 115.08, 31.36)


def metres(lon1, lat1, lon2, lat2):
    """Local equirectangular distance, accurate to mm over a few km."""
    k = np.pi / 180 * 6371008.8
    dx = (np.asarray(lon1) - lon2) * k * np.cos(np.radians(lat2))
    dy = (np.asarray(lat1) - lat2) * k
    return np.hypot(dx, dy)


@pytest.mark.parametrize("wlat,wlng,glat,glng", EVILTRANSFORM)
def test_forward_matches_eviltransform_vectors(wlat, wlng, glat, glng):
    x, y = crs.wgs84_to_gcj02(wlng, wlat)
    assert float(x) == pytest.approx(glng, abs=1e-9)
    assert float(y) == pytest.approx(glat, abs=1e-9)


@pytest.mark.parametrize("wlat,wlng,glat,glng", EVILTRANSFORM)
def test_inverse_recovers_eviltransform_vectors(wlat, wlng, glat, glng):
    x, y = crs.gcj02_to_wgs84(glng, glat)
    assert metres(x, y, wlng, wlat) < 0.001


def test_wandergis_vectors():
    assert crs.wgs84_to_gcj02(*WANDERGIS_IN) == pytest.approx(WANDERGIS_WGS_TO_GCJ, abs=1e-9)
    assert crs.gcj02_to_bd09(*WANDERGIS_IN) == pytest.approx(WANDERGIS_GCJ_TO_BD, abs=1e-9)
    assert crs.bd09_to_gcj02(*WANDERGIS_IN) == pytest.approx(WANDERGIS_BD_TO_GCJ, abs=1e-9)
    # The one-step inverse is ~1 m off; the iterative inverse lands within 1 m of it and
    # reproduces the GCJ-02 input exactly when sent forward again.
    x, y = crs.gcj02_to_wgs84(*WANDERGIS_IN)
    assert 0.01 < metres(x, y, *WANDERGIS_GCJ_TO_WGS_ONESTEP) < 2.0
    fx, fy = crs.wgs84_to_gcj02(x, y)
    assert metres(fx, fy, *WANDERGIS_IN) < 1e-4


def test_round_trip_within_a_centimetre_everywhere_in_wuhan():
    rng = np.random.default_rng(42)
    lon = rng.uniform(WUHAN_BOX[0], WUHAN_BOX[2], 20000)
    lat = rng.uniform(WUHAN_BOX[1], WUHAN_BOX[3], 20000)
    gx, gy = crs.wgs84_to_gcj02(lon, lat)
    wx, wy = crs.gcj02_to_wgs84(gx, gy)
    assert metres(wx, wy, lon, lat).max() < 0.01
    bx, by = crs.wgs84_to_bd09(lon, lat)
    wx, wy = crs.bd09_to_wgs84(bx, by)
    assert metres(wx, wy, lon, lat).max() < 0.5  # Baidu's own inverse is approximate


def test_offset_in_wuhan_is_about_500_m():
    rng = np.random.default_rng(1)
    lon = rng.uniform(WUHAN_BOX[0], WUHAN_BOX[2], 1000)
    lat = rng.uniform(WUHAN_BOX[1], WUHAN_BOX[3], 1000)
    gx, gy = crs.wgs84_to_gcj02(lon, lat)
    d = metres(gx, gy, lon, lat)
    assert 400 < d.min() and d.max() < 700
    # GCJ-02 sits east and south of WGS84 in Wuhan
    assert (gx > lon).all() and (gy < lat).all()


@pytest.mark.parametrize(
    "lon,lat", [(139.767125, 35.681236), (-16.1776, 64.0464), (2.35, 48.85), (-104.9903, 39.7392)]
)
def test_identity_outside_china(lon, lat):
    assert crs.wgs84_to_gcj02(lon, lat) == (lon, lat)
    assert crs.gcj02_to_wgs84(lon, lat) == (lon, lat)


def test_geometries_keep_shared_vertices_shared():
    a = shapely.Polygon([(114.2, 30.5), (114.3, 30.5), (114.3, 30.6), (114.2, 30.6)])
    b = shapely.Polygon([(114.3, 30.5), (114.4, 30.5), (114.4, 30.6), (114.3, 30.6)])
    ga, gb = crs.transform_geometries(np.array([a, b]), "wgs84", "gcj02")
    shared = ga.intersection(gb)
    assert shared.geom_type == "LineString" and shared.length > 0.09
    assert ga.intersection(gb).area == 0


def test_frame_conversion_declared_and_cgcs2000():
    g = gpd.GeoDataFrame(geometry=[shapely.Point(WANDERGIS_WGS_TO_GCJ)], crs="EPSG:4326")
    out = crs.to_wgs84(g, "gcj02")
    assert out.geometry.iloc[0].x == pytest.approx(WANDERGIS_IN[0], abs=1e-8)
    assert g.geometry.iloc[0].x == WANDERGIS_WGS_TO_GCJ[0]  # input not mutated
    c = gpd.GeoDataFrame(geometry=[shapely.Point(114.3, 30.6)], crs="EPSG:4490")
    assert crs.to_wgs84(c).crs.to_epsg() == 4326
    assert crs.to_wgs84(c).geometry.iloc[0].x == 114.3
    m = gpd.GeoDataFrame(geometry=[shapely.Point(500000, 3385000)], crs="EPSG:4547")
    back = crs.to_wgs84(m)
    assert back.geometry.iloc[0].x == pytest.approx(114.0, abs=0.01)


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("WGS84", "wgs84"),
        ("gcj-02", "gcj02"),
        ("Baidu", "bd09"),
        ("EPSG:4547", "EPSG:4547"),
        ("cgcs2000", "cgcs2000"),
        ("amap", "gcj02"),
        (" bd-09 ", "bd09"),
        ("epsg:4547", "EPSG:4547"),
    ],
)
def test_normalize_accepts(name, key):
    assert crs.normalize_crs(name) == key


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("高德", "gcj02"),
        ("腾讯", "gcj02"),
        ("百度", "bd09"),
        ("国家2000", "cgcs2000"),
        ("4547", "EPSG:4547"),
        ("epsg:4490", "cgcs2000"),
        ("EPSG:4326", "wgs84"),
        ("  ", None),
        (None, None),
    ],
)
def test_crs_as_planners_write_it(name, key):
    assert crs.parse_crs(name) == key


def test_hint_words_in_file_and_column_names():
    assert crs.hinted_crs("名单.csv", "名称", "经度(GCJ02)", "纬度") == "gcj02"
    assert crs.hinted_crs("百度坐标.xlsx", "lng", "lat") == "bd09"
    assert crs.hinted_crs("bd_lng", "bd_lat") == "bd09"
    assert crs.hinted_crs("list.csv", "经度", "纬度") is None


def test_lonlat_check_kinds():
    kinds = crs.lonlat_check(
        [114.3, 30.6, 520000.0, 116.4, np.nan], [30.6, 114.3, 3380000.0, 39.9, 30.0]
    )
    assert kinds.tolist() == [
        crs.LONLAT_OK,
        crs.LONLAT_SWAPPED,
        crs.LONLAT_PROJECTED,
        crs.LONLAT_OUTSIDE,
        crs.LONLAT_MISSING,
    ]


def test_points_to_wgs84_every_kind_of_crs():
    x, y = 114.3055, 30.5928
    gx, gy = crs.wgs84_to_gcj02(x, y)
    bx, by = crs.wgs84_to_bd09(x, y)
    for cx, cy, name in ((gx, gy, "高德"), (bx, by, "bd09"), (x, y, "wgs84")):
        ox, oy = crs.points_to_wgs84([cx], [cy], name)
        assert abs(ox[0] - x) < 1e-6 and abs(oy[0] - y) < 1e-6  # BD-09's inverse: ~5 cm
    ex, ny = 38_529_000.0, 3_385_000.0  # CGCS2000 3° zone 38 (EPSG:4526), central Wuhan
    ox, oy = crs.points_to_wgs84([ex], [ny], "4526")
    assert crs.lonlat_check(ox, oy).tolist() == [crs.LONLAT_OK]


def test_datum_fit_prefers_the_datum_the_points_were_shifted_from():
    d = gpd.read_file("layers/districts.geojson")
    reps = d.geometry.representative_point()
    gx, gy = crs.wgs84_to_gcj02(reps.x.to_numpy(), reps.y.to_numpy())
    counts = crs.datum_fit(gx, gy, list(d["adcode"]), d, None)
    assert counts["measure"] == "district" and counts["gcj02"] == counts["n"] == 13
    assert crs.better_datum(counts, "gcj02", 0.05) is None
    assert crs.better_datum(dict(counts, wgs84=10), "wgs84", 0.05) == "gcj02"


@pytest.mark.parametrize("name", ["mars", "EPSG:999999", "utm"])
def test_normalize_rejects_with_help(name):
    with pytest.raises(CRSError, match="wgs84|EPSG"):
        crs.normalize_crs(name)


def test_metric_crs_is_the_one_setting():
    from gis.settings import METRIC_CRS

    g = gpd.GeoDataFrame(geometry=[shapely.Point(114.3, 30.6)], crs="EPSG:4326")
    assert crs.to_metric(g).crs.to_string() == METRIC_CRS == "EPSG:4547"


@pytest.mark.parametrize("pair", sorted(crs.PIPELINES))
def test_fast_pipelines_are_the_operation_proj_chooses(pair: tuple[int, int]) -> None:
    from pyproj import Transformer

    chosen = Transformer.from_crs(pair[0], pair[1], always_xy=True).definition
    assert crs.PIPELINES[pair] == chosen


@pytest.mark.parametrize("layer", ["districts", "corridors", "water", "hub_zones", "city"])
def test_reproject_is_bit_identical_to_to_crs_on_shipped_layers(layer: str) -> None:
    from gis.layers import read_layer

    g = read_layer(layer)
    assert len(g)
    g = g.set_index(g.index + 100).rename_geometry("geom")  # index and column name kept
    there = crs.reproject(g, "EPSG:4547")
    ref = g.to_crs("EPSG:4547")
    assert there.crs == ref.crs and list(there.columns) == list(ref.columns)
    assert there.index.equals(ref.index) and there.geometry.name == "geom"
    assert np.array_equal(
        shapely.get_coordinates(there.geometry.values), shapely.get_coordinates(ref.geometry.values)
    )
    back = crs.reproject(there.geometry, 4326)
    assert isinstance(back, gpd.GeoSeries) and back.crs == "EPSG:4326"
    assert np.array_equal(
        shapely.get_coordinates(back.values),
        shapely.get_coordinates(ref.geometry.to_crs(4326).values),
    )


def test_reproject_other_systems_and_3d_fall_back_to_to_crs() -> None:
    g = gpd.GeoSeries([shapely.Point(114.3, 30.6, 20.0), shapely.Point(114.2, 30.5)], crs=4326)
    assert crs.reproject(g, 3857).crs == "EPSG:3857"
    got = crs.reproject(g, 4547)
    assert got.has_z.tolist() == [True, False]
    assert np.array_equal(
        shapely.get_coordinates(got.values, include_z=True),
        shapely.get_coordinates(g.to_crs(4547).values, include_z=True),
        equal_nan=True,
    )
    with pytest.raises(ValueError):
        crs.reproject(gpd.GeoSeries([shapely.Point(0, 0)]), 4547)  # no CRS: geopandas' error
