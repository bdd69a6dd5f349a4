{#-
    Downgrade warnings (RULES.md section 4): on the first day of a streak with a tier above
    none and 25 or more days below it. Each warning looks at the 30 days after the last day
    at tier L (L+1 .. L+30): the days up to the warning give the projected tier, the days
    after it the first recovery; with none by L+30 the downgrade lands on L+30.
    The day counts (25, 30) come from the seed tier_day_counts.
-#}
-- depends_on: {{ ref('tier_day_counts') }}
{%- set warning_days = tier_day_count('warning_days_below') -%}
{%- set hold_days = tier_day_count('tier_hold_days') %}

with

tiers as (
    select * from {{ ref('int_account_tiers_assigned') }}
),

watched_warnings as (
    select
        account_id,
        date_day as warning_date,
        tier_rank as tier_at_risk_rank,
        {{ add_days('last_day_at_tier', 1) }} as below_since,
        {{ add_days('last_day_at_tier', hold_days) }} as scheduled_downgrade_date
    from tiers
    where tier_rank > 0
        and days_below_tier >= {{ warning_days }}
        and not coalesce(
            previous_tier_rank = tier_rank and previous_days_below_tier >= {{ warning_days }},
            false
        )
),

-- The days L+1 .. L+30 of each warning, as equality keys for a cheap join to the tiers.
watched_days as (
    select
        watched_warnings.*,
        {{ add_days('watched_warnings.below_since', 'day_offset') }} as date_day
    from watched_warnings
    cross join range(0, {{ hold_days }}) as day_offsets(day_offset)
),

watched as (
    select
        watched_days.account_id,
        watched_days.warning_date,
        max(case when tiers.date_day <= watched_days.warning_date then tiers.qualified_tier_rank end)
            as projected_tier_rank,
        min(case
            when tiers.date_day > watched_days.warning_date
                and tiers.qualified_tier_rank >= watched_days.tier_at_risk_rank
                then tiers.date_day
        end) as recovered_on
    from watched_days
    inner join tiers
        on watched_days.account_id = tiers.account_id
        and watched_days.date_day = tiers.date_day
    group by watched_days.account_id, watched_days.warning_date
),

final as (
    select
        watched_warnings.account_id,
        watched_warnings.warning_date,
        watched_warnings.tier_at_risk_rank,
        watched.projected_tier_rank,
        watched_warnings.below_since,
        watched_warnings.scheduled_downgrade_date,
        case
            when watched.recovered_on is not null then 'recovered'
            when watched_warnings.scheduled_downgrade_date <= {{ as_of_date() }} then 'downgraded'
            else 'pending'
        end as outcome,
        case
            when watched.recovered_on is not null then watched.recovered_on
            when watched_warnings.scheduled_downgrade_date <= {{ as_of_date() }} then watched_warnings.scheduled_downgrade_date
        end as resolved_on
    from watched_warnings
    inner join watched
        on watched_warnings.account_id = watched.account_id
        and watched_warnings.warning_date = watched.warning_date
)

select * from final
