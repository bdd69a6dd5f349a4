"""What `make run` and the Dagster checks read from a landing zone before dbt runs: which
source folders are missing, and the latest spend date (the dbt hook
`assert_as_of_date_has_spend` reads it the same way)."""

from __future__ import annotations

import contextlib
from datetime import date
from pathlib import Path

import duckdb

from warehouse.contract import LANDING_SCHEMAS

SOURCES: tuple[str, ...] = tuple(LANDING_SCHEMAS)


def missing_sources(landing: Path) -> list[str]:
    """The sources whose folder is missing or holds no Parquet file."""
    return [source for source in SOURCES if not any((landing / source).glob("*.parquet"))]


def latest_spend_date(landing: Path) -> date | None:
    """The latest spend_date of the raw ad_spend rows, leaving out rows dated after the day
    they were reported (plus a day's grace), which staging quarantines as
    `spend_date_in_future`; None when there is no such row. Reads two columns, no model.
    Raises duckdb.Error when a file cannot be read."""
    files = sorted(str(path) for path in (landing / "ad_spend").glob("*.parquet"))
    if not files:
        return None
    connection = duckdb.connect()
    try:
        with contextlib.suppress(duckdb.Error):  # without ICU, time zones are read as UTC
            connection.execute("set TimeZone = 'UTC'")
        row = connection.execute(
            """
            select max(cast(spend_date as date))
            from read_parquet(?, union_by_name = true)
            where cast(spend_date as date)
                <= cast(cast(reported_at as timestamp) as date) + 1
            """,
            [files],
        ).fetchone()
    finally:
        connection.close()
    return row[0] if row else None
