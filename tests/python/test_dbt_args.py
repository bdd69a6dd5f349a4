"""The pure pieces of the orchestration: a run's as-of date, its dbt parameters and command line."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from orchestration.as_of import (
    REQUESTED_TAG,
    parse_as_of,
    previous_day,
    requested_as_of,
    requested_from_tags,
)
from orchestration.dbt_args import RUN_VAR_NAMES, dbt_build_args, dbt_environment, dbt_vars
from orchestration.schedules import daily_run_config
from warehouse.refresh import RefreshPlan

AS_OF = date(2026, 3, 31)
WINDOW_START = date(2026, 1, 31)  # the as-of date less recompute_days (60) - 1


def test_a_daily_run_is_one_dbt_build_without_unit_tests():
    assert dbt_build_args() == ["build", "--exclude-resource-type", "unit_test"]
    assert dbt_build_args(full_refresh=True) == [
        "build",
        "--exclude-resource-type",
        "unit_test",
        "--full-refresh",
    ]


def test_a_daily_run_passes_its_as_of_date_and_window_through_the_environment():
    """Environment variables, not --vars: a new as-of date every day would make dbt parse the
    whole project again."""
    plan = RefreshPlan(False, WINDOW_START)
    parameters = dbt_vars(AS_OF, plan)
    assert parameters == {
        "as_of_date": "2026-03-31",
        "recompute_from": "2026-01-31",
        "test_recomputed_days_only": "true",
    }
    assert set(parameters) == set(RUN_VAR_NAMES)
    assert dbt_environment(parameters) == {
        "WAREHOUSE_AS_OF_DATE": "2026-03-31",
        "WAREHOUSE_RECOMPUTE_FROM": "2026-01-31",
        "WAREHOUSE_TEST_RECOMPUTED_DAYS_ONLY": "true",
    }
    assert plan.summary() == "incremental from 2026-01-31"


def test_a_widened_window_says_why():
    plan = RefreshPlan(False, date(2025, 12, 31), ("int_account_spend_daily: new ad_spend rows",))
    assert dbt_vars(AS_OF, plan)["recompute_from"] == "2025-12-31"
    assert plan.summary() == (
        "incremental from 2025-12-31: int_account_spend_daily: new ad_spend rows"
    )


def test_a_full_refresh_tests_every_row_and_needs_no_window():
    plan = RefreshPlan(True, WINDOW_START, ("full refresh requested",))
    assert dbt_vars(AS_OF, plan) == {"as_of_date": "2026-03-31"}
    assert plan.summary() == "full refresh: full refresh requested"


def test_without_an_as_of_date_dbt_builds_as_of_its_default_and_tests_every_row():
    """No as-of date (a partial run started without config): dbt's default, the latest spend
    day (int_as_of_date), each model's usual window, and the data tests read every row."""
    plan = RefreshPlan(False)
    assert dbt_vars(None, plan) == {}
    assert dbt_environment({}) == {}
    assert plan.summary() == "incremental (each model's usual window)"


def test_the_as_of_date_is_the_run_config_else_the_partition_key():
    assert requested_as_of("2026-03-30", "2026-03-31") == date(2026, 3, 30)
    assert requested_as_of(None, "2026-03-31") == date(2026, 3, 31)
    assert requested_as_of(" ", None) is None
    assert requested_as_of(None, None) is None
    with pytest.raises(ValueError, match=r"as_of_date '2026-13-01' is not a date: give it as"):
        parse_as_of("2026-13-01")


def test_the_checks_read_the_requested_as_of_date_from_the_run_tags():
    assert requested_from_tags({REQUESTED_TAG: "2026-03-31"}) == date(2026, 3, 31)
    assert requested_from_tags({REQUESTED_TAG: ""}) is None
    assert requested_from_tags({}) is None


def test_the_daily_run_builds_the_day_before_given_as_run_config():
    assert previous_day(datetime(2026, 4, 1, 6, 0, tzinfo=UTC)) == date(2026, 3, 31)
    assert previous_day(datetime(2026, 3, 1, 0, 0, tzinfo=UTC)) == date(2026, 2, 28)
    assert daily_run_config("2026-03-31") == {
        "ops": {"warehouse_dbt_build": {"config": {"as_of_date": "2026-03-31"}}}
    }
