"""``clustermap import LAYER FILE``: load a planner's official list or GIS file into a layer."""

from __future__ import annotations

import click

from ..settings import PRECISION_CLASSES

# gis.importer loads pandas and geopandas: imported inside the command so that
# `clustermap --help` starts fast.


@click.command("import")
@click.argument("layer")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--crs",
    metavar="CRS",
    help="Coordinate system of the file: wgs84, cgcs2000, gcj02 (Amap/Gaode, Tencent; 高德), "
    "bd09 (Baidu; 百度) or EPSG:n (4547 = CGCS2000 3° zone CM 114E). Default: the file's "
    ".prj/GeoPackage CRS, else WGS84 (with a check for shifted points).",
)
@click.option("--sheet", help="Excel sheet, or GeoPackage layer, to read (default: the first).")
@click.option(
    "--precision",
    type=click.Choice(PRECISION_CLASSES),
    help="Precision class of every feature (default: official; converted after GCJ-02/BD-09).",
)
@click.option(
    "--skip-invalid",
    is_flag=True,
    help="Import the valid rows even if some are rejected (the rejected ones are listed).",
)
@click.option("--dry-run", is_flag=True, help="Validate and report only; write nothing.")
@click.option(
    "--accept-mismatch",
    is_flag=True,
    help="Import points that lie outside their stated district (所在区), or a file that fits "
    "GCJ-02/BD-09 better than its declared datum, as indicative (示意) positions with a note.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Import a file far longer than the layer's expected count (refused otherwise).",
)
def import_(
    layer: str,
    file: str,
    crs: str | None,
    sheet: str | None,
    precision: str | None,
    skip_invalid: bool,
    dry_run: bool,
    accept_mismatch: bool,
    force: bool,
) -> None:
    """Import FILE as LAYER (e.g. clusters), converting it to WGS84 and validating every row.

    Reads CSV (UTF-8, UTF-8 BOM, GBK/GB18030, Excel's UTF-16 "Unicode 文本") and Excel with
    lon/lat columns (Chinese headers 编号/名称/所在区/级别/领域/经度/纬度 or 经纬度/备注 are
    recognised; title rows above the header are skipped), GeoJSON, GeoPackage, Shapefile
    (.shp or zipped) and KML/KMZ (every folder). A rejected row is reported with the row
    number the spreadsheet shows; nothing is written unless every row is valid (or
    --skip-invalid), so the previous layer stays as it was. Only plan layers can be
    imported (not districts or city).

    \b
    Examples:
      clustermap import clusters 集聚区名单.csv --crs gcj02
      clustermap import clusters clusters.xlsx --sheet 名单 --crs wgs84
      clustermap import hub_zones hubs.zip          # zipped shapefile with .prj
      clustermap import clusters list.csv --dry-run
    """
    from ..importer import ImportFailed, import_layer

    try:
        report = import_layer(
            layer,
            file,
            crs=crs,
            sheet=sheet,
            precision=precision,
            skip_invalid=skip_invalid,
            dry_run=dry_run,
            accept_mismatch=accept_mismatch,
            force=force,
        )
    except ImportFailed as exc:
        for w in exc.report.warnings:
            click.echo(f"Warning: {w}", err=True)
        raise
    for w in report.warnings:
        click.echo(f"Warning: {w}", err=True)
    for r in report.rejected:
        click.echo(f"Rejected: {r}", err=True)
    click.echo(report.summary() + (" (dry run)" if dry_run else ""))


COMMANDS = [import_]
