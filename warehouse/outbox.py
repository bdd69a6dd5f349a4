"""The notifications outbox's day files, exported from the dbt model `outbox.tier_events`.

The table (models/marts/delivery/outbox_tier_events.sql) holds every event written so far;
the messaging system reads one Parquet file per day,
`<OUTBOX_DIR>/tier_events/date=D/events.parquet`, with a fixed schema and order. A day's file
is written to a temporary name, flushed, then renamed over the old one, so a reader never sees
half a file and exporting a day again writes the same bytes (the table never rewrites a day).
"""

from __future__ import annotations

import os
import uuid
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

# The file's schema is the messaging system's contract: fixed here, not inferred.
EVENT_SCHEMA = pa.schema(
    [
        pa.field("event_id", pa.string(), nullable=False),
        pa.field("event_date", pa.date32(), nullable=False),
        pa.field("event_type", pa.string(), nullable=False),
        pa.field("channel", pa.string(), nullable=False),
        pa.field("account_id", pa.string(), nullable=False),
        pa.field("from_tier", pa.string()),
        pa.field("to_tier", pa.string()),
        pa.field("scheduled_downgrade_date", pa.date32()),
        pa.field("spend_to_keep_tier_usd", pa.decimal128(18, 2)),
        pa.field("keep_tier_by", pa.date32()),
    ]
)

EVENT_ORDER = "event_date, account_id, event_type, channel"
OUTBOX_TABLE = "outbox.tier_events"


class DayNotWritten(Exception):
    """The outbox table holds no events for that day yet: the warehouse is built as of an
    earlier day."""


def event_file(outbox_dir: Path, day: date) -> Path:
    return outbox_dir / "tier_events" / f"date={day.isoformat()}" / "events.parquet"


def write_atomically(table: pa.Table, target: Path) -> None:
    """Write a Parquet file beside the target, flush it to disk, then rename it over the target."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    try:
        pq.write_table(table, temporary, compression="zstd")
        with open(temporary, "rb") as written:
            os.fsync(written.fileno())
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    directory = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def export_day(
    connection: duckdb.DuckDBPyConnection, outbox_dir: Path, day: date
) -> tuple[Path, int]:
    """The day's file from the day's rows of the outbox table (a day without events: an empty
    file); refuses a day after the warehouse's as-of date, which the table cannot hold yet."""
    rows = connection.execute("select as_of_date from intermediate.int_as_of_date").fetchall()
    built_as_of = rows[0][0] if rows else None
    if built_as_of is None or day > built_as_of:
        raise DayNotWritten(
            f"The warehouse is built as of {built_as_of}, before {day}: build it as of {day} "
            "or later (the warehouse_build job), then export the day."
        )
    table = connection.sql(
        f"select * from {OUTBOX_TABLE} where event_date = $day order by {EVENT_ORDER}",
        params={"day": day},
    ).to_arrow_table()
    target = event_file(outbox_dir, day)
    write_atomically(table.cast(EVENT_SCHEMA), target)
    return target, table.num_rows
