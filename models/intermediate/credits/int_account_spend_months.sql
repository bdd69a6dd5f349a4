{#-
    The calendar months in which each account spent up to the as-of date (any creative, any
    day; RULES.md section 10 counts months with spend), one row per month on its first spend
    day (date_day).

    Incremental by day: a month's first spend day depends only on the days up to it, so the
    stored months whose first spend day is before the window stand. A run recomputes the
    months from the days of the window (recompute_window.sql), except a month that already
    had spend before the window: its stored row stays, as its first spend day has not moved.
-#}
{{ day_window_config() }}

with

spend_daily as (
    select * from {{ ref('int_account_spend_daily') }}
    where any_spend_usd > 0
        and date_day <= {{ as_of_date() }}
        {% if is_incremental() %}
        and date_day >= {{ recompute_from() }}
        {% endif %}
),

spent_months as (
    select
        account_id,
        {{ month_start('date_day') }} as month_start_on,
        min(date_day) as date_day
    from spend_daily
    group by account_id, {{ month_start('date_day') }}
),

{% if is_incremental() %}
-- The window's first month, when its spend started before the window.
months_started_before as (
    select
        account_id,
        month_start_on
    from {{ this }}
    where date_day < {{ recompute_from() }}
        and month_start_on >= {{ month_start(recompute_from()) }}
),
{% endif %}

final as (
    select
        spent_months.account_id,
        spent_months.month_start_on,
        spent_months.date_day
    from spent_months
    {% if is_incremental() %}
    anti join months_started_before
        on spent_months.account_id = months_started_before.account_id
        and spent_months.month_start_on = months_started_before.month_start_on
    {% endif %}
)

select * from final
