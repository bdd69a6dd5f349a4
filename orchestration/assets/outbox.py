"""The notifications outbox asset: each day of the run's window, in order (warehouse/outbox.py).

It reads the marts after their checks: a failed blocking check on them (a dbt test or a GX
suite) or on the staged spend (an incomplete as-of day) stops this step, so no notification
leaves a build that failed its checks.
"""

from pathlib import Path

import dagster as dg

from orchestration.assets.dbt import mart_key
from orchestration.freshness import delivered_daily
from orchestration.partitions import as_of_partitions, single_run, window_of
from orchestration.resources import WarehouseResource
from warehouse.outbox import replace_days, write_day_file


@dg.asset(
    key=["outbox", "tier_events"],
    group_name="delivery",
    kinds={"duckdb", "parquet"},
    partitions_def=as_of_partitions,
    backfill_policy=single_run,
    freshness_policy=delivered_daily,
    deps=[
        mart_key("fct_tier_changes"),
        mart_key("fct_downgrade_warnings"),
        mart_key("fct_tier_outlook"),
        # Not read, but their checks must pass before any notification goes out: the as-of
        # date is fresh, the account-day spine is whole, its spend equals the staged spend,
        # and the as-of day's spend arrived complete (its volume band).
        mart_key("fct_account_tier_daily"),
        dg.AssetKey(["staging", "stg_ads_manager__ad_spend"]),
    ],
    description=(
        "The day's tier events (downgrade warnings in-product and by email, with the spend "
        "that keeps the tier and the last day to, downgrades, upgrades) in table "
        "outbox.tier_events and in "
        "<OUTBOX_DIR>/tier_events/date=YYYY-MM-DD/events.parquet; idempotent per day."
    ),
)
def tier_events(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    window = window_of(context)
    outbox_dir = Path(warehouse.outbox_dir)
    with warehouse.connect(read_only=False) as connection:
        row = connection.execute("select as_of_date from intermediate.int_as_of_date").fetchone()
        built_as_of = row[0] if row else None
        if built_as_of is None or built_as_of < window.last:
            raise dg.Failure(
                f"The marts are as of {built_as_of}, before {window.last}: build them as of "
                f"{window.last} or later before writing its outbox."
            )
        rows = replace_days(connection, window.first, window.last)
        files = [write_day_file(connection, outbox_dir, day) for day in window.days()]
    context.log.info(f"Outbox: {rows} events over {len(files)} day(s), last file {files[-1]}")
    return dg.MaterializeResult(
        metadata={
            "events": rows,
            "days": len(files),
            "last_file": dg.MetadataValue.path(str(files[-1])),
        }
    )
