"""Benchmark: `clustermap enterprises` end to end vs a planner's 20-line geopandas script.

Both read the same SYNTHETIC register (CSV, UTF-8, 5 columns: 企业名称, 经度, 纬度 with 6
decimals, 营业收入, 领域; seeded) and
produce counts and revenue sums per district and per district x domain, and the rows
outside every district. Each run is a fresh process (cold: its imports are counted), timed
by wall clock, with its peak RSS (process and children, sampled every 20 ms). The two
results are compared (counts equal, sums within 1e-6 relative) and the script fails if
they differ.

Where the firms are: as in a real register, inside the city — uniform over the districts
(drawn uniformly over their bounding box, kept if inside a district) — except one row in
a thousand drawn over the whole bounding box (mistyped rows: about half land outside every
district and are listed as such).

The peer (:data:`PLANNER`) is what a planner would write: ``pd.read_csv``,
``gpd.points_from_xy``, ``gpd.sjoin``, ``groupby``. Predicate ``within`` for both by default
(sjoin's fastest rule; ``--predicate intersects`` for the other).

Usage::

    .venv/bin/python scripts/bench_enterprises_command.py                # 100k, 1M, 10M
    .venv/bin/python scripts/bench_enterprises_command.py --sizes 100000 --repeat 3
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DOMAINS = ("软件和信息服务", "现代物流", "科技服务", "金融服务", "商务服务", "检验检测")

PLANNER = """
import sys
import geopandas as gpd
import pandas as pd

path, predicate, out = sys.argv[1], sys.argv[2], sys.argv[3]
df = pd.read_csv(path)
pts = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df["经度"], df["纬度"]), crs=4326)
zones = gpd.read_file("layers/districts.geojson")[["adcode", "geometry"]]
j = gpd.sjoin(pts, zones, predicate=predicate, how="inner")
per_zone = j.groupby("adcode").agg(enterprises=("营业收入", "size"), 营业收入=("营业收入", "sum"))
by_domain = j.groupby(["adcode", "领域"]).agg(
    enterprises=("营业收入", "size"), 营业收入=("营业收入", "sum")
)
outside = df.loc[~df.index.isin(j.index), ["经度", "纬度"]]
outside.insert(0, "row", outside.index + 2)
per_zone.to_csv(out + "/per_zone.csv")
by_domain.to_csv(out + "/by_domain.csv")
outside.to_csv(out + "/outside.csv", index=False)
"""


def make_register(n: int, path: Path) -> None:
    """A SYNTHETIC register of n rows (seeded), written in blocks."""
    import geopandas as gpd
    import pyarrow as pa
    import pyarrow.csv as pcsv
    import shapely

    d = gpd.read_file(ROOT / "layers/districts.geojson")
    city = shapely.union_all(d.geometry.values)
    shapely.prepare(city)
    x0, y0, x1, y1 = d.total_bounds
    rng = np.random.default_rng(20240121 + n)

    def xy(k: int) -> tuple[np.ndarray, np.ndarray]:
        xs, ys, got = [], [], 0
        while got < k:
            x, y = rng.uniform(x0, x1, 2 * k), rng.uniform(y0, y1, 2 * k)
            keep = shapely.contains_xy(city, x, y)
            keep |= rng.random(2 * k) < 0.001
            xs.append(x[keep])
            ys.append(y[keep])
            got += int(keep.sum())
        return np.concatenate(xs)[:k], np.concatenate(ys)[:k]

    with pcsv.CSVWriter(
        str(path),
        pa.schema([(c, pa.string()) for c in ("企业名称", "经度", "纬度", "营业收入", "领域")]),
        write_options=pcsv.WriteOptions(quoting_style="none"),
    ) as w:
        for s in range(0, n, 1_000_000):
            k = min(1_000_000, n - s)
            ids = np.arange(s, s + k)
            x, y = xy(k)
            w.write_batch(
                pa.record_batch(
                    [
                        pa.array(np.char.add("合成企业", ids.astype(str)).tolist()),
                        pa.array(np.char.mod("%.6f", x).tolist()),
                        pa.array(np.char.mod("%.6f", y).tolist()),
                        pa.array(np.char.mod("%.2f", rng.gamma(2.0, 5000.0, k)).tolist()),
                        pa.array(np.asarray(DOMAINS)[rng.integers(0, len(DOMAINS), k)].tolist()),
                    ],
                    names=["企业名称", "经度", "纬度", "营业收入", "领域"],
                )
            )


#: CPU seconds (user + system) of the last peak_run's process tree
LAST_CPU = [0.0]


def peak_run(cmd: list[str]) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """Wall seconds, peak RSS in MB (process tree) and the finished process; its CPU
    seconds in LAST_CPU[0] (a loaded machine stretches wall time, CPU time much less)."""
    import resource

    import psutil

    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)

    peak = 0
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    ps = psutil.Process(proc.pid)
    done = threading.Event()
    outs: list[str] = []

    def reader() -> None:
        outs.extend(proc.communicate())
        done.set()

    threading.Thread(target=reader, daemon=True).start()
    while not done.is_set():
        total = 0
        try:
            for p in [ps, *ps.children(recursive=True)]:
                total += p.memory_info().rss
        except Exception:
            pass
        peak = max(peak, total)
        done.wait(0.02)
    wall = time.perf_counter() - t0
    proc.wait()
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    LAST_CPU[0] = r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime
    cp = subprocess.CompletedProcess(cmd, proc.returncode, outs[0], outs[1])
    return wall, peak / 2**20, cp


def compare(ours: Path, peer: Path) -> str:
    import pandas as pd

    a = pd.read_csv(ours / "enterprises_register.csv", dtype={"zone": str}, encoding="utf-8-sig")
    b = pd.read_csv(peer / "per_zone.csv", dtype={"adcode": str}).set_index("adcode")
    a = a.set_index("zone").reindex(b.index)
    if not (a["enterprises"].to_numpy() == b["enterprises"].to_numpy()).all():
        return "COUNTS DIFFER"
    if not np.allclose(a["营业收入"], b["营业收入"], rtol=1e-9, atol=1e-6):
        return "SUMS DIFFER"
    ad = pd.read_csv(
        ours / "enterprises_register_by_domain.csv", dtype={"zone": str}, encoding="utf-8-sig"
    )
    bd = pd.read_csv(peer / "by_domain.csv", dtype={"adcode": str})
    ad = ad.set_index(["zone", "domain"]).sort_index()
    bd = bd.set_index(["adcode", "领域"]).sort_index()
    if ad["enterprises"].tolist() != bd["enterprises"].tolist():
        return "DOMAIN COUNTS DIFFER"
    ao = pd.read_csv(ours / "enterprises_register_outside.csv", encoding="utf-8-sig")
    bo = pd.read_csv(peer / "outside.csv")
    if ao["row"].tolist() != bo["row"].tolist():
        return "OUTSIDE ROWS DIFFER"
    return "same"


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000, 10_000_000])
    ap.add_argument("--predicate", default="within", choices=("within", "intersects"))
    ap.add_argument("--repeat", type=int, default=1, help="Runs of each; the best is shown.")
    ap.add_argument("--only-ours", action="store_true", help="Skip the geopandas script.")
    args = ap.parse_args()
    py = sys.executable
    print(f"machine: {os.cpu_count()} cores; load average at start {os.getloadavg()}")
    print(
        f"register: SYNTHETIC, 5 columns, firms inside the districts (0.1% anywhere in their bbox); predicate {args.predicate}"
    )
    print(f"{'rows':>11} {'ours s':>8} {'ours MB':>8} {'peer s':>8} {'peer MB':>8} "
          f"{'time':>6} {'memory':>6}  result  load  CPU seconds (user+system)")  # fmt: skip
    failed = False
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            reg = Path(tmp) / "register.csv"
            make_register(n, reg)
            ours_dir, peer_dir = Path(tmp) / "ours", Path(tmp) / "peer"
            peer_dir.mkdir(exist_ok=True)
            best: dict[str, tuple[float, float, float]] = {}
            for _ in range(args.repeat):
                cmd = [py, "-m", "gis", "enterprises", str(reg), "--zones", "districts",
                       "--value", "营业收入", "--domain", "领域", "--crs", "wgs84",
                       "--predicate", args.predicate, "--out", str(ours_dir)]  # fmt: skip
                w, m, cp = peak_run(cmd)
                if cp.returncode != 0:
                    print(f"ours failed: {cp.stderr[-800:]}")
                    return 1
                if "ours" not in best or w < best["ours"][0]:
                    best["ours"] = (w, m, LAST_CPU[0])
                if args.only_ours:
                    continue
                w, m, cp = peak_run([py, "-c", PLANNER, str(reg), args.predicate, str(peer_dir)])
                if cp.returncode != 0:
                    print(f"peer failed: {cp.stderr[-800:]}")
                    return 1
                if "peer" not in best or w < best["peer"][0]:
                    best["peer"] = (w, m, LAST_CPU[0])
            ow, om, oc = best["ours"]
            if args.only_ours:
                print(
                    f"{n:>11,} {ow:>8.2f} {om:>8.0f}  load {os.getloadavg()[0]:.2f} CPU {oc:.2f} s"
                )
                continue
            pw, pm, pc = best["peer"]
            same = compare(ours_dir, peer_dir)
            failed |= same != "same"
            print(
                f"{n:>11,} {ow:>8.2f} {om:>8.0f} {pw:>8.2f} {pm:>8.0f} {ow / pw:>5.2f}x "
                f"{om / pm:>5.2f}x  {same}  {os.getloadavg()[0]:.2f}  "
                f"CPU s ours {oc:.2f} peer {pc:.2f} = {oc / pc:.2f}x"
            )
            reg.unlink()
    print(f"load average at end {os.getloadavg()}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
