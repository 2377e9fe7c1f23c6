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


def _missing_column(column: str, gdf: Any, path: str) -> str:
    """``layers[i].style.column: 'domain' is not a column of the layer (did you mean …)``."""
    import difflib

    cols = [str(c) for c in gdf.columns if c != "geometry" and not str(c).startswith("_")]
    near = difflib.get_close_matches(column, cols, n=1, cutoff=0.5)
    hint = f" (did you mean {near[0]!r}?)" if near else ""
    return (
        f"{path}.column: {column!r} is not a column of the layer{hint}; columns: {', '.join(cols)}"
    )


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
            problems.append(_missing_column(style.column, gdf, path))
            return kw
        raw_values = gdf[style.column].fillna("").astype(str)
        if style.split:
            parts = raw_values.map(lambda t: [x.strip() for x in t.split(style.split) if x.strip()])
            keys = parts.map(lambda xs: xs[0] if len(xs) == 1 else (MULTI if xs else ""))
        else:
            keys = raw_values
        values = sorted(v for v in set(keys) if v and v != MULTI)
        palette = list(style.palette) or categorical_palette(len(values))
        if len(values) > len(palette):
            problems.append(
                f"{path}.column: {style.column!r} has {len(values)} categories but "
                f"{len(palette)} colours tell them apart; give style.palette with "
                f"{len(values)} colours or map fewer categories"
            )
            return kw
        cmap = {v: palette[i] for i, v in enumerate(values)}
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
        # the swatch as opaque as the features, so legend and map colours match
        opacity = float(base.get("fillOpacity", base.get("opacity", 0.6)))
        items = [
            (swatch(c, stroke=base["color"], opacity=opacity), style.labels.get(v, v))
            for v, c in cmap.items()
        ]
        kw["legend"] = legend_html(title, items)
    elif style.kind == "choropleth" and style.column:
        if style.column not in gdf.columns:
            problems.append(_missing_column(style.column, gdf, path))
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
#: Mid grey: apart from black (the 8th Okabe-Ito colour) and the light no-data grey.
MULTI_COLOUR = "#999999"

#: ColorBrewer "Paired" (12 classes): for 9-12 categories (the plan has 12 domains).
PAIRED_12 = [
    "#1f78b4", "#33a02c", "#e31a1c", "#ff7f00", "#6a3d9a", "#b15928",
    "#a6cee3", "#b2df8a", "#fb9a99", "#fdbf6f", "#cab2d6", "#ffff99",
]  # fmt: skip
#: matplotlib "tab20" without its two greys (kept for 多类 and no data): 13-18 categories
#: (e.g. the 13 districts).
TAB18 = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
    "#bcbd22", "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896",
    "#c5b0d5", "#c49c94", "#f7b6d2", "#dbdb8d", "#9edae5",
]  # fmt: skip


def categorical_palette(n: int) -> list[str]:
    """Distinct colours for ``n`` categories: Okabe-Ito up to 8, then Paired (12), TAB18.

    Colours never repeat: more than 18 categories need a palette from the spec.

    >>> len(categorical_palette(8)), len(categorical_palette(12)), len(categorical_palette(13))
    (8, 12, 18)
    """
    from .atlas import PALETTE

    if n <= len(PALETTE):
        return list(PALETTE)
    if n <= len(PAIRED_12):
        return list(PAIRED_12)
    return list(TAB18)


NO_DATA = "无数据 no data"
NO_DATA_COLOUR = "#cccccc"
