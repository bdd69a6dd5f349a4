"""Incremental runs give the marts of a full rebuild, and recompute only what changed.

A scaled-down `make bench` (warehouse/bench.py): a generated landing zone is built in full,
then a day of spend lands and `dbt run` updates the warehouse, then a day 30 days back is
restated and `dbt run` updates it again. A full rebuild of the same landing zone into a fresh
file must give the same marts, row for row. The bench's timings are not looked at here.
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from warehouse.bench import DBT, dbt_build, land_file, marts_differ, run_benchmark
from warehouse.config import PROJECT_DIR, dbt_env


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


def test_voiding_a_month_of_an_accounts_spend_replaces_what_depends_on_it(bench, tmp_path: Path):
    """A whole month of one account's spend restated to zero: its month no longer counts
    for the credit line (continuous spend) and its spend-to-date drops. The incremental run
    must still give the marts of a full rebuild."""
    landing = Path(bench["warehouse"]).parent / f"landing-{bench['accounts']}x{bench['days']}"
    copied_landing = tmp_path / "landing"
    shutil.copytree(landing, copied_landing)
    warehouse = tmp_path / "incremental.duckdb"
    shutil.copy(bench["warehouse"], warehouse)
    restated_month = date.fromisoformat(bench["restated_day"]).replace(day=1)

    spend = f"read_parquet('{copied_landing}/ad_spend/*.parquet')"
    account_id = duckdb.sql(
        f"""
        select account_id from {spend}
        where date_trunc('month', spend_date) = date '{restated_month}' and spend > 0
        group by account_id order by count(*) desc, account_id limit 1
        """
    ).fetchall()[0][0]
    land_file(
        copied_landing,
        "bench-voided-month.parquet",
        "select * replace (cast(0 as decimal(18, 2)) as spend, reported_at + interval 90 day "
        f"as reported_at) from {{spend}} where account_id = '{account_id}' "
        f"and date_trunc('month', spend_date) = date '{restated_month}'",
    )

    def credit_line_days(path: Path) -> list[tuple]:
        with duckdb.connect(str(path), read_only=True) as connection:
            return connection.execute(
                "select date_day, passes_continuous_spend, months_with_spend_in_prior_6 "
                "from marts.fct_credit_line_eligibility where account_id = ? order by 1",
                [account_id],
            ).fetchall()

    before = credit_line_days(warehouse)
    env = dbt_env(copied_landing, warehouse)
    run = [DBT, "run", "--quiet", "--target-path", str(tmp_path / "target")]
    assert subprocess.run(run, cwd=PROJECT_DIR, env=env).returncode == 0
    rebuilt = tmp_path / "rebuilt.duckdb"
    dbt_build("rebuild", copied_landing, rebuilt, tmp_path / "target-rebuild")

    assert credit_line_days(warehouse) != before, "the voided month must change the account"
    assert marts_differ(warehouse, rebuilt) == []
