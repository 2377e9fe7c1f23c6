"""Layers legible together (issue 11), counts as densities, targets marks, census and key
notes (issue 12) and the spec join report: composer, figures and CLI on real files."""

from __future__ import annotations

import shutil

import geopandas as gpd
import pytest
from click.testing import CliRunner

from gis.cli import main
from gis.layers import read_layer
from gis.maps.compose import compose_spec
from gis.maps.enterprises import enterprise_overlays
from gis.maps.indicators import CENSUS_BULLETIN, census_overlay, targets_panel
from gis.maps.publish import atlas_spec, html_text
from gis.maps.report import targets_table
from gis.maps.spec import load_spec
from gis.render.palette import MIN_COLOUR_DISTANCE, colour_distance, hatch_id
from gis.render.panel import targets_panel_html


@pytest.fixture
def home(root, tmp_path, monkeypatch):
    """A copy of the project's layers in a temporary CLUSTERMAP_HOME, with an empty maps/."""
    shutil.copytree(root / "layers", tmp_path / "layers")
    (tmp_path / "maps").mkdir()
    monkeypatch.setenv("CLUSTERMAP_HOME", str(tmp_path))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764201600")
    return tmp_path


def _area_colours(plan):
    out = set()
    for ov in plan.overlays:
        kinds = set(ov.gdf.geom_type.str.replace("Multi", ""))
        if "Polygon" in kinds and "_c" in ov.gdf.columns:
            out |= set(ov.gdf["_c"].dropna())
    return out


def test_indicative_zones_and_roles_are_hatched_not_filled(home):
    spec = home / "maps" / "s.toml"
    spec.write_text(
        'title = "t"\natlas = true\n[[layers]]\nindicator = "roles"\ntitle = "roles"\n',
        encoding="utf-8",
    )
    plan = compose_spec(load_spec(spec))
    by_id = {ov.id: ov for ov in plan.overlays}
    for oid in ("hub_zones", "roles"):
        ov = by_id[oid]
        assert ov.hatch and "fillColor" not in ov.style and "fillOpacity" not in ov.style
    assert all(r.hatch for r in by_id["roles"].legend.rows)
    page = html_text(plan)
    # one inlined pattern per hatch colour; every role colour has one
    for c in set(by_id["roles"].gdf["_c"]):
        assert f'id="{hatch_id(c)}"' in page
    assert not by_id["census"].hatch  # the choropleth stays a fill


def test_point_categories_keep_apart_from_the_colours_under_them(home):
    districts = read_layer("districts")
    pts = gpd.GeoDataFrame(
        {
            "name_zh": [f"合成点{i}" for i in range(5)],
            "kind": ["甲", "乙", "丙", "丁", "戊"],
            "source": "synthetic test points",
            "precision": "official",
        },
        geometry=list(districts.geometry.representative_point()[:5]),
        crs="EPSG:4326",
    )
    pts.to_file(home / "synthetic_points.geojson", driver="GeoJSON")
    spec = home / "maps" / "p.toml"
    spec.write_text(
        'title = "t"\n[[layers]]\nindicator = "census"\n[[layers]]\nindicator = "roles"\n'
        '[[layers]]\nfile = "../synthetic_points.geojson"\n'
        'style = { kind = "categorical", column = "kind" }\n',
        encoding="utf-8",
    )
    plan = compose_spec(load_spec(spec))
    areas = _area_colours(plan)
    points = plan.overlays[-1]
    colours = set(points.gdf["_c"])
    assert len(colours) == 5
    for c in colours:
        assert all(colour_distance(c, a) >= MIN_COLOUR_DISTANCE for a in areas), c
    # the legend follows the colours drawn
    assert {r.fill for r in points.legend.rows} == colours
    # one-colour point layers too: the atlas's avenues are not the orange of the census
    atlas = compose_spec(atlas_spec())
    corridors = next(o for o in atlas.overlays if o.id == "corridors")
    fill = corridors.style["fillColor"]
    assert corridors.style["color"] == "#ffffff"  # drawn as points (a "Mixed" layer)
    assert all(colour_distance(fill, a) >= MIN_COLOUR_DISTANCE for a in _area_colours(atlas))


def test_enterprises_unequal_zones_by_density_counts_in_whole_classes():
    d = read_layer("districts")[["adcode", "name_zh", "geometry"]].copy()
    d = d.rename(columns={"adcode": "zone"})
    d["layer"] = "districts"
    d["enterprises"] = [0, 0, 1, 2, 3, 5, 8, 13, 21, 34, 40, 55, 93]
    discs = d.copy()
    discs["layer"] = "discs"
    discs["geometry"] = (
        d.to_crs("EPSG:4547").geometry.representative_point().buffer(1000).to_crs("EPSG:4326")
    )
    frame = gpd.GeoDataFrame(
        __import__("pandas").concat([d, discs]), geometry="geometry", crs="EPSG:4326"
    )
    dens, counts = enterprise_overlays(frame, "synthetic_register.csv")
    assert "家/km²" in dens.legend.title and "Enterprise density" in dens.title
    assert dens.legend.rows[0].label.startswith("0 – ")
    row = dens.gdf.set_index("id").loc[d["zone"].iloc[12]]
    assert row["count_text"] == "93 家" and "家/km²" in row["value_text"]
    assert "企业数 Enterprises" in counts.title and "(家)" in counts.legend.title
    labels = [r.label for r in counts.legend.rows]
    assert labels[0].startswith("0 – ") and all("." not in lab for lab in labels), labels
    # whole-number classes follow on: "0 – 3", "4 – 13", …
    highs = [int(lab.split(" – ")[-1].replace(",", "")) for lab in labels]
    lows = [int(lab.split(" – ")[0].replace(",", "")) for lab in labels]
    assert lows[1:] == [h + 1 for h in highs[:-1]] and highs[-1] == 93


def test_targets_mark_proxy_narrower_and_province_baselines():
    panel = targets_panel()
    p = panel.progress
    page = targets_panel_html(panel)
    for cls, mark in (
        ("close", "代理 proxy"),
        ("narrower", "口径较窄 narrower measure"),
        ("province", "仅湖北省 province-only"),
    ):
        n = int((p["comparability_class"] == cls).sum())
        assert n >= 1 and page.count(f">{mark}</span>") == n, cls
    # a province-only baseline is shown (with its mark), never as "no baseline"
    assert page.count("cm-nobase'>(无基数") == int(p["baseline"].isna().sum())
    table = targets_table(p)
    col = table["基数 Baseline"]
    n_province = (p["comparability_class"] == "province").sum()
    assert col.str.endswith(" · 仅湖北省 province-only").sum() == n_province


def test_census_credits_the_bulletin_and_names_the_mirror_as_where_it_was_read():
    ov = census_overlay(read_layer("districts"))
    (src,) = ov.sources
    assert src.startswith(CENSUS_BULLETIN) and "read at a mirror copy" in src
    per_feature = set(ov.gdf["indicator_source"])
    assert all(s.startswith(CENSUS_BULLETIN) and "(mirror copy)" in s for s in per_feature)


def test_tianditu_key_warning_where_the_key_is_asked_for(monkeypatch, tmp_path):
    r = CliRunner().invoke(main, ["build", "--help"])
    assert "plain text into every HTML" in " ".join(r.output.split())
    assert "browser-type" in " ".join(r.output.split())
    monkeypatch.delenv("TIANDITU_KEY", raising=False)
    r = CliRunner().invoke(main, ["build", "--basemap", "tianditu", "--out", str(tmp_path)])
    assert r.exit_code == 1 and "browser-type" in r.output


def test_spec_join_build_prints_the_join_report(home):
    csv = home / "synthetic_gap.csv"
    csv.write_text("adcode,count\n420102,1\n\n429999,2\n", encoding="utf-8")
    p = home / "maps" / "j.toml"
    p.write_text(
        'title = "t"\n[[layers]]\nlayer = "districts"\n'
        'join = { table = "../synthetic_gap.csv", on = "adcode" }\n',
        encoding="utf-8",
    )
    r = CliRunner().invoke(main, ["build", str(p)])
    assert r.exit_code == 0, r.output
    assert "j.toml layers[0].join: Table 表:" in r.output
    assert "Matched 已匹配: 1 feature(s): 420102" in r.output
    assert "row 4: '429999'" in r.output


def test_static_figure_hatches_roles(home):
    from gis.render.static_map import static_figure

    p = home / "maps" / "r.toml"
    p.write_text('title = "t"\n[[layers]]\nindicator = "roles"\n', encoding="utf-8")
    fig = static_figure(compose_spec(load_spec(p)))
    hatched = [a for a in fig.findobj() if getattr(a, "get_hatch", lambda: None)()]
    assert hatched, "roles drawn without hatching"
    import matplotlib.pyplot as plt

    plt.close(fig)
