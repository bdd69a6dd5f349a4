{#-
    Credit line eligibility per account and day. A daily run adds the new days and replaces
    the accounts whose months with spend changed; it rebuilds whole when the invoices, the
    accounts or the SQL changed (credit_line_inputs()).
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

rules as (
    select * from {{ ref('int_credit_line_rules_daily') }}
),

{% if not rebuilt %}
last_build as (
    select * from {{ applied_input('build') }}
),

accounts_replaced as (
    {{ credit_line_accounts_replaced() }}
),
{% endif %}

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
    {% if not rebuilt %}
    -- The days after the last as-of date and every day of the replaced accounts; the same
    -- filter on the periods' last days lets the view drop whole periods before it spreads
    -- them over their days.
    where (
            rules.period_ends_on > (select as_of_date from last_build)
            or rules.account_id in (select account_id from accounts_replaced)
        )
        and (
            rules.date_day > (select as_of_date from last_build)
            or rules.account_id in (select account_id from accounts_replaced)
        )
    {% endif %}
)

select * from final
