"""What an import read, kept, rejected and wrote: the report and the row problems."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ValidationError


@dataclass
class RowProblem:
    """One rejected row: where it is, which field, what was wrong and how to fix it."""

    row: int
    field: str
    reason: str
    unit: str = "row"

    def __str__(self) -> str:
        return f"{self.unit} {self.row}: {self.field}: {self.reason}"


@dataclass
class ImportReport:
    """What an import read, kept, rejected and wrote."""

    layer_id: str
    path: Path
    format: str = ""
    crs: str = ""
    rows_read: int = 0
    imported: int = 0
    rejected: list[RowProblem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    output: Path | None = None
    written: bool = False
    #: what the import replaced (features, their sources, the backup), if anything
    replaced: str = ""

    def summary(self) -> str:
        """One line for the CLI, e.g. ``clusters: 58 read, 58 imported, 0 rejected …``."""
        text = (
            f"{self.layer_id}: {self.rows_read} read, {self.imported} imported, "
            f"{len(self.rejected)} rejected from {self.path} ({self.format}; {self.crs})"
        )
        if self.written and self.output is not None:
            text += f" -> {self.output}"
            if self.replaced:
                text += f"; {self.replaced}"
        elif self.output is not None:
            text += f"; nothing written ({self.output} unchanged)"
        return text


class ImportFailed(ValidationError):
    """The file had rejected rows; nothing was written. ``report`` holds the details."""

    def __init__(self, header: str, problems: list[str], report: ImportReport) -> None:
        super().__init__(header, problems)
        self.report = report


@dataclass
class ImportResult:
    """Validated features (WGS84, schema columns) and the report, before anything is written."""

    gdf: Any
    report: ImportReport
