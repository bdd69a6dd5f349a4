"""The same models on Spark (README, Engines): one build of the fixture landing zone on a local
Spark session, compared with the DuckDB fixture build row for row, and a lint of the SQL each
engine was given.

One dbt invocation on Spark (seeds and models; the data and unit tests run on DuckDB, whose
marts these must equal), then one Spark session to copy the marts and the audit tables into a
DuckDB file and list Spark's functions.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import duckdb
import pytest
import sqlglot
from sqlglot.dialects.dialect import Dialect
from sqlglot.tokens import TokenType

from warehouse.config import PROJECT_DIR, dbt_env
from warehouse.fixtures import FIXTURE_AS_OF
from warehouse.spark import copy_tables, spark_session, spark_tables

pytestmark = pytest.mark.slow

COMPARED_SCHEMAS = ("marts", "audit")


@pytest.fixture(scope="module")
def spark_build(fixture_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The fixture landing zone DuckDB built (beside its warehouse: the audit tables name its
    files) built on Spark, its marts and audit tables copied to DuckDB."""
    root = tmp_path_factory.mktemp("spark")
    landing = fixture_warehouse.parent / "landing"
    assert (landing / "ad_spend").is_dir(), landing
    spark_warehouse = root / "spark-warehouse"
    env = dbt_env(landing, root / "unused.duckdb")
    env |= {"WAREHOUSE_ENGINE": "spark", "SPARK_WAREHOUSE_DIR": str(spark_warehouse)}
    result = subprocess.run(
        [
            str(PROJECT_DIR / ".venv" / "bin" / "dbt"),
            "build",
            "--resource-type",
            "seed",
            "--resource-type",
            "model",
            "--target-path",
            str(root / "target"),
            "--vars",
            f"{{as_of_date: '{FIXTURE_AS_OF.isoformat()}'}}",
        ],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-5000:]
    copy = root / "spark_marts.duckdb"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SPARK_WAREHOUSE_DIR", str(spark_warehouse))
        with spark_session() as session:
            tables = spark_tables(session, COMPARED_SCHEMAS)
            copy_tables(session, tables, copy)
            functions = {
                row["function"].split(".")[-1].lower()
                for row in session.sql("show functions").collect()
            }
    return {"copy": copy, "tables": tables, "functions": functions, "target": root / "target"}


def duckdb_tables(connection: duckdb.DuckDBPyConnection) -> list[str]:
    rows = connection.execute(
        "select table_schema || '.' || table_name from information_schema.tables"
        f" where table_schema in {COMPARED_SCHEMAS} order by 1"
    ).fetchall()
    return [row[0] for row in rows]


def test_spark_builds_every_mart_and_audit_table_duckdb_builds(spark_build, warehouse):
    assert spark_build["tables"] == duckdb_tables(warehouse)
    assert any(name.startswith("marts.") for name in spark_build["tables"])


def test_every_mart_equals_duckdbs_row_for_row_with_the_same_types(spark_build, fixture_warehouse):
    connection = duckdb.connect()
    connection.execute(f"attach '{fixture_warehouse}' as on_duckdb (read_only)")
    connection.execute(f"attach '{spark_build['copy']}' as on_spark (read_only)")
    differences = []
    for name in spark_build["tables"]:
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
            differences.append(f"{name}: columns {columns['on_duckdb']} vs {columns['on_spark']}")
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
            differences.append(
                f"{name}: {counts[0]} rows on DuckDB, {counts[1]} on Spark,"
                f" {counts[2]} only on DuckDB, {counts[3]} only on Spark"
            )
    assert not differences, "\n".join(differences)
    # The comparison saw rows: an empty fixture would compare nothing.
    assert (
        connection.execute("select count(*) from on_spark.marts.fct_account_tier_daily").fetchone()[
            0
        ]
        > 0
    )


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


def test_every_model_compiles_for_both_engines_to_sql_each_engines_parser_reads(
    spark_build, fixture_dbt_target, warehouse
):
    on_duckdb = compiled_models(fixture_dbt_target)
    on_spark = compiled_models(spark_build["target"])
    assert len(on_duckdb) > 60 and on_duckdb.keys() == on_spark.keys()
    duckdb_functions = {
        row[0].lower()
        for row in warehouse.execute("select function_name from duckdb_functions()").fetchall()
    }
    problems = {}
    for engine, models, dialect, known in (
        ("DuckDB", on_duckdb, "duckdb", duckdb_functions),
        ("Spark", on_spark, "spark", spark_build["functions"]),
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


def test_the_lint_names_a_duckdb_only_function_in_sql_for_spark(spark_build):
    duckdb_only = "select isinf(x), generate_series(1, 3), datediff(a, b) from t"
    assert unknown_functions(duckdb_only, "spark", spark_build["functions"]) == {
        "isinf",
        "generate_series",
    }
    assert (
        unknown_functions(
            "select xxhash64(a), format_number(b, 2) from t", "spark", spark_build["functions"]
        )
        == set()
    )


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
