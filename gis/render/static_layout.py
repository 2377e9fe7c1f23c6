"""Layout helpers of the static figures: label placement and the inset of the central districts.

Labels are placed one by one (smallest feature first: it has the least room): each tries
its anchor, then nearby spots, and takes the first whose box overlaps neither a placed
label, a point marker nor a reserved area (the inset); a moved label gets a thin leader to
its anchor. A label with no room is left out (the inset shows the central names).

The inset (主城区: 江岸, 江汉, 硚口, 汉阳, 武昌, 青山, 洪山) redraws the same overlays at a
larger scale in the figure's lower right, with a frame on the main map showing its extent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..crs import reproject
from ..districts import CENTRAL_ADCODES
from ..layers import read_layer
from ..settings import METRIC_CRS

#: where the inset may go in figure coordinates (left, bottom, width, height), largest first:
#: the first that covers no plan feature of the main map is taken
INSET_RECTS = ((0.555, 0.135, 0.415, 0.33), (0.57, 0.135, 0.40, 0.27), (0.63, 0.135, 0.34, 0.22))
Rect = tuple[float, float, float, float]
INSET_TITLE = "主城区 Central districts"
#: offsets tried, in label heights (x, y): the anchor, then up/down, sideways, diagonals
_OFFSETS = [(0.0, 0.0)] + [
    (dx * r, dy * r)
    for r in (1.1, 1.8, 2.6, 3.5)
    for dx, dy in ((0, 1), (0, -1), (1.6, 0), (-1.6, 0), (1.2, 1), (-1.2, 1), (1.2, -1), (-1.2, -1))
]


@dataclass
class LabelRequest:
    text: str
    x: float  # anchor, data coordinates (metres)
    y: float
    size: float  # font size in points
    weight: float  # smaller is placed first


def _box_hits(b: Any, boxes: list[Any]) -> bool:
    return any(b.overlaps(o) for o in boxes)


def point_boxes(ax: Any, points: list[tuple[float, float]], diameter_pt: float) -> list[Any]:
    """Pixel boxes of point markers of ``diameter_pt`` points at data ``points``."""
    from matplotlib.transforms import Bbox

    ax.apply_aspect()  # the final data-to-pixel transform
    half = diameter_pt * ax.figure.dpi / 72 / 2 + 1
    out = []
    for x, y in points:
        px, py = ax.transData.transform((x, y))
        out.append(Bbox([[px - half, py - half], [px + half, py + half]]))
    return out


def place_labels(
    ax: Any,
    requests: list[LabelRequest],
    fp: Any,
    *,
    obstacles: list[Any] | None = None,
    drop: bool = True,
) -> list[Any]:
    """Annotate ``requests`` on ``ax`` without overlaps; returns the annotations made.

    ``obstacles`` are pixel Bboxes to keep clear (point markers, the inset). With
    ``drop`` False a label with no free spot stays at its anchor.
    """
    fig = ax.figure
    ax.apply_aspect()
    renderer = fig.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    placed: list[Any] = []
    keep = list(obstacles or [])
    made = []
    for req in sorted(requests, key=lambda r: r.weight):
        probe = ax.annotate(
            req.text,
            (req.x, req.y),
            xytext=(0, 0),
            textcoords="offset points",
            ha="center",
            va="center",
            fontproperties=fp,
            fontsize=req.size,
            zorder=10,
        )
        ext = probe.get_window_extent(renderer)
        w_pt, h_pt = ext.width * 72 / fig.dpi, ext.height * 72 / fig.dpi
        chosen = None
        for dx, dy in _OFFSETS:
            off = (dx * h_pt, dy * h_pt)
            probe.xyann = off
            b = probe.get_window_extent(renderer).padded(1.5)
            inside = frame.x0 <= b.x0 and b.x1 <= frame.x1 and frame.y0 <= b.y0 and b.y1 <= frame.y1
            if inside and not _box_hits(b, placed) and not _box_hits(b, keep):
                chosen = (off, b)
                break
        probe.remove()
        if chosen is None and drop:
            continue
        off, b = chosen if chosen is not None else ((0.0, 0.0), ext)
        moved = abs(off[0]) + abs(off[1]) > 0.1 * w_pt
        ann = ax.annotate(
            req.text,
            (req.x, req.y),
            xytext=off,
            textcoords="offset points",
            ha="center",
            va="center",
            fontproperties=fp,
            fontsize=req.size,
            color="#222222",
            zorder=10,
            bbox={"boxstyle": "square,pad=0.08", "fc": "white", "ec": "none", "alpha": 0.7}
            if moved
            else None,
            arrowprops={
                "arrowstyle": "-",
                "lw": 0.35,
                "color": "#555555",
                "shrinkA": 0,
                "shrinkB": 0,
            }
            if moved
            else None,
        )
        placed.append(b)
        made.append(ann)
    return made


def central_extent(pad: float = 0.04) -> tuple[float, float, float, float] | None:
    """Bounds (EPSG:4547 metres) of the seven central districts, padded; None without them."""
    try:
        d = read_layer("districts")
    except Exception:  # noqa: BLE001 - no districts layer: no inset
        return None
    d = d[d["adcode"].astype(str).isin(CENTRAL_ADCODES)]
    if d.empty:
        return None
    x0, y0, x1, y1 = reproject(d, METRIC_CRS).total_bounds
    p = pad * max(x1 - x0, y1 - y0)
    return (x0 - p, y0 - p, x1 + p, y1 + p)


def inset_axes(
    fig: Any, main: Any, extent: tuple[float, float, float, float], fp: Any, rect: Rect
) -> Any:
    """An inset axes at ``rect`` framed like the map, its extent marked on ``main``."""
    from matplotlib.patches import Rectangle

    x0, y0, x1, y1 = extent
    left, bottom, width, height = rect
    # the inset keeps the extent's shape inside the reserved rectangle
    fw, fh = fig.get_size_inches()
    box_aspect = (height * fh) / (width * fw)
    ext_aspect = (y1 - y0) / (x1 - x0)
    if ext_aspect > box_aspect:  # extent taller: widen it
        cx, half = (x0 + x1) / 2, (y1 - y0) / box_aspect / 2
        x0, x1 = cx - half, cx + half
    else:
        cy, half = (y0 + y1) / 2, (x1 - x0) * box_aspect / 2
        y0, y1 = cy - half, cy + half
    ax = fig.add_axes((left, bottom, width, height), zorder=20)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal", adjustable="box")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_facecolor("white")
    for s in ax.spines.values():
        s.set_edgecolor("#333333")
        s.set_linewidth(0.8)
    ax.set_title(INSET_TITLE, fontproperties=fp, fontsize=7, loc="left", pad=2)
    main.add_patch(
        Rectangle(
            (x0, y0), x1 - x0, y1 - y0, fill=False, edgecolor="#333333", linewidth=0.7, zorder=12
        )
    )
    return ax


def free_inset_rect(main: Any, drawn: list[tuple[Any, Any]]) -> Rect | None:
    """The first of :data:`INSET_RECTS` that lies over no feature of ``drawn`` on ``main``."""
    for rect in INSET_RECTS:
        if not inset_covers_data(main, drawn, rect):
            return rect
    return None


def inset_covers_data(main: Any, drawn: list[tuple[Any, Any]], rect: Rect) -> bool:
    """Whether an inset at ``rect`` lies over a feature of ``drawn`` on ``main``."""
    import shapely

    main.apply_aspect()
    box = inset_pixel_box(main.figure, rect)
    inv = main.transData.inverted()
    (x0, y0), (x1, y1) = inv.transform([[box.x0, box.y0], [box.x1, box.y1]])
    area = shapely.box(x0, y0, x1, y1)
    return any(g is not None and g.intersects(area) for _ov, shown in drawn for g in shown.geometry)


def inset_pixel_box(fig: Any, rect: Rect) -> Any:
    """An inset's rectangle (with its title) in figure pixels, to keep labels off it."""
    from matplotlib.transforms import Bbox

    left, bottom, width, height = rect
    w, h = fig.bbox.width, fig.bbox.height
    return Bbox(
        [[left * w - 4, bottom * h - 4], [(left + width) * w + 4, (bottom + height + 0.03) * h]]
    )
