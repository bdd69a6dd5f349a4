"""The BI copy as an asset: the marts, published after a fully checked build.

It depends on every mart, so every blocking check on them (dbt tests and GX suites) runs first
in the same run, and one failure stops it: a build that fails its checks is never published.
Run on its own (say from the UI), it also refuses while the latest evaluation of a check on the
marts is a failure. It never moves BI back in time: when the published copy is as of a later
day than this run (a backfill of an old range), it leaves it alone.
"""

from collections.abc import Iterator
from pathlib import Path

import dagster as dg

from orchestration.assets.dbt import MART_TABLES, warehouse_dbt_build
from orchestration.checks import GX_CHECK_SPECS
from orchestration.partitions import as_of_partitions, single_run, window_of
from orchestration.resources import WarehouseResource
from warehouse.publish import STORAGE_VERSION, publish_marts, published_as_of

PUBLISHED_KEY = dg.AssetKey(["published", "tiktok_one_bi"])


def checks_on_the_marts() -> list[dg.AssetCheckKey]:
    """Every check of a mart: its dbt tests and GX suites (whether in this run or not)."""
    dbt_checks = [key for key in warehouse_dbt_build.check_keys if key.asset_key in MART_TABLES]
    return sorted([*dbt_checks, *(spec.key for spec in GX_CHECK_SPECS.values())], key=str)


def failed_checks(context: dg.AssetExecutionContext) -> list[str]:
    """Checks on the marts whose latest evaluation, in any run, failed."""
    latest = context.instance.event_log_storage.get_latest_asset_check_execution_by_key(
        checks_on_the_marts()
    )
    return sorted(
        key.to_user_string() for key, record in latest.items() if record.status.value == "FAILED"
    )


@dg.asset(
    key=PUBLISHED_KEY,
    group_name="delivery",
    kinds={"duckdb"},
    partitions_def=as_of_partitions,
    backfill_policy=single_run,
    deps=sorted(MART_TABLES, key=str),
    output_required=False,
    description=(
        "Read-only copy of the marts for BI (PUBLISHED_WAREHOUSE_PATH, default "
        "published/<warehouse name>_bi.duckdb beside WAREHOUSE_PATH), DuckDB storage "
        f"{STORAGE_VERSION}, swapped in atomically after a fully checked build."
    ),
)
def tiktok_one_bi(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> Iterator[dg.MaterializeResult]:
    as_of = window_of(context).last
    target = Path(warehouse.published_path)
    failed = failed_checks(context)
    if failed:
        raise dg.Failure(
            "Not publishing: the latest evaluation of these checks on the marts failed: "
            + ", ".join(failed)
        )
    current = published_as_of(target)
    if current is not None and current > as_of:
        context.log.warning(
            f"Not publishing the build as of {as_of}: {target} is as of {current}, later. "
            "Re-run the latest partition to rebuild the warehouse as of today's data."
        )
        return
    publication = publish_marts(
        Path(warehouse.warehouse_path),
        target,
        list(MART_TABLES.values()),
        as_of,
        context.run.run_id,
    )
    yield dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(publication.path)),
            "as_of_date": as_of.isoformat(),
            "tables": len(publication.tables),
            "storage_version": STORAGE_VERSION,
        }
    )
