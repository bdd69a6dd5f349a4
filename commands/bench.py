"""`make bench`: time the warehouse at scale against the single-pass floor.

Phases, each a separate process timed for wall clock and peak memory (`/usr/bin/time`):
- generate: the sample landing zone at the requested scale (skipped when it already exists);
- floor: DuckDB reads the raw spend once and sums it per account and day;
- full build: one `dbt build` of every seed and model (no tests) into a fresh DuckDB file;
  the tier path (staging to fct_account_tier_daily) is read from its per-model timings;
- the days after it, each a `dbt build` of seeds and models with the refresh the
  orchestrator plans (orchestration/refresh.py), as `make run` and the schedule do:
  - spend-only: one more day of spend lands as a new file;
  - realistic: a new file in every source (warehouse/landing_day.py);
  - restatement 30 days back (inside the window) and 90 days back (outside it), each
    compared with a full rebuild into a fresh file (every marts table, EXCEPT ALL both ways);
  - a code change: the tier window edited, built, then edited back and built again, each
    compared with a full rebuild of the same code.

`make bench` runs it at 100,000 accounts x 730 days; the test suite proves the same
equalities at a small scale through `make run` (tests/python/test_incremental.py).

Writes `bench/results/bench.json` and `bench/results/bench.md`.

Run: python -m commands.bench --accounts 100000 --days 730 --work-dir /tmp/t1-bench
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb

from orchestration.as_of import AsOfWindow
from orchestration.dbt_args import dbt_build_args
from orchestration.refresh import (
    RefreshPlan,
    landing_snapshot,
    plan_refresh,
    save_state,
    state_dir,
)
from warehouse.config import PROJECT_DIR, dbt_env
from warehouse.landing_day import land_day, restate_spend

DBT = str(PROJECT_DIR / ".venv" / "bin" / "dbt")
RESULTS_DIR = PROJECT_DIR / "bench" / "results"


@dataclass
class Phase:
    name: str
    seconds: float
    peak_memory_mb: float


def timed(
    name: str, command: list[str], env: dict[str, str] | None = None, target: Path | None = None
) -> Phase:
    """Run a command under /usr/bin/time and return its wall time and peak RSS.

    With a dbt target path, keep that run's per-model timings as `run_results-<name>.json`
    next to it (each dbt run overwrites `run_results.json`).
    """
    result = subprocess.run(
        ["/usr/bin/time", "-f", "%e %M", *command],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-4000:])
        raise SystemExit(f"bench phase {name!r} failed")
    seconds, kilobytes = re.findall(r"^([\d.]+) (\d+)$", result.stderr, re.MULTILINE)[-1]
    phase = Phase(name, float(seconds), int(kilobytes) / 1024)
    print(f"{name:<12} {phase.seconds:8.1f} s  {phase.peak_memory_mb:8.0f} MB", flush=True)
    if target is not None:
        kept = target.parent / f"run_results-{name.replace(' ', '-')}.json"
        kept.write_bytes((target / "run_results.json").read_bytes())
    return phase


def python_phase(name: str, code: str) -> Phase:
    return timed(name, [sys.executable, "-c", code])


BUILD = [DBT, "build", "--quiet", "--resource-type", "seed", "--resource-type", "model"]
TIER_MODEL = PROJECT_DIR / "models" / "intermediate" / "tiering" / "int_account_tiers_assigned.sql"
# The code change: the tier holds one day less below its minimum (both frames of the window).
TIER_WINDOW_EDIT = {
    "{{ hold_days - 1 }} preceding and current": "{{ hold_days - 2 }} preceding and current",
    "{{ hold_days }} preceding and 1 preceding": "{{ hold_days - 1 }} preceding and 1 preceding",
}
# Staging to fct_account_tier_daily: the models whose time is the tier path.
TIER_PATH = (
    "base_ads_manager__accounts",
    "stg_ads_manager__accounts",
    "base_reference__fx_rates",
    "stg_reference__fx_rates",
    "stg_reference__fx_rates_daily",
    "base_ads_manager__ad_spend",
    "stg_ads_manager__ad_spend",
    "int_as_of_date",
    "int_account_spend_daily",
    "int_account_spend_rolled_30d",
    "int_account_tiers_qualified",
    "int_account_tiers_assigned",
    "fct_account_tier_daily",
)


def dbt_build(name: str, landing: Path, warehouse: Path, target: Path) -> Phase:
    """Seeds and every model in one dbt process, from scratch (tests are the suite's job)."""
    warehouse.unlink(missing_ok=True)
    return timed(name, [*BUILD, "--target-path", str(target)], dbt_env(landing, warehouse), target)


def planned_build(name: str, landing: Path, warehouse: Path, target: Path, as_of: date) -> Phase:
    """A build as the orchestrator runs it: planned, then its state saved on success."""
    env = dbt_env(landing, warehouse)
    os.environ.update(LANDING_DIR=env["LANDING_DIR"], WAREHOUSE_PATH=env["WAREHOUSE_PATH"])
    snapshot = landing_snapshot(landing)
    plan = plan_refresh(landing, warehouse, as_of)
    print(f"{name}: {plan.summary()}", flush=True)
    args = dbt_build_args(AsOfWindow.single(as_of), plan)[1:]
    phase = timed(name, [*BUILD, *args, "--target-path", str(target)], env, target)
    save_state(snapshot, warehouse, target / "manifest.json", as_of, plan)
    return phase


def tier_path_seconds(target: Path, name: str) -> float:
    """The tier path's share of a dbt run, from its per-model timings."""
    results = json.loads((target.parent / f"run_results-{name.replace(' ', '-')}.json").read_text())
    return sum(
        result["execution_time"]
        for result in results["results"]
        if result["unique_id"].split(".")[-1] in TIER_PATH
    )


def marts_differ(left: Path, right: Path) -> list[str]:
    """Names of marts tables whose rows differ between two warehouses."""
    connection = duckdb.connect()
    connection.execute(f"attach '{left}' as left_db (read_only)")
    connection.execute(f"attach '{right}' as right_db (read_only)")
    tables = [
        row[0]
        for row in connection.execute(
            "select table_name from duckdb_tables() "
            "where database_name = 'left_db' and schema_name = 'marts' "
            "union select view_name from duckdb_views() "
            "where database_name = 'left_db' and schema_name = 'marts' order by 1"
        ).fetchall()
    ]
    differing = []
    for table in tables:
        count = connection.execute(
            f"select count(*) from ((from left_db.marts.{table} except all "
            f"from right_db.marts.{table}) union all (from right_db.marts.{table} "
            f"except all from left_db.marts.{table}))"
        ).fetchone()
        if count and count[0]:
            differing.append(table)
    connection.close()
    return differing


def generated_landing(
    accounts: int, days: int, work: Path, seed: int, end_date: str, phases: list[Phase]
) -> Path:
    """The landing zone at this scale, generated once; bench files of earlier runs removed."""
    landing = work / f"landing-{accounts}x{days}"
    if not (landing / "ad_spend").exists():
        phases.append(
            python_phase(
                "generate",
                "from warehouse.generate import main; main(["
                f"'--accounts', '{accounts}', '--days', '{days}', '--seed', '{seed}', "
                f"'--end-date', '{end_date}', '--out', '{landing}'])",
            )
        )
    for extra in [*landing.glob("*/day-*.parquet"), *landing.glob("*/restatement-*.parquet")]:
        extra.unlink()
    return landing


def run_benchmark(
    accounts: int, days: int, work: Path, seed: int = 7, end_date: str = "2026-11-20"
) -> dict:
    """Generate (once), then time the floor, a full build and the days after it."""
    work.mkdir(parents=True, exist_ok=True)
    phases: list[Phase] = []
    landing = generated_landing(accounts, days, work, seed, end_date, phases)
    spend_rows = duckdb.sql(
        f"select count(*) from read_parquet('{landing}/ad_spend/*.parquet')"
    ).fetchall()[0][0]

    floor_sql = (
        "create table t as select account_id, spend_date, sum(spend) "
        f"from read_parquet('{landing}/ad_spend/*.parquet') group by all"
    )
    floor = python_phase(
        "floor", f'import duckdb; duckdb.sql("set threads=2"); duckdb.sql("{floor_sql}")'
    )
    phases.append(floor)

    warehouse, target = work / "bench.duckdb", work / "target"
    shutil.rmtree(state_dir(warehouse), ignore_errors=True)
    full = dbt_build("full build", landing, warehouse, target)
    phases.append(full)
    end = date.fromisoformat(end_date)
    save_state(
        landing_snapshot(landing),
        warehouse,
        target / "manifest.json",
        end,
        RefreshPlan(True, reasons=("first build",)),
    )

    comparisons: dict[str, list[str]] = {}

    def compare(name: str, as_of: date) -> None:
        rebuilt = work / "rebuilt.duckdb"
        phases.append(dbt_build(f"rebuild for {name}", landing, rebuilt, work / "target-rebuild"))
        comparisons[name] = marts_differ(warehouse, rebuilt)

    land_day(landing, end + timedelta(days=1), sources=("ad_spend",))
    spend_day = planned_build("spend-only day", landing, warehouse, target, end + timedelta(1))
    phases.append(spend_day)
    day = end + timedelta(days=2)
    land_day(landing, day)
    realistic = planned_build("realistic day", landing, warehouse, target, day)
    phases.append(realistic)
    for days_back in (30, 90):
        restate_spend(landing, day - timedelta(days=days_back), day)
        name = f"restatement {days_back} days back"
        phases.append(planned_build(name, landing, warehouse, target, day))
        compare(name, day)

    original = TIER_MODEL.read_text()
    edited = original
    for old, new in TIER_WINDOW_EDIT.items():
        edited = edited.replace(old, new)
    try:
        for name, code in (("code change", edited), ("code change back", original)):
            TIER_MODEL.write_text(code)
            phases.append(planned_build(name, landing, warehouse, target, day))
            compare(name, day)
    finally:
        TIER_MODEL.write_text(original)

    tier_path = tier_path_seconds(target, "full build")
    targets = {
        "full_build_at_most_15x_floor": full.seconds <= 15 * floor.seconds,
        "tier_path_at_most_10x_floor": tier_path <= 10 * floor.seconds,
        "realistic_day_at_most_15_percent_of_full": realistic.seconds <= 0.15 * full.seconds,
        "peak_memory_under_8_gb": max(p.peak_memory_mb for p in phases) < 8192,
        "every_comparison_equal": not any(comparisons.values()),
    }
    return {
        "accounts": accounts,
        "days": days,
        "spend_rows": spend_rows,
        "warehouse": str(warehouse),
        "phases": [asdict(phase) for phase in phases],
        "ratios": {
            "full_build_over_floor": full.seconds / floor.seconds,
            "tier_path_over_floor": tier_path / floor.seconds,
            "spend_only_day_over_full_build": spend_day.seconds / full.seconds,
            "realistic_day_over_full_build": realistic.seconds / full.seconds,
        },
        "targets": targets,
        "marts_differing": comparisons,
    }


def write_report(report: dict) -> str:
    """Write bench.json and bench.md under bench/results/; return the Markdown."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / "bench.json").write_text(json.dumps(report, indent=2) + "\n")
    lines = [
        f"Benchmark: {report['accounts']:,} accounts x {report['days']} days, "
        f"{report['spend_rows']:,} spend rows",
        "",
        "| phase | seconds | peak memory (MB) |",
        "|---|---:|---:|",
        *[
            f"| {p['name']} | {p['seconds']:.1f} | {p['peak_memory_mb']:,.0f} |"
            for p in report["phases"]
        ],
        "",
        "| ratio or target | value |",
        "|---|---|",
        *[f"| {key} | {value:.2f} |" for key, value in report["ratios"].items()],
        *[
            f"| {key} | {'met' if value else 'NOT met'} |"
            for key, value in report["targets"].items()
        ],
    ]
    markdown = "\n".join(lines) + "\n"
    (RESULTS_DIR / "bench.md").write_text(markdown)
    return markdown


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark the warehouse at scale.")
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--end-date", default="2026-11-20")
    parser.add_argument("--work-dir", type=Path, default=Path("/tmp/t1-bench"))
    args = parser.parse_args()
    report = run_benchmark(args.accounts, args.days, args.work_dir, args.seed, args.end_date)
    print(write_report(report))


if __name__ == "__main__":
    main()
