"""A copy of the project whose seeds a test edits, run as an operator runs it (not a test module).

The copy holds the repository's files (tracked, and new ones not ignored) and shares .venv;
`make run` in it uses its own target/, .dagster_home/ and logs/, and every other setting points
at a temporary place, so that a test can edit `seeds/tier_thresholds.csv` without touching the
project it runs from.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import dagster as dg

from warehouse.config import PROJECT_DIR

# Settings the copy sets itself; inherited values (say from `make test`) are dropped.
SETTINGS = (
    "LANDING_DIR",
    "SAMPLE_LANDING_DIR",
    "WAREHOUSE_PATH",
    "PUBLISHED_WAREHOUSE_PATH",
    "OUTBOX_DIR",
    "AS_OF_DATE",
    "DAGSTER_HOME",
    "RUN_LOG_DIR",
    "DBT_TARGET_PATH",
    "DBT_PROFILES_DIR",
    "WAREHOUSE_ENGINE",
    "FULL_REFRESH",
    "MAKEFLAGS",
    "MFLAGS",
    "MAKELEVEL",
)
SEED_FILE = "seeds/tier_thresholds.csv"


class CopiedProject:
    """A copy of the project and the paths it runs on."""

    def __init__(self, root: Path, landing: Path) -> None:
        self.dir = root / "project"
        files = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=PROJECT_DIR,
            capture_output=True,
            check=True,
        ).stdout.decode()
        for name in filter(None, files.split("\0")):
            if (PROJECT_DIR / name).is_file():
                target = self.dir / name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(PROJECT_DIR / name, target)
        (self.dir / ".venv").symlink_to(PROJECT_DIR / ".venv")
        self.root = root
        self.landing = landing
        self.warehouse = root / "warehouse.duckdb"
        self.published = root / "published" / "bi.duckdb"
        self.dagster_home = self.dir / ".dagster_home"  # the Makefile's default
        self.env = {name: value for name, value in os.environ.items() if name not in SETTINGS}
        self.env.update(
            LANDING_DIR=str(landing),
            WAREHOUSE_PATH=str(self.warehouse),
            OUTBOX_DIR=str(root / "outbox"),
            PUBLISHED_WAREHOUSE_PATH=str(self.published),
            DBT_PROFILES_DIR=str(self.dir),
        )

    @property
    def seed(self) -> Path:
        return self.dir / SEED_FILE

    def add_rules(self, *rows: str) -> None:
        """Rows added to the seed (tier,tier_rank,minimum,cap,effective_from), as a program
        manager schedules a change (docs/rule-changes.md)."""
        self.seed.write_text(self.seed.read_text().rstrip("\n") + "\n" + "\n".join(rows) + "\n")

    def make_run(self, as_of: date) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            ["make", "run"],
            cwd=self.dir,
            env={**self.env, "AS_OF_DATE": as_of.isoformat()},
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        return result

    def full_build(self, as_of: date, name: str = "fresh") -> Path:
        """Seeds and models built from scratch into a fresh file with plain dbt, as of the date."""
        fresh = self.root / f"{name}.duckdb"
        fresh.unlink(missing_ok=True)
        result = subprocess.run(
            [
                str(self.dir / ".venv" / "bin" / "dbt"),
                "build",
                "--quiet",
                "--resource-type",
                "seed",
                "--resource-type",
                "model",
                "--target-path",
                str(self.root / f"target-{name}"),
                "--vars",
                json.dumps({"as_of_date": as_of.isoformat()}),
            ],
            cwd=self.dir,
            env={**self.env, "WAREHOUSE_PATH": str(fresh)},
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        return fresh

    def last_run_tags(self) -> dict[str, str]:
        with dg.DagsterInstance.from_config(str(self.dagster_home)) as instance:
            [run] = instance.get_runs(limit=1)
            return dict(run.tags)

    def last_refresh(self) -> str:
        """What the last run's build step decided to recompute and why, as it logged it."""
        with dg.DagsterInstance.from_config(str(self.dagster_home)) as instance:
            [run] = instance.get_runs(limit=1)
            logged = [
                entry.user_message
                for entry in instance.all_logs(run.run_id)
                if entry.user_message.startswith("dbt build on ")
            ]
        assert len(logged) == 1, logged
        return logged[0].split(": ", 1)[1]

    def snapshot(self, name: str) -> Path:
        """A copy of the warehouse as it is now."""
        copied = self.root / f"{name}.duckdb"
        shutil.copy(self.warehouse, copied)
        return copied
