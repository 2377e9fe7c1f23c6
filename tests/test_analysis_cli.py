"""The analysis commands end to end: shipped layers, a synthetic clusters file, bad input.

``tests/data/synthetic_clusters.geojson`` holds 6 SYNTHETIC points (not real
clusters), one at a representative point of each of 6 districts.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner

from gis.analysis.enterprises import read_register, summarise, zone_table
from gis.analysis.runner import KINDS, analysis_frames
from gis.cli import main
from gis.errors import InputError, ValidationError
from gis.layers import read_layer

DATA = Path(__file__).parent / "data"
SYN = DATA / "synthetic_clusters.geojson"


def run(*args: str) -> tuple[int, str]:
    r = CliRunner().invoke(main, list(args))
    return r.exit_code, r.output + (r.stderr if hasattr(r, "stderr") else "")


def test_coverage_on_synthetic_file_writes_table_geometry_and_map(tmp_path: Path) -> None:
    code, out = run(
        "coverage", "--radius", "2km", "--points", str(SYN), "--out", str(tmp_path), "--map"
    )
    assert code == 0, out
    table = pd.read_csv(tmp_path / "coverage_2km.csv", dtype={"adcode": str}, encoding="utf-8-sig")
    assert len(table) == 13 and table["adcode"].str.match(r"^4201\d\d$").all()
    # each synthetic point lies inside its district, so 6 districts have a cluster
    assert table["clusters_inside"].sum() == 6
    wuchang = table.set_index("adcode").loc["420106"]
    # a disc of 2 km is 12.57 km²; points are representative points, well inside 武昌区
    assert 0 < wuchang["covered_km2"] <= 4 * np.pi + 0.01
    assert (table["covered_pct"] <= 100).all()
    layers = gpd.list_layers(tmp_path / "coverage_2km.gpkg")["name"].tolist()
    assert "covered_area_r_2_km" in layers
    covered = gpd.read_file(tmp_path / "coverage_2km.gpkg", layer="covered_area_r_2_km")
    assert covered.crs.to_epsg() == 4547
    assert covered["covered_km2"].sum() == pytest.approx(table["covered_km2"].sum(), abs=0.01)
    page = (tmp_path / "coverage_2km.html").read_text(encoding="utf-8")
    # parameters in the title block and in the legend of the coverage layer (JSON-escaped)
    assert "radius = 2 km" in page
    assert json.dumps("覆盖范围 Covered area (r = 2 km)") in page
    assert "420106" in out and "wrote" in out


def test_every_kind_runs_on_the_synthetic_file_and_gives_wgs84_frames() -> None:
    params = {
        "coverage": {"radius": "1km"},
        "gaps": {"radius": "1km"},
        "corridors": {"within": "3km"},
        "hubs": {"radius": "10km"},
        "site": {"add": 2, "spacing": "5km", "cell": "1km"},
    }
    for kind in KINDS:
        frames = analysis_frames(kind, points=str(SYN), **params[kind])
        assert frames, kind
        if kind != "gaps":  # every map shows the districts for orientation (gaps: its parts)
            assert "行政区 Districts" in [t for t, _ in frames], kind
        for title, gdf in frames:
            assert gdf.crs.to_epsg() == 4326, (kind, title)
            assert {"precision"} <= set(gdf.columns), (kind, title)


def test_gaps_and_coverage_add_up_to_the_district_area(tmp_path: Path) -> None:
    code, out = run("gaps", "--radius", "2km", "--points", str(SYN), "--out", str(tmp_path))
    assert code == 0, out
    gaps = pd.read_csv(tmp_path / "gaps_2km.csv", dtype={"adcode": str}, encoding="utf-8-sig")
    run("coverage", "--radius", "2km", "--points", str(SYN), "--out", str(tmp_path))
    cov = pd.read_csv(tmp_path / "coverage_2km.csv", dtype={"adcode": str}, encoding="utf-8-sig")
    both = cov.merge(gaps, on="adcode")
    assert np.allclose(both["covered_km2"] + both["gap_km2"], both["area_km2"], atol=0.01)


def test_site_and_hubs_and_corridors_commands(tmp_path: Path) -> None:
    code, out = run(
        "site", "--add", "2", "--points", str(SYN), "--spacing", "5km", "--cell", "1km",
        "--out", str(tmp_path), "--format", "geojson",
    )  # fmt: skip
    assert code == 0, out
    sites = pd.read_csv(tmp_path / "site_2km.csv", encoding="utf-8-sig")
    assert sites["rank"].tolist() == [1, 2]
    # at most a whole 2 km disc (12.57 km²) each, clipped where it leaves the city
    assert (sites["new_km2"] > 5).all() and (sites["new_km2"] <= 4 * np.pi).all()
    assert sites["cumulative_km2"].iloc[-1] == pytest.approx(sites["new_km2"].sum(), abs=0.002)
    assert list(tmp_path.glob("site_2km_*.geojson"))
    code, out = run("hubs", "--points", str(SYN), "--out", str(tmp_path))
    assert code == 0, out
    hubs = pd.read_csv(tmp_path / "hubs_5km.csv", encoding="utf-8-sig")
    assert len(hubs) == 6 and (hubs["precision"] == "indicative").all()
    code, out = run("corridors", "--within", "500m", "--points", str(SYN), "--out", str(tmp_path))
    assert code == 0, out


def test_unitless_radius_fails_cleanly_without_outputs(tmp_path: Path) -> None:
    code, out = run("coverage", "--radius", "2", "--points", str(SYN), "--out", str(tmp_path))
    assert code == 1
    assert "'2km' or '2000m'" in out and "Traceback" not in out
    assert not tmp_path.exists() or not any(tmp_path.iterdir())


def test_empty_clusters_layer_says_how_to_load_it(tmp_path: Path, root: Path) -> None:
    home = tmp_path / "home"
    (home / "layers").mkdir(parents=True)
    shutil.copy(root / "layers" / "catalog.toml", home / "layers" / "catalog.toml")
    shutil.copy(root / "layers" / "districts.geojson", home / "layers" / "districts.geojson")
    r = CliRunner(env={"CLUSTERMAP_HOME": str(home)}).invoke(main, ["coverage", "--radius", "2km"])
    assert r.exit_code == 1
    assert "clusters: 0 of 58 loaded" in r.output
    assert "clustermap import clusters FILE" in r.output and "--points design_parks" in r.output
    assert not (home / "maps").exists()


def test_points_outside_wuhan_and_invalid_geometry(tmp_path: Path) -> None:
    far = tmp_path / "synthetic_far.geojson"
    feats = [
        {"type": "Feature", "properties": {"id": "x"},
         "geometry": {"type": "Point", "coordinates": [116.4, 39.9]}},
    ]  # fmt: skip
    far.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    code, out = run(
        "coverage", "--radius", "2km", "--points", str(far), "--out", str(tmp_path / "o")
    )
    assert code == 1 and "outside Wuhan" in out and not (tmp_path / "o").exists()
    bowtie = tmp_path / "synthetic_bowtie.geojson"
    ring = [[114.30, 30.55], [114.32, 30.57], [114.32, 30.55], [114.30, 30.57], [114.30, 30.55]]
    feats = [{"type": "Feature", "properties": {"id": "bt", "precision": "indicative"},
              "geometry": {"type": "Polygon", "coordinates": [ring]}}]  # fmt: skip
    bowtie.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    code, out = run(
        "coverage", "--radius", "500m", "--points", str(bowtie), "--out", str(tmp_path / "b")
    )
    assert code == 0, out
    assert "feature 1 (bt) had an invalid geometry" in out and "make_valid" in out


def test_help_of_every_command_has_an_example() -> None:
    for cmd in ("coverage", "gaps", "corridors", "hubs", "site", "enterprises"):
        code, out = run(cmd, "--help")
        assert code == 0 and "Example" in out, cmd


# -- enterprises -------------------------------------------------------------------


def _register(tmp_path: Path, encoding: str = "gb18030") -> tuple[Path, pd.DataFrame]:
    """A SYNTHETIC register: 2 firms at a representative point of each district, 1 outside."""
    d = read_layer("districts")
    rows = []
    for i, (code, geom) in enumerate(zip(d["adcode"], d.geometry)):
        p = geom.representative_point()
        for k, dom in enumerate(("软件", "物流")):
            rows.append(
                {"企业名称": f"合成企业{i}-{k}", "经度": f"{p.x:.6f}", "纬度": f"{p.y:.6f}",
                 "营业收入": str(10 * (i + 1) + k), "领域": dom, "adcode": code}
            )  # fmt: skip
    rows.append(
        {
            "企业名称": "城外",
            "经度": "113.65",
            "纬度": "29.95",
            "营业收入": "",
            "领域": "物流",
            "adcode": "",
        }
    )
    df = pd.DataFrame(rows)
    path = tmp_path / "synthetic_register.csv"
    df.to_csv(path, index=False, encoding=encoding)
    return path, df


def test_enterprises_counts_sums_domains_and_outside(tmp_path: Path) -> None:
    path, df = _register(tmp_path)
    zt = zone_table({"districts": read_layer("districts")})
    s = summarise(read_register(path), zt, values=["营业收入"], domain="领域")
    per = s.per_zone.set_index("zone")
    assert (per["enterprises"] == 2).all()
    assert per.loc["420106", "营业收入"] == pytest.approx(
        pd.to_numeric(df.loc[df["adcode"] == "420106", "营业收入"]).sum()
    )
    dom = s.per_zone_domain
    assert len(dom) == 26 and (dom["enterprises"] == 1).all()
    assert s.outside["row"].tolist() == [len(df) + 1]  # the last spreadsheet row
    assert s.outside_counts.iloc[0].to_dict() == {"layer": "districts", "inside": 26, "outside": 1}


def test_enterprises_cli_with_clusters_file_and_gcj02(tmp_path: Path) -> None:
    path, df = _register(tmp_path)
    out = tmp_path / "out"
    code, text = run(
        "enterprises", str(path), "--value", "营业收入", "--domain", "领域",
        "--zones", f"districts,{SYN}", "--cluster-radius", "500m", "--out", str(out), "--map",
    )  # fmt: skip
    assert code == 0, text
    table = pd.read_csv(out / "enterprises_synthetic_register.csv", encoding="utf-8-sig")
    # every synthetic cluster sits on a district's representative point: 2 firms each
    syn = table[table["layer"] == "synthetic_clusters"]
    assert len(syn) == 6 and (syn["enterprises"] == 2).all()
    assert (out / "enterprises_synthetic_register_by_domain.csv").exists()
    # districts (unequal areas) are shaded by density per km² (area in EPSG:4547), the
    # equal 500 m discs by count in whole-number classes; counts stay in the tooltip
    page = (out / "enterprises_synthetic_register.html").read_text(encoding="utf-8")
    assert json.dumps("企业密度 Enterprise density: districts", ensure_ascii=False) in page
    assert json.dumps("Enterprise density: districts (家/km²)")[1:-1] in page  # legend unit
    title = json.dumps("企业数 Enterprises per zone: synthetic_clusters", ensure_ascii=False)
    assert title in page
    assert '"count_text":"2 家"' in page and '"value_text":"2 家"' in page
    # the same register shifted to GCJ-02 and read with --crs gcj02 gives the same counts
    from gis.crs import wgs84_to_gcj02

    g = df.copy()
    lon, lat = wgs84_to_gcj02(
        g["经度"].astype(float).to_numpy(), g["纬度"].astype(float).to_numpy()
    )
    g["经度"], g["纬度"] = np.round(lon, 7), np.round(lat, 7)
    gpath = tmp_path / "synthetic_register_gcj.csv"
    g.to_csv(gpath, index=False)
    code, text = run(
        "enterprises", str(gpath), "--crs", "gcj02", "--zones", "districts", "--out", str(out)
    )
    assert code == 0, text
    t2 = pd.read_csv(out / "enterprises_synthetic_register_gcj.csv", encoding="utf-8-sig")
    assert (t2["enterprises"] == 2).all()


def test_enterprises_bad_rows_are_named(tmp_path: Path) -> None:
    path, df = _register(tmp_path, encoding="utf-8")
    df.loc[3, "经度"] = "东经114度"
    df.loc[5, "纬度"] = "114.3"  # latitude typed as longitude: outside Wuhan
    df.to_csv(path, index=False)
    zt = zone_table({"districts": read_layer("districts")})
    with pytest.raises(ValidationError, match="'经度' must hold numbers") as exc:
        summarise(read_register(path), zt)
    assert "row 5: '东经114度'" in str(exc.value)
    df.loc[3, "经度"] = df.loc[2, "经度"]
    df.to_csv(path, index=False)
    with pytest.raises(InputError, match="outside Wuhan") as exc:
        summarise(read_register(path), zt)
    assert "row 7" in str(exc.value)
    code, text = run("enterprises", str(path), "--zones", "districts", "--out", str(tmp_path / "o"))
    assert code == 1 and "row 7" in text and not (tmp_path / "o").exists()


def test_enterprises_headers_with_units_and_alternatives(tmp_path: Path) -> None:
    """Registers name columns 营业收入(万元) and 行业/领域: --value 营业收入 --domain 领域 finds
    them, the unit travels into the output header, the sums add up, the note is printed once."""
    path, df = _register(tmp_path)
    df = df.rename(columns={"营业收入": "营业收入(万元)", "领域": "行业/领域"})
    df.to_csv(path, index=False, encoding="gb18030")
    zt = zone_table({"districts": read_layer("districts")})
    s = summarise(read_register(path), zt, values=["营业收入"], domain="领域")
    # the row outside every district: its name and domain, its own coordinates (as in the
    # sheet), then WGS84
    assert s.outside.columns.tolist() == [
        "row", "企业名称", "行业/领域", "经度", "纬度", "lon_wgs84", "lat_wgs84"
    ]  # fmt: skip
    assert s.outside.iloc[0][["row", "企业名称", "经度", "纬度"]].tolist() == [
        len(df) + 1, "城外", "113.65", "29.95"
    ]  # fmt: skip
    revenue = pd.to_numeric(df["营业收入(万元)"], errors="coerce")
    assert s.per_zone["营业收入(万元)"].sum() == pytest.approx(revenue.sum())  # the outside row: ""
    assert set(s.per_zone_domain["domain"]) == {"软件", "物流"}
    assert s.per_zone_domain["营业收入(万元)"].sum() == pytest.approx(revenue.sum())
    with pytest.raises(InputError, match=r"no column '收入'.*营业收入\(万元\)"):
        summarise(read_register(path), zt, values=["收入"])
    out = tmp_path / "out"
    code, text = run(
        "enterprises", str(path), "--value", "营业收入", "--domain", "领域",
        "--zones", f"districts,{SYN}", "--out", str(out),
    )  # fmt: skip
    assert code == 0, text
    assert text.count("buffered by") == 1
    table = pd.read_csv(out / "enterprises_synthetic_register.csv", encoding="utf-8-sig")
    districts = table[table["layer"] == "districts"]
    assert districts["营业收入(万元)"].sum() == pytest.approx(revenue.sum())


def test_point_zones_need_a_radius() -> None:
    pts = gpd.GeoDataFrame(geometry=[shapely.Point(114.3, 30.6)], crs=4326)
    with pytest.raises(InputError, match="radius"):
        zone_table({"clusters": pts})


@pytest.mark.browser
def test_coverage_map_renders_offline_with_parameters(tmp_path: Path, open_page) -> None:  # type: ignore[no-untyped-def]
    code, out = run(
        "coverage", "--radius", "2km", "--points", str(SYN), "--out", str(tmp_path), "--map"
    )
    assert code == 0, out
    page, log = open_page(tmp_path / "coverage_2km.html")
    page.wait_for_timeout(300)
    assert log.external_requests == [] and log.errors == []
    assert page.locator("path.leaflet-interactive").count() >= 13 + 6  # districts + covered parts
    title = page.locator(".gis-title").inner_text()
    assert "radius = 2 km" in title and "集聚区覆盖分析" in title
    legends = " ".join(page.locator(".gis-legend-item").all_inner_texts())
    assert "覆盖范围 Covered area (r = 2 km)" in legends
    # the districts are the base layer: listed under 底图, drawn in the minimap, whose view
    # box (the main map's view) fits inside it; outline-only districts have a hollow swatch
    base = page.locator(".gis-layer-group[data-group='base']").inner_text()
    assert "行政区 Districts" in base
    assert page.locator(".gis-minimap path").count() >= 2  # districts + the view box
    page.evaluate("void GIS.map.setView([30.55, 114.31], 12, {animate: false})")
    mini = page.locator(".gis-minimap").bounding_box()
    box = page.locator(".gis-minimap path").last.bounding_box()
    assert box["width"] < mini["width"] and box["height"] < mini["height"]
    swatch = page.locator(".gis-legend-item", has_text="行政区 Districts").locator(".gis-swatch")
    assert "transparent" in (swatch.get_attribute("style") or "")
    page.screenshot(path=str(tmp_path / "coverage.png"))


def test_coverage_with_population_raster_in_wgs84_and_geotiffs(tmp_path: Path) -> None:
    import rasterio
    from affine import Affine

    # SYNTHETIC population grid in EPSG:4326 (another CRS than the analysis): 1 person a cell
    pop = tmp_path / "synthetic_population_wgs84.tif"
    arr = np.ones((160, 150), dtype=np.float32)
    with rasterio.open(
        pop, "w", driver="GTiff", height=160, width=150, count=1, dtype="float32",
        crs="EPSG:4326", transform=Affine(0.01, 0, 113.6, 0, -0.01, 31.45), nodata=-1,
    ) as dst:  # fmt: skip
        dst.write(arr, 1)
    code, out = run(
        "coverage", "--radius", "5km", "--points", str(SYN), "--population", str(pop),
        "--raster", "500m", "--out", str(tmp_path / "o"),
    )  # fmt: skip
    assert code == 0, out
    t = pd.read_csv(tmp_path / "o" / "coverage_5km.csv", encoding="utf-8-sig")
    assert (t["population"] > 0).all()
    assert (t["population_covered"] <= t["population"]).all()
    # 6 discs of 5 km (78.5 km² each, ~84 cells of ~0.93 km²) if nothing overlaps or is clipped
    assert 0 < t["population_covered"].sum() <= 6 * 90
    assert "population from raster" in out
    with rasterio.open(tmp_path / "o" / "coverage_5km_distance_500m.tif") as src:
        assert src.crs.to_epsg() == 4547 and src.res == (500.0, 500.0)
        assert src.nodata == -1 and src.tags()["radius_m"] == "5000"
        d = src.read(1)
        assert d.min() >= -1 and 0 <= d[d >= 0].min() < 500
    with rasterio.open(tmp_path / "o" / "coverage_5km_grid_500m.tif") as src:
        g = src.read(1)
        assert set(np.unique(g).tolist()) == {0, 1, 255}


def test_enterprises_undeclared_crs_gets_a_note_or_a_refusal(tmp_path: Path) -> None:
    path, df = _register(tmp_path)
    out = tmp_path / "out"
    code, text = run("enterprises", str(path), "--zones", "districts", "--out", str(out))
    assert code == 0, text
    assert "read as WGS84 (no --crs given)" in text and "--crs gcj02" in text
    labelled = tmp_path / "synthetic_register_labelled.csv"
    df.rename(columns={"经度": "经度(GCJ02)", "纬度": "纬度(GCJ02)"}).to_csv(labelled, index=False)
    code, text = run(
        "enterprises", str(labelled), "--lon", "经度(GCJ02)", "--lat", "纬度(GCJ02)",
        "--zones", "districts", "--out", str(out),
    )  # fmt: skip
    assert code == 1
    assert "say the coordinates are GCJ-02" in text and "--crs gcj02" in text
    assert not (out / "enterprises_synthetic_register_labelled.csv").exists()
