"""Bands: the as-of day's value of a measure against the same measure on the days before it.

One SQL template (BAND_SQL) turns a band's daily query into one row per measure: the as-of
day's value, the history's median, its robust spread and the band `[median - k x spread,
median + k x spread]` (orchestration/settings.py says how the spread is floored). DuckDB does
all of it; the GX suites (orchestration/expectations.py) judge the rows.

A band's history is the days `as_of - step x i` for i = 1..points (step 7: the same weekday
of the trailing weeks; step 1: the trailing days) on which the daily query has a row: a day
before the data starts is no history, while the as-of day is always judged (a day that did
not arrive at all is a value of 0).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from orchestration.settings import BandSettings

# The smallest change that means something, per kind of measure (the spread's floor).
UNITS = {"count": 1.0, "usd": 0.01, "share": 0.001}


@dataclass(frozen=True)
class Measure:
    """A column of a band's daily query: its name, how a message names it, and its kind
    (`count`, `usd` or `share`), which sets its unit and how a message writes it."""

    name: str
    label: str
    kind: str

    @property
    def unit(self) -> float:
        return UNITS[self.kind]

    def format(self, value: float) -> str:
        if self.kind == "usd":
            return f"{value:,.2f}"
        if self.kind == "share":
            return f"{value:.2%}"
        return f"{value:,.0f}"


@dataclass(frozen=True)
class Band:
    """A daily query over the `days` CTE (`date_day` plus one column per measure, one row per
    day that has data) and the family of settings it is judged with."""

    name: str
    daily_sql: str
    measures: tuple[Measure, ...]
    family: str  # "volume" (same weekday, trailing weeks) or "shift" (trailing days)

    def parameters(self, settings: BandSettings, as_of: date) -> dict[str, Any]:
        if self.family == "volume":
            step, points, k = 7, settings.volume_weeks, settings.volume_k
            min_history, min_spread = settings.volume_min_weeks, settings.volume_min_spread
        else:
            step, points, k = 1, settings.shift_days, settings.shift_k
            min_history, min_spread = settings.shift_min_days, settings.shift_min_spread
        return {
            "as_of": as_of,
            "step": step,
            "points": points,
            "k": k,
            "min_history": min_history,
            "min_spread": min_spread,
        }

    def sql(self) -> str:
        values = ",\n                ".join(
            f"cast(coalesce(daily.{measure.name}, 0) as double) as {measure.name}"
            for measure in self.measures
        )
        units = " union all ".join(
            f"select '{measure.name}' as measure, '{measure.label}' as label, "
            f"{measure.unit} as unit, {position} as position"
            for position, measure in enumerate(self.measures)
        )
        return BAND_SQL.format(
            daily_sql=self.daily_sql,
            values=values,
            measures=", ".join(measure.name for measure in self.measures),
            units=units,
        )


# 1.4826 x MAD estimates the standard deviation of normally distributed values.
BAND_SQL = """
with

days as (
    select
        cast($as_of as date) - cast(steps.i * $step as integer) as date_day,
        steps.i = 0 as is_as_of,
    from range(0, $points + 1) as steps(i)
),

daily as (
    {daily_sql}
),

observed as (
    unpivot (
        select
            days.date_day,
            days.is_as_of,
            {values},
        from days
        left join daily
            on days.date_day = daily.date_day
        where days.is_as_of or daily.date_day is not null
    )
    on {measures}
    into name measure value value
),

measures as (
    {units}
),

history as (
    select
        measure,
        count(*) as history_points,
        median(value) as median,
        mad(value) as mad,
    from observed
    where not is_as_of
    group by measure
),

final as (
    select
        measures.measure,
        measures.label,
        observed.date_day,
        observed.value,
        coalesce(history.history_points, 0) as history_points,
        history.median,
        greatest(1.4826 * history.mad, $min_spread * abs(history.median), measures.unit)
            as spread,
        history.history_points >= $min_history as has_history,
        measures.position,
    from measures
    inner join observed
        on measures.measure = observed.measure
        and observed.is_as_of
    left join history
        on measures.measure = history.measure
)

select
    measure,
    label,
    date_day,
    value,
    history_points,
    median,
    case when has_history then greatest(median - $k * spread, 0) end as lower_bound,
    case when has_history then median + $k * spread end as upper_bound,
from final
order by position
"""

AD_SPEND_VOLUME = Band(
    name="ad_spend",
    family="volume",
    daily_sql="""
        select
            spend_date as date_day,
            count(*) as staged_rows,
            count(distinct account_id) as accounts_reporting,
            sum(spend_usd) as spend_usd,
        from staging.stg_ads_manager__ad_spend
        -- The range lets DuckDB filter the staged rows before it de-duplicates restatements.
        where spend_date between cast($as_of as date) - cast($step * $points as integer)
                and cast($as_of as date)
            and spend_date in (select date_day from days)
        group by spend_date
    """,
    measures=(
        Measure("staged_rows", "rows", "count"),
        Measure("accounts_reporting", "accounts reporting", "count"),
        Measure("spend_usd", "spend (USD)", "usd"),
    ),
)

CREATOR_STATS_VOLUME = Band(
    name="creator_daily_stats",
    family="volume",
    daily_sql="""
        select
            stat_date as date_day,
            count(*) as staged_rows,
            count(distinct creator_id) as creators_reporting,
        from staging.stg_creators__creator_daily_stats
        where stat_date between cast($as_of as date) - cast($step * $points as integer)
                and cast($as_of as date)
            and stat_date in (select date_day from days)
        group by stat_date
    """,
    measures=(
        Measure("staged_rows", "rows", "count"),
        Measure("creators_reporting", "creators reporting", "count"),
    ),
)

# The tier mix's movements. Days are those with members; a day without a change is a 0.
TIER_CHANGE_SHARE = Band(
    name="tier_change_share",
    family="shift",
    daily_sql="""
        with

        members as (
            select date_day, count(*) as members
            from marts.fct_account_tier_daily
            where date_day in (select date_day from days)
            group by date_day
        ),

        changes as (
            select effective_date as date_day, count(*) as changes
            from marts.fct_tier_changes
            where change_type in ('upgrade', 'downgrade')
                and effective_date in (select date_day from days)
            group by effective_date
        )

        select
            members.date_day,
            coalesce(changes.changes, 0) / members.members as share_changing_tier,
        from members
        left join changes
            on members.date_day = changes.date_day
    """,
    measures=(Measure("share_changing_tier", "share of members changing tier", "share"),),
)

NEW_DOWNGRADE_WARNINGS = Band(
    name="new_downgrade_warnings",
    family="shift",
    daily_sql="""
        with

        members as (
            select distinct date_day
            from marts.fct_account_tier_daily
            where date_day in (select date_day from days)
        ),

        warnings as (
            select warning_date as date_day, count(*) as warnings
            from marts.fct_downgrade_warnings
            where warning_date in (select date_day from days)
            group by warning_date
        )

        select
            members.date_day,
            coalesce(warnings.warnings, 0) as new_downgrade_warnings,
        from members
        left join warnings
            on members.date_day = warnings.date_day
    """,
    measures=(Measure("new_downgrade_warnings", "new downgrade warnings", "count"),),
)

# A spend-match credit goes missing on the day its deadline (due_by) falls without it being
# issued: today that is `missing`; on an earlier day it may have been issued late since,
# which still counts for that day (it was missing then).
NEWLY_MISSING_SPEND_MATCH = Band(
    name="newly_missing_spend_match_credits",
    family="shift",
    daily_sql="""
        with

        members as (
            select distinct date_day
            from marts.fct_account_tier_daily
            where date_day in (select date_day from days)
        ),

        went_missing as (
            select cast(due_by as date) as date_day, count(*) as credits
            from marts.fct_spend_match_reconciliation
            where status in ('missing', 'issued_late')
                and cast(due_by as date) in (select date_day from days)
            group by all
        )

        select
            members.date_day,
            coalesce(went_missing.credits, 0) as newly_missing_credits,
        from members
        left join went_missing
            on members.date_day = went_missing.date_day
    """,
    measures=(Measure("newly_missing_credits", "spend-match credits newly missing", "count"),),
)
