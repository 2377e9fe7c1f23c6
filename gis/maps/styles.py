"""Styles of overlays: Leaflet path options, ``_c`` colours and legends (as data).

:func:`layer_style` is the style of a catalog layer (fixed for base layers, a palette
colour for plan layers); :func:`style_overlay` turns a validated
:class:`gis.maps.spec.StyleSpec` and a frame into
:class:`~gis.render.plan.Overlay` keyword arguments; :func:`choropleth_overlay` and
:func:`attainment_overlay` colour values by class (values and classes from
:mod:`gis.classify`). Categorical colours are assigned here (display only). Problems
are appended to ``problems`` with the spec's key path, never raised one by one.

Tooltips of indicator overlays show value, unit, year and source; legends carry the
unit and the year; features without a value are drawn in the no-data colour and say so.

>>> from gis.layers import read_layer
>>> from gis.indicators import census_density
>>> d = census_density(read_layer("districts"))
>>> ov = choropleth_overlay(d, "density_2020", title="人口密度 Density", unit="人/km²",
...                         year="2020", source="七普", scheme="natural_breaks", k=5)
>>> ov.gdf.loc[ov.gdf["adcode"] == "420103", "value_text"].item()
'22,610 人/km²'
"""

from __future__ import annotations

import dataclasses
import difflib
import math
from typing import Any

import pandas as pd

from ..catalog import LayerInfo
from ..classify import SEQUENTIAL, Classification, classify, classify_attainment
from ..render.palette import (
    MIN_COLOUR_DISTANCE,
    MULTI,
    MULTI_COLOUR,
    NO_DATA_COLOUR,
    NO_DATA_LABEL,
    PALETTE,
    categorical_palette,
    colour_distance,
    distinct_palette,
)
from ..render.plan import Legend, LegendRow, Overlay
from .spec import StyleSpec

#: Colours that mean the same on every map (no data, several categories): never remapped.
SPECIAL_COLOURS = frozenset({NO_DATA_COLOUR, MULTI_COLOUR})

#: the water layer (gis/maps/water.py): a reference layer drawn above every area fill and
#: below lines and points (gis/render/order.py); a light, opaque blue (the water is knocked
#: out of a choropleth under it: where it lies its colour is the legend's, never a mix) with
#: a thin outline; river centre lines as thin lines in the outline colour
WATER_STYLE: dict[str, Any] = {
    "color": "#6f9fcb",
    "weight": 1.2,
    "fillColor": "#bcd5ec",
    "fillOpacity": 1.0,
}

BASE_STYLES: dict[str, dict[str, Any]] = {
    "city": {"color": "#333333", "weight": 2.5, "fill": False},
    "districts": {"color": "#666666", "weight": 1, "fillColor": "#f2efe6", "fillOpacity": 0.7},
    "water": WATER_STYLE,
}


def layer_style(info: LayerInfo, index: int, geometry: str | None = None) -> dict[str, Any]:
    """Style of a catalog layer: fixed for base layers, palette colour for plan layers.
    ``geometry``: the kind its features hold (e.g. "Point" for a "Mixed" layer of points)."""
    if info.id in BASE_STYLES:
        return dict(BASE_STYLES[info.id])
    colour = PALETTE[index % len(PALETTE)]
    kind = geometry or info.geometry
    if kind == "LineString":
        return {"color": colour, "weight": 4, "opacity": 0.9}
    if kind == "Point":
        return {"color": "#ffffff", "weight": 1.5, "fillColor": colour, "fillOpacity": 0.95}
    return {"color": colour, "weight": 2, "fillColor": colour, "fillOpacity": 0.25}


def numeric_problems(series: Any, path: str, problems: list[str]) -> Any:
    num = pd.to_numeric(series, errors="coerce")
    bad = series[num.isna() & series.notna() & (series.astype(str).str.strip() != "")]
    for i, v in bad.items():
        problems.append(f"{path}: feature {i}: {v!r} is not a number")
    return num


def _missing_column(column: str, gdf: Any, path: str) -> str:
    """``layers[i].style.column: 'domain' is not a column of the layer (did you mean …)``."""
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
            cmap[NO_DATA_LABEL] = NO_DATA_COLOUR
        # the swatch as opaque as the features, so legend and map colours match
        opacity = float(base.get("fillOpacity", base.get("opacity", 0.6)))
        rows = tuple(
            LegendRow(style.labels.get(v, v), c, stroke=base["color"], opacity=opacity)
            for v, c in cmap.items()
        )
        kw["legend"] = Legend(title, rows)
    elif style.kind == "choropleth" and style.column:
        if style.column not in gdf.columns:
            problems.append(_missing_column(style.column, gdf, path))
            return kw
        numeric_problems(gdf[style.column], f"{path}.column {style.column!r}", problems)
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


# ---------------------------------------------------------------- values by class

#: Tooltip of every indicator overlay: (property, label).
INDICATOR_TOOLTIP = [
    ("name_zh", "名称"),
    ("indicator", "指标 indicator"),
    ("value_text", "数值 value"),
    ("year", "年份 year"),
    ("indicator_source", "数据来源 source"),
]
STYLE: dict[str, Any] = {"color": "#555555", "weight": 1, "fillOpacity": 0.75}


def format_value(value: float, unit: str, bound: str = "") -> str:
    """'1,092,750 人', '>8.6 万亿元', or the no-data label.

    >>> format_value(1092750.0, "人")
    '1,092,750 人'
    >>> format_value(float("nan"), "人")
    '无数据 no data'
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NO_DATA_LABEL
    v = float(value)
    text = f"{v:,.0f}" if abs(v) >= 100 or v.is_integer() else f"{v:,.4g}"
    return f"{bound}{text} {unit}".strip()


def _base_columns(gdf: Any) -> list[str]:
    keep = ["adcode", "id", "name_zh", "name_en", "precision", "source"]
    return [c for c in keep if c in gdf.columns]


def _legend(
    title: str, unit: str, year: str, clf: Classification, has_no_data: bool, note: str = ""
) -> Legend:
    # the swatch as opaque as the fill on the map, so the legend shows the colour drawn
    op = float(STYLE["fillOpacity"])
    rows = [LegendRow(lab, c, opacity=op) for c, lab in zip(clf.colors, clf.labels)]
    if has_no_data:
        rows.append(LegendRow(NO_DATA_LABEL, NO_DATA_COLOUR, opacity=op))
    head = f"{title} ({unit}, {year})" if year else f"{title} ({unit})"
    return Legend(head, tuple(rows), note)


def choropleth_overlay(
    gdf: Any,
    column: str,
    *,
    title: str,
    unit: str,
    year: str = "",
    source: str = "",
    scheme: str = "quantiles",
    k: int = 5,
    bins: list[float] | None = None,
    bound_column: str | None = None,
    note: str = "",
    extra: list[tuple[str, str]] | None = None,
    show: bool = True,
    group: str = "indicators",
    id: str = "",
    integer: bool = False,
) -> Overlay:
    """A choropleth of ``gdf[column]`` classified by ``scheme`` (see :func:`gis.classify.classify`).

    ``integer``: the values are counts; class breaks are whole numbers and classes read
    "1 – 3", "4 – 10" (see :func:`count_breaks`).

    ``source`` is the indicator's source (the geometry keeps its own ``source``); a
    per-feature ``indicator_source`` column in ``gdf`` wins over it. ``bound_column`` holds
    '>' for lower bounds, shown in the tooltip. ``extra`` lists further (column, label)
    pairs of ``gdf`` shown in the tooltip as they are. NaN values are no data.
    """
    if column not in gdf.columns:
        raise KeyError(column)
    if integer:
        bins = count_breaks(gdf[column], k=k, scheme=scheme)
        scheme = "user"
    clf = classify(gdf[column], scheme=scheme, k=k, bins=bins)
    if integer and clf.bins:
        clf.labels = count_labels(gdf[column], clf.bins)
    cols = _base_columns(gdf)
    shown = gdf[[*cols, gdf.geometry.name]].copy()
    values = pd.to_numeric(gdf[column], errors="coerce").astype(float)
    bounds = gdf[bound_column].fillna("") if bound_column else pd.Series("", index=gdf.index)
    shown["indicator"] = title
    shown["value_text"] = [format_value(v, unit, b) for v, b in zip(values, bounds)]
    shown["year"] = year
    if "indicator_source" in gdf.columns:
        shown["indicator_source"] = gdf["indicator_source"].where(
            values.notna() & (gdf["indicator_source"] != ""), source
        )
    else:
        shown["indicator_source"] = source
    if "indicator_quality" in gdf.columns:
        shown["indicator_quality"] = gdf["indicator_quality"]
    for col, _ in extra or []:
        shown[col] = gdf[col]
    if "caveat" in gdf.columns:
        shown["caveat"] = gdf["caveat"]
    shown["_c"] = clf.color_of().to_numpy()
    tooltip = INDICATOR_TOOLTIP[:3] + list(extra or []) + INDICATOR_TOOLTIP[3:]
    if "indicator_quality" in shown:
        tooltip.append(("indicator_quality", "来源质量 source quality"))
    tooltip += [("caveat", "注意 caveat")] if "caveat" in shown else []
    popup = tooltip + [
        ("precision", "边界精度 boundary precision"),
        ("source", "边界来源 boundary"),
    ]
    return Overlay(
        shown,
        f"{title} ({year})" if year else title,
        id=id,
        style=dict(STYLE),
        tooltip=tooltip,
        popup=popup,
        legend=_legend(title, unit, year, clf, bool(values.isna().any()), note),
        show=show,
        group=group,
        sources={source: ""} if source else {},
    )


def count_breaks(values: Any, *, k: int = 5, scheme: str = "natural_breaks") -> list[float]:
    """Whole-number upper class bounds of counts: ``scheme`` breaks rounded up, repeats
    dropped, the largest count last (never "0 – 0.4" or "34 – 93.2").

    >>> count_breaks(pd.Series([0, 0, 1, 2, 3, 34, 40, 93]), k=4)
    [3.0, 34.0, 40.0, 93.0]
    >>> count_breaks(pd.Series([0, 0.0, 1, 1]), k=5)
    [0.0, 1.0]
    """
    v = pd.to_numeric(pd.Series(values), errors="coerce").dropna()
    if v.empty:
        return []
    clf = classify(v, scheme=scheme, k=k)
    edges = sorted({float(math.ceil(b - 1e-9)) for b in clf.bins} | {float(v.max())})
    return [b for b in edges if b <= float(v.max())]


def count_labels(values: Any, bins: list[float]) -> list[str]:
    """Labels of whole-number classes: ``0 – 3``, ``4 – 40``, ``41`` (one value).

    >>> count_labels(pd.Series([0, 5, 41]), [3.0, 40.0, 41.0])
    ['0 – 3', '4 – 40', '41']
    """
    v = pd.to_numeric(pd.Series(values), errors="coerce").dropna()
    lo = int(v.min()) if len(v) else 0
    out = []
    for b in bins:
        hi = int(b)
        out.append(f"{lo:,}" if lo == hi else f"{lo:,} – {hi:,}")
        lo = hi + 1
    return out


def nice_breaks(values: Any, *, k: int = 5, scheme: str = "natural_breaks") -> list[float]:
    """Upper class bounds of a rate (e.g. 家/km²) rounded to two significant figures
    (upwards, so every value stays in a class), repeats dropped.

    >>> nice_breaks(pd.Series([0.12, 0.4, 3.3, 12.7, 93.24]), k=3)
    [3.3, 13.0, 94.0]
    """
    v = pd.to_numeric(pd.Series(values), errors="coerce").dropna()
    if v.empty:
        return []

    def up(x: float) -> float:
        if x <= 0:
            return 0.0
        step = 10 ** (math.floor(math.log10(x)) - 1)
        return float(round(math.ceil(round(x / step, 9)) * step, 10))

    return sorted({up(float(b)) for b in classify(v, scheme=scheme, k=k).bins})


def attainment_overlay(
    gdf: Any,
    value_column: str,
    target_column: str,
    *,
    title: str,
    unit: str,
    year: str = "",
    source: str = "",
    show: bool = True,
    id: str = "",
) -> Overlay:
    """Value against target per feature, diverging at 100% (PuOr); no data where either is missing."""
    values = pd.to_numeric(gdf[value_column], errors="coerce").astype(float)
    targets = pd.to_numeric(gdf[target_column], errors="coerce").astype(float)
    ratio = values / targets.where(targets > 0)
    clf = classify_attainment(ratio)
    cols = _base_columns(gdf)
    shown = gdf[[*cols, gdf.geometry.name]].copy()
    shown["indicator"] = title
    shown["value_text"] = [format_value(v, unit) for v in values]
    shown["target_text"] = [format_value(t, unit) for t in targets]
    shown["attainment"] = [
        NO_DATA_LABEL if math.isnan(x) else f"{x:.0%}" for x in ratio.astype(float)
    ]
    shown["year"] = year
    shown["indicator_source"] = source
    shown["_c"] = clf.color_of().to_numpy()
    tooltip = [
        ("name_zh", "名称"),
        ("value_text", "数值 value"),
        ("target_text", "目标 target"),
        ("attainment", "完成度 attainment"),
        ("year", "年份 year"),
        ("indicator_source", "数据来源 source"),
    ]
    return Overlay(
        shown,
        f"{title} 完成度 attainment",
        id=id,
        style=dict(STYLE),
        tooltip=tooltip,
        popup=tooltip,
        legend=_legend(f"{title} 完成度 value / target", "%", year, clf, bool(ratio.isna().any())),
        show=show,
        group="indicators",
        sources={source: ""} if source else {},
    )


# ---------------------------------------------------------------- layers legible together


def _kinds(ov: Overlay) -> set[str]:
    if ov.gdf is None or ov.gdf.empty:
        return set()
    return set(ov.gdf.geom_type.dropna().str.replace("Multi", ""))


#: Classes of a hatched choropleth (e.g. counts per cluster disc over a density of the
#: districts): ColorBrewer Blues without its lightest steps, apart from the YlOrBr fills
#: under it and dark enough to show as hatch lines.
HATCH_SEQUENTIAL = ["#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b"]


def _classed(ov: Overlay) -> bool:
    """True for a choropleth (its colours are the sequential classes of gis.classify)."""
    if ov.legend is None or "_c" not in ov.gdf.columns:
        return False
    steps = {c for cols in SEQUENTIAL.values() for c in cols}
    fills = {r.fill for r in ov.legend.rows} - {NO_DATA_COLOUR}
    return bool(fills) and fills <= steps


def _hatched(ov: Overlay) -> Overlay:
    """The overlay drawn as hatching and outline in its colours (legend rows hatched too);
    a choropleth's classes move to :data:`HATCH_SEQUENTIAL` (light steps would not show)."""
    if _classed(ov) and ov.legend is not None:
        classes = [r.fill for r in ov.legend.rows if r.fill != NO_DATA_COLOUR]
        n, m = len(classes), len(HATCH_SEQUENTIAL)
        picks = [HATCH_SEQUENTIAL[round(i * (m - 1) / max(n - 1, 1))] for i in range(n)]
        if n == 1:
            picks = [HATCH_SEQUENTIAL[3]]
        ov = _recoloured(ov, dict(zip(classes, picks)))
    legend = ov.legend
    if legend is not None:
        rows = tuple(dataclasses.replace(r, hatch=True, opacity=1.0) for r in legend.rows)
        legend = dataclasses.replace(legend, rows=rows)
    style = {k: v for k, v in ov.style.items() if k not in ("fillColor", "fillOpacity")}
    style["weight"] = max(float(style.get("weight", 2)), 2.0)
    return dataclasses.replace(ov, hatch=True, legend=legend, style=style)


def _fill_colours(ov: Overlay) -> set[str]:
    """Colours an overlay paints over areas (fills, hatches and coloured outlines)."""
    if "Polygon" not in _kinds(ov):
        return set()
    out = {str(ov.style.get("color", ""))} if ov.hatch else set()
    if ov.style.get("fill") is not False and not ov.hatch:
        out.add(str(ov.style.get("fillColor", ov.style.get("color", ""))))
    if "_c" in ov.gdf.columns:
        out |= {str(c) for c in ov.gdf["_c"].dropna()}
    return {c for c in out if c.startswith("#") and len(c) == 7}


def _recoloured(ov: Overlay, cmap: dict[str, str]) -> Overlay:
    gdf = ov.gdf.copy()
    gdf["_c"] = gdf["_c"].map(lambda c: cmap.get(c, c))
    legend = ov.legend
    if legend is not None:
        rows = tuple(dataclasses.replace(r, fill=cmap.get(r.fill, r.fill)) for r in legend.rows)
        legend = dataclasses.replace(legend, rows=rows)
    return dataclasses.replace(ov, gdf=gdf, legend=legend)


def legible_layers(overlays: list[Overlay]) -> list[Overlay]:
    """Overlays that stay legible drawn together (issue 11), as a new list:

    - polygons of indicative extent (``precision = indicative``: host districts, cited
      circles) and the district roles are hatched with an outline in their colour, never
      filled: a fill over a choropleth would mix into a colour no legend shows;
    - category colours of point layers are kept apart from every colour painted over
      areas (choropleth classes, role and zone hatches): a point whose colour equals the
      fill under it cannot be read.
    """
    out = []
    for ov in overlays:
        indicative = (
            ov.gdf is not None
            and "precision" in getattr(ov.gdf, "columns", ())
            and (ov.gdf["precision"] == "indicative").any()
        )
        if "Polygon" in _kinds(ov) and ov.group != "base" and indicative and not ov.hatch:
            ov = _hatched(ov)
        out.append(ov)
    areas: set[str] = set()
    for ov in out:
        areas |= _fill_colours(ov)
    for i, ov in enumerate(out):
        if _kinds(ov) != {"Point"} or not areas:
            continue
        if "_c" not in ov.gdf.columns:  # one colour for the layer
            fill = str(ov.style.get("fillColor", ""))
            if fill.startswith("#") and any(
                colour_distance(fill, a) < MIN_COLOUR_DISTANCE for a in areas
            ):
                fresh = distinct_palette(1, sorted(areas))
                if fresh is not None:
                    out[i] = dataclasses.replace(ov, style={**ov.style, "fillColor": fresh[0]})
            continue
        used = [c for c in dict.fromkeys(ov.gdf["_c"].dropna()) if c not in SPECIAL_COLOURS]
        if not any(colour_distance(c, a) < MIN_COLOUR_DISTANCE for c in used for a in areas):
            continue
        fresh = distinct_palette(len(used), sorted(areas))
        if fresh is not None:
            out[i] = _recoloured(ov, dict(zip(used, fresh)))
    return out
