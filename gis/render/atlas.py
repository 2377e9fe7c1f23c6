"""The default Wuhan atlas: every layer the catalog holds, on one offline map.

New layers in ``layers/catalog.toml`` appear here without new code.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from ..catalog import Catalog, LayerInfo, load_catalog
from ..layers import layer_status, read_layer
from ..settings import out_dir
from .html import save_html, seeded_ids
from .indicator_layers import indicator_overlays, insert_indicator_overlays, targets_panel
from .overlay import Overlay, build_date, overlay_map

ATLAS_TITLE = "武汉市生产性服务业空间布局 Wuhan productive services atlas"
PLAN = "武汉市加快生产性服务业高质量发展实施方案(2024—2027年) 武政办〔2024〕121号"

#: Colour-blind-safe qualitative palette (Okabe-Ito) for plan layers, in catalog order.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]

BASE_STYLES: dict[str, dict[str, Any]] = {
    "city": {"color": "#333333", "weight": 2.5, "fill": False},
    "districts": {"color": "#666666", "weight": 1, "fillColor": "#f2efe6", "fillOpacity": 0.7},
}


def layer_style(info: LayerInfo, index: int) -> dict[str, Any]:
    """Style of a catalog layer: fixed for base layers, palette colour for plan layers."""
    if info.id in BASE_STYLES:
        return BASE_STYLES[info.id]
    colour = PALETTE[index % len(PALETTE)]
    if info.geometry == "LineString":
        return {"color": colour, "weight": 4, "opacity": 0.9}
    if info.geometry == "Point":
        return {"color": "#ffffff", "weight": 1.5, "fillColor": colour, "fillOpacity": 0.95}
    return {"color": colour, "weight": 2, "fillColor": colour, "fillOpacity": 0.25}


def catalog_overlays(catalog: Catalog) -> list[Overlay]:
    """One overlay per catalog layer whose file holds features, in catalog order."""
    overlays = []
    plan_index = 0
    for info in catalog.values():
        gdf = read_layer(info.id, catalog)
        if gdf.empty:
            continue
        style = layer_style(info, plan_index)
        if info.id not in BASE_STYLES:
            plan_index += 1
        overlays.append(
            Overlay(
                gdf,
                info.title,
                style=style,
                legend="" if info.id == "city" else None,
                group=info.group,
                sources=dict.fromkeys(info.sources, info.license),
                label="name_zh" if info.id == "districts" else None,
            )
        )
    return overlays


def status_html(catalog: Catalog) -> str:
    """'Not fully loaded' line of the title block, e.g. 服务业集聚区 0/58."""
    status = layer_status(catalog)
    short = status[status["expected"].notna() & (status["loaded"] < status["expected"])]
    if short.empty:
        return ""
    items = ", ".join(
        f"{html.escape(str(r.title))} {int(r.loaded)}/{int(r.expected)}"  # type: ignore[call-overload]
        for r in short.itertuples()
    )
    return f"<div class='gis-sub'>未完整载入 Not fully loaded: {items}</div>"


def atlas_map(catalog: Catalog | None = None, *, basemap: str = "none") -> Any:
    """A folium Map of every catalog layer whose file exists (not yet rendered)."""
    cat = catalog or load_catalog()
    overlays = catalog_overlays(cat)
    overlays = insert_indicator_overlays(overlays, indicator_overlays())
    fit = read_layer("city", cat) if "city" in cat else None
    m = overlay_map(
        overlays,
        title=ATLAS_TITLE,
        subtitle=f"{PLAN} · {build_date()}",
        notes_html=status_html(cat),
        basemap=basemap,
        fit=fit,
    )
    targets_panel().add_to(m)
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
