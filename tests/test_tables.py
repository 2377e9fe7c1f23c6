"""Reading planners' tables: encodings, row numbers as the spreadsheet shows them, bad rows."""

from __future__ import annotations

import pytest

from gis.errors import InputError, ValidationError
from gis.readers.tables import find_column, read_table, sheet_row

# Synthetic table (not real data).
CSV = "名称,所在区,经度\n甲,武昌,114.3\n\n乙,江汉区,114.2\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_encodings(tmp_path, encoding):
    p = tmp_path / f"synthetic_{encoding}.csv"
    p.write_bytes(CSV.encode(encoding))
    df = read_table(p)
    assert list(df.columns) == ["名称", "所在区", "经度"]
    assert list(df["名称"]) == ["甲", "乙"]


def test_row_numbers_count_blank_lines_like_a_spreadsheet(tmp_path):
    p = tmp_path / "synthetic.csv"
    p.write_text(CSV, encoding="utf-8")
    df = read_table(p)
    # 甲 is on spreadsheet row 2, 乙 on row 4 (row 3 is blank)
    assert [sheet_row(i) for i in df.index] == [2, 4]


def test_quoted_multiline_cell_counts_as_one_row(tmp_path):
    p = tmp_path / "synthetic.csv"
    p.write_text('名称,备注\n甲,"两行\n备注"\n乙,x\n', encoding="utf-8")
    df = read_table(p)
    assert [sheet_row(i) for i in df.index] == [2, 3]
    assert df["备注"].iloc[0] == "两行\n备注"


def test_unquoted_delimiter_in_a_value_is_reported_by_row(tmp_path):
    p = tmp_path / "synthetic.csv"
    p.write_text("名称,经度,纬度\n甲,114.3,30.6\n乙,丙,114.2,30.5\n", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"row 3: 4 cells, the header has 3"):
        read_table(p)


def test_short_rows_are_padded(tmp_path):
    p = tmp_path / "synthetic.csv"
    p.write_text("名称,经度,纬度\n甲,114.3\n", encoding="utf-8")
    assert read_table(p)["纬度"].iloc[0] == ""


def test_semicolon_and_tab_delimiters(tmp_path):
    for sep in (";", "\t"):
        p = tmp_path / "synthetic.csv"
        p.write_text(f"a{sep}b\n1{sep}2\n", encoding="utf-8")
        assert read_table(p)["b"].iloc[0] == "2"


def test_undecodable_and_empty_files(tmp_path):
    p = tmp_path / "synthetic.csv"
    p.write_bytes(b"\xff\xfe\x00\x81\x00")
    with pytest.raises(InputError, match="UTF-8 or GBK"):
        read_table(p)
    p.write_bytes(b"  \n")
    with pytest.raises(InputError, match="empty"):
        read_table(p)
    p.write_text("a,b\n", encoding="utf-8")
    with pytest.raises(InputError, match="no data rows"):
        read_table(p)


def test_excel_with_chinese_headers(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["名称", "行政区划代码"])
    ws.append(["甲", 420106])
    ws.append([None, None])
    ws.append(["乙", 420103])
    p = tmp_path / "synthetic.xlsx"
    wb.save(p)
    df = read_table(p)
    assert list(df["行政区划代码"]) == ["420106", "420103"]
    assert [sheet_row(i) for i in df.index] == [2, 4]


def test_find_column_ignores_case_spaces_underscores():
    import pandas as pd

    df = pd.DataFrame(columns=["Name ZH", "lon"])
    assert find_column(df, ("name_zh",)) == "Name ZH"
    assert find_column(df, ("经度", "LON")) == "lon"
    assert find_column(df, ("纬度",)) is None


def test_title_rows_above_the_header_are_skipped_in_csv(tmp_path):
    # as Excel on Chinese Windows saves a sheet with a title row: GBK, CRLF, trailing commas
    p = tmp_path / "synthetic_title.csv"
    text = "集聚区名单（合成）,,,\r\n单位：个,,,\r\n名称,所在区,经度,\r\n甲,武昌,114.3,\r\n\r\n乙,江汉,114.2,\r\n"
    p.write_bytes(text.encode("gbk"))
    df = read_table(p)
    assert list(df.columns) == ["名称", "所在区", "经度"]
    assert list(df["名称"]) == ["甲", "乙"]
    # 甲 on spreadsheet row 4 (header = row 3), 乙 on row 6 (row 5 blank)
    assert [sheet_row(i) for i in df.index] == [4, 6]
    assert df.attrs["header_row"] == 3


def test_merged_title_row_in_excel_is_skipped(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["2023年各区主要指标（合成）"])
    ws.merge_cells("A1:C1")
    ws.append(["区", "GDP(亿元)", "备注"])
    ws.append(["武昌", 1772.02, None])
    ws.append([None, None, None])
    ws.append(["江汉", 1500, "x"])
    p = tmp_path / "synthetic_title.xlsx"
    wb.save(p)
    df = read_table(p)
    assert list(df.columns) == ["区", "GDP(亿元)", "备注"]
    assert list(df["GDP(亿元)"]) == ["1772.02", "1500"]
    assert [sheet_row(i) for i in df.index] == [3, 5]
    assert df.attrs["header_row"] == 2


def test_excel_duplicate_header_is_an_error(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["名称", "经度", "经度"])
    ws.append(["甲", 114.3, 114.4])
    p = tmp_path / "synthetic_dup.xlsx"
    wb.save(p)
    with pytest.raises(InputError, match=r"used twice in the header \(row 1\): 经度"):
        read_table(p)


def test_unclosed_quote_swallowing_rows_is_reported_by_row(tmp_path):
    # a quote inside a value written \" instead of "" opens a cell that never closes:
    # without the check the next rows silently became one cell
    p = tmp_path / "synthetic.csv"
    p.write_text(
        '名称,经度,纬度\n甲,114.3,30.6\n乙,"114°11\'41.5\\"",30.5\n丙,114.2,30.4\n丁,114.1,30.3\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"row 3, 经度: a quote .* runs over the next 2 line"):
        read_table(p)


def test_csv_or_html_under_an_excel_name_is_explained(tmp_path):
    fake = tmp_path / "synthetic.xlsx"
    fake.write_bytes("名称,经度\r\n甲,114.3\r\n".encode("gbk"))
    with pytest.raises(
        InputError, match="text \\(CSV\\) file with an Excel name: rename it to .csv"
    ):
        read_table(fake)
    html = tmp_path / "synthetic.xls"
    html.write_text(
        "<html><body><table><tr><td>名称</td></tr></table></body></html>", encoding="utf-8"
    )
    with pytest.raises(InputError, match="web page .* save it as .xlsx"):
        read_table(html)


def test_values_merged_down_a_column_fill_every_row_they_span(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["合成集聚区名单"])
    ws.merge_cells("A1:C1")  # the title merged across columns stays a title
    ws.append(["所在区", "名称", "级别"])
    ws.append(["武昌区", "甲", "省级"])
    ws.append([None, "乙", None])
    ws.append([None, "丙", "市级"])
    ws.append(["江汉区", "丁", "市级"])
    ws.merge_cells("A3:A5")  # 武昌区 over rows 3-5, as official lists group rows
    ws.merge_cells("C3:C4")
    p = tmp_path / "synthetic_merged.xlsx"
    wb.save(p)
    df = read_table(p)
    assert list(df.columns) == ["所在区", "名称", "级别"]
    assert list(df["所在区"]) == ["武昌区", "武昌区", "武昌区", "江汉区"]
    assert list(df["级别"]) == ["省级", "省级", "市级", "市级"]
    assert [sheet_row(i) for i in df.index] == [3, 4, 5, 6]
