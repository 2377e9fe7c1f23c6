"""Every table the tool writes is safe to open in a spreadsheet: no live formulas, numbers
kept as numbers, a UTF-8 BOM first in every CSV (Chinese Excel), shipped CSVs included.

The hostile cells are the classic CSV/formula-injection payloads; the tables holding them
are SYNTHETIC, written to ``tmp_path``.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from gis.cli import main
from gis.io import write_geojson
from gis.layers import read_layer
from gis.table_out import BOM, neutralise, safe_frame, write_table

HOSTILE = [
    '=HYPERLINK("http://x")',
    "+cmd|' /C calc'!A0",
    "=1+1",
    "@SUM(A1)",
    "\t=1",
    "-2+3+cmd|' /C calc'!A0",
    "\r=1",
]
UTF8_BOM = b"\xef\xbb\xbf"


def run(*args: str) -> tuple[int, str]:
    r = CliRunner().invoke(main, list(args))
    return r.exit_code, r.output + (r.stderr if hasattr(r, "stderr") else "")


def assert_csv_safe(path: Path) -> list[list[str]]:
    """BOM first; no cell a spreadsheet would evaluate. Returns the rows (BOM stripped)."""
    raw = path.read_bytes()
    assert raw.startswith(UTF8_BOM), path
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    for r in rows:
        for cell in r:
            assert neutralise(cell) == cell, (path, cell)  # nothing left to neutralise
    return rows


def assert_xlsx_safe(path: Path) -> openpyxl.worksheet.worksheet.Worksheet:
    ws = openpyxl.load_workbook(path).active
    assert ws is not None
    for row in ws.iter_rows():
        for cell in row:
            assert cell.data_type != "f", (path, cell.coordinate, cell.value)
            if isinstance(cell.value, str):
                assert neutralise(cell.value) == cell.value, (path, cell.value)
    return ws


# -- the rule -------------------------------------------------------------------------


@pytest.mark.parametrize("cell", HOSTILE)
def test_formula_like_text_gets_an_apostrophe(cell: str) -> None:
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize(
    "cell", ["-5", "+3.25", "1e-3", "-0.5%", "-1,234.5", "-", "武昌区", "", "a=b"]
)
def test_numbers_placeholders_and_plain_text_stay(cell: str) -> None:
    assert neutralise(cell) == cell


def test_numeric_columns_stay_numbers_and_headers_are_neutralised(tmp_path: Path) -> None:
    df = pd.DataFrame({"=名称": ["=1+1", "甲"], "值(亿元)": [-5.0, 2.5], "n": [-3, 4]})
    safe = safe_frame(df)
    assert list(safe.columns) == ["'=名称", "值(亿元)", "n"]
    assert safe["值(亿元)"].tolist() == [-5.0, 2.5] and df.iloc[0, 0] == "=1+1"  # input kept
    x = write_table(df, tmp_path / "t.xlsx", sheet="a/b:c")
    ws = assert_xlsx_safe(x)
    assert ws.title == "a_b_c"
    assert [c.value for c in ws[2]] == ["'=1+1", -5, -3]
    assert ws["B2"].data_type == "n" and ws["C2"].data_type == "n"
    c = write_table(df, tmp_path / "t.csv")
    assert c.read_bytes().startswith(UTF8_BOM + "'=名称,值(亿元),n\r\n'=1+1,-5.0,-3\r\n".encode())
    back = pd.read_csv(c, encoding="utf-8-sig")
    assert back["n"].dtype.kind == "i" and back["值(亿元)"].tolist() == [-5.0, 2.5]


def test_unknown_table_suffix_is_an_error(tmp_path: Path) -> None:
    from gis.errors import InputError

    with pytest.raises(InputError, match="use .csv or .xlsx"):
        write_table(pd.DataFrame({"a": [1]}), tmp_path / "t.ods")


def test_control_characters_do_not_break_the_workbook(tmp_path: Path) -> None:
    x = write_table(pd.DataFrame({"a": ["x\x01y"]}), tmp_path / "t.xlsx")
    assert openpyxl.load_workbook(x).active["A2"].value == "x\ufffdy"


# -- through the commands -----------------------------------------------------------------


def _hostile_table(tmp_path: Path) -> Path:
    """A SYNTHETIC wide indicator table: hostile text, a negative number."""
    names = ["武昌区", "江岸区", "江汉区", "硚口区", "汉阳区", "青山区", "洪山区"]
    rows = [
        {"区县": n, "GDP(亿元)": str(100 + i) if i else "-5", "备注": h}
        for i, (n, h) in enumerate(zip(names, HOSTILE))
    ]
    path = tmp_path / "hostile.csv"
    pd.DataFrame(rows).to_csv(path, index=False, encoding="utf-8", lineterminator="\r\n")
    return path


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_join_out_neutralises_formulas_and_keeps_numbers(tmp_path: Path, suffix: str) -> None:
    table = _hostile_table(tmp_path)
    out = tmp_path / f"joined{suffix}"
    code, text = run("join", "districts", str(table), "--out", str(out))
    assert code == 0, text
    if suffix == ".csv":
        rows = assert_csv_safe(out)
        head, body = rows[0], rows[1:]
        notes = [r[head.index("备注")] for r in body if r[head.index("备注")]]
        # the reader strips the tab of "\t=1": the writer still neutralises what is left
        assert '\'=HYPERLINK("http://x")' in notes and "'+cmd|' /C calc'!A0" in notes
        assert "'=1" in notes and "'@SUM(A1)" in notes
        assert len(body) == 13  # the carriage return inside a cell split no row
        gdp = head.index(next(h for h in head if h.startswith("GDP")))
        values = {r[head.index("name_zh")]: r[gdp] for r in body}
        assert float(values["武昌区"]) == -5.0  # a negative number is a number
        assert not values["武昌区"].startswith("'")
    else:
        ws = assert_xlsx_safe(out)
        head = [c.value for c in ws[1]]
        gdp = head.index(next(h for h in head if h.startswith("GDP"))) + 1
        name = head.index("name_zh") + 1
        by_name = {ws.cell(r, name).value: ws.cell(r, gdp) for r in range(2, ws.max_row + 1)}
        assert by_name["武昌区"].value == -5 and by_name["武昌区"].data_type == "n"
        notes = {ws.cell(r, head.index("备注") + 1).value for r in range(2, ws.max_row + 1)}
        assert "'=1+1" in notes and "'+cmd|' /C calc'!A0" in notes


def test_enterprises_and_coverage_tables_are_safe(tmp_path: Path) -> None:
    d = read_layer("districts")
    register = []
    firm_names = HOSTILE
    for i, (geom, bad) in enumerate(zip(d.geometry, firm_names * 3)):
        p = geom.representative_point()
        register.append(
            {"企业名称": bad, "经度": f"{p.x:.6f}", "纬度": f"{p.y:.6f}", "营业收入": str(-i),
             "领域": firm_names[(i + 1) % len(firm_names)]}
        )  # fmt: skip
    register.append({"企业名称": "=2+2", "经度": "113.65", "纬度": "29.95", "营业收入": "1",
                     "领域": "@x"})  # fmt: skip  # outside every zone
    reg = tmp_path / "synthetic_hostile_register.csv"
    # CRLF: with "\n" line ends Python's csv leaves a carriage return in a cell unquoted,
    # which breaks the row (the quirk the tool's own writer avoids)
    pd.DataFrame(register).to_csv(reg, index=False, encoding="utf-8", lineterminator="\r\n")
    out = tmp_path / "out"
    code, text = run(
        "enterprises", str(reg), "--crs", "wgs84", "--value", "营业收入", "--domain", "领域",
        "--zones", "districts", "--out", str(out),
    )  # fmt: skip
    assert code == 0, text
    written = sorted(out.glob("*.csv"))
    assert len(written) == 4, written
    for path in written:
        assert_csv_safe(path)
    outside = pd.read_csv(out / "enterprises_synthetic_hostile_register_outside.csv",
                          encoding="utf-8-sig")  # fmt: skip
    # the outside list names each firm (neutralised), with its row and coordinates
    assert outside["企业名称"].tolist() == ["'=2+2"] and outside["row"].tolist() == [15]
    by_domain = pd.read_csv(out / "enterprises_synthetic_hostile_register_by_domain.csv",
                            encoding="utf-8-sig")  # fmt: skip
    assert by_domain["营业收入"].min() < 0  # negative sums stay numbers
    # coverage with a district layer whose names are hostile
    hostile = d.copy()
    hostile["name_zh"] = [HOSTILE[i % len(HOSTILE)] for i in range(len(d))]
    dfile = tmp_path / "hostile_districts.geojson"
    write_geojson(hostile, dfile)
    syn = Path(__file__).parent / "data" / "synthetic_clusters.geojson"
    code, text = run(
        "coverage", "--radius", "2km", "--points", str(syn), "--districts", str(dfile),
        "--out", str(out),
    )  # fmt: skip
    assert code == 0, text
    rows = assert_csv_safe(out / "coverage_2km.csv")
    assert any(cell == "'=1+1" for r in rows for cell in r)


def test_shipped_csvs_start_with_a_bom_and_hold_no_formula(root: Path) -> None:
    files = sorted((root / "layers").rglob("*.csv"))
    assert len(files) >= 15
    for path in files:
        assert_csv_safe(path)


def test_bom_is_read_by_the_indicator_readers(root: Path) -> None:
    from gis.indicators import plan_targets

    assert (root / "layers/indicators/plan_targets.csv").read_bytes().startswith(UTF8_BOM)
    assert plan_targets().columns[0] == "id"  # not "\ufeffid"
    assert BOM == "\ufeff"
