"""`clustermap import`: planner files of every supported kind, and every kind of bad file.

All data here is SYNTHETIC (tests/data/synthetic_*, or written by the helpers below from
the synthetic truth points). Imports run in a temporary project (CLUSTERMAP_HOME) holding
copies of the shipped catalog, city and district layers, so layers/ is never touched.
"""

from __future__ import annotations

import csv
import hashlib
import shutil
import zipfile
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pytest
import shapely
from click.testing import CliRunner

from gis.catalog import load_catalog
from gis.cli import main
from gis.crs import wgs84_to_bd09, wgs84_to_gcj02
from gis.errors import CRSError, InputError
from gis.importer import ImportFailed, import_layer, read_import

DATA = Path(__file__).parent / "data"
GCJ_CSV = DATA / "synthetic_clusters_gbk_gcj02.csv"
TRUTH_CSV = DATA / "synthetic_clusters_wgs84_truth.csv"


@pytest.fixture
def home(tmp_path: Path, root: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A throw-away project folder with the shipped catalog, city and districts."""
    layers = tmp_path / "layers"
    layers.mkdir()
    for name in ("catalog.toml", "city.geojson", "districts.geojson"):
        shutil.copy(root / "layers" / name, layers / name)
    monkeypatch.setenv("CLUSTERMAP_HOME", str(tmp_path))
    return tmp_path


def truth() -> list[dict[str, str]]:
    with TRUTH_CSV.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args))


def metres_apart(a: Any, b: Any) -> np.ndarray:
    sa = gpd.GeoSeries(list(a), crs="EPSG:4326").to_crs("EPSG:4547")
    sb = gpd.GeoSeries(list(b), crs="EPSG:4326").to_crs("EPSG:4547")
    return np.asarray(sa.distance(sb, align=False))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def truth_points(n: int | None = None) -> tuple[list[dict[str, str]], list[Any]]:
    rows = truth()[:n] if n else truth()
    return rows, [shapely.Point(float(r["lon"]), float(r["lat"])) for r in rows]


# ----------------------------------------------------------------------- the main path


def test_gbk_gcj02_spreadsheet_of_58_clusters_imports_in_one_command(home: Path) -> None:
    res = run("import", "clusters", str(GCJ_CSV), "--crs", "gcj02")
    assert res.exit_code == 0, res.output
    assert "58 read, 58 imported, 0 rejected" in res.output
    layer = gpd.read_file(home / "layers" / "clusters.geojson")
    assert len(layer) == 58
    t = {r["编号"]: r for r in truth()}
    expected = [shapely.Point(float(t[i]["lon"]), float(t[i]["lat"])) for i in layer["id"]]
    # the written WGS84 positions are the points that were shifted to make the file
    assert metres_apart(layer.geometry, expected).max() < 0.01
    # 武昌 / 武昌区 / Wuchang / 420106 forms all became the truth adcode
    assert list(layer["district"]) == [t[i]["adcode"] for i in layer["id"]]
    assert set(layer["precision"]) == {"converted"}
    assert layer["source"].str.startswith("synthetic_clusters_gbk_gcj02.csv (sha256:").all()
    assert set(layer["level"]) == {"国家级", "省级", "市级"}
    assert layer.loc[layer["id"] == "SYN-01", "domains"].item() == "检验检测、知识产权"
    status = run("layers")
    assert "58/58" in status.output


def test_in_memory_positions_round_trip_to_a_millimetre(home: Path) -> None:
    result = read_import("clusters", GCJ_CSV, crs="gcj02", catalog=load_catalog())
    assert not (home / "layers" / "clusters.geojson").exists()  # read_import writes nothing
    t = {r["编号"]: r for r in truth()}
    expected = [shapely.Point(float(t[i]["lon"]), float(t[i]["lat"])) for i in result.gdf["id"]]
    assert metres_apart(result.gdf.geometry, expected).max() < 0.001


def test_undeclared_gcj02_file_is_refused_as_shifted(home: Path) -> None:
    with pytest.raises(CRSError, match="look shifted") as err:
        read_import("clusters", GCJ_CSV, catalog=load_catalog())
    assert "--crs gcj02" in str(err.value) and "--accept-mismatch" in str(err.value)
    assert "58 do" in str(err.value)  # read as GCJ-02 all 58 fall in their stated district


def test_shifted_file_accepted_on_request_is_indicative_with_a_note(home: Path) -> None:
    result = read_import("clusters", GCJ_CSV, accept_mismatch=True, catalog=load_catalog())
    gdf = result.gdf
    # read as WGS84 the points sit ~500 m off: a point by the city edge may fall outside
    assert len(gdf) >= 55 and len(gdf) + len(result.report.rejected) == 58
    assert set(gdf["precision"]) == {"indicative"}
    assert all("position unsure" in n and "58 do" in n for n in gdf["note"])
    assert any("--accept-mismatch" in w for w in result.report.warnings)


def test_gcj02_file_declared_wgs84_fails_and_keeps_the_layer(home: Path) -> None:
    assert run("import", "clusters", str(GCJ_CSV), "--crs", "gcj02").exit_code == 0
    layer = home / "layers" / "clusters.geojson"
    before = digest(layer)
    res = run("import", "clusters", str(GCJ_CSV), "--crs", "wgs84")
    assert res.exit_code == 1
    assert "most likely GCJ-02" in res.output and "--crs gcj02" in res.output
    assert "Traceback" not in res.output
    assert digest(layer) == before


def test_bd09_coordinates_convert_back(home: Path, tmp_path: Path) -> None:
    rows, pts = truth_points(10)
    bx, by = wgs84_to_bd09([p.x for p in pts], [p.y for p in pts])
    path = tmp_path / "baidu.csv"
    lines = ["名称,所在区,经度,纬度"] + [
        f"合成{i},{r['adcode']},{x:.8f},{y:.8f}" for i, (r, x, y) in enumerate(zip(rows, bx, by))
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    result = read_import("clusters", path, crs="bd09", catalog=load_catalog())
    assert result.report.imported == 10
    # Baidu's published inverse is good to about 1e-6 degrees
    assert metres_apart(result.gdf.geometry, pts).max() < 0.5
    assert any("no id column" in w for w in result.report.warnings)
    assert list(result.gdf["id"][:2]) == ["clusters_002", "clusters_003"]


def test_excel_with_chinese_headers_reports_bad_rows_by_sheet_row(
    home: Path, tmp_path: Path
) -> None:
    from openpyxl import Workbook

    rows, pts = truth_points(6)
    wb = Workbook()
    ws = wb.active
    ws.title = "名单"
    ws.append(["编号", "名称", "所在区", "级别", "领域", "经度", "纬度"])
    for i, (r, p) in enumerate(zip(rows, pts)):
        ws.append([r["编号"], f"合成测试{i}", r["adcode"], "省级", "金融", p.x, p.y])
    ws.append(["X1", "合成坏区", "武昌县", "省级", "金融", 114.3, 30.55])  # sheet row 8
    ws.append(["X2", "合成坏领域", "武昌", "国家", "餐饮", 114.3, 30.55])  # sheet row 9
    path = tmp_path / "集聚区名单.xlsx"
    wb.save(path)
    res = run("import", "clusters", str(path), "--crs", "wgs84")
    assert res.exit_code == 1
    assert "row 8: 所在区: unknown district '武昌县'" in res.output
    assert "row 9: 领域: unknown domain(s) '餐饮'" in res.output
    assert "2 of 8 row(s) rejected" in res.output
    assert not (home / "layers" / "clusters.geojson").exists()
    res = run("import", "clusters", str(path), "--crs", "wgs84", "--skip-invalid")
    assert res.exit_code == 0, res.output
    assert "Rejected: row 8" in res.output
    layer = gpd.read_file(home / "layers" / "clusters.geojson")
    assert list(layer["id"]) == [r["编号"] for r in rows]
    assert metres_apart(layer.geometry, pts).max() < 0.01


def _frame(n: int = 5) -> gpd.GeoDataFrame:
    rows, pts = truth_points(n)
    return gpd.GeoDataFrame(
        {"id": [r["编号"] for r in rows], "名称": [f"合成{i}" for i in range(n)]},
        geometry=pts,
        crs="EPSG:4326",
    )


def test_shapefile_without_prj_is_assumed_wgs84_with_a_warning(home: Path, tmp_path: Path) -> None:
    gdf = _frame()
    shp = tmp_path / "clusters.shp"
    gdf.to_file(shp, engine="pyogrio")
    shp.with_suffix(".prj").unlink()
    result = read_import("clusters", shp, catalog=load_catalog())
    assert result.report.imported == 5
    assert any("no .prj" in w for w in result.report.warnings)
    assert metres_apart(result.gdf.geometry, gdf.geometry).max() < 0.01
    assert list(result.gdf["name_zh"]) == list(gdf["名称"])


def test_zipped_projected_shapefile_and_geopackage_are_reprojected(
    home: Path, tmp_path: Path
) -> None:
    gdf = _frame()
    metric = gdf.to_crs("EPSG:4547")
    shp = tmp_path / "cgcs.shp"
    metric.to_file(shp, engine="pyogrio")
    zpath = tmp_path / "cgcs.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        for part in tmp_path.glob("cgcs.*"):
            if part.suffix != ".zip":
                zf.write(part, part.name)
    gpkg = tmp_path / "cgcs.gpkg"
    metric.to_file(gpkg, engine="pyogrio")
    for path in (zpath, gpkg):
        result = read_import("clusters", path, catalog=load_catalog())
        assert result.report.imported == 5, result.report.rejected
        assert result.report.crs == "CGCS2000 / 3-degree Gauss-Kruger CM 114E -> WGS84"
        assert metres_apart(result.gdf.geometry, gdf.geometry).max() < 0.01


def test_projected_shapefile_without_prj_needs_crs(home: Path, tmp_path: Path) -> None:
    gdf = _frame()
    shp = tmp_path / "metric.shp"
    gdf.to_crs("EPSG:4547").to_file(shp, engine="pyogrio")
    shp.with_suffix(".prj").unlink()
    with pytest.raises(InputError, match="no .prj.*--crs EPSG:4547"):
        read_import("clusters", shp, catalog=load_catalog())
    result = read_import("clusters", shp, crs="EPSG:4547", catalog=load_catalog())
    assert metres_apart(result.gdf.geometry, gdf.geometry).max() < 0.01


def test_kml_names_are_read(home: Path, tmp_path: Path) -> None:
    gdf = _frame(3).rename(columns={"名称": "Name"})
    kml = tmp_path / "clusters.kml"
    gdf.to_file(kml, driver="KML", engine="pyogrio")
    result = read_import("clusters", kml, catalog=load_catalog())
    assert list(result.gdf["name_zh"]) == list(gdf["Name"])
    assert metres_apart(result.gdf.geometry, gdf.geometry).max() < 0.01


def test_import_layer_raises_with_the_report(home: Path, tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text(
        "编号,名称,经度,纬度\nA,甲,114.30,30.55\nB,乙,114.31,30.56\nA,丙,114.32,30.57\n"
    )
    with pytest.raises(ImportFailed) as info:
        import_layer("clusters", path, catalog=load_catalog())
    assert [str(r) for r in info.value.report.rejected] == [
        "row 2: 编号: duplicate id 'A' (also in 4)",
        "row 4: 编号: duplicate id 'A' (also in 2)",
    ]


# ----------------------------------------------------------------------- bad input

GOOD = "编号,名称,所在区,经度,纬度\nA,合成甲,武昌,114.3055,30.5500\n"


def _bad_files(tmp: Path) -> dict[str, tuple[Path, list[str], list[str]]]:
    """name -> (file, extra CLI args, fragments the message must hold)."""
    out: dict[str, tuple[Path, list[str], list[str]]] = {}

    def csv_file(name: str, text: str | bytes) -> Path:
        p = tmp / name
        p.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        return p

    out["wrong encoding"] = (
        csv_file("utf32.csv", GOOD.encode("utf-32")),
        [],
        ["cannot decode the file as UTF-8 or GBK"],
    )
    out["missing columns"] = (
        csv_file("nocoords.csv", "编号,名称,所在区\nA,合成甲,武昌\n"),
        [],
        ["missing column", "经度 and 纬度", "the header (row 1) has: 编号, 名称, 所在区"],
    )
    out["duplicate ids"] = (
        csv_file("dup.csv", GOOD + "A,合成乙,江汉,114.27,30.60\n"),
        [],
        ["row 2: 编号: duplicate id 'A' (also in 3)", "row 3: 编号: duplicate id 'A'"],
    )
    out["outside Wuhan"] = (
        csv_file("beijing.csv", GOOD + "B,合成北京,武昌,116.397,39.909\n"),
        [],
        ["row 3: 经度", "outside Wuhan"],
    )
    out["swapped"] = (
        csv_file("swapped.csv", "名称,经度,纬度\n合成甲,30.55,114.30\n"),
        [],
        ["row 2: 经度", "swapped"],
    )
    out["not a number"] = (
        csv_file("text.csv", "名称,经度,纬度\n合成甲,东经一百一十四度,30.55\n"),
        [],
        ["row 2: 经度: '东经一百一十四度' is not a number"],
    )
    out["empty file"] = (csv_file("empty.csv", b""), [], ["the file is empty"])
    out["unknown crs"] = (csv_file("ok.csv", GOOD), ["--crs", "mars"], ["unknown CRS 'mars'"])
    shp = tmp / "nodbf.shp"
    _frame(2).to_file(shp, engine="pyogrio")
    shp.with_suffix(".dbf").unlink()
    out["shapefile without dbf"] = (shp, [], ["missing .dbf (attribute table)"])
    return out


BAD = [
    "wrong encoding",
    "missing columns",
    "duplicate ids",
    "outside Wuhan",
    "swapped",
    "not a number",
    "empty file",
    "unknown crs",
    "shapefile without dbf",
]


@pytest.mark.parametrize("case", BAD)
def test_bad_file_exits_1_with_a_precise_message_and_keeps_the_layer(
    home: Path, tmp_path: Path, case: str
) -> None:
    assert run("import", "clusters", str(GCJ_CSV), "--crs", "gcj02").exit_code == 0
    layer = home / "layers" / "clusters.geojson"
    before = digest(layer)
    bad_dir = tmp_path / "bad"
    bad_dir.mkdir()
    path, args, fragments = _bad_files(bad_dir)[case]
    res = run("import", "clusters", str(path), *args)
    assert res.exit_code == 1, res.output
    assert res.output.count("Error:") == 1
    for frag in fragments:
        assert frag in res.output, res.output
    assert str(path.name) in res.output or case == "unknown crs"
    assert "Traceback" not in res.output
    assert digest(layer) == before
    assert not list(layer.parent.glob(".clusters.geojson.*"))  # no temporary file left


def test_polygon_into_point_layer_is_rejected_by_feature_number(home: Path, tmp_path: Path) -> None:
    gdf = _frame(2)
    gdf.geometry = gdf.to_crs("EPSG:4547").buffer(100).to_crs("EPSG:4326")
    path = tmp_path / "areas.geojson"
    gdf.to_file(path, driver="GeoJSON", engine="pyogrio")
    with pytest.raises(ImportFailed) as info:
        import_layer("clusters", path, catalog=load_catalog())
    assert "feature 1: geometry: Polygon, but layer 'clusters' holds Point features" in str(
        info.value
    )


def test_unknown_file_type(home: Path, tmp_path: Path) -> None:
    path = tmp_path / "list.docx"
    path.write_bytes(b"PK")
    with pytest.raises(InputError, match="unsupported file type '.docx'"):
        read_import("clusters", path, catalog=load_catalog())


def test_gcj02_shift_is_what_the_fixture_holds() -> None:
    """The fixture really is the truth shifted by the published GCJ-02 transform."""
    with GCJ_CSV.open(encoding="gbk") as fh:
        rows = list(csv.DictReader(fh))
    t = truth()
    gx, gy = wgs84_to_gcj02([float(r["lon"]) for r in t], [float(r["lat"]) for r in t])
    assert np.allclose(gx, [float(r["经度"]) for r in rows], atol=1e-8)
    assert np.allclose(gy, [float(r["纬度"]) for r in rows], atol=1e-8)
    shift = metres_apart(
        [shapely.Point(float(r["经度"]), float(r["纬度"])) for r in rows],
        [shapely.Point(float(r["lon"]), float(r["lat"])) for r in t],
    )
    assert 400 < shift.min() and shift.max() < 700  # GCJ-02 offset in Wuhan


def test_row_numbers_count_blank_lines_as_the_spreadsheet_does(home: Path, tmp_path: Path) -> None:
    path = tmp_path / "gaps.csv"
    path.write_text(
        '名称,经度,纬度,备注\n合成甲,114.30,30.55,"两行\n备注"\n\n合成乙,abc,30.56,\n',
        encoding="utf-8",
    )
    result = read_import("clusters", path, catalog=load_catalog())
    # header = row 1, 合成甲 = row 2 (one row despite the line break), blank = row 3
    assert [str(r) for r in result.report.rejected] == [
        "row 4: 经度: 'abc' is not a number; write decimal degrees such as 114.3055"
    ]


def test_title_row_crlf_gbk_csv_with_one_cell_coordinates(home: Path, tmp_path: Path) -> None:
    # as Excel on Chinese Windows saves it: GBK, CRLF, a title row above the header,
    # a trailing empty column, "lon,lat" in one cell (full-width comma in one row)
    rows, pts = truth_points(6)
    gx, gy = wgs84_to_gcj02([p.x for p in pts], [p.y for p in pts])
    lines = ["集聚区名单（合成测试数据）,,,,", "编号,名称,所在区,经纬度,备注,"]
    for i, (r, x, y) in enumerate(zip(rows, gx, gy)):
        sep = "，" if i == 1 else ","
        lon = "abc" if i == 3 else f"{x:.8f}"  # data row 4 = spreadsheet row 6
        lines.append(f'{r["编号"]},合成{i},{r["adcode"]},"{lon}{sep}{y:.8f}",合成,')
    path = tmp_path / "名单.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("gbk"))
    result = read_import("clusters", path, crs="gcj02", catalog=load_catalog())
    assert [str(r) for r in result.report.rejected] == [
        "row 6: 经纬度: 'abc' is not a number; write decimal degrees such as 114.3055"
    ]
    keep = [i for i in range(6) if i != 3]
    assert list(result.gdf["id"]) == [rows[i]["编号"] for i in keep]
    assert metres_apart(result.gdf.geometry, [pts[i] for i in keep]).max() < 0.01


def test_coordinates_typed_with_a_chinese_input_method_or_in_dms(
    home: Path, tmp_path: Path
) -> None:
    rows, pts = truth_points(5)
    lon = [p.x for p in pts]

    def dms(v: float) -> str:
        d = int(v)
        m = int((v - d) * 60)
        s = (v - d - m / 60) * 3600
        return f"{d}°{m}′{s:.4f}″"

    typed = [
        f"{lon[0]:.6f}".translate(str.maketrans("0123456789.", "０１２３４５６７８９．")),
        f"{lon[1]:.6f}".replace(".", ". "),
        dms(lon[2]),
        f"E{lon[3]:.6f}°",
        f"{int(lon[4])}度{int((lon[4] % 1) * 60)}分",  # minutes only: about 1 km off, no
    ]
    path = tmp_path / "typed.csv"
    body = [
        f"{r['编号']},合成{i},{t},{p.y:.6f}" for i, (r, t, p) in enumerate(zip(rows, typed, pts))
    ]
    path.write_text("编号,名称,经度,纬度\n" + "\n".join(body) + "\n", encoding="utf-8")
    result = read_import("clusters", path, crs="wgs84", catalog=load_catalog())
    assert result.report.rejected == []
    err = metres_apart(result.gdf.geometry, pts)
    assert err[:4].max() < 0.2  # DMS to 1e-4 seconds: 3 mm
    assert 0 < err[4] < 1700  # 114度18分 is what was written: truncated, not invented


def _google_earth_kml(rows: list[dict[str, str]], pts: list[Any]) -> str:
    """A KML as Google Earth saves "My Places": placemarks without id, in nested folders."""

    def placemark(i: int) -> str:
        x, y = pts[i].x, pts[i].y
        return (
            f"<Placemark><name>合成{i}</name><description>synthetic</description>"
            f"<LookAt><longitude>{x}</longitude><latitude>{y}</latitude><range>900</range>"
            f"</LookAt><styleUrl>#m_ylw-pushpin</styleUrl>"
            f"<Point><coordinates>{x},{y},0</coordinates></Point></Placemark>"
        )

    north = "".join(placemark(i) for i in range(0, 3))
    south = "".join(placemark(i) for i in range(3, 5))
    loose = "".join(placemark(i) for i in range(5, len(rows)))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<kml xmlns="http://www.opengis.net/kml/2.2" xmlns:gx="http://www.google.com/kml/ext/2.2">'
        "<Document><name>synthetic.kml</name><Folder><name>集聚区</name>"
        f"<Folder><name>江北</name>{north}</Folder><Folder><name>江南</name>{south}</Folder>"
        f"{loose}</Folder></Document></kml>"
    )


def test_google_earth_kml_and_kmz_with_folders_import_every_placemark(
    home: Path, tmp_path: Path
) -> None:
    # GDAL reads each KML folder as a layer: reading the first one only dropped the others
    rows, pts = truth_points(7)
    text = _google_earth_kml(rows, pts)
    kml = tmp_path / "我的地点.kml"
    kml.write_text(text, encoding="utf-8")
    kmz = tmp_path / "我的地点.kmz"
    with zipfile.ZipFile(kmz, "w") as zf:
        zf.writestr("doc.kml", text)
    for path in (kml, kmz):
        result = read_import("clusters", path, catalog=load_catalog())
        assert result.report.rows_read == 7
        assert result.report.rejected == []  # the empty KML id field is not a missing id
        names = list(result.gdf["name_zh"])
        assert sorted(names) == [f"合成{i}" for i in range(7)]
        order = [int(n[2:]) for n in names]
        assert metres_apart(result.gdf.geometry, [pts[i] for i in order]).max() < 0.01
        assert any("from 3 folders" in w for w in result.report.warnings)
        assert not result.gdf.geometry.has_z.any()  # the placemarks' ",0" heights dropped
        assert not any("altitudeMode" in w or "tessellate" in w for w in result.report.warnings)


def test_zip_made_on_a_mac_ignores_its_resource_forks(home: Path, tmp_path: Path) -> None:
    gdf = _frame()
    gdf.to_file(tmp_path / "c.shp", engine="pyogrio")
    zpath = tmp_path / "mac.zip"
    with zipfile.ZipFile(zpath, "w") as zf:
        for part in tmp_path.glob("c.*"):
            zf.write(part, f"c/{part.name}")
            zf.writestr(f"__MACOSX/c/._{part.name}", b"\x00\x05\x16\x07")
    result = read_import("clusters", zpath, catalog=load_catalog())
    assert result.report.imported == 5


def test_headers_with_notes_utf16_text_and_labelled_gcj02_columns(
    home: Path, tmp_path: Path
) -> None:
    rows, pts = truth_points(5)
    gx, gy = wgs84_to_gcj02([p.x for p in pts], [p.y for p in pts])
    lines = ["序号\t集聚区名称\t所属区\t经度(GCJ02)\t纬度（GCJ02）"] + [
        f"{i + 1}\t合成{i}\t{r['adcode']}\t{x:.8f}\t{y:.8f}"
        for i, (r, x, y) in enumerate(zip(rows, gx, gy))
    ]
    # Excel's "Unicode 文本 (*.txt)": UTF-16 with BOM, tab-separated, CRLF
    path = tmp_path / "名单.txt"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-16"))
    # the columns say GCJ-02: read undeclared as WGS84 they would land ~500 m off
    res = run("import", "clusters", str(path))
    assert res.exit_code == 1
    assert "经度(GCJ02), 纬度（GCJ02） are labelled GCJ-02" in res.output
    assert "--crs gcj02" in res.output
    assert not (home / "layers" / "clusters.geojson").exists()
    result = read_import("clusters", path, crs="gcj02", catalog=load_catalog())
    assert result.report.rejected == []
    assert list(result.gdf["name_zh"]) == [f"合成{i}" for i in range(5)]
    assert metres_apart(result.gdf.geometry, pts).max() < 0.01


def test_crs_as_planners_write_it_and_metres_declared_as_degrees(
    home: Path, tmp_path: Path
) -> None:
    gdf = _frame()
    shp = tmp_path / "metric.shp"
    gdf.to_crs("EPSG:4547").to_file(shp, engine="pyogrio")
    shp.with_suffix(".prj").unlink()
    result = read_import("clusters", shp, crs="4547", catalog=load_catalog())
    assert metres_apart(result.gdf.geometry, gdf.geometry).max() < 0.01
    # metres declared as lon/lat: one clear error, not every feature "outside Wuhan"
    for crs in ("cgcs2000", "百度"):
        res = run("import", "clusters", str(shp), "--crs", crs)
        assert res.exit_code == 1
        assert f"--crs {crs} is lon/lat degrees, but the coordinates are not degrees" in res.output
        assert "outside Wuhan" not in res.output
    rows, pts = truth_points(3)
    gx, gy = wgs84_to_gcj02([p.x for p in pts], [p.y for p in pts])
    path = tmp_path / "a.csv"
    path.write_text(
        "名称,经度,纬度\n" + "".join(f"合成{i},{x},{y}\n" for i, (x, y) in enumerate(zip(gx, gy))),
        encoding="utf-8",
    )
    result = read_import("clusters", path, crs="高德", catalog=load_catalog())
    assert metres_apart(result.gdf.geometry, pts).max() < 0.01


def test_base_layers_and_tables_into_polygon_layers_are_refused_up_front(
    home: Path, tmp_path: Path
) -> None:
    polys = gpd.GeoDataFrame(
        {"id": ["Z1"], "名称": ["合成区"]},
        geometry=[shapely.Point(114.30, 30.58).buffer(0.01)],
        crs="EPSG:4326",
    )
    path = tmp_path / "zone.geojson"
    polys.to_file(path, engine="pyogrio")
    before = digest(home / "layers" / "districts.geojson")
    res = run("import", "districts", str(path))
    # the plan schema has no adcode: importing would have broken the district layer
    assert res.exit_code == 1 and "'districts' is a base layer" in res.output
    assert digest(home / "layers" / "districts.geojson") == before
    res = run("import", "hub_zones", str(GCJ_CSV), "--crs", "gcj02")
    assert res.exit_code == 1
    assert "a table of lon/lat points cannot fill layer 'hub_zones'" in res.output
    assert res.output.count("\n") <= 2  # one message, not one line per row


def test_district_written_with_province_short_zone_name_or_float_adcode(
    home: Path, tmp_path: Path
) -> None:
    rows, pts = truth_points(3)
    from gis.districts import district_name

    written = [
        f"湖北省武汉市{district_name(rows[0]['adcode'])}",
        "东湖高新",
        f"{rows[2]['adcode']}.0",
    ]
    path = tmp_path / "d.csv"
    path.write_text(
        "名称,所在区,经度,纬度\n"
        + "".join(f"合成{i},{d},{p.x},{p.y}\n" for i, (d, p) in enumerate(zip(written, pts))),
        encoding="utf-8",
    )
    result = read_import("clusters", path, crs="wgs84", catalog=load_catalog())
    assert result.report.rejected == []
    assert list(result.gdf["district"]) == [
        rows[0]["adcode"],
        "fz_donghu_hitech",
        rows[2]["adcode"],
    ]


def test_workbook_whose_first_sheet_is_notes_names_the_other_sheets(
    home: Path, tmp_path: Path
) -> None:
    from openpyxl import Workbook

    rows, pts = truth_points(2)
    wb = Workbook()
    notes = wb.active
    notes.title = "填表说明"
    notes.append(["说明：坐标请填写WGS84经纬度（合成测试数据）"])
    notes.append(["联系人：合成"])
    ws = wb.create_sheet("名单")
    ws.append(["编号", "名称", "经度", "纬度"])
    for i, (r, p) in enumerate(zip(rows, pts)):
        ws.append([r["编号"], f"合成{i}", p.x, p.y])
    path = tmp_path / "名单.xlsx"
    wb.save(path)
    res = run("import", "clusters", str(path), "--crs", "wgs84")
    assert res.exit_code == 1
    assert "--sheet (read: '填表说明'; the workbook has: 填表说明, 名单)" in res.output
    notes.delete_rows(2)  # a notes sheet of one line: "no data rows", and the sheets
    wb.save(path)
    res = run("import", "clusters", str(path), "--crs", "wgs84")
    assert res.exit_code == 1 and "the workbook has: 填表说明, 名单" in res.output
    result = read_import("clusters", path, crs="wgs84", sheet="名单", catalog=load_catalog())
    assert metres_apart(result.gdf.geometry, pts).max() < 0.01


def test_zone_numbered_eastings_without_prj_get_the_zone_crs_suggested(
    home: Path, tmp_path: Path
) -> None:
    gdf = _frame()
    shp = tmp_path / "zone38.shp"
    gdf.to_crs("EPSG:4526").to_file(shp, engine="pyogrio")  # eastings 38xxxxxx
    shp.with_suffix(".prj").unlink()
    res = run("import", "clusters", str(shp))
    assert res.exit_code == 1 and "--crs EPSG:4526 (CGCS2000 3° zone 38" in res.output
    result = read_import("clusters", shp, crs="EPSG:4526", catalog=load_catalog())
    assert metres_apart(result.gdf.geometry, gdf.geometry).max() < 0.01


def test_table_in_projected_metres_with_declared_epsg(home: Path, tmp_path: Path) -> None:
    # a table of eastings/northings with --crs EPSG:4547 was rejected row by row as
    # "not in degrees" although the CRS was declared
    rows, pts = truth_points(4)
    metric = gpd.GeoSeries(pts, crs="EPSG:4326").to_crs("EPSG:4547")
    path = tmp_path / "metres.csv"
    body = "".join(f"合成{i},{p.x:.3f},{p.y:.3f}\n" for i, p in enumerate(metric))
    path.write_text("名称,x,y\n" + body, encoding="utf-8")
    result = read_import("clusters", path, crs="EPSG:4547", catalog=load_catalog())
    assert result.report.rejected == []
    assert metres_apart(result.gdf.geometry, pts).max() < 0.01
    undeclared = read_import("clusters", path, catalog=load_catalog())
    assert "declare the projection, e.g. --crs EPSG:4547" in str(undeclared.report.rejected[0])
    # surveyors' convention: X坐标 is the northing; reported, not placed 3,000 km away
    survey = tmp_path / "survey.csv"
    body = "".join(f"合成{i},{p.y:.3f},{p.x:.3f}\n" for i, p in enumerate(metric))
    survey.write_text("名称,X坐标,Y坐标\n" + body, encoding="utf-8")
    result = read_import("clusters", survey, crs="4547", catalog=load_catalog())
    assert len(result.report.rejected) == 4
    assert "easting and northing swapped" in str(result.report.rejected[0])
    assert "outside Wuhan" not in " ".join(str(r) for r in result.report.rejected)


def test_name_column_headed_just_集聚区(home: Path, tmp_path: Path) -> None:
    rows, pts = truth_points(2)
    path = tmp_path / "n.csv"
    path.write_text(
        "序号,集聚区,经度,纬度\n"
        + "".join(f"{i + 1},合成{i},{p.x},{p.y}\n" for i, p in enumerate(pts)),
        encoding="utf-8",
    )
    result = read_import("clusters", path, crs="wgs84", catalog=load_catalog())
    assert list(result.gdf["name_zh"]) == ["合成0", "合成1"]


def test_regular_csv_fast_path_writes_the_bytes_of_the_careful_path(
    home: Path, tmp_path: Path
) -> None:
    """A regular CSV (no quotes, plain decimal coordinates) takes the quick column-wise
    path; the same SYNTHETIC rows with every cell quoted and the coordinates written with a
    degree sign go through the careful reader and the cell-by-cell coordinate parser. The
    layers must be byte for byte the same (the file's name and hash in ``source`` aside)."""
    rng = np.random.default_rng(7)
    lon, lat = rng.uniform(114.2, 114.4, 300), rng.uniform(30.5, 30.6, 300)
    head = "编号,名称,级别,领域,备注,经度,纬度"
    rows = [
        f"S{i},合成{i},省级,金融,note {i},{x:.8f},{y:.8f}" for i, (x, y) in enumerate(zip(lon, lat))
    ]
    fast = tmp_path / "fast.csv"
    fast.write_text("\n".join([head, *rows]) + "\n", encoding="utf-8")
    careful = tmp_path / "careful.csv"
    quoted = [
        ",".join(f'"{c}°"' if k >= 5 else f'"{c}"' for k, c in enumerate(r.split(",")))
        for r in rows
    ]
    careful.write_text("\n".join([head, *quoted]) + "\n", encoding="utf-8")
    layer = home / "layers" / "clusters.geojson"
    texts = []
    for f in (fast, careful):
        report = import_layer("clusters", f)
        assert report.imported == 300 and not report.rejected
        sha = hashlib.sha256(f.read_bytes()).hexdigest()[:12]
        texts.append(layer.read_text(encoding="utf-8").replace(f"{f.name} (sha256:{sha})", "SRC"))
    assert texts[0].count('"source":"SRC"') == 300
    assert texts[0] == texts[1]
