"""Rendering: interactive one-file HTML maps (folium + inlined Leaflet) and static figures.

Rendering consumes frames and the catalog; it never computes analysis results.
"""
