"""The one draw order of every map and figure (interactive, static, report).

Three tiers, bottom first:

1. ``fill``: area fills, i.e. polygons drawn with a fill or a hatch (the district base,
   choropleths, hatched zones and roles);
2. ``reference``: the reference layer (the water, :attr:`Overlay.reference`), opaque, so
   that where it lies the colour is its own legend colour, never a mix with the choropleth
   under it (the water is knocked out of the areas), and the rivers read on every map;
3. ``top``: lines, outline-only polygons and points (plan lines, the city outline, cited
   points, cluster discs): never hidden by a fill or the water.

Within a tier the plan's order holds. The interactive map puts each tier in its own
Leaflet pane (so that a layer switched off and on again keeps its place); point markers of
any layer go to ``top``. Static figures draw the tiers in this order.

>>> import geopandas as gpd, shapely
>>> from gis.render.plan import Overlay
>>> sq = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 1, 1)], crs="EPSG:4326")
>>> pt = gpd.GeoDataFrame(geometry=[shapely.Point(0, 0)], crs="EPSG:4326")
>>> fill = Overlay(sq, "choropleth", style={"fillColor": "#fee391", "fillOpacity": 0.75})
>>> outline = Overlay(sq, "outline", style={"color": "#333", "fill": False})
>>> water = Overlay(sq, "water", reference=True)
>>> [draw_tier(o) for o in (fill, outline, water, Overlay(pt, "points"))]
['fill', 'top', 'reference', 'top']
>>> [o.title for o in in_draw_order([Overlay(pt, "points"), water, outline, fill])]
['choropleth', 'water', 'points', 'outline']
"""

from __future__ import annotations

from typing import Any

from .plan import Overlay

#: the tiers, bottom first
TIERS = ("fill", "reference", "top")


def _has_polygons(gdf: Any) -> bool:
    if gdf is None or getattr(gdf, "empty", True):
        return False
    return bool(gdf.geom_type.isin(["Polygon", "MultiPolygon"]).any())


def draw_tier(ov: Overlay) -> str:
    """The tier an overlay is drawn in: ``fill``, ``reference`` or ``top``."""
    if ov.reference:
        return "reference"
    st = ov.style or {}
    filled = ov.hatch or (
        st.get("fill", True) is not False and float(st.get("fillOpacity", 0.2)) > 0
    )
    return "fill" if filled and _has_polygons(ov.gdf) else "top"


def in_draw_order(overlays: list[Overlay]) -> list[Overlay]:
    """The overlays bottom first: fills, then the reference water, then lines and points
    (a stable sort: the plan's order within a tier)."""
    return sorted(overlays, key=lambda o: TIERS.index(draw_tier(o)))
