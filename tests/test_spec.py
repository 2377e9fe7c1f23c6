"""Map specs: validation with key paths, resolution against real layers, builds via the CLI."""

from __future__ import annotations

import json
import re
import shutil

import pytest
from click.testing import CliRunner

from gis.cli import main
from gis.errors import GisError, InputError, ValidationError
from gis.maps.compose import compose_spec
from gis.maps.publish import build_spec
from gis.maps.spec import load_spec, parse_spec_text, shipped_specs
from gis.render.elements import legend_html

DISTRICTS_SPEC = """
title = "测试 Test"
[[layers]]
layer = "districts"
tooltip = ["name_zh", "name_en"]
style = { kind = "categorical", column = "name_zh" }
"""


@pytest.fixture
def home(root, tmp_path, monkeypatch):
    """A copy of the project's layers in a temporary CLUSTERMAP_HOME, with an empty maps/."""
    shutil.copytree(root / "layers", tmp_path / "layers")
    (tmp_path / "maps").mkdir()
    monkeypatch.setenv("CLUSTERMAP_HOME", str(tmp_path))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764201600")
    return tmp_path


def _features(html: str) -> list[dict]:
    """Every GeoJSON feature embedded in a map page, except those of the base water layer."""
    out = []
    for m in re.finditer(r"L\.geoJSON\(GIS\.geo\((\{.*?\})\), \{", html, re.S):
        out.extend(json.loads(m.group(1))["features"])
    return [f for f in out if not re.match(r"(gshhg|wdbii)_", str(f["properties"].get("id")))]


def test_every_problem_is_reported_with_its_key_path():
    text = """
titel = "x"
basemap = "gaode-sat"
[[layers]]
layer = "districts"
[[layers]]
layer = "city"
[[layers]]
layer = "districts"
style = { kind = "choroplet", colour = "#123456", k = 12 }
[[layers]]
file = "a.geojson"
layer = "b"
show = "yes"
"""
    with pytest.raises(ValidationError) as e:
        parse_spec_text(text, "maps/bad.toml")
    msg = str(e.value)
    assert msg.startswith("maps/bad.toml: ")
    assert "titel: unknown key (did you mean 'title'?)" in msg
    assert "title: missing (required)" in msg
    assert "basemap: 'gaode-sat' is not one of" in msg and "'gaode-satellite'" in msg
    assert "layers[2].style.kind: 'choroplet' is not one of" in msg
    assert "(did you mean 'choropleth'?)" in msg
    assert "layers[2].style.colour: unknown key (did you mean 'color'?)" in msg
    assert "layers[2].style.k: 12 is out of range" in msg
    assert "layers[3]: give exactly one of 'layer'" in msg
    assert "layers[3].show: 'yes' is a str, expected bool" in msg
    # what the data show is in the same report (one pass): no layer 'b' in the catalog
    assert "layers[3].layer: 'b' is not in the catalog" in msg
    assert len(e.value.problems) == 9


def test_bad_values_and_toml_syntax():
    with pytest.raises(ValidationError, match=r"layers\[0\].style.color: 'red' is not a colour"):
        parse_spec_text('title="t"\n[[layers]]\nlayer="city"\nstyle={color="red"}\n', "s.toml")
    with pytest.raises(ValidationError, match=r"layers\[0\].style.column: style kind 'choro"):
        parse_spec_text('title="t"\n[[layers]]\nlayer="city"\nstyle={kind="choropleth"}', "s.toml")
    with pytest.raises(ValidationError, match=r"outputs.formats\[1\]: 'jpg' is not one of"):
        parse_spec_text('title="t"\natlas=true\noutputs={formats=["html","jpg"]}', "s.toml")
    with pytest.raises(InputError, match=r"s.toml: not valid TOML"):
        parse_spec_text('title = "t\n', "s.toml")
    with pytest.raises(ValidationError, match="the spec draws nothing"):
        parse_spec_text('title = "t"\n', "s.toml")


def test_resolution_names_missing_layers_and_columns(home):
    p = home / "maps" / "typo.toml"
    p.write_text(
        'title = "t"\n[[layers]]\nlayer = "distrcts"\n'
        '[[layers]]\nlayer = "districts"\ntooltip = ["name_zh", "name_eng"]\n'
        'style = { kind = "choropleth", column = "area" }\n',
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as e:
        compose_spec(load_spec(p))
    msg = str(e.value)
    assert "layers[0].layer: 'distrcts' is not in the catalog (did you mean 'districts'?)" in msg
    assert "layers[1].tooltip[1]: column 'name_eng' is not in the layer" in msg
    assert "(did you mean 'name_en'?)" in msg
    assert "layers[1].style.column: 'area' is not a column of the layer" in msg
    assert "(did you mean 'area_km2'?); columns: adcode, name_zh" in msg


def test_categorical_style_colours_each_district_and_lists_it_in_the_legend(home):
    p = home / "maps" / "cat.toml"
    p.write_text(DISTRICTS_SPEC, encoding="utf-8")
    res = build_spec(p)
    html = res.files[0].read_text(encoding="utf-8")
    feats = _features(html)
    assert len(feats) == 13
    colours = {f["properties"]["name_zh"]: f["properties"]["_c"] for f in feats}
    assert len(set(colours.values())) == 13  # one colour each: a legend row names one district
    # each name shows in its feature and once more in the legend
    legend = re.search(r"legend: (\".*?\"),\s*group", html, re.S)
    assert legend is not None
    legend_html = json.loads(legend.group(1))
    for name, colour in colours.items():
        assert re.search(f"background:{colour};[^<]*</span>{name}<", legend_html)


DOMAINS_12 = "研发和科技推广 检验检测 知识产权 工业设计 软件信息 工程设计 金融 物流 人力资源 会展 会计审计 法律"


def _domain_points(home, domains: list[str]) -> None:
    """SYNTHETIC points, one per domain value, on a line across 武昌区 (WGS84)."""
    feats = [
        {
            "type": "Feature",
            "properties": {"id": f"syn{i}", "name_zh": f"合成点{i}", "domains": d, "district": "420106",
                           "source": "synthetic test", "precision": "indicative"},
            "geometry": {"type": "Point", "coordinates": [114.30 + 0.002 * i, 30.55]},
        }
        for i, d in enumerate(domains)
    ]  # fmt: skip
    (home / "maps" / "pts.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False),
        encoding="utf-8",
    )
    (home / "maps" / "dom.toml").write_text(
        'title = "领域 Domains"\n[[layers]]\nfile = "pts.geojson"\n'
        'style = { kind = "categorical", column = "domains", split = "、" }\n',
        encoding="utf-8",
    )


def test_categorical_points_get_distinct_colours_and_legend_swatches_match(home):
    """The plan's 12 domains + a multi-domain point: 13 different colours (no cycling, 多类
    not black like 金融), legend swatches as opaque as the markers."""
    domains = DOMAINS_12.split()
    _domain_points(home, [*domains, "金融、物流"])
    html = build_spec(home / "maps" / "dom.toml").files[0].read_text(encoding="utf-8")
    colours = {f["properties"]["domains"]: f["properties"]["_c"] for f in _features(html)}
    assert len(set(colours.values())) == 13
    # popups name the district, not only its adcode
    assert {f["properties"]["district"] for f in _features(html)} == {"420106 武昌区"}
    legends = re.findall(r"legend: (\".*?\"),\s*group", html, re.S)
    legend = "".join(json.loads(x) for x in legends)  # the water layer's comes first
    for name, colour in colours.items():
        label = "多类 several" if "、" in name else name
        assert re.search(f"background:{colour};opacity:0.95;[^<]*</span>{label}<", legend)
    _domain_points(home, [f"类{i}" for i in range(19)])
    with pytest.raises(ValidationError, match="has 19 categories but 18 colours"):
        compose_spec(load_spec(home / "maps" / "dom.toml"))


def test_choropleth_from_a_joined_table_classes_the_values(home):
    # synthetic values: 420102 → 1, 420103 → 2, … (13 districts), unit 家
    from gis.districts import DISTRICTS

    csv = home / "synthetic_counts.csv"
    rows = ["区划代码,count"] + [f"{d.adcode},{i + 1}" for i, d in enumerate(DISTRICTS)]
    csv.write_text("\n".join(rows) + "\n", encoding="utf-8")
    p = home / "maps" / "chor.toml"
    p.write_text(
        'title = "t"\n[[layers]]\nlayer = "districts"\n'
        'join = { table = "../synthetic_counts.csv", on = "adcode", table_on = "区划代码" }\n'
        'style = { kind = "choropleth", column = "count", k = 4, unit = "家", '
        'scheme = "equal_interval" }\n',
        encoding="utf-8",
    )
    plan = compose_spec(load_spec(p))
    (ov,) = [o for o in plan.overlays if o.id != "water"]  # the base water layer aside
    by_code = dict(zip(ov.gdf["adcode"], ov.gdf["_c"]))
    # equal intervals of 1..13 in 4 classes: 1-4, 4-7, 7-10, 10-13
    assert by_code[DISTRICTS[0].adcode] != by_code[DISTRICTS[12].adcode]
    assert by_code[DISTRICTS[0].adcode] == by_code[DISTRICTS[1].adcode]
    assert len(set(by_code.values())) == 4
    assert ov.legend is not None
    assert "家" in legend_html(ov.legend) and "10 – 13" in legend_html(ov.legend)


def test_join_errors_name_the_table_rows(home):
    csv = home / "synthetic_bad.csv"
    csv.write_text("adcode,count\n420102,1\n429999,2\n420102,3\n", encoding="utf-8")
    p = home / "maps" / "j.toml"
    p.write_text(
        'title = "t"\n[[layers]]\nlayer = "districts"\n'
        'join = { table = "../synthetic_bad.csv", on = "adcode" }\n',
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as e:
        compose_spec(load_spec(p))
    msg = str(e.value)
    assert "layers[0].join: " in msg and "synthetic_bad.csv: rows 2, 4 (column 'count')" in msg
    assert "420102 江岸区" in msg and "keep one row per key" in msg


def test_join_report_row_numbers_count_blank_lines(home):
    csv = home / "synthetic_gap.csv"
    csv.write_text("adcode,count\n420102,1\n\n429999,2\n", encoding="utf-8")
    p = home / "maps" / "j.toml"
    p.write_text(
        'title = "t"\n[[layers]]\nlayer = "districts"\n'
        'join = { table = "../synthetic_gap.csv", on = "adcode" }\n',
        encoding="utf-8",
    )
    plan = compose_spec(load_spec(p))
    report = plan.overlays[0].gdf.attrs["join_report"]
    # as with `clustermap join`: an unknown key is reported with its row, not an error
    assert [(u.key, u.rows) for u in report.unmatched_table] == [("429999", [4])]
    assert report.matched == ["420102"]


def test_cli_bad_spec_exits_1_and_leaves_previous_output(home):
    p = home / "maps" / "cat.toml"
    p.write_text(DISTRICTS_SPEC, encoding="utf-8")
    r = CliRunner().invoke(main, ["build", str(p)])
    assert r.exit_code == 0, r.output
    out = home / "maps" / "out" / "cat.html"
    before = out.read_bytes()
    p.write_text(DISTRICTS_SPEC.replace('column = "name_zh"', 'column = "nme_zh"'), "utf-8")
    r = CliRunner().invoke(main, ["build", str(p)])
    assert r.exit_code == 1
    assert r.output.startswith("Error: ") and "cat.toml" in r.output
    assert "layers[0].style.column: 'nme_zh'" in r.output and "Traceback" not in r.output
    assert out.read_bytes() == before
    assert not list(out.parent.glob(".*.tmp"))


def test_cli_missing_basemap_key_is_a_clear_error(home, monkeypatch):
    monkeypatch.delenv("TIANDITU_KEY", raising=False)
    p = home / "maps" / "cat.toml"
    p.write_text(DISTRICTS_SPEC, encoding="utf-8")
    r = CliRunner().invoke(main, ["build", str(p), "--basemap", "tianditu"])
    assert r.exit_code == 1
    assert "set the environment variable TIANDITU_KEY" in r.output
    assert not (home / "maps" / "out" / "cat.html").exists()


def test_tianditu_basemap_uses_the_key_and_names_its_approval_number(home, monkeypatch):
    monkeypatch.setenv("TIANDITU_KEY", "synthetic-test-key")
    p = home / "maps" / "cat.toml"
    p.write_text(DISTRICTS_SPEC, encoding="utf-8")
    html = build_spec(p, basemap="tianditu", offline=False).files[0].read_text("utf-8")
    assert "vec_w/wmts" in html and "cva_w/wmts" in html and "tk=synthetic-test-key" in html
    assert "审图号".encode("unicode_escape").decode() in html  # JSON-escaped in the script
    # CGCS2000 tiles: layers are drawn unshifted (a stored vertex appears as it is)
    from gis.layers import read_layer

    x, y = read_layer("districts").geometry.iloc[0].geoms[0].exterior.coords[0]
    assert f"{round(x, 5)},{round(y, 5)}" in html


def test_spec_rebuild_is_byte_identical(home):
    p = home / "maps" / "cat.toml"
    p.write_text(DISTRICTS_SPEC, encoding="utf-8")
    a = build_spec(p, out=home / "a").files[0].read_bytes()
    b = build_spec(p, out=home / "b").files[0].read_bytes()
    assert a == b


def test_build_without_arguments_builds_the_atlas_and_every_spec(home):
    (home / "maps" / "one.toml").write_text(DISTRICTS_SPEC, encoding="utf-8")
    (home / "maps" / "two.toml").write_text(
        DISTRICTS_SPEC + '[outputs]\nhtml = "second.html"\nembed = true\n', encoding="utf-8"
    )
    r = CliRunner().invoke(main, ["build"])
    assert r.exit_code == 0, r.output
    names = sorted(p.name for p in (home / "maps" / "out").iterdir())
    assert names == ["one.html", "second.embed.html", "second.html", "wuhan_atlas.html"]
    snippet = (home / "maps" / "out" / "second.embed.html").read_text("utf-8")
    assert snippet.startswith('<iframe src="second.html" title="测试 Test"')


def test_shipped_specs_are_valid():
    specs = shipped_specs()
    names = {p.stem for p in specs}
    assert {"atlas", "corridors", "hubs", "domains", "coverage"} <= names
    for p in specs:
        spec = load_spec(p)
        assert spec.title
    assert load_spec(next(p for p in specs if p.stem == "atlas")).outputs.html == (
        "wuhan_atlas.html"
    )


def test_indicator_layers_come_from_the_indicators_module(home):
    p = home / "maps" / "ind.toml"
    p.write_text(
        'title = "t"\n[[layers]]\nindicator = "roles"\nshow = false\n'
        '[[layers]]\nindicator = "census"\ntitle = "密度 Density"\n',
        encoding="utf-8",
    )
    roles, census = [o for o in compose_spec(load_spec(p)).overlays if o.id != "water"]
    assert roles.group == "indicators" and roles.show is False
    assert roles.legend is not None and census.legend is not None
    assert "武昌区" in legend_html(roles.legend) and "绿色金融" in legend_html(roles.legend)
    assert census.title == "密度 Density" and "人/km²" in census.legend.title
    # 江汉区 is the densest district in the 2020 census: darkest class (legend rows are data)
    classes = [r for r in census.legend.rows if "no data" not in r.label]
    assert census.gdf.set_index("adcode").loc["420103", "_c"] == classes[-1].fill
    assert census.gdf.set_index("adcode").loc["420114", "_c"] == classes[0].fill  # 蔡甸区
    with pytest.raises(ValidationError, match=r"layers\[0\].indicator: 'role' is not one of"):
        parse_spec_text('title = "t"\n[[layers]]\nindicator = "role"\n', "s.toml")


def test_cli_writes_the_static_figures_it_is_asked_for(home):
    p = home / "maps" / "cat.toml"
    p.write_text(DISTRICTS_SPEC, encoding="utf-8")
    from gis.render.static_map import find_cjk_font

    try:
        find_cjk_font()
    except GisError as exc:
        pytest.skip(str(exc))
    r = CliRunner().invoke(main, ["build", str(p), "--png", "--embed"])
    assert r.exit_code == 0, r.output
    out = home / "maps" / "out"
    assert (out / "cat.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not (out / "cat.pdf").exists() and not (out / "cat.svg").exists()
    assert (out / "cat.embed.html").exists() and (out / "cat.html").exists()


def test_analysis_params_are_checked_when_the_spec_is_parsed():
    """A spec's [[analysis]] params are the command line's typed parameters: a bad one is a
    spec problem with its key path, found before any layer is read or analysis run."""
    text = """
title = "t"
[[layers]]
layer = "districts"
[[analysis]]
kind = "coverage"
params = { points = "clusters", radius = "2kmm" }
[[analysis]]
kind = "site"
params = { points = "clusters", n_sites = 3, colour = "red" }
"""
    with pytest.raises(ValidationError) as err:
        parse_spec_text(text, "bad.toml")
    msg = str(err.value)
    assert "analysis[0].params" in msg and "2kmm" in msg
    assert "analysis[1].params" in msg and "colour" in msg
