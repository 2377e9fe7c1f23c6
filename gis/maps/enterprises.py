"""The map layers of ``clustermap enterprises``: one choropleth per zone layer."""

from __future__ import annotations

import dataclasses
from typing import Any

from ..crs import reproject
from ..render.plan import Overlay
from ..settings import METRIC_CRS
from .styles import choropleth_overlay, format_value, nice_breaks


def _from_zero(ov: Overlay) -> None:
    """A density legend starts at 0 (no firms), not at the smallest density found."""
    if ov.legend is None or not ov.legend.rows or " – " not in ov.legend.rows[0].label:
        return
    first = ov.legend.rows[0]
    label = "0 – " + first.label.split(" – ", 1)[1]
    rows = (dataclasses.replace(first, label=label), *ov.legend.rows[1:])
    ov.legend = dataclasses.replace(ov.legend, rows=rows)


def enterprise_overlays(gdf: Any, file: str) -> list[Overlay]:
    """One choropleth per zone layer (districts, cluster discs, …), so the map shows where
    the firms are. Zones of unequal size (districts) are coloured by density (家/km², area
    in EPSG:4547: a large district is not "more" for holding more firms); zones of one size
    (discs) by count, in whole-number classes. Counts and areas are in the tooltip."""
    out = []
    for layer in dict.fromkeys(gdf["layer"]):
        part = gdf[gdf["layer"] == layer].drop(columns=["layer"]).rename(columns={"zone": "id"})
        part = part.copy()
        km2 = reproject(part, METRIC_CRS).area / 1e6
        part["count_text"] = [format_value(v, "家") for v in part["enterprises"]]
        part["area_text"] = [format_value(round(v, 2), "km²") for v in km2]
        unequal = len(km2) > 1 and float(km2.min()) > 0 and float(km2.max() / km2.min()) > 1.05
        group = "base" if layer == "districts" else "analysis"
        if unequal:
            part["density"] = part["enterprises"] / km2.where(km2 > 0)
            k = max(1, min(5, int(part["density"].nunique())))
            out.append(
                choropleth_overlay(
                    part,
                    "density",
                    title=f"企业密度 Enterprise density: {layer}",
                    unit="家/km²",
                    source=file,
                    scheme="user",
                    bins=nice_breaks(part["density"], k=k),
                    extra=[
                        ("count_text", "企业数 enterprises"),
                        ("area_text", "面积 area (EPSG:4547)"),
                    ],
                    note="密度 = 企业数 / 面积 (EPSG:4547); density = firms / area",
                    group=group,
                    id=f"enterprises.{layer}",
                )
            )
            _from_zero(out[-1])
            continue
        k = max(1, min(5, int(part["enterprises"].nunique())))
        out.append(
            choropleth_overlay(
                part,
                "enterprises",
                title=f"企业数 Enterprises per zone: {layer}",
                unit="家",
                source=file,
                k=k,
                scheme="natural_breaks",
                integer=True,
                extra=[("area_text", "面积 area (EPSG:4547)")],
                group=group,
                id=f"enterprises.{layer}",
            )
        )
    return [_labelled(ov) for ov in out]


def _labelled(ov: Overlay) -> Overlay:
    """District names on the districts' layer, as on every other map of the districts."""
    if ov.id == "enterprises.districts" and "name_zh" in ov.gdf.columns:
        return dataclasses.replace(ov, label="name_zh")
    return ov
