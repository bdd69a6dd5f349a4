"""The Spark engine's tables, read back for what runs on DuckDB files (README, Engines).

With WAREHOUSE_ENGINE=spark, dbt builds every model as a Spark table: Parquet folders under
SPARK_WAREHOUSE_DIR, named in a Derby metastore beside them (profiles.yml). The checks, the
BI copy, the outbox and the dashboard read DuckDB files, so the tables they read are copied,
column types and all, into the DuckDB file at WAREHOUSE_PATH under the same schema.table
names. The same copy lets the tests compare the two engines' marts row for row.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pyarrow as pa

from warehouse.config import PROJECT_DIR


def engine() -> str:
    """The engine dbt builds with: the profile's target (WAREHOUSE_ENGINE), duckdb by default."""
    return os.environ.get("WAREHOUSE_ENGINE", "").strip() or "duckdb"


def spark_warehouse_dir() -> Path:
    """Where a local Spark session keeps its tables and catalog (SPARK_WAREHOUSE_DIR), as
    profiles.yml reads it: relative to the project folder, where dbt runs."""
    value = Path(os.environ.get("SPARK_WAREHOUSE_DIR", "data/spark-warehouse"))
    return value if value.is_absolute() else PROJECT_DIR / value


@contextmanager
def spark_session() -> Iterator[object]:
    """A local Spark session on the catalog dbt's spark target builds (profiles.yml)."""
    from pyspark.sql import SparkSession

    folder = spark_warehouse_dir()
    session = (
        SparkSession.builder.master(os.environ.get("SPARK_MASTER", "local[2]"))
        .appName("tiktok-one-warehouse-copy")
        .config("spark.sql.warehouse.dir", str(folder))
        .config(
            "javax.jdo.option.ConnectionURL",
            f"jdbc:derby:;databaseName={folder}/metastore_db;create=true",
        )
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.log.level", "ERROR")
        .enableHiveSupport()
        .getOrCreate()
    )
    try:
        yield session
    finally:
        session.stop()


def spark_tables(session: object, schemas: Iterable[str]) -> list[str]:
    """Every table and view of the schemas named, as schema.table, sorted."""
    names = []
    for schema in schemas:
        for row in session.sql(f"show tables in {schema}").collect():
            if not row["isTemporary"]:
                names.append(f"{schema}.{row['tableName']}")
    return sorted(names)


def _naive_utc(table: pa.Table) -> pa.Table:
    """Spark's timestamps arrive in UTC with a time zone; DuckDB's models hold plain UTC
    timestamps: drop the zone, keep the instant."""
    fields = [
        pa.field(f.name, pa.timestamp("us")) if pa.types.is_timestamp(f.type) else f
        for f in table.schema
    ]
    return table.cast(pa.schema(fields))


def copy_spark_tables(tables: Iterable[str], duckdb_path: Path) -> list[str]:
    """Copy Spark tables (schema.table) into the DuckDB file, replacing tables of the same
    name; returns the names copied. Columns keep their names, order and types."""
    with spark_session() as session:
        return copy_tables(session, tables, duckdb_path)


def copy_tables(session: object, tables: Iterable[str], duckdb_path: Path) -> list[str]:
    """copy_spark_tables in an open Spark session."""
    copied = []
    connection = duckdb.connect(str(duckdb_path))
    try:
        for name in tables:
            schema, _ = name.split(".")
            rows = _naive_utc(session.table(name).toArrow())
            connection.execute(f"create schema if not exists {schema}")
            connection.register("spark_rows", rows)
            connection.execute(f"create or replace table {name} as select * from spark_rows")
            connection.unregister("spark_rows")
            copied.append(name)
    finally:
        connection.close()
    return copied
