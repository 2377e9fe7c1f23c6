"""The plan's targets panel: the one collapsible control listing the 2027 targets.

Drawn from :class:`gis.render.plan.TargetsPanel` (frames of :mod:`gis.indicators`);
every text escaped.
"""

from __future__ import annotations

import html
import math
from typing import Any

from folium.template import Template

from .elements import script_json
from .plan import TargetsPanel
from .safe import SafeMacroElement

#: How a baseline compares with its target (``comparability_class`` of
#: :func:`gis.indicators.target_progress`): the mark shown beside it, and its CSS class.
COMPARABILITY_MARKS = {
    "same": ("", "cm-same"),
    "close": ("代理 proxy", "cm-proxy"),
    "narrower": ("口径较窄 narrower measure", "cm-narrower"),
    "province": ("仅湖北省 province-only", "cm-province"),
    "different": ("口径不同 different measure", "cm-different"),
}


def comparability_mark(cls: object) -> str:
    """The mark of a baseline's comparability class ('' for the same measure or none).

    >>> comparability_mark("province"), comparability_mark("same"), comparability_mark(None)
    ('仅湖北省 province-only', '', '')
    """
    return COMPARABILITY_MARKS.get(str(cls or ""), ("", ""))[0]


def _num(v: float) -> str:
    return f"{v:g}"


def _baseline_html(r: object) -> str:
    """The baseline of one target with its comparability mark (escaped); a baseline that is
    not comparable (province-only, a different measure) is shown without progress."""
    e = html.escape
    base = getattr(r, "baseline", None)
    if not isinstance(base, float) or math.isnan(base):
        return "<span class='cm-nobase'>(无基数 no baseline)</span>"
    unit = getattr(r, "baseline_unit", "") or getattr(r, "unit", "")
    year = str(getattr(r, "baseline_year", "") or "")
    text = (
        f"基数 baseline{' ' + year if year else ''}: {getattr(r, 'baseline_bound', '')}"
        f"{_num(base)} {unit}"
    )
    prog = getattr(r, "progress", None)
    if isinstance(prog, float) and not math.isnan(prog):
        text += f" = {getattr(r, 'progress_bound', '')}{prog:.0%}"
    quality = getattr(r, "baseline_quality", "")
    if quality:
        text += f"; {quality} source"
    cls = str(getattr(r, "comparability_class", "") or "")
    mark, css = COMPARABILITY_MARKS.get(cls, ("", ""))
    if not cls and str(getattr(r, "comparability", "")).startswith("narrower"):
        mark, css = COMPARABILITY_MARKS["narrower"]
    note = str(getattr(r, "baseline_note", "") or "")
    badge = (
        f" <span class='cm-mark {css}' title='{e(note, quote=True)}'>{e(mark)}</span>"
        if mark
        else ""
    )
    return f"<span class='cm-base'>({e(text)})</span>{badge}"


def targets_panel_html(panel: TargetsPanel) -> str:
    """HTML (every text escaped) of the plan targets: the 12 domains and four 工程, each with
    its lead department(s), targets and, where sourced, the baseline with its year."""
    p = panel.progress
    e = html.escape
    parts = []
    by_clause: dict[str, list[Any]] = {}  # one pass over the targets, in their order
    for r in p.itertuples(index=False):
        by_clause.setdefault(r.clause, []).append(r)
    for d in panel.domains.itertuples(index=False):
        lead = d.lead.replace(";", "、")
        items = []
        for r in by_clause.get(d.clause, []):
            growth = "年均增长 " if r.kind == "annual_growth" else ""
            target = f"{growth}{r.comparison}{r.target:g} {r.unit}"
            items.append(f"<li>{e(r.indicator_zh)}: <b>{e(target)}</b> {_baseline_html(r)}</li>")
        body = f"<ul>{''.join(items)}</ul>" if items else "<div class='cm-nobase'>无量化目标</div>"
        parts.append(
            f"<div class='cm-domain'><div class='cm-dhead'>{e(d.clause)} {e(d.domain_zh)} "
            f"<span class='cm-en'>{e(d.domain_en)}</span></div>"
            f"<div class='cm-lead'>牵头 lead: {e(lead)}</div>{body}</div>"
        )
    head = "".join(
        f"<li>{e(r.indicator_zh)}: <b>{e(f'{r.comparison}{r.target:g} {r.unit}')}</b> "
        f"{_baseline_html(r)}</li>"
        for r in by_clause.get("一", [])
    )
    n_base = int(p["baseline"].notna().sum())
    n_prog = int(p["progress"].notna().sum())
    roles = "".join(
        f"<li>{e(r.name_zh)}: <b>{e(r.role_zh)}</b> <span class='cm-en'>{e(r.role_en)}</span></li>"
        for r in panel.roles.itertuples(index=False)
    )
    return (
        "<div class='cm-thead'>2027年目标 Plan targets, 武政办〔2024〕121号</div>"
        f"<div class='cm-domain'><div class='cm-dhead'>一 总体 Overall</div><ul>{head}</ul></div>"
        + "".join(parts)
        + "<div class='cm-domain'><div class='cm-dhead'>(七) 区域定位 District roles</div>"
        f"<ul>{roles}</ul></div>"
        + f"<div class='cm-foot'>{len(p)} targets; {n_base} with a sourced baseline, "
        f"{n_prog} comparable enough for progress. 基数 = latest sourced figure; progress = "
        "baseline / target. 代理 proxy: a close measure, not the target's own; 口径较窄 "
        "narrower: covers part of what the target counts (progress understated); 仅湖北省 "
        "province-only and 口径不同 different measure: no progress computed.</div>"
    )


class TargetsPanelControl(SafeMacroElement):
    """A collapsible control listing the plan's targets (own CSS and JS, no network)."""

    _template = Template(
        """
        {% macro header(this, kwargs) %}
        <style>
        .cm-targets { background: rgba(255,255,255,.95); border-radius: 4px; padding: 4px 8px;
          box-shadow: 0 1px 4px rgba(0,0,0,.3); font: 12px/1.4 sans-serif; max-width: 420px; }
        .cm-targets button { border: 0; background: none; font-weight: bold; cursor: pointer;
          padding: 2px 0; font-size: 12px; }
        .cm-targets .cm-body { display: none; max-height: 38vh; overflow-y: auto; }
        .cm-targets.cm-open .cm-body { display: block; }
        .cm-targets ul { margin: 0 0 0 14px; padding: 0; }
        .cm-dhead { font-weight: bold; margin-top: 4px; }
        .cm-en, .cm-lead, .cm-foot { color: #555; font-weight: normal; }
        .cm-nobase { color: #888; }
        .cm-base { color: #542788; }
        .cm-mark { font-size: 11px; padding: 0 3px; border-radius: 2px; white-space: nowrap;
          border: 1px solid #b35806; color: #b35806; cursor: help; }
        .cm-province, .cm-different { border-color: #a50f15; color: #a50f15; }
        /* an open panel takes the minimap's corner: no control under another */
        .cm-panel-open .gis-minimap { display: none; }
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function () {
          var Panel = L.Control.extend({
            onAdd: function (lmap) {
              var div = L.DomUtil.create("div", "cm-targets");
              var btn = L.DomUtil.create("button", "", div);
              btn.type = "button";
              btn.textContent = {{ this.button_json }};
              btn.setAttribute("aria-expanded", "false");
              var body = L.DomUtil.create("div", "cm-body", div);
              body.innerHTML = {{ this.html_json }};
              var map = lmap;
              /* the open panel fits between the controls above it, the bottom-left corner
                 below it and the right-hand controls beside it */
              function fit() {
                var open = div.classList.contains("cm-open");
                map.getContainer().classList.toggle("cm-panel-open", open);
                body.style.maxHeight = ""; div.style.maxWidth = "";
                if (!open) { return; }
                var el = map.getContainer(), mr = el.getBoundingClientRect();
                var low = mr.bottom, right = mr.right;
                var bl = el.querySelector(".leaflet-bottom.leaflet-left");
                if (bl && bl.offsetHeight) { low = Math.min(low, bl.getBoundingClientRect().top); }
                el.querySelectorAll(".leaflet-right .leaflet-control").forEach(function (c) {
                  if (c.offsetWidth) { right = Math.min(right, c.getBoundingClientRect().left); }
                });
                var dr = div.getBoundingClientRect();
                div.style.maxWidth = Math.max(160, Math.min(420, right - dr.left - 12)) + "px";
                var top = body.getBoundingClientRect().top;
                body.style.maxHeight = Math.max(60, low - top - 14) + "px";
              }
              function set(open) {
                div.classList.toggle("cm-open", open);
                btn.setAttribute("aria-expanded", open ? "true" : "false");
                fit();
              }
              btn.addEventListener("click", function () {
                var open = !div.classList.contains("cm-open");
                /* on a small screen the other panels fold first (one open at a time) */
                if (open && window.GIS && GIS.opened) { GIS.opened(div); }
                set(open);
              });
              if (window.GIS && GIS.foldables) {
                GIS.foldables.push({box: div, fold: function () {
                  if (div.classList.contains("cm-open")) { set(false); } }});
              }
              map.on("resize", fit);
              /* and again whenever a control above it grows or shrinks (a panel folds,
                 the title's sources open) */
              if (window.GIS && GIS.placers) { GIS.placers.unshift(fit); }  // before the labels
              L.DomEvent.disableClickPropagation(div);
              L.DomEvent.disableScrollPropagation(div);
              return div;
            }
          });
          new Panel({position: {{ this.position_json }}}).addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, panel: TargetsPanel, *, position: str = "topleft") -> None:
        super().__init__()
        self._name = "TargetsPanel"
        self.html_json = script_json(targets_panel_html(panel))
        self.button_json = script_json("规划目标 Plan targets ▸")
        self.position_json = script_json(position)
