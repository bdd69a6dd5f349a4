with

source as (
    select * from {{ landing_rows('billing', 'billing_credits') }}
),

accounts as (
    select * from {{ ref('stg_ads_manager__accounts') }}
),

fx_rates as (
    select * from {{ ref('stg_reference__fx_rates') }}
),

typed as (
    select
        cast(credit_id as string) as credit_id,
        cast(account_id as string) as account_id,
        lower(trim(cast(credit_source as string))) as credit_source,
        cast(source_ref as string) as source_ref,
        {{ checked_cast('amount', 'decimal(18, 2)') }} as amount,
        upper(trim(cast(currency as string))) as currency,
        cast(issued_at as timestamp) as issued_at,
        cast(expires_at as timestamp) as expires_at,
        cast(cast(issued_at as timestamp) as date) as issued_on,
        {{ out_of_range_columns({'amount': 'decimal(18, 2)'}) }} as out_of_range_columns,
        filename as source_file,
        file_row_number
    from source
),

converted as (
    {{ join_latest_fx_rate('typed', 'fx_rates', 'currency', 'issued_on') }}
),

row_checked as (
    select
        converted.*,
        case
            when {{ any_null(['credit_id', 'converted.account_id', 'issued_at', 'expires_at']) }} then 'null_key'
            when out_of_range_columns != '' then 'value_out_of_range'
            when credit_source is null or credit_source not in ('spend_match', 'coupon', 'managed')
                then 'invalid_credit_source'
            when amount is null or amount < 0 then 'invalid_amount'
            when expires_at < issued_at then 'expires_before_issued'
            when accounts.account_id is null then 'unknown_account'
            when converted.currency is null then 'null_currency'
            when converted.usd_per_unit is null then 'no_fx_rate'
        end as row_quarantine_reason
    from converted
    left join accounts
        on converted.account_id = accounts.account_id
),

checked as (
    select
        *,
        {{ quarantine_reason(
            'row_quarantine_reason',
            ['credit_id'],
            ['account_id', 'credit_source', 'source_ref', 'amount', 'currency',
             'issued_at', 'expires_at']
        ) }} as quarantine_reason
    from row_checked
)

select * from checked
