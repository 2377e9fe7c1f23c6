"""Typed analysis parameters: one dataclass per kind checks spec params and declares the
CLI options (`gis.analysis.params`)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from click.testing import CliRunner

from gis.analysis.params import PARAMS, SiteParams, parse_params
from gis.analysis.runner import run_analysis
from gis.cli import main
from gis.errors import InputError


def test_parse_params_checks_names_types_distances_and_ranges() -> None:
    p = parse_params("site", {"add": 3, "radius": "1.5 km", "compare_mclp": True})
    assert isinstance(p, SiteParams) and p.add == 3 and p.spacing == "1km"
    assert parse_params("gaps", {"radius": "2km", "min_area_km2": 1}).min_area_km2 == 1.0
    for kind, raw, msg in [
        ("coverage", {"radius": "2"}, "unit"),
        ("coverage", {"radius": 2}, "not a distance with a unit"),
        ("coverage", {"raduis": "2km"}, "unknown parameter.*raduis.*known: points"),
        ("site", {"add": 0}, "site.add: 0 must be at least 1"),
        ("site", {"add": 2.5}, "whole number"),
        ("site", {"compare_mclp": "yes"}, "true or false"),
        ("gaps", {"min_area_km2": -1}, "at least 0"),
        ("hubs", {"points": 3}, "expected text"),
        ("nosuch", {}, "unknown analysis"),
    ]:
        with pytest.raises(InputError, match=msg):
            parse_params(kind, raw)
    with pytest.raises(InputError, match="unknown parameter"):
        run_analysis("hubs", points="clusters", radius="5km", colour="red")


@pytest.mark.parametrize("kind", sorted(PARAMS))
def test_every_parameter_is_a_command_option(kind: str) -> None:
    cmd = main.commands[kind]
    declared = {p.name for p in cmd.params}
    fields = {f.name for f in dataclasses.fields(PARAMS[kind])}
    assert fields <= declared
    assert (cmd.help or "").strip() == (PARAMS[kind].__doc__ or "").strip()


def test_cli_reports_a_bad_parameter_in_one_line(tmp_path: Path) -> None:
    r = CliRunner().invoke(
        main, ["gaps", "--radius", "2km", "--min-area", "-1", "--out", str(tmp_path / "o")]
    )
    assert r.exit_code == 1
    assert "Error: gaps.min_area_km2: -1.0 must be at least 0" in r.output
    assert not (tmp_path / "o").exists()
