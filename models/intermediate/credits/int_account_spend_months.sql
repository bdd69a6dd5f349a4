{#-
    The calendar months in which each account spent (any creative, any day; RULES.md
    section 10 counts months with spend), with the first spend day of each.

    Incremental: a run recomputes only the months holding a spend day that
    int_account_spend_daily recomputed since the last run (a daily run: the current month of
    the accounts that spent), and every month on a first or full build or after a change to
    this SQL. A month left without spend loses its row.
-#}
{%- set changed = account_spend_months_changed() -%}

{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=['account_id', 'month_start_on'],
    on_schema_change='fail',
    pre_hook="{{ delete_changed_spend_months() }}",
    post_hook="{{ save_inputs(account_spend_months_inputs) }}",
) }}

with

spend_daily as (
    select * from {{ ref('int_account_spend_daily') }}
    {% if changed is not none %}
    where date_day >= {{ changed.first_month }}
    {% endif %}
),

{% if changed is not none %}
changed_months as (
    {{ changed.query }}
),
{% endif %}

spent_months as (
    select
        account_id,
        {{ month_start('date_day') }} as month_start_on,
        min(date_day) as first_spend_in_month_on,
    from spend_daily
    where any_spend_usd > 0
    group by account_id, {{ month_start('date_day') }}
),

final as (
    select * from spent_months
    {% if changed is not none %}
    semi join changed_months
        on spent_months.account_id = changed_months.account_id
        and spent_months.month_start_on = changed_months.month_start_on
    {% endif %}
)

select * from final
