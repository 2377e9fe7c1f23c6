"""Domain errors.

Every error the library raises on bad input subclasses :class:`GisError` and a
built-in (``ValueError``, ``FileNotFoundError``), so callers may catch either.
Messages name the file, the feature or row, the field, what was expected and
how to fix it. The CLI prints ``Error: <message>`` and exits 1.
"""

from __future__ import annotations

from collections.abc import Iterable


class GisError(Exception):
    """Base class of every error raised on bad input."""


class InputError(GisError, ValueError):
    """A file, table, option or value that the tool cannot use as given."""


class LayerNotFoundError(GisError, FileNotFoundError):
    """A layer id or file that does not exist."""


class CRSError(InputError):
    """An unknown coordinate reference system, or coordinates in the wrong one."""


class ValidationError(InputError):
    """Several problems found in one file, reported together.

    ``problems`` holds one line each; ``str()`` joins them under a header.
    """

    def __init__(self, header: str, problems: Iterable[str]) -> None:
        self.header = header
        self.problems = list(problems)
        lines = [header] + [f"  - {p}" for p in self.problems]
        super().__init__("\n".join(lines))


class OutputError(GisError, OSError):
    """An output that cannot be written: a read-only folder, a full disk, a path that is a
    folder, an output that would overwrite an input or a shipped layer. The previous file,
    if any, is left as it was."""
