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
        case when outcome = 'applied' then credit_expires_at end as expires_at
    from decided
),

-- A one-line status a support agent can paste, from the rule the attempt failed (RULES.md 7).
reasoned as (
    select
        final.*,
        case final.outcome
            when 'unknown_code' then 'The code typed on ' || {{ format_utc_time('final.attempted_at') }}
                || ' is not a known coupon code.'
            when 'code_expired' then 'Typed on ' || {{ format_utc_time('final.attempted_at') }}
                || ', after the code''s last redemption time: expired.'
            when 'already_used' then 'The code had already been applied '
                || cast(final.code_applied_before as string) || ' time(s), its limit of '
                || cast(final.code_max_redemptions as string) || ': already used.'
            when 'account_ineligible' then 'At ' || {{ format_utc_time('final.attempted_at') }}
                || ' the account had '
                || case
                    when not final.has_payment_method and not final.has_completed_business_profile
                        then 'no payment method linked and no completed business profile'
                    when not final.has_payment_method then 'no payment method linked'
                    else 'no completed business profile'
                end || ': not eligible.'
            when 'blocked_by_active_promotion' then 'At ' || {{ format_utc_time('final.attempted_at') }}
                || ' the account held an active '
                || case
                    when final.has_active_spend_match_credit then 'spend-match credit'
                    else 'coupon credit applied earlier'
                end || ': blocked.'
            else 'Applied: '
                || coalesce({{ format_usd('final.credit_amount_usd') }}, 'no USD rate for')
                || case
                    when final.credit_currency != 'USD'
                        then ' (' || final.credit_currency || ' ' || {{ format_amount('final.credit_amount') }} || ')'
                    else ''
                end
                || ' credit, valid '
                || cast({{ days_between('final.attempted_at', 'final.expires_at') }} as string)
                || ' days until ' || {{ format_utc_time('final.expires_at') }} || '.'
        end as outcome_reason
    from final
)

select * from reasoned
