"""Write every output of a map plan: one-file HTML, static figures, an ``<iframe>`` snippet.

Every spec is validated and its data loaded (:func:`gis.maps.compose.compose_spec`)
before anything is written; everything is rendered in memory, then each file is
written atomically. A bad spec therefore leaves the previous outputs untouched.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..basemaps import basemap_key_check
from ..errors import InputError
from ..io import atomic_write
from ..render.html import render_html, save_html, seeded_ids
from ..render.interactive import draw
from ..render.plan import MapPlan
from ..render.static_map import render_static
from ..settings import maps_dir, out_dir
from .compose import compose_spec
from .spec import MapSpec, load_spec, parse_spec_text, shipped_specs

STATIC_FORMATS = ("png", "svg", "pdf")

#: The atlas spec used when the project has no ``maps/atlas.toml`` (the same text).
ATLAS_SPEC = """
title = "武汉市生产性服务业空间布局 Wuhan productive services atlas"
atlas = true
basemap = "none"
fit = "city"
panel = "targets"

[outputs]
html = "wuhan_atlas.html"
formats = ["html"]
"""


@dataclass
class BuildResult:
    """What one spec wrote."""

    spec: str
    files: list[Path] = field(default_factory=list)
    #: what the build says (each spec join's report), printed by ``clustermap build``
    messages: list[str] = field(default_factory=list)


def atlas_spec() -> MapSpec:
    """``maps/atlas.toml``, or the same spec built in when the project has none."""
    path = maps_dir() / "atlas.toml"
    if path.exists():
        return load_spec(path)
    return parse_spec_text(ATLAS_SPEC, path)


def html_text(plan: MapPlan, *, offline: bool = True, seed: int = 0) -> str:
    """The interactive map of a plan as one HTML text (deterministic ids)."""
    with seeded_ids(seed):
        return render_html(draw(plan), offline=offline)


def embed_snippet(html_path: Path, *, title: str, height: int = 600) -> str:
    """An ``<iframe>`` snippet for a web report, pointing at the map file by its name.

    >>> print(embed_snippet(Path("maps/out/hubs.html"), title="枢纽 <Hubs>"))
    <iframe src="hubs.html" title="枢纽 &lt;Hubs&gt;" width="100%" height="600" style="border:0" loading="lazy"></iframe>
    """
    return (
        f'<iframe src="{html.escape(html_path.name)}" title="{html.escape(title)}" '
        f'width="100%" height="{int(height)}" style="border:0" loading="lazy"></iframe>'
    )


def write_outputs(rendered: list[tuple[Path, str | bytes]]) -> list[Path]:
    """Write each (path, text or bytes) atomically; the paths written."""
    for path, payload in rendered:
        if isinstance(payload, bytes):
            with atomic_write(path, "wb") as fh:
                fh.write(payload)
        else:
            with atomic_write(path, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(payload)
    return [p for p, _ in rendered]


def render_plan(
    plan: MapPlan,
    html_path: Path,
    formats: tuple[str, ...],
    *,
    offline: bool = True,
    embed: bool = False,
    seed: int = 0,
) -> list[tuple[Path, Any]]:
    """Every output of a plan, in memory: (path, text or bytes)."""
    bad = [f for f in formats if f not in ("html", *STATIC_FORMATS)]
    if bad:
        raise InputError(f"unknown output format(s) {', '.join(bad)}: use html, png, svg or pdf")
    rendered: list[tuple[Path, Any]] = []
    if "html" in formats or not any(f in STATIC_FORMATS for f in formats):
        rendered.append((html_path, html_text(plan, offline=offline, seed=seed)))
    for f in formats:
        if f in STATIC_FORMATS:
            rendered.append((html_path.with_suffix(f".{f}"), render_static(plan, fmt=f)))
    if embed:
        snippet = embed_snippet(html_path, title=plan.title) + "\n"
        rendered.append((html_path.with_suffix(".embed.html"), snippet))
    return rendered


def build_spec(
    spec_path: str | Path,
    *,
    basemap: str | None = None,
    offline: bool = True,
    formats: tuple[str, ...] | None = None,
    embed: bool | None = None,
    out: str | Path | None = None,
    seed: int = 0,
) -> BuildResult:
    """Build one spec; returns the files written.

    ``formats`` overrides the spec's ``outputs.formats`` (``html``, ``png``,
    ``svg``, ``pdf``); ``out`` is the output folder (default ``maps/out``).
    """
    spec = load_spec(spec_path)
    return _build(spec, basemap, offline, formats, embed, out, seed)


def _build(
    spec: MapSpec,
    basemap: str | None,
    offline: bool,
    formats: tuple[str, ...] | None,
    embed: bool | None,
    out: str | Path | None,
    seed: int = 0,
) -> BuildResult:
    bm = basemap or spec.basemap
    basemap_key_check(bm)
    plan = compose_spec(spec, basemap=bm)
    folder = Path(out) if out else out_dir()
    fmts = tuple(formats) if formats else spec.outputs.formats
    rendered = render_plan(
        plan,
        folder / spec.outputs.html,
        fmts,
        offline=offline,
        embed=embed if embed is not None else spec.outputs.embed,
        seed=seed,
    )
    return BuildResult(spec.name, write_outputs(rendered), list(plan.messages))


def build_atlas(
    out: str | Path | None = None,
    *,
    basemap: str = "none",
    offline: bool = True,
    seed: int = 0,
) -> Path:
    """Write the atlas (``maps/out/wuhan_atlas.html``, or ``out``) and return its path."""
    spec = atlas_spec()
    basemap_key_check(basemap)
    plan = compose_spec(spec, basemap=basemap)
    path = Path(out) if out else out_dir() / spec.outputs.html
    with seeded_ids(seed):
        return save_html(draw(plan), path, offline=offline)


def build_all(
    *,
    basemap: str | None = None,
    offline: bool = True,
    formats: tuple[str, ...] | None = None,
    embed: bool | None = None,
    out: str | Path | None = None,
) -> list[BuildResult]:
    """The atlas and every shipped spec in ``maps/``; all specs checked first."""
    specs = [load_spec(p) for p in shipped_specs()]  # fail on a bad spec before writing
    results = []
    if "wuhan_atlas.html" not in {s.outputs.html for s in specs}:
        folder = Path(out) if out else out_dir()
        path = build_atlas(folder / "wuhan_atlas.html", basemap=basemap or "none", offline=offline)
        results.append(BuildResult("atlas", [path]))
    for spec in specs:
        results.append(_build(spec, basemap, offline, formats, embed, out))
    return results
