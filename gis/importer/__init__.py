"""Import a planner's file into a catalog layer: the path official lists take into the tool.

Modules: :mod:`.core` (the steps, in order), :mod:`.columns` (header recognition),
:mod:`.cells` (cell parsing), :mod:`.georef` (CRS, conversion, position checks),
:mod:`.rows` (attribute checks), :mod:`.report` (what was read, kept, rejected). Files are
read by :mod:`gis.readers`.

Reads CSV (UTF-8, UTF-8 with BOM, GBK/GB18030, UTF-16) and Excel tables with lon/lat
columns (Chinese headers such as 经度/纬度/名称/所在区/级别/领域 are recognised, also with a
note in brackets such as 经度(GCJ02); decimal degrees, full-width digits or DMS), GeoJSON,
GeoPackage, Shapefiles (zipped or not, with or without ``.prj``) and KML/KMZ (every
folder). Coordinates may
be WGS84, CGCS2000, GCJ-02 (Amap/Gaode, Tencent), BD-09 (Baidu) or any EPSG system; they
are converted to WGS84 and checked to fall inside Wuhan. Every row is validated against
the plan-layer schema (:mod:`gis.layer_schema`); district names become adcodes
(武昌, 武昌区, Wuchang, 420106 all match). Every rejected row is reported with the row
number the spreadsheet shows (header = row 1) and the reason. The layer file is written
atomically, and only when nothing was rejected (or ``skip_invalid`` is set, in which case
the rejected rows are listed in the report): a failed import leaves the previous layer
as it was.

The points are also read as WGS84, GCJ-02 and BD-09: if another datum puts clearly more of
them inside their stated districts than the one they are read in, the file is refused as
shifted; so is a point outside its stated district (``accept_mismatch`` imports both as
``indicative`` with a note).

Example
-------
>>> from gis.importer import read_import
>>> result = read_import("clusters", "tests/data/synthetic_clusters_gbk_gcj02.csv", crs="gcj02")
>>> result.report.rows_read, result.report.imported, len(result.report.rejected)
(58, 58, 0)
>>> result.gdf.loc[0, "district"], result.gdf.loc[0, "precision"]
('420102', 'converted')
"""

from __future__ import annotations

from .columns import COLUMNS
from .core import import_layer, read_import, row_ceiling
from .report import ImportFailed, ImportReport, ImportResult, RowProblem

__all__ = [
    "COLUMNS",
    "ImportFailed",
    "ImportReport",
    "ImportResult",
    "RowProblem",
    "import_layer",
    "read_import",
    "row_ceiling",
]
