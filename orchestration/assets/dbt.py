"""The dbt project as assets: every model and seed an asset, every data test an asset check.

One `dbt build` per run, as of the run's as-of date (the last day of its partition window);
dbt runs the tests right after each model and skips what depends on a failure, and a failure
fails this step, so that nothing downstream (checks, outbox, publish) runs on a broken build.

The engine is WAREHOUSE_ENGINE, dbt's target (profiles.yml). On Spark, the step ends by
reading what the steps after it read into the DuckDB file at WAREHOUSE_PATH, in place from the
cluster's Parquet files (warehouse/spark.py: the marts, audit and rules tables, the as-of date,
the staged spend and creator stats), so that the checks, the outbox and the BI copy read DuckDB
whatever the engine (docs/engines.md).
"""

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.dbt_args import dbt_build_args
from orchestration.partitions import as_of_partitions, single_run, window_of
from orchestration.project import warehouse_dbt_project
from orchestration.refresh import landing_snapshot, plan_refresh, save_state
from orchestration.resources import WarehouseResource
from orchestration.translator import WarehouseDbtTranslator
from warehouse.housekeeping import DBT_RUN_FOLDERS_KEPT, prune
from warehouse.spark import engine, read_build_in_place, spark_warehouse_dir

translator = WarehouseDbtTranslator()


class BuildConfig(dg.Config):
    """Run configuration of the build: an operator can force a full refresh."""

    full_refresh: bool = False


@dbt_assets(
    manifest=warehouse_dbt_project.manifest_path,
    project=warehouse_dbt_project,
    dagster_dbt_translator=translator,
    partitions_def=as_of_partitions,
    backfill_policy=single_run,
    name="warehouse_dbt_build",
)
def warehouse_dbt_build(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
    config: BuildConfig,
) -> Iterator[Any]:
    warehouse.assert_dbt_agrees()
    warehouse.prepare_folders()
    window = window_of(context)
    landing, warehouse_file = Path(warehouse.landing_dir), Path(warehouse.warehouse_path)
    on_spark = engine() == "spark"
    # The warehouse dbt builds, whose last build the refresh plan compares with.
    built = spark_warehouse_dir() if on_spark else warehouse_file
    snapshot = landing_snapshot(landing)
    plan = plan_refresh(landing, built, window.last, config.full_refresh)
    context.log.info(f"dbt build on {engine()} as of {window.last}: {plan.summary()}")
    context.instance.add_run_tags(
        context.run_id,
        {"warehouse/refresh": plan.summary()[:200], "warehouse/as_of_date": str(window.last)},
    )
    invocation = dbt.cli(dbt_build_args(window, plan), context=context)
    try:
        yield from invocation.stream()
        if on_spark:
            read_into_duckdb(context, warehouse_file)
        save_state(snapshot, built, invocation.target_path / "manifest.json", window.last, plan)
    finally:
        # dagster-dbt gives each invocation its own artifacts folder under dbt's target path
        # (<op>-<run>-<id>): keep the last few, so that target/ does not grow run after run.
        prune(
            invocation.target_path.parent,
            f"{context.op_execution_context.op.name}-*",
            DBT_RUN_FOLDERS_KEPT,
        )


def read_into_duckdb(context: dg.AssetExecutionContext, warehouse_file: Path) -> None:
    """After a Spark build: what the checks, the outbox and the BI copy read, into DuckDB."""
    context.log.info(
        f"Reading the Spark tables the checks and the BI copy read into {warehouse_file}"
    )
    started = time.monotonic()
    read = read_build_in_place(warehouse_file)
    context.log.info(
        f"Read {len(read)} Spark tables in place into {warehouse_file} in "
        f"{time.monotonic() - started:.0f} s: {', '.join(read)}"
    )


def mart_tables() -> dict[dg.AssetKey, str]:
    """The marts BI reads (dbt models in schema `marts`): asset key to table name."""
    manifest = json.loads(warehouse_dbt_project.manifest_path.read_text())
    return {
        translator.get_asset_spec(manifest, unique_id, warehouse_dbt_project).key: node["alias"]
        for unique_id, node in sorted(manifest["nodes"].items())
        if node["resource_type"] == "model" and node["schema"] == "marts"
    }


MART_TABLES = mart_tables()


def mart_key(table: str) -> dg.AssetKey:
    return dg.AssetKey(["marts", table])
