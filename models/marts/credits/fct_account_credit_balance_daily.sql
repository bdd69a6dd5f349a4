{#-
    Each account's credit balance at the end of each day, over a dense range of days: from
    the day its first credit was issued to the day its last credit expired, or to the as-of
    date while one is still live. Days between two credit periods are kept with a zero
    balance; after an account's last row its balance is zero. Amounts are the ledger's cents.
-#}

with

credits as (
    select * from {{ ref('int_credits_issued') }}
),

ledger_entries as (
    select * from {{ ref('int_credit_ledger_entries') }}
),

spend_daily as (
    select * from {{ ref('int_account_spend_daily') }}
),

-- Each account's days: from its first credit's first day to its last expiry, or the as-of date.
account_ranges as (
    select
        account_id,
        min(first_active_on) as first_day,
        least(max(cast(expires_at as date)), {{ as_of_date() }}) as last_day
    from credits
    group by account_id
),

day_spine as (
    select
        account_id,
        {{ explode_days('first_day', 'last_day') }} as date_day
    from account_ranges
),

-- The ledger summed per account and day: what each day adds to the balances.
daily_entries as (
    select
        account_id,
        entry_date,
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
    group by account_id, entry_date
),

running as (
    select
        day_spine.account_id,
        day_spine.date_day,
        coalesce(spend_daily.any_spend_usd, 0) as spend_usd,
        coalesce(daily_entries.issued_usd, 0) as issued_usd,
        coalesce(daily_entries.consumed_usd, 0) as consumed_usd,
        coalesce(daily_entries.discount_usd, 0) as discount_usd,
        coalesce(daily_entries.expired_usd, 0) as expired_usd,
        sum(coalesce(daily_entries.free_credit_change_usd, 0)) over by_day as free_credit_balance_usd,
        sum(coalesce(daily_entries.discount_coupon_change_usd, 0)) over by_day
            as discount_coupon_balance_usd
    from day_spine
    left join daily_entries
        on day_spine.account_id = daily_entries.account_id
        and day_spine.date_day = daily_entries.entry_date
    left join spend_daily
        on day_spine.account_id = spend_daily.account_id
        and day_spine.date_day = spend_daily.date_day
    window by_day as (
        partition by day_spine.account_id
        order by day_spine.date_day
        rows between unbounded preceding and current row
    )
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
    from running
)

select * from final
