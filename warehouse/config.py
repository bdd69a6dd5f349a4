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


def landing_dir() -> Path:
    """The landing zone: one folder of Parquet files per source (LANDING_DIR)."""
    return _path_from_env("LANDING_DIR", "data/landing")


def warehouse_path() -> Path:
    """The DuckDB file dbt builds into (WAREHOUSE_PATH)."""
    return _path_from_env("WAREHOUSE_PATH", "data/warehouse.duckdb")


def outbox_dir() -> Path:
    """Where the notifications outbox writes its dated Parquet files (OUTBOX_DIR)."""
    return _path_from_env("OUTBOX_DIR", "data/outbox")


def published_warehouse_path() -> Path:
    """The read-only copy of the marts that BI opens (PUBLISHED_WAREHOUSE_PATH)."""
    return _path_from_env("PUBLISHED_WAREHOUSE_PATH", "data/published/tiktok_one_bi.duckdb")


def dbt_env(landing: Path | None = None, warehouse: Path | None = None) -> dict[str, str]:
    """The environment for a dbt process: this project's profile and the two paths."""
    env = dict(os.environ)
    env["DBT_PROFILES_DIR"] = str(PROJECT_DIR)
    env["LANDING_DIR"] = str(landing or landing_dir())
    env["WAREHOUSE_PATH"] = str(warehouse or warehouse_path())
    return env
