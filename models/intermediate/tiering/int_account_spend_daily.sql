{#- Spend per account and day in USD, as known at the end of the as-of date. -#}
with

ad_spend as (
    select * from {{ ref('stg_ads_manager__ad_spend') }}
),

visible as (
    select *
    from ad_spend
    where spend_date <= {{ as_of_date() }}
),

daily as (
    select
        account_id,
        spend_date as date_day,
        sum(case when is_tiktok_one_creative then spend_usd else 0 end) as spend_usd,
        sum(spend_usd) as any_spend_usd,
    from visible
    group by account_id, spend_date
)

select * from daily
