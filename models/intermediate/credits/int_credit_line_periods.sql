{#-
    The periods of constant credit-line state of each account that spent (RULES.md section
    10), from its first spend day to the as-of date, one row on the first day of each
    (date_day); a period runs to the day before the account's next row, or to the as-of date.
    fct_credit_line_eligibility spreads them over their days. Each day is judged with what
    had happened by the end of that day: an invoice paid after D is still unpaid on D.

    Invoices turn into dated events so that running sums answer both invoice rules with
    equality joins, not a range join of invoices to days:
    - overdue on D (unpaid past its due date): +1 on the first overdue day
      (greatest(due_on + 1, issued_on)), -1 on paid_on; overdue on D when the running sum > 0;
    - paid late (paid_on > due_on): on paid_on it brings its due_on; the latest such due_on
      paid by D fails D when it lies in [D - 6 months, D).
    Events before the first spend day are moved onto it; they still count from there.

    What the rules read changes only on a few days of an account: its first spend day, each
    month start (the rows of int_account_months_spent) and each invoice event. Those days
    start the periods (about 50 per account rather than 730 days).

    Incremental by day: a period's state depends only on the events up to its first day, so
    the stored periods before the window stand. A run recomputes the periods that start in
    the window, carrying the running sums from the account's last stored period before it
    (read from the month holding the window's day before: every month start is a period
    start).
-#}
{{ day_window_config() }}

with

months_spent as (
    select * from {{ ref('int_account_months_spent') }}
    {% if is_incremental() %}
    where month_start_on >= {{ month_start(recompute_from()) }}
    {% endif %}
),

invoices as (
    select * from {{ ref('stg_billing__invoices') }}
),

-- Every account that spent by the as-of date has a row for the as-of month.
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
    {% if is_incremental() %}
    where greatest(invoice_events.event_on, first_spend.first_spend_on) >= {{ recompute_from() }}
    {% endif %}
    group by
        invoice_events.account_id,
        greatest(invoice_events.event_on, first_spend.first_spend_on)
),

change_days as (
    select
        account_id,
        date_day as change_on
    from months_spent
    {% if is_incremental() %}
    where date_day >= {{ recompute_from() }}
    {% endif %}
    union
    select
        account_id,
        event_on as change_on
    from event_days
),

-- The running sums up to the window: the account's last stored period before it.
carried as (
    {% if is_incremental() %}
    select
        account_id,
        overdue_invoices,
        latest_late_paid_due_on
    from {{ this }}
    where date_day < {{ recompute_from() }}
        and date_day >= {{ month_start(add_days(recompute_from(), -1)) }}
    qualify row_number() over (partition by account_id order by date_day desc) = 1
    {% else %}
    select
        cast(null as string) as account_id,
        cast(null as integer) as overdue_invoices,
        cast(null as date) as latest_late_paid_due_on
    where false
    {% endif %}
),

running as (
    select
        change_days.account_id,
        change_days.change_on,
        sum(event_days.overdue_change) over by_change_day as overdue_change_to_date,
        max(event_days.latest_late_paid_due_on) over by_change_day as latest_late_paid_due_on
    from change_days
    left join event_days
        on change_days.account_id = event_days.account_id
        and change_days.change_on = event_days.event_on
    window by_change_day as (
        partition by change_days.account_id
        order by change_days.change_on
        rows between unbounded preceding and current row
    )
),

periods as (
    select
        running.account_id,
        running.change_on as date_day,
        coalesce(carried.overdue_invoices, 0) + coalesce(running.overdue_change_to_date, 0)
            as overdue_invoices,
        -- greatest() skips nulls on both engines.
        greatest(carried.latest_late_paid_due_on, running.latest_late_paid_due_on)
            as latest_late_paid_due_on
    from running
    left join carried
        on running.account_id = carried.account_id
),

-- A period never crosses a month start, so the month of its first day is the month of all.
final as (
    select
        periods.account_id,
        periods.date_day,
        months_spent.first_spend_on,
        months_spent.months_with_spend_in_prior_6,
        cast(periods.overdue_invoices as integer) as overdue_invoices,
        periods.latest_late_paid_due_on
    from periods
    inner join months_spent
        on periods.account_id = months_spent.account_id
        and {{ month_start('periods.date_day') }} = months_spent.month_start_on
)

select * from final
