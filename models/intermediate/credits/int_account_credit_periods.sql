{#-
    The periods in which each account holds credits: runs of days covered by its credits
    known at the as-of time, each credit covering the days from its issue day to its expiry
    day (the day of its expired entry). Credits whose days overlap or touch form one period:
    from the first issue day to the last expiry day among them (which may lie after the as-of
    date). The days between two periods are the account's gaps (fct_account_credit_balance_daily).
-#}
with

credits as (
    select * from {{ ref('int_credits_issued') }}
),

covering as (
    select
        account_id,
        first_active_on as covered_from,
        cast(expires_at as date) as covered_to
    from credits
),

-- A credit starts a period when it starts after every earlier credit of the account has
-- expired (the day after the last expiry still continues the period).
flagged as (
    select
        *,
        case
            when covered_from > {{ add_days(
                'max(covered_to) over (partition by account_id order by covered_from, covered_to '
                ~ 'rows between unbounded preceding and 1 preceding)', 1) }}
                then 1
            else 0
        end as starts_period
    from covering
),

numbered as (
    select
        *,
        sum(starts_period) over (
            partition by account_id
            order by covered_from, covered_to
            rows between unbounded preceding and current row
        ) as period_number
    from flagged
),

final as (
    select
        account_id,
        min(covered_from) as covered_from,
        max(covered_to) as covered_to
    from numbered
    group by account_id, period_number
)

select * from final
