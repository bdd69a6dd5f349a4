"""A day that lands the way a real one does: a new file in every source, or a restatement.

Used by the benchmark and the tests of the incremental build (never on a real landing zone).
Each new file is derived from the landing zone's own rows, so it fits any zone the generator
wrote: the spend of the day before moved on by a day, a new rate per currency, a few new
accounts with their payment methods, copies of recent coupon attempts, billing credits,
managed grants, invoices and creative requests under new ids, and each creator's latest stats
a day later. Files are named `<tag>-<day>.parquet` so that a zone holds several such days.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from warehouse.contract import LANDING_SCHEMAS

# Per source: the rows of the new file, from `{rows}` (the source's existing rows), for the
# day `{day}` (a date literal) and the id suffix `{tag}`.
NEW_DAY_ROWS: dict[str, str] = {
    "ad_spend": """
        select * replace (
            {day} as spend_date,
            cast({day} + interval 1 day + interval 6 hour as timestamp) as reported_at
        )
        from {rows} where spend_date = {day} - 1
    """,
    "fx_rates": """
        select currency, {day} as rate_date, usd_per_unit * 1.001 as usd_per_unit
        from {rows} qualify row_number() over (partition by currency order by rate_date desc) = 1
    """,
    "accounts": """
        select * replace (
            account_id || '_{tag}' as account_id,
            {day} as ads_manager_created_on,
            case when tiktok_one_joined_on is not null then {day} end as tiktok_one_joined_on,
            case when business_profile_completed_on is not null then {day} end
                as business_profile_completed_on
        )
        from {rows} where account_id is not null order by account_id limit 5
    """,
    "payment_methods": """
        select * replace (
            payment_method_id || '_{tag}' as payment_method_id,
            account_id || '_{tag}' as account_id,
            cast({day} as timestamp) + interval 9 hour as linked_at,
            cast(null as timestamp) as removed_at
        )
        from {rows}
        where account_id in (
            select account_id from {accounts} where account_id is not null
            order by account_id limit 5
        )
    """,
    "coupon_redemption_attempts": """
        select * replace (
            attempt_id || '_{tag}' as attempt_id,
            cast({day} as timestamp) + interval 10 hour as attempted_at
        )
        from {rows} where attempt_id is not null order by attempted_at desc limit 5
    """,
    "billing_credits": """
        select * replace (
            credit_id || '_{tag}' as credit_id,
            cast({day} as timestamp) + interval 11 hour as issued_at,
            cast({day} as timestamp) + interval 11 hour + interval 30 day as expires_at
        )
        from {rows} where credit_id is not null order by issued_at desc limit 5
    """,
    "managed_credit_grants": """
        select * replace (
            grant_id || '_{tag}' as grant_id,
            cast({day} as timestamp) + interval 12 hour as granted_at,
            cast({day} as timestamp) + interval 12 hour + interval 60 day as expires_at
        )
        from {rows} where grant_id is not null order by granted_at desc limit 3
    """,
    "invoices": """
        select * replace (
            invoice_id || '_{tag}' as invoice_id,
            {day} as issued_on,
            {day} + 30 as due_on,
            cast(null as date) as paid_on
        )
        from {rows} where invoice_id is not null order by issued_on desc limit 20
    """,
    "creative_requests": """
        select * replace (
            request_id || '_{tag}' as request_id,
            cast({day} as timestamp) + interval 13 hour as requested_at
        )
        from {rows} where request_id is not null order by requested_at desc limit 20
    """,
    "creator_daily_stats": """
        select * replace ({day} as stat_date)
        from {rows}
        qualify row_number() over (partition by creator_id order by stat_date desc) = 1
    """,
}


def write_rows(landing: Path, source: str, file_name: str, query: str) -> Path:
    """Write a query's rows as a new file of a source, in the contract's column order."""
    columns = ", ".join(LANDING_SCHEMAS[source].names)
    target = landing / source / file_name
    # A connection of its own: the default one is shared by the whole process.
    with duckdb.connect() as connection:
        connection.sql(f"select {columns} from ({query})").write_parquet(str(target))
    return target


def _rows(landing: Path, source: str) -> str:
    return f"read_parquet('{landing}/{source}/*.parquet', union_by_name = true)"


def land_day(landing: Path, day: date, sources: tuple[str, ...] | None = None) -> list[Path]:
    """Land a new file for `day` in each source (all ten by default); returns the files."""
    tag = day.strftime("%Y%m%d")
    written = []
    for source in sources or tuple(NEW_DAY_ROWS):
        query = NEW_DAY_ROWS[source].format(
            rows=_rows(landing, source),
            accounts=_rows(landing, "accounts"),
            day=f"date '{day.isoformat()}'",
            tag=tag,
        )
        written.append(write_rows(landing, source, f"day-{tag}.parquet", query))
    return written


def restate_spend(landing: Path, day: date, reported_on: date, factor: float = 1.1) -> Path:
    """Restate every spend row of `day` (spend times `factor`), reported on `reported_on`."""
    query = f"""
        select * replace (
            cast(spend * {factor} as decimal(18, 2)) as spend,
            cast(date '{reported_on.isoformat()}' as timestamp) + interval 7 hour as reported_at
        )
        from {_rows(landing, "ad_spend")} where spend_date = date '{day.isoformat()}'
    """
    return write_rows(landing, "ad_spend", f"restatement-{day.strftime('%Y%m%d')}.parquet", query)
