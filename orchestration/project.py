"""The dbt project as Dagster sees it, and the manifest @dbt_assets reads at import.

The manifest is a build product: `make run`, `make test` and `make dagster-dev` run `dbt parse`
first. Nothing expects it to be checked in: when it is missing (a fresh clone, pytest on its
own), importing this module runs `dbt parse` once; under `dagster dev` it is re-parsed on every
load so that model edits show up.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject
from dagster_dbt.dbt_project import using_dagster_dev

from warehouse.config import PROJECT_DIR, warehouse_path
from warehouse.refresh import state_dir
from warehouse.spark import engine, spark_warehouse_dir


def dbt_executable() -> str:
    """The dbt beside this Python (the project's .venv), so no activated PATH is needed."""
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else "dbt"


# DBT_TARGET_PATH is dbt's own setting for its artifacts folder; the default is target/. The
# state path holds the manifest of the last run beside the per-model record of what each model
# consumed (warehouse/refresh.py), for `dbt ... --state` by hand (DbtCliResource's state args).
warehouse_dbt_project = DbtProject(
    project_dir=PROJECT_DIR,
    profiles_dir=PROJECT_DIR,
    target_path=os.environ.get("DBT_TARGET_PATH", "target"),
    state_path=state_dir(spark_warehouse_dir() if engine() == "spark" else warehouse_path()),
)


def prepare_manifest(project: DbtProject) -> Path:
    """Run `dbt parse` when the manifest is missing, or always under `dagster dev`."""
    if using_dagster_dev() or not project.manifest_path.exists():
        DbtCliResource(project_dir=project, dbt_executable=dbt_executable()).cli(
            ["parse", "--quiet"], target_path=project.target_path
        ).wait()
    return project.manifest_path


prepare_manifest(warehouse_dbt_project)
