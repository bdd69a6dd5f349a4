{#- Invoice amounts stay in their currency: no rule reads them, so none is converted. -#}
with

base as (
    select * from {{ ref('base_billing__invoices') }}
),

final as (
    select
        invoice_id,
        account_id,
        currency,
        amount,
        issued_on,
        due_on,
        paid_on
    from base
    where quarantine_reason is null
)

select * from final
