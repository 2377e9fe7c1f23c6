"""clustermap: spatial cluster mapping for Wuhan's productive-services plan (2024–2027).

The library works on GeoDataFrames: layers are read from ``layers/`` (WGS84
GeoJSON plus ``catalog.toml``), measured in EPSG:4547 and drawn as offline
HTML maps. See README.md.
"""

__version__ = "0.1.0"
