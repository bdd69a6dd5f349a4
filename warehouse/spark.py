"""The Spark engine: its Thrift server, and its tables read in place into DuckDB
(docs/engines.md).

With WAREHOUSE_ENGINE=spark, dbt builds every model through a Spark Thrift server
(profiles.yml: SPARK_THRIFT_HOST, SPARK_THRIFT_PORT; by default the local cluster of
`make spark-up`, warehouse/spark_cluster.py). Each table is a folder of Parquet files where the
cluster's catalog says (its location). The checks, the outbox, the BI copy and the dashboard
read DuckDB files, so after a build that succeeded, DuckDB reads the tables they need straight
from those files into the DuckDB file at WAREHOUSE_PATH, under the same schema.table names and
with the catalog's column types: nothing passes through the Spark driver. Spark's unfinished
output (`_temporary/`, `.spark-staging-*`, any name starting with `_` or `.`, the files Spark
itself skips) is never read, and the DuckDB file changes in one transaction, so a reader sees
the previous build's tables or this one's, never a mix.

A relation that is a view on Spark (the staging models) has no files: the cluster writes its
rows as a table of schema `read_after_build` first, and DuckDB reads that.

`make spark-publish` (`python -m warehouse.spark publish`) does the same after a plain
`dbt build` on the spark target, then publishes the BI copy from the DuckDB file as a DuckDB
build would.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import jinja2
import yaml

from warehouse.config import PROJECT_DIR

# What the steps after a build read from the DuckDB file (the GX suites and volume bands, the
# outbox, the BI copy, the run's summary): every table of these schemas, and these relations.
# tests/python/test_engines.py holds this list to the relations their SQL names.
READ_AFTER_BUILD_SCHEMAS = ("marts", "audit", "rules", "outbox")
READ_AFTER_BUILD_RELATIONS = (
    "intermediate.int_as_of_date",
    "intermediate.int_account_spend_daily",
    "staging.stg_ads_manager__ad_spend",
    "staging.stg_creators__creator_daily_stats",
)
# The Spark schema where the rows of views read after a build are written as tables.
VIEW_ROWS_SCHEMA = "read_after_build"


class SparkError(Exception):
    """A problem the user can fix; its text names the problem and the fix."""


def engine() -> str:
    """The engine dbt builds with: the profile's target (WAREHOUSE_ENGINE), duckdb by default."""
    return os.environ.get("WAREHOUSE_ENGINE", "").strip() or "duckdb"


def _profile_outputs() -> dict[str, Any]:
    profiles = yaml.safe_load((PROJECT_DIR / "profiles.yml").read_text())
    return profiles["tiktok_one_warehouse"]["outputs"]


def engines() -> list[str]:
    """The engines there are: the targets of the project's dbt profile (profiles.yml)."""
    return sorted(_profile_outputs())


def spark_warehouse_dir() -> Path:
    """Where the local cluster keeps its tables and catalog (SPARK_WAREHOUSE_DIR), relative
    to the project folder; the refresh plan keeps its state beside it."""
    value = Path(os.environ.get("SPARK_WAREHOUSE_DIR", "").strip() or "data/spark-warehouse")
    return value if value.is_absolute() else PROJECT_DIR / value


# --- The Thrift server -------------------------------------------------------------------------


def _render(value: Any) -> Any:
    """A profile value as dbt renders it: Jinja with env_var (and its default)."""
    if isinstance(value, dict):
        return {key: _render(item) for key, item in value.items()}
    if not isinstance(value, str):
        return value

    def env_var(name: str, default: str | None = None) -> str:
        if name in os.environ:
            return os.environ[name]
        if default is None:
            raise SparkError(f"profiles.yml needs the environment variable {name}: set it.")
        return default

    return jinja2.Environment().from_string(value).render(env_var=env_var)


def spark_profile() -> dict[str, Any]:
    """The spark target of profiles.yml, rendered as dbt renders it (one place says where the
    Thrift server is and which session settings every connection sets)."""
    return _render(_profile_outputs()["spark"])


@dataclass(frozen=True)
class ThriftServer:
    host: str
    port: int
    user: str
    session: dict[str, str]

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"


def thrift_server() -> ThriftServer:
    profile = spark_profile()
    return ThriftServer(
        host=profile["host"],
        port=int(profile["port"]),
        user=profile.get("user") or "dbt",
        session={str(k): str(v) for k, v in (profile.get("server_side_parameters") or {}).items()},
    )


def _no_server(server: ThriftServer, why: str) -> SparkError:
    return SparkError(
        f"No Spark Thrift server answers at {server.address} (SPARK_THRIFT_HOST, "
        f"SPARK_THRIFT_PORT): {why}. Start the local cluster with `make spark-up`, or point "
        "SPARK_THRIFT_HOST and SPARK_THRIFT_PORT at your cluster's Thrift server "
        "(docs/engines.md)."
    )


def require_thrift_server() -> ThriftServer:
    """The Thrift server of the spark target, which must accept a connection."""
    server = thrift_server()
    try:
        with socket.create_connection((server.host, server.port), timeout=10):
            pass
    except OSError as error:
        raise _no_server(server, error.strerror or type(error).__name__) from None
    return server


@contextmanager
def thrift_cursor() -> Iterator[Any]:
    """A cursor on the spark target's Thrift server, with the profile's session settings."""
    from pyhive import hive

    server = require_thrift_server()
    try:
        connection = hive.connect(
            host=server.host,
            port=server.port,
            username=server.user,
            configuration=server.session,
        )
    except Exception as error:  # noqa: BLE001 - thrift raises several unrelated types
        raise _no_server(server, f"it does not open a session ({error})") from None
    try:
        yield connection.cursor()
    finally:
        connection.close()


def query(cursor: Any, sql: str) -> list[tuple]:
    cursor.execute(sql)
    return cursor.fetchall() if cursor.description else []


# --- The catalog -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SparkTable:
    """A relation as the catalog describes it."""

    name: str
    kind: str  # MANAGED, EXTERNAL or VIEW
    columns: tuple[tuple[str, str], ...]  # (name, Spark type), in the table's order
    partition_columns: tuple[str, ...]
    location: str | None
    provider: str | None
    # The partitions the catalog lists (`date_day=2026-03-01`), for a partitioned table.
    partitions: tuple[str, ...] = ()


def tables_in(cursor: Any, schemas: tuple[str, ...] | list[str]) -> list[str]:
    """Every table and view of the schemas named (those that exist), as schema.table."""
    existing = {row[0] for row in query(cursor, "show schemas")}
    names = []
    for schema in schemas:
        if schema not in existing:
            continue
        for row in query(cursor, f"show tables in {schema}"):
            if not row[2]:  # isTemporary
                names.append(f"{schema}.{row[1]}")
    return sorted(names)


def describe(cursor: Any, name: str) -> SparkTable:
    rows = query(cursor, f"describe table extended {name}")
    columns, partitions, details = [], [], {}
    section = "columns"
    for column, data_type, _comment in rows:
        if column == "# Partition Information":
            section = "partitions"
        elif column == "# Detailed Table Information":
            section = "details"
        elif not column or column.startswith("#"):
            continue
        elif section == "columns":
            columns.append((column, data_type))
        elif section == "partitions":
            partitions.append(column)
        else:
            details[column] = data_type
    kind = details.get("Type", "").upper()
    listed = query(cursor, f"show partitions {name}") if partitions and kind != "VIEW" else []
    return SparkTable(
        name=name,
        kind=kind,
        columns=tuple(columns),
        partition_columns=tuple(partitions),
        location=details.get("Location"),
        provider=(details.get("Provider") or "").lower() or None,
        partitions=tuple(sorted(row[0] for row in listed)),
    )


PRIMITIVE_TYPES = {
    "string": "VARCHAR",
    "boolean": "BOOLEAN",
    "tinyint": "TINYINT",
    "smallint": "SMALLINT",
    "int": "INTEGER",
    "integer": "INTEGER",
    "bigint": "BIGINT",
    "float": "FLOAT",
    "double": "DOUBLE",
    "date": "DATE",
    # Spark's timestamp is an instant; the models hold it as a plain UTC timestamp.
    "timestamp": "TIMESTAMP",
    "timestamp_ntz": "TIMESTAMP",
    "binary": "BLOB",
}


def duckdb_type(spark_type: str) -> str:
    """The DuckDB type of a Spark type (decimals keep precision and scale, arrays their
    element type); a type with no DuckDB counterpart here is refused by name."""
    text = spark_type.strip().lower()
    if text in PRIMITIVE_TYPES:
        return PRIMITIVE_TYPES[text]
    decimal = re.fullmatch(r"decimal\((\d+),\s*(\d+)\)", text)
    if decimal:
        return f"DECIMAL({decimal.group(1)},{decimal.group(2)})"
    if re.fullmatch(r"(var)?char\(\d+\)", text):
        return "VARCHAR"
    array = re.fullmatch(r"array<(.+)>", text)
    if array:
        return f"{duckdb_type(array.group(1))}[]"
    raise ValueError(f"the Spark type {spark_type} has no DuckDB type here")


def duckdb_location(location: str) -> str:
    """A catalog location as DuckDB reads it: a local path, or an object-store URI (DuckDB's
    httpfs and azure extensions, docs/engines.md)."""
    if location.startswith("file:"):
        return "/" + location.removeprefix("file:").lstrip("/")
    scheme = location.split("://", 1)[0].lower() if "://" in location else ""
    if scheme in ("s3a", "s3n"):
        return "s3://" + location.split("://", 1)[1]
    if scheme in ("s3", "gs", "gcs", "r2", "az", "azure", "abfss", "http", "https"):
        return location
    if not scheme and location.startswith("/"):
        return location
    raise ValueError(
        f"DuckDB cannot read the location {location}: put the Spark warehouse on a local "
        "folder or an object store (s3, gcs, azure)"
    )


# A data file Spark does not read either: below a folder or file whose name starts with '.',
# or with '_' without '=' (`_temporary/`, `.spark-staging-*/`, `_SUCCESS`, `.crc` files).
HIDDEN = r"(^|/)(\.|_[^=/]*(/|$))"


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _read_sql(
    connection: duckdb.DuckDBPyConnection, target: str, table: SparkTable
) -> tuple[str, list[Any]]:
    """The statement that (re)creates `target` from the table's visible Parquet files."""
    if table.provider not in ("parquet", "hive"):
        raise SparkError(
            f"{table.name} is stored as {table.provider}: DuckDB reads Parquet tables in place "
            "(dbt-spark's file_format parquet, the project's default)."
        )
    if not table.location:
        raise SparkError(f"The catalog gives no location for {table.name}.")
    try:
        location = duckdb_location(table.location).rstrip("/")
        types = {column: duckdb_type(spark_type) for column, spark_type in table.columns}
    except ValueError as error:
        raise SparkError(f"{table.name}: {error}.") from None
    listed = connection.execute(
        """
        with visible as (
            select file, substr(file, length($location) + 2) as relative
            from glob($pattern)
            where not regexp_matches(substr(file, length($location) + 2), $hidden)
        )
        select file, regexp_replace(relative, '/?[^/]*$', '') as partition
        from visible
        order by file
        """,
        {"pattern": f"{location}/**/*.parquet", "location": location, "hidden": HIDDEN},
    ).fetchall()
    if table.partition_columns:
        # The partitions the catalog lists, each of which must have its files: a folder the
        # catalog does not list (an aborted write) is not the table's.
        found = {partition for _, partition in listed}
        missing = sorted(set(table.partitions) - found)
        if missing:
            raise SparkError(
                f"{table.name}: no Parquet file for the catalog's partition {missing[0]} under "
                f"{location} ({len(missing)} partitions without files). The table is not as "
                "the catalog says: rebuild it."
            )
        files = [file for file, partition in listed if partition in table.partitions]
    else:
        files = [file for file, _ in listed]
    if not files:
        # No file at all: a partitioned table with no partition (Spark writes a file with the
        # schema for an empty unpartitioned one).
        columns = ", ".join(f"{_quoted(column)} {types[column]}" for column, _ in table.columns)
        return f"create or replace table {target} ({columns})", []
    selected = ", ".join(
        f"cast({_quoted(column)} as {types[column]}) as {_quoted(column)}"
        for column, _ in table.columns
    )
    options = "union_by_name = true"
    if table.partition_columns:
        hive_types = ", ".join(
            f"'{column}': '{types[column]}'" for column in table.partition_columns
        )
        options += f", hive_partitioning = true, hive_types = {{{hive_types}}}"
    else:
        options += ", hive_partitioning = false"
    return (
        f"create or replace table {target} as select {selected} from read_parquet(?, {options})",
        [files],
    )


def read_in_place(tables: dict[str, SparkTable], duckdb_path: Path) -> list[str]:
    """Create each DuckDB table (schema.table, the key) from its Spark table's Parquet files,
    replacing a table or view of that name, in one transaction; returns the names read."""
    duckdb_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        connection = duckdb.connect(str(duckdb_path))
    except duckdb.IOException as error:
        raise SparkError(
            f"Cannot open {duckdb_path} to write: {str(error).splitlines()[0]}. Close the "
            "process that holds it (BI tools open the published copy), then run again."
        ) from None
    try:
        # Spark's timestamps are instants: as plain timestamps, in UTC.
        connection.execute("set TimeZone = 'UTC'")
        connection.execute("begin transaction")
        for target, table in sorted(tables.items()):
            schema, name = target.split(".")
            connection.execute(f"create schema if not exists {_quoted(schema)}")
            # A DuckDB build leaves the staging models (and some marts) as views.
            is_view = connection.execute(
                "select count(*) from duckdb_views() where schema_name = ? and view_name = ?",
                [schema, name],
            ).fetchone()
            if is_view and is_view[0]:
                connection.execute(f"drop view {_quoted(schema)}.{_quoted(name)}")
            sql, parameters = _read_sql(connection, f"{_quoted(schema)}.{_quoted(name)}", table)
            try:
                connection.execute(sql, parameters)
            except duckdb.Error as error:
                raise SparkError(
                    f"Reading {table.name} from {table.location}: {str(error).splitlines()[0]}"
                ) from None
        connection.execute("commit")
    finally:
        # Closed before the commit (an error), the transaction is rolled back: the file keeps
        # the tables of the previous read.
        connection.close()
    return sorted(tables)


def read_relations_in_place(cursor: Any, relations: list[str], duckdb_path: Path) -> list[str]:
    """Read Spark relations (schema.table) into the DuckDB file under the same names; a view
    is first written by the cluster as a table of VIEW_ROWS_SCHEMA."""
    described = {}
    for name in relations:
        table = describe(cursor, name)
        if table.kind == "VIEW":
            schema, view = name.split(".")
            rows = f"{VIEW_ROWS_SCHEMA}.{schema}__{view}"
            query(cursor, f"create schema if not exists {VIEW_ROWS_SCHEMA}")
            query(cursor, f"drop table if exists {rows}")
            query(cursor, f"create table {rows} using parquet as select * from {name}")
            table = describe(cursor, rows)
        described[name] = table
    return read_in_place(described, duckdb_path)


def read_build_in_place(duckdb_path: Path) -> list[str]:
    """After a Spark build that succeeded: what the steps after it read (READ_AFTER_BUILD_*),
    read in place into the DuckDB file; returns the names read. The one call the build step
    makes."""
    with thrift_cursor() as cursor:
        relations = sorted(
            {*tables_in(cursor, READ_AFTER_BUILD_SCHEMAS), *READ_AFTER_BUILD_RELATIONS}
        )
        return read_relations_in_place(cursor, relations, duckdb_path)


# --- make spark-publish ------------------------------------------------------------------------

FAILED = {"error", "fail", "runtime error", "skipped"}


def last_build(target: Path) -> dict[str, Any]:
    """The last dbt invocation in a target folder, which must be a build or run on Spark
    that succeeded: its invocation id and the marts of its manifest."""
    results_path, manifest_path = target / "run_results.json", target / "manifest.json"
    if not results_path.exists() or not manifest_path.exists():
        raise SparkError(
            f"No dbt build in {target} (run_results.json, manifest.json; DBT_TARGET_PATH): "
            "build on Spark first (WAREHOUSE_ENGINE=spark dbt build), then publish."
        )
    results = json.loads(results_path.read_text())
    manifest = json.loads(manifest_path.read_text())
    adapter = manifest.get("metadata", {}).get("adapter_type")
    command = results.get("args", {}).get("which")
    if adapter != "spark" or command not in ("build", "run"):
        raise SparkError(
            f"The last dbt invocation in {target} is `dbt {command}` on {adapter}, not a build "
            "on Spark: build on Spark (WAREHOUSE_ENGINE=spark dbt build), then publish."
        )
    failed = sorted(
        f"{result['unique_id']} ({result['status']})"
        for result in results.get("results", [])
        if str(result.get("status")).lower() in FAILED
    )
    if failed:
        raise SparkError(
            f"The last dbt build in {target} did not succeed ({len(failed)} failed or skipped: "
            f"{', '.join(failed[:3])}{', ...' if len(failed) > 3 else ''}): nothing is read "
            "from a build that did not succeed. Fix it and build again."
        )
    marts = sorted(
        node["alias"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["schema"] == "marts"
    )
    return {"invocation_id": results["metadata"]["invocation_id"], "marts": marts}


def publish(target: Path, warehouse: Path, published: Path) -> str:
    """`make spark-publish`: the last Spark build read in place into the DuckDB file, then the
    BI copy published from it (never moved back to an earlier as-of date)."""
    from warehouse.publish import publish_marts, published_as_of

    require_thrift_server()
    build = last_build(target)
    started = time.monotonic()
    read = read_build_in_place(warehouse)
    seconds = time.monotonic() - started
    connection = duckdb.connect(str(warehouse), read_only=True)
    try:
        row = connection.execute("select max(as_of_date) from intermediate.int_as_of_date")
        as_of = row.fetchone()[0]
    finally:
        connection.close()
    message = f"Read {len(read)} Spark tables in place into {warehouse} in {seconds:.0f} s."
    current = published_as_of(published)
    if current is not None and current > as_of:
        return (
            f"{message} Not published: the BI copy {published} is as of {current}, later than "
            f"this build ({as_of})."
        )
    publish_marts(warehouse, published, build["marts"], as_of, f"spark-{build['invocation_id']}")
    return f"{message} Published the BI copy as of {as_of}: {published}"


def main(argv: list[str] | None = None) -> int:
    from warehouse import config

    parser = argparse.ArgumentParser(description="The Spark build read in place into DuckDB.")
    parser.add_argument("action", choices=["publish", "check"])
    args = parser.parse_args(argv)
    try:
        if args.action == "check":
            server = require_thrift_server()
            print(f"A Spark Thrift server answers at {server.address}.")
            return 0
        target = Path(os.environ.get("DBT_TARGET_PATH", "").strip() or "target")
        target = target if target.is_absolute() else PROJECT_DIR / target
        print(publish(target, config.warehouse_path(), config.published_warehouse_path()))
    except SparkError as error:
        print(f"make spark-{args.action}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
