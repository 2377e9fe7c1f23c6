"""Benchmark `gis.importer.read_import` on SYNTHETIC GCJ-02 tables of growing size.

Baseline in the same run: `gis.readers.tables.read_table` on the same file (reading alone), and the
vectorised GCJ-02 -> WGS84 conversion of the same coordinates. Prints rows/s for each.

Run: ``.venv/bin/python scripts/bench_import.py [N ...]`` (default 58 1000 10000)
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


if __name__ == "__main__":
    main()
