#!/usr/bin/env python3
"""Benchmark: the offline atlas against ``GeoDataFrame.explore()`` on the same layers.

Prints, from one run on this machine:

* import time of ``python -c "import gis, folium"`` (fresh processes, best of N);
* build time of the default atlas (in a warm process, best of N) and its ratio to the
  import time (target: within 1.5x);
* ``explore()`` of the same overlays (same frames, same order) written with folium's
  default CDN links: build time and size (CDN assets not counted, it loads them online);
* cold, whole processes (imports counted): ``clustermap build`` against a planner's
  ``explore()`` script reading the same layers from GeoJSON files (written beforehand)
  (targets: build <= 1.0x the script and <= 2x ``import gis, folium``);
* size of every shipped map (total, data and runtime without the inlined Leaflet,
  gzipped), against the explore() output (target: offline atlas no larger).

    .venv/bin/python scripts/bench_atlas.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import gzip
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


#: CPU seconds (user + system) of the child processes of the last best() call, best run
CPU: dict[str, float] = {}


def best(fn, repeat: int, name: str = "") -> float:  # type: ignore[no-untyped-def]
    """Best wall time of ``repeat`` runs; the best child CPU time is kept in CPU[name]
    (a shared machine stretches wall time, CPU time much less)."""
    import resource

    times, cpus = [], []
    for _ in range(repeat):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime)
    if name:
        CPU[name] = min(cpus)
    return min(times)


def import_time(repeat: int) -> float:
    def run() -> None:
        subprocess.run([sys.executable, "-c", "import gis, folium"], check=True, cwd=ROOT)

    return best(run, repeat, "import")


def module_import_time(module: str, repeat: int) -> float:
    """Extra import time of ``module`` on top of gis + folium (fresh processes)."""

    def run() -> None:
        subprocess.run(
            [sys.executable, "-c", f"import gis, folium; import {module}"], check=True, cwd=ROOT
        )

    return best(run, repeat)


def kb(n: int) -> str:
    return f"{n / 1024:7.0f} KB"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    from gis.maps.compose import atlas_overlays
    from gis.maps.publish import build_atlas, build_spec
    from gis.maps.spec import shipped_specs
    from gis.render.assets import leaflet_css, leaflet_js

    out = Path(tempfile.mkdtemp(prefix="bench_atlas_"))
    t_import = import_time(args.repeat)
    t_mapclassify = module_import_time("mapclassify", args.repeat) - t_import
    build_atlas(out / "warm.html")  # warm caches (Leaflet assets, catalog) like a second build
    t_atlas = best(lambda: build_atlas(out / "wuhan_atlas.html"), args.repeat)
    t_cold = best(
        lambda: subprocess.run(
            [sys.executable, "-m", "gis", "build", "--out", str(out / "cold.html")],
            check=True,
            cwd=ROOT,
            capture_output=True,
        ),
        args.repeat,
        "build",
    )
    atlas = (out / "wuhan_atlas.html").read_bytes()

    from gis.catalog import load_catalog

    overlays = atlas_overlays(load_catalog())
    frames = [ov.gdf for ov in overlays if ov.gdf is not None and not ov.gdf.empty]

    def explore() -> None:
        m = None
        for i, gdf in enumerate(frames):
            cols = [c for c in gdf.columns if not str(c).startswith("_")]
            m = gdf[cols].explore(m=m, name=f"layer {i}")
        m.save(out / "explore.html")

    t_explore = best(explore, args.repeat)
    files = []
    for i, gdf in enumerate(frames):
        cols = [c for c in gdf.columns if not str(c).startswith("_")]
        files.append(out / f"layer_{i}.geojson")
        gdf[cols].to_file(files[-1], driver="GeoJSON")
    script = (
        "import sys\nimport geopandas as gpd\nm = None\n"
        "for i, f in enumerate(sys.argv[2:]):\n"
        "    m = gpd.read_file(f).explore(m=m, name=f'layer {i}')\n"
        "m.save(sys.argv[1])\n"
    )
    t_explore_cold = best(
        lambda: subprocess.run(
            [sys.executable, "-c", script, str(out / "explore_cold.html"), *map(str, files)],
            check=True,
            cwd=ROOT,
            capture_output=True,
        ),
        args.repeat,
        "explore",
    )
    explore_html = (out / "explore.html").read_bytes()
    assets = len(leaflet_js().encode()) + len(leaflet_css().encode())

    print("Atlas build vs GeoDataFrame.explore(), same layers, same run")
    print(f"  layers: {len(frames)} ({sum(len(f) for f in frames)} features)")
    print(f"  import gis + folium (fresh process)   {t_import:6.2f} s")
    print(
        f"  atlas build (warm process)            {t_atlas:6.2f} s  = "
        f"{t_atlas / t_import:.2f} x import (target <= 1.5 x)"
    )
    print(f"  `clustermap build` cold, whole process {t_cold:6.2f} s")
    print(
        f"    importing mapclassify               {t_mapclassify:6.2f} s "
        "extra: what a build would pay if it imported mapclassify (gis.classify now classifies "
        "small inputs in numpy)"
    )
    print(f"  explore() of the same layers (warm)   {t_explore:6.2f} s")
    print(
        f"  cold: `clustermap build` {t_cold:.2f} s vs explore() script {t_explore_cold:.2f} s "
        f"= {t_cold / t_explore_cold:.2f} x (target <= 1.0); "
        f"{t_cold / t_import:.2f} x import gis, folium (target <= 2)"
    )
    c_b, c_e, c_i = CPU["build"], CPU["explore"], CPU["import"]
    print(
        f"  the same in CPU seconds (user+system): build {c_b:.2f}, explore() script {c_e:.2f} "
        f"= {c_b / c_e:.2f} x; import floor {c_i:.2f} -> {c_b / c_i:.2f} x"
    )
    import os

    print(f"  load average {os.getloadavg()}")
    print()
    print("HTML size")
    ex_gz = len(gzip.compress(explore_html, 9))
    print(f"  explore() online (CDN assets not counted) {kb(len(explore_html))}  gz {kb(ex_gz)}")
    at_gz = len(gzip.compress(atlas, 9))
    verdict = "within" if len(atlas) <= len(explore_html) else "OVER"
    print(
        f"  offline atlas, everything inlined        {kb(len(atlas))}  gz {kb(at_gz)}  "
        f"({verdict} the explore() size)"
    )
    print(f"    of which Leaflet js+css inlined        {kb(assets)}")
    data_b = geodata_bytes(atlas)
    ours = runtime_bytes()
    print(f"    our runtime js+css inlined             {kb(ours)}")
    print(f"    layer data (arcs + GeoJSON)            {kb(data_b)}  (budget 300 KB)")
    print(f"    the rest (legend, panels, title block)  {kb(len(atlas) - assets - ours - data_b)}")
    print()
    print("Shipped maps (offline)")
    for spec in shipped_specs():
        try:
            res = build_spec(spec, out=out)
        except Exception as exc:  # noqa: BLE001 - a benchmark reports and goes on
            print(f"  {spec.name:18s} not built: {str(exc).splitlines()[0][:90]}")
            continue
        data = res.files[0].read_bytes()
        print(
            f"  {spec.name:18s} {kb(len(data))}  layer data {kb(geodata_bytes(data))}  "
            f"gz {kb(len(gzip.compress(data, 9)))}"
        )
    print(f"\n(files in {out})")


def geodata_bytes(page: bytes) -> int:
    """Bytes of layer data in a page: the shared arcs and every layer's encoded GeoJSON."""
    import re

    text = page.decode("utf-8")
    arcs = re.search(r"GIS\.setArcs\((\[.*?\])\);", text, re.S)
    layers = re.findall(r"L\.geoJSON\(GIS\.geo\((\{.*?\})\), \{", text, re.S)
    return len((arcs.group(1) if arcs else "").encode()) + sum(len(x.encode()) for x in layers)


def runtime_bytes() -> int:
    """Bytes of the project's own inlined runtime (gis/render/static)."""
    return sum(len(p.read_bytes()) for p in (ROOT / "gis" / "render" / "static").glob("*.*s"))


if __name__ == "__main__":
    main()
