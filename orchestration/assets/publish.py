"""The BI copy as an asset: the marts, published after a fully checked build.

It depends on every mart and on the staged daily sources that the volume bands judge, so every
blocking check on them (dbt tests and GX suites) runs first in the same run, and one failure
stops it: a build that fails its checks, or holds an incomplete day, is never published. Run on
its own (say from the UI), it also refuses while the latest evaluation of such a check is a
failure of severity error (a warning does not hold it back). It publishes the warehouse as
built (its as-of date from intermediate.int_as_of_date), and never moves BI back in time: when
the published copy is as of a later day (a replay of an older as-of date), it leaves it alone.
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dagster as dg

from orchestration.assets.dbt import MART_TABLES, built_as_of, warehouse_dbt_build
from orchestration.checks import GX_CHECK_SPECS
from orchestration.freshness import delivered_daily
from orchestration.resources import WAREHOUSE_POOL, WarehouseResource
from warehouse.publish import STORAGE_VERSION, publish_marts, published_as_of

PUBLISHED_KEY = dg.AssetKey(["published", "tiktok_one_bi"])

# The staged daily sources whose as-of day the volume bands judge: not read by the publish,
# but an incomplete day in either holds the BI copy back.
STAGED_DAILY_SOURCES = [
    dg.AssetKey(["staging", "stg_ads_manager__ad_spend"]),
    dg.AssetKey(["staging", "stg_creators__creator_daily_stats"]),
]


def checks_gating_publication() -> list[dg.AssetCheckKey]:
    """Every blocking check the publish waits for: the marts' dbt tests and the blocking GX
    suites (whether in this run or not)."""
    dbt_checks = [key for key in warehouse_dbt_build.check_keys if key.asset_key in MART_TABLES]
    gx_checks = [spec.key for spec in GX_CHECK_SPECS.values() if spec.blocking]
    return sorted([*dbt_checks, *gx_checks], key=str)


def failed_with_error(record: Any) -> bool:
    """A check execution that failed with severity error (a warning does not count)."""
    if record.status.value != "FAILED":
        return False
    evaluation = record.event.dagster_event.event_specific_data if record.event else None
    return getattr(evaluation, "severity", dg.AssetCheckSeverity.ERROR) == (
        dg.AssetCheckSeverity.ERROR
    )


def failed_checks(context: dg.AssetExecutionContext) -> list[str]:
    """Checks gating publication whose latest evaluation, in any run, failed with an error."""
    latest = context.instance.event_log_storage.get_latest_asset_check_execution_by_key(
        checks_gating_publication()
    )
    return sorted(
        key.to_user_string() for key, record in latest.items() if failed_with_error(record)
    )


@dg.asset(
    key=PUBLISHED_KEY,
    group_name="delivery",
    kinds={"duckdb"},
    freshness_policy=delivered_daily,
    pool=WAREHOUSE_POOL,
    deps=sorted([*MART_TABLES, *STAGED_DAILY_SOURCES], key=str),
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
    target = Path(warehouse.published_path)
    failed = failed_checks(context)
    if failed:
        raise dg.Failure(
            "Not publishing: the latest evaluation of these checks failed: " + ", ".join(failed)
        )
    as_of = built_as_of(warehouse)
    if as_of is None:
        raise dg.Failure(description="The warehouse is not built yet: run warehouse_build.")
    current = published_as_of(target)
    if current is not None and current > as_of:
        context.log.warning(
            f"Not publishing the build as of {as_of}: {target} is as of {current}, later. "
            "Build as of the latest spend day (make run, or the daily job) to publish again."
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
