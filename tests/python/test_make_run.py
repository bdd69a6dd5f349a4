"""`make run` and `make generate` as a user types them, with every setting pointed at a
temporary place: a landing zone is never written to or deleted from, a failure prints one
message naming the problem and the fix (no traceback, no terminal colour codes) and exits
non-zero, the BI copy is replaced only by a successful run, and a run leaves one log file,
shows in the Dagster instance's history with every asset it materialized, and keeps logs and
dbt's folders bounded.

Slow tier (each `make` runs `dbt parse` at least): most failures stop before Dagster starts;
two go through the Dagster job into dbt's on-run-start checks, one into a model that fails
(in a copy of the project with the model edited), and one run succeeds on the fixture landing
zone.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import dagster as dg
import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from orchestration.assets.dbt import manifest, unique_ids_by_key
from orchestration.assets.outbox import OUTBOX_FILES_KEY
from orchestration.assets.publish import PUBLISHED_KEY
from orchestration.definitions import defs
from tests.python.dagster_runs import clone_place
from tests.python.project_copy import SETTINGS, Project, clean_env
from warehouse.compare import relations_differ
from warehouse.config import PROJECT_DIR
from warehouse.contract import write_landing_table
from warehouse.fixtures import FIXTURE_AS_OF
from warehouse.generate import SAMPLE_MARKER
from warehouse.housekeeping import DBT_RUN_FOLDERS_KEPT, RUN_LOGS_KEPT
from warehouse.landing import missing_sources
from warehouse.publish import publish_marts


def make(*args: str, **settings: str | Path) -> subprocess.CompletedProcess[str]:
    env = clean_env(**settings)
    return subprocess.run(["make", *args], cwd=PROJECT_DIR, env=env, capture_output=True, text=True)


def tree(folder: Path) -> dict[str, str]:
    """Every file under `folder` and the SHA-256 of its bytes."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@dataclass
class Place:
    root: Path
    landing: Path
    warehouse: Path
    published: Path

    def settings(self, **more: str | Path) -> dict[str, str | Path]:
        return {
            "LANDING_DIR": self.landing,
            "SAMPLE_LANDING_DIR": self.root / "sample",
            "WAREHOUSE_PATH": self.warehouse,
            "OUTBOX_DIR": self.root / "outbox",
            "DAGSTER_HOME": self.root / "dagster_home",
            "RUN_LOG_DIR": self.root / "logs",
        } | more


@pytest.fixture(scope="module")
def bi_copy(fixture_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A BI copy of the fixture warehouse, as a previous run would have left it."""
    path = tmp_path_factory.mktemp("bi") / "bi.duckdb"
    connection = duckdb.connect(str(fixture_warehouse), read_only=True)
    try:
        tables = [
            row[0]
            for row in connection.execute(
                "select table_name from duckdb_tables() where schema_name = 'marts'"
            ).fetchall()
        ]
    finally:
        connection.close()
    publish_marts(fixture_warehouse, path, tables, FIXTURE_AS_OF, run_id="previous")
    return path


def place_for(root: Path, fixture_landing: Path, bi_copy: Path) -> Place:
    """A copy of the fixture landing zone and of a previous BI copy, beside the warehouse."""
    landing = root / "landing"
    shutil.copytree(fixture_landing, landing)
    warehouse = root / "warehouse.duckdb"
    published = root / "published" / "warehouse_bi.duckdb"
    published.parent.mkdir(parents=True)
    shutil.copyfile(bi_copy, published)
    return Place(root, landing, warehouse, published)


def assert_one_message(result: subprocess.CompletedProcess[str], *expected: str) -> None:
    """Exit status not zero, one line `make run: ...` with each expected text, no traceback,
    no terminal codes (a colour or a cursor move is an escape character)."""
    assert result.returncode != 0
    messages = [line for line in result.stderr.splitlines() if line.startswith("make run:")]
    assert len(messages) == 1, result.stderr
    for text in expected:
        assert text in messages[0], messages[0]
    assert "Traceback" not in result.stdout + result.stderr
    assert "\x1b" not in result.stdout + result.stderr


# --- Failures found before the run starts ------------------------------------------------------


def _incomplete(place: Place) -> None:
    shutil.rmtree(place.landing / "accounts")
    for file in (place.landing / "invoices").glob("*.parquet"):
        file.unlink()


def _empty_spend(place: Place) -> None:
    for file in (place.landing / "ad_spend").glob("*.parquet"):
        file.unlink()
    write_landing_table(place.landing, "ad_spend", [], "empty.parquet")


def _truncated_spend(place: Place) -> None:
    spend = place.landing / "ad_spend" / "tiering.parquet"
    spend.write_bytes(spend.read_bytes()[:200])


def _nothing(place: Place) -> None:
    pass


@pytest.mark.slow
@pytest.mark.parametrize(
    ("damage", "settings", "expected"),
    [
        (
            _incomplete,
            {},
            [
                "is incomplete: no Parquet file in accounts/, invoices/",
                "Deliver those sources",
                "Nothing was written to the landing zone",
            ],
        ),
        (
            _nothing,
            {"AS_OF_DATE": "2026-13-01"},
            ["AS_OF_DATE=2026-13-01 is not a date: give it as YYYY-MM-DD"],
        ),
        (
            _nothing,
            {"AS_OF_DATE": "2023-12-31"},
            [
                "No outbox day for the as-of date 2023-12-31: as-of dates run from 2024-01-01",
                "Set AS_OF_DATE to a day in that range",
            ],
        ),
        (_empty_spend, {}, ["No spend in ", "/ad_spend", "Deliver the ad_spend files"]),
        (
            _nothing,
            {"WAREHOUSE_ENGINE": "postgres"},
            ["WAREHOUSE_ENGINE=postgres is not an engine", "set it to duckdb or spark"],
        ),
        (
            _truncated_spend,
            {},
            ["Cannot read the spend files in", "tiering.parquet", "Replace or remove"],
        ),
    ],
    ids=[
        "incomplete_landing",
        "invalid_as_of",
        "as_of_before_the_outbox",
        "empty_spend",
        "unknown_engine",
        "truncated",
    ],
)
def test_a_bad_landing_zone_or_as_of_date_stops_make_run_before_dagster(
    fixture_landing, bi_copy, tmp_path, damage, settings, expected
):
    place = place_for(tmp_path, fixture_landing, bi_copy)
    damage(place)
    landing_before, published_before = tree(place.landing), tree(place.published.parent)
    result = make("run", **place.settings(**settings))
    assert_one_message(result, *expected)
    assert "through Dagster" not in result.stdout
    assert tree(place.landing) == landing_before
    assert tree(place.published.parent) == published_before
    assert not (tmp_path / "sample").exists()  # no sample made in place of real data
    assert not place.warehouse.exists()


@pytest.mark.slow
def test_an_as_of_date_after_the_latest_spend_is_refused_by_dbts_hook(
    fixture_landing, bi_copy, tmp_path
):
    """The one guard of "no as-of date after the latest spend" is dbt's on-run-start hook:
    `make run` passes the date to the job, whose dbt step stops before building anything."""
    place = place_for(tmp_path, fixture_landing, bi_copy)
    landing_before, published_before = tree(place.landing), tree(place.published.parent)
    result = make("run", **place.settings(AS_OF_DATE="2026-04-05"))
    assert_one_message(
        result,
        "dbt stopped before building anything: as_of_date 2026-04-05 is after the latest "
        f"spend_date in {place.landing}/ad_spend (2026-03-31)",
        "Build as of 2026-03-31 or earlier",
        f"The BI copy {place.published} was not replaced",
    )
    assert "Building as of 2026-04-05 through Dagster" in result.stdout
    assert tree(place.landing) == landing_before
    assert tree(place.published.parent) == published_before


HOLDER = textwrap.dedent(
    """
    import sys
    import duckdb

    connection = duckdb.connect(sys.argv[1])
    print("holding", flush=True)
    sys.stdin.readline()
    """
)


@pytest.mark.slow
def test_a_warehouse_held_by_another_process_is_named_with_its_pid(
    fixture_landing, bi_copy, tmp_path
):
    place = place_for(tmp_path, fixture_landing, bi_copy)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(place.warehouse)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdin is not None
        assert holder.stdout.readline().strip() == "holding"
        published_before = tree(place.published.parent)
        result = make("run", **place.settings())
        holder.stdin.write("\n")
        holder.stdin.flush()
        holder.wait(timeout=60)
    finally:
        holder.kill()
    assert_one_message(
        result,
        f"The warehouse {place.warehouse} is in use by another process",
        f"PID {holder.pid}",
        "Close that process",
    )
    assert tree(place.published.parent) == published_before
    assert tree(place.landing) == tree(fixture_landing)


# --- The generated sample ----------------------------------------------------------------------


@pytest.mark.slow
def test_without_landing_dir_make_run_generates_a_sample_in_its_own_folder(
    fixture_landing, bi_copy, tmp_path
):
    place = place_for(tmp_path, fixture_landing, bi_copy)
    settings = place.settings(AS_OF_DATE="2026-13-01")
    del settings["LANDING_DIR"]
    sample = Path(settings["SAMPLE_LANDING_DIR"])
    # The sample is made first; the run then stops on the as-of date (no build needed here).
    result = make("run", "ACCOUNTS=20", "DAYS=40", **settings)
    assert_one_message(result, "AS_OF_DATE=2026-13-01 is not a date")
    assert f"generating a sample (20 accounts, 40 days) in {sample}" in result.stdout
    assert (sample / SAMPLE_MARKER).exists()
    assert missing_sources(sample) == []
    # A sample folder that holds something the generator did not make is not written to.
    settings["SAMPLE_LANDING_DIR"] = place.landing
    before = tree(place.landing)
    refused = make("run", "ACCOUNTS=20", "DAYS=40", **settings)
    assert_one_message(refused, "is not empty and was not made by the generator")
    assert tree(place.landing) == before


@pytest.mark.slow
def test_make_generate_never_writes_into_a_folder_it_did_not_make(fixture_landing, tmp_path):
    landing = tmp_path / "landing"
    shutil.copytree(fixture_landing, landing)
    before = tree(landing)
    refused = make("generate", "ACCOUNTS=5", "DAYS=10", LANDING_DIR=landing)
    assert refused.returncode != 0
    assert f"{landing} is not empty and was not made by the generator" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert tree(landing) == before

    sample = tmp_path / "sample"
    first = make("generate", "ACCOUNTS=5", "DAYS=10", LANDING_DIR=sample)
    assert first.returncode == 0, first.stderr
    assert (sample / SAMPLE_MARKER).exists() and missing_sources(sample) == []
    again = make("generate", "ACCOUNTS=5", "DAYS=10", LANDING_DIR=sample)
    assert again.returncode != 0
    assert "holds a sample generated earlier: pass --replace" in again.stderr
    (sample / "notes.txt").write_text("not the generator's")
    replaced = make("generate", "ACCOUNTS=6", "DAYS=10", "REPLACE=1", LANDING_DIR=sample)
    assert replaced.returncode == 0, replaced.stderr
    assert (sample / "notes.txt").read_text() == "not the generator's"
    accounts = pq.read_table(sample / "accounts").num_rows
    assert accounts == 6  # the earlier sample's part files were replaced, not added to


# --- Through the Dagster job -------------------------------------------------------------------


@pytest.mark.slow
def test_a_wrong_column_type_is_named_from_dbt_and_the_bi_copy_is_kept(
    fixture_landing, bi_copy, tmp_path
):
    place = place_for(tmp_path, fixture_landing, bi_copy)
    spend = place.landing / "ad_spend" / "tiering.parquet"
    table = pq.read_table(spend)
    column = table.schema.get_field_index("spend")
    pq.write_table(table.set_column(column, "spend", table["spend"].cast(pa.string())), spend)
    landing_before, published_before = tree(place.landing), tree(place.published.parent)
    result = make("run", **place.settings())
    assert_one_message(
        result,
        f"Landing source 'ad_spend': column 'spend' is VARCHAR in {spend}, the contract says",
        "Replace or remove that file",
        f"The BI copy {place.published} was not replaced",
        "Log: ",
    )
    assert tree(place.landing) == landing_before
    assert tree(place.published.parent) == published_before
    log = Path(result.stderr.split("Log: ")[1].split()[0])
    assert log.parent == tmp_path / "logs" and "Landing source 'ad_spend'" in log.read_text()


@dataclass
class Success:
    place: Place
    result: subprocess.CompletedProcess[str]
    landing_before: dict[str, str]
    target: Path


@pytest.fixture(scope="module")
def successful_run(fixture_landing, bi_copy, tmp_path_factory) -> Success:
    """One `make run` on the fixture landing zone, with RUN_LOGS_KEPT older run logs and
    DBT_RUN_FOLDERS_KEPT older dbt run folders already there."""
    root = tmp_path_factory.mktemp("success")
    place = place_for(root, fixture_landing, bi_copy)
    place.published.unlink()
    logs, target = root / "logs", root / "target"
    logs.mkdir()
    long_ago = time.time() - 86_400
    for n in range(RUN_LOGS_KEPT):
        old = logs / f"20200101T0000{n:02d}Z_as-of-2019-12-31.log"
        old.write_text("an old run")
        os.utime(old, (long_ago + n, long_ago + n))
    (logs / "notes.txt").write_text("not a run log")
    for n in range(DBT_RUN_FOLDERS_KEPT):
        old = target / f"warehouse_dbt_build-old{n}"
        old.mkdir(parents=True)
        os.utime(old, (long_ago + n, long_ago + n))
    landing_before = tree(place.landing)
    result = make("run", **place.settings(DBT_TARGET_PATH=target))
    return Success(place, result, landing_before, target)


@pytest.mark.slow
def test_make_run_builds_and_publishes_beside_the_warehouse(successful_run):
    result, place = successful_run.result, successful_run.place
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert f"Published for BI (open it read-only): {place.published}" in result.stdout
    connection = duckdb.connect(str(place.published), read_only=True)
    try:
        assert connection.execute("select as_of_date from meta.publication").fetchone() == (
            FIXTURE_AS_OF,
        )
    finally:
        connection.close()
    assert tree(place.landing) == successful_run.landing_before
    assert "Traceback" not in result.stdout + result.stderr


@pytest.mark.slow
def test_make_run_keeps_one_log_per_run_and_the_last_ones_only(successful_run):
    logs = successful_run.place.root / "logs"
    runs = sorted(path.name for path in logs.glob("*_as-of-*.log"))
    assert len(runs) == RUN_LOGS_KEPT
    newest = runs[-1]
    assert re.fullmatch(r"\d{8}T\d{6}Z_as-of-2026-03-31\.log", newest)
    assert f"(log: {logs / newest})" in successful_run.result.stdout
    assert "Running dbt command" in (logs / newest).read_text()
    assert "20200101T000000Z_as-of-2019-12-31.log" not in runs  # the oldest went
    assert (logs / "notes.txt").exists()  # not a run log: left alone
    folders = [path.name for path in successful_run.target.glob("warehouse_dbt_build-*")]
    assert len(folders) == DBT_RUN_FOLDERS_KEPT
    assert "warehouse_dbt_build-old0" not in folders
    assert any(not name.startswith("warehouse_dbt_build-old") for name in folders)


@pytest.mark.slow
def test_make_run_is_in_the_dagster_instance_history(successful_run):
    home = successful_run.place.root / "dagster_home"
    assert (home / "dagster.yaml").read_text() == (
        PROJECT_DIR / "orchestration" / "dagster.yaml"
    ).read_text()
    with dg.DagsterInstance.from_config(str(home)) as instance:
        runs = instance.get_runs()
    assert [(run.job_name, run.status, run.tags.get("dagster/partition")) for run in runs] == [
        ("warehouse_build", dg.DagsterRunStatus.SUCCESS, FIXTURE_AS_OF.isoformat())
    ]


@pytest.mark.slow
def test_the_dagster_instance_records_every_warehouse_asset_and_the_outbox_day(successful_run):
    """What the UI shows after `make run`, read through the instance: every dbt model and seed
    and the BI copy materialized by the run, none of them partitioned, and the outbox files'
    partition of the as-of date."""
    assert successful_run.result.returncode == 0
    dbt_keys = set(unique_ids_by_key(manifest()["nodes"]))
    warehouse_keys = dbt_keys | {PUBLISHED_KEY}
    asset_graph = defs.resolve_asset_graph()
    # Nothing else is materialized by the job but the outbox's day files.
    assert set(asset_graph.materializable_asset_keys) == warehouse_keys | {OUTBOX_FILES_KEY}
    home = successful_run.place.root / "dagster_home"
    with dg.DagsterInstance.from_config(str(home)) as instance:
        [run] = instance.get_runs()
        unrecorded = []
        for key in sorted(warehouse_keys):
            event = instance.get_latest_materialization_event(key)
            if event is None or event.run_id != run.run_id:
                unrecorded.append(key.to_user_string())
            elif event.dagster_event is None or event.dagster_event.partition is not None:
                unrecorded.append(f"{key.to_user_string()} (partitioned)")
        assert unrecorded == []
        assert instance.get_materialized_partitions(OUTBOX_FILES_KEY) == {FIXTURE_AS_OF.isoformat()}


def test_make_run_and_the_dagster_ui_share_the_project_instance():
    env = {name: value for name, value in os.environ.items() if name not in SETTINGS}
    for target in ("run", "dagster-dev"):
        dry_run = subprocess.run(
            ["make", "-n", target], cwd=PROJECT_DIR, env=env, capture_output=True, text=True
        )
        assert f"DAGSTER_HOME={PROJECT_DIR}/.dagster_home" in dry_run.stdout, target


@pytest.mark.slow
def test_a_failed_model_reaches_the_console_as_dbts_own_text(fixture_landing, tmp_path):
    """In a copy of the project whose as-of model casts the date to a number (a type error),
    `make run` prints the database's error for that model, as dbt reported it (from its
    artifacts, no colour codes), and leaves the landing zone as it was."""
    landing = tmp_path / "landing"
    shutil.copytree(fixture_landing, landing)
    project = Project(tmp_path, landing)
    project.edit(
        "models/intermediate/int_as_of_date.sql",
        "select cast('{{ requested_as_of }}' as date) as as_of_date",
        "select cast('{{ requested_as_of }}' as integer) as as_of_date",
    )
    before = tree(landing)
    result = project.make_run(FIXTURE_AS_OF, check=False)
    assert_one_message(
        result,
        "make run: dbt model int_as_of_date error: Conversion Error: Could not convert string "
        "'2026-03-31' to INT32",
        f"The BI copy {project.published} was not replaced",
    )
    assert tree(landing) == before
    assert not project.published.exists()


@pytest.mark.slow
def test_a_failed_spend_reconciliation_names_its_cause_and_the_fix_that_works(daily_run, tmp_path):
    """A warehouse whose incremental tier model kept a stale day outside the window (as when
    its refresh record was copied from another warehouse): `make run`, reconciling the spend
    of the whole history, stops on it, naming the day, the likely cause and the full refresh
    that fixes it; that command then publishes marts equal to those of a clean build of the
    same landing zone."""
    place = clone_place(daily_run.place, tmp_path / "place")
    stale_day = FIXTURE_AS_OF - timedelta(days=80)  # outside the 60-day window
    with duckdb.connect(str(place.warehouse)) as connection:
        connection.execute(
            """
            update intermediate.int_account_tiers_assigned set any_spend_usd = any_spend_usd + 25
            where date_day = ? and account_id = (
                select min(account_id) from intermediate.int_account_tiers_assigned
                where date_day = ?
            )
            """,
            [stale_day, stale_day],
        )
    settings = {
        # The spend reconciliation over the whole history, not only the days the run recomputed.
        "CHECK_RECONCILE_SPEND_DAYS": "0",
        "LANDING_DIR": place.landing,
        "WAREHOUSE_PATH": place.warehouse,
        "OUTBOX_DIR": place.outbox,
        "PUBLISHED_WAREHOUSE_PATH": place.published,
        "DAGSTER_HOME": tmp_path / "dagster_home",
        "RUN_LOG_DIR": tmp_path / "logs",
        "DBT_TARGET_PATH": tmp_path / "target",
    }
    landing_before, published_before = tree(place.landing), tree(place.published.parent)
    stopped = make("run", **settings)
    assert_one_message(
        stopped,
        "make run: check marts/fct_account_tier_daily:gx_spend_reconciled failed: The marts' "
        f"spend differs from the staged spend on 1 day(s), e.g. {stale_day}",
        "Likely cause: the incremental tier models kept days",
        "A full refresh recomputes them: FULL_REFRESH=1 make run",
        f"The BI copy {place.published} was not replaced",
    )
    assert tree(place.published.parent) == published_before

    fixed = make("run", **settings, FULL_REFRESH="1")
    assert fixed.returncode == 0, fixed.stdout[-3000:] + fixed.stderr[-3000:]
    assert f"Published for BI (open it read-only): {place.published}" in fixed.stdout
    # The same landing zone and as-of date as the daily run (the audit names the files' paths).
    assert relations_differ(place.warehouse, daily_run.place.warehouse, ("marts",)) == []
    assert tree(place.landing) == landing_before
