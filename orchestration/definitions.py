"""The Dagster code location: `dagster dev -m orchestration.definitions` (make dagster-dev)."""

import dagster as dg

from orchestration.assets.dbt import outbox_dbt, warehouse_dbt_build
from orchestration.assets.landing import landing_zone
from orchestration.assets.outbox import tier_event_files
from orchestration.assets.publish import tiktok_one_bi
from orchestration.checks import ASSET_CHECKS
from orchestration.jobs import warehouse_build
from orchestration.resources import build_resources
from orchestration.schedules import daily_warehouse_build

defs = dg.Definitions(
    assets=[landing_zone, warehouse_dbt_build, outbox_dbt, tier_event_files, tiktok_one_bi],
    asset_checks=ASSET_CHECKS,
    jobs=[warehouse_build],
    schedules=[daily_warehouse_build],
    resources=build_resources(),
    # One process per run, steps one after another: DuckDB takes one writer per file.
    executor=dg.in_process_executor,
)
