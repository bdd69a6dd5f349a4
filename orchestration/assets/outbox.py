"""The outbox's day files: the one partitioned asset, a day of events per partition.

Partition D exports the events dated D from the dbt model `outbox.tier_events` to
`<OUTBOX_DIR>/tier_events/date=D/events.parquet` (warehouse/outbox.py). The table is written
by the `outbox_dbt` step after the checks of the marts it reads passed, so a day held back by
a failed check is neither written nor exported. Exporting a day again (a backfill of this
asset alone) rewrites the same bytes; it needs no dbt.
"""

from pathlib import Path

import dagster as dg

from orchestration.freshness import delivered_daily
from orchestration.partitions import outbox_days
from orchestration.resources import WAREHOUSE_POOL, WarehouseResource
from warehouse.outbox import DayNotWritten, export_day

OUTBOX_TABLE_KEY = dg.AssetKey(["outbox", "tier_events"])
OUTBOX_FILES_KEY = dg.AssetKey(["outbox", "tier_event_files"])


@dg.asset(
    key=OUTBOX_FILES_KEY,
    group_name="delivery",
    kinds={"parquet"},
    partitions_def=outbox_days,
    freshness_policy=delivered_daily,
    deps=[OUTBOX_TABLE_KEY],
    pool=WAREHOUSE_POOL,
    description=(
        "The day's tier events (downgrade warnings in-product and by email, with the spend "
        "that keeps the tier and the last day to, downgrades, upgrades) as "
        "<OUTBOX_DIR>/tier_events/date=YYYY-MM-DD/events.parquet, from outbox.tier_events."
    ),
)
def tier_event_files(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    day = outbox_days.time_window_for_partition_key(context.partition_key).start.date()
    try:
        with warehouse.connect(read_only=True) as connection:
            path, events = export_day(connection, Path(warehouse.outbox_dir), day)
    except DayNotWritten as error:
        raise dg.Failure(description=str(error)) from None
    context.log.info(f"Outbox: {events} events for {day} in {path}")
    return dg.MaterializeResult(
        metadata={"events": events, "path": dg.MetadataValue.path(str(path))}
    )
