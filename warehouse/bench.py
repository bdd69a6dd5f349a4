"""`make bench`: time the warehouse at scale against the single-pass floor.

Phases, each a separate process timed for wall clock and peak memory (`/usr/bin/time`):
- generate: the sample landing zone at the requested scale (skipped when it already exists);
- floor: DuckDB reads the raw spend once and sums it per account and day;
- full build: one `dbt build` of every seed and model (no tests) into a fresh DuckDB file;
- daily: one more day of spend lands as a new file, then `dbt run` again (incremental);
- restatement: the day 30 days back is restated in a new file, then `dbt run` again; its
  marts are compared with a full rebuild into a fresh file (every marts table, EXCEPT ALL
  both ways);
- with `--compare-days N` (`make bench` passes 365): the same accounts over N days get a
  full build and a daily run of their own, to show whether a daily run's time depends on
  the length of the history (within 15% counts as the same).

`run_benchmark` is also what the test suite runs at a small scale, to prove that the
incremental path gives the marts of a full rebuild (tests/python/test_incremental.py).

Writes `bench/results/bench.json` and `bench/results/bench.md`.

Run: python -m warehouse.bench --accounts 100000 --days 730 --work-dir /tmp/t1-bench
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb

from warehouse.config import PROJECT_DIR, dbt_env

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


def dbt_build(name: str, landing: Path, warehouse: Path, target: Path) -> Phase:
    """Seeds and every model in one dbt process (tests are the test suite's job)."""
    command = [DBT, "build", "--quiet", "--resource-type", "seed", "--resource-type", "model"]
    return timed(
        name, [*command, "--target-path", str(target)], dbt_env(landing, warehouse), target
    )


def land_file(landing: Path, file_name: str, select_sql: str) -> None:
    """Write a new ad_spend file derived from the landing zone's own spend."""
    spend = f"read_parquet('{landing}/ad_spend/*.parquet')"
    duckdb.sql(select_sql.format(spend=spend)).write_parquet(str(landing / "ad_spend" / file_name))


def marts_differ(left: Path, right: Path) -> list[str]:
    """Names of marts tables whose rows differ between two warehouses."""
    connection = duckdb.connect()
    connection.execute(f"attach '{left}' as left_db (read_only)")
    connection.execute(f"attach '{right}' as right_db (read_only)")
    tables = [
        row[0]
        for row in connection.execute(
            "select table_name from duckdb_tables() "
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
    return differing


def generated_landing(
    accounts: int, days: int, work: Path, seed: int, end_date: str, phases: list[Phase]
) -> Path:
    """The landing zone at this scale, generated once; bench files of earlier runs removed."""
    landing = work / f"landing-{accounts}x{days}"
    if not (landing / "ad_spend").exists():
        phases.append(
            python_phase(
                f"generate {days} days" if phases else "generate",
                "from warehouse.generate import main; main(["
                f"'--accounts', '{accounts}', '--days', '{days}', '--seed', '{seed}', "
                f"'--end-date', '{end_date}', '--out', '{landing}'])",
            )
        )
    for extra in (landing / "ad_spend").glob("bench-*.parquet"):
        extra.unlink()
    return landing


def land_next_day(landing: Path, end: date) -> None:
    """The day after the last one, as a copy of the last day's spend in a new file."""
    land_file(
        landing,
        "bench-daily.parquet",
        "select * replace (spend_date + 1 as spend_date, reported_at + interval 1 day as "
        f"reported_at) from {{spend}} where spend_date = date '{end.isoformat()}'",
    )


def run_benchmark(
    accounts: int,
    days: int,
    work: Path,
    seed: int = 7,
    end_date: str = "2026-11-20",
    compare_days: int | None = None,
) -> dict:
    """Generate (once), then time the floor, a full build, a daily run and a restatement."""
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

    warehouse = work / "bench.duckdb"
    warehouse.unlink(missing_ok=True)
    full = dbt_build("full build", landing, warehouse, work / "target")
    phases.append(full)

    end = date.fromisoformat(end_date)
    land_next_day(landing, end)
    daily = timed(
        "daily",
        [DBT, "run", "--quiet", "--target-path", str(work / "target")],
        dbt_env(landing, warehouse),
        work / "target",
    )
    phases.append(daily)

    restated_day = end - timedelta(days=30)
    land_file(
        landing,
        "bench-restatement.parquet",
        "select * replace (cast(spend * 1.10 as decimal(18, 2)) as spend, reported_at + "
        f"interval 60 day as reported_at) from {{spend}} "
        f"where spend_date = date '{restated_day.isoformat()}'",
    )
    restatement = timed(
        "restatement",
        [DBT, "run", "--quiet", "--target-path", str(work / "target")],
        dbt_env(landing, warehouse),
        work / "target",
    )
    phases.append(restatement)
    rebuilt = work / "rebuilt.duckdb"
    rebuilt.unlink(missing_ok=True)
    phases.append(dbt_build("rebuild", landing, rebuilt, work / "target-rebuild"))
    differing = marts_differ(warehouse, rebuilt)

    history: dict[str, float] = {}
    if compare_days:
        short = generated_landing(accounts, compare_days, work, seed, end_date, phases)
        short_warehouse = work / f"bench-{compare_days}-days.duckdb"
        short_warehouse.unlink(missing_ok=True)
        short_target = work / f"target-{compare_days}-days"
        phases.append(
            dbt_build(f"full build {compare_days} days", short, short_warehouse, short_target)
        )
        land_next_day(short, end)
        short_daily = timed(
            f"daily {compare_days} days",
            [DBT, "run", "--quiet", "--target-path", str(short_target)],
            dbt_env(short, short_warehouse),
            short_target,
        )
        phases.append(short_daily)
        history = {
            f"daily_{days}_days_over_daily_{compare_days}_days": daily.seconds / short_daily.seconds
        }

    targets = {
        "full_build_under_240_s": full.seconds < 240,
        "full_build_peak_under_8_gb": full.peak_memory_mb < 8192,
        "daily_under_10_percent_of_full": daily.seconds < 0.1 * full.seconds,
        "full_build_at_most_8x_floor": full.seconds <= 8 * floor.seconds,
        "restatement_equals_full_rebuild": not differing,
    }
    if history:
        targets["daily_same_for_either_history"] = abs(next(iter(history.values())) - 1) <= 0.15

    return {
        "accounts": accounts,
        "days": days,
        "spend_rows": spend_rows,
        "warehouse": str(warehouse),
        "restated_day": restated_day.isoformat(),
        "phases": [asdict(phase) for phase in phases],
        "ratios": {
            "full_build_over_floor": full.seconds / floor.seconds,
            "daily_over_full_build": daily.seconds / full.seconds,
            **history,
        },
        "targets": targets,
        "marts_differing_after_restatement": differing,
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
    parser.add_argument(
        "--compare-days", type=int, help="also time a daily run over this shorter history"
    )
    args = parser.parse_args()
    report = run_benchmark(
        args.accounts, args.days, args.work_dir, args.seed, args.end_date, args.compare_days
    )
    print(write_report(report))


if __name__ == "__main__":
    main()
