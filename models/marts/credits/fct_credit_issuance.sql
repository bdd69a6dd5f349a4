{#-
    Every credit on the books at the as-of time: the credits billing recorded (spend_match,
    coupon and managed free credits) and the managed discount coupons (credit_id = grant_id,
    amount = the discount cap), with how each was used so far and, for spend-match and coupon
    credits, how its source checks out (reconciliation status, redemption outcome).
-#}
with

credits as (
    select * from {{ ref('int_credits_issued') }}
),

balances as (
    select * from {{ ref('int_credit_balances') }}
),

reconciliation as (
    select * from {{ ref('int_spend_match_credits_reconciled') }}
),

redemptions as (
    select * from {{ ref('int_coupon_attempts_decided') }}
),

final as (
    select
        credits.credit_id,
        credits.account_id,
        credits.credit_source,
        credits.credit_type,
        credits.source_ref,
        credits.agreement_type,
        credits.granted_by,
        credits.currency,
        cast(credits.amount as decimal(18, 2)) as amount,
        balances.issued_usd as amount_usd,
        cast(credits.discount_pct as decimal(5, 2)) as discount_pct,
        balances.consumed_usd,
        balances.expired_usd,
        balances.remaining_usd,
        reconciliation.status as reconciliation_status,
        redemptions.outcome as redemption_outcome,
        balances.is_expired,
        credits.allocation_rank,
        credits.issued_at,
        credits.expires_at,
        credits.first_active_on,
        credits.last_active_on
    from credits
    inner join balances
        on credits.credit_id = balances.credit_id
    left join reconciliation
        on credits.credit_source = 'spend_match'
        and credits.credit_id = reconciliation.credit_id
    left join redemptions
        on credits.credit_source = 'coupon'
        and credits.source_ref = redemptions.attempt_id
)

select * from final
