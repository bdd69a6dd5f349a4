"""Freshness over time, with Dagster's own freshness policies: what leaves the warehouse must
leave every day.

The daily schedule builds as of yesterday at 06:00 UTC (orchestration/schedules.py); by 08:00
UTC the outbox and the BI copy must have been written within the last 24 hours. A day held
back by a failed check (say an incomplete day of spend), a run that failed or never started,
all show in the UI as the asset failing its freshness policy, whatever the reason. Dagster's
freshness daemon evaluates the policies (it runs by default under `make dagster-dev`); they
supersede the freshness checks of earlier Dagster versions.
"""

from datetime import timedelta

import dagster as dg

DELIVERY_DEADLINE_CRON = "0 8 * * *"
DELIVERY_MAX_AGE = timedelta(hours=24)

delivered_daily = dg.FreshnessPolicy.cron(
    deadline_cron=DELIVERY_DEADLINE_CRON,
    lower_bound_delta=DELIVERY_MAX_AGE,
    timezone="UTC",
)
