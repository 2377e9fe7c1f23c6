"""The plan's indicators: its targets and sourced baselines (:mod:`.targets`), planners'
indicator tables in long form (:mod:`.table`) and their join to a layer (:mod:`.join`),
the one join behind ``clustermap join`` and a map spec's ``join =``."""

from __future__ import annotations

from .join import JoinReport, Unmatched, join_file, join_table
from .table import long_form, read_indicator_table
from .targets import (
    census_density,
    city_baselines,
    convert_unit,
    district_indicator,
    district_stats,
    indicators_dir,
    parse_bound,
    plan_domains,
    plan_roles,
    plan_targets,
    select_domain,
    target_progress,
)

__all__ = [
    "JoinReport",
    "Unmatched",
    "census_density",
    "city_baselines",
    "convert_unit",
    "district_indicator",
    "district_stats",
    "indicators_dir",
    "join_file",
    "join_table",
    "long_form",
    "parse_bound",
    "plan_domains",
    "plan_roles",
    "plan_targets",
    "read_indicator_table",
    "select_domain",
    "target_progress",
]
