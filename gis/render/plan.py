"""What a map shows, as data: the one input of every renderer (interactive, static, report).

A :class:`MapPlan` is put together by :mod:`gis.maps.compose` (from a spec, the atlas
spec or an analysis result) and drawn by :mod:`gis.render.interactive`,
:mod:`gis.render.static_map` and the report writers. It holds overlays with stable ids,
legends as data, the title block and tables; it holds no HTML.

>>> tb = TitleBlock("T", plan="方案", date="2025-11-27", not_loaded=[("服务业集聚区", 0, 58)])
>>> tb.subtitle, tb.not_loaded_text()
('方案 · 2025-11-27', '未完整载入 Not fully loaded: 服务业集聚区 0/58')
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class LegendRow:
    """One legend row: a swatch and its label. ``hollow``: outline only (no fill);
    ``hatch``: hatch lines and outline in ``fill``, no fill (drawn over a choropleth)."""

    label: str
    fill: str = "#888888"
    stroke: str = "#555"
    dashed: bool = False
    hollow: bool = False
    opacity: float = 0.6
    hatch: bool = False


@dataclass(frozen=True)
class Legend:
    """A layer's legend: a title, rows and an optional note under them."""

    title: str
    rows: tuple[LegendRow, ...] = ()
    note: str = ""


@dataclass
class Overlay:
    """A WGS84 frame to draw and how. Missing tooltip/popup/legend are derived from the frame.

    ``id`` is the overlay's identity (a catalog layer id, ``census``, ``coverage.discs`` …),
    apart from ``title``, which is only shown. ``legend=None`` derives a legend from the
    precision classes; ``legend_shown=False`` draws none (e.g. the city outline).
    """

    gdf: Any
    title: str
    id: str = ""
    style: dict[str, Any] = field(
        default_factory=lambda: {"color": "#0072B2", "weight": 2, "fillOpacity": 0.25}
    )
    tooltip: list[tuple[str, str]] | None = None
    popup: list[tuple[str, str]] | None = None
    legend: Legend | None = None
    legend_shown: bool = True
    show: bool = True
    group: str = "plan"
    simplify: bool = True
    color_strokes: bool = False
    radius: int = 6
    #: source text -> licence, for the attribution line and the title block
    sources: dict[str, str] = field(default_factory=dict)
    #: column whose values are drawn as map labels (e.g. district names), or None
    label: str | None = None
    #: polygons drawn as hatching and an outline in their colour, never a fill that would
    #: mix with a choropleth under them (indicative zones, district roles)
    hatch: bool = False
    #: a reference layer (the water): drawn above every area fill (district base,
    #: choropleths, hatched zones) and below lines, outlines and points, in every map and
    #: figure (see :mod:`gis.render.order`)
    reference: bool = False

    def __post_init__(self) -> None:
        if not self.id:
            self.id = self.title


@dataclass
class TitleBlock:
    """The block every deliverable of a plan carries, in the same words."""

    title: str
    #: the plan's reference (or an analysis's parameters)
    plan: str = ""
    date: str = ""
    #: source text -> licence
    sources: dict[str, str] = field(default_factory=dict)
    #: any schematic or indicative feature on the map (the 示意 note)
    schematic: bool = False
    #: (layer title, loaded, expected) of layers holding fewer features than the plan lists
    not_loaded: list[tuple[str, int, int]] = field(default_factory=list)
    #: analyses that could not be computed, each with the reason and the fix
    not_computed: list[str] = field(default_factory=list)
    #: further notes (a spec's ``notes``, an analysis's remarks)
    notes: list[str] = field(default_factory=list)

    @property
    def subtitle(self) -> str:
        return " · ".join(x for x in (self.plan, self.date) if x)

    def not_loaded_text(self) -> str:
        if not self.not_loaded:
            return ""
        items = ", ".join(f"{t} {n}/{e}" for t, n, e in self.not_loaded)
        return f"未完整载入 Not fully loaded: {items}"

    def note_lines(self) -> list[str]:
        """Not loaded, not computed and other notes, one line each, in that order."""
        head = [self.not_loaded_text()] if self.not_loaded else []
        return [*head, *self.not_computed, *self.notes]


@dataclass
class TargetsPanel:
    """The plan's targets: frames of :mod:`gis.indicators` (progress, domains, roles)."""

    progress: Any
    domains: Any
    roles: Any


@dataclass
class MapPlan:
    """Everything a map needs, all data loaded and checked."""

    name: str
    title_block: TitleBlock
    overlays: list[Overlay]
    basemap: str = "none"
    #: WGS84 frame whose bounds the view fits (default: all overlays)
    fit: Any = None
    panel: TargetsPanel | None = None
    #: report tables: "targets" -> frame, "coverage" -> [(title, frame)]
    tables: dict[str, Any] = field(default_factory=dict)
    #: what the build says to the user (e.g. each spec join's report: matched, unmatched)
    messages: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.title_block.title


@dataclass
class ReportTable:
    """A table of a report section, or why it is missing (e.g. the analysis not computed)."""

    title: str
    frame: Any = None
    missing: str = ""


@dataclass
class ReportSection:
    """One map of a report: the plan's title block, figure (PNG) and tables, or its error."""

    name: str
    title: str
    html_file: str = ""
    title_block: TitleBlock | None = None
    png: bytes | None = None
    tables: list[ReportTable] = field(default_factory=list)
    error: str = ""
    #: the offline interactive map page, embedded whole in report.html
    map_page: str = ""


@dataclass
class Report:
    """A whole report: sections, the plan's targets and what is loaded."""

    title: str
    plan: str
    date: str
    sections: list[ReportSection]
    targets: Any = None
    status: Any = None
