"""The ``clustermap`` command line: a thin shell over the library.

Each command lives in its own module under ``gis/cli/`` and is registered
below, gaining ``--quiet``/``--verbose`` and a guarded ``--out`` (:mod:`gis.cli.options`).
Library errors (:class:`gis.errors.GisError`) and the user's environment (a read-only
folder, a full disk: :class:`OSError`) become one ``Error: …`` line on stderr and exit
code 1; anything else is a bug (exit 2). A reader that closes the pipe early
(``clustermap layers | head -1``) is not an error either: the rest of the output is
discarded and the command finishes its work (files are still written). Heavy libraries
are imported only by the commands that need them.
"""

from __future__ import annotations

import gc
import io
import os
import sys
import traceback
from typing import Any

import click

from ..errors import GisError
from ..io import describe_os_error
from . import (
    analysis_cmd,
    build_cmd,
    import_cmd,
    join_cmd,
    layers_cmd,
    options,
    osm_cmd,
    report_cmd,
)
from .options import add_common_options


class ClusterMapGroup(click.Group):
    """Turns library errors into one-line messages and exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        options.reset()
        restore = _stdout_survives_closed_pipe()
        try:
            with options.library_warnings_hidden():
                return super().invoke(ctx)
        except GisError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(1)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            sys.exit(130)
        except BrokenPipeError:  # a closed pipe on a stream we did not wrap: quietly
            _silence_stdout()
            sys.exit(1)
        except OSError as exc:  # the user's environment (permissions, disk, paths), not a bug
            click.echo(f"Error: {_os_error_line(exc)}", err=True)
            sys.exit(1)
        except Exception as exc:  # a bug of ours: say so briefly, trace on demand
            if os.environ.get("CLUSTERMAP_DEBUG") or options.STATE.verbose:
                traceback.print_exc()
            click.echo(
                f"Error: unexpected {exc.__class__.__name__}: {exc}\n"
                "This is a bug in clustermap; rerun with CLUSTERMAP_DEBUG=1 for the traceback "
                "and report it.",
                err=True,
            )
            sys.exit(2)
        finally:
            restore()


class _ClosedPipeSafe(io.RawIOBase):
    """Standard output whose reader may go away (``| head``): once the pipe is closed,
    further output is dropped instead of raising :class:`BrokenPipeError` in the middle of
    a command (which would abort it before its files are written)."""

    def __init__(self, fd: int) -> None:
        super().__init__()
        self._fd = fd
        self.closed_by_reader = False

    def writable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._fd

    def isatty(self) -> bool:
        return os.isatty(self._fd)

    def write(self, b: Any) -> int:
        n = len(memoryview(b))
        if not self.closed_by_reader:
            try:
                return os.write(self._fd, b)
            except BrokenPipeError:
                self.closed_by_reader = True
        return n


def _stdout_survives_closed_pipe() -> Any:
    """Put :class:`_ClosedPipeSafe` under ``sys.stdout`` when it is the process's real
    standard output (not a test runner's capture); return the function that undoes it."""
    real = sys.stdout
    if real is not sys.__stdout__ or real is None:
        return lambda: None
    try:
        fd = real.fileno()
        real.flush()
    except (OSError, ValueError, AttributeError):
        return lambda: None
    safe = io.TextIOWrapper(
        io.BufferedWriter(_ClosedPipeSafe(fd)),
        encoding=real.encoding,
        errors=real.errors,
        line_buffering=real.line_buffering,
    )
    sys.stdout = safe

    def restore() -> None:
        try:
            safe.flush()
        except (OSError, ValueError):
            pass
        sys.stdout = real

    return restore


def _silence_stdout() -> None:
    """Point standard output at the null device, so that the final flush at exit does not
    raise again (Python's documented remedy for a closed pipe)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.__stdout__.fileno() if sys.__stdout__ else 1)
    except (OSError, ValueError):
        pass


def _os_error_line(exc: OSError) -> str:
    """``PATH: CAUSE`` of an :class:`OSError`, on one line."""
    where = exc.filename or ""
    if exc.filename2:
        where = f"{where} -> {exc.filename2}"
    cause = describe_os_error(exc)
    text = f"{where}: {cause}" if where else cause
    return " ".join(text.split())


@click.group(cls=ClusterMapGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="clustermap", prog_name="clustermap")
def main() -> None:
    """Map and analyse Wuhan's productive-service clusters (武汉生产性服务业集聚区).

    \b
    Examples:
      clustermap layers              # what is loaded, what is missing
      clustermap layers check        # validate every layer file
      clustermap build               # write maps/out/wuhan_atlas.html
    """
    # A command loads pandas, geopandas, folium…: a million objects that the cyclic garbage
    # collector would walk again and again at its default pace (every 700 allocations); at
    # this pace a build spends ~0.1 s less collecting. Memory is unaffected (arrays are not
    # tracked; at most 20,000 new container objects wait for a collection).
    gc.set_threshold(20_000, 20, 20)


def _register() -> None:
    for mod in (layers_cmd, build_cmd, import_cmd, join_cmd, osm_cmd, report_cmd, analysis_cmd):
        for cmd in mod.COMMANDS:
            main.add_command(add_common_options(cmd))


_register()
