{{ config(meta={'dagster': {'ref': {'name': 'tier_thresholds'}}}) }}
{#-
    On every day, the minimums in effect increase strictly with the tier rank (RULES.md
    section 14). The rules change only on the days some row takes effect, so checking each
    effective_from checks every day: on each, every tier's rule is its row with the latest
    effective_from on or before it. Returns the days and tiers whose minimum is not above the
    minimum of the tier below.
-#}
with

tier_thresholds as (
    select * from {{ ref('tier_thresholds') }}
),

change_days as (
    select distinct effective_from as date_day
    from tier_thresholds
),

latest_rows as (
    select
        change_days.date_day,
        tier_thresholds.tier,
        max(tier_thresholds.effective_from) as effective_from
    from change_days
    inner join tier_thresholds
        on tier_thresholds.effective_from <= change_days.date_day
    group by change_days.date_day, tier_thresholds.tier
),

in_effect as (
    select
        latest_rows.date_day,
        tier_thresholds.tier,
        tier_thresholds.tier_rank,
        tier_thresholds.min_rolling_30d_spend_usd
    from latest_rows
    inner join tier_thresholds
        on latest_rows.tier = tier_thresholds.tier
        and latest_rows.effective_from = tier_thresholds.effective_from
),

compared as (
    select
        *,
        lag(min_rolling_30d_spend_usd) over (
            partition by date_day order by tier_rank
        ) as min_of_tier_below
    from in_effect
)

select *
from compared
where min_rolling_30d_spend_usd <= min_of_tier_below
