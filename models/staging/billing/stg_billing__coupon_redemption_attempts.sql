with

base as (
    select * from {{ ref('base_billing__coupon_redemption_attempts') }}
),

final as (
    select
        attempt_id,
        account_id,
        coupon_code,
        {{ hash_secret('coupon_code') }} as coupon_code_hash,
        attempted_at
    from base
    where quarantine_reason is null
)

select * from final
