{{ config(meta={'dagster': {'ref': {'name': 'int_credits_consumed_daily'}}}) }}
{#-
    Credits pay for spend, never more: on every account day the credits consumed (unrounded)
    add up to at most the day's spend, and a discount coupon takes at most its percentage of
    the day's spend. Nothing is consumed outside a credit's active days or after the as-of date.
-#}
with

consumed_daily as (
    select * from {{ ref('int_credits_consumed_daily') }}
),

credits as (
    select * from {{ ref('int_credits_issued') }}
),

spend_daily as (
    select * from {{ ref('int_account_spend_daily') }}
),

per_day as (
    select
        account_id,
        date_day,
        sum(consumed_usd) as consumed_usd
    from consumed_daily
    group by account_id, date_day
),

overspent_days as (
    select
        per_day.account_id,
        per_day.date_day,
        'credits consumed more than the day''s spend' as problem
    from per_day
    left join spend_daily
        on per_day.account_id = spend_daily.account_id
        and per_day.date_day = spend_daily.date_day
    where per_day.consumed_usd > coalesce(spend_daily.any_spend_usd, 0)
),

misplaced_consumption as (
    select
        consumed_daily.account_id,
        consumed_daily.date_day,
        case
            when consumed_daily.date_day not between credits.first_active_on and credits.last_active_on
                then 'consumed outside its active days: ' || credits.credit_id
            when consumed_daily.date_day > {{ as_of_date() }}
                then 'consumed after the as-of date: ' || credits.credit_id
            when credits.credit_type = 'discount_coupon'
                and consumed_daily.consumed_usd > spend_daily.any_spend_usd * credits.discount_pct * 0.01 + 0.000001
                then 'discount above its percentage: ' || credits.credit_id
        end as problem
    from consumed_daily
    inner join credits
        on consumed_daily.credit_id = credits.credit_id
    left join spend_daily
        on consumed_daily.account_id = spend_daily.account_id
        and consumed_daily.date_day = spend_daily.date_day
),

final as (
    select * from overspent_days
    union all
    select * from misplaced_consumption
    where problem is not null
)

select * from final
