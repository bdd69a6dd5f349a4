{#-
    Every credit the ledger works with (RULES.md sections 8 and 9), known at the as-of time:
    the credits billing recorded (spend_match, coupon, managed: all free credits) and the
    managed discount coupons from managed_credit_grants, whose credit_id is their grant_id
    and whose amount is their cap (max_discount_amount).

    A credit is active on day D when issued_at is before the end of D and expires_at after
    its start: from the day of issued_at to last_active_on. allocation_rank is the order in
    which an account's credits take its spend each day: discount coupons first (soonest
    expires_at, then granted_at, then grant_id), then free credits (soonest expires_at, then
    issued_at, then credit_id). The order does not depend on the day, so it is fixed here.
-#}
with

billing_credits as (
    select * from {{ ref('stg_billing__billing_credits') }}
),

managed_credit_grants as (
    select * from {{ ref('stg_billing__managed_credit_grants') }}
),

free_credits as (
    select
        billing_credits.credit_id,
        billing_credits.account_id,
        billing_credits.credit_source,
        'free_credit' as credit_type,
        billing_credits.source_ref,
        managed_credit_grants.agreement_type,
        managed_credit_grants.granted_by,
        billing_credits.currency,
        billing_credits.amount,
        billing_credits.amount_usd,
        cast(null as decimal(5, 2)) as discount_pct,
        billing_credits.issued_at,
        billing_credits.expires_at
    from billing_credits
    left join managed_credit_grants
        on billing_credits.credit_source = 'managed'
        and billing_credits.source_ref = managed_credit_grants.grant_id
    where billing_credits.issued_at < {{ as_of_end_at() }}
),

discount_coupons as (
    select
        grant_id as credit_id,
        account_id,
        'managed' as credit_source,
        'discount_coupon' as credit_type,
        grant_id as source_ref,
        agreement_type,
        granted_by,
        currency,
        max_discount_amount as amount,
        max_discount_amount_usd as amount_usd,
        discount_pct,
        granted_at as issued_at,
        expires_at
    from managed_credit_grants
    where credit_type = 'discount_coupon'
        and granted_at < {{ as_of_end_at() }}
),

unioned as (
    select * from free_credits
    union all
    select * from discount_coupons
),

final as (
    select
        *,
        cast(issued_at as date) as first_active_on,
        {{ last_active_day('expires_at') }} as last_active_on,
        cast(row_number() over (
            partition by account_id
            order by
                case when credit_type = 'discount_coupon' then 0 else 1 end,
                expires_at,
                issued_at,
                credit_id
        ) as integer) as allocation_rank
    from unioned
)

select * from final
