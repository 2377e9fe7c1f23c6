"""Screenshot every shipped map at three screen sizes in headless Chromium, network blocked.

Looks at ``maps/out/*.html`` (run ``clustermap build`` first) and writes
``maps/out/screenshots/<map>_<width>x<height>.png`` (``maps/out`` is git-ignored).
Every request that would leave the machine is blocked and listed; console errors
are printed. The point is to LOOK at the images after a change to the runtime.

Run: ``python scripts/screenshot_maps.py [--out DIR] [--print] [MAP.html ...]``
(``--print`` also renders each page with the print stylesheet, A4 landscape, to PNG).
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = ((1440, 900), (1024, 680), (390, 844))
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"


def shoot(pages: list[Path], out: Path, *, with_print: bool = False) -> int:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    problems = 0
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for html in pages:
            for w, h in SIZES:
                ctx = browser.new_context(viewport={"width": w, "height": h})
                blocked: list[str] = []
                errors: list[str] = []

                def route(r, blocked=blocked):  # type: ignore[no-untyped-def]
                    url = r.request.url
                    if url.startswith(("file:", "data:", "blob:", "about:")):
                        r.continue_()
                    else:
                        blocked.append(url)
                        r.abort()

                ctx.route("**/*", route)
                page = ctx.new_page()
                page.on(
                    "console", lambda m, e=errors: e.append(m.text) if m.type == "error" else None
                )
                page.on("pageerror", lambda x, e=errors: e.append(str(x)))
                page.goto(html.resolve().as_uri())
                page.wait_for_load_state("load")
                page.wait_for_timeout(500)
                shot = out / f"{html.stem}_{w}x{h}.png"
                page.screenshot(path=str(shot))
                note = f"{len(blocked)} requests blocked" if blocked else "no external request"
                print(f"{shot.relative_to(ROOT) if shot.is_relative_to(ROOT) else shot}: {note}")
                for e in errors:
                    problems += 1
                    print(f"  console error: {e}")
                if with_print and (w, h) == SIZES[0]:
                    page.emulate_media(media="print")
                    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
                    page.set_viewport_size({"width": 1123, "height": 794})  # A4 landscape, 96 dpi
                    page.wait_for_timeout(300)
                    page.screenshot(path=str(out / f"{html.stem}_print.png"))
                ctx.close()
        browser.close()
    return problems


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("maps", nargs="*", type=Path, help="HTML files (default maps/out/*.html)")
    ap.add_argument("--out", type=Path, default=ROOT / "maps" / "out" / "screenshots")
    ap.add_argument("--print", dest="with_print", action="store_true")
    args = ap.parse_args()
    pages = args.maps or sorted(
        p for p in (ROOT / "maps" / "out").glob("*.html") if not p.name.endswith(".embed.html")
    )
    if not pages:
        sys.exit("no maps/out/*.html: run `clustermap build` first")
    sys.exit(1 if shoot(pages, args.out, with_print=args.with_print) else 0)


if __name__ == "__main__":
    main()
