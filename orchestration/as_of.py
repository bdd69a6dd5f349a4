"""The as-of date of a run, as plain dates (no Dagster here, so that it is cheap to test).

The warehouse holds one as-of state: every mart is computed from the whole history as of a
date D, "the end of day D" (docs/rules.md, conventions). A run is given D as run config
(`as_of_date` of the dbt step); the schedule and `make run` give it, and so does a run of
the daily job for one day of the outbox (its partition key), unless the config says
otherwise. With neither, dbt builds as of its default, the latest spend day.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta

# The run tags the dbt step sets, which the checks after it read.
AS_OF_TAG = "warehouse/as_of_date"
REQUESTED_TAG = "warehouse/requested_as_of_date"
DBT_VARS_TAG = "warehouse/dbt_vars"


def parse_as_of(value: str | None) -> date | None:
    """A configured as-of date, YYYY-MM-DD; None when not given."""
    if value is None or not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(
            f"as_of_date {value!r} is not a date: give it as YYYY-MM-DD, e.g. 2026-03-31"
        ) from None


def requested_as_of(configured: str | None, partition_key: str | None) -> date | None:
    """The as-of date a run asks for: its config, else its partition key, else None."""
    return parse_as_of(configured) or parse_as_of(partition_key)


def requested_from_tags(tags: Mapping[str, str]) -> date | None:
    """The as-of date the run asked for, as the dbt step tagged it (None: dbt's default)."""
    return parse_as_of(tags.get(REQUESTED_TAG))


def previous_day(moment: datetime) -> date:
    """The as-of date of a daily run started at `moment`: the last complete day before it."""
    return moment.date() - timedelta(days=1)
