"""The fast register reader (`gis.readers.register`) against the table reader's rules.

Every register here is SYNTHETIC (names 合成企业…, coordinates inside Wuhan).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from gis.analysis.enterprises import _numeric, read_register, register_columns
from gis.cli import main
from gis.errors import InputError, ValidationError
from gis.readers.register import read_csv_register
from gis.readers.tables import read_table

ROWS = [
    ("合成企业1", "114.305123", "30.592456", "120.5", "软件"),
    ("合成企业2", "114.266000", "30.550100", "", "物流"),
    ("合成企业3", "114.410987", "30.480001", "7", ""),
]
HEADER = ("企业名称", "经度", "纬度", "营业收入(万元)", "领域")


def _write(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def _csv(rows: list[tuple[str, ...]] = ROWS, sep: str = ",") -> list[str]:
    return [sep.join(HEADER)] + [sep.join(r) for r in rows]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_fast_path_reads_what_the_table_reader_reads(
    tmp_path: Path, encoding: str, sep: str
) -> None:
    path = _write(tmp_path / "synthetic_register.csv", _csv(sep=sep), encoding)
    fast = read_csv_register(path)
    # UTF-8 takes the fast path; GBK the table reader (it checks for rows of UTF-8 pasted in)
    assert isinstance(fast["经度"].dtype, pd.ArrowDtype) == (encoding != "gb18030")
    slow = read_table(path)
    assert list(fast.columns) == list(slow.columns) == list(HEADER)
    assert fast.astype(object).values.tolist() == slow.values.tolist()
    assert fast.index.tolist() == slow.index.tolist()
    assert fast.attrs["encoding"] == slow.attrs["encoding"]


def test_title_rows_are_skipped_and_rows_keep_their_spreadsheet_numbers(tmp_path: Path) -> None:
    lines = ["2023年规上企业名录,,,,", "单位：万元,,,,"] + _csv()
    path = _write(tmp_path / "synthetic_titled.csv", lines)
    df = read_csv_register(path)
    assert isinstance(df["经度"].dtype, pd.ArrowDtype)
    assert df.attrs["header_row"] == 3 and list(df.columns) == list(HEADER)
    # a bad coordinate is named by the row the spreadsheet shows (header row 3: data from 4)
    bad = _write(
        tmp_path / "synthetic_titled_bad.csv",
        lines[:-1] + [lines[-1].replace("114.410987", "东经114度")],
    )
    df = read_register(bad)
    with pytest.raises(ValidationError) as exc:
        _numeric(df, "经度", "x", required=True)
    assert "row 6: '东经114度'" in str(exc.value)


def test_blank_lines_and_ragged_rows_go_to_the_table_reader(tmp_path: Path) -> None:
    lines = _csv()
    blank = _write(tmp_path / "synthetic_blank.csv", lines[:2] + [""] + lines[2:])
    df = read_csv_register(blank)
    assert not isinstance(df["经度"].dtype, pd.ArrowDtype)  # the general reader
    assert df.index.tolist() == [0, 2, 3]  # rows 2, 4, 5 of the sheet
    longer = _write(tmp_path / "synthetic_long.csv", lines + ["合成企业4,114.3,30.5,1,软件,多余"])
    with pytest.raises(ValidationError, match="more cells than the header") as exc:
        read_csv_register(longer)
    assert "row 5" in str(exc.value)
    shorter = _write(tmp_path / "synthetic_short.csv", lines + ["合成企业4,114.3,30.5"])
    assert read_csv_register(shorter)["领域"].tolist()[-1] == ""


def test_only_the_asked_columns_are_read_and_the_header_is_kept(tmp_path: Path) -> None:
    path = _write(tmp_path / "synthetic_register.csv", _csv())
    df = read_register(
        path,
        columns=lambda h: register_columns(h, values=["营业收入"], domain="领域", where=str(path)),
    )
    assert list(df.columns) == ["经度", "纬度", "企业名称", "营业收入(万元)", "领域"]
    assert df.attrs["header"] == list(HEADER)
    with pytest.raises(InputError, match=r"no column '收入'.*企业名称"):
        read_register(path, columns=lambda h: register_columns(h, values=["收入"]))


def test_numbers_are_bit_identical_to_float_and_fallbacks_keep_their_messages(
    tmp_path: Path,
) -> None:
    rng = np.random.default_rng(7)
    lon = [f"{v:.6f}" for v in rng.uniform(113.7, 115.0, 5000)]
    lat = [repr(float(v)) for v in rng.uniform(29.97, 31.3, 5000)]
    rows = [(f"合成企业{i}", a, b, "1e3", "软件") for i, (a, b) in enumerate(zip(lon, lat))]
    path = _write(tmp_path / "synthetic_many.csv", _csv(rows))
    df = read_register(path)
    for col, text in (("经度", lon), ("纬度", lat)):
        got = _numeric(df, col, "x", required=True)
        assert got.tobytes() == np.array([float(t) for t in text]).tobytes()
    # blanks in a value column are NaN; padded numbers and "-" take the general path
    rows = [ROWS[0], ROWS[1], ("合成企业3", " 114.41 ", "30.48", "-", "")]
    df = read_register(_write(tmp_path / "synthetic_mixed.csv", _csv(rows)))
    v = _numeric(df, "营业收入(万元)", "x", required=False)
    assert v[0] == 120.5 and np.isnan(v[1:]).all()
    assert _numeric(df, "经度", "x", required=True)[2] == 114.41


def test_command_reads_a_gbk_register_with_a_title_row(tmp_path: Path) -> None:
    lines = ["2023年规上企业名录,,,,"] + _csv()
    path = _write(tmp_path / "synthetic_gbk.csv", lines, "gb18030")
    out = tmp_path / "out"
    r = CliRunner().invoke(
        main,
        ["enterprises", str(path), "--crs", "wgs84", "--zones", "districts",
         "--value", "营业收入", "--domain", "领域", "--out", str(out)],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    t = pd.read_csv(out / "enterprises_synthetic_gbk.csv", encoding="utf-8-sig")
    assert t["enterprises"].sum() == 3 and t["营业收入(万元)"].sum() == pytest.approx(127.5)
    dom = pd.read_csv(out / "enterprises_synthetic_gbk_by_domain.csv", encoding="utf-8-sig")
    assert sorted(dom["domain"]) == ["(none)", "物流", "软件"]
