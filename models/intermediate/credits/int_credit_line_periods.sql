{#-
    The periods of constant credit-line state of each account that spent (RULES.md section
    10), from its first spend day to the as-of date; fct_credit_line_eligibility spreads them
    over their days. Each day is judged with what had happened by the end of that day: an
    invoice paid after D is still unpaid on D.

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
    before the next (about 50 per account rather than 730 days).
-#}


with

months_spent as (
    select * from {{ ref('int_account_months_spent') }}
),

invoices as (

    select * from {{ ref('stg_billing__invoices') }}
),

first_spend as (
    select distinct
        account_id,
        first_spend_on
    from months_spent
),

-- The invoices known on the as-of date: issued by then, paid only if paid by then, and the
-- first day each is overdue while unpaid.
known_invoices as (
    select
        account_id,
        due_on,
        case when paid_on <= {{ as_of_date() }} then paid_on end as paid_on,
        greatest({{ add_days('due_on', 1) }}, issued_on) as overdue_from
    from invoices
    where issued_on <= {{ as_of_date() }}
),

-- Each known invoice's events, on their own dates: +1 on its first overdue day while unpaid by
-- then, -1 on the day it is paid after that, and, paid after its due date, that due date as a
-- late payment on the day it is paid.
invoice_events as (
    select
        account_id,
        overdue_from as event_on,
        1 as overdue_change,
        cast(null as date) as late_paid_due_on
    from known_invoices
    where overdue_from <= {{ as_of_date() }}
        and (paid_on is null or paid_on > overdue_from)
    union all
    select
        account_id,
        paid_on as event_on,
        case when paid_on > overdue_from then -1 else 0 end as overdue_change,
        due_on as late_paid_due_on
    from known_invoices
    where paid_on > due_on
),

-- Each account's events per day, those before the first spend day moved onto it.
event_days as (
    select
        invoice_events.account_id,
        greatest(invoice_events.event_on, first_spend.first_spend_on) as event_on,
        sum(invoice_events.overdue_change) as overdue_change,
        max(invoice_events.late_paid_due_on) as latest_late_paid_due_on
    from invoice_events
    inner join first_spend
        on invoice_events.account_id = first_spend.account_id
    group by
        invoice_events.account_id,
        greatest(invoice_events.event_on, first_spend.first_spend_on)
),

change_days as (
    select
        account_id,
        first_spend_on as change_on
    from first_spend
    union
    select
        months_spent.account_id,
        months_spent.month_start_on as change_on
    from months_spent
    semi join first_spend
        on months_spent.account_id = first_spend.account_id
    where months_spent.month_start_on > months_spent.first_spend_on
    union
    select
        account_id,
        event_on as change_on
    from event_days
),

periods as (
    select
        change_days.account_id,
        change_days.change_on as valid_from,
        coalesce(
            {{ add_days('lead(change_days.change_on) over by_change_day', -1) }},
            {{ as_of_date() }}
        ) as valid_to,
        coalesce(sum(event_days.overdue_change) over running, 0) as overdue_invoices,
        max(event_days.latest_late_paid_due_on) over running as latest_late_paid_due_on
    from change_days
    left join event_days
        on change_days.account_id = event_days.account_id
        and change_days.change_on = event_days.event_on
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
        months_spent.months_with_spend_in_prior_6
    from periods
    inner join months_spent
        on periods.account_id = months_spent.account_id
        and {{ month_start('periods.valid_from') }} = months_spent.month_start_on
)

select * from periods_with_months
