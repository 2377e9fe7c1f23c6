"""Page elements whose generated text is never compiled as a template.

branca's ``MacroElement.render`` hands the output of each element's
``header``/``html``/``script`` macro to ``Element(text)``, and ``Element``
compiles ``text`` as a new Jinja2 template. Output that holds user data
(a cluster named ``模板{{ 7*7 }}结束``) would then be evaluated a second time:
``{{ … }}`` runs, ``{#`` or ``{%`` breaks the build. Every element of our pages
is a :class:`SafeMacroElement`, which places macro output as :class:`RawText`
(text kept verbatim); :func:`check_tree` refuses a page holding any other
kind of templated element, so a new element cannot reopen the hole.

>>> from branca.element import Figure
>>> fig = Figure()
>>> fig.header.add_child(RawText("{{ 7*7 }} {# x {% y"))  # doctest: +ELLIPSIS
<branca.element.Element object at ...>
>>> "{{ 7*7 }} {# x {% y" in fig.render()
True
"""

from __future__ import annotations

from typing import Any

import folium
from branca.element import Element, Figure, MacroElement
from folium.elements import ElementAddToElement
from folium.map import FitBounds as _FoliumFitBounds

from ..errors import GisError


class RawText(Element):
    """Text placed in the page as given, never parsed as a template.

    Like the Jinja template branca would have made of it, a single trailing
    newline is dropped (so pages stay byte-identical to earlier builds).
    """

    def __init__(self, text: str) -> None:
        super().__init__()
        self._name = "RawText"
        text = str(text)
        self.text = text[:-1] if text.endswith("\n") else text

    def render(self, **kwargs: Any) -> str:
        return self.text


class SafeMacroElement(MacroElement):
    """A ``MacroElement`` whose rendered macros reach the page as :class:`RawText`.

    The element's own template is compiled once, from our source code; the text
    it produces (which may hold user data as JSON values) is never compiled.
    As a mixin it must come after folium's classes in the bases, so that their
    ``render`` chains end here instead of in ``MacroElement.render``.
    """

    def render(self, **kwargs: Any) -> str:
        """Add the macros' output to the page; returns "" (the output is placed, not returned)."""
        figure = self.get_root()
        if not isinstance(figure, Figure):
            raise GisError(f"internal: {self._name} is rendered outside a page")
        module = self._template.module.__dict__
        for part, box in (("header", figure.header), ("html", figure.html)):
            macro = module.get(part)
            if macro is not None:
                box.add_child(RawText(macro(self, kwargs)), name=self.get_name())
        macro = module.get("script")
        if macro is not None:
            figure.script.add_child(RawText(macro(self, kwargs)), name=self.get_name())
        for child in self._children.values():
            child.render(**kwargs)
        return ""


class AddToParent(ElementAddToElement, SafeMacroElement):
    """``layer.addTo(map)``, added to a shown layer when it renders."""


class FitBounds(_FoliumFitBounds, SafeMacroElement):
    """folium's ``fitBounds`` call, rendered safely."""


class GisMap(folium.Map, SafeMacroElement):
    """folium's Map, rendered safely (every map of ours is one)."""


def check_tree(element: Any) -> None:
    """Raise if any element under ``element`` would compile its output as a template.

    (Our code never builds a plain ``Element(text)``: that compiles ``text`` at once;
    text goes in a :class:`RawText`.)
    """
    stack = [element]
    while stack:
        el = stack.pop()
        if isinstance(el, MacroElement) and not isinstance(el, SafeMacroElement):
            raise GisError(
                f"internal: page element {type(el).__name__} renders its output as a template; "
                "derive it from gis.render.safe.SafeMacroElement"
            )
        stack.extend(el._children.values())
        if isinstance(el, Figure):
            stack.extend((el.header, el.html, el.script))
