"""`clustermap enterprises` on firms exactly on district vertices and edges: sjoin's pairs.

The register is SYNTHETIC: one row per vertex of the shipped districts (6 decimals, as the
layer stores them) and rows on the districts' edges (points a third, half and two thirds
along each edge, written with 6 decimals as registers are), so many sit on a border shared
by two districts or on the city's edge. The command's counts per district and its rows
outside every district must be those of ``geopandas.sjoin`` on the same numbers against the
shipped layer, under both predicates.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from click.testing import CliRunner

from gis.cli import main
from gis.layers import read_layer


def _boundary_register(path: Path) -> pd.DataFrame:
    d = read_layer("districts")
    xy = []
    for ring in shapely.get_rings(shapely.get_parts(d.geometry.values)):
        c = shapely.get_coordinates(ring)
        xy.append(c)
        for t in (1 / 3, 1 / 2, 2 / 3):
            xy.append(c[:-1] + t * (c[1:] - c[:-1]))
    pts = np.unique(np.round(np.concatenate(xy), 6), axis=0)
    df = pd.DataFrame({"名称": [f"合成企业{i}" for i in range(len(pts))]})
    df["经度"] = [f"{v:.6f}" for v in pts[:, 0]]
    df["纬度"] = [f"{v:.6f}" for v in pts[:, 1]]
    df.to_csv(path, index=False)
    return df


@pytest.mark.parametrize("predicate", ["intersects", "within"])
@pytest.mark.parametrize("path_taken", ["exact", "index"])
def test_firms_on_vertices_and_edges_get_sjoins_districts(
    tmp_path: Path, predicate: str, path_taken: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from gis.analysis import enterprises

    # small registers are tested zone by zone, big ones through the raster index: both
    monkeypatch.setattr(enterprises, "EXACT_WORK", 0 if path_taken == "index" else 10**9)
    path = tmp_path / "synthetic_boundary_register.csv"
    df = _boundary_register(path)
    x = np.array([float(v) for v in df["经度"]])
    y = np.array([float(v) for v in df["纬度"]])
    d = read_layer("districts")
    pts = gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y), crs=4326)
    j = gpd.sjoin(pts, d[["adcode", "geometry"]], predicate=predicate, how="inner")
    want = j["adcode"].value_counts().reindex(d["adcode"], fill_value=0)
    want_outside = sorted(set(range(len(df))) - set(j.index.tolist()))
    # adversarial enough to fail a reprojected copy: shared borders and the city's edge
    assert (j.index.value_counts() > 1).sum() > 1000 if predicate == "intersects" else True
    assert 1000 < len(want_outside) < len(df)

    out = tmp_path / "out"
    r = CliRunner().invoke(
        main,
        ["enterprises", str(path), "--crs", "wgs84", "--zones", "districts",
         "--predicate", predicate, "--out", str(out)],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    stem = "enterprises_synthetic_boundary_register"
    table = pd.read_csv(out / f"{stem}.csv", dtype={"zone": str}, encoding="utf-8-sig")
    got = table.set_index("zone")["enterprises"].reindex(d["adcode"])
    assert got.tolist() == want.tolist()
    outside = pd.read_csv(out / f"{stem}_outside.csv", encoding="utf-8-sig")
    assert (outside["row"] - 2).tolist() == want_outside  # spreadsheet rows: header is row 1
    assert f"predicate={predicate}" in r.output
