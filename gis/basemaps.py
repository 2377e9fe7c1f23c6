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
    #: extra tile layers drawn on top (e.g. Tianditu's annotation layer cva_w)
    overlays: tuple[str, ...] = ()


_TDT = (
    "https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0"
    "&LAYER={layer}&STYLE=default&TILEMATRIXSET=w&FORMAT=tiles"
    "&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={{key}}"
)

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
    # Tianditu (天地图), the national platform: CGCS2000 in Web Mercator ("_w" matrix set),
    # which equals WGS84 to centimetres, so layers are drawn unshifted. URL pattern from
    # http://lbs.tianditu.gov.cn/server/MapService.html; a free key (tk) is required.
    # Its 审图号 (map approval number) is not sourced here: the attribution points to the site.
    "tianditu": Basemap(
        "tianditu",
        "cgcs2000",
        _TDT.format(layer="vec"),
        "&copy; 天地图 Tianditu (国家地理信息公共服务平台, CGCS2000); 审图号 see tianditu.gov.cn",
        subdomains="01234567",
        env_key="TIANDITU_KEY",
        overlays=(_TDT.format(layer="cva"),),
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


#: Said wherever a key is asked for: the key is written into every page that uses it.
KEY_WARNING = (
    "the key is written in plain text into every HTML file built with it (anyone who "
    "gets the file can read it): use a browser-type (浏览器端) key restricted to the "
    "domain(s) that serve your maps, never a server key"
)


def basemap_key_check(key: str) -> None:
    """Raise if the basemap needs an API key that is not set (before anything is written)."""
    bm = get_basemap(key)
    if bm.env_key and not os.environ.get(bm.env_key):
        raise InputError(
            f"basemap {key!r} needs an API key: set the environment variable {bm.env_key} "
            f"(free key from https://console.tianditu.gov.cn; {KEY_WARNING}), or choose "
            "--basemap none"
        )


def tile_layers(key: str) -> list[dict[str, Any]]:
    """The tile layers of a basemap as ``{url, attribution, subdomains, maxZoom}`` dicts.

    The API key, if any, is read from the environment and put in the URL.

    >>> [t["url"][:30] for t in tile_layers("osm")]
    ['https://{s}.tile.openstreetmap']
    >>> tile_layers("none")
    []
    """
    bm = get_basemap(key)
    if bm.url is None:
        return []
    basemap_key_check(key)
    token = os.environ.get(bm.env_key, "") if bm.env_key else ""
    out = []
    for i, url in enumerate((bm.url, *bm.overlays)):
        out.append(
            {
                "url": url.replace("{key}", token),
                "attribution": bm.attribution if i == 0 else "",
                "subdomains": bm.subdomains,
                "maxZoom": bm.max_zoom,
            }
        )
    return out
