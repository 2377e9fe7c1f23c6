"""The column-at-once paths of `clustermap import` (issue 13) give what the row-by-row paths
give: the same table frame, the same attribute frame values, the same GeoJSON bytes.

Each test runs the fast path and the general one (the fast one switched off) on the same
SYNTHETIC input and compares. A fast path that changed one value, message or byte fails.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner

import gis.importer.rows as rows
import gis.io as gio
import gis.readers.tables as tables
from gis.cli import main
from gis.crs import wgs84_to_gcj02
from gis.importer.arrow_rows import PY_SPACE


def synthetic_list(path: Path, n: int = 400, encoding: str = "gbk") -> Path:
    """A SYNTHETIC GCJ-02 list (编号, 名称, 所在区 empty, 级别, 领域, 备注 with quotes)."""
    rng = np.random.default_rng(7)
    gx, gy = wgs84_to_gcj02(rng.uniform(114.25, 114.35, n), rng.uniform(30.53, 30.62, n))
    lines = ["编号,名称,所在区,级别,领域,备注,经度,纬度"]
    lines += [
        f"S{i},合成{i},,{('省级', '市级')[i % 2]},金融,备注\\{i},{gx[i]:.8f},{gy[i]:.8f}"
        for i in range(n)
    ]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def test_py_space_is_what_str_strip_removes() -> None:
    every = "".join(c for c in map(chr, range(0x110000)) if c.isspace())
    assert PY_SPACE == every


def test_coordinates_are_python_round_and_repr() -> None:
    rng = np.random.default_rng(1)
    values = np.concatenate(
        [
            rng.uniform(-180, 180, 20_000),
            rng.uniform(-1e-3, 1e-3, 2_000),
            rng.uniform(-1e10, 1e10, 2_000),
            np.round(rng.uniform(114, 115, 5_000), 6) + 5e-7,  # ties at the 7th decimal
            [0.0, -0.0, 1e-4, -1e-4, 5e-5, 114.0, 0.00390625, 999999999.9999995, 1.0000005],
            [np.nan, np.inf, -np.inf],
        ]
    )
    for p in (1, 6, 9):
        got = gio._arrow_coordinates(values, p, np.ones(len(values), dtype=bool)).to_pylist()
        assert got == [gio._json_fragment(round(float(v), p)) for v in values]


def test_arrow_writer_writes_the_python_lines() -> None:
    n = 3_000
    rng = np.random.default_rng(2)
    geoms = list(shapely.points(rng.uniform(114, 115, n), rng.uniform(30, 31, n)))
    geoms[1], geoms[2] = None, shapely.Point()
    geoms[3] = shapely.Point(114.3, 30.6, 12.0)
    geoms[4] = shapely.box(114.3, 30.5, 114.31, 30.51)
    texts = ["合成", 'a "quote"', "back\\slash", "line\nbreak", "\x01", "", None, "\u2028"]
    gdf = gpd.GeoDataFrame(
        {
            "id": [f"S{i}" for i in range(n)],
            "name": [texts[i % len(texts)] for i in range(n)],
            "str": pd.Series([texts[i % 6] for i in range(n)], dtype="str"),
            "count": np.arange(n),
            "value": rng.uniform(0, 1, n),
            "mixed": [1 if i % 3 else None for i in range(n)],
        },
        geometry=geoms,
        crs="EPSG:4326",
    )
    fast = gio.dumps_feature_collection(gdf, name="t")
    cols = [c for c in gdf.columns if c != "geometry"]
    arr = np.asarray(gdf.geometry.values, dtype=object)
    simple = shapely.get_type_id(arr) == 0
    simple[simple] = ~(shapely.is_empty(arr[simple]) | shapely.has_z(arr[simple]))
    lines = gio._feature_lines(gdf, cols, arr, simple, gio.COORD_PRECISION)
    assert (
        fast
        == '{"type":"FeatureCollection","name":"t","features":[\n' + ",\n".join(lines) + "\n]}\n"
    )


@pytest.mark.parametrize(
    "text",
    [
        "名称,经度,纬度\na,114.3,30.6\n\nb,114.31,30.61\n",
        "标题,,\n\n名称,经度,纬度\r\na,114.3,30.6\r\n , ,\r\n",
        "名称;经度;纬度\na;1;2\nb;3\n",  # a short row: padded by the row-by-row reader
        "名称,经度,纬度\na,1,2,3\n",  # a long row: refused, naming it
        "名称,经度,纬度\n",
        "名称\t经度\t纬度\n\u3000a\t1\t2",
    ],
)
def test_plain_csv_reads_as_the_row_by_row_reader(
    text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "t.csv"
    path.write_text(text, encoding="utf-8")

    def read() -> Any:
        try:
            return tables.read_table(path)
        except Exception as exc:  # the same error either way
            return f"{type(exc).__name__}: {exc}"

    fast = read()
    monkeypatch.setattr(tables, "_parse_plain", lambda text, sep: None)
    slow = read()
    if isinstance(fast, str) or isinstance(slow, str):
        assert fast == slow
    else:
        pd.testing.assert_frame_equal(fast, slow)
        assert fast.attrs == slow.attrs and list(fast.index) == list(slow.index)


def test_arrow_attributes_import_the_same_bytes(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = synthetic_list(tmp_path / "名单.csv")
    layer = home / "layers" / "clusters.geojson"
    used: list[bool] = []
    fast_path = rows.arrow_attributes

    def spy(*args: Any) -> Any:
        out = fast_path(*args)
        used.append(out is not None)
        return out

    monkeypatch.setattr(rows, "arrow_attributes", spy)
    res = CliRunner().invoke(main, ["import", "clusters", str(src), "--crs", "gcj02"])
    assert res.exit_code == 0, res.output
    assert used == [True]
    fast = layer.read_bytes()
    monkeypatch.setattr(rows, "arrow_attributes", lambda *a: None)
    res = CliRunner().invoke(main, ["import", "clusters", str(src), "--crs", "gcj02"])
    assert res.exit_code == 0, res.output
    assert layer.read_bytes() == fast
    assert b'"note":"\xe5\xa4\x87\xe6\xb3\xa8\\\\0"' in fast  # 备注\0, the backslash escaped


def test_points_are_valid_exactly_when_finite() -> None:
    """check_location takes a 2-D point as valid when both coordinates are finite: GEOS's
    rule, which this checks on the values a table can give."""
    vals = [114.3, -0.0, 1e308, np.nan, np.inf, -np.inf]
    xs, ys = np.meshgrid(vals, vals)
    pts = shapely.points(xs.ravel(), ys.ravel())
    assert (shapely.is_valid(pts) == (np.isfinite(xs) & np.isfinite(ys)).ravel()).all()


def test_metric_xy_is_to_crs_to_the_bit() -> None:
    from gis.importer.georef import metric_xy
    from gis.settings import METRIC_CRS, STORAGE_CRS

    rng = np.random.default_rng(3)
    pts = np.asarray(
        shapely.points(rng.uniform(113.5, 115.2, 20_000), rng.uniform(29.9, 31.4, 20_000)),
        dtype=object,
    )
    pts[3], pts[7] = None, shapely.Point()
    xy = metric_xy(pts)
    assert xy is not None
    moved = np.asarray(gpd.GeoSeries(pts, crs=STORAGE_CRS).to_crs(METRIC_CRS).values, dtype=object)
    ok = ~(shapely.is_missing(moved) | shapely.is_empty(moved))
    assert (shapely.get_x(moved[ok]).view(np.int64) == xy[0][ok].view(np.int64)).all()
    assert (shapely.get_y(moved[ok]).view(np.int64) == xy[1][ok].view(np.int64)).all()
    assert np.isnan(xy[0][~ok]).all()
    assert metric_xy(np.asarray([shapely.box(0, 0, 1, 1)], dtype=object)) is None
