"""folium elements of our maps: each a small Jinja template over the GIS.* runtime."""

from __future__ import annotations

import html
import json
import re
from typing import Any

from folium.map import Layer
from folium.template import Template

from .palette import HATCH_SPACING_PX, HATCH_WIDTH_PX, PRECISION_STYLES, hatch_id
from .plan import Legend, LegendRow
from .safe import AddToParent, SafeMacroElement


class GeoJsonLayer(Layer, SafeMacroElement):
    """A GeoJSON overlay drawn with precision-aware styles, escaped tooltips and popups,
    in the pane of its draw tier (:mod:`gis.render.order`).

    ``data`` is a GeoJSON dict; a feature property ``_c`` overrides the fill
    (and, for lines and points, the stroke) colour, so categorical and
    choropleth styles are decided in Python.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.geoJSON(GIS.geo({{ this.data_json }}), {
            pane: GIS.pane({{ this._parent.get_name() }}, {{ this.tier|tojson }}),
            style: function (f) {
                var s = Object.assign({}, {{ this.style|tojson }});
                var p = f.properties || {};
                Object.assign(s, ({{ this.precision_styles|tojson }})[p.precision] || {});
                if (p._c) { s.fillColor = p._c; if ({{ this.color_strokes|tojson }}) { s.color = p._c; } }
                if ({{ this.hatch|tojson }}) {
                    var c = String(p._c || s.color).toLowerCase();
                    s.color = c;
                    s.fillColor = "url(#gis-hatch-" + c.replace("#", "") + ")";
                    s.fillOpacity = 1;
                }
                return s;
            },
            pointToLayer: function (f, latlng) {
                return L.circleMarker(latlng, {radius: {{ this.radius }},
                    pane: GIS.pane({{ this._parent.get_name() }}, "top")});
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
        hatch: bool = False,
        tier: str = "top",
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
        self.hatch = hatch
        #: the draw tier (:mod:`gis.render.order`): its own pane; points always on top
        self.tier = tier

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


_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


class HatchPatterns(SafeMacroElement):
    """The page's SVG hatch patterns, one per colour (``url(#gis-hatch-rrggbb)`` fills).

    Inlined in the page (no request); an SVG of zero size rather than ``display:none``,
    whose patterns Chromium does not paint. Colours are ``#rrggbb`` only.
    """

    _template = Template(
        """
        {% macro html(this, kwargs) %}
        <svg class="gis-hatch-defs" width="0" height="0" aria-hidden="true"
             style="position:absolute;width:0;height:0;overflow:hidden"><defs>
        {%- for pid, colour in this.patterns %}
        <pattern id="{{ pid }}" patternUnits="userSpaceOnUse" width="{{ this.spacing }}"
          height="{{ this.spacing }}" patternTransform="rotate(45)"><line x1="0" y1="0" x2="0"
          y2="{{ this.spacing }}" stroke="{{ colour }}" stroke-width="{{ this.width }}"/></pattern>
        {%- endfor %}
        </defs></svg>
        {% endmacro %}
        """
    )

    def __init__(self, colours: list[str]) -> None:
        super().__init__()
        self._name = "HatchPatterns"
        cols = sorted({c.lower() for c in colours if _HEX.match(c)})
        self.patterns = [(hatch_id(c), c) for c in cols]
        self.spacing = HATCH_SPACING_PX
        self.width = HATCH_WIDTH_PX


def swatch(row: LegendRow) -> str:
    """HTML of a legend row's swatch (every value escaped).

    A hatched row draws the hatch lines in its colour over nothing, as on the map:

    >>> swatch(LegendRow("r", "#0072B2", hatch=True))
    "<span class='gis-swatch gis-swatch-hatch' style='background:repeating-linear-gradient(-45deg,#0072B2 0 1.6px,transparent 1.6px 5px);opacity:1;border-color:#0072B2;border-width:2px'></span>"
    """
    if row.hatch and _HEX.match(row.fill):
        step = HATCH_SPACING_PX / 2**0.5
        style = (
            f"background:repeating-linear-gradient(-45deg,{row.fill} 0 {HATCH_WIDTH_PX}px,"
            f"transparent {HATCH_WIDTH_PX}px {step:.0f}px);opacity:1;"
            f"border-color:{row.fill};border-width:2px"
        )
        if row.dashed:
            style += ";border-style:dashed"
        return f"<span class='gis-swatch gis-swatch-hatch' style='{html.escape(style)}'></span>"
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
