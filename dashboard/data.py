"""What the dashboard reads, and nothing else: named, parameterised queries over the BI copy,
and over a what-if file when the dashboard is given one (`make dashboard WHAT_IF=<file>`).

Every query is a constant SQL text with `$name` parameters; nothing typed by a user is ever
pasted into SQL. The module does not import Streamlit, so the tests and the benchmark run the
same queries the pages do.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from warehouse.config import published_warehouse_path


@dataclass(frozen=True)
class Publication:
    """One published copy: its file and the run that wrote it (the cache key of every query)."""

    path: str
    run_id: str
    published_at: datetime
    as_of_date: date


# The Program page lists the members whose tier drops within this many days without spend.
AT_RISK_DAYS = 7


class NoPublication(Exception):
    """There is no published copy to read (yet)."""


def bi_copy_path() -> Path:
    return published_warehouse_path()


def connect(path: Path | str) -> duckdb.DuckDBPyConnection:
    """A read-only connection to the copy at `path`, as it is now.

    The file is attached to a fresh in-memory database rather than opened with
    `duckdb.connect(path)`: DuckDB shares one instance per path within a process, so while an
    older connection is open that would keep showing the copy that has since been replaced.
    """
    connection = duckdb.connect()
    connection.execute("attach $path as bi (read_only)", {"path": str(path)})
    connection.execute("use bi")
    return connection


def current_publication(path: Path | None = None) -> Publication:
    """The copy at `path` (default: the configured BI copy) as meta.publication describes it."""
    path = path or bi_copy_path()
    if not path.exists():
        raise NoPublication(
            f"No published copy at {path}: `make run` builds the warehouse and publishes it."
        )
    connection = connect(path)
    try:
        row = connection.execute(
            "select run_id, published_at, as_of_date from meta.publication"
        ).fetchone()
    except duckdb.CatalogException as error:
        raise NoPublication(f"{path} holds no meta.publication: it is not a BI copy.") from error
    finally:
        connection.close()
    if row is None:
        raise NoPublication(f"{path} has an empty meta.publication.")
    return Publication(str(path), row[0], row[1], row[2])


QUERIES: dict[str, str] = {
    # The rules, from the copy (schema rules), so every page shows the numbers of this build:
    # each tier's rule in effect on the as-of date (its latest row from then or before).
    "tier_thresholds": """
        select tier, tier_rank, min_rolling_30d_spend_usd, weekly_creative_cap, effective_from
        from rules.tier_thresholds
        where effective_from <= $as_of
        qualify row_number() over (partition by tier order by effective_from desc) = 1
        order by tier_rank
    """,
    # Rule changes that take effect after the as-of date (RULES.md section 14).
    "tier_rules_scheduled": """
        select tier, tier_rank, min_rolling_30d_spend_usd, weekly_creative_cap, effective_from
        from rules.tier_thresholds
        where effective_from > $as_of
        order by effective_from, tier_rank
    """,
    # Each tier's minimum over time: from each row's effective_from to the tier's next row.
    "tier_minimums_over_time": """
        select tier, tier_rank, min_rolling_30d_spend_usd, effective_from as valid_from,
            lead(effective_from) over (partition by tier order by effective_from) as valid_until
        from rules.tier_thresholds
        order by tier_rank, effective_from
    """,
    # Program
    # A small mart (a row per day and tier), not the tier days it counts.
    "members_per_tier_daily": """
        select date_day, tier, tier_rank, members as accounts
        from marts.fct_tier_members_daily
        order by date_day, tier_rank
    """,
    "members_per_tier_today": """
        select tier, count(*) as accounts
        from marts.dim_accounts
        where is_tiktok_one_member
        group by tier
    """,
    "tier_changes_weekly": """
        select week_start, week_start + 7 as week_end, change_type, sum(changes) as changes
        from marts.fct_tier_changes_weekly
        where change_type in ('upgrade', 'downgrade')
        group by all
        order by week_start, change_type
    """,
    # Accounts per scheduled downgrade day and tier at risk (a day wide each).
    "pending_warnings": """
        select scheduled_downgrade_date, scheduled_downgrade_date + 1 as next_day,
            tier_at_risk, count(*) as accounts
        from marts.fct_downgrade_warnings
        where outcome = 'pending'
        group by all
        order by scheduled_downgrade_date, tier_at_risk
    """,
    # Members below their tier whose last day to keep it is within $days days of the as-of
    # date, with what keeps it (fct_tier_outlook) and their pending warning, if any.
    "tiers_at_risk": """
        select
            '?page=Account&account=' || url_encode(outlook.account_id) as account,
            accounts.account_name,
            outlook.tier,
            outlook.days_below_tier,
            outlook.spend_to_keep_tier_usd,
            outlook.keep_tier_by,
            outlook.tier_after_downgrade_without_spend as drops_to,
            outlook.spend_to_next_tier_usd,
            warnings.warning_date as warned_on,
            warnings.warning_reason
        from marts.fct_tier_outlook as outlook
        inner join marts.dim_accounts as accounts
            on outlook.account_id = accounts.account_id
        left join marts.fct_downgrade_warnings as warnings
            on outlook.account_id = warnings.account_id
            and warnings.outcome = 'pending'
        where outlook.keep_tier_by <= outlook.as_of_date + cast($days as integer)
        order by outlook.keep_tier_by, outlook.spend_to_keep_tier_usd desc, outlook.account_id
    """,
    "creative_requests_weekly": """
        select request_week, request_week + 7 as week_end, 'within cap' as part,
            sum(creatives_within_cap) as creatives
        from marts.fct_creative_requests
        group by request_week
        union all
        select request_week, request_week + 7 as week_end, 'over cap' as part,
            sum(creatives_over_cap) as creatives
        from marts.fct_creative_requests
        group by request_week
        order by request_week, part
    """,
    # Account
    "account_search": """
        select account_id, account_name
        from marts.dim_accounts
        where $text = ''
            or account_id ilike '%' || $text || '%'
            or account_name ilike '%' || $text || '%'
        order by account_id = $text desc, account_id
        limit 50
    """,
    "account": """
        select
            account_id, account_name, country_code, tier, days_below_tier, tier_since,
            is_tiktok_one_member, tiktok_one_joined_on, ads_manager_created_on,
            is_first_time_advertiser, business_profile_completed_on, is_managed
        from marts.dim_accounts
        where account_id = $account_id
    """,
    "account_tier_days": """
        select date_day, date_day + 1 as next_day, tier, tier_rank, qualified_tier_rank,
            qualifying_spend_usd, spend_basis, days_below_tier
        from marts.fct_account_tier_daily
        where account_id = $account_id
        order by date_day
    """,
    "account_outlook": """
        select as_of_date, tier, days_below_tier, spend_to_keep_tier_usd, keep_tier_by,
            next_tier, spend_to_next_tier_usd, downgrade_date_without_spend,
            tier_after_downgrade_without_spend
        from marts.fct_tier_outlook
        where account_id = $account_id
    """,
    "account_tier_changes": """
        select effective_date, change_type, from_tier, to_tier, qualifying_spend_usd, change_reason
        from marts.fct_tier_changes
        where account_id = $account_id
        order by effective_date desc
    """,
    "account_warnings": """
        select warning_date, tier_at_risk, projected_tier, scheduled_downgrade_date, outcome,
            resolved_on, warning_reason
        from marts.fct_downgrade_warnings
        where account_id = $account_id
        order by warning_date desc
    """,
    "account_creative_requests": """
        select request_id, requested_at, request_week, tier, weekly_cap, creatives_requested,
            creatives_within_cap, creatives_over_cap
        from marts.fct_creative_requests
        where account_id = $account_id
        order by requested_at desc
    """,
    "account_credits": """
        select credit_id, credit_source, credit_type, amount_usd, consumed_usd, expired_usd,
            remaining_usd, issued_at, expires_at
        from marts.fct_credit_issuance
        where account_id = $account_id
        order by issued_at desc
    """,
    "account_ledger": """
        select entry_date, credit_id, entry_type, amount_usd, remaining_usd
        from marts.fct_credit_ledger
        where account_id = $account_id
        order by entry_date desc, credit_id, entry_order desc
    """,
    "account_balance_daily": """
        select date_day, date_day + 1 as next_day, free_credit_balance_usd,
            discount_coupon_balance_usd, balance_usd
        from marts.fct_account_credit_balance_daily
        where account_id = $account_id
        order by date_day
    """,
    "account_spend_match": """
        select status, offer_id, credit_id, trigger_at, due_by, issued_at, status_reason
        from marts.fct_spend_match_reconciliation
        where account_id = $account_id
        order by coalesce(issued_at, trigger_at)
    """,
    "account_coupons": """
        select attempt_id, attempted_at, outcome, credit_amount_usd, expires_at, outcome_reason
        from marts.fct_coupon_redemptions
        where account_id = $account_id
        order by attempted_at desc
    """,
    "account_credit_line": """
        select date_day, is_eligible, passes_account_age, passes_continuous_spend,
            passes_on_time_payments, passes_no_overdue_invoices, first_spend_on,
            months_with_spend_in_prior_6, overdue_invoices, latest_late_paid_due_on
        from marts.fct_credit_line_eligibility
        where account_id = $account_id
        order by date_day desc
        limit 1
    """,
    # Credits
    "credits_issued_monthly": """
        select cast(date_trunc('month', issued_at) as date) as month,
            cast(date_trunc('month', issued_at) + interval 1 month as date) as month_end,
            credit_source,
            sum(amount_usd) as amount_usd
        from marts.fct_credit_issuance
        group by all
        order by month, credit_source
    """,
    "credits_used_monthly": """
        select cast(date_trunc('month', entry_date) as date) as month,
            cast(date_trunc('month', entry_date) + interval 1 month as date) as month_end,
            entry_type,
            sum(amount_usd) as amount_usd
        from marts.fct_credit_ledger
        where entry_type in ('consumed', 'expired')
        group by all
        order by month, entry_type
    """,
    "breakage_monthly": """
        select expiry_month, cast(expiry_month + interval 1 month as date) as month_end,
            credit_source, sum(breakage_usd) as breakage_usd,
            sum(issued_usd) as issued_usd
        from marts.fct_credit_breakage_monthly
        group by all
        order by expiry_month, credit_source
    """,
    "credits_expiring": """
        select
            coalesce(sum(remaining_usd) filter (where is_expiring_within_7d), 0) as within_7d_usd,
            coalesce(sum(remaining_usd) filter (where is_expiring_within_30d), 0) as within_30d_usd,
            count(*) filter (where is_expiring_within_7d) as credits_within_7d,
            count(*) filter (where is_expiring_within_30d) as credits_within_30d
        from marts.fct_credit_expiry_outlook
    """,
    "credits_expiring_list": """
        select credit_id, account_id, credit_source, remaining_usd, expires_at, expires_in_days
        from marts.fct_credit_expiry_outlook
        where is_expiring_within_30d
        order by expires_at, credit_id
    """,
    "spend_match_statuses_monthly": """
        select cast(date_trunc('month', coalesce(trigger_at, issued_at)) as date) as month,
            cast(date_trunc('month', coalesce(trigger_at, issued_at)) + interval 1 month as date)
                as month_end,
            status, count(*) as credits
        from marts.fct_spend_match_reconciliation
        where coalesce(trigger_at, issued_at) is not null
        group by all
        order by month, status
    """,
    "spend_match_problems": """
        select account_id, status, trigger_at, due_by, issued_at, status_reason
        from marts.fct_spend_match_reconciliation
        where status in ('missing', 'issued_late')
        order by due_by, account_id
    """,
    # Creator Next
    "creators_eligible_daily": """
        select date_day, country_code, count(distinct creator_id) as creators
        from marts.fct_creator_next_eligibility_daily
        where is_eligible
        group by all
        order by date_day, country_code
    """,
    "creator_rule_failures": """
        with latest as (
            select *
            from marts.fct_creator_next_eligibility_daily
            qualify date_day = max(date_day) over (partition by creator_id)
        )
        select rule, count(*) filter (where not passes) as creators_failing, count(*) as creators
        from latest
        unpivot (passes for rule in (
            passes_age as 'age',
            passes_region as 'region',
            passes_account_type as 'account type',
            passes_followers as 'followers',
            passes_views as 'views',
            passes_posts as 'posts',
            passes_standing as 'standing'
        ))
        group by rule
        order by creators_failing desc, rule
    """,
    "creators_summary": """
        with latest as (
            select *
            from marts.fct_creator_next_eligibility_daily
            qualify date_day = max(date_day) over (partition by creator_id)
        )
        select count(*) as creators, count(*) filter (where is_eligible) as eligible
        from latest
    """,
}


# --- A what-if file (commands/what_if.py, docs/rule-changes.md) -------------------------------


def what_if_path() -> Path | None:
    """The what-if file the dashboard was given (WHAT_IF_PATH), if any."""
    value = os.environ.get("WHAT_IF_PATH", "").strip()
    return Path(value) if value else None


@dataclass(frozen=True)
class WhatIf:
    """One what-if file: its path and the run that wrote it (the cache key of its queries)."""

    path: str
    computed_at: datetime
    as_of_date: date
    from_date: date
    days: int
    proposal: str


class NoWhatIf(Exception):
    """The what-if file cannot be read."""


def current_what_if(path: Path) -> WhatIf:
    if not path.exists():
        raise NoWhatIf(f"No what-if file at {path}: `make what-if RULES=...` writes one.")
    connection = connect(path)
    try:
        row = connection.execute(
            "select computed_at, as_of_date, from_date, days, proposal from what_if.run"
        ).fetchone()
    except duckdb.CatalogException as error:
        raise NoWhatIf(f"{path} holds no what_if.run: it is not a what-if file.") from error
    finally:
        connection.close()
    if row is None:
        raise NoWhatIf(f"{path} has an empty what_if.run.")
    return WhatIf(str(path), row[0], row[1], row[2], row[3], row[4])


WHAT_IF_QUERIES: dict[str, str] = {
    "what_if_rules_compared": """
        select tier, tier_rank, actual_min_rolling_30d_spend_usd,
            what_if_min_rolling_30d_spend_usd, actual_weekly_creative_cap,
            what_if_weekly_creative_cap
        from what_if.rules_compared
        order by tier_rank
    """,
    # Members per tier per day, one row per day, tier and side (actual, what-if).
    "what_if_members_per_tier_daily": """
        select date_day, tier, tier_rank, 'actual' as scenario, actual_members as accounts
        from what_if.members_per_tier_daily
        union all
        select date_day, tier, tier_rank, 'what-if' as scenario, what_if_members as accounts
        from what_if.members_per_tier_daily
        order by date_day, tier_rank, scenario
    """,
    "what_if_events_weekly": """
        select week_start, event, 'actual' as scenario, actual as events
        from what_if.events_weekly
        union all
        select week_start, event, 'what-if' as scenario, what_if as events
        from what_if.events_weekly
        order by week_start, event, scenario
    """,
    "what_if_events_total": """
        select event, sum(actual) as actual, sum(what_if) as what_if
        from what_if.events_weekly
        group by event
    """,
    "what_if_accounts_tier_differing": """
        select account_id, account_name, actual_tier, what_if_tier, qualifying_spend_usd,
            spend_to_keep_actual_tier_usd, actual_days_below_tier, what_if_days_below_tier
        from what_if.accounts_tier_differing
        order by what_if_change, actual_tier, spend_to_keep_actual_tier_usd, account_id
    """,
    "what_if_creative_capacity": """
        select tier, tier_rank, actual_members, what_if_members, actual_weekly_cap,
            what_if_weekly_cap, actual_capacity, what_if_capacity
        from what_if.creative_capacity
        order by tier_rank
    """,
}


def query(
    connection: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any] | None = None
) -> pd.DataFrame:
    """Run the named query with its parameters; each call on its own cursor (thread-safe)."""
    cursor = connection.cursor()
    try:
        cursor.execute("use bi")
        return cursor.execute({**QUERIES, **WHAT_IF_QUERIES}[name], params or {}).df()
    finally:
        cursor.close()
