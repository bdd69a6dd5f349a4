{#- One row per redemption attempt known at the as-of time; the code appears as its hash only. -#}
with

decided as (
    select * from {{ ref('int_coupon_attempts_decided') }}
),

final as (
    select
        attempt_id,
        account_id,
        coupon_code_hash,
        outcome,
        case when outcome = 'applied' then currency end as credit_currency,
        cast(case when outcome = 'applied' then credit_amount end as decimal(18, 2)) as credit_amount,
        cast(case when outcome = 'applied' then round(credit_amount_usd, 2) end as decimal(18, 2))
            as credit_amount_usd,
        applied_earlier_on_code as code_applied_before,
        max_redemptions as code_max_redemptions,
        is_known_code,
        is_code_expired,
        has_payment_method,
        has_completed_business_profile,
        has_active_spend_match_credit,
        attempted_at,
        case when outcome = 'applied' then credit_expires_at end as expires_at,
    from decided
)

select * from final
