"""`make run`: make sure there is a landing zone, then run the warehouse through Dagster.

One in-process run of the Dagster job (orchestration/jobs.py) for one as-of date: observe the
landing zone, dbt build with its tests as checks, the GX suites, the notifications outbox and
the BI copy. It prints where the BI copy is and the summary; dbt's and Dagster's detailed
output goes to logs/make_run.log. The as-of date is AS_OF_DATE when set, else the latest
spend_date in the landing zone.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from warehouse.config import PROJECT_DIR, landing_dir, published_warehouse_path, warehouse_path
from warehouse.summary import summary

if TYPE_CHECKING:
    import dagster as dg

LOG_PATH = PROJECT_DIR / "logs" / "make_run.log"


def ensure_landing(landing: Path, accounts: int, days: int, seed: int) -> None:
    """Generate a sample landing zone when none is given (no accounts folder with data)."""
    if any((landing / "accounts").glob("*.parquet")):
        print(f"Landing zone: {landing}")
        return
    from warehouse.generate import generate

    print(
        f"No landing zone at {landing}: generating a sample ({accounts:,} accounts, {days} days)."
    )
    generate(
        landing, accounts=accounts, days=days, seed=seed, end_date=date.today() - timedelta(days=1)
    )


def default_as_of(landing: Path) -> date:
    """AS_OF_DATE when set, else the latest spend_date in the landing zone."""
    requested = os.environ.get("AS_OF_DATE")
    if requested:
        return date.fromisoformat(requested)
    connection = duckdb.connect()
    try:
        row = connection.execute(
            "select max(spend_date) from read_parquet(?, union_by_name = true)",
            [str(landing / "ad_spend" / "*.parquet")],
        ).fetchone()
    finally:
        connection.close()
    if row is None or row[0] is None:
        raise SystemExit(f"No spend in {landing / 'ad_spend'}: set AS_OF_DATE.")
    return row[0]


def build(as_of: date, log_path: Path = LOG_PATH) -> dg.ExecuteInProcessResult:
    """Run the Dagster job for the as-of date in this process; the result, failed or not."""
    import dagster as dg

    from orchestration.partitions import AS_OF_START, as_of_partitions

    key = as_of.isoformat()
    if not as_of_partitions.has_partition_key(key):
        raise SystemExit(f"No partition {key}: as-of dates run from {AS_OF_START} to today.")
    # With DAGSTER_HOME set (as `make dagster-dev` does), the run shows in the UI's history.
    instance = (
        dg.DagsterInstance.get()
        if os.environ.get("DAGSTER_HOME")
        else dg.DagsterInstance.ephemeral()
    )
    log_path.parent.mkdir(parents=True, exist_ok=True)
    # dbt's output and Dagster's event log go to the log file; main() prints what matters.
    with (
        log_path.open("w") as log,
        contextlib.redirect_stdout(log),
        contextlib.redirect_stderr(log),
    ):
        from orchestration.definitions import defs

        return defs.resolve_job_def("warehouse_build").execute_in_process(
            partition_key=key,
            instance=instance,
            raise_on_error=False,
            run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
        )


def published_now(result: dg.ExecuteInProcessResult) -> bool:
    return any(
        event.asset_key is not None and event.asset_key.path[0] == "published"
        for event in result.get_asset_materialization_events()
    )


def failures(result: dg.ExecuteInProcessResult) -> list[str]:
    """What stopped a run: failed checks and failed steps, one line each."""
    lines = []
    for evaluation in result.get_asset_check_evaluations():
        if not evaluation.passed:
            details = evaluation.metadata.get("failures")
            why = details.value if details is not None else evaluation.description
            lines.append(
                f"check {evaluation.asset_key.to_user_string()}:{evaluation.check_name} failed"
                + (f": {why}" if why else "")
            )
    for event in result.get_step_failure_events():
        error = event.step_failure_data.error
        if error is not None and error.cls_name == "DagsterAssetCheckFailedError":
            continue  # listed above
        message = error.message.strip().splitlines()[0] if error else ""
        lines.append(f"step {event.step_key} failed: {message}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=2000)
    parser.add_argument("--days", type=int, default=400)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    landing, warehouse = landing_dir(), warehouse_path()
    ensure_landing(landing, args.accounts, args.days, args.seed)
    as_of = default_as_of(landing)
    print(f"Building as of {as_of} through Dagster (details in {LOG_PATH}).")
    result = build(as_of)
    published = published_warehouse_path()
    if not result.success:
        print(f"The run failed (see {LOG_PATH}):", file=sys.stderr)
        for line in failures(result):
            print(f"  {line}", file=sys.stderr)
        if not published_now(result):
            print(f"The BI copy at {published} was left as it was.", file=sys.stderr)
        raise SystemExit(1)
    if published_now(result):
        print(f"Published for BI (open it read-only): {published}")
    else:
        print(f"Not published: the BI copy at {published} is as of a later day than {as_of}.")
    print(summary(warehouse))


if __name__ == "__main__":
    main()
