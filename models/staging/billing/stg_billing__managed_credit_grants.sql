with

base as (
    select * from {{ ref('base_billing__managed_credit_grants') }}
),

final as (
    select
        grant_id,
        account_id,
        agreement_type,
        credit_type,
        granted_by,
        currency,
        amount,
        cast(amount * usd_per_unit as decimal(18, 6)) as amount_usd,
        discount_pct,
        max_discount_amount,
        cast(max_discount_amount * usd_per_unit as decimal(18, 6)) as max_discount_amount_usd,
        granted_at,
        expires_at
    from base
    where quarantine_reason is null
)

select * from final
