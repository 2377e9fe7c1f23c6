"""Classify indicator values for choropleths, with colour-blind-safe palettes.

Schemes: ``quantiles``, ``natural_breaks`` (Fisher-Jenks), ``equal_interval``, and
``user`` (breaks given by the planner), with mapclassify's rules. Up to
:data:`SMALL_N` values (13 districts, 58 clusters) they are computed here in numpy with
results identical to mapclassify's (tested), which would import scipy.stats and
scikit-learn (about a second) for a few numbers; larger inputs use mapclassify. Missing
values (NaN) get the class -1 and the no-data colour; they are never put in a class.
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
#: Inputs up to this many values are classified here (numpy) instead of by mapclassify.
SMALL_N = 1000

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
        edges_a, yb = _classes("user", valid.to_numpy(), len(b), b)
    else:
        n_unique = int(valid.nunique())
        kk = max(1, min(k, n_unique))
        if kk == 1:
            edges_a, yb = _classes("user", valid.to_numpy(), 1, [float(valid.max())])
        else:
            edges_a, yb = _classes(scheme, valid.to_numpy(), kk, None)
    edges = [float(x) for x in edges_a]
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


def _classes(
    scheme: str, y: np.ndarray, k: int, bins: Sequence[float] | None
) -> tuple[np.ndarray, np.ndarray]:
    """Upper bounds and class of each value, as mapclassify's classifier of ``scheme``."""
    y = np.asarray(y).flatten()
    if len(y) > SMALL_N:
        import mapclassify

        if scheme == "user":
            clf = mapclassify.UserDefined(y, bins=list(bins or []))
        elif scheme == "quantiles":
            clf = mapclassify.Quantiles(y, k=k)
        elif scheme == "natural_breaks":
            with warnings.catch_warnings():
                # without numba mapclassify warns it uses pure Python
                warnings.filterwarnings("ignore", message="Numba not installed")
                clf = mapclassify.FisherJenks(y, k=k)
        else:
            clf = mapclassify.EqualInterval(y, k=k)
        return np.asarray(clf.bins), np.asarray(clf.yb, dtype=int)
    if scheme == "user":
        edges = np.array(bins)
        if edges[-1] < max(y):
            edges = np.append(edges, max(y))
    elif scheme == "quantiles":
        edges = _quantile_bins(y, k)
    elif scheme == "natural_breaks":
        edges = _fisher_jenks_bins(np.sort(y).astype("f8"), k)
    else:
        edges = _equal_interval_bins(y, k)
    return edges, _bin1d(y, edges)


def _bin1d(x: np.ndarray, bins: np.ndarray) -> np.ndarray:
    """Class of each value: the first upper bound it does not exceed (mapclassify.bin1d)."""
    left = [-float("inf"), *list(bins[0:-1])]
    k = len(bins)
    bin_ids = np.zeros(x.shape, dtype="int")
    for lo, hi in reversed(list(zip(left, bins))):
        k -= 1
        bin_ids += (x > lo) * (x <= hi) * k
    return bin_ids


def _quantile_bins(y: np.ndarray, k: int) -> np.ndarray:
    """mapclassify.classifiers.quantile: scipy's ``scoreatpercentile`` at 100/k steps
    ("fraction" interpolation), repeated values collapsed.

    >>> _quantile_bins(np.arange(1000), 4).tolist()
    [249.75, 499.5, 749.25, 999.0]
    """
    w = 100.0 / k
    p = np.arange(w, 100 + w, w)
    if p[-1] > 100.0:
        p[-1] = 100.0
    srt = np.sort(y)
    q = []
    for per in p:
        idx = per / 100.0 * (len(srt) - 1)
        i = int(idx)
        if i == idx:
            q.append(np.add.reduce(srt[i : i + 1] * np.array(1), axis=0) / 1.0)
        else:
            weights = np.array([(i + 1 - idx), (idx - i)], float)
            q.append(np.add.reduce(srt[i : i + 2] * weights, axis=0) / weights.sum())
    bins = np.unique(np.array(q))
    if len(bins) < k:  # as mapclassify says it
        warnings.warn(
            f"Not enough unique values in array to form {k} classes. Setting k to {len(bins)}.",
            UserWarning,
            stacklevel=2,
        )
    return bins


def _equal_interval_bins(y: np.ndarray, k: int) -> np.ndarray:
    """mapclassify.EqualInterval's bounds (the same arithmetic, so the same floats)."""
    max_y, min_y = max(y), min(y)
    if min_y == max_y:
        raise InputError("equal_interval: all values are equal; use one class")
    width = (max_y - min_y) * 1.0 / k
    cuts = np.arange(min_y + width, max_y + width, width)
    if len(cuts) > k:
        cuts = cuts[0:k]
    cuts[-1] = max_y
    return cuts.copy()


def _fisher_jenks_bins(values: np.ndarray, classes: int) -> np.ndarray:
    """Fisher-Jenks natural breaks of sorted ``values``: mapclassify's
    ``_fisher_jenks_means`` (BSD-3; float32 sums as there, so the same breaks)."""
    n_data = len(values)
    mat1 = np.zeros((n_data + 1, classes + 1), dtype=np.int32)
    mat2 = np.zeros((n_data + 1, classes + 1), dtype=np.float32)
    mat1[1, 1:] = 1
    mat2[2:, 1:] = np.inf
    v = np.float32(0)
    for row in range(2, n_data + 1):
        s1 = np.float32(0)
        s2 = np.float32(0)
        w = np.float32(0)
        for m in range(1, row + 1):
            i3 = row - m + 1
            val = np.float32(values[i3 - 1])
            s2 += val * val
            s1 += val
            w += np.float32(1)
            v = s2 - (s1 * s1) / w
            i4 = i3 - 1
            if i4 != 0:
                for j in range(2, classes + 1):
                    if mat2[row, j] >= (v + mat2[i4, j - 1]):
                        mat1[row, j] = i3
                        mat2[row, j] = v + mat2[i4, j - 1]
        mat1[row, 1] = 1
        mat2[row, 1] = v
    k = n_data
    kclass = np.zeros(classes + 1, dtype=values.dtype)
    kclass[classes] = values[n_data - 1]
    kclass[0] = values[0]
    for count_num in range(classes, 1, -1):
        pivot = mat1[k, count_num]
        kclass[count_num - 1] = values[int(pivot - 2)]
        k = int(pivot - 1)
    return np.delete(kclass, 0)


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
