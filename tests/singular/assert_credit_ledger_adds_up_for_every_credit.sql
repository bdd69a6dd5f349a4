{{ config(meta={'dagster': {'ref': {'name': 'fct_credit_ledger'}}}) }}
{#-
    For every credit: issued = consumed + expired + remaining (RULES.md section 9), and each
    ledger row's remaining_usd is what its issued amount less every entry up to it leaves.
    Every credit of fct_credit_issuance has exactly one issued entry, at most one expired
    entry, and none after it.
-#}
with

issuance as (
    select * from {{ ref('fct_credit_issuance') }}
),

ledger as (
    select * from {{ ref('fct_credit_ledger') }}
),

running as (
    select
        credit_id,
        ledger_entry_id,
        entry_type,
        remaining_usd,
        sum(balance_change_usd) over (
            partition by credit_id
            order by entry_date, entry_order
            rows between unbounded preceding and current row
        ) as expected_remaining_usd
    from ledger
),

totals as (
    select
        credit_id,
        sum(case when entry_type = 'issued' then 1 else 0 end) as issued_entries,
        sum(case when entry_type = 'expired' then 1 else 0 end) as expired_entries,
        sum(case when entry_type = 'issued' then amount_usd else 0 end) as issued_usd,
        sum(case when entry_type = 'consumed' then amount_usd else 0 end) as consumed_usd,
        sum(case when entry_type = 'expired' then amount_usd else 0 end) as expired_usd,
        max(case when entry_type = 'expired' then entry_date end) as expired_on,
        max(entry_date) as last_entry_on
    from ledger
    group by credit_id
),

unbalanced_rows as (
    select
        credit_id,
        'remaining_usd of ' || ledger_entry_id || ' is not issued less the entries so far' as problem
    from running
    where remaining_usd != expected_remaining_usd
),

unbalanced_credits as (
    select
        issuance.credit_id,
        case
            when totals.credit_id is null then 'no ledger entries'
            when totals.issued_entries != 1 then 'not exactly one issued entry'
            when totals.expired_entries > 1 then 'more than one expired entry'
            when totals.expired_on < totals.last_entry_on then 'an entry after the expired entry'
            when totals.issued_usd != issuance.amount_usd then 'issued entry differs from the credit amount'
            when totals.issued_usd
                != totals.consumed_usd + totals.expired_usd + issuance.remaining_usd
                then 'issued != consumed + expired + remaining'
        end as problem
    from issuance
    left join totals
        on issuance.credit_id = totals.credit_id
),

final as (
    select * from unbalanced_rows
    union all
    select * from unbalanced_credits
    where problem is not null
)

select * from final
