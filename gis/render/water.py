"""The water base layer (长江, 汉江, lakes; GSHHG 2.3.6, precision ``coarse``) under every map.

:func:`with_water` puts the catalog's ``water`` layer into a list of overlays
once, right after the filled base layers at the bottom (the districts) and so
under every plan, indicator and analysis layer; the interactive map, its
minimap and the static figures all draw it from there. GSHHG has no names: the
layer carries none.
"""

from __future__ import annotations

from typing import Any

#: catalog id of the layer
WATER_ID = "water"
#: muted blue: lakes and double-lined rivers filled, river centre lines as thin lines
WATER_STYLE: dict[str, Any] = {
    "color": "#6f9fcb",
    "weight": 1.5,
    "fillColor": "#bcd5ec",
    "fillOpacity": 0.9,
}
WATER_TOOLTIP = [("kind_zh", "水系 water"), ("precision", "精度 precision")]


def _is_water(ov: Any, title: str) -> bool:
    gdf = ov.gdf
    if ov.title == title:
        return True
    if gdf is None or gdf.empty or "id" not in gdf.columns:
        return False
    return bool(gdf["id"].astype(str).str.match(r"(gshhg|wdbii)_").all())


def _filled_base(ov: Any) -> bool:
    st = ov.style or {}
    return (
        ov.group == "base" and st.get("fill", True) is not False and st.get("fillOpacity", 0.2) > 0
    )


def water_overlay(catalog: Any = None) -> Any:
    """The water layer as an :class:`~gis.render.overlay.Overlay`, or None when not shipped."""
    from ..catalog import load_catalog
    from ..layers import read_layer
    from .overlay import Overlay

    cat = catalog or load_catalog()
    if WATER_ID not in cat or not cat[WATER_ID].path.exists():
        return None
    info = cat[WATER_ID]
    gdf = read_layer(WATER_ID, cat)
    if gdf.empty:
        return None
    return Overlay(
        gdf,
        info.title,
        style=dict(WATER_STYLE),
        tooltip=list(WATER_TOOLTIP),
        group="base",
        simplify=False,
        sources=dict.fromkeys(info.sources, info.license),
    )


def with_water(overlays: list[Any], catalog: Any = None) -> list[Any]:
    """``overlays`` with the water layer once, after the leading filled base layers.

    A water overlay already in the list (e.g. the atlas's catalog layer) is replaced by the
    standard one at that place, keeping whether it shows.
    """
    from ..catalog import load_catalog

    cat = catalog or load_catalog()
    water = water_overlay(cat)
    if water is None:
        return list(overlays)
    title = cat[WATER_ID].title
    rest = [o for o in overlays if not _is_water(o, title)]
    if len(rest) < len(overlays):
        water.show = any(o.show for o in overlays if _is_water(o, title))
    i = 0
    while i < len(rest) and _filled_base(rest[i]):
        i += 1
    return [*rest[:i], water, *rest[i:]]
