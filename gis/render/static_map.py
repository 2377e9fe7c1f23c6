"""Print-ready static figures (PNG 300 dpi, SVG, PDF) of a :class:`~gis.render.plan.MapPlan`.

The same overlays and title block as the interactive map (not-loaded and
not-computed notes included), drawn in the metric CRS (EPSG:4547,
Gauss-Kruger CM 114E, in which grid north is within 0.2° of true north over
Wuhan) with Chinese labels in a CJK font found on the system, a legend per
layer drawn from the same legend data as the HTML map's, a scale bar, a north arrow, the data sources and,
when schematic or indicative features show, the 示意 note.

No CJK font, or a font that lacks a character of the figure, is an error that
says what to install: never tofu boxes.

Output is deterministic (no dates or software versions in the file metadata).
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

from ..crs import reproject, to_display
from ..errors import GisError
from ..settings import FIGURE_DPI, METRIC_CRS
from .interactive import overlay_legend, precisions_of, simplify_for_display
from .order import draw_tier
from .palette import HATCH_MPL, PRECISION_STYLES, SCHEMATIC
from .plan import MapPlan
from .static_layout import (
    LabelRequest,
    central_extent,
    free_inset_rect,
    inset_axes,
    inset_pixel_box,
    place_labels,
    point_boxes,
)

#: CJK font families tried in order (Debian fonts-wqy-zenhei and fonts-noto-cjk first).
CJK_FAMILIES = (
    "WenQuanYi Zen Hei",
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "Heiti SC",
    "AR PL UMing CN",
)
#: Known file locations, checked before asking matplotlib's font manager.
CJK_FILES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/simhei.ttf",
    "/System/Library/Fonts/PingFang.ttc",
)
FONT_HELP = (
    "install a CJK font (Debian/Ubuntu: apt-get install fonts-wqy-zenhei, which "
    "`python3 dev.py test` does as root) or set CLUSTERMAP_CJK_FONT to a .ttf/.ttc/.otf file"
)


def find_cjk_font() -> Path:
    """Path of a font with Chinese glyphs; :class:`GisError` naming the fix if there is none.

    ``CLUSTERMAP_CJK_FONT`` (a font file) wins when set.
    """
    env = os.environ.get("CLUSTERMAP_CJK_FONT")
    if env:
        p = Path(env)
        if not p.exists():
            raise GisError(f"CLUSTERMAP_CJK_FONT={env}: file not found; {FONT_HELP}")
        _require_glyphs(p, "武汉")
        return p
    for f in CJK_FILES:
        if Path(f).exists():
            return Path(f)
    from matplotlib import font_manager

    for family in CJK_FAMILIES:
        try:
            path = font_manager.findfont(
                font_manager.FontProperties(family=family), fallback_to_default=False
            )
        except ValueError:
            continue
        return Path(path)
    raise GisError(f"no CJK font found for Chinese labels in static figures: {FONT_HELP}")


def _require_glyphs(font: Path, text: str) -> None:
    """Raise if ``font`` lacks a glyph for a character of ``text`` (tofu would show)."""
    from matplotlib.ft2font import FT2Font

    ft = FT2Font(str(font))
    missing = sorted({ch for ch in text if not ch.isspace() and ft.get_char_index(ord(ch)) == 0})
    if missing:
        raise GisError(f"font {font} has no glyph for {''.join(missing[:20])!r}; {FONT_HELP}")


def _font_properties(font: Path) -> Any:
    from matplotlib import font_manager

    font_manager.fontManager.addfont(str(font))
    return font_manager.FontProperties(fname=str(font))


def _nice_length(span_m: float) -> float:
    """A round scale-bar length of about a fifth of ``span_m``: 1, 2 or 5 × 10^n metres."""
    import math

    target = span_m / 5
    exp = 10 ** math.floor(math.log10(target))
    for m in (5, 2, 1):
        if m * exp <= target:
            return m * exp
    return exp


def _wrap(text: str, width: int) -> str:
    """Wrap legend text at ``width`` columns (CJK characters count two); Latin words whole.

    >>> print(_wrap("武昌区 绿色金融亮点区 (Green-finance showcase district)", 30))
    武昌区 绿色金融亮点区
    (Green-finance showcase
    district)
    """
    import re

    tokens = re.findall(r"[\u2e80-\uffff]|[^\s\u2e80-\uffff]+|\s+", str(text))
    lines, line, n = [], "", 0
    for tok in tokens:
        w = sum(2 if ord(ch) > 0x2E80 else 1 for ch in tok)
        if n + w > width and line.strip() and not tok.isspace():
            lines.append(line.strip())
            line, n = "", 0
        if tok.isspace() and not line:
            continue
        line += tok
        n += w
    lines.append(line.strip())
    return "\n".join(lines)


def _label_point(geom: Any) -> Any:
    """The pole of inaccessibility of the largest part (metres), a point for anything else."""
    from shapely.ops import polylabel

    if geom.geom_type == "MultiPolygon":
        geom = max(geom.geoms, key=lambda g: g.area)
    if geom.geom_type == "Polygon":
        return polylabel(geom, tolerance=50.0)
    return geom.representative_point()


def _colour_series(gdf: Any, key: str, default: str) -> list[str]:
    if "_c" in gdf.columns:
        return [c if isinstance(c, str) and c else default for c in gdf["_c"]]
    return [default] * len(gdf)


#: matplotlib zorder of each draw tier (gis/render/order.py): fills, the water, lines and
#: points (labels 10, the inset 20 stay above)
TIER_Z = {"fill": 1.0, "reference": 1.4, "top": 2.0}


def _draw_hatched(ax: Any, ov: Any, shown: Any, z: float = TIER_Z["fill"]) -> None:
    """A hatched overlay: hatch lines and outline in each feature's colour, no fill."""
    stroke = ov.style.get("color", "#333333")
    weight = max(float(ov.style.get("weight", 2)) * 0.5, 0.8)
    colours = _colour_series(shown, "_c", stroke)
    prec = shown["precision"].astype(str) if "precision" in shown.columns else None
    for colour in dict.fromkeys(colours):
        rows = [i for i, c in enumerate(colours) if c == colour]
        part = shown.iloc[rows]
        dotted = prec is not None and (prec.iloc[rows] == "indicative").any()
        part.plot(ax=ax, facecolor="none", edgecolor=colour, hatch=HATCH_MPL, linewidth=0, zorder=z)
        part.boundary.plot(
            ax=ax,
            color=colour,
            linewidth=weight,
            linestyle=":" if dotted else "-",
            zorder=z + 0.1,
        )


def _draw_overlay(ax: Any, ov: Any, shown: Any) -> None:
    """Draw one overlay (metric CRS frame ``shown``) with its style and precision dashes,
    at the zorder of its draw tier (fills < water < lines and points)."""
    z = TIER_Z[draw_tier(ov)]
    if getattr(ov, "hatch", False):
        _draw_hatched(ax, ov, shown, z)
        return
    st = ov.style
    stroke = st.get("color", "#333333")
    fill = st.get("fillColor", stroke)
    fill_on = st.get("fill", True) is not False
    fill_opacity = float(st.get("fillOpacity", 0.2)) if fill_on else 0.0
    weight = float(st.get("weight", 1.5)) * 0.5
    kinds = shown.geom_type.str.replace("Multi", "")
    fills = _colour_series(shown, "_c", fill)
    prec = shown["precision"].astype(str) if "precision" in shown.columns else None
    groups: dict[tuple[str, str, str, float], list[int]] = {}
    for i, (geom, kind) in enumerate(zip(shown.geometry, kinds)):
        if geom is None or geom.is_empty:
            continue
        p = PRECISION_STYLES.get(str(prec.iloc[i]), {}) if prec is not None else {}
        ls = "--" if "dashArray" in p else "-"
        if p.get("dashArray", "").startswith("2"):
            ls = ":"
        f_op = float(p.get("fillOpacity", fill_opacity)) if fill_on else 0.0
        groups.setdefault((str(kind), fills[i], ls, f_op), []).append(i)
    # one plot call per (kind, colour, line style, opacity): fast and drawn in order
    for (kind, colour, ls, f_op), rows in groups.items():
        part = shown.iloc[rows]
        if kind == "Polygon":
            if fill_on and f_op > 0:
                part.plot(ax=ax, facecolor=colour, alpha=f_op, edgecolor="none", zorder=z)
            part.boundary.plot(ax=ax, color=stroke, linewidth=weight, linestyle=ls, zorder=z + 0.1)
        elif kind == "LineString":
            line_colour = colour if ov.color_strokes else stroke
            part.plot(
                ax=ax, color=line_colour, linewidth=max(weight, 1.2), linestyle=ls, zorder=z + 0.1
            )
        else:
            part.plot(
                ax=ax,
                color=colour,
                edgecolor="#ffffff",
                linewidth=0.5,
                markersize=max(ov.radius, 3) ** 2 * 0.6,
                zorder=5,
            )


def static_figure(plan: MapPlan, *, width_in: float = 8.0) -> Any:
    """A matplotlib Figure of the plan."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyArrow, Patch, Rectangle

    font = find_cjk_font()
    fp = _font_properties(font)
    tb = plan.title_block
    overlays = [o for o in plan.overlays if o.gdf is not None and not o.gdf.empty and o.show]
    notes = tb.note_lines()
    texts = [tb.title, tb.subtitle, *notes, *tb.sources, *tb.sources.values()]
    texts += [o.title for o in overlays]
    for ov in overlays:
        if ov.label and ov.label in ov.gdf.columns:
            texts.extend(str(v) for v in ov.gdf[ov.label].dropna())
        if ov.legend is not None:
            texts.append(ov.legend.title)
            texts.extend(r.label for r in ov.legend.rows)
    texts += ["示意比例尺北数据来源主城区 Central districts"]
    _require_glyphs(font, "".join(texts))
    # text is data: "$x^2$" in a name is drawn as written, never parsed as mathtext
    matplotlib.rcParams["text.parse_math"] = False
    matplotlib.rcParams["svg.hashsalt"] = "clustermap"
    matplotlib.rcParams["svg.fonttype"] = "path"
    matplotlib.rcParams["pdf.fonttype"] = 42

    fig = plt.figure(figsize=(width_in, width_in * 1.05), dpi=FIGURE_DPI)
    ax = fig.add_axes((0.03, 0.13, 0.70, 0.76))
    ax.set_axis_off()
    ax.set_aspect("equal")
    schematic = False
    legend_handles: list[Any] = []
    requests: list[LabelRequest] = []
    drawn: list[tuple[Any, Any]] = []
    points: list[tuple[float, float]] = []
    for ov in overlays:
        shown = simplify_for_display(ov.gdf) if ov.simplify else ov.gdf
        shown = reproject(to_display(shown, "wgs84"), METRIC_CRS)
        _draw_overlay(ax, ov, shown)
        drawn.append((ov, shown))
        points.extend(
            (q.x, q.y)
            for g in shown.geometry
            if g is not None and g.geom_type in ("Point", "MultiPoint")
            for q in getattr(g, "geoms", [g])
        )
        precisions = precisions_of(ov.gdf)
        schematic |= bool(SCHEMATIC & set(precisions))
        legend = overlay_legend(ov, precisions)
        if legend is None:
            continue
        legend_handles.append(
            Patch(facecolor="none", edgecolor="none", label=_wrap(legend.title, 26))
        )
        kind = set(shown.geom_type.str.replace("Multi", ""))
        for row in legend.rows:
            fill = "none" if row.hollow else row.fill  # a hollow swatch: outline only
            if kind == {"LineString"}:
                legend_handles.append(
                    Line2D(
                        [0],
                        [0],
                        color=row.stroke if not ov.color_strokes else fill,
                        linestyle="--" if row.dashed else "-",
                        linewidth=2,
                        label=_wrap(row.label, 30),
                    )
                )
            elif kind == {"Point"}:
                legend_handles.append(
                    Line2D(
                        [0],
                        [0],
                        marker="o",
                        color="none",
                        markerfacecolor=fill,
                        markersize=7,
                        label=_wrap(row.label, 30),
                    )
                )
            else:
                legend_handles.append(
                    Patch(
                        facecolor="none" if row.hatch else fill,
                        edgecolor=row.fill if row.hatch else row.stroke,
                        hatch=HATCH_MPL if row.hatch else None,
                        alpha=max(row.opacity, 0.5),
                        linestyle="--" if row.dashed else "-",
                        label=_wrap(row.label, 30),
                    )
                )
        col = ov.label
        if col and col in shown.columns:
            for geom, text in zip(shown.geometry, shown[col]):
                if geom is None or geom.is_empty or text is None:
                    continue
                pt = _label_point(geom)
                # small central districts get smaller labels so neighbours do not collide
                km2 = geom.area / 1e6 if geom.geom_type.endswith("Polygon") else 100.0
                size = min(7.0, max(4.8, 4.2 + km2**0.5 / 8))
                requests.append(LabelRequest(str(text), pt.x, pt.y, size, km2))
    if plan.fit is not None and not plan.fit.empty:
        x0, y0, x1, y1 = reproject(plan.fit, METRIC_CRS).total_bounds
        pad = 0.03 * max(x1 - x0, y1 - y0)
        ax.set_xlim(x0 - pad, x1 + pad)
        ax.set_ylim(y0 - pad, y1 + pad)
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    # an inset of the central districts when the map shows much more than them
    centre = central_extent()
    inset = rect = None
    if centre is not None and (x1 - x0) > 2.2 * (centre[2] - centre[0]):
        cx0, cy0, cx1, cy1 = centre
        plan_drawn = [(ov, s) for ov, s in drawn if ov.group != "base"]
        inside = x0 <= cx0 and cx1 <= x1 and y0 <= cy0 and cy1 <= y1
        # a place where it hides no plan feature of the main map, or no inset
        rect = free_inset_rect(ax, plan_drawn) if inside else None
        if rect is not None:
            inset = inset_axes(fig, ax, centre, fp, rect)
            for ov, shown in drawn:
                _draw_overlay(inset, ov, shown)
            inset.set_xlabel("")
            inset.set_ylabel("")
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    marker_pt = 6.0
    obstacles = point_boxes(ax, points, marker_pt)
    if inset is not None and rect is not None:
        obstacles.append(inset_pixel_box(fig, rect))
    place_labels(ax, requests, fp, obstacles=obstacles, drop=inset is not None)
    if inset is not None:
        ix0, ix1 = inset.get_xlim()
        iy0, iy1 = inset.get_ylim()
        mx, my = 0.08 * (ix1 - ix0), 0.08 * (iy1 - iy0)  # no names of features at the edge
        inner = [
            LabelRequest(r.text, r.x, r.y, 6.5, r.weight)
            for r in requests
            if ix0 + mx < r.x < ix1 - mx and iy0 + my < r.y < iy1 - my
        ]
        place_labels(inset, inner, fp, obstacles=point_boxes(inset, points, marker_pt))
    # scale bar (metres in EPSG:4547), bottom left
    length = _nice_length(x1 - x0)
    bx, by = x0 + 0.04 * (x1 - x0), y0 + 0.04 * (y1 - y0)
    h = 0.012 * (y1 - y0)
    ax.add_patch(Rectangle((bx, by), length / 2, h, facecolor="#222222", edgecolor="#222222"))
    ax.add_patch(
        Rectangle((bx + length / 2, by), length / 2, h, facecolor="white", edgecolor="#222222")
    )
    label = f"{length / 1000:g} km" if length >= 1000 else f"{length:g} m"
    for xv, t in ((bx, "0"), (bx + length, label)):
        ax.text(xv, by + 2.2 * h, t, ha="center", va="bottom", fontsize=7, fontproperties=fp)
    ax.text(bx, by - 1.2 * h, "比例尺 Scale", fontsize=6.5, va="top", fontproperties=fp)
    # north arrow, top right (grid north of EPSG:4547; within 0.2° of true north here)
    ax_x, ax_y = x1 - 0.06 * (x1 - x0), y1 - 0.16 * (y1 - y0)
    alen = 0.08 * (y1 - y0)
    ax.add_patch(
        FancyArrow(
            ax_x,
            ax_y,
            0,
            alen,
            width=0.012 * (x1 - x0),
            head_width=0.04 * (x1 - x0),
            head_length=0.035 * (y1 - y0),
            length_includes_head=True,
            color="#222222",
        )
    )
    ax.text(
        ax_x,
        ax_y + alen + 0.01 * (y1 - y0),
        "N 北",
        ha="center",
        va="bottom",
        fontsize=9,
        fontproperties=fp,
        weight="bold",
    )
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    fig.text(0.03, 0.965, tb.title, fontproperties=fp, fontsize=13, va="top", weight="bold")
    fig.text(0.03, 0.93, tb.subtitle, fontproperties=fp, fontsize=7, va="top", color="#444444")
    if tb.not_computed:
        # an analysis could not be computed: say so on the map, not only in the notes
        ax.text(
            0.5,
            0.5,
            "\n".join(_wrap(n, 60) for n in tb.not_computed),
            transform=ax.transAxes,
            ha="center",
            va="center",
            fontproperties=fp,
            fontsize=8,
            color="#a50f15",
            bbox={"facecolor": "white", "edgecolor": "#a50f15", "alpha": 0.95},
            zorder=20,
        )
    if legend_handles:
        leg = fig.legend(
            handles=legend_handles,
            loc="upper left",
            bbox_to_anchor=(0.74, 0.89),
            prop=fp,
            fontsize=6.5,
            frameon=False,
            handlelength=1.6,
        )
        for txt in leg.get_texts():
            txt.set_fontsize(6.5)
    foot = list(notes)
    if schematic:
        foot.append(
            "示意 — 虚线/点线为示意或概略范围，位置为近似 (schematic and indicative features "
            "are approximate)"
        )
    sources = [f"{s} ({lic})" if lic else s for s, lic in tb.sources.items()]
    if sources:
        foot.append("数据来源 Sources: " + "; ".join(sources))
    foot.append("坐标 CRS: EPSG:4547 (CGCS2000 / 3-degree GK CM 114E), data stored in WGS84")
    import textwrap

    lines: list[str] = []
    for f in foot:
        lines.extend(textwrap.wrap(f, 150))
    fig.text(
        0.03,
        0.115,
        "\n".join(lines),
        fontproperties=fp,
        fontsize=5.5,
        va="top",
        color="#333333",
        linespacing=1.4,
    )
    return fig


def render_static(
    plan: MapPlan, *, fmt: str = "png", dpi: int = FIGURE_DPI, palette: bool = False
) -> bytes:
    """The figure as PNG, SVG or PDF bytes (deterministic: no dates in the metadata).

    ``palette``: a PNG of at most 256 colours (flat map colours and text look the same;
    about a third of the bytes), for figures embedded in reports that are sent by mail.
    """
    import matplotlib.pyplot as plt

    metadata: dict[str, Any] = {
        "png": {"Software": None},
        "svg": {"Date": None, "Creator": None},
        "pdf": {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None},
    }[fmt]
    fig = static_figure(plan)
    buf = io.BytesIO()
    try:
        fig.savefig(buf, format=fmt, dpi=dpi, metadata=metadata, facecolor="white")
    finally:
        plt.close(fig)
    return _palette_png(buf.getvalue()) if palette and fmt == "png" else buf.getvalue()


def _palette_png(png: bytes) -> bytes:
    from PIL import Image

    with Image.open(io.BytesIO(png)) as im:
        small = im.convert("RGB").quantize(
            256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE
        )
    out = io.BytesIO()
    small.save(out, format="PNG")
    return out.getvalue()
