{#-
    Credit line eligibility per account and day (RULES.md section 10), for every account that
    spent, from its first spend day to the as-of date: the periods of constant state of
    int_credit_line_periods spread over their days, where the two rules that move with D
    itself (account age, the 6-month look-back of late payments) are judged.

    Both compare a fixed day X of the period with D minus 6 months (clamped to the month's
    end), which grows with D: they pass from the first D whose D minus 6 months reaches X,
    found once per period rather than on every day. That day is X plus 6 months, or the day
    after it when that was clamped (X = 08-31: 02-28 minus 6 months is 08-28, so 03-01).

    Incremental by day: a run spreads the periods that reach into the window over the window's
    days (recompute_window.sql). The period holding the window's first day starts on or after
    the first day of that month (every month start is a period start), so the periods are
    read from there.
-#}
{{ day_window_config() }}

with

periods as (
    select * from {{ ref('int_credit_line_periods') }}
    {% if is_incremental() %}
    where date_day >= {{ month_start(recompute_from()) }}
    {% endif %}
),

bounded as (
    select
        *,
        coalesce(
            {{ add_days('lead(date_day) over (partition by account_id order by date_day)', -1) }},
            {{ as_of_date() }}
        ) as valid_to,
        {%- for day, passes_from in [
            ('first_spend_on', 'account_age_passes_from'),
            (add_days('latest_late_paid_due_on', 1), 'late_payment_passes_from')
        ] %}
        case
            when {{ add_months(add_months(day, 6), -6) }} >= {{ day }} then {{ add_months(day, 6) }}
            else {{ add_days(add_months(day, 6), 1) }}
        end as {{ passes_from }}{{ ',' if not loop.last }}
        {%- endfor %}
    from periods
),

days as (
    select
        account_id,
        {%- set first_day = 'date_day' %}
        {%- if is_incremental() %}
        {%- set first_day = 'greatest(date_day, ' ~ recompute_from() ~ ')' %}
        {%- endif %}
        {{ explode_days(first_day, 'valid_to') }} as date_day,
        first_spend_on,
        months_with_spend_in_prior_6,
        overdue_invoices,
        latest_late_paid_due_on,
        account_age_passes_from,
        late_payment_passes_from
    from bounded
),

rules as (
    select
        account_id,
        date_day,
        date_day >= account_age_passes_from as passes_account_age,
        months_with_spend_in_prior_6 = 6 as passes_continuous_spend,
        coalesce(date_day >= late_payment_passes_from, true) as passes_on_time_payments,
        overdue_invoices = 0 as passes_no_overdue_invoices,
        first_spend_on,
        months_with_spend_in_prior_6,
        cast(overdue_invoices as integer) as overdue_invoices,
        latest_late_paid_due_on
    from days
),

final as (
    select
        account_id,
        date_day,
        passes_account_age
            and passes_continuous_spend
            and passes_on_time_payments
            and passes_no_overdue_invoices as is_eligible,
        passes_account_age,
        passes_continuous_spend,
        passes_on_time_payments,
        passes_no_overdue_invoices,
        first_spend_on,
        months_with_spend_in_prior_6,
        overdue_invoices,
        latest_late_paid_due_on
    from rules
)

select * from final
