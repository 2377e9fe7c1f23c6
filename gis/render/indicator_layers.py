"""Indicator maps as overlays: choropleths, the district roles, attainment, the targets panel.

Every function takes frames and keyword options and returns an
:class:`~gis.render.overlay.Overlay` (or HTML / a folium element); nothing here computes
an indicator: values come from :mod:`gis.indicators`, classes from
:mod:`gis.classify`. Tooltips show value, unit, year and source; legends carry the unit
and the year; features without a value are drawn in the no-data grey and say so.

>>> from gis.layers import read_layer
>>> from gis.indicators import census_density
>>> d = census_density(read_layer("districts"))
>>> ov = choropleth_overlay(d, "density_2020", title="人口密度 Density", unit="人/km²",
...                         year="2020", source="七普", scheme="natural_breaks", k=5)
>>> ov.gdf.loc[ov.gdf["adcode"] == "420103", "value_text"].item()
'22,610 人/km²'
"""

from __future__ import annotations

import html
import math
from typing import Any

import pandas as pd
from branca.element import MacroElement
from folium.template import Template

from ..classify import (
    NO_DATA_COLOR,
    NO_DATA_LABEL,
    Classification,
    category_colors,
    classify,
    classify_attainment,
)
from .elements import legend_html, script_json, swatch
from .overlay import Overlay

#: Tooltip of every indicator overlay: (property, label).
INDICATOR_TOOLTIP = [
    ("name_zh", "名称"),
    ("indicator", "指标 indicator"),
    ("value_text", "数值 value"),
    ("year", "年份 year"),
    ("indicator_source", "数据来源 source"),
]
STYLE = {"color": "#555555", "weight": 1, "fillOpacity": 0.75}

CENSUS_SOURCE = (
    "武汉市第七次全国人口普查公报(第二号) 2021-05-28, via "
    "https://brydyp.com/tjj/tjfw/tjgb/202105/t20210528_1707395 (mirror copy; areas sum to the "
    "city total 12,326,518)"
)
CENSUS_NOTE = (
    "七普 counts residents by 15 statistical areas with the functional zones (东湖高新区, "
    "东湖风景区, 武汉经开区) apart; densities of districts hosting them are understated"
)


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
) -> str:
    items = [(swatch(c, opacity=0.85), lab) for c, lab in zip(clf.colors, clf.labels)]
    if has_no_data:
        items.append((swatch(NO_DATA_COLOR, opacity=0.85), NO_DATA_LABEL))
    head = f"{title} ({unit}, {year})" if year else f"{title} ({unit})"
    out = legend_html(head, items)
    if note:
        out += f"<div style='max-width:230px;font-size:11px;color:#555'>{html.escape(note)}</div>"
    return out


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
) -> Overlay:
    """A choropleth of ``gdf[column]`` classified by ``scheme`` (see :func:`gis.classify.classify`).

    ``source`` is the indicator's source (the geometry keeps its own ``source``); a
    per-feature ``indicator_source`` column in ``gdf`` wins over it. ``bound_column`` holds
    '>' for lower bounds, shown in the tooltip. ``extra`` lists further (column, label)
    pairs of ``gdf`` shown in the tooltip as they are. NaN values are no data.
    """
    if column not in gdf.columns:
        raise KeyError(column)
    clf = classify(gdf[column], scheme=scheme, k=k, bins=bins)
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
        style=dict(STYLE),
        tooltip=tooltip,
        popup=popup,
        legend=_legend(title, unit, year, clf, bool(values.isna().any()), note),
        show=show,
        group=group,
        sources={source: ""} if source else {},
    )


def roles_overlay(
    districts: Any, roles: pd.DataFrame | None = None, *, show: bool = True
) -> Overlay:
    """Categorical map of the district roles of clause (七).

    A role of a district colours its polygon. A role of a functional zone without a
    published boundary (东湖高新区) is drawn on its host districts (``host_adcodes``),
    dotted and marked ``indicative``: the zone covers only part of them.
    """
    from ..indicators import plan_roles

    r = plan_roles() if roles is None else roles
    colours = category_colors([f"{x.name_zh} {x.role_zh}" for x in r.itertuples()])
    rows = []
    for x in r.itertuples(index=False):
        label = f"{x.name_zh} {x.role_zh}"
        quote = f"{x.clause} “{x.quote}”"
        hosts = [h for h in str(getattr(x, "host_adcodes", "") or "").split(";") if h]
        if not hosts:
            sel = districts[districts["adcode"] == x.key]
            for _, d in sel.iterrows():
                rows.append(
                    {
                        "adcode": d["adcode"],
                        "name_zh": d["name_zh"],
                        "role": f"{x.role_zh} {x.role_en}",
                        "plan_quote": quote,
                        "note": "",
                        "host_source": "",
                        "precision": d.get("precision", "converted"),
                        "source": d.get("source", ""),
                        "_c": colours[label],
                        "geometry": d.geometry,
                    }
                )
            continue
        for h in hosts:
            sel = districts[districts["adcode"] == h]
            for _, d in sel.iterrows():
                rows.append(
                    {
                        "adcode": d["adcode"],
                        "name_zh": d["name_zh"],
                        "role": f"{x.name_zh} {x.role_zh} {x.role_en} (部分 part)",
                        "plan_quote": quote,
                        "note": (
                            f"{x.name_zh} lies partly within {d['name_zh']}; its boundary is "
                            "not published, so the whole host district is shown (indicative)"
                        ),
                        "host_source": (
                            f"{getattr(x, 'host_source_url', '')} "
                            f"({getattr(x, 'host_source_quality', '')})"
                        ),
                        "precision": "indicative",
                        "source": d.get("source", ""),
                        "_c": colours[label],
                        "geometry": d.geometry,
                    }
                )
    import geopandas as gpd

    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs=districts.crs)
    items = []
    for x in r.itertuples(index=False):
        label = f"{x.name_zh} {x.role_zh}"
        dotted = bool(str(getattr(x, "host_adcodes", "") or ""))
        text = f"{label} ({x.role_en})" + (" — 示意 host districts, partly" if dotted else "")
        items.append((swatch(colours[label], dash=dotted, opacity=0.85), text))
    tooltip = [("name_zh", "名称"), ("role", "定位 role"), ("note", "说明 note")]
    popup = tooltip + [
        ("plan_quote", "方案原文 plan"),
        ("host_source", "所在区来源 host source"),
        ("precision", "精度 precision"),
    ]
    return Overlay(
        gdf,
        "区域金融定位 District finance roles (方案(七))",
        style={"color": "#333333", "weight": 1.5, "fillOpacity": 0.6},
        tooltip=tooltip,
        popup=popup,
        legend=legend_html("区域金融定位 District roles, 方案(七)", items),
        show=show,
        group="indicators",
        sources={"武政办〔2024〕121号 (七)": ""},
    )


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
        style=dict(STYLE),
        tooltip=tooltip,
        popup=tooltip,
        legend=_legend(f"{title} 完成度 value / target", "%", year, clf, bool(ratio.isna().any())),
        show=show,
        group="indicators",
        sources={source: ""} if source else {},
    )


def census_overlay(districts: Any, *, show: bool = True) -> Overlay:
    """2020 census (七普) density by district (area in EPSG:4547), population in the tooltip.

    One overlay for both figures keeps the atlas small (each district overlay costs about
    220 KB of page).
    """
    from ..indicators import census_density

    d = census_density(districts)
    d["indicator_source"] = d["census_source"]
    d["indicator_quality"] = d["census_quality"]
    d["pop_text"] = [format_value(v, "人") for v in d["pop_2020"]]
    d["area_text"] = [format_value(v, "km²") for v in d["area_km2_metric"]]
    return choropleth_overlay(
        d,
        "density_2020",
        title="人口密度 Population density 七普",
        unit="人/km²",
        year="2020",
        source=CENSUS_SOURCE,
        scheme="natural_breaks",
        k=5,
        note=CENSUS_NOTE + "; area of the drawn boundary in EPSG:4547",
        extra=[("pop_text", "常住人口 residents"), ("area_text", "面积 area (EPSG:4547)")],
        show=show,
    )


def indicator_overlays(districts: Any | None = None) -> list[Overlay]:
    """The atlas's indicator overlays: census density (shown) and the roles (hidden)."""
    from ..layers import read_layer

    d = read_layer("districts") if districts is None else districts
    if d.empty:
        return []
    return [census_overlay(d, show=True), roles_overlay(d, show=False)]


def insert_indicator_overlays(overlays: list[Overlay], extra: list[Overlay]) -> list[Overlay]:
    """A new list with ``extra`` placed after the base layers (so plan layers stay on top)."""
    n_base = 0
    for ov in overlays:
        if ov.group != "base":
            break
        n_base += 1
    return [*overlays[:n_base], *extra, *overlays[n_base:]]


# ---------------------------------------------------------------- plan targets panel


def targets_panel_html(progress: pd.DataFrame | None = None) -> str:
    """HTML (every text escaped) of the plan targets: the 12 domains and four 工程, each with
    its lead department(s), targets and, where sourced, the baseline with its year."""
    from ..indicators import plan_domains, plan_roles, target_progress

    p = target_progress() if progress is None else progress
    domains = plan_domains()
    e = html.escape
    parts = []
    for d in domains.itertuples(index=False):
        rows = p[p["clause"] == d.clause]
        lead = d.lead.replace(";", "、")
        items = []
        for r in rows.itertuples(index=False):
            growth = "年均增长 " if r.kind == "annual_growth" else ""
            target = f"{growth}{r.comparison}{r.target:g} {r.unit}"
            if isinstance(r.progress, float) and not math.isnan(r.progress):
                base = (
                    f"基数 baseline {r.baseline_year}: {r.baseline_bound}{r.baseline:g} {r.unit}"
                    f" = {r.progress_bound}{r.progress:.0%}; {r.baseline_quality} source"
                )
                if str(r.comparability).startswith("narrower"):
                    base += "; narrower measure"
                cls = "cm-base"
            else:
                base = "无基数 no baseline"
                cls = "cm-nobase"
            items.append(
                f"<li>{e(r.indicator_zh)}: <b>{e(target)}</b> "
                f"<span class='{cls}'>({e(base)})</span></li>"
            )
        body = f"<ul>{''.join(items)}</ul>" if items else "<div class='cm-nobase'>无量化目标</div>"
        parts.append(
            f"<div class='cm-domain'><div class='cm-dhead'>{e(d.clause)} {e(d.domain_zh)} "
            f"<span class='cm-en'>{e(d.domain_en)}</span></div>"
            f"<div class='cm-lead'>牵头 lead: {e(lead)}</div>{body}</div>"
        )
    overall = p[p["clause"] == "一"]
    head = "".join(
        f"<li>{e(r.indicator_zh)}: <b>{e(f'{r.comparison}{r.target:g} {r.unit}')}</b></li>"
        for r in overall.itertuples(index=False)
    )
    n_base = int(p["progress"].notna().sum())
    roles = "".join(
        f"<li>{e(r.name_zh)}: <b>{e(r.role_zh)}</b> <span class='cm-en'>{e(r.role_en)}</span></li>"
        for r in plan_roles().itertuples(index=False)
    )
    return (
        "<div class='cm-thead'>2027年目标 Plan targets, 武政办〔2024〕121号</div>"
        f"<div class='cm-domain'><div class='cm-dhead'>一 总体 Overall</div><ul>{head}</ul></div>"
        + "".join(parts)
        + "<div class='cm-domain'><div class='cm-dhead'>(七) 区域定位 District roles</div>"
        f"<ul>{roles}</ul></div>"
        + f"<div class='cm-foot'>{len(p)} targets; {n_base} with a sourced baseline. "
        "基数 = latest sourced figure; progress = baseline / target.</div>"
    )


class TargetsPanel(MacroElement):
    """A collapsible control listing the plan's targets (own CSS and JS, no network)."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>
        .cm-targets { background: rgba(255,255,255,.95); border-radius: 4px; padding: 4px 8px;
          box-shadow: 0 1px 4px rgba(0,0,0,.3); font: 12px/1.4 sans-serif; max-width: 420px; }
        .cm-targets button { border: 0; background: none; font-weight: bold; cursor: pointer;
          padding: 2px 0; font-size: 12px; }
        .cm-targets .cm-body { display: none; max-height: 38vh; overflow-y: auto; }
        .cm-targets.cm-open .cm-body { display: block; }
        .cm-targets ul { margin: 0 0 0 14px; padding: 0; }
        .cm-dhead { font-weight: bold; margin-top: 4px; }
        .cm-en, .cm-lead, .cm-foot { color: #555; font-weight: normal; }
        .cm-nobase { color: #888; }
        .cm-base { color: #542788; }
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function () {
          var Panel = L.Control.extend({
            onAdd: function () {
              var div = L.DomUtil.create("div", "cm-targets");
              var btn = L.DomUtil.create("button", "", div);
              btn.type = "button";
              btn.textContent = {{ this.button_json }};
              btn.setAttribute("aria-expanded", "false");
              var body = L.DomUtil.create("div", "cm-body", div);
              body.innerHTML = {{ this.html_json }};
              btn.addEventListener("click", function () {
                var open = div.classList.toggle("cm-open");
                btn.setAttribute("aria-expanded", open ? "true" : "false");
              });
              L.DomEvent.disableClickPropagation(div);
              L.DomEvent.disableScrollPropagation(div);
              return div;
            }
          });
          new Panel({position: {{ this.position_json }}}).addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, body_html: str | None = None, *, position: str = "topleft") -> None:
        super().__init__()
        self._name = "TargetsPanel"
        self.html_json = script_json(targets_panel_html() if body_html is None else body_html)
        self.button_json = script_json("规划目标 Plan targets ▸")
        self.position_json = script_json(position)


def targets_panel(*, position: str = "topleft") -> TargetsPanel:
    """The plan targets panel, ready for ``.add_to(map)``."""
    return TargetsPanel(position=position)
