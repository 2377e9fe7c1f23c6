"""``clustermap layers``: list the catalog with loaded/expected counts; ``layers check``."""

from __future__ import annotations

import click

from ..errors import ValidationError
from ..layers import check_all, layer_rows  # plain rows: no pandas to list the layers


@click.group(invoke_without_command=True)
@click.pass_context
def layers(ctx: click.Context) -> None:
    """List every layer with loaded vs expected counts and the sources of what is loaded.

    A layer file that cannot be read is listed, then reported as an error (exit 1).

    \b
    Example:
      clustermap layers
    """
    if ctx.invoked_subcommand is not None:
        return

    rows = layer_rows(strict=False)
    width = max(len(r["title"]) for r in rows) if rows else 10
    for r in rows:
        exp = "" if r["expected"] is None else f"/{int(r['expected'])}"
        click.echo(f"{r['id']:<18} {r['title']:<{width}}  {int(r['loaded'])}{exp:<5} {r['status']}")
        same = r["sources"] == r["catalog_sources"]
        lic = f" ({r['license']})" if r["license"] and same else ""
        click.echo(f"{'':<18} sources: {r['sources']}{lic}")
    errors = [r["error"] for r in rows if r["error"]]
    if errors:
        raise ValidationError(f"{len(errors)} layer file(s) cannot be read:", errors)


@layers.command("check")
def layers_check() -> None:
    """Validate every layer (schema, CRS, geometry, unique ids, sources); report all problems.

    \b
    Example:
      clustermap layers check
    """

    results = check_all()
    problems = [p for probs in results.values() for p in probs]
    for lid, probs in results.items():
        click.echo(f"{lid:<18} {'ok' if not probs else f'{len(probs)} problem(s)'}")
    if problems:
        raise ValidationError(f"{len(problems)} problem(s) in layers/:", problems)


COMMANDS = [layers]
