"""The ``clustermap`` command line: a thin shell over the library.

Each command lives in its own module under ``gis/cli/`` and is registered
below, gaining ``--quiet``/``--verbose`` and a guarded ``--out`` (:mod:`gis.cli.options`).
Library errors (:class:`gis.errors.GisError`) and the user's environment (a read-only
folder, a full disk: :class:`OSError`) become one ``Error: …`` line on stderr and exit
code 1; anything else is a bug (exit 2). Heavy libraries are imported only by the
commands that need them.
"""

from __future__ import annotations

import os
import sys
import traceback
from typing import Any

import click

from ..errors import GisError
from .options import add_common_options


class ClusterMapGroup(click.Group):
    """Turns library errors into one-line messages and exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        from . import options

        options.reset()
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


def _os_error_line(exc: OSError) -> str:
    """``PATH: CAUSE`` of an :class:`OSError`, on one line."""
    from ..io import describe_os_error

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


def _register() -> None:
    from . import analysis_cmd, build_cmd, import_cmd, join_cmd, layers_cmd, osm_cmd, report_cmd

    for mod in (layers_cmd, build_cmd, import_cmd, join_cmd, osm_cmd, report_cmd, analysis_cmd):
        for cmd in mod.COMMANDS:
            main.add_command(add_common_options(cmd))


_register()
