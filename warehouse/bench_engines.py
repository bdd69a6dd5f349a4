"""`make bench-engines`: the full build on DuckDB and on a local Spark cluster, side by side
(docs/engines.md).

At each scale (accounts x days; 2,000 and 20,000 accounts x 365 days by default), from the same
generated landing zone:
- a full `dbt build` of seeds and models on DuckDB, into a fresh file;
- a local Spark cluster of its own (warehouse/spark_cluster.py: free ports, its tables and
  logs in the work folder), timed from its start until the Thrift server answers, then the
  first query that runs a Spark job and the same query again;
- the same full build through its Thrift server, then every table the checks and BI read
  (warehouse/spark.py) read in place into a DuckDB file, timed;
- every mart compared with DuckDB's by column name, EXCEPT ALL both ways;
- where Spark's time went, from dbt's per-model timings and the Thrift server's own record of
  its jobs and stages (Spark's REST API): dbt's start before the first model (dbt, the
  connection, the landing checks); while models ran, the time with a Spark job running and
  the time with none (planning, the catalog, Thrift round trips: per-model overhead); the
  executors' task and CPU time; shuffle written and read, and the time spent writing it and
  waiting for it; the cluster's peak memory;
- the cluster stopped.

It reports what it measured on this machine and nothing else: no estimate for other cluster
sizes. The report names the date, the commit and the machine's load average around each build
(a loaded machine's numbers are not results). Writes bench/results/engines.json and
bench/results/engines.md.

Run: python -m warehouse.bench_engines --scales 2000x365 20000x365 --work-dir /tmp/t1-engines
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb

from warehouse.config import PROJECT_DIR, dbt_env
from warehouse.spark import SparkError, query, read_build_in_place, thrift_cursor
from warehouse.spark_cluster import (
    ClusterError,
    ClusterSettings,
    cluster_settings,
    down,
    processes,
    up,
)

DBT = str(PROJECT_DIR / ".venv" / "bin" / "dbt")
RESULTS_DIR = PROJECT_DIR / "bench" / "results"
BUILD = ["build", "--quiet", "--resource-type", "seed", "--resource-type", "model"]
STAGES = ("seeds", "staging", "intermediate", "marts")
# The Thrift server keeps every job and stage of a build for the REST API (1,000 by default).
KEEP_HISTORY = {
    "spark.ui.retainedJobs": "100000",
    "spark.ui.retainedStages": "100000",
    "spark.sql.ui.retainedExecutions": "100000",
}
CLUSTER_SETTINGS = (
    "SPARK_WAREHOUSE_DIR",
    "SPARK_CLUSTER_DIR",
    "SPARK_LOG_DIR",
    "SPARK_MASTER_PORT",
    "SPARK_MASTER_WEBUI_PORT",
    "SPARK_WORKER_WEBUI_PORT",
    "SPARK_THRIFT_PORT",
    "SPARK_THRIFT_UI_PORT",
    "SPARK_THRIFT_HOST",
)


def load() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def generated_landing(accounts: int, days: int, work: Path, seed: int, end_date: date) -> Path:
    """The landing zone at this scale, generated once into the work folder."""
    from warehouse.generate import generate

    landing = work / f"landing-{accounts}x{days}"
    if not (landing / "ad_spend").exists():
        print(f"generating {accounts:,} accounts x {days} days into {landing}", flush=True)
        generate(landing, accounts=accounts, days=days, seed=seed, end_date=end_date)
    return landing


def dbt_build(env: dict[str, str], target: Path) -> dict[str, Any]:
    """A full build of seeds and models; its wall time and per-node timings."""
    shutil.rmtree(target, ignore_errors=True)
    started = time.time()
    result = subprocess.run(
        [DBT, *BUILD, "--target-path", str(target)],
        cwd=PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
    )
    ended = time.time()
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-4000:])
        raise SystemExit(f"the dbt build on {env['WAREHOUSE_ENGINE']} failed")
    results = json.loads((target / "run_results.json").read_text())["results"]
    nodes = []
    for node in results:
        execute = next((t for t in node["timing"] if t["name"] == "execute"), None)
        if execute is None or not execute.get("started_at"):
            continue
        nodes.append(
            {
                "node": ".".join(node["unique_id"].split(".")[::2]),
                "seconds": node["execution_time"],
                "started": _timestamp(execute["started_at"]),
                "ended": _timestamp(execute["completed_at"]),
            }
        )
    return {"started": started, "ended": ended, "seconds": ended - started, "nodes": nodes}


def _timestamp(text: str) -> float:
    """A dbt or Spark time stamp as seconds since the epoch."""
    text = text.replace("GMT", "+00:00").replace("Z", "+00:00")
    parsed = datetime.fromisoformat(text)
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp()


def stage_of(node: str) -> str:
    resource, name = node.split(".", 1)
    if resource == "seed":
        return "seeds"
    if name.startswith(("base_", "stg_")):
        return "staging"
    return "intermediate" if name.startswith("int_") else "marts"


def stage_seconds(build: dict[str, Any]) -> dict[str, float]:
    stages = dict.fromkeys(STAGES, 0.0)
    for node in build["nodes"]:
        stages[stage_of(node["node"])] += node["seconds"]
    return {stage: round(seconds, 1) for stage, seconds in stages.items()}


def covered(intervals: list[tuple[float, float]], start: float, end: float) -> float:
    """Seconds of [start, end] during which at least one interval runs."""
    total, reach = 0.0, start
    for first, last in sorted(intervals):
        first, last = max(first, reach), min(last, end)
        if last > first:
            total += last - first
            reach = last
    return total


def spark_rest(settings: ClusterSettings, path: str) -> Any:
    base = f"http://127.0.0.1:{settings.ports['SPARK_THRIFT_UI_PORT']}/api/v1/applications"
    with urllib.request.urlopen(f"{base}{path}", timeout=60) as response:
        return json.loads(response.read())


def spark_breakdown(settings: ClusterSettings, build: dict[str, Any]) -> dict[str, Any]:
    """Where the Spark build's time went, from dbt's timings and the server's jobs and stages."""
    application = spark_rest(settings, "")[0]["id"]
    jobs = [
        job
        for job in spark_rest(settings, f"/{application}/jobs")
        if job.get("completionTime")
        and build["started"] <= _timestamp(job["submissionTime"]) <= build["ended"]
    ]
    job_ids = {job["jobId"] for job in jobs}
    stage_ids = {stage for job in jobs for stage in job["stageIds"]}
    stages = [
        stage
        for stage in spark_rest(settings, f"/{application}/stages")
        if stage["stageId"] in stage_ids and stage["status"] == "COMPLETE"
    ]
    intervals = [
        (_timestamp(job["submissionTime"]), _timestamp(job["completionTime"])) for job in jobs
    ]
    first = min(node["started"] for node in build["nodes"])
    last = max(node["ended"] for node in build["nodes"])
    in_jobs = covered(intervals, first, last)
    models = len(build["nodes"])
    return {
        "dbt_before_first_node_seconds": round(first - build["started"], 1),
        "nodes_wall_seconds": round(last - first, 1),
        "nodes": models,
        "wall_with_a_spark_job_seconds": round(in_jobs, 1),
        "wall_with_no_spark_job_seconds": round(last - first - in_jobs, 1),
        "overhead_per_node_seconds": round((last - first - in_jobs) / models, 2),
        "dbt_after_last_node_seconds": round(build["ended"] - last, 1),
        "jobs": len(job_ids),
        "stages": len(stages),
        "tasks": sum(stage["numCompleteTasks"] for stage in stages),
        "task_core_seconds": round(sum(s["executorRunTime"] for s in stages) / 1000, 1),
        "task_cpu_core_seconds": round(sum(s["executorCpuTime"] for s in stages) / 1e9, 1),
        "shuffle_write_mb": round(sum(s["shuffleWriteBytes"] for s in stages) / 2**20, 1),
        "shuffle_read_mb": round(sum(s["shuffleReadBytes"] for s in stages) / 2**20, 1),
        "shuffle_write_core_seconds": round(sum(s["shuffleWriteTime"] for s in stages) / 1e9, 1),
        "shuffle_fetch_wait_core_seconds": round(
            sum(s["shuffleFetchWaitTime"] for s in stages) / 1000, 1
        ),
        "stages_with_shuffle": sum(
            1 for s in stages if s["shuffleWriteBytes"] or s["shuffleReadBytes"]
        ),
    }


@contextmanager
def peak_rss(settings: ClusterSettings):
    """The largest sum of the cluster's resident memory, sampled every 2 s, in MB."""
    peak = {"mb": 0.0}
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(2):
            pids = [str(pid) for pid in processes(settings)]
            if not pids:
                continue
            out = subprocess.run(
                ["ps", "-o", "rss=", "-p", ",".join(pids)], capture_output=True, text=True
            ).stdout
            peak["mb"] = max(peak["mb"], sum(int(kb) for kb in out.split()) / 1024)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield peak
    finally:
        stop.set()
        thread.join()


def timed_query(sql: str) -> float:
    started = time.monotonic()
    with thrift_cursor() as cursor:
        query(cursor, sql)
    return round(time.monotonic() - started, 2)


def differing_marts(left: Path, right: Path) -> tuple[int, list[str]]:
    """How many marts the left warehouse holds, and those whose rows differ in the right
    (columns matched by name; a missing table or column differs)."""
    connection = duckdb.connect()
    connection.execute(f"attach '{left}' as left_db (read_only)")
    connection.execute(f"attach '{right}' as right_db (read_only)")
    marts = [
        row[0]
        for row in connection.execute(
            "select table_name from information_schema.tables"
            " where table_catalog = 'left_db' and table_schema = 'marts' order by 1"
        ).fetchall()
    ]
    differing = []
    for mart in marts:
        columns = {}
        for database in ("left_db", "right_db"):
            columns[database] = sorted(
                connection.execute(
                    "select column_name, data_type from information_schema.columns"
                    " where table_catalog = ? and table_schema = 'marts' and table_name = ?",
                    [database, mart],
                ).fetchall()
            )
        if columns["left_db"] != columns["right_db"]:
            differing.append(mart)
            continue
        listed = ", ".join(f'"{name}"' for name, _ in columns["left_db"])
        left_rows = f"select {listed} from left_db.marts.{mart}"
        right_rows = f"select {listed} from right_db.marts.{mart}"
        count = connection.execute(
            f"select count(*) from (({left_rows} except all {right_rows})"
            f" union all ({right_rows} except all {left_rows}))"
        ).fetchone()[0]
        if count:
            differing.append(mart)
    connection.close()
    return len(marts), differing


def run_scale(accounts: int, days: int, work: Path, seed: int, end_date: date) -> dict:
    scale = f"{accounts}x{days}"
    landing = generated_landing(accounts, days, work, seed, end_date)
    duck_file = work / f"duckdb-{scale}.duckdb"
    duck_file.unlink(missing_ok=True)
    env = dbt_env(landing, duck_file) | {"WAREHOUSE_ENGINE": "duckdb"}
    load_before = load()
    duck = dbt_build(env, work / f"target-duckdb-{scale}")
    print(f"{scale}: DuckDB build {duck['seconds']:.0f} s", flush=True)

    root = work / f"spark-{scale}"
    shutil.rmtree(root, ignore_errors=True)
    cluster_env = {
        "SPARK_WAREHOUSE_DIR": str(root / "warehouse"),
        "SPARK_CLUSTER_DIR": str(root / "cluster"),
        "SPARK_LOG_DIR": str(root / "logs"),
        "SPARK_THRIFT_HOST": "127.0.0.1",
        **{
            name: str(free_port())
            for name in (
                "SPARK_MASTER_PORT",
                "SPARK_MASTER_WEBUI_PORT",
                "SPARK_WORKER_WEBUI_PORT",
                "SPARK_THRIFT_PORT",
                "SPARK_THRIFT_UI_PORT",
            )
        },
    }
    os.environ.update(cluster_env)
    settings = cluster_settings(KEEP_HISTORY)
    started = time.monotonic()
    up(settings)
    try:
        cluster_start = time.monotonic() - started
        probe = "select count(*) from range(1000000)"
        first_query, second_query = timed_query(probe), timed_query(probe)
        spark_file = work / f"spark-{scale}.duckdb"
        spark_file.unlink(missing_ok=True)
        env = dbt_env(landing, spark_file) | cluster_env | {"WAREHOUSE_ENGINE": "spark"}
        with peak_rss(settings) as peak:
            spark = dbt_build(env, work / f"target-spark-{scale}")
            print(f"{scale}: Spark build {spark['seconds']:.0f} s", flush=True)
            read_started = time.monotonic()
            read = read_build_in_place(spark_file)
            read_seconds = time.monotonic() - read_started
        breakdown = spark_breakdown(settings, spark)
    finally:
        down(settings)
    load_after = load()
    compared, differing = differing_marts(duck_file, spark_file)
    spend_rows = duckdb.sql(
        f"select count(*) from read_parquet('{landing}/ad_spend/*.parquet')"
    ).fetchall()[0][0]
    return {
        "accounts": accounts,
        "days": days,
        "spend_rows": spend_rows,
        "load_before": load_before,
        "load_after": load_after,
        "duckdb_seconds": round(duck["seconds"], 1),
        "spark_seconds": round(spark["seconds"], 1),
        "duckdb_stages": stage_seconds(duck),
        "spark_stages": stage_seconds(spark),
        "cluster_start_seconds": round(cluster_start, 1),
        "first_query_seconds": first_query,
        "second_query_seconds": second_query,
        "read_in_place_seconds": round(read_seconds, 1),
        "read_in_place_tables": len(read),
        "cluster_peak_rss_mb": round(peak["mb"]),
        "spark": breakdown,
        "marts_compared": compared,
        "marts_differing": differing,
    }


def commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=PROJECT_DIR, capture_output=True, text=True
        ).stdout.strip()

    sha = git("rev-parse", "--short", "HEAD")
    return sha + (" (with uncommitted changes)" if git("status", "--porcelain") else "")


def write_report(report: dict) -> str:
    runs = report["scales"]
    lines = [
        "# The full build on DuckDB and on a local Spark cluster",
        "",
        f"Measured {report['date']} at commit {report['commit']}, on {report['cores']} cores"
        f" and {report['memory_gb']} GB (`make bench-engines`). Load average (1, 5, 15 min)"
        " before the DuckDB build and after the Spark build of each scale:"
        + "".join(
            f" {run['accounts']:,} accounts {run['load_before']} then {run['load_after']};"
            for run in runs
        ),
        "",
        "| accounts x days | spend rows | DuckDB s | Spark s | marts equal |",
        "|---|---:|---:|---:|---|",
    ]
    for run in runs:
        equal = (
            f"all {run['marts_compared']}"
            if not run["marts_differing"]
            else f"{len(run['marts_differing'])} differ: {', '.join(run['marts_differing'])}"
        )
        lines.append(
            f"| {run['accounts']:,} x {run['days']} | {run['spend_rows']:,} |"
            f" {run['duckdb_seconds']:.0f} | {run['spark_seconds']:.0f} | {equal} |"
        )
    lines += [
        "",
        "Where Spark's time went, in seconds of wall time (dbt runs one node at a time on Spark):",
        "",
        "| accounts | cluster start | first job / again | dbt before the first model |"
        " models: a Spark job running | models: no job running (per model) |"
        " read in place |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        spark = run["spark"]
        lines.append(
            f"| {run['accounts']:,} | {run['cluster_start_seconds']:.0f} |"
            f" {run['first_query_seconds']:.1f} / {run['second_query_seconds']:.1f} |"
            f" {spark['dbt_before_first_node_seconds']:.0f} |"
            f" {spark['wall_with_a_spark_job_seconds']:.0f} |"
            f" {spark['wall_with_no_spark_job_seconds']:.0f}"
            f" ({spark['overhead_per_node_seconds']:.2f} x {spark['nodes']}) |"
            f" {run['read_in_place_seconds']:.0f} |"
        )
    lines += [
        "",
        "On the executors (core-seconds are summed over tasks):",
        "",
        "| accounts | jobs | stages | tasks | task core-s | CPU core-s | shuffle written MB |"
        " shuffle read MB | shuffle write core-s | shuffle fetch wait core-s |"
        " cluster peak memory MB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for run in runs:
        spark = run["spark"]
        lines.append(
            f"| {run['accounts']:,} | {spark['jobs']} | {spark['stages']} | {spark['tasks']} |"
            f" {spark['task_core_seconds']:.0f} | {spark['task_cpu_core_seconds']:.0f} |"
            f" {spark['shuffle_write_mb']:.0f} | {spark['shuffle_read_mb']:.0f} |"
            f" {spark['shuffle_write_core_seconds']:.1f} |"
            f" {spark['shuffle_fetch_wait_core_seconds']:.1f} |"
            f" {run['cluster_peak_rss_mb']:,} |"
        )
    lines += [
        "",
        "Model seconds per layer, DuckDB / Spark (summed over models):",
        "",
        "| accounts | " + " | ".join(STAGES) + " |",
        "|---|" + "---|" * len(STAGES),
    ]
    for run in runs:
        lines.append(
            f"| {run['accounts']:,} | "
            + " | ".join(
                f"{run['duckdb_stages'][stage]:.0f} / {run['spark_stages'][stage]:.0f}"
                for stage in STAGES
            )
            + " |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description="The full build on DuckDB and on Spark.")
    parser.add_argument("--scales", nargs="+", default=["2000x365", "20000x365"])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--end-date", default="2026-11-20")
    parser.add_argument("--work-dir", type=Path, default=Path("/tmp/t1-engines"))
    args = parser.parse_args()
    args.work_dir.mkdir(parents=True, exist_ok=True)
    # Each engine's own settings, not the caller's cluster.
    for name in CLUSTER_SETTINGS:
        os.environ.pop(name, None)
    report = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit(),
        "cores": os.cpu_count(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30),
        "scales": [],
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    for scale in args.scales:
        accounts, days = (int(part) for part in scale.split("x"))
        try:
            run = run_scale(
                accounts, days, args.work_dir, args.seed, date.fromisoformat(args.end_date)
            )
        except (ClusterError, SparkError) as error:
            raise SystemExit(f"make bench-engines: {error}") from None
        report["scales"].append(run)
        # Written after each scale, so a later scale that fails keeps the earlier ones.
        (RESULTS_DIR / "engines.json").write_text(json.dumps(report, indent=2) + "\n")
        markdown = write_report(report)
        (RESULTS_DIR / "engines.md").write_text(markdown)
    print(markdown)
    runs = report["scales"]
    if any(run["marts_differing"] for run in runs):
        raise SystemExit("The engines' marts differ: see bench/results/engines.md")


if __name__ == "__main__":
    main()
