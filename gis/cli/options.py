"""Options shared by several commands, validated when the command line is parsed (before
any work is done); the analysis commands' options declared from their parameter
dataclasses (:mod:`gis.analysis.params`), a progress bar, printing tables."""

from __future__ import annotations

import dataclasses
import difflib
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from ..analysis import params as P
from ..basemaps import BASEMAPS
from ..errors import InputError


def check_basemap(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Refuse an unknown basemap key at once, with the nearest key as a suggestion."""
    if value is None or value in BASEMAPS:
        return value
    near = difflib.get_close_matches(value, list(BASEMAPS), n=1, cutoff=0.5)
    hint = f" (did you mean {near[0]!r}?)" if near else ""
    raise InputError(
        f"--basemap: unknown basemap {value!r}{hint}; choose one of: {', '.join(BASEMAPS)}"
    )


def basemap_option(default: str | None = "none", help: str | None = None) -> Any:
    """The ``--basemap`` option of every command that draws a map."""
    return click.option(
        "--basemap",
        default=default,
        show_default=default is not None,
        callback=check_basemap,
        help=help or f"Basemap of the HTML map: {', '.join(BASEMAPS)}.",
    )


def param_options(cls: type[P.Params], skip: tuple[str, ...] = ()) -> Callable[..., Any]:
    """click options for the fields of a parameter dataclass (flag, help, default, type)."""

    def deco(f: Callable[..., Any]) -> Callable[..., Any]:
        for fl in reversed(dataclasses.fields(cls)):
            if fl.name in skip:
                continue
            m, kind = fl.metadata, fl.metadata["kind"]
            kw: dict[str, Any] = {"help": m["help"], "required": m["cli_required"]}
            if not m["cli_required"] and fl.default not in (None, (), dataclasses.MISSING):
                kw.update(default=fl.default, show_default=kind != P.FLAG)
            if kind == P.FLAG:
                kw.update(is_flag=True, default=False)
            elif kind == P.INT:
                kw["type"] = click.IntRange(min=m["minimum"])
            elif kind == P.FLOAT:
                kw["type"] = float
            elif kind == "texts":
                kw["multiple"] = True
            elif kind.startswith("choice:"):
                kw["type"] = click.Choice(kind.split(":", 1)[1].split(","))
            flag = m["flag"] or "--" + fl.name.replace("_", "-")
            f = click.option(flag, fl.name, **kw)(f)
        return f

    return deco


def output_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """Output options every analysis command shares."""
    path = click.Path(file_okay=False, path_type=Path)
    f = basemap_option()(f)
    f = click.option("--map", "make_map", is_flag=True, help="Also write an HTML map.")(f)
    f = click.option("--format", "fmt", type=click.Choice(["gpkg", "geojson"]), default="gpkg",
                     show_default=True, help=FORMAT_HELP)(f)  # fmt: skip
    return click.option("--out", type=path, help="Output folder (default maps/out/analysis).")(f)


FORMAT_HELP = "Geometry output: one GeoPackage (EPSG:4547) or GeoJSON files (WGS84)."


class _Progress:
    """Counts steps; a tqdm bar (imported only then) appears once the work lasts a second."""

    def __init__(self, desc: str, total: int) -> None:
        self.desc, self.total, self.n, self.bar = desc, total, 0, None
        self.t0 = time.monotonic()

    def update(self, k: int = 1) -> None:
        self.n += k
        if self.bar is None and time.monotonic() - self.t0 >= 1.0:
            from tqdm import tqdm

            self.bar = tqdm(total=self.total, initial=self.n - k, desc=self.desc, unit="step",
                            file=sys.stderr, leave=False)  # fmt: skip
        if self.bar is not None:
            self.bar.update(k)


@contextmanager
def progress(desc: str, total: int) -> Iterator[Any]:
    """A progress bar on stderr, shown only when the work lasts longer than a second."""
    bar = _Progress(desc, total)
    try:
        yield bar
    finally:
        if bar.bar is not None:
            bar.bar.close()


#: Rows printed of a table; the CSV file has all of them.
MAX_PRINTED = 40


def echo_table(df: Any) -> None:
    import pandas as pd

    if df.empty:
        click.echo("(no rows)")
        return
    with pd.option_context("display.width", 200):
        click.echo(df.head(MAX_PRINTED).to_string(index=False))
    if len(df) > MAX_PRINTED:
        click.echo(f"… {len(df) - MAX_PRINTED} more rows ({len(df)} in all) in the CSV file")


def output_folder(out: Path | None) -> Path:
    from ..settings import out_dir

    return out if out is not None else out_dir() / "analysis"
