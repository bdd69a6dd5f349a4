"""What the tests of a daily run against a full rebuild share (test_incremental_credits.py,
test_incremental_creators.py).

A generated landing zone is built once per test module as of its last day; each test copies
that warehouse and landing zone (DuckDB files copy fine when closed), lands files, runs dbt the
way the orchestrator does (`dbt build` as of the new date, with `recompute_from` when the new
files hold rows dated before the default window), then builds the same landing zone from
scratch into a fresh file and compares the models, every row, EXCEPT ALL both ways.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from warehouse.config import PROJECT_DIR, dbt_env
from warehouse.landing_day import write_rows

DBT = str(PROJECT_DIR / ".venv" / "bin" / "dbt")


@dataclass(frozen=True)
class Zone:
    """A landing zone and the warehouse built from it, for one selection of models."""

    root: Path
    landing: Path
    warehouse: Path
    selection: str

    def dbt(
        self, command: str, warehouse: Path, as_of: date, recompute_from: date | None = None
    ) -> None:
        dbt_vars = {"as_of_date": as_of.isoformat()}
        if recompute_from is not None:
            dbt_vars["recompute_from"] = recompute_from.isoformat()
        result = subprocess.run(
            [
                DBT,
                command,
                "--quiet",
                "--select",
                self.selection,
                # The data tests of the selected models only, not those that also read others.
                "--indirect-selection",
                "cautious",
                "--exclude-resource-type",
                "unit_test",
                "--target-path",
                str(self.root / f"target-{warehouse.stem}"),
                "--vars",
                json.dumps(dbt_vars),
            ],
            cwd=PROJECT_DIR,
            env=dbt_env(self.landing, warehouse),
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]

    def daily_run(self, as_of: date, recompute_from: date | None = None) -> None:
        """The scheduled build on the stored warehouse: models and their data tests."""
        self.dbt("build", self.warehouse, as_of, recompute_from)

    def full_rebuild(self, as_of: date) -> Path:
        """The same landing zone and code built from scratch into a fresh file."""
        fresh = self.root / "fresh.duckdb"
        fresh.unlink(missing_ok=True)
        self.dbt("build", fresh, as_of)
        return fresh

    def copy(self, root: Path) -> Zone:
        """A copy of the landing zone and the warehouse, to change without touching this one."""
        shutil.copytree(self.landing, root / "landing")
        shutil.copy(self.warehouse, root / "warehouse.duckdb")
        return Zone(root, root / "landing", root / "warehouse.duckdb", self.selection)


def generated_zone(root: Path, selection: str, end: date, days: int) -> Zone:
    """A generated landing zone (300 accounts, 300 creators) and its full build as of `end`."""
    landing = root / "landing"
    subprocess.run(
        [
            str(PROJECT_DIR / ".venv" / "bin" / "python"),
            "-m",
            "warehouse.generate",
            "--accounts",
            "300",
            "--days",
            str(days),
            "--seed",
            "11",
            "--end-date",
            end.isoformat(),
            "--out",
            str(landing),
        ],
        cwd=PROJECT_DIR,
        check=True,
        capture_output=True,
    )
    zone = Zone(root, landing, root / "warehouse.duckdb", selection)
    zone.dbt("build", zone.warehouse, end)
    return zone


def differing_rows(stored: Path, rebuilt: Path, relations: tuple[str, ...]) -> dict[str, tuple]:
    """Per relation (schema.name) that differs: rows only in the stored warehouse, rows only in
    the rebuilt one."""
    connection = duckdb.connect()
    try:
        connection.execute(f"attach '{stored}' as stored (read_only)")
        connection.execute(f"attach '{rebuilt}' as rebuilt (read_only)")
        differing = {}
        for relation in relations:
            counts = tuple(
                connection.execute(
                    f"select count(*) from (select * from {first}.{relation} "
                    f"except all select * from {second}.{relation})"
                ).fetchone()[0]
                for first, second in (("stored", "rebuilt"), ("rebuilt", "stored"))
            )
            if counts != (0, 0):
                differing[relation] = counts
        return differing
    finally:
        connection.close()


def land_rows(landing: Path, source: str, file_name: str, query: str) -> Path:
    """Write a new file of a source from a query over its landed rows (`{rows}`), in the
    contract's column order."""
    rows = f"read_parquet('{landing}/{source}/*.parquet', union_by_name = true)"
    return write_rows(landing, source, f"{file_name}.parquet", query.format(rows=rows))


def models_in(*folders: str) -> tuple[str, ...]:
    """The relations (schema.model) of the models in these folders under models/."""
    return tuple(
        f"{folder.split('/')[0]}.{path.stem}"
        for folder in folders
        for path in sorted((PROJECT_DIR / "models" / folder).glob("*.sql"))
    )


def assert_daily_run_equals_full_rebuild(
    zone: Zone,
    built: Zone,
    as_of: date,
    windowed: tuple[str, ...],
    relations: tuple[str, ...],
    recompute_from: date | None = None,
) -> None:
    """The zone's daily run as of the date changed some rows of the windowed models (the
    change reached them), and then every relation equals a build from scratch."""
    zone.daily_run(as_of, recompute_from)
    changed = differing_rows(built.warehouse, zone.warehouse, windowed)
    assert changed, "the change reached none of the windowed models"
    assert differing_rows(zone.warehouse, zone.full_rebuild(as_of), relations) == {}
