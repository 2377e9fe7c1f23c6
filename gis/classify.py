"""Classify indicator values for choropleths, with colour-blind-safe palettes.

Schemes come from mapclassify: ``quantiles``, ``natural_breaks`` (Fisher-Jenks),
``equal_interval``, and ``user`` (breaks given by the planner). Missing values
(NaN) get the class -1 and the no-data colour; they are never put in a class.
Attainment (value / target) uses fixed classes diverging at 100%.

>>> import pandas as pd
>>> c = classify(pd.Series([1.0, 2.0, None, 10.0]), scheme="user", bins=[2, 10])
>>> c.classes.tolist()
[0, 0, -1, 1]
>>> c.labels
['1 – 2', '2 – 10']
>>> c.colors
['#fee391', '#993404']
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .errors import InputError
from .render.palette import NO_DATA_COLOUR as NO_DATA_COLOR
from .render.palette import PALETTE

SCHEMES = ("quantiles", "natural_breaks", "equal_interval", "user")

#: ColorBrewer sequential YlOrBr (colour-blind safe, prints in grey), 3–7 classes.
SEQUENTIAL: dict[int, list[str]] = {
    1: ["#d95f0e"],
    2: ["#fee391", "#993404"],
    3: ["#fff7bc", "#fec44f", "#d95f0e"],
    4: ["#ffffd4", "#fed98e", "#fe9929", "#cc4c02"],
    5: ["#ffffd4", "#fed98e", "#fe9929", "#d95f0e", "#993404"],
    6: ["#ffffd4", "#fee391", "#fec44f", "#fe9929", "#d95f0e", "#993404"],
    7: ["#ffffd4", "#fee391", "#fec44f", "#fe9929", "#ec7014", "#cc4c02", "#8c2d04"],
}
#: ColorBrewer diverging PuOr (colour-blind safe): below target orange, above purple.
DIVERGING = ["#b35806", "#f1a340", "#fee0b6", "#d8daeb", "#998ec3", "#542788"]
#: Attainment classes (value / target): upper bounds; the 4th class starts at 100%.
ATTAINMENT_BREAKS = (0.5, 0.8, 1.0, 1.2, 1.5, math.inf)
ATTAINMENT_LABELS = ["< 50%", "50–80%", "80–100%", "100–120%", "120–150%", "≥ 150%"]
#: Okabe-Ito qualitative palette for categories: the one of gis.render.palette, without black.
CATEGORICAL = PALETTE[:7]


@dataclass
class Classification:
    """Result of :func:`classify`: class per value (-1 = no data), breaks, labels, colours."""

    classes: pd.Series
    bins: list[float]
    labels: list[str]
    colors: list[str]
    scheme: str
    counts: list[int] = field(default_factory=list)
    no_data: int = 0

    def color_of(self) -> pd.Series:
        """Fill colour per value, the no-data colour where the class is -1."""
        return self.classes.map(lambda c: self.colors[c] if c >= 0 else NO_DATA_COLOR)


def _fmt(v: float) -> str:
    if math.isinf(v):
        return "∞"
    if abs(v) >= 100 or float(v).is_integer():
        return f"{v:,.0f}"
    return f"{v:,.3g}"


def sequential_palette(k: int) -> list[str]:
    """k colour-blind-safe sequential colours (ColorBrewer YlOrBr), light to dark."""
    if k < 1 or k > 7:
        raise InputError(f"classes: {k}, expected 1 to 7 for a readable choropleth")
    return list(SEQUENTIAL[k])


def classify(
    values: pd.Series | Sequence[float],
    *,
    scheme: str = "quantiles",
    k: int = 5,
    bins: Sequence[float] | None = None,
    palette: Sequence[str] | None = None,
) -> Classification:
    """Classes of ``values`` by ``scheme``; NaN gets class -1 (no data).

    ``k`` is lowered to the number of distinct values when there are fewer. ``bins``
    (upper bounds, ascending) are required for ``scheme="user"``; values above the last
    bound are an error rather than a silently open class.
    """
    import mapclassify

    s = pd.Series(values, dtype=float) if not isinstance(values, pd.Series) else values
    s = pd.to_numeric(s, errors="coerce").astype(float)
    if scheme not in SCHEMES:
        raise InputError(f"classification scheme {scheme!r}, expected one of {SCHEMES}")
    valid = s.dropna()
    classes = pd.Series(-1, index=s.index, dtype=int)
    if valid.empty:
        return Classification(classes, [], [], [], scheme, [], int(s.isna().sum()))
    if scheme == "user":
        if not bins:
            raise InputError("scheme 'user' needs breaks, e.g. --bins 100,500,1000")
        b = [float(x) for x in bins]
        if any(b2 <= b1 for b1, b2 in zip(b, b[1:])):
            raise InputError(f"breaks {b} must be strictly ascending")
        if valid.max() > b[-1]:
            raise InputError(
                f"value {valid.max():g} is above the last break {b[-1]:g}; add a higher break"
            )
        clf = mapclassify.UserDefined(valid.to_numpy(), bins=b)
    else:
        n_unique = int(valid.nunique())
        kk = max(1, min(k, n_unique))
        if kk == 1:
            clf = mapclassify.UserDefined(valid.to_numpy(), bins=[float(valid.max())])
        elif scheme == "quantiles":
            clf = mapclassify.Quantiles(valid.to_numpy(), k=kk)
        elif scheme == "natural_breaks":
            with warnings.catch_warnings():
                # without numba mapclassify warns it uses pure Python: fine for district counts
                warnings.filterwarnings("ignore", message="Numba not installed")
                clf = mapclassify.FisherJenks(valid.to_numpy(), k=kk)
        else:
            clf = mapclassify.EqualInterval(valid.to_numpy(), k=kk)
    edges = [float(x) for x in clf.bins]
    yb = np.asarray(clf.yb, dtype=int)
    classes.loc[valid.index] = yb
    lows = [float(valid.min())] + edges[:-1]
    labels = [f"{_fmt(lo)} – {_fmt(hi)}" for lo, hi in zip(lows, edges)]
    colors = list(palette) if palette is not None else sequential_palette(len(edges))
    if len(colors) < len(edges):
        raise InputError(f"palette has {len(colors)} colours for {len(edges)} classes")
    counts = [int((yb == i).sum()) for i in range(len(edges))]
    return Classification(
        classes, edges, labels, colors[: len(edges)], scheme, counts, int(s.isna().sum())
    )


def classify_attainment(ratio: pd.Series | Sequence[float]) -> Classification:
    """Fixed attainment classes of value/target, diverging at 100% (PuOr palette).

    >>> import pandas as pd
    >>> classify_attainment(pd.Series([0.45, 0.99, 1.0, None])).classes.tolist()
    [0, 2, 3, -1]
    """
    s = pd.to_numeric(pd.Series(ratio, dtype=float), errors="coerce")
    classes = pd.Series(-1, index=s.index, dtype=int)
    valid = s.dropna()
    if (valid < 0).any():
        raise InputError("attainment ratios must not be negative")
    # right-open classes: exactly 100% belongs to '100–120%' (target met)
    idx = np.searchsorted(np.array(ATTAINMENT_BREAKS), valid.to_numpy(), side="right")
    classes.loc[valid.index] = idx
    counts = [int((idx == i).sum()) for i in range(len(ATTAINMENT_BREAKS))]
    return Classification(
        classes,
        list(ATTAINMENT_BREAKS),
        list(ATTAINMENT_LABELS),
        list(DIVERGING),
        "attainment",
        counts,
        int(s.isna().sum()),
    )


def category_colors(categories: Sequence[str]) -> dict[str, str]:
    """Okabe-Ito colour per distinct category, in first-seen order."""
    seen = list(dict.fromkeys(str(c) for c in categories))
    if len(seen) > len(CATEGORICAL):
        raise InputError(f"{len(seen)} categories; at most {len(CATEGORICAL)} stay distinguishable")
    return {c: CATEGORICAL[i] for i, c in enumerate(seen)}
