"""Build map specs into files: one-file HTML, static figures, an ``<iframe>`` snippet.

Every spec is validated and its data loaded (:func:`gis.spec.resolve_spec`)
before anything is written; every file is written atomically. A bad spec
therefore leaves the previous outputs untouched.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..io import atomic_write
from ..settings import out_dir
from .html import save_html, seeded_ids
from .overlay import overlay_map

STATIC_FORMATS = ("png", "svg", "pdf")


@dataclass
class BuildResult:
    """What one spec wrote."""

    spec: str
    files: list[Path] = field(default_factory=list)


def plan_map(plan: Any) -> Any:
    """The folium map of a resolved :class:`gis.spec.MapPlan` (not yet rendered)."""
    if plan.spec.atlas and not plan.spec.layers and not plan.spec.analysis:
        from .atlas import atlas_map

        return atlas_map(basemap=plan.basemap)
    return overlay_map(
        plan.overlays,
        title=plan.title,
        subtitle=plan.subtitle,
        notes_html=plan.notes_html,
        basemap=plan.basemap,
        fit=plan.fit,
        panel_html=plan.panel_html,
    )


def embed_snippet(html_path: Path, *, title: str, height: int = 600) -> str:
    """An ``<iframe>`` snippet for a web report, pointing at the map file by its name.

    >>> print(embed_snippet(Path("maps/out/hubs.html"), title="枢纽 <Hubs>"))
    <iframe src="hubs.html" title="枢纽 &lt;Hubs&gt;" width="100%" height="600" style="border:0" loading="lazy"></iframe>
    """
    return (
        f'<iframe src="{html.escape(html_path.name)}" title="{html.escape(title)}" '
        f'width="100%" height="{int(height)}" style="border:0" loading="lazy"></iframe>'
    )


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
    from ..basemaps import basemap_key_check
    from ..spec import load_spec, resolve_spec

    spec = load_spec(spec_path)
    bm = basemap or spec.basemap
    basemap_key_check(bm)
    plan = resolve_spec(spec, basemap=bm)
    folder = Path(out) if out else out_dir()
    fmts = tuple(formats) if formats else spec.outputs.formats
    bad = [f for f in fmts if f not in ("html", *STATIC_FORMATS)]
    if bad:
        raise InputError(f"unknown output format(s) {', '.join(bad)}: use html, png, svg or pdf")
    html_path = folder / spec.outputs.html
    result = BuildResult(spec.name)
    # Render everything in memory first, then write: no half-written set of outputs.
    rendered: list[tuple[Path, Any]] = []
    if "html" in fmts or "html" not in fmts and not any(f in STATIC_FORMATS for f in fmts):
        with seeded_ids(seed):
            m = plan_map(plan)
            from .html import render_html

            rendered.append((html_path, render_html(m, offline=offline)))
    for f in fmts:
        if f in STATIC_FORMATS:
            from .static_map import render_static

            rendered.append((html_path.with_suffix(f".{f}"), render_static(plan, fmt=f)))
    if embed if embed is not None else spec.outputs.embed:
        snippet = embed_snippet(html_path, title=plan.title) + "\n"
        rendered.append((html_path.with_suffix(".embed.html"), snippet))
    for path, payload in rendered:
        if isinstance(payload, bytes):
            with atomic_write(path, "wb") as fh:
                fh.write(payload)
        else:
            with atomic_write(path, "w", encoding="utf-8", newline="\n") as fh:
                fh.write(payload)
        result.files.append(path)
    return result


def build_all(
    *,
    basemap: str | None = None,
    offline: bool = True,
    formats: tuple[str, ...] | None = None,
    embed: bool | None = None,
    out: str | Path | None = None,
) -> list[BuildResult]:
    """The default atlas plus every shipped spec in ``maps/``; all specs checked first."""
    from ..spec import load_spec, shipped_specs

    specs = shipped_specs()
    for p in specs:  # fail on a bad spec before writing anything
        load_spec(p)
    results = []
    names = {load_spec(p).outputs.html for p in specs}
    if "wuhan_atlas.html" not in names:
        from .atlas import build_atlas

        folder = Path(out) if out else out_dir()
        path = build_atlas(folder / "wuhan_atlas.html", basemap=basemap or "none", offline=offline)
        results.append(BuildResult("atlas", [path]))
    for p in specs:
        results.append(
            build_spec(p, basemap=basemap, offline=offline, formats=formats, embed=embed, out=out)
        )
    return results


__all__ = ["BuildResult", "build_all", "build_spec", "embed_snippet", "plan_map", "save_html"]
