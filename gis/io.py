"""Reading and writing layer files: GeoJSON in WGS84, written by one writer.

The writer gives stable output (feature order kept, properties in a fixed
order, coordinates rounded to :data:`gis.settings.COORD_PRECISION` places, one
feature a line) so that re-exporting an unchanged layer gives an empty diff.
Every write is atomic: a temporary file in the same folder, then a rename, so a
failure never leaves a half-written file behind.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import numpy as np

from .errors import CRSError, InputError, LayerNotFoundError
from .settings import COORD_PRECISION, WUHAN_BBOX

PRECISION_CLASSES = (
    "official",
    "converted",
    "cited_point",
    "schematic",
    "indicative",
    "coarse",
)


@contextmanager
def atomic_write(path: str | os.PathLike[str], mode: str = "w", **kw: Any) -> Iterator[IO[Any]]:
    """Open a temporary sibling of ``path``; on success rename it over ``path``.

    On any exception the temporary file is removed and ``path`` is untouched.
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, mode, **kw) as fh:
            yield fh
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _round_coords(obj: Any, nd: int) -> Any:
    if isinstance(obj, (list, tuple)):
        if obj and isinstance(obj[0], (int, float)):
            return [round(float(v), nd) for v in obj]
        return [_round_coords(v, nd) for v in obj]
    return obj


def _json_value(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating, float)):
        f = float(v)
        return None if math.isnan(f) or math.isinf(f) else f
    if isinstance(v, np.bool_):
        return bool(v)
    if isinstance(v, (list, tuple, np.ndarray)):
        return [_json_value(x) for x in v]
    if hasattr(v, "isoformat"):
        return v.isoformat()
    try:
        import pandas as pd

        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return v


def dumps_feature_collection(
    gdf: Any, *, name: str | None = None, precision: int = COORD_PRECISION
) -> str:
    """Serialise a WGS84 GeoDataFrame as stable GeoJSON text (one feature a line)."""
    import shapely

    if gdf.crs is not None and gdf.crs.to_epsg() not in (4326, 4490):
        raise CRSError(f"layer {name or ''} must be in WGS84 to be written, not {gdf.crs}")
    cols = [c for c in gdf.columns if c != gdf.geometry.name]
    lines = []
    for row, geom in zip(gdf[cols].itertuples(index=False, name=None), gdf.geometry.values):
        props = {c: _json_value(v) for c, v in zip(cols, row)}
        gj = None if geom is None else json.loads(shapely.to_geojson(geom))
        if gj is not None:
            gj["coordinates"] = _round_coords(gj["coordinates"], precision)
        feat = {"type": "Feature", "properties": props, "geometry": gj}
        lines.append(json.dumps(feat, ensure_ascii=False, separators=(",", ":")))
    head = {"type": "FeatureCollection"}
    if name:
        head["name"] = name
    text = json.dumps(head, ensure_ascii=False, separators=(",", ":"))[:-1]
    return text + ',"features":[\n' + ",\n".join(lines) + "\n]}\n"


def write_geojson(gdf: Any, path: str | os.PathLike[str], *, name: str | None = None) -> Path:
    """Write ``gdf`` (WGS84) to ``path`` atomically with the stable writer."""
    text = dumps_feature_collection(gdf, name=name)
    with atomic_write(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)
    return Path(path)


def _check_extent(path: Path, features: list[dict[str, Any]], key: str | None) -> None:
    """Refuse coordinates that are clearly not Wuhan lon/lat (metres, or lat/lon swapped)."""
    xmin, ymin, xmax, ymax = WUHAN_BBOX
    for i, feat in enumerate(features):
        geom = feat.get("geometry")
        if not geom:
            continue
        coords = np.asarray(_first_coord(geom.get("coordinates")), dtype=float)
        if coords.size < 2:
            continue
        x, y = float(coords[0]), float(coords[1])
        ident = _feature_label(feat, i, key)
        # swapped first: Wuhan's longitude (~114) as a latitude is also > 90
        if xmin <= y <= xmax and ymin <= x <= ymax:
            raise CRSError(
                f"{path}: {ident}: coordinate ({x}, {y}) has latitude and longitude swapped; "
                "GeoJSON stores [longitude, latitude]: swap the two columns"
            )
        if abs(x) > 180 or abs(y) > 90:
            raise CRSError(
                f"{path}: {ident}: coordinate ({x:.1f}, {y:.1f}) is not lon/lat; the file looks "
                "projected (metres). Reproject it to WGS84 (EPSG:4326), or import it with "
                "`clustermap import LAYER FILE --crs EPSG:<code>`"
            )
        if not (xmin <= x <= xmax and ymin <= y <= ymax):
            raise CRSError(
                f"{path}: {ident}: coordinate ({x}, {y}) lies outside Wuhan "
                f"(lon {xmin}-{xmax}, lat {ymin}-{ymax}); check the coordinates and their CRS"
            )


def _first_coord(c: Any) -> Any:
    while isinstance(c, list) and c and isinstance(c[0], list):
        c = c[0]
    return c


def _feature_label(feat: dict[str, Any], i: int, key: str | None) -> str:
    props = feat.get("properties") or {}
    kid = props.get(key) if key else None
    name = props.get("name_zh") or props.get("name")
    label = f"feature {i + 1}"
    if kid is not None:
        label += f" ({key}={kid}"
        label += f", {name})" if name else ")"
    elif name:
        label += f" ({name})"
    return label


def read_geojson(path: str | os.PathLike[str], *, key: str | None = None) -> Any:
    """Read a layer GeoJSON file (WGS84) into a GeoDataFrame in EPSG:4326.

    Raises :class:`LayerNotFoundError` for a missing file and :class:`InputError`
    or :class:`CRSError` for a malformed one, naming the file and the feature.
    """
    import geopandas as gpd
    import shapely

    p = Path(path)
    if not p.exists():
        raise LayerNotFoundError(f"{p}: file not found")
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise InputError(f"{p}: not UTF-8 text ({exc.reason}); save it as UTF-8 GeoJSON") from None
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{p}: not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}; "
            "fix the file or rebuild it with its script in scripts/"
        ) from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise InputError(f"{p}: expected a GeoJSON FeatureCollection at the top level")
    features = data.get("features")
    if not isinstance(features, list):
        raise InputError(f"{p}: 'features' must be a list")
    crs_name = ((data.get("crs") or {}).get("properties") or {}).get("name", "")
    if crs_name and not any(t in crs_name for t in ("4326", "CRS84", "4490")):
        raise CRSError(
            f"{p}: declares CRS {crs_name}; layer files must be WGS84. Import it with "
            "`clustermap import LAYER FILE` to convert"
        )
    _check_extent(p, features, key)
    geoms = []
    for i, feat in enumerate(features):
        g = feat.get("geometry") if isinstance(feat, dict) else None
        try:
            geoms.append(None if g is None else shapely.from_geojson(json.dumps(g)))
        except Exception as exc:  # shapely raises GEOSException with a terse text
            raise InputError(
                f"{p}: {_feature_label(feat, i, key)}: unreadable geometry ({exc}); "
                "fix or remove that feature"
            ) from None
    props = [(f.get("properties") or {}) for f in features]
    return gpd.GeoDataFrame(props, geometry=geoms, crs="EPSG:4326")
