{#-
    Downgrade warnings (RULES.md section 4): on the first day of a streak with a tier above
    none and 25 or more days below it. Each warning looks at the 30 days after the last day
    at tier L (L+1 .. L+30): the days up to the warning give the projected tier, the days
    after it the first recovery; with none by L+30 the downgrade lands on L+30.
-#}
with

tiers as (
    select * from {{ ref('fct_account_tier_daily') }}
),

raised as (
    select
        account_id,
        date_day as warning_date,
        tier_rank as tier_at_risk_rank,
        {{ add_days('last_day_at_tier', 1) }} as below_since,
        {{ add_days('last_day_at_tier', 30) }} as scheduled_downgrade_date,
    from tiers
    where tier_rank > 0
        and days_below_tier >= 25
        and not coalesce(
            previous_tier_rank = tier_rank and previous_days_below_tier >= 25,
            false
        )
),

-- The 30 days L+1 .. L+30 of each warning, as equality keys for a cheap join to the tiers.
watched_days as (
    select
        raised.*,
        {{ add_days('raised.below_since', 'day_offset') }} as date_day,
    from raised
    cross join range(0, 30) as day_offsets(day_offset)
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
        end) as recovered_on,
    from watched_days
    inner join tiers
        on watched_days.account_id = tiers.account_id
        and watched_days.date_day = tiers.date_day
    group by watched_days.account_id, watched_days.warning_date
),

final as (
    select
        raised.account_id,
        raised.warning_date,
        raised.tier_at_risk_rank,
        watched.projected_tier_rank,
        raised.below_since,
        raised.scheduled_downgrade_date,
        case
            when watched.recovered_on is not null then 'recovered'
            when raised.scheduled_downgrade_date <= {{ as_of_date() }} then 'downgraded'
            else 'pending'
        end as outcome,
        case
            when watched.recovered_on is not null then watched.recovered_on
            when raised.scheduled_downgrade_date <= {{ as_of_date() }} then raised.scheduled_downgrade_date
        end as resolved_on,
    from raised
    inner join watched
        on raised.account_id = watched.account_id
        and raised.warning_date = watched.warning_date
)

select * from final
