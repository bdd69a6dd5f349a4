"""An incomplete day is held back: whole runs of the Dagster job on a generated landing zone.

The fixture landing zone is too short and too sparse for a band over the same weekday of
the trailing weeks, so this module generates a small zone (200 accounts, 120 days, ending on
a Friday) and holds its last day back. The job runs as the schedule would start it:

1. as of the Thursday, a normal day: every blocking check passes, the outbox and the BI copy
   are written;
2. the Friday then lands with half its accounts missing, and the run as of the Friday is held
   back: the volume band on the staged spend fails with a message naming the shortfall, no
   outbox file is written for the day, and the BI copy stays as of the Thursday.

Two dbt builds in all (a full one, then a daily one). Slow tier: whole Dagster runs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pytest

from orchestration.assets.outbox import OUTBOX_FILES_KEY, OUTBOX_TABLE_KEY
from orchestration.assets.publish import PUBLISHED_KEY
from tests.python.dagster_runs import (
    Place,
    failed_with_error,
    materialized,
    run_job,
    step_failures,
    use_place,
)
from warehouse.generate import generate
from warehouse.outbox import event_file

pytestmark = pytest.mark.slow

FRIDAY = date(2026, 11, 20)
THURSDAY = date(2026, 11, 19)
AD_SPEND = dg.AssetKey(["staging", "stg_ads_manager__ad_spend"])
DELIVERED = {OUTBOX_TABLE_KEY, OUTBOX_FILES_KEY, PUBLISHED_KEY}


def hold_back_last_day(landing: Path) -> Path:
    """Take the Friday's rows out of the generated spend files (before any build reads them)
    and return them as a table file outside the landing zone, to land later."""
    folder = landing / "ad_spend"
    held = landing.parent / "held_back_ad_spend.parquet"
    connection = duckdb.connect()
    try:
        files = sorted(folder.glob("*.parquet"))
        connection.execute(
            f"copy (select * from read_parquet(?) where spend_date = ?) to '{held}' "
            "(format parquet)",
            [[str(file) for file in files], FRIDAY],
        )
        for file in files:
            rest = file.with_suffix(".rest")
            connection.execute(
                f"copy (select * from read_parquet(?) where spend_date <> ?) to '{rest}' "
                "(format parquet)",
                [str(file), FRIDAY],
            )
            rest.replace(file)
    finally:
        connection.close()
    return held


def land_half_of_the_day(held: Path, landing: Path) -> int:
    """Land the Friday as a new file with every other account's spend missing; the number of
    accounts that reported."""
    target = landing / "ad_spend" / "part-late-2026-11-20.parquet"
    connection = duckdb.connect()
    try:
        connection.execute(
            f"""
            copy (
                with

                day as (select * from read_parquet('{held}')),

                reporting as (
                    select account_id
                    from (select distinct account_id from day)
                    qualify row_number() over (order by account_id) % 2 = 0
                )

                select * from day
                where account_id in (select account_id from reporting)
            ) to '{target}' (format parquet)
            """
        )
        row = connection.execute(
            f"select count(distinct account_id) from read_parquet('{target}')"
        ).fetchone()
    finally:
        connection.close()
    assert row is not None
    return int(row[0])


def landing_digest(landing: Path) -> dict[str, str]:
    return {
        str(path.relative_to(landing)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(landing.rglob("*.parquet"))
    }


def evaluation(result: dg.ExecuteInProcessResult, name: str) -> Any:
    [found] = [item for item in result.get_asset_check_evaluations() if item.check_name == name]
    return found


def published_as_of(path: Path) -> date:
    connection = duckdb.connect(str(path), read_only=True)
    try:
        row = connection.execute("select as_of_date from meta.publication").fetchone()
    finally:
        connection.close()
    assert row is not None
    return row[0]


@dataclass
class Runs:
    place: Place
    normal: dg.ExecuteInProcessResult
    incomplete: dg.ExecuteInProcessResult
    accounts_reporting: int
    landing_before: dict[str, str]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runs]:
    root = tmp_path_factory.mktemp("incomplete_day")
    landing = root / "landing"
    generate(landing, accounts=200, days=120, seed=7, end_date=FRIDAY)
    held = hold_back_last_day(landing)
    with pytest.MonkeyPatch.context() as monkeypatch:
        place = use_place(monkeypatch, root, landing)
        instance = dg.DagsterInstance.ephemeral()
        normal = run_job(THURSDAY, instance)
        reporting = land_half_of_the_day(held, place.landing)
        before = landing_digest(place.landing)
        incomplete = run_job(FRIDAY, instance)
        yield Runs(place, normal, incomplete, reporting, before)


def test_a_normal_day_passes_and_is_delivered(runs):
    result = runs.normal
    assert result.success, step_failures(result)
    assert failed_with_error(result) == set()
    volume = evaluation(result, "ad_spend_volume")
    assert volume.passed
    metadata = {key: value.value for key, value in volume.metadata.items()}
    assert metadata["history_points"] == 6
    assert (
        metadata["accounts_reporting_lower_bound"]
        <= metadata["accounts_reporting"]
        <= metadata["accounts_reporting_upper_bound"]
    )
    assert DELIVERED <= materialized(result)
    assert event_file(runs.place.outbox, THURSDAY).exists()
    assert published_as_of(runs.place.published) == THURSDAY


def test_a_day_with_half_the_accounts_missing_is_held_back(runs):
    result = runs.incomplete
    assert not result.success
    assert failed_with_error(result) == {"ad_spend_volume"}
    volume = evaluation(result, "ad_spend_volume")
    assert volume.asset_key == AD_SPEND
    metadata = {key: value.value for key, value in volume.metadata.items()}
    assert metadata["accounts_reporting"] == runs.accounts_reporting
    assert metadata["accounts_reporting"] < metadata["accounts_reporting_lower_bound"]
    message = volume.description or ""
    assert "ad_spend on 2026-11-20 (Friday) is far below its band" in message
    assert f"accounts reporting {runs.accounts_reporting} arrived, expected at least" in message
    # Neither the outbox nor the BI copy moved to the Friday.
    assert not DELIVERED & materialized(result)
    assert not event_file(runs.place.outbox, FRIDAY).exists()
    assert published_as_of(runs.place.published) == THURSDAY
    connection = duckdb.connect(str(runs.place.warehouse), read_only=True)
    try:
        row = connection.execute(
            "select count(*) from outbox.tier_events where event_date = ?", [FRIDAY]
        ).fetchone()
    finally:
        connection.close()
    assert row == (0,)
    # The dbt build itself ran (the marts are as of the Friday, for the checks to judge);
    # no landing file was touched.
    assert dg.AssetKey(["marts", "fct_account_tier_daily"]) in materialized(result)
    assert landing_digest(runs.place.landing) == runs.landing_before


def test_the_held_back_run_says_which_check_stopped_it(runs):
    failures = runs.incomplete.get_step_failure_events()
    text = " ".join(str(event.step_failure_data.error) for event in failures)
    assert "ad_spend_volume" in text
