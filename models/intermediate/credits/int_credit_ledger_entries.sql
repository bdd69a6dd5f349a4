{#-
    The credit ledger (RULES.md section 9): per credit an `issued` entry on the day of
    issued_at, a `consumed` entry per day its spend used it, and an `expired` entry on the day
    of expires_at for what was left, once expires_at is before the as-of time. A credit that
    was used up leaves nothing to expire and gets no expired entry. date_day is the entry's
    day.

    Cents: each credit's amount and its running consumption are rounded to cents, and a day's
    consumed entry is the step of the rounded running total (consumed_to_date_usd of
    int_credits_consumed_daily, rounded, less the same before the day's consumption), so the
    entries of a credit add up exactly: issued = consumed + expired + remaining, in cents, on
    every row. remaining_usd is what is left of the credit after the entry.

    Incremental by day: every entry reads only its own day and what came before it, so the
    stored entries before the window stand (recompute_window.sql). An expired entry in the
    window takes the credit's whole consumption, read from the credit's first active day.
-#}
{{ day_window_config() }}

with

credits as (
    select * from {{ ref('int_credits_issued') }}
),

-- Read twice (the day's entries and an expiring credit's total): not materialized, so that
-- each read keeps its own filter.
consumed_daily as {{ not_materialized() }} (
    select * from {{ ref('int_credits_consumed_daily') }}
),

issued_amounts as (
    select
        credit_id,
        cast(round(amount_usd, 2) as decimal(18, 2)) as issued_usd
    from credits
),

issued_entries as (
    select
        credits.credit_id,
        credits.first_active_on as date_day,
        'issued' as entry_type,
        1 as entry_order,
        issued_amounts.issued_usd as amount_usd,
        issued_amounts.issued_usd as remaining_usd
    from credits
    inner join issued_amounts
        on credits.credit_id = issued_amounts.credit_id
    {% if is_incremental() %}
    where credits.first_active_on >= {{ recompute_from() }}
    {% endif %}
),

consumed_steps as (
    select
        credit_id,
        date_day,
        cast(round(consumed_to_date_usd, 2) as decimal(18, 2)) as consumed_to_date_usd,
        cast(round(consumed_to_date_usd, 2) as decimal(18, 2))
            - cast(round(consumed_to_date_usd - consumed_usd, 2) as decimal(18, 2)) as consumed_usd
    from consumed_daily
    {% if is_incremental() %}
    where date_day >= {{ recompute_from() }}
    {% endif %}
),

consumed_entries as (
    select
        consumed_steps.credit_id,
        consumed_steps.date_day,
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

expiring as (
    select
        credit_id,
        first_active_on,
        cast(expires_at as date) as date_day
    from credits
    where expires_at < {{ as_of_end_at() }}
        {% if is_incremental() %}
        and cast(expires_at as date) >= {{ recompute_from() }}
        {% endif %}
),

consumed_totals as (
    select
        consumed_daily.credit_id,
        cast(round(max(consumed_daily.consumed_to_date_usd), 2) as decimal(18, 2)) as consumed_usd
    from consumed_daily
    semi join expiring
        on consumed_daily.credit_id = expiring.credit_id
    {% if is_incremental() %}
    where consumed_daily.date_day >= (select min(first_active_on) from expiring)
    {% endif %}
    group by consumed_daily.credit_id
),

expired_entries as (
    select
        expiring.credit_id,
        expiring.date_day,
        'expired' as entry_type,
        3 as entry_order,
        issued_amounts.issued_usd - coalesce(consumed_totals.consumed_usd, 0) as amount_usd,
        cast(0 as decimal(18, 2)) as remaining_usd
    from expiring
    inner join issued_amounts
        on expiring.credit_id = issued_amounts.credit_id
    left join consumed_totals
        on expiring.credit_id = consumed_totals.credit_id
    where issued_amounts.issued_usd - coalesce(consumed_totals.consumed_usd, 0) > 0
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
        unioned.credit_id || '|' || unioned.entry_type || '|' || cast(unioned.date_day as string)
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
        unioned.date_day
    from unioned
    inner join credits
        on unioned.credit_id = credits.credit_id
)

select * from final
