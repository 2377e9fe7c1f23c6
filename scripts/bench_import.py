"""Benchmark `gis.importer.read_import` on SYNTHETIC GCJ-02 tables of growing size.

Baseline in the same run: `gis.readers.tables.read_table` on the same file (reading alone), and the
vectorised GCJ-02 -> WGS84 conversion of the same coordinates. Prints rows/s for each.

Run: ``.venv/bin/python scripts/bench_import.py [N ...]`` (default 58 1000 10000)

``--command N ...``: the whole ``clustermap import`` (a fresh process) against a planner's
geopandas script (read the CSV, ``points_from_xy``, ``to_file`` GeoJSON) on the same file,
wall and CPU seconds (issue 13: at most 1.5x at 100k rows, flat from 1k to 1M).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from gis.crs import gcj02_to_wgs84, wgs84_to_gcj02  # noqa: E402
from gis.importer import read_import  # noqa: E402
from gis.readers.tables import read_table  # noqa: E402

DISTRICT = ("武昌", "江汉", "江岸", "洪山", "汉阳")


def make(n: int, folder: Path) -> tuple[Path, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    lon = rng.uniform(114.25, 114.35, n)
    lat = rng.uniform(30.53, 30.62, n)
    gx, gy = wgs84_to_gcj02(lon, lat)
    lines = ["编号,名称,所在区,级别,领域,经度,纬度"]
    for i in range(n):
        lines.append(f"S{i},合成{i},{DISTRICT[i % 5]},省级,金融,{gx[i]:.8f},{gy[i]:.8f}")
    path = folder / f"synthetic_{n}.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode("gbk"))
    return path, gx, gy


def timed(f, *a, **k):  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    out = f(*a, **k)
    return out, time.perf_counter() - t


def main() -> None:
    if sys.argv[1:2] == ["--command"]:
        command_vs_geopandas([int(a) for a in sys.argv[2:]] or [1000, 10_000, 100_000])
        return
    sizes = [int(a) for a in sys.argv[1:]] or [58, 1000, 10000]
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            path, gx, gy = make(n, Path(tmp))
            _, t_read = timed(read_table, path)
            _, t_conv = timed(gcj02_to_wgs84, gx, gy)
            res, t_imp = timed(read_import, "clusters", path, crs="gcj02", force=True)
            assert res.report.imported + len({r.row for r in res.report.rejected}) == n
            print(
                f"n={n:>6}: read_table {n / t_read:>10,.0f} rows/s | gcj02->wgs84 "
                f"{n / t_conv:>12,.0f} pts/s | read_import {n / t_imp:>8,.0f} rows/s "
                f"({t_imp:.2f} s; {t_imp / t_read:.1f}x reading)"
            )


def make_plain(n: int, folder: Path) -> Path:
    """A SYNTHETIC GBK list without 所在区 (the importer fills the district from the point,
    so every row imports): 编号, 名称, 级别, 领域, 经度, 纬度 (GCJ-02, 8 decimals)."""
    rng = np.random.default_rng(0)
    gx, gy = wgs84_to_gcj02(rng.uniform(114.25, 114.35, n), rng.uniform(30.53, 30.62, n))
    lines = ["编号,名称,级别,领域,经度,纬度"]
    lines += [f"S{i},合成{i},省级,金融,{gx[i]:.8f},{gy[i]:.8f}" for i in range(n)]
    path = folder / f"synthetic_plain_{n}.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode("gbk"))
    return path


PEER = """
import sys
import geopandas as gpd
import pandas as pd

df = pd.read_csv(sys.argv[1], encoding="gbk")
gdf = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df["经度"], df["纬度"]), crs=4326)
gdf.to_file(sys.argv[2], driver="GeoJSON")
"""


def command_vs_geopandas(sizes: list[int], repeat: int = 3) -> None:
    """`clustermap import clusters FILE --crs gcj02 --force` (a fresh process, in a copy of
    layers/) against a planner's geopandas script (read the CSV, points, ``to_file``
    GeoJSON) on the same SYNTHETIC file; best of ``repeat``, wall and CPU seconds."""
    import os
    import resource
    import shutil
    import subprocess

    def run(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, env=env, cwd=ROOT)
        wall = time.perf_counter() - t0
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        return wall, r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime

    print(f"load average at start {os.getloadavg()}")
    print(
        f"{'rows':>9} {'ours s':>7} {'peer s':>7} {'ratio':>6}   {'ours CPU':>8} {'peer CPU':>8} {'ratio':>6}  load"
    )
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp) / "home"
        shutil.copytree(ROOT / "layers", home / "layers")
        env = {**os.environ, "CLUSTERMAP_HOME": str(home)}
        for n in sizes:
            path = make_plain(n, Path(tmp))
            ours = [run([sys.executable, "-m", "gis", "import", "clusters", str(path), "--crs",
                         "gcj02", "--force"], env) for _ in range(repeat)]  # fmt: skip
            peer = [run([sys.executable, "-c", PEER, str(path), str(Path(tmp) / "peer.geojson")],
                        env) for _ in range(repeat)]  # fmt: skip
            ow, oc = min(ours)
            pw, pc = min(peer)
            print(f"{n:>9,} {ow:>7.2f} {pw:>7.2f} {ow / pw:>5.2f}x   {oc:>8.2f} {pc:>8.2f} "
                  f"{oc / pc:>5.2f}x  {os.getloadavg()[0]:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
