"""The Spark engine as a cluster (docs/engines.md), through the commands a user types.

Slow tier (marker `slow`): one local cluster for the module (`make spark-up`, on free ports,
its folders temporary), stopped at the end (`make spark-down`, twice). Through its Thrift
server, one `make run` on Spark of the fixture landing zone: the build with its tests, the
tables read in place into DuckDB, the checks and the BI copy. Its marts and audit tables must
equal the DuckDB fixture build row for row with the same types, and `make spark-publish` must
publish the same marts from that build. The failures a user meets end with one message and a
non-zero status: a port taken, no server, a build that did not succeed. The tables are only
ever read from their Parquet files, never through the Spark driver.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import urllib.request
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
import sqlglot
from sqlglot.dialects.dialect import Dialect
from sqlglot.tokens import TokenType

from warehouse.config import PROJECT_DIR
from warehouse.fixtures import FIXTURE_AS_OF
from warehouse.spark import (
    READ_AFTER_BUILD_RELATIONS,
    SparkError,
    SparkTable,
    describe,
    duckdb_location,
    duckdb_type,
    last_build,
    query,
    read_in_place,
    read_relations_in_place,
    thrift_cursor,
    thrift_server,
)
from warehouse.spark_cluster import ClusterError, cluster_settings

pytestmark = pytest.mark.slow

COMPARED_SCHEMAS = ("marts", "audit")
PORTS = (
    "SPARK_MASTER_PORT",
    "SPARK_MASTER_WEBUI_PORT",
    "SPARK_WORKER_WEBUI_PORT",
    "SPARK_THRIFT_PORT",
    "SPARK_THRIFT_UI_PORT",
)
# Settings a test sets itself; inherited values (say from `make test`) are dropped.
SETTINGS = (
    *PORTS,
    "SPARK_THRIFT_HOST",
    "SPARK_WAREHOUSE_DIR",
    "SPARK_CLUSTER_DIR",
    "SPARK_LOG_DIR",
    "LANDING_DIR",
    "SAMPLE_LANDING_DIR",
    "WAREHOUSE_PATH",
    "PUBLISHED_WAREHOUSE_PATH",
    "OUTBOX_DIR",
    "AS_OF_DATE",
    "DAGSTER_HOME",
    "RUN_LOG_DIR",
    "DBT_TARGET_PATH",
    "WAREHOUSE_ENGINE",
    "MAKEFLAGS",
    "MFLAGS",
    "MAKELEVEL",
)


def make(*args: str, **settings: str | Path) -> subprocess.CompletedProcess[str]:
    env = {name: value for name, value in os.environ.items() if name not in SETTINGS}
    env.update({name: str(value) for name, value in settings.items()})
    return subprocess.run(["make", *args], cwd=PROJECT_DIR, env=env, capture_output=True, text=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def one_message(result: subprocess.CompletedProcess[str], command: str) -> str:
    """The one line the command printed about its failure; it failed, with no traceback."""
    assert result.returncode != 0, result.stdout
    messages = [line for line in result.stderr.splitlines() if line.startswith(f"{command}:")]
    assert len(messages) == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    return messages[0]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A local cluster started with `make spark-up`, stopped after the module."""
    root = tmp_path_factory.mktemp("spark")
    settings: dict[str, str | Path] = {
        "SPARK_WAREHOUSE_DIR": root / "warehouse",
        "SPARK_CLUSTER_DIR": root / "cluster",
        "SPARK_LOG_DIR": root / "logs",
        **{name: str(free_port()) for name in PORTS},
    }
    started = make("spark-up", **settings)
    pids = {
        path.stem: int(path.read_text())
        for path in (root / "cluster").glob("*.pid")
        if path.read_text().strip().isdigit()
    }
    yield {"root": root, "settings": settings, "started": started, "pids": pids}
    make("spark-down", **settings)


@pytest.fixture()
def on_cluster(cluster: dict, monkeypatch: pytest.MonkeyPatch) -> dict:
    """This process's Thrift connections go to the module's cluster."""
    assert cluster["started"].returncode == 0, cluster["started"].stderr
    monkeypatch.setenv("SPARK_THRIFT_HOST", "127.0.0.1")
    monkeypatch.setenv("SPARK_THRIFT_PORT", str(cluster["settings"]["SPARK_THRIFT_PORT"]))
    return cluster


def master_status(cluster: dict) -> dict:
    url = f"http://127.0.0.1:{cluster['settings']['SPARK_MASTER_WEBUI_PORT']}/json/"
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


# --- Starting -----------------------------------------------------------------------------------


@pytest.mark.slow
def test_spark_up_starts_a_master_a_worker_and_the_thrift_server_and_says_where(on_cluster):
    started, settings = on_cluster["started"], on_cluster["settings"]
    assert "The local Spark cluster is up" in started.stdout
    for name, port in (
        ("Master UI http://127.0.0.1:", settings["SPARK_MASTER_WEBUI_PORT"]),
        ("Worker UI http://127.0.0.1:", settings["SPARK_WORKER_WEBUI_PORT"]),
        ("jobs http://127.0.0.1:", settings["SPARK_THRIFT_UI_PORT"]),
        ("Thrift JDBC jdbc:hive2://127.0.0.1:", settings["SPARK_THRIFT_PORT"]),
    ):
        assert f"{name}{port}" in started.stdout
    assert sorted(on_cluster["pids"]) == ["master", "thriftserver", "worker"]
    assert all(alive(pid) for pid in on_cluster["pids"].values())
    status = master_status(on_cluster)
    assert status["aliveworkers"] == 1
    assert [app["state"] for app in status["activeapps"]] == ["RUNNING"]
    # Logs where the settings say; the catalog beside the tables.
    assert (on_cluster["root"] / "logs" / "thriftserver.log").exists()
    assert (on_cluster["root"] / "warehouse" / "metastore_db").is_dir()


@pytest.mark.slow
def test_spark_up_twice_says_it_runs_and_starts_nothing(on_cluster):
    again = make("spark-up", **on_cluster["settings"])
    assert again.returncode == 0, again.stderr
    assert "already running" in again.stdout and "nothing started" in again.stdout
    pids = {
        path.stem: int(path.read_text()) for path in (on_cluster["root"] / "cluster").glob("*.pid")
    }
    assert pids == on_cluster["pids"]
    assert master_status(on_cluster)["aliveworkers"] == 1


@pytest.mark.slow
def test_the_sessions_get_the_profiles_settings(on_cluster):
    with thrift_cursor() as cursor:
        values = {
            key: query(cursor, f"set {key}")[0][1]
            for key in (
                "spark.sql.ansi.enabled",
                "spark.sql.session.timeZone",
                "spark.sql.parquet.outputTimestampType",
                "spark.sql.sources.partitionOverwriteMode",
            )
        }
    assert values == {
        "spark.sql.ansi.enabled": "false",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
        "spark.sql.sources.partitionOverwriteMode": "dynamic",
    }


# --- The daily job on Spark ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def spark_run(cluster: dict, fixture_warehouse: Path) -> dict:
    """`make run` on Spark of the landing zone DuckDB's fixture was built from (the audit
    tables name its files), as of the fixture's day."""
    assert cluster["started"].returncode == 0, cluster["started"].stderr
    root = cluster["root"] / "run"
    landing = fixture_warehouse.parent / "landing"
    assert (landing / "ad_spend").is_dir(), landing
    settings = cluster["settings"] | {
        "WAREHOUSE_ENGINE": "spark",
        "LANDING_DIR": landing,
        "AS_OF_DATE": FIXTURE_AS_OF.isoformat(),
        "WAREHOUSE_PATH": root / "warehouse.duckdb",
        "PUBLISHED_WAREHOUSE_PATH": root / "published" / "bi.duckdb",
        "OUTBOX_DIR": root / "outbox",
        "DAGSTER_HOME": root / "dagster",
        "RUN_LOG_DIR": root / "logs",
        "DBT_TARGET_PATH": root / "target",
    }
    result = make("run", **settings)
    # One dbt target folder per dbt step of the job: the warehouse's build and the outbox's.
    builds = [path.parent for path in (root / "target").glob("*/run_results.json")]
    return {
        "result": result,
        "settings": cluster["settings"],
        "root": root,
        "warehouse": root / "warehouse.duckdb",
        "published": root / "published" / "bi.duckdb",
        "dbt": max(builds, key=results_count) if builds else None,
        "builds": builds,
    }


def results_count(target: Path) -> int:
    """How many nodes a dbt invocation ran: the warehouse's build runs all but the outbox."""
    return len(json.loads((target / "run_results.json").read_text())["results"])


@pytest.mark.slow
def test_make_run_on_spark_builds_checks_and_publishes(spark_run):
    result = spark_run["result"]
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert f"Published for BI (open it read-only): {spark_run['published']}" in result.stdout
    log = next((spark_run["root"] / "logs").glob("*.log")).read_text()
    read = re.search(r"Read (\d+) Spark tables in place into", log)
    assert read and int(read.group(1)) > 20
    connection = duckdb.connect(str(spark_run["published"]), read_only=True)
    try:
        as_of, tables = connection.execute(
            "select as_of_date, tables from meta.publication"
        ).fetchone()
    finally:
        connection.close()
    assert as_of == FIXTURE_AS_OF and "fct_account_tier_daily" in tables


def compared_tables(connection: duckdb.DuckDBPyConnection, database: str) -> list[str]:
    rows = connection.execute(
        "select table_schema || '.' || table_name from information_schema.tables"
        f" where table_catalog = ? and table_schema in {COMPARED_SCHEMAS} order by 1",
        [database],
    ).fetchall()
    return [row[0] for row in rows]


def differences(connection: duckdb.DuckDBPyConnection, names: list[str]) -> list[str]:
    """Tables of `on_duckdb` and `on_spark` that differ in columns, types or rows."""
    found = []
    for name in names:
        schema, table = name.split(".")
        columns = {}
        for engine in ("on_duckdb", "on_spark"):
            columns[engine] = connection.execute(
                "select column_name, data_type from information_schema.columns"
                " where table_catalog = ? and table_schema = ? and table_name = ?"
                " order by ordinal_position",
                [engine, schema, table],
            ).fetchall()
        if sorted(columns["on_duckdb"]) != sorted(columns["on_spark"]):
            found.append(f"{name}: columns {columns['on_duckdb']} vs {columns['on_spark']}")
            continue
        listed = ", ".join(f'"{column}"' for column, _ in columns["on_duckdb"])
        counts = connection.execute(
            f"""
            select
                (select count(*) from on_duckdb.{name}),
                (select count(*) from on_spark.{name}),
                (select count(*) from (select {listed} from on_duckdb.{name}
                    except all select {listed} from on_spark.{name})),
                (select count(*) from (select {listed} from on_spark.{name}
                    except all select {listed} from on_duckdb.{name}))
            """
        ).fetchone()
        if counts[0] != counts[1] or counts[2] or counts[3]:
            found.append(
                f"{name}: {counts[0]} rows on DuckDB, {counts[1]} on Spark,"
                f" {counts[2]} only on DuckDB, {counts[3]} only on Spark"
            )
    return found


@pytest.mark.slow
def test_every_mart_and_audit_table_built_on_spark_equals_duckdbs_with_the_same_types(
    spark_run, fixture_warehouse
):
    assert spark_run["result"].returncode == 0
    connection = duckdb.connect()
    connection.execute(f"attach '{fixture_warehouse}' as on_duckdb (read_only)")
    connection.execute(f"attach '{spark_run['warehouse']}' as on_spark (read_only)")
    names = compared_tables(connection, "on_duckdb")
    assert compared_tables(connection, "on_spark") == names
    assert sum(name.startswith("marts.") for name in names) >= 15
    assert differences(connection, names) == []
    # The comparison saw rows: an empty fixture would compare nothing.
    count = connection.execute("select count(*) from on_spark.marts.fct_account_tier_daily")
    assert count.fetchone()[0] > 1000
    # What the checks read besides: the staged rows of the two staging views, as tables.
    for relation in READ_AFTER_BUILD_RELATIONS:
        assert connection.execute(f"select count(*) from on_spark.{relation}").fetchone()[0] > 0


@pytest.mark.slow
def test_make_spark_publish_publishes_the_same_marts_from_the_last_build(
    spark_run, published_fixture, tmp_path
):
    assert spark_run["dbt"] is not None, "make run left no dbt artifacts"
    settings = spark_run["settings"] | {
        "DBT_TARGET_PATH": spark_run["dbt"],
        "WAREHOUSE_PATH": tmp_path / "warehouse.duckdb",
        "PUBLISHED_WAREHOUSE_PATH": tmp_path / "bi.duckdb",
    }
    result = make("spark-publish", **settings)
    assert result.returncode == 0, result.stderr
    assert f"Published the BI copy as of {FIXTURE_AS_OF}: {tmp_path / 'bi.duckdb'}" in (
        result.stdout
    )
    connection = duckdb.connect()
    connection.execute(f"attach '{published_fixture}' as on_duckdb (read_only)")
    connection.execute(f"attach '{tmp_path / 'bi.duckdb'}' as on_spark (read_only)")
    marts = [name for name in compared_tables(connection, "on_duckdb") if name.startswith("marts")]
    assert [n for n in compared_tables(connection, "on_spark") if n.startswith("marts")] == marts
    assert differences(connection, marts) == []


@pytest.mark.slow
def test_make_spark_publish_refuses_a_build_that_did_not_succeed(spark_run, tmp_path):
    failed = tmp_path / "target"
    shutil.copytree(spark_run["dbt"], failed, ignore=shutil.ignore_patterns("compiled", "run"))
    results = json.loads((failed / "run_results.json").read_text())
    results["results"][-1]["status"] = "fail"
    (failed / "run_results.json").write_text(json.dumps(results))
    settings = spark_run["settings"] | {
        "DBT_TARGET_PATH": failed,
        "WAREHOUSE_PATH": tmp_path / "warehouse.duckdb",
        "PUBLISHED_WAREHOUSE_PATH": tmp_path / "bi.duckdb",
    }
    message = one_message(make("spark-publish", **settings), "make spark-publish")
    assert "did not succeed (1 failed or skipped" in message
    assert not (tmp_path / "warehouse.duckdb").exists() and not (tmp_path / "bi.duckdb").exists()


# --- The read in place --------------------------------------------------------------------------


def location(table) -> Path:
    return Path(table.location.removeprefix("file:"))


@pytest.mark.slow
def test_the_read_skips_what_spark_has_not_finished_writing_and_keeps_the_catalogs_types(
    on_cluster, tmp_path
):
    schema = "read_in_place_test"
    with thrift_cursor() as cursor:
        query(cursor, f"create schema {schema}")
        try:
            query(
                cursor,
                f"create table {schema}.days using parquet partitioned by (date_day) as"
                " select * from values"
                " (1, timestamp'2026-03-01 23:30:00', cast(1.25 as decimal(18,2)),"
                " date'2026-03-01'),"
                " (2, timestamp'2026-03-02 00:15:00', cast(2.50 as decimal(18,2)),"
                " date'2026-03-02')"
                " as t(id, seen_at, amount_usd, date_day)",
            )
            query(
                cursor,
                f"create table {schema}.no_days using parquet partitioned by (date_day) as"
                " select 1 as id, date'2026-03-01' as date_day where false",
            )
            days = describe(cursor, f"{schema}.days")
            # Output Spark has not committed: a task's attempt, a dynamic overwrite's staging
            # folder, a marker file.
            folder = location(days)
            junk = [
                folder / "_temporary" / "0" / "part-00000-junk.parquet",
                folder / ".spark-staging-1" / "date_day=2026-03-09" / "part-00000.parquet",
            ]
            for path in junk:
                path.parent.mkdir(parents=True)
                write_rows(
                    path,
                    "select 99 as id, timestamp '2026-03-09' as seen_at,"
                    " 9.99::decimal(18,2) as amount_usd",
                )
            (folder / "date_day=2026-03-01" / "_SUCCESS").write_text("")
            read = read_relations_in_place(
                cursor, [f"{schema}.days", f"{schema}.no_days"], tmp_path / "read.duckdb"
            )
        finally:
            query(cursor, f"drop schema {schema} cascade")
    assert read == [f"{schema}.days", f"{schema}.no_days"]
    connection = duckdb.connect(str(tmp_path / "read.duckdb"), read_only=True)
    assert connection.execute(f"select * from {schema}.days order by id").fetchall() == [
        (1, datetime(2026, 3, 1, 23, 30), Decimal("1.25"), date(2026, 3, 1)),
        (2, datetime(2026, 3, 2, 0, 15), Decimal("2.50"), date(2026, 3, 2)),
    ]
    types = connection.execute(
        "select column_name, data_type from information_schema.columns"
        " where table_name = 'days' order by ordinal_position"
    ).fetchall()
    assert types == [
        ("id", "INTEGER"),
        ("seen_at", "TIMESTAMP"),
        ("amount_usd", "DECIMAL(18,2)"),
        ("date_day", "DATE"),
    ]
    assert connection.execute(f"select count(*) from {schema}.no_days").fetchone() == (0,)


@pytest.mark.slow
def test_a_table_duckdb_cannot_read_in_place_fails_the_read_and_the_file_keeps_the_last(
    on_cluster, tmp_path
):
    schema = "read_in_place_failure"
    target = tmp_path / "read.duckdb"
    with thrift_cursor() as cursor:
        query(cursor, f"create schema {schema}")
        try:
            query(cursor, f"create table {schema}.good using parquet as select 1 as id")
            read_relations_in_place(cursor, [f"{schema}.good"], target)
            query(cursor, f"drop table {schema}.good")
            query(cursor, f"create table {schema}.good using parquet as select 2 as id")
            query(cursor, f"create table {schema}.as_csv using csv as select 1 as id")
            with pytest.raises(SparkError, match=f"{schema}.as_csv is stored as csv"):
                read_relations_in_place(cursor, [f"{schema}.as_csv", f"{schema}.good"], target)
        finally:
            query(cursor, f"drop schema {schema} cascade")
    connection = duckdb.connect(str(target), read_only=True)
    # The failed read changed nothing: the file holds the first read's row.
    assert connection.execute(f"select id from {schema}.good").fetchall() == [(1,)]


# --- The SQL each engine was given --------------------------------------------------------------


def compiled_models(target: Path) -> dict[str, str]:
    """The compiled SQL of every model in a dbt target folder, by model file name."""
    folder = target / "compiled" / "tiktok_one_warehouse" / "models"
    return {
        path.name: path.read_text()
        for path in folder.rglob("*.sql")
        if not any(part.endswith(".yml") for part in path.relative_to(folder).parts)
    }


# Forms written like calls that are syntax, not functions an engine lists.
SYNTAX = {"cast", "try_cast", "coalesce", "extract", "materialized", "timestampadd"}


def unknown_functions(sql: str, dialect: str, known: set[str]) -> set[str]:
    """Names called in the SQL (a name then a parenthesis, as sqlglot's tokenizer for the
    dialect reads it; not an alias's column list) that the engine does not have. The SQL must
    also parse in the dialect."""
    sqlglot.parse(sql, read=dialect)
    tokens = Dialect.get_or_raise(dialect).tokenize(sql)
    called = {
        token.text.lower()
        for before, token, after in zip(
            [None, *tokens[:-1]], tokens, [*tokens[1:], None], strict=True
        )
        if token.token_type == TokenType.VAR
        and after is not None
        and after.token_type == TokenType.L_PAREN
        and not (before is not None and before.token_type == TokenType.ALIAS)
    }
    return called - known - SYNTAX


@pytest.fixture()
def spark_functions(on_cluster) -> set[str]:
    with thrift_cursor() as cursor:
        return {row[0].split(".")[-1].lower() for row in query(cursor, "show functions")}


@pytest.mark.slow
def test_every_model_compiles_for_both_engines_to_sql_each_engines_parser_reads(
    spark_run, spark_functions, fixture_dbt_target, warehouse
):
    on_duckdb = compiled_models(fixture_dbt_target)
    on_spark = {
        name: sql for build in spark_run["builds"] for name, sql in compiled_models(build).items()
    }
    assert len(on_duckdb) > 60 and on_duckdb.keys() == on_spark.keys()
    duckdb_functions = {
        row[0].lower()
        for row in warehouse.execute("select function_name from duckdb_functions()").fetchall()
    }
    problems = {}
    for engine, models, dialect, known in (
        ("DuckDB", on_duckdb, "duckdb", duckdb_functions),
        ("Spark", on_spark, "spark", spark_functions),
    ):
        for model, sql in sorted(models.items()):
            try:
                unknown = unknown_functions(sql, dialect, known)
            except sqlglot.errors.ParseError as error:
                problems[f"{engine} {model}"] = str(error).splitlines()[0]
                continue
            if unknown:
                problems[f"{engine} {model}"] = f"functions the engine lacks: {sorted(unknown)}"
    assert not problems, problems


@pytest.mark.slow
def test_the_lint_names_a_duckdb_only_function_in_sql_for_spark(spark_functions):
    duckdb_only = "select isinf(x), generate_series(1, 3), datediff(a, b) from t"
    assert unknown_functions(duckdb_only, "spark", spark_functions) == {
        "isinf",
        "generate_series",
    }
    assert (
        unknown_functions(
            "select xxhash64(a), format_number(b, 2) from t", "spark", spark_functions
        )
        == set()
    )


# --- Without a cluster (fast) ----------------------------------------------------------------


def test_spark_types_map_to_the_duckdb_types_of_the_duckdb_build_and_others_are_refused():
    assert duckdb_type("decimal(18,2)") == "DECIMAL(18,2)"
    assert duckdb_type("timestamp") == "TIMESTAMP"
    assert duckdb_type("string") == "VARCHAR"
    assert duckdb_type("int") == "INTEGER"
    assert duckdb_type("array<decimal(5, 2)>") == "DECIMAL(5,2)[]"
    with pytest.raises(ValueError, match="map<string,int> has no DuckDB type"):
        duckdb_type("map<string,int>")


def test_catalog_locations_become_paths_and_uris_duckdb_reads():
    assert duckdb_location("file:/data/spark-warehouse/marts.db/dim_accounts") == (
        "/data/spark-warehouse/marts.db/dim_accounts"
    )
    assert duckdb_location("s3a://lake/warehouse/marts.db/x") == "s3://lake/warehouse/marts.db/x"
    assert duckdb_location("gs://lake/marts.db/x") == "gs://lake/marts.db/x"
    with pytest.raises(ValueError, match="DuckDB cannot read the location hdfs://"):
        duckdb_location("hdfs://namenode/warehouse/marts.db/x")


def write_rows(path: Path, sql: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect() as connection:
        connection.execute(f"copy ({sql}) to '{path}' (format parquet)")


def spark_table(
    name: str, folder: Path, days: tuple[str, ...] = (), provider: str = "parquet"
) -> SparkTable:
    """A table partitioned by day as the catalog describes it, with these days' partitions."""
    return SparkTable(
        name=name,
        kind="MANAGED",
        columns=(("id", "int"), ("seen_at", "timestamp"), ("date_day", "date")),
        partition_columns=("date_day",),
        location=f"file:{folder}",
        provider=provider,
        partitions=tuple(f"date_day={day}" for day in days),
    )


def test_the_read_takes_the_files_spark_committed_and_not_those_it_skips(tmp_path):
    """Files laid out as Spark writes a partitioned table, with what Spark itself skips."""
    folder = tmp_path / "marts.db" / "days"
    row = "select {id} as id, timestamptz '2026-03-01 23:30:00+00' as seen_at"
    part = "part-00000-a.c000.snappy.parquet"
    write_rows(folder / "date_day=2026-03-01" / part, row.format(id=1))
    write_rows(folder / "date_day=2026-03-02" / part, row.format(id=2))
    for hidden in (
        "_temporary/0/_temporary/attempt_1/date_day=2026-03-03/part-00000.parquet",
        ".spark-staging-5f2c/date_day=2026-03-04/part-00000.parquet",
        "date_day=2026-03-02/.part-00000-a.c000.snappy.parquet",
        "date_day=2026-03-02/_part-00001.parquet",
    ):
        write_rows(folder / hidden, row.format(id=99))
    (folder / "date_day=2026-03-01" / "_SUCCESS").write_text("")
    # A partition folder the catalog does not list (a write that was aborted).
    write_rows(folder / "date_day=2026-03-05" / part, row.format(id=98))
    target = tmp_path / "read.duckdb"
    # A DuckDB build leaves some relations as views: the read replaces them.
    duckdb.connect(str(target)).execute("create schema marts; create view marts.days as select 1")
    days = spark_table("marts.days", folder, ("2026-03-01", "2026-03-02"))
    assert read_in_place({"marts.days": days}, target) == ["marts.days"]
    connection = duckdb.connect(str(target), read_only=True)
    assert connection.execute("select * from marts.days order by id").fetchall() == [
        (1, datetime(2026, 3, 1, 23, 30), date(2026, 3, 1)),
        (2, datetime(2026, 3, 1, 23, 30), date(2026, 3, 2)),
    ]
    assert connection.execute(
        "select data_type from information_schema.columns where table_name = 'days'"
        " order by ordinal_position"
    ).fetchall() == [("INTEGER",), ("TIMESTAMP",), ("DATE",)]


def test_a_partitioned_table_with_no_partition_reads_as_an_empty_table_of_its_columns(tmp_path):
    folder = tmp_path / "marts.db" / "no_days"
    folder.mkdir(parents=True)
    target = tmp_path / "read.duckdb"
    read_in_place({"marts.no_days": spark_table("marts.no_days", folder)}, target)
    connection = duckdb.connect(str(target), read_only=True)
    assert connection.execute("select count(*) from marts.no_days").fetchone() == (0,)
    assert [
        row[0]
        for row in connection.execute(
            "select column_name from information_schema.columns where table_name = 'no_days'"
        ).fetchall()
    ] == ["id", "seen_at", "date_day"]


def test_a_read_that_fails_changes_nothing_in_the_duckdb_file(tmp_path):
    folder = tmp_path / "marts.db" / "days"
    row = "select {id} as id, now() as seen_at"
    write_rows(folder / "date_day=2026-03-01" / "part-0.parquet", row.format(id=1))
    target = tmp_path / "read.duckdb"
    read_in_place({"marts.days": spark_table("marts.days", folder, ("2026-03-01",))}, target)
    write_rows(folder / "date_day=2026-03-02" / "part-0.parquet", row.format(id=2))
    days = spark_table("marts.days", folder, ("2026-03-01", "2026-03-02"))
    with pytest.raises(SparkError, match="marts.as_csv is stored as csv"):
        read_in_place(
            {
                "marts.days": days,
                "marts.as_csv": spark_table("marts.as_csv", folder, provider="csv"),
            },
            target,
        )
    with pytest.raises(SparkError, match="no Parquet file for the catalog's partition"):
        read_in_place(
            {"marts.days": spark_table("marts.days", folder, ("2026-03-01", "2026-03-03"))},
            target,
        )
    connection = duckdb.connect(str(target), read_only=True)
    assert connection.execute("select id from marts.days").fetchall() == [(1,)]
    assert connection.execute(
        "select count(*) from duckdb_tables() where table_name = 'as_csv'"
    ).fetchone() == (0,)


def test_the_profiles_spark_target_and_spark_up_agree_on_the_thrift_server(monkeypatch):
    for name in ("SPARK_THRIFT_HOST", "SPARK_THRIFT_PORT", "SPARK_THRIFT_USER"):
        monkeypatch.delenv(name, raising=False)
    server = thrift_server()
    assert (server.host, server.port) == ("127.0.0.1", cluster_settings().thrift_port)
    monkeypatch.setenv("SPARK_THRIFT_PORT", "10123")
    assert thrift_server().port == cluster_settings().thrift_port == 10123
    # A Thrift server applies a session setting sent as set:hiveconf:<key>, not a bare key.
    assert server.session and all(key.startswith("set:hiveconf:") for key in server.session)
    assert server.session["set:hiveconf:spark.sql.ansi.enabled"] == "false"


def dbt_artifacts(folder: Path, adapter: str, command: str, statuses: list[str]) -> Path:
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text(
        json.dumps(
            {
                "metadata": {"adapter_type": adapter},
                "nodes": {
                    "model.p.dim_accounts": {
                        "resource_type": "model",
                        "schema": "marts",
                        "alias": "dim_accounts",
                    },
                    "model.p.stg_x": {"resource_type": "model", "schema": "staging", "alias": "x"},
                },
            }
        )
    )
    (folder / "run_results.json").write_text(
        json.dumps(
            {
                "metadata": {"invocation_id": "abc"},
                "args": {"which": command},
                "results": [
                    {"unique_id": f"model.p.m{n}", "status": status}
                    for n, status in enumerate(statuses)
                ],
            }
        )
    )
    return folder


def test_spark_publish_reads_only_a_spark_build_that_succeeded(tmp_path):
    good = dbt_artifacts(tmp_path / "good", "spark", "build", ["success", "pass", "warn"])
    assert last_build(good) == {"invocation_id": "abc", "marts": ["dim_accounts"]}
    for name, adapter, command, statuses, expected in (
        ("duckdb", "duckdb", "build", ["success"], "`dbt build` on duckdb, not a build on Spark"),
        ("test", "spark", "test", ["pass"], "`dbt test` on spark"),
        ("failed", "spark", "build", ["success", "error", "skipped"], "2 failed or skipped"),
    ):
        folder = dbt_artifacts(tmp_path / name, adapter, command, statuses)
        with pytest.raises(SparkError, match=re.escape(expected)):
            last_build(folder)
    with pytest.raises(SparkError, match="No dbt build in"):
        last_build(tmp_path / "nothing")


def test_spark_up_refuses_a_uri_for_the_local_warehouse_and_a_port_that_is_not_one(monkeypatch):
    monkeypatch.setenv("SPARK_WAREHOUSE_DIR", "s3a://lake/warehouse")
    with pytest.raises(ClusterError, match="SPARK_WAREHOUSE_DIR=s3a://lake/warehouse is a URI"):
        cluster_settings()
    monkeypatch.setenv("SPARK_WAREHOUSE_DIR", "data/spark-warehouse")
    monkeypatch.setenv("SPARK_MASTER_PORT", "seven")
    with pytest.raises(ClusterError, match="SPARK_MASTER_PORT=seven is not a port number"):
        cluster_settings()


def test_a_port_already_taken_stops_spark_up_with_one_message_and_starts_nothing(tmp_path):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        taken = holder.getsockname()[1]
        settings = {name: str(free_port()) for name in PORTS} | {
            "SPARK_THRIFT_PORT": str(taken),
            "SPARK_CLUSTER_DIR": tmp_path / "cluster",
            "SPARK_WAREHOUSE_DIR": tmp_path / "warehouse",
            "SPARK_LOG_DIR": tmp_path / "logs",
        }
        result = make("spark-up", **settings)
    message = one_message(result, "make spark-up")
    assert f"Port {taken} (SPARK_THRIFT_PORT) on 127.0.0.1 is in use" in message
    assert "Nothing was started" in message
    assert not list(tmp_path.rglob("*.pid")) and not (tmp_path / "logs").exists()


def test_a_process_that_stops_while_starting_stops_spark_up_with_its_error(tmp_path):
    settings = {name: str(free_port()) for name in PORTS} | {
        "SPARK_CLUSTER_DIR": tmp_path / "cluster",
        "SPARK_WAREHOUSE_DIR": tmp_path / "warehouse",
        "SPARK_LOG_DIR": tmp_path / "logs",
        "SPARK_DAEMON_MEMORY": "lots",
    }
    message = one_message(make("spark-up", **settings), "make spark-up")
    assert "The Spark Master stopped while starting: Invalid maximum heap size: -Xmxlots" in (
        message
    )
    assert f"log: {tmp_path / 'logs' / 'master.log'}" in message
    # What it started is stopped again and its PID files are gone: a second start may begin.
    assert not list((tmp_path / "cluster").glob("*.pid"))
    assert "No local Spark cluster is running" in make("spark-down", **settings).stdout


# --- No server -----------------------------------------------------------------------------------


def test_make_run_on_spark_with_no_server_stops_with_one_message_naming_spark_up(tmp_path):
    port = free_port()
    result = make(
        "run",
        WAREHOUSE_ENGINE="spark",
        SPARK_THRIFT_PORT=str(port),
        SAMPLE_LANDING_DIR=tmp_path / "sample",
        WAREHOUSE_PATH=tmp_path / "warehouse.duckdb",
        DAGSTER_HOME=tmp_path / "dagster",
        RUN_LOG_DIR=tmp_path / "logs",
    )
    message = one_message(result, "make run")
    assert f"No Spark Thrift server answers at 127.0.0.1:{port}" in message
    assert "make spark-up" in message
    # Stopped before anything was generated or written.
    assert not (tmp_path / "sample").exists() and not (tmp_path / "warehouse.duckdb").exists()


def test_make_spark_publish_with_no_server_stops_with_one_message(tmp_path):
    port = free_port()
    result = make(
        "spark-publish", SPARK_THRIFT_PORT=str(port), WAREHOUSE_PATH=tmp_path / "w.duckdb"
    )
    message = one_message(result, "make spark-publish")
    assert f"No Spark Thrift server answers at 127.0.0.1:{port}" in message
    assert "make spark-up" in message
    assert not (tmp_path / "w.duckdb").exists()


def test_spark_down_never_stops_a_process_its_pid_file_does_not_describe(tmp_path):
    """A PID file left by a cluster that is gone may name a process that took its number."""
    other = subprocess.Popen(["sleep", "60"], start_new_session=True)
    try:
        (tmp_path / "cluster").mkdir()
        (tmp_path / "cluster" / "thriftserver.pid").write_text(f"{other.pid}\n")
        result = make("spark-down", SPARK_CLUSTER_DIR=tmp_path / "cluster")
        assert result.returncode == 0, result.stderr
        assert f"Thrift server (PID {other.pid}) was not running" in result.stdout
        assert other.poll() is None
    finally:
        os.killpg(other.pid, signal.SIGTERM)
        other.wait()


TRAILING_COMMA = re.compile(r",\s*(?:--[^\n]*)?\n\s*(?:from\b|\))")


def test_no_model_or_macro_leaves_a_trailing_comma_that_only_duckdb_reads():
    files = [*PROJECT_DIR.glob("models/**/*.sql"), *PROJECT_DIR.glob("macros/*.sql")]
    assert len(files) > 60
    trailing = [
        str(path.relative_to(PROJECT_DIR))
        for path in files
        if TRAILING_COMMA.search(path.read_text())
    ]
    assert not trailing
    assert TRAILING_COMMA.search("select\n    a,\n    b,\nfrom t")


# --- Stopping (last: it stops the module's cluster) ---------------------------------------------


@pytest.mark.slow
def test_spark_down_stops_exactly_what_spark_up_started_then_says_nothing_runs(on_cluster):
    pids = on_cluster["pids"]
    stopped = make("spark-down", **on_cluster["settings"])
    assert stopped.returncode == 0, stopped.stderr
    assert "The local Spark cluster is stopped" in stopped.stdout
    for role, pid in pids.items():
        assert not alive(pid), role
        # Each process's group too: the executors the Worker started.
        assert not group_alive(pid), role
    assert not list((on_cluster["root"] / "cluster").glob("*.pid"))
    # Its tables and catalog stay.
    assert (on_cluster["root"] / "warehouse" / "metastore_db").is_dir()
    again = make("spark-down", **on_cluster["settings"])
    assert again.returncode == 0, again.stderr
    assert "No local Spark cluster is running" in again.stdout
