"""Writing layer files: GeoJSON in WGS84, written by one writer (reading: :mod:`gis.readers.geojson`).

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

from .errors import CRSError
from .settings import COORD_PRECISION

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
