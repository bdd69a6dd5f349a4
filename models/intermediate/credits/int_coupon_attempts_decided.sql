{#-
    The outcome of every coupon redemption attempt (RULES.md section 7): the first rule that
    fails, in order, given which attempts int_coupon_attempts_applied found applied (the
    redemptions of a code and the coupon credits of an account come from those alone).
-#}
with

checked as (
    select * from {{ ref('int_coupon_attempts_checked') }}
),

applied as (
    select * from {{ ref('int_coupon_attempts_applied') }}
),

with_history as (
    select
        checked.*,
        coalesce(applied.is_applied, false) as is_applied,
        applied.decided_in_rounds,
        coalesce(sum(case when applied.is_applied then 1 else 0 end) over earlier_on_code, 0)
            as applied_earlier_on_code,
        max(case when applied.is_applied then checked.credit_expires_at end) over earlier_on_account
            as applied_credit_active_until
    from checked
    left join applied
        on checked.attempt_id = applied.attempt_id
    window
        earlier_on_code as (
            partition by checked.coupon_code_hash
            order by checked.attempted_at, checked.attempt_id
            rows between unbounded preceding and 1 preceding
        ),
        earlier_on_account as (
            partition by checked.account_id
            order by checked.attempted_at, checked.attempt_id
            rows between unbounded preceding and 1 preceding
        )
),

final as (
    select
        attempt_id,
        account_id,
        coupon_code_hash,
        case
            when not is_known_code then 'unknown_code'
            when is_code_expired then 'code_expired'
            when applied_earlier_on_code >= max_redemptions then 'already_used'
            when not is_account_eligible then 'account_ineligible'
            when has_active_spend_match_credit
                or coalesce(applied_credit_active_until > attempted_at, false)
                then 'blocked_by_active_promotion'
            else 'applied'
        end as outcome,
        is_applied,
        currency,
        credit_amount,
        credit_amount_usd,
        max_redemptions,
        cast(applied_earlier_on_code as integer) as applied_earlier_on_code,
        is_known_code,
        is_code_expired,
        has_payment_method,
        has_completed_business_profile,
        has_active_spend_match_credit,
        is_candidate,
        decided_in_rounds,
        attempted_at,
        credit_expires_at
    from with_history
)

select * from final
