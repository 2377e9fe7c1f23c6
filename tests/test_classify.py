"""Classification schemes, no-data handling, attainment around 100%, palettes."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from gis.classify import (
    CATEGORICAL,
    DIVERGING,
    NO_DATA_COLOR,
    SEQUENTIAL,
    category_colors,
    classify,
    classify_attainment,
)
from gis.errors import InputError


def luminance(hex_colour: str) -> float:
    """WCAG relative luminance of #rrggbb."""
    rgb = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def test_quantiles_split_evenly() -> None:
    c = classify(pd.Series(range(1, 11), dtype=float), scheme="quantiles", k=5)
    assert c.counts == [2, 2, 2, 2, 2]
    assert c.bins == pytest.approx([2.8, 4.6, 6.4, 8.2, 10.0])
    assert c.labels[0] == "1 – 2.8" and c.labels[-1] == "8.2 – 10"


def test_natural_breaks_find_the_gaps() -> None:
    values = pd.Series([1, 1.1, 1.2, 10, 10.5, 11, 50, 52])
    c = classify(values, scheme="natural_breaks", k=3)
    assert c.classes.tolist() == [0, 0, 0, 1, 1, 1, 2, 2]
    assert c.bins == [1.2, 11.0, 52.0]


def test_equal_interval_and_user_breaks() -> None:
    c = classify(pd.Series([0.0, 10, 30, 60, 100]), scheme="equal_interval", k=4)
    assert c.bins == [25.0, 50.0, 75.0, 100.0]
    assert c.classes.tolist() == [0, 0, 1, 2, 3]
    u = classify(pd.Series([500.0, 5000, 20000]), scheme="user", bins=[1000, 10000, 25000])
    assert u.classes.tolist() == [0, 1, 2]
    with pytest.raises(InputError, match="above the last break 25000"):
        classify(pd.Series([30000.0]), scheme="user", bins=[1000, 25000])
    with pytest.raises(InputError, match="strictly ascending"):
        classify(pd.Series([1.0]), scheme="user", bins=[10, 5])
    with pytest.raises(InputError, match="needs breaks"):
        classify(pd.Series([1.0]), scheme="user")
    with pytest.raises(InputError, match="scheme 'jenks'"):
        classify(pd.Series([1.0]), scheme="jenks")


def test_no_data_is_its_own_class() -> None:
    s = pd.Series([1.0, None, 3.0, float("nan"), 5.0], index=list("abcde"))
    c = classify(s, scheme="quantiles", k=3)
    assert c.classes.loc[["b", "d"]].tolist() == [-1, -1]
    assert c.no_data == 2 and sum(c.counts) == 3
    colours = c.color_of()
    assert colours.loc["b"] == NO_DATA_COLOR and colours.loc["a"] != NO_DATA_COLOR
    assert NO_DATA_COLOR not in c.colors
    empty = classify(pd.Series([None, None], dtype=float))
    assert empty.classes.tolist() == [-1, -1] and empty.bins == []


def test_fewer_distinct_values_than_classes() -> None:
    c = classify(pd.Series([2.0, 2.0, 7.0]), scheme="quantiles", k=5)
    assert len(c.bins) == 2 and c.classes.tolist() == [0, 0, 1]
    one = classify(pd.Series([4.0, 4.0]), scheme="natural_breaks", k=5)
    assert one.classes.tolist() == [0, 0] and len(one.colors) == 1


def test_attainment_diverges_at_one_hundred_percent() -> None:
    c = classify_attainment(pd.Series([0.2, 0.6, 0.9, 1.0, 1.1, 1.3, 2.0, None]))
    assert c.classes.tolist() == [0, 1, 2, 3, 3, 4, 5, -1]
    below = {c.colors[i] for i in (0, 1, 2)}
    above = {c.colors[i] for i in (3, 4, 5)}
    assert not below & above
    assert c.labels[3] == "100–120%"
    with pytest.raises(InputError):
        classify_attainment(pd.Series([-0.1]))


def test_palettes_are_ordered_and_distinct() -> None:
    assert max(SEQUENTIAL) >= 5 and len(CATEGORICAL) >= 5
    for k, colours in SEQUENTIAL.items():
        assert len(colours) == k  # one colour per class
        lum = [luminance(c) for c in colours]
        assert all(a > b for a, b in zip(lum, lum[1:])), k  # light to dark: readable in grey
    lum = [luminance(c) for c in DIVERGING]
    assert lum[0] < lum[2] and lum[-1] < lum[3]  # both ends darker than the middle
    assert len(set(CATEGORICAL)) == len(CATEGORICAL)
    assert category_colors(["b", "a", "b"]) == {"b": CATEGORICAL[0], "a": CATEGORICAL[1]}
    with pytest.raises(InputError, match="at most 7"):
        category_colors([str(i) for i in range(8)])
    assert math.isclose(luminance("#ffffff"), 1.0)


def test_small_inputs_are_classified_exactly_as_mapclassify_does() -> None:
    """The numpy classifiers for small n give mapclassify's breaks and classes bit for bit
    (SYNTHETIC values: random, with ties, negatives, integers, one outlier)."""
    import warnings

    import mapclassify
    import numpy as np

    from gis.classify import _classes

    rng = np.random.default_rng(13)
    cases = [rng.normal(100, 30, 13), rng.integers(0, 6, 13).astype(float),
             rng.lognormal(3, 1.5, 58), np.append(rng.uniform(-5, 5, 20), 1e6),
             np.round(rng.uniform(0, 1, 200), 2), np.array([1.0, 2.0])]  # fmt: skip
    for y in cases:
        nu = len(np.unique(y))
        for k in range(2, min(7, nu) + 1):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                refs = {
                    "quantiles": mapclassify.Quantiles(y, k=k),
                    "equal_interval": mapclassify.EqualInterval(y, k=k),
                    "natural_breaks": mapclassify.FisherJenks(y, k=k),
                }
                bins = sorted(rng.uniform(y.min(), y.max(), k - 1).tolist()) + [float(y.max())]
                refs["user"] = mapclassify.UserDefined(y, bins=bins)
            for scheme, ref in refs.items():
                edges, yb = _classes(scheme, y, k, bins if scheme == "user" else None)
                assert np.asarray(ref.bins).tobytes() == np.asarray(edges).tobytes(), (scheme, k)
                assert np.array_equal(np.asarray(ref.yb), yb), (scheme, k)
