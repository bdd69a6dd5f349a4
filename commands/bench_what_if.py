"""`make bench-what-if`: the cost of a what-if at scale against the one-pass floor, in one run.

In one process tree, phase after phase, each a process timed with `/usr/bin/time` for its CPU
seconds (user + system: on a machine shared with other work, CPU time says more than wall time)
and its wall time, with the load average before and after:

- floor: DuckDB reads the raw spend once and sums it per account and day (commands/bench.py);
- the warehouse's tier models built as of the landing zone's last spend day, if the warehouse
  is not built yet (not part of the ratio: the what-if reads a built warehouse);
- the what-if (commands/what_if.py) of a proposal (Classic needs 12,000, Premium 40,000, caps
  cut) from 90 days before the as-of date;
- a full build of the tier models in a copy of the project whose seed holds the proposal's rows,
  and the what-if's `what_if.fct_account_tier_daily` compared with its rows of [FROM, as-of]
  (EXCEPT ALL both ways): they must be equal.

Writes the "What-if" section of docs/performance.md and bench/results/what_if.json; `make bench`
leaves that section alone. `what_if_phases()` is the part a larger benchmark can call with its
own floor.

Run: python -m commands.bench_what_if --accounts 100000 --days 730 --work-dir /tmp/t1-bench
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from commands.bench import REPORT, RESULTS_DIR, Phase, floor, git_commit, machine, timed
from commands.what_if import summary
from warehouse.config import PROJECT_DIR, dbt_env

DBT = str(PROJECT_DIR / ".venv" / "bin" / "dbt")
PYTHON = str(PROJECT_DIR / ".venv" / "bin" / "python")
DAYS_BACK = 90
PROPOSAL = (
    "tier,tier_rank,min_rolling_30d_spend_usd,weekly_creative_cap\n"
    "none,0,0,0\n"
    "essential,1,2000,10\n"
    "classic,2,12000,40\n"
    "premium,3,40000,80\n"
)
# The models a what-if reads from the warehouse, and what they read.
TIER_MODELS = "+fct_tier_changes +fct_tier_members_daily +dim_accounts +fct_tier_outlook"
MAX_RATIO = 3.0
START, END = (
    "<!-- what-if benchmark: written by `make bench-what-if` -->",
    ("<!-- end of the what-if benchmark -->"),
)


def latest_spend_day(landing: Path) -> date:
    return duckdb.sql(
        f"select max(spend_date) from read_parquet('{landing}/ad_spend/*.parquet')"
    ).fetchall()[0][0]


def build_tier_models(
    name: str, project: Path, landing: Path, warehouse: Path, target: Path, as_of: date
) -> Phase:
    """The seeds and the tier models (and what they read) into a fresh file, as of a day."""
    warehouse.unlink(missing_ok=True)
    env = {**dbt_env(landing, warehouse), "DBT_PROFILES_DIR": str(project)}
    arguments = ["--quiet", "--target-path", str(target)]
    subprocess.run([DBT, "seed", *arguments], cwd=project, env=env, check=True, capture_output=True)
    return timed(
        name,
        [
            DBT,
            "run",
            *arguments,
            "--select",
            *TIER_MODELS.split(),
            "--vars",
            json.dumps({"as_of_date": as_of.isoformat()}),
        ],
        env,
        cwd=project,
    )


def copied_project(work: Path, start: date) -> Path:
    """The project's files in `work`, sharing .venv, with the proposal's rows in the seed."""
    folder = work / "project-proposal"
    shutil.rmtree(folder, ignore_errors=True)
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=PROJECT_DIR,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        if (PROJECT_DIR / name).is_file():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(PROJECT_DIR / name, folder / name)
    (folder / ".venv").symlink_to(PROJECT_DIR / ".venv")
    seed = folder / "seeds" / "tier_thresholds.csv"
    rows = [f"{line},{start}" for line in PROPOSAL.splitlines()[1:]]
    seed.write_text(seed.read_text().rstrip("\n") + "\n" + "\n".join(rows) + "\n")
    return folder


def rows_differing(what_if: Path, full: Path, start: date, as_of: date) -> int:
    with duckdb.connect() as connection:
        connection.execute(f"attach '{what_if}' as what_if_file (read_only)")
        connection.execute(f"attach '{full}' as full_build (read_only)")
        days = f"date_day between date '{start}' and date '{as_of}'"
        [(count,)] = connection.execute(
            f"""
            select count(*) from (
                (from what_if_file.what_if.fct_account_tier_daily
                    except all from full_build.marts.fct_account_tier_daily where {days})
                union all
                (from full_build.marts.fct_account_tier_daily where {days}
                    except all from what_if_file.what_if.fct_account_tier_daily)
            )
            """
        ).fetchall()
    return count


def what_if_phases(
    landing: Path, warehouse: Path, work: Path, as_of: date
) -> tuple[Phase, Phase, int, str]:
    """The what-if on a built warehouse, and a full build of the tier models under the
    proposal's seed to compare it with: (what-if, full build, rows differing, summary)."""
    start = as_of - timedelta(days=DAYS_BACK)
    proposal = work / "proposal.csv"
    proposal.write_text(PROPOSAL)
    out = work / "bench_what_if.duckdb"
    env = {
        **os.environ,
        "WAREHOUSE_PATH": str(warehouse),
        "DBT_TARGET_PATH": str(work / "target-what-if"),
    }
    what_if = timed(
        f"what-if from {start}",
        [
            PYTHON,
            "-m",
            "commands.what_if",
            "--rules",
            str(proposal),
            "--from",
            start.isoformat(),
            "--out",
            str(out),
        ],
        env,
    )
    with duckdb.connect(str(out), read_only=True) as connection:
        text = summary(connection)
    project = copied_project(work, start)
    full_file = work / "bench_proposal_full.duckdb"
    full = build_tier_models(
        "full build of the tier models, proposal seed",
        project,
        landing,
        full_file,
        work / "target-proposal",
        as_of,
    )
    return what_if, full, rows_differing(out, full_file, start, as_of), text


def run(accounts: int, days: int, work: Path, landing: Path | None) -> dict[str, Any]:
    work.mkdir(parents=True, exist_ok=True)
    landing = landing or work / f"landing-{accounts}x{days}"
    if not (landing / "ad_spend").exists():
        raise SystemExit(f"No landing zone at {landing}: `make bench` generates it.")
    as_of = latest_spend_day(landing)
    base = floor(landing)
    warehouse = work / "what_if_warehouse.duckdb"
    built = None
    if not warehouse.exists():
        built = build_tier_models(
            "tier models of the warehouse",
            PROJECT_DIR,
            landing,
            warehouse,
            work / "target-what-if-warehouse",
            as_of,
        )
    what_if, full, differing, text = what_if_phases(landing, warehouse, work, as_of)
    phases = [phase for phase in (base, built, what_if, full) if phase is not None]
    loads = [value for phase in phases for value in (phase.load_before, phase.load_after)]
    return {
        "accounts": accounts,
        "days": days,
        "as_of_date": as_of.isoformat(),
        "from_date": (as_of - timedelta(days=DAYS_BACK)).isoformat(),
        "commit": git_commit(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "max_load": max(loads),
        "phases": [asdict(phase) for phase in phases],
        "ratio": what_if.cpu_seconds / base.cpu_seconds,
        "rows_differing": differing,
        "summary": text,
    }


def write_report(result: dict[str, Any]) -> str:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / "what_if.json").write_text(json.dumps(result, indent=2) + "\n")
    ratio, met = result["ratio"], result["ratio"] <= MAX_RATIO
    lines = [
        START,
        "## What-if",
        "",
        f"`make bench-what-if` (commands/bench_what_if.py), measured {result['date']} at commit "
        f"{result['commit']} on {result['machine']}: {result['accounts']:,} accounts x "
        f"{result['days']} days, as of {result['as_of_date']}, a what-if from "
        f"{result['from_date']} (90 days back). CPU seconds are user + system of the phase's "
        "processes (a shared machine stretches wall time, much less CPU time); load averages "
        f"from {min(p['load_before'] for p in result['phases']):.1f} to "
        f"{result['max_load']:.1f} during the run.",
        "",
        "| phase | CPU s | wall s | peak memory (MB) | load |",
        "|---|---:|---:|---:|---|",
    ]
    lines += [
        f"| {p['name']} | {p['cpu_seconds']:.1f} | {p['seconds']:.1f} | "
        f"{p['peak_memory_mb']:,.0f} | {p['load_before']:.1f}-{p['load_after']:.1f} |"
        for p in result["phases"]
    ]
    lines += [
        "",
        f"- what-if / floor, CPU: **{ratio:.2f}** (target: at most {MAX_RATIO:g}: "
        f"{'met' if met else '**not met**'}).",
        "- the what-if's `what_if.fct_account_tier_daily` against the full build whose seed holds "
        f"the proposal, rows differing: **{result['rows_differing']:,}**.",
        "",
        "The what-if's summary:",
        "",
        "```",
        result["summary"],
        "```",
        END,
    ]
    section = "\n".join(lines) + "\n"
    text = REPORT.read_text() if REPORT.exists() else ""
    if START in text and END in text:
        text = text[: text.index(START)] + section + text[text.index(END) + len(END) + 1 :]
    else:
        text = text.rstrip("\n") + "\n\n" + section
    REPORT.write_text(text)
    return section


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark a what-if at scale.")
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--work-dir", type=Path, default=Path("/tmp/t1-bench"))
    parser.add_argument(
        "--landing", type=Path, help="the landing zone (default: the one make bench generates)"
    )
    args = parser.parse_args()
    result = run(args.accounts, args.days, args.work_dir, args.landing)
    print(write_report(result))


if __name__ == "__main__":
    main()
