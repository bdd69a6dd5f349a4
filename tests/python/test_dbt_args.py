"""The pure pieces of the orchestration: a run's as-of window and its dbt command line."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from orchestration.as_of import AsOfWindow, previous_day, window_from_tags
from orchestration.dbt_args import dbt_build_args


def test_a_daily_run_builds_as_of_its_day():
    assert dbt_build_args(AsOfWindow.single(date(2026, 3, 31))) == [
        "build",
        "--vars",
        '{"as_of_date": "2026-03-31"}',
        "--exclude-resource-type",
        "unit_test",
    ]


def test_a_range_is_one_build_as_of_its_last_day():
    args = dbt_build_args(AsOfWindow(date(2026, 3, 1), date(2026, 3, 31)))
    assert args[0] == "build"
    assert json.loads(args[args.index("--vars") + 1]) == {"as_of_date": "2026-03-31"}
    assert args.count("build") == 1


def test_a_window_lists_its_days_in_order():
    window = AsOfWindow.from_keys("2026-02-27", "2026-03-02")
    assert window.days() == [
        date(2026, 2, 27),
        date(2026, 2, 28),
        date(2026, 3, 1),
        date(2026, 3, 2),
    ]
    with pytest.raises(ValueError):
        AsOfWindow(date(2026, 3, 2), date(2026, 3, 1))


def test_the_window_of_a_run_comes_from_its_tags():
    assert window_from_tags({"dagster/partition": "2026-03-31"}) == AsOfWindow.single(
        date(2026, 3, 31)
    )
    assert window_from_tags(
        {
            "dagster/asset_partition_range_start": "2026-03-01",
            "dagster/asset_partition_range_end": "2026-03-31",
        }
    ) == AsOfWindow(date(2026, 3, 1), date(2026, 3, 31))
    assert window_from_tags({}) is None


def test_the_daily_run_builds_the_day_before():
    assert previous_day(datetime(2026, 4, 1, 6, 0, tzinfo=UTC)) == date(2026, 3, 31)
    assert previous_day(datetime(2026, 3, 1, 0, 0, tzinfo=UTC)) == date(2026, 2, 28)
