"""Indicator overlays on the districts: the district roles of clause (七), the 2020 census
density, and the plan's targets panel (values from :mod:`gis.indicators`, colours from
:mod:`gis.maps.styles`; nothing is computed here).
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import pandas as pd

from ..indicators import census_density, plan_domains, plan_roles, target_progress
from ..layers import read_layer
from ..render.palette import category_colours
from ..render.plan import Legend, LegendRow, Overlay, TargetsPanel
from .styles import choropleth_overlay, format_value

#: The census is credited to the official bulletin; the mirror it was read at is named as
#: where it was read, never as the source (issue 12).
CENSUS_BULLETIN = "武汉市第七次全国人口普查公报(第二号) 2021-05-28"
CENSUS_MIRROR = "https://brydyp.com/tjj/tjfw/tjgb/202105/t20210528_1707395"
CENSUS_SOURCE = (
    f"{CENSUS_BULLETIN} (official bulletin; 15 areas sum to the city total 12,326,518); "
    f"read at a mirror copy, not an official site: {CENSUS_MIRROR}"
)


def census_source_text(url: str) -> str:
    """The source of one census figure: the bulletin, and the page it was read at.

    >>> census_source_text("https://example.org/x")
    '武汉市第七次全国人口普查公报(第二号) 2021-05-28; read at https://example.org/x (mirror copy)'
    >>> census_source_text("")
    ''
    """
    if not url:
        return ""
    return f"{CENSUS_BULLETIN}; read at {url} (mirror copy)"


CENSUS_NOTE = (
    "七普 counts residents by 15 statistical areas with the functional zones (东湖高新区, "
    "东湖风景区, 武汉经开区) apart; densities of districts hosting them are understated"
)


def roles_overlay(
    districts: Any, roles: pd.DataFrame | None = None, *, show: bool = True
) -> Overlay:
    """Categorical map of the district roles of clause (七).

    A role of a district colours its polygon. A role of a functional zone without a
    published boundary (东湖高新区) is drawn on its host districts (``host_adcodes``),
    dotted and marked ``indicative``: the zone covers only part of them.
    """
    r = plan_roles() if roles is None else roles
    colours = category_colours([f"{x.name_zh} {x.role_zh}" for x in r.itertuples()])
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
    gdf = gpd.GeoDataFrame(rows, geometry="geometry", crs=districts.crs)
    items = []
    for x in r.itertuples(index=False):
        label = f"{x.name_zh} {x.role_zh}"
        dotted = bool(str(getattr(x, "host_adcodes", "") or ""))
        text = f"{label} ({x.role_en})" + (" — 示意 host districts, partly" if dotted else "")
        items.append(LegendRow(text, colours[label], dashed=dotted, opacity=1.0, hatch=True))
    tooltip = [("name_zh", "名称"), ("role", "定位 role"), ("note", "说明 note")]
    popup = tooltip + [
        ("plan_quote", "方案原文 plan"),
        ("host_source", "所在区来源 host source"),
        ("precision", "精度 precision"),
    ]
    return Overlay(
        gdf,
        "区域金融定位 District finance roles (方案(七))",
        id="roles",
        # hatched, never filled: over the census choropleth a fill would mix into colours no
        # legend shows (issue 11)
        style={"color": "#333333", "weight": 2},
        hatch=True,
        tooltip=tooltip,
        popup=popup,
        legend=Legend("区域金融定位 District roles, 方案(七)", tuple(items)),
        show=show,
        group="indicators",
        sources={"武政办〔2024〕121号 (七)": ""},
    )


def census_overlay(districts: Any, *, show: bool = True) -> Overlay:
    """2020 census (七普) density by district (area in EPSG:4547), population in the tooltip.

    One overlay for both figures keeps the atlas small (each district overlay costs about
    220 KB of page).
    """
    d = census_density(districts)
    d["indicator_source"] = d["census_source"].map(census_source_text)
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
        id="census",
    )


def indicator_overlays(districts: Any | None = None) -> list[Overlay]:
    """The atlas's indicator overlays: census density (shown) and the roles (hidden)."""
    d = read_layer("districts") if districts is None else districts
    if d.empty:
        return []
    return [census_overlay(d, show=True), roles_overlay(d, show=False)]


def targets_panel(progress: pd.DataFrame | None = None) -> TargetsPanel:
    """The plan's targets panel (progress, domains and roles of :mod:`gis.indicators`)."""
    return TargetsPanel(
        target_progress() if progress is None else progress, plan_domains(), plan_roles()
    )
