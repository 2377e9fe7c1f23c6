"""Cluster-coverage analysis commands: coverage, gaps, corridors, hubs, site, enterprises.

Options are declared from the parameter dataclasses of :mod:`gis.analysis.params` (the
same ones a map spec's ``[[analysis]] params`` are checked against); the work is done by
the library (:func:`gis.analysis.runner.run`, :func:`gis.analysis.enterprises.run_enterprises`).
Each command computes first, then writes a CSV table (district rows keyed by ``adcode``,
shares in percent) and prints it, a GeoPackage (EPSG:4547) or GeoJSON files (WGS84), and
with ``--map`` an offline HTML map. Outputs go to ``maps/out/analysis/`` unless ``--out``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..analysis import params as P
from ..analysis.units import parse_distance
from .options import echo_table, output_folder, output_options, param_options, progress

# The analysis, map and writer modules load pandas, geopandas and folium at their top: they
# are imported inside each command so that `clustermap --help` and other commands start fast.


def _write_result(
    res: Any, out: Path | None, fmt: str, make_map: bool, basemap: str, bar: Any
) -> None:
    from ..analysis.output import write_csv, write_frames

    folder = output_folder(out)
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
    echo_table(res.table)
    for name, table in res.extra_tables.items():
        click.echo(f"\n{name}:")
        echo_table(table)
    for note in res.notes:
        click.echo(f"note: {note}")
    click.echo(f"parameters: {', '.join(f'{k}={v}' for k, v in res.params.items())}")
    for p in written:
        click.echo(f"wrote {p}")


def _build_map(res: Any, basemap: str) -> Any:
    """The analysis map (composed by gis.maps, drawn by gis.render)."""
    from ..maps.compose import compose_analysis
    from ..render.html import seeded_ids
    from ..render.interactive import draw

    with seeded_ids():
        return draw(compose_analysis(res, basemap=basemap))


def _run(p: P.Params, out: Path | None, fmt: str, make_map: bool, basemap: str) -> None:
    from ..analysis.runner import run

    with progress(p.KIND, 2) as bar:
        res = run(p)
        bar.update(1)
        _write_result(res, out, fmt, make_map, basemap, bar)


@click.command(help=P.CoverageParams.__doc__)
@param_options(P.CoverageParams)
@click.option(
    "--raster",
    "raster_res",
    default=None,
    help="Also write GeoTIFFs (distance to nearest cluster, coverage grid) at this resolution, e.g. 100m.",
)
@output_options
def coverage(
    raster_res: str | None, out: Path | None, fmt: str, make_map: bool, basemap: str, **kw: Any
) -> None:
    from ..analysis.raster import coverage_rasters, write_geotiff
    from ..analysis.runner import run

    p = P.CoverageParams(**kw)
    res_m = parse_distance(raster_res, what="--raster resolution") if raster_res else None
    with progress("coverage", 2) as bar:
        res = run(p)
        bar.update(1)
        grids = coverage_rasters(p.points, p.districts, p.radius, res_m) if res_m else []
        _write_result(res, out, fmt, make_map, basemap, bar)
    for name, grid, tags in grids:  # blocks computed as they are written
        path = output_folder(out) / f"coverage_{res.label}_{name}_{raster_res}.tif"
        click.echo(f"wrote {write_geotiff(grid, path, extra_tags=tags)}")


def _command(cls: type[P.Params]) -> click.Command:
    """A command running analysis ``cls.KIND`` with the options of ``cls``."""

    @param_options(cls)
    @output_options
    def cmd(out: Path | None, fmt: str, make_map: bool, basemap: str, **kw: Any) -> None:
        _run(cls(**kw), out, fmt, make_map, basemap)

    return click.command(cls.KIND, help=cls.__doc__)(cmd)


gaps, corridors, hubs, site = map(
    _command, (P.GapsParams, P.CorridorsParams, P.HubsParams, P.SiteParams)
)


@click.command(help=P.EnterprisesParams.__doc__)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@param_options(P.EnterprisesParams, skip=("file",))
@output_options
def enterprises(
    file: Path, out: Path | None, fmt: str, make_map: bool, basemap: str, **kw: Any
) -> None:
    from ..analysis.enterprises import run_enterprises

    p = P.EnterprisesParams(file=str(file), **kw)
    with progress("enterprises", 4) as bar:
        warn = lambda note: click.echo(note, err=True)  # noqa: E731
        res = run_enterprises(p, step=lambda: bar.update(1), warn=warn)
        _write_result(res, out, fmt, make_map, basemap, bar)


COMMANDS = [coverage, gaps, corridors, hubs, site, enterprises]
