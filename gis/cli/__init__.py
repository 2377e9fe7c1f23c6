"""The ``clustermap`` command line: a thin shell over the library.

Each command lives in its own module under ``gis/cli/`` and is registered
below. Library errors (:class:`gis.errors.GisError`) become ``Error: …`` on
stderr and exit code 1; heavy libraries are imported only by the commands
that need them.
"""

from __future__ import annotations

import os
import sys
import traceback
from typing import Any

import click

from ..errors import GisError


class ClusterMapGroup(click.Group):
    """Turns library errors into one-line messages and exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except GisError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(1)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            sys.exit(130)
        except Exception as exc:  # a bug of ours: say so briefly, trace on demand
            if os.environ.get("CLUSTERMAP_DEBUG"):
                traceback.print_exc()
            click.echo(
                f"Error: unexpected {exc.__class__.__name__}: {exc}\n"
                "This is a bug in clustermap; rerun with CLUSTERMAP_DEBUG=1 for the traceback "
                "and report it.",
                err=True,
            )
            sys.exit(2)


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
            main.add_command(cmd)


_register()
