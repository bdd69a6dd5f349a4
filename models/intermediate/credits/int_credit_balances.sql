{#-
    Where each credit stands at the as-of time, from its ledger entries (cents): issued,
    consumed, expired and what remains. A credit whose expires_at is before the as-of time is
    expired (its remainder, if any, went to an expired entry) and has nothing remaining.
-#}
with

credits as (
    select * from {{ ref('int_credits_issued') }}
),

ledger_entries as (
    select * from {{ ref('int_credit_ledger_entries') }}
),

totals as (
    select
        credit_id,
        sum(case when entry_type = 'issued' then amount_usd else 0 end) as issued_usd,
        sum(case when entry_type = 'consumed' then amount_usd else 0 end) as consumed_usd,
        sum(case when entry_type = 'expired' then amount_usd else 0 end) as expired_usd,
        max(case when entry_type = 'consumed' then date_day end) as last_consumed_on
    from ledger_entries
    group by credit_id
),

final as (
    select
        credits.credit_id,
        credits.account_id,
        credits.credit_source,
        credits.credit_type,
        cast(totals.issued_usd as decimal(18, 2)) as issued_usd,
        cast(totals.consumed_usd as decimal(18, 2)) as consumed_usd,
        cast(totals.expired_usd as decimal(18, 2)) as expired_usd,
        cast(case
            when credits.expires_at < {{ as_of_end_at() }} then 0
            else totals.issued_usd - totals.consumed_usd
        end as decimal(18, 2)) as remaining_usd,
        credits.expires_at < {{ as_of_end_at() }} as is_expired,
        credits.issued_at,
        credits.expires_at,
        totals.last_consumed_on
    from credits
    inner join totals
        on credits.credit_id = totals.credit_id
)

select * from final
