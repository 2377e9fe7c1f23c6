"""The shipped plan layers: rebuilt byte for byte from layers/sources/, every feature sourced."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from gis.catalog import load_catalog
from gis.io import PRECISION_CLASSES
from gis.layer_schema import DOMAINS, PLAN_FIELDS
from gis.layers import check_layer, layer_status, read_layer

PLAN_LAYERS = (
    "hub_zones",
    "corridors",
    "clusters",
    "pilot_zones",
    "design_parks",
    "venues_and_parks",
)
EXPECTED = {
    "clusters": 58,
    "pilot_zones": 10,
    "corridors": 4,
    "hub_zones": 5,
    "design_parks": 12,
    "venues_and_parks": 8,
}


def sources(root: Path, name: str) -> list[dict[str, str]]:
    with (root / "layers" / "sources" / name).open(encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def test_catalog_has_the_plan_layers_with_the_plan_counts() -> None:
    cat = load_catalog()
    for lid, n in EXPECTED.items():
        assert cat[lid].expected == n
        assert cat[lid].group == "plan"


def test_build_script_reproduces_the_shipped_files(root: Path, tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, str(root / "scripts" / "build_plan_layers.py"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "Not shipped" in out.stdout
    for name in ("corridors", "hub_zones"):
        built = (tmp_path / f"{name}.geojson").read_bytes()
        assert built == (root / "layers" / f"{name}.geojson").read_bytes(), name


@pytest.mark.parametrize("lid", PLAN_LAYERS)
def test_every_shipped_feature_has_schema_source_and_precision(lid: str) -> None:
    cat = load_catalog()
    assert check_layer(cat[lid]) == []
    gdf = read_layer(lid, cat)
    if gdf.empty:  # a file not shipped reads as an empty frame: nothing to check, say so
        assert not cat[lid].path.exists()
        pytest.skip(f"{lid}: no features shipped yet (expected {cat[lid].expected})")
    for col in PLAN_FIELDS:
        assert col in gdf.columns
    for row in gdf.itertuples():
        assert row.source and ("http" in row.source or "PyPI" in row.source)
        assert row.precision in PRECISION_CLASSES
        for d in filter(None, str(row.domains).split("、")):
            assert d in DOMAINS


def test_corridor_points_are_the_cited_gazetteer_points(root: Path) -> None:
    gaz = {r["id"]: r for r in sources(root, "gazetteer.csv")}
    rows = {r["id"]: r for r in sources(root, "corridors.csv")}
    layer = read_layer("corridors").set_index("id")
    assert sorted(layer.index) == sorted(rows)
    for cid, row in rows.items():
        ids = row["waypoint_ids"].split(";")
        geom = layer.loc[cid, "geometry"]
        pts = list(getattr(geom, "geoms", [geom]))
        # the writer keeps 6 decimals (0.1 m): equal to the cited values within that
        cited = [(float(gaz[i]["lon"]), float(gaz[i]["lat"])) for i in ids]
        assert np.allclose([(p.x, p.y) for p in pts], cited, rtol=0, atol=5e-7)
        # fewer than three cited waypoints: no line may be drawn
        assert len(ids) < 3 and geom.geom_type in ("Point", "MultiPoint")
        assert layer.loc[cid, "precision"] == "cited_point"
        for i in ids:
            assert gaz[i]["confidence"] in ("high", "medium")
            assert gaz[i]["crs"].startswith("WGS84")
    # Zhongshan Avenue's waypoints: 六渡桥站 and 中山大道1622号, as cited
    zs = layer.loc["corridor_zhongshan", "geometry"]
    assert np.allclose(
        [(p.y, p.x) for p in zs.geoms],
        [(30.5766694, 114.2769611), (30.61038, 114.30514)],
        rtol=0,
        atol=5e-7,
    )


def test_hub_zones_are_indicative_and_placed_as_sourced(root: Path) -> None:
    hubs = read_layer("hub_zones").set_index("id")
    districts = read_layer("districts").set_index("adcode")
    assert set(hubs["precision"]) == {"indicative"}
    assert "hub_guanggu_chegu" not in hubs.index  # planned, nothing to anchor it to
    metric = hubs.to_crs("EPSG:4547")
    # Tianhe: ~150 km² around the airport (WH01), clipped to Huangpi
    airport = shapely.Point(114.208056, 30.783611)
    assert hubs.loc["hub_tianhe", "geometry"].contains(airport)
    assert 120e6 < metric.loc["hub_tianhe", "geometry"].area <= 150.1e6
    # host-district zones cover their district (simplified by 100 m)
    for hid, code in (("hub_yangluo", "420117"), ("hub_wujiashan", "420112")):
        d = gpd.GeoSeries([districts.loc[code, "geometry"]], crs=4326).to_crs(4547).iloc[0]
        z = metric.loc[hid, "geometry"]
        assert abs(z.area - d.area) / d.area < 0.01
        assert hubs.loc[hid, "district"] == code
        assert "示意" in hubs.loc[hid, "note"]


def test_layers_command_says_what_is_missing() -> None:
    status = layer_status().set_index("id")
    assert status.loc["clusters", "loaded"] == 0
    assert "clustermap import clusters FILE" in status.loc["clusters", "status"]
    assert status.loc["hub_zones", "loaded"] == 4
    assert status.loc["corridors", "loaded"] == 4


def test_every_unshipped_named_item_says_why(root: Path) -> None:
    items = sources(root, "plan_items.csv")
    assert {r["layer"] for r in items} >= {"pilot_zones", "venues_and_parks"}
    for r in items:
        assert r["plan_quote"] and r["plan_url"].startswith("http")
        if r["shipped"] != "yes":
            assert r["reason"]
    parks = sources(root, "shared_lists_design_parks.csv")
    assert len(parks) == 9 and all(r["source_url"] for r in parks)


def test_domains_and_levels_as_official_lists_write_them() -> None:
    from gis.errors import InputError
    from gis.layer_schema import normalize_domains, normalize_level

    assert normalize_domains("金融 物流") == ["金融", "物流"]  # space-separated in one cell
    assert normalize_domains("会计服务") == ["会计审计"]
    with pytest.raises(InputError, match=r"'设计' \(did you mean 工程设计 / 工业设计\?\)"):
        normalize_domains("金融、设计")
    assert normalize_level("国家级服务业集聚区") == "国家级"
    assert normalize_level("市级示范") == "市级"
    for bad in ("区级", "省级（待批）"):  # not a level of the plan; pending is not a level
        with pytest.raises(InputError, match="unknown level"):
            normalize_level(bad)
