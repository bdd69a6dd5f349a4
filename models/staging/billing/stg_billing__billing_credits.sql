with

base as (
    select * from {{ ref('base_billing__billing_credits') }}
),

final as (
    select
        credit_id,
        account_id,
        credit_source,
        source_ref,
        currency,
        amount,
        cast(amount * usd_per_unit as decimal(18, 6)) as amount_usd,
        issued_at,
        expires_at
    from base
    where quarantine_reason is null
)

select * from final
