{#-
    Each account's credit balance at the end of each day, over a dense range of days: from
    the day its first credit was issued to the day its last credit expired, or to the as-of
    date while one is still live. Days between two credit periods are kept with a zero
    balance; after an account's last row its balance is zero. Amounts are the ledger's cents.

    A view: the days its credits cover are stored in int_account_credit_balances_daily; the
    days between two periods (int_account_credit_periods) exist only once a later credit is
    issued, which may be long after them, so they are spread here, with the day's spend.
-#}
{{ config(materialized='view') }}

with

covered as (
    -- The columns named, in the order of gap_rows: a union matches columns by position, and
    -- Spark stores a day-partitioned table's day column last.
    select
        account_id,
        date_day,
        spend_usd,
        credits_applied_usd,
        discount_applied_usd,
        spend_after_credits_usd,
        issued_usd,
        expired_usd,
        free_credit_balance_usd,
        discount_coupon_balance_usd,
        balance_usd
    from {{ ref('int_account_credit_balances_daily') }}
),

periods as (
    select * from {{ ref('int_account_credit_periods') }}
),

spend_daily as (
    select * from {{ ref('int_account_spend_daily') }}
),

gaps as (
    select
        account_id,
        {{ add_days('covered_to', 1) }} as gap_from,
        {{ add_days('lead(covered_from) over (partition by account_id order by covered_from)', -1) }}
            as gap_to
    from periods
),

gap_days as (
    select
        account_id,
        {{ explode_days('gap_from', 'gap_to') }} as date_day
    from gaps
    where gap_to is not null
),

gap_rows as (
    select
        gap_days.account_id,
        gap_days.date_day,
        cast(round(coalesce(spend_daily.any_spend_usd, 0), 2) as decimal(18, 2)) as spend_usd,
        cast(0 as decimal(18, 2)) as credits_applied_usd,
        cast(0 as decimal(18, 2)) as discount_applied_usd,
        cast(round(coalesce(spend_daily.any_spend_usd, 0), 2) as decimal(18, 2)) as spend_after_credits_usd,
        cast(0 as decimal(18, 2)) as issued_usd,
        cast(0 as decimal(18, 2)) as expired_usd,
        cast(0 as decimal(18, 2)) as free_credit_balance_usd,
        cast(0 as decimal(18, 2)) as discount_coupon_balance_usd,
        cast(0 as decimal(18, 2)) as balance_usd
    from gap_days
    left join spend_daily
        on gap_days.account_id = spend_daily.account_id
        and gap_days.date_day = spend_daily.date_day
),

final as (
    select * from covered
    union all
    select * from gap_rows
)

select * from final
