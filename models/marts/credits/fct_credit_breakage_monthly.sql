{#-
    Finance: breakage, the part of credits that expired unused, by credit source, credit type
    and the month the credits expired in (the month of expires_at), for credits whose
    expires_at is before the as-of time. The cohort is every credit that expired that month,
    used up or not, so breakage_rate is breakage over what those credits were worth.
-#}
with

balances as (
    select * from {{ ref('int_credit_balances') }}
),

expired as (
    select
        {{ month_start('expires_at') }} as expiry_month,
        credit_source,
        credit_type,
        issued_usd,
        consumed_usd,
        expired_usd
    from balances
    where is_expired
),

final as (
    select
        expiry_month,
        credit_source,
        credit_type,
        cast(count(*) as integer) as credits_expired,
        cast(sum(case when expired_usd > 0 then 1 else 0 end) as integer) as credits_with_breakage,
        cast(sum(issued_usd) as decimal(18, 2)) as issued_usd,
        cast(sum(consumed_usd) as decimal(18, 2)) as consumed_usd,
        cast(sum(expired_usd) as decimal(18, 2)) as breakage_usd,
        case
            when sum(issued_usd) > 0
                then cast(sum(expired_usd) as double) / cast(sum(issued_usd) as double)
        end as breakage_rate
    from expired
    group by expiry_month, credit_source, credit_type
)

select * from final
