"""Hostile and broken input (issue #9, input side): every fault is a clear error naming the
file (and row, column or feature), exit 1, and earlier outputs stay as they were.

All data is SYNTHETIC: written here to tmp_path from tests/data/synthetic_* truth points.
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import geopandas as gpd
import pytest
import shapely
from click.testing import CliRunner

from gis.cli import main

DATA = Path(__file__).parent / "data"
TRUTH_CSV = DATA / "synthetic_clusters_wgs84_truth.csv"
DEEP = "[" * 100_000 + "]" * 100_000


@pytest.fixture
def home(tmp_path: Path, root: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A throw-away project: the shipped layers and map specs, no outputs."""
    shutil.copytree(root / "layers", tmp_path / "layers")
    shutil.copytree(root / "maps", tmp_path / "maps", ignore=shutil.ignore_patterns("out"))
    monkeypatch.setenv("CLUSTERMAP_HOME", str(tmp_path))
    return tmp_path


def run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def truth() -> list[dict[str, str]]:
    with TRUTH_CSV.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def write_list(path: Path, rows: list[dict[str, str]], encoding: str = "utf-8") -> Path:
    lines = ["编号,名称,所在区,经度,纬度"] + [
        f"{r['编号']},合成{r['编号']},{r['adcode']},{r['lon']},{r['lat']}" for r in rows
    ]
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path


# ----------------------------------------------------------------- corrupt layer files

CORRUPT = {
    "truncated": lambda text: text[: len(text) // 2],
    "deep": lambda text: '{"type":"FeatureCollection","features":' + DEEP + "}",
    "not_utf8": lambda text: text.replace("合成", "\udcff", 1),
}


@pytest.mark.parametrize("kind", sorted(CORRUPT))
def test_corrupt_layer_file_is_an_error_naming_it_everywhere(home: Path, kind: str) -> None:
    assert (
        run(
            "import", "clusters", str(write_list(home / "l.csv", truth())), "--crs", "wgs84"
        ).exit_code
        == 0
    )
    built = run("build", "maps/coverage.toml")
    assert built.exit_code == 0, built.output
    page = home / "maps" / "out" / "coverage.html"
    before = digest(page)
    assert "未计算" not in page.read_text(encoding="utf-8")
    layer = home / "layers" / "clusters.geojson"
    text = layer.read_text(encoding="utf-8")
    layer.write_bytes(CORRUPT[kind](text).encode("utf-8", errors="surrogateescape"))

    listing = run("layers")
    assert listing.exit_code == 1
    assert "clusters.geojson" in listing.output and "unreadable" in listing.output
    assert "districts" in listing.output  # every layer is still listed first
    check = run("layers", "check")
    assert check.exit_code == 1 and "clusters.geojson" in check.output
    for args in (("build", "maps/coverage.toml"), ("build",)):
        res = run(*args)
        assert res.exit_code == 1, res.output
        assert "clusters.geojson" in res.output
        assert "this is a bug" not in res.output and "Traceback" not in res.output
    assert digest(page) == before  # neither rewritten as "not computed" nor overwritten


def test_deep_nesting_in_a_points_file_and_an_overpass_reply(home: Path) -> None:
    pts = home / "deep.geojson"
    pts.write_text('{"type":"FeatureCollection","features":' + DEEP + "}", encoding="utf-8")
    res = run("coverage", "--radius", "2km", "--points", str(pts))
    assert res.exit_code == 1 and "deep.geojson" in res.output and "nested" in res.output
    reply = home / "reply.json"
    reply.write_text('{"elements":' + DEEP + "}", encoding="utf-8")
    res = run("fetch-osm", "corridors", "--from-file", str(reply))
    assert res.exit_code == 1 and "reply.json" in res.output and "nested" in res.output
    assert "this is a bug" not in res.output


# ----------------------------------------------------------------- damaged shapefiles


def _shapefile(folder: Path, name: str = "c") -> Path:
    rows = truth()[:10]
    gdf = gpd.GeoDataFrame(
        {"id": [r["编号"] for r in rows], "name_zh": [f"合成{r['编号']}" for r in rows]},
        geometry=[shapely.Point(float(r["lon"]), float(r["lat"])) for r in rows],
        crs="EPSG:4326",
    )
    gdf.to_file(folder / f"{name}.shp", encoding="utf-8")
    return folder / f"{name}.shp"


def _cut(path: Path, n: int) -> None:
    data = path.read_bytes()
    path.write_bytes(data[:-n])


DAMAGE = {
    "shp_cut": (lambda shp: _cut(shp, 60), "the .shp is cut short"),
    "dbf_cut": (
        lambda shp: _cut(shp.with_suffix(".dbf"), 50),
        ".dbf (attribute table) is cut short",
    ),
    "shx_cut": (lambda shp: _cut(shp.with_suffix(".shx"), 16), ".shx (index) is cut short"),
    "dbf_missing": (lambda shp: shp.with_suffix(".dbf").unlink(), "missing .dbf"),
    "dbf_other": (
        lambda shp: shp.with_suffix(".dbf").write_bytes(_five_dbf(shp.parent)),
        "parts come from different files",
    ),
    "garbage": (lambda shp: shp.write_bytes(b"hello" * 40), "not a shapefile"),
}


def _five_dbf(folder: Path) -> bytes:
    (folder / "five").mkdir(exist_ok=True)
    shp = _shapefile(folder / "five", "f")
    gdf = gpd.read_file(shp).iloc[:5]
    gdf.to_file(folder / "five" / "g.shp", encoding="utf-8")
    return (folder / "five" / "g.dbf").read_bytes()


@pytest.mark.parametrize("case", sorted(DAMAGE))
def test_damaged_shapefile_is_a_file_error_even_with_skip_invalid(
    home: Path, tmp_path: Path, case: str
) -> None:
    shp = _shapefile(tmp_path)
    damage, expected = DAMAGE[case]
    damage(shp)
    for extra in ((), ("--skip-invalid",)):
        res = run("import", "clusters", str(shp), *extra)
        assert res.exit_code == 1, res.output
        assert str(shp) in res.output and expected in res.output
        assert "feature " not in res.output  # a file problem, never a row problem
        assert "<DRIVER>" not in res.output
    assert not (home / "layers" / "clusters.geojson").exists()


def test_damaged_zipped_shapefile_and_garbage_geopackage(home: Path, tmp_path: Path) -> None:
    import zipfile

    shp = _shapefile(tmp_path)
    _cut(shp, 60)
    z = tmp_path / "c.zip"
    with zipfile.ZipFile(z, "w") as zf:
        for ext in (".shp", ".shx", ".dbf", ".prj", ".cpg"):
            zf.write(shp.with_suffix(ext), f"c{ext}")
    res = run("import", "clusters", str(z), "--skip-invalid")
    assert res.exit_code == 1 and "c.shp in the zip: the .shp is cut short" in res.output
    gpkg = tmp_path / "x.gpkg"
    gpkg.write_bytes(b"SQLite format 3\x00" + b"\x00" * 50)
    res = run("import", "clusters", str(gpkg))
    assert res.exit_code == 1
    assert "x.gpkg" in res.output and "prefix" not in res.output and "<DRIVER>" not in res.output


# ----------------------------------------------------------------- wrong positions


def test_point_on_the_wrong_bank_is_refused_then_accepted_as_indicative(
    home: Path, tmp_path: Path
) -> None:
    rows = truth()[:12]
    wrong = dict(rows[3])
    stated = "420105" if wrong["adcode"] != "420105" else "420106"
    wrong["adcode"] = stated  # the row says 汉阳区 (or 武昌区) but lies across the river
    rows[3] = wrong
    path = write_list(tmp_path / "list.csv", rows)
    res = run("import", "clusters", str(path), "--crs", "wgs84")
    assert res.exit_code == 1
    assert "row 5: 所在区:" in res.output and "--accept-mismatch" in res.output
    assert not (home / "layers" / "clusters.geojson").exists()
    res = run("import", "clusters", str(path), "--crs", "wgs84", "--accept-mismatch")
    assert res.exit_code == 0, res.output
    layer = gpd.read_file(home / "layers" / "clusters.geojson").set_index("id")
    assert layer.loc[wrong["编号"], "precision"] == "indicative"
    assert "stated" in layer.loc[wrong["编号"], "note"]
    assert (layer.drop(index=wrong["编号"])["precision"] == "official").all()


def test_file_fitting_gcj02_better_than_the_wgs84_default_is_refused(
    home: Path, tmp_path: Path
) -> None:
    from gis.crs import wgs84_to_gcj02

    rows = truth()
    gx, gy = wgs84_to_gcj02([float(r["lon"]) for r in rows], [float(r["lat"]) for r in rows])
    shifted = [dict(r, lon=f"{x:.7f}", lat=f"{y:.7f}") for r, x, y in zip(rows, gx, gy)]
    path = write_list(tmp_path / "amap.csv", shifted)
    res = run("import", "clusters", str(path))
    assert res.exit_code == 1
    assert "look shifted" in res.output and "--crs gcj02" in res.output
    ok = run("import", "clusters", str(path), "--crs", "gcj02")
    assert ok.exit_code == 0, ok.output


# ----------------------------------------------------------------- sizes


def _many(n: int) -> list[dict[str, str]]:
    base = truth()
    return [dict(base[i % len(base)], 编号=f"S{i:06d}", adcode="") for i in range(n)]


def test_list_far_longer_than_the_plan_is_refused_without_force(home: Path, tmp_path: Path) -> None:
    path = write_list(tmp_path / "big.csv", _many(1200))  # the plan names 58 clusters
    res = run("import", "clusters", str(path), "--crs", "wgs84")
    assert res.exit_code == 1
    assert "1,200 rows" in res.output and "expects 58" in res.output and "--force" in res.output
    res = run("import", "clusters", str(path), "--crs", "wgs84", "--force", "--dry-run")
    assert res.exit_code == 0, res.output
    assert "expects 58" in res.output  # still warned


def test_list_twice_the_plan_gets_a_warning(home: Path, tmp_path: Path) -> None:
    res = run("import", "clusters", str(write_list(tmp_path / "l.csv", _many(150))), "--dry-run")
    assert res.exit_code == 0, res.output
    assert "Warning:" in res.output and "150 rows" in res.output and "expects 58" in res.output


# ----------------------------------------------------------------- encodings and cells


def test_utf8_file_with_one_gbk_row_names_row_and_column(home: Path, tmp_path: Path) -> None:
    path = write_list(tmp_path / "mixed.csv", truth()[:8])
    raw = path.read_bytes().split(b"\n")
    raw[4] = raw[4].decode("utf-8").encode("gbk")
    path.write_bytes(b"\n".join(raw))
    res = run("import", "clusters", str(path), "--dry-run")
    assert res.exit_code == 1
    assert "mixes text encodings" in res.output
    assert "row 5, column 名称: bytes that are not UTF-8" in res.output


def test_invalid_bytes_in_row_3(home: Path, tmp_path: Path) -> None:
    path = write_list(tmp_path / "bytes.csv", truth()[:8])
    raw = path.read_bytes().split(b"\n")
    raw[2] = raw[2].replace("合成".encode(), b"\xff\xfe\xfd\xff")
    path.write_bytes(b"\n".join(raw))
    res = run("join", "districts", str(path))
    assert res.exit_code == 1
    assert "row 3, column 名称" in res.output and "not UTF-8" in res.output


def test_a_one_megabyte_cell_names_row_and_column(home: Path, tmp_path: Path) -> None:
    rows = truth()[:5]
    path = write_list(tmp_path / "long.csv", rows)
    text = path.read_text(encoding="utf-8").splitlines()
    text[3] = text[3].replace("合成", "长" * 1_000_000, 1)
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    res = run("import", "clusters", str(path), "--dry-run")
    assert res.exit_code == 1
    assert "row 4, 名称: a cell of 1,000,0" in res.output and "32,767" in res.output


def test_excel_formulas_without_saved_values(home: Path, tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["区名", "GDP(亿元)", "人口"])
    ws.append(["武昌区", "=1000+772", 100])
    ws.append(["江汉区", 1500, "=B3/10"])
    path = tmp_path / "formulas.xlsx"
    wb.save(path)  # openpyxl writes formulas without cached results
    res = run("join", "districts", str(path))
    assert res.exit_code == 1
    assert "2 formula cell(s) have no saved value" in res.output
    assert "row 2, column GDP(亿元) (cell B2)" in res.output and "cell C3" in res.output
    assert "save it" in res.output


# ----------------------------------------------------------------- backups, sources, options


def test_import_over_cited_features_keeps_a_backup_and_layers_shows_new_sources(
    home: Path, tmp_path: Path
) -> None:
    first = write_list(tmp_path / "first.csv", truth()[:20])
    assert run("import", "clusters", str(first), "--crs", "wgs84").exit_code == 0
    layer = home / "layers" / "clusters.geojson"
    old = layer.read_bytes()
    second = write_list(tmp_path / "second.csv", truth()[20:30])
    res = run("import", "clusters", str(second), "--crs", "wgs84")
    assert res.exit_code == 0, res.output
    assert "replaced 20 feature(s) (sources: first.csv (sha256:" in res.output
    backups = list((home / "layers" / ".backup").glob("clusters-*.geojson"))
    assert len(backups) == 1 and backups[0].read_bytes() == old
    assert str(backups[0]) in res.output
    listing = run("layers")
    line = listing.output.split("clusters ", 1)[1].split("\n")[1]
    assert "second.csv (sha256:" in line and "official list" not in line


def test_backup_summary_of_a_file_an_import_wrote_matches_a_full_reading(
    home: Path, tmp_path: Path
) -> None:
    """The next import sums up the replaced file from what the last one kept (same bytes,
    same SHA-256); an edited or damaged file is read again, as before."""
    import json

    from gis.layers import feature_sources

    layer = home / "layers" / "clusters.geojson"
    first = write_list(tmp_path / "first.csv", truth()[:20])
    assert run("import", "clusters", str(first), "--crs", "wgs84").exit_code == 0
    features = json.loads(layer.read_text(encoding="utf-8"))["features"]
    expected = f"replaced 20 feature(s) (sources: {feature_sources(features)})"
    second = write_list(tmp_path / "second.csv", truth()[20:30])
    res = run("import", "clusters", str(second), "--crs", "wgs84")
    assert res.exit_code == 0 and expected in res.output, res.output
    # edited by hand after the import: 3 features left, one without a source
    data = json.loads(layer.read_text(encoding="utf-8"))
    data["features"] = data["features"][:3]
    del data["features"][0]["properties"]["source"]
    layer.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    res = run("import", "clusters", str(first), "--crs", "wgs84")
    assert res.exit_code == 0 and "replaced 3 feature(s)" in res.output, res.output
    assert "1 feature(s) without a source" in res.output
    # damaged after an import: reported as unreadable, as without any summary
    layer.write_bytes(layer.read_bytes()[:-40])
    res = run("import", "clusters", str(second), "--crs", "wgs84")
    assert res.exit_code == 0 and "replaced an unreadable file" in res.output, res.output


def test_unknown_basemap_is_refused_before_any_work(home: Path) -> None:
    for args in (
        ("coverage", "--radius", "2km", "--basemap", "gaod"),
        ("build", "--basemap", "gaod"),
    ):
        res = run(*args)
        assert res.exit_code == 1
        assert "unknown basemap 'gaod' (did you mean 'gaode'?)" in res.output
    assert not (home / "maps" / "out").exists()


def test_spec_file_that_is_not_a_layer_file_is_reported_with_the_others(
    home: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "notes.geojson"
    bad.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"name": "甲"},
                        "geometry": {"type": "Point", "coordinates": [114.3, 30.6]},
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    deep = tmp_path / "deep.geojson"
    deep.write_text(DEEP, encoding="utf-8")
    spec = tmp_path / "s.toml"
    spec.write_text(
        'title = "t"\n'
        f'[[layers]]\nfile = "{bad}"\n'
        f'[[layers]]\nfile = "{deep}"\n'
        '[[layers]]\nlayer = "clusterz"\n',
        encoding="utf-8",
    )
    res = run("build", str(spec))
    assert res.exit_code == 1
    out = res.output
    assert "layers[0].file" in out and "no 'source'" in out
    assert "layers[1].file" in out and "nested" in out
    assert "layers[2].layer: 'clusterz' is not in the catalog" in out


def test_spec_format_and_data_problems_in_one_report(home: Path, tmp_path: Path) -> None:
    bad = tmp_path / "nosource.geojson"
    bad.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"name": "甲"},
                        "geometry": {"type": "Point", "coordinates": [114.3, 30.6]},
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    spec = tmp_path / "s.toml"
    spec.write_text(
        'title = "t"\n'
        'outputs = { formats = ["html", "gif"] }\n'  # bad format
        '[[layers]]\nlayer = "districts"\ntooltip = ["name_zh", "gdp"]\n'  # missing column
        '[[layers]]\nlayer = "clusterz"\n'  # unknown layer
        f'[[layers]]\nfile = "{bad}"\n',  # not a layer file
        encoding="utf-8",
    )
    res = run("build", str(spec))
    assert res.exit_code == 1
    out = res.output
    assert "5 problem(s) in the map spec" in out  # no source, no precision
    assert "outputs.formats[1]: 'gif'" in out
    assert "layers[0].tooltip[1]: column 'gdp' is not in the layer" in out
    assert "layers[1].layer: 'clusterz' is not in the catalog (did you mean 'clusters'?)" in out
    assert "layers[2].file: " in out and "no 'source'" in out


def test_nul_bytes_garbage_prj_and_nan_coordinates(home: Path, tmp_path: Path) -> None:
    nul = tmp_path / "nul.csv"
    nul.write_bytes("名称,经度,纬度\n甲\x00,114.3,30.6\n".encode())
    res = run("import", "clusters", str(nul), "--dry-run")
    assert res.exit_code == 1 and "row 2, column 名称" in res.output
    assert "control characters" in res.output
    shp = _shapefile(tmp_path)
    shp.with_suffix(".prj").write_text("garbage", encoding="utf-8")
    res = run("import", "clusters", str(shp), "--dry-run")
    assert res.exit_code == 1 and ".prj is not a coordinate system" in res.output
    nan = tmp_path / "nan.geojson"
    nan.write_text(
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":'
        '{"name_zh":"甲"},"geometry":{"type":"Point","coordinates":[NaN,Infinity]}}]}',
        encoding="utf-8",
    )
    res = run("coverage", "--radius", "1km", "--points", str(nan))
    assert res.exit_code == 1 and "feature 1 (甲)" in res.output and "not a number" in res.output


def test_gbk_file_with_one_utf8_row_names_it(home: Path, tmp_path: Path) -> None:
    path = write_list(tmp_path / "gbk.csv", truth()[:8], encoding="gbk")
    raw = path.read_bytes().split(b"\n")
    raw[6] = raw[6].decode("gbk").encode("utf-8")
    path.write_bytes(b"\n".join(raw))
    res = run("import", "clusters", str(path), "--dry-run")
    assert res.exit_code == 1
    assert "most rows are GBK" in res.output
    assert "row 7, column 名称: UTF-8 text in a GBK file" in res.output
    # the same file all in GBK reads (and is not mistaken for a mixed one)
    clean = write_list(tmp_path / "clean.csv", truth()[:8], encoding="gbk")
    assert run("import", "clusters", str(clean), "--dry-run").exit_code == 0
