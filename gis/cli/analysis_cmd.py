"""Cluster-coverage analysis commands: coverage, gaps, corridors, hubs, site, enterprises.

Each command computes first (nothing is written if anything fails), then
writes a CSV table (district rows keyed by ``adcode``, shares in percent) and
prints it, a GeoPackage (EPSG:4547) or GeoJSON files (WGS84) of its geometry,
and with ``--map`` an offline HTML map with the parameters in its legend and
title. Outputs go to ``maps/out/analysis/`` unless ``--out`` says otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from ..crs import DATUM_LABELS, hinted_crs
from .options import basemap_option

POINTS_HELP = "Point layer: a catalog layer id or a GeoJSON/GeoPackage file."


def _common(f: Callable[..., Any]) -> Callable[..., Any]:
    """Options every analysis command shares."""
    for opt in reversed(
        [
            click.option("--points", default="clusters", show_default=True, help=POINTS_HELP),
            click.option(
                "--out",
                type=click.Path(file_okay=False, path_type=Path),
                default=None,
                help="Output folder (default maps/out/analysis).",
            ),
            click.option(
                "--format",
                "fmt",
                type=click.Choice(["gpkg", "geojson"]),
                default="gpkg",
                show_default=True,
                help="Geometry output: one GeoPackage (EPSG:4547) or GeoJSON files (WGS84).",
            ),
            click.option("--map", "make_map", is_flag=True, help="Also write an HTML map."),
            basemap_option(),
        ]
    ):
        f = opt(f)
    return f


@contextmanager
def _progress(desc: str, total: int) -> Iterator[Any]:
    """A progress bar on stderr: on a terminal only, after a second, never with --quiet."""
    from .options import progress

    with progress(desc, total) as bar:
        yield bar


def _out_dir(out: Path | None) -> Path:
    from ..settings import out_dir

    return out if out is not None else out_dir() / "analysis"


#: Rows printed of a table; the CSV file has all of them.
MAX_PRINTED = 40


def _echo_table(df: Any) -> None:
    import pandas as pd

    if df.empty:
        click.echo("(no rows)")
        return
    with pd.option_context("display.width", 200):
        click.echo(df.head(MAX_PRINTED).to_string(index=False))
    if len(df) > MAX_PRINTED:
        click.echo(f"… {len(df) - MAX_PRINTED} more rows ({len(df)} in all) in the CSV file")


def _write_result(
    res: Any, out: Path | None, fmt: str, make_map: bool, basemap: str, bar: Any
) -> None:
    from ..analysis.output import write_csv, write_frames

    folder = _out_dir(out)
    stem = f"{res.kind}_{res.label}" if res.label else res.kind
    m = _build_map(res, basemap) if make_map else None  # everything computed before writing
    written = [write_csv(res.table, folder / f"{stem}.csv")]
    for name, table in res.extra_tables.items():
        written.append(write_csv(table, folder / f"{stem}_{name}.csv"))
    written += write_frames(res.frames, folder / stem, fmt)
    if m is not None:
        from ..render.html import save_html

        written.append(save_html(m, folder / f"{stem}.html"))
    bar.update(1)
    _echo_table(res.table)
    for name, table in res.extra_tables.items():
        click.echo(f"\n{name}:")
        _echo_table(table)
    for note in res.notes:
        click.echo(f"note: {note}")
    params = ", ".join(f"{k}={v}" for k, v in res.params.items())
    click.echo(f"parameters: {params}")
    for p in written:
        click.echo(f"wrote {p}")


def _build_map(res: Any, basemap: str) -> Any:
    """The analysis map (composed by gis.maps, drawn by gis.render)."""
    from ..maps.compose import compose_analysis
    from ..render.html import seeded_ids
    from ..render.interactive import draw

    with seeded_ids():
        return draw(compose_analysis(res, basemap=basemap))


def _run(
    kind: str, out: Path | None, fmt: str, make_map: bool, basemap: str, **params: Any
) -> None:
    from ..analysis.layers import run_analysis

    with _progress(kind, 2) as bar:
        res = run_analysis(kind, **params)
        bar.update(1)
        _write_result(res, out, fmt, make_map, basemap, bar)


@click.command()
@click.option("--radius", required=True, help="Reach of a cluster, with a unit: 2km, 1500m.")
@click.option("--districts", default="districts", show_default=True, help="District layer or file.")
@click.option(
    "--population",
    default=None,
    help="Population: a GeoTIFF (summed by cell) or a polygon layer/file (with --population-field).",
)
@click.option("--population-field", default=None, help="Population column of a polygon layer.")
@click.option(
    "--raster",
    "raster_res",
    default=None,
    help="Also write GeoTIFFs (distance to nearest cluster, coverage grid) at this resolution, e.g. 100m.",
)
@_common
def coverage(
    radius: str,
    districts: str,
    population: str | None,
    population_field: str | None,
    raster_res: str | None,
    points: str,
    out: Path | None,
    fmt: str,
    make_map: bool,
    basemap: str,
) -> None:
    """Covered area and share (%) of each district within RADIUS of a cluster.

    \b
    Examples:
      clustermap coverage --radius 2km
      clustermap coverage --radius 1500m --points design_parks --map
      clustermap coverage --radius 2km --population pop.tif --raster 100m
    """
    from ..analysis.layers import run_analysis
    from ..analysis.units import parse_distance

    res_m = parse_distance(raster_res, what="--raster resolution") if raster_res else None
    with _progress("coverage", 3 if res_m else 2) as bar:
        res = run_analysis(
            "coverage",
            points=points,
            districts=districts,
            radius=radius,
            population=population,
            population_field=population_field,
        )
        bar.update(1)
        grids = []
        if res_m:
            from ..analysis.inputs import load_frame, to_metric_checked
            from ..analysis.raster import coverage_grid, distance_surface

            pts, _ = to_metric_checked(load_frame(points, role="points"), points)
            dis, _ = to_metric_checked(load_frame(districts, role="districts"), districts)
            r = parse_distance(radius)
            tags = {"points": str(points), "radius_m": f"{r:g}", "extent": str(districts)}
            grids = [
                ("distance", distance_surface(pts, dis, res_m), tags),
                ("grid", coverage_grid(pts, dis, r, res_m), tags),
            ]
            bar.update(1)
        _write_result(res, out, fmt, make_map, basemap, bar)
        if grids:
            from ..analysis.raster import write_geotiff

            folder = _out_dir(out)
            for name, grid, tags in grids:
                p = write_geotiff(
                    grid, folder / f"coverage_{res.label}_{name}_{raster_res}.tif", extra_tags=tags
                )
                click.echo(f"wrote {p}")


@click.command()
@click.option("--radius", required=True, help="Reach of a cluster, with a unit: 2km, 1500m.")
@click.option("--districts", default="districts", show_default=True, help="District layer or file.")
@click.option(
    "--min-area", type=float, default=0.0, show_default=True, help="Leave out gaps below (km²)."
)
@_common
def gaps(
    radius: str,
    districts: str,
    min_area: float,
    points: str,
    out: Path | None,
    fmt: str,
    make_map: bool,
    basemap: str,
) -> None:
    """Uncovered parts of each district (gap polygons with their area).

    \b
    Example:
      clustermap gaps --radius 2km --min-area 1 --map
    """
    _run(
        "gaps", out, fmt, make_map, basemap,
        points=points, districts=districts, radius=radius, min_area_km2=min_area,
    )  # fmt: skip


@click.command()
@click.option("--within", required=True, help="Distance from the corridor, with a unit: 500m.")
@click.option(
    "--corridors",
    "corridor_layer",
    default="corridors",
    show_default=True,
    help="Corridor layer or file.",
)
@_common
def corridors(
    within: str,
    corridor_layer: str,
    points: str,
    out: Path | None,
    fmt: str,
    make_map: bool,
    basemap: str,
) -> None:
    """Clusters within a distance of each corridor avenue; flanked length; belts.

    \b
    Example:
      clustermap corridors --within 500m --map
    """
    _run(
        "corridors", out, fmt, make_map, basemap,
        points=points, corridors=corridor_layer, within=within,
    )  # fmt: skip


@click.command()
@click.option(
    "--hubs", "hub_layer", default="hub_zones", show_default=True, help="Hub zone layer or file."
)
@click.option(
    "--radius",
    default="5km",
    show_default=True,
    help="Count clusters within this distance of each hub.",
)
@_common
def hubs(
    hub_layer: str,
    radius: str,
    points: str,
    out: Path | None,
    fmt: str,
    make_map: bool,
    basemap: str,
) -> None:
    """Nearest hub zone and distance of each cluster; clusters per hub within a radius.

    \b
    Example:
      clustermap hubs --radius 5km --map
    """
    _run("hubs", out, fmt, make_map, basemap, points=points, hubs=hub_layer, radius=radius)


@click.command()
@click.option("--add", type=click.IntRange(min=1), required=True, help="Number of new sites.")
@click.option("--radius", default="2km", show_default=True, help="Reach of a cluster.")
@click.option(
    "--districts", default="districts", show_default=True, help="Study area layer or file."
)
@click.option("--candidates", default=None, help="Candidate sites (layer or file); default a grid.")
@click.option("--spacing", default="1km", show_default=True, help="Spacing of the candidate grid.")
@click.option("--cell", default="250m", show_default=True, help="Demand cell size.")
@click.option("--compare-mclp", is_flag=True, help="Also solve spopt's exact MCLP and compare.")
@_common
def site(
    add: int,
    radius: str,
    districts: str,
    candidates: str | None,
    spacing: str,
    cell: str,
    compare_mclp: bool,
    points: str,
    out: Path | None,
    fmt: str,
    make_map: bool,
    basemap: str,
) -> None:
    """Where ADD new clusters would cover the most uncovered area (greedy maximal coverage).

    \b
    Examples:
      clustermap site --add 5
      clustermap site --add 3 --radius 1500m --spacing 2km --compare-mclp --map
    """
    _run(
        "site", out, fmt, make_map, basemap,
        points=points, districts=districts, radius=radius, add=add, candidates=candidates,
        spacing=spacing, cell=cell, compare_mclp=compare_mclp,
    )  # fmt: skip


@click.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--lon", default=None, help="Longitude column (default: lon/lng/经度/x).")
@click.option("--lat", default=None, help="Latitude column (default: lat/纬度/y).")
@click.option(
    "--crs",
    default=None,
    help="Coordinates: wgs84, gcj02 (Amap/Gaode, Tencent), bd09 (Baidu), EPSG:<code>. "
    "Undeclared: read as WGS84, with a note.",
)
@click.option(
    "--value", "values", multiple=True, help="Numeric column to sum (repeatable), e.g. 营业收入."
)
@click.option("--domain", default=None, help="Domain column (领域/行业) for per-domain counts.")
@click.option(
    "--zones",
    default="districts,clusters,pilot_zones",
    show_default=True,
    help="Zone layers or files, comma-separated; empty layers are skipped with a note.",
)
@click.option(
    "--cluster-radius",
    default="1km",
    show_default=True,
    help="Point/line zones (e.g. clusters) become discs of this radius.",
)
@click.option(
    "--scheduler", default=None, help="dask.distributed scheduler address (tcp://host:8786)."
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder (default maps/out/analysis).",
)
@click.option(
    "--format", "fmt", type=click.Choice(["gpkg", "geojson"]), default="gpkg", show_default=True
)
@click.option("--map", "make_map", is_flag=True, help="Also write an HTML map.")
@basemap_option()
def enterprises(
    file: Path,
    lon: str | None,
    lat: str | None,
    crs: str,
    values: tuple[str, ...],
    domain: str | None,
    zones: str,
    cluster_radius: str,
    scheduler: str | None,
    out: Path | None,
    fmt: str,
    make_map: bool,
    basemap: str,
) -> None:
    """Enterprises of a register FILE per district, cluster and pilot zone: counts and sums.

    \b
    Examples:
      clustermap enterprises 规上企业.csv --value 营业收入 --domain 领域
      clustermap enterprises firms.xlsx --crs gcj02 --zones districts --map
    """
    import geopandas as gpd

    from ..analysis.enterprises import read_register, summarise, zone_table
    from ..analysis.inputs import load_frame, to_metric_checked
    from ..analysis.layers import AnalysisResult
    from ..analysis.units import format_distance, parse_distance
    from ..errors import InputError

    r = parse_distance(cluster_radius, what="--cluster-radius")
    specs = [s.strip() for s in zones.split(",") if s.strip()]
    if not specs:
        raise InputError("--zones: give at least one zone layer, e.g. districts")
    explicit = zones != "districts,clusters,pilot_zones"
    with _progress("enterprises", 4) as bar:
        notes: list[str] = []
        layers: dict[str, gpd.GeoDataFrame] = {}
        for spec in specs:
            gdf = load_frame(spec, role="zones")
            if len(gdf) == 0:
                if explicit:
                    from ..analysis.inputs import require_features

                    require_features(gdf, spec, role="zones")
                notes.append(f"zones {spec}: no features loaded, skipped")
                continue
            metric, fixes = to_metric_checked(gdf, spec)
            notes += fixes
            layers[Path(spec).stem if Path(spec).suffix else spec] = metric
        if not layers:
            raise InputError(f"--zones {zones}: every zone layer is empty; load one or name a file")
        zt = zone_table(layers, radius_m=r)
        bar.update(1)
        df = read_register(file)
        crs = _register_crs(df, file, crs)
        bar.update(1)
        s = summarise(
            df,
            zt,
            values=list(values),
            domain=domain,
            lon=lon,
            lat=lat,
            crs=crs,
            scheduler=scheduler,
        )
        bar.update(1)
        geo = gpd.GeoDataFrame(
            s.per_zone.assign(source=f"clustermap enterprises {file.name}"),
            geometry=zt.frame.geometry.values,
            crs="EPSG:4326",
        ).to_crs("EPSG:4547")
        extra = {"outside_counts": s.outside_counts, "outside": s.outside}
        if domain:
            extra["by_domain"] = s.per_zone_domain
        res = AnalysisResult(
            "enterprises",
            s.per_zone,
            [(f"企业 Enterprises per zone ({file.name})", geo)],
            {
                "file": file.name,
                "rows": str(len(df)),
                "zones": ",".join(layers),
                "cluster_radius": format_distance(r),
                "crs": crs,
            },
            notes + s.notes,
            extra_tables=extra,
            name=re.sub(r"[^\w.-]+", "_", file.stem),
        )
        _write_result(res, out, fmt, make_map, basemap, bar)


def _register_crs(df: Any, file: Path, crs: str | None) -> str:
    """The declared CRS, or WGS84 with a note; refuse columns labelled GCJ-02/BD-09 undeclared."""
    from ..errors import InputError

    if crs:
        return crs
    key = hinted_crs(*df.columns)
    if key is not None:
        raise InputError(
            f"{file}: the column names say the coordinates are {DATUM_LABELS[key]}, but no "
            f"--crs was given; rerun with --crs {key} (or --crs wgs84 if they are WGS84)"
        )
    click.echo(
        "note: coordinates read as WGS84 (no --crs given). If the register was geocoded with "
        "Amap/Gaode or Tencent (GCJ-02) or Baidu (BD-09), rerun with --crs gcj02 or --crs bd09: "
        "otherwise every point sits about 500 m off.",
        err=True,
    )
    return "wgs84"


COMMANDS = [coverage, gaps, corridors, hubs, site, enterprises]
