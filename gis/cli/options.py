"""Options shared by several commands, validated when the command line is parsed (before
any work is done)."""

from __future__ import annotations

import difflib
from typing import Any

import click

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
