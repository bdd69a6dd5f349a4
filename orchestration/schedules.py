"""The daily schedule: every morning (UTC), build the warehouse as of the previous day."""

import dagster as dg

from orchestration.as_of import previous_day
from orchestration.jobs import warehouse_build


def daily_run_config(as_of: str) -> dict:
    """The run config of a daily run: the as-of date for the dbt step."""
    return {"ops": {"warehouse_dbt_build": {"config": {"as_of_date": as_of}}}}


@dg.schedule(
    job=warehouse_build,
    cron_schedule="0 6 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="At 06:00 UTC, build as of yesterday, the last complete day of spend.",
)
def daily_warehouse_build(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    as_of = previous_day(context.scheduled_execution_time).isoformat()
    # One run per as-of date (the run key makes a re-evaluated tick a no-op); the partition
    # is the outbox day the run exports.
    return dg.RunRequest(run_key=as_of, partition_key=as_of, run_config=daily_run_config(as_of))
