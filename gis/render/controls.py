"""The map's controls, each a folium element with its own small template over the inlined
runtime (``gis/render/static/gis_map.js``), as folium's plugins are built.

Text reaches a control only as a JSON value (``tojson``): the title block and attribution
HTML are made (and escaped) by :mod:`gis.render.interactive`.
"""

from __future__ import annotations

from typing import Any

from folium.template import Template

from .safe import SafeMacroElement


def _call(body: str) -> Template:
    """The template of one runtime call after the map exists."""
    return Template(
        """
        {% macro script(this, kwargs) %}
        """
        + body
        + """
        {% endmacro %}
        """
    )


class _Control(SafeMacroElement):
    def __init__(self, name: str) -> None:
        super().__init__()
        self._name = name


class Tiles(_Control):
    """The basemap's tile layers, listed under 底图 Base map in the layer control."""

    _template = _call(
        "GIS.tiles({{ this._parent.get_name() }}, {{ this.title|tojson }}, {{ this.tiles|tojson }});"
    )

    def __init__(self, title: str, tiles: list[dict[str, Any]]) -> None:
        super().__init__("Tiles")
        self.title = title
        self.tiles = tiles


class TitleBlock(_Control):
    """The title block (escaped HTML from the plan's title block)."""

    _template = _call("GIS.title({{ this._parent.get_name() }}, {{ this.html|tojson }});")

    def __init__(self, html: str) -> None:
        super().__init__("TitleBlock")
        self.html = html


class Attribution(_Control):
    """The sources line; also replaces Leaflet's default prefix."""

    _template = _call("GIS.attribution({{ this._parent.get_name() }}, {{ this.html|tojson }});")

    def __init__(self, html: str) -> None:
        super().__init__("Attribution")
        self.html = html


class Search(_Control):
    """Search by name in Chinese or English."""

    _template = _call("GIS.search({{ this._parent.get_name() }});")

    def __init__(self) -> None:
        super().__init__("Search")


class LayerControl(_Control):
    """The grouped layer list (base / plan / indicators / analysis)."""

    _template = _call("GIS.layerControl({{ this._parent.get_name() }});")

    def __init__(self) -> None:
        super().__init__("LayerControl")


class Fullscreen(_Control):
    _template = _call("GIS.fullscreen({{ this._parent.get_name() }});")

    def __init__(self) -> None:
        super().__init__("Fullscreen")


class Measure(_Control):
    """A geodesic distance measure."""

    _template = _call("GIS.measure({{ this._parent.get_name() }});")

    def __init__(self) -> None:
        super().__init__("Measure")


class Scale(_Control):
    _template = _call("GIS.scale({{ this._parent.get_name() }});")

    def __init__(self) -> None:
        super().__init__("Scale")


class Minimap(_Control):
    _template = _call("GIS.minimap({{ this._parent.get_name() }});")

    def __init__(self) -> None:
        super().__init__("Minimap")
