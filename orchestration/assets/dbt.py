"""The dbt project as assets: every model and seed an asset, every data test an asset check.

Two dbt steps, each one `dbt build`:

- `warehouse_dbt_build`: every model and seed but the outbox, as of the run's as-of date (run
  config `as_of_date`, else the run's partition key, else dbt's default: the latest spend day).
  dbt runs each model's tests right after it and skips what depends on a failure.
- `outbox_dbt`: the notifications outbox (`outbox.tier_events`), after the checks of the marts
  it reads have passed (the GX suites run between the two steps), with the same vars.

Before dbt runs, the refresh plan (warehouse/refresh.py) decides, per model, how much it
recomputes; after, each model that run_results.json lists as succeeded records what it
consumed, so a partial run (a subset chosen in the UI) never marks data as consumed by a model
it left out. A failure raises `dg.Failure` with dbt's own messages from its artifacts.

On Spark (WAREHOUSE_ENGINE=spark, dbt's `spark` target through a Thrift server) each step ends
by reading what the steps after it read into the DuckDB file at WAREHOUSE_PATH, in place from
the cluster's Parquet files (warehouse/spark.py), so that the checks, the outbox files and the
BI copy read DuckDB whatever the engine (docs/engines.md).
"""

import json
import os
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource, dbt_assets
from pydantic import Field

from orchestration.as_of import AS_OF_TAG, DBT_VARS_TAG, REQUESTED_TAG, requested_as_of
from orchestration.dbt_args import RUN_VAR_NAMES, dbt_build_args, dbt_environment, dbt_vars
from orchestration.project import warehouse_dbt_project
from orchestration.resources import WAREHOUSE_POOL, WarehouseResource
from orchestration.translator import WarehouseDbtTranslator
from warehouse.dbt_results import describe, failures, succeeded_nodes
from warehouse.housekeeping import DBT_RUN_FOLDERS_KEPT, prune
from warehouse.refresh import (
    BuildState,
    RefreshPlan,
    landing_snapshot,
    plan_refresh,
    record_build,
)
from warehouse.spark import engine, read_build_in_place, spark_warehouse_dir

translator = WarehouseDbtTranslator()
OUTBOX_MODEL = "outbox_tier_events"


class BuildConfig(dg.Config):
    """Run configuration of the build: the as-of date, and an operator's full refresh."""

    as_of_date: str | None = Field(
        default=None,
        description="The day to build as of, YYYY-MM-DD. Unset: the run's partition key (the "
        "outbox day it writes), else the latest spend day.",
    )
    full_refresh: bool = Field(
        default=False, description="Rebuild every incremental model from the whole history."
    )


def manifest() -> dict[str, Any]:
    return json.loads(warehouse_dbt_project.manifest_path.read_text())


def unique_ids_by_key(nodes: Mapping[str, Any]) -> dict[dg.AssetKey, str]:
    """Asset key to dbt unique_id, for the models and seeds."""
    whole = manifest()
    return {
        translator.get_asset_spec(whole, unique_id, warehouse_dbt_project).key: unique_id
        for unique_id, node in nodes.items()
        if node["resource_type"] in ("model", "seed")
    }


def built_warehouse(warehouse: WarehouseResource) -> Path:
    """What dbt builds, whose record the refresh plan reads: the DuckDB file, or on Spark its
    table folder."""
    return spark_warehouse_dir() if engine() == "spark" else Path(warehouse.warehouse_path)


def built_as_of(warehouse: WarehouseResource) -> date | None:
    """The as-of date the warehouse was built as of (intermediate.int_as_of_date)."""
    if not Path(warehouse.warehouse_path).exists():
        return None
    with warehouse.connect(read_only=True) as connection:
        try:
            rows = connection.execute(
                "select as_of_date from intermediate.int_as_of_date"
            ).fetchall()
        except duckdb.CatalogException:  # nothing built yet
            return None
    return rows[0][0] if rows else None


@contextmanager
def run_parameters(vars_: Mapping[str, str]) -> Iterator[None]:
    """The run's vars in this process's environment while dbt starts (it copies it), and only
    these: a parameter of an earlier run in the same process is not left behind."""
    names = [f"WAREHOUSE_{name.upper()}" for name in RUN_VAR_NAMES]
    saved = {name: os.environ.get(name) for name in names}
    for name in names:
        os.environ.pop(name, None)
    os.environ.update(dbt_environment(dict(vars_)))
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def run_dbt(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
    vars_: dict[str, str],
    plan: RefreshPlan,
    record: bool,
) -> Iterator[Any]:
    """One `dbt build` of the step's selection; records what succeeded, raises on failure."""
    whole = manifest()
    landing = Path(warehouse.landing_dir)
    snapshot = landing_snapshot(landing)
    with run_parameters(vars_):
        invocation = dbt.cli(
            dbt_build_args(plan.full_refresh), context=context, raise_on_error=False
        )
    try:
        yield from invocation.stream()
        if invocation.is_successful() and engine() == "spark":
            read_into_duckdb(context, Path(warehouse.warehouse_path))
    finally:
        results_path = invocation.target_path / "run_results.json"
        run_results = json.loads(results_path.read_text()) if results_path.exists() else None
        if record:
            built = built_warehouse(warehouse)
            state = record_build(
                whole,
                BuildState.load(built),
                succeeded_nodes(run_results),
                snapshot,
                landing,
                built_as_of(warehouse),
            )
            state.save(built, invocation.target_path / "manifest.json")
        # dagster-dbt gives each invocation its own artifacts folder under dbt's target path
        # (<op>-<run>-<id>): keep the last few, so that target/ does not grow run after run.
        prune(
            invocation.target_path.parent,
            f"{context.op_execution_context.op.name}-*",
            DBT_RUN_FOLDERS_KEPT,
        )
    if not invocation.is_successful():
        found = failures(run_results, getattr(invocation, "_error_messages", []))
        raise dg.Failure(
            description=describe(found) or f"dbt failed: {invocation.dbt_command}",
            metadata={"failed_nodes": [failure.unique_id for failure in found]},
        )


@dbt_assets(
    manifest=warehouse_dbt_project.manifest_path,
    project=warehouse_dbt_project,
    dagster_dbt_translator=translator,
    exclude=OUTBOX_MODEL,
    name="warehouse_dbt_build",
    pool=WAREHOUSE_POOL,
)
def warehouse_dbt_build(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    warehouse: WarehouseResource,
    config: BuildConfig,
) -> Iterator[Any]:
    warehouse.assert_dbt_agrees()
    warehouse.prepare_folders()
    partition = context.partition_key if context.has_partition_key else None
    try:
        as_of = requested_as_of(config.as_of_date, partition)
    except ValueError as error:
        raise dg.Failure(description=str(error)) from None
    whole = manifest()
    ids = unique_ids_by_key(whole["nodes"])
    selected = [ids[key] for key in context.selected_asset_keys if key in ids]
    landing = Path(warehouse.landing_dir)
    plan = plan_refresh(
        whole,
        selected,
        built_warehouse(warehouse),
        landing,
        landing_snapshot(landing),
        as_of,
        config.full_refresh,
    )
    if plan.blocked:
        raise dg.Failure(
            description=(
                "This run builds models that read "
                + "; ".join(plan.blocked)
                + ", left out of it. Include them (select the upstream assets too, e.g. "
                "`+<asset>` in the UI), or run the whole warehouse_build job first."
            )
        )
    vars_ = dbt_vars(as_of, plan)
    context.log.info(
        f"dbt build on {engine()} as of {as_of or 'the latest spend day'}: {plan.summary()}"
    )
    context.instance.add_run_tags(
        context.run.run_id,
        {
            "warehouse/refresh": plan.summary()[:200],
            REQUESTED_TAG: as_of.isoformat() if as_of else "",
            DBT_VARS_TAG: json.dumps(vars_, sort_keys=True),
        },
    )
    yield from run_dbt(context, dbt, warehouse, vars_, plan, record=True)
    built = built_as_of(warehouse)
    if built is not None:
        context.instance.add_run_tags(context.run.run_id, {AS_OF_TAG: built.isoformat()})


@dbt_assets(
    manifest=warehouse_dbt_project.manifest_path,
    project=warehouse_dbt_project,
    dagster_dbt_translator=translator,
    select=OUTBOX_MODEL,
    name="outbox_dbt",
    pool=WAREHOUSE_POOL,
)
def outbox_dbt(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, warehouse: WarehouseResource
) -> Iterator[Any]:
    """The day's events into outbox.tier_events, after the checks of what it reads passed."""
    warehouse.assert_dbt_agrees()
    tagged = context.run.tags.get(DBT_VARS_TAG)
    if tagged:
        vars_ = json.loads(tagged)
    else:
        # Run on its own: as of the warehouse as built; nothing to recompute.
        built = built_as_of(warehouse)
        if built is None:
            raise dg.Failure(description="The warehouse is not built yet: run warehouse_build.")
        vars_ = {"as_of_date": built.isoformat()}
    yield from run_dbt(context, dbt, warehouse, vars_, RefreshPlan(full_refresh=False), record=True)


def read_into_duckdb(context: dg.AssetExecutionContext, warehouse_file: Path) -> None:
    """After a Spark build: what the checks, the outbox and the BI copy read, read in place
    from the cluster's Parquet files into the DuckDB file (warehouse/spark.py)."""
    started = time.monotonic()
    read = read_build_in_place(warehouse_file)
    context.log.info(
        f"Read {len(read)} Spark tables in place into {warehouse_file} in "
        f"{time.monotonic() - started:.0f} s: {', '.join(read)}"
    )


def mart_tables() -> dict[dg.AssetKey, str]:
    """The marts BI reads (dbt models in schema `marts`): asset key to table name."""
    whole = manifest()
    return {
        translator.get_asset_spec(whole, unique_id, warehouse_dbt_project).key: node["alias"]
        for unique_id, node in sorted(whole["nodes"].items())
        if node["resource_type"] == "model" and node["schema"] == "marts"
    }


MART_TABLES = mart_tables()


def mart_key(table: str) -> dg.AssetKey:
    return dg.AssetKey(["marts", table])
