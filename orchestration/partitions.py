"""Daily partitions: one partition per as-of date (what a key means: orchestration/as_of.py)."""

import dagster as dg

from orchestration.as_of import AsOfWindow

# The first as-of date an operator can pick. end_offset=1 keeps today's partition, so that
# `make run` can build as of the latest spend_date in any landing zone, even one that already
# has today's; the schedule builds yesterday's (orchestration/schedules.py).
AS_OF_START = "2024-01-01"

as_of_partitions = dg.DailyPartitionsDefinition(
    start_date=AS_OF_START, end_offset=1, timezone="UTC", fmt="%Y-%m-%d"
)

# A backfill of a range is one run, in one process, against the one DuckDB file: the marts are
# built once as of the range's last day and the outbox writes the days in order.
single_run = dg.BackfillPolicy.single_run()


def window_of(context: dg.AssetExecutionContext) -> AsOfWindow:
    """The as-of window of a partitioned asset's run (one key, or a single-run range)."""
    key_range = context.partition_key_range
    return AsOfWindow.from_keys(key_range.start, key_range.end)
