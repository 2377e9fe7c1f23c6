"""A layer file is parsed once per process while it stays the same file; a replaced or
corrupted file is read again (an import in the same process, a file edited by hand)."""

from __future__ import annotations

import pytest

from gis.errors import InputError
from gis.io import atomic_write
from gis.layers import read_layer


def test_reads_are_independent_copies(home):
    a = read_layer("districts")
    a.loc[a.index[0], "name_zh"] = "改了 changed"
    a.geometry.values[1] = None  # the cached frame must not share its arrays
    b = read_layer("districts")
    assert "改了 changed" not in set(b["name_zh"]) and b.geometry.notna().all()


def test_a_replaced_file_is_read_again(home):
    path = home / "layers" / "corridors.geojson"
    before = read_layer("corridors")
    text = path.read_text(encoding="utf-8")
    name = before["name_zh"].iloc[0]
    with atomic_write(path, encoding="utf-8") as f:  # same size: only the file changed
        f.write(text.replace(name, name[::-1], 1))
    after = read_layer("corridors")
    assert after["name_zh"].iloc[0] == name[::-1]


def test_a_file_broken_after_a_read_is_an_error_not_the_old_content(home):
    read_layer("corridors")
    (home / "layers" / "corridors.geojson").write_text('{"type": "Feature', encoding="utf-8")
    with pytest.raises(InputError, match="corridors.geojson"):
        read_layer("corridors")
