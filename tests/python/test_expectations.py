"""The GX suites on the fixture warehouse: all pass on it, and each catches what it is for.

Faults are planted in a copy of the fixture warehouse (the session's is open read-only). The
bands are shown on small warehouses made here in DuckDB, whose history is known exactly.
"""

from __future__ import annotations

import math
import shutil
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from orchestration.expectations import (
    AD_SPEND_VOLUME_SUITE,
    AS_OF_FRESHNESS,
    CREDITS_RECONCILED,
    ERROR,
    MEMBERS_RECONCILED,
    NEWLY_MISSING_SPEND_MATCH_SUITE,
    SPEND_RECONCILED,
    SUITES,
    TIER_CHANGE_SHARE_SUITE,
    TIER_CHANGES,
    TIER_DAILY_SPINE,
    WARN,
    Build,
    read_build,
    run_suite,
)
from orchestration.settings import BandSettings, band_settings
from warehouse.fixtures import FIXTURE_AS_OF

# The relations the tests plant faults in, as tables of their rows where dbt made them views.
PLANTED_IN = [
    "marts.fct_account_tier_daily",
    "marts.fct_tier_changes",
    "marts.fct_credit_ledger",
    "marts.fct_credit_issuance",
    "marts.dim_accounts",
    "intermediate.int_account_spend_daily",
    "staging.stg_ads_manager__ad_spend",
]


@pytest.fixture
def planted(
    fixture_warehouse: Path, tmp_path: Path, as_table
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A writable copy of the fixture warehouse to plant faults in."""
    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(fixture_warehouse, copy)
    connection = duckdb.connect(str(copy))
    for relation in PLANTED_IN:
        as_table(connection, relation)
    yield connection
    connection.close()


def failed_expectations(connection: duckdb.DuckDBPyConnection, suite, requested=None) -> set:
    outcome = run_suite(connection, suite, read_build(connection, requested))
    return {failure["expectation"] for failure in outcome.failures}


def test_every_suite_passes_on_the_fixture_warehouse(warehouse):
    build = read_build(warehouse, FIXTURE_AS_OF)
    assert build.as_of_date == FIXTURE_AS_OF
    assert build.member_accounts > 0
    outcomes = {suite.name: run_suite(warehouse, suite, build) for suite in SUITES}
    errors = {
        name: outcome.failures
        for name, outcome in outcomes.items()
        if not outcome.success and outcome.severity == ERROR
    }
    assert errors == {}
    assert all(outcome.evaluated > 0 for outcome in outcomes.values())
    # Only the non-blocking shift suites may warn: on the fixture's as-of day one of its nine
    # members is downgraded (acc_historical_basis), far more than on the days before.
    warned = {name for name, outcome in outcomes.items() if not outcome.success}
    assert warned == {TIER_CHANGE_SHARE_SUITE.name}
    assert outcomes[TIER_CHANGE_SHARE_SUITE.name].severity == WARN
    # The reconciliations report what they compared.
    spend = outcomes[SPEND_RECONCILED.name].metrics
    assert spend["days_differing"] == 0 and spend["days_compared"] > 0
    assert spend["mart_spend_usd"] == spend["staged_spend_usd"] > 0
    members = outcomes[MEMBERS_RECONCILED.name].metrics
    assert members["members_in_dim_accounts"] == members["members_in_tier_daily"]
    assert members["members_in_tier_daily"] == build.member_accounts


def test_a_missing_day_breaks_the_account_day_spine(planted):
    planted.execute(
        """
        delete from marts.fct_account_tier_daily
        where account_id = 'acc_historical_basis' and date_day = date '2026-03-01'
        """
    )
    assert failed_expectations(planted, TIER_DAILY_SPINE) == {
        "expect_column_pair_values_to_be_equal",  # 1 row short of as_of - joined_on + 1
        "expect_column_values_to_be_between",  # a step of 2 days
    }


def test_a_build_as_of_another_day_than_requested_is_not_fresh(warehouse):
    assert failed_expectations(warehouse, AS_OF_FRESHNESS, requested=date(2026, 4, 1)) == {
        "expect_column_pair_values_to_be_equal"
    }


def test_no_spend_on_the_as_of_day_is_not_fresh(planted):
    planted.execute(
        "delete from intermediate.int_account_spend_daily where date_day = ?", [FIXTURE_AS_OF]
    )
    outcome = run_suite(planted, AS_OF_FRESHNESS, read_build(planted, FIXTURE_AS_OF))
    assert [failure["kwargs"]["column_A"] for failure in outcome.failures] == ["latest_spend_day"]


def test_a_build_as_of_a_day_before_the_latest_spend_is_fresh(planted):
    """Backfilling replays earlier as-of dates: the staged spend then holds later days too (it
    is not cut at the as-of date), which says nothing about the as-of day's own spend."""
    earlier = FIXTURE_AS_OF - timedelta(days=1)
    planted.execute("delete from marts.fct_account_tier_daily where date_day > ?", [earlier])
    planted.execute("update intermediate.int_as_of_date set as_of_date = ?", [earlier])
    assert planted.execute(
        "select max(date_day) from intermediate.int_account_spend_daily"
    ).fetchone() == (FIXTURE_AS_OF,)
    outcome = run_suite(planted, AS_OF_FRESHNESS, read_build(planted, earlier))
    assert outcome.failures == []
    assert outcome.success


def test_a_change_that_does_not_start_from_the_previous_tier_fails(planted):
    planted.execute(
        """
        update marts.fct_tier_changes set from_tier = 'premium'
        where account_id = 'acc_historical_basis' and effective_date = ?
        """,
        [FIXTURE_AS_OF],
    )
    assert failed_expectations(planted, TIER_CHANGES) == {"expect_column_pair_values_to_be_equal"}


# ---------------------------------------------------------------------------------------------
# Reconciliation: one row altered on one side
# ---------------------------------------------------------------------------------------------


def test_a_mart_spend_day_that_differs_from_staging_fails(planted):
    planted.execute(
        """
        update marts.fct_account_tier_daily set any_spend_usd = any_spend_usd + 25
        where account_id = 'acc_historical_basis' and date_day = date '2026-03-01'
        """
    )
    outcome = run_suite(planted, SPEND_RECONCILED, read_build(planted, FIXTURE_AS_OF))
    assert not outcome.success and outcome.severity == ERROR
    assert outcome.metrics["days_differing"] == 1
    assert outcome.metrics["difference_usd"] == 25.0
    assert outcome.message is not None
    assert "on 1 day(s)" in outcome.message and "2026-03-01" in outcome.message
    # The likely cause, and the command that fixes it (test_make_run.py runs that command).
    assert "Likely cause: the incremental tier models kept days" in outcome.message
    assert "A full refresh recomputes them: FULL_REFRESH=1 make run" in outcome.message


def test_spend_reconciliation_can_be_limited_to_recent_days(planted):
    planted.execute(
        """
        update marts.fct_account_tier_daily set any_spend_usd = any_spend_usd + 25
        where account_id = 'acc_historical_basis' and date_day = date '2026-03-01'
        """
    )
    # 2026-03-01 is the 31st day back from 03-31: outside a 30-day window, inside a 31-day one.
    for days, differing in ((30, 0), (31, 1)):
        bands = BandSettings(reconcile_spend_days=days)
        outcome = run_suite(planted, SPEND_RECONCILED, read_build(planted, FIXTURE_AS_OF, bands))
        assert outcome.metrics["days_differing"] == differing
        assert outcome.metrics["days_compared"] == days


def test_a_staged_spend_row_the_marts_missed_fails(planted):
    # A restatement staged after the marts were built: staging now holds 40 USD more.
    planted.execute(
        """
        update staging.stg_ads_manager__ad_spend set spend_usd = spend_usd + 40
        where account_id = 'acc_historical_basis' and spend_date = date '2026-03-02'
        """
    )
    outcome = run_suite(planted, SPEND_RECONCILED, read_build(planted, FIXTURE_AS_OF))
    assert not outcome.success
    assert outcome.metrics["days_differing"] == 1
    assert outcome.metrics["difference_usd"] == -40.0


def test_a_ledger_issue_that_differs_from_the_issuance_fails(planted):
    planted.execute(
        """
        update marts.fct_credit_ledger set amount_usd = amount_usd + 10
        where entry_type = 'issued'
            and credit_id = (select min(credit_id) from marts.fct_credit_issuance)
        """
    )
    outcome = run_suite(planted, CREDITS_RECONCILED, read_build(planted, FIXTURE_AS_OF))
    assert not outcome.success
    assert outcome.metrics["credits_differing"] == 1
    assert outcome.metrics["ledger_issued_usd"] == outcome.metrics["issued_usd"] + 10
    assert [failure["kwargs"]["column_A"] for failure in outcome.failures] == ["ledger_issued_usd"]


def test_a_ledger_credit_unknown_to_the_issuance_fails(planted):
    planted.execute(
        """
        delete from marts.fct_credit_issuance
        where credit_id = (select min(credit_id) from marts.fct_credit_issuance)
        """
    )
    outcome = run_suite(planted, CREDITS_RECONCILED, read_build(planted, FIXTURE_AS_OF))
    assert not outcome.success
    assert outcome.metrics["credits_in_ledger"] == outcome.metrics["credits_in_issuance"] + 1
    assert {failure["expectation"] for failure in outcome.failures} == {
        "expect_column_values_to_be_in_set",  # in_issuance
        "expect_column_pair_values_to_be_equal",  # an amount against none
    }


def test_a_member_whose_tier_differs_in_dim_accounts_fails(planted):
    planted.execute(
        """
        update marts.dim_accounts set tier = 'premium'
        where account_id = 'acc_historical_basis'
        """
    )
    outcome = run_suite(planted, MEMBERS_RECONCILED, read_build(planted, FIXTURE_AS_OF))
    assert not outcome.success
    assert outcome.metrics["accounts_differing"] == 1
    assert outcome.message is not None and "acc_historical_basis" in outcome.message


def test_a_member_missing_on_the_as_of_day_fails(planted):
    planted.execute(
        """
        delete from marts.fct_account_tier_daily
        where account_id = 'acc_historical_basis' and date_day = ?
        """,
        [FIXTURE_AS_OF],
    )
    outcome = run_suite(planted, MEMBERS_RECONCILED, read_build(planted, FIXTURE_AS_OF))
    assert not outcome.success
    assert (
        outcome.metrics["members_in_tier_daily"] == outcome.metrics["members_in_dim_accounts"] - 1
    )


# ---------------------------------------------------------------------------------------------
# Bands, on warehouses made here
# ---------------------------------------------------------------------------------------------

AS_OF = date(2026, 5, 20)  # a Wednesday


def spend_warehouse(accounts_on_as_of: int, history_weeks: int = 8) -> duckdb.DuckDBPyConnection:
    """A staged spend table: 100 accounts spending 10 USD on every day of the history (one row
    each), and `accounts_on_as_of` of them on the as-of day."""
    connection = duckdb.connect()
    connection.execute(
        """
        create schema staging;
        create table staging.stg_ads_manager__ad_spend as
        select
            'acc_' || account as account_id,
            day::date as spend_date,
            10.0 as spend_usd,
        from range(100) as accounts(account),
            range(cast($first as date), cast($as_of as date), interval 1 day) as days(day)
        union all
        select 'acc_' || account, cast($as_of as date), 10.0
        from range($arrived) as accounts(account)
        """,
        {
            "first": AS_OF - timedelta(weeks=history_weeks),
            "as_of": AS_OF,
            "arrived": accounts_on_as_of,
        },
    )
    return connection


def volume(connection: duckdb.DuckDBPyConnection, bands: BandSettings | None = None):
    return run_suite(
        connection, AD_SPEND_VOLUME_SUITE, Build(AS_OF, AS_OF, 0, bands or BandSettings())
    )


def test_a_normal_day_is_within_its_volume_band():
    outcome = volume(spend_warehouse(accounts_on_as_of=100))
    assert outcome.success and outcome.message is None
    assert outcome.metrics["accounts_reporting"] == 100
    assert outcome.metrics["accounts_reporting_median"] == 100
    assert outcome.metrics["history_points"] == BandSettings().volume_weeks
    # A flat history: the band is the spread floor, 5% of the median, times k = 3.
    assert outcome.metrics["accounts_reporting_lower_bound"] == pytest.approx(85.0)
    assert outcome.metrics["spend_usd_upper_bound"] == pytest.approx(1150.0)


def test_a_day_with_half_the_accounts_is_far_below_its_band():
    outcome = volume(spend_warehouse(accounts_on_as_of=50))
    assert not outcome.success
    assert outcome.severity == ERROR
    assert outcome.metrics["accounts_reporting"] == 50
    assert outcome.metrics["spend_usd"] == 500
    assert outcome.message is not None
    assert "ad_spend on 2026-05-20 (Wednesday) is far below its band" in outcome.message
    assert "accounts reporting 50 arrived, expected at least 85 (median 100)" in outcome.message
    assert "spend (USD) 500.00 arrived, expected at least 850.00" in outcome.message


def test_a_day_above_its_band_only_warns():
    connection = spend_warehouse(accounts_on_as_of=100)
    connection.execute(
        "insert into staging.stg_ads_manager__ad_spend select account_id, spend_date, 90.0 "
        "from staging.stg_ads_manager__ad_spend where spend_date = ?",
        [AS_OF],
    )
    outcome = volume(connection)
    assert not outcome.success
    assert outcome.severity == WARN
    assert outcome.message is not None and "is above its band" in outcome.message
    assert "spend (USD) 10,000.00 arrived, expected at most 1,150.00" in outcome.message
    assert "rows 200 arrived" in outcome.message


def test_without_enough_history_the_band_is_not_judged():
    outcome = volume(spend_warehouse(accounts_on_as_of=10, history_weeks=2))
    assert outcome.success
    assert outcome.metrics["history_points"] == 2
    assert math.isnan(outcome.metrics["accounts_reporting_lower_bound"])


def test_the_band_parameters_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("CHECK_VOLUME_WEEKS", "4")
    monkeypatch.setenv("CHECK_VOLUME_K", "12")
    settings = band_settings()
    assert (settings.volume_weeks, settings.volume_k) == (4, 12.0)
    assert settings.shift_days == BandSettings().shift_days
    # k = 12 with the 5% floor: 100 - 12 x 5 = 40, so 50 accounts is inside the band.
    outcome = volume(spend_warehouse(accounts_on_as_of=50), settings)
    assert outcome.success
    assert outcome.metrics["history_points"] == 4
    assert outcome.metrics["accounts_reporting_lower_bound"] == pytest.approx(40.0)


def test_a_day_when_many_members_change_tier_warns_with_the_numbers():
    connection = duckdb.connect()
    days = {"first": AS_OF - timedelta(days=40), "as_of": AS_OF}
    connection.execute("create schema marts")
    connection.execute(
        """
        create table marts.fct_account_tier_daily as
        select 'acc_' || account as account_id, day::date as date_day
        from range(200) as accounts(account),
            range(cast($first as date), cast($as_of as date) + 1, interval 1 day) as days(day)
        """,
        days,
    )
    # Two changes a day, then 30 on the as-of day.
    connection.execute(
        """
        create table marts.fct_tier_changes as
        select day::date as effective_date, 'downgrade' as change_type
        from range(cast($first as date), cast($as_of as date), interval 1 day) as days(day),
            range(2)
        union all
        select cast($as_of as date), 'upgrade' from range(30)
        """,
        days,
    )
    build = Build(AS_OF, AS_OF, 200)
    outcome = run_suite(connection, TIER_CHANGE_SHARE_SUITE, build)
    assert not TIER_CHANGE_SHARE_SUITE.blocking
    assert not outcome.success and outcome.severity == WARN
    assert outcome.metrics["share_changing_tier"] == pytest.approx(0.15)
    assert outcome.metrics["share_changing_tier_median"] == pytest.approx(0.01)
    assert outcome.message is not None
    assert "share of members changing tier 15.00% on the day, expected at most" in outcome.message
    # Three changes on the as-of day is within the band.
    connection.execute("delete from marts.fct_tier_changes where change_type = 'upgrade'")
    connection.execute(
        "insert into marts.fct_tier_changes select cast(? as date), 'upgrade' from range(3)",
        [AS_OF],
    )
    assert run_suite(connection, TIER_CHANGE_SHARE_SUITE, build).success


def test_spend_match_credits_newly_missing_count_on_the_day_their_deadline_fell():
    connection = duckdb.connect()
    days = {"first": AS_OF - timedelta(days=30), "as_of": AS_OF}
    connection.execute("create schema marts")
    connection.execute(
        """
        create table marts.fct_account_tier_daily as
        select 'acc_1' as account_id, day::date as date_day
        from range(cast($first as date), cast($as_of as date) + 1, interval 1 day) as days(day)
        """,
        days,
    )
    # One credit a day went overdue and was issued late since; seven went overdue today.
    connection.execute(
        """
        create table marts.fct_spend_match_reconciliation as
        select 'issued_late' as status, day + interval 12 hour as due_by
        from range(cast($first as date), cast($as_of as date), interval 1 day) as days(day)
        union all
        select 'issued_on_time', cast($as_of as date) + interval 1 hour from range(50)
        union all
        select 'missing', cast($as_of as date) + interval 1 hour from range(7)
        """,
        days,
    )
    outcome = run_suite(connection, NEWLY_MISSING_SPEND_MATCH_SUITE, Build(AS_OF, AS_OF, 1))
    assert not outcome.success and outcome.severity == WARN
    assert outcome.metrics["newly_missing_credits"] == 7
    assert outcome.metrics["newly_missing_credits_median"] == 1
    assert outcome.metrics["history_points"] == BandSettings().shift_days
    assert outcome.message is not None
    assert "spend-match credits newly missing 7 on the day, expected at most 5" in outcome.message
