"""How much a build refreshes, decided in the open before it runs (README, Performance).

Every model is a function of the landing zone, the seeds, the code and the as-of date. Most
are tables rebuilt on every build; the three large day-grained tier models are incremental:
they recompute the days from the window's first day on (the dbt var `recompute_from`, by
default the as-of date less `recompute_days` - 1) and keep the days before. So a build has
to know when days before the window may have changed, and only two things change them:

- code: dbt's own state comparison (`state:modified+`, macros and seeds included) against
  the manifest saved at the last successful build. A change reaching an incremental model
  full-refreshes the build (`--full-refresh`: the incremental models are rebuilt whole; every
  other model is rebuilt anyway).
- data: the landing files added since the last successful build, by name, size and
  modification time. New ad_spend, fx_rates or accounts rows dated before the window (late
  data, an old restatement, an account that appears with its history) widen the window to
  their first day. A file removed or rewritten in place cannot be dated: full refresh.

Nothing here is read by a model. The plan's reasons go to the run's log and tags, and the
state (the manifest, the landing files, the as-of date) is written after a successful build
to `<warehouse>.state/` beside the DuckDB file it describes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import duckdb
import yaml

from warehouse.config import PROJECT_DIR

# The landing sources whose rows reach the incremental models, each with the query that dates
# the earliest day its new files ($new) can change there. An account in a new file may appear,
# or conflict with its older copy ($all) and leave: its spend counts from its creation, its
# tier days from its join day, old or new.
NEW_ROWS = "read_parquet($new, union_by_name = true)"
EARLIEST_AFFECTED_DAY = {
    "ad_spend": f"select min(cast(spend_date as date)) from {NEW_ROWS}",
    "fx_rates": f"select min(cast(rate_date as date)) from {NEW_ROWS}",
    "accounts": f"""
        select min(least(cast(ads_manager_created_on as date), cast(tiktok_one_joined_on as date)))
        from read_parquet($all, union_by_name = true)
        where account_id in (select account_id from {NEW_ROWS})
    """,
}

Snapshot = dict[str, dict[str, list[int]]]


@dataclass(frozen=True)
class RefreshPlan:
    """What one build refreshes: everything (full_refresh) or the days from recompute_from."""

    full_refresh: bool
    recompute_from: date | None = None
    reasons: tuple[str, ...] = field(default_factory=tuple)

    def dbt_vars(self) -> dict[str, str]:
        return {"recompute_from": self.recompute_from.isoformat()} if self.recompute_from else {}

    def summary(self) -> str:
        if self.full_refresh:
            how = "full refresh"
        elif self.recompute_from:
            how = f"incremental from {self.recompute_from}"
        else:
            how = "incremental (default window)"
        return how + (": " + "; ".join(self.reasons) if self.reasons else "")


def state_dir(warehouse: Path) -> Path:
    """Where the state of the last successful build of this warehouse file is kept."""
    return warehouse.with_name(warehouse.name + ".state")


def recompute_days() -> int:
    """The default window length, from dbt_project.yml (one place for dbt and this module)."""
    project = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())
    return int(project["vars"]["recompute_days"])


def landing_snapshot(landing: Path) -> Snapshot:
    """Every landing file by source: name to [size, modification time in ns]."""
    snapshot: Snapshot = {}
    for folder in sorted(path for path in landing.iterdir() if path.is_dir()):
        snapshot[folder.name] = {
            file.name: [file.stat().st_size, file.stat().st_mtime_ns]
            for file in sorted(folder.iterdir())
            if file.is_file()
        }
    return snapshot


def _earliest_affected_day(landing: Path, source: str, new_files: list[str]) -> date | None:
    """The earliest day the new files of a source can change in the incremental models."""
    query = EARLIEST_AFFECTED_DAY[source]
    parameters: dict[str, object] = {"new": [str(landing / source / name) for name in new_files]}
    if "$all" in query:
        parameters["all"] = str(landing / source / "*.parquet")
    connection = duckdb.connect()
    try:
        row = connection.execute(query, parameters).fetchone()
    finally:
        connection.close()
    return row[0] if row else None


def modified_incremental_models(state: Path) -> list[str] | None:
    """Incremental models that `state:modified+` selects against the saved manifest; None
    when dbt cannot compare (no usable saved manifest). dbt runs in this process's
    environment, as the build does: the landing path is part of the sources' definition, so
    pointing the warehouse at another landing zone counts as a change."""
    dbt = str(Path(os.environ.get("VIRTUAL_ENV", PROJECT_DIR / ".venv")) / "bin" / "dbt")
    if not Path(dbt).exists():
        dbt = "dbt"
    result = subprocess.run(
        [
            dbt,
            "ls",
            "--quiet",
            "--resource-type",
            "model",
            "--output",
            "json",
            "--output-keys",
            "name config",
            "--select",
            "state:modified+",
            "--state",
            str(state),
            "--target-path",
            str(state / "compare"),
        ],
        cwd=PROJECT_DIR,
        env={**os.environ, "DBT_PROFILES_DIR": str(PROJECT_DIR)},
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        return None
    names = []
    for line in result.stdout.splitlines():
        if line.startswith("{"):
            node = json.loads(line)
            if node.get("config", {}).get("materialized") == "incremental":
                names.append(node["name"])
    return sorted(names)


def plan_refresh(
    landing: Path,
    warehouse: Path,
    as_of: date,
    full_refresh_requested: bool = False,
) -> RefreshPlan:
    """Decide how much the build as of `as_of` refreshes, with the reasons."""
    if full_refresh_requested:
        return RefreshPlan(True, reasons=("full refresh requested",))
    state = state_dir(warehouse)
    if not warehouse.exists():
        return RefreshPlan(True, reasons=(f"no warehouse at {warehouse} yet",))
    if not (state / "manifest.json").exists() or not (state / "build.json").exists():
        return RefreshPlan(True, reasons=("no record of a successful build of this warehouse",))
    modified = modified_incremental_models(state)
    if modified is None:
        return RefreshPlan(True, reasons=("dbt could not compare with the last build's code",))
    if modified:
        return RefreshPlan(True, reasons=("code changed upstream of " + ", ".join(modified),))

    previous: Snapshot = json.loads((state / "build.json").read_text())["landing"]
    current = landing_snapshot(landing)
    window_start = as_of - timedelta(days=recompute_days() - 1)
    recompute_from: date | None = None
    reasons: list[str] = []
    for source in EARLIEST_AFFECTED_DAY:
        before, now = previous.get(source, {}), current.get(source, {})
        changed = sorted(name for name in before if name not in now or now[name] != before[name])
        if changed:
            return RefreshPlan(
                True, reasons=(f"{source} files removed or rewritten: {', '.join(changed)}",)
            )
        new_files = sorted(name for name in now if name not in before)
        if not new_files:
            continue
        try:
            earliest = _earliest_affected_day(landing, source, new_files)
        except duckdb.Error:
            return RefreshPlan(True, reasons=(f"new {source} files could not be dated",))
        if earliest is not None and earliest < window_start:
            if recompute_from is None or earliest < recompute_from:
                recompute_from = earliest
            reasons.append(f"new {source} rows from {earliest}, before the window")
    return RefreshPlan(False, recompute_from, tuple(reasons))


def save_state(
    snapshot: Snapshot, warehouse: Path, manifest: Path, as_of: date, plan: RefreshPlan
) -> Path:
    """After a successful build: the manifest it ran and the landing files it was planned on
    (taken before it ran, so that a file landing during the build is new to the next one)."""
    state = state_dir(warehouse)
    state.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(manifest, state / "manifest.json")
    build = {"as_of_date": as_of.isoformat(), "refresh": plan.summary(), "landing": snapshot}
    (state / "build.json").write_text(json.dumps(build, indent=1) + "\n")
    return state
