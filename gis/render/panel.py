"""The plan's targets panel: the one collapsible control listing the 2027 targets.

Drawn from :class:`gis.render.plan.TargetsPanel` (frames of :mod:`gis.indicators`);
every text escaped.
"""

from __future__ import annotations

import html
import math

from folium.template import Template

from .elements import script_json
from .plan import TargetsPanel
from .safe import SafeMacroElement


def targets_panel_html(panel: TargetsPanel) -> str:
    """HTML (every text escaped) of the plan targets: the 12 domains and four 工程, each with
    its lead department(s), targets and, where sourced, the baseline with its year."""
    p = panel.progress
    e = html.escape
    parts = []
    for d in panel.domains.itertuples(index=False):
        rows = p[p["clause"] == d.clause]
        lead = d.lead.replace(";", "、")
        items = []
        for r in rows.itertuples(index=False):
            growth = "年均增长 " if r.kind == "annual_growth" else ""
            target = f"{growth}{r.comparison}{r.target:g} {r.unit}"
            if isinstance(r.progress, float) and not math.isnan(r.progress):
                base = (
                    f"基数 baseline {r.baseline_year}: {r.baseline_bound}{r.baseline:g} {r.unit}"
                    f" = {r.progress_bound}{r.progress:.0%}; {r.baseline_quality} source"
                )
                if str(r.comparability).startswith("narrower"):
                    base += "; narrower measure"
                cls = "cm-base"
            else:
                base = "无基数 no baseline"
                cls = "cm-nobase"
            items.append(
                f"<li>{e(r.indicator_zh)}: <b>{e(target)}</b> "
                f"<span class='{cls}'>({e(base)})</span></li>"
            )
        body = f"<ul>{''.join(items)}</ul>" if items else "<div class='cm-nobase'>无量化目标</div>"
        parts.append(
            f"<div class='cm-domain'><div class='cm-dhead'>{e(d.clause)} {e(d.domain_zh)} "
            f"<span class='cm-en'>{e(d.domain_en)}</span></div>"
            f"<div class='cm-lead'>牵头 lead: {e(lead)}</div>{body}</div>"
        )
    overall = p[p["clause"] == "一"]
    head = "".join(
        f"<li>{e(r.indicator_zh)}: <b>{e(f'{r.comparison}{r.target:g} {r.unit}')}</b></li>"
        for r in overall.itertuples(index=False)
    )
    n_base = int(p["progress"].notna().sum())
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
        + f"<div class='cm-foot'>{len(p)} targets; {n_base} with a sourced baseline. "
        "基数 = latest sourced figure; progress = baseline / target.</div>"
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
        </style>
        {% endmacro %}
        {% macro script(this, kwargs) %}
        (function () {
          var Panel = L.Control.extend({
            onAdd: function () {
              var div = L.DomUtil.create("div", "cm-targets");
              var btn = L.DomUtil.create("button", "", div);
              btn.type = "button";
              btn.textContent = {{ this.button_json }};
              btn.setAttribute("aria-expanded", "false");
              var body = L.DomUtil.create("div", "cm-body", div);
              body.innerHTML = {{ this.html_json }};
              btn.addEventListener("click", function () {
                var open = div.classList.toggle("cm-open");
                btn.setAttribute("aria-expanded", open ? "true" : "false");
              });
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
