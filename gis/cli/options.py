"""Options shared by the commands, validated when the command line is parsed (before any
work is done).

What every command shares is added in one place by :func:`add_common_options`:

* ``--quiet`` / ``-q``: nothing on standard output and no progress bar; warnings and errors
  still go to standard error.
* ``--verbose`` / ``-v``: also the warnings libraries raise (one line each, never a raw
  trace) and, for an unexpected failure, the traceback.
* Without either: progress bars only when standard error is a terminal, and library
  warnings (mapclassify, pyogrio, shapely …) are kept from the user
  (:func:`library_warnings_hidden`, entered by the group for every command).
* Every ``--out`` is checked before any work: it may not lie under ``layers/`` (only
  ``clustermap import`` writes there), see :func:`gis.io.check_output`, and its folder must
  be writable (:func:`gis.io.check_writable`).

``--basemap`` of the commands that draw a map is :func:`basemap_option` (unknown keys are
refused when the command line is parsed). The analysis commands' options are declared
from their parameter dataclasses (:func:`param_options`, :mod:`gis.analysis.params`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import io
import logging
import sys
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from ..analysis import params as P
from ..basemaps import BASEMAPS, KEY_WARNING
from ..errors import InputError
from ..io import check_output, check_writable
from ..settings import out_dir

QUIET = "quiet"
VERBOSE = "verbose"


@dataclass
class Verbosity:
    """The verbosity of the running command (set by ``--quiet`` / ``--verbose``)."""

    quiet: bool = False
    verbose: bool = False


STATE = Verbosity()


def _set(flag: str) -> Callable[[click.Context, click.Parameter, bool], None]:
    def callback(ctx: click.Context, param: click.Parameter, value: bool) -> None:
        if not value:
            return
        setattr(STATE, flag, True)
        if flag == QUIET:  # standard output silenced until the command ends
            ctx.with_resource(contextlib.redirect_stdout(io.StringIO()))

    return callback


def _guard_out(
    previous: Callable[..., Any] | None,
) -> Callable[[click.Context, click.Parameter, Any], Any]:
    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        if previous is not None:
            value = previous(ctx, param, value)
        if value is not None:
            check_output(value, option="--out")
            t = param.type
            p = Path(value)
            # a folder option, or an option taking either whose value looks like a folder
            folder = isinstance(t, click.Path) and (
                not t.file_okay or (t.dir_okay and (p.is_dir() or not p.suffix))
            )
            check_writable(p, folder=folder)
        return value

    return callback


def add_common_options(cmd: click.Command) -> click.Command:
    """Give ``cmd`` ``--quiet`` and ``--verbose``, and guard its ``--out`` (idempotent)."""
    names = {p.name for p in cmd.params}
    if QUIET not in names:
        cmd.params.append(
            click.Option(
                ["--quiet", "-q", QUIET],
                is_flag=True,
                expose_value=False,
                callback=_set(QUIET),
                help="Print nothing but warnings and errors; no progress bar.",
            )
        )
    if VERBOSE not in names:
        cmd.params.append(
            click.Option(
                ["--verbose", "-v", VERBOSE],
                is_flag=True,
                expose_value=False,
                callback=_set(VERBOSE),
                help="Also show library warnings and, on failure, the traceback.",
            )
        )
    for p in cmd.params:
        if p.name == "out" and not getattr(p, "_out_guarded", False):
            p.callback = _guard_out(p.callback)
            p._out_guarded = True  # type: ignore[attr-defined]
    if isinstance(cmd, click.Group):
        for sub in cmd.commands.values():
            add_common_options(sub)
    return cmd


def reset() -> None:
    """Back to the defaults (a new command starts; tests invoke many in one process)."""
    STATE.quiet = False
    STATE.verbose = False


def progress_enabled() -> bool:
    """Progress bars only on a terminal, and never with ``--quiet``."""
    try:
        tty = sys.stderr.isatty()
    except (AttributeError, ValueError):
        tty = False
    return tty and not STATE.quiet


@contextmanager
def progress(desc: str, total: int) -> Iterator[Any]:
    """A progress bar on standard error, shown only on a terminal and after a second."""
    if not progress_enabled():  # no bar: no tqdm import either (start-up, issue 13)
        yield _NoBar()
        return
    from tqdm import tqdm

    with tqdm(
        total=total,
        desc=desc,
        unit="step",
        delay=1.0,
        file=sys.stderr,
        leave=False,
        disable=not progress_enabled(),
    ) as bar:
        yield bar


class _NoBar:
    """What :func:`progress` yields when no bar is shown (as a disabled tqdm bar)."""

    disable = True

    def update(self, n: int = 1) -> None:
        pass


def show_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: Any = None,
    line: str | None = None,
) -> None:
    """A library warning: one line on standard error with ``--verbose``, else nothing."""
    if not STATE.verbose:
        return
    text = " ".join(str(message).split())
    click.echo(f"warning ({category.__name__}): {text}", err=True)


class _LogToVerbose(logging.Handler):
    """Log records of libraries (rasterio, fiona, urllib3 …): one line each with
    ``--verbose``, else nothing (without a handler Python prints them raw on stderr)."""

    def emit(self, record: logging.LogRecord) -> None:
        if not STATE.verbose:
            return
        try:
            text = " ".join(record.getMessage().split())
        except Exception:  # a library's bad format string is not the user's problem
            text = str(record.msg)
        click.echo(f"{record.levelname.lower()} ({record.name}): {text}", err=True)


@contextmanager
def library_warnings_hidden() -> Iterator[None]:
    """Library warnings go through :func:`show_warning`, and library log records through a
    handler that shows them only with ``--verbose``, while a command runs (the warning
    filters stay as they are: a test suite that turns warnings into errors still sees them)."""
    handler = _LogToVerbose(level=logging.WARNING)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        with warnings.catch_warnings():
            warnings.showwarning = show_warning
            yield
    finally:
        root.removeHandler(handler)


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
        help=help
        or f"Basemap of the HTML map: {', '.join(BASEMAPS)} (tianditu needs TIANDITU_KEY; "
        f"{KEY_WARNING}).",
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

    return out if out is not None else out_dir() / "analysis"
