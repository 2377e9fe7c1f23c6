"""folium elements of our maps: each a small Jinja template over the GIS.* runtime."""

from __future__ import annotations

import html
import json
import re
from typing import Any

from folium.map import Layer
from folium.template import Template

from .palette import PRECISION_STYLES
from .plan import Legend, LegendRow
from .safe import AddToParent, SafeMacroElement


class GeoJsonLayer(Layer, SafeMacroElement):
    """A GeoJSON overlay drawn with precision-aware styles, escaped tooltips and popups.

    ``data`` is a GeoJSON dict; a feature property ``_c`` overrides the fill
    (and, for lines and points, the stroke) colour, so categorical and
    choropleth styles are decided in Python.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.geoJSON(GIS.geo({{ this.data_json }}), {
            style: function (f) {
                var s = Object.assign({}, {{ this.style|tojson }});
                var p = f.properties || {};
                Object.assign(s, ({{ this.precision_styles|tojson }})[p.precision] || {});
                if (p._c) { s.fillColor = p._c; if ({{ this.color_strokes|tojson }}) { s.color = p._c; } }
                return s;
            },
            pointToLayer: function (f, latlng) {
                return L.circleMarker(latlng, {radius: {{ this.radius }}});
            }
        });
        GIS.bindInfo({{ this.get_name() }}, {{ this.tooltip|tojson }}, {{ this.popup|tojson }});
        GIS.register({{ this._parent.get_name() }}, {{ this.get_name() }},
            {title: {{ this.layer_name|tojson }}, legend: {{ this.legend|tojson }},
             group: {{ this.group|tojson }}, schematic: {{ this.schematic|tojson }},
             labels: {{ this.labels_json }}});
        {% endmacro %}
        """
    )

    def __init__(
        self,
        data: dict[str, Any],
        *,
        name: str,
        style: dict[str, Any],
        tooltip: list[tuple[str, str]],
        popup: list[tuple[str, str]],
        legend: str | None = None,
        show: bool = True,
        radius: int = 6,
        color_strokes: bool = False,
        group: str = "plan",
        schematic: bool = False,
        labels: list[list[Any]] | None = None,
    ) -> None:
        super().__init__(name=name, overlay=True, control=False, show=show)
        self._name = "GeoJsonLayer"
        self.data_json = script_json(data)
        self.style = style
        self.precision_styles = PRECISION_STYLES
        self.tooltip = [list(t) for t in tooltip]
        self.popup = [list(t) for t in popup]
        self.legend = legend
        self.radius = int(radius)
        self.color_strokes = color_strokes
        self.group = group
        self.schematic = schematic
        self.labels_json = script_json(labels or [])

    def render(self, **kwargs: Any) -> str:
        # folium's Layer.render, with a safe ``addTo`` element
        if self.show:
            parent = self._parent.get_name() if self._parent is not None else ""
            self.add_child(
                AddToParent(element_name=self.get_name(), element_parent_name=parent),
                name=self.get_name() + "_add",
            )
        return SafeMacroElement.render(self, **kwargs)


class TopoArcs(SafeMacroElement):
    """The page's shared-border arcs (:mod:`gis.render.topo`), before any layer uses them."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        GIS.setArcs({{ this.arcs_json }});
        {% endmacro %}
        """
    )

    def __init__(self, arcs: list[list[float]]) -> None:
        super().__init__()
        self._name = "TopoArcs"
        self.arcs_json = script_json(arcs)


def swatch(row: LegendRow) -> str:
    """HTML of a legend row's swatch (every value escaped)."""
    fill = "transparent" if row.hollow else row.fill
    style = f"background:{fill};opacity:{row.opacity};border-color:{row.stroke}"
    if row.dashed:
        style += ";border-style:dashed"
    return f"<span class='gis-swatch' style='{html.escape(style)}'></span>"


def legend_html(legend: Legend) -> str:
    """Legend block: a bold title, a swatch and escaped label per row, the note.

    >>> legend_html(Legend("区 <D>", (LegendRow("a & b", "#f00", dashed=True),)))
    "<b>区 &lt;D&gt;</b><div><span class='gis-swatch' style='background:#f00;opacity:0.6;border-color:#555;border-style:dashed'></span>a &amp; b</div>"
    """
    rows = "".join(f"<div>{swatch(r)}{html.escape(r.label)}</div>" for r in legend.rows)
    out = f"<b>{html.escape(legend.title)}</b>{rows}"
    if legend.note:
        out += (
            "<div style='max-width:230px;font-size:11px;color:#555'>"
            f"{html.escape(legend.note)}</div>"
        )
    return out


_TEMPLATE_OPENERS = re.compile(r"\{(?=[{%#])")


def script_json(obj: Any) -> str:
    """Compact JSON safe to place inside a <script> element (no </script>, no HTML).

    As a second guard (pages are never compiled as templates, see :mod:`gis.render.safe`),
    a ``{`` that opens a Jinja2 tag (``{{``, ``{%``, ``{#``) is written ``\\u007b``: such a
    pair only occurs inside JSON strings, so the JSON value is unchanged.

    >>> script_json({"name": "模板{{ 7*7 }}</script>"})
    '{"name":"模板\\\\u007b{ 7*7 }}\\\\u003c/script\\\\u003e"}'
    >>> json.loads(script_json(["{# c", "{% raw %}"]))
    ['{# c', '{% raw %}']
    """
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    text = _TEMPLATE_OPENERS.sub("\\\\u007b", text)
    for ch, esc in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("'", "\\u0027"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(ch, esc)
    return text
