{#-
    The credit ledger mart: int_credit_ledger_entries as published, a view (the entries are
    stored there, incrementally).
-#}
{{ config(materialized='view') }}

with

ledger_entries as (
    select * from {{ ref('int_credit_ledger_entries') }}
),

final as (
    select
        ledger_entry_id,
        credit_id,
        account_id,
        credit_source,
        credit_type,
        entry_type,
        entry_order,
        amount_usd,
        balance_change_usd,
        remaining_usd,
        date_day as entry_date
    from ledger_entries
)

select * from final
