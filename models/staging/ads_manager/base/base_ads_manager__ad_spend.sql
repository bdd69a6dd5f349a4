{#-
    Every raw ad_spend row with the first check it fails in quarantine_reason (null: usable)
    and its unrounded USD amount, converted with the rate of its currency on the spend day.
-#}

with

source as (
    select * from {{ landing_rows('ads_manager', 'ad_spend') }}
),

accounts as (
    select * from {{ ref('stg_ads_manager__accounts') }}
),

fx_rates_daily as (
    select * from {{ ref('stg_reference__fx_rates_daily') }}
),

typed as (
    select
        cast(account_id as string) as account_id,
        cast(spend_date as date) as spend_date,
        cast(campaign_id as string) as campaign_id,
        lower(trim(cast(campaign_type as string))) as campaign_type,
        cast(creative_id as string) as creative_id,
        cast(is_tiktok_one_creative as boolean) as is_tiktok_one_creative,
        {{ checked_cast('spend', 'decimal(18, 2)') }} as spend,
        upper(trim(cast(currency as string))) as currency,
        cast(reported_at as timestamp) as reported_at,
        {{ out_of_range_columns({'spend': 'decimal(18, 2)'}) }} as out_of_range_columns,
        filename as source_file,
        file_row_number
    from source
),

converted as (
    select
        typed.*,
        accounts.account_id is not null as is_known_account,
        accounts.ads_manager_created_on,
        -- USD is 1.0 and needs no rate, on any day.
        case when typed.currency = 'USD' then 1.0 else fx_rates_daily.usd_per_unit end as usd_per_unit
    from typed
    left join accounts
        on typed.account_id = accounts.account_id
    left join fx_rates_daily
        on typed.currency = fx_rates_daily.currency
        and typed.spend_date = fx_rates_daily.rate_day
),

checked as (
    select
        account_id,
        spend_date,
        campaign_id,
        campaign_type,
        creative_id,
        is_tiktok_one_creative,
        spend,
        currency,
        reported_at,
        usd_per_unit,
        -- Unrounded USD, exact for USD rows; only what a mart shows is rounded to cents.
        try_cast(spend * usd_per_unit as decimal(18, 6)) as spend_usd,
        case
            when {{ any_null(['account_id', 'spend_date', 'campaign_id', 'creative_id']) }}
                then 'null_key'
            when out_of_range_columns != '' then 'value_out_of_range'
            when spend is null then 'null_spend'
            when spend < 0 then 'negative_spend'
            when currency is null then 'null_currency'
            when is_tiktok_one_creative is null then 'null_is_tiktok_one_creative'
            when reported_at is null then 'null_reported_at'
            when not {{ spend_is_reported('spend_date', 'reported_at') }} then 'spend_date_in_future'
            when not is_known_account then 'unknown_account'
            -- No spend can precede the Ads Manager account it is billed to.
            when spend_date < ads_manager_created_on then 'spend_before_account_created'
            when usd_per_unit is null then 'no_fx_rate'
            when try_cast(spend * usd_per_unit as decimal(18, 6)) is null then 'value_out_of_range'
        end as quarantine_reason,
        source_file,
        file_row_number
    from converted
)

select * from checked
