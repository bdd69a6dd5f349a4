{#- No code is applied more times than its max_redemptions (single-use codes at most once). -#}
with

redemptions as (
    select * from {{ ref('fct_coupon_redemptions') }}
),

final as (
    select
        coupon_code_hash,
        max(code_max_redemptions) as max_redemptions,
        count(*) as times_applied
    from redemptions
    where outcome = 'applied'
    group by coupon_code_hash
    having count(*) > max(code_max_redemptions)
)

select * from final
