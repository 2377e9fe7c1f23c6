"""Writing layer files: GeoJSON in WGS84, written by one writer (reading: :mod:`gis.readers.geojson`).

The writer gives stable output (feature order kept, properties in a fixed
order, coordinates rounded to :data:`gis.settings.COORD_PRECISION` places, one
feature a line) so that re-exporting an unchanged layer gives an empty diff.
Every write is atomic: a temporary file in the same folder, then a rename, so a
failure never leaves a half-written file behind.
"""

from __future__ import annotations

import errno
import json
import math
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from .errors import CRSError, GisError, InputError, OutputError
from .settings import COORD_PRECISION, layers_dir
from .settings import PRECISION_CLASSES as PRECISION_CLASSES  # re-exported

#: Causes of a failed write, by errno: the user's environment, said in their words.
_WRITE_CAUSES = {
    errno.EACCES: "permission denied (a read-only folder, or the file is open in another "
    "program such as Excel or WPS: close it)",
    errno.EPERM: "operation not permitted (a read-only or protected folder)",
    errno.EROFS: "the disk or folder is read-only",
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is exceeded",
    errno.EFBIG: "the file is larger than allowed (a file-size limit, ulimit -f, or the disk's "
    "format)",
    errno.EISDIR: "it is a folder; give a file name",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.ENAMETOOLONG: "the name is too long",
    errno.EEXIST: "something else was created there during the write",
    errno.ENOTEMPTY: "a folder was created there during the write",
}


def describe_os_error(exc: OSError) -> str:
    """The cause of an :class:`OSError` in a planner's words (``strerror`` otherwise)."""
    if exc.errno in _WRITE_CAUSES:
        return _WRITE_CAUSES[exc.errno]
    return exc.strerror or str(exc) or exc.__class__.__name__


def output_error(exc: OSError, target: Path) -> OutputError:
    """One-line :class:`OutputError` naming ``target`` and the cause of ``exc``."""
    where = ""
    other = exc.filename
    if (
        other
        and Path(str(other)).name != target.name
        and not Path(str(other)).name.startswith(f".{target.name}.")
    ):
        where = f" ({other})"
    return OutputError(
        f"{target}: cannot write{where}: {describe_os_error(exc)}; nothing was changed there"
    )


@contextmanager
def atomic_write(path: str | os.PathLike[str], mode: str = "w", **kw: Any) -> Iterator[IO[Any]]:
    """Open a temporary sibling of ``path``; on success rename it over ``path``.

    On any exception the temporary file is removed and ``path`` is untouched. An
    :class:`OSError` of the environment (read-only folder, full disk, ``path`` a folder, …)
    becomes an :class:`OutputError` naming ``path`` and the cause.
    """
    target = Path(path)
    if target.is_dir():
        raise OutputError(f"{target}: cannot write: it is a folder; give a file name")
    blocker = _file_in_the_way(target.parent)
    if blocker is not None:  # mkdir would say "exists", as if made during the write
        raise OutputError(
            f"{target}: cannot write: {blocker} is a file, not a folder; give a folder "
            "(or a file name that is not inside a file)"
        )
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise output_error(exc, target) from None
    try:
        try:
            with os.fdopen(fd, mode, **kw) as fh:
                yield fh
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
            os.replace(tmp, target)
        except OSError as exc:
            if isinstance(exc, GisError):
                raise
            raise output_error(exc, target) from exc
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def read_config_text(path: str | os.PathLike[str]) -> str:
    r"""The text of a TOML file a planner may have saved in Notepad or WPS: UTF-8, with or
    without a byte-order mark. Any other encoding (GBK, UTF-16 "Unicode") is an
    :class:`~gis.errors.InputError` naming the line, since TOML is UTF-8 by definition.

    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "m.toml"
    >>> _ = f.write_bytes(b"\xef\xbb\xbftitle = 'x'\n")
    >>> read_config_text(f)
    "title = 'x'\n"
    """
    p = Path(path)
    raw = p.read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
            kind = 'UTF-16 (Notepad\'s "Unicode")'
        else:
            try:
                raw.decode("gb18030")
                kind = 'GBK/GB18030 (Notepad\'s "ANSI" on Chinese Windows)'
            except UnicodeDecodeError:
                kind = "not UTF-8"
        raise InputError(
            f"{p}: line {line}: the file is {kind}, but TOML files must be UTF-8; save it "
            "again as UTF-8 (Notepad: 另存为 → 编码 UTF-8)"
        ) from None


def _file_in_the_way(folder: Path) -> Path | None:
    """The nearest part of ``folder`` (itself or a parent) that exists as a file, if any."""
    for part in (folder, *folder.parents):
        if part.exists():
            return None if part.is_dir() else part
    return None


def _protected_folders() -> list[Path]:
    """``layers/`` of the project and the layers shipped with the package."""
    shipped = Path(__file__).resolve().parent.parent / "layers"
    return list(dict.fromkeys(p.resolve() for p in (layers_dir(), shipped) if p.exists()))


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return a.resolve() == b.resolve()


def check_output(
    path: str | os.PathLike[str],
    *,
    inputs: Iterable[str | os.PathLike[str]] = (),
    option: str = "--out",
) -> Path:
    """Refuse an output that would destroy what the tool reads: one of ``inputs``, or
    anything under ``layers/`` (only ``clustermap import`` and the build scripts write there).

    Raises :class:`OutputError` with one line naming the path and what to do instead.
    """
    p = Path(path)
    resolved = p.resolve()
    for folder in _protected_folders():
        if resolved == folder or folder in resolved.parents:
            raise OutputError(
                f"{option} {p}: that is inside {folder}, the layer folder, which only "
                "`clustermap import` writes; choose another place, e.g. "
                f"maps/out/{p.name if resolved != folder else ''}"
            )
    for src in inputs:
        q = Path(src)
        if q.exists() and _same_file(resolved, q):
            raise OutputError(
                f"{option} {p}: that is the input {q}, which writing would overwrite; "
                "choose another file name"
            )
    return p


def check_writable(path: str | os.PathLike[str], *, folder: bool = False) -> Path:
    """Refuse, before any work, an output the environment will not let us write: a file
    path that is a folder, a folder (or its nearest existing parent) that is read-only or
    full. A temporary file is created and removed to find out.
    """
    p = Path(path)
    if not folder and p.is_dir():
        raise OutputError(f"{p}: cannot write: it is a folder; give a file name")
    if folder and p.exists() and not p.is_dir():
        raise OutputError(f"{p}: cannot write into it: it is a file, not a folder")
    where = p if folder else p.parent
    while not where.exists() and where != where.parent:
        where = where.parent
    try:
        fd, probe = tempfile.mkstemp(prefix=".clustermap-probe.", dir=where)
    except OSError as exc:
        raise OutputError(
            f"{p}: cannot write ({where}): {describe_os_error(exc)}; nothing was changed"
        ) from None
    os.close(fd)
    os.unlink(probe)
    return p


def rounded_geojson(geoms: Any, decimals: int) -> list[str | None]:
    """GeoJSON text of each geometry (None for none), every coordinate ``round(v, decimals)``
    bit for bit: rounded on the arrays, with Python's ``round`` for the values numpy could
    round otherwise (within a millionth of a half, or beyond 1e9)."""
    import numpy as np
    import shapely

    arr = np.asarray(geoms, dtype=object)
    out: list[str | None] = [None] * len(arr)
    present = ~shapely.is_missing(arr)
    for z in (False, True):
        sel = np.flatnonzero(present & (shapely.has_z(arr) == z))
        if not len(sel):
            continue
        part = arr[sel]
        coords = shapely.get_coordinates(part, include_z=z)
        flat = coords.ravel()
        rounded = np.round(flat, decimals)
        scaled = flat * 10.0**decimals
        with np.errstate(invalid="ignore"):
            odd = (np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6) | (np.abs(flat) >= 1e9)
        rounded[odd] = [round(float(v), decimals) for v in flat[odd]]
        moved = shapely.set_coordinates(part.copy(), rounded.reshape(coords.shape))
        for i, text in zip(sel.tolist(), shapely.to_geojson(moved).tolist()):
            out[i] = text
    return out


def _json_value(v: Any) -> Any:
    import numpy as np  # lazily: `clustermap --help` and `layers` read the catalog via io

    if v is None:
        return None
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating, float)):
        f = float(v)
        return None if math.isnan(f) or math.isinf(f) else f
    if isinstance(v, np.bool_):
        return bool(v)
    if isinstance(v, (list, tuple, np.ndarray)):
        return [_json_value(x) for x in v]
    if hasattr(v, "isoformat"):
        return v.isoformat()
    try:
        import pandas as pd

        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return v


def _json_column(col: Any) -> list[Any]:
    """:func:`_json_value` of every value of a column (text columns as they are)."""
    vals = col.tolist()
    if col.dtype == object or col.dtype.kind in "OUT" or str(col.dtype).startswith("str"):
        return [v if type(v) is str else _json_value(v) for v in vals]  # text as it is
    if col.dtype.kind in "iub":
        return vals  # tolist gives Python ints and bools already
    if col.dtype.kind == "f":
        return [v if math.isfinite(v) else None for v in vals]
    return [_json_value(v) for v in vals]


_encode_str = json.encoder.encode_basestring  # what json.dumps(ensure_ascii=False) uses


def _json_fragment(v: Any) -> str:
    """``json.dumps(v, ensure_ascii=False, separators=(",", ":"))``, quicker for the plain
    values a layer holds (text, finite floats, ints, booleans, None)."""
    t = type(v)
    if t is str:
        return _encode_str(v)
    if v is None:
        return "null"
    if t is float and math.isfinite(v):
        return float.__repr__(v)
    if t is bool:
        return "true" if v else "false"
    if t is int:
        return int.__repr__(v)
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"))


def _json_fragments(values: list[Any]) -> list[str]:
    """:func:`_json_fragment` of each value; a text column at C speed."""
    if set(map(type, values)) <= {str}:
        distinct = dict.fromkeys(values)
        if len(distinct) * 2 > len(values):
            return list(map(_encode_str, values))
        # a column of repeated texts (district, level, source …): each encoded once
        return list(map(dict(zip(distinct, map(_encode_str, distinct))).__getitem__, values))
    return [_json_fragment(v) for v in values]


def dumps_feature_collection(
    gdf: Any,
    *,
    name: str | None = None,
    precision: int = COORD_PRECISION,
    members: dict[str, Any] | None = None,
) -> str:
    """Serialise a WGS84 GeoDataFrame as stable GeoJSON text (one feature a line).

    Polygon rings follow RFC 7946: exterior rings counter-clockwise, holes clockwise.
    ``members`` are written as top-level foreign members (e.g. ``fields``: the unit, year
    and source of each property), after ``name``.
    """
    return b"".join(
        _encoded_collection(gdf, name=name, precision=precision, members=members)
    ).decode("utf-8")


def _encoded_collection(
    gdf: Any, *, name: str | None, precision: int, members: dict[str, Any] | None
) -> list[Any]:
    """The UTF-8 bytes of :func:`dumps_feature_collection`'s text, in pieces (bytes or
    buffers) to be written one after the other."""
    import numpy as np
    import shapely

    if gdf.crs is not None and gdf.crs.to_epsg() not in (4326, 4490):
        raise CRSError(f"layer {name or ''} must be in WGS84 to be written, not {gdf.crs}")
    head: dict[str, Any] = {"type": "FeatureCollection"}
    if name:
        head["name"] = name
    for k, v in (members or {}).items():
        if k not in ("type", "features", "name"):
            head[k] = v
    text = json.dumps(head, ensure_ascii=False, separators=(",", ":"))[:-1]
    start = (text + ',"features":[\n').encode("utf-8")
    end = b"\n]}\n"
    cols = [c for c in gdf.columns if c != gdf.geometry.name]
    geoms = np.asarray(gdf.geometry.values, dtype=object)
    # plain 2-D points: their coordinates straight from the arrays (to_geojson writes
    # doubles exactly, so parsing its text back gave these very floats)
    simple = shapely.get_type_id(geoms) == 0
    simple[simple] = ~(shapely.is_empty(geoms[simple]) | shapely.has_z(geoms[simple]))
    if len(set(cols)) == len(cols) and len(geoms):
        body = _arrow_body(gdf, cols, geoms, simple, precision)
        if body is not None:  # the features joined by Arrow, as bytes (issue 13)
            return [start, *body, end]
    lines = _feature_lines(gdf, cols, geoms, simple, precision)
    return [start, ",\n".join(lines).encode("utf-8"), end]


def _geometry_texts(geoms: Any, simple: Any, precision: int) -> dict[int, str]:
    """JSON of the geometries that are not plain 2-D points, by position."""
    import numpy as np
    import shapely

    where = np.flatnonzero(~simple)
    chosen = np.asarray(geoms, dtype=object)[where]
    oriented = shapely.orient_polygons(chosen, exterior_cw=False)  # RFC 7946 §3.1.6
    texts = rounded_geojson(oriented, precision)
    return {
        i: _json_fragment(None if t is None else json.loads(t))
        for i, t in zip(where.tolist(), texts)
    }


def _feature_lines(gdf: Any, cols: list[Any], geoms: Any, simple: Any, precision: int) -> list[str]:
    """One JSON text a feature, in Python (any column types, repeated column names)."""
    import numpy as np
    import shapely

    # column by column, not cell by cell (issue 13: 100k features took ~6 s); the same JSON
    values = [_json_column(gdf[c]) for c in cols]
    px = shapely.get_x(geoms[simple]).tolist()
    py = shapely.get_y(geoms[simple]).tolist()
    # each property value and each point encoded once as a JSON fragment and joined per
    # feature: the same text json.dumps of the whole feature gives (issue 13)
    unique_cols = len(set(cols)) == len(cols)
    keys = [_json_fragment({c: None})[1:-6] for c in cols] if unique_cols else []
    frags = [_json_fragments(col) for col in values] if unique_cols else []
    pts = [
        f'{{"type":"Point","coordinates":[{_json_fragment(round(x, precision))},'
        f"{_json_fragment(round(y, precision))}]}}"
        for x, y in zip(px, py)
    ]
    gtexts: list[str] = [""] * len(geoms)
    for i, g in zip(np.flatnonzero(simple).tolist(), pts):  # a point: nothing to orient
        gtexts[i] = g
    for i, g in _geometry_texts(geoms, simple, precision).items():
        gtexts[i] = g
    if unique_cols:  # one str.format per feature, its fields the fragments
        fields = ",".join(k.replace("{", "{{").replace("}", "}}") + ":{}" for k in keys)
        template = '{{"type":"Feature","properties":{{' + fields + '}},"geometry":{}}}'
        return list(map(template.format, *frags, gtexts))
    return [
        _json_fragment({"type": "Feature", "properties": dict(zip(cols, (v[i] for v in values)))})[
            :-1
        ]
        + ',"geometry":'
        + g
        + "}"
        for i, g in enumerate(gtexts)
    ]


#: A character JSON escapes (``json.dumps(ensure_ascii=False)``): quote, backslash, controls.
_JSON_ESCAPED = r'[\x00-\x1f"\\]'


def _arrow_body(
    gdf: Any, cols: list[Any], geoms: Any, simple: Any, precision: int
) -> list[Any] | None:
    """The features' lines (``,\\n`` between them) as UTF-8 buffers built column by column
    by Arrow: each property and coordinate becomes a JSON fragment at once, and a line is
    the join of its fragments (issue 13). The very text of :func:`_feature_lines`; None
    where Arrow is not installed (the caller writes the lines in Python)."""
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
    except ImportError:  # pragma: no cover - pyarrow comes with the pinned pandas
        return None
    import numpy as np
    import shapely

    lt = pa.large_string()
    # the system allocator: Arrow's default (mimalloc) copied the growing output buffers,
    # which made the joins below several times slower at a million lines
    pool = pa.system_memory_pool()

    def s(text: str) -> Any:
        return pa.scalar(text, lt)

    n = len(geoms)
    xs = np.full(n, np.nan)
    ys = np.full(n, np.nan)
    xs[simple] = shapely.get_x(geoms[simple])
    ys[simple] = shapely.get_y(geoms[simple])
    # each column's piece carries what precedes it in the line: Arrow joins plain arrays
    # much faster than arrays mixed with constants
    feature = '{"type":"Feature","properties":{'
    pieces: list[Any] = []
    for j, c in enumerate(cols):
        key = _json_fragment({c: None})[1:-6]
        pieces += _arrow_fragments(gdf[c], (feature if j == 0 else ",") + key + ":")
    before = ('},"geometry":' if cols else feature + '},"geometry":') + '{"type":"Point"'
    point = pc.binary_join_element_wise(
        s(before + ',"coordinates":['),
        _arrow_coordinates(xs, precision, simple),
        s(","),
        _arrow_coordinates(ys, precision, simple),
        s("]}},\n"),  # every line ends with ",\n": the last one without it
        s(""),
        memory_pool=pool,
    )
    others = _geometry_texts(geoms, simple, precision)
    if others:
        before = before[: -len('{"type":"Point"')]
        texts = [before + others[i] + "},\n" for i in sorted(others)]
        point = pc.replace_with_mask(
            point, pa.array(~simple), pa.array(texts, lt), memory_pool=pool
        )
    lines = (
        pc.binary_join_element_wise(*pieces, point, s(""), memory_pool=pool) if pieces else point
    )
    if isinstance(lines, pa.ChunkedArray):
        lines = lines.combine_chunks()
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)[lines.offset :]
    data = lines.buffers()[2]
    return [memoryview(data)[int(offsets[0]) : int(offsets[n]) - 2]]


def _arrow_coordinates(v: Any, precision: int, valid: Any) -> Any:
    """``repr(round(x, precision))`` of each value as Arrow text, exactly as Python gives it.

    ``round`` takes the decimal value of the double correctly rounded; ``rint(x * 10**p)``
    is that integer ``k`` unless ``x * 10**p`` lies within a few units in the last place of
    a tie (then Python rounds the value, rare). For ``1e-4 <= |k / 10**p| < 10**(15-p)``,
    ``repr`` of the double nearest ``k / 10**p`` is the decimal ``k / 10**p`` itself
    (positional, trailing zeros dropped, at least one decimal): a shorter decimal would
    differ from it by ``10**-p`` or more, more than the double's spacing there."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    lt, pool = pa.large_string(), pa.system_memory_pool()  # see _arrow_body
    scale = 10**precision
    with np.errstate(all="ignore"):
        y = v * float(scale)
        k = np.rint(y)
        a = np.abs(k)
        fast = (
            (precision >= 1)
            & (precision <= 9)
            & np.isfinite(y)
            & (0.5 - np.abs(y - k) > np.abs(y) * 2.0**-49)
            & (a >= max(1, 10 ** (precision - 4)))
            & (a < 1e15)
        )
    ki = np.where(fast, k, 0).astype(np.int64)
    ai = np.abs(ki)
    whole = pc.cast(pa.array(ai // scale), lt, memory_pool=pool)
    frac = pc.cast(pa.array(ai % scale), lt, memory_pool=pool)
    frac = pc.utf8_lpad(frac, precision, "0", memory_pool=pool)
    frac = pc.utf8_rtrim(frac, "0", memory_pool=pool)
    frac = pc.if_else(pc.equal(frac, ""), pa.scalar("0", lt), frac, memory_pool=pool)
    sign = pc.if_else(pa.array(ki < 0), pa.scalar("-", lt), pa.scalar("", lt), memory_pool=pool)
    text = pc.binary_join_element_wise(
        sign, whole, pa.scalar(".", lt), frac, pa.scalar("", lt), memory_pool=pool
    )
    slow = np.flatnonzero(valid & ~fast)
    if len(slow):  # rare: Python's own rounding and repr (NaN, ties, tiny or huge values)
        mask = np.zeros(len(v), dtype=bool)
        mask[slow] = True
        texts = [_json_fragment(round(float(v[i]), precision)) for i in slow.tolist()]
        text = pc.replace_with_mask(text, pa.array(mask), pa.array(texts, lt), memory_pool=pool)
    return text


def _arrow_fragments(col: Any, before: str) -> list[Any]:
    """``before`` and the JSON fragment of each value of a column (as :func:`_json_fragments`
    of :func:`_json_column`) as parts of an Arrow join: for a text column without missing
    values the constant parts and the texts (one join of every part is quickest), else one
    Arrow text array (other columns done in Python)."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    lt, pool = pa.large_string(), pa.system_memory_pool()  # see _arrow_body
    arr = None
    if col.dtype == object:
        try:  # text and None only (anything else: ArrowTypeError, done in Python)
            arr = pa.array(col.to_numpy(), type=lt, from_pandas=False, memory_pool=pool)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            arr = None
    elif isinstance(col.dtype, pd.StringDtype):  # missing values (NaN, NA): null
        arr = pc.cast(pa.array(col.array, from_pandas=True), lt, memory_pool=pool)
    if arr is None:
        return [pa.array([before + f for f in _json_fragments(_json_column(col))], lt)]
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    esc = pc.match_substring_regex(arr, _JSON_ESCAPED, memory_pool=pool)
    if pc.any(esc).as_py():  # quotes, backslashes, line breaks: json's own escaping
        mask = esc.fill_null(False).to_numpy(zero_copy_only=False)
        idx = np.flatnonzero(mask).tolist()
        texts = [_encode_str(arr[i].as_py())[1:-1] for i in idx]
        arr = pc.replace_with_mask(arr, pa.array(mask), pa.array(texts, lt), memory_pool=pool)
    if not arr.null_count:
        return [pa.scalar(before + '"', lt), arr, pa.scalar('"', lt)]
    joined = pc.binary_join_element_wise(
        pa.scalar(before + '"', lt), arr, pa.scalar('"', lt), pa.scalar("", lt), memory_pool=pool
    )
    return [pc.coalesce(joined, pa.scalar(before + "null", lt), memory_pool=pool)]


def write_geojson(
    gdf: Any,
    path: str | os.PathLike[str],
    *,
    name: str | None = None,
    members: dict[str, Any] | None = None,
) -> Path:
    """Write ``gdf`` (WGS84) to ``path`` atomically with the stable writer."""
    pieces = _encoded_collection(gdf, name=name, precision=COORD_PRECISION, members=members)
    with atomic_write(path, "wb") as fh:
        for piece in pieces:
            fh.write(piece)
    return Path(path)
