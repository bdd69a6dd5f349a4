"""A copy of the project to edit and run as a user would (not a test module).

The copy holds the repository's files (tracked, and new ones not ignored) and shares .venv;
`make run` in it uses its own target/, .dagster_home/ and logs/, and every other setting points
at a temporary place, so that a test can edit a model, a macro or a seed (a rule change:
`add_rules`) without touching the project it runs from.
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

# Settings a copy sets itself; inherited values (say from `make test`) are dropped.
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


def clean_env(**settings: str | Path) -> dict[str, str]:
    """The environment without the project's settings, plus these."""
    env = {name: value for name, value in os.environ.items() if name not in SETTINGS}
    env.update({name: str(value) for name, value in settings.items()})
    return env


class Project:
    """A copy of the project (its tracked files, sharing .venv) and the paths it runs on."""

    def __init__(self, root: Path, landing: Path) -> None:
        self.dir = root / "project"
        files = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=PROJECT_DIR,
            capture_output=True,
            check=True,
        ).stdout.decode()
        for name in filter(None, files.split("\0")):
            target = self.dir / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if (PROJECT_DIR / name).is_file():
                shutil.copy2(PROJECT_DIR / name, target)
        (self.dir / ".venv").symlink_to(PROJECT_DIR / ".venv")
        self.root = root
        self.landing = landing
        self.warehouse = root / "warehouse.duckdb"
        self.published = root / "published" / "bi.duckdb"
        self.dagster_home = self.dir / ".dagster_home"  # the Makefile's default
        self.env = clean_env(
            LANDING_DIR=self.landing,
            WAREHOUSE_PATH=self.warehouse,
            OUTBOX_DIR=root / "outbox",
            PUBLISHED_WAREHOUSE_PATH=self.published,
            DBT_PROFILES_DIR=self.dir,
        )

    def make_run(self, as_of: date, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            ["make", "run"],
            cwd=self.dir,
            env={**self.env, "AS_OF_DATE": as_of.isoformat()},
            capture_output=True,
            text=True,
        )
        if check:
            assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        return result

    def dagster(self, *args: str) -> subprocess.CompletedProcess[str]:
        """The Dagster CLI in the copy, on the instance `make run` uses."""
        return subprocess.run(
            [str(self.dir / ".venv" / "bin" / "dagster"), *args],
            cwd=self.dir,
            env={**self.env, "DAGSTER_HOME": str(self.dagster_home)},
            capture_output=True,
            text=True,
        )

    def dbt(self, command: str, warehouse: Path, as_of: date, *args: str) -> None:
        result = subprocess.run(
            [
                str(self.dir / ".venv" / "bin" / "dbt"),
                command,
                "--quiet",
                "--target-path",
                str(self.root / f"target-{warehouse.stem}"),
                "--vars",
                json.dumps({"as_of_date": as_of.isoformat()}),
                *args,
            ],
            cwd=self.dir,
            env={**self.env, "WAREHOUSE_PATH": str(warehouse)},
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]

    def full_build(self, as_of: date, name: str = "fresh") -> Path:
        """Seeds and models built from scratch into a fresh file with plain dbt, as of the date."""
        fresh = self.root / f"{name}.duckdb"
        fresh.unlink(missing_ok=True)
        self.dbt("build", fresh, as_of, "--resource-type", "seed", "--resource-type", "model")
        return fresh

    def last_run_tags(self) -> dict[str, str]:
        with dg.DagsterInstance.from_config(str(self.dagster_home)) as instance:
            [run] = instance.get_runs(limit=1)
            return dict(run.tags)

    def last_refresh(self) -> str:
        """What the last run's build step decided to refresh, as it logged it."""
        with dg.DagsterInstance.from_config(str(self.dagster_home)) as instance:
            [run] = instance.get_runs(limit=1)
            logged = [
                entry.user_message
                for entry in instance.all_logs(run.run_id)
                if entry.user_message.startswith("dbt build on ")
            ]
        assert len(logged) == 1, logged
        return logged[0].split(": ", 1)[1]

    def edit(self, relative: str, old: str, new: str) -> None:
        path = self.dir / relative
        text = path.read_text()
        assert old in text, f"{old!r} not in {relative}"
        path.write_text(text.replace(old, new))

    def add_rules(self, *rows: str) -> None:
        """Rows added to seeds/tier_thresholds.csv (tier,tier_rank,minimum,cap,effective_from),
        as a program manager schedules a change (docs/rule-changes.md)."""
        seed = self.dir / "seeds" / "tier_thresholds.csv"
        seed.write_text(seed.read_text().rstrip("\n") + "\n" + "\n".join(rows) + "\n")

    def snapshot(self, name: str) -> Path:
        """A copy of the warehouse as it is now."""
        copied = self.root / f"{name}.duckdb"
        shutil.copy(self.warehouse, copied)
        return copied
