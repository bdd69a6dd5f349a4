"""The ad-credit marts on the fixture accounts (warehouse/fixtures/credits.py), by hand."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import duckdb
import pytest

from warehouse.fixtures.credits import (
    COUPON_OUTCOMES,
    CREDIT_LINE_ELIGIBILITY,
    LEDGER_ENTRIES,
    SPEND_MATCH_NO_ROW,
    SPEND_MATCH_STATUSES,
)

SPEND_MATCH_STATUS_CODES = {
    "issued_on_time",
    "issued_late",
    "issued_early",
    "pending",
    "missing",
    "unexpected",
    "duplicate",
}
COUPON_OUTCOME_CODES = {
    "unknown_code",
    "code_expired",
    "already_used",
    "account_ineligible",
    "blocked_by_active_promotion",
    "applied",
}


def rows(connection: duckdb.DuckDBPyConnection, sql: str, *params: object) -> list[tuple]:
    return connection.execute(sql, list(params)).fetchall()


def test_spend_match_status_of_every_scenario(warehouse):
    statuses = {
        (account_id, credit_id): status
        for account_id, credit_id, status in rows(
            warehouse,
            """
            select account_id, credit_id, status from marts.fct_spend_match_reconciliation
            where account_id like 'acc_sm_%' or account_id like 'acc_cp_%'
            """,
        )
    }
    assert statuses == SPEND_MATCH_STATUSES
    assert set(SPEND_MATCH_STATUSES.values()) == SPEND_MATCH_STATUS_CODES


def test_spend_match_timeline_and_flags(warehouse):
    timeline = {
        account_id: rest
        for account_id, *rest in rows(
            warehouse,
            """
            select account_id, threshold_crossed_at, trigger_at, due_by, amount_mismatch,
                expiry_mismatch
            from marts.fct_spend_match_reconciliation
            where status != 'duplicate'
            """,
        )
    }
    crossed = datetime(2026, 2, 3)
    assert timeline["acc_sm_on_time"] == [crossed, crossed, datetime(2026, 2, 5), False, False]
    assert timeline["acc_sm_late"][3:] == [False, True]
    assert timeline["acc_sm_early"][3:] == [True, False]
    # TopView spend on 02-02 does not count: the threshold is crossed with 02-10's spend.
    assert timeline["acc_sm_topview"][:3] == [datetime(2026, 2, 11)] * 2 + [datetime(2026, 2, 13)]
    assert timeline["acc_sm_pm_after_crossing"][1:3] == [
        datetime(2026, 2, 10, 8),
        datetime(2026, 2, 12, 8),
    ]
    assert timeline["acc_sm_pm_readded"][1] == datetime(2026, 2, 15, 12)
    assert timeline["acc_sm_pending_sla_edge"][2] == datetime(2026, 4, 1)
    assert timeline["acc_sm_no_payment_method"][1:] == [None, None, False, False]
    for account_id in SPEND_MATCH_NO_ROW:
        assert account_id not in timeline


def test_coupon_outcome_of_every_attempt(warehouse):
    outcomes = {
        attempt_id: (outcome, amount)
        for attempt_id, outcome, amount in rows(
            warehouse,
            "select attempt_id, outcome, credit_amount_usd from marts.fct_coupon_redemptions",
        )
    }
    assert outcomes == COUPON_OUTCOMES
    assert {outcome for outcome, _ in COUPON_OUTCOMES.values()} == COUPON_OUTCOME_CODES


def test_applied_coupon_expires_after_its_validity(warehouse):
    [(expires_at,)] = rows(
        warehouse,
        "select expires_at from marts.fct_coupon_redemptions where attempt_id = 'att_cp_applied'",
    )
    assert expires_at == datetime(2026, 4, 1, 10)


def test_no_mart_carries_a_raw_coupon_code(warehouse):
    codes = [
        code
        for (code,) in rows(warehouse, "select coupon_code from staging.stg_billing__coupon_codes")
    ]
    [(hashed,)] = rows(
        warehouse,
        """
        select coupon_code_hash from marts.fct_coupon_redemptions
        where attempt_id = 'att_cp_applied'
        """,
    )
    assert "TTC-SINGLE-100" in codes
    assert hashed not in codes and len(hashed) == 64


def test_ledger_of_the_managed_account(warehouse):
    ledger = rows(
        warehouse,
        """
        select credit_id, entry_type, entry_date, amount_usd, remaining_usd
        from marts.fct_credit_ledger
        where account_id = 'acc_ledger'
        order by credit_id, entry_date, entry_order
        """,
    )
    assert ledger == LEDGER_ENTRIES


def test_balance_of_the_managed_account(warehouse):
    balances = dict(
        rows(
            warehouse,
            """
            select date_day, balance_usd from marts.fct_account_credit_balance_daily
            where account_id = 'acc_ledger'
            """,
        )
    )
    # End of 03-01: A 155 + discount cap 23 left; 03-02: A 110 + B 200 + 18; A expires 03-04.
    assert balances[date(2026, 3, 1)] == Decimal("178.00")
    assert balances[date(2026, 3, 2)] == Decimal("328.00")
    assert balances[date(2026, 3, 4)] == Decimal("163.00")
    assert balances[date(2026, 3, 8)] == Decimal("0.00")
    assert min(balances) == date(2026, 3, 1) and max(balances) == date(2026, 3, 31)


def test_issuance_matches_the_ledger_and_its_sources(warehouse):
    issuance = {
        credit_id: rest
        for credit_id, *rest in rows(
            warehouse,
            """
            select credit_id, credit_type, agreement_type, amount_usd, consumed_usd, expired_usd,
                remaining_usd, redemption_outcome
            from marts.fct_credit_issuance
            """,
        )
    }
    assert issuance["g_ledger_discount"][:3] == ["discount_coupon", "jbp", Decimal("28.00")]
    assert issuance["cr_ledger_a"][1:6] == [
        "agency",
        Decimal("200.00"),
        Decimal("135.00"),
        Decimal("65.00"),
        Decimal("0.00"),
    ]
    # EUR 100 on Saturday 03-07 at Friday's 1.10; nothing spent.
    assert issuance["cr_cp_eur_weekend"][2:] == [
        Decimal("110.00"),
        Decimal("0.00"),
        Decimal("0.00"),
        Decimal("110.00"),
        "applied",
    ]
    # The pending credit is issued after the as-of date: not on the books yet.
    assert "cr_sm_pending_sla_edge" not in issuance


def test_finance_marts(warehouse):
    expiring = {
        credit_id: (remaining, within_7d)
        for credit_id, remaining, within_7d in rows(
            warehouse,
            """
            select credit_id, remaining_usd, is_expiring_within_7d
            from marts.fct_credit_expiry_outlook
            """,
        )
    }
    assert expiring == {
        "cr_cp_applied": (Decimal("100.00"), True),
        "cr_cp_eur_weekend": (Decimal("110.00"), True),
        "cr_cp_after_expiry": (Decimal("120.00"), False),
    }
    breakage = {
        (source, credit_type): (expired, issued, consumed, broken)
        for source, credit_type, expired, issued, consumed, broken in rows(
            warehouse,
            """
            select credit_source, credit_type, credits_expired, issued_usd, consumed_usd,
                breakage_usd
            from marts.fct_credit_breakage_monthly
            where expiry_month = date '2026-03-01'
            """,
        )
    }
    assert breakage[("managed", "free_credit")] == (
        1,
        Decimal("200.00"),
        Decimal("135.00"),
        Decimal("65.00"),
    )
    assert breakage[("managed", "discount_coupon")] == (
        1,
        Decimal("28.00"),
        Decimal("28.00"),
        Decimal("0.00"),
    )


@pytest.mark.parametrize(("key", "expected"), list(CREDIT_LINE_ELIGIBILITY.items()))
def test_credit_line_eligibility(warehouse, key, expected):
    account_id, day = key
    assert rows(
        warehouse,
        """
        select is_eligible, passes_account_age, passes_continuous_spend, passes_on_time_payments,
            passes_no_overdue_invoices
        from marts.fct_credit_line_eligibility
        where account_id = ? and date_day = ?
        """,
        account_id,
        day,
    ) == [expected]


def test_credit_line_rows_start_at_the_first_spend(warehouse):
    [(first_day, last_day)] = rows(
        warehouse,
        """
        select min(date_day), max(date_day) from marts.fct_credit_line_eligibility
        where account_id = 'acc_cl_eligible'
        """,
    )
    assert (first_day, last_day) == (date(2025, 9, 1), date(2026, 3, 31))
