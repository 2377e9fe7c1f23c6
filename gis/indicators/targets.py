"""The plan's targets, sourced baselines and district figures, as frames.

Files (in ``layers/indicators/``, built by ``scripts/build_indicators.py`` or
extracted by hand from the plan text, ``plan_text.txt``):

* ``plan_targets.csv``: every quantified target of 武汉市加快生产性服务业高质量发展实施方案
  (2024—2027年), with its clause (一, (五)…), domain, comparison (≥, >, 约), value, unit,
  kind (``level`` or ``annual_growth``), year and lead department(s).
* ``plan_domains.csv``: the 12 domains and the four 工程 with their lead departments.
* ``plan_roles.csv``: the district roles of clause (七) (武昌区 绿色金融亮点区 …).
* ``city_baselines.csv``, ``district_stats.csv``: sourced figures, each with year, unit,
  source URL, quote and a source-quality class; ``>8.6`` kept as a lower bound.
* ``target_baselines.csv``: which baseline measures which target, and how comparable.

Progress is ``baseline / target`` only where both exist; a gap stays a gap.

>>> targets = plan_targets()
>>> t19 = targets.set_index("id").loc["T19"]
>>> t19["comparison"], float(t19["value"]), t19["unit"]
('>', 10.0, '万亿元')
>>> p = target_progress().set_index("id")
>>> round(float(p.loc["T03", "progress"]), 3), p.loc["T03", "baseline_year"]
(0.452, '2022')
>>> p.loc["T19", "progress_bound"]
'>'
"""

from __future__ import annotations

import math
import re
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..crs import reproject
from ..errors import InputError, ValidationError
from ..names import fold
from ..readers.tables import sheet_row
from ..settings import METRIC_CRS, layers_dir

if TYPE_CHECKING:
    import geopandas as gpd

COMPARISONS = ("≥", ">", "约")
KINDS = ("level", "annual_growth")
#: Units the plan uses.
UNITS = ("亿元", "万亿元", "家", "人", "项", "%", "万平方米", "场", "个")
#: Factors between units of the same dimension (to the first unit of each pair).
UNIT_FACTORS = {("万亿元", "亿元"): 10000.0}
#: The 七普 (2020 census) resident population rows of district_stats.csv.
CENSUS_PREFIX = "常住人口(七普"

TARGET_COLUMNS = (
    "id",
    "clause",
    "domain_zh",
    "domain_en",
    "indicator_zh",
    "indicator_en",
    "comparison",
    "value",
    "unit",
    "kind",
    "target_year",
    "lead",
    "quote",
    "note",
)
STAT_COLUMNS = (
    "key",
    "name_zh",
    "indicator",
    "value",
    "value_num",
    "bound",
    "is_estimate",
    "unit",
    "year",
    "source_url",
    "source_quote",
    "source_quality",
)


def indicators_dir() -> Path:
    """``layers/indicators/``."""
    return layers_dir() / "indicators"


def _read_csv(name: str, columns: tuple[str, ...], folder: Path | None) -> pd.DataFrame:
    path = (folder or indicators_dir()) / name
    if not path.exists():
        raise InputError(
            f"{path}: file not found; it ships with clustermap (rebuild the copied statistics "
            "with scripts/build_indicators.py)"
        )
    df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise InputError(f"{path}: missing column(s) {', '.join(missing)}")
    df.attrs["source"] = str(path)
    return df


def parse_bound(text: object) -> tuple[float, str]:
    """Number and bound of a value as written: '>8.6' -> (8.6, '>'); '' -> (nan, '').

    >>> parse_bound(">8.6")
    (8.6, '>')
    >>> parse_bound("1,357.41")
    (1357.41, '')
    >>> parse_bound("２，６００．５"), parse_bound("−3.2")  # typed with a Chinese input method
    ((2600.5, ''), (-3.2, ''))
    """
    s = "" if text is None else unicodedata.normalize("NFKC", str(text)).strip()
    s = s.replace("\u2212", "-")  # the minus sign U+2212
    if s == "" or s.lower() in ("nan", "na", "n/a", "-", "—", "--", "暂无", "无"):
        return math.nan, ""
    m = re.fullmatch(r"(>=|≥|>|<=|≤|<|约|≈|~)?\s*([-+]?[0-9][0-9,]*(?:\.[0-9]+)?)\s*", s)
    if not m:
        raise ValueError(s)
    sign = m.group(1) or ""
    bound = {">=": "≥", "<=": "≤", "约": "≈", "~": "≈"}.get(sign, sign)
    return float(m.group(2).replace(",", "")), bound


def plan_targets(folder: Path | None = None) -> pd.DataFrame:
    """Every quantified target of the plan, one row each, ``value`` as float.

    Checks the table's vocabulary (comparison, unit, kind) and reports every bad row at once.
    """
    df = _read_csv("plan_targets.csv", TARGET_COLUMNS, folder)
    problems = []
    for i, r in df.iterrows():
        row = sheet_row(int(str(i)))
        if r["comparison"] not in COMPARISONS:
            problems.append(f"row {row}, comparison: {r['comparison']!r}, expected {COMPARISONS}")
        if r["unit"] not in UNITS:
            problems.append(f"row {row}, unit: {r['unit']!r}, expected one of {UNITS}")
        if r["kind"] not in KINDS:
            problems.append(f"row {row}, kind: {r['kind']!r}, expected one of {KINDS}")
        try:
            float(r["value"])
        except ValueError:
            problems.append(f"row {row}, value: {r['value']!r} is not a number")
    if df["id"].duplicated().any():
        problems.append(f"duplicate id(s): {sorted(set(df['id'][df['id'].duplicated()]))}")
    if problems:
        raise ValidationError(f"{df.attrs['source']}: {len(problems)} problem(s):", problems)
    out = df.copy()
    out["value"] = out["value"].astype(float)
    out["target_year"] = out["target_year"].astype(int)
    return out


def plan_domains(folder: Path | None = None) -> pd.DataFrame:
    """The 12 domains of the plan and its four 工程, with clause and lead department(s)."""
    return _read_csv(
        "plan_domains.csv", ("clause", "domain_zh", "domain_en", "title_zh", "lead"), folder
    )


def plan_roles(folder: Path | None = None) -> pd.DataFrame:
    """The district roles of clause (七): key (adcode or ``fz_…``), role, quote, hosts."""
    return _read_csv(
        "plan_roles.csv", ("key", "name_zh", "role_zh", "role_en", "clause", "quote"), folder
    )


def _stats(name: str, folder: Path | None) -> pd.DataFrame:
    df = _read_csv(name, STAT_COLUMNS, folder)
    out = df.copy()
    out["value_num"] = pd.to_numeric(out["value_num"], errors="raise")
    return out


def city_baselines(folder: Path | None = None) -> pd.DataFrame:
    """City-wide sourced figures (key 420100), each with year, unit, source and quality."""
    return _stats("city_baselines.csv", folder)


def district_stats(folder: Path | None = None) -> pd.DataFrame:
    """Sourced figures of districts (adcode) and functional zones (``fz_…``)."""
    return _stats("district_stats.csv", folder)


def convert_unit(value: float, unit: str, to: str) -> float:
    """``value`` in ``unit`` expressed in ``to``; raises InputError when not convertible.

    >>> convert_unit(36460, "亿元", "万亿元")
    3.646
    """
    if unit == to:
        return value
    if (unit, to) in UNIT_FACTORS:
        return value * UNIT_FACTORS[(unit, to)]
    if (to, unit) in UNIT_FACTORS:
        return value / UNIT_FACTORS[(to, unit)]
    raise InputError(f"cannot convert {unit!r} to {to!r}")


#: Comparability classes of ``target_baselines.csv`` (column ``class``): the baseline is
#: the target's own measure, a close proxy, a narrower measure, a different measure or a
#: figure of Hubei province. Progress is computed for the first three only.
COMPARABILITY = ("same", "close", "narrower", "different", "province")
#: What each class means for a reader of the targets table (``baseline_note``).
COMPARABILITY_NOTES = {
    "same": "same measure",
    "close": "proxy: a close measure, not the target's own",
    "narrower": "narrower measure: covers part of what the target counts, progress understated",
    "different": "different measure: not comparable, no progress computed",
    "province": "province-only figure (湖北省), not Wuhan: no progress computed",
}
#: Units that count the same things (centres 个 and 家).
UNIT_ALIASES = {("个", "家"), ("家", "个")}


def _baseline_note(cls: str, comparability: str, quality: str, year_note: str) -> str:
    """One sentence for the targets table: what the baseline is and how far to trust it."""
    parts = [COMPARABILITY_NOTES.get(cls, "comparability not stated")]
    if comparability and comparability != COMPARABILITY_NOTES.get(cls):
        parts.append(comparability)
    if year_note:
        parts.append(year_note)
    if quality == "lead":
        parts.append("source is a lead only (mirror or forum): confirm before citing")
    return "; ".join(parts)


def target_progress(
    targets: pd.DataFrame | None = None,
    baselines: pd.DataFrame | None = None,
    links: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row a target: the linked baseline (value, bound, year, source), how comparable it
    is, and progress.

    ``progress`` = baseline / target where a sourced Wuhan baseline of a level target exists
    and measures the same thing, a close proxy or a narrower part of it (``comparability_class``
    same, close, narrower); ``progress_bound`` is '>' when the baseline is a lower bound (so
    progress is too). ``baseline_note`` says in words whether the baseline is a proxy, a
    narrower measure or province-only, and whether its source is a lead only. Growth-rate
    targets, different measures, province figures and targets without a baseline get NaN and
    say why in ``status``.
    """
    t = plan_targets() if targets is None else targets
    b = city_baselines() if baselines is None else baselines
    lk = _read_csv("target_baselines.csv", ("target_id", "baseline_indicator"), None)
    lk = lk if links is None else links
    rows = []
    # plain dicts looked up by key: a frame filter per target cost more than all the rest
    first_link: dict[Any, dict[str, Any]] = {}
    for row in lk.to_dict("records"):
        first_link.setdefault(row["target_id"], row)
    by_indicator: dict[Any, list[dict[str, Any]]] = {}
    for row in b.to_dict("records"):
        by_indicator.setdefault(row["indicator"], []).append(row)
    for r in t.itertuples(index=False):
        lrow = first_link.get(r.id)
        out = {
            "id": r.id,
            "clause": r.clause,
            "domain_zh": r.domain_zh,
            "domain_en": getattr(r, "domain_en", ""),
            "indicator_zh": r.indicator_zh,
            "comparison": r.comparison,
            "target": r.value,
            "unit": r.unit,
            "kind": r.kind,
            "target_year": r.target_year,
            "lead": r.lead,
            "baseline": math.nan,
            "baseline_bound": "",
            "baseline_unit": "",
            "baseline_year": "",
            "baseline_indicator": "",
            "baseline_source": "",
            "baseline_quality": "",
            "comparability": "",
            "comparability_class": "",
            "baseline_note": "",
            "progress": math.nan,
            "progress_bound": "",
            "status": "no sourced baseline",
        }
        if lrow is None:
            if r.kind == "annual_growth":
                out["status"] = "growth-rate target: needs a yearly series, none sourced"
            rows.append(out)
            continue
        cand = by_indicator.get(lrow["baseline_indicator"], [])
        if "baseline_year" in lk.columns and lrow.get("baseline_year"):
            cand = [c for c in cand if c["year"] == lrow["baseline_year"]]
        if not cand:
            out["status"] = f"linked baseline {lrow['baseline_indicator']!r} not found"
            rows.append(out)
            continue
        if all(c["is_estimate"] == "yes" for c in cand):
            out["status"] = "the only baseline is an estimate (预计): not used"
            rows.append(out)
            continue
        c = next(c for c in cand if c["is_estimate"] != "yes")
        cls = str(lrow.get("class", "") or "same")
        comparability = str(lrow.get("comparability", "") or c.get("comparability", "") or "")
        growth = r.kind == "annual_growth"
        if growth or (c["unit"], r.unit) in UNIT_ALIASES:
            value, unit = float(c["value_num"]), str(c["unit"])
        else:
            try:
                value, unit = convert_unit(float(c["value_num"]), c["unit"], r.unit), r.unit
            except InputError:
                value, unit = float(c["value_num"]), str(c["unit"])
                cls = "different" if cls in ("same", "close", "narrower") else cls
        bound = c["bound"]
        out.update(
            baseline=value,
            baseline_bound=bound,
            baseline_unit=unit,
            baseline_year=c["year"],
            baseline_indicator=c["indicator"],
            baseline_source=c["source_url"],
            baseline_quality=c["source_quality"],
            comparability=comparability,
            comparability_class=cls,
            baseline_note=_baseline_note(
                cls, comparability, str(c["source_quality"]), str(c.get("year_note", "") or "")
            ),
        )
        when = c["year"] or "year not stated"
        if growth:
            out["status"] = (
                f"growth-rate target: sourced growth {when}: {bound}{value:g} {unit} "
                "(one year, not an annual average; progress not computed)"
            )
        elif cls not in ("same", "close", "narrower"):
            out["status"] = f"baseline {when}: {bound}{value:g} {unit}, {COMPARABILITY_NOTES[cls]}"
        else:
            out["progress"] = value / r.value
            out["progress_bound"] = ">" if bound in (">", "≥") else ""
            pct = f"{out['progress_bound']}{value / r.value:.0%}"
            out["status"] = f"baseline {when}: {bound}{value:g} {unit} = {pct} of the target"
        rows.append(out)
    return pd.DataFrame(rows)


def select_domain(progress: pd.DataFrame, domain: str) -> pd.DataFrame:
    """The rows of ``progress`` (or ``plan_targets()``) of one domain, named as a planner
    would: 金融, Finance, (七), （七） or 七. An unknown name raises :class:`InputError`
    listing the domains.

    >>> p = target_progress()
    >>> [len(select_domain(p, d)) for d in ("金融", "finance", "（七）", "七", "(一)", "一")]
    [3, 3, 3, 3, 2, 2]
    >>> set(select_domain(p, "一")["domain_zh"]), set(select_domain(p, "(一)")["domain_zh"])
    ({'总体'}, {'研发和科技推广'})
    """

    def fold_clause(text: object, parens: bool) -> str:
        t = fold(text, keep_brackets=True)
        return t if parens else t.strip("()")

    en = progress["domain_en"] if "domain_en" in progress.columns else progress["domain_zh"]
    # exact first: "(一)" is 研发和科技推广, "一" the overall targets; 七 alone means (七)
    for parens in (True, False):
        want = fold_clause(domain, parens)
        mask = pd.Series(False, index=progress.index)
        for col in (progress["domain_zh"], progress["clause"], en):
            mask |= col.map(lambda v, p=parens: fold_clause(v, p)) == want
        if mask.any():
            break
    if not mask.any():
        pairs = dict.fromkeys(f"{c} {d}" for c, d in zip(progress["clause"], progress["domain_zh"]))
        raise InputError(
            f"no targets for domain {domain!r}; the domains are: {', '.join(pairs)} "
            "(give the name, e.g. 金融, or the clause, e.g. (七))"
        )
    return progress[mask]


def district_indicator(
    stats: pd.DataFrame, indicator: str, *, prefix: bool = False
) -> pd.DataFrame:
    """Rows of one indicator (exact name, or every name starting with it when ``prefix``).

    Several rows for one key (e.g. two years) are an error: choose by year first.
    """
    sel = (
        stats["indicator"].str.startswith(indicator) if prefix else stats["indicator"] == indicator
    )
    out = stats[sel].copy()
    dup = out["key"][out["key"].duplicated()]
    if len(dup):
        raise InputError(
            f"indicator {indicator!r}: several rows for {sorted(set(dup))}; select one year first"
        )
    return out


def census_density(
    districts: gpd.GeoDataFrame, stats: pd.DataFrame | None = None
) -> gpd.GeoDataFrame:
    """Districts with 2020 census (七普) residents and density per km² (area in EPSG:4547).

    Returns a new frame (input untouched) with ``pop_2020`` (人), ``area_km2_metric`` (area of
    the drawn boundary in EPSG:4547), ``density_2020`` (人/km²), ``census_area`` (what the
    bulletin counted) and ``caveat``. The bulletin counts residents by 15 statistical areas
    with functional zones apart; where a zone administers part of a district, those residents
    are not in the district's figure although the land is inside its boundary.
    """
    s = district_stats() if stats is None else stats
    census = district_indicator(s, CENSUS_PREFIX, prefix=True).set_index("key")
    out = districts.copy()
    area = reproject(districts.geometry, METRIC_CRS).area / 1e6
    out["area_km2_metric"] = area.round(2)
    keys = out["adcode"].astype(str)
    out["pop_2020"] = keys.map(census["value_num"]).astype(float)
    out["density_2020"] = (out["pop_2020"] / area).round(0)
    out["census_area"] = keys.map(census["indicator"]).fillna("")
    out["census_source"] = keys.map(census["source_url"]).fillna("")
    out["census_quality"] = keys.map(census["source_quality"]).fillna("")
    roles = plan_roles()
    hosts: dict[str, list[str]] = {}
    for r in roles.itertuples(index=False):
        zone = str(r.name_zh)
        if r.key in census.index:
            zone += f" ({int(census.loc[r.key, 'value_num']):,} residents in the whole zone)"
        for code in str(getattr(r, "host_adcodes", "") or "").split(";"):
            if code:
                hosts.setdefault(code, []).append(zone)
    out["caveat"] = [
        (
            f"part of the district is administered by {'、'.join(hosts[k])}, whose residents "
            "the census counts separately: density understated"
            if k in hosts
            else ""
        )
        for k in keys
    ]
    return out
