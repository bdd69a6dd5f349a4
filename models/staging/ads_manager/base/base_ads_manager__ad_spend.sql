{{ config(materialized='table') }}

with

source as (
    select * from {{ source('ads_manager', 'ad_spend') }}
),

accounts as (
    select * from {{ ref('stg_ads_manager__accounts') }}
),

fx_rates as (
    select * from {{ ref('stg_reference__fx_rates') }}
),

typed as (
    select
        cast(account_id as varchar) as account_id,
        cast(spend_date as date) as spend_date,
        cast(campaign_id as varchar) as campaign_id,
        lower(trim(cast(campaign_type as varchar))) as campaign_type,
        cast(creative_id as varchar) as creative_id,
        cast(is_tiktok_one_creative as boolean) as is_tiktok_one_creative,
        {{ checked_cast('spend', 'decimal(18, 2)') }} as spend,
        upper(trim(cast(currency as varchar))) as currency,
        cast(reported_at as timestamp) as reported_at,
        {{ out_of_range_columns({'spend': 'decimal(18, 2)'}) }} as out_of_range_columns,
        filename as source_file,
        file_row_number,
    from source
),

converted as (
    {{ join_latest_fx_rate('typed', 'fx_rates', 'currency', 'spend_date') }}
),

checked as (
    select
        converted.*,
        -- Unrounded USD, exact for USD rows; only what a mart shows is rounded to cents.
        try_cast(converted.spend * converted.usd_per_unit as decimal(18, 6)) as spend_usd,
        case
            when {{ any_null(['converted.account_id', 'spend_date', 'campaign_id', 'creative_id']) }}
                then 'null_key'
            when out_of_range_columns != '' then 'value_out_of_range'
            when converted.spend is null then 'null_spend'
            when converted.spend < 0 then 'negative_spend'
            when converted.currency is null then 'null_currency'
            when is_tiktok_one_creative is null then 'null_is_tiktok_one_creative'
            when reported_at is null then 'null_reported_at'
            -- Spend cannot be reported for a day that has not happened yet.
            when spend_date > current_date + 1 then 'spend_date_in_future'
            when accounts.account_id is null then 'unknown_account'
            when converted.usd_per_unit is null then 'no_fx_rate'
            when try_cast(converted.spend * converted.usd_per_unit as decimal(18, 6)) is null
                then 'value_out_of_range'
        end as quarantine_reason,
    from converted
    left join accounts
        on converted.account_id = accounts.account_id
)

select * from checked
