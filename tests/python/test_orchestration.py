"""The Dagster code location: what it defines (fast), and whole runs of it (slow).

The definitions are read without running anything. The runs read the session's daily run
(conftest.py, `daily_run`: the job as the schedule starts it, as of the fixture's as-of date,
on the fixture landing zone) or work on a clone of its place. Two partial runs on a copy of
the fixture warehouse with a planted fault run no dbt: the GX checks stop the outbox and the
publish. One partial run of the outbox's day files needs no dbt either.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pytest

from orchestration.assets.dbt import MART_TABLES
from orchestration.assets.outbox import OUTBOX_FILES_KEY, OUTBOX_TABLE_KEY
from orchestration.assets.publish import PUBLISHED_KEY
from orchestration.checks import GX_CHECK_SPECS
from orchestration.definitions import defs
from orchestration.expectations import SUITES
from orchestration.partitions import OUTBOX_START, outbox_days
from orchestration.project import warehouse_dbt_project
from orchestration.schedules import daily_run_config
from tests.python.dagster_runs import (
    Place,
    check_evaluations,
    clone_place,
    failed_with_error,
    landing_files,
    materialize,
    materialized,
    publication,
    run_job,
    step_failures,
    use_place,
)
from warehouse.fixtures import FIXTURE_AS_OF
from warehouse.outbox import event_file

PARTITION = FIXTURE_AS_OF.isoformat()
STAGED_SPEND = dg.AssetKey(["staging", "stg_ads_manager__ad_spend"])


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    return json.loads(warehouse_dbt_project.manifest_path.read_text())


@pytest.fixture(scope="module")
def asset_graph() -> Any:
    return defs.resolve_asset_graph()


def test_the_definitions_load_and_validate():
    dg.Definitions.validate_loadable(defs)


def test_every_dbt_model_and_seed_is_an_asset_named_for_its_relation(manifest, asset_graph):
    nodes = [
        node for node in manifest["nodes"].values() if node["resource_type"] in ("model", "seed")
    ]
    assert nodes
    for node in nodes:
        key = dg.AssetKey([node["schema"], node["alias"]])
        assert asset_graph.has(key), key


def test_assets_are_grouped_by_domain(manifest, asset_graph):
    def group(*path: str) -> str | None:
        return asset_graph.get(dg.AssetKey(list(path))).group_name

    assert group("ads_manager", "ad_spend") == "landing"
    assert group("staging", "stg_ads_manager__ad_spend") == "staging"
    assert group("rules", "tier_thresholds") == "rules"
    assert group("audit", "quarantined_landing_rows") == "audit"
    assert group("outbox", "tier_events") == "delivery"
    assert group("published", "tiktok_one_bi") == "delivery"
    # Every model under models/<intermediate|marts>/<domain>/ is in its domain's group.
    for node in manifest["nodes"].values():
        folders = Path(node["original_file_path"]).parts
        if node["resource_type"] == "model" and folders[1] in ("intermediate", "marts"):
            if len(folders) > 3:
                assert group(node["schema"], node["alias"]) == folders[2], node["name"]
    domains = {group(*key.path) for key in asset_graph.get_all_asset_keys()}
    assert {"tiering", "creators", "audit"} <= domains


def test_the_landing_sources_are_observed_upstream_of_staging(manifest, asset_graph):
    for source in manifest["sources"].values():
        key = dg.AssetKey([source["source_name"], source["name"]])
        assert asset_graph.get(key).is_observable, key
        children = {child.path[-1] for child in asset_graph.get(key).child_keys}
        assert any(name.startswith("base_") for name in children), key


def attached_asset(manifest: dict[str, Any], test: dict[str, Any]) -> str | None:
    """The node a dbt test is an asset check of, as dagster-dbt attaches it: the node a
    generic test is defined on, the one model a singular test reads, or its meta.dagster.ref."""
    ref = (test["config"].get("meta") or {}).get("dagster", {}).get("ref")
    if ref:
        return next(uid for uid, node in manifest["nodes"].items() if node["name"] == ref["name"])
    upstream = test["depends_on"]["nodes"]
    if len(upstream) == 1:
        return upstream[0]
    return test.get("attached_node")


def test_every_dbt_test_is_an_asset_check_of_its_model(manifest, asset_graph):
    tests = [node for node in manifest["nodes"].values() if node["resource_type"] == "test"]
    expected, unattached = set(), []
    for test in tests:
        attached = attached_asset(manifest, test)
        if attached is None:
            # A singular test reading several models, with no meta.dagster.ref: dbt build
            # still runs it, and its failure fails the build step, but it has no asset.
            unattached.append(test["name"])
            continue
        node = manifest["nodes"][attached]
        expected.add(dg.AssetCheckKey(dg.AssetKey([node["schema"], node["alias"]]), test["name"]))
    assert expected <= set(asset_graph.asset_check_keys)
    assert len(expected) + len(unattached) == len(tests)
    assert len(expected) > 100


def test_every_gx_suite_is_a_check_of_its_asset_blocking_but_for_the_shifts(asset_graph):
    assert set(GX_CHECK_SPECS) == {suite.name for suite in SUITES}
    for suite in SUITES:
        key = dg.AssetCheckKey(dg.AssetKey(list(suite.asset)), suite.name)
        assert key in asset_graph.asset_check_keys
    not_blocking = {name for name, spec in GX_CHECK_SPECS.items() if not spec.blocking}
    assert not_blocking == {
        "tier_change_share_shift",
        "new_downgrade_warnings_shift",
        "newly_missing_spend_match_shift",
    }
    assert GX_CHECK_SPECS["ad_spend_volume"].asset_key == STAGED_SPEND


def test_the_landing_zone_is_checked_by_dbts_hook_not_by_a_dagster_check(manifest, asset_graph):
    """Whether spend was reported for the as-of date is dbt's on-run-start hook's to say, for
    plain dbt, `make run` and the job alike (test_landing.py, test_make_run.py, below)."""
    sources = {
        dg.AssetKey([source["source_name"], source["name"]])
        for source in manifest["sources"].values()
    }
    assert not [key for key in asset_graph.asset_check_keys if key.asset_key in sources]
    hooks = [node for node in manifest["nodes"].values() if node["resource_type"] == "operation"]
    assert ["assert_landing_inputs" in hook["raw_code"] for hook in hooks] == [True]


def test_dagster_freshness_policies_watch_the_outbox_files_and_the_bi_copy(asset_graph):
    """Both must be written in the 24 hours before 08:00 UTC each day."""
    for key in (OUTBOX_FILES_KEY, PUBLISHED_KEY):
        policy = asset_graph.get(key).freshness_policy
        assert policy == dg.FreshnessPolicy.cron(
            deadline_cron="0 8 * * *", lower_bound_delta=timedelta(hours=24), timezone="UTC"
        ), key
    # The marts and the outbox table have none: they are judged by their checks, and
    # delivered through these two.
    for key in (dg.AssetKey(["marts", "dim_accounts"]), OUTBOX_TABLE_KEY):
        assert asset_graph.get(key).freshness_policy is None, key


def test_only_the_outbox_files_are_partitioned_one_day_each(asset_graph):
    """The warehouse holds one as-of state: its assets are not partitioned, and the job's one
    partitioned asset is the outbox's day files."""
    partitioned = {
        key
        for key in asset_graph.materializable_asset_keys
        if asset_graph.get(key).partitions_def is not None
    }
    assert partitioned == {OUTBOX_FILES_KEY}
    assert asset_graph.get(OUTBOX_FILES_KEY).partitions_def == outbox_days
    assert outbox_days.get_first_partition_key() == OUTBOX_START
    assert outbox_days.has_partition_key(PARTITION)
    # Today is a day: a landing zone with today's spend can be built and its day exported.
    assert outbox_days.has_partition_key(datetime.now(UTC).date().isoformat())
    assert defs.resolve_job_def("warehouse_build").partitions_def == outbox_days


def test_what_must_pass_before_the_outbox_and_the_bi_copy(asset_graph):
    # Every mart, and the staged daily sources whose volume bands must pass before a publish.
    assert set(asset_graph.get(PUBLISHED_KEY).parent_keys) == {
        *MART_TABLES,
        STAGED_SPEND,
        dg.AssetKey(["staging", "stg_creators__creator_daily_stats"]),
    }
    assert {STAGED_SPEND, dg.AssetKey(["marts", "fct_account_tier_daily"])} <= set(
        asset_graph.get(OUTBOX_TABLE_KEY).parent_keys
    )
    assert set(asset_graph.get(OUTBOX_FILES_KEY).parent_keys) == {OUTBOX_TABLE_KEY}


def test_the_schedule_builds_the_previous_day_given_as_run_config():
    schedule = defs.resolve_schedule_def("daily_warehouse_build")
    assert schedule.cron_schedule == "0 6 * * *"
    assert schedule.job_name == "warehouse_build"
    context = dg.build_schedule_context(
        repository_def=defs.get_repository_def(),
        scheduled_execution_time=datetime(2026, 4, 1, 6, 0, tzinfo=UTC),
    )
    [request] = schedule.evaluate_tick(context).run_requests or []
    assert request.partition_key == PARTITION
    assert request.run_key == PARTITION
    assert request.run_config == daily_run_config(PARTITION)


# ---------------------------------------------------------------------------------------------
# Partial runs that need no dbt
# ---------------------------------------------------------------------------------------------


def test_an_as_of_date_that_is_not_a_date_stops_the_job_before_dbt(tmp_path, fixture_landing):
    before = landing_files(fixture_landing)
    with pytest.MonkeyPatch.context() as monkeypatch:
        place = use_place(monkeypatch, tmp_path, fixture_landing)
        result = run_job(FIXTURE_AS_OF, as_of_date="2026-13-01")
    assert not result.success
    assert step_failures(result) == [
        "as_of_date '2026-13-01' is not a date: give it as YYYY-MM-DD, e.g. 2026-03-31"
    ]
    assert not materialized(result)
    assert not place.warehouse.exists()
    assert landing_files(fixture_landing) == before


def test_a_day_after_the_warehouses_as_of_date_has_no_outbox_file_yet(fixture_warehouse, tmp_path):
    with pytest.MonkeyPatch.context() as monkeypatch:
        place = use_place(monkeypatch, tmp_path, tmp_path / "landing")
        shutil.copyfile(fixture_warehouse, place.warehouse)
        result = materialize(dg.AssetSelection.assets(OUTBOX_FILES_KEY), partition_key="2026-04-01")
    assert not result.success
    assert step_failures(result) == [
        "The warehouse is built as of 2026-03-31, before 2026-04-01: build it as of 2026-04-01 "
        "or later (the warehouse_build job), then export the day."
    ]
    assert not place.outbox.exists()


def plant_fault(warehouse: Path, as_table: Any) -> None:
    """One account-day's spend in the tier mart off by a dollar from the staged spend."""
    connection = duckdb.connect(str(warehouse))
    try:
        as_table(connection, "marts.fct_account_tier_daily")
        connection.execute(
            """
            update marts.fct_account_tier_daily set any_spend_usd = any_spend_usd + 1
            where account_id = 'acc_historical_basis' and date_day = ?
            """,
            [FIXTURE_AS_OF],
        )
    finally:
        connection.close()


def test_a_failed_gx_check_stops_the_outbox_and_the_publish(fixture_warehouse, tmp_path, as_table):
    with pytest.MonkeyPatch.context() as monkeypatch:
        place = use_place(monkeypatch, tmp_path, tmp_path / "landing")
        shutil.copyfile(fixture_warehouse, place.warehouse)
        plant_fault(place.warehouse, as_table)
        with duckdb.connect(str(place.warehouse), read_only=True) as connection:
            outbox_before = connection.execute("from outbox.tier_events order by all").fetchall()
        # The GX suites, the outbox (its dbt step and its day file) and the publish; not the
        # build, which would rebuild the marts.
        instance = dg.DagsterInstance.ephemeral()
        result = materialize(
            dg.AssetSelection.assets(OUTBOX_TABLE_KEY, OUTBOX_FILES_KEY, PUBLISHED_KEY)
            | dg.AssetSelection.checks(*(spec.key for spec in GX_CHECK_SPECS.values())),
            instance,
            partition_key=PARTITION,
        )
        assert not result.success
        assert failed_with_error(result) == {"gx_spend_reconciled"}
        assert not materialized(result)
        assert not place.published.exists()
        assert not place.outbox.exists()
        with duckdb.connect(str(place.warehouse), read_only=True) as connection:
            assert connection.execute("from outbox.tier_events order by all").fetchall() == (
                outbox_before
            )
        # Publishing on its own later refuses too, while that check's latest result is a failure.
        alone = materialize(dg.AssetSelection.assets(PUBLISHED_KEY), instance)
    assert not alone.success
    [message] = step_failures(alone)
    assert "gx_spend_reconciled" in message
    assert not place.published.exists()


# ---------------------------------------------------------------------------------------------
# Whole runs (the session's daily run, and runs on clones of its place)
# ---------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_run_builds_checks_and_delivers_everything(daily_run):
    result = daily_run.result
    assert result.success, step_failures(result)
    evaluations = check_evaluations(result)
    assert failed_with_error(result) == set()
    # One warning, which holds nothing back: on the as-of day one of the fixture's members is
    # downgraded, far above the share changing tier on the days before.
    warned = [item for item in result.get_asset_check_evaluations() if not item.passed]
    assert [(item.check_name, item.severity) for item in warned] == [
        ("tier_change_share_shift", dg.AssetCheckSeverity.WARN)
    ]
    with duckdb.connect(str(daily_run.place.warehouse), read_only=True) as connection:
        changed, members = connection.execute(
            "select count(*) filter (where tier_rank != previous_tier_rank), count(*) "
            "from marts.fct_account_tier_daily where date_day = ?",
            [FIXTURE_AS_OF],
        ).fetchone()
    assert changed == 1
    share = f"share of members changing tier {changed / members:.2%} on the day"
    assert share in (warned[0].description or "")
    names = {key.name for key in evaluations}
    assert {suite.name for suite in SUITES} <= names
    assert "unique_dim_accounts_account_id" in names  # a dbt test
    assert "unique_outbox_tier_events_event_id" in names  # the outbox's, in its own dbt step
    assert {OUTBOX_TABLE_KEY, OUTBOX_FILES_KEY, PUBLISHED_KEY, *MART_TABLES} <= materialized(result)
    observed = {event.asset_key for event in result.get_asset_observation_events()}
    assert dg.AssetKey(["ads_manager", "ad_spend"]) in observed


@pytest.mark.slow
def test_the_run_is_as_of_its_config_and_exports_its_day(daily_run):
    result = daily_run.result
    partitions = {
        event.asset_key: event.partition for event in result.get_asset_materialization_events()
    }
    assert partitions[OUTBOX_FILES_KEY] == PARTITION
    assert {key for key, partition in partitions.items() if partition is not None} == {
        OUTBOX_FILES_KEY
    }
    assert result.dagster_run.tags["warehouse/as_of_date"] == PARTITION
    with duckdb.connect(str(daily_run.place.warehouse), read_only=True) as connection:
        assert connection.execute(
            "select as_of_date from intermediate.int_as_of_date"
        ).fetchall() == [(FIXTURE_AS_OF,)]


@pytest.mark.slow
def test_the_run_publishes_the_marts_as_of_its_as_of_date(daily_run):
    published = daily_run.place.published
    assert publication(published) == (FIXTURE_AS_OF, daily_run.result.run_id)
    connection = duckdb.connect(str(published), read_only=True)
    try:
        tables = connection.execute(
            "select table_name from duckdb_tables() where schema_name = 'marts'"
        ).fetchall()
    finally:
        connection.close()
    assert {name for (name,) in tables} == set(MART_TABLES.values())


@pytest.mark.slow
def test_the_run_writes_the_days_outbox(daily_run):
    file = event_file(daily_run.place.outbox, FIXTURE_AS_OF)
    connection = duckdb.connect()
    try:
        events = connection.execute(
            "select account_id, event_type, channel from read_parquet(?)", [str(file)]
        ).fetchall()
    finally:
        connection.close()
    assert ("acc_historical_basis", "downgrade", "in_product") in events


READER = textwrap.dedent(
    """
    import sys
    import duckdb

    connection = duckdb.connect(sys.argv[1], read_only=True)
    query = "select run_id from meta.publication"
    print(connection.execute(query).fetchone()[0], flush=True)
    sys.stdin.readline()  # hold the file open until the test says so
    print(connection.execute(query).fetchone()[0], flush=True)
    """
)


def outbox_rows(warehouse: Path) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute("from outbox.tier_events order by all").fetchall()


@dataclass
class Again:
    """Runs on a clone of the daily run's place, in order."""

    place: Place
    first: dg.ExecuteInProcessResult
    outbox_bytes: bytes
    outbox_rows: list[tuple]
    reader_saw: list[str]
    rerun: dg.ExecuteInProcessResult
    landing_before: dict[str, tuple[int, int]]
    after_spend: dg.ExecuteInProcessResult
    published_after_rerun: tuple[Any, ...]
    older: dg.ExecuteInProcessResult


@pytest.fixture(scope="module")
def again(daily_run, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Again]:
    """On a clone of the daily run's place: the same as-of date again while a BI reader holds
    the published copy open; then a day with no spend yet; then an earlier day."""
    place = clone_place(daily_run.place, tmp_path_factory.mktemp("again"))
    outbox_bytes = event_file(place.outbox, FIXTURE_AS_OF).read_bytes()
    rows_before = outbox_rows(place.warehouse)
    instance = dg.DagsterInstance.ephemeral()
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(place.published)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    with pytest.MonkeyPatch.context() as monkeypatch:
        use_place(monkeypatch, place.root, place.landing)
        try:
            assert reader.stdout is not None and reader.stdin is not None
            saw = [reader.stdout.readline().strip()]
            rerun = run_job(FIXTURE_AS_OF, instance)
            reader.stdin.write("\n")
            reader.stdin.flush()
            saw.append(reader.stdout.readline().strip())
            saw.append(str(reader.wait(timeout=60)))
        finally:
            reader.kill()
        published = publication(place.published)
        landing_before = landing_files(place.landing)
        # The landing zone ends on the fixture's as-of date; a day later has no spend yet.
        after_spend = run_job(FIXTURE_AS_OF + timedelta(days=1), instance)
        older = run_job(FIXTURE_AS_OF - timedelta(days=1), instance)
    yield Again(
        place,
        daily_run.result,
        outbox_bytes,
        rows_before,
        saw,
        rerun,
        landing_before,
        after_spend,
        published,
        older,
    )


@pytest.mark.slow
def test_rerunning_an_as_of_date_with_a_reader_on_the_bi_copy(again):
    """A BI reader holding the published file open stops neither the build nor the publish;
    the same as-of date again writes the same outbox bytes and no event twice."""
    assert again.rerun.success, step_failures(again.rerun)
    assert PUBLISHED_KEY in materialized(again.rerun)
    # The reader keeps the copy it opened; anyone opening the path now gets the new one.
    assert again.reader_saw == [again.first.run_id, again.first.run_id, "0"]
    assert again.published_after_rerun == (FIXTURE_AS_OF, again.rerun.run_id)
    assert event_file(again.place.outbox, FIXTURE_AS_OF).read_bytes() == again.outbox_bytes
    assert outbox_rows(again.place.warehouse) == again.outbox_rows


@pytest.mark.slow
def test_an_as_of_date_after_the_latest_spend_stops_the_job_in_dbts_hook(again):
    result = again.after_spend
    assert not result.success
    [message] = step_failures(result)
    assert message.startswith("dbt stopped before building anything: as_of_date 2026-04-01 is ")
    assert f"after the latest spend_date in {again.place.landing}/ad_spend (2026-03-31)" in message
    assert not materialized(result)
    assert publication(again.place.published) == again.published_after_rerun
    assert not event_file(again.place.outbox, FIXTURE_AS_OF + timedelta(days=1)).exists()
    assert landing_files(again.place.landing) == again.landing_before


@pytest.mark.slow
def test_an_earlier_as_of_date_rebuilds_the_warehouse_but_never_the_bi_copy_or_the_outbox(again):
    """An as-of date is run config, not a partition that stays materialized: a run as of an
    earlier day builds the warehouse as of that day. The BI copy, as of a later day, stays;
    the outbox table never rewrites a day, and the earlier day's file is what it holds."""
    result = again.older
    earlier = FIXTURE_AS_OF - timedelta(days=1)
    assert result.success, step_failures(result)
    with duckdb.connect(str(again.place.warehouse), read_only=True) as connection:
        assert connection.execute(
            "select as_of_date from intermediate.int_as_of_date"
        ).fetchall() == [(earlier,)]
    assert PUBLISHED_KEY not in materialized(result)
    assert publication(again.place.published) == again.published_after_rerun
    assert outbox_rows(again.place.warehouse) == again.outbox_rows
    file = event_file(again.place.outbox, earlier)
    assert file.exists()
    held = [row for row in again.outbox_rows if row[1] == earlier]
    connection = duckdb.connect()
    try:
        assert connection.execute(
            "select count(*) from read_parquet(?)", [str(file)]
        ).fetchone() == (len(held),)
    finally:
        connection.close()


@pytest.mark.slow
def test_a_day_above_its_volume_band_warns_and_holds_nothing_back(
    fixture_warehouse, fixture_landing, tmp_path, as_table
):
    landing_before = landing_files(fixture_landing)
    with pytest.MonkeyPatch.context() as monkeypatch:
        # The fixture's landing zone, read by dbt's outbox step; nothing writes to it.
        place = use_place(monkeypatch, tmp_path, fixture_landing)
        shutil.copyfile(fixture_warehouse, place.warehouse)
        connection = duckdb.connect(str(place.warehouse))
        # Twenty more creatives' rows on the as-of day, where the history has one a day.
        as_table(connection, "staging.stg_ads_manager__ad_spend")
        connection.execute(
            """
            insert into staging.stg_ads_manager__ad_spend
            select staged.* replace ('crt_more_' || extra.n as creative_id)
            from staging.stg_ads_manager__ad_spend as staged, range(20) as extra(n)
            where staged.spend_date = ?
            """,
            [FIXTURE_AS_OF],
        )
        connection.close()
        volume = GX_CHECK_SPECS["ad_spend_volume"].key
        instance = dg.DagsterInstance.ephemeral()
        result = materialize(
            dg.AssetSelection.assets(OUTBOX_TABLE_KEY, OUTBOX_FILES_KEY, PUBLISHED_KEY)
            | dg.AssetSelection.checks(volume),
            instance,
            partition_key=PARTITION,
        )
        assert result.success, step_failures(result)
        [evaluation] = [
            item for item in result.get_asset_check_evaluations() if item.check_name == volume.name
        ]
        assert not evaluation.passed
        assert evaluation.severity == dg.AssetCheckSeverity.WARN
        assert "ad_spend on 2026-03-31 (Tuesday) is above its band: rows 21 arrived, " in (
            evaluation.description or ""
        )
        assert evaluation.metadata["staged_rows"].value == 21
        assert {OUTBOX_TABLE_KEY, OUTBOX_FILES_KEY, PUBLISHED_KEY} <= materialized(result)
        assert event_file(place.outbox, FIXTURE_AS_OF).exists()
        # Nor does the warning stop a publish on its own afterwards.
        alone = materialize(dg.AssetSelection.assets(PUBLISHED_KEY), instance)
    assert alone.success
    assert PUBLISHED_KEY in materialized(alone)
    assert landing_files(fixture_landing) == landing_before
