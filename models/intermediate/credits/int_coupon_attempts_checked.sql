{#-
    Every coupon redemption attempt known at the as-of time, with the rules of RULES.md
    section 7 that do not depend on other attempts:
    1. unknown_code, 2. code_expired, 4. account_ineligible (no linked payment method at
    attempted_at, or business profile not completed on or before that day), and the
    spend-match half of 5 (an active spend-match credit from billing_credits).
    Rules 3 and the coupon half of 5 depend on which earlier attempts were applied; they are
    decided in int_coupon_attempts_decided. An attempt passing every rule here is a candidate.

    The credit an attempt would give is converted at the rate of the attempt's day (coupon
    currency). The raw code is used for the join only: from here on the hash stands for it.
-#}
with

attempts as (
    select * from {{ ref('stg_billing__coupon_redemption_attempts') }}
),

coupon_codes as (
    select * from {{ ref('stg_billing__coupon_codes') }}
),

accounts as (
    select * from {{ ref('stg_ads_manager__accounts') }}
),

payment_methods as (
    select * from {{ ref('int_payment_methods_as_of') }}
),

billing_credits as (
    select * from {{ ref('stg_billing__billing_credits') }}
),

fx_rates as (
    select * from {{ ref('stg_reference__fx_rates') }}
),

visible_attempts as (
    select
        attempt_id,
        account_id,
        coupon_code,
        coupon_code_hash,
        attempted_at,
        cast(attempted_at as date) as attempted_on
    from attempts
    where attempted_at < {{ as_of_end_at() }}
),

with_code as (
    select
        visible_attempts.attempt_id,
        visible_attempts.account_id,
        visible_attempts.coupon_code_hash,
        visible_attempts.attempted_at,
        visible_attempts.attempted_on,
        coupon_codes.coupon_code is not null as is_known_code,
        coupon_codes.currency,
        coupon_codes.credit_amount,
        coupon_codes.credit_validity_days,
        coupon_codes.max_redemptions,
        coupon_codes.redeem_by
    from visible_attempts
    left join coupon_codes
        on visible_attempts.coupon_code = coupon_codes.coupon_code
),

converted as (
    {{ join_latest_fx_rate('with_code', 'fx_rates', 'currency', 'attempted_on') }}
),

with_payment_method as (
    select distinct visible_attempts.attempt_id
    from visible_attempts
    inner join payment_methods
        on visible_attempts.account_id = payment_methods.account_id
    where payment_methods.linked_at <= visible_attempts.attempted_at
        and (payment_methods.removed_at is null or payment_methods.removed_at > visible_attempts.attempted_at)
),

with_active_spend_match_credit as (
    select distinct visible_attempts.attempt_id
    from visible_attempts
    inner join billing_credits
        on visible_attempts.account_id = billing_credits.account_id
    where billing_credits.credit_source = 'spend_match'
        and billing_credits.issued_at <= visible_attempts.attempted_at
        and visible_attempts.attempted_at < billing_credits.expires_at
),

checked as (
    select
        converted.attempt_id,
        converted.account_id,
        converted.coupon_code_hash,
        converted.currency,
        converted.credit_amount,
        cast(converted.credit_amount * converted.usd_per_unit as decimal(18, 6)) as credit_amount_usd,
        converted.max_redemptions,
        converted.is_known_code,
        coalesce(converted.attempted_at > converted.redeem_by, false) as is_code_expired,
        with_payment_method.attempt_id is not null as has_payment_method,
        coalesce(accounts.business_profile_completed_on <= converted.attempted_on, false)
            as has_completed_business_profile,
        with_active_spend_match_credit.attempt_id is not null as has_active_spend_match_credit,
        converted.attempted_at,
        {{ add_hours('converted.attempted_at', 'converted.credit_validity_days * 24') }} as credit_expires_at
    from converted
    left join accounts
        on converted.account_id = accounts.account_id
    left join with_payment_method
        on converted.attempt_id = with_payment_method.attempt_id
    left join with_active_spend_match_credit
        on converted.attempt_id = with_active_spend_match_credit.attempt_id
),

final as (
    select
        *,
        has_payment_method and has_completed_business_profile as is_account_eligible,
        is_known_code
            and not is_code_expired
            and has_payment_method
            and has_completed_business_profile
            and not has_active_spend_match_credit as is_candidate
    from checked
)

select * from final
