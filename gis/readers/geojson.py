"""Reading GeoJSON: layer files (WGS84) and any JSON a user hands in.

:func:`load_json` is the one place JSON files are parsed: truncated text, deep nesting
(Python's parser recurses), bytes that are not UTF-8 and unreadable paths become an
:class:`~gis.errors.InputError` naming the file. :func:`read_geojson` reads a layer
file on top of it.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "deep.geojson"
>>> _ = p.write_text("[" * 100000 + "]" * 100000)
>>> try:
...     load_json(p, what="GeoJSON")
... except InputError as exc:
...     print(str(exc).split(":")[1].split(";")[0].strip())
nested more deeply than any GeoJSON (lists inside lists over 1000 levels)
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from ..errors import CRSError, InputError, LayerNotFoundError
from ..settings import WUHAN_BBOX


def load_json(path: str | os.PathLike[str], *, what: str = "JSON") -> Any:
    """The parsed JSON of ``path``; every way the file can be unusable is an InputError.

    ``what`` names the expected content in messages (``"GeoJSON"``, ``"Overpass reply"``).
    """
    p = Path(path)
    if not p.exists():
        raise LayerNotFoundError(f"{p}: file not found")
    if p.is_dir():
        raise InputError(f"{p}: is a folder, not a {what} file")
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise InputError(f"{p}: cannot be read ({exc.strerror or exc})") from None
    if not raw.strip():
        raise InputError(f"{p}: the file is empty; expected {what}")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(
            f"{p}: line {line}: bytes that are not UTF-8 ({exc.reason}); {what} is UTF-8 "
            "text: save it as UTF-8"
        ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        end = " (the file ends early: cut off?)" if exc.pos >= len(text.rstrip()) else ""
        raise InputError(
            f"{p}: not valid {what} at line {exc.lineno}, column {exc.colno}: {exc.msg}{end}; "
            "fix the file, export it again, or rebuild it with its script in scripts/"
        ) from None
    except RecursionError:
        raise InputError(
            f"{p}: nested more deeply than any {what} (lists inside lists over 1000 levels); "
            "the file is damaged or not what it claims to be: export it again"
        ) from None


def _first_coord(c: Any) -> Any:
    while isinstance(c, list) and c and isinstance(c[0], list):
        c = c[0]
    return c


def feature_label(feat: Any, i: int, key: str | None) -> str:
    """``feature 3 (id=c01, 江汉区)``: how messages name the ``i``-th (0-based) feature."""
    props = (feat.get("properties") if isinstance(feat, dict) else None) or {}
    if not isinstance(props, dict):
        props = {}
    kid = props.get(key) if key else None
    name = props.get("name_zh") or props.get("name")
    label = f"feature {i + 1}"
    if kid is not None:
        label += f" ({key}={kid}"
        label += f", {name})" if name else ")"
    elif name:
        label += f" ({name})"
    return label


def _check_extent(path: Path, features: list[Any], key: str | None) -> None:
    """Refuse coordinates that are clearly not Wuhan lon/lat (metres, or lat/lon swapped)."""
    # numpy via gis.crs: imported when a file is checked, not by `clustermap layers`
    from ..crs import LONLAT_MISSING, LONLAT_OK, LONLAT_PROJECTED, LONLAT_SWAPPED, lonlat_check

    xmin, ymin, xmax, ymax = WUHAN_BBOX
    for i, feat in enumerate(features):
        geom = feat.get("geometry") if isinstance(feat, dict) else None
        if not isinstance(geom, dict):
            continue
        c = _first_coord(geom.get("coordinates"))
        if not isinstance(c, list) or len(c) < 2:
            continue
        try:
            x, y = float(c[0]), float(c[1])
        except (TypeError, ValueError):
            continue  # reported by the geometry reader below
        kind = int(lonlat_check([x], [y])[0])
        if kind == LONLAT_OK:
            continue
        ident = feature_label(feat, i, key)
        if kind == LONLAT_MISSING:
            raise InputError(
                f"{path}: {ident}: coordinate ({x}, {y}) is not a number (NaN or infinite); "
                "fix or remove that feature"
            )
        if kind == LONLAT_SWAPPED:
            raise CRSError(
                f"{path}: {ident}: coordinate ({x}, {y}) has latitude and longitude swapped; "
                "GeoJSON stores [longitude, latitude]: swap the two columns"
            )
        if kind == LONLAT_PROJECTED:
            raise CRSError(
                f"{path}: {ident}: coordinate ({x:.1f}, {y:.1f}) is not lon/lat; the file looks "
                "projected (metres). Reproject it to WGS84 (EPSG:4326), or import it with "
                "`clustermap import LAYER FILE --crs EPSG:<code>`"
            )
        raise CRSError(
            f"{path}: {ident}: coordinate ({x}, {y}) lies outside Wuhan "
            f"(lon {xmin}-{xmax}, lat {ymin}-{ymax}); check the coordinates and their CRS"
        )


def read_geojson(path: str | os.PathLike[str], *, key: str | None = None) -> Any:
    """Read a layer GeoJSON file (WGS84) into a GeoDataFrame in EPSG:4326.

    Raises :class:`LayerNotFoundError` for a missing file and :class:`InputError`
    or :class:`CRSError` for a malformed one, naming the file and the feature.
    """
    import geopandas as gpd
    import shapely

    p = Path(path)
    data = load_json(p, what="GeoJSON")
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise InputError(f"{p}: expected a GeoJSON FeatureCollection at the top level")
    features = data.get("features")
    if not isinstance(features, list):
        raise InputError(f"{p}: 'features' must be a list")
    crs = data.get("crs")
    crs_name = ""
    if isinstance(crs, dict) and isinstance(crs.get("properties"), dict):
        crs_name = str(crs["properties"].get("name", ""))
    if crs_name and not any(t in crs_name for t in ("4326", "CRS84", "4490")):
        raise CRSError(
            f"{p}: declares CRS {crs_name}; layer files must be WGS84. Import it with "
            "`clustermap import LAYER FILE` to convert"
        )
    _check_extent(p, features, key)
    geoms, props = [], []
    for i, feat in enumerate(features):
        if not isinstance(feat, dict):
            raise InputError(f"{p}: feature {i + 1} is not a GeoJSON Feature object")
        g = feat.get("geometry")
        try:
            geoms.append(None if g is None else shapely.from_geojson(json.dumps(g)))
        except RecursionError:
            raise InputError(
                f"{p}: {feature_label(feat, i, key)}: geometry nested too deeply to be one; "
                "fix or remove that feature"
            ) from None
        except Exception as exc:  # shapely raises GEOSException with a terse text
            raise InputError(
                f"{p}: {feature_label(feat, i, key)}: unreadable geometry ({exc}); "
                "fix or remove that feature"
            ) from None
        prop = feat.get("properties") or {}
        if not isinstance(prop, dict):
            raise InputError(f"{p}: {feature_label(feat, i, key)}: 'properties' must be an object")
        props.append(prop)
    return gpd.GeoDataFrame(props, geometry=geoms, crs="EPSG:4326")
