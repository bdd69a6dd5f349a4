"""`make bench`: the warehouse's cost at scale, against the one-pass floor, in one run.

In one process tree, on one machine, phase after phase (each a process timed for wall clock
and peak memory with `/usr/bin/time`; dbt's per-node timings split a build into its models and
its data tests):

- floor: DuckDB reads the raw spend once and sums it per account and day;
- full build: every seed and model from scratch (`dbt build`, no tests), and its data tests
  apart (`dbt test`, every row); the tier path (staging to fct_account_tier_daily) from the
  per-model timings;
- a spend-only day and a realistic day (a new file in every source, warehouse/landing_day.py),
  each as the scheduled job runs its dbt step: planned (warehouse/refresh.py), `dbt build`
  with the data tests sized like the run, then the outbox's dbt step;
- the realistic day again on a landing zone of half the history, for the growth of a day's
  cost with the history;
- restatements 30 days back (inside the window) and 90 days back (outside it), and a code
  change and its revert, each compared with a full rebuild (every row of every mart);
- the CPU the rest of the machine used during each phase (/proc/stat less the phase's own): a
  run in which other processes used more than MAX_OTHER_CORES of a core is written as such,
  and its numbers are not reported as results; the load averages are shown too.

Writes docs/performance.md (the table, the targets, the machine, the load, the commit) and
bench/results/bench.json.

Run: python -m commands.bench --accounts 100000 --days 730 --work-dir /tmp/t1-bench
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from orchestration.dbt_args import dbt_environment, dbt_vars
from warehouse.compare import relations_differ
from warehouse.config import PROJECT_DIR, dbt_env
from warehouse.landing_day import land_day, restate_spend
from warehouse.refresh import (
    BuildState,
    landing_snapshot,
    plan_refresh,
    record_build,
    state_dir,
)

DBT = str(PROJECT_DIR / ".venv" / "bin" / "dbt")
RESULTS_DIR = PROJECT_DIR / "bench" / "results"
REPORT = PROJECT_DIR / "docs" / "performance.md"
# The share of a core that other processes may use during a phase (CPU seconds of the whole
# machine less the phase's own, per second of the phase) before the run counts as loaded. The
# load average cannot say it: a phase's own dbt threads raise it above the core count.
MAX_OTHER_CORES = 0.25
# The code change: an edit of the first incremental model of the tier path. Its rows stay the
# same (every check still holds); the plan must see it and recompute the history downstream.
CHANGED_MODEL = PROJECT_DIR / "models" / "intermediate" / "tiering" / "int_account_spend_daily.sql"
CODE_EDIT = ("\nwith\n", "\n-- A comment the benchmark adds to change the model's code.\nwith\n")
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
    "int_tier_rules_daily",
    "int_account_tiers_qualified",
    "int_account_tiers_assigned",
    "fct_account_tier_daily",
)


@dataclass
class Phase:
    name: str
    seconds: float
    peak_memory_mb: float
    load_before: float
    load_after: float
    cpu_seconds: float = 0.0  # user + system of the process and its children
    other_cpu_seconds: float = 0.0  # what the rest of the machine used meanwhile
    models_seconds: float | None = None
    tests_seconds: float | None = None
    nodes: dict[str, float] = field(default_factory=dict)


def load_average() -> float:
    return os.getloadavg()[0]


def machine_busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy since boot (/proc/stat)."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def timed(
    name: str,
    command: list[str],
    env: dict[str, str] | None = None,
    target: Path | None = None,
    cwd: Path = PROJECT_DIR,
) -> Phase:
    """Run a command under /usr/bin/time: its wall time, CPU time, peak RSS, and with a dbt
    target path, the model and test time of its run_results.json."""
    before = load_average()
    busy_before = machine_busy_seconds()
    result = subprocess.run(
        ["/usr/bin/time", "-f", "%U %S %e %M", *command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-4000:])
        raise SystemExit(f"bench phase {name!r} failed")
    user, system, seconds, kilobytes = re.findall(
        r"^([\d.]+) ([\d.]+) ([\d.]+) (\d+)$", result.stderr, re.MULTILINE
    )[-1]
    phase = Phase(
        name,
        float(seconds),
        int(kilobytes) / 1024,
        before,
        load_average(),
        cpu_seconds=float(user) + float(system),
    )
    phase.other_cpu_seconds = max(0.0, machine_busy_seconds() - busy_before - phase.cpu_seconds)
    if target is not None and (target / "run_results.json").exists():
        results = json.loads((target / "run_results.json").read_text())["results"]
        phase.nodes = {item["unique_id"]: item["execution_time"] for item in results}
        phase.models_seconds = sum(
            seconds for node, seconds in phase.nodes.items() if not node.startswith("test.")
        )
        phase.tests_seconds = sum(
            seconds for node, seconds in phase.nodes.items() if node.startswith("test.")
        )
    print(
        f"{name:<34} {phase.seconds:8.1f} s  {phase.peak_memory_mb:8.0f} MB  "
        f"load {phase.load_before:.1f}-{phase.load_after:.1f}",
        flush=True,
    )
    return phase


def dbt(
    name: str,
    arguments: list[str],
    landing: Path,
    warehouse: Path,
    target: Path,
    environment: dict[str, str] | None = None,
) -> Phase:
    env = {**dbt_env(landing, warehouse), **(environment or {})}
    return timed(name, [DBT, *arguments, "--target-path", str(target)], env, target)


def full_build(name: str, landing: Path, warehouse: Path, target: Path, as_of: date) -> Phase:
    """Seeds and every model into a fresh file (no tests), as of a day."""
    warehouse.unlink(missing_ok=True)
    shutil.rmtree(state_dir(warehouse), ignore_errors=True)
    phase = dbt(
        name,
        ["build", "--quiet", "--exclude-resource-type", "test", "unit_test"],
        landing,
        warehouse,
        target,
        dbt_environment({"as_of_date": as_of.isoformat()}),
    )
    record(landing, warehouse, target, as_of)
    return phase


def parsed_manifest(landing: Path, warehouse: Path) -> dict[str, Any]:
    """The project as the orchestrator loads it (`dbt parse`, as `make run` and the code
    location do before a run; not timed): the manifest its plans and records compare."""
    target = warehouse.parent / "target-parse"
    subprocess.run(
        [DBT, "parse", "--quiet", "--target-path", str(target)],
        cwd=PROJECT_DIR,
        env=dbt_env(landing, warehouse),
        check=True,
    )
    return json.loads((target / "manifest.json").read_text())


def record(landing: Path, warehouse: Path, target: Path, as_of: date) -> None:
    """What the orchestrator records after a dbt step: what each model that succeeded read."""
    manifest = parsed_manifest(landing, warehouse)
    results = json.loads((target / "run_results.json").read_text())
    succeeded = [
        item["unique_id"]
        for item in results["results"]
        if item["status"] == "success" and item["unique_id"].split(".")[0] in ("model", "seed")
    ]
    state = record_build(
        manifest, BuildState.load(warehouse), succeeded, landing_snapshot(landing), landing, as_of
    )
    state.save(warehouse, target / "manifest.json")


def scheduled_day(
    name: str, landing: Path, warehouse: Path, target: Path, as_of: date
) -> tuple[Phase, Phase, str]:
    """A day as the scheduled job runs its dbt steps: planned, then `dbt build` of everything
    but the outbox with the data tests sized like the run, then the outbox's step."""
    manifest = parsed_manifest(landing, warehouse)
    selected = [
        unique_id
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] in ("model", "seed") and node["name"] != "outbox_tier_events"
    ]
    snapshot = landing_snapshot(landing)
    plan = plan_refresh(manifest, selected, warehouse, landing, snapshot, as_of)
    print(f"{name}: {plan.summary()}", flush=True)
    environment = dbt_environment(dbt_vars(as_of, plan))
    build = dbt(
        name,
        [
            "build",
            "--quiet",
            "--exclude-resource-type",
            "unit_test",
            "--exclude",
            "outbox_tier_events",
            *(["--full-refresh"] if plan.full_refresh else []),
        ],
        landing,
        warehouse,
        target,
        environment,
    )
    record(landing, warehouse, target, as_of)
    outbox = dbt(
        f"{name}: outbox step",
        [
            "build",
            "--quiet",
            "--exclude-resource-type",
            "unit_test",
            "--select",
            "outbox_tier_events",
        ],
        landing,
        warehouse,
        target,
        environment,
    )
    return build, outbox, plan.summary()


def tier_path_seconds(phase: Phase) -> float:
    return sum(seconds for node, seconds in phase.nodes.items() if node.split(".")[-1] in TIER_PATH)


def generated_landing(accounts: int, days: int, work: Path, seed: int, end: date) -> Path:
    """The landing zone at this scale, generated once; the day files of earlier runs removed."""
    landing = work / f"landing-{accounts}x{days}"
    if not (landing / "ad_spend").exists():
        timed(
            f"generate {days} days",
            [
                sys.executable,
                "-m",
                "warehouse.generate",
                "--accounts",
                str(accounts),
                "--days",
                str(days),
                "--seed",
                str(seed),
                "--end-date",
                end.isoformat(),
                "--out",
                str(landing),
            ],
        )
    for extra in [*landing.glob("*/day-*.parquet"), *landing.glob("*/restatement-*.parquet")]:
        extra.unlink()
    return landing


def floor(landing: Path) -> Phase:
    """One DuckDB pass over the raw spend, summed per account and day: the unit of the ratios."""
    query = (
        "create table t as select account_id, spend_date, sum(spend) "
        f"from read_parquet('{landing}/ad_spend/*.parquet') group by all"
    )
    code = f'import duckdb; duckdb.sql("set threads=2"); duckdb.sql("{query}")'
    return timed("floor", [sys.executable, "-c", code])


def run_benchmark(
    accounts: int, days: int, work: Path, seed: int = 7, end: date = date(2026, 11, 20)
) -> dict[str, Any]:
    work.mkdir(parents=True, exist_ok=True)
    phases: dict[str, Phase] = {}

    def add(phase: Phase) -> Phase:
        phases[phase.name] = phase
        return phase

    landing = generated_landing(accounts, days, work, seed, end)
    spend_rows = duckdb.sql(
        f"select count(*) from read_parquet('{landing}/ad_spend/*.parquet')"
    ).fetchall()[0][0]
    first_floor = add(floor(landing))

    warehouse, target = work / "bench.duckdb", work / "target"
    full = add(full_build("full build", landing, warehouse, target, end))
    add(
        dbt(
            "full build: data tests",
            ["test", "--quiet", "--exclude-resource-type", "unit_test"],
            landing,
            warehouse,
            target,
            dbt_environment({"as_of_date": end.isoformat()}),
        )
    )
    plans: dict[str, str] = {}
    spend_day = end + timedelta(days=1)
    land_day(landing, spend_day, sources=("ad_spend",))
    build, outbox, plans["spend-only day"] = scheduled_day(
        "spend-only day", landing, warehouse, target, spend_day
    )
    add(build)
    add(outbox)
    day = end + timedelta(days=2)
    land_day(landing, day)
    build, outbox, plans["realistic day"] = scheduled_day(
        "realistic day", landing, warehouse, target, day
    )
    add(build)
    add(outbox)

    # The same realistic day on half the history.
    half = generated_landing(accounts, days // 2, work, seed, end)
    half_warehouse, half_target = work / "bench-half.duckdb", work / "target-half"
    add(full_build(f"full build, {days // 2} days", half, half_warehouse, half_target, end))
    land_day(half, spend_day, sources=("ad_spend",))
    scheduled_day(f"spend-only day, {days // 2} days", half, half_warehouse, half_target, spend_day)
    land_day(half, day)
    build, outbox, plans[f"realistic day, {days // 2} days"] = scheduled_day(
        f"realistic day, {days // 2} days", half, half_warehouse, half_target, day
    )
    add(build)
    add(outbox)

    comparisons: dict[str, list[str]] = {}

    def compare(name: str) -> None:
        rebuilt = work / "rebuilt.duckdb"
        add(full_build(f"rebuild for {name}", landing, rebuilt, work / "target-rebuild", day))
        comparisons[name] = relations_differ(warehouse, rebuilt)

    for days_back in (30, 90):
        restate_spend(landing, day - timedelta(days=days_back), day)
        name = f"restatement {days_back} days back"
        build, _, plans[name] = scheduled_day(name, landing, warehouse, target, day)
        add(build)
        compare(name)

    original = CHANGED_MODEL.read_text()
    edited = original.replace(*CODE_EDIT)
    assert edited != original
    try:
        for name, code in (("code change", edited), ("code change back", original)):
            CHANGED_MODEL.write_text(code)
            build, _, plans[name] = scheduled_day(name, landing, warehouse, target, day)
            add(build)
            compare(name)
    finally:
        CHANGED_MODEL.write_text(original)
    return report(accounts, days, spend_rows, first_floor, full, phases, plans, comparisons)


def report(
    accounts: int,
    days: int,
    spend_rows: int,
    floor_phase: Phase,
    full: Phase,
    phases: dict[str, Phase],
    plans: dict[str, str],
    comparisons: dict[str, list[str]],
) -> dict[str, Any]:
    base = floor_phase.seconds
    realistic = phases["realistic day"]
    half = phases[f"realistic day, {days // 2} days"]
    spend_only = phases["spend-only day"]
    tier_path = tier_path_seconds(full)
    full_total = full.seconds
    ratios = {
        "full build / floor": full_total / base,
        "tier path (model time) / floor": tier_path / base,
        "realistic day, models and tests / floor": realistic.seconds / base,
        "spend-only day, models and tests / floor": spend_only.seconds / base,
        f"realistic day on {days} / on {days // 2} days of history": realistic.seconds
        / half.seconds,
    }
    targets = {
        "full build at most 12 x the floor": ratios["full build / floor"] <= 12,
        "tier path at most 8 x the floor": ratios["tier path (model time) / floor"] <= 8,
        "realistic day at most 4 x the floor": ratios["realistic day, models and tests / floor"]
        <= 4,
        "spend-only day at most 3 x the floor": ratios["spend-only day, models and tests / floor"]
        <= 3,
        "a day's cost grows at most 1.25 x from half the history": ratios[
            f"realistic day on {days} / on {days // 2} days of history"
        ]
        <= 1.25,
        "peak memory under 8 GB": max(p.peak_memory_mb for p in phases.values()) < 8192,
        "every comparison with a full rebuild equal": not any(comparisons.values()),
    }
    loads = [value for p in phases.values() for value in (p.load_before, p.load_after)]
    other_cores = max(p.other_cpu_seconds / max(p.seconds, 1.0) for p in phases.values())
    return {
        "accounts": accounts,
        "days": days,
        "spend_rows": spend_rows,
        "commit": git_commit(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "max_load": max(loads),
        "max_other_cores": other_cores,
        "loaded": other_cores > MAX_OTHER_CORES,
        "phases": [
            {key: value for key, value in asdict(p).items() if key != "nodes"}
            for p in phases.values()
        ],
        "slowest_models_full_build": slowest(full, 8),
        "slowest_nodes_realistic_day": slowest(realistic, 8),
        "plans": plans,
        "ratios": ratios,
        "targets": targets,
        "marts_differing": comparisons,
    }


def slowest(phase: Phase, count: int) -> list[tuple[str, float]]:
    return sorted(
        ((node.split(".")[-1], seconds) for node, seconds in phase.nodes.items()),
        key=lambda item: -item[1],
    )[:count]


def git_commit() -> str:
    result = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_DIR, capture_output=True, text=True
    )
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "models", "macros", "seeds", "warehouse"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return result.stdout.strip() + (" (with uncommitted changes)" if dirty else "")


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores, {memory:.0f} GB, {platform.system()} {platform.machine()}"


def write_report(result: dict[str, Any]) -> str:
    """bench/results/bench.json, and the warehouse section of docs/performance.md."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / "bench.json").write_text(json.dumps(result, indent=2, default=str) + "\n")
    lines = [
        "<!-- warehouse benchmark: written by `make bench` (commands/bench.py) -->",
        f"Measured {result['date']} at commit {result['commit']} on {result['machine']}: "
        f"{result['accounts']:,} accounts x {result['days']} days, "
        f"{result['spend_rows']:,} spend rows. Other processes used at most "
        f"{result['max_other_cores']:.2f} of a core during any phase (the highest load average, "
        f"{result['max_load']:.1f}, is the benchmark's own: dbt runs two threads on two cores).",
        "",
    ]
    if result["loaded"]:
        lines += [
            "**Not a result: other processes used more than "
            f"{MAX_OTHER_CORES} of a core during a phase of this run, so these numbers say more "
            "about the machine than about the warehouse.** Run `make bench` again on an idle "
            "machine.",
            "",
        ]
    lines += [
        "| phase | seconds | models (s) | data tests (s) | peak memory (MB) | load |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for p in result["phases"]:
        models = "" if p["models_seconds"] is None else f"{p['models_seconds']:.1f}"
        tests = "" if p["tests_seconds"] is None else f"{p['tests_seconds']:.1f}"
        lines.append(
            f"| {p['name']} | {p['seconds']:.1f} | {models} | {tests} | "
            f"{p['peak_memory_mb']:,.0f} | {p['load_before']:.1f}-{p['load_after']:.1f} |"
        )
    lines += ["", "| ratio | value |", "|---|---:|"]
    lines += [f"| {name} | {value:.2f} |" for name, value in result["ratios"].items()]
    lines += ["", "| target | |", "|---|---|"]
    lines += [
        f"| {name} | {'met' if met else '**not met**'} |" for name, met in result["targets"].items()
    ]
    lines += ["", "What each day recomputed:", ""]
    lines += [f"- {name}: {plan}" for name, plan in result["plans"].items()]
    lines += [
        "",
        "Slowest models of the full build (seconds, dbt's per-model timing, two dbt threads): "
        + ", ".join(
            f"{name} {seconds:.1f}" for name, seconds in result["slowest_models_full_build"]
        ),
        "",
        "Slowest nodes of the realistic day: "
        + ", ".join(
            f"{name} {seconds:.1f}" for name, seconds in result["slowest_nodes_realistic_day"]
        ),
        "",
        "Marts differing from a full rebuild: "
        + (
            "none."
            if not any(result["marts_differing"].values())
            else json.dumps(result["marts_differing"])
        ),
        "<!-- end of the warehouse benchmark -->",
    ]
    section = "\n".join(lines) + "\n"
    replace_section(section)
    return section


def replace_section(section: str) -> None:
    """Put the benchmark's section into docs/performance.md, keeping the rest of the page."""
    start, end = section.splitlines()[0], section.splitlines()[-1]
    text = REPORT.read_text() if REPORT.exists() else ""
    if start in text and end in text:
        before = text[: text.index(start)]
        after = text[text.index(end) + len(end) :].lstrip("\n")
        text = before + section + ("\n" + after if after else "")
    else:
        text = text + ("\n" if text else "") + section
    REPORT.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description="Benchmark the warehouse at scale.")
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--end-date", type=date.fromisoformat, default=date(2026, 11, 20))
    parser.add_argument("--work-dir", type=Path, default=Path("/tmp/t1-bench"))
    args = parser.parse_args()
    result = run_benchmark(args.accounts, args.days, args.work_dir, args.seed, args.end_date)
    print(write_report(result))


if __name__ == "__main__":
    main()
