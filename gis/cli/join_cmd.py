"""``clustermap join LAYER TABLE``: join an indicator table to a layer and print the report;
``clustermap targets``: the plan's 2027 targets with baselines and progress."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import InputError
from ..layers import read_layer

#: Output types of ``join --out``: the joined layer, or its attributes as a table.
OUT_SUFFIXES = (".geojson", ".json", ".csv", ".txt", ".xlsx")


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
    help="Write the joined layer (.geojson) or its attributes (.csv, .xlsx); only when no "
    "problems.",
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
    from ..indicators import join_file  # pandas: loaded only by the commands that need it

    if out is not None and out.suffix.lower() not in OUT_SUFFIXES:
        raise InputError(
            f"{out}: unsupported output type {out.suffix!r}; use .geojson (the joined layer), "
            ".csv or .xlsx (its attributes)"
        )
    joined, report = join_file(
        read_layer(layer), table, key=key, layer_key=layer_key, sheet=sheet, layer_name=layer
    )
    click.echo(report.text())
    report.raise_for_problems()
    if out is not None:
        from ..io import atomic_write, write_geojson

        if out.suffix.lower() in (".geojson", ".json"):
            write_geojson(joined, out, name=f"{layer}_joined")
        elif out.suffix.lower() == ".xlsx":
            frame = joined.drop(columns=joined.geometry.name)
            with atomic_write(out, "wb") as fh:
                frame.to_excel(fh, index=False, sheet_name=layer[:31], engine="openpyxl")
        else:
            frame = joined.drop(columns=joined.geometry.name)
            with atomic_write(out, "w", encoding="utf-8-sig", newline="") as fh:
                frame.to_csv(fh, index=False)
        click.echo(f"wrote {out}")


@click.command("targets")
@click.option("--domain", default=None, help="Only this domain: 金融, Finance, (七) or 七.")
def targets(domain: str | None) -> None:
    """Print the plan's quantified 2027 targets with lead departments, baselines and progress.

    \b
    Examples:
      clustermap targets
      clustermap targets --domain 金融
    """
    from ..indicators import select_domain, target_progress

    p = target_progress()
    if domain:
        p = select_domain(p, domain)
    for r in p.itertuples(index=False):
        growth = "年均增长 " if r.kind == "annual_growth" else ""
        click.echo(
            f"{r.id} {r.clause:<5} {r.domain_zh:<8} {r.indicator_zh}: "
            f"{growth}{r.comparison}{r.target:g} {r.unit} ({r.target_year})"
        )
        click.echo(f"      lead: {r.lead.replace(';', '、') or '-'} | {r.status}")
    n = int(p["progress"].notna().sum())
    click.echo(f"{len(p)} target(s); {n} with a sourced baseline.")


COMMANDS = [join, targets]
