{#-
    One row per TikTok One account and day from 29 days before it joined (the first rolling
    window reaches that far back) to the as-of date; a day with no spend rows is zero spend.
-#}
with

accounts as (
    select * from {{ ref('stg_ads_manager__accounts') }}
),

spend_daily as (
    select * from {{ ref('int_account_spend_daily') }}
),

members as (
    select
        account_id,
        tiktok_one_joined_on as joined_on,
    from accounts
    where tiktok_one_joined_on <= {{ as_of_date() }}
),

spine as (
    select
        account_id,
        joined_on,
        cast(unnest(generate_series(
            {{ add_days('joined_on', -29) }},
            {{ as_of_date() }},
            interval 1 day
        )) as date) as date_day,
    from members
),

spined as (
    select
        spine.account_id,
        spine.date_day,
        spine.joined_on,
        coalesce(spend_daily.spend_usd, 0) as spend_usd,
        coalesce(spend_daily.any_spend_usd, 0) as any_spend_usd,
    from spine
    left join spend_daily
        on spine.account_id = spend_daily.account_id
        and spine.date_day = spend_daily.date_day
)

select * from spined
