"""Write the SYNTHETIC test fixtures in tests/data/ (not real clusters; for tests only).

* ``synthetic_clusters_wgs84_truth.csv``: 58 made-up points (WGS84, 6 decimals), each 250 m
  inside the border of a district of layers/districts.geojson, spread along that border,
  so that a 500 m GCJ-02 shift moves many of them out of their district.
* ``synthetic_clusters_gbk_gcj02.csv``: the same 58 points shifted to GCJ-02 (8 decimals)
  with the published forward transform, Chinese headers (编号, 名称, 所在区, 级别, 领域,
  经度, 纬度, 备注), district written in mixed forms (武昌 / 武昌区 / Wuchang / 420106),
  GBK-encoded: what a planner's export from an Amap-based tool looks like.

Importing the GCJ-02 file with ``--crs gcj02`` must give back the truth points within 0.01 m.

Run: ``.venv/bin/python scripts/make_synthetic_fixtures.py``
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import geopandas as gpd  # noqa: E402
import shapely  # noqa: E402

from gis.crs import wgs84_to_gcj02  # noqa: E402
from gis.districts import DISTRICTS  # noqa: E402
from gis.layer_schema import DOMAINS  # noqa: E402
from gis.readers.geojson import read_geojson  # noqa: E402
from gis.settings import METRIC_CRS, STORAGE_CRS  # noqa: E402

OUT = ROOT / "tests" / "data"
#: Points per district, in DISTRICTS order (58 in all).
PER_DISTRICT = (6, 6, 5, 5, 6, 4, 6, 4, 3, 3, 4, 3, 3)
INSET_M = 250.0
LEVELS = ("国家级", "省级", "市级")


def district_label(i: int, d: object) -> str:
    """Mixed spellings, as planners write them."""
    forms = (d.name_zh, d.name_zh[:-1], d.name_en, d.adcode)  # type: ignore[attr-defined]
    return forms[i % 4]


def main() -> None:
    assert sum(PER_DISTRICT) == 58
    districts = read_geojson(ROOT / "layers" / "districts.geojson", key="adcode")
    metric = districts.to_crs(METRIC_CRS).set_index(districts["adcode"].astype(str))
    truth, rows = [], []
    k = 0
    for d, n in zip(DISTRICTS, PER_DISTRICT):
        inner = metric.loc[d.adcode, "geometry"].buffer(-INSET_M)
        if inner.geom_type == "MultiPolygon":
            inner = max(inner.geoms, key=lambda g: g.area)
        ring = inner.exterior
        for j in range(n):
            k += 1
            pt_m = ring.interpolate((j + 0.5) / n, normalized=True)
            pt = gpd.GeoSeries([pt_m], crs=METRIC_CRS).to_crs(STORAGE_CRS).iloc[0]
            lon, lat = round(pt.x, 6), round(pt.y, 6)
            poly = districts.set_index("adcode").loc[d.adcode, "geometry"]
            assert shapely.contains_xy(poly, lon, lat), (d.adcode, lon, lat)
            gx, gy = wgs84_to_gcj02(lon, lat)
            ident = f"SYN-{k:02d}"
            truth.append(
                {"编号": ident, "lon": f"{lon:.6f}", "lat": f"{lat:.6f}", "adcode": d.adcode}
            )
            rows.append(
                {
                    "编号": ident,
                    "名称": f"合成测试集聚区{k:02d}",
                    "所在区": district_label(k, d),
                    "级别": LEVELS[k % 3],
                    "领域": "、".join(DOMAINS[(k + m) % 12] for m in range(1 + k % 2)),
                    "经度": f"{float(gx):.8f}",
                    "纬度": f"{float(gy):.8f}",
                    "备注": "合成测试数据 synthetic test data, not a real cluster",
                }
            )
    OUT.mkdir(parents=True, exist_ok=True)
    with (OUT / "synthetic_clusters_wgs84_truth.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(truth[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(truth)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\r\n")
    w.writeheader()
    w.writerows(rows)
    (OUT / "synthetic_clusters_gbk_gcj02.csv").write_bytes(buf.getvalue().encode("gbk"))
    print(f"wrote {len(rows)} synthetic clusters to {OUT}")


if __name__ == "__main__":
    main()
