"""A partial run (one asset chosen in the UI) never marks new data or new code as consumed by
a model it left out: the next daily run still catches that model up.

A clone of the session's daily run (the job as of the fixture's as-of date); then, in order,
as an operator would:
1. a file lands restating spend 90 days back, outside the 60-day window;
2. the operator materializes one mart that reads the tier models' spend: refused, naming the
   model that needs the old days and why, and nothing in the landing zone changes;
3. the operator materializes a mart that reads none of it: it runs;
4. the daily job runs: it recomputes from the restated day, and every mart equals a full
   rebuild of the same landing zone.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from tests.python.dagster_runs import (
    Place,
    clone_place,
    full_rebuild,
    landing_files,
    materialize,
    materialized,
    run_job,
    step_failures,
    use_place,
)
from warehouse.compare import relations_differ
from warehouse.fixtures import FIXTURE_AS_OF
from warehouse.landing_day import restate_spend

pytestmark = pytest.mark.slow

BALANCES = dg.AssetKey(["marts", "fct_account_credit_balance_daily"])
COUPONS = dg.AssetKey(["marts", "fct_coupon_redemptions"])


@pytest.fixture(scope="module")
def place(
    daily_run, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Place, dg.DagsterInstance]]:
    assert daily_run.result.success, step_failures(daily_run.result)
    here = clone_place(daily_run.place, tmp_path_factory.mktemp("partial"))
    with pytest.MonkeyPatch.context() as monkeypatch:
        use_place(monkeypatch, here.root, here.landing)
        yield here, dg.DagsterInstance.ephemeral()


def restated_day(landing: Path) -> date:
    """A day with spend, 90 or more days before the as-of date (outside the window)."""
    with duckdb.connect() as connection:
        rows = connection.sql(
            f"""
            select max(spend_date) from read_parquet('{landing}/ad_spend/*.parquet')
            where spend_date <= date '{FIXTURE_AS_OF - timedelta(days=90)}' and spend > 0
            """
        ).fetchall()
    assert rows[0][0] is not None
    return rows[0][0]


def test_a_restatement_outside_the_window_survives_a_partial_run(place):
    here, instance = place
    day = restated_day(here.landing)
    restate_spend(here.landing, day, FIXTURE_AS_OF)
    before = landing_files(here.landing)

    refused = materialize(dg.AssetSelection.assets(BALANCES), instance)
    assert not refused.success
    [message] = step_failures(refused)
    assert "int_account_spend_daily" in message
    assert f"new ad_spend rows from {day}" in message
    assert "run the whole warehouse_build job" in message
    assert BALANCES not in materialized(refused)

    unrelated = materialize(dg.AssetSelection.assets(COUPONS), instance)
    assert unrelated.success, step_failures(unrelated)
    assert COUPONS in materialized(unrelated)
    assert landing_files(here.landing) == before

    daily = run_job(FIXTURE_AS_OF, instance)
    assert daily.success, step_failures(daily)
    assert f"incremental from {day}" in (daily.dagster_run.tags.get("warehouse/refresh") or "")
    assert landing_files(here.landing) == before
    rebuilt = full_rebuild(here.landing, here.root, FIXTURE_AS_OF)
    assert relations_differ(here.warehouse, rebuilt) == []
