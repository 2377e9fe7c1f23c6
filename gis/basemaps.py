"""Basemaps and their datums.

Tiles from Chinese providers are drawn in GCJ-02; our layers are WGS84. Every
basemap declares its datum, and the renderer shifts layers to it for display
(:func:`gis.crs.to_display`), so a layer and its basemap can never disagree
silently. Analysis never sees shifted coordinates.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from .errors import InputError


@dataclass(frozen=True)
class Basemap:
    key: str
    datum: str  # wgs84 | gcj02 | cgcs2000
    url: str | None
    attribution: str
    subdomains: str = "abc"
    max_zoom: int = 18
    env_key: str | None = None  # environment variable holding an API key


BASEMAPS: dict[str, Basemap] = {
    "none": Basemap("none", "wgs84", None, ""),
    "osm": Basemap(
        "osm",
        "wgs84",
        "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png",
        "&copy; OpenStreetMap contributors (ODbL)",
        max_zoom=19,
    ),
    "gaode": Basemap(
        "gaode",
        "gcj02",
        "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",
        "&copy; 高德地图 AutoNavi (GCJ-02; layers shifted for display)",
        subdomains="1234",
    ),
    "gaode-satellite": Basemap(
        "gaode-satellite",
        "gcj02",
        "https://webst0{s}.is.autonavi.com/appmaptile?style=6&x={x}&y={y}&z={z}",
        "&copy; 高德地图 AutoNavi satellite (GCJ-02; layers shifted for display)",
        subdomains="1234",
    ),
}


def get_basemap(key: str) -> Basemap:
    try:
        return BASEMAPS[key]
    except KeyError:
        raise InputError(f"unknown basemap {key!r}; choose one of: {', '.join(BASEMAPS)}") from None


def basemap_datum(key: str) -> str:
    """The datum layers must be shifted to for display on this basemap."""
    return get_basemap(key).datum


def add_basemap(m: Any, key: str) -> None:
    """Add the basemap's tile layer to folium map ``m`` (nothing for ``none``)."""
    import folium

    bm = get_basemap(key)
    if bm.url is None:
        return
    url = bm.url
    if bm.env_key:
        token = os.environ.get(bm.env_key)
        if not token:
            raise InputError(
                f"basemap {key!r} needs an API key: set the environment variable {bm.env_key}"
            )
        url = url.replace("{key}", token)
    folium.TileLayer(
        tiles=url,
        attr=bm.attribution,
        name=f"底图 {key}",
        subdomains=bm.subdomains,
        max_zoom=bm.max_zoom,
        overlay=False,
        control=True,
    ).add_to(m)
