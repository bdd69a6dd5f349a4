{#-
    Calendar months of each account that spent, from the month of its first spend to the
    as-of month, with how many of the 6 calendar months before each month had spend
    (RULES.md section 10: spend in each of the 6 calendar months before D's month).
-#}

with

spent_months as (
    select * from {{ ref('int_account_spend_months') }}
),

first_spend as (
    select
        account_id,
        min(first_spend_in_month_on) as first_spend_on
    from spent_months
    group by account_id
),

month_spine as (
    select
        account_id,
        first_spend_on,
        {{ explode_days(month_start('first_spend_on'), month_start(as_of_date()), '1 month') }}
            as month_start_on
    from first_spend
),

flagged as (
    select
        month_spine.account_id,
        month_spine.month_start_on,
        month_spine.first_spend_on,
        spent_months.account_id is not null as has_spend
    from month_spine
    left join spent_months
        on month_spine.account_id = spent_months.account_id
        and month_spine.month_start_on = spent_months.month_start_on
),

final as (
    select
        account_id,
        month_start_on,
        first_spend_on,
        has_spend,
        -- The spine is dense, so 6 rows are 6 calendar months.
        cast(coalesce(sum(case when has_spend then 1 else 0 end) over (
            partition by account_id
            order by month_start_on
            rows between 6 preceding and 1 preceding
        ), 0) as integer) as months_with_spend_in_prior_6
    from flagged
)

select * from final
