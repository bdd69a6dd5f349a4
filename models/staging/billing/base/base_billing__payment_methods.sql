with

source as (
    select * from {{ landing_rows('billing', 'payment_methods') }}
),

accounts as (
    select * from {{ ref('stg_ads_manager__accounts') }}
),

typed as (
    select
        cast(payment_method_id as string) as payment_method_id,
        cast(account_id as string) as account_id,
        cast(linked_at as timestamp) as linked_at,
        cast(removed_at as timestamp) as removed_at,
        filename as source_file,
        file_row_number
    from source
),

row_checked as (
    select
        typed.*,
        case
            when {{ any_null(['payment_method_id', 'typed.account_id', 'linked_at']) }} then 'null_key'
            when removed_at < linked_at then 'removed_before_linked'
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
            ['payment_method_id'], ['account_id', 'linked_at', 'removed_at']
        ) }} as quarantine_reason
    from row_checked
)

select * from checked
