"""clustermap: spatial cluster mapping for Wuhan's productive-services plan (2024–2027).

The library works on GeoDataFrames: layers are read from ``layers/`` (WGS84
GeoJSON plus ``catalog.toml``), measured in EPSG:4547 and drawn as offline
HTML maps. See README.md.

In a notebook: ``gis.layer(id)``, ``gis.explore(layer_or_frame, column)`` and
``gis.spec_map(path)`` (:mod:`gis.notebook`), imported on first use so that
``import gis`` stays light.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

#: Names re-exported from :mod:`gis.notebook`, imported when first used.
_NOTEBOOK = ("ExploreMap", "explore", "layer", "spec_map")


def __getattr__(name: str) -> Any:
    if name in _NOTEBOOK:
        from . import notebook

        return getattr(notebook, name)
    raise AttributeError(f"module 'gis' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_NOTEBOOK])
