"""`make run`: check the landing zone, then run the warehouse through Dagster.

0. The engine: WAREHOUSE_ENGINE, one of the dbt profile's targets (duckdb, the default, or
   spark); anything else is refused before dbt starts (`make run` checks it first).
1. The landing zone: LANDING_DIR when set (real data: it must hold every source folder, and
   nothing here writes to it or deletes from it); otherwise the generated sample in
   SAMPLE_LANDING_DIR (data/sample_landing), made on the first run and reused after.
2. The as-of date: AS_OF_DATE when set, else the latest spend day of the landing zone (dbt's
   on-run-start checks refuse a date after it, with the reason).
3. One run of the Dagster job (orchestration/jobs.py), executed in this process, on the
   project's persistent instance (DAGSTER_HOME, .dagster_home: the one `make dagster-dev`
   shows), so the run is in the UI's history: observe the landing zone, dbt build as of the
   date (run config) with its tests as checks, the GX suites, the day's outbox and its file
   (the job's partition: the as-of date), the BI copy. Its steps share the instance's
   `warehouse` pool with every other run, so it never writes the warehouse beside another.
   FULL_REFRESH=1 rebuilds every incremental model from the whole history.

dbt's and Dagster's output goes to one log file per run, logs/runs/<UTC time>_as-of-<date>.log
(RUN_LOG_DIR; the last RUN_LOGS_KEPT are kept). The console gets the summary, or what the run
reported as the cause (dbt's own messages, from its artifacts; a failed check's sentence) and
the exit status is not zero: no traceback for a user error.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from warehouse import config
from warehouse.housekeeping import RUN_LOGS_KEPT, prune
from warehouse.landing import latest_spend_date, missing_sources
from warehouse.spark import SparkError, engine, engines, require_thrift_server

if TYPE_CHECKING:
    import dagster as dg


class UserError(Exception):
    """A problem the user can fix; its text names the problem and the fix."""


# --- The engine ------------------------------------------------------------------------------


def chosen_engine() -> str:
    """WAREHOUSE_ENGINE, which must name a target of the dbt profile (profiles.yml)."""
    chosen, known = engine(), engines()
    if chosen not in known:
        raise UserError(
            f"WAREHOUSE_ENGINE={chosen} is not an engine of this warehouse: set it to "
            + " or ".join(known)
            + " (docs/engines.md), or unset it to build with duckdb."
        )
    return chosen


# --- The landing zone ------------------------------------------------------------------------


def configured_landing() -> Path:
    """LANDING_DIR, which must hold a folder with Parquet files for every source."""
    landing = config.landing_dir()
    if not landing.is_dir():
        raise UserError(
            f"LANDING_DIR={landing} is not a folder: point LANDING_DIR at the landing zone "
            "(one folder of Parquet files per source), or unset it to build a generated sample."
        )
    missing = missing_sources(landing)
    if missing:
        raise UserError(
            f"The landing zone {landing} is incomplete: no Parquet file in "
            + ", ".join(f"{source}/" for source in missing)
            + ". Deliver those sources (README: The landing contract), or unset LANDING_DIR "
            "to build a generated sample. Nothing was written to the landing zone."
        )
    return landing


def sample_landing(accounts: int, days: int, seed: int) -> Path:
    """The generated sample: reused when complete, else (re)generated into its own folder."""
    from warehouse.generate import SAMPLE_MARKER, TargetNotEmpty, generate

    sample = config.sample_landing_dir()
    if (sample / SAMPLE_MARKER).exists() and not missing_sources(sample):
        return sample
    print(
        f"No LANDING_DIR set: generating a sample ({accounts:,} accounts, {days} days) in {sample}."
    )
    try:
        generate(
            sample,
            accounts=accounts,
            days=days,
            seed=seed,
            end_date=date.today() - timedelta(days=1),
            replace=True,
        )
    except TargetNotEmpty as error:
        raise UserError(
            f"{error} (SAMPLE_LANDING_DIR; set LANDING_DIR instead if it is a landing zone)"
        ) from None
    return sample


# --- The as-of date --------------------------------------------------------------------------


def requested_as_of() -> date | None:
    value = os.environ.get("AS_OF_DATE", "").strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UserError(
            f"AS_OF_DATE={value} is not a date: give it as YYYY-MM-DD (e.g. "
            "AS_OF_DATE=2026-03-31), or unset it to build as of the latest spend."
        ) from None


def choose_as_of(landing: Path) -> date:
    """AS_OF_DATE when set, else the latest spend day. Whether spend was reported for it is
    dbt's to say (its on-run-start checks), so that plain dbt and the job refuse alike."""
    requested = requested_as_of()
    if requested is None:
        folder = landing / "ad_spend"
        try:
            requested = latest_spend_date(landing)
        except duckdb.Error as error:
            raise UserError(
                f"Cannot read the spend files in {folder}: {first_line(str(error))}. Replace "
                "or remove the damaged file, then run again."
            ) from None
        if requested is None:
            raise UserError(
                f"No spend in {folder}: its files hold no spend row, so there is no as-of date "
                "to build. Deliver the ad_spend files, then run again."
            )
    from orchestration.partitions import OUTBOX_START, outbox_days

    if not outbox_days.has_partition_key(requested.isoformat()):
        raise UserError(
            f"No outbox day for the as-of date {requested}: as-of dates run from {OUTBOX_START} "
            "to today (UTC). Set AS_OF_DATE to a day in that range."
        )
    return requested


def full_refresh_requested() -> bool:
    return os.environ.get("FULL_REFRESH", "").strip().lower() in ("1", "true", "yes")


# --- The warehouse file ----------------------------------------------------------------------


def check_writer_free(warehouse: Path) -> None:
    """DuckDB takes one writer per file: say who holds it rather than fail inside dbt."""
    if not warehouse.exists():
        return
    try:
        duckdb.connect(str(warehouse)).close()
    except duckdb.IOException as error:
        if "lock" not in str(error).lower():
            raise
        holder = re.search(r"held in (.+?) \(PID (\d+)\)", str(error))
        who = f"{holder.group(1)}, PID {holder.group(2)}" if holder else "another process"
        raise UserError(
            f"The warehouse {warehouse} is in use by another process ({who}); DuckDB allows one "
            "writer. Close that process (BI tools open the published copy, not the warehouse) "
            "or wait for its run to end, then run again."
        ) from None


# --- The run ---------------------------------------------------------------------------------


def run_log_path(as_of: date, started: datetime) -> Path:
    return config.run_log_dir() / f"{started:%Y%m%dT%H%M%SZ}_as-of-{as_of.isoformat()}.log"


@contextmanager
def output_to(log_path: Path) -> Iterator[None]:
    """Everything written to stdout and stderr, by Python, Dagster and the dbt processes it
    starts, goes to the log file."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with log_path.open("a") as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
        try:
            yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


def dagster_instance() -> dg.DagsterInstance:
    """The project's persistent instance (DAGSTER_HOME, else .dagster_home), with the run queue
    settings of orchestration/dagster.yaml, as `make dagster-dev` prepares it."""
    import dagster as dg

    home = config.dagster_home()
    home.mkdir(parents=True, exist_ok=True)
    settings = config.PROJECT_DIR / "orchestration" / "dagster.yaml"
    if not (home / "dagster.yaml").exists() or home == config.PROJECT_DIR / ".dagster_home":
        shutil.copyfile(settings, home / "dagster.yaml")
    os.environ["DAGSTER_HOME"] = str(home)
    return dg.DagsterInstance.get()


def build(as_of: date, instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    """Run the Dagster job as of the date in this process; the result, failed or not."""
    from orchestration.definitions import defs
    from orchestration.schedules import daily_run_config

    run_config = daily_run_config(as_of.isoformat())
    run_config["ops"]["warehouse_dbt_build"]["config"]["full_refresh"] = full_refresh_requested()
    return defs.resolve_job_def("warehouse_build").execute_in_process(
        partition_key=as_of.isoformat(),
        instance=instance,
        raise_on_error=False,
        run_config={**run_config, "loggers": {"console": {"config": {"log_level": "INFO"}}}},
    )


def published_now(result: dg.ExecuteInProcessResult) -> bool:
    return any(
        event.asset_key is not None and event.asset_key.path[0] == "published"
        for event in result.get_asset_materialization_events()
    )


def first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def failures(result: dg.ExecuteInProcessResult) -> list[str]:
    """What stopped a run, as the run reported it, causes first: failed steps (a step's
    dg.Failure carries dbt's own messages, read from its artifacts), then failed checks."""
    import dagster as dg

    lines = []
    for event in result.get_step_failure_events():
        data = event.step_failure_data
        if data.error is not None and data.error.cls_name == "DagsterAssetCheckFailedError":
            continue  # listed below
        reported = data.user_failure_data.description if data.user_failure_data else None
        text = reported or (first_line(data.error.message) if data.error else "")
        lines.append(text or f"step {event.step_key} failed")
    for evaluation in result.get_asset_check_evaluations():
        if not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR:
            lines.append(
                f"check {evaluation.asset_key.to_user_string()}:{evaluation.check_name} failed"
                + (f": {evaluation.description}" if evaluation.description else "")
            )
    return lines


def run(accounts: int, days: int, seed: int) -> None:
    chosen = chosen_engine()
    if chosen == "spark":
        try:
            require_thrift_server()
        except SparkError as error:
            raise UserError(str(error)) from None
    if config.landing_configured():
        landing = configured_landing()
        print(f"Landing zone: {landing}")
    else:
        landing = sample_landing(accounts, days, seed)
        print(f"Landing zone: the generated sample in {landing} (set LANDING_DIR for real data)")
    warehouse, published = config.warehouse_path(), config.published_warehouse_path()
    # dbt reads both from the environment: it must read these.
    os.environ["LANDING_DIR"] = str(landing)
    os.environ["WAREHOUSE_PATH"] = str(warehouse)
    as_of = choose_as_of(landing)
    check_writer_free(warehouse)
    log_path = run_log_path(as_of, datetime.now(UTC))
    on = "" if chosen == "duckdb" else f" on {chosen} (tables read into {warehouse} after)"
    print(f"Building as of {as_of}{on} through Dagster (log: {log_path}).")
    with output_to(log_path):
        instance = dagster_instance()
        with instance:
            result = build(as_of, instance)
        problems = failures(result)
        for problem in problems:
            print(f"make run: {problem}", file=sys.stderr)
    prune(log_path.parent, "*_as-of-*.log", RUN_LOGS_KEPT)
    if not result.success:
        problem = problems[0] if problems else "the run failed"
        kept = "" if published_now(result) else f" The BI copy {published} was not replaced."
        raise UserError(f"{problem}{kept} Log: {log_path}")
    skipped = sorted(event.step_key for event in result.all_events if event.is_step_skipped)
    if published_now(result):
        print(f"Published for BI (open it read-only): {published}")
    elif skipped:
        raise UserError(
            f"Not published: the steps after the build were skipped ({', '.join(skipped)}),"
            f" because the build reported no result for some of its models or tests. The BI"
            f" copy {published} was not replaced. Log: {log_path}"
        )
    else:
        print(f"Not published: the BI copy at {published} is as of a later day than {as_of}.")
    from warehouse.summary import summary

    print(summary(warehouse))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=2000)
    parser.add_argument("--days", type=int, default=400)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--check-engine", action="store_true", help="only check WAREHOUSE_ENGINE, then exit"
    )
    args = parser.parse_args(argv)
    try:
        if args.check_engine:
            chosen_engine()
        else:
            run(args.accounts, args.days, args.seed)
    except UserError as error:
        print(f"make run: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
