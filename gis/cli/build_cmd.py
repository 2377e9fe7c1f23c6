"""``clustermap build``: write the default atlas (and, later, map specs)."""

from __future__ import annotations

import time
from pathlib import Path

import click


@click.command()
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Output HTML file (default maps/out/wuhan_atlas.html).",
)
@click.option(
    "--basemap",
    default="none",
    show_default=True,
    help="none, osm, gaode or gaode-satellite (GCJ-02 tiles: layers shifted for display).",
)
@click.option("--online", is_flag=True, help="Do not inline assets (smaller file, needs network).")
def build(out: Path | None, basemap: str, online: bool) -> None:
    """Build the default Wuhan atlas as one offline HTML file.

    \b
    Example:
      clustermap build
      clustermap build --basemap gaode --out maps/out/atlas_gaode.html
    """
    from ..render.atlas import build_atlas

    t0 = time.perf_counter()
    path = build_atlas(out, basemap=basemap, offline=not online)
    size = path.stat().st_size
    click.echo(f"wrote {path} ({size / 1024:.0f} KB, {time.perf_counter() - t0:.1f} s)")


COMMANDS = [build]
