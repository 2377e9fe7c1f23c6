"""Project-wide settings: coordinate systems, the Wuhan extent, paths.

``METRIC_CRS`` is the one place that says where measurements happen: every
area, length, buffer and distance in :mod:`gis` is computed in it.
"""

from __future__ import annotations

import os
from pathlib import Path

#: Storage and display CRS of every layer file (WGS84 lon/lat).
STORAGE_CRS = "EPSG:4326"
#: CGCS2000 / 3-degree Gauss-Kruger CM 114E: the metric CRS for all measurement.
METRIC_CRS = "EPSG:4547"

#: Generous lon/lat box around Wuhan's city outline (114.13-115.08 E, 29.97-31.36 N).
WUHAN_BBOX = (113.6, 29.9, 115.2, 31.45)

#: Tolerance of the import's 'inside Wuhan' test: the city outline is accurate to ±100 m.
CITY_TOLERANCE_M = 300.0
#: An imported point this far outside its stated district (所在区) is refused (edges ±100 m).
DISTRICT_TOLERANCE_M = 300.0

#: Import: warn when a file holds more than this many times the layer's expected count …
IMPORT_WARN_FACTOR = 2
#: … and refuse (unless --force) above this many times, at least IMPORT_MIN_CEILING rows;
IMPORT_REFUSE_FACTOR = 20
IMPORT_MIN_CEILING = 1000
#: a layer without an expected count takes at most this many rows without --force.
IMPORT_MAX_ROWS = 50_000
#: Share of points (at least 2) by which another datum (GCJ-02, BD-09, WGS84) must fit the
#: stated districts better than the declared one for an import to be refused as shifted.
SHIFT_MARGIN = 0.05
#: Precision class of features imported with --accept-mismatch (position unsure).
UNSURE_PRECISION = "indicative"

#: Decimal places of lon/lat written to layer files (1e-6 deg is about 0.1 m).
COORD_PRECISION = 6
#: Precision classes of features, from the most to the least precise.
PRECISION_CLASSES = (
    "official",
    "converted",
    "cited_point",
    "schematic",
    "indicative",
    "coarse",
)


def project_root() -> Path:
    """The folder holding ``layers/`` and ``maps/``.

    ``CLUSTERMAP_HOME`` overrides it; otherwise the repository this package
    sits in, or else the current directory.
    """
    env = os.environ.get("CLUSTERMAP_HOME")
    if env:
        return Path(env).resolve()
    here = Path(__file__).resolve().parent.parent
    if (here / "layers" / "catalog.toml").exists():
        return here
    return Path.cwd()


def layers_dir() -> Path:
    return project_root() / "layers"


def maps_dir() -> Path:
    return project_root() / "maps"


def out_dir() -> Path:
    return project_root() / "maps" / "out"


# --- maps and figures (gis.render, gis.maps) ---------------------------------------------

#: Display simplification of polygons in metres: invisible at the atlas zooms
#: (1 px ≈ 33 m at zoom 12).
DISPLAY_SIMPLIFY_M = 15.0
#: Decimal places of lon/lat in map pages (1e-5 deg ≈ 1 m).
HTML_DECIMALS = 5
#: Resolution of static figures (PNG) written by ``clustermap build --png``.
FIGURE_DPI = 300
#: Resolution of the figures inside the report (HTML and docx).
REPORT_FIGURE_DPI = 200
