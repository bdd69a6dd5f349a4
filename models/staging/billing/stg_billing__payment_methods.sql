with

base as (
    select * from {{ ref('base_billing__payment_methods') }}
),

final as (
    select
        payment_method_id,
        account_id,
        linked_at,
        removed_at
    from base
    where quarantine_reason is null
)

select * from final
