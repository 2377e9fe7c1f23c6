"""Shared fixtures: the project root, every shipped map built once for the session, a
headless Chromium page with the network blocked."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
#: The build date of the session's maps (2025-11-27), so that a rebuild can be compared byte
#: for byte.
BUILD_EPOCH = "1764201600"


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@dataclass(frozen=True)
class BuiltMaps:
    """The shipped maps as ``clustermap build --out FOLDER`` writes them (offline, dated
    :data:`BUILD_EPOCH`, from the project's own layers). Tests read these files, never
    change them."""

    folder: Path
    epoch: str  # SOURCE_DATE_EPOCH of the build
    output: str  # what the command printed
    html: dict[str, Path]  # spec name (maps/NAME.toml) -> its HTML page

    @property
    def atlas(self) -> Path:
        return self.html["atlas"]


@pytest.fixture
def home(root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the project's layers in a temporary CLUSTERMAP_HOME (a test module that
    needs more, e.g. map specs, defines its own ``home``)."""
    shutil.copytree(root / "layers", tmp_path / "layers")
    monkeypatch.setenv("CLUSTERMAP_HOME", str(tmp_path))
    return tmp_path


@pytest.fixture(scope="session")
def built_maps(tmp_path_factory: pytest.TempPathFactory) -> BuiltMaps:
    """The atlas and every shipped spec, built once for the whole session."""
    from click.testing import CliRunner

    from gis.cli import main
    from gis.maps.spec import load_spec, shipped_specs

    folder = tmp_path_factory.mktemp("built_maps")
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("CLUSTERMAP_HOME", raising=False)
        mp.setenv("SOURCE_DATE_EPOCH", BUILD_EPOCH)
        r = CliRunner().invoke(main, ["build", "--out", str(folder)])
        assert r.exit_code == 0, r.output
        html = {p.stem: folder / load_spec(p).outputs.html for p in shipped_specs()}
    return BuiltMaps(folder, BUILD_EPOCH, r.output, html)


@dataclass
class PageLog:
    """What a page did: requests that tried to leave the machine, console errors."""

    external_requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if CHROMIUM is None:
        pytest.skip("Debian chromium not installed (python3 dev.py test installs it as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield b
        b.close()


@pytest.fixture
def open_page(browser: Any) -> Iterator[Any]:
    """``open_page(path) -> (page, log)``: load a local HTML file with every network request
    blocked and recorded."""
    contexts = []

    def _open(path: Path, *, width: int = 1280, height: int = 900) -> tuple[Any, PageLog]:
        ctx = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(ctx)
        log = PageLog()

        def route(r: Any) -> None:
            url = r.request.url
            if url.startswith(("file:", "data:", "blob:", "about:")):
                r.continue_()
            else:
                log.external_requests.append(url)
                r.abort()

        ctx.route("**/*", route)
        page = ctx.new_page()
        page.on("console", lambda m: log.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: log.errors.append(str(e)))
        page.goto(Path(path).resolve().as_uri())
        page.wait_for_load_state("load")
        return page, log

    yield _open
    for ctx in contexts:
        ctx.close()
