{{ config(materialized='view') }}

{#-
    Rolling 30-day spend ([D-29, D]) and the qualifying spend of RULES.md section 3: any
    creative during the first 30 days in TikTok One ([J, J+29], history before J included),
    TikTok One creatives from J+30 on. Rows from the join day J on.
-#}
with

spined as (
    select * from {{ ref('int_account_days_spined') }}
),

rolled as (
    select
        account_id,
        date_day,
        joined_on,
        recompute_from,
        is_recomputed,
        stored_qualified_tier_rank,
        spend_usd,
        any_spend_usd,
        sum(spend_usd) over trailing_30_days as rolling_30d_tiktok_one_spend_usd,
        sum(any_spend_usd) over trailing_30_days as rolling_30d_any_spend_usd,
    from spined
    -- The spine is dense, so 30 rows are 30 days.
    window trailing_30_days as (
        partition by account_id, recompute_from
        order by date_day
        rows between 29 preceding and current row
    )
),

final as (
    select
        account_id,
        date_day,
        joined_on,
        recompute_from,
        is_recomputed,
        stored_qualified_tier_rank,
        spend_usd,
        any_spend_usd,
        rolling_30d_tiktok_one_spend_usd,
        rolling_30d_any_spend_usd,
        case
            when date_day <= {{ add_days('joined_on', 29) }} then 'historical_any_creative'
            else 'tiktok_one_creative'
        end as spend_basis,
        case
            when date_day <= {{ add_days('joined_on', 29) }} then rolling_30d_any_spend_usd
            else rolling_30d_tiktok_one_spend_usd
        end as qualifying_spend_usd,
    from rolled
    where date_day >= joined_on
)

select * from final
