"""OSM corridor geometry: parsing and merging a recorded-format Overpass reply; offline errors.

tests/data/synthetic_overpass_corridors.json is SYNTHETIC: invented ways near the cited
waypoints, in the JSON shape the Overpass API returns for `out geom;`.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from gis.cli import main
from gis.layers import read_layer
from gis.osm import (
    CORRIDOR_ROADS,
    OsmError,
    corridors_from_ways,
    fetch_overpass,
    overpass_query,
    ways_from_overpass,
)
from gis.readers.geojson import read_geojson

FIXTURE = Path(__file__).parent / "data" / "synthetic_overpass_corridors.json"
CLOSED = "http://127.0.0.1:9/api/interpreter"  # discard port: nothing listens


def reply() -> dict:
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def test_query_names_every_avenue() -> None:
    q = overpass_query([n for ns in CORRIDOR_ROADS.values() for n in ns])
    for name in ("建设大道", "中山大道", "沿江大道", "中北路", "中南路"):
        assert f'["name"="{name}"]' in q
    assert q.rstrip().endswith("out geom;")


def test_parse_out_geom_and_nodes_formats_alike() -> None:
    ways = ways_from_overpass(reply())
    assert len(ways) == 6
    assert list(ways.loc[ways["osm_id"] == 1001, "geometry"].item().coords) == [
        (114.265, 30.594),
        (114.268, 30.597),
    ]
    nodes_format = {
        "elements": [
            {"type": "node", "id": 1, "lat": 30.594, "lon": 114.265},
            {"type": "node", "id": 2, "lat": 30.597, "lon": 114.268},
            {"type": "way", "id": 1001, "nodes": [1, 2], "tags": {"name": "建设大道"}},
        ]
    }
    alt = ways_from_overpass(nodes_format)
    assert alt.geometry.iloc[0].equals(ways.geometry.iloc[0])


def test_ways_merge_per_avenue_near_its_waypoints() -> None:
    corridors = read_layer("corridors")
    before = corridors.copy()
    city = read_layer("city")
    new = corridors_from_ways(ways_from_overpass(reply()), corridors, city=city).set_index("id")
    assert corridors.equals(before)  # input not mutated
    js = new.loc["corridor_jianshe", "geometry"]
    assert js.geom_type == "LineString" and len(js.coords) == 4  # two ways joined
    zs = new.loc["corridor_zhongshan", "geometry"]
    # the far-away way of the same name (30.35 N) is dropped
    assert zs.geom_type == "LineString" and zs.bounds[1] > 30.57
    zz = new.loc["corridor_zhongbei_zhongnan", "geometry"]
    assert zz.geom_type == "LineString" and len(zz.coords) == 4  # 中南路 + 中北路 joined
    # no ways for 沿江大道: cited waypoint kept as it was
    yj = corridors.set_index("id").loc["corridor_yanjiang"]
    assert new.loc["corridor_yanjiang", "geometry"].equals(yj.geometry)
    assert new.loc["corridor_yanjiang", "precision"] == "cited_point"
    assert "ODbL" in new.loc["corridor_jianshe", "source"]
    assert new.loc["corridor_jianshe", "precision"] == "converted"


def test_offline_fetch_fails_clearly() -> None:
    with pytest.raises(OsmError, match="cannot reach the Overpass API") as info:
        fetch_overpass("[out:json];out;", url=CLOSED, timeout=5)
    assert "--from-file" in str(info.value)


@pytest.fixture
def home(tmp_path: Path, root: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    layers = tmp_path / "layers"
    layers.mkdir()
    for name in ("catalog.toml", "city.geojson", "districts.geojson", "corridors.geojson"):
        shutil.copy(root / "layers" / name, layers / name)
    monkeypatch.setenv("CLUSTERMAP_HOME", str(tmp_path))
    return tmp_path


def test_cli_offline_exits_1_and_keeps_the_layer(home: Path) -> None:
    path = home / "layers" / "corridors.geojson"
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    res = CliRunner().invoke(main, ["fetch-osm", "corridors", "--endpoint", CLOSED])
    assert res.exit_code == 1
    assert "Error: cannot reach the Overpass API" in res.output
    assert "Traceback" not in res.output
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_cli_from_saved_reply_writes_lines(home: Path) -> None:
    res = CliRunner().invoke(main, ["fetch-osm", "corridors", "--from-file", str(FIXTURE)])
    assert res.exit_code == 0, res.output
    assert "kept as before (no matching ways): corridor_yanjiang" in res.output
    layer = read_layer("corridors").set_index("id")
    assert layer.loc["corridor_jianshe", "geometry"].geom_type == "LineString"
    # the cited waypoints it replaced are kept aside, and the command says so
    (backup,) = (home / "layers" / ".backup").glob("corridors-*.geojson")
    assert "replaced 4 feature(s)" in res.output and str(backup) in res.output
    assert read_geojson(backup, key="id").set_index("id").loc[
        "corridor_jianshe", "geometry"
    ].geom_type in ("Point", "MultiPoint")
