{#-
    The tier rules in effect on each day (RULES.md section 14): one row per day and tier, from
    the first day a rule takes effect to `rolling_spend_days` days after the as-of date (the
    tier outlook judges the days after it), with the tier's minimum and cap that day and the
    minimum of the tier above (the upper end of the tier's band; null for the highest). A
    tier's rule on day D is its row of tier_thresholds with the latest effective_from on or
    before D.

    Every reader finds a day's rules by an equality join on the day: a hash join to a few
    thousand rows, whatever the number of rule changes (a range join to dated bands would sort
    every tier day once the rules change).
-#}
-- depends_on: {{ ref('tier_day_counts') }}
{%- set rolling_days = tier_day_count('rolling_spend_days') -%}
{%- set last_day = add_days(as_of_date(), rolling_days) %}

with

tier_thresholds as (
    select * from {{ ref('tier_thresholds') }}
),

-- The rules change only on the days some row takes effect: periods between those days.
change_days as (
    select distinct effective_from as valid_from
    from tier_thresholds
),

periods as (
    select
        valid_from,
        {{ add_days('lead(valid_from) over (order by valid_from)', -1) }} as valid_to
    from change_days
),

latest_rows as (
    select
        periods.valid_from,
        tier_thresholds.tier,
        max(tier_thresholds.effective_from) as effective_from
    from periods
    inner join tier_thresholds
        on tier_thresholds.effective_from <= periods.valid_from
    group by periods.valid_from, tier_thresholds.tier
),

in_effect as (
    select
        periods.valid_from,
        periods.valid_to,
        tier_thresholds.tier,
        tier_thresholds.tier_rank,
        tier_thresholds.min_rolling_30d_spend_usd,
        tier_thresholds.weekly_creative_cap,
        tier_thresholds.effective_from
    from latest_rows
    inner join periods
        on latest_rows.valid_from = periods.valid_from
    inner join tier_thresholds
        on latest_rows.tier = tier_thresholds.tier
        and latest_rows.effective_from = tier_thresholds.effective_from
),

banded as (
    select
        *,
        lead(min_rolling_30d_spend_usd) over (
            partition by valid_from order by tier_rank
        ) as next_tier_min_rolling_30d_spend_usd
    from in_effect
),

final as (
    select
        {{ explode_days('valid_from', 'least(coalesce(valid_to, ' ~ last_day ~ '), ' ~ last_day ~ ')') }}
            as date_day,
        tier,
        tier_rank,
        min_rolling_30d_spend_usd,
        next_tier_min_rolling_30d_spend_usd,
        weekly_creative_cap,
        effective_from
    from banded
)

select * from final
