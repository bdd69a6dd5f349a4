{#-
    Calendar months of each account that spent, from the month of its first spend to the
    as-of month, with how many of the 6 calendar months before each month had spend
    (RULES.md section 10: spend in each of the 6 calendar months before D's month). A month's
    row is dated on the account's first credit-line day in it (date_day): the month's first
    day, or the first spend day in the first month.

    Incremental by day: a month's count reads only earlier months, and the first spend day is
    final once it is before the window, so the stored rows before the window stand. A run
    recomputes the months from the window's on, reading the spend months from 6 months before
    the window's month; the first spend day of an account that spent before the window comes
    from its stored row of the month holding the window's day before (every such account has
    one, dated on or before that day).
-#}
{{ day_window_config() }}

with

spent_months as (
    select * from {{ ref('int_account_spend_months') }}
    {% if is_incremental() %}
    where month_start_on >= {{ add_months(month_start(recompute_from()), -6) }}
    {% endif %}
),

carried_first_spend as (
    {% if is_incremental() %}
    select distinct
        account_id,
        first_spend_on
    from {{ this }}
    where date_day < {{ recompute_from() }}
        and date_day >= {{ month_start(add_days(recompute_from(), -1)) }}
    {% else %}
    select
        cast(null as string) as account_id,
        cast(null as date) as first_spend_on
    where false
    {% endif %}
),

first_spend as (
    select
        account_id,
        min(date_day) as first_spend_on
    from spent_months
    where account_id not in (select account_id from carried_first_spend)
    group by account_id
    union all
    select * from carried_first_spend
),

month_spine as (
    select
        account_id,
        first_spend_on,
        {%- set first_month = month_start('first_spend_on') %}
        {%- if is_incremental() %}
        {%- set first_month = 'greatest(' ~ first_month ~ ', ' ~ add_months(month_start(recompute_from()), -6) ~ ')' %}
        {%- endif %}
        {{ explode_days(first_month, month_start(as_of_date()), '1 month') }} as month_start_on
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

counted as (
    select
        account_id,
        month_start_on,
        greatest(month_start_on, first_spend_on) as date_day,
        first_spend_on,
        -- The spine is dense, so 6 rows are 6 calendar months.
        cast(coalesce(sum(case when has_spend then 1 else 0 end) over (
            partition by account_id
            order by month_start_on
            rows between 6 preceding and 1 preceding
        ), 0) as integer) as months_with_spend_in_prior_6
    from flagged
),

final as (
    select *
    from counted
    {% if is_incremental() %}
    where date_day >= {{ recompute_from() }}
    {% endif %}
)

select * from final
