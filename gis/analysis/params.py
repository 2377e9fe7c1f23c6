"""Typed parameters of each analysis kind: one frozen dataclass per kind.

A dataclass's docstring is its command's ``--help`` text.

The same dataclass declares the command-line options (:func:`gis.cli.analysis_cmd`
builds them from the fields' metadata: flag, help, CLI default) and checks the
``params`` table of a map spec's ``[[analysis]]`` entry (:func:`parse_params`), so the
two cannot drift apart. Values are checked when the dataclass is made: distances need a
unit (``"2km"``, ``"500 m"``), counts are whole numbers in range, unknown names are refused
with the list of known ones.

>>> p = parse_params("coverage", {"radius": "1.5km", "points": "design_parks"})
>>> p.radius, p.points, p.districts
('1.5km', 'design_parks', 'districts')
>>> parse_params("coverage", {"radius": 2})
Traceback (most recent call last):
...
gis.errors.InputError: coverage.radius: 2 is not a distance with a unit; write e.g. "2km" or "1500m"
>>> parse_params("gaps", {"radius": "2km", "minarea": 1})
Traceback (most recent call last):
...
gis.errors.InputError: gaps: unknown parameter(s) minarea; known: points, districts, radius, min_area_km2
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from ..errors import InputError
from .units import parse_distance

#: What a field holds: a layer id or file, a distance with a unit, text, a number, a flag.
LAYER, DISTANCE, TEXT, INT, FLOAT, FLAG = "layer", "distance", "text", "int", "float", "flag"


def param(
    default: Any,
    help: str,
    *,
    kind: str = TEXT,
    flag: str | None = None,
    cli_required: bool = False,
    minimum: float | None = None,
) -> Any:
    """A parameter field: ``default`` (None: optional), ``help`` for ``--help``, its
    ``kind``, the CLI ``flag`` (default ``--field-name``), whether the CLI requires it and a
    ``minimum`` for numbers."""
    meta: dict[str, Any] = {"help": help, "kind": kind, "flag": flag, "cli_required": cli_required}
    meta["minimum"] = minimum
    if default is dataclasses.MISSING:  # required everywhere
        return field(metadata=meta)
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class Params:
    """Base of the parameter dataclasses: checks every field when made."""

    KIND: ClassVar[str] = ""

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            kind = f.metadata.get("kind", TEXT)
            where = f"{self.KIND}.{f.name}"
            if value is None:
                if f.default is not None:  # MISSING (required) or a real default
                    raise InputError(f"{where}: a value is required")
                continue
            if kind in (LAYER, TEXT, DISTANCE):
                if isinstance(value, Path):
                    object.__setattr__(self, f.name, str(value))
                elif not isinstance(value, str):
                    if kind == DISTANCE:
                        raise InputError(
                            f'{where}: {value!r} is not a distance with a unit; write e.g. "2km" '
                            'or "1500m"'
                        )
                    raise InputError(f"{where}: expected text, not {value!r}")
                if kind == DISTANCE:
                    parse_distance(value, what=where)
            elif kind == FLAG:
                if not isinstance(value, bool):
                    raise InputError(f"{where}: expected true or false, not {value!r}")
            elif kind in (INT, FLOAT):
                ok = isinstance(value, (int, float)) and not isinstance(value, bool)
                if kind == INT and ok and float(value) != int(value):
                    ok = False
                if not ok:
                    what = "a whole number" if kind == INT else "a number"
                    raise InputError(f"{where}: expected {what}, not {value!r}")
                object.__setattr__(self, f.name, int(value) if kind == INT else float(value))
                low = f.metadata.get("minimum")
                if low is not None and value < low:
                    raise InputError(f"{where}: {value!r} must be at least {low:g}")

    def kwargs(self) -> dict[str, Any]:
        """The parameters as keyword arguments of the kind's runner."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


POINTS_HELP = "Point layer: a catalog layer id or a GeoJSON/GeoPackage file."
DISTRICTS_HELP = "District layer or file."


@dataclass(frozen=True)
class CoverageParams(Params):
    """Covered area and share (%) of each district within RADIUS of a cluster.

    \b
    Examples:
      clustermap coverage --radius 2km
      clustermap coverage --radius 1500m --points design_parks --map
      clustermap coverage --radius 2km --population pop.tif --raster 100m
    """

    KIND: ClassVar[str] = "coverage"
    points: str = param("clusters", POINTS_HELP, kind=LAYER)
    districts: str = param("districts", DISTRICTS_HELP, kind=LAYER)
    radius: str = param(
        "2km", "Reach of a cluster, with a unit: 2km, 1500m.", kind=DISTANCE, cli_required=True
    )
    population: str | None = param(
        None,
        "Population: a GeoTIFF (summed by cell) or a polygon layer/file (with --population-field).",
        kind=LAYER,
    )
    population_field: str | None = param(None, "Population column of a polygon layer.")


@dataclass(frozen=True)
class GapsParams(Params):
    """Uncovered parts of each district (gap polygons with their area).

    \b
    Example:
      clustermap gaps --radius 2km --min-area 1 --map
    """

    KIND: ClassVar[str] = "gaps"
    points: str = param("clusters", POINTS_HELP, kind=LAYER)
    districts: str = param("districts", DISTRICTS_HELP, kind=LAYER)
    radius: str = param(
        "2km", "Reach of a cluster, with a unit: 2km, 1500m.", kind=DISTANCE, cli_required=True
    )
    min_area_km2: float = param(
        0.0, "Leave out gaps below (km²).", kind=FLOAT, flag="--min-area", minimum=0.0
    )


@dataclass(frozen=True)
class CorridorsParams(Params):
    """Clusters within a distance of each corridor avenue; flanked length; belts.

    \b
    Example:
      clustermap corridors --within 500m --map
    """

    KIND: ClassVar[str] = "corridors"
    points: str = param("clusters", POINTS_HELP, kind=LAYER)
    corridors: str = param("corridors", "Corridor layer or file.", kind=LAYER)
    within: str = param(
        "500m", "Distance from the corridor, with a unit: 500m.", kind=DISTANCE, cli_required=True
    )
    districts: str = param("districts", "District layer or file (drawn).", kind=LAYER)


@dataclass(frozen=True)
class HubsParams(Params):
    """Nearest hub zone and distance of each cluster; clusters per hub within a radius.

    \b
    Example:
      clustermap hubs --radius 5km --map
    """

    KIND: ClassVar[str] = "hubs"
    points: str = param("clusters", POINTS_HELP, kind=LAYER)
    hubs: str = param("hub_zones", "Hub zone layer or file.", kind=LAYER)
    radius: str = param("5km", "Count clusters within this distance of each hub.", kind=DISTANCE)
    districts: str = param("districts", "District layer or file (drawn).", kind=LAYER)


@dataclass(frozen=True)
class SiteParams(Params):
    """Where ADD new clusters would cover the most uncovered area (greedy maximal coverage).

    \b
    Examples:
      clustermap site --add 5
      clustermap site --add 3 --radius 1500m --spacing 2km --compare-mclp --map
    """

    KIND: ClassVar[str] = "site"
    points: str = param("clusters", POINTS_HELP, kind=LAYER)
    districts: str = param("districts", "Study area layer or file.", kind=LAYER)
    radius: str = param("2km", "Reach of a cluster.", kind=DISTANCE)
    add: int = param(5, "Number of new sites.", kind=INT, cli_required=True, minimum=1)
    candidates: str | None = param(
        None, "Candidate sites (layer or file); default a grid.", kind=LAYER
    )
    spacing: str = param("1km", "Spacing of the candidate grid.", kind=DISTANCE)
    cell: str = param("250m", "Demand cell size.", kind=DISTANCE)
    compare_mclp: bool = param(False, "Also solve spopt's exact MCLP and compare.", kind=FLAG)
    population: str | None = param(
        None, "Population weights: a polygon layer/file (with --population-field).", kind=LAYER
    )
    population_field: str | None = param(None, "Population column of a polygon layer.")


@dataclass(frozen=True)
class EnterprisesParams(Params):
    """Enterprises of a register FILE per district, cluster and pilot zone: counts and sums.

    \b
    Examples:
      clustermap enterprises 规上企业.csv --value 营业收入 --domain 领域
      clustermap enterprises firms.xlsx --crs gcj02 --zones districts --map
    """

    KIND: ClassVar[str] = "enterprises"
    file: str = param(
        dataclasses.MISSING, "Register: CSV (UTF-8/GBK), Excel or Parquet.", kind=LAYER
    )
    lon: str | None = param(None, "Longitude column (default: lon/lng/经度/x).")
    lat: str | None = param(None, "Latitude column (default: lat/纬度/y).")
    crs: str | None = param(
        None,
        "Coordinates: wgs84, gcj02 (Amap/Gaode, Tencent), bd09 (Baidu), EPSG:<code>. "
        "Undeclared: read as WGS84, with a note.",
    )
    values: tuple[str, ...] = param(
        (), "Numeric column to sum (repeatable), e.g. 营业收入.", kind="texts", flag="--value"
    )
    domain: str | None = param(None, "Domain column (领域/行业) for per-domain counts.")
    zones: str = param(
        "districts,clusters,pilot_zones",
        "Zone layers or files, comma-separated; empty layers are skipped with a note.",
    )
    cluster_radius: str = param(
        "1km", "Point/line zones (e.g. clusters) become discs of this radius.", kind=DISTANCE
    )
    predicate: str = param(
        "intersects",
        "A firm exactly on a zone's boundary: intersects counts it in the zone (on a shared "
        "border in both), within in neither; as geopandas.sjoin with that predicate.",
        kind="choice:intersects,within",
    )
    scheduler: str | None = param(None, "dask.distributed scheduler address (tcp://host:8786).")

    def __post_init__(self) -> None:
        if isinstance(self.values, (list, tuple)):
            object.__setattr__(self, "values", tuple(str(v) for v in self.values))
        else:
            raise InputError(
                f"enterprises.values: expected a list of column names, not {self.values!r}"
            )
        if self.predicate not in ("intersects", "within"):
            raise InputError(
                f"enterprises.predicate: {self.predicate!r}, expected intersects or within"
            )
        super().__post_init__()


#: The parameter dataclass of each analysis kind.
PARAMS: dict[str, type[Params]] = {
    c.KIND: c
    for c in (
        CoverageParams,
        GapsParams,
        CorridorsParams,
        HubsParams,
        SiteParams,
        EnterprisesParams,
    )
}


def parse_params(kind: str, raw: Mapping[str, Any]) -> Params:
    """The checked parameters of analysis ``kind`` from a mapping (a spec's ``params``
    table, keyword arguments); an :class:`InputError` names what is wrong."""
    cls = PARAMS.get(kind)
    if cls is None:
        raise InputError(f"unknown analysis {kind!r}; choose one of {', '.join(PARAMS)}")
    names = [f.name for f in dataclasses.fields(cls)]
    unknown = [k for k in raw if k not in names]
    if unknown:
        raise InputError(
            f"{kind}: unknown parameter(s) {', '.join(map(str, unknown))}; known: {', '.join(names)}"
        )
    return cls(**dict(raw))
