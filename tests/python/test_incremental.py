"""An incremental build gives the marts of a full rebuild, whatever the day brought.

One small generated landing zone (300 accounts x 150 days) in a copy of the project, driven
the way an operator drives it: `make run` (the Dagster job, which decides how much to
refresh). After each step the
marts are compared, row for row, with a full build of the same landing zone and code into a
fresh file. The steps share one warehouse, in order:

1. the first `make run` (a full build);
2. a realistic day: a new file in every source, a restatement 30 days back (inside the
   window) and one 90 days back (outside it), then `make run`: it widens the window; plain
   `dbt run` with the default window would not see the old restatement (shown on a copy).
   (An as-of date moved back and forward with plain `dbt run`: test_reliability.py.)
3. an edit of a model's SQL (the day the spend basis switches), then `make run`: dbt's state
   comparison full-refreshes it; then an edit of a macro, then `make run` again.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from warehouse.bench import marts_differ
from warehouse.config import PROJECT_DIR
from warehouse.landing_day import land_day, restate_spend

END = date(2026, 11, 20)
DAY = END + timedelta(days=1)
ROLLED_MODEL = "models/intermediate/tiering/int_account_spend_rolled_30d.sql"


class Project:
    """A copy of the project (its tracked files, sharing .venv) and the paths it runs on."""

    def __init__(self, root: Path) -> None:
        self.dir = root / "project"
        files = (
            subprocess.run(
                ["git", "ls-files", "-z"], cwd=PROJECT_DIR, capture_output=True, check=True
            )
            .stdout.decode()
            .split("\0")
        )
        for name in filter(None, files):
            target = self.dir / name
            target.parent.mkdir(parents=True, exist_ok=True)
            if (PROJECT_DIR / name).is_file():
                shutil.copy2(PROJECT_DIR / name, target)
        (self.dir / ".venv").symlink_to(PROJECT_DIR / ".venv")
        self.landing = root / "landing"
        self.warehouse = root / "warehouse.duckdb"
        self.root = root
        self.env = {
            **os.environ,
            "LANDING_DIR": str(self.landing),
            "WAREHOUSE_PATH": str(self.warehouse),
            "OUTBOX_DIR": str(root / "outbox"),
            "PUBLISHED_WAREHOUSE_PATH": str(root / "published" / "bi.duckdb"),
            "DBT_PROFILES_DIR": str(self.dir),
        }
        self.env.pop("DAGSTER_HOME", None)

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

    def full_build(self, as_of: date) -> Path:
        """Seeds and models built from scratch into a fresh file, as of the date."""
        fresh = self.root / "fresh.duckdb"
        fresh.unlink(missing_ok=True)
        self.dbt("build", fresh, as_of, "--resource-type", "seed", "--resource-type", "model")
        return fresh

    def last_refresh(self) -> str:
        state = self.warehouse.with_name(self.warehouse.name + ".state") / "build.json"
        return json.loads(state.read_text())["refresh"]

    def edit(self, relative: str, old: str, new: str) -> None:
        path = self.dir / relative
        text = path.read_text()
        assert old in text, f"{old!r} not in {relative}"
        path.write_text(text.replace(old, new))


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    place = Project(tmp_path_factory.mktemp("incremental"))
    subprocess.run(
        [
            str(PROJECT_DIR / ".venv" / "bin" / "python"),
            "-m",
            "warehouse.generate",
            "--accounts",
            "300",
            "--days",
            "150",
            "--seed",
            "11",
            "--end-date",
            END.isoformat(),
            "--out",
            str(place.landing),
        ],
        cwd=PROJECT_DIR,
        check=True,
        capture_output=True,
    )
    place.make_run(END)
    return place


def test_the_first_make_run_is_a_full_build(project: Project):
    assert project.last_refresh().startswith("full refresh")
    assert marts_differ(project.warehouse, project.full_build(END)) == []


@pytest.fixture(scope="module")
def realistic_day(project: Project) -> Path:
    """A new file in every source and two restatements, before `make run` as of DAY."""
    before = project.root / "before-day.duckdb"
    shutil.copy(project.warehouse, before)
    land_day(project.landing, DAY)
    restate_spend(project.landing, END - timedelta(days=30), DAY)
    restate_spend(project.landing, END - timedelta(days=90), DAY)
    project.make_run(DAY)
    return before


def test_a_realistic_day_gives_the_marts_of_a_full_rebuild(project: Project, realistic_day):
    assert project.last_refresh() == (
        f"incremental from {END - timedelta(days=90)}: new ad_spend rows from "
        f"{END - timedelta(days=90)}, before the window"
    )
    assert marts_differ(project.warehouse, project.full_build(DAY)) == []


def test_the_default_window_alone_would_miss_the_old_restatement(
    project: Project, realistic_day: Path
):
    """Why the orchestrator widens the window: plain `dbt run` keeps the stale days."""
    project.dbt("run", realistic_day, DAY)
    full = project.full_build(DAY)
    old_day = END - timedelta(days=90)

    def spend_on(path: Path) -> Decimal:
        with duckdb.connect(str(path), read_only=True) as connection:
            return connection.execute(
                "select sum(any_spend_usd) from intermediate.int_account_spend_daily "
                "where date_day = ?",
                [old_day],
            ).fetchone()[0]

    assert spend_on(realistic_day) < spend_on(full)  # restated at 110 %, not seen
    assert marts_differ(realistic_day, full) != []


def test_an_edit_of_a_models_sql_is_refreshed_by_make_run(project: Project, realistic_day):
    # A rule change: spend on any creative counts one day longer after joining.
    project.edit(
        ROLLED_MODEL,
        "{{ add_days('joined_on', basis_days) }}",
        "{{ add_days('joined_on', basis_days + 1) }}",
    )
    project.make_run(DAY)
    assert project.last_refresh().startswith("full refresh: code changed upstream of")
    assert "int_account_spend_rolled_30d" in project.last_refresh()
    assert marts_differ(project.warehouse, project.full_build(DAY)) == []


def test_an_edit_of_a_macro_is_refreshed_by_make_run(project: Project, realistic_day):
    # The tier bands: every minimum halved (the spend compared is doubled).
    project.edit(
        "macros/engine.sql",
        "{{ relation }}.{{ value_column }}",
        "(2 * {{ relation }}.{{ value_column }})",
    )
    project.make_run(DAY)
    assert "int_account_spend_rolled_30d" not in project.last_refresh()
    assert "int_account_tiers_assigned" in project.last_refresh()
    assert marts_differ(project.warehouse, project.full_build(DAY)) == []
