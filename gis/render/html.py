"""Write folium maps as deterministic, self-contained HTML files.

* offline (the default): every CDN ``<script>``/``<link>`` folium would add is
  dropped and Leaflet plus our runtime are inlined (:mod:`gis.render.assets`);
  a remaining external reference is an error, never a silent network request.
* online: Leaflet from the unpkg CDN (same version as the package), our small
  runtime still inlined.
* deterministic: folium's random element ids come from a seeded generator, so
  the same inputs give a byte-identical file.
* atomic: the file appears whole or not at all.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import GisError
from ..io import atomic_write
from .assets import inline_head, online_head
from .safe import RawText, check_tree

_EXTERNAL = re.compile(r"<(?:script|link)\b[^>]*(?:src|href)=[\"']?(https?:)?//[^\"'>]+", re.I)


@contextmanager
def seeded_ids(seed: int = 0) -> Iterator[None]:
    """Make branca/folium element ids reproducible inside the block."""
    from branca.element import Element

    rng = random.Random(seed)
    original = Element.__dict__["_generate_id"]
    Element._generate_id = classmethod(lambda cls: f"{rng.getrandbits(128):032x}")  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        Element._generate_id = original  # type: ignore[method-assign]


def _strip_cdn(element: Any) -> None:
    if hasattr(element, "default_js"):
        element.default_js = []
    if hasattr(element, "default_css"):
        element.default_css = []
    for child in element._children.values():
        _strip_cdn(child)


def render_html(m: Any, *, offline: bool = True) -> str:
    """The map's full HTML text; offline inlines every asset."""
    _strip_cdn(m)
    head = inline_head() if offline else online_head()
    root = m.get_root()
    root.header.add_child(RawText(head), name="gis_inline_assets", index=0)
    check_tree(root)
    html = root.render()
    if offline:
        found = sorted({mt.group(0)[:120] for mt in _EXTERNAL.finditer(html)})
        if found:
            raise GisError("offline map would still load external resources: " + "; ".join(found))
    return str(html)


def save_html(m: Any, path: str | Path, *, offline: bool = True) -> Path:
    """Render ``m`` and write it atomically to ``path``."""
    text = render_html(m, offline=offline)
    with atomic_write(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
    return Path(path)
