"""Put maps together: a spec, the atlas (a plain spec: all catalog layers) or an analysis
result becomes one :class:`~gis.render.plan.MapPlan`, which every renderer draws.

Every layer, join, column and analysis a spec names is loaded and checked here; the
problems are collected and raised as one :class:`~gis.errors.ValidationError` naming
the spec and the key path of each. The title block (title, plan, date, sources with
licences, 示意 note, not-loaded and not-computed notes) is made here once, so the
interactive map, the figures and the report say the same.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import os
from pathlib import Path
from typing import Any

from ..analysis.result import AnalysisResult
from ..analysis.runner import DISTRICTS_TITLE, run_analysis
from ..basemaps import get_basemap
from ..catalog import Catalog, load_catalog
from ..crs import reproject
from ..errors import GisError, InputError, ValidationError
from ..indicators import join_file, target_progress
from ..layers import check_layer_file, import_mark, layer_status, loaded_sources, read_layer
from ..render.interactive import LABELS, precisions_of
from ..render.palette import SCHEMATIC
from ..render.plan import MapPlan, Overlay, TitleBlock
from ..settings import project_root
from . import indicators
from .enterprises import enterprise_overlays
from .spec import AnalysisSpec, JoinSpec, LayerSpec, MapSpec
from .styles import (
    BASE_STYLES,
    layer_style,
    legible_layers,
    style_overlay,
)
from .water import with_water

ATLAS_TITLE = "武汉市生产性服务业空间布局 Wuhan productive services atlas"
PLAN = "武汉市加快生产性服务业高质量发展实施方案(2024—2027年) 武政办〔2024〕121号"

#: Titles of analysis maps, by kind.
KIND_TITLES = {
    "coverage": "集聚区覆盖分析 Cluster coverage",
    "gaps": "覆盖空白 Coverage gaps",
    "corridors": "沿线集聚区 Clusters along corridors",
    "hubs": "集聚区与枢纽 Clusters and hubs",
    "site": "新增集聚区选址 Siting new clusters",
    "enterprises": "企业分布 Enterprises per zone",
}

#: Parameters of the analyses that name an input layer (catalog id or file).
_INPUT_PARAMS = ("points", "districts", "hubs", "corridors", "candidates", "zones")


def build_date() -> str:
    """Today, or the date of ``SOURCE_DATE_EPOCH`` (reproducible builds) when set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date().isoformat()
    return dt.date.today().isoformat()


def not_loaded(cat: Catalog, ids: set[str] | None = None) -> list[tuple[str, int, int]]:
    """(title, loaded, expected) of catalog layers (all, or ``ids``) short of the plan's count,
    e.g. ``("服务业集聚区 Service clusters", 0, 58)``."""
    status = layer_status(cat)
    short = status[status["expected"].notna() & (status["loaded"] < status["expected"])]
    if ids is not None:
        short = short[short["id"].isin(ids)]
    return [(str(r.title), int(r.loaded), int(r.expected)) for r in short.itertuples()]  # type: ignore[call-overload]


def title_block(
    title: str,
    overlays: list[Overlay],
    *,
    plan: str = PLAN,
    not_loaded: list[tuple[str, int, int]] | None = None,
    not_computed: list[str] | None = None,
    notes: list[str] | None = None,
    sources: dict[str, str] | None = None,
) -> TitleBlock:
    """The title block of a map of ``overlays``: sources (after ``sources``, e.g. the input
    layers of an analysis) and the 示意 flag from what is drawn."""
    sources = dict(sources or {})
    schematic = False
    for ov in overlays:
        if ov.gdf is None or ov.gdf.empty:
            continue
        sources.update(ov.sources)
        schematic |= bool(SCHEMATIC & set(precisions_of(ov.gdf)))
    return TitleBlock(
        title,
        plan=plan,
        date=build_date(),
        sources=sources,
        schematic=schematic,
        not_loaded=list(not_loaded or []),
        not_computed=list(not_computed or []),
        notes=list(notes or []),
    )


# --------------------------------------------------------------------------------------
# The atlas: every catalog layer


def catalog_overlays(catalog: Catalog) -> list[Overlay]:
    """One overlay per catalog layer whose file holds features, in catalog order."""
    overlays = []
    plan_index = 0
    for info in catalog.values():
        gdf = read_layer(info.id, catalog)
        if gdf.empty:
            continue
        kinds = set(gdf.geom_type.dropna().str.replace("Multi", ""))
        # a "Mixed" layer that holds only points (cited waypoints) is styled as points
        style = layer_style(info, plan_index, kinds.pop() if len(kinds) == 1 else None)
        if info.id not in BASE_STYLES:
            plan_index += 1
        overlays.append(
            Overlay(
                gdf,
                info.title,
                id=info.id,
                style=style,
                legend_shown=info.id != "city",
                group=info.group,
                sources=loaded_sources(info, gdf["source"] if "source" in gdf else []),
                label="name_zh" if info.id == "districts" else None,
            )
        )
    return overlays


def insert_after_base(overlays: list[Overlay], extra: list[Overlay]) -> list[Overlay]:
    """A new list with ``extra`` placed after the base layers (so plan layers stay on top)."""
    n_base = 0
    for ov in overlays:
        if ov.group != "base":
            break
        n_base += 1
    return [*overlays[:n_base], *extra, *overlays[n_base:]]


def atlas_overlays(cat: Catalog) -> list[Overlay]:
    """The atlas's overlays: every catalog layer, the indicator overlays after the base."""
    return insert_after_base(catalog_overlays(cat), indicators.indicator_overlays())


# --------------------------------------------------------------------------------------
# Spec layers


def _resolve_path(spec: MapSpec, rel: str) -> Path:
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


def _join(
    layer: Any,
    j: JoinSpec,
    spec: MapSpec,
    path: str,
    problems: list[str],
    messages: list[str] | None = None,
) -> Any:
    """The same join as ``clustermap join`` (:func:`gis.indicators.join_file`); its problems
    are the spec's, its report rides on the frame (``attrs["join_report"]``) and its text
    (matched and unmatched rows, as ``clustermap join`` prints it) goes to ``messages``."""
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
    if messages is not None:
        messages.append(f"{spec.path.name} {path}: {report.text()}")
    return joined


def _indicator_overlay(ls: LayerSpec, path: str, cat: Catalog, problems: list[str]) -> Any:
    """An indicator overlay (:mod:`gis.maps.indicators`) on the districts."""
    districts = read_layer("districts", cat)
    if districts.empty:
        problems.append(f"{path}.indicator: the districts layer is empty")
        return None
    make = {"roles": indicators.roles_overlay, "census": indicators.census_overlay}
    ov = make[str(ls.indicator)](districts, show=ls.show)
    changes: dict[str, Any] = {}
    if ls.title:
        changes["title"] = ls.title
    if ls.group:
        changes["group"] = ls.group
    return dataclasses.replace(ov, **changes) if changes else ov


def _layer_overlay(
    spec: MapSpec,
    ls: LayerSpec,
    i: int,
    cat: Catalog,
    problems: list[str],
    plan_index: list[int],
    messages: list[str] | None = None,
) -> Overlay | None:
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
        info = cat[ls.layer]
        try:
            gdf = read_layer(ls.layer, cat)
        except GisError as exc:
            problems.append(f"{path}.layer: {exc}")
            return None
        oid, title, group, geometry = info.id, info.title, info.group, info.geometry
        sources = loaded_sources(info, gdf["source"] if "source" in gdf else [])
    else:
        fpath = _resolve_path(spec, ls.file or "")
        if not fpath.exists():
            problems.append(f"{path}.file: {fpath} not found")
            return None
        gdf, file_problems = check_layer_file(fpath)
        problems += [f"{path}.file: {fp}" for fp in file_problems]
        if gdf is None:
            return None
        oid, title, group = f"file:{fpath.stem}", fpath.stem, "plan"
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
        gdf = _join(gdf, ls.join, spec, f"{path}.join", problems, messages)
    cols = [str(c) for c in gdf.columns if c != gdf.geometry.name]
    _check_columns(problems, f"{path}.tooltip", cols, ls.tooltip, "the layer")
    _check_columns(problems, f"{path}.popup", cols, ls.popup, "the layer")
    if ls.label and ls.label not in cols:
        problems.append(f"{path}.label: column {ls.label!r} is not in the layer")
    if ls.style.kind == "precision" and ls.layer in BASE_STYLES and ls.style.color is None:
        kw: dict[str, Any] = {"style": dict(BASE_STYLES[ls.layer]), "gdf": gdf}
        if ls.layer == "city":
            kw["legend_shown"] = False
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
        id=oid,
        group=group,
        show=ls.show,
        tooltip=tip,
        popup=pop,
        sources=sources,
        label=ls.label,
        **kw,
    )


# --------------------------------------------------------------------------------------
# Analyses


def _input_shortfall(kind: str, params: dict[str, Any], cat: Catalog) -> str | None:
    """'Analysis not computed' note when an input catalog layer holds no features yet."""
    status = layer_status(cat).set_index("id")
    for key in _INPUT_PARAMS:
        lid = params.get(key)
        if isinstance(lid, str) and lid in cat and int(status.loc[lid, "loaded"]) == 0:
            exp = status.loc[lid, "expected"]
            count = f"0/{int(exp)}" if exp == exp and exp is not None else "0"
            return (
                f"分析未计算 Analysis not computed ({kind}): {cat[lid].title} {count} loaded — "
                f"load the list with `clustermap import {lid} FILE`"
            )
    return None


def _frame_id(kind: str, title: str, j: int, cat: Catalog) -> str:
    """The catalog id of a frame that draws a catalog layer (the districts), else kind.j."""
    if title == DISTRICTS_TITLE and "districts" in cat:
        return "districts"
    return f"{kind}.{j}"


def _frame_sources(gdf: Any, oid: str, cat: Catalog) -> dict[str, str]:
    """Sources of an analysis frame: a catalog layer's own (with its licence), else the
    distinct ``source`` values of its features."""
    if oid in cat:
        return loaded_sources(cat[oid], gdf["source"] if "source" in gdf else [])
    raw = set(gdf["source"].dropna().astype(str)) if "source" in gdf else set()
    # an imported list is credited once, by its file, not once per row's own note
    return dict.fromkeys(sorted({import_mark(s) or s for s in raw}), "")


def _analysis_overlays(
    a: AnalysisSpec,
    i: int,
    cat: Catalog,
    problems: list[str],
    not_computed: list[str],
    tables: dict[str, Any],
) -> list[Overlay]:
    """Overlays of one [[analysis]] entry (and its district table in ``tables``).

    An input catalog layer with no features yet (e.g. clusters 0/58) is not an
    error of the spec: the map says the analysis could not be computed and why.
    """
    path = f"analysis[{i}]"
    missing = _input_shortfall(a.kind, a.params, cat)
    if missing:
        not_computed.append(missing)
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
        gdf = reproject(metric, "EPSG:4326")
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
        kw.pop("tooltip", None)
        kw.pop("popup", None)
        oid = _frame_id(a.kind, title, j, cat)
        out.append(
            Overlay(
                title=a.title if a.title and j == 0 else title,
                id=oid,
                group="analysis",
                show=a.show,
                sources=_frame_sources(gdf, oid, cat),
                **kw,
            )
        )
    return out


def compose_analysis(res: AnalysisResult, *, basemap: str = "none") -> MapPlan:
    """The map of an analysis result (``clustermap coverage --map`` …)."""
    get_basemap(basemap)
    cat = load_catalog()
    overlays: list[Overlay] = []
    for j, (title, gdf) in enumerate(res.frames):
        wgs = reproject(gdf, "EPSG:4326")
        if res.kind == "enterprises" and "layer" in gdf.columns:
            overlays += enterprise_overlays(wgs, res.params.get("file", ""))
            continue
        kw: dict[str, Any] = {}
        if title in res.styles:
            kw["style"] = res.styles[title]
        oid = _frame_id(res.kind, title, j, cat)
        overlays.append(
            Overlay(
                wgs,
                title,
                id=oid,
                group="base" if title == DISTRICTS_TITLE else "analysis",
                sources=_frame_sources(wgs, oid, cat),
                **kw,
            )
        )
    overlays = with_water(overlays, cat)  # the base water layer, under the analysis layers
    overlays = legible_layers(overlays)
    inputs = [v for k, v in res.params.items() if k in _INPUT_PARAMS and v in cat]
    sources: dict[str, str] = {}
    for lid in inputs:  # the input layers' sources (of what they hold now) and licences
        held = read_layer(lid, cat)
        sources.update(loaded_sources(cat[lid], held["source"] if "source" in held else []))
    params = " · ".join(f"{k} = {v}" for k, v in res.params.items())
    tb = title_block(
        KIND_TITLES.get(res.kind, res.kind),
        overlays,
        not_loaded=not_loaded(cat, set(inputs)),
        notes=[f"参数 Parameters: {params}", *res.notes] if params else list(res.notes),
        sources=sources,
    )
    return MapPlan(
        res.kind, tb, overlays, basemap=basemap, tables={res.kind: [(res.kind, res.table)]}
    )


# --------------------------------------------------------------------------------------
# Specs


def compose_spec(spec: MapSpec, *, basemap: str | None = None) -> MapPlan:
    """Load and check every layer, join, column and analysis the spec names: one MapPlan.

    ``atlas = true`` adds every catalog layer (and the indicator overlays after the base
    layers) before the spec's own layers.
    """
    cat = load_catalog()
    bm = basemap or spec.basemap
    get_basemap(bm)
    problems: list[str] = []
    overlays: list[Overlay] = atlas_overlays(cat) if spec.atlas else []
    plan_index = [0]
    messages: list[str] = []
    for i, ls in enumerate(spec.layers):
        ov = _layer_overlay(spec, ls, i, cat, problems, plan_index, messages)
        if ov is not None:
            overlays.append(ov)
    not_computed: list[str] = []
    analysis_tables: dict[str, Any] = {}
    for i, a in enumerate(spec.analysis):
        drawn = {o.id for o in overlays}
        for ov in _analysis_overlays(a, i, cat, problems, not_computed, analysis_tables):
            if ov.id not in drawn:  # e.g. the districts the spec already draws
                overlays.append(ov)
    fit = None
    if spec.fit:
        if spec.fit not in cat:
            problems.append(f"fit: {spec.fit!r} is not in the catalog; known: {', '.join(cat)}")
        else:
            fit = read_layer(spec.fit, cat)
    panel = indicators.targets_panel() if spec.panel == "targets" else None
    tables: dict[str, Any] = {}
    if "targets" in spec.tables:
        tables["targets"] = panel.progress if panel is not None else target_progress()
    if "coverage" in spec.tables:
        if not any(a.kind == "coverage" for a in spec.analysis):
            problems.append("tables: 'coverage' needs an [[analysis]] entry with kind = 'coverage'")
        else:
            tables["coverage"] = analysis_tables.get("coverage", [])
    if problems:
        raise ValidationError(
            f"{spec.path}: {len(problems)} problem(s) building the map:", problems
        )
    overlays = with_water(overlays, cat)  # the base water layer, under the plan layers
    overlays = legible_layers(overlays)
    ids = None if spec.atlas else {ls.layer for ls in spec.layers if ls.layer}
    tb = title_block(
        spec.title or ATLAS_TITLE,
        overlays,
        plan=spec.subtitle or PLAN,
        not_loaded=not_loaded(cat, ids),
        not_computed=not_computed,
        notes=[spec.notes] if spec.notes else [],
    )
    return MapPlan(
        spec.name,
        tb,
        overlays,
        basemap=bm,
        fit=fit,
        panel=panel,
        tables=tables,
        messages=messages,
    )
