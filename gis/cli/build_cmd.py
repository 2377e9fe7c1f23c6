"""``clustermap build [SPEC…]``: build map specs (and the default atlas) into files."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from ..basemaps import KEY_WARNING, basemap_key_check
from ..errors import GisError
from ..io import atomic_write
from .options import basemap_option

# gis.maps loads folium, geopandas and shapely (compose, publish): imported inside the
# commands so that `clustermap --help` starts fast.


@click.command()
@click.argument("specs", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Output folder (default maps/out); a path ending in .html writes the one map "
    "built (the atlas when no SPEC is given) to that file.",
)
@basemap_option(
    default=None,
    help="Override the spec's basemap: none, osm, gaode, gaode-satellite (GCJ-02 tiles: "
    "layers shifted for display only) or tianditu (needs TIANDITU_KEY; " + KEY_WARNING + ").",
)
@click.option("--png", is_flag=True, help="Also write a 300 dpi PNG figure.")
@click.option("--svg", is_flag=True, help="Also write an SVG figure.")
@click.option("--pdf", is_flag=True, help="Also write a PDF figure.")
@click.option("--embed", is_flag=True, help="Also write NAME.embed.html, an <iframe> snippet.")
@click.option(
    "--online", is_flag=True, help="Load Leaflet from its CDN instead of inlining it (smaller)."
)
def build(
    specs: tuple[Path, ...],
    out: Path | None,
    basemap: str | None,
    png: bool,
    svg: bool,
    pdf: bool,
    embed: bool,
    online: bool,
) -> None:
    """Build maps from TOML specs in maps/ into one-file offline HTML (and figures).

    With no SPEC, builds the default atlas maps/out/wuhan_atlas.html and every
    shipped spec. A spec that fails is reported (file, key path, fix) and its
    previous outputs are left untouched; the others are still built; exit 1.

    \b
    Examples:
      clustermap build
      clustermap build maps/corridors.toml --png
      clustermap build maps/atlas.toml --basemap gaode
    """
    from ..maps.publish import build_atlas, build_spec
    from ..maps.spec import load_spec, shipped_specs

    statics = tuple(f for f, on in (("png", png), ("svg", svg), ("pdf", pdf)) if on)
    if out is not None and out.suffix.lower() == ".html":
        _build_one_file(specs, out, basemap, online)
        return
    paths = list(specs) or shipped_specs()
    failures = 0
    if not specs:
        names = set()
        for p in paths:
            try:
                names.add(load_spec(p).outputs.html)
            except GisError:
                pass
        if "wuhan_atlas.html" not in names:
            t0 = time.perf_counter()
            folder = out or None
            target = (folder / "wuhan_atlas.html") if folder else None
            path = build_atlas(target, basemap=basemap or "none", offline=not online)
            _report([path], time.perf_counter() - t0)
    for p in paths:
        t0 = time.perf_counter()
        try:
            res = build_spec(
                p,
                basemap=basemap,
                offline=not online,
                formats=("html", *statics) if statics else None,
                embed=embed or None,
                out=out,
            )
        except GisError as exc:
            if len(paths) == 1:
                raise
            failures += 1
            click.echo(f"Error: {exc}", err=True)
            continue
        for msg in res.messages:  # each join's report, as `clustermap join` prints it
            click.echo(msg)
        _report(res.files, time.perf_counter() - t0)
    if failures:
        click.echo(f"{failures} of {len(paths)} spec(s) failed; see the messages above.", err=True)
        sys.exit(1)


def _build_one_file(specs: tuple[Path, ...], out: Path, basemap: str | None, online: bool) -> None:
    from ..maps.compose import compose_spec
    from ..maps.publish import build_atlas, html_text
    from ..maps.spec import load_spec

    if len(specs) > 1:
        raise click.UsageError("--out FILE.html takes at most one SPEC; give a folder instead")
    t0 = time.perf_counter()
    if not specs:
        path = build_atlas(out, basemap=basemap or "none", offline=not online)
    else:
        spec = load_spec(specs[0])
        basemap_key_check(basemap or spec.basemap)
        plan = compose_spec(spec, basemap=basemap)
        for msg in plan.messages:
            click.echo(msg)
        text = html_text(plan, offline=not online)
        with atomic_write(out, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        path = out
    _report([path], time.perf_counter() - t0)


def _report(files: list[Path], seconds: float) -> None:
    """One line a file written; the build time on the last line."""
    for i, f in enumerate(files):
        took = f", {seconds:.1f} s" if i == len(files) - 1 else ""
        click.echo(f"wrote {f} ({f.stat().st_size / 1024:.0f} KB{took})")


COMMANDS = [build]
