"""OpenStreetMap geometry for the plan's avenues, from the Overpass API.

The corridors layer ships only cited waypoints (no avenue has three). Where a network
exists, :func:`fetch_overpass` asks the Overpass API for the ways named 建设大道, 中山大道,
沿江大道, 中北路 and 中南路 inside Wuhan; :func:`ways_from_overpass` parses the reply
(``out geom`` or nodes + ways), :func:`corridors_from_ways` merges each avenue's ways into
one (Multi)LineString, keeps only the parts near the avenue's cited waypoints (other roads
of the same name exist elsewhere), clips to the city and records the ODbL attribution.
Offline, :func:`fetch_overpass` raises :class:`OsmError` with what to do instead.

>>> data = {"elements": [
...     {"type": "way", "id": 1, "tags": {"name": "中南路", "highway": "primary"},
...      "geometry": [{"lat": 30.535, "lon": 114.326}, {"lat": 30.540, "lon": 114.327}]},
...     {"type": "way", "id": 2, "tags": {"name": "中南路", "highway": "primary"},
...      "geometry": [{"lat": 30.540, "lon": 114.327}, {"lat": 30.545, "lon": 114.328}]}]}
>>> ways = ways_from_overpass(data)
>>> len(ways), ways.geometry.iloc[0].geom_type
(2, 'LineString')
>>> merge_lines(list(ways.geometry)).geom_type
'LineString'
"""

from __future__ import annotations

import json
from typing import Any

from .crs import reproject
from .errors import GisError, InputError
from .settings import METRIC_CRS, STORAGE_CRS, WUHAN_BBOX

#: Public Overpass endpoint (the user's own request; nothing is fetched otherwise).
OVERPASS_URL = "https://overpass-api.de/api/interpreter"
ATTRIBUTION = "© OpenStreetMap contributors, ODbL 1.0 (https://www.openstreetmap.org/copyright)"

#: Corridor id -> OSM road names that make it up.
CORRIDOR_ROADS: dict[str, tuple[str, ...]] = {
    "corridor_jianshe": ("建设大道",),
    "corridor_zhongshan": ("中山大道",),
    "corridor_yanjiang": ("沿江大道",),
    "corridor_zhongbei_zhongnan": ("中北路", "中南路"),
}

#: Parts of a same-named road farther than this from every cited waypoint are dropped.
NEAR_WAYPOINT_M = 2000.0


class OsmError(GisError, ConnectionError):
    """The Overpass API could not be reached or answered with an error."""


def overpass_query(names: list[str], bbox: tuple[float, float, float, float] = WUHAN_BBOX) -> str:
    """Overpass QL for the highway ways with these names inside ``bbox`` (lon/lat box).

    >>> print(overpass_query(["中南路"]).splitlines()[2])
      way["highway"]["name"="中南路"](29.9,113.6,31.45,115.2);
    """
    x0, y0, x1, y1 = bbox
    lines = ["[out:json][timeout:90];", "("]
    for n in names:
        lines.append(f'  way["highway"]["name"="{n}"]({y0},{x0},{y1},{x1});')
    lines += [");", "out geom;"]
    return "\n".join(lines)


def fetch_overpass(query: str, *, url: str = OVERPASS_URL, timeout: float = 120.0) -> Any:
    """POST ``query`` to the Overpass API and return the decoded JSON reply.

    Raises :class:`OsmError` when offline, on timeouts and on HTTP errors.
    """
    import urllib.error  # the network stack: loaded only when the network is used
    import urllib.parse
    import urllib.request

    body = urllib.parse.urlencode({"data": query}).encode("utf-8")
    req = urllib.request.Request(url, data=body, headers={"User-Agent": "clustermap (Wuhan)"})
    hint = (
        "the corridors layer is unchanged. Retry when online, or run the query elsewhere "
        "(`clustermap fetch-osm corridors --print-query`) and load the saved JSON with "
        "`clustermap fetch-osm corridors --from-file FILE`"
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            raw = resp.read()
    except urllib.error.HTTPError as exc:
        raise OsmError(
            f"Overpass API {url} answered HTTP {exc.code} {exc.reason}; {hint}"
        ) from None
    except (TimeoutError, urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise OsmError(
            f"cannot reach the Overpass API at {url} ({reason}); no network? {hint}"
        ) from None
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise OsmError(f"Overpass API {url} returned no JSON ({exc}); {hint}") from None


def ways_from_overpass(data: Any, *, source: str = "Overpass API") -> Any:
    """GeoDataFrame (WGS84) of the ways in an Overpass JSON reply: ``osm_id``, ``name``, line.

    Accepts ``out geom`` replies (each way carries ``geometry``) and ``out body; >; out skel``
    replies (ways list node ids; nodes carry lat/lon).
    """
    import geopandas as gpd
    import shapely

    if not isinstance(data, dict) or not isinstance(data.get("elements"), list):
        raise InputError(f"{source}: not an Overpass JSON reply (no 'elements' list)")
    nodes = {
        e["id"]: (float(e["lon"]), float(e["lat"]))
        for e in data["elements"]
        if e.get("type") == "node" and "lat" in e and "lon" in e
    }
    rows, geoms = [], []
    for e in data["elements"]:
        if e.get("type") != "way":
            continue
        tags = e.get("tags") or {}
        if "geometry" in e:
            coords = [(float(g["lon"]), float(g["lat"])) for g in e["geometry"] if g]
        else:
            missing = [n for n in e.get("nodes", []) if n not in nodes]
            if missing:
                raise InputError(
                    f"{source}: way {e.get('id')} refers to node(s) {missing[:3]} not in the "
                    "reply; query with `out geom;` (or `out body; >; out skel qt;`)"
                )
            coords = [nodes[n] for n in e.get("nodes", [])]
        if len(coords) < 2:
            continue
        rows.append(
            {
                "osm_id": int(e["id"]),
                "name": tags.get("name", ""),
                "name_en": tags.get("name:en", ""),
                "highway": tags.get("highway", ""),
            }
        )
        geoms.append(shapely.LineString(coords))
    if not rows:
        return gpd.GeoDataFrame(
            {"osm_id": [], "name": [], "name_en": [], "highway": []},
            geometry=[],
            crs=STORAGE_CRS,
        )
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=STORAGE_CRS)


def merge_lines(lines: list[Any]) -> Any:
    """Union and merge line pieces into as few LineStrings as possible."""
    import shapely

    return shapely.line_merge(shapely.union_all(lines))


def corridors_from_ways(
    ways: Any,
    corridors: Any,
    *,
    city: Any = None,
    near_m: float = NEAR_WAYPOINT_M,
    source: str = "Overpass API",
) -> Any:
    """New corridor features from OSM ways: one merged (Multi)LineString per corridor.

    ``corridors`` is the current layer (its ``id``, names, domains, district and cited
    waypoints are kept). Pieces farther than ``near_m`` from every cited waypoint of the
    corridor are dropped; the rest is clipped to ``city`` (WGS84 frame) when given.
    Corridors without matching ways are returned unchanged. Input frames are not mutated.
    """
    import geopandas as gpd
    import shapely

    out = corridors.copy()
    if ways.empty:
        return out
    ways_m = reproject(ways, METRIC_CRS)
    city_m = None
    if city is not None and not city.empty:
        city_m = shapely.union_all(reproject(city, METRIC_CRS).geometry.values)
    corr_m = reproject(corridors, METRIC_CRS).geometry.values
    geoms = list(out.geometry.values)
    for i, cid in enumerate(out["id"]):
        names = CORRIDOR_ROADS.get(str(cid))
        if not names:
            continue
        sel = ways_m[ways_m["name"].isin(names)]
        if sel.empty:
            continue
        merged = merge_lines(list(sel.geometry.values))
        parts = list(getattr(merged, "geoms", [merged]))
        anchor = corr_m[i]
        if anchor is not None and not anchor.is_empty:
            parts = [p for p in parts if p.distance(anchor) <= near_m]
        if not parts:
            continue
        geom = shapely.union_all(parts) if len(parts) > 1 else parts[0]
        if city_m is not None:
            geom = geom.intersection(city_m)
        if geom.is_empty:
            continue
        geom = shapely.line_merge(geom) if geom.geom_type == "MultiLineString" else geom
        geoms[i] = reproject(gpd.GeoSeries([geom], crs=METRIC_CRS), STORAGE_CRS).iloc[0]
        n_ways = int(sel.geometry.apply(lambda g, geom=geom: g.intersects(geom.buffer(1))).sum())
        out.loc[out.index[i], "precision"] = "converted"
        out.loc[out.index[i], "source"] = f"OpenStreetMap via {source}: {ATTRIBUTION}"
        prev_note = str(corridors.iloc[i].get("note", "")).split(" Before: ")[-1]
        out.loc[out.index[i], "note"] = (
            f"OpenStreetMap road centre-lines ({n_ways} ways named {' / '.join(names)}, "
            f"merged, within {near_m / 1000:.1f} km of the cited waypoints, clipped to Wuhan); "
            f"not an official alignment. Before: {prev_note}"
        )
    out = out.set_geometry(geoms, crs=STORAGE_CRS)
    return out


__all__ = [
    "ATTRIBUTION",
    "CORRIDOR_ROADS",
    "OVERPASS_URL",
    "OsmError",
    "corridors_from_ways",
    "fetch_overpass",
    "merge_lines",
    "overpass_query",
    "ways_from_overpass",
]
