"""A daily run of the Creator Next models equals a full rebuild, whatever the day brought.

The 30-day stats, the daily eligibility and the eligibility changes recompute the stat days of
the window and keep the days before. After each change below, every row of every model of
models/*/creators equals a build from scratch: a realistic day, stats restated inside and
outside the window, a creator restated, and the as-of date moved back and forward.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from tests.python.incremental_equality import (
    Zone,
    differing_rows,
    generated_zone,
    land_rows,
    models_in,
)
from tests.python.incremental_equality import assert_daily_run_equals_full_rebuild as equal_after
from warehouse.landing_day import land_day

pytestmark = pytest.mark.slow

END = date(2026, 11, 20)
DAY = END + timedelta(days=1)
SELECTION = "+path:models/intermediate/creators +path:models/marts/creators"
RELATIONS = models_in("intermediate/creators", "marts/creators")
WINDOWED = (
    "intermediate.int_creator_stats_rolled_30d",
    "marts.fct_creator_next_eligibility_daily",
    "marts.fct_creator_next_eligibility_changes",
)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Zone:
    return generated_zone(tmp_path_factory.mktemp("creators-base"), SELECTION, END, days=200)


@pytest.fixture
def zone(built: Zone, tmp_path: Path) -> Zone:
    return built.copy(tmp_path)


def assert_daily_run_equals_full_rebuild(
    zone: Zone, built: Zone, as_of: date, recompute_from: date | None = None
) -> None:
    equal_after(zone, built, as_of, WINDOWED, RELATIONS, recompute_from)


def restate_stats(landing: Path, day: date) -> None:
    """The day's stats of every third creator again, with other views and posts: conflicting
    copies, so that neither counts and those creators have no stats that day."""
    land_rows(
        landing,
        "creator_daily_stats",
        f"restated-{day:%Y%m%d}",
        f"""select * replace (video_views * 3 + 1 as video_views, posts + 2 as posts)
        from {{rows}} where stat_date = date '{day}' and hash(creator_id) % 3 = 0""",
    )


def test_a_realistic_day(zone: Zone, built: Zone):
    land_day(zone.landing, DAY)
    assert_daily_run_equals_full_rebuild(zone, built, DAY)


def test_stats_restated_inside_the_window(zone: Zone, built: Zone):
    restate_stats(zone.landing, END - timedelta(days=20))
    assert_daily_run_equals_full_rebuild(zone, built, END)


def test_stats_restated_outside_the_window(zone: Zone, built: Zone):
    restated_day = END - timedelta(days=80)
    restate_stats(zone.landing, restated_day)
    assert_daily_run_equals_full_rebuild(zone, built, END, recompute_from=restated_day)


def test_a_creator_restated(zone: Zone, built: Zone):
    # Another country for one creator: both copies conflict, so every stat day of the creator
    # changes, from its first.
    land_rows(
        zone.landing,
        "creators",
        "restated-creator",
        "select * replace ('ZZ' as country_code) from {rows} order by creator_id limit 1",
    )
    with duckdb.connect() as connection:
        [(first_stat_day,)] = connection.execute(
            f"""select min(stat_date)
            from read_parquet('{zone.landing}/creator_daily_stats/*.parquet')
            where creator_id = (select min(creator_id)
                from read_parquet('{zone.landing}/creators/part-*.parquet'))"""
        ).fetchall()
    assert_daily_run_equals_full_rebuild(zone, built, END, recompute_from=first_stat_day)


def test_the_as_of_date_moved_back_and_forward(zone: Zone, built: Zone):
    earlier = END - timedelta(days=10)
    assert_daily_run_equals_full_rebuild(zone, built, earlier)
    zone.daily_run(END)
    assert differing_rows(zone.warehouse, built.warehouse, RELATIONS) == {}
