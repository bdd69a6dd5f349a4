"""Resources: dbt, the warehouse's places on disk and the checks' bands, all read from the
project's settings (the bands: orchestration/settings.py).

The DuckDB file comes from one setting, WAREHOUSE_PATH (warehouse/config.py), which dbt's
profile reads too; the resources are built from the environment when the definitions load, so
that dbt and every asset agree on one file.
"""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource

from orchestration.project import dbt_executable, warehouse_dbt_project
from orchestration.settings import band_settings
from warehouse import config

# Every step that opens the DuckDB file claims the one slot of this pool (orchestration/
# dagster.yaml): DuckDB takes one writer, or readers, per file, across processes.
WAREHOUSE_POOL = "warehouse"


class WarehouseResource(dg.ConfigurableResource):
    """The landing zone, the DuckDB warehouse, the notifications outbox and the BI copy."""

    landing_dir: str
    warehouse_path: str
    outbox_dir: str
    published_path: str

    @contextmanager
    def connect(self, read_only: bool = True) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection to the warehouse, closed on exit (DuckDB: one writer or many readers)."""
        connection = duckdb.connect(
            self.warehouse_path,
            read_only=read_only,
            config={
                "threads": os.environ.get("DUCKDB_THREADS", "2"),
                "memory_limit": os.environ.get("DUCKDB_MEMORY_LIMIT", "6GB"),
            },
        )
        try:
            yield connection
        finally:
            connection.close()

    def prepare_folders(self) -> None:
        Path(self.warehouse_path).parent.mkdir(parents=True, exist_ok=True)

    def assert_dbt_agrees(self) -> None:
        """dbt's profile reads WAREHOUSE_PATH and LANDING_DIR from the environment: the
        resource must name the same places, or dbt would build one file and Dagster check
        and publish another. When they are not set (the generated sample, the default
        warehouse), they are set here to the resource's, for the dbt processes to read."""
        os.environ.setdefault("LANDING_DIR", self.landing_dir)
        os.environ.setdefault("WAREHOUSE_PATH", self.warehouse_path)
        for name, mine, dbts in (
            ("WAREHOUSE_PATH", self.warehouse_path, config.warehouse_path()),
            ("LANDING_DIR", self.landing_dir, config.landing_dir()),
        ):
            if Path(mine).resolve() != dbts.resolve():
                raise dg.Failure(
                    f"The warehouse resource uses {name}={mine} but dbt would use {dbts}: "
                    "configure them through the environment, not the resource."
                )


def warehouse_resource() -> WarehouseResource:
    return WarehouseResource(
        landing_dir=str(config.landing_dir()),
        warehouse_path=str(config.warehouse_path()),
        outbox_dir=str(config.outbox_dir()),
        published_path=str(config.published_warehouse_path()),
    )


def build_resources() -> dict[str, Any]:
    """Every resource the assets and checks use, from the current environment."""
    return {
        "dbt": DbtCliResource(project_dir=warehouse_dbt_project, dbt_executable=dbt_executable()),
        "warehouse": warehouse_resource(),
        "check_bands": band_settings(),
    }
