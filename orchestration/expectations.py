"""Great Expectations suites on the marts (GX Core 1.x, pandas datasource, ephemeral context).

Each suite pairs a DuckDB query with the expectations its result must meet. DuckDB does the
data work and hands GX a small frame: one partition (the rows of the as-of day), per-key
aggregates, or a few columns of a table that has no daily grain; never the whole daily history.
GX's SQL datasource cannot read DuckDB, so frames go through its pandas datasource.

The suites are declared as data (expectation type and arguments), so that importing this
module, and the Dagster definitions, does not import GX; GX is imported on first validation.
What the marts must hold is RULES.md section 12 (the reading contract): tier codes, statuses,
ranges, keys, and one row per account and day from joining to the as-of date.
"""

from __future__ import annotations

import functools
import operator
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

import duckdb

if TYPE_CHECKING:
    import pandas as pd
    from great_expectations.core.batch_definition import BatchDefinition
    from great_expectations.data_context import AbstractDataContext

# The reading contract's codes (RULES.md 12), deliberately not read from the seeds: a bad
# code in a seed must fail here too.
TIER_CODES = ["none", "essential", "classic", "premium"]
TIERS_AT_RISK = ["essential", "classic", "premium"]
SPEND_BASES = ["historical_any_creative", "tiktok_one_creative"]
CHANGE_TYPES = ["initial", "upgrade", "downgrade"]
WARNING_OUTCOMES = ["recovered", "downgraded", "pending"]
MONEY_COLUMNS = [
    "spend_usd",
    "any_spend_usd",
    "rolling_30d_tiktok_one_spend_usd",
    "rolling_30d_any_spend_usd",
    "qualifying_spend_usd",
]


@dataclass(frozen=True)
class Build:
    """What a suite needs to know about the build it judges."""

    as_of_date: date
    requested_as_of: date
    member_accounts: int

    @property
    def as_of_moment(self) -> datetime:
        """The as-of date as pandas compares it (DuckDB dates arrive as datetime64)."""
        return datetime.combine(self.as_of_date, time())


def read_build(connection: duckdb.DuckDBPyConnection, requested_as_of: date | None) -> Build:
    row = connection.execute(
        """
        with as_of as (select as_of_date from intermediate.int_as_of_date)
        select
            (select as_of_date from as_of),
            -- From the joining dates, not is_tiktok_one_member, which comes from the daily tiers.
            (select count(*) from marts.dim_accounts, as_of
                where tiktok_one_joined_on <= as_of.as_of_date),
        """
    ).fetchone()
    if row is None or row[0] is None:
        raise ValueError("the warehouse has no as-of date (intermediate.int_as_of_date)")
    return Build(row[0], requested_as_of or row[0], int(row[1]))


@dataclass(frozen=True)
class Where:
    """A row condition, `column <operator> value` (GX builds it as a Condition object)."""

    column: str
    operator: str
    value: Any


@dataclass(frozen=True)
class Expect:
    """One expectation as GX configures it: `expect_<kind>`, its arguments, and optionally
    the rows it applies to."""

    kind: str
    kwargs: Mapping[str, Any] = field(default_factory=dict)
    where: Where | None = None


def expect(kind: str, where: Where | None = None, **kwargs: Any) -> Expect:
    return Expect(f"expect_{kind}", kwargs, where)


@dataclass(frozen=True)
class Suite:
    name: str
    table: str
    description: str
    sql: str
    expectations: Callable[[Build], list[Expect]]
    # The query's named parameters, from the build.
    params: Callable[[Build], dict[str, Any]] = lambda build: {}


def not_null(*columns: str) -> list[Expect]:
    return [expect("column_values_to_not_be_null", column=column) for column in columns]


def in_set(column: str, values: list[str]) -> Expect:
    return expect("column_values_to_be_in_set", column=column, value_set=values)


def a_after_b(column_a: str, column_b: str, or_equal: bool = False) -> Expect:
    """A > B (or >=) on every row where both are present."""
    return expect(
        "column_pair_values_a_to_be_greater_than_b",
        column_A=column_a,
        column_B=column_b,
        or_equal=or_equal,
        ignore_row_if="either_value_is_missing",
    )


def pair_equal(column_a: str, column_b: str, **kwargs: Any) -> Expect:
    return expect("column_pair_values_to_be_equal", column_A=column_a, column_B=column_b, **kwargs)


def where(column: str, comparison: str, value: Any) -> dict[str, Where]:
    """Restrict an expectation to the rows where `column <operator> value`."""
    return {"where": Where(column, comparison, value)}


TIER_DAILY_AS_OF_DAY = Suite(
    name="gx_as_of_day",
    table="fct_account_tier_daily",
    description=(
        "The as-of day's partition: one row per TikTok One member, tier codes and bases from "
        "the reading contract, ranks 0-3, tier at or above the qualified tier, days below "
        "tier 0-29, no negative money."
    ),
    sql="""
        select
            account_id,
            spend_basis,
            qualified_tier,
            tier,
            qualified_tier_rank,
            tier_rank,
            spend_usd,
            any_spend_usd,
            rolling_30d_tiktok_one_spend_usd,
            rolling_30d_any_spend_usd,
            qualifying_spend_usd,
            days_below_tier,
        from marts.fct_account_tier_daily
        where date_day = $as_of
    """,
    params=lambda build: {"as_of": build.as_of_date},
    expectations=lambda build: [
        expect("table_row_count_to_equal", value=build.member_accounts),
        *not_null("account_id", "tier", "qualified_tier", "spend_basis", *MONEY_COLUMNS),
        expect("column_values_to_be_unique", column="account_id"),
        in_set("tier", TIER_CODES),
        in_set("qualified_tier", TIER_CODES),
        in_set("spend_basis", SPEND_BASES),
        expect("column_values_to_be_between", column="tier_rank", min_value=0, max_value=3),
        expect(
            "column_values_to_be_between", column="qualified_tier_rank", min_value=0, max_value=3
        ),
        a_after_b("tier_rank", "qualified_tier_rank", or_equal=True),
        expect("column_values_to_be_between", column="days_below_tier", min_value=0, max_value=29),
        *[
            expect("column_values_to_be_between", column=column, min_value=0)
            for column in MONEY_COLUMNS
        ],
    ],
)

TIER_DAILY_SPINE = Suite(
    name="gx_account_day_spine",
    table="fct_account_tier_daily",
    description=(
        "The account-day spine, per account: as_of - joined_on + 1 rows, one per day, from "
        "the joining day to the as-of date with no gap (keys unique and increasing by one "
        "day); every TikTok One member of dim_accounts has rows and no one else does."
    ),
    sql="""
        with

        members as (
            select account_id, tiktok_one_joined_on as joined_on
            from marts.dim_accounts
            where tiktok_one_joined_on <= $as_of
        ),

        days as (
            select
                account_id,
                date_day,
                date_diff('day', lag(date_day) over (
                    partition by account_id order by date_day
                ), date_day) as step_days,
            from marts.fct_account_tier_daily
        ),

        per_account as (
            select
                account_id,
                count(*) as day_rows,
                count(distinct date_day) as distinct_days,
                min(date_day) as first_day,
                max(date_day) as last_day,
                min(step_days) as min_step_days,
                max(step_days) as max_step_days,
            from days
            group by account_id
        )

        select
            coalesce(members.account_id, per_account.account_id) as account_id,
            members.joined_on,
            date_diff('day', members.joined_on, cast($as_of as date)) + 1 as expected_rows,
            per_account.day_rows,
            per_account.distinct_days,
            per_account.first_day,
            per_account.last_day,
            per_account.min_step_days,
            per_account.max_step_days,
        from members
        full outer join per_account
            on members.account_id = per_account.account_id
    """,
    params=lambda build: {"as_of": build.as_of_date},
    expectations=lambda build: [
        expect("table_row_count_to_equal", value=build.member_accounts),
        *not_null("account_id", "joined_on", "day_rows"),
        expect("column_values_to_be_unique", column="account_id"),
        pair_equal("day_rows", "expected_rows"),
        pair_equal("distinct_days", "day_rows"),
        pair_equal("first_day", "joined_on"),
        expect(
            "column_values_to_be_between",
            column="last_day",
            min_value=build.as_of_moment,
            max_value=build.as_of_moment,
        ),
        expect("column_values_to_be_between", column="min_step_days", min_value=1, max_value=1),
        expect("column_values_to_be_between", column="max_step_days", min_value=1, max_value=1),
    ],
)

AS_OF_FRESHNESS = Suite(
    name="gx_as_of_freshness",
    table="fct_account_tier_daily",
    description=(
        "The build is as of the run's date: the as-of date is the one requested, the daily "
        "tiers reach it, and spend was reported for that day (a day missing from the landing "
        "zone would read as a day of zero spend and raise false warnings)."
    ),
    sql="""
        select
            (select as_of_date from intermediate.int_as_of_date) as as_of_date,
            cast($requested as date) as requested_as_of,
            (select max(date_day) from marts.fct_account_tier_daily) as latest_tier_day,
            (select max(date_day) from intermediate.int_account_spend_daily) as latest_spend_day,
    """,
    params=lambda build: {"requested": build.requested_as_of},
    expectations=lambda build: [
        expect("table_row_count_to_equal", value=1),
        pair_equal("as_of_date", "requested_as_of"),
        pair_equal("latest_tier_day", "as_of_date"),
        pair_equal("latest_spend_day", "as_of_date"),
    ],
)

TIER_CHANGES = Suite(
    name="gx_tier_changes",
    table="fct_tier_changes",
    description=(
        "Change types and tier codes from the contract; per account, one initial change "
        "first, then effective dates strictly increasing, each change starting from the tier "
        "the previous one ended on; nothing after the as-of date."
    ),
    sql="""
        select
            account_id,
            effective_date,
            from_tier,
            to_tier,
            change_type,
            lag(to_tier) over by_account as previous_to_tier,
            lag(effective_date) over by_account as previous_effective_date,
            row_number() over by_account as change_number,
        from marts.fct_tier_changes
        window by_account as (partition by account_id order by effective_date)
    """,
    expectations=lambda build: [
        *not_null("account_id", "effective_date", "to_tier", "change_type"),
        in_set("change_type", CHANGE_TYPES),
        in_set("from_tier", TIER_CODES),
        in_set("to_tier", TIER_CODES),
        expect("compound_columns_to_be_unique", column_list=["account_id", "effective_date"]),
        a_after_b("effective_date", "previous_effective_date"),
        pair_equal("from_tier", "previous_to_tier", ignore_row_if="either_value_is_missing"),
        expect(
            "column_values_to_be_in_set",
            column="change_type",
            value_set=["initial"],
            **where("change_number", "==", 1),
        ),
        expect(
            "column_values_to_be_in_set",
            column="change_type",
            value_set=["upgrade", "downgrade"],
            **where("change_number", ">", 1),
        ),
        expect(
            "column_values_to_be_between", column="effective_date", max_value=build.as_of_moment
        ),
    ],
)

DOWNGRADE_WARNINGS = Suite(
    name="gx_downgrade_warnings",
    table="fct_downgrade_warnings",
    description=(
        "Tiers at risk and outcomes from the contract; one warning per account and day; "
        "below_since < warning_date < scheduled_downgrade_date; a pending warning is "
        "unresolved and any other is resolved, never after the as-of date."
    ),
    sql="""
        select
            account_id,
            warning_date,
            tier_at_risk,
            projected_tier,
            outcome,
            below_since,
            scheduled_downgrade_date,
            resolved_on,
        from marts.fct_downgrade_warnings
    """,
    expectations=lambda build: [
        *not_null("account_id", "warning_date", "tier_at_risk", "projected_tier", "outcome"),
        in_set("tier_at_risk", TIERS_AT_RISK),
        in_set("projected_tier", TIER_CODES),
        in_set("outcome", WARNING_OUTCOMES),
        expect("compound_columns_to_be_unique", column_list=["account_id", "warning_date"]),
        a_after_b("warning_date", "below_since"),
        a_after_b("scheduled_downgrade_date", "warning_date"),
        expect(
            "column_values_to_be_null", column="resolved_on", **where("outcome", "==", "pending")
        ),
        expect(
            "column_values_to_not_be_null",
            column="resolved_on",
            **where("outcome", "!=", "pending"),
        ),
        expect("column_values_to_be_between", column="warning_date", max_value=build.as_of_moment),
        expect("column_values_to_be_between", column="resolved_on", max_value=build.as_of_moment),
    ],
)

TIER_PERIODS = Suite(
    name="gx_tier_periods",
    table="dim_account_tier_periods",
    description=(
        "Tier codes from the contract; per account, periods that start the day after the "
        "previous one ends, end on or after they start, and exactly one current period per "
        "TikTok One member."
    ),
    sql="""
        select
            account_id,
            tier,
            valid_from,
            valid_to,
            is_current,
            lag(valid_to) over by_account + 1 as day_after_previous_period,
        from marts.dim_account_tier_periods
        window by_account as (partition by account_id order by valid_from)
    """,
    expectations=lambda build: [
        *not_null("account_id", "tier", "valid_from", "is_current"),
        in_set("tier", TIER_CODES),
        expect("compound_columns_to_be_unique", column_list=["account_id", "valid_from"]),
        a_after_b("valid_to", "valid_from", or_equal=True),
        pair_equal(
            "valid_from", "day_after_previous_period", ignore_row_if="either_value_is_missing"
        ),
        expect(
            "column_values_to_be_unique", column="account_id", **where("is_current", "==", True)
        ),
        expect("column_values_to_be_null", column="valid_to", **where("is_current", "==", True)),
    ],
)

ACCOUNTS = Suite(
    name="gx_accounts",
    table="dim_accounts",
    description=(
        "One row per account; the current tier is a contract code for every TikTok One "
        "member and null for everyone else; days below tier 0-29."
    ),
    sql="""
        select
            account_id,
            tier,
            days_below_tier,
            is_tiktok_one_member,
            coalesce(tiktok_one_joined_on <= $as_of, false) as has_joined_by_as_of,
        from marts.dim_accounts
    """,
    params=lambda build: {"as_of": build.as_of_date},
    expectations=lambda build: [
        expect("table_row_count_to_be_between", min_value=build.member_accounts),
        *not_null("account_id", "is_tiktok_one_member"),
        pair_equal("is_tiktok_one_member", "has_joined_by_as_of"),
        expect("column_values_to_be_unique", column="account_id"),
        in_set("tier", TIER_CODES),
        expect(
            "column_values_to_not_be_null",
            column="tier",
            **where("is_tiktok_one_member", "==", True),
        ),
        expect(
            "column_values_to_be_null", column="tier", **where("is_tiktok_one_member", "==", False)
        ),
        expect("column_values_to_be_between", column="days_below_tier", min_value=0, max_value=29),
    ],
)

CREATIVE_REQUESTS = Suite(
    name="gx_creative_requests",
    table="fct_creative_requests",
    description=(
        "One row per request; the tier is a contract code; creatives within and over the cap "
        "are not negative and what fits is never more than the weekly cap."
    ),
    sql="""
        select request_id, tier, weekly_cap, creatives_within_cap, creatives_over_cap
        from marts.fct_creative_requests
    """,
    expectations=lambda build: [
        *not_null("request_id", "tier", "weekly_cap"),
        expect("column_values_to_be_unique", column="request_id"),
        in_set("tier", TIER_CODES),
        expect("column_values_to_be_between", column="creatives_within_cap", min_value=0),
        expect("column_values_to_be_between", column="creatives_over_cap", min_value=0),
        a_after_b("weekly_cap", "creatives_within_cap", or_equal=True),
    ],
)

SUITES: tuple[Suite, ...] = (
    TIER_DAILY_AS_OF_DAY,
    TIER_DAILY_SPINE,
    AS_OF_FRESHNESS,
    TIER_CHANGES,
    DOWNGRADE_WARNINGS,
    TIER_PERIODS,
    ACCOUNTS,
    CREATIVE_REQUESTS,
)


@dataclass(frozen=True)
class Outcome:
    """A suite's verdict, with what failed, ready for an asset check's metadata."""

    suite: str
    success: bool
    rows: int
    evaluated: int
    failures: list[dict[str, Any]]


@functools.cache
def _context() -> AbstractDataContext:
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
    )
    context = gx.get_context(mode="ephemeral", project_config=config)
    context.data_sources.add_pandas("warehouse")
    return context


@functools.cache
def _batch_definition(suite_name: str) -> BatchDefinition:
    from great_expectations.datasource.fluent import PandasDatasource

    datasource = _context().data_sources.get("warehouse")
    assert isinstance(datasource, PandasDatasource)
    asset = datasource.add_dataframe_asset(suite_name)
    return asset.add_batch_definition_whole_dataframe(suite_name)


def _failure(result: Any) -> dict[str, Any]:
    config = result.expectation_config
    details = result.result or {}
    failure: dict[str, Any] = {
        "expectation": config.type,
        "kwargs": {
            key: str(value)
            for key, value in config.kwargs.items()
            if key not in ("batch_id", "value_set")
        },
    }
    for key in ("observed_value", "unexpected_count"):
        if details.get(key) is not None:
            failure[key] = str(details[key])
    if details.get("partial_unexpected_list"):
        failure["sample"] = [str(value) for value in details["partial_unexpected_list"][:5]]
    if result.exception_info and result.exception_info.get("raised_exception"):
        failure["exception"] = str(result.exception_info.get("exception_message"))
    return failure


# A Where's operator, applied to GX's Column, gives GX's row condition object.
COMPARISONS: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
}


def _kwargs(item: Expect) -> dict[str, Any]:
    from great_expectations.expectations.row_conditions import Column

    kwargs = dict(item.kwargs)
    if item.where is not None:
        compare = COMPARISONS[item.where.operator]
        kwargs["row_condition"] = compare(Column(item.where.column), item.where.value)
    return kwargs


def validate_frame(suite: Suite, frame: pd.DataFrame, build: Build) -> Outcome:
    """Validate a frame against a suite's expectations with GX."""
    import great_expectations as gx
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    gx_suite = gx.ExpectationSuite(
        name=suite.name,
        expectations=[
            ExpectationConfiguration(type=item.kind, kwargs=_kwargs(item)).to_domain_obj()
            for item in suite.expectations(build)
        ],
    )
    batch = _batch_definition(suite.name).get_batch(batch_parameters={"dataframe": frame})
    result = batch.validate(gx_suite)
    failures = [_failure(item) for item in result.results if not item.success]
    return Outcome(suite.name, bool(result.success), len(frame), len(result.results), failures)


def run_suite(connection: duckdb.DuckDBPyConnection, suite: Suite, build: Build) -> Outcome:
    """Query the suite's frame from the warehouse and validate it."""
    frame = connection.execute(suite.sql, suite.params(build)).df()
    return validate_frame(suite, frame, build)
