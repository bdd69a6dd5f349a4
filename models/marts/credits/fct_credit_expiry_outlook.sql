{#-
    Finance: every live credit with something left at the as-of time (what could still expire
    unused), flagged when expires_at is less than 7 or 30 days after the as-of time. One row
    per credit, so that finance can sum by source, type, account or expiry day.
-#}
with

balances as (
    select * from {{ ref('int_credit_balances') }}
),

as_of as (
    select * from {{ ref('int_as_of_date') }}
),

final as (
    select
        balances.credit_id,
        balances.account_id,
        balances.credit_source,
        balances.credit_type,
        balances.remaining_usd,
        cast({{ days_between('as_of.as_of_date', 'cast(balances.expires_at as date)') }} as integer)
            as expires_in_days,
        balances.expires_at < {{ add_hours('as_of.as_of_end_at', 7 * 24) }} as is_expiring_within_7d,
        balances.expires_at < {{ add_hours('as_of.as_of_end_at', 30 * 24) }} as is_expiring_within_30d,
        as_of.as_of_date,
        balances.expires_at
    from balances
    cross join as_of
    where not balances.is_expired
        and balances.remaining_usd > 0
)

select * from final
