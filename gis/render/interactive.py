"""Draw a :class:`~gis.render.plan.MapPlan` as an interactive folium map.

Overlays are shifted to the basemap's datum for display, polygons simplified
where it is invisible; the title block (with the 示意 note when schematic or
indicative features show), legends, search, attribution, layer control and the
targets panel are added as folium elements over the inlined runtime
(``gis/render/static/``). Nothing here composes a map: the plan says what shows.

>>> import geopandas as gpd, shapely
>>> from gis.render.plan import MapPlan, Overlay, TitleBlock
>>> g = gpd.GeoDataFrame({"name_zh": ["点"], "source": ["test"], "precision": ["cited_point"]},
...                      geometry=[shapely.Point(114.3, 30.6)], crs="EPSG:4326")
>>> m = draw(MapPlan("test", TitleBlock("Test"), [Overlay(g, "示例 Example")]))
>>> page = m.get_root().render()
>>> '"name_zh":"点"' in page, "[114.3,30.6]" in page  # the feature, at its WGS84 position
(True, True)
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from ..basemaps import basemap_datum, tile_layers
from ..crs import reproject, to_display
from ..districts import district_name
from ..io import _json_value, rounded_geojson
from ..settings import DISPLAY_SIMPLIFY_M, HTML_DECIMALS, METRIC_CRS
from . import controls
from .elements import GeoJsonLayer, HatchPatterns, TopoArcs, legend_html
from .order import draw_tier
from .palette import PRECISION_LABELS, PRECISION_STYLES, SCHEMATIC
from .panel import TargetsPanelControl
from .plan import Legend, LegendRow, MapPlan, Overlay, TitleBlock
from .safe import FitBounds, GisMap
from .topo import encode as encode_topology

#: Field labels for tooltips and popups (zh / en).
LABELS = {
    "name_zh": "名称",
    "name_en": "Name",
    "adcode": "行政区划代码 adcode",
    "area_km2": "面积 km² (EPSG:4547)",
    "district": "所在区 district",
    "level": "级别 level",
    "domains": "领域 domains",
    "precision": "精度 precision",
    "source": "来源 source",
    "license": "许可 licence",
    "note": "说明 note",
    "id": "编号 id",
    "functional_zones": "功能区 functional zones (indicative)",
}
TOOLTIP_KEYS = ("name_zh", "name_en", "area_km2", "district", "level", "precision")


def simplify_for_display(gdf: Any, tolerance_m: float = DISPLAY_SIMPLIFY_M) -> Any:
    """Topology-preserving simplification of polygons for display, in metres."""
    import shapely

    if gdf.empty or set(gdf.geom_type.str.replace("Multi", "")) != {"Polygon"}:
        return gdf
    metric = reproject(gdf, METRIC_CRS)
    g = metric.geometry.values
    if bool(shapely.coverage_is_valid(g)):
        simple = shapely.coverage_simplify(g, tolerance_m)
    else:
        simple = shapely.simplify(g, tolerance_m, preserve_topology=True)
    out = metric.copy()
    out.geometry = simple
    return reproject(out, gdf.crs)


def with_district_names(gdf: Any) -> Any:
    """A copy whose ``district`` codes read as names in tooltips and popups
    (``420103`` → ``420103 江汉区``, ``fz_wedz`` → ``fz_wedz 武汉经开区``, lists kept as lists).

    >>> import pandas as pd
    >>> df = pd.DataFrame({"district": ["420103", "420104;420102", "fz_wedz", "?"]})
    >>> with_district_names(df)["district"].tolist()
    ['420103 江汉区', '420104 硚口区;420102 江岸区', 'fz_wedz 武汉经开区', '?']
    """
    if "district" not in gdf.columns:
        return gdf

    def name(value: Any) -> Any:
        if not isinstance(value, str) or not value:
            return value
        parts = re.split(r"([;、,])", value)
        return "".join(
            p
            if p in ";、," or district_name(p.strip()) == p.strip()
            else f"{p.strip()} {district_name(p.strip())}"
            for p in parts
        )

    out = gdf.copy()
    out["district"] = out["district"].map(name)
    return out


def frame_to_geojson(gdf: Any, decimals: int = HTML_DECIMALS) -> dict[str, Any]:
    """Compact GeoJSON dict for a page, coordinates rounded (5 places ≈ 1 m) as Python's
    ``round`` rounds them."""
    cols = [c for c in gdf.columns if c != gdf.geometry.name]
    feats = []
    texts = rounded_geojson(gdf.geometry.values, decimals)
    for row, text in zip(gdf[cols].itertuples(index=False, name=None), texts):
        props = {c: _json_value(v) for c, v in zip(cols, row)}
        gj = json.loads(text) if text is not None else None
        feats.append({"type": "Feature", "properties": props, "geometry": gj})
    return {"type": "FeatureCollection", "features": feats}


def default_fields(gdf: Any) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    cols = [c for c in gdf.columns if c != gdf.geometry.name and not str(c).startswith("_")]
    tooltip = [(k, LABELS.get(k, k)) for k in TOOLTIP_KEYS if k in cols]
    if not tooltip and cols:
        tooltip = [(cols[0], LABELS.get(cols[0], cols[0]))]
    popup = [(k, LABELS.get(k, k)) for k in cols]
    return tooltip, popup


def precisions_of(gdf: Any) -> list[str]:
    if "precision" not in gdf.columns:
        return []
    return sorted({str(p) for p in gdf["precision"].dropna()})


def precision_legend(
    title: str, style: dict[str, Any], precisions: list[str], *, hatch: bool = False
) -> Legend:
    """Legend of one layer: a swatch per precision class it holds (hatched for a hatched
    layer, in its outline colour, as drawn)."""
    fill = (
        style.get("color", "#888") if hatch else style.get("fillColor", style.get("color", "#888"))
    )
    hollow = style.get("fill") is False or style.get("fillOpacity") == 0
    stroke = style.get("color", "#555")
    rows = tuple(
        LegendRow(
            PRECISION_LABELS.get(p, p),
            fill,
            stroke=stroke,
            dashed="dashArray" in PRECISION_STYLES.get(p, {}),
            hollow=hollow,  # an outline-only layer gets a hollow swatch
            hatch=hatch,
        )
        for p in precisions or ["official"]
    )
    return Legend(title, rows)


def overlay_legend(ov: Overlay, precisions: list[str]) -> Legend | None:
    """The legend an overlay shows: its own, else one per precision class; None for none."""
    if not ov.legend_shown:
        return None
    if ov.legend is not None:
        return ov.legend
    return precision_legend(ov.title, ov.style, precisions, hatch=ov.hatch)


def hatch_colours(overlays: list[Overlay]) -> list[str]:
    """Colours of the hatch patterns a page needs: each hatched overlay's feature colours."""
    out: list[str] = []
    for ov in overlays:
        if not ov.hatch or ov.gdf is None:
            continue
        out.append(str(ov.style.get("color", "")))
        if "_c" in ov.gdf.columns:
            out.extend(str(c) for c in ov.gdf["_c"].dropna())
    return sorted(set(out))


def label_points(gdf: Any, column: str | None) -> list[list[Any]]:
    """``[lat, lon, text, area km²]`` of a label per feature, display datum as given.

    A polygon's label sits at the pole of inaccessibility of its largest part (the point
    farthest from its edges), so it stays inside narrow or split districts; the area
    (approximate, for ordering and label size in the runtime) is 0 for points and lines.
    """
    import math

    from shapely.ops import polylabel

    if not column or column not in gdf.columns:
        return []
    out = []
    for geom, text in zip(gdf.geometry.values, gdf[column]):
        if geom is None or geom.is_empty or text is None or text != text:
            continue
        area = 0.0
        if geom.geom_type.endswith("Polygon"):
            part = max(getattr(geom, "geoms", [geom]), key=lambda g: g.area)
            pt = polylabel(part, tolerance=0.0005)
            km_per_deg = 111.32
            area = geom.area * km_per_deg**2 * math.cos(math.radians(pt.y))
        else:
            pt = geom if geom.geom_type == "Point" else geom.representative_point()
        out.append(
            [round(pt.y, HTML_DECIMALS), round(pt.x, HTML_DECIMALS), str(text), round(area, 1)]
        )
    return out


def sources_html(sources: dict[str, str]) -> str:
    """The title block's data sources (source and licence), escaped, folded by default."""
    if not sources:
        return ""
    rows = "".join(
        f"<li>{html.escape(s)}{' (' + html.escape(lic) + ')' if lic else ''}</li>"
        for s, lic in sources.items()
    )
    return (
        f"<details class='gis-sources-list'><summary>数据来源 Data sources ({len(sources)})"
        f"</summary><ul>{rows}</ul></details>"
    )


def title_html(tb: TitleBlock, *, schematic: bool) -> str:
    """HTML of the title block; every text escaped."""
    e = html.escape
    parts = [f"<h1>{e(tb.title)}</h1>"]
    if tb.subtitle:
        parts.append(f"<div class='gis-sub'>{e(tb.subtitle)}</div>")
    if schematic:
        parts.append(
            "<div class='gis-schematic'>示意 — schematic and indicative features are "
            "approximate (dashed / dotted outlines)</div>"
        )
    if tb.not_loaded:
        parts.append(f"<div class='gis-sub'>{e(tb.not_loaded_text())}</div>")
    parts.extend(f"<div class='gis-sub gis-missing'>{e(n)}</div>" for n in tb.not_computed)
    parts.extend(f"<div class='gis-sub'>{e(n)}</div>" for n in tb.notes)
    parts.append(sources_html(tb.sources))
    return "".join(parts)


def add_basemap(m: Any, key: str) -> None:
    """Add the basemap's tile layers to folium map ``m`` (nothing for ``none``).

    Drawn by the runtime (``GIS.tiles``) so that the grouped layer control lists
    them under 底图 Base map.
    """
    tiles = tile_layers(key)
    if tiles:
        controls.Tiles(f"底图 {key}", tiles).add_to(m)


def draw(plan: MapPlan) -> Any:
    """A folium Map of the plan (overlays bottom first), ready for
    :func:`gis.render.html.save_html`."""
    datum = basemap_datum(plan.basemap)
    m = GisMap(location=[30.6, 114.3], zoom_start=10, tiles=None, attribution_control=True)
    add_basemap(m, plan.basemap)
    bounds = None
    prepared = []
    for ov in plan.overlays:
        gdf = ov.gdf
        if gdf is None or gdf.empty:
            continue
        precisions = precisions_of(gdf)
        shown = simplify_for_display(gdf) if ov.simplify else gdf
        shown = with_district_names(to_display(shown, datum))
        prepared.append((ov, gdf, precisions, shown, frame_to_geojson(shown)))
        b = shown.total_bounds
        bounds = (
            b
            if bounds is None
            else [
                min(bounds[0], b[0]),
                min(bounds[1], b[1]),
                max(bounds[2], b[2]),
                max(bounds[3], b[3]),
            ]
        )
    # every border once for the whole page (shared by neighbours and by repeated layers)
    arcs, encoded = encode_topology([p[4] for p in prepared])
    if arcs:
        TopoArcs(arcs).add_to(m)
    for (ov, gdf, precisions, shown, _gj), data in zip(prepared, encoded):
        tip, pop = default_fields(gdf)
        legend = overlay_legend(ov, precisions)
        GeoJsonLayer(
            data,
            name=ov.title,
            style=ov.style,
            tooltip=ov.tooltip if ov.tooltip is not None else tip,
            popup=ov.popup if ov.popup is not None else pop,
            legend=legend_html(legend) if legend is not None else None,
            show=ov.show,
            radius=ov.radius,
            color_strokes=ov.color_strokes,
            group=ov.group,
            schematic=bool(SCHEMATIC & set(precisions)),
            labels=label_points(shown, ov.label),
            hatch=ov.hatch,
            tier=draw_tier(ov),
        ).add_to(m)
    patterns = hatch_colours([p[0] for p in prepared])
    if patterns:
        HatchPatterns(patterns).add_to(m)
    if plan.fit is not None and not plan.fit.empty:
        bounds = to_display(plan.fit, datum).total_bounds
    if bounds is not None and (bounds[2] - bounds[0] < 0.01 or bounds[3] - bounds[1] < 0.01):
        # a single point (or a tiny extent): show about 2 km around it, not an infinite zoom
        cx, cy = (bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2
        bounds = [cx - 0.01, cy - 0.01, cx + 0.01, cy + 0.01]
    tb = plan.title_block
    controls.TitleBlock(title_html(tb, schematic=tb.schematic)).add_to(m)
    attribution = " | ".join(
        f"{html.escape(s)} ({html.escape(lic)})" if lic else html.escape(s)
        for s, lic in tb.sources.items()
    )
    # always called: it also replaces Leaflet's default prefix
    controls.Attribution(
        f"<span class='gis-sources'>数据 Data: {attribution}</span>" if attribution else ""
    ).add_to(m)
    for control in (
        controls.Search,
        controls.LayerControl,
        controls.Fullscreen,
        controls.Measure,
        controls.Scale,
        controls.Minimap,
    ):
        control().add_to(m)
    if bounds is not None:
        x0, y0, x1, y1 = (float(v) for v in bounds)
        m.add_child(FitBounds([[y0, x0], [y1, x1]]))
    if plan.panel is not None:
        TargetsPanelControl(plan.panel).add_to(m)
    return m
