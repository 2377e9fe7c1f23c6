"""``clustermap report``: one HTML report and a Word .docx with the maps and tables."""

from __future__ import annotations

import time
from pathlib import Path

import click

# gis.maps.report loads pandas, geopandas and folium: imported inside the command so that
# `clustermap --help` starts fast.


@click.command()
@click.argument("specs", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder (default maps/out); only report.html and report.docx are written.",
)
@click.option("--no-docx", is_flag=True, help="Write only report.html.")
def report(specs: tuple[Path, ...], out: Path | None, no_docx: bool) -> None:
    """Write report.html and report.docx: a figure per map spec, the plan's targets,
    coverage tables and what is loaded.

    With no SPEC, every shipped spec in maps/. A spec that cannot be built is
    listed in the report with the reason. report.html holds every interactive
    map inside itself (it works sent alone, offline); maps/out/*.html built
    earlier are left as they are.

    \b
    Examples:
      clustermap report
      clustermap report maps/hubs.toml maps/corridors.toml --out reports/
    """
    from ..maps.report import build_report

    t0 = time.perf_counter()
    for path in build_report(list(specs) or None, out=out, docx=not no_docx):
        click.echo(f"wrote {path} ({path.stat().st_size / 1024:.0f} KB)")
    click.echo(f"  ({time.perf_counter() - t0:.1f} s)")


COMMANDS = [report]
