{#-
    Credit line rules per account and day (RULES.md section 10), for every account that spent,
    from its first spend day to the as-of date. Each day is judged with what had happened by
    the end of that day: an invoice paid after D is still unpaid on D.

    Invoices turn into dated events so that a running window over the day spine answers both
    invoice rules with equality joins, not a range join of invoices to days:
    - overdue on D (unpaid past its due date): +1 on the first overdue day
      (greatest(due_on + 1, issued_on)), -1 on paid_on; overdue on D when the running sum > 0;
    - paid late (paid_on > due_on): on paid_on it brings its due_on; the latest such due_on
      paid by D fails D when it lies in [D - 6 months, D).
    Events before the first spend day are moved onto it; they still count from there.
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
        first_spend_on,
    from months_spent
),

day_spine as (
    select
        account_id,
        first_spend_on,
        cast(unnest(generate_series(first_spend_on, {{ as_of_date() }}, interval 1 day)) as date)
            as date_day,
    from first_spend
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

running as (
    select
        day_spine.account_id,
        day_spine.date_day,
        day_spine.first_spend_on,
        coalesce(sum(overdue_changes.overdue_change) over by_day, 0) as overdue_invoices,
        max(late_payments.latest_due_on) over by_day as latest_late_paid_due_on,
    from day_spine
    left join overdue_changes
        on day_spine.account_id = overdue_changes.account_id
        and day_spine.date_day = overdue_changes.event_on
    left join late_payments
        on day_spine.account_id = late_payments.account_id
        and day_spine.date_day = late_payments.event_on
    window by_day as (
        partition by day_spine.account_id
        order by day_spine.date_day
        rows between unbounded preceding and current row
    )
),

final as (
    select
        running.account_id,
        running.date_day,
        running.first_spend_on <= {{ add_months('running.date_day', -6) }} as passes_account_age,
        months_spent.months_with_spend_in_prior_6 = 6 as passes_continuous_spend,
        not coalesce(running.latest_late_paid_due_on >= {{ add_months('running.date_day', -6) }}, false)
            as passes_on_time_payments,
        running.overdue_invoices = 0 as passes_no_overdue_invoices,
        running.first_spend_on,
        months_spent.months_with_spend_in_prior_6,
        cast(running.overdue_invoices as integer) as overdue_invoices,
        running.latest_late_paid_due_on,
    from running
    inner join months_spent
        on running.account_id = months_spent.account_id
        and {{ month_start('running.date_day') }} = months_spent.month_start_on
)

select * from final
