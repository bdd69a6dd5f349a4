{#-
    Credit line eligibility per account and day (RULES.md section 10), for every account that
    spent, from its first spend day to the as-of date: the periods of constant state of
    int_credit_line_periods spread over their days, where the two rules that move with D
    itself (account age, the 6-month look-back of late payments) are judged.
-#}

with

periods as (
    select * from {{ ref('int_credit_line_periods') }}
),

days as (
    select
        account_id,
        {{ explode_days('valid_from', 'valid_to') }} as date_day,
        first_spend_on,
        months_with_spend_in_prior_6,
        overdue_invoices,
        latest_late_paid_due_on
    from periods
),

rules as (
    select
        account_id,
        date_day,
        first_spend_on <= {{ add_months('date_day', -6) }} as passes_account_age,
        months_with_spend_in_prior_6 = 6 as passes_continuous_spend,
        not coalesce(latest_late_paid_due_on >= {{ add_months('date_day', -6) }}, false)
            as passes_on_time_payments,
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
