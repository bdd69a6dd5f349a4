"""Whole histories of the fixture accounts (warehouse/fixtures/tiering.py), worked out by hand."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date, timedelta
from decimal import Decimal

import duckdb
import pytest

from warehouse.config import PROJECT_DIR, dbt_env
from warehouse.fixtures import FIXTURE_AS_OF


def rows(connection: duckdb.DuckDBPyConnection, sql: str, *params: object) -> list[tuple]:
    return connection.execute(sql, list(params)).fetchall()


def daily(connection: duckdb.DuckDBPyConnection, account_id: str) -> list[tuple]:
    return rows(
        connection,
        """
        select date_day, spend_basis, qualifying_spend_usd, qualified_tier, tier, days_below_tier
        from marts.fct_account_tier_daily
        where account_id = ?
        order by date_day
        """,
        account_id,
    )


def test_historical_basis_then_tiktok_one_spend_then_downgrade(warehouse):
    joined = date(2026, 1, 31)
    history = daily(warehouse, "acc_historical_basis")
    expected = []
    for offset in range((FIXTURE_AS_OF - joined).days + 1):
        day = joined + timedelta(days=offset)
        if offset <= 29:  # [J, J+29]: 100/day on other creatives, 30 days of it = 3,000.
            expected.append((day, "historical_any_creative", 3000, "essential", "essential", 0))
        elif day < FIXTURE_AS_OF:  # below from J+30; the 30th day below is the as-of date.
            expected.append((day, "tiktok_one_creative", 0, "none", "essential", offset - 29))
        else:
            expected.append((day, "tiktok_one_creative", 0, "none", "none", 0))
    assert history == expected


def test_two_step_drop_history(warehouse):
    periods = rows(
        warehouse,
        """
        select tier, valid_from, valid_to from marts.dim_account_tier_periods
        where account_id = 'acc_two_step_drop' order by valid_from
        """,
    )
    assert periods == [
        ("none", date(2025, 1, 1), date(2026, 1, 4)),
        ("premium", date(2026, 1, 5), date(2026, 3, 4)),
        ("classic", date(2026, 3, 5), date(2026, 3, 19)),
        ("essential", date(2026, 3, 20), None),
    ]
    changes = rows(
        warehouse,
        """
        select effective_date, from_tier, to_tier, change_type from marts.fct_tier_changes
        where account_id = 'acc_two_step_drop' order by effective_date
        """,
    )
    assert changes == [
        (date(2025, 1, 1), None, "none", "initial"),
        (date(2026, 1, 5), "none", "premium", "upgrade"),
        (date(2026, 3, 5), "premium", "classic", "downgrade"),
        (date(2026, 3, 20), "classic", "essential", "downgrade"),
    ]


@pytest.mark.parametrize(
    ("account_id", "expected"),
    [
        (
            "acc_historical_basis",
            [
                (
                    date(2026, 3, 26),
                    "essential",
                    "none",
                    date(2026, 3, 2),
                    date(2026, 3, 31),
                    "downgraded",
                    date(2026, 3, 31),
                )
            ],
        ),
        (
            "acc_recovery_day_29",
            [
                (
                    date(2026, 2, 24),
                    "essential",
                    "none",
                    date(2026, 1, 31),
                    date(2026, 3, 1),
                    "recovered",
                    date(2026, 2, 28),
                )
            ],
        ),
        (
            "acc_two_step_drop",
            [
                (
                    date(2026, 2, 28),
                    "premium",
                    "classic",
                    date(2026, 2, 4),
                    date(2026, 3, 5),
                    "downgraded",
                    date(2026, 3, 5),
                ),
                (
                    date(2026, 3, 15),
                    "classic",
                    "essential",
                    date(2026, 2, 19),
                    date(2026, 3, 20),
                    "downgraded",
                    date(2026, 3, 20),
                ),
            ],
        ),
        (
            # Lands on classic already 28 days below it: a new warning the same day.
            "acc_warning_on_downgrade_day",
            [
                (
                    date(2026, 2, 28),
                    "premium",
                    "classic",
                    date(2026, 2, 4),
                    date(2026, 3, 5),
                    "downgraded",
                    date(2026, 3, 5),
                ),
                (
                    date(2026, 3, 5),
                    "classic",
                    "none",
                    date(2026, 2, 6),
                    date(2026, 3, 7),
                    "downgraded",
                    date(2026, 3, 7),
                ),
            ],
        ),
        ("acc_threshold_met", []),  # 20 days below on the as-of date: no warning yet.
        (
            "acc_warned_on_as_of",
            [
                (
                    date(2026, 3, 31),
                    "classic",
                    "essential",
                    date(2026, 3, 7),
                    date(2026, 4, 5),
                    "pending",
                    None,
                )
            ],
        ),
        (
            # Essential again on 03-29, after the warning: still projected none.
            "acc_below_29_days",
            [
                (
                    date(2026, 3, 27),
                    "classic",
                    "none",
                    date(2026, 3, 3),
                    date(2026, 4, 1),
                    "pending",
                    None,
                )
            ],
        ),
    ],
)
def test_downgrade_warnings(warehouse, account_id, expected):
    assert (
        rows(
            warehouse,
            """
            select warning_date, tier_at_risk, projected_tier, below_since,
                scheduled_downgrade_date, outcome, resolved_on
            from marts.fct_downgrade_warnings where account_id = ? order by warning_date
            """,
            account_id,
        )
        == expected
    )


def test_threshold_is_inclusive(warehouse):
    tiers = dict(rows(warehouse, "select account_id, tier from marts.dim_accounts"))
    assert tiers["acc_threshold_met"] == "essential"
    assert tiers["acc_threshold_missed"] == "none"


def test_current_tier_of_members_and_others(warehouse):
    current = {
        account_id: (tier, is_member)
        for account_id, tier, is_member in rows(
            warehouse, "select account_id, tier, is_tiktok_one_member from marts.dim_accounts"
        )
    }
    assert current["acc_late_join"] == ("essential", True)  # 10 x 500 of history before J
    assert current["acc_joins_later"] == (None, False)
    assert current["acc_not_member"] == (None, False)
    assert current["acc_eur"] == ("essential", True)


def test_restated_and_converted_spend(warehouse):
    spend = dict(
        rows(
            warehouse,
            """
            select account_id, sum(any_spend_usd) from marts.fct_account_tier_daily
            where account_id in ('acc_restated', 'acc_eur') group by account_id
            """,
        )
    )
    assert spend["acc_restated"] == 1000  # the later report replaced 5,000
    assert spend["acc_eur"] == 2200  # Saturday: Friday's 1.10, not Monday's 1.20


def test_tier_rows_span_join_day_to_as_of(warehouse):
    mismatched = rows(
        warehouse,
        """
        select account_id, count(*), min(date_day), max(date_day), any_value(tiktok_one_joined_on)
        from marts.fct_account_tier_daily
        group by account_id
        having count(*) != date_diff('day', any_value(tiktok_one_joined_on), ?::date) + 1
            or min(date_day) != any_value(tiktok_one_joined_on)
            or max(date_day) != ?::date
        """,
        FIXTURE_AS_OF,
        FIXTURE_AS_OF,
    )
    assert mismatched == []


@pytest.mark.parametrize(
    ("account_id", "expected", "after"),
    [
        # Warned today, 25 days below classic with 2,500 of the last 29 days: 7,500 tomorrow
        # keeps classic, until 04-05; with nothing more it drops to essential on 04-05.
        (
            "acc_warned_on_as_of",
            ("classic", 25, Decimal("7500.00"), date(2026, 4, 5), "premium"),
            (Decimal("47500.00"), date(2026, 4, 5), "essential"),
        ),
        # 29 days below classic: tomorrow is the last day; it would drop to essential (qualified
        # after its warning, projected none).
        (
            "acc_below_29_days",
            ("classic", 29, Decimal("7500.00"), date(2026, 4, 1), "premium"),
            (Decimal("47500.00"), date(2026, 4, 1), "essential"),
        ),
        # At essential: 4 of its 10 days of 500 (history before joining) are still in the
        # window on 04-05 (2,000 exactly), none on 04-06: q drops on 04-06, the tier 29 days
        # later. S(1) = 8 x 500 = 4,000.
        (
            "acc_late_join",
            ("essential", 0, None, None, "classic"),
            (Decimal("6000.00"), date(2026, 5, 5), "none"),
        ),
        (
            "acc_threshold_missed",
            ("none", 0, None, None, "essential"),
            (Decimal("2000.00"), None, None),
        ),
    ],
)
def test_tier_outlook(warehouse, account_id, expected, after):
    assert rows(
        warehouse,
        """
        select tier, days_below_tier, spend_to_keep_tier_usd, keep_tier_by, next_tier,
            spend_to_next_tier_usd, downgrade_date_without_spend, tier_after_downgrade_without_spend
        from marts.fct_tier_outlook where account_id = ? and as_of_date = ?
        """,
        account_id,
        FIXTURE_AS_OF,
    ) == [expected + after]


def test_tier_outlook_has_one_row_per_member(warehouse):
    assert (
        rows(
            warehouse,
            """
        select account_id from marts.dim_accounts where is_tiktok_one_member
        except select account_id from marts.fct_tier_outlook
        union all
        select account_id from marts.fct_tier_outlook
        except select account_id from marts.dim_accounts where is_tiktok_one_member
        """,
        )
        == []
    )


def test_creative_requests_fill_the_weekly_cap_in_order(warehouse):
    assert rows(
        warehouse,
        """
        select request_id, tier, weekly_cap, creatives_within_cap, creatives_over_cap
        from marts.fct_creative_requests
        where request_id in ('req_a', 'req_b', 'req_c', 'req_d', 'req_none', 'req_future')
        order by request_id
        """,
    ) == [
        ("req_a", "essential", 10, 6, 0),
        ("req_b", "essential", 10, 4, 2),
        ("req_c", "essential", 10, 0, 3),
        ("req_d", "essential", 10, 3, 0),
        ("req_none", "none", 0, 0, 2),
    ]


@pytest.mark.slow  # a dbt process of its own
def test_a_member_without_a_tier_fails_the_not_null_test_that_skips_non_members(
    fixture_warehouse, tmp_path
):
    """dim_accounts.tier is null for accounts outside TikTok One and never for a member: the
    not_null test with a `where` fails (not errors) once a member's tier is null."""
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(fixture_warehouse, copy)
    connection = duckdb.connect(str(copy))
    non_members = connection.execute(
        "select count(*) from marts.dim_accounts where not is_tiktok_one_member and tier is null"
    ).fetchone()[0]
    connection.execute(
        "update marts.dim_accounts set tier = null where account_id = "
        "(select min(account_id) from marts.dim_accounts where is_tiktok_one_member)"
    )
    connection.close()
    result = subprocess.run(
        [
            str(PROJECT_DIR / ".venv" / "bin" / "dbt"),
            "--no-use-colors",
            "test",
            "--select",
            "dim_accounts,test_name:not_null",
            "--target-path",
            str(tmp_path / "target"),
        ],
        cwd=PROJECT_DIR,
        env=dbt_env(warehouse=copy),
        capture_output=True,
        text=True,
    )
    assert non_members > 0
    assert result.returncode == 1, result.stdout[-3000:]
    assert "FAIL 1 not_null_dim_accounts_tier" in result.stdout, result.stdout[-3000:]
    # A failure the test reports, not a query that could not run (the `and ()` of old).
    assert "Database Error" not in result.stdout and "PASS=3" in result.stdout, result.stdout[
        -3000:
    ]
