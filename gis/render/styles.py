"""Styles of map-spec layers: Leaflet path options, ``_c`` colours and legends.

:func:`style_overlay` turns a validated :class:`gis.spec.StyleSpec` and a frame
into :class:`~gis.render.overlay.Overlay` keyword arguments. Categorical colours
are assigned here (display only); choropleth classes come from
:func:`gis.render.indicator_layers.choropleth_overlay` (values and classes from
:mod:`gis.classify`). Problems are appended to ``problems`` with the spec's key
path, never raised one by one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..spec import StyleSpec


def numeric_problems(series: Any, path: str, problems: list[str]) -> Any:
    import pandas as pd

    num = pd.to_numeric(series, errors="coerce")
    bad = series[num.isna() & series.notna() & (series.astype(str).str.strip() != "")]
    for i, v in bad.items():
        problems.append(f"{path}: feature {i}: {v!r} is not a number")
    return num


def style_overlay(
    gdf: Any,
    style: StyleSpec,
    *,
    title: str,
    geometry: str,
    index: int,
    path: str,
    problems: list[str],
) -> dict[str, Any]:
    """Overlay keyword arguments (style, legend, frame with ``_c`` colours) for a style spec."""
    from .atlas import PALETTE
    from .elements import legend_html, swatch

    colour = style.color or PALETTE[index % len(PALETTE)]
    base: dict[str, Any]
    if geometry == "Point" or (geometry != "LineString" and style.kind == "point"):
        base = {"color": "#ffffff", "weight": 1.5, "fillColor": colour, "fillOpacity": 0.95}
    elif geometry == "LineString" or style.kind == "line":
        base = {"color": colour, "weight": 4, "opacity": 0.9}
    else:
        base = {
            "color": colour,
            "weight": 2,
            "fillColor": style.fill or colour,
            "fillOpacity": 0.25,
        }
    for key, attr in (
        ("weight", "weight"),
        ("opacity", "opacity"),
        ("fillOpacity", "fill_opacity"),
    ):
        v = getattr(style, attr)
        if v is not None:
            base[key] = v
    if style.fill:
        base["fillColor"] = style.fill
    kw: dict[str, Any] = {"style": base, "gdf": gdf}
    if style.radius:
        kw["radius"] = style.radius
    line_or_point = geometry in ("LineString", "Point")
    if style.kind == "categorical" and style.column:
        if style.column not in gdf.columns:
            problems.append(f"{path}.column: {style.column!r} is not a column of the layer")
            return kw
        raw_values = gdf[style.column].fillna("").astype(str)
        if style.split:
            parts = raw_values.map(lambda t: [x.strip() for x in t.split(style.split) if x.strip()])
            keys = parts.map(lambda xs: xs[0] if len(xs) == 1 else (MULTI if xs else ""))
        else:
            keys = raw_values
        values = sorted(v for v in set(keys) if v and v != MULTI)
        palette = list(style.palette) or PALETTE
        cmap = {v: palette[i % len(palette)] for i, v in enumerate(values)}
        if (keys == MULTI).any():
            cmap[MULTI] = MULTI_COLOUR
        out = gdf.copy()
        out["_c"] = keys.map(cmap).fillna(NO_DATA_COLOUR).to_numpy()
        kw["gdf"] = out
        kw["color_strokes"] = line_or_point and geometry != "Point"
        if geometry == "Polygon" and style.fill_opacity is None:
            base["fillOpacity"] = 0.55
        if (keys == "").any():
            cmap[NO_DATA] = NO_DATA_COLOUR
        items = [(swatch(c, stroke=base["color"]), style.labels.get(v, v)) for v, c in cmap.items()]
        kw["legend"] = legend_html(title, items)
    elif style.kind == "choropleth" and style.column:
        if style.column not in gdf.columns:
            problems.append(f"{path}.column: {style.column!r} is not a column of the layer")
            return kw
        numeric_problems(gdf[style.column], f"{path}.column {style.column!r}", problems)
        try:
            from .indicator_layers import choropleth_overlay
        except ImportError:
            problems.append(
                f"{path}.kind: choropleth maps need gis.render.indicator_layers, which is not "
                "available in this installation"
            )
            return kw
        if problems:
            return kw
        ov = choropleth_overlay(
            gdf,
            style.column,
            title=title,
            unit=style.unit,
            year=style.year,
            source=style.source,
            scheme=style.scheme,
            k=style.k,
        )
        kw.update(gdf=ov.gdf, style=ov.style, legend=ov.legend)
        kw["tooltip"], kw["popup"] = ov.tooltip, ov.popup
    return kw


MULTI = "多类 several"
MULTI_COLOUR = "#555555"
NO_DATA = "无数据 no data"
NO_DATA_COLOUR = "#cccccc"
