"""Offline assets: Leaflet from the PyPI package django-js-lib-leaflet, our own runtime.

Every asset is inlined into the HTML, images as data: URIs, so a map opens from
file:// with the network off. Leaflet comes from a maintained package, not a
copy in this repository.
"""

from __future__ import annotations

import base64
import re
from functools import lru_cache
from importlib import resources

from ..errors import GisError

LEAFLET_PACKAGE = "django-js-lib-leaflet"


def _leaflet_dir():  # type: ignore[no-untyped-def]
    try:
        return resources.files("js_lib_leaflet") / "static" / "js_lib_leaflet"
    except ModuleNotFoundError:
        raise GisError(
            f"Leaflet assets not found: install the package {LEAFLET_PACKAGE} "
            f"(pip install {LEAFLET_PACKAGE}==1.9.4.1), or rerun the set-up command"
        ) from None


def _data_uri(name: str, payload: bytes) -> str:
    mime = "image/svg+xml" if name.endswith(".svg") else "image/png"
    return f"data:{mime};base64,{base64.b64encode(payload).decode('ascii')}"


@lru_cache(maxsize=1)
def leaflet_js() -> str:
    return (_leaflet_dir() / "leaflet.js").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def leaflet_css() -> str:
    base = _leaflet_dir()
    css = (base / "leaflet.css").read_text(encoding="utf-8")

    def inline(m: re.Match[str]) -> str:
        rel = m.group(1)
        return f"url({_data_uri(rel, (base / rel).read_bytes())})"

    return re.sub(r"url\((images/[\w@.\-]+)\)", inline, css)


@lru_cache(maxsize=1)
def leaflet_marker_icons() -> dict[str, str]:
    """Data URIs of Leaflet's default marker images (L.Icon.Default cannot find them offline)."""
    base = _leaflet_dir() / "images"
    return {
        n: _data_uri(n, (base / f"{n}.png").read_bytes())
        for n in ("marker-icon", "marker-icon-2x", "marker-shadow")
    }


def _static(name: str) -> str:
    return (resources.files("gis.render") / "static" / name).read_text(encoding="utf-8")


def minify(text: str) -> str:
    r"""Drop ``/* … */`` comments, indentation and blank lines (our runtime has no ``/*``
    inside strings; lines are kept, so JavaScript's semicolon rules are unchanged).

    >>> minify("a {\n  /* c */\n  b: 1;\n}\n")
    'a {\nb: 1;\n}'
    """
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


@lru_cache(maxsize=1)
def runtime_js() -> str:
    return minify(_static("gis_map.js") + "\n" + _static("gis_map_layout.js"))


@lru_cache(maxsize=1)
def runtime_css() -> str:
    return minify(_static("gis_map.css"))


def inline_head() -> str:
    """The <style> and <script> block that replaces every CDN link."""
    icons = leaflet_marker_icons()
    icon_js = (
        "L.Icon.Default.mergeOptions({"
        f"iconUrl:'{icons['marker-icon']}',iconRetinaUrl:'{icons['marker-icon-2x']}',"
        f"shadowUrl:'{icons['marker-shadow']}'}});"
    )
    return (
        f"<style>{leaflet_css()}</style>\n<style>{runtime_css()}</style>\n"
        f"<script>{leaflet_js()}</script>\n<script>{icon_js}</script>\n"
        f"<script>{runtime_js()}</script>\n"
    )


LEAFLET_CDN = "https://unpkg.com/leaflet@1.9.4/dist"


def online_head() -> str:
    """Leaflet from the CDN (smaller file, needs the network); our runtime inlined."""
    return (
        f'<link rel="stylesheet" href="{LEAFLET_CDN}/leaflet.css">\n'
        f"<style>{runtime_css()}</style>\n"
        f'<script src="{LEAFLET_CDN}/leaflet.js"></script>\n'
        f"<script>{runtime_js()}</script>\n"
    )
