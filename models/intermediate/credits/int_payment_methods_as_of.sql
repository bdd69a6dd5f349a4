{#-
    Payment methods as they stood at the as-of time (RULES.md conventions): a method linked
    later is not there yet, and a removal after the as-of time has not happened, so its
    removed_at is null. Payment method ids stay out of the marts.
-#}
with

payment_methods as (
    select * from {{ ref('stg_billing__payment_methods') }}
),

final as (
    select
        payment_method_id,
        account_id,
        linked_at,
        case when removed_at < {{ as_of_end_at() }} then removed_at end as removed_at
    from payment_methods
    where linked_at < {{ as_of_end_at() }}
)

select * from final
