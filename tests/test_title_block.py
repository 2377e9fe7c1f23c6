"""Every deliverable carries the same title block, from the same plan (issue #10).

Atlas, spec maps, analysis maps, static figures and the report: title, plan reference,
build date, sources with licences, and the "not fully loaded" / "not computed" notes
(the shipped clusters layer holds 0 of the plan's 58, so the coverage analysis cannot
be computed).
"""

from __future__ import annotations

import html
import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from gis.catalog import load_catalog
from gis.cli import main
from gis.errors import GisError
from gis.maps.compose import PLAN, compose_spec
from gis.maps.spec import load_spec
from gis.render.plan import TitleBlock
from gis.render.static_map import find_cjk_font, static_figure

DATE = "2025-11-27"  # SOURCE_DATE_EPOCH 1764201600
CLUSTERS_SHORT = "服务业集聚区 Service clusters 0/58"
NOT_COMPUTED = "分析未计算 Analysis not computed (coverage): 服务业集聚区 Service clusters 0/58"
TRUTH = Path(__file__).parent / "data" / "synthetic_clusters_wgs84_truth.csv"


@pytest.fixture
def home(root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(root / "layers", tmp_path / "layers")
    (tmp_path / "maps").mkdir()
    for name in ("atlas.toml", "coverage.toml"):
        shutil.copy(root / "maps" / name, tmp_path / "maps" / name)
    monkeypatch.setenv("CLUSTERMAP_HOME", str(tmp_path))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764201600")
    return tmp_path


def page_title_block(page: str) -> str:
    """Text of the title block a page passes to ``GIS.title`` (tags dropped)."""
    m = re.search(r"GIS\.title\(\w+, (\".*?\")\);", page)
    assert m is not None, "no title block in the page"
    return html.unescape(re.sub(r"<[^>]+>", "\n", json.loads(m.group(1))))


def lines_of(tb: TitleBlock) -> list[str]:
    return [tb.title, tb.subtitle, *tb.note_lines(), *tb.sources]


def assert_block(text: str, tb: TitleBlock) -> None:
    for line in lines_of(tb):
        assert line in text, line


def test_atlas_title_block_says_what_is_not_loaded(home: Path, built_maps) -> None:
    assert built_maps.epoch == "1764201600"  # the session's maps (tests/conftest.py)
    block = page_title_block(built_maps.html["atlas"].read_text("utf-8"))
    tb = compose_spec(load_spec(home / "maps" / "atlas.toml")).title_block
    assert tb.subtitle == f"{PLAN} · {DATE}"
    assert tb.not_loaded_text().startswith("未完整载入 Not fully loaded: ")
    assert CLUSTERS_SHORT in tb.not_loaded_text()
    for info in load_catalog().values():  # every drawn catalog layer with its licence
        if info.id in {"districts", "city"}:
            assert all(tb.sources[src] == info.license for src in info.sources)
    assert_block(block, tb)


def test_spec_map_title_block_says_what_is_not_computed(home: Path, built_maps) -> None:
    block = page_title_block(built_maps.html["coverage"].read_text("utf-8"))
    tb = compose_spec(load_spec(home / "maps" / "coverage.toml")).title_block
    assert any(n.startswith(NOT_COMPUTED) for n in tb.not_computed)
    assert_block(block, tb)


def test_analysis_map_has_sources_date_and_notes(home: Path) -> None:
    """Analysis maps had no sources line, no date and Leaflet's default prefix."""
    rows = TRUTH.read_text(encoding="utf-8").splitlines()[1:21]  # 20 of the 58
    table = home / "synthetic_clusters.csv"
    table.write_text(
        "编号,名称,lon,lat,source,precision\n"
        + "".join(f"{r.split(',')[0]},合成集聚区 {r.split(',')[0]},{r.split(',')[1]},"
                  f"{r.split(',')[2]},synthetic test data,cited_point\n" for r in rows),
        encoding="utf-8",
    )  # fmt: skip
    r = CliRunner().invoke(main, ["import", "clusters", str(table), "--crs", "wgs84"])
    assert r.exit_code == 0, r.output
    out = home / "analysis"
    r = CliRunner().invoke(main, ["coverage", "--radius", "2km", "--map", "--out", str(out)])
    assert r.exit_code == 0, r.output
    (page_path,) = out.glob("*.html")
    page = page_path.read_text("utf-8")
    block = page_title_block(page)
    cat = load_catalog()
    n = len(rows)
    for line in (
        "集聚区覆盖分析 Cluster coverage",
        f"{PLAN} · {DATE}",
        f"未完整载入 Not fully loaded: 服务业集聚区 Service clusters {n}/58",
        "参数 Parameters: ",
        "synthetic_clusters.csv (sha256:",  # the imported list, not the shipped text
        *cat["districts"].sources,
    ):
        assert line in block, line
    assert not any(src in block for src in cat["clusters"].sources)
    atlas = compose_spec(load_spec(home / "maps" / "atlas.toml")).title_block
    (imported,) = [s for s in atlas.sources if s.startswith("synthetic_clusters.csv (sha256:")]
    assert not set(cat["clusters"].sources) & set(atlas.sources)
    assert set(cat["districts"].sources) <= set(atlas.sources)  # shipped layers: the catalog
    # the attribution is always set, which replaces Leaflet's default prefix
    assert re.search(r"GIS\.attribution\(\w+, \"\\u003cspan class=\\u0027gis-sources", page)


def test_static_figure_carries_the_title_block(home: Path) -> None:
    try:
        find_cjk_font()
    except GisError as exc:
        pytest.skip(str(exc))
    import matplotlib.pyplot as plt

    plan = compose_spec(load_spec(home / "maps" / "coverage.toml"))
    fig = static_figure(plan)
    try:
        texts = "\n".join(t.get_text().replace("\n", " ") for t in fig.texts)
        texts += "\n".join(t.get_text().replace("\n", " ") for ax in fig.axes for t in ax.texts)
    finally:
        plt.close(fig)
    tb = plan.title_block
    assert tb.title in texts and tb.subtitle in texts
    # wrapped lines are rejoined with spaces: compare without whitespace
    flat = re.sub(r"\s+", "", texts)
    for line in [*tb.note_lines(), *tb.sources]:
        assert re.sub(r"\s+", "", line) in flat, line


def test_report_carries_each_plans_title_block_and_the_missing_table(home: Path) -> None:
    try:
        find_cjk_font()
    except GisError as exc:
        pytest.skip(str(exc))
    spec = home / "maps" / "coverage.toml"
    r = CliRunner().invoke(main, ["report", str(spec)])
    assert r.exit_code == 0, r.output
    out = home / "maps" / "out"
    page = (out / "report.html").read_text("utf-8")
    text = html.unescape(re.sub(r"<[^>]+>", "", page))
    with zipfile.ZipFile(out / "report.docx") as z:
        xml = z.read("word/document.xml").decode("utf-8")
    doc = html.unescape(re.sub(r"<[^>]+>", "", xml.replace("</w:p>", "\n")))
    tb = compose_spec(load_spec(spec)).title_block
    for body in (text, doc):
        assert_block(body, tb)
        # the coverage table is not silently absent: its place says why
        after = body.split("集聚区覆盖情况", 1)[-1]
        assert NOT_COMPUTED in after
