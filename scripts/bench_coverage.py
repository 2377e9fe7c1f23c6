"""Coverage per district on vectors vs on a raster, on the shipped districts.

Points: ``tests/data/synthetic_clusters.geojson`` (6 SYNTHETIC points, one inside each of 6
districts; not real clusters) or ``--points LAYER_OR_FILE``. Prints, for each resolution,
the time, the peak RSS and the largest difference of covered share (percentage points)
between the raster count (cell-centre rule, row blocks) and the exact vector areas.

With ``--geotiff RES`` it instead writes the distance surface and the coverage grid at
RES metres as ``clustermap coverage --raster`` does (blocks, float32, written as computed,
overviews), each in its own process, and runs GDAL's own tools on the same grid in the same
run: ``gdal_rasterize`` of the points, then ``gdal_proximity.py`` (distance to the nearest
burnt cell, Float32, DEFLATE, tiled). It prints wall time and peak RSS of each, and the
machine load.

Usage::

    .venv/bin/python scripts/bench_coverage.py --radius 2km --resolutions 100 10
    .venv/bin/python scripts/bench_coverage.py --geotiff 10
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--points", default=str(ROOT / "tests" / "data" / "synthetic_clusters.geojson"))
    ap.add_argument("--radius", default="2km")
    ap.add_argument("--resolutions", type=float, nargs="+", default=[100.0, 10.0])
    ap.add_argument("--geotiff", type=float, default=None, help="Compare GeoTIFF writing at RES m.")
    ap.add_argument("--one", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        return _write_one(args.points, args.radius, *args.one)
    if args.geotiff:
        return geotiff_vs_gdal(args.points, args.radius, args.geotiff)
    import numpy as np

    from gis.analysis.coverage import district_coverage
    from gis.analysis.inputs import load_frame, to_metric_checked
    from gis.analysis.raster import raster_district_shares
    from gis.analysis.units import parse_distance

    pts, _ = to_metric_checked(load_frame(args.points, role="points"), args.points)
    d, _ = to_metric_checked(load_frame("districts", role="districts"), "districts")
    r = parse_distance(args.radius)
    t0 = time.perf_counter()
    vec = district_coverage(pts, d, r)
    print(f"points {Path(args.points).name} ({len(pts)}), radius {r:g} m, 13 districts")
    print(f"vector: {time.perf_counter() - t0:.3f} s")
    for res in args.resolutions:
        t0 = time.perf_counter()
        ras = raster_district_shares(pts, d, r, res)
        dt = time.perf_counter() - t0
        diff = np.abs(vec["covered_pct"].to_numpy() - ras["covered_pct"].to_numpy())
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"raster {res:g} m: {int(ras['cells'].sum()):,} cells in districts, {dt:.2f} s, "
            f"peak RSS so far {peak:.0f} MB, max |raster - vector| = {diff.max():.4f} "
            f"percentage points (district {vec['adcode'].iloc[int(diff.argmax())]})"
        )
    return 0


def _write_one(points: str, radius: str, what: str, res: str, out: str) -> int:
    from gis.analysis.inputs import load_frame, to_metric_checked
    from gis.analysis.raster import coverage_grid, distance_surface, write_geotiff
    from gis.analysis.units import parse_distance

    pts, _ = to_metric_checked(load_frame(points, role="points"), points)
    d, _ = to_metric_checked(load_frame("districts", role="districts"), "districts")
    if what == "distance":
        write_geotiff(distance_surface(pts, d, float(res)), out)
    else:
        write_geotiff(coverage_grid(pts, d, parse_distance(radius), float(res)), out)
    return 0


def geotiff_vs_gdal(points: str, radius: str, res: float) -> int:
    import os
    import shutil
    import tempfile

    from bench_enterprises_command import LAST_CPU, peak_run

    from gis.analysis.inputs import load_frame, to_metric_checked
    from gis.analysis.raster import grid_spec

    if not shutil.which("gdal_proximity.py") or not shutil.which("gdal_rasterize"):
        print("gdal_proximity.py / gdal_rasterize not installed: no GDAL baseline")
        return 1
    pts, _ = to_metric_checked(load_frame(points, role="points"), points)
    d, _ = to_metric_checked(load_frame("districts", role="districts"), "districts")
    transform, nrows, ncols = grid_spec(d, res)
    x0, y1 = transform.c, transform.f
    x1, y0 = x0 + ncols * res, y1 - nrows * res
    print(f"machine: {os.cpu_count()} cores; load average at start {os.getloadavg()}")
    print(f"grid {nrows} x {ncols} = {nrows * ncols / 1e6:.0f} M cells at {res:g} m; points "
          f"{Path(points).name} ({len(pts)})")  # fmt: skip
    co = ["-co", "COMPRESS=DEFLATE", "-co", "TILED=YES"]
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        pts.to_file(t / "pts.gpkg")
        runs = {
            "ours: distance surface": [sys.executable, __file__, "--points", points,
                                       "--one", "distance", f"{res:g}", str(t / "d.tif")],
            "ours: coverage grid": [sys.executable, __file__, "--points", points, "--radius",
                                    radius, "--one", "grid", f"{res:g}", str(t / "c.tif")],
            "gdal_rasterize (points)": ["gdal_rasterize", "-burn", "1", "-te", str(x0), str(y0),
                                        str(x1), str(y1), "-tr", f"{res:g}", f"{res:g}", "-ot",
                                        "Byte", *co, str(t / "pts.gpkg"), str(t / "src.tif")],
            "gdal_proximity.py": ["gdal_proximity.py", str(t / "src.tif"), str(t / "prox.tif"),
                                  "-values", "1", "-distunits", "GEO", "-ot", "Float32", *co],
        }  # fmt: skip
        res_s: dict[str, tuple[float, float, float]] = {}
        for name, cmd in runs.items():
            wall, mb, cp = peak_run(cmd)
            if cp.returncode != 0:
                print(f"{name} failed: {cp.stderr[-600:]}")
                return 1
            res_s[name] = (wall, mb, LAST_CPU[0])
            print(
                f"{name:<26} {wall:>7.2f} s {mb:>7.0f} MB peak RSS  CPU {LAST_CPU[0]:>6.2f} s  "
                f"load {os.getloadavg()[0]:.2f}"
            )
        ow, om, oc = res_s["ours: distance surface"]
        gw, gm, gc = res_s["gdal_proximity.py"]
        print(
            f"distance surface vs gdal_proximity.py: time {ow / gw:.2f}x (CPU {oc / gc:.2f}x), "
            f"memory {om / gm:.2f}x"
        )
        for name in ("d.tif", "c.tif", "prox.tif"):
            print(f"  {name}: {(t / name).stat().st_size / 2**20:.1f} MB")
    print(f"load average at end {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
