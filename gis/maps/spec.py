"""Map specs: declarative TOML files in ``maps/`` that say what a map shows and how.

A spec is validated in two steps, each collecting every problem before it
raises one :class:`~gis.errors.ValidationError` that names the spec file and
the key path of each problem (``layers[2].style.kind: 'choroplet' is not one
of …``):

1. :func:`parse_spec` checks the TOML itself: known keys, types, allowed
   values (no data is read).
2. :func:`gis.maps.compose.compose_spec` checks it against the data: catalog
   layers and files exist, every named column is there, joins match, and returns
   a :class:`~gis.render.plan.MapPlan` for every renderer.

Nothing is written until both steps pass, so a bad spec leaves previous
outputs untouched.

A minimal spec::

    title = "武汉市行政区 Wuhan districts"
    basemap = "none"

    [[layers]]
    layer = "districts"
    style = { kind = "categorical", column = "name_zh" }

>>> spec = parse_spec_text('title = "T"\\n[[layers]]\\nlayer = "districts"\\n', "demo.toml")
>>> spec.layers[0].layer, spec.layers[0].style.kind
('districts', 'precision')
>>> parse_spec_text('title = "T"\\natlas = true\\nbasemap = "gaode-sat"', "demo.toml")
Traceback (most recent call last):
...
gis.errors.ValidationError: demo.toml: 1 problem(s) in the map spec:
  - basemap: 'gaode-sat' is not one of none, osm, gaode, gaode-satellite, tianditu (did you mean 'gaode-satellite'?)
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..analysis.params import parse_params
from ..basemaps import BASEMAPS
from ..errors import InputError, ValidationError
from ..io import read_config_text
from ..layers import spec_layer_problems
from ..settings import maps_dir, project_root

STYLE_KINDS = ("precision", "categorical", "choropleth", "line", "point")
SCHEMES = ("quantiles", "equal_interval", "natural_breaks")
GROUPS = ("base", "plan", "indicators", "analysis")
ANALYSIS_KINDS = ("coverage", "corridors", "hubs", "gaps", "site")
PANELS = ("targets",)
TABLES = ("targets", "coverage")
FORMATS = ("html", "png", "svg", "pdf")


def _basemap_keys() -> tuple[str, ...]:
    return tuple(BASEMAPS)


# --------------------------------------------------------------------------------------
# Parsed spec (typed, validated, no data read yet)


@dataclass(frozen=True)
class StyleSpec:
    kind: str = "precision"
    column: str | None = None
    color: str | None = None
    fill: str | None = None
    weight: float | None = None
    opacity: float | None = None
    fill_opacity: float | None = None
    radius: int | None = None
    scheme: str = "quantiles"
    k: int = 5
    unit: str = ""
    palette: tuple[str, ...] = ()
    labels: dict[str, str] = field(default_factory=dict)
    #: categorical on a list column (e.g. domains "金融、物流"): values split on this
    #: separator; a feature with several values gets the 多类 "several" colour
    split: str | None = None
    #: choropleth: the year and source of the values (shown in legend and tooltip)
    year: str = ""
    source: str = ""


@dataclass(frozen=True)
class JoinSpec:
    table: str
    on: str
    table_on: str | None = None
    columns: tuple[str, ...] = ()


#: Indicator overlays a spec may draw (``indicator = "roles"``), from gis.maps.indicators.
INDICATORS = {
    "roles": "roles_overlay",  # district roles of clause (七), categorical
    "census": "census_overlay",  # 2020 census density by district, choropleth
}


@dataclass(frozen=True)
class LayerSpec:
    layer: str | None = None
    file: str | None = None
    indicator: str | None = None
    title: str | None = None
    group: str | None = None
    show: bool = True
    tooltip: tuple[str, ...] | None = None
    popup: tuple[str, ...] | None = None
    label: str | None = None
    join: JoinSpec | None = None
    style: StyleSpec = field(default_factory=StyleSpec)


@dataclass(frozen=True)
class AnalysisSpec:
    kind: str
    params: dict[str, Any] = field(default_factory=dict)
    title: str | None = None
    show: bool = True
    style: StyleSpec = field(default_factory=lambda: StyleSpec(kind="precision"))


@dataclass(frozen=True)
class OutputSpec:
    html: str
    formats: tuple[str, ...] = ("html",)
    embed: bool = False


@dataclass(frozen=True)
class MapSpec:
    """A validated map spec (see the module docstring)."""

    path: Path
    name: str
    title: str
    subtitle: str = ""
    basemap: str = "none"
    atlas: bool = False
    fit: str | None = None
    notes: str = ""
    panel: str | None = None
    layers: tuple[LayerSpec, ...] = ()
    analysis: tuple[AnalysisSpec, ...] = ()
    tables: tuple[str, ...] = ()
    outputs: OutputSpec = field(default_factory=lambda: OutputSpec("map.html"))


# --------------------------------------------------------------------------------------
# Validation helpers: every check appends "key.path: problem" to a list


class _Checker:
    def __init__(self) -> None:
        self.problems: list[str] = []

    def add(self, path: str, msg: str) -> None:
        self.problems.append(f"{path}: {msg}")

    def keys(self, table: dict[str, Any], allowed: tuple[str, ...], path: str) -> None:
        for k in table:
            if k not in allowed:
                near = difflib.get_close_matches(k, allowed, n=1, cutoff=0.6)
                hint = f" (did you mean {near[0]!r}?)" if near else ""
                where = f"{path}.{k}" if path else k
                self.add(where, f"unknown key{hint}; allowed keys: {', '.join(allowed)}")

    def typed(
        self, table: dict[str, Any], key: str, types: type | tuple[type, ...], path: str
    ) -> Any:
        if key not in table:
            return None
        v = table[key]
        where = f"{path}.{key}" if path else key
        names = (
            types.__name__ if isinstance(types, type) else " or ".join(t.__name__ for t in types)
        )
        if isinstance(v, bool) and bool not in (types if isinstance(types, tuple) else (types,)):
            self.add(where, f"{v!r} is a boolean, expected {names}")
            return None
        if not isinstance(v, types):
            self.add(where, f"{v!r} is a {type(v).__name__}, expected {names}")
            return None
        return v

    def choice(self, table: dict[str, Any], key: str, options: tuple[str, ...], path: str) -> Any:
        v = self.typed(table, key, str, path)
        if v is None:
            return None
        if v not in options:
            near = difflib.get_close_matches(v, options, n=1, cutoff=0.5)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            where = f"{path}.{key}" if path else key
            self.add(where, f"{v!r} is not one of {', '.join(options)}{hint}")
            return None
        return v

    def strings(self, table: dict[str, Any], key: str, path: str) -> tuple[str, ...] | None:
        v = self.typed(table, key, list, path)
        if v is None:
            return None
        bad = [x for x in v if not isinstance(x, str)]
        if bad:
            self.add(f"{path}.{key}" if path else key, f"expected a list of strings, got {v!r}")
            return None
        return tuple(v)

    def number(
        self, table: dict[str, Any], key: str, path: str, lo: float, hi: float
    ) -> float | None:
        v = self.typed(table, key, (int, float), path)
        if v is None:
            return None
        if not lo <= v <= hi:
            self.add(f"{path}.{key}", f"{v!r} is out of range, expected {lo}–{hi}")
            return None
        return float(v)

    def colour(self, table: dict[str, Any], key: str, path: str) -> str | None:
        v = self.typed(table, key, str, path)
        if v is None:
            return None
        if not re.fullmatch(r"#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?", v):
            self.add(f"{path}.{key}", f"{v!r} is not a colour, expected #rgb or #rrggbb")
            return None
        return v


_STYLE_KEYS = (
    "kind",
    "column",
    "color",
    "fill",
    "weight",
    "opacity",
    "fill_opacity",
    "radius",
    "scheme",
    "k",
    "unit",
    "palette",
    "labels",
    "split",
    "year",
    "source",
)


def _style(c: _Checker, raw: Any, path: str, default_kind: str = "precision") -> StyleSpec:
    if raw is None:
        return StyleSpec(kind=default_kind)
    if not isinstance(raw, dict):
        c.add(path, f"expected a table, got {raw!r}")
        return StyleSpec(kind=default_kind)
    c.keys(raw, _STYLE_KEYS, path)
    kind = c.choice(raw, "kind", STYLE_KINDS, path) or default_kind
    column = c.typed(raw, "column", str, path)
    if kind in ("categorical", "choropleth") and column is None and "column" not in raw:
        c.add(f"{path}.column", f"style kind {kind!r} needs the column to colour by")
    palette = c.strings(raw, "palette", path) or ()
    for i, col in enumerate(palette):
        c.colour({"palette": col}, "palette", f"{path}[{i}]")
    labels = c.typed(raw, "labels", dict, path) or {}
    k = c.typed(raw, "k", int, path)
    if k is not None and not 2 <= k <= 9:
        c.add(f"{path}.k", f"{k!r} is out of range, expected 2–9 classes")
        k = None
    radius = c.typed(raw, "radius", int, path)
    if radius is not None and not 1 <= radius <= 40:
        c.add(f"{path}.radius", f"{radius!r} is out of range, expected 1–40 pixels")
        radius = None
    return StyleSpec(
        kind=kind,
        column=column,
        color=c.colour(raw, "color", path),
        fill=c.colour(raw, "fill", path),
        weight=c.number(raw, "weight", path, 0, 20),
        opacity=c.number(raw, "opacity", path, 0, 1),
        fill_opacity=c.number(raw, "fill_opacity", path, 0, 1),
        radius=radius,
        scheme=c.choice(raw, "scheme", SCHEMES, path) or "quantiles",
        k=k or 5,
        unit=c.typed(raw, "unit", str, path) or "",
        palette=palette,
        labels={str(a): str(b) for a, b in labels.items()},
        split=c.typed(raw, "split", str, path),
        year=str(c.typed(raw, "year", (str, int), path) or ""),
        source=c.typed(raw, "source", str, path) or "",
    )


_LAYER_KEYS = (
    "layer",
    "file",
    "indicator",
    "title",
    "group",
    "show",
    "tooltip",
    "popup",
    "label",
    "join",
    "style",
)
_JOIN_KEYS = ("table", "on", "table_on", "columns")


def _layer(c: _Checker, raw: Any, path: str) -> LayerSpec | None:
    if not isinstance(raw, dict):
        c.add(path, f"expected a table ([[layers]]), got {raw!r}")
        return None
    c.keys(raw, _LAYER_KEYS, path)
    layer = c.typed(raw, "layer", str, path)
    file = c.typed(raw, "file", str, path)
    if sum(k in raw for k in ("layer", "file", "indicator")) != 1:
        c.add(
            path,
            "give exactly one of 'layer' (a catalog id), 'file' (a GeoJSON path) or "
            f"'indicator' ({', '.join(INDICATORS)})",
        )
    indicator = c.choice(raw, "indicator", tuple(INDICATORS), path)
    join = None
    if "join" in raw:
        j = raw["join"]
        jp = f"{path}.join"
        if not isinstance(j, dict):
            c.add(jp, f"expected a table, got {j!r}")
        else:
            c.keys(j, _JOIN_KEYS, jp)
            for req in ("table", "on"):
                if req not in j:
                    c.add(f"{jp}.{req}", "missing (required)")
            table, on = c.typed(j, "table", str, jp), c.typed(j, "on", str, jp)
            if table and on:
                join = JoinSpec(
                    table, on, c.typed(j, "table_on", str, jp), c.strings(j, "columns", jp) or ()
                )
    return LayerSpec(
        layer=layer,
        file=file,
        indicator=indicator,
        title=c.typed(raw, "title", str, path),
        group=c.choice(raw, "group", GROUPS, path),
        show=c.typed(raw, "show", bool, path) is not False,
        tooltip=c.strings(raw, "tooltip", path),
        popup=c.strings(raw, "popup", path),
        label=c.typed(raw, "label", str, path),
        join=join,
        style=_style(c, raw.get("style"), f"{path}.style"),
    )


_ANALYSIS_KEYS = ("kind", "params", "title", "show", "style")


def _analysis(c: _Checker, raw: Any, path: str) -> AnalysisSpec | None:
    if not isinstance(raw, dict):
        c.add(path, f"expected a table ([[analysis]]), got {raw!r}")
        return None
    c.keys(raw, _ANALYSIS_KEYS, path)
    if "kind" not in raw:
        c.add(f"{path}.kind", f"missing (required), one of {', '.join(ANALYSIS_KINDS)}")
    kind = c.choice(raw, "kind", ANALYSIS_KINDS, path)
    params = c.typed(raw, "params", dict, path) or {}
    if kind is None:
        return None
    try:  # the same typed parameters as the command line, checked before any work
        parse_params(kind, params)
    except InputError as exc:
        c.add(f"{path}.params", str(exc))
    return AnalysisSpec(
        kind=kind,
        params=dict(params),
        title=c.typed(raw, "title", str, path),
        show=c.typed(raw, "show", bool, path) is not False,
        style=_style(c, raw.get("style"), f"{path}.style"),
    )


_TOP_KEYS = (
    "title",
    "subtitle",
    "basemap",
    "atlas",
    "fit",
    "notes",
    "panel",
    "layers",
    "analysis",
    "tables",
    "outputs",
)
_OUTPUT_KEYS = ("html", "formats", "embed")


def parse_spec_text(text: str, path: str | Path) -> MapSpec:
    """Validate the TOML text of a spec (no data read); every problem reported at once."""
    p = Path(path)
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{p}: not valid TOML: {exc}; fix the syntax at that line") from None
    c = _Checker()
    c.keys(raw, _TOP_KEYS, "")
    if "title" not in raw:
        c.add("title", 'missing (required): the map\'s title, e.g. title = "武汉 …"')
    basemap = c.choice(raw, "basemap", _basemap_keys(), "") or "none"
    layers = []
    raw_layers = c.typed(raw, "layers", list, "") or []
    for i, item in enumerate(raw_layers):
        ls = _layer(c, item, f"layers[{i}]")
        if ls is not None:
            layers.append(ls)
    analysis = []
    for i, item in enumerate(c.typed(raw, "analysis", list, "") or []):
        a = _analysis(c, item, f"analysis[{i}]")
        if a is not None:
            analysis.append(a)
    atlas = bool(c.typed(raw, "atlas", bool, ""))
    if not atlas and not raw_layers and "analysis" not in raw:
        c.add("layers", "the spec draws nothing: add [[layers]] or [[analysis]], or atlas = true")
    tables = c.strings(raw, "tables", "") or ()
    for i, t in enumerate(tables):
        if t not in TABLES:
            c.add(f"tables[{i}]", f"{t!r} is not one of {', '.join(TABLES)}")
    out_raw = c.typed(raw, "outputs", dict, "") or {}
    c.keys(out_raw, _OUTPUT_KEYS, "outputs")
    html_name = c.typed(out_raw, "html", str, "outputs") or f"{p.stem}.html"
    if "/" in html_name or "\\" in html_name or not html_name.endswith(".html"):
        c.add("outputs.html", f"{html_name!r}: expected a file name ending in .html (no folders)")
    formats = c.strings(out_raw, "formats", "outputs") or ("html",)
    for i, f in enumerate(formats):
        if f not in FORMATS:
            c.add(f"outputs.formats[{i}]", f"{f!r} is not one of {', '.join(FORMATS)}")
    if c.problems:  # what the data would show too, so that one pass reports everything
        c.problems += spec_layer_problems(raw_layers, [p.parent, project_root()])
        raise ValidationError(f"{p}: {len(c.problems)} problem(s) in the map spec:", c.problems)
    return MapSpec(
        path=p,
        name=p.stem,
        title=raw["title"],
        subtitle=c.typed(raw, "subtitle", str, "") or "",
        basemap=basemap,
        atlas=atlas,
        fit=c.typed(raw, "fit", str, ""),
        notes=c.typed(raw, "notes", str, "") or "",
        panel=c.choice(raw, "panel", PANELS, ""),
        layers=tuple(layers),
        analysis=tuple(analysis),
        tables=tables,
        outputs=OutputSpec(html_name, formats, bool(c.typed(out_raw, "embed", bool, "outputs"))),
    )


def load_spec(path: str | Path) -> MapSpec:
    """Read and validate a spec file."""
    p = Path(path)
    if not p.exists():
        shipped = ", ".join(q.name for q in shipped_specs()) or "none"
        raise InputError(f"{p}: map spec not found; shipped specs in {maps_dir()}: {shipped}")
    return parse_spec_text(read_config_text(p), p)


def shipped_specs() -> list[Path]:
    """The spec files in ``maps/``, sorted by name."""
    return sorted(maps_dir().glob("*.toml"))
