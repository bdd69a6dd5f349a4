{#-
    Each account's credit balance at the end of each day that one of its credits covers (from
    a credit's issue day to its expiry day; int_account_credit_periods), up to the as-of date,
    with the day's spend and ledger entries. Amounts are the ledger's cents: the balances are
    the running sums of the ledger's balance_change_usd. fct_account_credit_balance_daily adds
    the days between two periods, on which every credit had expired: zero balances.

    Incremental by day: a day's balance is the day before's plus the day's entries, so the
    stored days before the window stand. A run recomputes the covered days of the window
    (recompute_window.sql), starting from the balances stored for the day before the window;
    when that day is not covered, every credit issued by then had expired: zero.
-#}
{{ day_window_config() }}

with

periods as (
    select * from {{ ref('int_account_credit_periods') }}
    {% if is_incremental() %}
    where covered_to >= {{ recompute_from() }}
    {% endif %}
),

ledger_entries as (
    select * from {{ ref('int_credit_ledger_entries') }}
    {% if is_incremental() %}
    where date_day >= {{ recompute_from() }}
    {% endif %}
),

-- Every covered day with spend.
allocation_days as (
    select * from {{ ref('int_credit_allocation_days') }}
    {% if is_incremental() %}
    where date_day >= {{ recompute_from() }}
    {% endif %}
),

covered_days as (
    select
        account_id,
        {%- set first_day = 'covered_from' %}
        {%- if is_incremental() %}
        {%- set first_day = 'greatest(covered_from, ' ~ recompute_from() ~ ')' %}
        {%- endif %}
        {{ explode_days(first_day, 'least(covered_to, ' ~ as_of_date() ~ ')') }} as date_day
    from periods
),

-- The ledger summed per account and day: what each day adds to the balances.
daily_entries as (
    select
        account_id,
        date_day,
        sum(case when entry_type = 'issued' then amount_usd else 0 end) as issued_usd,
        sum(case when entry_type = 'consumed' then amount_usd else 0 end) as consumed_usd,
        sum(case when entry_type = 'consumed' and credit_type = 'discount_coupon' then amount_usd else 0 end)
            as discount_usd,
        sum(case when entry_type = 'expired' then amount_usd else 0 end) as expired_usd,
        sum(case when credit_type = 'free_credit' then balance_change_usd else 0 end)
            as free_credit_change_usd,
        sum(case when credit_type = 'discount_coupon' then balance_change_usd else 0 end)
            as discount_coupon_change_usd
    from ledger_entries
    group by account_id, date_day
),

carried as (
    {% if is_incremental() %}
    select
        account_id,
        free_credit_balance_usd,
        discount_coupon_balance_usd
    from {{ this }}
    where date_day = {{ add_days(recompute_from(), -1) }}
    {% else %}
    select
        cast(null as string) as account_id,
        cast(null as decimal(18, 2)) as free_credit_balance_usd,
        cast(null as decimal(18, 2)) as discount_coupon_balance_usd
    where false
    {% endif %}
),

running as (
    select
        covered_days.account_id,
        covered_days.date_day,
        coalesce(allocation_days.spend_usd, 0) as spend_usd,
        coalesce(daily_entries.issued_usd, 0) as issued_usd,
        coalesce(daily_entries.consumed_usd, 0) as consumed_usd,
        coalesce(daily_entries.discount_usd, 0) as discount_usd,
        coalesce(daily_entries.expired_usd, 0) as expired_usd,
        sum(coalesce(daily_entries.free_credit_change_usd, 0)) over by_day as free_credit_change_to_date_usd,
        sum(coalesce(daily_entries.discount_coupon_change_usd, 0)) over by_day
            as discount_coupon_change_to_date_usd
    from covered_days
    left join daily_entries
        on covered_days.account_id = daily_entries.account_id
        and covered_days.date_day = daily_entries.date_day
    left join allocation_days
        on covered_days.account_id = allocation_days.account_id
        and covered_days.date_day = allocation_days.date_day
    window by_day as (
        partition by covered_days.account_id
        order by covered_days.date_day
        rows between unbounded preceding and current row
    )
),

balances as (
    select
        running.*,
        coalesce(carried.free_credit_balance_usd, 0) + running.free_credit_change_to_date_usd
            as free_credit_balance_usd,
        coalesce(carried.discount_coupon_balance_usd, 0) + running.discount_coupon_change_to_date_usd
            as discount_coupon_balance_usd
    from running
    left join carried
        on running.account_id = carried.account_id
),

final as (
    select
        account_id,
        date_day,
        cast(round(spend_usd, 2) as decimal(18, 2)) as spend_usd,
        cast(consumed_usd as decimal(18, 2)) as credits_applied_usd,
        cast(discount_usd as decimal(18, 2)) as discount_applied_usd,
        cast(round(spend_usd, 2) - consumed_usd as decimal(18, 2)) as spend_after_credits_usd,
        cast(issued_usd as decimal(18, 2)) as issued_usd,
        cast(expired_usd as decimal(18, 2)) as expired_usd,
        cast(free_credit_balance_usd as decimal(18, 2)) as free_credit_balance_usd,
        cast(discount_coupon_balance_usd as decimal(18, 2)) as discount_coupon_balance_usd,
        cast(free_credit_balance_usd + discount_coupon_balance_usd as decimal(18, 2)) as balance_usd
    from balances
)

select * from final
