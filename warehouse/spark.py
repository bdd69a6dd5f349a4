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
import yaml

from warehouse.config import PROJECT_DIR

# What the steps after a build read from the DuckDB file (the GX suites and volume bands, the
# outbox, the BI copy, the run's summary): every table of these schemas, and these relations.
# tests/python/test_engines.py holds this list to the relations their SQL names.
READ_AFTER_BUILD_SCHEMAS = ("marts", "audit", "rules")
READ_AFTER_BUILD_RELATIONS = (
    "intermediate.int_as_of_date",
    "intermediate.int_account_spend_daily",
    "staging.stg_ads_manager__ad_spend",
    "staging.stg_creators__creator_daily_stats",
)


def engine() -> str:
    """The engine dbt builds with: the profile's target (WAREHOUSE_ENGINE), duckdb by default."""
    return os.environ.get("WAREHOUSE_ENGINE", "").strip() or "duckdb"


def engines() -> list[str]:
    """The engines there are: the targets of the project's dbt profile (profiles.yml)."""
    profiles = yaml.safe_load((PROJECT_DIR / "profiles.yml").read_text())
    return sorted(profiles["tiktok_one_warehouse"]["outputs"])


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
        .config("spark.driver.memory", os.environ.get("SPARK_DRIVER_MEMORY", "4g"))
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.log.level", "ERROR")
        .config("spark.ui.showConsoleProgress", "false")
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


def copy_tables(session: object, tables: Iterable[str], duckdb_path: Path) -> list[str]:
    """Copy Spark tables (schema.table) into the DuckDB file, replacing tables or views of
    the same name; returns the names copied. Columns keep their names, order and types."""
    copied = []
    connection = duckdb.connect(str(duckdb_path))
    try:
        for name in tables:
            schema, table = name.split(".")
            rows = _naive_utc(session.table(name).toArrow())
            connection.execute(f"create schema if not exists {schema}")
            # A DuckDB build leaves the staging models (and fct_account_tier_daily) as views:
            # the copy replaces them too.
            views = connection.execute(
                "select view_name from duckdb_views() where schema_name = ? and view_name = ?",
                [schema, table],
            ).fetchall()
            if views:
                connection.execute(f"drop view {name}")
            connection.register("spark_rows", rows)
            connection.execute(f"create or replace table {name} as select * from spark_rows")
            connection.unregister("spark_rows")
            copied.append(name)
    finally:
        connection.close()
    return copied


def copy_read_after_build(duckdb_path: Path) -> list[str]:
    """After a Spark build: copy what the steps after it read (READ_AFTER_BUILD_*) into the
    DuckDB file, in one Spark session; returns the names copied. The staging relations are
    views on Spark, over the landing zone: their rows as of now are copied as tables."""
    duckdb_path.parent.mkdir(parents=True, exist_ok=True)
    with spark_session() as session:
        tables = sorted(
            {*spark_tables(session, READ_AFTER_BUILD_SCHEMAS), *READ_AFTER_BUILD_RELATIONS}
        )
        return copy_tables(session, tables, duckdb_path)
