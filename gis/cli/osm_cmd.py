"""``clustermap fetch-osm corridors``: OpenStreetMap geometry for the plan's avenues."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..catalog import load_catalog
from ..io import atomic_write, write_geojson
from ..layers import backup_layer, read_layer
from ..readers.geojson import load_json


@click.command("fetch-osm")
@click.argument("target", type=click.Choice(["corridors"]))
@click.option(
    "--from-file",
    "from_file",
    type=click.Path(dir_okay=False, exists=True),
    help="Use a saved Overpass JSON reply instead of the network.",
)
@click.option("--endpoint", default=None, help="Overpass API URL (default overpass-api.de).")
@click.option("--print-query", is_flag=True, help="Print the Overpass QL query and exit.")
@click.option("--dry-run", is_flag=True, help="Report what would change; write nothing.")
def fetch_osm(
    target: str, from_file: str | None, endpoint: str | None, print_query: bool, dry_run: bool
) -> None:
    """Replace the corridors' cited-waypoint geometry with merged OpenStreetMap ways.

    Queries the Overpass API (network needed) for the ways named 建设大道, 中山大道, 沿江大道,
    中北路 and 中南路 in Wuhan, merges each avenue's ways, keeps the parts within 2 km of
    its cited waypoints, clips them to the city and writes layers/corridors.geojson with
    the ODbL attribution. The raw reply is saved to layers/sources/osm_corridors.json.
    Offline it fails with a message and leaves the layer unchanged.

    \b
    Examples:
      clustermap fetch-osm corridors
      clustermap fetch-osm corridors --print-query > q.overpassql
      clustermap fetch-osm corridors --from-file overpass_reply.json
    """
    from ..osm import (  # gis.osm loads numpy (via gis.crs): only when the command runs
        CORRIDOR_ROADS,
        OVERPASS_URL,
        corridors_from_ways,
        fetch_overpass,
        overpass_query,
        ways_from_overpass,
    )

    names = [n for names in CORRIDOR_ROADS.values() for n in names]
    query = overpass_query(names)
    if print_query:
        click.echo(query)
        return
    cat = load_catalog()
    info = cat.get_layer(target)
    if from_file:
        data = load_json(from_file, what="Overpass JSON reply")
        source = f"Overpass reply file {Path(from_file).name}"
    else:
        url = endpoint or OVERPASS_URL
        data = fetch_overpass(query, url=url)
        source = f"Overpass API {url}"
        if not dry_run:
            raw = info.folder / "sources" / "osm_corridors.json"
            with atomic_write(raw, "w", encoding="utf-8") as fh:
                json.dump(data, fh, ensure_ascii=False, indent=0)
    ways = ways_from_overpass(data, source=source)
    current = read_layer(target, cat)
    city = read_layer("city", cat) if "city" in cat else None
    new = corridors_from_ways(ways, current, city=city, source=source)
    changed = [
        cid
        for cid, a, b in zip(new["id"], current.geometry.values, new.geometry.values)
        if not a.equals(b)
    ]
    click.echo(
        f"{len(ways)} OSM ways read; corridors with OSM geometry: {', '.join(changed) or 'none'}"
    )
    missing = [c for c in new["id"] if c not in changed]
    if missing:
        click.echo(f"kept as before (no matching ways): {', '.join(missing)}")
    if changed and not dry_run:
        backup = backup_layer(info)
        write_geojson(new, info.path, name=target)
        click.echo(f"wrote {info.path}" + (f"; {backup.text()}" if backup else ""))


COMMANDS = [fetch_osm]
