{#-
    When each offered account crossed its spend-match threshold (RULES.md section 6): the
    first day on which its eligible spend (USD, campaign types in the seed, from
    ads_manager_created_on on) adds up to spend_threshold_usd. The threshold counts at the end
    of that day, so threshold_crossed_at is the next day 00:00 UTC. Unrounded USD is compared
    with the threshold. Only days with spend are summed: a day without spend adds nothing.
-#}
with

offered as (
    select * from {{ ref('int_spend_match_accounts_offered') }}
),

spend_daily as (
    select * from {{ ref('int_account_spend_daily') }}
),

eligible_spend_daily as (
    select
        spend_daily.account_id,
        spend_daily.date_day as spend_date,
        spend_daily.eligible_campaign_spend_usd as eligible_spend_usd,
    from spend_daily
    inner join offered
        on spend_daily.account_id = offered.account_id
    where spend_daily.eligible_campaign_spend_usd > 0
        and spend_daily.date_day >= offered.ads_manager_created_on
        and spend_daily.date_day <= {{ as_of_date() }}
),

-- The running total is found in two steps, so that no window runs over every spend day:
-- month totals first, then the days of the month in which the total reaches the threshold.
-- Amounts are decimals, so the order of the additions cannot change a sum.
monthly as (
    select
        account_id,
        {{ month_start('spend_date') }} as month_start_on,
        sum(eligible_spend_usd) as month_eligible_spend_usd,
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
        ) as cumulative_eligible_spend_usd,
    from monthly
),

crossing_months as (
    select
        monthly_cumulative.account_id,
        min(monthly_cumulative.month_start_on) as month_start_on,
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
            ) as cumulative_eligible_spend_usd,
    from eligible_spend_daily
    inner join crossing_months
        on eligible_spend_daily.account_id = crossing_months.account_id
        and {{ month_start('eligible_spend_daily.spend_date') }} = crossing_months.month_start_on
    inner join monthly_cumulative
        on crossing_months.account_id = monthly_cumulative.account_id
        and crossing_months.month_start_on = monthly_cumulative.month_start_on
),

spend_to_date as (
    select
        account_id,
        sum(month_eligible_spend_usd) as eligible_spend_to_date_usd,
    from monthly
    group by account_id
),

first_crossing as (
    select
        crossing_month_days.account_id,
        min(crossing_month_days.spend_date) as threshold_crossed_on,
    from crossing_month_days
    inner join offered
        on crossing_month_days.account_id = offered.account_id
    where crossing_month_days.cumulative_eligible_spend_usd >= offered.spend_threshold_usd
    group by crossing_month_days.account_id
),

final as (
    select
        offered.*,
        coalesce(spend_to_date.eligible_spend_to_date_usd, 0) as eligible_spend_to_date_usd,
        first_crossing.threshold_crossed_on,
        {{ end_of_day('first_crossing.threshold_crossed_on') }} as threshold_crossed_at,
    from offered
    left join spend_to_date
        on offered.account_id = spend_to_date.account_id
    left join first_crossing
        on offered.account_id = first_crossing.account_id
)

select * from final
