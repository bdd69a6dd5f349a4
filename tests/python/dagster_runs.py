"""Helpers for tests that run the Dagster job on a temporary place (not a test module)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import dagster as dg
import pytest

from orchestration.definitions import defs
from orchestration.resources import build_resources
from orchestration.schedules import daily_run_config
from warehouse.config import PROJECT_DIR, dbt_env

QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


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


def run_job(
    as_of: date, instance: dg.DagsterInstance | None = None, **config: Any
) -> dg.ExecuteInProcessResult:
    """The daily job as the schedule starts it: as of a day, exporting that day's outbox."""
    run_config = daily_run_config(as_of.isoformat())
    run_config["ops"]["warehouse_dbt_build"]["config"].update(config)
    return defs.resolve_job_def("warehouse_build").execute_in_process(
        partition_key=as_of.isoformat(),
        instance=instance or dg.DagsterInstance.ephemeral(),
        resources=build_resources(),
        raise_on_error=False,
        run_config={**run_config, **QUIET},
    )


def materialize(
    selection: dg.AssetSelection,
    instance: dg.DagsterInstance | None = None,
    partition_key: str | None = None,
) -> dg.ExecuteInProcessResult:
    """A partial run, as an operator starts it from the UI: the chosen assets and their checks."""
    return dg.materialize(
        [*(defs.assets or []), *(defs.asset_checks or [])],
        selection=selection,
        partition_key=partition_key,
        instance=instance or dg.DagsterInstance.ephemeral(),
        resources=build_resources(),
        raise_on_error=False,
        run_config=QUIET,
    )


def step_failures(result: dg.ExecuteInProcessResult) -> list[str]:
    return [
        (event.step_failure_data.user_failure_data.description or "")
        if event.step_failure_data.user_failure_data
        else str(event.step_failure_data.error.message if event.step_failure_data.error else "")
        for event in result.get_step_failure_events()
    ]


def materialized(result: dg.ExecuteInProcessResult) -> set[dg.AssetKey]:
    return {
        event.asset_key
        for event in result.get_asset_materialization_events()
        if event.asset_key is not None
    }


def full_rebuild(landing: Path, root: Path, as_of: date) -> Path:
    """The same landing zone and code built whole into a fresh file, with plain dbt."""
    warehouse = root / "rebuilt.duckdb"
    warehouse.unlink(missing_ok=True)
    subprocess.run(
        [
            str(PROJECT_DIR / ".venv" / "bin" / "dbt"),
            "build",
            "--quiet",
            "--resource-type",
            "seed",
            "--resource-type",
            "model",
            "--target-path",
            str(root / "dbt-rebuilt"),
            "--vars",
            f"{{as_of_date: '{as_of.isoformat()}'}}",
        ],
        cwd=PROJECT_DIR,
        env={**dbt_env(landing, warehouse), "DBT_TARGET_PATH": str(root / "dbt-rebuilt")},
        check=True,
    )
    return warehouse


def landing_files(landing: Path) -> dict[str, tuple[int, int]]:
    """Every file of a landing zone with its size and modification time."""
    return {
        str(path.relative_to(landing)): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in sorted(landing.rglob("*"))
        if path.is_file()
    }
