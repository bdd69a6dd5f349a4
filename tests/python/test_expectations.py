"""The GX suites on the fixture warehouse: all pass on it, and each catches what it is for.

Faults are planted in a copy of the fixture warehouse (the session's is open read-only).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pytest

from orchestration.expectations import (
    AS_OF_FRESHNESS,
    DOWNGRADE_WARNINGS,
    SUITES,
    TIER_CHANGES,
    TIER_DAILY_AS_OF_DAY,
    TIER_DAILY_SPINE,
    read_build,
    run_suite,
)
from warehouse.fixtures import FIXTURE_AS_OF


@pytest.fixture
def planted(fixture_warehouse: Path, tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A writable copy of the fixture warehouse to plant faults in."""
    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(fixture_warehouse, copy)
    connection = duckdb.connect(str(copy))
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
    assert {name: outcome.failures for name, outcome in outcomes.items()} == {
        name: [] for name in outcomes
    }
    assert all(outcome.success and outcome.evaluated > 0 for outcome in outcomes.values())
    # The daily suite sees one partition: the as-of day, one row per member account.
    assert outcomes["gx_as_of_day"].rows == build.member_accounts


def test_a_tier_code_outside_the_contract_fails_the_as_of_day_suite(planted):
    planted.execute(
        """
        update marts.fct_account_tier_daily set tier = 'gold'
        where account_id = 'acc_historical_basis' and date_day = ?
        """,
        [FIXTURE_AS_OF],
    )
    outcome = run_suite(planted, TIER_DAILY_AS_OF_DAY, read_build(planted, FIXTURE_AS_OF))
    assert not outcome.success
    assert [(failure["expectation"], failure["sample"]) for failure in outcome.failures] == [
        ("expect_column_values_to_be_in_set", ["gold"])
    ]


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
    # The as-of day itself is intact: that suite still passes.
    assert failed_expectations(planted, TIER_DAILY_AS_OF_DAY) == set()


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


def test_a_change_that_does_not_start_from_the_previous_tier_fails(planted):
    planted.execute(
        """
        update marts.fct_tier_changes set from_tier = 'premium'
        where account_id = 'acc_historical_basis' and effective_date = ?
        """,
        [FIXTURE_AS_OF],
    )
    assert failed_expectations(planted, TIER_CHANGES) == {"expect_column_pair_values_to_be_equal"}


def test_a_resolved_pending_warning_fails(planted):
    planted.execute(
        """
        update marts.fct_downgrade_warnings set outcome = 'pending'
        where account_id = 'acc_historical_basis'
        """
    )
    assert failed_expectations(planted, DOWNGRADE_WARNINGS) == {"expect_column_values_to_be_null"}
