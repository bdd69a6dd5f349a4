"""Asset checks beyond dbt's tests: the GX suites on the marts, and landing freshness.

Every check here is blocking: when one fails, nothing downstream of the asset it checks runs
in that run (the outbox and the BI copy depend on the marts). dbt's data tests arrive as
asset checks through dagster-dbt (blocking too, severity error) and run inside `dbt build`.
"""

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb

from orchestration.as_of import window_from_tags
from orchestration.assets.dbt import mart_key
from orchestration.assets.landing import LANDING_SPECS
from orchestration.expectations import SUITES, Outcome, read_build, run_suite
from orchestration.resources import WarehouseResource
from warehouse.landing import latest_spend_date

GX_CHECK_SPECS = {
    suite.name: dg.AssetCheckSpec(
        name=suite.name,
        asset=mart_key(suite.table),
        description=suite.description,
        blocking=True,
    )
    for suite in SUITES
}


def requested_as_of(context: dg.AssetCheckExecutionContext) -> date | None:
    """The as-of date the run asked for (the last day of its window); None without one."""
    window = window_from_tags(context.run.tags)
    return window.last if window else None


def check_result(outcome: Outcome, table: str) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(
        check_name=outcome.suite,
        asset_key=mart_key(table),
        passed=outcome.success,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "rows_validated": outcome.rows,
            "expectations": outcome.evaluated,
            "failed_expectations": len(outcome.failures),
            "failures": dg.MetadataValue.json(outcome.failures),
        },
    )


@dg.multi_asset_check(
    specs=list(GX_CHECK_SPECS.values()),
    name="great_expectations_suites",
    can_subset=True,
)
def great_expectations_suites(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
) -> Iterator[dg.AssetCheckResult]:
    selected = {key.name for key in context.selected_asset_check_keys}
    with warehouse.connect(read_only=True) as connection:
        build = read_build(connection, requested_as_of(context))
        for suite in SUITES:
            if suite.name in selected:
                outcome = run_suite(connection, suite, build)
                if not outcome.success:
                    context.log.error(f"GX suite {suite.name} failed: {outcome.failures}")
                yield check_result(outcome, suite.table)


AD_SPEND = LANDING_SPECS["ad_spend"].key


@dg.asset_check(asset=AD_SPEND, name="spend_reported_for_as_of_date", blocking=True)
def spend_reported_for_as_of_date(
    context: dg.AssetCheckExecutionContext, warehouse: WarehouseResource
) -> dg.AssetCheckResult:
    """The landing zone has spend dated on the run's as-of date. Checked before dbt builds
    anything: without it, the as-of day would read as a day of zero spend for every account.
    dbt's on-run-start hook (assert_as_of_date_has_spend) holds the same rule for plain dbt."""
    as_of = requested_as_of(context)
    folder = Path(warehouse.landing_dir) / "ad_spend"
    try:
        latest = latest_spend_date(Path(warehouse.landing_dir))
        problem = None
    except duckdb.Error as error:
        latest, problem = None, f"Cannot read the spend files in {folder}: {error}"
    passed = latest is not None and (as_of is None or latest >= as_of)
    if not passed and problem is None:
        problem = (
            f"No spend in {folder}."
            if latest is None
            else f"The as-of date {as_of} is after the latest spend in {folder} ({latest}): "
            f"run the partition {latest} or earlier, or wait for the spend of {as_of}."
        )
    return dg.AssetCheckResult(
        passed=passed,
        metadata={
            "latest_spend_date": str(latest),
            "as_of_date": str(as_of),
            "files": len(list(folder.glob("*.parquet"))),
        },
        description=problem,
    )


ASSET_CHECKS = [great_expectations_suites, spend_reported_for_as_of_date]
