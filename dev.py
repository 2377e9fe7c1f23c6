#!/usr/bin/env python3
"""Set-up and tasks in one file, for a fresh machine with only Python and pip.

    python3 dev.py atlas   # set up (idempotent), then build maps/out/wuhan_atlas.html
    python3 dev.py test    # set up (idempotent), then ruff, mypy and pytest

Set-up makes ``.venv`` and installs the project with its dev extras there; it
reinstalls only when pyproject.toml changes. The tests' browser (Debian's
``chromium``), a CJK font, LibreOffice Writer and poppler (the report's .docx
is converted to PDF and read back) come from apt-get when run as root.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"
STAMP = VENV / ".setup-stamp"
APT_PACKAGES = ["chromium", "fonts-wqy-zenhei", "libreoffice-writer-nogui", "poppler-utils"]


def run(*cmd: str | Path, **kw: object) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], check=True, cwd=ROOT, **kw)  # type: ignore[call-overload]


def setup() -> None:
    if not PY.exists():
        print("creating .venv", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text().strip() == digest:
        return
    run(PY, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-e", ".[dev]")
    STAMP.write_text(digest)


def system_packages() -> None:
    """Chromium for the browser tests, a CJK font for static maps, LibreOffice and poppler
    for the .docx-to-PDF check (Debian, as root)."""
    have_font = any(
        Path(p).exists()
        for p in (
            "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
            "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        )
    )
    tools = ("chromium", "soffice", "pdftotext", "pdftoppm")
    if have_font and all(shutil.which(t) for t in tools):
        return
    if shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        run("apt-get", "update", "-q", env=env)
        run("apt-get", "install", "-y", "-q", *APT_PACKAGES, env=env)
    else:
        print(
            "note: install Debian packages " + " ".join(APT_PACKAGES) + " (as root) for the "
            "browser tests, Chinese labels and the .docx check; those tests are skipped without them."
        )


def atlas() -> None:
    setup()
    run(BIN / "clustermap", "build")


def test() -> None:
    setup()
    system_packages()
    run(BIN / "ruff", "check", "gis", "tests", "scripts", "dev.py")
    run(BIN / "ruff", "format", "--check", "gis", "tests", "scripts", "dev.py")
    run(BIN / "mypy", "gis")
    run(PY, "-m", "pytest", *sys.argv[2:])


def main() -> None:
    tasks = {"atlas": atlas, "test": test, "setup": setup}
    if len(sys.argv) < 2 or sys.argv[1] not in tasks:
        sys.exit(f"usage: python3 dev.py {{{'|'.join(tasks)}}} [pytest args]")
    try:
        tasks[sys.argv[1]]()
    except subprocess.CalledProcessError as exc:
        sys.exit(exc.returncode)


if __name__ == "__main__":
    main()
