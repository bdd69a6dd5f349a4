with

source as (
    select * from {{ landing_rows('billing', 'invoices') }}
),

accounts as (
    select * from {{ ref('stg_ads_manager__accounts') }}
),

typed as (
    select
        cast(invoice_id as string) as invoice_id,
        cast(account_id as string) as account_id,
        cast(issued_on as date) as issued_on,
        cast(due_on as date) as due_on,
        cast(paid_on as date) as paid_on,
        {{ checked_cast('amount', 'decimal(18, 2)') }} as amount,
        upper(trim(cast(currency as string))) as currency,
        {{ out_of_range_columns({'amount': 'decimal(18, 2)'}) }} as out_of_range_columns,
        filename as source_file,
        file_row_number
    from source
),

row_checked as (
    select
        typed.*,
        case
            when {{ any_null(['invoice_id', 'typed.account_id', 'issued_on', 'due_on']) }} then 'null_key'
            when out_of_range_columns != '' then 'value_out_of_range'
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
            ['invoice_id'],
            ['account_id', 'issued_on', 'due_on', 'paid_on', 'amount', 'currency']
        ) }} as quarantine_reason
    from row_checked
)

select * from checked
