"""Joining planners' tables to layers: long and wide forms, Chinese names, encodings, the report,
and every kind of bad input named by file, row and column. All tables here are synthetic."""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner

from gis.cli import main
from gis.errors import InputError, ValidationError
from gis.indicators import join_table, read_indicator_table
from gis.layers import read_layer

DATA = Path(__file__).parent / "data"
GBK_LONG = DATA / "synthetic_long_gbk.csv"


@pytest.fixture(scope="module")
def districts() -> gpd.GeoDataFrame:
    return read_layer("districts")


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "合成 synthetic"
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


@pytest.fixture
def planner_xlsx(tmp_path: Path) -> Path:
    """A planner-style wide Excel sheet of district figures, Chinese headers (synthetic)."""
    return write_xlsx(
        tmp_path / "合成_区县指标_synthetic.xlsx",
        [
            ["区名", "测试产值(亿元)", "测试企业数（家）", "备注"],
            ["武昌区", 1772.02, 35, "合成 synthetic"],
            ["江汉", 1000.5, 12, "合成 synthetic"],
            ["洪山区", 1180.31, None, "合成 synthetic"],
            ["Qiaokou", "1,031.47", 8, "合成 synthetic"],
            [420102, 1625.35, 20, "合成 synthetic"],
            ["东湖高新区", 3200, 49, "功能区 functional zone"],
            ["江厦区", 900, 5, "typo of 江夏区"],
        ],
    )


def test_gbk_long_table_joins_with_report(districts: gpd.GeoDataFrame) -> None:
    long = read_indicator_table(GBK_LONG)
    assert long.attrs["form"] == "long" and long.attrs["key_column"] == "区"
    joined, report = join_table(districts, long, layer_name="districts")
    assert report.matched == ["420102", "420103", "420106", "420111"]
    j = joined.set_index("adcode")
    assert j.loc["420106", "测试指标甲"] == 120.5
    assert j.loc["420111", "测试指标甲"] == 95.25  # Hongshan
    assert j.loc["420102", "测试指标甲"] == 60 and j.loc["420102", "测试指标甲 bound"] == ">"
    assert math.isnan(j.loc["420106", "测试指标乙"])  # empty cell = no data, not zero
    assert math.isnan(j.loc["420117", "测试指标甲"])  # 新洲区 not in the table
    assert len(joined) == 13 and not report.problems
    assert joined.attrs["indicators"]["测试指标甲"] == {
        "unit": "亿元",
        "year": "2023",
        "source": "合成数据 synthetic (not real)",
    }
    unmatched = {u.key: u for u in report.unmatched_table}
    assert set(unmatched) == {"东湖高新区", "江厦区"}
    assert unmatched["东湖高新区"].rows == [6]
    assert "functional zone" in unmatched["东湖高新区"].reason
    assert "江夏区" in unmatched["江厦区"].suggestions
    assert len(report.unmatched_layer) == 9
    text = report.text()
    assert "row 7: '江厦区'" in text and "江夏区?" in text
    assert "Result: OK" in text


def test_planner_excel_wide_form(districts: gpd.GeoDataFrame, planner_xlsx: Path) -> None:
    long = read_indicator_table(planner_xlsx)
    assert long.attrs["form"] == "wide"
    assert long.attrs["text_columns"] == ["备注"]
    joined, report = join_table(districts, long)
    assert report.indicators == ["测试产值", "测试企业数"]
    assert joined.attrs["indicators"]["测试企业数"]["unit"] == "家"
    j = joined.set_index("adcode")
    assert j.loc["420104", "测试产值"] == 1031.47  # thousands separator read
    assert j.loc["420102", "测试产值"] == 1625.35  # adcode written as a number
    assert j.loc["420106", "备注"] == "合成 synthetic"
    assert math.isnan(j.loc["420111", "测试企业数"])
    assert report.no_data == 1
    assert [u.key for u in report.unmatched_table] == ["东湖高新区", "江厦区"]
    assert not report.problems


def test_cli_join_prints_report_and_writes(planner_xlsx: Path, tmp_path: Path) -> None:
    out = tmp_path / "joined.geojson"
    res = CliRunner().invoke(main, ["join", "districts", str(planner_xlsx), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "Matched 已匹配: 5 feature(s)" in res.output
    assert "row 7: '东湖高新区': functional zone" in res.output
    assert "row 8: '江厦区'" in res.output and "江夏区?" in res.output
    feats = gpd.read_file(out)
    assert len(feats) == 13
    assert feats.set_index("adcode").loc["420106", "测试产值"] == 1772.02


def test_duplicates_mixed_units_and_text_are_errors(
    districts: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    path = write_xlsx(
        tmp_path / "合成_bad_synthetic.xlsx",
        [
            ["district", "indicator", "value", "unit", "year"],
            ["武昌", "测试产值", "10", "亿元", "2023"],
            ["武昌区", "测试产值", "11", "亿元", "2023"],
            ["江汉区", "测试产值", "12亿", "亿元", "2023"],
            ["洪山区", "测试产值", "9000", "万元", "2023"],
        ],
    )
    joined, report = join_table(districts, read_indicator_table(path))
    assert len(report.duplicates) == 1
    assert "rows 2, 3" in report.duplicates[0] and "420106" in report.duplicates[0]
    assert len(report.non_numeric) == 1
    assert "row 4, column 'value': '12亿' is not a number" in report.non_numeric[0]
    assert len(report.mixed_units) == 1
    assert "亿元 in row(s) 2, 3, 4; 万元 in row(s) 5" in report.mixed_units[0]
    with pytest.raises(ValidationError) as exc:
        report.raise_for_problems()
    assert str(path) in str(exc.value) and "nothing was written" in str(exc.value)
    out = tmp_path / "never.geojson"
    res = CliRunner().invoke(main, ["join", "districts", str(path), "--out", str(out)])
    assert res.exit_code == 1
    assert "Error:" in res.output and "12亿" in res.output
    assert not out.exists()


def test_unknown_key_column_and_encoding(tmp_path: Path) -> None:
    path = tmp_path / "synthetic_nokey.csv"
    path.write_text("甲,乙\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match="no key column found.*the columns are: 甲, 乙"):
        read_indicator_table(path)
    with pytest.raises(InputError, match="no column '区名'; the columns are: 甲, 乙"):
        read_indicator_table(path, key="区名")
    bad = tmp_path / "synthetic_binary.csv"
    bad.write_bytes(b"\xff\xfe\xff\x00\x81\xff" * 10)
    with pytest.raises(InputError, match="cannot decode"):
        read_indicator_table(bad)
    res = CliRunner().invoke(main, ["join", "districts", str(bad)])
    assert res.exit_code == 1 and "cannot decode" in res.output


def test_join_by_id_on_any_layer() -> None:
    layer = gpd.GeoDataFrame(
        {"id": ["p1", "p2"], "name_zh": ["合成甲园", "合成乙园"]},
        geometry=[shapely.Point(114.30, 30.55), shapely.Point(114.35, 30.50)],
        crs="EPSG:4326",
    )
    table = pd.DataFrame({"id": ["p1", "合成乙园", "p3"], "测试面积(公顷)": ["5", "7.5", "1"]})
    table.attrs["source"] = "synthetic"
    from gis.indicators import long_form

    joined, report = join_table(layer, long_form(table))
    assert joined["测试面积"].tolist() == [5.0, 7.5]  # p2 matched by its name
    assert [(u.key, sorted(u.suggestions)) for u in report.unmatched_table] == [
        ("p3", ["p1", "p2"])
    ]
    assert table["id"].tolist() == ["p1", "合成乙园", "p3"]  # input untouched
    # the report names the features, not "p1 p1" (district names are for districts only)
    assert "Matched 已匹配: 2 feature(s): p1 合成甲园, p2 合成乙园" in report.text()


def test_multiple_years_become_columns(districts: gpd.GeoDataFrame, tmp_path: Path) -> None:
    path = tmp_path / "synthetic_years.csv"
    path.write_text(
        "adcode,indicator,value,unit,year\n420106,测试值,1,亿元,2022\n420106,测试值,2,亿元,2023\n",
        encoding="utf-8-sig",
    )
    joined, report = join_table(districts, read_indicator_table(path))
    assert report.indicators == ["测试值 2022", "测试值 2023"]
    assert not report.duplicates
    j = joined.set_index("adcode")
    assert (j.loc["420106", "测试值 2022"], j.loc["420106", "测试值 2023"]) == (1.0, 2.0)


def test_title_row_and_total_row(districts: gpd.GeoDataFrame, tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "合成_title_synthetic.xlsx",
        [
            ["2023年各区测试指标（合成 synthetic）", None],
            ["行政区", "测试值(亿元)"],
            ["武昌区", 5],
            ["江汉区", "x"],
            ["合计", 5],
            ["东湖高新", 1],
        ],
    )
    long = read_indicator_table(path)
    assert long.attrs["key_column"] == "行政区"
    joined, report = join_table(districts, long, layer_key="name_zh")
    assert report.matched == ["420103", "420106"]  # keys matched; 江汉区 value is bad
    assert report.non_numeric and "row 4, column '测试值(亿元)'" in report.non_numeric[0]
    total = report.unmatched_table[0]
    assert (total.key, total.rows) == ("合计", [5]) and "total row" in total.reason
    zone = report.unmatched_table[1]  # the census bulletin's short form of 东湖高新区
    assert zone.key == "东湖高新" and "functional zone 东湖高新区" in zone.reason


def test_statistics_bureau_layout(districts: gpd.GeoDataFrame, tmp_path: Path) -> None:
    # as district tables are laid out: merged title, a unit row, 序号, thousands separators
    # as text, a 功能区 block, 全市/合计 rows and a footnote (all values synthetic)
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["2023年各区主要指标（合成 synthetic）"])
    ws.merge_cells("A1:D1")
    ws.append([None, None, None, "单位：亿元、万人"])
    ws.append(["序号", "地区", "地区生产总值(亿元)", "常住人口（万人）"])
    ws.append([1, "武昌区", "2,001.50", 120])  # row 4
    ws.append([2, "江汉", "１，５００．２５", 70])  # row 5: full-width, as typed with an IME
    ws.append([None, "功能区", None, None])  # row 6
    ws.append([3, "东湖高新区", "2,600", 60])  # row 7
    ws.append([None, "全市", "20,011.65", 1377.4])  # row 8
    ws.append(["注：合成测试数据 synthetic"])  # row 9
    path = tmp_path / "合成_区县指标.xlsx"
    wb.save(path)
    long = read_indicator_table(path)
    joined, report = join_table(districts, long, layer_name="districts")
    assert report.problems == []
    assert report.indicators == ["地区生产总值", "常住人口"]  # 序号 is no indicator
    by = joined.set_index("adcode")
    assert by.loc["420106", "地区生产总值"] == 2001.5
    assert by.loc["420103", "地区生产总值"] == 1500.25
    assert joined.attrs["indicators"]["地区生产总值"]["unit"] == "亿元"
    rows = {u.key: u.rows for u in report.unmatched_table}
    assert rows == {"功能区": [6], "东湖高新区": [7], "全市": [8], "": [9]}


def test_a_join_that_matches_nothing_is_an_error(tmp_path: Path) -> None:
    # a district table joined to the wrong layer used to print "Result: OK" and exit 0
    path = tmp_path / "合成.csv"
    path.write_text("区名,测试值\n武昌区,1\n江汉区,2\n", encoding="utf-8")
    long = read_indicator_table(path)
    _, report = join_table(read_layer("corridors"), long, layer_name="corridors")
    assert report.matched == []
    assert report.problems and "none of the 2 row(s) matched" in report.problems[0]
    res = CliRunner().invoke(
        main, ["join", "corridors", str(path), "--out", str(tmp_path / "o.csv")]
    )
    assert res.exit_code == 1 and not (tmp_path / "o.csv").exists()


def test_unknown_sheet_lists_the_sheets(planner_xlsx: Path) -> None:
    with pytest.raises(InputError, match=r"the sheets are: 合成 synthetic"):
        read_indicator_table(planner_xlsx, sheet="2024")


def test_keys_with_province_prefix_or_float_adcode(
    districts: gpd.GeoDataFrame, tmp_path: Path
) -> None:
    path = tmp_path / "合成.csv"
    path.write_text("地区,测试值\n湖北省武汉市江汉区,1\n420106.0,2\n", encoding="utf-8")
    _, report = join_table(districts, read_indicator_table(path))
    assert report.matched == ["420103", "420106"] and report.unmatched_table == []


def test_cli_join_writes_excel_and_refuses_unknown_output_types(
    planner_xlsx: Path, tmp_path: Path
) -> None:
    # --out x.xlsx used to write CSV text into a file Excel cannot open
    out = tmp_path / "joined.xlsx"
    res = CliRunner().invoke(main, ["join", "districts", str(planner_xlsx), "--out", str(out)])
    assert res.exit_code == 0, res.output
    back = pd.read_excel(out, dtype={"adcode": str}).set_index("adcode")
    # the unit stays in the header; a second sheet says where each figure comes from
    assert back.loc["420106", "测试产值(亿元)"] == 1772.02 and len(back) == 13
    assert back.loc["420106", "测试企业数(家)"] == 35
    bad = tmp_path / "joined.shp"
    res = CliRunner().invoke(main, ["join", "districts", str(planner_xlsx), "--out", str(bad)])
    assert res.exit_code == 1 and "unsupported output type '.shp'" in res.output
    assert not bad.exists()


def test_excel_percent_cells_are_read_as_shown(districts: gpd.GeoDataFrame, tmp_path: Path) -> None:
    # 5.1% in a cell formatted as percent is stored as 0.051: read under 增速(%) it was
    # silently 100 times too small
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["区", "增速(%)", "测试值(亿元)"])
    ws.append(["武昌", 0.051, 0.5])
    ws.append(["江汉", 4.2, 0.25])  # typed as a plain number in a percent column
    ws["B2"].number_format = "0.0%"
    ws["C3"].number_format = "0%"  # a percent cell under a header of 亿元: an error
    path = tmp_path / "合成_percent.xlsx"
    wb.save(path)
    joined, report = join_table(districts, read_indicator_table(path))
    by = joined.set_index("adcode")
    assert by.loc["420106", "增速"] == pytest.approx(5.1)
    assert by.loc["420103", "增速"] == 4.2
    assert report.non_numeric and "row 3, column '测试值(亿元)': '25%'" in report.non_numeric[0]


def test_cli_join_and_spec_join_match_the_same_rows(
    tmp_path: Path, root: Path, monkeypatch
) -> None:
    """The issue's table: 武昌 and 江汉区 match, 东湖高新区 is a zone (reported, no error),
    GDP(亿元) becomes GDP; `clustermap join` and a spec `join =` give the same result."""
    import shutil

    from gis.maps.compose import compose_spec
    from gis.maps.spec import load_spec

    shutil.copytree(root / "layers", tmp_path / "layers")
    (tmp_path / "maps").mkdir()
    monkeypatch.setenv("CLUSTERMAP_HOME", str(tmp_path))
    table = tmp_path / "t.csv"
    table.write_text(
        "区名,GDP(亿元)\n武昌,1772.02\n江汉区,1500\n东湖高新区,2800\n", encoding="utf-8"
    )
    out = tmp_path / "joined.geojson"
    res = CliRunner().invoke(main, ["join", "districts", str(table), "--out", str(out)])
    assert res.exit_code == 0, res.output
    cli = gpd.read_file(out).set_index("adcode")
    spec = tmp_path / "maps" / "j.toml"
    spec.write_text(
        'title = "t"\n[[layers]]\nlayer = "districts"\n'
        'join = { table = "../t.csv", on = "adcode" }\n'
        'tooltip = ["name_zh", "GDP"]\n',
        encoding="utf-8",
    )
    plan = compose_spec(load_spec(spec))
    gdf = plan.overlays[0].gdf
    report = gdf.attrs["join_report"]
    via_spec = gdf.set_index("adcode")["GDP"]
    assert "GDP" in cli.columns and "GDP(亿元)" not in gdf.columns
    pd.testing.assert_series_equal(
        cli["GDP"].sort_index(), via_spec.sort_index(), check_names=False, check_dtype=False
    )
    assert via_spec.dropna().to_dict() == {"420103": 1500.0, "420106": 1772.02}
    assert report.matched == ["420103", "420106"]
    assert [(u.key, u.rows) for u in report.unmatched_table] == [("东湖高新区", [4])]
    assert "functional zone" in report.unmatched_table[0].reason
    # the same report as the command prints (the layer is named by its place in the spec)
    lines = report.text().splitlines()
    assert lines[1] == "Layer 图层: layers[0].join"
    assert "\n".join([lines[0], *lines[2:]]) in res.output.replace("Layer 图层: districts\n", "")
