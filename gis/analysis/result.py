"""The result every analysis returns: tables, frames, parameters and notes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd


@dataclass
class AnalysisResult:
    """A table (district rows keyed by ``adcode``), extra tables, titled frames (EPSG:4547)."""

    kind: str
    table: pd.DataFrame
    frames: list[tuple[str, gpd.GeoDataFrame]]
    params: dict[str, str]
    notes: list[str] = field(default_factory=list)
    extra_tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    styles: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: file-name label overriding the one made from the parameters
    name: str = ""

    @property
    def label(self) -> str:
        """Short parameter label for file names, e.g. ``2km``."""
        if self.name:
            return self.name
        for k in ("radius", "within"):
            if k in self.params:
                return self.params[k].replace(" ", "")
        return ""
