"""The Dagster code location: what it defines, and whole runs of it on the fixture landing zone.

Two runs of the job, as the schedule or `make run` would start it, in a temporary directory
(the only dbt invocations here): the first builds, checks, writes the outbox and publishes; the
second re-runs the same partition while a reader holds the published copy open. A third run
on a copy of the fixture warehouse with a planted bad tier runs no dbt: only the GX checks,
the outbox and the publish, which the failed check stops.
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
from orchestration.checks import GX_CHECK_SPECS
from orchestration.definitions import defs
from orchestration.expectations import SUITES
from orchestration.partitions import AS_OF_START
from orchestration.project import warehouse_dbt_project
from orchestration.resources import build_resources
from warehouse.fixtures import FIXTURE_AS_OF, build_fixture_landing
from warehouse.outbox import event_file

PARTITION = FIXTURE_AS_OF.isoformat()
OUTBOX_KEY = dg.AssetKey(["outbox", "tier_events"])
PUBLISHED_KEY = dg.AssetKey(["published", "tiktok_one_bi"])
QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


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
    assert GX_CHECK_SPECS["ad_spend_volume"].asset_key == dg.AssetKey(
        ["staging", "stg_ads_manager__ad_spend"]
    )
    landing_check = dg.AssetCheckKey(
        dg.AssetKey(["ads_manager", "ad_spend"]), "spend_reported_for_as_of_date"
    )
    assert landing_check in asset_graph.asset_check_keys


def test_dagster_freshness_policies_watch_the_outbox_and_the_bi_copy(asset_graph):
    """Both must be written in the 24 hours before 08:00 UTC each day."""
    for key in (OUTBOX_KEY, PUBLISHED_KEY):
        policy = asset_graph.get(key).freshness_policy
        assert policy == dg.FreshnessPolicy.cron(
            deadline_cron="0 8 * * *", lower_bound_delta=timedelta(hours=24), timezone="UTC"
        ), key
    # The marts have none: they are judged by their checks, and delivered through these two.
    assert asset_graph.get(dg.AssetKey(["marts", "dim_accounts"])).freshness_policy is None


def test_the_job_is_partitioned_daily_and_backfills_in_one_run(asset_graph):
    job = defs.resolve_job_def("warehouse_build")
    partitions = job.partitions_def
    assert isinstance(partitions, dg.DailyPartitionsDefinition)
    assert partitions.get_first_partition_key() == AS_OF_START
    assert partitions.has_partition_key(PARTITION)
    for key in [dg.AssetKey(["marts", "fct_account_tier_daily"]), OUTBOX_KEY, PUBLISHED_KEY]:
        node = asset_graph.get(key)
        assert node.partitions_def == partitions
        assert node.backfill_policy == dg.BackfillPolicy.single_run()
    # Every mart, and the staged daily sources whose volume bands must pass before a publish.
    assert set(asset_graph.get(PUBLISHED_KEY).parent_keys) == {
        *MART_TABLES,
        dg.AssetKey(["staging", "stg_ads_manager__ad_spend"]),
        dg.AssetKey(["staging", "stg_creators__creator_daily_stats"]),
    }
    assert dg.AssetKey(["staging", "stg_ads_manager__ad_spend"]) in (
        asset_graph.get(OUTBOX_KEY).parent_keys
    )


def test_the_schedule_builds_the_previous_day():
    schedule = defs.resolve_schedule_def("daily_warehouse_build")
    assert schedule.cron_schedule == "0 6 * * *"
    assert schedule.job_name == "warehouse_build"
    context = dg.build_schedule_context(
        repository_def=defs.get_repository_def(),
        scheduled_execution_time=datetime(2026, 4, 1, 6, 0, tzinfo=UTC),
    )
    [request] = schedule.evaluate_tick(context).run_requests or []
    assert request.partition_key == PARTITION


# ---------------------------------------------------------------------------------------------
# Whole runs
# ---------------------------------------------------------------------------------------------


@dataclass
class Place:
    root: Path
    landing: Path
    warehouse: Path
    outbox: Path
    published: Path


def use_place(monkeypatch: pytest.MonkeyPatch, root: Path, landing: Path) -> Place:
    """Point every setting at a temporary place (dbt reads them from the environment)."""
    place = Place(
        root,
        landing,
        root / "warehouse.duckdb",
        root / "outbox",
        root / "published" / "tiktok_one_bi.duckdb",
    )
    monkeypatch.setenv("LANDING_DIR", str(place.landing))
    monkeypatch.setenv("WAREHOUSE_PATH", str(place.warehouse))
    monkeypatch.setenv("OUTBOX_DIR", str(place.outbox))
    monkeypatch.setenv("PUBLISHED_WAREHOUSE_PATH", str(place.published))
    monkeypatch.setenv("DBT_TARGET_PATH", str(root / "dbt"))  # dbt's artifacts of each run
    return place


def run_job(**kwargs: Any) -> dg.ExecuteInProcessResult:
    return defs.resolve_job_def("warehouse_build").execute_in_process(
        instance=dg.DagsterInstance.ephemeral(),
        resources=build_resources(),
        raise_on_error=False,
        run_config=QUIET,
        **kwargs,
    )


def check_evaluations(result: dg.ExecuteInProcessResult) -> dict[dg.AssetCheckKey, bool]:
    return {
        evaluation.asset_check_key: evaluation.passed
        for evaluation in result.get_asset_check_evaluations()
    }


def failed_with_error(result: dg.ExecuteInProcessResult) -> set[str]:
    return {
        evaluation.check_name
        for evaluation in result.get_asset_check_evaluations()
        if not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR
    }


def materialized(result: dg.ExecuteInProcessResult) -> set[dg.AssetKey]:
    return {
        event.asset_key
        for event in result.get_asset_materialization_events()
        if event.asset_key is not None
    }


def publication(path: Path) -> tuple[Any, ...]:
    connection = duckdb.connect(str(path), read_only=True)
    try:
        row = connection.execute("select as_of_date, run_id from meta.publication").fetchone()
    finally:
        connection.close()
    assert row is not None
    return row


@dataclass
class FirstRun:
    place: Place
    result: dg.ExecuteInProcessResult
    outbox_bytes: bytes


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FirstRun]:
    """The job run once for the fixture's as-of date, in a temporary place."""
    root = tmp_path_factory.mktemp("dagster")
    with pytest.MonkeyPatch.context() as monkeypatch:
        place = use_place(monkeypatch, root, build_fixture_landing(root / "landing"))
        result = run_job(partition_key=PARTITION)
        outbox = event_file(place.outbox, FIXTURE_AS_OF)
        yield FirstRun(place, result, outbox.read_bytes() if outbox.exists() else b"")


def test_a_run_builds_checks_and_delivers_everything(first_run, manifest):
    result = first_run.result
    assert result.success
    evaluations = check_evaluations(result)
    assert failed_with_error(result) == set()
    # One warning, which holds nothing back: on the as-of day one of the fixture's members is
    # downgraded, far above the share changing tier on the days before.
    warned = [item for item in result.get_asset_check_evaluations() if not item.passed]
    assert [(item.check_name, item.severity) for item in warned] == [
        ("tier_change_share_shift", dg.AssetCheckSeverity.WARN)
    ]
    with duckdb.connect(str(first_run.place.warehouse), read_only=True) as connection:
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
    assert "spend_reported_for_as_of_date" in names
    assert "unique_dim_accounts_account_id" in names  # a dbt test
    assert {OUTBOX_KEY, PUBLISHED_KEY, *MART_TABLES} <= materialized(result)
    observed = {event.asset_key for event in result.get_asset_observation_events()}
    assert dg.AssetKey(["ads_manager", "ad_spend"]) in observed


def test_the_run_publishes_the_marts_as_of_its_partition(first_run):
    published = first_run.place.published
    assert publication(published)[0] == FIXTURE_AS_OF
    connection = duckdb.connect(str(published), read_only=True)
    try:
        tables = connection.execute(
            "select table_name from duckdb_tables() where schema_name = 'marts'"
        ).fetchall()
    finally:
        connection.close()
    assert {name for (name,) in tables} == set(MART_TABLES.values())


def test_the_run_writes_the_days_outbox(first_run):
    assert first_run.outbox_bytes
    connection = duckdb.connect()
    try:
        events = connection.execute(
            "select account_id, event_type, channel from read_parquet(?)",
            [str(event_file(first_run.place.outbox, FIXTURE_AS_OF))],
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


def test_rerunning_a_partition_with_a_reader_on_the_bi_copy(first_run):
    """A BI reader holding the published file open stops neither the build nor the publish,
    and re-running the partition writes the same outbox bytes."""
    place = first_run.place
    first_run_id = first_run.result.run_id
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(place.published)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout is not None and reader.stdin is not None
        assert reader.stdout.readline().strip() == first_run_id
        with pytest.MonkeyPatch.context() as monkeypatch:
            use_place(monkeypatch, place.root, place.landing)
            again = run_job(partition_key=PARTITION)
        assert again.success
        assert PUBLISHED_KEY in materialized(again)
        reader.stdin.write("\n")
        reader.stdin.flush()
        assert reader.stdout.readline().strip() == first_run_id  # still its own copy
        assert reader.wait(timeout=60) == 0
    finally:
        reader.kill()
    assert publication(place.published) == (FIXTURE_AS_OF, again.run_id)
    assert event_file(place.outbox, FIXTURE_AS_OF).read_bytes() == first_run.outbox_bytes


def test_a_failed_gx_check_stops_the_outbox_and_the_publish(fixture_warehouse, tmp_path, as_table):
    landing = tmp_path / "landing"
    with pytest.MonkeyPatch.context() as monkeypatch:
        place = use_place(monkeypatch, tmp_path, landing)
        shutil.copyfile(fixture_warehouse, place.warehouse)
        connection = duckdb.connect(str(place.warehouse))
        as_table(connection, "marts.fct_account_tier_daily")
        connection.execute(
            """
            update marts.fct_account_tier_daily set any_spend_usd = any_spend_usd + 1
            where account_id = 'acc_historical_basis' and date_day = ?
            """,
            [FIXTURE_AS_OF],
        )
        connection.close()
        # The GX suites, the outbox and the publish; no dbt, which would rebuild the marts.
        instance = dg.DagsterInstance.ephemeral()
        result = dg.materialize(
            [*(defs.assets or []), *(defs.asset_checks or [])],
            selection=dg.AssetSelection.assets(OUTBOX_KEY, PUBLISHED_KEY)
            | dg.AssetSelection.checks(*(spec.key for spec in GX_CHECK_SPECS.values())),
            partition_key=PARTITION,
            instance=instance,
            resources=build_resources(),
            raise_on_error=False,
            run_config=QUIET,
        )
        assert not result.success
        assert failed_with_error(result) == {"gx_spend_reconciled"}
        assert not materialized(result)
        assert not place.published.exists()
        assert not place.outbox.exists()
        # Publishing on its own later refuses too, while that check's latest result is a failure.
        alone = dg.materialize(
            [*(defs.assets or []), *(defs.asset_checks or [])],
            selection=dg.AssetSelection.assets(PUBLISHED_KEY),
            partition_key=PARTITION,
            instance=instance,
            resources=build_resources(),
            raise_on_error=False,
            run_config=QUIET,
        )
    assert not alone.success
    [failure] = alone.get_step_failure_events()
    assert "gx_spend_reconciled" in str(failure.step_failure_data.user_failure_data or "") + str(
        failure.step_failure_data.error
    )
    assert not place.published.exists()


def test_a_day_above_its_volume_band_warns_and_holds_nothing_back(
    fixture_warehouse, tmp_path, as_table
):
    with pytest.MonkeyPatch.context() as monkeypatch:
        place = use_place(monkeypatch, tmp_path, tmp_path / "landing")
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

        def run(selection: dg.AssetSelection) -> dg.ExecuteInProcessResult:
            return dg.materialize(
                [*(defs.assets or []), *(defs.asset_checks or [])],
                selection=selection,
                partition_key=PARTITION,
                instance=instance,
                resources=build_resources(),
                raise_on_error=False,
                run_config=QUIET,
            )

        result = run(
            dg.AssetSelection.assets(OUTBOX_KEY, PUBLISHED_KEY) | dg.AssetSelection.checks(volume)
        )
        assert result.success
        [evaluation] = result.get_asset_check_evaluations()
        assert not evaluation.passed
        assert evaluation.severity == dg.AssetCheckSeverity.WARN
        assert "ad_spend on 2026-03-31 (Tuesday) is above its band: rows 21 arrived, " in (
            evaluation.description or ""
        )
        assert evaluation.metadata["staged_rows"].value == 21
        assert {OUTBOX_KEY, PUBLISHED_KEY} <= materialized(result)
        # Nor does the warning stop a publish on its own afterwards.
        alone = run(dg.AssetSelection.assets(PUBLISHED_KEY))
    assert alone.success
    assert PUBLISHED_KEY in materialized(alone)


def test_no_spend_for_the_as_of_date_stops_the_run_before_dbt(first_run):
    place = first_run.place
    with pytest.MonkeyPatch.context() as monkeypatch:
        use_place(monkeypatch, place.root, place.landing)
        # The landing zone ends on the fixture's as-of date; a day later has no spend yet.
        result = run_job(partition_key="2026-04-01")
    assert not result.success
    failed = {key.name for key, passed in check_evaluations(result).items() if not passed}
    assert failed == {"spend_reported_for_as_of_date"}
    assert not materialized(result)
    assert publication(place.published)[0] == FIXTURE_AS_OF


def test_an_older_build_never_replaces_a_newer_bi_copy(first_run):
    place = first_run.place
    before = publication(place.published)
    with pytest.MonkeyPatch.context() as monkeypatch:
        use_place(monkeypatch, place.root, place.landing)
        result = dg.materialize(
            [*(defs.assets or [])],
            selection=dg.AssetSelection.assets(PUBLISHED_KEY),
            partition_key="2026-03-30",
            instance=dg.DagsterInstance.ephemeral(),
            resources=build_resources(),
            raise_on_error=False,
            run_config=QUIET,
        )
    assert result.success
    assert PUBLISHED_KEY not in materialized(result)
    assert publication(place.published) == before
