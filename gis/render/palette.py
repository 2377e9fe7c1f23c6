"""The colours of every map and figure: one qualitative palette, one no-data colour,
how each precision class is drawn.

>>> len(categorical_palette(8)), len(categorical_palette(12)), len(categorical_palette(13))
(8, 12, 18)
>>> category_colours(["b", "a", "b"]) == {"b": PALETTE[0], "a": PALETTE[1]}
True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

#: Colour-blind-safe qualitative palette (Okabe-Ito): plan layers in catalog order, and
#: categories up to eight.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]

#: ColorBrewer "Paired" (12 classes): for 9-12 categories (the plan has 12 domains).
PAIRED_12 = [
    "#1f78b4", "#33a02c", "#e31a1c", "#ff7f00", "#6a3d9a", "#b15928",
    "#a6cee3", "#b2df8a", "#fb9a99", "#fdbf6f", "#cab2d6", "#ffff99",
]  # fmt: skip
#: matplotlib "tab20" without its two greys (kept for 多类 and no data): 13-18 categories
#: (e.g. the 13 districts).
TAB18 = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
    "#bcbd22", "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896",
    "#c5b0d5", "#c49c94", "#f7b6d2", "#dbdb8d", "#9edae5",
]  # fmt: skip

#: The one colour of "no value" on every map, figure and legend.
NO_DATA_COLOUR = "#d9d9d9"
NO_DATA_LABEL = "无数据 no data"
#: A feature in several categories (e.g. domains "金融、物流"): mid grey, apart from black
#: (the 8th Okabe-Ito colour) and the light no-data grey.
MULTI = "多类 several"
MULTI_COLOUR = "#999999"

#: How each precision class is drawn (Leaflet path options merged over the base style).
PRECISION_STYLES: dict[str, dict[str, Any]] = {
    "official": {},
    "converted": {},
    "cited_point": {},
    "schematic": {"dashArray": "8 6"},
    "indicative": {"dashArray": "2 5"},
    "coarse": {},
}

PRECISION_LABELS = {
    "official": "官方 official",
    "converted": "转换 converted (±100 m)",
    "cited_point": "引用点位 cited point",
    "schematic": "示意 schematic",
    "indicative": "示意范围 indicative",
    "coarse": "概略 coarse (几百米 a few hundred m; orientation only)",
}

#: Precision classes drawn as approximate (dashed or dotted), which bring the 示意 note.
SCHEMATIC = frozenset({"schematic", "indicative"})


def categorical_palette(n: int) -> list[str]:
    """Distinct colours for ``n`` categories: Okabe-Ito up to 8, then Paired (12), TAB18.

    Colours never repeat: more than 18 categories need a palette from the spec.
    """
    if n <= len(PALETTE):
        return list(PALETTE)
    if n <= len(PAIRED_12):
        return list(PAIRED_12)
    return list(TAB18)


def category_colours(categories: Sequence[str]) -> dict[str, str]:
    """A distinct colour per category, in first-seen order (:func:`categorical_palette`)."""
    seen = list(dict.fromkeys(str(c) for c in categories))
    palette = categorical_palette(len(seen))
    if len(seen) > len(palette):
        raise ValueError(f"{len(seen)} categories; at most {len(palette)} stay distinguishable")
    return {c: palette[i] for i, c in enumerate(seen)}


#: Hatching of indicative zones and district roles: drawn over a choropleth, they leave its
#: colours as they are (only the hatch lines and outline take the layer's colour).
HATCH_SPACING_PX = 7
HATCH_WIDTH_PX = 1.6
#: matplotlib's hatch of the same layers in static figures.
HATCH_MPL = "////"


def _rgb(colour: str) -> tuple[int, int, int]:
    c = colour.lstrip("#")
    if len(c) == 3:
        c = "".join(ch * 2 for ch in c)
    return int(c[0:2], 16), int(c[2:4], 16), int(c[4:6], 16)


def colour_distance(a: str, b: str) -> float:
    """A perceptual distance of two ``#rrggbb`` colours (the "redmean" weighted RGB metric).

    >>> colour_distance("#000000", "#000000")
    0.0
    >>> colour_distance("#D55E00", "#d95f02") < 20 < colour_distance("#D55E00", "#0072B2")
    True
    """
    (r1, g1, b1), (r2, g2, b2) = _rgb(a), _rgb(b)
    rm = (r1 + r2) / 2
    dr, dg, db = r1 - r2, g1 - g2, b1 - b2
    return float(((2 + rm / 256) * dr * dr + 4 * dg * dg + (2 + (255 - rm) / 256) * db * db) ** 0.5)


#: Two colours closer than this are taken for the same on a map.
MIN_COLOUR_DISTANCE = 90.0


def distinct_palette(n: int, avoid: Sequence[str]) -> list[str] | None:
    """``n`` distinct colours none of which is near a colour of ``avoid`` (e.g. the fills
    and hatches under a point layer), from Okabe-Ito, Paired and tab20 in that order;
    None when fewer than ``n`` such colours exist.

    >>> pal = distinct_palette(3, PALETTE[:7])
    >>> all(colour_distance(a, b) >= MIN_COLOUR_DISTANCE for a in pal for b in PALETTE[:7])
    True
    """
    chosen: list[str] = []
    for c in dict.fromkeys([*PALETTE, *PAIRED_12, *TAB18, MULTI_COLOUR]):
        if c in (NO_DATA_COLOUR, MULTI_COLOUR):
            continue
        near = [*avoid, NO_DATA_COLOUR, MULTI_COLOUR]
        if any(colour_distance(c, a) < MIN_COLOUR_DISTANCE for a in near):
            continue
        if any(colour_distance(c, x) < MIN_COLOUR_DISTANCE for x in chosen):
            continue
        chosen.append(c)
        if len(chosen) == n:
            return chosen
    return None


def hatch_id(colour: str) -> str:
    """The id of the page's SVG hatch pattern of ``colour`` (``#0072B2`` → ``gis-hatch-0072b2``).

    >>> hatch_id("#0072B2")
    'gis-hatch-0072b2'
    """
    return "gis-hatch-" + colour.lstrip("#").lower()
