"""Map specs: declarative TOML files in ``maps/`` that say what a map shows and how.

A spec is validated in two steps, each collecting every problem before it
raises one :class:`~gis.errors.ValidationError` that names the spec file and
the key path of each problem (``layers[2].style.kind: 'choroplet' is not one
of …``):

1. :func:`parse_spec` checks the TOML itself: known keys, types, allowed
   values (no data is read).
2. :func:`resolve_spec` checks it against the data: catalog layers and files
   exist, every named column is there, joins match, and returns a
   :class:`MapPlan` (overlays ready for :func:`gis.render.overlay.overlay_map`
   or :func:`gis.render.static_map.static_map`).

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
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import GisError, InputError, ValidationError
from .render.styles import style_overlay

STYLE_KINDS = ("precision", "categorical", "choropleth", "line", "point")
SCHEMES = ("quantiles", "equal_interval", "natural_breaks")
GROUPS = ("base", "plan", "indicators", "analysis")
ANALYSIS_KINDS = ("coverage", "corridors", "hubs", "gaps", "site")
PANELS = ("targets",)
TABLES = ("targets", "coverage")
FORMATS = ("html", "png", "svg", "pdf")


def _basemap_keys() -> tuple[str, ...]:
    from .basemaps import BASEMAPS

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


#: Indicator overlays a spec may draw (``indicator = "roles"``), from gis.render.indicator_layers.
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
        import re

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
        from .layers import spec_layer_problems
        from .settings import project_root

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
        from .settings import maps_dir

        shipped = ", ".join(q.name for q in shipped_specs()) or "none"
        raise InputError(f"{p}: map spec not found; shipped specs in {maps_dir()}: {shipped}")
    return parse_spec_text(p.read_text(encoding="utf-8"), p)


def shipped_specs() -> list[Path]:
    """The spec files in ``maps/``, sorted by name."""
    from .settings import maps_dir

    return sorted(maps_dir().glob("*.toml"))


# --------------------------------------------------------------------------------------
# Resolution against the data: a MapPlan of overlays


@dataclass
class MapPlan:
    """Everything a renderer needs, all data loaded and checked."""

    spec: MapSpec
    title: str
    subtitle: str
    basemap: str
    overlays: list[Any]
    fit: Any = None
    notes_html: str = ""
    panel_html: str = ""
    #: label column per overlay title (static figures)
    labels: dict[str, str] = field(default_factory=dict)
    tables: dict[str, Any] = field(default_factory=dict)


def _resolve_path(spec: MapSpec, rel: str) -> Path:
    from .settings import project_root

    q = Path(rel)
    if q.is_absolute():
        return q
    for base in (spec.path.parent, project_root()):
        if (base / q).exists():
            return base / q
    return project_root() / q


def _check_columns(
    problems: list[str], path: str, cols: list[str], names: tuple[str, ...] | None, what: str
) -> None:
    for i, n in enumerate(names or ()):
        if n not in cols:
            near = difflib.get_close_matches(n, cols, n=1, cutoff=0.5)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            problems.append(
                f"{path}[{i}]: column {n!r} is not in {what}{hint}; columns: {', '.join(cols)}"
            )


def _join(layer: Any, j: JoinSpec, spec: MapSpec, path: str, problems: list[str]) -> Any:
    """The same join as ``clustermap join`` (:func:`gis.indicators.join_file`); its problems
    are the spec's, its report rides on the frame (``attrs["join_report"]``)."""
    from .indicators import join_file

    tpath = _resolve_path(spec, j.table)
    if not tpath.exists():
        problems.append(f"{path}.table: file {tpath} not found")
        return layer
    try:
        joined, report = join_file(
            layer,
            tpath.resolve(),
            key=j.table_on,
            layer_key=j.on,
            columns=j.columns,
            layer_name=path,
        )
    except GisError as exc:
        problems.append(f"{path}: {exc}")
        return layer
    problems += [f"{path}: {p}" for p in report.problems]
    joined.attrs["join_report"] = report
    return joined


def _indicator_overlay(ls: LayerSpec, path: str, cat: Any, problems: list[str]) -> Any:
    """An overlay of gis.render.indicator_layers (values from gis.indicators) on the districts."""
    import dataclasses

    try:
        from .render import indicator_layers
    except ImportError:
        problems.append(
            f"{path}.indicator: needs gis.render.indicator_layers, which is not available in "
            "this installation"
        )
        return None
    from .layers import read_layer

    districts = read_layer("districts", cat)
    if districts.empty:
        problems.append(f"{path}.indicator: the districts layer is empty")
        return None
    ov = getattr(indicator_layers, INDICATORS[str(ls.indicator)])(districts, show=ls.show)
    changes: dict[str, Any] = {}
    if ls.title:
        changes["title"] = ls.title
    if ls.group:
        changes["group"] = ls.group
    return dataclasses.replace(ov, **changes) if changes else ov


def _layer_overlay(
    spec: MapSpec, ls: LayerSpec, i: int, cat: Any, problems: list[str], plan_index: list[int]
) -> Any:
    from .layers import check_layer_file
    from .render.overlay import Overlay

    path = f"layers[{i}]"
    if ls.indicator is not None:
        return _indicator_overlay(ls, path, cat, problems)
    if ls.layer is not None:
        if ls.layer not in cat:
            near = difflib.get_close_matches(ls.layer, list(cat), n=1, cutoff=0.5)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            problems.append(
                f"{path}.layer: {ls.layer!r} is not in the catalog{hint}; "
                f"known layers: {', '.join(cat)}"
            )
            return None
        from .layers import read_layer

        info = cat[ls.layer]
        try:
            gdf = read_layer(ls.layer, cat)
        except GisError as exc:
            problems.append(f"{path}.layer: {exc}")
            return None
        title, group, geometry = info.title, info.group, info.geometry
        sources = dict.fromkeys(info.sources, info.license)
    else:
        fpath = _resolve_path(spec, ls.file or "")
        if not fpath.exists():
            problems.append(f"{path}.file: {fpath} not found")
            return None
        gdf, file_problems = check_layer_file(fpath)
        problems += [f"{path}.file: {fp}" for fp in file_problems]
        if gdf is None:
            return None
        title, group = fpath.stem, "plan"
        kinds = set(gdf.geom_type.dropna().str.replace("Multi", "")) if len(gdf) else set()
        geometry = kinds.pop() if len(kinds) == 1 else "Mixed"
        srcs = sorted(set(gdf["source"].dropna().astype(str))) if "source" in gdf else []
        sources = dict.fromkeys(srcs, "")
    title = ls.title or title
    group = ls.group or group
    if geometry == "Mixed" and len(gdf):
        kinds = set(gdf.geom_type.dropna().str.replace("Multi", ""))
        geometry = kinds.pop() if len(kinds) == 1 else "Mixed"
    if gdf.empty:
        # nothing loaded yet (e.g. clusters 0/58): the title block says so; no column checks
        return None
    if ls.join is not None:
        gdf = _join(gdf, ls.join, spec, f"{path}.join", problems)
    cols = [str(c) for c in gdf.columns if c != gdf.geometry.name]
    _check_columns(problems, f"{path}.tooltip", cols, ls.tooltip, "the layer")
    _check_columns(problems, f"{path}.popup", cols, ls.popup, "the layer")
    if ls.label and ls.label not in cols:
        problems.append(f"{path}.label: column {ls.label!r} is not in the layer")
    from .render.atlas import BASE_STYLES
    from .render.overlay import LABELS

    if ls.style.kind == "precision" and ls.layer in BASE_STYLES and ls.style.color is None:
        kw: dict[str, Any] = {"style": dict(BASE_STYLES[ls.layer]), "gdf": gdf}
        if ls.layer == "city":
            kw["legend"] = ""
    else:
        kw = style_overlay(
            gdf,
            ls.style,
            title=title,
            geometry=geometry,
            index=plan_index[0],
            path=f"{path}.style",
            problems=problems,
        )
        if group != "base":
            plan_index[0] += 1
    tip, pop = kw.pop("tooltip", None), kw.pop("popup", None)
    if ls.tooltip is not None:
        tip = [(c, LABELS.get(c, c)) for c in ls.tooltip]
    if ls.popup is not None:
        pop = [(c, LABELS.get(c, c)) for c in ls.popup]
    return Overlay(
        title=title,
        group=group,
        show=ls.show,
        tooltip=tip,
        popup=pop,
        sources=sources,
        label=ls.label,
        **kw,
    )


#: Parameters of the analyses that name an input layer (catalog id or file).
_INPUT_PARAMS = ("points", "districts", "hubs", "corridors", "candidates")


def _analysis_overlays(
    spec: MapSpec,
    a: AnalysisSpec,
    i: int,
    problems: list[str],
    notes: list[str],
    tables: dict[str, Any],
) -> list[Any]:
    """Overlays of one [[analysis]] entry (and its district table in ``tables``).

    An input catalog layer with no features yet (e.g. clusters 0/58) is not an
    error of the spec: the map says the analysis could not be computed and why.
    """
    from .render.overlay import Overlay

    path = f"analysis[{i}]"
    try:
        from .analysis.layers import run_analysis
    except ImportError:
        problems.append(
            f"{path}.kind: analysis layers need gis.analysis.layers, which is not available "
            "in this installation; remove the [[analysis]] entry"
        )
        return []
    from .catalog import load_catalog
    from .layers import layer_status

    cat = load_catalog()
    status = layer_status(cat).set_index("id")
    for key in _INPUT_PARAMS:
        lid = a.params.get(key)
        if isinstance(lid, str) and lid in cat and int(status.loc[lid, "loaded"]) == 0:
            exp = status.loc[lid, "expected"]
            count = f"0/{int(exp)}" if exp == exp and exp is not None else "0"
            notes.append(
                f"分析未计算 Analysis not computed ({a.kind}): {cat[lid].title} {count} loaded — "
                f"load the list with `clustermap import {lid} FILE`"
            )
            return []
    try:
        res = run_analysis(a.kind, **a.params)
    except TypeError as exc:
        problems.append(f"{path}.params: {exc}")
        return []
    except InputError as exc:
        problems.append(f"{path}: {exc}")
        return []
    tables.setdefault(a.kind, []).append((a.title or a.kind, res.table))
    out = []
    for j, (title, metric) in enumerate(res.frames):
        gdf = metric.to_crs("EPSG:4326")
        kinds = set(gdf.geom_type.dropna().str.replace("Multi", "")) if len(gdf) else set()
        geometry = kinds.pop() if len(kinds) == 1 else "Mixed"
        kw = style_overlay(
            gdf,
            a.style,
            title=title,
            geometry=geometry,
            index=4 + i + j,
            path=f"{path}.style",
            problems=problems,
        )
        if title in res.styles and a.style.kind == "precision" and a.style.color is None:
            kw["style"] = dict(res.styles[title])
        srcs = sorted(set(gdf["source"].dropna().astype(str))) if "source" in gdf else []
        kw.pop("tooltip", None)
        kw.pop("popup", None)
        out.append(
            Overlay(
                title=a.title if a.title and j == 0 else title,
                group="analysis",
                show=a.show,
                sources=dict.fromkeys(srcs, ""),
                **kw,
            )
        )
    return out


def _optional_call(module: str, name: str, path: str, what: str, problems: list[str]) -> Any:
    import importlib

    try:
        mod = importlib.import_module(module)
        func: Callable[[], Any] = getattr(mod, name)
    except (ImportError, AttributeError):
        problems.append(
            f"{path}: {what} needs {module}.{name}, which is not available in this "
            f"installation; remove '{path}' from the spec"
        )
        return None
    return func()


def _targets_panel(problems: list[str]) -> str:
    """HTML of the targets panel (gis.render.indicator_layers.targets_panel_html)."""
    html = _optional_call(
        "gis.render.indicator_layers", "targets_panel_html", "panel", "the targets panel", problems
    )
    return str(html or "")


def resolve_spec(spec: MapSpec, *, basemap: str | None = None) -> MapPlan:
    """Load and check every layer, join, column and analysis the spec names."""
    from .basemaps import get_basemap
    from .catalog import load_catalog
    from .render.atlas import ATLAS_TITLE, PLAN, catalog_overlays, status_html
    from .render.overlay import build_date

    cat = load_catalog()
    bm = basemap or spec.basemap
    get_basemap(bm)
    problems: list[str] = []
    overlays: list[Any] = []
    labels: dict[str, str] = {}
    if spec.atlas:
        overlays.extend(catalog_overlays(cat))
        try:  # the same indicator overlays as atlas_map draws (static figures use this list)
            from .render.indicator_layers import indicator_overlays, insert_indicator_overlays

            overlays = insert_indicator_overlays(overlays, indicator_overlays())
        except ImportError:
            pass
        if "districts" in cat:
            labels[cat["districts"].title] = "name_zh"
    plan_index = [0]
    for i, ls in enumerate(spec.layers):
        ov = _layer_overlay(spec, ls, i, cat, problems, plan_index)
        if ov is not None:
            overlays.append(ov)
            if ls.label:
                labels[ov.title] = ls.label
    analysis_notes: list[str] = []
    analysis_tables: dict[str, Any] = {}
    for i, a in enumerate(spec.analysis):
        drawn = {o.title for o in overlays}
        for ov in _analysis_overlays(spec, a, i, problems, analysis_notes, analysis_tables):
            if ov.title not in drawn:  # e.g. the districts the spec already draws
                overlays.append(ov)
    fit = None
    if spec.fit:
        if spec.fit not in cat:
            problems.append(f"fit: {spec.fit!r} is not in the catalog; known: {', '.join(cat)}")
        else:
            from .layers import read_layer

            fit = read_layer(spec.fit, cat)
    panel_html = ""
    if spec.panel == "targets":
        panel_html = _targets_panel(problems)
    tables: dict[str, Any] = {}
    if "targets" in spec.tables:
        tables["targets"] = _optional_call(
            "gis.indicators", "target_progress", "tables", "the targets table", problems
        )
    if "coverage" in spec.tables:
        if not any(a.kind == "coverage" for a in spec.analysis):
            problems.append("tables: 'coverage' needs an [[analysis]] entry with kind = 'coverage'")
        elif "coverage" in analysis_tables:
            tables["coverage"] = analysis_tables["coverage"]
    if problems:
        raise ValidationError(
            f"{spec.path}: {len(problems)} problem(s) building the map:", problems
        )
    subtitle = spec.subtitle or PLAN
    notes = status_html(cat) if spec.atlas else _status_for(spec, cat)
    import html as _html

    for n in analysis_notes:
        notes += f"<div class='gis-sub gis-missing'>{_html.escape(n)}</div>"
    if spec.notes:
        notes += f"<div class='gis-sub'>{_html.escape(spec.notes)}</div>"
    return MapPlan(
        spec=spec,
        title=spec.title or ATLAS_TITLE,
        subtitle=f"{subtitle} · {build_date()}",
        basemap=bm,
        overlays=overlays,
        fit=fit,
        notes_html=notes,
        panel_html=panel_html,
        labels=labels,
        tables={k: v for k, v in tables.items() if v is not None},
    )


def _status_for(spec: MapSpec, cat: Any) -> str:
    """'Not fully loaded' line for the catalog layers this spec draws."""
    import html as _html

    from .layers import layer_status

    ids = {ls.layer for ls in spec.layers if ls.layer}
    if not ids:
        return ""
    status = layer_status(cat)
    short = status[
        status["id"].isin(ids)
        & status["expected"].notna()
        & (status["loaded"] < status["expected"])
    ]
    if short.empty:
        return ""
    items = ", ".join(
        f"{_html.escape(str(r.title))} {int(r.loaded)}/{int(r.expected)}"  # type: ignore[call-overload]
        for r in short.itertuples()
    )
    return f"<div class='gis-sub'>未完整载入 Not fully loaded: {items}</div>"
