"""The water base layer (长江, 汉江, lakes; GSHHG 2.3.6, precision ``coarse``) in every map.

:func:`with_water` puts the catalog's ``water`` layer into a plan's overlays once, listed
right after the filled base layers (the districts) in the layer list and the legend. It
is a *reference* layer (:attr:`~gis.render.plan.Overlay.reference`): every renderer draws
it above the area fills (district base, choropleths, hatched zones) and below the lines,
outlines and points (:mod:`gis.render.order`), opaque, so that the rivers show on every
map and a choropleth under it keeps its legend's colours. The interactive map, its
minimap, the static figures and the report all draw it from the plan. GSHHG has no
names: the layer carries none.
"""

from __future__ import annotations

from ..catalog import Catalog, load_catalog
from ..layers import read_layer
from ..render.palette import PRECISION_LABELS
from ..render.plan import Legend, LegendRow, Overlay
from .styles import WATER_STYLE

#: catalog id of the layer
WATER_ID = "water"
WATER_TOOLTIP = [("kind_zh", "水系 water"), ("precision", "精度 precision")]


def _is_water(ov: Overlay) -> bool:
    return bool(ov.id == WATER_ID)


def _filled_base(ov: Overlay) -> bool:
    st = ov.style or {}
    return (
        ov.group == "base" and st.get("fill", True) is not False and st.get("fillOpacity", 0.2) > 0
    )


def water_overlay(catalog: Catalog | None = None) -> Overlay | None:
    """The water layer as an :class:`~gis.render.plan.Overlay`, or None when not shipped."""
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
        id=WATER_ID,
        style=dict(WATER_STYLE),
        tooltip=list(WATER_TOOLTIP),
        group="base",
        simplify=False,
        sources=dict.fromkeys(info.sources, info.license),
        reference=True,
        # the swatch as drawn: opaque fill, outline (and river lines) in the stroke colour
        legend=Legend(
            info.title,
            (
                LegendRow(
                    PRECISION_LABELS["coarse"],
                    str(WATER_STYLE["fillColor"]),
                    stroke=str(WATER_STYLE["color"]),
                    opacity=float(WATER_STYLE["fillOpacity"]),
                ),
            ),
        ),
    )


def with_water(overlays: list[Overlay], catalog: Catalog | None = None) -> list[Overlay]:
    """``overlays`` with the water layer once, after the leading filled base layers.

    A water overlay already in the list (e.g. the atlas's catalog layer) is replaced by the
    standard one, placed the same way, keeping whether it shows.
    """
    cat = catalog or load_catalog()
    water = water_overlay(cat)
    if water is None:
        return list(overlays)
    rest = [o for o in overlays if not _is_water(o)]
    if len(rest) < len(overlays):
        water.show = any(o.show for o in overlays if _is_water(o))
    i = 0
    while i < len(rest) and _filled_base(rest[i]):
        i += 1
    return [*rest[:i], water, *rest[i:]]
