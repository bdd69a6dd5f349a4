"""The one partitioned asset: the outbox's day files, one partition per day of events.

The warehouse holds one as-of state, so its assets are not partitioned: a run is given its
as-of date as config. The day files are truly stored per day: partition D is the file of
the events dated D (orchestration/assets/outbox.py).
"""

import dagster as dg

# The first day an outbox file can be written for. end_offset=1 keeps today, so that a
# landing zone that already has today's spend can be built and its day exported.
OUTBOX_START = "2024-01-01"

outbox_days = dg.DailyPartitionsDefinition(
    start_date=OUTBOX_START, end_offset=1, timezone="UTC", fmt="%Y-%m-%d"
)
