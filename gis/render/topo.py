"""Shared-border encoding of a map's layers (TopoJSON-like arcs), decoded by the runtime.

Neighbouring districts share their borders, and several layers of one map
often draw the same polygons (districts, a choropleth of them, their roles).
:func:`encode` cuts every ring and line at its junctions into arcs and stores
each arc once for the whole page; a geometry then lists arc indices (``~i``
for arc ``i`` reversed). Coordinates stay plain lon/lat numbers (already
rounded), so a vertex of the page can still be read and checked as it is.
``GIS.geo`` in ``static/gis_map.js`` and :func:`decode` here turn features back
into GeoJSON; the round trip is exact.

>>> sq = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}
>>> tri = {"type": "Polygon", "coordinates": [[[1, 0], [2, 0], [1, 1], [1, 0]]]}
>>> fcs = [{"type": "FeatureCollection", "features": [
...     {"type": "Feature", "properties": {}, "geometry": g} for g in (sq, tri)]}]
>>> arcs, out = encode(fcs)
>>> len(arcs)  # the shared edge (1,0)-(1,1) is stored once
3
>>> decode(arcs, out)[0]["features"][1]["geometry"] == tri
True
"""

from __future__ import annotations

import copy
from typing import Any

Point = tuple[float, float]


def _dedupe(points: list[Point]) -> list[Point]:
    out: list[Point] = []
    for p in points:
        if not out or p != out[-1]:
            out.append(p)
    return out


def _lines_of(geom: dict[str, Any] | None) -> list[tuple[list[Point], bool]]:
    """(points, closed) of every ring and line of a geometry."""
    if geom is None:
        return []
    t, c = geom["type"], geom.get("coordinates") or []
    polys: list[Any]
    rings: list[tuple[list[Point], bool]] = []
    if t == "Polygon":
        polys = [c]
    elif t == "MultiPolygon":
        polys = c
    else:
        polys = []
    for poly in polys:
        for ring in poly:
            pts = _dedupe([(p[0], p[1]) for p in ring])
            if len(pts) > 1 and pts[0] == pts[-1]:
                pts = pts[:-1]
            rings.append((pts, True))
    if t == "LineString":
        rings.append((_dedupe([(p[0], p[1]) for p in c]), False))
    elif t == "MultiLineString":
        rings.extend((_dedupe([(p[0], p[1]) for p in line]), False) for line in c)
    return rings


def _junctions(lines: list[tuple[list[Point], bool]]) -> set[Point]:
    neighbours: dict[Point, set[Point]] = {}
    junctions: set[Point] = set()
    for pts, closed in lines:
        n = len(pts)
        if n == 0:
            continue
        if not closed:
            junctions.add(pts[0])
            junctions.add(pts[-1])
        for i, p in enumerate(pts):
            nb = neighbours.setdefault(p, set())
            if closed:
                nb.add(pts[i - 1])
                nb.add(pts[(i + 1) % n])
            else:
                if i > 0:
                    nb.add(pts[i - 1])
                if i < n - 1:
                    nb.add(pts[i + 1])
    junctions.update(p for p, nb in neighbours.items() if len(nb) > 2)
    return junctions


class _Arcs:
    def __init__(self) -> None:
        self.arcs: list[tuple[Point, ...]] = []
        self.index: dict[tuple[Point, ...], int] = {}

    def ref(self, arc: tuple[Point, ...]) -> int:
        if arc in self.index:
            return self.index[arc]
        rev = arc[::-1]
        if rev in self.index:
            return ~self.index[rev]
        self.index[arc] = len(self.arcs)
        self.arcs.append(arc)
        return self.index[arc]


def _ring_refs(pts: list[Point], junctions: set[Point], arcs: _Arcs) -> list[int]:
    n = len(pts)
    cuts = [i for i, p in enumerate(pts) if p in junctions]
    if not cuts:
        # an isolated ring: one arc, rotated to a canonical start so copies match
        start = min(range(n), key=lambda i: pts[i])
        fwd = pts[start:] + pts[:start]
        back = [fwd[0], *fwd[:0:-1]]
        if back < fwd:
            return [~arcs.ref((*back, back[0]))]
        return [arcs.ref((*fwd, fwd[0]))]
    rot = pts[cuts[0] :] + pts[: cuts[0]]
    marks = [i - cuts[0] for i in cuts] + [n]
    refs = []
    for a, b in zip(marks, marks[1:]):
        seg = rot[a : b + 1] if b < n else [*rot[a:], rot[0]]
        refs.append(arcs.ref(tuple(seg)))
    return refs


def _line_refs(pts: list[Point], junctions: set[Point], arcs: _Arcs) -> list[int]:
    cuts = [i for i, p in enumerate(pts) if p in junctions]
    refs = []
    for a, b in zip(cuts, cuts[1:]):
        refs.append(arcs.ref(tuple(pts[a : b + 1])))
    return refs


def _encode_geometry(
    geom: dict[str, Any] | None, junctions: set[Point], arcs: _Arcs
) -> dict[str, Any] | None:
    if geom is None:
        return None
    t = geom["type"]
    if t in ("Point", "MultiPoint", "GeometryCollection"):
        return geom

    def poly(rings: list[Any]) -> list[list[int]]:
        out = []
        for ring in rings:
            ((pts, _),) = _lines_of({"type": "Polygon", "coordinates": [ring]})
            out.append(_ring_refs(pts, junctions, arcs))
        return out

    def line(coords: list[Any]) -> list[int]:
        ((pts, _),) = _lines_of({"type": "LineString", "coordinates": coords})
        return _line_refs(pts, junctions, arcs)

    c = geom["coordinates"]
    if t == "Polygon":
        return {"type": t, "arcs": poly(c)}
    if t == "MultiPolygon":
        return {"type": t, "arcs": [poly(p) for p in c]}
    if t == "LineString":
        return {"type": t, "arcs": line(c)}
    if t == "MultiLineString":
        return {"type": t, "arcs": [line(x) for x in c]}
    return geom


def encode(collections: list[dict[str, Any]]) -> tuple[list[list[float]], list[dict[str, Any]]]:
    """Arcs (flat ``[x0, y0, x1, y1, …]`` lists) and copies of ``collections`` whose
    line and polygon geometries hold arc references instead of coordinates."""
    lines = []
    for fc in collections:
        for f in fc["features"]:
            lines.extend(_lines_of(f.get("geometry")))
    junctions = _junctions(lines)
    arcs = _Arcs()
    out = []
    for fc in collections:
        new = {k: v for k, v in fc.items() if k != "features"}
        new["features"] = [
            {**f, "geometry": _encode_geometry(f.get("geometry"), junctions, arcs)}
            for f in fc["features"]
        ]
        out.append(new)
    flat = [[v for p in arc for v in p] for arc in arcs.arcs]
    return flat, out


def _arc_points(arcs: list[list[float]], ref: int) -> list[list[float]]:
    a = arcs[ref if ref >= 0 else ~ref]
    pts = [[a[i], a[i + 1]] for i in range(0, len(a), 2)]
    return pts if ref >= 0 else pts[::-1]


def _join(arcs: list[list[float]], refs: list[int]) -> list[list[float]]:
    out: list[list[float]] = []
    for k, ref in enumerate(refs):
        pts = _arc_points(arcs, ref)
        out.extend(pts if k == 0 else pts[1:])
    return out


def decode(arcs: list[list[float]], collections: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """GeoJSON back from :func:`encode` (for tests and tools; the page decodes in JS)."""
    out = copy.deepcopy(collections)
    for fc in out:
        for f in fc["features"]:
            g = f.get("geometry")
            if not g or "arcs" not in g:
                continue
            t, a = g["type"], g.pop("arcs")
            if t == "Polygon":
                g["coordinates"] = [_join(arcs, r) for r in a]
            elif t == "MultiPolygon":
                g["coordinates"] = [[_join(arcs, r) for r in p] for p in a]
            elif t == "LineString":
                g["coordinates"] = _join(arcs, a)
            elif t == "MultiLineString":
                g["coordinates"] = [_join(arcs, x) for x in a]
    return out
