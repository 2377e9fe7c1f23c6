"""Options every command shares: --quiet, --verbose; progress bars only on a terminal; no raw
library warnings reach the user. Registers here are SYNTHETIC."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pandas as pd
import pytest
from click.testing import CliRunner

from gis.cli import main, options

ROOT = Path(__file__).resolve().parent.parent
SYN = Path(__file__).parent / "data" / "synthetic_clusters.geojson"


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    out = []
    for name, cmd in group.commands.items():
        out.append((f"{prefix}{name}", cmd))
        if isinstance(cmd, click.Group):
            out += _commands(cmd, f"{prefix}{name} ")
    return out


def test_every_command_has_quiet_and_verbose() -> None:
    cmds = _commands(main)
    assert len(cmds) >= 12
    for name, _ in cmds:
        r = CliRunner().invoke(main, [*name.split(), "--help"])
        assert r.exit_code == 0, name
        assert "--quiet" in r.output and "--verbose" in r.output, name


def test_quiet_prints_nothing_but_still_writes(tmp_path: Path) -> None:
    r = CliRunner().invoke(main, ["targets", "-q", "--out", str(tmp_path / "t.csv")])
    assert r.exit_code == 0 and r.output == ""
    assert (tmp_path / "t.csv").exists()
    loud = CliRunner().invoke(main, ["targets"])
    assert "T19" in loud.output  # the same command without -q prints the targets
    # errors still reach the user under --quiet
    bad = CliRunner().invoke(main, ["targets", "--quiet", "--domain", "银行"])
    assert bad.exit_code == 1 and "Error: no targets for domain" in bad.output


def test_progress_bars_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    class Tty:
        def isatty(self) -> bool:
            return True

        def write(self, s: str) -> int:
            return len(s)

        def flush(self) -> None:
            pass

    options.reset()
    monkeypatch.setattr(sys, "stderr", Tty())
    assert options.progress_enabled()
    options.STATE.quiet = True
    assert not options.progress_enabled()
    options.reset()
    monkeypatch.setattr(sys, "stderr", io.StringIO())  # a pipe or a file: no terminal
    assert not options.progress_enabled()
    with options.progress("x", 2) as bar:
        assert bar.disable


def _register(tmp_path: Path) -> Path:
    """Three SYNTHETIC firms: two in cluster 1, one in cluster 2 (counts 2, 1, 0, 0 …)."""
    feats = json.loads(SYN.read_text(encoding="utf-8"))["features"]
    c = [f["geometry"]["coordinates"] for f in feats]
    rows = [
        {"企业名称": "合成甲", "经度": c[0][0], "纬度": c[0][1]},
        {"企业名称": "合成乙", "经度": c[0][0], "纬度": c[0][1]},
        {"企业名称": "合成丙", "经度": c[1][0], "纬度": c[1][1]},
    ]
    path = tmp_path / "synthetic_register.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_no_raw_library_warning_reaches_the_user(tmp_path: Path) -> None:
    """mapclassify warns when the counts have fewer distinct values than classes: hidden,
    and shown as one line with --verbose."""
    reg = _register(tmp_path)
    args = [
        sys.executable, "-m", "gis", "enterprises", str(reg), "--crs", "wgs84",
        "--zones", f"districts,{SYN}", "--out", str(tmp_path / "o"), "--map",
    ]  # fmt: skip
    env = {**os.environ, "PYTHONWARNINGS": "default"}
    quiet = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, env=env, timeout=300)
    assert quiet.returncode == 0, quiet.stderr
    assert "Warning" not in quiet.stderr and "warnings.warn" not in quiet.stderr, quiet.stderr
    loud = subprocess.run(
        [*args, "--verbose"], cwd=ROOT, capture_output=True, text=True, env=env, timeout=300
    )
    assert loud.returncode == 0
    # the enterprises map now classes counts in whole-number breaks it computes itself, so
    # mapclassify may not warn at all; any warning shown is one line
    lines = [ln for ln in loud.stderr.splitlines() if "Warning" in ln]
    assert all(ln.startswith("warning (UserWarning): ") for ln in lines), loud.stderr
    assert "warnings.warn" not in loud.stderr


def test_library_log_records_are_hidden_unless_verbose() -> None:
    """rasterio and others log GDAL's complaints; Python would print them raw on stderr."""
    import logging

    from gis.cli import ClusterMapGroup

    @click.group(cls=ClusterMapGroup)
    def app() -> None:
        pass

    @app.command("demo")
    def demo() -> None:
        logging.getLogger("rasterio._env").warning("CPLE_AppDefined: raw GDAL text")
        click.echo("done")

    options.add_common_options(demo)
    assert CliRunner().invoke(app, ["demo"]).output == "done\n"
    loud = CliRunner().invoke(app, ["demo", "--verbose"]).output
    assert loud == "warning (rasterio._env): CPLE_AppDefined: raw GDAL text\ndone\n"
