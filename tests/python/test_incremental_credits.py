"""A daily run of the credit models equals a full rebuild, whatever the day brought.

The incremental credit models (months with spend, credit-line periods and days, spend-match
spend to date, credit allocation, consumption, ledger, balances) keep the days before the
window and recompute the rest, carrying running state from their own stored days. After each
change below, every row of every model of models/*/credits equals a build from scratch:
a realistic day, a spend restatement inside and outside the window, credits, a discount grant
and an invoice dated before the window (and a credit restated with an earlier issue day), and
the as-of date moved back and forward.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest

from tests.python.incremental_equality import (
    Zone,
    differing_rows,
    generated_zone,
    land_rows,
    models_in,
)
from tests.python.incremental_equality import assert_daily_run_equals_full_rebuild as equal_after
from warehouse.landing_day import land_day, restate_spend

pytestmark = pytest.mark.slow

END = date(2026, 11, 20)
DAY = END + timedelta(days=1)
WINDOW_START = END - timedelta(days=59)
SELECTION = "+path:models/intermediate/credits +path:models/marts/credits"
RELATIONS = models_in("intermediate/credits", "marts/credits")
# Where the rows of the models that recompute a window live (a change must reach them).
WINDOWED = (
    "intermediate.int_account_spend_months",
    "intermediate.int_credit_line_periods",
    "marts.fct_credit_line_eligibility",
    "intermediate.int_spend_match_spend_to_date",
    "intermediate.int_credits_consumed_daily",
    "intermediate.int_credit_ledger_entries",
    "intermediate.int_account_credit_balances_daily",
)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Zone:
    return generated_zone(tmp_path_factory.mktemp("credits-base"), SELECTION, END, days=200)


@pytest.fixture
def zone(built: Zone, tmp_path: Path) -> Zone:
    return built.copy(tmp_path)


def assert_daily_run_equals_full_rebuild(
    zone: Zone, built: Zone, as_of: date, recompute_from: date | None = None
) -> None:
    equal_after(zone, built, as_of, WINDOWED, RELATIONS, recompute_from)


def test_a_realistic_day(zone: Zone, built: Zone):
    land_day(zone.landing, DAY)
    assert_daily_run_equals_full_rebuild(zone, built, DAY)


def test_a_restatement_inside_the_window(zone: Zone, built: Zone):
    restate_spend(zone.landing, END - timedelta(days=30), DAY)
    assert_daily_run_equals_full_rebuild(zone, built, END)


def test_a_restatement_outside_the_window(zone: Zone, built: Zone):
    restated_day = END - timedelta(days=90)
    restate_spend(zone.landing, restated_day, DAY)
    assert_daily_run_equals_full_rebuild(zone, built, END, recompute_from=restated_day)


def test_credits_a_grant_and_an_invoice_dated_before_the_window(zone: Zone, built: Zone):
    credit_day = END - timedelta(days=100)
    grant_day = END - timedelta(days=95)
    invoice_day = END - timedelta(days=120)
    restated_credit_day = END - timedelta(days=110)
    spender = f"""(select account_id
        from read_parquet('{zone.landing}/ad_spend/*.parquet')
        where spend_date = date '{credit_day}' order by account_id limit 1)"""
    land_rows(
        zone.landing,
        "billing_credits",
        "late-credit",
        f"""select * replace (
            'late_credit' as credit_id, {spender} as account_id,
            timestamp '{credit_day} 10:00:00' as issued_at,
            timestamp '{credit_day} 10:00:00' + interval 30 day as expires_at
        ) from {{rows}} where credit_source = 'managed' order by credit_id limit 1""",
    )
    # The same credit_id as a credit issued in the window, now dated before it: both copies
    # are quarantined, so the days of the old copy change too.
    land_rows(
        zone.landing,
        "billing_credits",
        "restated-credit",
        f"""select * replace (
            timestamp '{restated_credit_day} 09:00:00' as issued_at,
            timestamp '{restated_credit_day} 09:00:00' + interval 30 day as expires_at
        ) from {{rows}} where issued_at >= timestamp '{WINDOW_START}'
        order by credit_id limit 1""",
    )
    land_rows(
        zone.landing,
        "managed_credit_grants",
        "late-grant",
        f"""select * replace (
            'late_grant' as grant_id, {spender} as account_id,
            timestamp '{grant_day} 12:00:00' as granted_at,
            timestamp '{grant_day} 12:00:00' + interval 60 day as expires_at
        ) from {{rows}} where credit_type = 'discount_coupon' order by grant_id limit 1""",
    )
    land_rows(
        zone.landing,
        "invoices",
        "late-invoice",
        f"""select * replace (
            'late_invoice' as invoice_id, {spender} as account_id,
            date '{invoice_day}' as issued_on, date '{invoice_day}' + 30 as due_on,
            date '{invoice_day}' + 40 as paid_on
        ) from {{rows}} order by invoice_id limit 1""",
    )
    # The earliest day each new row can change, as the orchestrator dates them: the issue day
    # of a credit (of every copy of its credit_id), the grant day, and the first overdue day
    # or payment day of an invoice.
    recompute_from = min(
        credit_day,
        restated_credit_day,
        grant_day,
        min(invoice_day + timedelta(days=31), invoice_day + timedelta(days=40)),
    )
    assert_daily_run_equals_full_rebuild(zone, built, END, recompute_from=recompute_from)


def test_the_as_of_date_moved_back_and_forward(zone: Zone, built: Zone):
    earlier = END - timedelta(days=10)
    assert_daily_run_equals_full_rebuild(zone, built, earlier)
    zone.daily_run(END)
    assert differing_rows(zone.warehouse, built.warehouse, RELATIONS) == {}
