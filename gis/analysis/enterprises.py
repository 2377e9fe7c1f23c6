"""Enterprise registers (规上企业 lists with coordinates) joined to districts, clusters, pilot zones.

A register is a table with a longitude and a latitude column (any CRS the
tool knows: WGS84, GCJ-02, BD-09, EPSG codes), optionally a domain column
(领域/行业) and numeric columns such as revenue (营业收入). Every row is
assigned to every zone it lies in with :class:`gis.analysis.zones.ZoneIndex`
(boundary rule: a point on a zone's boundary belongs to the zone, as
``geopandas.sjoin(predicate="intersects")``), then counted and summed per
zone and per zone and domain. Rows outside every zone of a layer are reported
with their spreadsheet row numbers, never dropped silently.

>>> import geopandas as gpd, shapely, pandas as pd
>>> zones = zone_table({"sq": gpd.GeoDataFrame({"id": ["a", "b"]},
...     geometry=[shapely.box(114.2, 30.5, 114.3, 30.6), shapely.box(114.3, 30.5, 114.4, 30.6)],
...     crs="EPSG:4326")})
>>> reg = pd.DataFrame({"lon": [114.25, 114.35, 114.36, 114.9], "lat": [30.55] * 4,
...     "revenue": [1.0, 2.0, 4.0, 8.0], "domain": ["软件", "软件", "物流", "物流"]})
>>> s = summarise(reg, zones, values=["revenue"], domain="domain")
>>> s.per_zone[["zone", "enterprises", "revenue"]].values.tolist()
[['a', 1, 1.0], ['b', 2, 6.0]]
>>> s.outside["row"].tolist()   # spreadsheet row of the point outside every zone
[5]
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from ..crs import (
    DATUM_LABELS,
    LONLAT_OK,
    LONLAT_SWAPPED,
    hinted_crs,
    lonlat_check,
    points_to_wgs84,
    reproject,
)
from ..errors import InputError, LayerNotFoundError, ValidationError
from ..names import fold
from ..readers.register import arrow_codes, arrow_floats, read_csv_register
from ..readers.tables import find_column, read_table, sheet_row
from ..settings import METRIC_CRS, WUHAN_BBOX
from .inputs import checked, labels, load_frame, require_features
from .result import AnalysisResult
from .units import format_distance, parse_distance
from .zone_pairs import assign_exact, assign_points_dask
from .zones import Assignment, ZoneIndex

if TYPE_CHECKING:
    import geopandas as gpd

    from .params import EnterprisesParams

LON_NAMES = ("lon", "lng", "longitude", "经度", "x", "X", "LON", "Longitude")
LAT_NAMES = ("lat", "latitude", "纬度", "y", "Y", "LAT", "Latitude")
#: Name columns of a register, tried in order (the outside list names each firm).
NAME_NAMES = ("企业名称", "单位名称", "公司名称", "名称", "企业", "name", "company", "firm")
#: Rows listed by name in an error message (the count says how many more).
MAX_LISTED = 10


#: Up to this many (point, zone) combinations points are tested zone by zone
#: (:func:`gis.analysis.zone_pairs.assign_exact`); above, the raster index pays off its build.
EXACT_WORK = 4_000_000


@dataclass
class ZoneTable:
    """Zones of several layers: ``frame`` has layer, zone, name, geometry (WGS84); the
    :class:`ZoneIndex` is built when a register is big enough to need it."""

    frame: gpd.GeoDataFrame
    layers: list[str]
    notes: list[str] = field(default_factory=list)
    cell: float | None = None
    _index: ZoneIndex | None = field(default=None, repr=False)

    @property
    def index(self) -> ZoneIndex:
        if self._index is None:
            self._index = ZoneIndex.build(self.frame.geometry, cell=self.cell)
        return self._index

    def assign(
        self, x: np.ndarray, y: np.ndarray, *, predicate: str, threads: int | None = None
    ) -> Assignment:
        """(point, zone) pairs: exact tests for small registers, else the index (the same
        pairs in the same order either way)."""
        if self._index is None and len(x) * len(self.frame) <= EXACT_WORK:
            return assign_exact(self.frame.geometry.values, x, y, predicate=predicate)
        return self.index.assign(x, y, threads=threads, predicate=predicate)


def zone_table(
    layers: dict[str, gpd.GeoDataFrame], *, radius_m: float | None = None, cell: float | None = None
) -> ZoneTable:
    """One :class:`ZoneIndex` over the zones of every layer (they may overlap).

    Point and line features (e.g. clusters stored as points) become zones by
    buffering them by ``radius_m`` in EPSG:4547; without a radius they are
    refused.
    """
    import geopandas as gpd
    import shapely

    parts = []
    notes: list[str] = []
    for name, gdf in layers.items():
        if len(gdf) == 0:
            raise InputError(f"zones {name}: the layer is empty")
        g = (
            reproject(gdf, "EPSG:4326")
            if gdf.crs is not None and gdf.crs.to_epsg() != 4326
            else gdf
        )
        geoms = g.geometry.values
        dims = shapely.get_dimensions(geoms)
        if (dims < 2).any():
            if radius_m is None:
                raise InputError(
                    f"zones {name}: {int((dims < 2).sum())} point/line feature(s); give a radius "
                    "(e.g. --cluster-radius 1km) to turn them into zones"
                )
            m = reproject(g, METRIC_CRS)
            buffered = shapely.buffer(m.geometry.values, radius_m, quad_segs=16)
            geoms = np.where(
                dims < 2,
                reproject(gpd.GeoSeries(buffered, crs=METRIC_CRS), "EPSG:4326").values,
                geoms,
            )
            notes.append(f"{name}: point/line features buffered by {radius_m:g} m to make zones")
        names = g["name_zh"].astype(str).tolist() if "name_zh" in g.columns else [""] * len(g)
        parts.append(
            gpd.GeoDataFrame(
                {
                    "layer": name,
                    "zone": labels(g),
                    "name_zh": names,
                    "precision": g["precision"].tolist() if "precision" in g.columns else "",
                },
                geometry=list(geoms),
                crs="EPSG:4326",
            )
        )
    frame = pd.concat(parts, ignore_index=True)
    frame = gpd.GeoDataFrame(frame, geometry="geometry", crs="EPSG:4326")
    return ZoneTable(frame, list(layers), notes, cell)


#: The zone layers of ``clustermap enterprises`` unless ``--zones`` names others.
DEFAULT_ZONES = "districts,clusters,pilot_zones"


def load_zones(zones: str = DEFAULT_ZONES, *, radius_m: float) -> ZoneTable:
    """The :class:`ZoneTable` of comma-separated zone layers or files, in their own lon/lat.

    Zones are checked (:func:`gis.analysis.inputs.checked`) but never moved through a
    projected CRS: a register's point on a district's vertex or edge must get the
    district ``geopandas.sjoin`` gives it. An empty layer is skipped with a note when it
    is one of the defaults, refused when named.
    """
    specs = [s.strip() for s in zones.split(",") if s.strip()]
    if not specs:
        raise InputError("--zones: give at least one zone layer, e.g. districts")
    explicit = zones != DEFAULT_ZONES
    notes: list[str] = []
    layers: dict[str, gpd.GeoDataFrame] = {}
    for spec in specs:
        gdf = load_frame(spec, role="zones")
        if len(gdf) == 0:
            if explicit:
                require_features(gdf, spec, role="zones")
            notes.append(f"zones {spec}: no features loaded, skipped")
            continue
        own, fixes = checked(gdf, spec)
        notes += fixes
        layers[Path(spec).stem if Path(spec).suffix else spec] = own
    if not layers:
        raise InputError(f"--zones {zones}: every zone layer is empty; load one or name a file")
    zt = zone_table(layers, radius_m=radius_m)
    zt.notes[:0] = notes
    return zt


def read_register(
    path: str | Path, *, columns: Callable[[list[str]], Iterable[str]] | None = None
) -> pd.DataFrame:
    """The register as text columns (CSV in UTF-8/GBK, Excel, or Parquet).

    ``columns`` (see :func:`register_columns`) picks the columns to read from the header;
    a CSV is read by the fast path of :mod:`gis.readers.register`. ``attrs["header"]``
    lists every column of the file.
    """
    p = Path(path)
    if not p.exists():
        raise LayerNotFoundError(f"{p}: file not found")
    suffix = p.suffix.lower()
    if suffix == ".parquet":
        try:
            df = pd.read_parquet(p)
        except ImportError:
            raise InputError(f"{p}: reading Parquet needs pyarrow (pip install pyarrow)") from None
    elif suffix in (".csv", ".txt", ".tsv"):
        df = read_csv_register(p, columns=columns)
    else:
        df = read_table(p)
    df.columns = [str(c).strip().lstrip("\ufeff") for c in df.columns]
    header = list(df.attrs.get("header") or df.columns)
    if columns is not None and suffix not in (".csv", ".txt", ".tsv"):
        df = df[list(dict.fromkeys(columns(list(df.columns))))]
    if len(df) == 0:
        raise InputError(f"{p}: the table has a header but no data rows")
    df.attrs["source"] = str(p)
    df.attrs["header"] = header
    return df


def register_columns(
    header: list[str],
    *,
    lon: str | None = None,
    lat: str | None = None,
    values: Iterable[str] = (),
    domain: str | None = None,
    where: str = "register",
) -> list[str]:
    """The columns of ``header`` that :func:`summarise` reads with these options.

    A value or domain column that is not there is an :class:`InputError` listing the
    header; missing coordinate columns are left for :func:`register_coordinates` to name.
    """
    probe = pd.DataFrame(columns=header)
    keep = [lon or find_column(probe, LON_NAMES), lat or find_column(probe, LAT_NAMES)]
    if not all(c in header for c in keep):
        return list(header)  # register_coordinates names what is missing
    keep.append(find_column(probe, NAME_NAMES))  # listed with the rows outside every zone
    keep += [resolve_column(probe, v, where) for v in values]
    if domain:
        keep.append(resolve_column(probe, domain, where))
    return [c for c in dict.fromkeys(keep) if c is not None and c in header]


def _prefetch(
    df: pd.DataFrame, required: list[str], optional: list[str], domain: str | None
) -> dict[str, Any]:
    """Arrow text columns converted at once on worker threads (pyarrow releases the GIL):
    numbers by :func:`arrow_floats` (None where the general path must decide), the domain's
    codes under the key ``"\\0codes:<name>"``."""
    from concurrent.futures import ThreadPoolExecutor
    from functools import partial

    jobs: dict[str, Callable[[], Any]] = {}
    for col in required + optional:
        if col in df.columns and isinstance(df[col].dtype, pd.ArrowDtype):
            jobs[col] = partial(arrow_floats, df[col], blanks=col not in required)
    if domain and domain in df.columns and isinstance(df[domain].dtype, pd.ArrowDtype):
        jobs[f"\0codes:{domain}"] = partial(arrow_codes, df[domain], "(none)")
    if len(jobs) < 2 or len(df) < 100_000:
        return {k: f() for k, f in jobs.items()}
    with ThreadPoolExecutor(max_workers=min(len(jobs), os.cpu_count() or 1)) as pool:
        futures = {k: pool.submit(f) for k, f in jobs.items()}
        return {k: f.result() for k, f in futures.items()}


def _rows(df: pd.DataFrame, idx: NDArray[np.int64]) -> NDArray[np.int64]:
    """Spreadsheet row numbers of the rows at positions ``idx`` (the index keeps title rows
    and blank lines: see :mod:`gis.readers.tables`)."""
    index = df.index
    if isinstance(index, pd.RangeIndex) and index.step == 1:
        return np.asarray(idx, dtype=np.int64) + sheet_row(int(index.start))
    return np.asarray(index.to_numpy()[idx], dtype=np.int64) + sheet_row(0)


def _numeric(
    df: pd.DataFrame, col: str, where: str, *, required: bool, pre: dict[str, Any] | None = None
) -> np.ndarray:
    raw = df[col]
    fast = pre.get(col) if pre else None
    if fast is None:
        fast = arrow_floats(raw, blanks=not required)
    if fast is not None:  # Arrow text: pyarrow.compute.cast, bit-identical to float()
        return fast  # type: ignore[no-any-return]
    try:  # every value parses as a number
        vals = np.asarray(raw.to_numpy(), dtype=np.float64)
    except (ValueError, TypeError):
        vals = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64)
    bad = ~np.isfinite(vals)
    if not required:
        text = raw.astype(str).str.strip()
        bad &= ~text.isin(["", "nan", "None", "-"]).to_numpy()
    if bad.any():
        idx = np.flatnonzero(bad)
        rows = _rows(df, idx[:MAX_LISTED])
        listed = [f"row {r}: {raw.iloc[int(i)]!r}" for r, i in zip(rows, idx[:MAX_LISTED])]
        more = f" (and {len(idx) - MAX_LISTED} more)" if len(idx) > MAX_LISTED else ""
        raise ValidationError(
            f"{where}: field {col!r} must hold numbers in {len(idx)} row(s){more}; fix or "
            "remove these rows:",
            listed,
        )
    return vals


def register_coordinates(
    df: pd.DataFrame,
    *,
    lon: str | None = None,
    lat: str | None = None,
    crs: str = "wgs84",
    pre: dict[str, Any] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 lon/lat arrays of a register; every bad or out-of-Wuhan row reported at once.

    ``pre`` holds columns already converted (:func:`_prefetch`)."""
    where = str(df.attrs.get("source", "register"))
    lon_col = lon or find_column(df, LON_NAMES)
    lat_col = lat or find_column(df, LAT_NAMES)
    for col, what, names in ((lon_col, "longitude", LON_NAMES), (lat_col, "latitude", LAT_NAMES)):
        if col is None or col not in df.columns:
            raise InputError(
                f"{where}: no {what} column (looked for {', '.join(names[:4])}); name it with "
                f"--{'lon' if what == 'longitude' else 'lat'} COLUMN. Columns: "
                f"{list(df.attrs.get('header') or df.columns)}"
            )
    assert lon_col is not None and lat_col is not None
    x = _numeric(df, lon_col, where, required=True, pre=pre)
    y = _numeric(df, lat_col, where, required=True, pre=pre)
    x, y = points_to_wgs84(x, y, crs)
    kinds = lonlat_check(x, y)
    out = kinds != LONLAT_OK
    if out.any():
        x0, y0, x1, y1 = WUHAN_BBOX
        idx = np.flatnonzero(out)
        swapped = kinds == LONLAT_SWAPPED
        listed = [
            f"row {r}: ({df[lon_col].iloc[int(i)]}, {df[lat_col].iloc[int(i)]})"
            + (" — longitude and latitude swapped?" if swapped[i] else "")
            for r, i in zip(_rows(df, idx[:MAX_LISTED]), idx[:MAX_LISTED])
        ]
        more = f" (and {len(idx) - MAX_LISTED} more)" if len(idx) > MAX_LISTED else ""
        raise ValidationError(
            f"{where}: {len(idx)} row(s){more} lie outside Wuhan (lon {x0}-{x1}, lat {y0}-{y1}) "
            f"when read as {crs}; check --crs (wgs84, gcj02 for Amap/Gaode, bd09 for Baidu, "
            f"EPSG:<code>) and the columns {lon_col!r}/{lat_col!r}:",
            listed,
        )
    return np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)


_UNIT_SUFFIX = re.compile(r"\s*[(（\[【][^)）\]】]*[)）\]】]\s*$")


_fold = fold  # one rule for names everywhere (gis.names)


def resolve_column(df: pd.DataFrame, name: str, where: str = "register") -> str:
    """The column a user means by ``name``: the exact header, else the one header whose name
    without its unit (``营业收入(万元)``) or one of whose ``/``-separated parts (``行业/领域``)
    is ``name``. An unknown or ambiguous name is an :class:`InputError` listing the headers.

    >>> df = pd.DataFrame(columns=["企业名称", "营业收入(万元)", "行业/领域"])
    >>> resolve_column(df, "营业收入"), resolve_column(df, "领域"), resolve_column(df, "行业")
    ('营业收入(万元)', '行业/领域', '行业/领域')
    """
    if name in df.columns:
        return name
    key = _fold(name)
    for rule in (
        lambda c: _fold(c) == key,
        lambda c: _fold(_UNIT_SUFFIX.sub("", str(c))) == key,
        lambda c: key in {_fold(x) for x in re.split(r"[/／、|]", _UNIT_SUFFIX.sub("", str(c)))},
    ):
        hits = [str(c) for c in df.columns if rule(c)]
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            raise InputError(
                f"{where}: column {name!r} matches several headers {hits}; give the full header"
            )
    raise InputError(
        f"{where}: no column {name!r}; columns are {list(df.columns)} "
        "(give one of these headers, e.g. --value 营业收入 for 营业收入(万元))"
    )


@dataclass
class EnterpriseSummary:
    """Results of :func:`summarise`."""

    per_zone: pd.DataFrame
    per_zone_domain: pd.DataFrame
    outside: pd.DataFrame
    outside_counts: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def summarise(
    df: pd.DataFrame,
    zones: ZoneTable,
    *,
    values: list[str] | tuple[str, ...] = (),
    domain: str | None = None,
    lon: str | None = None,
    lat: str | None = None,
    crs: str = "wgs84",
    threads: int | None = None,
    scheduler: str | Any | None = None,
    predicate: str = "intersects",
) -> EnterpriseSummary:
    """Counts and sums per zone (and per zone and domain), and the rows outside every zone.

    ``predicate`` is the boundary rule of :class:`gis.analysis.zones.ZoneIndex`:
    ``"intersects"`` (a firm on a zone's boundary is in the zone, on a shared border in
    both) or ``"within"`` (in neither); the pairs are those of ``geopandas.sjoin`` with
    that predicate on the zones' own coordinates.

    With ``scheduler`` (a ``dask.distributed`` address or Client) the points are
    assigned on that cluster (:func:`gis.analysis.zone_pairs.assign_points_dask`);
    the result is identical.
    """
    where = str(df.attrs.get("source", "register"))
    values = [resolve_column(df, v, where) for v in values]
    domain = resolve_column(df, domain, where) if domain else None
    pre = _prefetch(
        df,
        [c for c in (lon or find_column(df, LON_NAMES), lat or find_column(df, LAT_NAMES)) if c],
        values,
        domain,
    )
    x, y = register_coordinates(df, lon=lon, lat=lat, crs=crs, pre=pre)
    vals = {v: _numeric(df, v, where, required=False, pre=pre) for v in values}
    if scheduler is not None:
        import dask.dataframe as dd

        parts = max(1, min(64, len(x) // 1_000_000 + 1))
        ddf = dd.from_pandas(pd.DataFrame({"x": x, "y": y}), npartitions=parts, sort=False)
        a = assign_points_dask(
            ddf, zones.index, x="x", y="y", scheduler=scheduler, predicate=predicate
        )
    else:
        a = zones.assign(x, y, threads=threads, predicate=predicate)
    nz = len(zones.frame)
    # zone numbers + 1 (0: no zone), so that bincounts need no masking
    lab1 = a.label.astype(np.intp)
    lab1 += 1
    extra_zone = a.extra_zone.astype(np.intp)
    per_zone = pd.DataFrame(zones.frame.drop(columns="geometry"))
    per_zone["enterprises"] = np.bincount(lab1, minlength=nz + 1)[1:] + np.bincount(
        extra_zone, minlength=nz
    )
    weights = {v: np.nan_to_num(arr) for v, arr in vals.items()}
    for v, w in weights.items():
        per_zone[v] = np.round(
            np.bincount(lab1, weights=w, minlength=nz + 1)[1:]
            + np.bincount(extra_zone, weights=w[a.extra_point], minlength=nz),
            6,
        )
    # zone x domain: one bincount over every point's first zone, then the further zones
    # (the order of the sums of each cell as before: first zones by row, then the rest)
    per_zone_domain = pd.DataFrame()
    if domain:
        fact = pre.get(f"\0codes:{domain}") or arrow_codes(df[domain], "(none)")
        codes, uniques = (
            fact if fact is not None else pd.factorize(df[domain].astype(str).replace("", "(none)"))
        )
        nd = len(uniques)
        codes = np.asarray(codes, dtype=np.intp)
        key = np.concatenate([lab1 * nd + codes, (extra_zone + 1) * nd + codes[a.extra_point]])
        cnt = np.bincount(key, minlength=(nz + 1) * nd)[nd:]
        data: dict[str, Any] = {
            "layer": np.repeat(zones.frame["layer"].to_numpy(), nd),
            "zone": np.repeat(zones.frame["zone"].to_numpy(), nd),
            **(
                {"name_zh": np.repeat(zones.frame["name_zh"].to_numpy(), nd)}
                if "name_zh" in zones.frame.columns
                else {}
            ),
            "domain": np.tile(np.asarray(uniques, dtype=object), nz),
            "enterprises": cnt,
        }
        for v, w in weights.items():
            both = np.concatenate([w, w[a.extra_point]])
            data[v] = np.round(np.bincount(key, weights=both, minlength=(nz + 1) * nd)[nd:], 6)
        del key
        per_zone_domain = pd.DataFrame(data)
        per_zone_domain = per_zone_domain[per_zone_domain["enterprises"] > 0].reset_index(drop=True)
    # outside every zone of each layer
    layer_of = zones.frame["layer"].to_numpy()
    counts = []
    for name in zones.layers:
        zmask = layer_of == name
        hit = np.concatenate([[False], zmask])[lab1]  # lab1 0 (no zone) reads False
        hit[a.extra_point[zmask[a.extra_zone]]] = True
        inside = int(np.count_nonzero(hit))
        counts.append({"layer": name, "inside": inside, "outside": int(len(x) - inside)})
    none = a.unassigned()
    # the row as the file has it (its own coordinates, findable in the sheet), then WGS84
    lon_col = str(lon or find_column(df, LON_NAMES))
    lat_col = str(lat or find_column(df, LAT_NAMES))
    outside = pd.DataFrame({"row": _rows(df, none)})
    name_col = find_column(df, NAME_NAMES)  # every table names what it lists
    for col in dict.fromkeys(c for c in (name_col, domain, lon_col, lat_col) if c):
        outside[col] = df[col].iloc[none].to_numpy()
    outside["lon_wgs84"] = x[none].round(6)
    outside["lat_wgs84"] = y[none].round(6)
    return EnterpriseSummary(per_zone, per_zone_domain, outside, pd.DataFrame(counts), zones.notes)


def register_crs(df: pd.DataFrame, file: str | Path, crs: str | None) -> tuple[str, str | None]:
    """The declared CRS, or WGS84 with a note to show the user; columns labelled GCJ-02 or
    BD-09 without a declared CRS are refused."""
    if crs:
        return crs, None

    key = hinted_crs(*(df.attrs.get("header") or df.columns))
    if key is not None:
        raise InputError(
            f"{file}: the column names say the coordinates are {DATUM_LABELS[key]}, but no "
            f"--crs was given; rerun with --crs {key} (or --crs wgs84 if they are WGS84)"
        )
    return "wgs84", (
        "note: coordinates read as WGS84 (no --crs given). If the register was geocoded with "
        "Amap/Gaode or Tencent (GCJ-02) or Baidu (BD-09), rerun with --crs gcj02 or --crs bd09: "
        "otherwise every point sits about 500 m off."
    )


def run_enterprises(
    p: EnterprisesParams,
    *,
    step: Callable[[], Any] = lambda: None,
    warn: Callable[[str], Any] = lambda _m: None,
) -> AnalysisResult:
    """``clustermap enterprises``: zones loaded, register read and assigned, as an
    :class:`~gis.analysis.runner.AnalysisResult` (table per zone; by domain, outside rows and
    counts as extra tables; zones with their counts as the frame). ``step`` is called after
    each of three stages (progress), ``warn`` with a note for the user (undeclared CRS)."""
    import geopandas as gpd

    file = Path(p.file)
    r = parse_distance(p.cluster_radius, what="--cluster-radius")
    zt = load_zones(p.zones, radius_m=r)
    step()
    df = read_register(
        file,
        columns=lambda header: register_columns(
            header, lon=p.lon, lat=p.lat, values=p.values, domain=p.domain, where=str(file)
        ),
    )
    crs, note = register_crs(df, file, p.crs)
    if note:
        warn(note)
    step()
    s = summarise(
        df, zt, values=list(p.values), domain=p.domain, lon=p.lon, lat=p.lat, crs=crs,
        scheduler=p.scheduler, predicate=p.predicate,
    )  # fmt: skip
    step()
    geo = reproject(
        gpd.GeoDataFrame(
            s.per_zone.assign(source=f"clustermap enterprises {file.name}"),
            geometry=zt.frame.geometry.values,
            crs="EPSG:4326",
        ),
        "EPSG:4547",
    )
    extra = {"outside_counts": s.outside_counts, "outside": s.outside}
    if p.domain:
        extra["by_domain"] = s.per_zone_domain
    return AnalysisResult(
        "enterprises",
        s.per_zone,
        [(f"企业 Enterprises per zone ({file.name})", geo)],
        {
            "file": file.name,
            "rows": str(len(df)),
            "zones": ",".join(zt.layers),
            "cluster_radius": format_distance(r),
            "crs": crs,
            "predicate": p.predicate,
        },
        s.notes,
        extra_tables=extra,
        name=re.sub(r"[^\w.-]+", "_", file.stem),
    )
