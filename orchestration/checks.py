"""Asset checks beyond dbt's tests: the GX suites on the warehouse.

A GX suite is a check of the asset its suite names (orchestration/expectations.py). The
structural, reconciliation and volume suites are blocking: when one fails with an error, nothing
that depends on its asset runs in that run (the outbox's dbt step and the BI copy depend on the
marts and on the staged spend, so an incomplete day or a mart that disagrees with another stops
both). A volume band warns, without blocking, when the day is above it; the tier-mix shifts only
ever warn. dbt's data tests arrive as asset checks through dagster-dbt (blocking, severity
error) and run inside `dbt build`. Freshness over time: orchestration/freshness.py.

Every result carries its numbers as metadata (ints and floats), so that the UI plots them.
"""

import json
from collections.abc import Iterator
from datetime import date

import dagster as dg

from orchestration.as_of import DBT_VARS_TAG, requested_from_tags
from orchestration.expectations import SUITES, WARN, Outcome, Suite, read_build, run_suite
from orchestration.resources import WAREHOUSE_POOL, WarehouseResource
from orchestration.settings import BandSettings


def suite_key(suite: Suite) -> dg.AssetKey:
    return dg.AssetKey(list(suite.asset))


GX_CHECK_SPECS = {
    suite.name: dg.AssetCheckSpec(
        name=suite.name,
        asset=suite_key(suite),
        description=suite.description,
        blocking=suite.blocking,
    )
    for suite in SUITES
}


def requested_as_of(context: dg.AssetCheckExecutionContext) -> date | None:
    """The as-of date the run asked for, as its dbt step tagged it; None: dbt's default (the
    latest spend day) or a run without a dbt step."""
    return requested_from_tags(context.run.tags)


def first_recomputed_day(context: dg.AssetCheckExecutionContext) -> date | None:
    """The first day the run's dbt step recomputed (None: all of them, or not known)."""
    tagged = context.run.tags.get(DBT_VARS_TAG)
    value = json.loads(tagged).get("recompute_from") if tagged else None
    return date.fromisoformat(value) if value else None


def check_result(outcome: Outcome, suite: Suite) -> dg.AssetCheckResult:
    warn = outcome.severity == WARN
    severity = dg.AssetCheckSeverity.WARN if warn else dg.AssetCheckSeverity.ERROR
    return dg.AssetCheckResult(
        check_name=outcome.suite,
        asset_key=suite_key(suite),
        passed=outcome.success,
        severity=severity,
        description=outcome.message,
        metadata={
            **outcome.metrics,
            "rows_validated": outcome.rows,
            "expectations": outcome.evaluated,
            "failed_expectations": len(outcome.failures),
            # Not "failures": `make run` prints that key's value instead of the description,
            # and the description is the sentence with the numbers.
            "failed_expectation_details": dg.MetadataValue.json(outcome.failures),
        },
    )


@dg.multi_asset_check(
    specs=list(GX_CHECK_SPECS.values()),
    name="great_expectations_suites",
    can_subset=True,
    pool=WAREHOUSE_POOL,
)
def great_expectations_suites(
    context: dg.AssetCheckExecutionContext,
    warehouse: WarehouseResource,
    check_bands: BandSettings,
) -> Iterator[dg.AssetCheckResult]:
    selected = {key.name for key in context.selected_asset_check_keys}
    with warehouse.connect(read_only=True) as connection:
        build = read_build(
            connection, requested_as_of(context), check_bands, first_recomputed_day(context)
        )
        for suite in SUITES:
            if suite.name in selected:
                outcome = run_suite(connection, suite, build)
                if not outcome.success:
                    log = context.log.warning if outcome.severity == WARN else context.log.error
                    log(f"GX suite {suite.name} failed: {outcome.message}")
                yield check_result(outcome, suite)


ASSET_CHECKS = [great_expectations_suites]
