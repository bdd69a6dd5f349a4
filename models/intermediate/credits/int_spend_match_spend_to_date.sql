{#-
    The eligible spend to date of each offered account (RULES.md section 6) on each day it
    had eligible spend, up to and including the day that spend first reaches the offer's
    spend_threshold_usd (crosses_threshold): after that day nothing changes the crossing, so
    no more days are kept. Eligible spend is USD on the campaign types in the seed, from
    ads_manager_created_on to the as-of date; unrounded USD is compared with the threshold.

    The running total is found in two passes over the spend days, so that no window runs over
    every one: month totals first, then the days of the months up to the one in which the
    total reaches the threshold.

    Incremental by day: a day's total to date depends only on the days up to it, so the
    stored days before the window stand. A run recomputes, from the days of the window, the
    accounts that had not crossed before it, carrying each one's total to date from its last
    stored day before the window.
-#}
{{ day_window_config() }}

with

offered as (
    select * from {{ ref('int_spend_match_accounts_offered') }}
),

-- Read twice (month totals and the days kept): not materialized, so that each read keeps its
-- own filter instead of copying the whole history first.
spend_daily as {{ not_materialized() }} (
    select * from {{ ref('int_account_spend_daily') }}
    {% if is_incremental() %}
    where date_day >= {{ recompute_from() }}
    {% endif %}
),

carried as (
    {% if is_incremental() %}
    select
        account_id,
        max(eligible_spend_to_date_usd) as eligible_spend_to_date_usd,
        max(case when crosses_threshold then 1 else 0 end) = 1 as has_crossed
    from {{ this }}
    where date_day < {{ recompute_from() }}
    group by account_id
    {% else %}
    select
        cast(null as string) as account_id,
        cast(null as decimal(38, 6)) as eligible_spend_to_date_usd,
        cast(null as boolean) as has_crossed
    where false
    {% endif %}
),

-- The accounts still short of their threshold, with what they spent before the window.
counting as (
    select
        offered.account_id,
        offered.spend_threshold_usd,
        offered.ads_manager_created_on,
        cast(coalesce(carried.eligible_spend_to_date_usd, 0) as decimal(38, 6))
            as carried_spend_usd
    from offered
    left join carried
        on offered.account_id = carried.account_id
    where not coalesce(carried.has_crossed, false)
),

-- Month totals, read without the accounts: a first pass that only groups.
monthly as (
    select
        account_id,
        {{ month_start('date_day') }} as month_start_on,
        sum(eligible_campaign_spend_usd) as month_eligible_spend_usd
    from spend_daily
    where eligible_campaign_spend_usd > 0
        and date_day <= {{ as_of_date() }}
    group by account_id, {{ month_start('date_day') }}
),

-- The running total by month, leaving out the month of the account's creation (part of it
-- may precede the creation): never above the true total, so the month in which it reaches
-- the threshold is never before the true one.
monthly_cumulative as (
    select
        monthly.account_id,
        monthly.month_start_on,
        counting.carried_spend_usd + sum(monthly.month_eligible_spend_usd) over (
            partition by monthly.account_id
            order by monthly.month_start_on
            rows between unbounded preceding and current row
        ) as cumulative_eligible_spend_usd,
        counting.spend_threshold_usd
    from monthly
    inner join counting
        on monthly.account_id = counting.account_id
    where monthly.month_start_on > {{ month_start('counting.ads_manager_created_on') }}
),

crossing_months as (
    select
        account_id,
        min(month_start_on) as month_start_on
    from monthly_cumulative
    where cumulative_eligible_spend_usd >= spend_threshold_usd
    group by account_id
),

-- The days up to that month, where the exact running total finds the crossing day.
kept_days as (
    select
        spend_daily.account_id,
        spend_daily.date_day,
        spend_daily.eligible_campaign_spend_usd as eligible_spend_usd
    from spend_daily
    inner join counting
        on spend_daily.account_id = counting.account_id
    left join crossing_months
        on spend_daily.account_id = crossing_months.account_id
    where spend_daily.eligible_campaign_spend_usd > 0
        and spend_daily.date_day >= counting.ads_manager_created_on
        and spend_daily.date_day <= {{ as_of_date() }}
        and (crossing_months.account_id is null
            or {{ month_start('spend_daily.date_day') }} <= crossing_months.month_start_on)
),

running as (
    select
        kept_days.account_id,
        kept_days.date_day,
        kept_days.eligible_spend_usd,
        cast(counting.carried_spend_usd + sum(kept_days.eligible_spend_usd) over (
            partition by kept_days.account_id
            order by kept_days.date_day
            rows between unbounded preceding and current row
        ) as decimal(38, 6)) as eligible_spend_to_date_usd,
        counting.spend_threshold_usd
    from kept_days
    inner join counting
        on kept_days.account_id = counting.account_id
),

final as (
    select
        account_id,
        date_day,
        eligible_spend_usd,
        eligible_spend_to_date_usd,
        eligible_spend_to_date_usd >= spend_threshold_usd as crosses_threshold
    from running
    -- Up to the first day at or above the threshold.
    where eligible_spend_to_date_usd - eligible_spend_usd < spend_threshold_usd
)

select * from final
