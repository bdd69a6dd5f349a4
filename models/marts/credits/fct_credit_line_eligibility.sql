{#-
    Credit line eligibility per account and day (RULES.md section 10), for every account that
    spent, from its first spend day to the as-of date. Each day is judged with what had
    happened by the end of that day: an invoice paid after D is still unpaid on D.

    Invoices turn into dated events so that running windows answer both invoice rules with
    equality joins, not a range join of invoices to days:
    - overdue on D (unpaid past its due date): +1 on the first overdue day
      (greatest(due_on + 1, issued_on)), -1 on paid_on; overdue on D when the running sum > 0;
    - paid late (paid_on > due_on): on paid_on it brings its due_on; the latest such due_on
      paid by D fails D when it lies in [D - 6 months, D).
    Events before the first spend day are moved onto it; they still count from there.

    What the rules read changes only on a few days of an account: its first spend day, each
    month start (the months with spend) and each invoice event. The running windows work on
    those days alone, each one the start of a period of constant state that runs to the day
    before the next; the periods are then spread over their days, where the two rules that
    move with D itself (account age, the 6-month look-back of late payments) are judged.

    Incremental: a daily run spreads only the periods that reach its new days, and every
    period of the accounts whose months with spend or first spend day changed (a
    restatement); it rebuilds whole when the invoices, the accounts or the SQL changed, or
    when the as-of date went back (credit_line_inputs()). The periods are computed whole
    either way: they are few.
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    on_schema_change='fail',
    pre_hook="{{ delete_replaced_credit_line_days(credit_line_rebuilt()) }}",
    post_hook="{{ save_inputs(credit_line_inputs) }}",
) }}

{%- set rebuilt = credit_line_rebuilt() %}

with

{% if not rebuilt %}
last_build as (
    select * from {{ applied_input('build') }}
),

accounts_replaced as (
    {{ credit_line_accounts_replaced() }}
),
{% endif %}

months_spent as (
    select * from {{ ref('int_account_months_spent') }}
),

invoices as (
    select * from {{ ref('stg_billing__invoices') }}
),

first_spend as (
    select distinct
        account_id,
        first_spend_on,
    from months_spent
),

visible_invoices as (
    select
        invoices.invoice_id,
        invoices.account_id,
        first_spend.first_spend_on,
        invoices.due_on,
        case when invoices.paid_on <= {{ as_of_date() }} then invoices.paid_on end as paid_on,
        greatest({{ add_days('invoices.due_on', 1) }}, invoices.issued_on) as overdue_from,
    from invoices
    inner join first_spend
        on invoices.account_id = first_spend.account_id
    where invoices.issued_on <= {{ as_of_date() }}
),

overdue_events as (
    select
        account_id,
        greatest(overdue_from, first_spend_on) as event_on,
        1 as overdue_change,
    from visible_invoices
    where overdue_from <= {{ as_of_date() }}
        and (paid_on is null or paid_on > overdue_from)
    union all
    select
        account_id,
        greatest(paid_on, first_spend_on) as event_on,
        -1 as overdue_change,
    from visible_invoices
    where paid_on > overdue_from
),

overdue_changes as (
    select
        account_id,
        event_on,
        sum(overdue_change) as overdue_change,
    from overdue_events
    group by account_id, event_on
),

late_payments as (
    select
        account_id,
        greatest(paid_on, first_spend_on) as event_on,
        max(due_on) as latest_due_on,
    from visible_invoices
    where paid_on > due_on
    group by account_id, greatest(paid_on, first_spend_on)
),

change_days as (
    select
        account_id,
        first_spend_on as change_on,
    from first_spend
    union
    select
        account_id,
        month_start_on as change_on,
    from months_spent
    where month_start_on > first_spend_on
    union
    select
        account_id,
        event_on as change_on,
    from overdue_changes
    union
    select
        account_id,
        event_on as change_on,
    from late_payments
),

periods as (
    select
        change_days.account_id,
        change_days.change_on as valid_from,
        coalesce(
            {{ add_days('lead(change_days.change_on) over by_change_day', -1) }},
            {{ as_of_date() }}
        ) as valid_to,
        coalesce(sum(overdue_changes.overdue_change) over running, 0) as overdue_invoices,
        max(late_payments.latest_due_on) over running as latest_late_paid_due_on,
    from change_days
    left join overdue_changes
        on change_days.account_id = overdue_changes.account_id
        and change_days.change_on = overdue_changes.event_on
    left join late_payments
        on change_days.account_id = late_payments.account_id
        and change_days.change_on = late_payments.event_on
    window
        by_change_day as (partition by change_days.account_id order by change_days.change_on),
        running as (
            partition by change_days.account_id
            order by change_days.change_on
            rows between unbounded preceding and current row
        )
),

-- A period never crosses a month start, so the month of its first day is the month of all.
periods_with_months as (
    select
        periods.*,
        months_spent.first_spend_on,
        months_spent.months_with_spend_in_prior_6,
    from periods
    inner join months_spent
        on periods.account_id = months_spent.account_id
        and {{ month_start('periods.valid_from') }} = months_spent.month_start_on
),

days as (
    select
        *,
        cast(unnest(generate_series(
            {% if rebuilt %}
            valid_from,
            {% else %}
            case
                when account_id in (select account_id from accounts_replaced) then valid_from
                else greatest(valid_from, {{ add_days('(select as_of_date from last_build)', 1) }})
            end,
            {% endif %}
            valid_to,
            interval 1 day
        )) as date) as date_day,
    from periods_with_months
    {% if not rebuilt %}
    where valid_to > (select as_of_date from last_build)
        or account_id in (select account_id from accounts_replaced)
    {% endif %}
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
        latest_late_paid_due_on,
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
        latest_late_paid_due_on,
    from rules
)

select * from final
