{#-
    Per offered account with eligible spend: its eligible spend to date and the first day on
    which that spend added up to spend_threshold_usd (RULES.md section 6). Eligible spend is
    USD on the campaign types in the seed, from ads_manager_created_on to the as-of date. The
    threshold counts at the end of that day, so threshold_crossed_at is the next day 00:00
    UTC. Unrounded USD is compared with the threshold. Only days with spend are summed.
-#}

with

offered as (
    select * from {{ ref('int_spend_match_accounts_offered') }}
),

-- Read twice (the recomputed accounts and the new days): not materialized, so that each
-- read keeps its own filter instead of copying the whole history first.
spend_daily as {{ not_materialized() }} (
    select * from {{ ref('int_account_spend_daily') }}
),

-- Recomputed from the whole history: every account, or the recomputed ones.
eligible_spend_daily as (
    select
        spend_daily.account_id,
        spend_daily.date_day as spend_date,
        spend_daily.eligible_campaign_spend_usd as eligible_spend_usd
    from spend_daily
    inner join offered
        on spend_daily.account_id = offered.account_id

    where spend_daily.eligible_campaign_spend_usd > 0
        and spend_daily.date_day >= offered.ads_manager_created_on
        and spend_daily.date_day <= {{ as_of_date() }}
),

-- The running total is found in two steps, so that no window runs over every spend day:
-- month totals first, then the days of the month in which the total reaches the threshold.
monthly as (
    select
        account_id,
        {{ month_start('spend_date') }} as month_start_on,
        sum(eligible_spend_usd) as month_eligible_spend_usd
    from eligible_spend_daily
    group by account_id, {{ month_start('spend_date') }}
),

monthly_cumulative as (
    select
        account_id,
        month_start_on,
        month_eligible_spend_usd,
        sum(month_eligible_spend_usd) over (
            partition by account_id
            order by month_start_on
            rows between unbounded preceding and current row
        ) as cumulative_eligible_spend_usd
    from monthly
),

crossing_months as (
    select
        monthly_cumulative.account_id,
        min(monthly_cumulative.month_start_on) as month_start_on
    from monthly_cumulative
    inner join offered
        on monthly_cumulative.account_id = offered.account_id
    where monthly_cumulative.cumulative_eligible_spend_usd >= offered.spend_threshold_usd
    group by monthly_cumulative.account_id
),

crossing_month_days as (
    select
        eligible_spend_daily.account_id,
        eligible_spend_daily.spend_date,
        monthly_cumulative.cumulative_eligible_spend_usd
            - monthly_cumulative.month_eligible_spend_usd
            + sum(eligible_spend_daily.eligible_spend_usd) over (
                partition by eligible_spend_daily.account_id
                order by eligible_spend_daily.spend_date
                rows between unbounded preceding and current row
            ) as cumulative_eligible_spend_usd
    from eligible_spend_daily
    inner join crossing_months
        on eligible_spend_daily.account_id = crossing_months.account_id
        and {{ month_start('eligible_spend_daily.spend_date') }} = crossing_months.month_start_on
    inner join monthly_cumulative
        on crossing_months.account_id = monthly_cumulative.account_id
        and crossing_months.month_start_on = monthly_cumulative.month_start_on
),

first_crossing as (
    select
        crossing_month_days.account_id,
        min(crossing_month_days.spend_date) as threshold_crossed_on
    from crossing_month_days
    inner join offered
        on crossing_month_days.account_id = offered.account_id
    where crossing_month_days.cumulative_eligible_spend_usd >= offered.spend_threshold_usd
    group by crossing_month_days.account_id
),

recomputed as (
    select
        monthly.account_id,
        sum(monthly.month_eligible_spend_usd) as eligible_spend_to_date_usd,
        any_value(first_crossing.threshold_crossed_on) as threshold_crossed_on
    from monthly
    left join first_crossing
        on monthly.account_id = first_crossing.account_id
    group by monthly.account_id
),

to_date as (
    select * from recomputed
),

final as (
    select
        account_id,
        eligible_spend_to_date_usd,
        threshold_crossed_on,
        {{ end_of_day('threshold_crossed_on') }} as threshold_crossed_at
    from to_date
)

select * from final
