"""GIS files and tables that open cleanly elsewhere: GeoPackage 1.2 read by the installed
GDAL without a warning, field units in its metadata, RFC 7946 ring order in every GeoJSON,
tables that name what they list and agree with their geometry, the targets table.

Clusters used here are SYNTHETIC (tests/data).
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner

from gis.cli import main
from gis.io import write_geojson
from gis.readers.geojson import read_geojson

ROOT = Path(__file__).resolve().parent.parent
SYN = Path(__file__).parent / "data" / "synthetic_clusters.geojson"
OGRINFO = shutil.which("ogrinfo")


def run(*args: str) -> str:
    r = CliRunner().invoke(main, list(args))
    assert r.exit_code == 0, r.output
    return r.output


def ogrinfo(path: Path) -> subprocess.CompletedProcess[str]:
    if OGRINFO is None:
        pytest.skip("ogrinfo (GDAL) not installed")
    return subprocess.run(
        [OGRINFO, "-ro", "-al", "-so", str(path)], capture_output=True, text=True, timeout=60
    )


def test_geopackages_open_without_warning_in_the_installed_gdal(tmp_path: Path) -> None:
    run("coverage", "--radius", "2km", "--points", str(SYN), "--out", str(tmp_path))
    gpkg = tmp_path / "coverage_2km.gpkg"
    r = ogrinfo(gpkg)
    assert r.returncode == 0 and r.stderr.strip() == "", r.stderr
    assert "covered_area_r_2_km" in r.stdout
    con = sqlite3.connect(gpkg)
    try:
        assert con.execute("PRAGMA user_version").fetchone()[0] == 10200  # GeoPackage 1.2
        titles = dict(
            con.execute(
                "SELECT column_name, title FROM gpkg_data_columns WHERE table_name = ?",
                ("covered_area_r_2_km",),
            ).fetchall()
        )
    finally:
        con.close()
    assert titles["covered_km2"] == "covered_km2 (km²)" and titles["radius_m"] == "radius_m (m)"


def _figures(tmp_path: Path) -> Path:
    path = tmp_path / "synthetic_figures.csv"
    path.write_text(
        "区县,GDP(亿元),人口（万人）,年份,来源\n"
        "武昌区,100,12.5,2023,合成数据 synthetic\n江岸区,200.5,,2023,合成数据 synthetic\n",
        encoding="utf-8",
    )
    return path


def test_join_out_keeps_units_and_years_in_every_format(tmp_path: Path) -> None:
    src = _figures(tmp_path)
    for suffix in (".csv", ".xlsx", ".gpkg", ".geojson"):
        run("join", "districts", str(src), "--out", str(tmp_path / f"j{suffix}"))
    head = pd.read_csv(tmp_path / "j.csv", encoding="utf-8-sig", nrows=0).columns.tolist()
    assert "GDP 2023(亿元)" in head and "人口 2023(万人)" in head and "GDP" not in head
    wb = openpyxl.load_workbook(tmp_path / "j.xlsx")
    assert "GDP 2023(亿元)" in [c.value for c in wb.worksheets[0][1]]
    notes = {r[0].value: r[1].value for r in wb["字段说明 fields"].iter_rows(min_row=2)}
    assert notes["GDP 2023(亿元)"] == "unit: 亿元; year: 2023; source: 合成数据 synthetic"
    r = ogrinfo(tmp_path / "j.gpkg")
    assert r.stderr.strip() == "" and "GDP 2023(亿元): Real" in r.stdout
    con = sqlite3.connect(tmp_path / "j.gpkg")
    try:
        desc = con.execute(
            "SELECT description FROM gpkg_data_columns WHERE column_name = ?", ("人口 2023(万人)",)
        ).fetchone()[0]
    finally:
        con.close()
    assert desc == "unit: 万人; year: 2023; source: 合成数据 synthetic"
    gj = json.loads((tmp_path / "j.geojson").read_text(encoding="utf-8"))
    assert gj["fields"]["GDP"] == {"unit": "亿元", "year": "2023", "source": "合成数据 synthetic"}
    # the joined GeoJSON is still a layer file the tool reads back
    back = read_geojson(tmp_path / "j.geojson", key="adcode").set_index("adcode")
    assert back.loc["420106", "GDP"] == 100


def _rings(geom: shapely.Geometry) -> list[tuple[bool, list[bool]]]:
    polys = [g for g in getattr(geom, "geoms", [geom]) if g.geom_type == "Polygon"]
    return [(p.exterior.is_ccw, [r.is_ccw for r in p.interiors]) for p in polys]


def test_geojson_rings_follow_rfc7946(tmp_path: Path) -> None:
    cw = shapely.Polygon(
        [(114.0, 30.0), (114.0, 30.1), (114.1, 30.1), (114.1, 30.0)],
        holes=[[(114.02, 30.02), (114.08, 30.02), (114.08, 30.08), (114.02, 30.08)]],
    )
    assert not cw.exterior.is_ccw and cw.interiors[0].is_ccw  # the wrong way round
    out = write_geojson(gpd.GeoDataFrame({"id": ["a"]}, geometry=[cw], crs=4326), tmp_path / "x.gj")
    geom = shapely.from_geojson(json.dumps(json.loads(out.read_text())["features"][0]["geometry"]))
    assert _rings(geom) == [(True, [False])] and geom.equals(cw)
    shipped = sorted((ROOT / "layers").glob("*.geojson"))
    polygons = 0
    for path in shipped:
        for f in json.loads(path.read_text(encoding="utf-8"))["features"]:
            g = shapely.from_geojson(json.dumps(f["geometry"]))
            for exterior_ccw, holes_ccw in _rings(g):
                polygons += 1
                assert exterior_ccw and not any(holes_ccw), path
    assert polygons >= 13  # the districts at least
    # analysis outputs as GeoJSON too
    run("gaps", "--radius", "2km", "--points", str(SYN), "--out", str(tmp_path / "g"),
        "--format", "geojson")  # fmt: skip
    for path in (tmp_path / "g").glob("*.geojson"):
        for f in json.loads(path.read_text(encoding="utf-8"))["features"]:
            for exterior_ccw, holes_ccw in _rings(shapely.from_geojson(json.dumps(f["geometry"]))):
                assert exterior_ccw and not any(holes_ccw), path


def test_corridor_table_and_geopackage_agree_and_name_what_they_list(tmp_path: Path) -> None:
    # the shipped corridors are cited points: no flanked length in the table, no segment
    run("corridors", "--within", "3km", "--points", str(SYN), "--out", str(tmp_path / "p"))
    t = pd.read_csv(tmp_path / "p" / "corridors_3km.csv", encoding="utf-8-sig")
    assert t["flanked_km"].isna().all() and (t["corridor_name"] != "").all()
    layers = gpd.list_layers(tmp_path / "p" / "corridors_3km.gpkg")["name"].tolist()
    assert not any(n.startswith("flanked") for n in layers)
    # a SYNTHETIC line corridor through two synthetic clusters: table and segments agree
    pts = gpd.read_file(SYN)
    line = shapely.LineString([pts.geometry.iloc[0].coords[0], pts.geometry.iloc[1].coords[0]])
    cor = gpd.GeoDataFrame(
        {"id": ["syn_line"], "name_zh": ["合成走廊"], "precision": ["schematic"],
         "source": ["synthetic test corridor"]},
        geometry=[line], crs=4326,
    )  # fmt: skip
    cfile = tmp_path / "synthetic_corridor.geojson"
    write_geojson(cor, cfile)
    run("corridors", "--within", "1km", "--points", str(SYN), "--corridors", str(cfile),
        "--out", str(tmp_path / "l"))  # fmt: skip
    t = pd.read_csv(tmp_path / "l" / "corridors_1km.csv", encoding="utf-8-sig")
    seg_layer = next(
        n for n in gpd.list_layers(tmp_path / "l" / "corridors_1km.gpkg")["name"]
        if n.startswith("flanked")
    )  # fmt: skip
    seg = gpd.read_file(tmp_path / "l" / "corridors_1km.gpkg", layer=seg_layer)
    assert t.loc[0, "corridor_name"] == "合成走廊" and seg.loc[0, "corridor_name"] == "合成走廊"
    assert t.loc[0, "flanked_km"] == pytest.approx(seg["flanked_km"].sum())
    assert t.loc[0, "flanked_km"] == pytest.approx(seg.geometry.length.sum() / 1000, abs=1e-3)
    assert "合成集聚区1" in t.loc[0, "cluster_names"]
    pairs = pd.read_csv(tmp_path / "l" / "corridors_1km_pairs.csv", encoding="utf-8-sig")
    assert set(pairs["cluster_name"]) >= {"合成集聚区1", "合成集聚区2"}


def test_hub_tables_name_hubs_and_clusters(tmp_path: Path) -> None:
    run("hubs", "--radius", "5km", "--points", str(SYN), "--out", str(tmp_path))
    near = pd.read_csv(tmp_path / "hubs_5km.csv", encoding="utf-8-sig")
    assert near["cluster_name"].str.startswith("合成集聚区").all()
    assert near["hub_name"].str.contains("枢纽").all()
    catch = pd.read_csv(tmp_path / "hubs_5km_catchment.csv", encoding="utf-8-sig")
    assert catch["hub_name"].str.contains("枢纽").all()
    with_clusters = catch[catch["clusters_within"] > 0]
    assert len(with_clusters) and with_clusters["cluster_names"].str.contains("合成集聚区").all()


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_targets_out_writes_the_plan_table(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"targets{suffix}"
    text = run("targets", "--out", str(out))
    assert f"wrote {out}" in text
    if suffix == ".csv":
        assert out.read_bytes().startswith(b"\xef\xbb\xbf")
        t = pd.read_csv(out, encoding="utf-8-sig", dtype={"基数年份 baseline year": str})
    else:
        t = pd.read_excel(out, dtype={"基数年份 baseline year": str})
    assert len(t) == 35
    t = t.set_index("编号 id")
    assert t.loc["T03", "完成度 progress (%)"] == pytest.approx(45.2, abs=0.05)
    assert t.loc["T20", "可比性 comparability"] == "province"
    assert "province-only" in t.loc["T20", "基数说明 baseline note"]
    assert t.loc["T27", "基数说明 baseline note"].startswith("proxy")
    assert t.loc["T18", "基数说明 baseline note"].startswith("narrower measure")
    assert t["完成度 progress (%)"].notna().sum() == 9
    fin = tmp_path / f"fin{suffix}"
    run("targets", "--domain", "金融", "--out", str(fin))
    assert (
        len(pd.read_csv(fin, encoding="utf-8-sig") if suffix == ".csv" else pd.read_excel(fin)) == 3
    )


def test_site_table_names_where_each_site_lies(tmp_path: Path) -> None:
    run("site", "--add", "2", "--spacing", "3km", "--cell", "1km", "--points", str(SYN),
        "--out", str(tmp_path))  # fmt: skip
    t = pd.read_csv(tmp_path / "site_2km.csv", encoding="utf-8-sig")
    districts = set(read_geojson(ROOT / "layers" / "districts.geojson")["name_zh"])
    assert len(t) == 2 and set(t["district"]) <= districts
    assert t["site_name"].isna().all()  # grid points have no name; the district says where
