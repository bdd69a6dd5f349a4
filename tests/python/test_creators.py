"""Creator Next eligibility on the fixture landing zone, against expectations worked out by hand.

The scenarios and their stories are in warehouse/fixtures/creators.py; the fixture as-of date is
2026-03-31 and the seeds say 18 years, 1,000 views and 3 posts over [D-29, D], 10,000
followers, CA open from 2026-03-16, AU later.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

DAILY = "marts.fct_creator_next_eligibility_daily"
CHANGES = "marts.fct_creator_next_eligibility_changes"

# Every change row of every fixture creator: (day, change_type, changed_rules).
EXPECTED_CHANGES: dict[str, list[tuple[date, str, str | None]]] = {
    "crt_always_eligible": [(date(2026, 2, 1), "initial", None)],
    "crt_turns_18_on_mar_10": [
        (date(2026, 3, 1), "initial", "age"),
        (date(2026, 3, 10), "became_eligible", "age"),
    ],
    "crt_born_feb_29_2008": [
        (date(2026, 2, 20), "initial", "age"),
        (date(2026, 3, 1), "became_eligible", "age"),
    ],
    "crt_ca_opens_mar_16": [
        (date(2026, 3, 10), "initial", "region"),
        (date(2026, 3, 16), "became_eligible", "region"),
    ],
    "crt_au_not_open_yet": [(date(2026, 3, 1), "initial", "region")],
    "crt_br_not_a_region": [(date(2026, 3, 1), "initial", "region, followers")],
    "crt_business_account": [(date(2026, 3, 1), "initial", "account_type")],
    "crt_gb_reaches_10000_followers": [
        (date(2026, 3, 1), "initial", "followers"),
        (date(2026, 3, 5), "became_eligible", "followers"),
    ],
    "crt_views_999_then_1000": [
        (date(2026, 3, 1), "initial", "views"),
        (date(2026, 3, 10), "became_eligible", "views"),
        (date(2026, 3, 31), "lost_eligibility", "views"),
    ],
    "crt_posts_2_then_3": [
        (date(2026, 3, 1), "initial", "posts"),
        (date(2026, 3, 12), "became_eligible", "posts"),
        (date(2026, 3, 31), "lost_eligibility", "posts"),
    ],
    "crt_stat_days_missing": [
        (date(2026, 2, 1), "initial", "views, posts"),
        (date(2026, 2, 20), "became_eligible", "views, posts"),
        (date(2026, 3, 3), "lost_eligibility", "views, posts"),
    ],
    "crt_loses_good_standing": [
        (date(2026, 3, 1), "initial", None),
        (date(2026, 3, 15), "lost_eligibility", "standing"),
        (date(2026, 3, 21), "became_eligible", "standing"),
        (date(2026, 3, 25), "lost_eligibility", "standing"),
        (date(2026, 3, 26), "became_eligible", "standing"),
    ],
    "crt_loses_followers_and_standing": [
        (date(2026, 3, 1), "initial", None),
        (date(2026, 3, 20), "lost_eligibility", "followers, standing"),
        (date(2026, 3, 25), "became_eligible", "followers"),
    ],
    "crt_no_birth_date": [(date(2026, 3, 1), "initial", "age")],
    "crt_stats_after_as_of": [(date(2026, 3, 25), "initial", None)],
}


def _daily(warehouse: duckdb.DuckDBPyConnection, creator_id: str, columns: str) -> list[tuple]:
    return warehouse.execute(
        f"select date_day, {columns} from {DAILY} where creator_id = ? order by date_day",
        [creator_id],
    ).fetchall()


def _day(warehouse: duckdb.DuckDBPyConnection, creator_id: str, day: date, columns: str) -> tuple:
    row = warehouse.execute(
        f"select {columns} from {DAILY} where creator_id = ? and date_day = ?", [creator_id, day]
    ).fetchone()
    assert row is not None, f"no row for {creator_id} on {day}"
    return row


def test_every_change_matches_the_hand_worked_history(warehouse: duckdb.DuckDBPyConnection) -> None:
    rows = warehouse.execute(
        f"select creator_id, date_day, change_type, changed_rules from {CHANGES} "
        "where creator_id like 'crt_%' order by creator_id, date_day"
    ).fetchall()
    actual: dict[str, list[tuple]] = {}
    for creator_id, day, change_type, changed_rules in rows:
        actual.setdefault(creator_id, []).append((day, change_type, changed_rules))
    assert actual == EXPECTED_CHANGES


def test_turns_18_on_the_birthday(warehouse: duckdb.DuckDBPyConnection) -> None:
    creator = "crt_turns_18_on_mar_10"
    assert _day(warehouse, creator, date(2026, 3, 9), "age_years, passes_age, is_eligible") == (
        17,
        False,
        False,
    )
    assert _day(warehouse, creator, date(2026, 3, 10), "age_years, passes_age, is_eligible") == (
        18,
        True,
        True,
    )


def test_feb_29_birthday_turns_18_on_march_1(warehouse: duckdb.DuckDBPyConnection) -> None:
    creator = "crt_born_feb_29_2008"
    assert _day(warehouse, creator, date(2026, 2, 28), "age_years, is_eligible") == (17, False)
    assert _day(warehouse, creator, date(2026, 3, 1), "age_years, is_eligible") == (18, True)


def test_canada_opens_on_its_available_from_day(warehouse: duckdb.DuckDBPyConnection) -> None:
    rows = _daily(warehouse, "crt_ca_opens_mar_16", "passes_region, failed_rules")
    assert [(day.day, passes) for day, passes, _ in rows] == [
        (day, day >= 16) for day in range(10, 21)
    ]
    assert {failed for _, passes, failed in rows if not passes} == {"region"}


def test_views_window_reaches_back_exactly_29_days(warehouse: duckdb.DuckDBPyConnection) -> None:
    rows = _daily(warehouse, "crt_views_999_then_1000", "views_30d, passes_views")
    expected_views = [999] * 9 + [1000] * 21 + [1]  # 03-01..03-09, 03-10..03-30, 03-31
    assert [views for _, views, _ in rows] == expected_views
    assert [passes for _, _, passes in rows] == [views >= 1000 for views in expected_views]


def test_posts_window_two_versus_three(warehouse: duckdb.DuckDBPyConnection) -> None:
    rows = _daily(warehouse, "crt_posts_2_then_3", "posts_30d, passes_posts")
    expected_posts = [2] * 11 + [3] * 19 + [1]  # 03-01..03-11, 03-12..03-30, 03-31
    assert [posts for _, posts, _ in rows] == expected_posts
    assert [passes for _, _, passes in rows] == [posts >= 3 for posts in expected_posts]


def test_missing_stat_days_count_as_zero(warehouse: duckdb.DuckDBPyConnection) -> None:
    rows = _daily(
        warehouse, "crt_stat_days_missing", "views_30d, posts_30d, stat_days_30d, is_eligible"
    )
    assert rows == [
        (date(2026, 2, 1), 600, 2, 1, False),
        (date(2026, 2, 20), 1000, 3, 2, True),
        (date(2026, 3, 2), 1000, 3, 3, True),
        (date(2026, 3, 3), 400, 1, 3, False),
    ]


def test_business_and_unknown_region_and_birth_date_never_eligible(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    expected = {
        "crt_business_account": ("account_type", 10_000),
        "crt_br_not_a_region": ("region, followers", None),
        "crt_au_not_open_yet": ("region", 10_000),
        "crt_no_birth_date": ("age", 10_000),
    }
    rows = warehouse.execute(
        f"select creator_id, failed_rules, min_followers, bool_or(is_eligible) as ever_eligible, "
        f"count(*) as days from {DAILY} where creator_id in (?, ?, ?, ?) "
        "group by all order by creator_id",
        list(expected),
    ).fetchall()
    assert {row[0]: (row[1], row[2]) for row in rows} == expected
    assert all(not ever_eligible for _, _, _, ever_eligible, _ in rows)
    assert _day(warehouse, "crt_no_birth_date", date(2026, 3, 1), "age_years") == (None,)


def test_unknown_standing_fails(warehouse: duckdb.DuckDBPyConnection) -> None:
    assert _day(
        warehouse, "crt_loses_good_standing", date(2026, 3, 25), "in_good_standing, passes_standing"
    ) == (None, False)


def test_lost_access_explains_every_rule(warehouse: duckdb.DuckDBPyConnection) -> None:
    row = warehouse.execute(
        f"select follower_count, min_followers, failed_rules, previous_failed_rules, was_eligible "
        f"from {CHANGES} where creator_id = 'crt_loses_followers_and_standing' "
        "and change_type = 'lost_eligibility'"
    ).fetchone()
    assert row == (9_000, 10_000, "followers, standing", None, True)


def test_rows_stop_at_the_as_of_date_and_need_stats(warehouse: duckdb.DuckDBPyConnection) -> None:
    assert warehouse.execute(
        f"select min(date_day), max(date_day), count(*) from {DAILY} "
        "where creator_id = 'crt_stats_after_as_of'"
    ).fetchone() == (date(2026, 3, 25), date(2026, 3, 31), 7)
    assert warehouse.execute(
        f"select count(*) from {DAILY} where creator_id = 'crt_no_stats'"
    ).fetchone() == (0,)
    assert warehouse.execute(
        f"select count(*), bool_and(is_eligible) from {DAILY} "
        "where creator_id = 'crt_always_eligible'"
    ).fetchone() == (59, True)


@pytest.mark.parametrize("table", [DAILY, CHANGES])
def test_no_birth_date_column_in_the_marts(
    warehouse: duckdb.DuckDBPyConnection, table: str
) -> None:
    schema, name = table.split(".")
    columns = {
        column
        for (column,) in warehouse.execute(
            "select column_name from information_schema.columns "
            "where table_schema = ? and table_name = ?",
            [schema, name],
        ).fetchall()
    }
    assert "age_years" in columns
    assert not any("birth" in column for column in columns)
