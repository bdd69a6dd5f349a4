with

source as (
    select * from {{ landing_rows('billing', 'managed_credit_grants') }}
),

accounts as (
    select * from {{ ref('stg_ads_manager__accounts') }}
),

fx_rates as (
    select * from {{ ref('stg_reference__fx_rates') }}
),

typed as (
    select
        cast(grant_id as string) as grant_id,
        cast(account_id as string) as account_id,
        lower(trim(cast(agreement_type as string))) as agreement_type,
        lower(trim(cast(credit_type as string))) as credit_type,
        {{ checked_cast('amount', 'decimal(18, 2)') }} as amount,
        {{ checked_cast('discount_pct', 'decimal(5, 2)') }} as discount_pct,
        {{ checked_cast('max_discount_amount', 'decimal(18, 2)') }} as max_discount_amount,
        upper(trim(cast(currency as string))) as currency,
        cast(granted_at as timestamp) as granted_at,
        cast(expires_at as timestamp) as expires_at,
        cast(granted_by as string) as granted_by,
        cast(cast(granted_at as timestamp) as date) as granted_on,
        {{ out_of_range_columns({'amount': 'decimal(18, 2)', 'discount_pct': 'decimal(5, 2)', 'max_discount_amount': 'decimal(18, 2)'}) }} as out_of_range_columns,
        filename as source_file,
        file_row_number
    from source
),

converted as (
    {{ join_latest_fx_rate('typed', 'fx_rates', 'currency', 'granted_on') }}
),

row_checked as (
    select
        converted.*,
        case
            when {{ any_null(['grant_id', 'converted.account_id', 'granted_at', 'expires_at']) }} then 'null_key'
            when out_of_range_columns != '' then 'value_out_of_range'
            when agreement_type is null or agreement_type not in ('jbp', 'agency', 'ad_hoc')
                then 'invalid_agreement_type'
            when credit_type is null or credit_type not in ('free_credit', 'discount_coupon')
                then 'invalid_credit_type'
            when credit_type = 'free_credit' and (amount is null or amount < 0) then 'invalid_amount'
            when credit_type = 'discount_coupon'
                and (discount_pct is null or discount_pct <= 0 or discount_pct > 100
                    or max_discount_amount is null or max_discount_amount < 0)
                then 'invalid_discount'
            when expires_at < granted_at then 'expires_before_granted'
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
            ['grant_id'],
            ['account_id', 'agreement_type', 'credit_type', 'amount', 'discount_pct',
             'max_discount_amount', 'currency', 'granted_at', 'expires_at', 'granted_by']
        ) }} as quarantine_reason
    from row_checked
)

select * from checked
