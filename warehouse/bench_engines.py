"""`make bench-engines`: the full build on DuckDB and on Spark, side by side (README, Engines).

At each scale (accounts x days, two scales by default), from the same generated landing zone:
- a full `dbt build` of seeds and models on DuckDB, then on a local Spark session (local[2]);
- Spark's marts copied into a DuckDB file and compared with DuckDB's, every marts table,
  EXCEPT ALL both ways;
- the per-stage times (staging, intermediate, marts) from each run's per-model timings.

From the two scales it estimates how the Spark build would scale across workers: per model, a
fixed cost (planning and scheduling, which more workers do not shorten) and a cost per account
(the work, which divides across cores), fitted through the two measured points; the estimate at
a larger scale and more cores is the fixed costs plus the work divided by the cores, plus the
session start. It is a straight-line estimate from two points, said as such in the report.

Writes `bench/results/engines.json` and `bench/results/engines.md`.

Run: python -m warehouse.bench_engines --scales 500x365 2000x365 --work-dir /tmp/t1-engines
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
from pathlib import Path

from warehouse.bench import BUILD, RESULTS_DIR, Phase, generated_landing, marts_differ, timed
from warehouse.config import dbt_env
from warehouse.spark import copy_tables, spark_session, spark_tables

STAGES = ("seeds", "staging", "intermediate", "marts")
LOCAL_CORES = 2


def model_times(target: Path, name: str) -> dict[str, float]:
    """Seconds per node of a timed dbt run, keyed `seed.<name>` or `model.<name>`."""
    results = json.loads((target.parent / f"run_results-{name}.json").read_text())
    return {
        ".".join(result["unique_id"].split(".")[::2]): result["execution_time"]
        for result in results["results"]
    }


def stage_of(node: str) -> str:
    resource, name = node.split(".", 1)
    if resource == "seed":
        return "seeds"
    if name.startswith(("base_", "stg_")):
        return "staging"
    return "intermediate" if name.startswith("int_") else "marts"


def stage_times(times: dict[str, float]) -> dict[str, float]:
    stages = dict.fromkeys(STAGES, 0.0)
    for node, seconds in times.items():
        stages[stage_of(node)] += seconds
    return {stage: round(seconds, 1) for stage, seconds in stages.items()}


def build_on(engine: str, landing: Path, work: Path, label: str) -> tuple[Phase, dict[str, float]]:
    """A full build of seeds and models from scratch on one engine."""
    warehouse = work / f"{label}.duckdb"
    warehouse.unlink(missing_ok=True)
    spark_dir = work / f"{label}-spark-warehouse"
    shutil.rmtree(spark_dir, ignore_errors=True)
    env = dbt_env(landing, warehouse) | {
        "WAREHOUSE_ENGINE": engine,
        "SPARK_WAREHOUSE_DIR": str(spark_dir),
    }
    target = work / f"target-{label}"
    name = f"{label}-full"
    phase = timed(name, [*BUILD, "--target-path", str(target)], env, target)
    return phase, model_times(target, name)


def run_scale(accounts: int, days: int, work: Path, seed: int, end_date: str) -> dict:
    phases: list[Phase] = []
    landing = generated_landing(accounts, days, work, seed, end_date, phases)
    scale = f"{accounts}x{days}"
    duck_phase, duck_times = build_on("duckdb", landing, work, f"duckdb-{scale}")
    spark_phase, spark_times = build_on("spark", landing, work, f"spark-{scale}")
    copy = work / f"spark-{scale}-marts.duckdb"
    copy.unlink(missing_ok=True)
    os.environ["SPARK_WAREHOUSE_DIR"] = str(work / f"spark-{scale}-spark-warehouse")
    with spark_session() as session:
        tables = spark_tables(session, ["marts"])
        copy_tables(session, tables, copy)
    differing = marts_differ(work / f"duckdb-{scale}.duckdb", copy)
    return {
        "accounts": accounts,
        "days": days,
        "duckdb_seconds": duck_phase.seconds,
        "duckdb_peak_mb": round(duck_phase.peak_memory_mb),
        "spark_seconds": spark_phase.seconds,
        "spark_peak_mb": round(spark_phase.peak_memory_mb),
        "duckdb_stages": stage_times(duck_times),
        "spark_stages": stage_times(spark_times),
        "spark_model_seconds": spark_times,
        "marts_compared": len(tables),
        "marts_differing": differing,
    }


def scaling_estimate(small: dict, large: dict, accounts: int, cores: list[int]) -> dict:
    """Spark build seconds at `accounts` on `cores` cores, from the two measured scales."""
    span = large["accounts"] - small["accounts"]
    fixed = work = 0.0
    for model, large_seconds in large["spark_model_seconds"].items():
        small_seconds = small["spark_model_seconds"].get(model, large_seconds)
        per_account = max((large_seconds - small_seconds) / span, 0.0)
        fixed += max(large_seconds - per_account * large["accounts"], 0.0)
        work += per_account * accounts * LOCAL_CORES
    start = large["spark_seconds"] - sum(large["spark_model_seconds"].values())
    return {
        "accounts": accounts,
        "session_start_and_dbt_seconds": round(start, 1),
        "fixed_model_seconds": round(fixed, 1),
        "work_core_seconds": round(work, 1),
        "estimated_seconds_by_cores": {str(n): round(start + fixed + work / n, 1) for n in cores},
    }


def write_report(report: dict) -> str:
    lines = [
        "# The full build on DuckDB and on Spark",
        "",
        "| scale | DuckDB s | Spark s | marts equal | DuckDB stages s | Spark stages s |",
        "|---|---:|---:|---|---|---|",
    ]
    for run in report["scales"]:
        equal = "all" if not run["marts_differing"] else f"differ: {run['marts_differing']}"
        lines.append(
            f"| {run['accounts']:,} x {run['days']} | {run['duckdb_seconds']:.0f} |"
            f" {run['spark_seconds']:.0f} | {equal} ({run['marts_compared']} tables) |"
            f" {run['duckdb_stages']} | {run['spark_stages']} |"
        )
    estimate = report["estimate"]
    lines += [
        "",
        f"Spark estimate at {estimate['accounts']:,} accounts (straight line through the two"
        " scales per model; planning and scheduling fixed, the work divided by cores):",
        f"session start {estimate['session_start_and_dbt_seconds']} s, fixed per-model"
        f" {estimate['fixed_model_seconds']} s, work {estimate['work_core_seconds']} core-seconds.",
        "",
        "| cores | estimated Spark build s |",
        "|---:|---:|",
        *(f"| {n} | {s:.0f} |" for n, s in estimate["estimated_seconds_by_cores"].items()),
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description="The full build on DuckDB and on Spark.")
    parser.add_argument("--scales", nargs=2, default=["500x365", "2000x365"])
    parser.add_argument("--estimate-accounts", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--end-date", default="2026-11-20")
    parser.add_argument("--work-dir", type=Path, default=Path("/tmp/t1-engines"))
    args = parser.parse_args()
    args.work_dir.mkdir(parents=True, exist_ok=True)
    runs = []
    for scale in args.scales:
        accounts, days = (int(part) for part in scale.split("x"))
        runs.append(run_scale(accounts, days, args.work_dir, args.seed, args.end_date))
    small, large = sorted(runs, key=lambda run: run["accounts"])
    report = {
        "scales": runs,
        "estimate": scaling_estimate(small, large, args.estimate_accounts, [2, 8, 32, 128]),
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / "engines.json").write_text(json.dumps(report, indent=2))
    markdown = write_report(report)
    (RESULTS_DIR / "engines.md").write_text(markdown)
    print(markdown)
    if any(run["marts_differing"] for run in runs):
        raise SystemExit("The engines' marts differ: see bench/results/engines.md")


if __name__ == "__main__":
    main()
