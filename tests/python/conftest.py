"""What the test session builds once and shares.

- The fixture warehouse: `make test` and `make test-all` build it once with `dbt build`
  (models, data tests and unit tests) and pass its path in FIXTURE_WAREHOUSE; run on its own,
  pytest builds it here the same way. Its landing zone is beside it (`fixture_landing`).
- The daily run (slow tier): the Dagster job run once as of the fixture's as-of date on a copy
  of the fixture landing zone, which the orchestration tests read and clone
  (tests/python/dagster_runs.py).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pytest

from warehouse.config import PROJECT_DIR, dbt_env
from warehouse.fixtures import FIXTURE_AS_OF, build_fixture_landing
from warehouse.publish import publish_marts

if TYPE_CHECKING:
    from tests.python.dagster_runs import DailyRun


def build_fixture_warehouse(root: Path) -> Path:
    landing = build_fixture_landing(root / "landing")
    warehouse = root / "warehouse.duckdb"
    subprocess.run(
        [
            str(PROJECT_DIR / ".venv" / "bin" / "dbt"),
            "build",
            "--quiet",
            "--target-path",
            str(root / "target"),
            "--vars",
            f"{{as_of_date: '{FIXTURE_AS_OF.isoformat()}'}}",
        ],
        cwd=PROJECT_DIR,
        env=dbt_env(landing, warehouse),
        check=True,
    )
    return warehouse


@pytest.fixture(scope="session")
def fixture_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Path of the DuckDB file built from the fixture landing zone."""
    prebuilt = os.environ.get("FIXTURE_WAREHOUSE")
    if prebuilt and Path(prebuilt).exists():
        return Path(prebuilt)
    return build_fixture_warehouse(tmp_path_factory.mktemp("fixture"))


@pytest.fixture(scope="session")
def fixture_landing(fixture_warehouse: Path) -> Path:
    """The landing zone the fixture warehouse was built from (read it, never write to it)."""
    landing = fixture_warehouse.parent / "landing"
    assert (landing / "ad_spend").is_dir(), landing
    return landing


@pytest.fixture(scope="session")
def daily_run(tmp_path_factory: pytest.TempPathFactory) -> DailyRun:
    """The daily job as the schedule starts it, as of the fixture's as-of date, on a copy of
    the fixture landing zone in a place of its own, on an ephemeral instance. Read it; to
    change it, work on a `clone_place` of its place."""
    import dagster as dg

    from tests.python.dagster_runs import DailyRun, run_job, use_place

    root = tmp_path_factory.mktemp("daily_run")
    with pytest.MonkeyPatch.context() as monkeypatch:
        place = use_place(monkeypatch, root, build_fixture_landing(root / "landing"))
        instance = dg.DagsterInstance.ephemeral()
        result = run_job(FIXTURE_AS_OF, instance)
    return DailyRun(place, result, instance)


@pytest.fixture(scope="session")
def fixture_dbt_target(fixture_warehouse: Path) -> Path:
    """The dbt target folder of the fixture build (its compiled SQL)."""
    prebuilt = os.environ.get("FIXTURE_DBT_TARGET")
    if prebuilt and Path(prebuilt).exists():
        return Path(prebuilt)
    return fixture_warehouse.parent / "target"


@pytest.fixture(scope="session")
def warehouse(fixture_warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the fixture warehouse."""
    connection = duckdb.connect(str(fixture_warehouse), read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="session")
def published_fixture(fixture_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The BI copy of the fixture warehouse (every mart, table or view, and the rules),
    published once per session the way the pipeline publishes it; the dashboard tests read
    only this file."""
    connection = duckdb.connect(str(fixture_warehouse), read_only=True)
    try:
        marts = [
            name
            for (name,) in connection.execute(
                "select table_name from information_schema.tables "
                "where table_schema = 'marts' order by 1"
            ).fetchall()
        ]
    finally:
        connection.close()
    target = tmp_path_factory.mktemp("published") / "tiktok_one_bi.duckdb"
    publish_marts(fixture_warehouse, target, marts, FIXTURE_AS_OF, run_id="fixture")
    return target


def replace_view_with_its_rows(connection: duckdb.DuckDBPyConnection, relation: str) -> None:
    """In a copy of a warehouse, make `schema.name` a table of its rows if it is a view, so
    that a test can plant a fault in it (a view's rows come from elsewhere: another model,
    or the landing zone, which a test must not change)."""
    schema, name = relation.split(".")
    is_view = connection.execute(
        "select count(*) from duckdb_views() where schema_name = ? and view_name = ?",
        [schema, name],
    ).fetchone()
    if is_view and is_view[0]:
        connection.execute(f"create table {schema}.{name}__rows as select * from {relation}")
        connection.execute(f"drop view {relation}")
        connection.execute(f"alter table {schema}.{name}__rows rename to {name}")


@pytest.fixture(scope="session")
def as_table() -> Callable[[duckdb.DuckDBPyConnection, str], None]:
    """replace_view_with_its_rows, for tests that plant faults in a copied warehouse."""
    return replace_view_with_its_rows
