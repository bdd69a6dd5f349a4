"""Great Expectations suites on the warehouse (GX Core 1.x, pandas datasource, ephemeral context).

Each suite pairs a DuckDB query with an ExpectationSuite of GX expectation classes. DuckDB does
the data work and hands GX a small frame: per-key or per-day aggregates, one row per measure of
a band, never the daily history. GX's SQL datasource cannot read DuckDB, so every suite has a
dataframe asset on the pandas datasource and a ValidationDefinition, run with the frame as its
batch parameter and the build's values (the as-of date, the member count) as expectation
parameters: the suites are declared once and do not change from run to run.

The suites check what dbt's tests cannot: the run's dates (freshness), sequences across rows
(the account-day spine, tier changes, tier periods), cross-table reconciliation, and bands
over history (volume of a landing source, shifts in the tier mix). Codes, keys and ranges are
the dbt tests' (the models' YAML and the seeds are their one source of truth), not repeated here.

An expectation is an error unless its `meta` says `{"severity": "warn"}`: a suite whose failed
expectations are all warnings gives a warning (orchestration/checks.py). GX is imported on the
first validation, so that loading the Dagster definitions does not import it.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

import duckdb

from orchestration.bands import (
    AD_SPEND_VOLUME,
    CREATOR_STATS_VOLUME,
    NEW_DOWNGRADE_WARNINGS,
    NEWLY_MISSING_SPEND_MATCH,
    TIER_CHANGE_SHARE,
    Band,
)
from orchestration.settings import BandSettings

if TYPE_CHECKING:
    import pandas as pd
    from great_expectations.core.validation_definition import ValidationDefinition
    from great_expectations.data_context import AbstractDataContext
    from great_expectations.expectations import Expectation

ERROR = "error"
WARN = "warn"


@dataclass(frozen=True)
class Build:
    """What a suite needs to know about the build it judges."""

    as_of_date: date
    requested_as_of: date
    member_accounts: int
    bands: BandSettings = field(default_factory=BandSettings)
    # The first day the run recomputed (date.min after a full refresh, or when unknown): the
    # suites over days check those days, as the dbt tests do (checks sized like the run).
    first_recomputed_day: date = date.min

    @property
    def as_of_moment(self) -> datetime:
        """The as-of date as pandas compares it (DuckDB dates arrive as datetime64)."""
        return datetime.combine(self.as_of_date, time())

    def expectation_parameters(self) -> dict[str, Any]:
        """The values the suites' `$PARAMETER`s take for this build."""
        return {"as_of": self.as_of_moment, "member_accounts": self.member_accounts}


def read_build(
    connection: duckdb.DuckDBPyConnection,
    requested_as_of: date | None,
    bands: BandSettings | None = None,
    first_recomputed_day: date | None = None,
) -> Build:
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
    return Build(
        row[0],
        requested_as_of or row[0],
        int(row[1]),
        bands or BandSettings(),
        first_recomputed_day or date.min,
    )


def param(name: str) -> dict[str, str]:
    """A value given at validation time (Build.expectation_parameters)."""
    return {"$PARAMETER": name}


@dataclass(frozen=True)
class Suite:
    name: str
    # The asset the check is on: [schema, table].
    asset: tuple[str, str]
    description: str
    sql: str
    # The GX expectations (classes of great_expectations.expectations), built on first use.
    expectations: Callable[[], list[Expectation]]
    # The query's named parameters, from the build.
    params: Callable[[Build], dict[str, Any]] = lambda build: {}
    # The numbers the check reports (floats and ints, so that the Dagster UI plots them).
    metrics: Callable[[pd.DataFrame], dict[str, float | int]] = lambda frame: {}
    # What went wrong, in a sentence, from the frame's failed rows (None: GX's failures only).
    explain: Callable[[pd.DataFrame, Build], str] | None = None
    # A blocking suite stops what depends on its asset when it fails with an error.
    blocking: bool = True
    # A band the suite judges (volume or shift), for its messages.
    band: Band | None = None


@dataclass(frozen=True)
class Outcome:
    """A suite's verdict, with what failed, ready for an asset check's result."""

    suite: str
    success: bool
    severity: str  # ERROR or WARN: the worst failed expectation's (ERROR when it passed)
    rows: int
    evaluated: int
    failures: list[dict[str, Any]]
    metrics: dict[str, float | int]
    message: str | None = None


# ---------------------------------------------------------------------------------------------
# Structure across rows
# ---------------------------------------------------------------------------------------------


def _spine_expectations() -> list[Expectation]:
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectTableRowCountToEqual(value=param("member_accounts")),
        *[
            gxe.ExpectColumnValuesToNotBeNull(column=column)
            for column in ("account_id", "joined_on", "day_rows")
        ],
        gxe.ExpectColumnValuesToBeUnique(column="account_id"),
        gxe.ExpectColumnPairValuesToBeEqual(column_A="day_rows", column_B="expected_rows"),
        gxe.ExpectColumnPairValuesToBeEqual(column_A="distinct_days", column_B="day_rows"),
        gxe.ExpectColumnPairValuesToBeEqual(column_A="first_day", column_B="expected_first_day"),
        gxe.ExpectColumnValuesToBeBetween(
            column="last_day", min_value=param("as_of"), max_value=param("as_of")
        ),
        gxe.ExpectColumnValuesToBeBetween(column="min_step_days", min_value=1, max_value=1),
        gxe.ExpectColumnValuesToBeBetween(column="max_step_days", min_value=1, max_value=1),
    ]


TIER_DAILY_SPINE = Suite(
    name="gx_account_day_spine",
    asset=("marts", "fct_account_tier_daily"),
    description=(
        "The account-day spine, per account: one row per day from the joining day (or the "
        "first day the run recomputed, after it) to the as-of date with no gap (keys unique "
        "and increasing by one day); every TikTok One member of dim_accounts has rows and no "
        "one else does."
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
            where date_day >= $first_day
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
            greatest(members.joined_on, cast($first_day as date)) as expected_first_day,
            date_diff(
                'day', greatest(members.joined_on, cast($first_day as date)), cast($as_of as date)
            ) + 1 as expected_rows,
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
    params=lambda build: {"as_of": build.as_of_date, "first_day": build.first_recomputed_day},
    expectations=_spine_expectations,
    metrics=lambda frame: {"accounts": len(frame)},
)


def _freshness_expectations() -> list[Expectation]:
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectTableRowCountToEqual(value=1),
        gxe.ExpectColumnPairValuesToBeEqual(column_A="as_of_date", column_B="requested_as_of"),
        gxe.ExpectColumnPairValuesToBeEqual(column_A="latest_tier_day", column_B="as_of_date"),
        gxe.ExpectColumnPairValuesToBeEqual(column_A="latest_spend_day", column_B="as_of_date"),
    ]


AS_OF_FRESHNESS = Suite(
    name="gx_as_of_freshness",
    asset=("marts", "fct_account_tier_daily"),
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
            -- The staged spend holds days after an earlier as-of date too (not cut there).
            (select max(date_day) from intermediate.int_account_spend_daily
                where date_day <= cast((select as_of_date from intermediate.int_as_of_date)
                    as date)) as latest_spend_day,
    """,
    params=lambda build: {"requested": build.requested_as_of},
    expectations=_freshness_expectations,
)


def _tier_change_expectations() -> list[Expectation]:
    import great_expectations.expectations as gxe
    from great_expectations.expectations.row_conditions import Column

    return [
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="effective_date",
            column_B="previous_effective_date",
            ignore_row_if="either_value_is_missing",
        ),
        gxe.ExpectColumnPairValuesToBeEqual(
            column_A="from_tier",
            column_B="previous_to_tier",
            ignore_row_if="either_value_is_missing",
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="change_type", value_set=["initial"], row_condition=Column("change_number") == 1
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="change_type",
            value_set=["upgrade", "downgrade"],
            row_condition=Column("change_number") > 1,
        ),
        gxe.ExpectColumnValuesToBeBetween(column="effective_date", max_value=param("as_of")),
    ]


TIER_CHANGES = Suite(
    name="gx_tier_changes",
    asset=("marts", "fct_tier_changes"),
    description=(
        "Per account, the changes as a sequence: one initial change first, then effective "
        "dates strictly increasing, each change starting from the tier the previous one "
        "ended on; nothing after the as-of date."
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
    expectations=_tier_change_expectations,
    metrics=lambda frame: {"changes": len(frame)},
)


def _tier_period_expectations() -> list[Expectation]:
    import great_expectations.expectations as gxe
    from great_expectations.expectations.row_conditions import Column

    return [
        gxe.ExpectColumnPairValuesToBeEqual(
            column_A="valid_from",
            column_B="day_after_previous_period",
            ignore_row_if="either_value_is_missing",
        ),
        gxe.ExpectColumnValuesToBeUnique(
            column="account_id",
            row_condition=Column("is_current") == True,  # noqa: E712
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="is_current",
            value_set=[True],
            row_condition=Column("is_last_period") == True,  # noqa: E712
        ),
    ]


TIER_PERIODS = Suite(
    name="gx_tier_periods",
    asset=("marts", "dim_account_tier_periods"),
    description=(
        "Per account, periods that start the day after the previous one ends, and exactly "
        "one current period, the last."
    ),
    sql="""
        select
            account_id,
            tier,
            valid_from,
            valid_to,
            is_current,
            lag(valid_to) over by_account + 1 as day_after_previous_period,
            lead(valid_from) over by_account is null as is_last_period,
        from marts.dim_account_tier_periods
        window by_account as (partition by account_id order by valid_from)
    """,
    expectations=_tier_period_expectations,
    metrics=lambda frame: {"periods": len(frame)},
)


# ---------------------------------------------------------------------------------------------
# Reconciliation: the same quantity, counted in two places, must agree
# ---------------------------------------------------------------------------------------------


def _spend_expectations() -> list[Expectation]:
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectColumnPairValuesToBeEqual(
            column_A="mart_any_spend_usd", column_B="staged_any_spend_usd"
        ),
        gxe.ExpectColumnPairValuesToBeEqual(
            column_A="mart_tiktok_one_spend_usd", column_B="staged_tiktok_one_spend_usd"
        ),
    ]


def _spend_metrics(frame: pd.DataFrame) -> dict[str, float | int]:
    differing = (frame["mart_any_spend_usd"] != frame["staged_any_spend_usd"]) | (
        frame["mart_tiktok_one_spend_usd"] != frame["staged_tiktok_one_spend_usd"]
    )
    mart, staged = frame["mart_any_spend_usd"].sum(), frame["staged_any_spend_usd"].sum()
    return {
        "days_compared": len(frame),
        "days_differing": int(differing.sum()),
        "mart_spend_usd": round(float(mart), 2),
        "staged_spend_usd": round(float(staged), 2),
        "difference_usd": round(float(mart - staged), 2),
    }


def _spend_explained(failed: pd.DataFrame, build: Build) -> str:
    days = "; ".join(
        f"{row.date_day:%Y-%m-%d}: marts {row.mart_any_spend_usd:,.2f} "
        f"(TikTok One {row.mart_tiktok_one_spend_usd:,.2f}), "
        f"staged {row.staged_any_spend_usd:,.2f} "
        f"(TikTok One {row.staged_tiktok_one_spend_usd:,.2f})"
        for row in failed.head(5).itertuples()
    )
    return (
        f"The marts' spend differs from the staged spend on {len(failed)} day(s), e.g. {days}. "
        "Likely cause: the incremental tier models kept days that a landing file changed "
        "without the build seeing it (a file rewritten in place and back, or the warehouse's "
        "record in <WAREHOUSE_PATH>.state edited or copied from another warehouse). A full "
        "refresh recomputes them: FULL_REFRESH=1 make run, or the job with the dbt step's "
        "config full_refresh: true."
    )


def _first_reconciled_day(build: Build) -> date:
    """The days the run recomputed, unless CHECK_RECONCILE_SPEND_DAYS says otherwise (0: the
    whole history; N: the last N days)."""
    days = build.bands.reconcile_spend_days
    if days is None:
        return build.first_recomputed_day
    return build.as_of_date - timedelta(days=days - 1) if days > 0 else date.min


SPEND_RECONCILED = Suite(
    name="gx_spend_reconciled",
    asset=("marts", "fct_account_tier_daily"),
    description=(
        "Per day, the spend in fct_account_tier_daily (any creative, and TikTok One "
        "creatives) equals the staged spend of the members from their joining day, each "
        "account-day rounded to cents as the mart shows it: the incremental tier days have "
        "not drifted from what staging holds now (a late file or a restatement missed). "
        "Over the days the run recomputed (the whole history after a full refresh), or the "
        "last CHECK_RECONCILE_SPEND_DAYS days (0: the whole history)."
    ),
    sql="""
        with

        members as (
            select account_id, tiktok_one_joined_on as joined_on
            from marts.dim_accounts
            where tiktok_one_joined_on <= $as_of
        ),

        staged_account_days as (
            select
                spend.spend_date as date_day,
                spend.account_id,
                round(sum(spend.spend_usd), 2) as any_spend_usd,
                round(coalesce(sum(spend.spend_usd) filter (
                    where spend.is_tiktok_one_creative
                ), 0), 2) as tiktok_one_spend_usd,
            from staging.stg_ads_manager__ad_spend as spend
            inner join members
                on spend.account_id = members.account_id
                and spend.spend_date between members.joined_on and $as_of
            where spend.spend_date >= $first_day
            group by spend.spend_date, spend.account_id
        ),

        staged as (
            select
                date_day,
                sum(any_spend_usd) as any_spend_usd,
                sum(tiktok_one_spend_usd) as tiktok_one_spend_usd,
            from staged_account_days
            group by date_day
        ),

        mart as (
            select
                date_day,
                sum(any_spend_usd) as any_spend_usd,
                sum(spend_usd) as tiktok_one_spend_usd,
            from marts.fct_account_tier_daily
            where date_day >= $first_day
            group by date_day
        )

        select
            coalesce(mart.date_day, staged.date_day) as date_day,
            cast(coalesce(mart.any_spend_usd, 0) as decimal(38, 2)) as mart_any_spend_usd,
            cast(coalesce(staged.any_spend_usd, 0) as decimal(38, 2)) as staged_any_spend_usd,
            cast(coalesce(mart.tiktok_one_spend_usd, 0) as decimal(38, 2))
                as mart_tiktok_one_spend_usd,
            cast(coalesce(staged.tiktok_one_spend_usd, 0) as decimal(38, 2))
                as staged_tiktok_one_spend_usd,
        from mart
        full outer join staged
            on mart.date_day = staged.date_day
        order by date_day
    """,
    params=lambda build: {"as_of": build.as_of_date, "first_day": _first_reconciled_day(build)},
    expectations=_spend_expectations,
    metrics=_spend_metrics,
    explain=_spend_explained,
)


def _credit_expectations() -> list[Expectation]:
    import great_expectations.expectations as gxe

    return [
        gxe.ExpectColumnValuesToBeInSet(column="in_issuance", value_set=[True]),
        gxe.ExpectColumnValuesToBeBetween(column="issued_entries", min_value=1, max_value=1),
        gxe.ExpectColumnPairValuesToBeEqual(column_A="ledger_issued_usd", column_B="issued_usd"),
    ]


def _credit_metrics(frame: pd.DataFrame) -> dict[str, float | int]:
    differing = (
        ~frame["in_issuance"]
        | (frame["issued_entries"] != 1)
        | (frame["ledger_issued_usd"].fillna(-1) != frame["issued_usd"].fillna(-1))
    )
    return {
        "credits_in_issuance": int(frame["in_issuance"].sum()),
        "credits_in_ledger": int((frame["issued_entries"] > 0).sum()),
        "credits_differing": int(differing.sum()),
        "issued_usd": round(float(frame["issued_usd"].sum()), 2),
        "ledger_issued_usd": round(float(frame["ledger_issued_usd"].sum()), 2),
    }


def _credits_explained(failed: pd.DataFrame, build: Build) -> str:
    credits = "; ".join(
        f"{row.credit_id}: issuance {row.issued_usd}, ledger {row.ledger_issued_usd} "
        f"in {row.issued_entries} issued entries"
        for row in failed.head(5).itertuples()
    )
    return (
        f"{len(failed)} credit(s) issued in the ledger differ from fct_credit_issuance, "
        f"e.g. {credits}."
    )


CREDITS_RECONCILED = Suite(
    name="gx_credits_reconciled",
    asset=("marts", "fct_credit_ledger"),
    description=(
        "Every credit of fct_credit_issuance has exactly one issued entry in "
        "fct_credit_ledger, for its amount, and the ledger issues no credit that "
        "fct_credit_issuance does not have."
    ),
    sql="""
        with

        ledger as (
            select
                credit_id,
                count(*) as issued_entries,
                sum(amount_usd) as ledger_issued_usd,
            from marts.fct_credit_ledger
            where entry_type = 'issued'
            group by credit_id
        ),

        issuance as (
            select credit_id, amount_usd as issued_usd
            from marts.fct_credit_issuance
        )

        select
            coalesce(issuance.credit_id, ledger.credit_id) as credit_id,
            issuance.credit_id is not null as in_issuance,
            coalesce(ledger.issued_entries, 0) as issued_entries,
            cast(ledger.ledger_issued_usd as decimal(38, 2)) as ledger_issued_usd,
            cast(issuance.issued_usd as decimal(38, 2)) as issued_usd,
        from issuance
        full outer join ledger
            on issuance.credit_id = ledger.credit_id
        order by credit_id
    """,
    expectations=_credit_expectations,
    metrics=_credit_metrics,
    explain=_credits_explained,
)


def _member_expectations() -> list[Expectation]:
    import great_expectations.expectations as gxe
    from great_expectations.expectations.row_conditions import Column

    return [
        gxe.ExpectColumnPairValuesToBeEqual(column_A="in_dim_accounts", column_B="in_tier_daily"),
        gxe.ExpectColumnPairValuesToBeEqual(
            column_A="is_tiktok_one_member", column_B="in_tier_daily"
        ),
        gxe.ExpectColumnPairValuesToBeEqual(
            column_A="dim_tier",
            column_B="daily_tier",
            row_condition=Column("in_tier_daily") == True,  # noqa: E712
        ),
    ]


def _member_metrics(frame: pd.DataFrame) -> dict[str, float | int]:
    differing = (
        (frame["in_dim_accounts"] != frame["in_tier_daily"])
        | (frame["is_tiktok_one_member"] != frame["in_tier_daily"])
        | (frame["in_tier_daily"] & (frame["dim_tier"] != frame["daily_tier"]))
    )
    return {
        "members_in_dim_accounts": int(frame["in_dim_accounts"].sum()),
        "members_in_tier_daily": int(frame["in_tier_daily"].sum()),
        "accounts_differing": int(differing.sum()),
    }


def _members_explained(failed: pd.DataFrame, build: Build) -> str:
    accounts = "; ".join(
        f"{row.account_id}: in dim_accounts {row.in_dim_accounts} ({row.dim_tier}), "
        f"in fct_account_tier_daily {row.in_tier_daily} ({row.daily_tier})"
        for row in failed.head(5).itertuples()
    )
    return (
        f"{len(failed)} account(s) differ between fct_account_tier_daily on "
        f"{build.as_of_date} and dim_accounts, e.g. {accounts}."
    )


MEMBERS_RECONCILED = Suite(
    name="gx_members_reconciled",
    asset=("marts", "dim_accounts"),
    description=(
        "The members in fct_account_tier_daily on the as-of day are the members of "
        "dim_accounts (joined by the as-of date, is_tiktok_one_member), with the same tier."
    ),
    sql="""
        with

        accounts as (
            select
                account_id,
                tier,
                is_tiktok_one_member,
                coalesce(tiktok_one_joined_on <= $as_of, false) as has_joined,
            from marts.dim_accounts
        ),

        as_of_day as (
            select account_id, tier
            from marts.fct_account_tier_daily
            where date_day = $as_of
        )

        select
            coalesce(accounts.account_id, as_of_day.account_id) as account_id,
            coalesce(accounts.has_joined, false) as in_dim_accounts,
            coalesce(accounts.is_tiktok_one_member, false) as is_tiktok_one_member,
            as_of_day.account_id is not null as in_tier_daily,
            accounts.tier as dim_tier,
            as_of_day.tier as daily_tier,
        from accounts
        full outer join as_of_day
            on accounts.account_id = as_of_day.account_id
        order by account_id
    """,
    params=lambda build: {"as_of": build.as_of_date},
    expectations=_member_expectations,
    metrics=_member_metrics,
    explain=_members_explained,
)


# ---------------------------------------------------------------------------------------------
# Bands: volume (blocking below, warning above) and shifts (warning above)
# ---------------------------------------------------------------------------------------------


def _band_expectations(lower: bool) -> Callable[[], list[Expectation]]:
    def expectations() -> list[Expectation]:
        import great_expectations.expectations as gxe

        above = gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="upper_bound",
            column_B="value",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
            meta={"severity": WARN, "side": "above"},
        )
        if not lower:
            return [above]
        below = gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="value",
            column_B="lower_bound",
            or_equal=True,
            ignore_row_if="either_value_is_missing",
            meta={"severity": ERROR, "side": "below"},
        )
        return [below, above]

    return expectations


def _band_metrics(band: Band) -> Callable[[pd.DataFrame], dict[str, float | int]]:
    def metrics(frame: pd.DataFrame) -> dict[str, float | int]:
        numbers: dict[str, float | int] = {}
        for row in frame.itertuples():  # one row per measure (two or three)
            numbers[str(row.measure)] = float(row.value)
            numbers[f"{row.measure}_median"] = _number(row.median)
            numbers[f"{row.measure}_lower_bound"] = _number(row.lower_bound)
            numbers[f"{row.measure}_upper_bound"] = _number(row.upper_bound)
        numbers["history_points"] = int(frame["history_points"].min()) if len(frame) else 0
        return numbers

    return metrics


def _number(value: Any) -> float:
    """A float for the metadata; NaN (no band yet) stays NaN, which the UI leaves unplotted."""
    return float(value) if value is not None else float("nan")


def _history(band: Band, build: Build) -> str:
    if band.family == "volume":
        return f"the same weekday of the last {build.bands.volume_weeks} weeks"
    return f"the last {build.bands.shift_days} days"


def band_explained(band: Band, side: str, failed: pd.DataFrame, build: Build) -> str:
    """`<band> on <day>: <measure> <value> arrived, expected at least <lower> (...)`."""
    measures = {measure.name: measure for measure in band.measures}
    parts = []
    verb = "arrived" if band.family == "volume" else "on the day"
    for row in failed.itertuples():
        measure = measures[str(row.measure)]
        bound = row.lower_bound if side == "below" else row.upper_bound
        expected = "at least" if side == "below" else "at most"
        parts.append(
            f"{measure.label} {measure.format(row.value)} {verb}, expected {expected} "
            f"{measure.format(bound)} (median {measure.format(row.median)})"
        )
    day = build.as_of_date
    verdict = "far below its band" if side == "below" else "above its band"
    return (
        f"{band.name} on {day} ({day:%A}) is {verdict}: {'; '.join(parts)}; "
        f"band: median ± {build.bands.volume_k if band.family == 'volume' else build.bands.shift_k}"
        f" robust standard deviations of {_history(band, build)}."
    )


def band_suite(name: str, band: Band, asset: tuple[str, str], description: str) -> Suite:
    volume = band.family == "volume"
    return Suite(
        name=name,
        asset=asset,
        description=description,
        sql=band.sql(),
        params=lambda build: band.parameters(build.bands, build.as_of_date),
        expectations=_band_expectations(lower=volume),
        metrics=_band_metrics(band),
        blocking=volume,
        band=band,
    )


AD_SPEND_VOLUME_SUITE = band_suite(
    "ad_spend_volume",
    AD_SPEND_VOLUME,
    ("staging", "stg_ads_manager__ad_spend"),
    "The as-of day's staged spend rows, accounts reporting and spend against the same "
    "weekday of the trailing weeks: far below the band blocks the outbox and the BI copy "
    "(an incomplete day), above it warns.",
)

CREATOR_STATS_VOLUME_SUITE = band_suite(
    "creator_daily_stats_volume",
    CREATOR_STATS_VOLUME,
    ("staging", "stg_creators__creator_daily_stats"),
    "The as-of day's staged creator stats rows and creators reporting against the same "
    "weekday of the trailing weeks: far below the band blocks the BI copy, above it warns.",
)

TIER_CHANGE_SHARE_SUITE = band_suite(
    "tier_change_share_shift",
    TIER_CHANGE_SHARE,
    ("marts", "fct_tier_changes"),
    "The share of members changing tier (upgrade or downgrade) on the as-of day against the "
    "trailing days: a warning when above the band.",
)

NEW_DOWNGRADE_WARNINGS_SUITE = band_suite(
    "new_downgrade_warnings_shift",
    NEW_DOWNGRADE_WARNINGS,
    ("marts", "fct_downgrade_warnings"),
    "Downgrade warnings issued on the as-of day against the trailing days: a warning when "
    "above the band.",
)

NEWLY_MISSING_SPEND_MATCH_SUITE = band_suite(
    "newly_missing_spend_match_shift",
    NEWLY_MISSING_SPEND_MATCH,
    ("marts", "fct_spend_match_reconciliation"),
    "Spend-match credits whose deadline fell on the as-of day without being issued, against "
    "the trailing days: a warning when above the band.",
)

SUITES: tuple[Suite, ...] = (
    TIER_DAILY_SPINE,
    AS_OF_FRESHNESS,
    TIER_CHANGES,
    TIER_PERIODS,
    SPEND_RECONCILED,
    CREDITS_RECONCILED,
    MEMBERS_RECONCILED,
    AD_SPEND_VOLUME_SUITE,
    CREATOR_STATS_VOLUME_SUITE,
    TIER_CHANGE_SHARE_SUITE,
    NEW_DOWNGRADE_WARNINGS_SUITE,
    NEWLY_MISSING_SPEND_MATCH_SUITE,
)

SUITES_BY_NAME = {suite.name: suite for suite in SUITES}


# ---------------------------------------------------------------------------------------------
# Running a suite
# ---------------------------------------------------------------------------------------------


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
def validation_definition(suite_name: str) -> ValidationDefinition:
    """The suite's ValidationDefinition: its ExpectationSuite on its dataframe asset."""
    import great_expectations as gx
    from great_expectations.datasource.fluent import PandasDatasource

    suite = SUITES_BY_NAME[suite_name]
    context = _context()
    datasource = context.data_sources.get("warehouse")
    assert isinstance(datasource, PandasDatasource)
    batch = datasource.add_dataframe_asset(suite.name).add_batch_definition_whole_dataframe(
        suite.name
    )
    expectations = context.suites.add(
        gx.ExpectationSuite(name=suite.name, expectations=suite.expectations())
    )
    return context.validation_definitions.add(
        gx.ValidationDefinition(name=suite.name, data=batch, suite=expectations)
    )


def _failure(result: Any) -> dict[str, Any]:
    config = result.expectation_config
    details = result.result or {}
    failure: dict[str, Any] = {
        "expectation": config.type,
        "severity": (config.meta or {}).get("severity", ERROR),
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


def validate_frame(suite: Suite, frame: pd.DataFrame, build: Build) -> Outcome:
    """Validate a frame with the suite's ValidationDefinition."""
    result = validation_definition(suite.name).run(
        batch_parameters={"dataframe": frame},
        expectation_parameters=build.expectation_parameters(),
        result_format="COMPLETE",
    )
    failed = [item for item in result.results if not item.success]
    failures = [_failure(item) for item in failed]
    severity = WARN if failed and all(f["severity"] == WARN for f in failures) else ERROR
    return Outcome(
        suite=suite.name,
        success=bool(result.success),
        severity=severity,
        rows=len(frame),
        evaluated=len(result.results),
        failures=failures,
        metrics=suite.metrics(frame),
        message=_message(suite, frame, failed, build),
    )


def _message(suite: Suite, frame: pd.DataFrame, failed: list[Any], build: Build) -> str | None:
    """A sentence with the numbers: the failed rows, as the suite explains them."""
    if not failed:
        return None
    if suite.band is not None:
        sentences = []
        for item in failed:
            side = item.expectation_config.meta["side"]
            rows = frame.loc[(item.result or {}).get("unexpected_index_list") or []]
            sentences.append(band_explained(suite.band, side, rows, build))
        return " ".join(sentences)
    if suite.explain is not None:
        indexes = sorted(
            {
                index
                for item in failed
                for index in (item.result or {}).get("unexpected_index_list") or []
            }
        )
        if indexes:
            return suite.explain(frame.loc[indexes], build)
    return f"{suite.name}: " + "; ".join(
        f"{failure['expectation']} {failure.get('observed_value') or failure.get('sample', '')}"
        for failure in map(_failure, failed)
    )


def run_suite(connection: duckdb.DuckDBPyConnection, suite: Suite, build: Build) -> Outcome:
    """Query the suite's frame from the warehouse and validate it."""
    frame = connection.execute(suite.sql, suite.params(build)).df()
    return validate_frame(suite, frame, build)
