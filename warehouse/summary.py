"""The short summary `make run` prints: where the warehouse is and what it says today."""

from __future__ import annotations

from pathlib import Path

import duckdb

TIER_SQL = """
with as_of as (select max(date_day) as as_of_date from marts.fct_account_tier_daily)
select
    (select as_of_date from as_of) as as_of_date,
    (select count(*) filter (where tier = 'premium') from marts.dim_accounts) as premium,
    (select count(*) filter (where tier = 'classic') from marts.dim_accounts) as classic,
    (select count(*) filter (where tier = 'essential') from marts.dim_accounts) as essential,
    (select count(*) filter (where tier = 'none') from marts.dim_accounts) as below_essential,
    (select count(*) from marts.fct_downgrade_warnings where outcome = 'pending')
        as warnings_pending,
    (select count(*) from marts.fct_tier_changes, as_of
        where change_type = 'downgrade' and effective_date > as_of_date - 30) as downgrades_30d
"""


CREDIT_SQL = """
select
    (select count(*) from marts.fct_credit_issuance) as credits_issued,
    (select coalesce(sum(amount_usd), 0) from marts.fct_credit_issuance) as issued_usd,
    (select count(*) filter (where status = 'missing')
        from marts.fct_spend_match_reconciliation) as missing,
    (select count(*) filter (where status = 'issued_late')
        from marts.fct_spend_match_reconciliation) as late,
    (select count(*) from marts.fct_credit_expiry_outlook where is_expiring_within_7d)
        as expiring_7d,
    (select coalesce(sum(remaining_usd), 0) from marts.fct_credit_expiry_outlook
        where is_expiring_within_7d) as expiring_7d_usd
"""


def credit_summary(connection: duckdb.DuckDBPyConnection) -> str:
    row = connection.execute(CREDIT_SQL).fetchone()
    assert row is not None
    issued, issued_usd, missing, late, expiring, expiring_usd = row
    return (
        f"Credits: {issued:,} issued (${issued_usd:,.2f}); "
        f"spend-match credits missing {missing:,}, late {late:,}; "
        f"expiring in 7 days: {expiring:,} (${expiring_usd:,.2f} left)."
    )


def tier_summary(connection: duckdb.DuckDBPyConnection) -> str:
    row = connection.execute(TIER_SQL).fetchone()
    assert row is not None
    as_of, premium, classic, essential, below, pending, downgrades = row
    return (
        f"As of {as_of}: accounts per tier: premium {premium:,}, classic {classic:,}, "
        f"essential {essential:,}, none {below:,}. "
        f"Downgrade warnings pending: {pending:,}. Downgrades in the last 30 days: {downgrades:,}."
    )


def summary(warehouse: Path) -> str:
    """Every summary line of a built warehouse, opened read-only."""
    connection = duckdb.connect(str(warehouse), read_only=True)
    try:
        return "\n".join(
            [f"Warehouse: {warehouse}", tier_summary(connection), credit_summary(connection)]
        )
    finally:
        connection.close()
