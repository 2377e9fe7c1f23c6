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

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..crs import LONLAT_OK, LONLAT_SWAPPED, lonlat_check, points_to_wgs84
from ..errors import InputError, LayerNotFoundError, ValidationError
from ..names import fold
from ..readers.tables import find_column, sheet_row
from ..settings import WUHAN_BBOX
from .inputs import labels
from .zones import ZoneIndex

if TYPE_CHECKING:
    import geopandas as gpd

LON_NAMES = ("lon", "lng", "longitude", "经度", "x", "X", "LON", "Longitude")
LAT_NAMES = ("lat", "latitude", "纬度", "y", "Y", "LAT", "Latitude")
#: Name columns of a register, tried in order (the outside list names each firm).
NAME_NAMES = ("企业名称", "单位名称", "公司名称", "名称", "企业", "name", "company", "firm")
#: Rows listed by name in an error message (the count says how many more).
MAX_LISTED = 10


@dataclass
class ZoneTable:
    """Zones of several layers in one index: ``frame`` has layer, zone, name, geometry (WGS84)."""

    frame: gpd.GeoDataFrame
    index: ZoneIndex
    layers: list[str]
    notes: list[str] = field(default_factory=list)


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

    from ..settings import METRIC_CRS

    parts = []
    notes: list[str] = []
    for name, gdf in layers.items():
        if len(gdf) == 0:
            raise InputError(f"zones {name}: the layer is empty")
        g = gdf.to_crs("EPSG:4326") if gdf.crs is not None and gdf.crs.to_epsg() != 4326 else gdf
        geoms = g.geometry.values
        dims = shapely.get_dimensions(geoms)
        if (dims < 2).any():
            if radius_m is None:
                raise InputError(
                    f"zones {name}: {int((dims < 2).sum())} point/line feature(s); give a radius "
                    "(e.g. --cluster-radius 1km) to turn them into zones"
                )
            m = g.to_crs(METRIC_CRS)
            buffered = shapely.buffer(m.geometry.values, radius_m, quad_segs=16)
            geoms = np.where(
                dims < 2,
                gpd.GeoSeries(buffered, crs=METRIC_CRS).to_crs("EPSG:4326").values,
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
    index = ZoneIndex.build(frame.geometry, cell=cell)
    return ZoneTable(frame, index, list(layers), notes)


def _read_csv_fast(p: Path) -> pd.DataFrame:
    with p.open("rb") as fh:
        head = fh.read(8192)
    if not head.strip():
        raise InputError(f"{p}: the file is empty")
    for enc in ("utf-8-sig", "gb18030"):
        try:
            sample = head.decode(enc, errors="strict" if len(head) < 8192 else "ignore")
            try:
                sep = csv.Sniffer().sniff(sample[:4096], delimiters=",;\t").delimiter
            except csv.Error:
                sep = ","
            df = _read_csv(p, sep, enc)
            df.attrs["encoding"] = enc
            return df
        except UnicodeDecodeError:
            continue
        except pd.errors.ParserError as exc:
            raise InputError(f"{p}: not a readable CSV table ({exc})") from None
    raise InputError(
        f"{p}: cannot decode the file as UTF-8 or GBK/GB18030; save it as 'CSV UTF-8' and retry"
    )


def _read_csv(p: Path, sep: str, enc: str) -> pd.DataFrame:
    """All columns as text; pyarrow's parser when installed (~6x faster on big registers)."""
    try:
        import pyarrow  # noqa: F401

        df = pd.read_csv(
            p, sep=sep, dtype=str, keep_default_na=False, encoding=enc, engine="pyarrow"
        )
        return df
    except ImportError:
        pass
    except (ValueError, pd.errors.ParserError):  # let the C parser give its own message
        pass
    return pd.read_csv(p, sep=sep, dtype=str, keep_default_na=False, encoding=enc)


def read_register(path: str | Path) -> pd.DataFrame:
    """The register as text columns (CSV in UTF-8/GBK, Excel, or Parquet)."""
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
        df = _read_csv_fast(p)
    else:
        from ..readers.tables import read_table

        df = read_table(p)
    df.columns = [str(c).strip().lstrip("\ufeff") for c in df.columns]
    if df.empty:
        raise InputError(f"{p}: the table has a header but no data rows")
    df.attrs["source"] = str(p)
    return df


def _numeric(df: pd.DataFrame, col: str, where: str, *, required: bool) -> np.ndarray:
    raw = df[col]
    try:  # fast path: every value parses as a number
        vals = np.asarray(raw.to_numpy(), dtype=np.float64)
    except (ValueError, TypeError):
        vals = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64)
    bad = ~np.isfinite(vals)
    if not required:
        text = raw.astype(str).str.strip()
        bad &= ~text.isin(["", "nan", "None", "-"]).to_numpy()
    if bad.any():
        idx = np.flatnonzero(bad)
        listed = [f"row {sheet_row(int(i))}: {raw.iloc[int(i)]!r}" for i in idx[:MAX_LISTED]]
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
) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 lon/lat arrays of a register; every bad or out-of-Wuhan row reported at once."""
    where = str(df.attrs.get("source", "register"))
    lon_col = lon or find_column(df, LON_NAMES)
    lat_col = lat or find_column(df, LAT_NAMES)
    for col, what, names in ((lon_col, "longitude", LON_NAMES), (lat_col, "latitude", LAT_NAMES)):
        if col is None or col not in df.columns:
            raise InputError(
                f"{where}: no {what} column (looked for {', '.join(names[:4])}); name it with "
                f"--{'lon' if what == 'longitude' else 'lat'} COLUMN. Columns: {list(df.columns)}"
            )
    assert lon_col is not None and lat_col is not None
    x = _numeric(df, lon_col, where, required=True)
    y = _numeric(df, lat_col, where, required=True)
    x, y = points_to_wgs84(x, y, crs)
    kinds = lonlat_check(x, y)
    out = kinds != LONLAT_OK
    if out.any():
        x0, y0, x1, y1 = WUHAN_BBOX
        idx = np.flatnonzero(out)
        swapped = kinds == LONLAT_SWAPPED
        listed = [
            f"row {sheet_row(int(i))}: ({df[lon_col].iloc[int(i)]}, {df[lat_col].iloc[int(i)]})"
            + (" — longitude and latitude swapped?" if swapped[i] else "")
            for i in idx[:MAX_LISTED]
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
) -> EnterpriseSummary:
    """Counts and sums per zone (and per zone and domain), and the rows outside every zone.

    With ``scheduler`` (a ``dask.distributed`` address or Client) the points are
    assigned on that cluster (:func:`gis.analysis.zones.assign_points_dask`);
    the result is identical.
    """
    where = str(df.attrs.get("source", "register"))
    values = [resolve_column(df, v, where) for v in values]
    domain = resolve_column(df, domain, where) if domain else None
    x, y = register_coordinates(df, lon=lon, lat=lat, crs=crs)
    vals = {v: _numeric(df, v, where, required=False) for v in values}
    if scheduler is not None:
        import dask.dataframe as dd

        from .zones import assign_points_dask

        parts = max(1, min(64, len(x) // 1_000_000 + 1))
        ddf = dd.from_pandas(pd.DataFrame({"x": x, "y": y}), npartitions=parts, sort=False)
        a = assign_points_dask(ddf, zones.index, x="x", y="y", scheduler=scheduler)
    else:
        a = zones.index.assign(x, y, threads=threads)
    nz = len(zones.frame)
    per_zone = pd.DataFrame(zones.frame.drop(columns="geometry"))
    per_zone["enterprises"] = a.counts(nz)
    for v, arr in vals.items():
        per_zone[v] = np.round(a.sums(arr, nz), 6)
    # zone x domain
    per_zone_domain = pd.DataFrame()
    if domain:
        codes, uniques = pd.factorize(df[domain].astype(str).replace("", "(none)"))
        nd = len(uniques)
        first = np.flatnonzero(a.label >= 0)
        key = np.concatenate(
            [
                a.label[first].astype(np.int64) * nd + codes[first],
                a.extra_zone * nd + codes[a.extra_point],
            ]
        )
        pts = np.concatenate([first, a.extra_point])
        cnt = np.bincount(key, minlength=nz * nd)
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
        for v, arr in vals.items():
            data[v] = np.round(
                np.bincount(key, weights=np.nan_to_num(arr[pts]), minlength=nz * nd), 6
            )
        per_zone_domain = pd.DataFrame(data)
        per_zone_domain = per_zone_domain[per_zone_domain["enterprises"] > 0].reset_index(drop=True)
    # outside every zone of each layer
    layer_of = zones.frame["layer"].to_numpy()
    counts = []
    for name in zones.layers:
        zmask = layer_of == name
        hit = np.zeros(len(x), dtype=bool)
        ok = a.label >= 0
        hit[ok] = zmask[a.label[ok]]
        ext = zmask[a.extra_zone]
        hit[a.extra_point[ext]] = True
        miss = np.flatnonzero(~hit)
        counts.append({"layer": name, "inside": int(len(x) - len(miss)), "outside": int(len(miss))})
    any_hit = np.ones(len(x), dtype=bool)
    any_hit[a.unassigned()] = False
    none = np.flatnonzero(~any_hit)
    # the row as the file has it (its own coordinates, findable in the sheet), then WGS84
    lon_col = str(lon or find_column(df, LON_NAMES))
    lat_col = str(lat or find_column(df, LAT_NAMES))
    outside = pd.DataFrame({"row": none + sheet_row(0)})
    name_col = find_column(df, NAME_NAMES)  # every table names what it lists
    for col in dict.fromkeys(c for c in (name_col, domain, lon_col, lat_col) if c):
        outside[col] = df[col].iloc[none].to_numpy()
    outside["lon_wgs84"] = x[none].round(6)
    outside["lat_wgs84"] = y[none].round(6)
    return EnterpriseSummary(per_zone, per_zone_domain, outside, pd.DataFrame(counts), zones.notes)
