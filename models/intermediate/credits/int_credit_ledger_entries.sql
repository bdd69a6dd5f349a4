{#-
    The credit ledger (RULES.md section 9): per credit an `issued` entry on the day of
    issued_at, a `consumed` entry per day its spend used it, and an `expired` entry on the day
    of expires_at for what was left, once expires_at is before the as-of time. A credit that
    was used up leaves nothing to expire and gets no expired entry.

    Cents: each credit's amount and its running consumption are rounded to cents, and a day's
    consumed entry is the step of the rounded running total, so the entries of a credit add
    up exactly: issued = consumed + expired + remaining, in cents, on every row.
    remaining_usd is what is left of the credit after the entry.
-#}

with

credits as (
    select * from {{ ref('int_credits_issued') }}
),

consumed_daily as (
    select * from {{ ref('int_credits_consumed_daily') }}
),

issued_amounts as (
    select
        credit_id,
        cast(round(amount_usd, 2) as decimal(18, 2)) as issued_usd
    from credits
),

consumed_running as (
    select
        consumed_daily.credit_id,
        consumed_daily.consumed_on,
        cast(round(sum(consumed_daily.consumed_usd) over by_day, 2) as decimal(18, 2))
            as consumed_to_date_usd
    from consumed_daily
    window by_day as (
        partition by consumed_daily.credit_id
        order by consumed_daily.consumed_on
        rows between unbounded preceding and current row
    )
),

consumed_steps as (
    select
        credit_id,
        consumed_on,
        consumed_to_date_usd,
        consumed_to_date_usd
            - coalesce(lag(consumed_to_date_usd) over (partition by credit_id order by consumed_on), 0)
            as consumed_usd
    from consumed_running
),

consumed_totals as (
    select
        credit_id,
        max(consumed_to_date_usd) as consumed_usd
    from consumed_running
    group by credit_id
),

issued_entries as (
    select
        credits.credit_id,
        credits.first_active_on as entry_date,
        'issued' as entry_type,
        1 as entry_order,
        issued_amounts.issued_usd as amount_usd,
        issued_amounts.issued_usd as remaining_usd
    from credits
    inner join issued_amounts
        on credits.credit_id = issued_amounts.credit_id
),

consumed_entries as (
    select
        consumed_steps.credit_id,
        consumed_steps.consumed_on as entry_date,
        'consumed' as entry_type,
        2 as entry_order,
        consumed_steps.consumed_usd as amount_usd,
        issued_amounts.issued_usd - consumed_steps.consumed_to_date_usd as remaining_usd
    from consumed_steps
    inner join issued_amounts
        on consumed_steps.credit_id = issued_amounts.credit_id
    -- Less than half a cent in a day rounds to nothing: no entry.
    where consumed_steps.consumed_usd > 0
),

expired_entries as (
    select
        credits.credit_id,
        cast(credits.expires_at as date) as entry_date,
        'expired' as entry_type,
        3 as entry_order,
        issued_amounts.issued_usd - coalesce(consumed_totals.consumed_usd, 0) as amount_usd,
        cast(0 as decimal(18, 2)) as remaining_usd
    from credits
    inner join issued_amounts
        on credits.credit_id = issued_amounts.credit_id
    left join consumed_totals
        on credits.credit_id = consumed_totals.credit_id
    where credits.expires_at < {{ as_of_end_at() }}
        and issued_amounts.issued_usd - coalesce(consumed_totals.consumed_usd, 0) > 0
),

unioned as (
    select * from issued_entries
    union all
    select * from consumed_entries
    union all
    select * from expired_entries
),

final as (
    select
        unioned.credit_id || '|' || unioned.entry_type || '|' || cast(unioned.entry_date as string)
            as ledger_entry_id,
        unioned.credit_id,
        credits.account_id,
        credits.credit_source,
        credits.credit_type,
        unioned.entry_type,
        cast(unioned.entry_order as integer) as entry_order,
        cast(unioned.amount_usd as decimal(18, 2)) as amount_usd,
        cast(case when unioned.entry_type = 'issued' then unioned.amount_usd else -unioned.amount_usd end
            as decimal(18, 2)) as balance_change_usd,
        cast(unioned.remaining_usd as decimal(18, 2)) as remaining_usd,
        unioned.entry_date
    from unioned
    inner join credits
        on unioned.credit_id = credits.credit_id
)

select * from final
