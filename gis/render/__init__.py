"""Drawing: a :class:`~gis.render.plan.MapPlan` as an interactive one-file HTML map (folium +
inlined Leaflet), a static figure (matplotlib) or report parts (HTML, docx).

Rendering draws what the plan says; it never composes a map nor computes a result, and
imports nothing from :mod:`gis.maps`, :mod:`gis.cli` or :mod:`gis.analysis`.
"""
