with

source as (
    select * from {{ landing_rows('billing', 'coupon_redemption_attempts') }}
),

accounts as (
    select * from {{ ref('stg_ads_manager__accounts') }}
),

typed as (
    select
        cast(attempt_id as string) as attempt_id,
        cast(account_id as string) as account_id,
        cast(coupon_code as string) as coupon_code,
        cast(attempted_at as timestamp) as attempted_at,
        filename as source_file,
        file_row_number
    from source
),

row_checked as (
    select
        typed.*,
        case
            -- A missing code is an attempt with an unknown code, not unusable input.
            when {{ any_null(['attempt_id', 'typed.account_id', 'attempted_at']) }} then 'null_key'
            when accounts.account_id is null then 'unknown_account'
        end as row_quarantine_reason
    from typed
    left join accounts
        on typed.account_id = accounts.account_id
),

checked as (
    select
        *,
        {{ quarantine_reason(
            'row_quarantine_reason',
            ['attempt_id'], ['account_id', 'coupon_code', 'attempted_at']
        ) }} as quarantine_reason
    from row_checked
)

select * from checked
