"""Incremental runs give the marts of a full rebuild, and recompute only what changed.

A scaled-down `make bench` (warehouse/bench.py): a generated landing zone is built in full,
then a day of spend lands and `dbt run` updates the warehouse, then a day 30 days back is
restated and `dbt run` updates it again. A full rebuild of the same landing zone into a fresh
file must give the same marts, row for row. The bench's timings are not looked at here.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from warehouse.bench import run_benchmark


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return run_benchmark(accounts=300, days=150, work=tmp_path_factory.mktemp("bench"))


@pytest.fixture(scope="module")
def incremental_warehouse(bench: dict):
    connection = duckdb.connect(bench["warehouse"], read_only=True)
    yield connection
    connection.close()


def test_daily_and_restatement_runs_give_the_marts_of_a_full_rebuild(bench):
    assert bench["marts_differing_after_restatement"] == []


def test_the_restatement_run_recomputed_only_the_restated_account_days(incremental_warehouse):
    restated = incremental_warehouse.execute(
        """
        select distinct date_day from intermediate.int_account_spend_daily
        where refreshed_at = (select max(refreshed_at) from intermediate.int_account_spend_daily)
        """
    ).fetchall()
    assert restated == [(date(2026, 11, 20) - timedelta(days=30),)]


def test_the_restatement_run_replanned_the_60_days_from_the_restated_day(
    incremental_warehouse, bench
):
    restated_day = date.fromisoformat(bench["restated_day"])
    as_of = incremental_warehouse.execute(
        "select as_of_date from intermediate.int_as_of_date"
    ).fetchone()[0]
    assert as_of == date(2026, 11, 21)  # the daily run's new day
    planned = incremental_warehouse.execute(
        """
        select account_id, recompute_from, recompute_to, replaces_all_days
        from intermediate.int_account_tier_days_planned
        """
    ).fetchall()
    members_with_restated_spend = incremental_warehouse.execute(
        """
        select spend_daily.account_id, greatest(spend_daily.date_day, accounts.tiktok_one_joined_on)
        from intermediate.int_account_spend_daily as spend_daily
        inner join staging.stg_ads_manager__accounts as accounts
            on spend_daily.account_id = accounts.account_id
        where spend_daily.date_day = ?
            and accounts.tiktok_one_joined_on <= ?
        """,
        [restated_day, min(restated_day + timedelta(days=59), as_of)],
    ).fetchall()
    assert members_with_restated_spend, "the sample must restate spend of some member"
    assert sorted(planned) == sorted(
        (account_id, first_day, min(restated_day + timedelta(days=59), as_of), False)
        for account_id, first_day in members_with_restated_spend
    )


def test_the_full_rebuild_and_the_incremental_warehouse_cover_the_same_tier_days(
    incremental_warehouse, bench
):
    rebuilt = Path(bench["warehouse"]).with_name("rebuilt.duckdb")
    incremental_warehouse.execute(f"attach '{rebuilt}' as rebuilt (read_only)")
    counts = incremental_warehouse.execute(
        """
        select
            (select count(*) from marts.fct_account_tier_daily),
            (select count(*) from rebuilt.marts.fct_account_tier_daily)
        """
    ).fetchone()
    incremental_warehouse.execute("detach rebuilt")
    assert counts[0] == counts[1] > 0
