with

base as (
    select * from {{ ref('base_billing__coupon_codes') }}
),

final as (
    select
        coupon_code,
        {{ hash_secret('coupon_code') }} as coupon_code_hash,
        currency,
        credit_amount,
        credit_validity_days,
        max_redemptions,
        redeem_by
    from base
    where quarantine_reason is null
)

select * from final
