"""``clustermap join LAYER TABLE``: join an indicator table to a layer and print the report;
``clustermap targets``: the plan's 2027 targets with baselines and progress."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..catalog import load_catalog
from ..errors import GisError, InputError
from ..io import check_output, write_geojson
from ..layers import read_layer

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

# gis.indicators and gis.table_out load pandas, gis.vector_out sqlite3: imported inside the
# commands so that `clustermap --help` starts fast.

#: Output types of ``join --out``: the joined layer, or its attributes as a table.
OUT_SUFFIXES = (".geojson", ".json", ".gpkg", ".csv", ".txt", ".xlsx")


@click.command("join")
@click.argument("layer")
@click.argument("table", type=click.Path(path_type=Path))
@click.option("--key", default=None, help="Key column of the table (default: detected).")
@click.option("--layer-key", default=None, help="Key field of the layer (default: adcode or id).")
@click.option("--sheet", default=None, help="Excel sheet name (default: the first sheet).")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="Write the joined layer (.geojson, .gpkg) or its attributes (.csv, .xlsx); only when "
    "no problems. Headers keep unit and year: GDP 2023(亿元).",
)
def join(
    layer: str,
    table: Path,
    key: str | None,
    layer_key: str | None,
    sheet: str | None,
    out: Path | None,
) -> None:
    """Join a CSV/Excel indicator table (long or wide) to LAYER and report what matched.

    District names may be written 武昌 / 武昌区 / Wuchang / 420106; functional zones
    (东湖高新区 …) are reported, never merged into a district. Unmatched rows are listed with
    near-miss suggestions; duplicates, text in numeric columns and mixed units are errors
    (exit 1, nothing written).

    \b
    Examples:
      clustermap join districts 区县指标.xlsx
      clustermap join districts figures.csv --key 区名 --out maps/out/joined.geojson
    """
    from ..indicators import join_file

    if out is not None:
        if out.suffix.lower() not in OUT_SUFFIXES:
            raise InputError(
                f"{out}: unsupported output type {out.suffix!r}; use .geojson or .gpkg (the "
                "joined layer), .csv or .xlsx (its attributes)"
            )
        inputs: list[Path] = [table]
        try:
            inputs.append(load_catalog().get_layer(layer).path)
        except GisError:
            pass  # an unknown layer is reported by read_layer below
        check_output(out, inputs=inputs)
    joined, report = join_file(
        read_layer(layer), table, key=key, layer_key=layer_key, sheet=sheet, layer_name=layer
    )
    click.echo(report.text())
    report.raise_for_problems()
    if out is not None:
        write_joined(joined, out, layer)
        click.echo(f"wrote {out}")


def write_joined(joined: gpd.GeoDataFrame, out: Path, layer: str) -> Path:
    """The joined layer to ``out``: GeoJSON with a ``fields`` member (unit, year, source of
    each indicator); GeoPackage, CSV or XLSX with unit and year in the headers
    (``GDP 2023(亿元)``), the GeoPackage's field metadata and the XLSX's second sheet saying
    where each figure comes from."""
    from ..table_out import labelled, write_table
    from ..vector_out import write_gpkg

    meta = dict(joined.attrs.get("indicators") or {})
    suffix = out.suffix.lower()
    if suffix in (".geojson", ".json"):
        return write_geojson(joined, out, name=f"{layer}_joined", members={"fields": meta})
    frame, notes = labelled(joined, meta)
    if suffix == ".gpkg":
        name = f"{layer}_joined"
        return write_gpkg([(name, frame)], out, notes={name: notes})
    return write_table(frame.drop(columns=frame.geometry.name), out, sheet=layer, notes=notes)


def _note_beyond_status(status: str, note: str, cls: str) -> str:
    """`` (note)`` for a baseline that is not the target's own measure, without repeating
    the sentence the status already says ("different measure: … no progress computed")."""
    from ..indicators.targets import COMPARABILITY_NOTES

    if cls in ("", "same"):
        return ""
    said = COMPARABILITY_NOTES.get(cls, "")
    if said and said in status:
        note = note.removeprefix(said).lstrip("; ")
    return f" ({note})" if note else ""


@click.command("targets")
@click.option("--domain", default=None, help="Only this domain: 金融, Finance, (七) or 七.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also write the targets table: .csv (UTF-8 with BOM, opens in Excel) or .xlsx.",
)
def targets(domain: str | None, out: Path | None) -> None:
    """Print the plan's quantified 2027 targets with lead departments, baselines and progress.

    \b
    Examples:
      clustermap targets
      clustermap targets --domain 金融
      clustermap targets --out maps/out/targets.xlsx
    """
    from ..indicators import select_domain, target_progress

    if out is not None:
        from ..table_out import check_table_suffix

        check_table_suffix(out)
    p = target_progress()
    if domain:
        p = select_domain(p, domain)
    if out is not None:
        from ..table_out import write_table

        write_table(targets_table(p), out, sheet="targets")
    for r in p.itertuples(index=False):
        growth = "年均增长 " if r.kind == "annual_growth" else ""
        click.echo(
            f"{r.id} {r.clause:<5} {r.domain_zh:<8} {r.indicator_zh}: "
            f"{growth}{r.comparison}{r.target:g} {r.unit} ({r.target_year})"
        )
        note = _note_beyond_status(r.status, r.baseline_note, r.comparability_class)
        click.echo(f"      lead: {r.lead.replace(';', '、') or '-'} | {r.status}{note}")
    n = int(p["progress"].notna().sum())
    other = int(((p["baseline_indicator"] != "") & p["progress"].isna()).sum())
    more = (
        f"; {other} more with a baseline that is a growth rate, a different measure or "
        "province-only (no progress)"
        if other
        else ""
    )
    click.echo(f"{len(p)} target(s); {n} with a sourced baseline{more}.")
    if out is not None:
        click.echo(f"wrote {out}")


#: Columns of ``targets --out``: (column of target_progress, header with unit/meaning).
TARGET_TABLE_COLUMNS = (
    ("id", "编号 id"),
    ("clause", "条款 clause"),
    ("domain_zh", "领域 domain"),
    ("indicator_zh", "指标 indicator"),
    ("comparison", "比较 comparison"),
    ("target", "目标值 target"),
    ("unit", "单位 unit"),
    ("kind", "类型 kind"),
    ("target_year", "目标年份 target year"),
    ("lead", "牵头单位 lead"),
    ("baseline_bound", "基数界 baseline bound"),
    ("baseline", "基数 baseline"),
    ("baseline_unit", "基数单位 baseline unit"),
    ("baseline_year", "基数年份 baseline year"),
    ("baseline_indicator", "基数指标 baseline measure"),
    ("comparability_class", "可比性 comparability"),
    ("comparability", "可比性说明 comparability (as sourced)"),
    ("baseline_note", "基数说明 baseline note"),
    ("baseline_quality", "来源质量 source quality"),
    ("baseline_source", "来源 source"),
    ("progress_bound", "完成度界 progress bound"),
    ("progress_pct", "完成度 progress (%)"),
    ("status", "状态 status"),
)


def targets_table(p: pd.DataFrame) -> pd.DataFrame:
    """The targets table written by ``targets --out``: one row a target, headers with units."""
    df = p.copy()
    df["progress_pct"] = (df["progress"] * 100).round(1)
    df["lead"] = df["lead"].str.replace(";", "、")
    cols = [(c, h) for c, h in TARGET_TABLE_COLUMNS if c in df.columns]
    return df[[c for c, _ in cols]].set_axis([h for _, h in cols], axis=1)


COMMANDS = [join, targets]
