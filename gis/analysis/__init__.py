"""Cluster-coverage analysis, measured in metres in EPSG:4547 (:data:`gis.settings.METRIC_CRS`).

One module per capability; every function takes frames (or x/y arrays) and
returns new frames, never mutating its input and never drawing:

* :mod:`~gis.analysis.units` — distances such as ``"2km"`` or ``"500 m"``;
* :mod:`~gis.analysis.inputs` — point/zone layers from the catalog or from files, checked;
* :mod:`~gis.analysis.coverage` — covered area, share and population per district, gaps;
* :mod:`~gis.analysis.corridors` — clusters along corridor avenues, flanked length, belts;
* :mod:`~gis.analysis.hubs` — nearest hub zone and distance, clusters per hub;
* :mod:`~gis.analysis.siting` — candidate sites and greedy maximal coverage (vs spopt MCLP);
* :mod:`~gis.analysis.zones` — point-in-zone assignment for millions of points (raster index);
* :mod:`~gis.analysis.enterprises` — enterprise registers joined to zones: counts and sums;
* :mod:`~gis.analysis.raster` — GeoTIFF distance/coverage surfaces, zonal statistics;
* :mod:`~gis.analysis.params` — the typed parameters of each kind (CLI options, spec params);
* :mod:`~gis.analysis.runner` — run an analysis by name; result frames titled, in WGS84;
* :mod:`~gis.analysis.output` — CSV tables, GeoPackage/GeoJSON geometry, written atomically.
"""
