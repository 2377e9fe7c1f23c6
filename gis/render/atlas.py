"""The default Wuhan atlas: every layer the catalog holds, on one offline map.

>>> from gis.render.atlas import atlas_map
>>> m = atlas_map()            # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import html
import os
from pathlib import Path
from typing import Any

from ..catalog import Catalog, LayerInfo, load_catalog
from ..crs import to_display
from ..layers import layer_status, read_layer
from ..settings import METRIC_CRS, out_dir
from .elements import (
    PRECISION_LABELS,
    PRECISION_STYLES,
    GeoJsonLayer,
    MapScript,
    legend_html,
    swatch,
    title_html,
)
from .html import save_html, seeded_ids

ATLAS_TITLE = "武汉市生产性服务业空间布局 Wuhan productive services atlas"
PLAN = "武汉市加快生产性服务业高质量发展实施方案(2024—2027年) 武政办〔2024〕121号"

#: Colour-blind-safe qualitative palette (Okabe-Ito) for plan layers, in catalog order.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]

BASE_STYLES: dict[str, dict[str, Any]] = {
    "city": {"color": "#333333", "weight": 2.5, "fill": False},
    "districts": {"color": "#666666", "weight": 1, "fillColor": "#f2efe6", "fillOpacity": 0.7},
}

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
}

#: Display simplification: invisible at the atlas zooms (1 px ≈ 33 m at zoom 12).
SIMPLIFY_M = 15.0
#: Decimal places of lon/lat in the HTML (1e-5 deg ≈ 1 m).
HTML_DECIMALS = 5


def _simplify(gdf: Any) -> Any:
    """Topology-preserving simplification for display, in metres."""
    import shapely

    geoms = gdf.geometry.values
    kinds = set(gdf.geom_type.str.replace("Multi", ""))
    if kinds != {"Polygon"}:
        return gdf
    metric = gdf.to_crs(METRIC_CRS)
    g = metric.geometry.values
    if bool(shapely.coverage_is_valid(g)):
        simple = shapely.coverage_simplify(g, SIMPLIFY_M)
    else:
        simple = shapely.simplify(g, SIMPLIFY_M, preserve_topology=True)
    out = metric.copy()
    out.geometry = simple
    out = out.to_crs(gdf.crs)
    del geoms
    return out


def _geojson(gdf: Any) -> dict[str, Any]:
    """Compact GeoJSON dict for the page, coordinates rounded to ~1 m."""
    import json

    import shapely

    from ..io import _json_value, _round_coords

    cols = [c for c in gdf.columns if c != gdf.geometry.name]
    feats = []
    for row, geom in zip(gdf[cols].itertuples(index=False, name=None), gdf.geometry.values):
        gj = json.loads(shapely.to_geojson(geom)) if geom is not None else None
        if gj is not None:
            gj["coordinates"] = _round_coords(gj["coordinates"], HTML_DECIMALS)
        props = {c: _json_value(v) for c, v in zip(cols, row)}
        feats.append({"type": "Feature", "properties": props, "geometry": gj})
    return {"type": "FeatureCollection", "features": feats}


def _fields(gdf: Any, info: LayerInfo) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    cols = [c for c in gdf.columns if c != gdf.geometry.name and not c.startswith("_")]
    tip_keys = [
        k for k in ("name_zh", "name_en", "area_km2", "district", "level", "precision") if k in cols
    ]
    tooltip = [(k, LABELS.get(k, k)) for k in tip_keys]
    popup = [(k, LABELS.get(k, k)) for k in cols]
    return tooltip, popup


def _layer_style(info: LayerInfo, index: int) -> dict[str, Any]:
    if info.id in BASE_STYLES:
        return BASE_STYLES[info.id]
    colour = PALETTE[index % len(PALETTE)]
    if info.geometry == "LineString":
        return {"color": colour, "weight": 4, "opacity": 0.9}
    if info.geometry == "Point":
        return {"color": "#ffffff", "weight": 1.5, "fillColor": colour, "fillOpacity": 0.95}
    return {"color": colour, "weight": 2, "fillColor": colour, "fillOpacity": 0.25}


def _legend(info: LayerInfo, style: dict[str, Any], precisions: list[str]) -> str:
    fill = style.get("fillColor", style.get("color", "#888"))
    stroke = style.get("color", "#555")
    items = []
    for p in precisions:
        dashed = "dashArray" in PRECISION_STYLES.get(p, {})
        items.append((swatch(fill, stroke=stroke, dash=dashed), PRECISION_LABELS.get(p, p)))
    return legend_html(info.title, items)


def _status_html(catalog: Catalog) -> str:
    status = layer_status(catalog)
    short = status[status["expected"].notna() & (status["loaded"] < status["expected"])]
    if short.empty:
        return ""
    items = ", ".join(
        f"{html.escape(r.title)} {int(r.loaded)}/{int(r.expected)}" for r in short.itertuples()
    )
    return f"<div class='gis-sub'>未完整载入 Not fully loaded: {items}</div>"


def build_date() -> str:
    """Today, or the date of ``SOURCE_DATE_EPOCH`` (reproducible builds) when set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date().isoformat()
    return dt.date.today().isoformat()


def atlas_map(catalog: Catalog | None = None, *, basemap: str = "none") -> Any:
    """A folium Map of every catalog layer whose file exists (not yet rendered)."""
    import folium

    from ..basemaps import add_basemap, basemap_datum

    cat = catalog or load_catalog()
    datum = basemap_datum(basemap)
    city = read_layer("city", cat) if "city" in cat else None
    m = folium.Map(
        location=[30.6, 114.3],
        zoom_start=10,
        tiles=None,
        control_scale=False,
        prefer_canvas=False,
        attribution_control=True,
    )
    add_basemap(m, basemap)
    sources: dict[str, str] = {}
    schematic = False
    plan_index = 0
    for info in cat.values():
        gdf = read_layer(info.id, cat)
        if gdf.empty:
            continue
        precisions = sorted(set(gdf.get("precision", [info.precision])) - {None})
        schematic |= bool({"schematic", "indicative"} & set(precisions))
        style = _layer_style(info, plan_index)
        if info.id not in BASE_STYLES:
            plan_index += 1
        shown = to_display(_simplify(gdf), datum)
        tooltip, popup = _fields(gdf, info)
        GeoJsonLayer(
            _geojson(shown),
            name=info.title,
            style=style,
            tooltip=tooltip,
            popup=popup,
            legend=_legend(info, style, precisions) if info.id != "city" else None,
        ).add_to(m)
        for s in info.sources:
            sources[s] = info.license
    subtitle = f"{PLAN} · {build_date()}"
    MapScript(
        "title", title_html(ATLAS_TITLE, subtitle, schematic=schematic, extra=_status_html(cat))
    ).add_to(m)
    attribution = " | ".join(
        f"{html.escape(s)} ({html.escape(lic)})" if lic else html.escape(s)
        for s, lic in sources.items()
    )
    MapScript("attribution", f"<span class='gis-sources'>数据 Data: {attribution}</span>").add_to(m)
    MapScript("search").add_to(m)
    MapScript("fullscreen").add_to(m)
    MapScript("scale").add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    if city is not None and not city.empty:
        x0, y0, x1, y1 = to_display(city, datum).total_bounds
        m.fit_bounds([[float(y0), float(x0)], [float(y1), float(x1)]])
    return m


def build_atlas(
    out: str | Path | None = None,
    *,
    catalog: Catalog | None = None,
    basemap: str = "none",
    offline: bool = True,
    seed: int = 0,
) -> Path:
    """Write the default atlas (``maps/out/wuhan_atlas.html``) and return its path."""
    path = Path(out) if out else out_dir() / "wuhan_atlas.html"
    with seeded_ids(seed):
        m = atlas_map(catalog, basemap=basemap)
        return save_html(m, path, offline=offline)
