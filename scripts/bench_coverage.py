"""Coverage per district on vectors vs on a raster, on the shipped districts.

Points: ``tests/data/synthetic_clusters.geojson`` (6 SYNTHETIC points, one inside each of 6
districts; not real clusters) or ``--points LAYER_OR_FILE``. Prints, for each resolution,
the time, the peak RSS and the largest difference of covered share (percentage points)
between the raster count (cell-centre rule, row blocks) and the exact vector areas.

Usage::

    .venv/bin/python scripts/bench_coverage.py --radius 2km --resolutions 100 10
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
    args = ap.parse_args()
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


if __name__ == "__main__":
    sys.exit(main())
