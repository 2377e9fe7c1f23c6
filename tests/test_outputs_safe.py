"""Outputs never destroy inputs, and the user's environment is not a bug.

* an ``--out`` naming the command's own input, a shipped layer or anything under
  ``layers/`` is refused before any work (one line, exit 1, the file unchanged);
* a read-only folder, a full disk (a file-size limit), an output path that is a folder, a
  folder appearing at the target during the write: one line naming the path and the cause,
  exit 1, the previous output intact, no temporary file left behind.

Tables used here are SYNTHETIC.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from gis.cli import main
from gis.errors import OutputError
from gis.io import atomic_write

ROOT = Path(__file__).resolve().parent.parent
SYN = Path(__file__).parent / "data" / "synthetic_clusters.geojson"


def table(tmp_path: Path) -> Path:
    path = tmp_path / "synthetic_figures.csv"
    path.write_text("区县,GDP(亿元)\n武昌区,100\n江岸区,200\n", encoding="utf-8")
    return path


def cli(*args: str, limit_bytes: int | None = None, drop_root: bool = False) -> tuple[int, str]:
    """Run ``clustermap`` in a subprocess; (exit code, stderr).

    ``limit_bytes`` sets RLIMIT_FSIZE (a full disk for every file written: Python ignores
    SIGXFSZ, so writes fail with EFBIG). ``drop_root`` runs without the capabilities that let
    root write into a read-only folder (``setpriv``), so the test means the same as root.
    """
    cmd = [sys.executable, "-m", "gis", *args]
    if drop_root and os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: a read-only folder is writable")
        cmd = [setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner", *cmd]

    def limit() -> None:
        if limit_bytes is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))

    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    r = subprocess.run(
        cmd, cwd=ROOT, capture_output=True, text=True, preexec_fn=limit, env=env, timeout=300
    )
    return r.returncode, r.stderr


def one_error_line(stderr: str) -> str:
    lines = [ln for ln in stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("Error: ") and "bug" not in lines[0], stderr
    return lines[0]


def leftovers(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.name.startswith(".") and p.name.endswith(".tmp")]


# -- outputs that would destroy inputs -------------------------------------------------------


def test_join_out_may_not_overwrite_its_own_table(tmp_path: Path) -> None:
    src = table(tmp_path)
    before = src.read_bytes()
    r = CliRunner().invoke(main, ["join", "districts", str(src), "--out", str(src)])
    assert r.exit_code == 1
    assert "is the input" in r.output and str(src) in r.output
    assert src.read_bytes() == before


@pytest.mark.parametrize(
    "args",
    [
        ["join", "districts", "{table}", "--out", "layers/districts.geojson"],
        ["join", "districts", "{table}", "--out", "layers/indicators/new.csv"],
        ["targets", "--out", "layers/targets.xlsx"],
        ["coverage", "--radius", "2km", "--points", str(SYN), "--out", "layers/sources"],
        ["build", "maps/hubs.toml", "--out", "layers"],
    ],
)
def test_nothing_writes_under_layers_but_import(
    tmp_path: Path, args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    before = {p: p.stat().st_mtime_ns for p in (ROOT / "layers").rglob("*")}
    argv = [a.replace("{table}", str(table(tmp_path))) for a in args]
    r = CliRunner().invoke(main, argv)
    assert r.exit_code == 1, r.output
    assert "only `clustermap import` writes" in r.output
    after = {p: p.stat().st_mtime_ns for p in (ROOT / "layers").rglob("*")}
    assert after == before


def test_targets_out_refuses_unknown_types(tmp_path: Path) -> None:
    r = CliRunner().invoke(main, ["targets", "--out", str(tmp_path / "t.pdf")])
    assert r.exit_code == 1 and "use .csv or .xlsx" in r.output
    assert not (tmp_path / "t.pdf").exists()


# -- the environment ----------------------------------------------------------------------------


def test_read_only_folder_is_one_line_and_keeps_the_previous_file(tmp_path: Path) -> None:
    src = table(tmp_path)
    folder = tmp_path / "ro"
    folder.mkdir()
    prev = folder / "joined.csv"
    prev.write_text("previous\n", encoding="utf-8")
    folder.chmod(0o555)
    try:
        code, err = cli("join", "districts", str(src), "--out", str(prev), "-q", drop_root=True)
    finally:
        folder.chmod(0o755)
    line = one_error_line(err)
    assert code == 1
    assert str(prev) in line and "permission denied" in line
    assert prev.read_text(encoding="utf-8") == "previous\n" and not leftovers(folder)


def test_full_disk_is_one_line_and_keeps_the_previous_file(tmp_path: Path) -> None:
    src = table(tmp_path)
    prev = tmp_path / "joined.xlsx"
    prev.write_bytes(b"previous")
    code, err = cli(
        "join", "districts", str(src), "--out", str(prev), "-q", limit_bytes=4096
    )  # the workbook is larger than 4 KB
    line = one_error_line(err)
    assert code == 1 and str(prev) in line and "larger than allowed" in line
    assert prev.read_bytes() == b"previous" and not leftovers(tmp_path)


def test_full_disk_during_a_geopackage_is_one_line(tmp_path: Path) -> None:
    out = tmp_path / "o"
    out.mkdir()
    prev = out / "coverage_2km.gpkg"
    prev.write_bytes(b"previous")
    code, err = cli(
        "coverage", "--radius", "2km", "--points", str(SYN), "--out", str(out),
        limit_bytes=64 * 1024,
    )  # fmt: skip
    line = one_error_line(err)
    assert code == 1 and "coverage_2km.gpkg" in line and "larger than allowed" in line
    assert prev.read_bytes() == b"previous" and not leftovers(out)


def test_output_path_that_is_a_folder(tmp_path: Path) -> None:
    src = table(tmp_path)
    (tmp_path / "joined.csv").mkdir()
    code, err = cli("join", "districts", str(src), "--out", str(tmp_path / "joined.csv"), "-q")
    line = one_error_line(err)
    assert code == 1 and "joined.csv" in line and "it is a folder" in line


def test_a_folder_appearing_at_the_target_during_the_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "late.csv"
    with pytest.raises(OutputError, match="late.csv: cannot write: it is a folder"):
        with atomic_write(target, "w", encoding="utf-8") as fh:
            fh.write("x")
            target.mkdir()
            (target / "inside").write_text("occupied")
    assert not leftovers(tmp_path)
    # the same through the command line: one line, exit 1
    import gis.table_out as table_out

    real = table_out.safe_frame

    def racing(df: pd.DataFrame) -> pd.DataFrame:
        out = tmp_path / "race.csv"
        if not out.exists():
            out.mkdir()
            (out / "inside").write_text("occupied")
        return real(df)

    monkeypatch.setattr(table_out, "safe_frame", racing)
    r = CliRunner().invoke(
        main, ["join", "districts", str(table(tmp_path)), "--out", str(tmp_path / "race.csv")]
    )
    assert r.exit_code == 1, r.output
    assert "race.csv: cannot write" in r.output and "bug" not in r.output


def test_unexpected_os_error_anywhere_is_not_called_a_bug(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An OSError outside the writers (e.g. a folder vanishing) is still the environment."""
    import gis.cli.join_cmd as join_cmd

    def vanished(*a: object, **k: object) -> None:
        raise PermissionError(13, "Permission denied", str(tmp_path / "somewhere"))

    monkeypatch.setattr(join_cmd, "write_joined", vanished)
    r = CliRunner().invoke(
        main, ["join", "districts", str(table(tmp_path)), "--out", str(tmp_path / "x.csv")]
    )
    assert r.exit_code == 1
    assert f"Error: {tmp_path / 'somewhere'}: permission denied" in r.output
    assert "bug" not in r.output


def test_read_only_analysis_folder_is_refused_before_any_work(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    prev = folder / "coverage_2km.csv"
    prev.write_text("previous\n", encoding="utf-8")
    folder.chmod(0o555)
    try:
        code, err = cli(
            "coverage", "--radius", "2km", "--points", str(SYN), "--out", str(folder),
            drop_root=True,
        )  # fmt: skip
    finally:
        folder.chmod(0o755)
    line = one_error_line(err)
    assert code == 1 and str(folder) in line and "permission denied" in line
    assert sorted(p.name for p in folder.iterdir()) == ["coverage_2km.csv"]
    assert prev.read_text(encoding="utf-8") == "previous\n"


def test_atomic_writer_in_a_read_only_folder(tmp_path: Path) -> None:
    """The writer itself (not only the CLI's early check) names the path and the cause."""
    folder = tmp_path / "ro"
    folder.mkdir()
    (folder / "t.csv").write_text("previous\n", encoding="utf-8")
    folder.chmod(0o555)
    script = (
        "import sys, pandas as pd\n"
        "from gis.errors import OutputError\n"
        "from gis.table_out import write_table\n"
        "try:\n"
        f"    write_table(pd.DataFrame({{'a': [1]}}), {str(folder / 't.csv')!r})\n"
        "except OutputError as exc:\n"
        "    print(exc)\n"
    )
    cmd = [sys.executable, "-c", script]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv")
        cmd = [setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner", *cmd]
    try:
        r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=120)
    finally:
        folder.chmod(0o755)
    assert r.stdout.startswith(f"{folder / 't.csv'}: cannot write: permission denied"), r
    assert (folder / "t.csv").read_text(encoding="utf-8") == "previous\n"
