"""Where things are: one setting each, read from the environment, with working defaults.

The same variables configure dbt (profiles.yml and the sources read them) and Dagster, so the
whole project agrees on one landing directory and one DuckDB file.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent


def _path_from_env(name: str, default: str) -> Path:
    value = Path(os.environ.get(name, default))
    return value if value.is_absolute() else PROJECT_DIR / value


def landing_configured() -> bool:
    """Whether a landing zone was configured (LANDING_DIR set): then it is real data, which
    nothing in this project writes or deletes; otherwise the sample landing zone is used."""
    return bool(os.environ.get("LANDING_DIR", "").strip())


def sample_landing_dir() -> Path:
    """Where `make run` generates its sample when no landing zone is configured
    (SAMPLE_LANDING_DIR); the generator marks it as its own."""
    return _path_from_env("SAMPLE_LANDING_DIR", "data/sample_landing")


def landing_dir() -> Path:
    """The landing zone: one folder of Parquet files per source (LANDING_DIR), else the
    generated sample."""
    if landing_configured():
        return _path_from_env("LANDING_DIR", "")
    return sample_landing_dir()


def warehouse_path() -> Path:
    """The DuckDB file dbt builds into (WAREHOUSE_PATH)."""
    return _path_from_env("WAREHOUSE_PATH", "data/warehouse.duckdb")


def outbox_dir() -> Path:
    """Where the notifications outbox writes its dated Parquet files (OUTBOX_DIR)."""
    return _path_from_env("OUTBOX_DIR", "data/outbox")


def published_warehouse_path() -> Path:
    """The read-only copy of the marts that BI opens (PUBLISHED_WAREHOUSE_PATH); by default
    `published/<warehouse name>_bi.duckdb` beside the warehouse, so that two warehouses never
    share one BI copy (data/published/warehouse_bi.duckdb for the default warehouse)."""
    if os.environ.get("PUBLISHED_WAREHOUSE_PATH", "").strip():
        return _path_from_env("PUBLISHED_WAREHOUSE_PATH", "")
    warehouse = warehouse_path()
    return warehouse.parent / "published" / f"{warehouse.stem}_bi.duckdb"


def dagster_home() -> Path:
    """The Dagster instance (run history, schedules, run queue) of `make run` and `make
    dagster-dev` (DAGSTER_HOME)."""
    return _path_from_env("DAGSTER_HOME", ".dagster_home")


def run_log_dir() -> Path:
    """Where `make run` keeps one log file per run (RUN_LOG_DIR)."""
    return _path_from_env("RUN_LOG_DIR", "logs/runs")


def dbt_env(landing: Path | None = None, warehouse: Path | None = None) -> dict[str, str]:
    """The environment for a dbt process: this project's profile and the two paths."""
    env = dict(os.environ)
    env["DBT_PROFILES_DIR"] = str(PROJECT_DIR)
    env["LANDING_DIR"] = str(landing or landing_dir())
    env["WAREHOUSE_PATH"] = str(warehouse or warehouse_path())
    return env
