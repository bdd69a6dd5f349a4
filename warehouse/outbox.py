"""The notifications outbox: each day's tier events, for the messaging system to pick up.

For a day D the outbox holds the events dated D: downgrade warnings issued on D (RULES.md
section 4: an in-product notification and an email), and the downgrades and upgrades that take
effect on D (an in-product notification each; the program promises email only for the
warning). They go to the table `outbox.tier_events` in the warehouse and to one Parquet file per
day, `<OUTBOX_DIR>/tier_events/date=D/events.parquet`.

A warning also carries what keeps the tier (RULES.md section 13, from `marts.fct_tier_outlook`):
`spend_to_keep_tier_usd`, the spend on the next day that keeps it, and `keep_tier_by`, the last
day it can. The outlook is that of the build's as-of date, so they are filled when the warning
is dated the as-of date (the daily run) and null for a warning of an earlier day (a backfill of
older days, or a day re-written by a later build); upgrades and downgrades have none.

A day's events depend only on spend up to D, so any build as of D or later gives the same
rows (an upgrade, a downgrade or a warning dated D never changes once D is over, restatements
aside), except the two outlook fields above. Writing a day is idempotent: the day's rows are
replaced in one transaction, and the file is written in a fixed order and schema to a
temporary name, then renamed over the old one, so a re-run writes the same bytes and a reader
never sees half a file.
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

CREATE_TABLE = """
create schema if not exists outbox;
create table if not exists outbox.tier_events (
    event_id varchar not null,
    event_date date not null,
    event_type varchar not null,
    channel varchar not null,
    account_id varchar not null,
    from_tier varchar,
    to_tier varchar,
    scheduled_downgrade_date date,
    spend_to_keep_tier_usd decimal(18, 2),
    keep_tier_by date
);
-- An outbox written before the warnings carried the tier outlook gets its columns.
alter table outbox.tier_events add column if not exists spend_to_keep_tier_usd decimal(18, 2);
alter table outbox.tier_events add column if not exists keep_tier_by date;
"""

# from_tier/to_tier: the change for an upgrade or downgrade; for a warning, the tier at risk
# and the tier the account would drop to, with the outlook of the as-of date when the warning
# is dated that day (see the module's docstring). event_id is stable across re-runs, so that the
# messaging system can drop a message it has already sent.
DAY_EVENTS = f"""
with

tier_changes as (
    select * from marts.fct_tier_changes
),

downgrade_warnings as (
    select * from marts.fct_downgrade_warnings
),

tier_outlook as (
    select * from marts.fct_tier_outlook
),

changes as (
    select
        effective_date as event_date,
        change_type as event_type,
        account_id,
        from_tier,
        to_tier,
        cast(null as date) as scheduled_downgrade_date,
        cast(null as decimal(18, 2)) as spend_to_keep_tier_usd,
        cast(null as date) as keep_tier_by,
    from tier_changes
    where effective_date between $first and $last
        and change_type in ('upgrade', 'downgrade')
),

warnings as (
    select
        downgrade_warnings.warning_date as event_date,
        'downgrade_warning' as event_type,
        downgrade_warnings.account_id,
        downgrade_warnings.tier_at_risk as from_tier,
        downgrade_warnings.projected_tier as to_tier,
        downgrade_warnings.scheduled_downgrade_date,
        tier_outlook.spend_to_keep_tier_usd,
        tier_outlook.keep_tier_by,
    from downgrade_warnings
    left join tier_outlook
        on downgrade_warnings.account_id = tier_outlook.account_id
        and downgrade_warnings.warning_date = tier_outlook.as_of_date
    where downgrade_warnings.warning_date between $first and $last
),

events as (
    select * from changes
    union all
    select * from warnings
),

channels (event_type, channel) as (
    values
        ('downgrade_warning', 'in_product'),
        ('downgrade_warning', 'email'),
        ('downgrade', 'in_product'),
        ('upgrade', 'in_product')
),

final as (
    select
        sha256(concat_ws(
            '|', events.event_type, channels.channel, events.account_id,
            strftime(events.event_date, '%Y-%m-%d')
        )) as event_id,
        events.event_date,
        events.event_type,
        channels.channel,
        events.account_id,
        events.from_tier,
        events.to_tier,
        events.scheduled_downgrade_date,
        events.spend_to_keep_tier_usd,
        events.keep_tier_by,
    from events
    inner join channels
        on events.event_type = channels.event_type
)

select * from final
order by {EVENT_ORDER}
"""


def event_file(outbox_dir: Path, day: date) -> Path:
    return outbox_dir / "tier_events" / f"date={day.isoformat()}" / "events.parquet"


def replace_days(connection: duckdb.DuckDBPyConnection, first: date, last: date) -> int:
    """Replace the outbox rows of the days [first, last] in one transaction; rows written."""
    connection.execute(CREATE_TABLE)
    connection.execute("begin transaction")
    try:
        window = {"first": first, "last": last}
        connection.execute(
            "delete from outbox.tier_events where event_date between $first and $last", window
        )
        connection.execute(f"insert into outbox.tier_events {DAY_EVENTS}", window)
        row = connection.execute(
            "select count(*) from outbox.tier_events where event_date between $first and $last",
            window,
        ).fetchone()
        connection.execute("commit")
    except Exception:
        connection.execute("rollback")
        raise
    return int(row[0]) if row else 0


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


def write_day_file(connection: duckdb.DuckDBPyConnection, outbox_dir: Path, day: date) -> Path:
    """The day's file, from the day's rows of the outbox table (an empty day: an empty file)."""
    table = connection.sql(
        f"select * from outbox.tier_events where event_date = $day order by {EVENT_ORDER}",
        params={"day": day},
    ).to_arrow_table()
    target = event_file(outbox_dir, day)
    write_atomically(table.cast(EVENT_SCHEMA), target)
    return target
