"""The layer catalog (``layers/catalog.toml``): what layers exist, where, from what sources.

>>> cat = load_catalog()
>>> cat["districts"].expected
13
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InputError, LayerNotFoundError, ValidationError
from .io import read_config_text
from .settings import PRECISION_CLASSES, layers_dir

GEOMETRY_TYPES = ("Polygon", "LineString", "Point", "Mixed")
GROUPS = ("base", "plan", "indicators", "analysis")
_REQUIRED = ("title_zh", "title_en", "file", "geometry", "key", "group", "precision", "sources")


@dataclass(frozen=True)
class LayerInfo:
    """One catalog entry."""

    id: str
    title_zh: str
    title_en: str
    file: str
    geometry: str
    key: str
    group: str
    precision: str
    sources: tuple[str, ...]
    license: str = ""
    crs_origin: str = "WGS84"
    expected: int | None = None
    fields: tuple[str, ...] = ()
    note: str = ""
    folder: Path = field(default_factory=layers_dir)

    @property
    def path(self) -> Path:
        return self.folder / self.file

    @property
    def title(self) -> str:
        return f"{self.title_zh} {self.title_en}"


class Catalog(dict[str, LayerInfo]):
    """Ordered mapping of layer id to :class:`LayerInfo` (drawing order, bottom first)."""

    path: Path

    def get_layer(self, layer_id: str) -> LayerInfo:
        try:
            return self[layer_id]
        except KeyError:
            known = ", ".join(self)
            raise LayerNotFoundError(
                f"no layer {layer_id!r} in {self.path}; known layers: {known}"
            ) from None


def load_catalog(path: str | Path | None = None) -> Catalog:
    """Read and check the catalog; every problem is reported at once."""
    p = Path(path) if path else layers_dir() / "catalog.toml"
    if not p.exists():
        raise LayerNotFoundError(
            f"{p}: layer catalog not found; run from the project folder or set CLUSTERMAP_HOME"
        )
    try:
        data = tomllib.loads(read_config_text(p))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{p}: not valid TOML: {exc}") from None
    cat = Catalog()
    cat.path = p
    problems: list[str] = []
    for lid, entry in (data.get("layers") or {}).items():
        missing = [k for k in _REQUIRED if k not in entry]
        if missing:
            problems.append(f"layers.{lid}: missing {', '.join(missing)}")
            continue
        if entry["geometry"] not in GEOMETRY_TYPES:
            problems.append(
                f"layers.{lid}.geometry: {entry['geometry']!r}, expected one of {GEOMETRY_TYPES}"
            )
        if entry["group"] not in GROUPS:
            problems.append(f"layers.{lid}.group: {entry['group']!r}, expected one of {GROUPS}")
        if entry["precision"] not in PRECISION_CLASSES:
            problems.append(
                f"layers.{lid}.precision: {entry['precision']!r}, "
                f"expected one of {PRECISION_CLASSES}"
            )
        known = set(LayerInfo.__dataclass_fields__) - {"id", "folder"}
        unknown = sorted(set(entry) - known)
        if unknown:
            problems.append(f"layers.{lid}: unknown key(s) {', '.join(unknown)}")
            continue
        kw: dict[str, Any] = dict(entry)
        kw["sources"] = tuple(kw["sources"])
        kw["fields"] = tuple(kw.get("fields", ()))
        cat[lid] = LayerInfo(id=lid, folder=p.parent, **kw)
    if problems:
        raise ValidationError(f"{p}: {len(problems)} problem(s) in the catalog:", problems)
    return cat
