"""Putting maps together: a spec, the atlas spec or an analysis result becomes one
:class:`~gis.render.plan.MapPlan` (:mod:`gis.maps.compose`), and every output of a plan
is written by :mod:`gis.maps.publish` (maps, figures) and :mod:`gis.maps.report`."""
