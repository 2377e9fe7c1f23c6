"""Faults found by a hostile fresh-clone run (helper Q), each on real files.

A closed pipe is not an error of ours; a spec saved by Notepad (BOM, GBK) is read or
refused in one line; an ``--out`` folder that is a file says so.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from gis.cli import main


def _run_with_closed_stdout(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``python -m gis ARGS`` with a standard output whose reader is already gone,
    as in ``clustermap … | head -1`` once head has exited."""
    r, w = os.pipe()
    os.close(r)
    try:
        return subprocess.run(
            [sys.executable, "-m", "gis", *args],
            cwd=cwd,
            stdout=w,
            stderr=subprocess.PIPE,
            text=True,
            timeout=300,
        )
    finally:
        os.close(w)


def test_a_closed_pipe_is_quiet_and_the_command_still_writes(root, tmp_path):
    table = tmp_path / "synthetic_gdp.csv"
    table.write_text("区名,GDP(亿元)\n武昌,2500.5\n江汉区,1800.2\n", encoding="utf-8")
    out = tmp_path / "joined.csv"
    # join prints its report before it writes: the write must still happen
    r = _run_with_closed_stdout(["join", "districts", str(table), "--out", str(out)], root)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    assert out.read_bytes().startswith(b"\xef\xbb\xbf") and "2500.5" in out.read_text("utf-8-sig")


def test_a_closed_pipe_on_a_long_listing_is_quiet(root):
    r = _run_with_closed_stdout(["targets"], root)
    assert (r.returncode, r.stderr) == (0, "")


SPEC = 'title = "武汉 测试 QA"\n[[layers]]\nlayer = "districts"\n[outputs]\nhtml = "qa_spec.html"\n'


def test_a_spec_saved_with_a_bom_builds(tmp_path):
    spec = tmp_path / "bom.toml"
    spec.write_bytes(b"\xef\xbb\xbf" + SPEC.encode("utf-8"))  # Notepad's "UTF-8 with BOM"
    r = CliRunner().invoke(main, ["build", str(spec), "--out", str(tmp_path / "out")])
    assert r.exit_code == 0, r.output
    page = (tmp_path / "out" / "qa_spec.html").read_text(encoding="utf-8")
    text = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), page)
    assert "武汉 测试 QA" in text  # the title, as the page's JSON holds it


def test_a_spec_in_gbk_or_utf16_is_one_line_naming_the_fix(tmp_path):
    for name, data, kind in [
        ("gbk.toml", SPEC.encode("gbk"), "GBK/GB18030"),
        ("u16.toml", SPEC.encode("utf-16"), "UTF-16"),
    ]:
        spec = tmp_path / name
        spec.write_bytes(data)
        r = CliRunner().invoke(main, ["build", str(spec), "--out", str(tmp_path / "out")])
        assert r.exit_code == 1, r.output
        assert "bug" not in r.output and f"{spec}: line 1:" in r.output
        assert kind in r.output and "save it again as UTF-8" in r.output
    assert not (tmp_path / "out").exists()


def test_a_catalog_saved_in_gbk_is_named(home):
    cat = home / "layers" / "catalog.toml"
    cat.write_bytes(cat.read_text(encoding="utf-8").encode("gb18030"))
    r = CliRunner().invoke(main, ["layers"])
    assert r.exit_code == 1 and "bug" not in r.output
    assert "catalog.toml: line" in r.output and "GBK/GB18030" in r.output


def test_an_out_folder_that_is_a_file_says_so(tmp_path):
    spec = tmp_path / "qa.toml"
    spec.write_text(SPEC, encoding="utf-8")
    blocker = tmp_path / "table.csv"
    blocker.write_text("a,b\n1,2\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["build", str(spec), "--out", str(blocker)])
    assert r.exit_code == 1
    assert f"{blocker} is a file, not a folder" in r.output
    assert "during the write" not in r.output  # nothing was created during the write
    assert blocker.read_text(encoding="utf-8") == "a,b\n1,2\n"


def test_a_header_cell_that_is_an_unsaved_formula_is_refused(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["区名", "GDP(亿元)", '=HYPERLINK("http://example.invalid")'])
    ws.append(["武昌", 2500.5, 1])
    ws.append(["江汉区", 1800.2, 2])
    table = tmp_path / "synthetic_header_formula.xlsx"
    wb.save(table)
    out = tmp_path / "j.csv"
    r = CliRunner().invoke(main, ["join", "districts", str(table), "--out", str(out)])
    assert r.exit_code == 1, r.output
    assert "formula" in r.output and "row 1, column C (cell C1)" in r.output
    assert "Unnamed" not in r.output and not out.exists()


def test_values_under_an_empty_header_cell_are_refused_in_csv_and_excel(tmp_path):
    import pandas as pd

    csv_table = tmp_path / "synthetic_blank_header.csv"
    csv_table.write_text("区名,,GDP(亿元)\n武昌,9,2500\n江汉区,8,1800\n", encoding="utf-8")
    xlsx_table = tmp_path / "synthetic_blank_header.xlsx"
    frame = pd.DataFrame(
        [["武昌", 9, 2500], ["江汉区", 8, 1800]], columns=["区名", "", "GDP(亿元)"]
    )
    frame.to_excel(xlsx_table, index=False)
    for table in (csv_table, xlsx_table):
        out = tmp_path / f"{table.suffix[1:]}.csv"
        r = CliRunner().invoke(main, ["join", "districts", str(table), "--out", str(out)])
        assert r.exit_code == 1, (table, r.output)
        assert "column(s) B hold values but have no name" in r.output, r.output
        assert not out.exists()


def test_targets_listing_says_each_comparability_sentence_once():
    from gis.indicators.targets import COMPARABILITY_NOTES

    r = CliRunner().invoke(main, ["targets"])
    assert r.exit_code == 0, r.output
    lines = [s for s in r.output.splitlines() if "lead:" in s]
    assert len(lines) == 35
    for line in lines:
        for sentence in COMPARABILITY_NOTES.values():
            assert line.count(sentence) <= 1, line
    t01 = next(s for s in lines if "49 %" in s)  # a different measure: said, then explained
    assert "no progress computed (different definition" in t01


def test_report_coverage_table_leaves_room_for_unbreakable_cells():
    """The coverage table's headers are Chinese (they may wrap between characters); its
    precision cells are Latin words that cannot: "converted" printed as "converte/d"."""
    from gis.render.docx_style import TEXT_WIDTH_CM, _text_width, _units_cm, column_widths_cm

    header = [
        "行政区划代码",
        "名称",
        "面积(km²)",
        "覆盖面积(km²)",
        "覆盖比例(%)",
        "区内集聚区(个)",
        "服务半径(m)",
        "位置精度",
    ]
    rows = [["420112", "东西湖区", "2,247.680", "50.959", "10.37", "4", "2,000", "converted"]]
    widths = column_widths_cm(header, rows, TEXT_WIDTH_CM)
    assert abs(sum(widths) - TEXT_WIDTH_CM) < 0.02
    for j, cell in enumerate(rows[0]):
        assert widths[j] >= _units_cm(_text_width(cell)) - 0.01, (header[j], widths)


def test_a_point_just_outside_the_city_gets_the_nearest_district_and_a_warning(home, tmp_path):
    import geopandas as gpd
    import shapely

    city = gpd.read_file(home / "layers" / "city.geojson").to_crs(4547)
    coords = shapely.get_coordinates(city.geometry.values)
    east = coords[coords[:, 0].argmax()]  # the easternmost vertex, 100 m further east
    out_pt = gpd.GeoSeries(gpd.points_from_xy([east[0] + 100], [east[1]]), crs=4547)
    lonlat = out_pt.to_crs(4326).iloc[0]
    inside = city.geometry.iloc[0].representative_point()
    in_pt = gpd.GeoSeries([inside], crs=4547).to_crs(4326).iloc[0]
    table = tmp_path / "synthetic_edge.csv"
    table.write_text(
        "编号,名称,经度,纬度\n"
        f"Q1,合成边缘点,{lonlat.x:.6f},{lonlat.y:.6f}\n"
        f"Q2,合成内部点,{in_pt.x:.6f},{in_pt.y:.6f}\n",
        encoding="utf-8",
    )
    r = CliRunner().invoke(main, ["import", "clusters", str(table)])
    assert r.exit_code == 0, r.output
    assert "just outside the city boundary" in r.output and "row 2 合成边缘点" in r.output
    got = gpd.read_file(home / "layers" / "clusters.geojson")
    assert (got["district"].astype(str).str.len() == 6).all(), got["district"].tolist()
