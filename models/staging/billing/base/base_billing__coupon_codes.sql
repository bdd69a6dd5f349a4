with

source as (
    select * from {{ landing_rows('billing', 'coupon_codes') }}
),

typed as (
    select
        cast(coupon_code as string) as coupon_code,
        {{ checked_cast('credit_amount', 'decimal(18, 2)') }} as credit_amount,
        upper(trim(cast(currency as string))) as currency,
        cast(redeem_by as timestamp) as redeem_by,
        {{ checked_cast('credit_validity_days', 'integer') }} as credit_validity_days,
        {{ checked_cast('max_redemptions', 'integer') }} as max_redemptions,
        {{ out_of_range_columns({'credit_amount': 'decimal(18, 2)', 'credit_validity_days': 'integer', 'max_redemptions': 'integer'}) }} as out_of_range_columns,
        filename as source_file,
        file_row_number
    from source
),

row_checked as (
    select
        *,
        case
            when coupon_code is null then 'null_key'
            when out_of_range_columns != '' then 'value_out_of_range'
            when credit_amount is null or credit_amount < 0 then 'invalid_credit_amount'
            when currency is null then 'null_currency'
            when redeem_by is null then 'null_redeem_by'
            when credit_validity_days is null or credit_validity_days <= 0 then 'invalid_credit_validity_days'
            when max_redemptions is null or max_redemptions < 1 then 'invalid_max_redemptions'
        end as row_quarantine_reason
    from typed
),

checked as (
    select
        *,
        {{ quarantine_reason(
            'row_quarantine_reason',
            ['coupon_code'],
            ['credit_amount', 'currency', 'redeem_by', 'credit_validity_days', 'max_redemptions']
        ) }} as quarantine_reason
    from row_checked
)

select * from checked
