"""The pure pieces of the orchestration: a run's as-of date and its dbt command line."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from orchestration.as_of import (
    REQUESTED_TAG,
    parse_as_of,
    previous_day,
    requested_as_of,
    requested_from_tags,
)
from orchestration.dbt_args import dbt_build_args, dbt_vars
from orchestration.schedules import daily_run_config
from warehouse.refresh import RefreshPlan

USUAL_WINDOW = RefreshPlan(full_refresh=False)


def test_a_daily_run_builds_as_of_its_day_with_tests_sized_like_the_run():
    assert dbt_build_args(dbt_vars(date(2026, 3, 31), USUAL_WINDOW)) == [
        "build",
        "--vars",
        '{"as_of_date": "2026-03-31", "test_recomputed_days_only": true}',
        "--exclude-resource-type",
        "unit_test",
    ]


def test_a_widened_window_is_passed_as_recompute_from():
    plan = RefreshPlan(False, date(2025, 12, 31), ("int_account_spend_daily: new ad_spend rows",))
    args = dbt_build_args(dbt_vars(date(2026, 3, 31), plan))
    assert json.loads(args[args.index("--vars") + 1]) == {
        "as_of_date": "2026-03-31",
        "recompute_from": "2025-12-31",
        "test_recomputed_days_only": True,
    }
    assert "--full-refresh" not in args
    assert plan.summary() == (
        "incremental from 2025-12-31: int_account_spend_daily: new ad_spend rows"
    )


def test_a_full_refresh_tests_every_row_and_needs_no_window():
    plan = RefreshPlan(True, date(2025, 12, 31), ("full refresh requested",))
    args = dbt_build_args(dbt_vars(date(2026, 3, 31), plan), plan.full_refresh)
    assert args[-1] == "--full-refresh"
    assert json.loads(args[args.index("--vars") + 1]) == {"as_of_date": "2026-03-31"}
    assert plan.summary() == "full refresh: full refresh requested"


def test_without_an_as_of_date_dbt_builds_as_of_its_default():
    """No as_of_date var: dbt's default, the latest spend day (int_as_of_date)."""
    args = dbt_build_args(dbt_vars(None, USUAL_WINDOW))
    assert "as_of_date" not in json.loads(args[args.index("--vars") + 1])
    assert USUAL_WINDOW.summary() == "incremental (usual window)"


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
