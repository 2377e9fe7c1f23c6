"""A notebook API in the style of geopandas: load a layer, explore it, build a spec.

>>> import gis
>>> districts = gis.layer("districts")
>>> len(districts), districts.crs.to_string()
(13, 'EPSG:4326')
>>> m = gis.explore("districts", column="area_km2", scheme="quantiles", k=4)
>>> "srcdoc=" in m._repr_html_() and "unpkg.com" not in m._repr_html_()
True

:func:`explore` and :func:`spec_map` return an :class:`ExploreMap`, a ``folium.Map``
whose notebook display is an ``<iframe srcdoc>`` holding the offline page
(:func:`gis.render.html.render_html`): Leaflet and the runtime inlined, so the map shows
in Jupyter with no network, and :meth:`ExploreMap.save` writes that page atomically.
Maps are put together by the same pipeline as ``clustermap build``: a catalog layer
through a one-layer map spec (:func:`gis.maps.compose.compose_spec`), a GeoDataFrame
through :func:`gis.maps.styles.style_overlay` into a :class:`~gis.render.plan.MapPlan`,
both drawn by :func:`gis.render.interactive.draw`; on a GCJ-02 basemap (``gaode``) every
layer is shifted for display only.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import folium

from .basemaps import basemap_key_check
from .catalog import load_catalog
from .crs import reproject
from .errors import InputError, ValidationError
from .io import atomic_write
from .layers import read_layer
from .maps.compose import compose_spec, title_block
from .maps.spec import SCHEMES, LayerSpec, MapSpec, OutputSpec, StyleSpec, load_spec
from .maps.styles import style_overlay
from .render.embed import srcdoc_iframe
from .render.html import render_html, seeded_ids
from .render.interactive import LABELS, draw
from .render.plan import Legend, LegendRow, MapPlan, Overlay

if TYPE_CHECKING:
    import geopandas as gpd

#: Height of a map in a notebook output cell (pixels).
NOTEBOOK_HEIGHT = 520


class ExploreMap(folium.Map):  # type: ignore[misc]
    """A folium map that displays and saves as one offline page."""

    def to_html(self, *, offline: bool = True) -> str:
        """The whole page; offline (the default) inlines every asset.

        A copy is rendered (folium adds to a map each time it renders it), so showing a
        map twice, or showing then saving it, gives the same page.
        """
        import copy

        return render_html(copy.deepcopy(self), offline=offline)

    def _repr_html_(self, **kwargs: Any) -> str:
        return srcdoc_iframe(self.to_html(), title="map", height=NOTEBOOK_HEIGHT, lazy=False)

    def save(self, outfile: str | Path, *, offline: bool = True, **kwargs: Any) -> Path:  # type: ignore[override]
        """Write the page to ``outfile`` atomically (whole or not at all)."""
        text = self.to_html(offline=offline)
        with atomic_write(outfile, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        return Path(outfile)


_CLASSES: dict[type, type] = {}


def _as_explore_map(m: Any) -> ExploreMap:
    """The pipeline's map, displayed and saved offline; its own class (e.g. a map whose
    rendering never compiles data as a template) stays in the class's bases."""
    base = type(m)
    if not issubclass(base, ExploreMap):
        if base not in _CLASSES:
            _CLASSES[base] = (
                ExploreMap
                if issubclass(ExploreMap, base)
                else type("ExploreMap", (ExploreMap, base), {"__module__": __name__})
            )
        m.__class__ = _CLASSES[base]
    return m  # type: ignore[no-any-return]


def layer(layer_id: str) -> gpd.GeoDataFrame:
    """The catalog layer ``layer_id`` (``layers/catalog.toml``) in EPSG:4326."""
    return read_layer(layer_id)


def _style(gdf: Any, column: str | None, scheme: str, k: int, unit: str) -> Any:
    """A spec style for ``column``: a choropleth when numeric, categories otherwise."""
    import pandas as pd

    if column is None:
        return StyleSpec()
    if scheme not in SCHEMES:
        raise InputError(f"explore: scheme {scheme!r}, expected one of {', '.join(SCHEMES)}")
    if column in gdf.columns and pd.api.types.is_numeric_dtype(gdf[column]):
        return StyleSpec(kind="choropleth", column=column, scheme=scheme, k=k, unit=unit)
    return StyleSpec(kind="categorical", column=column)


def _layer_map(
    layer_id: str, style: Any, basemap: str, tooltip: list[str] | None, title: str | None
) -> Any:
    spec = MapSpec(
        path=Path.cwd() / f"explore_{layer_id}.toml",
        name=f"explore_{layer_id}",
        title=title or "",
        basemap=basemap,
        layers=(
            LayerSpec(layer=layer_id, style=style, tooltip=tuple(tooltip) if tooltip else None),
        ),
        outputs=OutputSpec(f"explore_{layer_id}.html"),
    )
    plan = compose_spec(spec)
    if not title:  # the layer's catalog title (also when it holds no features yet)
        plan.title_block.title = load_catalog().get_layer(layer_id).title
    return plan


def _frame_map(
    gdf: Any, style: Any, basemap: str, tooltip: list[str] | None, title: str | None
) -> Any:
    if gdf.crs is None:
        raise InputError(
            "explore: the GeoDataFrame has no CRS; set it first, e.g. gdf.set_crs('EPSG:4326')"
        )
    if gdf.empty:
        raise InputError("explore: the GeoDataFrame has no features")
    wgs = reproject(gdf, "EPSG:4326")
    name = title or "数据 Data"
    kinds = set(wgs.geom_type.dropna().str.replace("Multi", ""))
    geometry = kinds.pop() if len(kinds) == 1 else "Mixed"
    problems: list[str] = []
    kw = style_overlay(
        wgs, style, title=name, geometry=geometry, index=0, path="explore", problems=problems
    )
    cols = [str(c) for c in wgs.columns if c != wgs.geometry.name]
    for c in tooltip or []:
        if c not in cols:
            problems.append(f"explore.tooltip: {c!r} is not a column; columns: {', '.join(cols)}")
    if problems:
        raise ValidationError("explore: cannot draw the GeoDataFrame:", problems)
    if tooltip:
        kw["tooltip"] = [(c, LABELS.get(c, c)) for c in tooltip]
    if "legend" not in kw and "precision" not in wgs.columns:
        # no precision classes to show: one swatch named after the data, never "official"
        st = kw["style"]
        fill = st.get("fillColor", st.get("color", "#888"))
        kw["legend"] = Legend(name, (LegendRow(name, fill, stroke=st.get("color", "#555")),))
    srcs = sorted(set(wgs["source"].dropna().astype(str))) if "source" in wgs.columns else []
    ov = Overlay(title=name, id="data", sources=dict.fromkeys(srcs, ""), **kw)
    return draw(MapPlan("explore", title_block(name, [ov], plan=""), [ov], basemap=basemap))


def explore(
    data: str | gpd.GeoDataFrame,
    column: str | None = None,
    *,
    scheme: str = "quantiles",
    k: int = 5,
    unit: str = "",
    basemap: str = "none",
    tooltip: list[str] | None = None,
    title: str | None = None,
) -> ExploreMap:
    """An interactive map of a catalog layer (by id) or of any GeoDataFrame.

    ``column`` colours the features: a numeric column is classified by ``scheme``
    (``quantiles``, ``natural_breaks``, ``equal_interval``; :func:`gis.classify.classify`)
    into ``k`` classes, any other column by category. ``basemap`` is one of
    :data:`gis.basemaps.BASEMAPS` (``gaode`` shifts layers to GCJ-02 for display).
    ``tooltip`` lists the columns shown on hover.
    """
    basemap_key_check(basemap)
    if isinstance(data, str):
        style = _style(read_layer(data), column, scheme, k, unit)
        with seeded_ids(0):
            return _as_explore_map(draw(_layer_map(data, style, basemap, tooltip, title)))
    if not hasattr(data, "geometry"):
        raise InputError(
            f"explore: expected a layer id or a GeoDataFrame, got {type(data).__name__}"
        )
    style = _style(data, column, scheme, k, unit)
    with seeded_ids(0):
        return _as_explore_map(_frame_map(data, style, basemap, tooltip, title))


def spec_map(path: str | Path, *, basemap: str | None = None) -> ExploreMap:
    """The interactive map of a map spec (``maps/*.toml``), as ``clustermap build`` draws it."""
    spec = load_spec(path)
    bm = basemap or spec.basemap
    basemap_key_check(bm)
    plan = compose_spec(spec, basemap=bm)
    with seeded_ids(0):
        return _as_explore_map(draw(plan))


__all__ = ["ExploreMap", "explore", "layer", "spec_map"]
