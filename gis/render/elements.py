"""folium elements of our maps: each a small Jinja template over the GIS.* runtime."""

from __future__ import annotations

import html
import json
import re
from typing import Any

from branca.element import MacroElement
from folium.elements import JSCSSMixin
from folium.map import Layer
from folium.template import Template

#: How each precision class is drawn (Leaflet path options merged over the base style).
PRECISION_STYLES: dict[str, dict[str, Any]] = {
    "official": {},
    "converted": {},
    "cited_point": {},
    "schematic": {"dashArray": "8 6"},
    "indicative": {"dashArray": "2 5", "fillOpacity": 0.08},
    "coarse": {},
}

PRECISION_LABELS = {
    "official": "官方 official",
    "converted": "转换 converted (±100 m)",
    "cited_point": "引用点位 cited point",
    "schematic": "示意 schematic",
    "indicative": "示意范围 indicative",
    "coarse": "概略 coarse (几百米 a few hundred m; orientation only)",
}


class GeoJsonLayer(JSCSSMixin, Layer):
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


class TopoArcs(MacroElement):
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


class MapScript(MacroElement):
    """A call into the runtime after the map exists, e.g. ``GIS.search(map)``."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        GIS.{{ this.func }}({{ this._parent.get_name() }}{% for a in this.args %}, {{ a|tojson }}{% endfor %});
        {% endmacro %}
        """
    )

    def __init__(self, func: str, *args: Any) -> None:
        super().__init__()
        self._name = "MapScript"
        self.func = func
        self.args = list(args)


def title_html(title: str, subtitle: str = "", *, schematic: bool = False, extra: str = "") -> str:
    """HTML of the title block; every text escaped. ``extra`` must already be safe HTML."""
    parts = [f"<h1>{html.escape(title)}</h1>"]
    if subtitle:
        parts.append(f"<div class='gis-sub'>{html.escape(subtitle)}</div>")
    if schematic:
        parts.append(
            "<div class='gis-schematic'>示意 — schematic and indicative features are "
            "approximate (dashed / dotted outlines)</div>"
        )
    parts.append(extra)
    return "".join(parts)


def swatch(fill: str, *, stroke: str = "#555", dash: bool = False, opacity: float = 0.6) -> str:
    style = f"background:{fill};opacity:{opacity};border-color:{stroke}"
    if dash:
        style += ";border-style:dashed"
    return f"<span class='gis-swatch' style='{html.escape(style)}'></span>"


def legend_html(title: str, items: list[tuple[str, str]]) -> str:
    """Legend block: a bold title and (swatch html, escaped label) rows."""
    rows = "".join(f"<div>{sw}{html.escape(label)}</div>" for sw, label in items)
    return f"<b>{html.escape(title)}</b>{rows}"


def script_json(obj: Any) -> str:
    """Compact JSON safe to place inside a <script> element (no </script>, no HTML)."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
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


_LEGEND_ROW = re.compile(r"<div><span class='gis-swatch' style='([^']*)'></span>(.*?)</div>", re.S)


def parse_legend(legend: str) -> tuple[str, list[dict[str, Any]]]:
    """Title and rows of a legend made by :func:`legend_html` (for static figures).

    >>> t, rows = parse_legend(legend_html("区 <D>", [(swatch("#ff0000", dash=True), "a & b")]))
    >>> t, rows[0]["fill"], rows[0]["dashed"], rows[0]["label"]
    ('区 <D>', '#ff0000', True, 'a & b')
    >>> parse_legend(legend_html("市 City", [(swatch("transparent"), "x")]))[1][0]["fill"]
    'none'
    """
    m = re.match(r"<b>(.*?)</b>", legend, re.S)
    title = html.unescape(m.group(1)) if m else ""
    rows = []
    for style, label in _LEGEND_ROW.findall(legend):
        props = dict(part.split(":", 1) for part in html.unescape(style).split(";") if ":" in part)
        rows.append(
            {
                # a hollow swatch (outline-only layer) is matplotlib's "none"
                "fill": {"transparent": "none"}.get(
                    props.get("background", "#888888"), props.get("background", "#888888")
                ),
                "stroke": props.get("border-color", "#555555"),
                "opacity": float(props.get("opacity", 0.6)),
                "dashed": props.get("border-style") == "dashed",
                "label": html.unescape(re.sub(r"<[^>]+>", "", label)),
            }
        )
    return title, rows
