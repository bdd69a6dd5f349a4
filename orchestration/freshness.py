"""Freshness over time, with Dagster's own freshness checks: what leaves the warehouse must
leave every day.

The daily schedule builds as of yesterday at 06:00 UTC (orchestration/schedules.py); by 08:00
UTC the outbox and the BI copy must have been written within the last 24 hours. A day held
back by a failed check (say an incomplete day of spend), a run that failed or never started,
all show here as an overdue asset, whatever the reason. The checks are evaluated by their
sensor (running by default under `make dagster-dev`), not by the build job itself, which
would judge its own outputs before writing them.
"""

from datetime import timedelta

import dagster as dg

OUTBOX_KEY = dg.AssetKey(["outbox", "tier_events"])
PUBLISHED_KEY = dg.AssetKey(["published", "tiktok_one_bi"])

# Two hours after the 06:00 run starts; the run before must be less than a day older.
DELIVERY_DEADLINE_CRON = "0 8 * * *"
DELIVERY_MAX_AGE = timedelta(hours=24)

DELIVERY_FRESHNESS_CHECKS = dg.build_last_update_freshness_checks(
    assets=[OUTBOX_KEY, PUBLISHED_KEY],
    lower_bound_delta=DELIVERY_MAX_AGE,
    deadline_cron=DELIVERY_DEADLINE_CRON,
    timezone="UTC",
    severity=dg.AssetCheckSeverity.WARN,
)

FRESHNESS_CHECK_KEYS = [key for checks in DELIVERY_FRESHNESS_CHECKS for key in checks.check_keys]

delivery_freshness_sensor = dg.build_sensor_for_freshness_checks(
    freshness_checks=DELIVERY_FRESHNESS_CHECKS,
    name="delivery_freshness",
    default_status=dg.DefaultSensorStatus.RUNNING,
)
